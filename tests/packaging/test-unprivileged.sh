#!/usr/bin/env bash
# The grader run by a user without root (a student's make grade, CI's
# unprivileged job), as `nobody`; run as root by test-packaging.sh.
#
#   test-unprivileged.sh DIR     (from the top of the course; B= the build dir)
#
# Where the kernel allows unprivileged user namespaces, each test must get
# namespaces of its own: the reference answers of chapters 00 and 02 score
# full marks, tests/wrong/harness-kill-all (kill(-1), its parent, session and
# group) scores 0 on 00.1 while the run goes on to grade 02.1 and a
# process of nobody's outside the run survives it, and both reports say
# "isolation: own namespaces". Where the kernel refuses, the reference run
# must still score full marks and say that there was no isolation; the
# kill-all answer is not run then, as it would end every process of nobody's.
set -u
b=${B:-build}
work=$1/unprivileged
fail() { echo "packaging: FAILED: $*" >&2; exit 1; }
ok() { echo "packaging: ok: $*"; }

[ "$(id -u)" = 0 ] || fail "$0 must run as root (it runs the grader as nobody)"
command -v setpriv >/dev/null || fail "setpriv (util-linux) is missing"
id nobody >/dev/null 2>&1 || fail "there is no user nobody"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups env -u TMPDIR HOME="$work" "$@"; }

# nobody cannot read the builds under a root-only folder, nor write there:
# a copy of what the grader reads, in a folder of nobody's, with its tests
# (the graded test programs of chapters 00 and 02) as the course tree.
mkdir -m 755 "$work" || fail "mkdir $work"
mkdir -p "$work/build/tools" "$work/build/reference/tests" "$work/build/wrong" &&
    cp build/tools/grade "$work/build/tools/grade" &&
    cp -r "$b/lists" "$work/build/lists" &&
    cp -r "$b/reference/tests/00-getting-started" "$b/reference/tests/02-shared-memory" \
        "$work/build/reference/tests/" &&
    cp -r "$b/wrong/harness-kill-all/tests" "$work/build/wrong/kill-all" ||
    fail "copy the builds (make tests and $b/wrong/harness-kill-all first)"
chown -R nobody:nogroup "$work"
as_nobody test -w "$work" ||
    fail "nobody cannot reach $work (a parent folder closed to others?): set TMPDIR to one that is open"
programs='' max=0
for f in "$b"/lists/00-getting-started/test_*.list "$b"/lists/02-shared-memory/test_*.list; do
    [ -f "$f" ] || fail "no graded test programs in chapters 00 and 02 ($f)"
    p=${f#"$b"/lists/}
    programs="$programs ${p%.list}"
    max=$((max + $(awk -F'\t' '{ s += $2 } END { print s }' "$f")))
done

# Does nobody get user namespaces here? The grader decides by itself; this
# only says what it must have decided.
if as_nobody unshare -Urmip --fork --mount-proc true 2>/dev/null; then
    want="isolation: own namespaces (user, mount, IPC, PID)"
else
    want="isolation: none"
fi

cd "$work" || fail "cd $work"
# shellcheck disable=SC2086 # one word per test program
as_nobody build/tools/grade --lists build/lists --bins build/reference/tests --out "$work/ref" \
    --expect pass $programs >"$work/ref.txt" 2>&1 ||
    fail "as nobody, the reference answers of chapters 00 and 02 did not all pass:$(tail -15 "$work/ref.txt")"
grep -q "^Score: $max/$max\$" "$work/ref.txt" ||
    fail "as nobody, the reference answers: expected Score: $max/$max, got: $(grep Score "$work/ref.txt")"
grep -qF "$want" "$work/ref.txt" ||
    fail "as nobody, the report should say '$want': $(grep isolation "$work/ref.txt")"
grep -qF "$want" "$work/ref/results.json" ||
    fail "as nobody, results.json should say '$want' in its output"
ok "as nobody, the reference answers of chapters 00 and 02 score $max/$max; $want"

if [ "$want" = "isolation: none" ]; then
    ok "as nobody, no user namespaces here: harness-kill-all is not run (it would end every process of nobody's)"
    exit 0
fi
# A process of nobody's that is no part of the run: the wrong answer's
# kill(-1) must not reach it.
as_nobody sleep 300 &
bystander=$!
# Beside it, one program of chapter 02: graded after it, it shows the run went on.
as_nobody build/tools/grade --lists build/lists --bins build/wrong/kill-all --bins build/reference/tests \
    --out "$work/kill" --expect zero:00.1 00-getting-started/test_status 02-shared-memory/test_shm_region \
    >"$work/kill.txt" 2>&1
rc=$?
alive=$(kill -0 "$bystander" 2>/dev/null && echo yes)
kill "$bystander" 2>/dev/null
wait "$bystander" 2>/dev/null
[ "$rc" = 0 ] || fail "as nobody, grading harness-kill-all exited $rc:$(tail -15 "$work/kill.txt")"
grep -q '^  00\.1  *CRASH  *0/' "$work/kill.txt" || fail "as nobody, harness-kill-all did not crash on 00.1"
grep -q '^  02\.1 .* [1-9][0-9]* PASS$' "$work/kill.txt" || # its row in the summary
    fail "as nobody, chapter 02 was not graded after harness-kill-all:$(tail -15 "$work/kill.txt")"
grep -q '^Score: ' "$work/kill.txt" && grep -qF "$want" "$work/kill/results.json" ||
    fail "as nobody, the run with harness-kill-all wrote no full report"
[ "$alive" = yes ] || fail "as nobody, harness-kill-all's kill(-1) killed a process outside the run"
ok "as nobody, harness-kill-all scores 0 on 00.1; the run grades the rest; nothing outside it was killed"
