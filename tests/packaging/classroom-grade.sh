#!/usr/bin/env bash
# The grading step of the GitHub Classroom workflow
# (.github/workflows/ipc-labs-autograding.yml), which `make test` also runs on
# fake checkouts (tests/packaging/test-classroom.sh).
#
#   classroom-grade.sh COURSE SUBMISSION OUT
#
# COURSE is the instructor's template at its pinned commit, SUBMISSION the
# student's repository. One grading run of the submission's exercise files
# inside a pristine copy of COURSE (grade-submission.sh: tests, harness,
# Makefile and workflow are COURSE's), then:
#   OUT/results.json, report.txt, junit.xml   as grade-submission.sh writes them;
#   OUT/edited.txt    the files of SUBMISSION, outside the exercise files, that
#                     differ from COURSE or are not in it: edited, ignored;
#   OUT/reporter.env, runners, summary.md     the reporter's input
#                     (tests/packaging/classroom.py report).
# Under GitHub Actions the last three go to $GITHUB_ENV, $GITHUB_OUTPUT
# (`runners`) and $GITHUB_STEP_SUMMARY. CH=00,04 in the environment narrows
# the grading, as it does for make grade.
# Exit status: 0 when the reporter has its input, whatever the score (a
# grading that did not finish is an "error" runner); 1 otherwise; 2 usage.
set -u
[ $# -eq 3 ] || { echo "usage: $0 COURSE SUBMISSION OUT" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
course=$(cd "$1" && pwd) || exit 2
sub=$(cd "$2" && pwd) || exit 2
mkdir -p "$3" && out=$(cd "$3" && pwd) || exit 1
rm -f "$out/results.json"

# What differs from the template outside the exercise files: listed, never used.
exercises=$(unset MAKEFLAGS MFLAGS MAKELEVEL; make -s -C "$course" list-exercises) || exit 1
(cd "$sub" && find . \( -path ./.git -o -path ./build \) -prune -o \( -type f -o -type l \) -printf '%P\n') |
    LC_ALL=C sort | while IFS= read -r f; do
    grep -qxF -- "$f" <<<"$exercises" && continue
    if [ -L "$sub/$f" ] || [ -L "$course/$f" ] || [ ! -f "$course/$f" ] || ! cmp -s -- "$sub/$f" "$course/$f"; then
        printf '%s\n' "$f"
    fi
done >"$out/edited.txt"

"$here/grade-submission.sh" "$course" "$sub" "$out"
cat "$out/report.txt" 2>/dev/null
if [ -s "$out/edited.txt" ]; then
    echo
    echo "Edited, ignored (graded with the course's own copy): $(wc -l <"$out/edited.txt") file(s)"
    sed 's/^/  /' "$out/edited.txt"
fi

/usr/bin/python3 "$here/classroom.py" report "$out/results.json" "$out/edited.txt" "$out" || exit 1
if [ -n "${GITHUB_ENV:-}" ]; then
    cat "$out/reporter.env" >>"$GITHUB_ENV" || exit 1
    echo "runners=$(cat "$out/runners")" >>"$GITHUB_OUTPUT" || exit 1
    cat "$out/summary.md" >>"${GITHUB_STEP_SUMMARY:-/dev/null}"
fi
if [ "${GITHUB_ACTIONS:-}" = true ]; then
    # Annotations on the run, where the instructor sees them in Classroom's
    # view of the repository (GitHub shows ten per step).
    head -10 "$out/edited.txt" | while IFS= read -r f; do
        echo "::warning title=Edited, ignored::$f differs from the course's template; it was graded with the template's copy"
    done
fi
exit 0
