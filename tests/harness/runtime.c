/*
 * The main() of every test program. It does two things for the grader:
 *
 *   prog --list       prints the table of tests, one per line:
 *                     exercise TAB points TAB timeout TAB name
 *   prog --run INDEX  runs one test under CUnit and reports the verdict.
 *
 * and one thing for a learner (make debug):
 *
 *   prog --debug INDEX  runs one test here, in the terminal, under a debugger
 *                       if one started this: no token, no sandbox, no time
 *                       limit; prints every failed check, exits 0 if it
 *                       passed, 1 if not. It reports to nobody, so there is
 *                       nothing in it to forge.
 *
 * The verdict must not be forgeable by the code under test, which runs in
 * this same process. So it travels on its own pipe (fd 4, not stdout) and
 * starts with a token the grader made up for this run and handed over on
 * fd 3, which is read and closed before any test code runs. Code that exits
 * early, prints a fake CUnit summary or scribbles on file descriptors cannot
 * produce a line the grader accepts; at worst it destroys the report, and a
 * missing report is a failure.
 */
#include "grade.h"

#include <CUnit/TestRun.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { TOKEN_FD = 3, REPORT_FD = 4, TOKEN_MAX = 64 };

void grade_check(int ok, int fatal, const char *file, int line, const char *fmt, ...)
{
    char msg[512] = "";
    if (!ok) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
    }
    /* CUnit copies the message, so a stack buffer is fine. */
    CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, (unsigned)line, msg, file, "",
                            fatal ? CU_TRUE : CU_FALSE);
}

/* "-38 (-ENOSYS: Function not implemented)" for what reads as a -errno code
 * (-1 only beside another one: alone it is as often just -1); else "-38". */
static void describe_long(long v, int errno_context, char *buf, size_t size)
{
    const char *name =
        v < 0 && v >= -4095 && (v <= -2 || errno_context) ? strerrorname_np((int)-v) : NULL;
    if (name != NULL)
        snprintf(buf, size, "%ld (-%s: %s)", v, name, strerror((int)-v));
    else
        snprintf(buf, size, "%ld", v);
}

void grade_expect_long(long got, long expected, const char *why, const char *file, int line)
{
    if (got == expected) {
        grade_check(1, 0, file, line, "%s", "");
        return;
    }
    char g[160], e[160];
    int ctx = (got <= -2 && got >= -4095) || (expected <= -2 && expected >= -4095);
    describe_long(got, ctx, g, sizeof g);
    describe_long(expected, ctx, e, sizeof e);
    grade_check(0, 0, file, line, "%s: expected %s, got %s", why, e, g);
}

void grade_expect_str(const char *got, const char *expected, const char *why, const char *expr,
                      const char *file, int line)
{
    (void)expr; /* the test's own name for it: why says what it is */
    if (got == NULL)
        grade_check(0, 0, file, line, "%s: expected \"%s\", got NULL", why, expected);
    else
        grade_check(strcmp(got, expected) == 0, 0, file, line,
                    "%s: expected \"%s\", got \"%.200s\"%s", why, expected, got,
                    got[0] == '\0' ? " (an empty string)" : "");
}

static int list_tests(void)
{
    for (size_t i = 0; i < grade_test_count; i++) {
        const struct grade_test *t = &grade_tests[i];
        int timeout = t->timeout_s > 0 ? t->timeout_s : GRADE_DEFAULT_TIMEOUT_S;
        printf("%s\t%d\t%d\t%s\n", t->exercise, t->points, timeout, t->name);
    }
    return fflush(stdout) == 0 ? 0 : 1;
}

/* Reads the token the grader wrote on fd 3, then closes fd 3 so nothing run
 * later can read it. Returns 0, or -1 if there is no usable token. */
