#!/bin/bash
# with-roudi.sh: runs a command with iceoryx's RouDi daemon up.
#
#   with-roudi.sh COMMAND [ARG...]
#
# Starts iox-roudi if it is installed and none is running, runs the command,
# then stops the RouDi it started (a RouDi that was already up is left
# alone). Without iceoryx, just runs the command. Exits with the command's
# status.
set -uo pipefail

socket=/tmp/roudi # where RouDi listens; fixed by iceoryx
pid= started=

# Stops the RouDi we started. If it does not end cleanly (it aborts when a
# client was killed before saying goodbye), show its log and remove what it
# leaves: its socket and locks in /tmp, its shared memory in /dev/shm (one
# segment for its bookkeeping, one named after the user for the messages).
stop_roudi() {
    kill -TERM "$pid" 2> /dev/null
    if ! wait "$pid" 2> /dev/null && [ -n "$started" ]; then
        cat "$log" >&2
        rm -f "$socket" /tmp/roudi.lock /tmp/iox-unique-roudi.lock \
            /dev/shm/iceoryx_mgmt "/dev/shm/$(id -un)"
        echo "with-roudi.sh: iox-roudi did not stop cleanly; removed what it left" >&2
    fi
    rm -f "$log"
}

if command -v iox-roudi > /dev/null && [ ! -e "$socket" ]; then
    log=$(mktemp "${TMPDIR:-/tmp}/roudi-log.XXXXXX")
    iox-roudi --log-level warning > "$log" 2>&1 &
    pid=$!
    trap stop_roudi EXIT
    for _ in $(seq 50); do # RouDi is ready when its socket exists: 5 s at most
        [ -e "$socket" ] && started=1 && break
        kill -0 $pid 2> /dev/null || break
        sleep 0.1
    done
    if [ ! -e "$socket" ]; then
        echo "with-roudi.sh: iox-roudi did not start; iceoryx will be left out:" >&2
        cat "$log" >&2
    fi
fi
"$@"
