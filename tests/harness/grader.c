/*
 * grade: runs test programs one test at a time in a sandbox and scores them.
 *
 *   grade --bins DIR --lists DIR [--out DIR] [options] PROGRAM...
 *
 * PROGRAM is a test program's path under --bins, e.g. "00-getting-started/test_status";
 * with several --bins, the first directory that has it (or its build log) wins.
 * Its list of tests comes from --lists (made at build time from the test file
 * alone, so code under test cannot hide or add tests). A program whose answer
 * did not build leaves PROGRAM.log with the compiler's output beside where it
 * would be; its tests then fail with the first error, and everything else is
 * graded. A program whose own test code did not build (no list, or no binary
 * and no log), and the chapters named by --unavailable CHAPTER=REASON (a
 * service they need is down), are reported as NOT RUN: that is the course's
 * or the machine's failure, never the answer's, and the rest is still graded.
 *
 * --tsan DIR after a --bins names where the ThreadSanitizer copies of that
 * directory's programs are; those of the chapters in --tsan-chapters are run
 * there too, after they pass, and pass only if they pass there as well (a
 * missing barrier is a data race that x86 hides). Where ThreadSanitizer
 * cannot run (--tsan-probe, a program of the course's own, fails), the plain
 * verdict stands and the report says the check was not made.
 *
 * With --budget FILE (tests/budget.tsv), each test's time limit is the one
 * the table derives from the reference answers' measured time, never more
 * than the test's own; the whole run gets the sum of its tests' limits, and
 * once that is used up the remaining tests are stopped and fail, so that a
 * slow answer cannot keep an unattended grader past its own time limit.
 *
 * Tests run, and every report lists them, in course order (exercise 00.1,
 * 01.1, ..., "unit" last; report.c). The report on stdout starts with the
 * score and a row per exercise and details only the tests that did not pass
 * (--verbose: every test); --brief makes it one line. --cunit-summary ends it
 * with a summary in CUnit's Run Summary layout, for CI log readers.
 *
 * --out DIR gets results.json (Gradescope's format), written before the first
 * test and again as each one ends, so that a run stopped from outside leaves
 * one with the tests that finished, and junit.xml at the end.
 *
 * Exit status: 0 when grading ran (the score is in the report); 1 when
 * --strict or --expect was given and not met; 2 for a usage error; 3 when some
 * tests could not be run (NOT RUN above; the reports are still written) or the
 * grader itself could not work (an unwritable output).
 */
#include "grader.h"

#include "clock.h"
#include "die.h"
#include "parse.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage_text[] =
    "--bins DIR... --lists DIR [--out DIR] [--chapter CH] [--exercise ID]\n"
    "       [--unavailable CHAPTER=REASON]..."
    "       [--expect pass|fail|zero:ID|caught:ID] [--expect-message TEXT]"
    " [--strict] [--brief] [--verbose] [--cunit-summary] [--timeout-scale X] [--budget FILE] "
    "[--budget-total SECONDS]\n"
    "       [--hidden-visibility hidden|after_due_date|after_published|visible]\n"
    "       [--memory-mb N] [--sanitized[=thread]] [--title TEXT]\n"
    "       [--tsan DIR (after its --bins)]... [--tsan-chapters LIST] [--tsan-probe PROGRAM]"
    " [--tsan-timeout-scale X] PROGRAM...";

struct options {
    const char *bins[8]; /* searched in order for each test program */
    int nbins;
    const char *lists, *out, *chapter, *exercise, *expect, *title, *budget;
    const char *hidden_visibility; /* results.json's visibility for GRADE_EXTRA's tests */
    const char *expect_message; /* with zero:ID or caught:ID: what ID's failures must say */
    int strict, brief;
    int verbose;       /* --verbose: the report shows every test, not only those that failed */
    int cunit_summary; /* --cunit-summary: end with CUnit's Run Summary layout (make test) */
    long budget_total; /* --budget-total: a shorter bound on the whole run, or 0 */
    const char *unavailable[8]; /* "CHAPTER=REASON": that chapter's tests cannot run */
    int nunavailable;
    const char *tsan[8]; /* tsan[i]: ThreadSanitizer copies of bins[i]'s programs, or NULL */
    const char *tsan_chapters, *tsan_probe;
    double tsan_scale;
};

/* The grader's own work around each test (making and removing its world,
 * killing what it left), allowed for in the run's budget. */
#define BUDGET_SLACK_S 0.5

struct results {
    struct result *r;
    size_t n, cap;
};

