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
#           this script started it, whatever happened (also on Ctrl-C). A
#           service that does not start is not tried again: the targets after
#           it still run, with IPC_SERVICES_DOWN naming it, so that they can
#           say what they could not do and why.
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

stop_started() {
    for s in "${started[@]}"; do "$make" -s "$s-stop" || true; done
    started=()
}
trap stop_started EXIT
trap 'exit 130' INT TERM HUP # runs the EXIT trap, so the broker goes too

has() { local x=$1; shift; for y in "$@"; do [ "$x" = "$y" ] && return 0; done; return 1; }

# Makes sure service $1 is up; returns non-zero if it is down.
need() {
    has "$1" "${up[@]}" && return 0
    has "$1" "${down[@]}" && return 1
    if "$make" -s "$1-running" >/dev/null 2>&1; then
        up+=("$1")
    elif "$make" -s "$1-start"; then
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
    if IPC_SERVICES_DOWN="${down[*]}" "$make" "${vars[@]}" "$target"; then
        continue
    fi
    if [ ${#missing[@]} -gt 0 ]; then
        failed+=("$target: it needs the ${missing[*]}, which did not start (see above)")
    else
        failed+=("$target: see its output above")
    fi
done

stop_started
[ ${#failed[@]} -eq 0 ] && exit 0
# One target's own output already says what went wrong.
[ $# -eq 1 ] && exit 1
echo >&2
echo "$what: ${#failed[@]} of $# failed:" >&2
printf '  %s\n' "${failed[@]}" >&2
exit 1
