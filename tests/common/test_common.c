/* Unit tests of common/: die helpers, strict parsing, the clock. */
#include "clock.h"
#include "die.h"
#include "grade.h"
#include "parse.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void parse_accepts_whole_numbers(void)
{
    long v = 0;
    GRADE_EXPECT_LONG(parse_long("42", 0, 100, &v), 0, "a plain number");
    GRADE_EXPECT_LONG(v, 42, "its value");
    GRADE_EXPECT_LONG(parse_long("-7", -10, 10, &v), 0, "a negative number where allowed");
    GRADE_EXPECT_LONG(v, -7, "its value");
    GRADE_EXPECT_LONG(parse_long("+5", 0, 10, &v), 0, "an explicit plus sign");
    GRADE_EXPECT_LONG(parse_long("9223372036854775807", 0, LONG_MAX, &v), 0, "LONG_MAX itself");
    GRADE_CHECK(v == LONG_MAX, "LONG_MAX parsed as %ld", v);
}

static void parse_rejects_the_rest(void)
{
    long v = 1234;
    const char *bad[] = {"", " 1", "1 ", "12x", "x", "0x10", "1.5", "--1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        GRADE_CHECK(parse_long(bad[i], LONG_MIN, LONG_MAX, &v) == -EINVAL,
                    "\"%s\" must be rejected as not a number", bad[i]);
    GRADE_CHECK(parse_long(NULL, 0, 1, &v) == -EINVAL, "NULL must be rejected");
    GRADE_EXPECT_LONG(parse_long("-1", 0, 10, &v), -ERANGE, "a negative where none is allowed");
    GRADE_EXPECT_LONG(parse_long("11", 0, 10, &v), -ERANGE, "above the maximum");
    GRADE_EXPECT_LONG(parse_long("99999999999999999999", LONG_MIN, LONG_MAX, &v), -ERANGE,
                      "overflow of long");
    GRADE_EXPECT_LONG(v, 1234, "a failed parse leaves the output untouched");
}

/* Runs fn in a child with stderr captured; returns the wait status. */
static int run_captured(void (*fn)(void), char *err, size_t size)
{
    int p[2];
    GRADE_REQUIRE(pipe(p) == 0, "pipe: %s", strerror(errno));
    pid_t pid = fork();
    GRADE_REQUIRE(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        dup2(p[1], 2);
        fn();
        _exit(99);
    }
    close(p[1]);
    size_t len = 0;
    ssize_t n;
    while (len < size - 1 && (n = read(p[0], err + len, size - 1 - len)) > 0)
        len += (size_t)n;
    err[len] = '\0';
    close(p[0]);
    int status;
    waitpid(pid, &status, 0);
    return status;
}

static void call_die(void)
{
    errno = ENOENT;
    die("cannot open %s", "data.txt");
}

static void call_die_usage(void)
{
    die_usage("[--port N]", "--port: bad");
}

static void call_parse_arg(void)
{
    parse_long_arg("70000", 1, 65535, "--port", "[--port N]");
}

static void die_reports_and_exits(void)
{
    char err[512];
    int status = run_captured(call_die, err, sizeof err);
    GRADE_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == EXIT_RUNTIME, "die() exits 1");
    GRADE_CHECK(strstr(err, ": cannot open data.txt: No such file or directory\n") != NULL,
                "die() names what failed and strerror(errno); got: %s", err);

    status = run_captured(call_die_usage, err, sizeof err);
    GRADE_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == EXIT_USAGE, "die_usage() exits 2");
    GRADE_CHECK(strstr(err, "--port: bad\nusage: ") != NULL, "message then usage; got: %s", err);

    status = run_captured(call_parse_arg, err, sizeof err);
    GRADE_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == EXIT_USAGE, "a bad option exits 2");
    GRADE_CHECK(strstr(err, "'70000' is out of range (1..65535)") != NULL, "got: %s", err);
}

static void clock_measures_time(void)
{
    uint64_t a = clock_now_ns();
    struct timespec ten_ms = {0, 10 * 1000 * 1000};
    nanosleep(&ten_ms, NULL);
    uint64_t b = clock_now_ns();
    GRADE_CHECK(b - a >= 10u * 1000 * 1000, "10 ms of sleep measured as %llu ns",
                (unsigned long long)(b - a));
    GRADE_CHECK(b - a < 2000u * 1000 * 1000, "10 ms of sleep measured as %llu ns",
                (unsigned long long)(b - a));
}

GRADE_TESTS(GRADE_TEST("unit", "parse_long accepts whole numbers in range",
                       parse_accepts_whole_numbers, 0),
            GRADE_TEST("unit", "parse_long rejects junk, out-of-range and overflow",
                       parse_rejects_the_rest, 0),
            GRADE_TEST("unit", "die helpers print one line and exit 1 or 2", die_reports_and_exits,
                       0),
            GRADE_TEST("unit", "clock_now_ns measures a 10 ms sleep", clock_measures_time, 0))
