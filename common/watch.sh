#!/usr/bin/env bash
# make watch: grade again every time a file of the course's chapters is saved.
#
#   watch.sh DIR COMMAND...
#
# Runs COMMAND (make grade EX=.., as the Makefile passes it), then waits
# until a .c or .h file under DIR is written, created or moved into place
# (what editors do on save), and runs it again; Ctrl-C ends it. It waits with
# inotifywait (inotify-tools) where it can, and otherwise, on file systems
# without inotify (a Windows drive under WSL, some network mounts) or
# without inotifywait, looks at the files' times once a second.
# WATCH_POLL=1 forces the polling. Exit status: 2 bad arguments; otherwise
# it runs until interrupted (130).
set -u
[ $# -ge 2 ] && [ -d "$1" ] || { echo "usage: watch.sh DIR COMMAND..." >&2; exit 2; }
dir=$1
shift
trap 'echo; exit 130' INT TERM

# A fingerprint of the sources: names, sizes and modification times.
stamp() { find "$dir" -name '*.[ch]' -printf '%p %s %T@\n' 2>/dev/null | sort | cksum; }

use_inotify=1
if [ "${WATCH_POLL:-}" = 1 ] || ! command -v inotifywait >/dev/null; then
    use_inotify=0
fi

while :; do
    "$@"
    echo "watch: waiting for a change under $dir (Ctrl-C to stop)"
    before=$(stamp)
    if [ $use_inotify = 1 ]; then
        # Returns when an event comes; 1 (or more) when inotify cannot watch
        # here: then poll from now on.
        inotifywait -qq -r -e close_write,create,moved_to --include '\.[ch]$' "$dir" 2>/dev/null
        rc=$?
        if [ $rc -gt 1 ] || { [ $rc = 1 ] && [ "$(stamp)" = "$before" ]; }; then
            echo "watch: inotify does not work here; looking at the files once a second" >&2
            use_inotify=0
        fi
    fi
    if [ $use_inotify = 0 ]; then
        while [ "$(stamp)" = "$before" ]; do sleep 1; done
    fi
    sleep 0.2 # let the editor finish writing (several files at once, a rename)
done
