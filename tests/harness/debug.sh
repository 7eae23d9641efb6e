#!/usr/bin/env bash
# make debug: one graded test, run here in the terminal, outside the grader.
#
#   debug.sh LISTS BINS EX [TEST] [TOOL]
#
# LISTS is build/lists (PROGRAM.list: exercise TAB points TAB timeout TAB
# name, one row per test, in the program's order), BINS the test programs
# (build/learner/tests). EX is an exercise ("06.1"); TEST a test's name, or
# a part of it that names one test only; without it, the exercise's first
# test that fails (each tried in turn within its time limit). TOOL is gdb,
# valgrind, rr or none (default: gdb if installed, else none), or editor:
# run nothing, but leave the test for an editor's debugger in the current
# folder: "test", a link to its program, and "test.gdb", the gdb commands
# that start it (.vscode/launch.json sources them; by hand:
# gdb -x test.gdb -ex run).
#
# The test runs as `PROGRAM --debug N` (tests/harness/runtime.c): no
# sandbox, no time limit, every failed check printed. The command is
# printed first, so that it can be run again by hand; GRADE_SEED (the one a
# report printed, or a new one) fixes the test's random choices.
# Exit status: the test's (0 passed, 1 failed), 2 bad arguments or no such
# test, 0 with a message when every test of EX passes and no TEST is named.
set -u
die() { echo "make debug: $*" >&2; exit 2; }
[ $# -ge 3 ] || die "usage: debug.sh LISTS BINS EX [TEST] [TOOL]"
lists=$1 bins=$2 ex=$3 test=${4:-} tool=${5:-}
[[ $ex =~ ^[0-9][0-9]\.[0-9]+$ ]] || die "EX=$ex: name an exercise, for example EX=06.1"
case $tool in
'') command -v gdb >/dev/null && tool=gdb || tool=none ;;
gdb | valgrind | rr | none | editor) ;;
*) die "TOOL=$tool: one of gdb, valgrind, rr, none, editor" ;;
esac
[ "$tool" = none ] || [ "$tool" = editor ] || command -v "$tool" >/dev/null || die "TOOL=$tool is not installed (apt-get install $tool)"

# Every test of the exercise: "program TAB index TAB timeout TAB name".
rows=$(for list in "$lists/${ex%%.*}"-*/*.list; do
    [ -f "$list" ] || continue
    prog=${list#"$lists"/}
    prog=${prog%.list}
    awk -F '\t' -v ex="$ex" -v prog="$prog" '$1 == ex { print prog "\t" NR - 1 "\t" $3 "\t" $4 }' "$list"
done)
[ -n "$rows" ] || die "no exercise $ex (make grade lists them)"

if [ -n "$test" ]; then
    picked=$(awk -F '\t' -v t="$test" '$4 == t' <<<"$rows")
    [ -n "$picked" ] || picked=$(awk -F '\t' -v t="$(tr '[:upper:]' '[:lower:]' <<<"$test")" \
        'index(tolower($4), t) > 0' <<<"$rows")
    [ -n "$picked" ] || die "no test of $ex is named like '$test'; its tests are:$(printf '\n  %s' "$(cut -f4 <<<"$rows")")"
    [ "$(wc -l <<<"$picked")" = 1 ] || die "'$test' names more than one test of $ex:$(printf '\n  %s' "$(cut -f4 <<<"$picked")")"
else
    picked=
    while IFS=$'\t' read -r prog index limit name; do
        [ -x "$bins/$prog" ] || die "$bins/$prog is not built (make grade EX=$ex says why)"
        if ! timeout -k 1 "$limit" "$bins/$prog" --debug "$index" </dev/null >/dev/null 2>&1; then
            picked=$(printf '%s\t%s\t%s\t%s' "$prog" "$index" "$limit" "$name")
            break
        fi
    done <<<"$rows"
    if [ -z "$picked" ]; then
        echo "make debug: every test of $ex passes; TEST='part of a name' runs one anyway"
        exit 0
    fi
fi

# The seed of the test's random choices: the one given, or a new one, shown
# in the command so that running it again makes the same choices.
[[ ${GRADE_SEED:-} =~ ^[1-9][0-9]*$ ]] || GRADE_SEED=$(((RANDOM << 15 | RANDOM) + 1))
export GRADE_SEED
IFS=$'\t' read -r prog index limit name <<<"$picked"
bin=$bins/$prog
[ -x "$bin" ] || die "$bin is not built (make grade EX=$ex says why)"
if [ "$tool" = editor ]; then
    # Written whole, then moved: an editor never reads half a file.
    rm -f test.gdb.tmp && ln -sfn "$bin" test && {
        echo "# make debug EX=$ex TOOL=editor: $ex '$name'"
        printf 'file "%s"\n' "$bin"
        printf 'set args --debug %s\n' "$index"
        printf 'set environment GRADE_SEED=%s\n' "$GRADE_SEED"
        [ -n "${IPC_BIN_DIR:-}" ] && printf 'set environment IPC_BIN_DIR=%s\nset environment IPC_BUILD_DIR=%s\n' \
            "$IPC_BIN_DIR" "${IPC_BUILD_DIR:-}"
        printf 'cd %s\n' "$(pwd)"
    } > test.gdb.tmp && mv test.gdb.tmp test.gdb || die "cannot write test.gdb in $(pwd)"
    echo "make debug: $ex '$name', ready for the editor's debugger:"
    echo "  $(pwd)/test.gdb (by hand: gdb -x $(pwd)/test.gdb -ex run)"
    exit 0
fi
case $tool in
none) cmd=("$bin" --debug "$index") ;;
gdb) cmd=(gdb -q -ex run --args "$bin" --debug "$index") ;;
valgrind) cmd=(valgrind -q --error-exitcode=1 "$bin" --debug "$index") ;;
rr) cmd=(rr record "$bin" --debug "$index") ;;
esac
echo "make debug: $ex '$name'"
echo "make debug: the command, to run again by hand:"
printf '  '
printf 'GRADE_SEED=%s ' "$GRADE_SEED"
[ -n "${IPC_BIN_DIR:-}" ] && printf 'IPC_BIN_DIR=%q IPC_BUILD_DIR=%q ' "$IPC_BIN_DIR" "${IPC_BUILD_DIR:-}"
printf '%q' "${cmd[0]}"
printf ' %q' "${cmd[@]:1}"
echo
[ "$tool" = rr ] && trap 'echo "make debug: rr replay shows it again, step by step"' EXIT
"${cmd[@]}"
