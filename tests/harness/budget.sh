#!/usr/bin/env bash
# The graded tests' time limits, derived from the reference answers' times.
#
#   budget.sh write TABLE LISTS RUNS PROGRAM...
#       RUNS/*/junit.xml are runs of the reference answers (make budget makes
#       three): writes TABLE with, for each test of each PROGRAM, the median
#       of its times and its limit, max(FLOOR, K x median, SPREAD x slowest)
#       rounded up to whole seconds, but never more than the test's own (its
#       GRADE_TEST_TIMEOUT).
#   budget.sh check TABLE LISTS PROGRAM...
#       fails, saying why, if a test of a PROGRAM has no row in TABLE, a row
#       names no test, or the limits add up to more than MAX_TOTAL seconds;
#       those of the chapters in BUDGET_TWICE (the lock-free chapters, whose
#       passing tests make grade runs again in a ThreadSanitizer copy, with
#       the same limit) count twice.
#
# LISTS is build/lists (one PROGRAM.list per test program, made from the
# test file). A test is known by its program and its name, so a renamed or
# added test makes the check fail until `make budget` has measured it.
# Why these numbers: a correct answer may be several times slower than the
# reference (another machine, a simpler but correct design) and must still
# pass, hence K; two processes or threads sharing two busy cores can take
# four times as long in one run as in the next, hence SPREAD; a test of a
# few milliseconds still starts processes and waits on timers, hence FLOOR;
# and a whole submission, even one that waits
# until just before every limit, must be graded well within Gradescope's
# default limit of 10 minutes, build included, hence MAX_TOTAL.
set -u
FLOOR=2
K=6
SPREAD=4
MAX_TOTAL=480

usage() {
    echo "usage: budget.sh write TABLE LISTS RUNS PROGRAM... | check TABLE LISTS PROGRAM..." >&2
    exit 2
}
[ $# -ge 3 ] || usage
cmd=$1 table=$2 lists=$3
shift 3

# "program<TAB>declared limit<TAB>name" for every test of the programs.
declared() {
    local p
    for p in "$@"; do
        [ -f "$lists/$p.list" ] || { echo "budget: no $lists/$p.list (build the tests first)" >&2; return 1; }
        awk -F'\t' -v p="$p" '{ print p "\t" $3 "\t" $4 }' "$lists/$p.list"
    done
}

case $cmd in
write)
    [ $# -ge 2 ] || usage
    runs=$1
    shift
    tests=$(declared "$@") || exit 1
    junits=("$runs"/*/junit.xml)
    [ -f "${junits[0]}" ] || { echo "budget: no $runs/*/junit.xml to measure from" >&2; exit 1; }
    # One testcase per line in the grader's JUnit: program, name, seconds.
    times=$(sed -n 's|^ *<testcase classname="\([^"]*\)" name="\([^"]*\)" time="\([0-9.]*\)".*|\1\t\2\t\3|p' \
        "${junits[@]}" | sed 's/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&amp;/\&/g')
    rows=$(awk -F'\t' -v floor=$FLOOR -v k=$K -v spread=$SPREAD -v runs=${#junits[@]} '
        NR == FNR { t[$1 "\t" $2, ++n[$1 "\t" $2]] = $3; next }
        {
            key = $1 "\t" $3
            if (n[key] != runs) { print "budget: " $1 " \"" $3 "\": " n[key] + 0 " times in " runs " runs" > "/dev/stderr"; bad = 1; next }
            for (i = 1; i <= runs; i++) v[i] = t[key, i]
            for (i = 1; i <= runs; i++) for (j = i + 1; j <= runs; j++) if (v[j] < v[i]) { x = v[i]; v[i] = v[j]; v[j] = x }
            med = v[int((runs + 1) / 2)]
            want = k * med; if (spread * v[runs] > want) want = spread * v[runs]
            limit = int(want); if (limit < want) limit++
            if (limit < floor) limit = floor
            if (limit > $2) limit = $2
            printf "%s\t%.3f\t%d\t%s\n", $1, med, limit, $3
        }
        END { exit bad }' <(printf '%s\n' "$times") <(printf '%s\n' "$tests")) || exit 1
    {
        echo "# Time limits of the graded tests (docs/grading.md, \"Time\"). Written by \`make budget\`;"
        echo "# do not edit: re-measure instead. reference_s: the median time of the reference answer"
        echo "# over ${#junits[@]} runs; limit_s: max($FLOOR, $K x reference_s, $SPREAD x the slowest run) rounded up,"
        echo "# never above the test's own limit."
        printf '# program\treference_s\tlimit_s\ttest\n'
        printf '%s\n' "$rows"
    } >"$table.tmp" && mv "$table.tmp" "$table" || exit 1
    awk -F'\t' '!/^#/ { n++; s += $2; l += $3 } END {
        printf "budget: %d tests, reference answers %.0f s, limits %d s\n", n, s, l }' "$table"
    ;;
check)
    [ $# -ge 1 ] || usage
    tests=$(declared "$@") || exit 1
    [ -f "$table" ] || { echo "budget: no $table: run make budget" >&2; exit 1; }
    awk -F'\t' -v table="$table" -v max=$MAX_TOTAL -v twice=" ${BUDGET_TWICE:-} " '
        NR == FNR { if (!/^#/ && NF) { row[$1 "\t" $4] = $3; rows++ } next }
        { key = $1 "\t" $3; want[key] = 1
          if (!(key in row)) { printf "%s has no row for %s \"%s\": run make budget\n", table, $1, $3 > "/dev/stderr"; bad = 1 }
          else { l = row[key] < $2 ? row[key] : $2; split($1, ch, "/"); total += index(twice, " " ch[1] " ") ? 2 * l : l } }
        END {
            for (key in row) if (!(key in want)) {
                split(key, f, "\t")
                printf "%s: the row for %s \"%s\" names no test: run make budget\n", table, f[1], f[2] > "/dev/stderr"; bad = 1
            }
            if (total > max) {
                printf "%s: the graded tests'\'' limits add up to %d s, more than the %d s a whole submission may take (FLOOR, K and SPREAD in tests/harness/budget.sh)\n", table, total, max > "/dev/stderr"; bad = 1
            }
            if (!bad) printf "budget: %d graded tests, each with a limit; %d s in all, ThreadSanitizer reruns included (at most %d)\n", rows, total, max
            exit bad
        }' "$table" <(printf '%s\n' "$tests")
    ;;
*) usage ;;
esac
