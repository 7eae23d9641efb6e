#!/usr/bin/env bash
# The private broker (chapters/01-message-queue/broker.sh) goes when the
# make that started it is interrupted the ways users interrupt it, and is
# started only by what needs it; run by test-packaging.sh.
#
#   test-broker.sh TREE     TREE: a course tree (the handout); its answer to
#                           01.1 is replaced for a while, then put back
#
# 1. a node a killed run left up (SIGKILL: no trap runs) is not reused
#    silently: the next make grade says so, and stops it when it ends;
# 2. Ctrl-C (SIGINT to make's process group), that next run;
# 3. SIGTERM to make alone (kill PID, a CI job's timeout);
# 4. make grade | head -1: the pipe closes before the broker is even up.
# In 2 and 3 the answer to 01.1 hangs (6 tests that run out of time, 20 s
# in all): the run must end at once, not after its tests. After each, no
# process of the node is left (rabbitmq-server, beam.smp, epmd, its
# helpers), its AMQP, distribution and epmd ports are closed, and its run
# directory and state are gone. 5. make grade EX=00.1 (a chapter that has no
# use for it) starts no broker. Each run that needs the broker pays its
# start (about 8 s): the orphan of 1 is reused by 2, not started again.
set -u
tree=$(cd "$1" && pwd) || exit 1
state=$tree/build/broker/state
answer=$tree/chapters/01-message-queue/mq_connect.c
# The tree's own private node, never the one `make test` runs for the course.
unset AMQP_URL IPC_SERVICE_OWNER MAKEFLAGS MFLAGS MAKELEVEL
fail() { echo "packaging: FAILED: broker: $*" >&2; exit 1; }
ok() { echo "packaging: ok: $*"; }
log=$(mktemp -d "${TMPDIR:-/tmp}/ipc-broker.XXXXXX") || exit 1
cp "$answer" "$log/answer.c" || exit 1
pid=''
cleanup() {
    [ -n "$pid" ] && kill -KILL -- "-$pid" 2>/dev/null
    cp "$log/answer.c" "$answer"
    (cd "$tree" && make -s broker-stop >/dev/null 2>&1)
    rm -rf "$log"
}
trap cleanup EXIT

# Waits up to $2 seconds for the command $1 to succeed.
wait_for() {
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        eval "$1" && return 0
        sleep 0.1
    done
    return 1
}
up() { [ -f "$tree/build/broker/url" ]; }

# Starts the command line $1 in the tree as a process group of its own, as
# an interactive shell runs a job: SIGINT and SIGQUIT as they are by default
# (a background job of a script would ignore them, and so would this one if
# it runs in one). Its output is in $log/out; sets pid (the group's id too).
start() {
    (cd "$tree" && exec env --default-signal=INT,QUIT setsid bash -c "$1" >"$log/out" 2>&1 </dev/null) &
    pid=$!
    disown "$pid" # its end, by a signal, is no news to print
    t=$SECONDS
}

# Waits for the run to end, at most $1 seconds.
ended() {
    wait_for "! kill -0 $pid 2>/dev/null" "$1" ||
        fail "$2: make grade was still running $1 s after it: $(tail -3 "$log/out")"
    pid=''
}

# Reads the node's run directory and ports from its state file.
node_of_state() {
    run_dir=$(sed -n 's/^run_dir=//p' "$state" 2>/dev/null)
    ports=$(sed -n 's/^\(amqp\|dist\|epmd\)_port=//p' "$state" 2>/dev/null)
    [ -n "$run_dir" ] || fail "$1: could not read the node's run directory from $state"
}

# Fails unless nothing of the node named by run_dir and ports is left.
gone() {
    local p f left=''
    for f in $(grep -lszxF "IPCLABS_BROKER=$run_dir" /proc/[0-9]*/environ); do
        p=${f#/proc/}
        p=${p%/environ}
        left+=" $p ($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-60))"
    done
    [ -z "$left" ] || fail "$1: the node's processes are left:$left"
    for p in $ports; do
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && fail "$1: something still listens on the node's port $p"
    done
    [ -e "$run_dir" ] && fail "$1: the node's run directory $run_dir is left"
    [ -e "$state" ] && fail "$1: $state is left, as if the node still ran"
    return 0
}

# Fails unless the run ended within 12 s of $SECONDS = $t (a stop takes 2 s).
soon() {
    [ $((SECONDS - t)) -le 12 ] ||
        fail "$1: make grade took $((SECONDS - t)) s to end, as if it had waited for its tests"
}

grade01='make grade EX=01.1'
(cd "$tree" && make -s broker-stop >/dev/null 2>&1)
[ -e "$state" ] && fail "$state is there before the first run"
t0=$SECONDS
printf '#include "mq_connect.h"\n#include <unistd.h>\n%s\n%s\n' \
    'int mq_connect(const char *url, int timeout_ms, amqp_connection_state_t *conn, char *err, size_t errlen)' \
    '{ (void)url, (void)timeout_ms, (void)conn, (void)err, (void)errlen; sleep(60); return 0; }' >"$answer"
sed -n '/^void mq_disconnect/,$p' "$log/answer.c" >>"$answer"

# 1. SIGKILL: the node is orphaned.
start "$grade01"
wait_for up 90 || fail "the broker did not start for make grade EX=01.1: $(tail -3 "$log/out")"
node_of_state SIGKILL
kill -KILL -- "-$pid"
ended 10 "SIGKILL"
up || fail "the node did not outlive SIGKILL of make (it should: it runs in a session of its own)"

# 2. Ctrl-C: the orphan is reused, said so, and stopped.
start "$grade01"
wait_for "grep -q 'left up' '$log/out'" 30 ||
    fail "make grade did not say that it found the node a killed run left up: $(tail -3 "$log/out")"
sleep 1 # into the first test
t=$SECONDS
kill -INT -- "-$pid"
ended 60 "SIGINT"
soon "SIGINT"
gone "SIGINT"
ok "broker: a node a killed run left up is reused, said so, and stopped by the next run; Ctrl-C ends it at once"

# 3. SIGTERM to make alone: make passes it on to its children only.
start "$grade01"
wait_for up 90 || fail "the broker did not start: $(tail -3 "$log/out")"
node_of_state SIGTERM
sleep 1
t=$SECONDS
kill -TERM "$pid"
ended 60 "SIGTERM"
soon "SIGTERM"
gone "SIGTERM"
ok "broker: SIGTERM to make grade ends it at once ($((SECONDS - t)) s), and stops the broker it started"

# 4. A closed pipe (the starter again: its tests end quickly).
cp "$log/answer.c" "$answer"
start "$grade01 | head -1"
wait_for "[ -f '$state' ]" 60 || fail "make grade | head -1 did not start the broker: $(cat "$log/out")"
node_of_state "a closed pipe"
ended 90 "a closed pipe"
gone "a closed pipe"
ok "broker: make grade | head -1 stops the broker it started"

# 5. No broker for a chapter that does not use it.
(cd "$tree" && make grade EX=00.1 >"$log/out" 2>&1) || fail "make grade EX=00.1 failed: $(tail -3 "$log/out")"
grep -q '^broker: ' "$log/out" && fail "make grade EX=00.1 started the broker: $(grep '^broker: ' "$log/out")"
[ -e "$state" ] && fail "make grade EX=00.1 left $state"
ok "broker: make grade EX=00.1 does not start it ($((SECONDS - t0)) s for these five runs)"
