#!/usr/bin/env bash
# Builds a Gradescope autograder zip: setup.sh, run_autograder and settings at
# the top, the course (without solutions/) in course/, and an instructor's
# hidden tests, if any, in hidden-tests/.
#
#   gradescope.sh COURSE OUT.zip
#
# From the environment (make gradescope passes its variables of these names):
#   GRADE_EXTRA=dir               hidden tests (<chapter>/test_<x>.c, as for make grade)
#   GRADE_HIDDEN_VISIBILITY=...   when students see them: hidden (default: never),
#                                 after_due_date or after_published
#   GRADESCOPE_TIME_LIMIT=seconds the assignment's autograder timeout (default 600,
#                                 Gradescope's own default): grading ends well before it
set -eu
[ $# -eq 2 ] || { echo "usage: $0 COURSE OUT.zip" >&2; exit 2; }
course=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
visibility=${GRADE_HIDDEN_VISIBILITY:-hidden}
limit=${GRADESCOPE_TIME_LIMIT:-600}
case $visibility in
hidden | after_due_date | after_published) ;;
*) echo "gradescope: GRADE_HIDDEN_VISIBILITY=$visibility is not hidden, after_due_date or after_published" >&2
   exit 2 ;;
esac
# Below 3 minutes the build alone may not fit; Gradescope allows up to 40.
if ! [[ $limit =~ ^[0-9]+$ ]] || [ "$limit" -lt 180 ] || [ "$limit" -gt 2400 ]; then
    echo "gradescope: GRADESCOPE_TIME_LIMIT=$limit is not a number of seconds from 180 to 2400" >&2
    exit 2
fi
extra=
if [ -n "${GRADE_EXTRA:-}" ]; then
    extra=$(cd "$GRADE_EXTRA" && pwd) || exit 2
    compgen -G "$extra/[0-9][0-9]-*/test_*.c" >/dev/null ||
        { echo "gradescope: GRADE_EXTRA=$GRADE_EXTRA holds no <chapter>/test_<exercise>.c" >&2; exit 2; }
fi
mkdir -p "$(dirname "$2")"
out=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
stage=$(mktemp -d "${TMPDIR:-/tmp}/ipc-gradescope.XXXXXX")
trap 'rm -rf "$stage"' EXIT

"$here/handout.sh" "$course" "$stage/course.tar.gz" >/dev/null
tar -xzf "$stage/course.tar.gz" -C "$stage" && mv "$stage/ipc-labs" "$stage/course"
rm "$stage/course.tar.gz"
cp "$here/gradescope/setup.sh" "$here/gradescope/run_autograder" "$stage/"
chmod +x "$stage/setup.sh" "$stage/run_autograder"
hidden=
if [ -n "$extra" ]; then
    mkdir "$stage/hidden-tests"
    (cd "$extra" && find . -path './[0-9][0-9]-*/*' -name '*.[ch]' -print0 | tar --null -T - -cf -) |
        (cd "$stage/hidden-tests" && tar -xf -)
    hidden="hidden-tests"
fi
printf '# Read by run_autograder; written by tests/packaging/gradescope.sh.\nGRADESCOPE_TIME_LIMIT=%s\nGRADE_HIDDEN_VISIBILITY=%s\n' \
    "$limit" "$visibility" >"$stage/settings"
rm -f "$out"
(cd "$stage" && zip -qr "$out" setup.sh run_autograder settings course $hidden)
echo "gradescope: $out${extra:+ (hidden tests: $visibility)}, graded within $limit s"
