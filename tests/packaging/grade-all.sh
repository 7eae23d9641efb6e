#!/usr/bin/env bash
# Grades every submission under a folder, each in its own pristine copy.
#
#   grade-all.sh COURSE SUBMISSIONS OUT [make variables, e.g. CH=03]
#
# A submission is a folder, a .tar.gz/.tgz or a .zip directly under
# SUBMISSIONS; its name (without the extension) names its row. Writes
# OUT/scores.csv (submission, one column per exercise, total) and
# OUT/<name>/{report.txt,results.json,junit.xml}. One broken or hostile
# submission gets an empty row and never stops the batch.
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

names=()
for entry in "$subs"/*; do
    [ -e "$entry" ] || continue
    base=$(basename "$entry")
    case "$base" in
    *.tar.gz | *.tgz)
        name=${base%.tar.gz}; name=${name%.tgz}
        mkdir -p "$unpacked/$name" && tar -xzf "$entry" -C "$unpacked/$name" --no-same-owner 2>/dev/null
        dir=$unpacked/$name ;;
    *.zip)
        name=${base%.zip}
        mkdir -p "$unpacked/$name" && unzip -q -o "$entry" -d "$unpacked/$name" >/dev/null 2>&1
        dir=$unpacked/$name ;;
    *)
        [ -d "$entry" ] || continue
        name=$base dir=$entry ;;
    esac
    name=$(printf '%s' "$name" | tr -c 'A-Za-z0-9._-' '_')
    echo "grade-all: $name"
    "$here/grade-submission.sh" "$course" "$dir" "$out/$name" "$@" >"$out/$name.log" 2>&1 ||
        echo "grade-all: $name: grading failed, see $out/$name.log" >&2
    names+=("$name")
done

# scores.csv: exercises in course order, points per exercise, and the total.
exercises=$(for n in "${names[@]}"; do
    f=$out/$n/results.json
    [ -f "$f" ] && grep -o '"number": "[^"]*"' "$f" | cut -d'"' -f4
done | sort -u -V)
{
    printf 'submission'
    for e in $exercises; do printf ',%s' "$e"; done
    printf ',total\n'
    for n in "${names[@]}"; do
        f=$out/$n/results.json
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
        if [ -f "$f" ]; then printf ',%s\n' "$total"; else printf ',\n'; fi
    done
} >"$out/scores.csv"
echo "grade-all: ${#names[@]} submission(s); scores in $out/scores.csv"
