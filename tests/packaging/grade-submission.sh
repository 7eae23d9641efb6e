#!/usr/bin/env bash
# Grades one submission inside a pristine copy of the course.
#
#   grade-submission.sh COURSE SUBMISSION OUT [make variables, e.g. CH=03]
#
# COURSE is a course tree (solutions/ and build/ are not copied); SUBMISSION a
# student's tree (or a folder holding exactly one). Only the exercise files
# (`make list-exercises`) are taken from the submission, so edits to tests,
# headers, common/ or the Makefile change nothing. Writes OUT/results.json,
# OUT/junit.xml and OUT/report.txt, and OUT/suspicious.txt: for the
# instructor, what the taken files reach for that no exercise needs
# (tests/harness/suspect.sh), which never changes a score.
# Exit status: 0 graded; 1 grading could not run; 2 usage.
set -u
[ $# -ge 3 ] || { echo "usage: $0 COURSE SUBMISSION OUT [VAR=value...]" >&2; exit 2; }
course=$(cd "$1" && pwd) || exit 2
sub=$2
out=$3
shift 3
mkdir -p "$out" && out=$(cd "$out" && pwd) || exit 1

# A submission packed with a top folder ("ipc-labs/chapters/..."): look inside.
# (find does not follow links, so neither does this.)
if [ ! -d "$sub/chapters" ] || [ -L "$sub/chapters" ]; then
    inner=$(find "$sub" -mindepth 1 -maxdepth 3 -type d -name chapters -print -quit)
    [ -n "$inner" ] && sub=$(dirname "$inner")
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ipc-grade-sub.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
chmod 755 "$work" # the grader's unprivileged test user must reach the build in here
unset MAKEFLAGS MFLAGS MAKELEVEL # a grading run of its own, even when make started us
(cd "$course" && tar --exclude=./build --exclude=./solutions --exclude=./.git --exclude=./tests/wrong \
    -cf - .) | (cd "$work" && tar -xf -) || exit 1

# Is $sub/$1 a plain file, reached through no link at all (a link, to a
# file or a folder, could point anywhere on the grader's machine: the
# reference answers, a classmate's work), with one name only and a sane size?
plain_file() {
    local path=$sub p=$1 part
    while [ -n "$p" ]; do
        part=${p%%/*}
        path=$path/$part
        [ -L "$path" ] && { echo "it lies under or is a link"; return 1; }
        [ "$part" = "$p" ] && p= || p=${p#*/}
    done
    [ -f "$path" ] || return 1
    [ "$(stat -c %h -- "$path")" = 1 ] || { echo "it is a hard link"; return 1; }
    [ "$(stat -c %s -- "$path")" -le 1048576 ] || { echo "it is larger than 1 MiB"; return 1; }
}

[ -L "$sub" ] && { echo "grade-submission: refused: $sub is a link" >&2; exit 1; }
taken=0 taken_files=()
for f in $(make -s -C "$work" list-exercises); do
    if why=$(plain_file "$f"); then
        cp -- "$sub/$f" "$work/$f" && taken=$((taken + 1)) && taken_files+=("$f")
    elif [ -n "$why" ]; then
        echo "grade-submission: $f not taken: $why"
    fi
done
echo "grade-submission: $taken exercise file(s) taken from $sub"

# A bound on the whole submission, on top of the per-test limits.
timeout --kill-after=30 "${GRADE_SUBMISSION_TIMEOUT:-1800}" \
    make -C "$work" grade "$@" > "$out/report.txt" 2>&1
status=$?
cp "$work/build/grade/results.json" "$work/build/grade/junit.xml" "$out/" 2>/dev/null
# The objects the grade built from the taken files, looked at once graded.
for f in "${taken_files[@]}"; do
    e=${f#chapters/}
    "$work/tests/harness/suspect.sh" "$work/build/learner/tests/$(dirname "$e")/test_$(basename "$e" .c).ex.o" "$f"
done > "$out/suspicious.txt"
if [ -s "$out/suspicious.txt" ]; then
    { echo; echo "For the instructor (the score above is unchanged):"; cat "$out/suspicious.txt"; } >> "$out/report.txt"
fi
if [ ! -f "$out/results.json" ]; then
    echo "grade-submission: grading did not finish (status $status); see $out/report.txt" >&2
    exit 1
fi
exit 0
