#!/usr/bin/env bash
# make test's check of make debug: on the starter of exercise 00.1 (which
# fails every test), one test runs outside the grader, shows its failed
# checks and the command to run it again, and exits 1; the first failing
# test is found without TEST=; a TEST= that names nothing, or several
# tests, is one clear error and exit 2; GRADE_SEED replays a failure.
#   test-debug.sh MAKE_ARGS...   (the variables make test runs with)
set -u
fails=0
check() { # check WHAT WANT_STATUS PATTERN -- make arguments...
    local what=$1 want=$2 pattern=$3
    shift 4
    local out status
    out=$(make -s --no-print-directory "$@" 2>&1)
    status=$?
    # make reports a failed recipe as 2; what debug.sh returned is in its line.
    if [ "$want" = 1 ] && [ $status = 2 ] && grep -q "debug-run\] Error 1" <<<"$out"; then status=1; fi
    if [ $status != "$want" ] || ! grep -qE -- "$pattern" <<<"$out"; then
        echo "test-debug: $what: exit $status (wanted $want), output:" >&2
        sed 's/^/  | /' <<<"$out" | head -20 >&2
        fails=$((fails + 1))
    fi
}
check "one named test, run by hand" 1 '^FAIL  tests/00-getting-started/test_status\.c:[0-9]+: .*expected' -- \
    "$@" debug-run EX=00.1 TEST=snprintf TOOL=none
check "the command is printed" 1 'test_status --debug [0-9]+' -- "$@" debug-run EX=00.1 TEST=snprintf TOOL=none
check "the first failing test, found" 1 "^make debug: 00\.1 'describes normal exits" -- "$@" debug-run EX=00.1 TOOL=none
check "a name that matches nothing" 2 "no test of 00\.1 is named like 'no such test'" -- \
    "$@" debug-run EX=00.1 "TEST=no such test" TOOL=none
check "a name that matches several" 2 "names more than one test of 00\.1" -- "$@" debug-run EX=00.1 TEST=e TOOL=none
check "an exercise that does not exist" 2 "no exercise 00\.9" -- "$@" debug-run EX=00.9 TOOL=none
# The same seed, the same random choices, the same failure; the test of
# normal exits picks an exit code at random, which its messages name.
fail_lines() { GRADE_SEED=$1 make -s --no-print-directory "${@:2}" debug-run EX=00.1 TEST=normal TOOL=none 2>&1 | grep '^FAIL'; }
a=$(fail_lines 4242 "$@") b=$(fail_lines 4242 "$@")
if [ -z "$a" ] || [ "$a" != "$b" ]; then
    echo "test-debug: GRADE_SEED=4242 twice gave different failures:" >&2
    diff <(echo "$a") <(echo "$b") | head -10 >&2
    fails=$((fails + 1))
fi
seen=$(for s in 1 2 3 4 5 6; do fail_lines $s "$@" | md5sum; done | sort -u | wc -l)
if [ "$seen" -lt 2 ]; then
    echo "test-debug: six seeds gave the same failure: the seed does not reach the test's choices" >&2
    fails=$((fails + 1))
fi
[ $fails = 0 ] && echo "debug: make debug runs one test outside the grader, and says what failed"
[ $fails = 0 ]
