#!/usr/bin/env bash
# learner-cc.sh: compiles a learner's file as carefully as a test runs it.
#
#   learner-cc.sh SOURCE OBJECT DEPFILE -- CC FLAGS...
#
# Runs "CC FLAGS -c SOURCE" into OBJECT (and make's dependency file DEPFILE)
# with the compiler's messages on stderr, but bounded, since the file is
# anything a learner wrote (an include bomb compiles forever, an include of
# /dev/zero eats memory, nine lines can make 100 MB of errors):
#   - GRADE_COMPILE_TIMEOUT seconds (60), 2 GiB of address space per process,
#     64 MiB per file written, standard input /dev/null;
#   - as root, as the unprivileged user nobody, who reads only what any user
#     may (where nobody cannot reach the source, as in a 0700 /root, as root
#     with a notice);
#   - it may include only files of the course tree (the current directory)
#     and of the system (/usr): a first pass lists what it
#     includes, with its messages hidden, and anything else refuses the file
#     before the compiler can show a line of it;
#   - the first 200 lines of messages are kept, the rest cut with a note.
# Exit status: 0 compiled; 1 not compiled or refused (why on stderr);
# 2 usage.
set -u
[ $# -ge 5 ] && [ "$4" = -- ] || { echo "usage: learner-cc.sh SOURCE OBJECT DEPFILE -- CC FLAGS..." >&2; exit 2; }
src=$1 obj=$2 dep=$3
shift 4
limit=${GRADE_COMPILE_TIMEOUT:-60}
top=$(pwd -P)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ipc-cc.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
as=()
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
    chmod 755 "$tmp" && chown nobody "$tmp"
    if setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups test -r "$src" -a -w "$tmp"; then
        as=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups)
    else
        echo "learner-cc: note: the user nobody cannot read $src (a parent folder closed to others?); compiling as root" >&2
    fi
fi

# Runs the compiler bounded; its messages, cut, go to $tmp/msgs. (Past the
# cut the compiler meets a closed pipe and stops: it was going nowhere.)
bounded() {
    timeout --kill-after=5 "$limit" prlimit --as=$((2 << 30)) --fsize=$((64 << 20)) -- \
        "${as[@]}" "$@" < /dev/null 2>&1 > /dev/null | head -c 65536 | head -n 200 > "$tmp/msgs"
    return "${PIPESTATUS[0]}"
}
# Says what a failed bounded run ran into, from its exit status.
exceeded() {
    case $1 in
    124 | 137) echo "$src: error: refused: compiling it took longer than $limit s (an include that never ends?)" >&2 ;;
    *) grep -qi 'out of memory\|memory exhausted\|cannot allocate' "$tmp/msgs" 2>/dev/null &&
        echo "$src: error: refused: compiling it needed more than 2 GiB of memory" >&2 ;;
    esac
}

# 1. What does it include? (-MM would hide system headers; -M lists them all.)
bounded "$@" -M -MF "$tmp/all.d" "$src"
status=$?
if [ $status = 0 ]; then
    # "obj.o: a.c b.h \" ... : one file per word after the colon.
    outside=$(sed -e 's/^[^:]*://' -e 's/\\$//' "$tmp/all.d" | tr ' ' '\n' | sed '/^$/d' |
        while read -r f; do
            # Lexically (-s), and all of /usr: the system's headers live there,
            # not always under /usr/include (Debian 13's kernel headers are in
            # /usr/lib/linux/uapi), and nothing there is anybody's secret.
            p=$(realpath -m -s -- "$f")
            case $p in
            "$top"/* | /usr/*) ;;
            *) echo "$f" ;;
            esac
        done | head -1)
    if [ -n "$outside" ]; then
        echo "$src: error: refused: it includes $outside, which is neither part of the course nor a system header" >&2
        exit 1
    fi
else
    exceeded $status && exit 1
fi

# 2. The compile itself, whose messages the learner sees.
bounded "$@" -c "$src" -o "$tmp/obj.o" -MMD -MP -MF "$tmp/obj.d"
status=$?
cat "$tmp/msgs" >&2
if [ "$(wc -l < "$tmp/msgs")" -ge 200 ] || [ "$(wc -c < "$tmp/msgs")" -ge 65536 ]; then
    echo "learner-cc: (the compiler's messages were cut here)" >&2
fi
if [ $status != 0 ]; then
    exceeded $status
    exit 1
fi
# The object is ours again: copied, not moved, so that it belongs to the caller.
cp "$tmp/obj.o" "$obj" && { [ -z "$dep" ] || cp "$tmp/obj.d" "$dep"; }
