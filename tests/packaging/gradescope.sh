#!/usr/bin/env bash
# Builds a Gradescope autograder zip: setup.sh and run_autograder at the top,
# the course (without solutions/) in course/.
#
#   gradescope.sh COURSE OUT.zip
set -eu
[ $# -eq 2 ] || { echo "usage: $0 COURSE OUT.zip" >&2; exit 2; }
course=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$(dirname "$2")"
out=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
stage=$(mktemp -d "${TMPDIR:-/tmp}/ipc-gradescope.XXXXXX")
trap 'rm -rf "$stage"' EXIT

"$here/handout.sh" "$course" "$stage/course.tar.gz" >/dev/null
tar -xzf "$stage/course.tar.gz" -C "$stage" && mv "$stage/ipc-labs" "$stage/course"
rm "$stage/course.tar.gz"
cp "$here/gradescope/setup.sh" "$here/gradescope/run_autograder" "$stage/"
chmod +x "$stage/setup.sh" "$stage/run_autograder"
rm -f "$out"
(cd "$stage" && zip -qr "$out" setup.sh run_autograder course)
echo "gradescope: $out"