static struct result *add_result(struct results *rs)
{
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? 2 * rs->cap : 64;
        rs->r = realloc(rs->r, rs->cap * sizeof *rs->r);
        if (rs->r == NULL)
            die("out of memory");
    }
    struct result *r = &rs->r[rs->n++];
    memset(r, 0, sizeof *r);
    return r;
}

/* Does text match one of the comma-separated items of list? As a prefix
 * (chapters: "03" matches "03-sockets/...") or exactly (exercise ids). */
static int in_list(const char *list, const char *text, int prefix)
{
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        if (n > 0 &&
            (prefix ? strncmp(text, p, n) == 0 : strlen(text) == n && strncmp(text, p, n) == 0))
            return 1;
        p += n + (p[n] == ',');
    }
    return 0;
}

/* What the tests of a program that did not build say: the first line of the
 * compiler's output that names an error, or, with no log at all, that the
 * course's own code failed before the answer was even compiled. */
static void first_error(const char *log_path, struct result *r)
{
    char *out = r->message;
    size_t size = sizeof r->message;
    FILE *f = fopen(log_path, "r");
    if (f == NULL) {
        r->verdict = V_NOT_RUN;
        snprintf(out, size,
                 "its tests did not build: the course's own code for them failed to compile on "
                 "this system (see the build output above); nothing to do with your answer");
        return;
    }
    r->verdict = V_FAIL;
    snprintf(out, size, "it does not compile (see %s)", log_path);
    char line[900];
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        /* The linker's own lines name the cause; collect2's, after them, does not. */
        const char *twice = strstr(line, "multiple definition of `"),
                   *missing = strstr(line, "undefined reference to `");
        if (twice != NULL || missing != NULL) {
            const char *name = strchr(twice ? twice : missing, '`') + 1;
            int len = (int)strcspn(name, "'");
            if (twice != NULL)
                snprintf(out, size, "it does not link: duplicate symbol %.*s (defined twice)", len,
                         name);
            else
                snprintf(out, size,
                         "it does not link: undefined symbol %.*s (used, but defined nowhere: "
                         "a function its header declares that is missing, or a misspelt call?)",
                         len, name);
            break;
        }
        if (strstr(line, "error") != NULL && strstr(line, "collect2: error") == NULL) {
            const char *refused = strstr(line, "error: refused: ");
            if (refused != NULL) /* objcheck: it compiled, but breaks a rule */
                snprintf(out, size, "it is refused: %s", refused + strlen("error: refused: "));
            else
                snprintf(out, size, "it does not compile: %s", line);
            break;
        }
    }
    fclose(f);
}

/* "extra/03-sockets/test_x" and "03-sockets/test_x" -> "03-sockets/test_x" */
static const char *chapter_of(const char *program)
{
    return strncmp(program, "extra/", 6) == 0 ? program + 6 : program;
}

/* Does one of the exercise ids in list ("03.2,04.1") belong to PROGRAM's chapter? */
static int chapter_in_exercises(const char *list, const char *program)
{
    const char *ch = chapter_of(program);
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        if (n >= 2 && strncmp(p, ch, 2) == 0)
            return 1;
        p += n + (p[n] == ',');
    }
    return 0;
}

/* Why PROGRAM cannot run, from --unavailable CHAPTER=REASON, or NULL. */
static const char *unavailable_reason(const struct options *o, const char *program)
{
    const char *ch = chapter_of(program);
    for (int i = 0; i < o->nunavailable; i++) {
        const char *eq = strchr(o->unavailable[i], '=');
        size_t n = (size_t)(eq - o->unavailable[i]);
        if (strncmp(ch, o->unavailable[i], n) == 0 && ch[n] == '/')
            return eq + 1;
    }
    return NULL;
}

