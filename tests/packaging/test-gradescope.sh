#!/usr/bin/env bash
# The Gradescope package, checked by test-packaging.sh (make test):
#   1. the zip, made with an instructor's hidden test, holds run_autograder,
#      setup.sh, its settings and the hidden test, and no solutions/;
#   2. run_autograder on a fake /autograder (AUTOGRADER_ROOT) gives a perfect
#      submission of chapters CH every point, the hidden one too, and its
#      results.json passes the schema check (check-results.py) with the
#      hidden test hidden and its output plain text, colours and all; a zip
#      made with GRADE_HIDDEN_VISIBILITY=after_due_date gives its test that
#      visibility;
#   3. a budget too short for the tests (GRADE_DEADLINE, GRADE_BUDGET) ends
#      the run in time with a valid results.json, and a grading run killed
#      midway (as Gradescope stops one at its limit) leaves a valid one with
#      the tests that finished, the others not run.
#
#   test-gradescope.sh TMP CH MAX    (MAX: the points of chapters CH)
set -u
[ $# -eq 3 ] || { echo "usage: $0 TMP CH MAX" >&2; exit 2; }
tmp=$1 ch=$2 max=$3
fail() { echo "packaging: FAILED: gradescope: $*" >&2; exit 1; }
ok() { echo "packaging: ok: gradescope: $*"; }
check=tests/packaging/check-results.py

# 1. the zip, with one hidden test of 1 point for 00.1
hidden=$tmp/hidden-tests
mkdir -p "$hidden/00-getting-started"
cat >"$hidden/00-getting-started/test_status.c" <<'C'
#include "grade.h"
#include "status.h"
#include <stdio.h>
static void exit_three(void)
{
    char buf[64];
    printf("\033[1mcolours\033[0m reach no report\n");
    GRADE_EXPECT_LONG(status_describe(3 << 8, buf, sizeof buf), 20, "the text's length");
    GRADE_EXPECT_STR(buf, "exited with status 3", "the exit status is in bits 8-15");
}
GRADE_TESTS(GRADE_TEST("00.1-hidden", "exit 3", exit_three, 1))
C
make -s gradescope GRADE_EXTRA="$hidden" >/dev/null || fail "make gradescope GRADE_EXTRA=..."
ag=$tmp/autograder
mkdir -p "$ag/source" "$ag/submission"
unzip -q build/gradescope/autograder.zip -d "$ag/source"
[ -x "$ag/source/run_autograder" ] && [ -x "$ag/source/setup.sh" ] || fail "zip lacks run_autograder or setup.sh"
[ -d "$ag/source/course/solutions" ] && fail "the zip contains solutions/"
[ -f "$ag/source/hidden-tests/00-getting-started/test_status.c" ] || fail "the zip lacks the hidden test"
grep -qx 'GRADE_HIDDEN_VISIBILITY=hidden' "$ag/source/settings" || fail "settings: $(cat "$ag/source/settings")"
ok "the zip has run_autograder, setup.sh, settings and the hidden test, and no solutions/"

# 2. a perfect submission, hidden test included
for f in $(make -s list-exercises | grep -E "^chapters/($(echo "$ch" | tr , '|'))"); do
    mkdir -p "$ag/submission/$(dirname "$f")" && cp "solutions/${f#chapters/}" "$ag/submission/$f"
done
start=$(date +%s)
AUTOGRADER_ROOT=$ag "$ag/source/run_autograder" CH="$ch" >"$tmp/gradescope.txt" 2>&1
took=$(($(date +%s) - start))
json=$ag/results/results.json
score=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["score"])' "$json" 2>/dev/null)
[ "$score" = $((max + 1)) ] ||
    fail "run_autograder: score '$score', expected $((max + 1)) (the hidden test's point included): $(tail -5 "$tmp/gradescope.txt")"
/usr/bin/python3 "$check" "$json" --hidden 00.1-hidden --complete || exit 1
grep -q '?\[1mcolours?\[0m reach no report' "$json" || fail "the hidden test's output is not in results.json"
ok "run_autograder CH=$ch: a perfect submission $((max + 1))/$((max + 1)) in $took s, results.json valid, the hidden test hidden"

sed -i 's/^GRADE_HIDDEN_VISIBILITY=.*/GRADE_HIDDEN_VISIBILITY=after_due_date/' "$ag/source/settings"
rm -rf "$ag/results"
AUTOGRADER_ROOT=$ag "$ag/source/run_autograder" CH=00 >"$tmp/gradescope-due.txt" 2>&1
/usr/bin/python3 "$check" "$json" --hidden 00.1-hidden --visibility after_due_date --complete || exit 1
ok "GRADE_HIDDEN_VISIBILITY=after_due_date: the hidden test shows after the due date"

# 3. an answer that never returns, each test stopped at its limit (2 to 3 s):
# with a budget of 1 s, the first is stopped then and the others not run;
hang=(build/tools/grade --lists "${B:-build}/lists" --bins "${B:-build}/wrong/harness-endless-loop/tests"
    --budget tests/budget.tsv)
start=$(date +%s)
"${hang[@]}" --budget-total 1 --out "$tmp/budget" 00-getting-started/test_status >"$tmp/budget.txt" 2>&1
took=$(($(date +%s) - start))
[ "$took" -le 3 ] || fail "a run with a budget of 1 s took $took s"
/usr/bin/python3 "$check" "$tmp/budget/results.json" --complete || exit 1
grep -q 'whole time budget of 1 s' "$tmp/budget/results.json" || fail "the budget's end is not explained"
ok "a budget of 1 s ends the run in $took s with a valid results.json"

# killed while the second test runs.
out=$tmp/killed
"${hang[@]}" --out "$out" 00-getting-started/test_status >"$tmp/killed.txt" 2>&1 &
pid=$!
for _ in $(seq 100); do
    grep -q '"TIMEOUT"' "$out/results.json" 2>/dev/null && break
    sleep 0.1
done
kill -TERM "$pid" 2>/dev/null
wait "$pid"
[ $? -ge 128 ] || fail "the grader ended before it was killed: $(tail -3 "$tmp/killed.txt")"
/usr/bin/python3 "$check" "$out/results.json" --partial || exit 1
ok "a run killed midway leaves a valid results.json: the tests that finished, the others not run"
