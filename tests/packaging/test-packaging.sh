#!/usr/bin/env bash
# End-to-end test of the classroom packaging, run by `make test`:
#   1. the handout has no solutions; `make grade` in it gives 0 of full marks,
#      `make demo` runs, and `make test` explains why it cannot run;
#   2. grade-all scores five submissions as an instructor expects: perfect,
#      untouched, one syntax error, an edited test, one endless loop; and
#      notes, without a point lost, a correct answer that reaches for the
#      grader's memory and pipes (no reference answer gets such a note);
#   3. the Gradescope zip's run_autograder, on a fake /autograder tree, gives
#      a perfect submission full marks, hidden tests too, in a results.json
#      that passes the schema check with its hidden tests hidden, and a run
#      killed midway leaves a valid one (tests/packaging/test-gradescope.sh);
#   4. in a handout whose chapter 01 does not compile (as when a new
#      librabbitmq's header warns), make grade and make demo still do every
#      other chapter and say which one failed;
#   5. as root, a handout under a 0700 folder (as /root is) gives a correct
#      answer full marks;
#   6. results.json and junit.xml stay valid whatever bytes a test prints;
#   7. as root, the grader run as nobody gives each test namespaces of its
#      own, where the kernel allows (tests/packaging/test-unprivileged.sh);
#   8. in the handout, make grade interrupted (Ctrl-C, SIGTERM, a closed
#      pipe) leaves no broker, and chapter 00 starts none
#      (tests/packaging/test-broker.sh).
#   9. the GitHub Classroom workflow: its shape, and the points its grade step
#      reports on fake checkouts (tests/packaging/test-classroom.sh).
# The course's own chapters are many; PACKAGING_CH narrows the
# grading to two chapters (00 and 02, default) so this stays quick.
set -u
top=$(pwd)
ch=${PACKAGING_CH:-00,02}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ipc-packaging.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp" # the grader's unprivileged test user must reach the builds in here
# The makes below are new top-level runs, not part of the one that called us.
unset MAKEFLAGS MFLAGS MAKELEVEL
# The broker (or any service) `make test` started serves these runs too.
if [ -z "${AMQP_URL:-}" ] && [ -f build/broker/url ]; then
    AMQP_URL=$(cat build/broker/url)
    export AMQP_URL
fi
fail() { echo "packaging: FAILED: $*" >&2; exit 1; }
ok() { echo "packaging: ok: $*"; }

# Points per exercise and in all, from the test lists (exercise TAB points ...).
exercises=$(make -s list-exercises | grep -E "^chapters/($(echo "$ch" | tr , '|'))")
[ -n "$exercises" ] || fail "no exercises in chapters $ch"
max=0
for f in $exercises; do
    t=$(dirname "${f#chapters/}")/test_$(basename "$f" .c)
    pts=$(awk -F'\t' '{ s += $2 } END { print s }' "build/lists/$t.list")
    max=$((max + pts))
