#!/usr/bin/env bash
# Prints .github/classroom/autograding.json: one GitHub Classroom test per
# exercise, worth that exercise's points, run by the course's own grader.
#   classroom.sh LISTS_DIR TEST...   (TEST as "03-sockets/test_framing")
set -eu
lists=$1
shift
printf '{\n  "tests": ['
sep=
for t in "$@"; do
    id=$(cut -f1 "$lists/$t.list" | head -1)
    pts=$(awk -F'\t' '{ s += $2 } END { print s }' "$lists/$t.list")
    printf '%s\n    {\n      "name": "%s %s",\n      "setup": "",\n' "$sep" "$id" "$(basename "$t" | sed 's/^test_//')"
    printf '      "run": "make -s grade EX=%s GRADE_STRICT=1",\n' "$id"
    printf '      "input": "",\n      "output": "",\n      "comparison": "included",\n'
    printf '      "timeout": 10,\n      "points": %s\n    }' "$pts"
    sep=,
done
printf '\n  ]\n}\n'
