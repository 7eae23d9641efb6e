#!/usr/bin/env bash
# The GitHub Classroom workflow, checked without GitHub (make test-classroom;
# test-packaging.sh runs it too):
#   1. .github/workflows/ipc-labs-autograding.yml parses, is triggered by push
#      and repository_dispatch, runs in a Debian container, uses only the
#      actions of tests/packaging/classroom-actions.txt, and feeds the
#      reporter from its grade step (tests/packaging/classroom.py workflow);
#      no workflow sits where Classroom's editor writes its own;
#   2. the grade step's own command, run as the runner runs it (a workspace
#      with the template in course/ and a fake student checkout in
#      submission/, $GITHUB_ENV, $GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY), gives
#      reporter input that matches the reporter's schema, with points
#      - on the reference answers: make grade's score, full marks;
#      - on the starters: 0;
#      - on a checkout whose tests, harness, Makefile, grading scripts and
#        workflow were edited to pass everything: 0, with those files flagged
#        "edited, ignored".
#
# CLASSROOM_CH (default 00,04: two small chapters) narrows the grading so
# this stays quick; the workflow itself grades every chapter.
set -u
top=$(pwd)
ch=${CLASSROOM_CH:-00,04}
wf=.github/workflows/ipc-labs-autograding.yml
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ipc-classroom.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp" # the grader's unprivileged test user must reach the builds in here
unset MAKEFLAGS MFLAGS MAKELEVEL
fail() { echo "classroom: FAILED: $*" >&2; exit 1; }
ok() { echo "classroom: ok: $*"; }
py() { /usr/bin/python3 "$top/tests/packaging/classroom.py" "$@"; }

# 1. the workflow's shape and its actions
py workflow "$wf" tests/packaging/classroom-actions.txt >"$tmp/grade-step.sh" || fail "$wf"
[ -e .github/workflows/classroom.yml ] &&
    fail ".github/workflows/classroom.yml is where Classroom's editor writes its own workflow, over ours"
ok "$wf: push and repository_dispatch, a Debian container, actions from classroom-actions.txt"

# 2. the grade step on three checkouts
# The template repository is the handout (docs/instructors.md).
tests/packaging/handout.sh . "$tmp/handout.tar.gz" >/dev/null || fail "make handout"
tar -xzf "$tmp/handout.tar.gz" -C "$tmp" && template=$tmp/ipc-labs
[ -f "$template/$wf" ] || fail "the template $template has no $wf"
exercises=$(make -s list-exercises | grep -E "^chapters/($(echo "$ch" | tr , '|'))")
[ -n "$exercises" ] || fail "no exercises in chapters $ch"

# workspace NAME: the runner's workspace, the template in course/ and the
# student's checkout in submission/ (a copy of the template, to be changed).
workspace() {
    local ws=$tmp/ws-$1
    mkdir -p "$ws" && cp -a "$template" "$ws/course" && cp -a "$template" "$ws/submission"
}
# grade NAME: run the workflow's grade step there; prints "points max runners edited".
grade() {
    local ws=$tmp/ws-$1
    : >"$ws/env" && : >"$ws/output" && : >"$ws/summary"
    (cd "$ws" && GITHUB_ACTIONS=true GITHUB_ENV=$ws/env GITHUB_OUTPUT=$ws/output \
        GITHUB_STEP_SUMMARY=$ws/summary CH=$ch bash -e "$tmp/grade-step.sh") >"$ws/log" 2>&1 ||
        fail "$1: the grade step failed: $(tail -5 "$ws/log")"
    py verify "$ws/env" "$ws/output" || fail "$1: the reporter's input: see $ws"
}
score_line() { grep '^Score: ' "$tmp/ws-$1/build/grade/report.txt" | tail -1; }

workspace reference
for f in $exercises; do cp "solutions/${f#chapters/}" "$tmp/ws-reference/submission/$f"; done
read -r points max runners edited < <(grade reference) || exit 1
tests=$(/usr/bin/python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["tests"]))' \
    "$tmp/ws-reference/build/grade/results.json")