/* Adds PROGRAM's tests (those the filters keep) to rs; returns how many. */
static size_t load_program(const struct options *o, const char *program, struct results *rs)
{
    char list_path[4096];
    snprintf(list_path, sizeof list_path, "%s/%s.list", o->lists, program);
    FILE *f = fopen(list_path, "r");
    if (f == NULL) {
        /* The list is made from the test file alone: without it even the
         * number of tests is unknown, so the program is one NOT RUN row. */
        if (o->exercise != NULL && !chapter_in_exercises(o->exercise, program))
            return 0;
        struct result *r = add_result(rs);
        snprintf(r->program, sizeof r->program, "%s", program);
        snprintf(r->exercise, sizeof r->exercise, "%.2s", chapter_of(program));
        snprintf(r->name, sizeof r->name, "(every test of %s)", program);
        r->verdict = V_NOT_RUN;
        r->index = -1;
        snprintf(r->message, sizeof r->message,
                 "its tests did not build on this system (see the build output above); nothing "
                 "to do with your answer");
        return 1;
    }
    size_t added = 0;
    char line[1024];
    int index = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        char *ex = strtok(line, "\t"), *pts = strtok(NULL, "\t"), *tmo = strtok(NULL, "\t"),
             *name = strtok(NULL, "");
        long points, timeout;
        if (ex == NULL || name == NULL || parse_long(pts, 0, 1000, &points) != 0 ||
            parse_long(tmo, 1, 3600, &timeout) != 0) {
            fprintf(stderr, "grade: %s: malformed line %d\n", list_path, index + 1);
            exit(3);
        }
        int this_index = index++;
        if (o->exercise != NULL && !in_list(o->exercise, ex, 0))
            continue;
        struct result *r = add_result(rs);
        snprintf(r->program, sizeof r->program, "%s", program);
        snprintf(r->exercise, sizeof r->exercise, "%s", ex);
        snprintf(r->name, sizeof r->name, "%s", name);
        r->points = (int)points;
        r->timeout_s = (int)timeout;
        r->index = this_index;
        added++;
    }
    fclose(f);
    return added;
}

/* Time limits from the budget table (tests/budget.tsv, written by `make
 * budget`): rows "program<TAB>reference seconds<TAB>limit<TAB>test name".
 * A row's limit replaces the test's own when it is shorter: the test's own
 * limit stays the upper bound. A test with no row (an instructor's extra
 * tests, the unit tests) keeps its own limit; make test checks that every
 * graded test has one. */
static void apply_budget(const char *path, struct results *rs)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "grade: --budget %s: %s\n", path, strerror(errno));
        exit(3);
    }
    char line[1400];
    for (int n = 1; fgets(line, sizeof line, f) != NULL; n++) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        line[strcspn(line, "\n")] = '\0';
        char *prog = strtok(line, "\t"), *ref = strtok(NULL, "\t"), *lim = strtok(NULL, "\t"),
             *name = strtok(NULL, "");
        char *end = NULL;
        double ref_s = ref != NULL ? strtod(ref, &end) : -1;
        long limit;
        if (name == NULL || end == NULL || *end != '\0' || !(ref_s >= 0) ||
            parse_long(lim, 1, 3600, &limit) != 0) {
            fprintf(stderr,
                    "grade: %s:%d: not a row 'program<TAB>reference seconds<TAB>limit<TAB>test'\n",
                    path, n);
            exit(3);
        }
        for (size_t i = 0; i < rs->n; i++) {
            struct result *r = &rs->r[i];
            if (strcmp(r->program, prog) != 0 || strcmp(r->name, name) != 0)
                continue;
            r->reference_s = ref_s;
            if (limit < r->timeout_s)
                r->timeout_s = (int)limit;
        }
    }
    fclose(f);
}

/* Where PROGRAM's binary is (or would be, if it did not build); returns
 * which --bins that is. */
static int locate(const struct options *o, const char *program, char *bin, size_t size)
{
    for (int i = 0; i < o->nbins; i++) {
        char log[4200];
        snprintf(bin, size, "%s/%s", o->bins[i], program);
        snprintf(log, sizeof log, "%s.log", bin);
        if (access(bin, F_OK) == 0 || access(log, F_OK) == 0)
            return i;
    }
    snprintf(bin, size, "%s/%s", o->bins[0], program);
    return 0;
}

/* Whether ThreadSanitizer runs here, found out at its first use. */
struct tsan_state {
    int tried, works, unchecked;
    char why[512], unchecked_why[600]; /* why the probe failed; why the last test went unchecked */
};

static int tsan_works(const struct options *o, struct tsan_state *ts)
{
    if (!ts->tried && o->tsan_probe != NULL)
        ts->works = tsan_probe(o->tsan_probe, ts->why, sizeof ts->why) == 0;
    else if (!ts->tried)
        ts->works = 1;
    ts->tried = 1;
    return ts->works;
}

/* A test that passed could not be checked with ThreadSanitizer: it keeps its
 * PASS (the machine's limit is no fault of the answer), and says so. */
static void tsan_unchecked(struct result *r, struct tsan_state *ts, const char *why)
{
    free(r->output);
    r->output = NULL;
    if (asprintf(&r->output, "not checked with ThreadSanitizer: %s", why) < 0)
        r->output = NULL;
    snprintf(ts->unchecked_why, sizeof ts->unchecked_why, "%s", why);
    ts->unchecked++;
}

/* Runs test r, which passed, in the ThreadSanitizer copy of its program
 * (tsan_dir); r keeps its PASS only if it passes there too. */
