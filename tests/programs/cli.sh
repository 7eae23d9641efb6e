#!/usr/bin/env bash
# Every program the build made answers its command line as a Unix program
# should (common/cli.h), run by `make test`:
#   --help       exit 0, "Usage: NAME ..." and the exit statuses on stdout, nothing on stderr;
#   --version    exit 0, one line naming it on stdout, nothing on stderr;
#   a bad option exit 2, nothing on stdout, one line on stderr that starts "NAME: ";
#   --hel        exit 2: options are spelt out, never abbreviated.
# The programs are found in the directory given (build/bin), not listed
# here: a new program is checked as soon as it is built.
# Usage: tests/programs/cli.sh BIN_DIR
set -u
dir=${1:?usage: $0 BIN_DIR}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ipc-cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

bad=0 n=0
fail() {
    echo "$prog: $*" >&2
    bad=1
}
# Runs the program with the arguments given, bounded: one that ignores them
# and waits for a peer must fail here, not hang the run.
run() {
    timeout 5 "$prog" "$@" < /dev/null > "$tmp/out" 2> "$tmp/err"
    rc=$?
}
lines() { wc -l < "$1" | tr -d ' '; }
show() { head -c 300 "$1" | tr '\n' ' '; }

while IFS= read -r -d '' prog; do
    n=$((n + 1))
    name=$(basename "$prog")

    run --help
    [ "$rc" = 0 ] || fail "--help exits $rc, not 0; stderr: $(show "$tmp/err")"
    head -1 "$tmp/out" | grep -q "^Usage: $name\( \|\$\)" ||
        fail "--help's first line on stdout is not 'Usage: $name ...': $(head -1 "$tmp/out" | head -c 300)"
    grep -q '^Exit status:' "$tmp/out" || fail "--help does not list the exit statuses"
    [ -s "$tmp/err" ] && fail "--help writes to stderr: $(show "$tmp/err")"

    run --version
    [ "$rc" = 0 ] || fail "--version exits $rc, not 0"
    { [ "$(lines "$tmp/out")" = 1 ] && grep -q "^$name " "$tmp/out"; } ||
        fail "--version does not print one line that starts with its name: $(show "$tmp/out")"
    [ -s "$tmp/err" ] && fail "--version writes to stderr: $(show "$tmp/err")"

    run --no-such-option
    [ "$rc" = 2 ] || fail "an unknown option exits $rc, not 2"
    { [ "$(lines "$tmp/err")" = 1 ] && grep -q "^$name: " "$tmp/err"; } ||
        fail "an unknown option is not one line on stderr starting '$name: ': $(show "$tmp/err")"
    [ -s "$tmp/out" ] && fail "an unknown option writes to stdout: $(show "$tmp/out")"

    # Options are spelt out (common/cli.h): an abbreviation is refused.
    run --hel
    [ "$rc" = 2 ] || fail "--hel exits $rc, not 2: an abbreviation must not be taken for --help"
done < <(find "$dir" -type f -perm -u+x -print0 | sort -z)

if [ "$n" = 0 ]; then
    echo "programs: no program in $dir: nothing was checked" >&2
    exit 1
fi
[ "$bad" = 0 ] && echo "programs: all $n in $dir answer --help, --version and a bad option"
exit $bad
