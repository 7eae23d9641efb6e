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
pid=
if command -v iox-roudi > /dev/null && [ ! -e "$socket" ]; then
    log=$(mktemp "${TMPDIR:-/tmp}/roudi-log.XXXXXX")
    iox-roudi --log-level warning > "$log" 2>&1 &
    pid=$!
    # Its log is shown only if it did not end cleanly.
    trap 'kill -TERM $pid 2> /dev/null; wait $pid 2> /dev/null || cat "$log" >&2; rm -f "$log"' EXIT
    for _ in $(seq 50); do # RouDi is ready when its socket exists: 5 s at most
        [ -e "$socket" ] && break
        kill -0 $pid 2> /dev/null || break
        sleep 0.1
    done
    if [ ! -e "$socket" ]; then
        echo "with-roudi.sh: iox-roudi did not start; iceoryx will be left out:" >&2
        cat "$log" >&2
    fi
fi
"$@"