done
first=$(echo "$exercises" | head -1)
first_id=$(cut -f1 "build/lists/$(dirname "${first#chapters/}")/test_$(basename "$first" .c).list" | head -1)
first_pts=$(awk -F'\t' '{ s += $2 } END { print s }' \
    "build/lists/$(dirname "${first#chapters/}")/test_$(basename "$first" .c).list")

# 1. the handout
make -s handout >/dev/null || fail "make handout"
tarball=build/handout/ipc-labs-handout.tar.gz
tar -tzf "$tarball" | grep -q '^ipc-labs/solutions/' && fail "the handout contains solutions/"
tar -tzf "$tarball" | grep -q '^ipc-labs/Makefile$' || fail "the handout has no Makefile"
tar -xzf "$tarball" -C "$tmp"
(cd "$tmp/ipc-labs" && make grade CH="$ch" >"$tmp/handout-grade.txt" 2>&1) ||
    fail "make grade in the handout exited non-zero (see the end of it):$(tail -5 "$tmp/handout-grade.txt")"
grep -q "^Score: 0/$max\$" "$tmp/handout-grade.txt" ||
    fail "make grade in the handout: expected Score: 0/$max, got: $(grep Score "$tmp/handout-grade.txt")"
(cd "$tmp/ipc-labs" && make demo >"$tmp/handout-demo.txt" 2>&1) ||
    fail "make demo in the handout failed:$(tail -5 "$tmp/handout-demo.txt")"
(cd "$tmp/ipc-labs" && make test >"$tmp/handout-test.txt" 2>&1) &&
    fail "make test in a handout should refuse"
grep -q "handout does not include" "$tmp/handout-test.txt" || fail "make test in a handout does not say why"
ok "handout: no solutions, make grade CH=$ch gives 0/$max, make demo runs, make test explains"

# 2. grade-all over five submissions
subs=$tmp/submissions
mkdir -p "$subs/perfect/ipc-labs" "$subs/untouched" "$subs/syntax-error" "$subs/edited-test" \
    "$subs/endless-loop" "$subs/snooping"
for f in $exercises; do
    for s in perfect/ipc-labs syntax-error endless-loop snooping; do
        mkdir -p "$subs/$s/$(dirname "$f")" && cp "solutions/${f#chapters/}" "$subs/$s/$f"
    done
    for s in untouched edited-test; do
        mkdir -p "$subs/$s/$(dirname "$f")" && cp "$f" "$subs/$s/$f"
    done
done
echo 'this is not C;' >>"$subs/syntax-error/$first"
cat >>"$subs/endless-loop/$first" <<'C'
__attribute__((constructor)) static void never_returns(void)
{
    for (volatile int spin = 0;; spin++)
        ;
}
C
# Correct, and kept by objcheck's rules, but looking where no answer needs to.
cat >>"$subs/snooping/$first" <<'C'
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>
__attribute__((used)) static long snoop(void)
{
    char b[8];
    long got = read(3, b, sizeof b) + open("/proc/self/mem", O_RDONLY);
    return got + (dlsym(RTLD_DEFAULT, "CU_get_number_of_failures") != NULL) + syscall(SYS_getppid);
}
C
# A student who "fixes" the tests: every test file of the chapter passes at once.
for t in tests/[0-9]*/test_*.c; do
    mkdir -p "$subs/edited-test/$(dirname "$t")"
    printf '#include "grade.h"\nstatic void pass(void) {}\nGRADE_TESTS(GRADE_TEST("%s", "always", pass, 100))\n' \
        "$first_id" >"$subs/edited-test/$t"
done
printf 'grade:\n\t@echo "Score: 100/100"\n' >"$subs/edited-test/Makefile"
tar -czf "$subs/perfect.tar.gz" -C "$subs/perfect" ipc-labs && rm -rf "$subs/perfect"
# Sealed batches: links lead nowhere, and no name can take another's row.
mkdir -p "$subs/linked" && ln -s "$top/solutions" "$subs/linked/chapters"
mkdir -p "$subs/evil/ipc-labs" && ln -s "$top/solutions" "$subs/evil/ipc-labs/chapters" &&
    tar -czf "$subs/evil.tar.gz" -C "$subs/evil" ipc-labs && rm -rf "$subs/evil"
for s in "scores.csv" "twin one" "twin_one"; do cp -r "$subs/untouched" "$subs/$s"; done
(cd "$subs/edited-test" && zip -qr ../edited-test.zip .) && rm -rf "$subs/edited-test"

GRADE_SUBMISSION_TIMEOUT=600 tests/packaging/grade-all.sh . "$subs" "$tmp/grade-all" CH="$ch" \
    >"$tmp/grade-all.txt" 2>&1 || fail "grade-all exited non-zero: $(tail -5 "$tmp/grade-all.txt")"
scores=$tmp/grade-all/scores.csv
column() { awk -F, -v n="$1" -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) at[$i] = i }
                                       $1 == n { print $at[c] }' "$scores"; }
total() { column "$1" total; }
expect() {
    [ "$(total "$1")" = "$2" ] || fail "grade-all: $1 scored '$(total "$1")', expected $2 ($3); scores.csv:
$(cat "$scores")"
}
expect perfect "$max" "full marks"
expect untouched 0 "the starters"
expect syntax-error $((max - first_pts)) "all but the exercise that does not compile"
expect edited-test 0 "edited tests and Makefile change nothing"
expect endless-loop $((max - first_pts)) "all but the exercise that hangs"
expect linked 0 "a chapters/ that links to the reference answers is not followed"
expect scores.csv 0 "a submission named like the table is a row, not the table"
expect twin_one 0 "names that differ only in characters made '_' get rows of their own"
expect twin_one-2 0 "names that differ only in characters made '_' get rows of their own"
grep -q '^evil,' "$scores" && [ -z "$(total evil)" ] ||
    fail "grade-all: an archive holding a link was graded: $(grep '^evil,' "$scores")"
grep -q 'refused: it holds a link' "$tmp/grade-all/submissions/evil.log" ||
    fail "grade-all: an archive holding a link is not refused with a reason"
head -1 "$scores" | grep -q ',total,suspicious,seconds,note$' ||
    fail "grade-all: scores.csv does not end its columns with total, suspicious, seconds and note: $(head -1 "$scores")"
[[ "$(column perfect seconds)" =~ ^[0-9]+$ && "$(column perfect note)" =~ ^(slow)?$ ]] ||
    fail "grade-all: a perfect submission has no seconds, or a note that is not 'slow': $(grep '^perfect,' "$scores")"
ok "grade-all: perfect $max, untouched 0, syntax error and endless loop $((max - first_pts)), edited tests 0"
expect snooping "$max" "code that only looks suspicious loses nothing"
[ "$(column snooping suspicious)" = "${first#chapters/}" ] && [ -z "$(column perfect suspicious)" ] ||
    fail "grade-all: the suspicious column: snooping '$(column snooping suspicious)', perfect '$(column perfect suspicious)'"
for what in "read() on file descriptor 3" "'/proc/self/mem'" "dlsym()" "'CU_get_number_of_failures'" "syscall("; do
    grep -qF "$what" "$tmp/grade-all/submissions/snooping/report.txt" ||
        fail "grade-all: the instructor's report does not note $what: $(grep suspicious "$tmp/grade-all/submissions/snooping/report.txt")"
done
for o in "${B:-build}"/reference/tests/*/*.ex.o; do tests/harness/suspect.sh "$o" "$o"; done >"$tmp/suspect-ref.txt"
[ -s "$tmp/suspect-ref.txt" ] && fail "a reference answer is noted as suspicious: $(head -3 "$tmp/suspect-ref.txt")"
ok "grade-all: suspicious code is noted for the instructor (report and column), its score untouched"
ok "grade-all: links are not followed, archives with links refused, every name its own row"

# 3. the Gradescope zip (tests/packaging/test-gradescope.sh)
tests/packaging/test-gradescope.sh "$tmp" "$ch" "$max" || exit 1

# 4. one chapter that does not build costs only that chapter
broken=$tmp/broken
mkdir -p "$broken" && tar -xzf "$tarball" -C "$broken"
b=$broken/ipc-labs
printf '#warning "broken on purpose: this chapter must cost only itself"\n' \
    >>"$b/chapters/01-message-queue/amqp_headers.h"
(cd "$b" && make grade CH=00 >"$tmp/broken-grade00.txt" 2>&1) ||
    fail "make grade CH=00 with chapter 01 broken exited non-zero:$(tail -5 "$tmp/broken-grade00.txt")"
grep -q '^Score: 0/' "$tmp/broken-grade00.txt" || fail "make grade CH=00 with chapter 01 broken: no score"
(cd "$b" && make grade CH=00,01,02 >"$tmp/broken-grade.txt" 2>&1) &&
    fail "make grade with chapter 01 broken exited 0, as if everything had been graded"
grep -q '^  01 .*NOT RUN' "$tmp/broken-grade.txt" || fail "make grade: chapter 01 is not reported as NOT RUN"
grep -q '^  02\.1 .*FAIL' "$tmp/broken-grade.txt" || fail "make grade: chapter 02 was not graded"
(cd "$b" && make demo >"$tmp/broken-demo.txt" 2>&1) && fail "make demo with chapter 01 broken exited 0"
grep -q '^== 02-shared-memory' "$tmp/broken-demo.txt" || fail "make demo stopped before chapter 02's demo"
grep -q '^  demo-01-message-queue: ' "$tmp/broken-demo.txt" ||
    fail "make demo does not name the chapter that failed:$(tail -5 "$tmp/broken-demo.txt")"
ok "a chapter that does not build: make grade CH=00 and the other chapters' demos and grades still run"

# 5. a correct answer under a folder the grader's test user cannot enter
if [ "$(id -u)" = 0 ]; then
    closed=$tmp/closed
    mkdir -m 700 "$closed" && tar -xzf "$tarball" -C "$closed"
    for f in $(make -s list-exercises | grep '^chapters/00-'); do cp "solutions/${f#chapters/}" "$closed/ipc-labs/$f"; done
    (cd "$closed/ipc-labs" && make grade CH=00 >"$tmp/closed-grade.txt" 2>&1) ||
        fail "make grade under a 0700 folder exited non-zero:$(tail -5 "$tmp/closed-grade.txt")"
    grep -q '^Score: \([0-9]*\)/\1$' "$tmp/closed-grade.txt" ||
        fail "make grade under a 0700 folder: a correct answer lost points: $(grep -B3 Score "$tmp/closed-grade.txt")"
    ok "as root under a 0700 folder, a correct answer gets full marks"
fi

# 6. reports of a test that prints bytes that are not text (tests/wrong/harness-hostile-bytes)
hostile=${B:-build}/wrong/harness-hostile-bytes/tests
build/tools/grade --lists "${B:-build}/lists" --bins "$hostile" --out "$tmp/hostile" \
    00-getting-started/test_status >"$tmp/hostile.txt" 2>&1
# (check-results.py: valid UTF-8 JSON in Gradescope's format, plain text
# although the test printed an escape sequence.)
/usr/bin/python3 tests/packaging/check-results.py "$tmp/hostile/results.json" --complete 2>"$tmp/hostile-json.txt" ||
    fail "results.json is not valid after hostile output: $(tail -1 "$tmp/hostile-json.txt")"
/usr/bin/python3 -c 'import sys, xml.etree.ElementTree as ET; ET.parse(sys.argv[1])' \
    "$tmp/hostile/junit.xml" 2>"$tmp/hostile-xml.txt" ||
    fail "junit.xml is not well-formed after hostile output: $(tail -1 "$tmp/hostile-xml.txt")"
grep -q 'FAIL' "$tmp/hostile.txt" || fail "the hostile-bytes answer was not graded: $(tail -3 "$tmp/hostile.txt")"
ok "reports stay valid UTF-8 JSON and XML whatever bytes a test prints"

# 7. the grader without root (a student's make grade), as nobody
if [ "$(id -u)" = 0 ]; then
    tests/packaging/test-unprivileged.sh "$tmp" || exit 1
fi

# 8. the handout's own broker, started and stopped by its make grade
case " ${IPC_SERVICES_DOWN:-} " in
*" broker "*) echo "packaging: not checked: the broker after an interrupted make grade (the broker does not start here)" >&2 ;;
*) tests/packaging/test-broker.sh "$tmp/ipc-labs" || exit 1 ;;
esac

# 9. the GitHub Classroom workflow
tests/packaging/test-classroom.sh || exit 1