static void tsan_check(const struct options *o, const struct sandbox *sb, const char *tsan_dir,
                       struct tsan_state *ts, struct result *r)
{
    char bin[4096], log[4200], full[PATH_MAX];
    snprintf(bin, sizeof bin, "%s/%s", tsan_dir, r->program);
    snprintf(log, sizeof log, "%s.log", bin);
    if (access(bin, F_OK) != 0) {
        if (access(log, F_OK) != 0) { /* the course's side did not build with ThreadSanitizer */
            tsan_unchecked(r, ts, "its ThreadSanitizer build is missing (see the build output)");
            return;
        }
        /* The answer builds plain but not with -fsanitize=thread: it must
         * not escape the check that way. */
        struct result t = *r;
        first_error(log, &t);
        r->verdict = t.verdict;
        snprintf(r->message, sizeof r->message, "in the ThreadSanitizer build, %.990s", t.message);
        r->earned = 0;
        return;
    }
    if (!tsan_works(o, ts)) {
        tsan_unchecked(r, ts, ts->why);
        return;
    }
    struct sandbox tsb = *sb;
    tsb.sanitized = tsb.tsan = 1;
    /* A limit measured from the reference answers (tests/budget.tsv) holds
     * for the copy as it is: built with IPC_SANITIZED, its tests do less. */
    tsb.timeout_scale = r->reference_s > 0 ? 1 : o->tsan_scale;
    struct result t = *r;
    t.output = NULL;
    t.message[0] = '\0';
    sandbox_run(&tsb, realpath(bin, full) != NULL ? full : bin, &t);
    r->seconds += t.seconds;
    if (t.verdict == V_PASS) {
        free(t.output);
        return;
    }
    /* The runtime died at its start-up only now (an environment where the
     * memory layout changes from run to run): the machine's fault, if the
     * course's own probe fails too. */
    if (t.output != NULL && strstr(t.output, "FATAL: ThreadSanitizer") != NULL &&
        o->tsan_probe != NULL && tsan_probe(o->tsan_probe, ts->why, sizeof ts->why) != 0) {
        free(t.output);
        tsan_unchecked(r, ts, ts->why);
        return;
    }
    free(r->output);
    r->output = t.output;
    r->verdict = t.verdict;
    r->earned = 0;
    if (strstr(t.message, "(ThreadSanitizer)") != NULL)
        snprintf(r->message, sizeof r->message, "%s", t.message);
    else
        snprintf(r->message, sizeof r->message, "in the ThreadSanitizer build: %.990s", t.message);
}

/* Bounds test r's limit by what is left of the run's budget (budget_s from
 * run_start), at the given timeout scale, setting *cut if it had to. With
 * nothing left, fails r, saying why, and returns 0. */
static int within_budget(double budget_s, uint64_t run_start, double scale, struct result *r,
                         int *cut)
{
    double left = budget_s - (double)(clock_now_ns() - run_start) / 1e9;
    if (left < 1) {
        r->verdict = V_TIMEOUT;
        snprintf(r->message, sizeof r->message,
                 "not run: the submission used its whole time budget of %.0f s (the tests "
                 "before it took that long)",
                 budget_s);
        return 0;
    }
    if (r->timeout_s * scale > left) {
        r->timeout_s = (int)(left / scale);
        r->timeout_s += r->timeout_s == 0;
        *cut = 1;
    }
    return 1;
}

/* Will test r, which the --bins at index which holds, be run again in its
 * ThreadSanitizer copy once it passes? */
static int tsan_wanted(const struct options *o, int which, const struct result *r)
{
    return o->tsan[which] != NULL && o->tsan_chapters != NULL &&
           in_list(o->tsan_chapters, chapter_of(r->program), 1);
}

/* Why test r breaks the expectation, or NULL if it does not. */
static const char *breaks(const char *expect, const struct result *r)
{
    int passed = r->verdict == V_PASS, graded = r->points > 0;
    if (r->verdict == V_NOT_RUN)
        return "it could not run, so it proves nothing";
    if (strcmp(expect, "pass") == 0)
        return passed ? NULL : "the reference answer fails it";
    if (strcmp(expect, "fail") == 0)
        return passed && graded ? "the starter stub passes it, so it tests nothing" : NULL;
    /* zero:ID and caught:ID: the wrong answer is to exercise ID only. */
    const char *id = strchr(expect, ':') + 1;
    if (strcmp(r->exercise, id) != 0)
        return passed ? NULL : "a wrong answer to another exercise changed its result";
    if (strncmp(expect, "zero:", 5) == 0 && passed && graded)
        return "this wrong answer passes it";
    return NULL;
}

