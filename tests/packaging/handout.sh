#!/usr/bin/env bash
# Packs the course as a student gets it: everything but solutions/, the wrong
# answers the tests are checked against, CI, and build output.
#
#   handout.sh COURSE OUT.tar.gz
set -eu
[ $# -eq 2 ] || { echo "usage: $0 COURSE OUT.tar.gz" >&2; exit 2; }
course=$(cd "$1" && pwd)
out=$2
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")

cd "$course"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    files() { git ls-files --cached --others --exclude-standard; }
else
    files() { find . -type f -not -path './build/*' -not -path './.git/*' | sed 's|^\./||'; }
fi
stage=$(mktemp -d "${TMPDIR:-/tmp}/ipc-handout.XXXXXX")
trap 'rm -rf "$stage"' EXIT
files | grep -vE '^(solutions/|tests/wrong/|\.ci/|build/)' | while IFS= read -r f; do
    [ -f "$f" ] && printf '%s\0' "$f"
done | tar --null -T - -cf - | (mkdir -p "$stage/ipc-labs" && cd "$stage/ipc-labs" && tar -xf -)
tar -C "$stage" -czf "$out" ipc-labs
echo "handout: $out ($(tar -tzf "$out" | grep -vc '/$') files)"
