/* Graded tests for exercise 00.1 (chapters/00-getting-started/status.h). */
#include "grade.h"
#include "status.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A real child that exits with code; returns its wait status. */
static int status_of_exit(int code)
{
    pid_t pid = fork();
    GRADE_REQUIRE(pid >= 0, "fork failed: %s", strerror(errno));
    if (pid == 0)
        _exit(code);
    int status;
    GRADE_REQUIRE(waitpid(pid, &status, 0) == pid, "waitpid failed: %s", strerror(errno));
    return status;
}

/* A real child that ends (or stops) by sig; returns its wait status. */
static int status_of_signal(int sig)
{
    pid_t pid = fork();
    GRADE_REQUIRE(pid >= 0, "fork failed: %s", strerror(errno));
    if (pid == 0) {
        signal(sig, SIG_DFL);
        raise(sig);
        _exit(100); /* not reached for a fatal signal */
    }
    int status;
    GRADE_REQUIRE(waitpid(pid, &status, WUNTRACED) == pid, "waitpid failed: %s", strerror(errno));
    if (WIFSTOPPED(status)) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    return status;
}

static void describes_exits(void)
{
    /* A code the test picks at run time, so a fixed answer cannot pass. */
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    int codes[] = {0, 1 + rand() % 254, 255};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        char buf[64], want[64];
        int status = status_of_exit(codes[i]);
        int n = status_describe(status, buf, sizeof buf);
        int len = snprintf(want, sizeof want, "exited with status %d", codes[i]);
        GRADE_EXPECT_LONG(n, len, "the return value is the text's length, as snprintf's");
        if (n >= 0)
            GRADE_EXPECT_STR(buf, want, "exit(N) shows up as WIFEXITED with WEXITSTATUS == N");
    }
}

static void describes_signals(void)
{
    char buf[80];
    int n = status_describe(status_of_signal(SIGKILL), buf, sizeof buf);
    GRADE_EXPECT_LONG(n, (long)strlen("killed by signal 9 (SIGKILL)"), "length of the text");
    if (n >= 0)
        GRADE_EXPECT_STR(buf, "killed by signal 9 (SIGKILL)", "a child killed by kill -9");

    n = status_describe(status_of_signal(SIGTERM), buf, sizeof buf);
    if (n >= 0)
        GRADE_EXPECT_STR(buf, "killed by signal 15 (SIGTERM)",
                         "the default action of SIGTERM ends the child");
    else
        GRADE_CHECK(0, "status_describe returned %d for a child killed by SIGTERM", n);

    n = status_describe(status_of_signal(SIGSTOP), buf, sizeof buf);
    if (n >= 0)
        GRADE_EXPECT_STR(buf, "stopped by signal 19 (SIGSTOP)",
                         "waitpid(WUNTRACED) reports stopped children too");
    else
        GRADE_CHECK(0, "status_describe returned %d for a stopped child", n);
}

static void behaves_like_snprintf(void)
{
    int status = status_of_exit(42); /* "exited with status 42": 21 characters */
    char small[8];
    memset(small, 'x', sizeof small);
    int n = status_describe(status, small, 5);
    GRADE_EXPECT_LONG(n, 21,
                      "a short buffer still returns the full length, so the caller can tell");
    GRADE_CHECK(memcmp(small, "exit", 5) == 0,
                "with size 5 the buffer must hold \"exit\" and a NUL");
    GRADE_CHECK(small[5] == 'x', "wrote past the given size: byte 5 was changed");

    GRADE_EXPECT_LONG(status_describe(status, NULL, 0), 21,
                      "size 0 with NULL asks only for the length, like snprintf(NULL, 0, ...)");
    GRADE_EXPECT_LONG(status_describe(status, NULL, 10), -EINVAL,
                      "a NULL buffer with a non-zero size is a caller error");
}

GRADE_TESTS(GRADE_TEST_TIMEOUT("00.1", "describes normal exits (0, a random code, 255)",
                               describes_exits, 2, 2),
            GRADE_TEST_TIMEOUT("00.1", "describes death by SIGKILL and SIGTERM, and a stop",
                               describes_signals, 2, 2),
            GRADE_TEST_TIMEOUT("00.1", "truncates and returns the length like snprintf",
                               behaves_like_snprintf, 1, 2))