static int check_expectation(const struct options *o, const struct results *rs)
{
    if (o->expect == NULL)
        return 0;
    int bad = 0;
    const char *title = o->title ? o->title : "";
    for (size_t i = 0; i < rs->n; i++) {
        const struct result *r = &rs->r[i];
        const char *why = breaks(o->expect, r);
        if (why == NULL)
            continue;
        if (bad++ == 0)
            fprintf(stderr, "\ngrade: expectation '%s' not met (%s):\n", o->expect, title);
        fprintf(stderr, "  %s %s [%s]: %s\n", r->exercise, r->name, r->program, why);
    }
    /* A wrong answer caught for the wrong reason proves nothing about the reason. */
    const char *colon = strchr(o->expect, ':');
    for (size_t i = 0; o->expect_message != NULL && colon != NULL && i < rs->n; i++) {
        const struct result *r = &rs->r[i];
        if (strcmp(r->exercise, colon + 1) != 0 || r->verdict == V_PASS ||
            strstr(r->message, o->expect_message) != NULL)
            continue;
        if (bad++ == 0)
            fprintf(stderr, "\ngrade: expectation '%s' not met (%s):\n", o->expect, title);
        fprintf(stderr, "  %s %s [%s]: its message does not say '%s': %s\n", r->exercise, r->name,
                r->program, o->expect_message, r->message);
    }
    if (strncmp(o->expect, "caught:", 7) == 0) {
        /* Caught: at least one graded test of the exercise fails. */
        const char *id = o->expect + 7;
        int caught = 0;
        for (size_t i = 0; i < rs->n; i++)
            caught |= strcmp(rs->r[i].exercise, id) == 0 && rs->r[i].points > 0 &&
                      rs->r[i].verdict != V_PASS;
        if (!caught) {
            fprintf(stderr, "\ngrade: expectation '%s' not met (%s): every test of %s passes\n",
                    o->expect, title, id);
            bad++;
        }
    }
    return bad != 0;
}

/* Is the terminal's character set UTF-8? The first of LC_ALL, LC_CTYPE and
 * LANG that is set decides, as it does for setlocale(); the grader itself
 * keeps the C locale, so that nothing else it prints or parses changes. */
