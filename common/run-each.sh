#!/usr/bin/env bash
# run-each.sh: runs make targets one after the other, so that one which fails
# costs only itself: a chapter whose code does not build, or whose service
# does not start, stops neither the chapters after it nor the checks after it.
#
#   common/run-each.sh WHAT [VAR=VALUE...] -- TARGET[@SERVICE,...]...
#
# WHAT      names the run in the summary ("demo", "test", "bench").
# VAR=VALUE is passed to every make, for example PREBUILT=1.
# @SERVICE  a service the target needs (the broker): started before the first
#           target that needs it, unless already up; stopped at the end if
#           this script started it, whatever happened: also on Ctrl-C, SIGTERM
#           (passed on to the target running, which ends at once), SIGHUP
#           and a closed pipe (make grade | head). A service that does not
#           start is not tried again: the targets after it still run, with
#           IPC_SERVICES_DOWN naming it, so that they can say what they could
#           not do and why.
#           A service this script starts is told who started it
#           (IPC_SERVICE_OWNER=pid:start-time); if that run is gone (killed
#           by SIGKILL, so no trap ran) when the next one finds the service
#           up, <service>-running prints "adopted": the new run says so and
#           stops it at the end, rather than leave it up for good.
#
# The make to run is $MAKE (make by default). Prints nothing of its own when
# every target passed (or there was only one); otherwise one line per
# failed target, saying why.
# Exit status: 0 every target passed, 1 one or more failed, 2 usage.
set -u
make=${MAKE:-make}

[ $# -ge 2 ] || { echo "usage: run-each.sh WHAT [VAR=VALUE...] -- TARGET[@SERVICE,...]..." >&2; exit 2; }
what=$1
shift
vars=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
    vars+=("$1")
    shift
done
[ "${1:-}" = -- ] || { echo "run-each.sh: '--' must come before the targets" >&2; exit 2; }
shift

started=() # services this script started, to stop at the end
up=()      # services known to be up
down=()    # services that would not start
failed=()  # "target: why"

# ------------------------------------------------------------ signals
# Each make runs in the background and is waited for, so that a signal runs
# its trap at once rather than when the target ends (a whole make grade).
# Ctrl-C (SIGINT) reaches the whole process group, the make running too. A
# SIGTERM or SIGHUP sent to the top make alone reaches us only (make passes
# SIGTERM on to its own children, no further): it is passed on. Then this
# script exits, and its EXIT trap stops the services it started.
child=''    # the make running now
caught=''   # the signal that ends this run, once that make has ended
stopping='' # set while the services are stopped: a signal only hurries that
# The makes' standard input (a background job's would be /dev/null), on a
# descriptor bash picks above 9: make's jobserver passes its own low ones
# (--jobserver-auth=3,4), which a fixed 3 would overwrite.
exec {stdin_copy}<&0
on_signal() {
    caught=$1
    [ -n "$child" ] || { [ -n "$stopping" ] || exit_caught; return; }
    [ "$1" = INT ] || kill -s "$1" "$child" 2>/dev/null
}
exit_caught() {
    case $caught in INT) exit 130 ;; HUP) exit 129 ;; *) exit 143 ;; esac
}
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM
trap 'on_signal HUP' HUP
# A closed pipe on stderr (make grade 2>&1 | head) must not end this script
# before it has stopped what it started: what it would say is lost anyway.
trap 'exec 2>/dev/null' PIPE

# Runs "$@" as a background job with the shell's usual signals and input.
run() {
    local rc
    ( trap - INT QUIT; exec "$@" <&"$stdin_copy" {stdin_copy}<&- ) &
    child=$!
    while :; do
        wait "$child"
        rc=$?
        # wait returns early when a trapped signal arrives.
        kill -0 "$child" 2>/dev/null || break
    done
    child=''
    [ -z "$caught" ] || [ -n "$stopping" ] || exit_caught
    return "$rc"
}

stop_started() {
    stopping=1
    for s in "${started[@]}"; do run "$make" -s "$s-stop" || true; done
    started=()
    stopping=''
}
trap stop_started EXIT

has() { local x=$1; shift; for y in "$@"; do [ "$x" = "$y" ] && return 0; done; return 1; }

# This run, as a service records who started it: pid and start time (field
# 22 of /proc/PID/stat, after the command name, which may hold spaces), so
# that a pid reused after a reboot is not taken for us.
read -r stat </proc/$$/stat
read -r -a stat <<<"${stat##*) }"
export IPC_SERVICE_OWNER="$$:${stat[19]}"

# Makes sure service $1 is up; returns non-zero if it is down.
need() {
    has "$1" "${up[@]}" && return 0
    has "$1" "${down[@]}" && return 1
    local out
    if out=$(run "$make" -s "$1-running" 2>/dev/null); then
        up+=("$1")
        if [ "$out" = adopted ]; then
            echo "$what: the $1 was left up by an earlier run that was killed: using it, and stopping it at the end" >&2
            started+=("$1")
        fi
    elif run "$make" -s "$1-start"; then
        up+=("$1")
        started+=("$1")
    else
        echo "$what: the $1 did not start; what needs it is reported as not run" >&2
        down+=("$1")
        return 1
    fi
}

for spec in "$@"; do
    target=${spec%%@*}
    services=()
    [ "$spec" != "$target" ] && IFS=, read -r -a services <<<"${spec#*@}"
    missing=()
    for s in "${services[@]}"; do need "$s" || missing+=("$s"); done
    if IPC_SERVICES_DOWN="${down[*]}" run "$make" "${vars[@]}" "$target"; then
        continue
    fi
    if [ ${#missing[@]} -gt 0 ]; then
        failed+=("$target: it needs the ${missing[*]}, which did not start (see above)")
    else
        failed+=("$target: see its output above")
    fi
done

stop_started
[ -z "$caught" ] || exit_caught
[ ${#failed[@]} -eq 0 ] && exit 0
# One target's own output already says what went wrong.
[ $# -eq 1 ] && exit 1
echo >&2
echo "$what: ${#failed[@]} of $# failed:" >&2
printf '  %s\n' "${failed[@]}" >&2
exit 1