static int take_token(char token[TOKEN_MAX + 1])
{
    size_t len = 0;
    for (;;) {
        ssize_t n = read(TOKEN_FD, token + len, TOKEN_MAX - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        if (len == TOKEN_MAX)
            break;
    }
    close(TOKEN_FD);
    token[len] = '\0';
    return len >= 16 ? 0 : -1;
}

/* Makes text safe for the one-line report: no tabs or newlines. */
static void flatten(char *s)
{
    for (; *s; s++)
        if (*s == '\n' || *s == '\t' || *s == '\r')
            *s = ' ';
}

static void report(const char *token)
{
    unsigned asserts = CU_get_number_of_asserts();
    unsigned failed = CU_get_number_of_failures();
    int passed =
        CU_get_number_of_tests_failed() == 0 && failed == 0 && CU_get_error() == CUE_SUCCESS;

    char where[256] = "-", what[1024] = "";
    const CU_FailureRecord *f = CU_get_failure_list();
    if (f != NULL) {
        snprintf(where, sizeof where, "%s:%u", f->strFileName ? f->strFileName : "?",
                 f->uiLineNumber);
        snprintf(what, sizeof what, "%s", f->strCondition ? f->strCondition : "");
    }
    flatten(where);
    flatten(what);

    /* One write() of less than PIPE_BUF bytes: atomic, so the grader sees the
     * whole line or none of it, even if test code writes to fd 4 too. */
    char line[2048];
    int n = snprintf(line, sizeof line, "%s\t%s\t%u\t%u\t%s\t%s\n", token, passed ? "PASS" : "FAIL",
                     asserts, failed, where, what);
    if (n > 0 && (size_t)n < sizeof line)
        (void)!write(REPORT_FD, line, (size_t)n);
}

unsigned grade_seed(void)
{
    static unsigned seed;
    if (seed == 0) {
        const char *s = getenv("GRADE_SEED");
        char *end;
        unsigned long v = s != NULL ? strtoul(s, &end, 10) : 0;
        seed = s != NULL && *s && *end == '\0' && v > 0 && v <= 0xffffffffUL ? (unsigned)v : 0;
        if (seed == 0) { /* not from the grader or make debug: any, but nonzero */
            seed = (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
            seed += seed == 0;
        }
    }
    return seed;
}

/* A test number as the table counts them, or -1. */
static long test_index(const char *arg)
{
    char *end;
    long index = strtol(arg, &end, 10);
    if (*arg == '\0' || *end != '\0' || index < 0 || (size_t)index >= grade_test_count)
        return -1;
    return index;
}

static int run_one(const char *arg)
{
    char token[TOKEN_MAX + 1];
    if (take_token(token) != 0) {
        fprintf(stderr,
                "test program: no token on fd %d; run tests through the grader "
                "('make grade'), or one test with 'make debug'\n",
                TOKEN_FD);
        return 2;
    }
    long index = test_index(arg);
    if (index < 0) {
        fprintf(stderr, "test program: no test number %s\n", arg);
        return 2;
    }
    const struct grade_test *t = &grade_tests[index];
    pid_t me = getpid();
    grade_crash_trace_install();

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 3;
    CU_pSuite suite = CU_add_suite(t->exercise, NULL, NULL);
    if (suite == NULL || CU_add_test(suite, t->name, t->run) == NULL)
        return 3;
    CU_run_all_tests(); /* the core runner prints nothing; the verdict goes to the grader */
    fflush(NULL);

    /* A process the code under test forked may return through here too; only
     * the process the grader started may report. */
    if (getpid() == me)
        report(token);
    /* _exit: nothing the code under test registered (atexit, destructors)
     * runs after the verdict. */
    _exit(0);
}

static int debug_one(const char *arg)
{
    long index = test_index(arg);
    if (index < 0) {
        fprintf(stderr, "test program: no test number %s (--list shows them)\n", arg);
        return 2;
    }
    const struct grade_test *t = &grade_tests[index];
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 3;
    CU_pSuite suite = CU_add_suite(t->exercise, NULL, NULL);
    if (suite == NULL || CU_add_test(suite, t->name, t->run) == NULL)
        return 3;
    printf("%s  %s  (GRADE_SEED=%u)\n", t->exercise, t->name, grade_seed());
    fflush(stdout);
    grade_crash_trace_install();
    CU_run_all_tests();
    fflush(NULL);
    unsigned failed = CU_get_number_of_failures();
    for (const CU_FailureRecord *f = CU_get_failure_list(); f != NULL; f = f->pNext)
        printf("FAIL  %s:%u: %s\n", f->strFileName ? f->strFileName : "?", f->uiLineNumber,
               f->strCondition ? f->strCondition : "");
    if (failed == 0)
        printf("PASS  (%u checks)\n", CU_get_number_of_asserts());
    fflush(stdout);
    _exit(failed == 0 && CU_get_error() == CUE_SUCCESS ? 0 : 1);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--list") == 0)
        return list_tests();
    if (argc == 3 && strcmp(argv[1], "--run") == 0)
        return run_one(argv[2]);
    if (argc == 3 && strcmp(argv[1], "--debug") == 0)
        return debug_one(argv[2]);
    fprintf(stderr,
            "usage: %s --list | --run INDEX (the grader runs this; see 'make grade')\n"
            "       %s --debug INDEX (one test, here; see 'make debug')\n",
            argv[0], argv[0]);
    return 2;
}
