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

/* A random permutation of 0..n-1 into order, so that an answer cannot count
 * on the order of the calls either. */
static void shuffle(int *order, int n)
{
    for (int i = 0; i < n; i++)
        order[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = rand() % (i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

static void describes_exits(void)
{
    /* A code the test picks at run time, so a fixed answer cannot pass. */
    srand(grade_seed());
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
    /* Then every code, as waitpid() encodes it, in random order. */
    int order[256];
    shuffle(order, 256);
    for (int i = 0; i < 256; i++) {
        char buf[64], want[64];
        int code = order[i], len = snprintf(want, sizeof want, "exited with status %d", code);
        int n = status_describe(W_EXITCODE(code, 0), buf, sizeof buf);
        if (n != len || strcmp(buf, want) != 0) {
            GRADE_CHECK(0, "exit code %d (wait status 0x%04x): got %d \"%s\", expected %d \"%s\"",
                        code, W_EXITCODE(code, 0), n, n >= 0 ? buf : "", len, want);
            break;
        }
    }
}

/* The text the contract asks for a death (stopped == 0) or a stop by sig.
 * sigabbrev_np() has no abbreviation for the realtime signals: then only
 * what surrounds the name is known, and *name_known is 0. */
static int expected_text(char *want, size_t size, int stopped, int sig, int core, int *name_known)
{
    const char *abbrev = sigabbrev_np(sig);
    *name_known = abbrev != NULL;
    return snprintf(want, size, "%s by signal %d (SIG%s)%s", stopped ? "stopped" : "killed", sig,
                    abbrev != NULL ? abbrev : "", core ? " (core dumped)" : "");
}

/* Checks status_describe(status) against the text for (stopped, sig, core);
 * on the first mismatch says what was asked and what came back, and
 * returns 0. */
static int check_signal_status(int status, int stopped, int sig, int core, const char *how)
{
    char buf[128], want[128];
    int known;
    int len = expected_text(want, sizeof want, stopped, sig, core, &known);
    memset(buf, 0, sizeof buf);
    int n = status_describe(status, buf, sizeof buf);
    int ok;
    if (known) {
        ok = n == len && strcmp(buf, want) == 0;
    } else { /* "killed by signal 40 (SIG" ... ")" or ") (core dumped)" */
        const char *tail = core ? ") (core dumped)" : ")";
        size_t head = strlen(want) - strlen(tail), got = strlen(buf);
        ok = n >= 0 && (size_t)n == got && got > strlen(want) && strncmp(buf, want, head) == 0 &&
             strcmp(buf + got - strlen(tail), tail) == 0;
        snprintf(want + head, sizeof want - head, "<name>%s", tail);
    }
    if (!ok)
        GRADE_CHECK(0, "%s by signal %d%s (wait status 0x%04x, %s): got %d \"%s\", expected \"%s\"",
                    stopped ? "stopped" : "killed", sig, core ? " with a core dump" : "",
                    (unsigned)status, how, n, n >= 0 ? buf : "", want);
    return ok;
}

/* A real child ended by sig; -1 if sig did not end it (a stop signal, one
 * ignored by default, or one the C library keeps: 32 and 33 are glibc's). */
static int status_of_death(int sig)
{
    pid_t pid = fork();
    GRADE_REQUIRE(pid >= 0, "fork failed: %s", strerror(errno));
    if (pid == 0) {
        sigset_t all;
        sigfillset(&all);
        sigprocmask(SIG_UNBLOCK, &all, NULL);
        signal(sig, SIG_DFL);
        raise(sig);
        _exit(100);
    }
    int status;
    GRADE_REQUIRE(waitpid(pid, &status, WUNTRACED) == pid, "waitpid failed: %s", strerror(errno));
    if (WIFSTOPPED(status)) { /* a stop signal: its stop is checked apart */
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    return WIFSIGNALED(status) && WTERMSIG(status) == sig ? status : -1;
}

/* Every signal as a death (a real one where the signal kills), a death with
 * a core dump and a stop, in random order; the real stop signals; and a
 * continued child. */
static void describes_every_signal(void)
{
    srand(grade_seed());
    int order[128], count = SIGRTMAX;
    shuffle(order, count);
    for (int i = 0; i < count; i++) {
        int sig = order[i] + 1;
        /* A real death where the signal kills, else waitpid()'s encoding. */
        int real = status_of_death(sig);
        if (!check_signal_status(real >= 0 ? real : W_EXITCODE(0, sig), 0, sig, 0,
                                 real >= 0 ? "a real child" : "W_EXITCODE(0, sig)"))
            return;
        /* The core file is off in the grader: the flag is set by hand. */
        if (!check_signal_status(W_EXITCODE(0, sig) | WCOREFLAG, 0, sig, 1, "W_EXITCODE | WCOREFLAG"))
            return;
        /* Under ptrace any signal stops a child; the status says which. */
        if (!check_signal_status(W_STOPCODE(sig), 1, sig, 0, "W_STOPCODE(sig)"))
            return;
    }
    int stops[] = {SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU};
    for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++)
        if (!check_signal_status(status_of_signal(stops[i]), 1, stops[i], 0, "a real stopped child"))
            return;

    /* A child continued by SIGCONT (waitpid with WCONTINUED) is none of the
     * three cases. */
    pid_t pid = fork();
    GRADE_REQUIRE(pid >= 0, "fork failed: %s", strerror(errno));
    if (pid == 0) {
        raise(SIGSTOP);
        _exit(0);
    }
    int status = 0;
    GRADE_REQUIRE(waitpid(pid, &status, WUNTRACED) == pid && WIFSTOPPED(status), "test set-up: no stop");
    kill(pid, SIGCONT);
    GRADE_REQUIRE(waitpid(pid, &status, WCONTINUED) == pid && WIFCONTINUED(status), "test set-up: no continue");
    waitpid(pid, NULL, 0);
    char buf[64];
    GRADE_EXPECT_LONG(status_describe(status, buf, sizeof buf), -EINVAL,
                      "a continued child (WIFCONTINUED) is neither an exit, a death nor a stop");
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

    describes_every_signal();
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

GRADE_TESTS(GRADE_TEST_TIMEOUT("00.1", "describes normal exits (every code from 0 to 255)",
                               describes_exits, 2, 2),
            GRADE_TEST_TIMEOUT("00.1", "describes deaths and stops by every signal, core dumps, "
                               "and refuses a continue", describes_signals, 2, 4),
            GRADE_TEST_TIMEOUT("00.1", "truncates and returns the length like snprintf",
                               behaves_like_snprintf, 1, 2))