[ "$(score_line reference)" = "Score: $points/$max" ] && [ "$points" = "$max" ] && [ "$max" -gt 0 ] ||
    fail "reference: the reporter gets $points/$max, make grade says '$(score_line reference)'"
[ "$runners" = "$tests" ] && [ "$edited" = 0 ] ||
    fail "reference: $runners runners for $tests tests, $edited edited files"
grep -q "^## Score: $max/$max" "$tmp/ws-reference/summary" || fail "reference: the step summary has no score"
ok "reference answers (CH=$ch): the reporter gets $points/$max, make grade's score, one runner per test"

workspace stub
read -r points max2 runners edited < <(grade stub) || exit 1
[ "$points" = 0 ] && [ "$max2" = "$max" ] && [ "$edited" = 0 ] ||
    fail "starters: the reporter gets $points/$max2 (expected 0/$max), $edited edited files"
ok "starters: the reporter gets 0/$max"

# A student who makes everything pass: every test, the harness's verdict,
# the Makefile and the workflow itself.
workspace edited
s=$tmp/ws-edited/submission
for t in "$s"/tests/[0-9]*/test_*.c; do
    printf '#include "grade.h"\nstatic void pass(void) {}\nGRADE_TESTS(GRADE_TEST("00.1", "always", pass, 100))\n' >"$t"
done
echo 'int grade_verdict_forged = 1;' >>"$s/tests/harness/runtime.c"
printf 'grade:\n\t@echo "Score: 100/100"\n' >"$s/Makefile"
echo '# every test passes' >>"$s/$wf"
echo 'notes' >"$s/NOTES.txt"
# The grading scripts too: were the workflow to run the student's copies, full marks.
for g in classroom-grade.sh grade-submission.sh; do
    cat >"$s/tests/packaging/$g" <<'SH'
#!/bin/sh
echo runners=forged >>"$GITHUB_OUTPUT"
echo "FORGED_RESULTS=$(echo '{"version": 1, "status": "pass", "max_score": 100, "tests": []}' | base64 -w0)" >>"$GITHUB_ENV"
SH
done
want=$( (cd "$s" && ls tests/[0-9]*/test_*.c; printf '%s\n' tests/harness/runtime.c Makefile "$wf" NOTES.txt \
    tests/packaging/classroom-grade.sh tests/packaging/grade-submission.sh) | LC_ALL=C sort)
read -r points max3 runners edited < <(grade edited) || exit 1
[ "$points" = 0 ] && [ "$max3" = "$max" ] ||
    fail "edited tests: the reporter gets $points/$max3, expected 0/$max"
[ "$(cat "$tmp/ws-edited/build/grade/edited.txt")" = "$want" ] && [ "$edited" = "$(wc -l <<<"$want")" ] ||
    fail "edited tests: flagged $edited files: $(head -5 "$tmp/ws-edited/build/grade/edited.txt")"
grep -qF "\`tests/harness/runtime.c\`" "$tmp/ws-edited/summary" &&
    grep -q '^::warning title=Edited, ignored::Makefile ' "$tmp/ws-edited/log" ||
    fail "edited tests: the summary or the annotations do not name the edited files"
ok "edited tests, harness, Makefile, grading scripts and workflow: the reporter gets 0/$max, the $edited files flagged"

# CLASSROOM_KEEP=dir keeps what each grade step wrote (env: the reporter's
# input; output, summary, log), to feed the reporter itself or to read.
if [ -n "${CLASSROOM_KEEP:-}" ]; then
    for c in reference stub edited; do
        mkdir -p "$CLASSROOM_KEEP/$c" && cp "$tmp/ws-$c"/{env,output,summary,log} "$CLASSROOM_KEEP/$c/"
    done
    echo "classroom: the grade steps' files: $CLASSROOM_KEEP"
fi
