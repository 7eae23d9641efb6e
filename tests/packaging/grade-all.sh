#!/usr/bin/env bash
# Grades every submission under a folder, each in its own pristine copy.
#
#   grade-all.sh COURSE SUBMISSIONS OUT [make variables, e.g. CH=03]
#
# A submission is a folder, a .tar.gz/.tgz or a .zip directly under
# SUBMISSIONS; its name (without the extension, characters other than
# A-Za-z0-9._- made '_', a suffix -2, -3... where two would be the same)
# names its row. Writes OUT/scores.csv (submission, one column per exercise,
# total, suspicious: the exercises whose code an instructor should look at,
# see suspect.sh, seconds: how long its tests ran, and note: "slow" when that
# is more than twice what the reference answers take on the same tests, by
# tests/budget.tsv) and OUT/submissions/<name>/{report.txt,results.json,
# junit.xml,suspicious.txt}.
# One broken or hostile submission gets an empty row and never stops the
# batch. Links are never followed: a submission that is a link, or an
# archive that holds one (or a name outside itself, or more than
# GRADE_ARCHIVE_MAX_MB unpacked or GRADE_ARCHIVE_MAX_FILES files), is
# refused, with the reason in OUT/submissions/<name>.log.
set -u
[ $# -ge 3 ] || { echo "usage: $0 COURSE SUBMISSIONS OUT [VAR=value...]" >&2; exit 2; }
course=$(cd "$1" && pwd) || exit 2
subs=$2
out=$3
shift 3
[ -d "$subs" ] || { echo "grade-all: SUBMISSIONS=$subs is not a folder" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
unpacked=$(mktemp -d "${TMPDIR:-/tmp}/ipc-grade-all.XXXXXX") || exit 1
trap 'rm -rf "$unpacked"' EXIT

# One broker (or any service) for the whole batch, if the course started one.
if [ -z "${AMQP_URL:-}" ] && [ -f "$course/build/broker/url" ]; then
    AMQP_URL=$(cat "$course/build/broker/url")
    export AMQP_URL
fi

max_mb=${GRADE_ARCHIVE_MAX_MB:-64}
max_files=${GRADE_ARCHIVE_MAX_FILES:-10000}

# Checks an archive's table of contents before anything is unpacked: no
# links, no absolute names or '..', bounded size and count. Prints why not.
archive_ok() { # FILE tar|zip
    local list
    if [ "$2" = tar ]; then
        list=$(timeout 60 tar -tvzf "$1" 2>/dev/null) || { echo "not a readable .tar.gz"; return 1; }
        # "-rw-r--r-- user/group SIZE DATE TIME NAME": the type is the first character.
        awk -v mb="$max_mb" -v nf="$max_files" '
            substr($1, 1, 1) != "-" && substr($1, 1, 1) != "d" { print "it holds a link or a special file"; exit 1 }
            { size += $3; n++ }
            END { if (n > nf) { print "more than " nf " files"; exit 1 }
                  if (size > mb * 1048576) { print "more than " mb " MiB unpacked"; exit 1 } }' <<<"$list" || return 1
        list=$(timeout 60 tar -tzf "$1" 2>/dev/null)
    else
        list=$(timeout 60 unzip -Z "$1" 2>/dev/null) || { echo "not a readable .zip"; return 1; }
        # zipinfo: "-rw-r--r--  3.0 unx  SIZE tx defN DATE TIME NAME"; links show as 'l'.
        awk -v mb="$max_mb" -v nf="$max_files" '
            $1 !~ /^[-dlcbps][-rwxsStTah]+$/ { next } # the header and total lines
            substr($1, 1, 1) != "-" && substr($1, 1, 1) != "d" { print "it holds a link or a special file"; exit 1 }
            { size += $4; n++ }
            END { if (n > nf) { print "more than " nf " files"; exit 1 }
                  if (size > mb * 1048576) { print "more than " mb " MiB unpacked"; exit 1 } }' <<<"$list" || return 1
        list=$(timeout 60 unzip -Z1 "$1" 2>/dev/null)
    fi
    if grep -qE '(^/|(^|/)\.\.(/|$))' <<<"$list"; then
        echo "it holds a name outside itself (absolute, or with '..')"
        return 1
    fi
}

mkdir -p "$out/submissions"
names=()
for entry in "$subs"/*; do
    [ -e "$entry" ] || [ -L "$entry" ] || continue
    base=$(basename "$entry")
    case "$base" in
    *.tar.gz) name=${base%.tar.gz} kind=tar ;;
    *.tgz) name=${base%.tgz} kind=tar ;;
    *.zip) name=${base%.zip} kind=zip ;;
    *) name=$base kind=dir ;;
    esac
    [ "$kind" = dir ] && [ ! -d "$entry" ] && [ ! -L "$entry" ] && continue
    name=$(printf '%s' "$name" | tr -c 'A-Za-z0-9._-' '_')
    case "$name" in "" | . | ..) name=_$name ;; esac
    # Names that differ only in characters made '_' get rows of their own.
    unique=$name n=1
    while [[ " ${names[*]} " == *" $unique "* ]]; do n=$((n + 1)) unique=$name-$n; done
    name=$unique
    names+=("$name")
    log=$out/submissions/$name.log
    echo "grade-all: $name"
    if [ -L "$entry" ]; then
        echo "grade-all: $name: refused: the submission is a link" | tee "$log" >&2
        continue
    fi
    dir=$entry
    if [ "$kind" != dir ]; then
        if ! why=$(archive_ok "$entry" "$kind"); then
            echo "grade-all: $name: refused: $why" | tee "$log" >&2
            continue
        fi
        dir=$unpacked/$name
        mkdir -p "$dir"
        if [ "$kind" = tar ]; then
            timeout 120 tar -xzf "$entry" -C "$dir" --no-same-owner --no-same-permissions 2>/dev/null
        else
            timeout 120 unzip -q -o "$entry" -d "$dir" >/dev/null 2>&1
        fi
    fi
    "$here/grade-submission.sh" "$course" "$dir" "$out/submissions/$name" "$@" >"$log" 2>&1 ||
        echo "grade-all: $name: grading failed, see $log" >&2
done

# scores.csv: exercises in course order, points per exercise, and the total.
exercises=$(for n in "${names[@]}"; do
    f=$out/submissions/$n/results.json
    [ -f "$f" ] && grep -o '"number": "[^"]*"' "$f" | cut -d'"' -f4
done | sort -u -V)
{
    printf 'submission'
    for e in $exercises; do printf ',%s' "$e"; done
    printf ',total,suspicious,seconds,note\n'
    for n in "${names[@]}"; do
        f=$out/submissions/$n/results.json
        printf '%s' "$n"
        total=0
        for e in $exercises; do
            if [ -f "$f" ]; then
                pts=$(grep -o "\"number\": \"$e\", \"score\": [0-9]*" "$f" |
                      awk -F': ' '{ s += $NF } END { print s + 0 }')
            else
                pts=
            fi
            printf ',%s' "$pts"
            total=$((total + ${pts:-0}))
        done
        [ -f "$f" ] && printf ',%s' "$total" || printf ','
        # "chapters/04-ring-buffer/ring.c" of each note, once: no commas in course names.
        printf ',%s' "$(sed -n 's|^suspicious: chapters/\([^:]*\): .*|\1|p' \
            "$out/submissions/$n/suspicious.txt" 2>/dev/null | sort -u | tr '\n' ' ' | sed 's/ $//')"
        if [ -f "$f" ]; then
            # The grader writes both times; one second more absorbs the rounding.
            secs=$(grep -o '"execution_time": [0-9]*' "$f" | grep -o '[0-9]*$')
            ref=$(grep -o '"reference_time": [0-9.]*' "$f" | grep -o '[0-9.]*$')
            note=$(awk -v s="${secs:-0}" -v r="${ref:-0}" 'BEGIN { if (r > 0 && s > 2 * r + 1) print "slow" }')
            printf ',%s,%s\n' "$secs" "$note"
        else
            printf ',,\n'
        fi
    done
} >"$out/scores.csv"
echo "grade-all: ${#names[@]} submission(s); scores in $out/scores.csv"