static int utf8_locale(void)
{
    static const char *const vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v == NULL || *v == '\0')
            continue;
        return strcasestr(v, "utf-8") != NULL || strcasestr(v, "utf8") != NULL;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct options o = {.tsan_scale = 5, .hidden_visibility = "hidden"};
    struct sandbox sb = {.drop_uid = -2,
                         .timeout_scale = 1.0,
                         .memory_mb = 1024,
                         .max_procs = 256,
                         .max_output = 1 << 20};
    static const struct option longopts[] = {{"bins", required_argument, NULL, 'b'},
                                             {"lists", required_argument, NULL, 'l'},
                                             {"out", required_argument, NULL, 'o'},
                                             {"chapter", required_argument, NULL, 'c'},
                                             {"exercise", required_argument, NULL, 'e'},
                                             {"expect", required_argument, NULL, 'x'},
                                             {"expect-message", required_argument, NULL, 'M'},
                                             {"strict", no_argument, NULL, 's'},
                                             {"brief", no_argument, NULL, 'B'},
                                             {"verbose", no_argument, NULL, 'v'},
                                             {"cunit-summary", no_argument, NULL, 'U'},
                                             {"timeout-scale", required_argument, NULL, 't'},
                                             {"budget", required_argument, NULL, 'L'},
                                             {"budget-total", required_argument, NULL, 'W'},
                                             {"hidden-visibility", required_argument, NULL, 'H'},
                                             {"memory-mb", required_argument, NULL, 'm'},
                                             {"sanitized", optional_argument, NULL, 'S'},
                                             {"tsan", required_argument, NULL, 'Z'},
                                             {"tsan-chapters", required_argument, NULL, 'C'},
                                             {"tsan-probe", required_argument, NULL, 'P'},
                                             {"tsan-timeout-scale", required_argument, NULL, 'X'},
                                             {"title", required_argument, NULL, 'T'},
                                             {"unavailable", required_argument, NULL, 'u'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'b':
            if (o.nbins == (int)(sizeof o.bins / sizeof o.bins[0]))
                die_usage(usage_text, "too many --bins");
            o.bins[o.nbins++] = optarg;
            break;
        case 'B': o.brief = 1; break;
        case 'v': o.verbose = 1; break;
        case 'U': o.cunit_summary = 1; break;
        case 'l': o.lists = optarg; break;
        case 'o': o.out = optarg; break;
        case 'c': o.chapter = optarg; break;
        case 'e': o.exercise = optarg; break;
        case 'x': o.expect = optarg; break;
        case 'M': o.expect_message = optarg; break;
        case 's': o.strict = 1; break;
        case 't':
            sb.timeout_scale =
                (double)parse_long_arg(optarg, 1, 100, "--timeout-scale", usage_text);
            break;
        case 'L': o.budget = optarg; break;
        case 'W':
            o.budget_total = parse_long_arg(optarg, 1, 86400, "--budget-total", usage_text);
            break;
        case 'H':
            if (strcmp(optarg, "hidden") != 0 && strcmp(optarg, "after_due_date") != 0 &&
                strcmp(optarg, "after_published") != 0 && strcmp(optarg, "visible") != 0)
                die_usage(usage_text,
                          "--hidden-visibility: '%s' is not hidden, after_due_date, "
                          "after_published or visible",
                          optarg);
            o.hidden_visibility = optarg;
            break;
        case 'm':
            sb.memory_mb = parse_long_arg(optarg, 64, 1 << 20, "--memory-mb", usage_text);
            break;
        case 'S':
            if (optarg != NULL && strcmp(optarg, "thread") != 0)
                die_usage(usage_text, "--sanitized=%s: only =thread may be named", optarg);
            sb.sanitized = 1;
            sb.tsan = optarg != NULL;
            break;
        case 'Z':
            if (o.nbins == 0)
                die_usage(usage_text, "--tsan %s: it names the copies of the --bins before it",
                          optarg);
            o.tsan[o.nbins - 1] = optarg;
            break;
        case 'C': o.tsan_chapters = optarg; break;
        case 'P': o.tsan_probe = optarg; break;
        case 'X':
            o.tsan_scale =
                (double)parse_long_arg(optarg, 1, 100, "--tsan-timeout-scale", usage_text);
            break;
        case 'T': o.title = optarg; break;
        case 'u':
            if (o.nunavailable == (int)(sizeof o.unavailable / sizeof o.unavailable[0]))
                die_usage(usage_text, "too many --unavailable");
            if (strchr(optarg, '=') == NULL || *optarg == '=')
                die_usage(usage_text, "--unavailable: '%s' is not CHAPTER=REASON", optarg);
            o.unavailable[o.nunavailable++] = optarg;
            break;
        case 'h': printf("usage: grade %s\n", usage_text); return 0;
        default: die_usage(usage_text, "unknown option");
        }
    }
    if (o.nbins == 0 || o.lists == NULL)
        die_usage(usage_text, "--bins and --lists are required");
    if (o.expect != NULL && strcmp(o.expect, "pass") != 0 && strcmp(o.expect, "fail") != 0 &&
        strncmp(o.expect, "zero:", 5) != 0 && strncmp(o.expect, "caught:", 7) != 0)
        die_usage(usage_text, "--expect: '%s' is not pass, fail, zero:ID or caught:ID", o.expect);

    /* A test that dies before reading its token must not take the grader with it. */
    signal(SIGPIPE, SIG_IGN);
    /* One seed for every random choice of every test (grade_seed()), in
     * their environment; GRADE_SEED=N replays a run's choices. */
    const char *seed_env = getenv("GRADE_SEED");
    unsigned long seed = 0;
    if (seed_env != NULL && *seed_env) {
        char *end;
        errno = 0;
        seed = strtoul(seed_env, &end, 10);
        if (*end != '\0' || errno != 0 || seed == 0 || seed > 0xffffffffUL || *seed_env == '-')
            die_usage(usage_text, "GRADE_SEED=%s: must be a number from 1 to 4294967295", seed_env);
    } else {
        while (seed == 0)
            seed = (unsigned long)((clock_now_ns() ^ ((uint64_t)getpid() << 20)) % 0xffffffffUL);
    }
    char seed_text[16];
    snprintf(seed_text, sizeof seed_text, "%lu", seed);
    setenv("GRADE_SEED", seed_text, 1);
    const char *tmp = getenv("TMPDIR");
    sb.tmp_base = tmp != NULL && *tmp ? tmp : "/tmp";
    static char course[PATH_MAX];
    sb.course = getcwd(course, sizeof course) != NULL ? course : ".";

    struct results rs = {0};
    struct tsan_state ts = {0};
    const char *probe = NULL;
    static char probe_path[4096];
    for (int i = optind; i < argc; i++) {
        /* "extra/03-sockets/..." belongs to chapter 03 too. */
        const char *name = strncmp(argv[i], "extra/", 6) == 0 ? argv[i] + 6 : argv[i];
        if (o.chapter != NULL && !in_list(o.chapter, name, 1))
            continue;
        load_program(&o, argv[i], &rs);
        /* The probe must be the path tests will be run by: the absolute one,
         * which crosses every parent directory (a 0700 /root among them). */
        char rel[4096];
        locate(&o, argv[i], rel, sizeof rel);
        if (probe == NULL && realpath(rel, probe_path) != NULL)
            probe = probe_path;
    }
    if (rs.n == 0) {
        fprintf(stderr, "grade: no tests match%s%s%s%s\n", o.chapter ? " CH=" : "",
                o.chapter ? o.chapter : "", o.exercise ? " EX=" : "", o.exercise ? o.exercise : "");
        return 2;
    }
    /* Course order (00.1, 01.1, 01.2, ...), not the order of the programs'
     * files: tests run, and every report lists them, as the course goes. */
    if (results_sort(rs.r, rs.n) != 0)
        die("out of memory");
    /* The whole run's budget: its tests' limits, each with a little for the
     * grader's own work around it (a world to make and remove). Tests run one
     * after the other, so a run that keeps within it ends in time; one that
     * does not (the grader's own work took longer) must still end. */
    double budget_s = 0;
    if (o.budget != NULL) {
        apply_budget(o.budget, &rs);
        for (size_t i = 0; i < rs.n; i++) {
            const struct result *r = &rs.r[i];
            char bin[4096];
            if (r->verdict == V_NOT_RUN)
                continue;
            budget_s += r->timeout_s * sb.timeout_scale + BUDGET_SLACK_S;
            if (tsan_wanted(&o, locate(&o, r->program, bin, sizeof bin), r))
                budget_s += r->timeout_s * (r->reference_s > 0 ? 1 : o.tsan_scale) + BUDGET_SLACK_S;
        }
        budget_s = (double)(long)(budget_s + 0.5);
    }
    /* A grading service with a shorter limit than the sum (an instructor's
     * own setting) gets the remaining tests failed, not the run killed. */
    if (o.budget_total > 0 && (budget_s == 0 || o.budget_total < budget_s))
        budget_s = (double)o.budget_total;
    /* The course's own code must clean up after itself. */
    sb.fail_on_leftovers = o.expect != NULL && strcmp(o.expect, "pass") == 0;
    sandbox_init(&sb, probe);

    /* results.json is written before the first test and again as each one
     * ends: a run stopped from outside (a grading service's time limit)
     * still leaves a valid one with every test that finished. */
    char json_path[4096] = "";
    struct json_options jo = {.isolation = sb.isolation, .hidden_visibility = o.hidden_visibility};
    if (o.out != NULL) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", o.out);
        for (char *p = dir + 1; *p; p++) /* mkdir -p */
            if (*p == '/') {
                *p = '\0';
                mkdir(dir, 0755);
                *p = '/';
            }
        mkdir(o.out, 0755);
        snprintf(json_path, sizeof json_path, "%s/results.json", o.out);
    }

    int progress = isatty(STDERR_FILENO);
    uint64_t run_start = clock_now_ns();
    size_t out_of_time = 0;
    for (size_t i = 0; i < rs.n; i++) {
        struct result *r = &rs.r[i];
        char bin[4096], log[4200];
        jo.done = i;
        if (json_path[0] && report_json(json_path, rs.r, rs.n, &jo) != 0) {
            fprintf(stderr, "grade: cannot write %s: %s\n", json_path, strerror(errno));
            return 3;
        }
        int which = locate(&o, r->program, bin, sizeof bin);
        snprintf(log, sizeof log, "%s.log", bin);
        if (progress)
            fprintf(stderr, "\r\033[K[%zu/%zu] %s %s", i + 1, rs.n, r->exercise, r->name);
        if (r->verdict == V_NOT_RUN)
            continue; /* no list: nothing to run */
        const char *down = unavailable_reason(&o, r->program);
        if (down != NULL) {
            r->verdict = V_NOT_RUN;
            snprintf(r->message, sizeof r->message, "%s", down);
            continue;
        }
        if (access(bin, F_OK) != 0) {
            first_error(log, r);
            continue;
        }
        /* What is left of the run's budget bounds this test's limit. */
        int own_limit = r->timeout_s, cut = 0;
        if (budget_s > 0 && !within_budget(budget_s, run_start, sb.timeout_scale, r, &cut)) {
            out_of_time++;
            continue;
        }
        /* The test runs in a directory of its own: it needs the full path. */
        char full[PATH_MAX];
        sandbox_run(&sb, realpath(bin, full) != NULL ? full : bin, r);
        if (r->verdict == V_PASS && tsan_wanted(&o, which, r)) {
            r->timeout_s = own_limit;
            double scale = r->reference_s > 0 ? 1 : o.tsan_scale; /* as tsan_check() scales it */
            if (budget_s > 0 && !within_budget(budget_s, run_start, scale, r, &cut)) {
                r->earned = 0;
                out_of_time++;
            } else
                tsan_check(&o, &sb, o.tsan[which], &ts, r);
        }
        r->timeout_s = own_limit;
        if (cut && r->verdict == V_TIMEOUT) {
            snprintf(r->message, sizeof r->message,
                     "stopped: the submission used its whole time budget of %.0f s", budget_s);
            out_of_time++;
        }
    }
    double run_s = (double)(clock_now_ns() - run_start) / 1e9;
    if (progress)
        fprintf(stderr, "\r\033[K");

    long earned = 0, possible = 0;
    size_t passed = 0;
    for (size_t i = 0; i < rs.n; i++) {
        earned += rs.r[i].earned;
        possible += rs.r[i].points;
        passed += rs.r[i].verdict == V_PASS;
    }
    if (o.brief) {
        printf("%s: %zu of %zu tests passed, score %ld/%ld\n", o.title ? o.title : "grade", passed,
               rs.n, earned, possible);
    } else {
        if (o.title != NULL)
            printf("\n== %s ==\n", o.title);
        char time_line[600] = "";
        if (budget_s > 0) {
            double reference = 0;
            for (size_t i = 0; i < rs.n; i++)
                reference += rs.r[i].reference_s;
            snprintf(time_line, sizeof time_line,
                     "Time: %.0f s of a budget of %.0f s (the reference answers take %.0f s; "
                     "limits from %s, see docs/grading.md)",
                     run_s, budget_s, reference, o.budget);
        }
        int tty = isatty(STDOUT_FILENO);
        struct report_style st = {.color = tty,
                                  .utf8 = tty && utf8_locale(),
                                  .verbose = o.verbose,
                                  .isolation = sb.isolation,
                                  .time_line = time_line[0] ? time_line : NULL};
        report_text(rs.r, rs.n, &st);
    }
    if (!o.brief && passed < rs.n)
        printf("Seed: %lu (GRADE_SEED=%lu replays the tests' random choices, in make grade and "
               "make debug)\n",
               seed, seed);
    if (out_of_time > 0)
        fprintf(stderr,
                "grade: the submission used its whole time budget of %.0f s: %zu test%s stopped "
                "or not run\n",
                budget_s, out_of_time, out_of_time == 1 ? "" : "s");
    if (o.out != NULL) {
        char path[4096];
        snprintf(path, sizeof path, "%s", json_path);
        jo.done = rs.n;
        int bad = report_json(path, rs.r, rs.n, &jo) != 0;
        if (!bad) {
            snprintf(path, sizeof path, "%s/junit.xml", o.out);
            bad = report_junit(path, rs.r, rs.n) != 0;
        }
        if (bad) {
            fprintf(stderr, "grade: cannot write %s: %s\n", path, strerror(errno));
            return 3;
        }
    }
    if (o.cunit_summary)
        report_cunit_summary(rs.r, rs.n, run_s);
    fflush(stdout);

    /* After the report, where it is read. */
    if (ts.unchecked > 0)
        fprintf(stderr,
                "grade: warning: %d passing test%s not checked with ThreadSanitizer, so a data "
                "race there would go unseen: %s\n",
                ts.unchecked, ts.unchecked == 1 ? " was" : "s were", ts.unchecked_why);
    int unmet = check_expectation(&o, &rs);
    size_t not_run = 0;
    for (size_t i = 0; i < rs.n; i++)
        not_run += rs.r[i].verdict == V_NOT_RUN;
    if (not_run > 0) {
        fprintf(stderr, "grade: %zu test%s NOT RUN, for reasons outside the answers:\n", not_run,
                not_run == 1 ? "" : "s");
        for (size_t i = 0; i < rs.n; i++)
            if (rs.r[i].verdict == V_NOT_RUN &&
                (i == 0 || strcmp(rs.r[i].program, rs.r[i - 1].program) != 0))
                fprintf(stderr, "  %s: %s\n", rs.r[i].program, rs.r[i].message);
        return 3;
    }
    if (o.strict && earned < possible)
        return 1;
    return unmet ? 1 : 0;
}
