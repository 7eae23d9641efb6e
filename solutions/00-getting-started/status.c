/* Exercise 00.1, answer: see status.h for the contract. */
#include "status.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

/* "SIGSEGV" into name; sigabbrev_np() knows the abbreviation without "SIG". */
static void signal_name(int sig, char *name, size_t size)
{
    const char *abbrev = sigabbrev_np(sig);
    snprintf(name, size, "SIG%s", abbrev != NULL ? abbrev : "UNKNOWN");
}

int status_describe(int wstatus, char *buf, size_t size)
{
    if (buf == NULL && size != 0)
        return -EINVAL;

    char name[32];
    if (WIFEXITED(wstatus))
        return snprintf(buf, size, "exited with status %d", WEXITSTATUS(wstatus));
    if (WIFSIGNALED(wstatus)) {
        signal_name(WTERMSIG(wstatus), name, sizeof name);
        return snprintf(buf, size, "killed by signal %d (%s)%s", WTERMSIG(wstatus), name,
                        WCOREDUMP(wstatus) ? " (core dumped)" : "");
    }
    if (WIFSTOPPED(wstatus)) {
        signal_name(WSTOPSIG(wstatus), name, sizeof name);
        return snprintf(buf, size, "stopped by signal %d (%s)", WSTOPSIG(wstatus), name);
    }
    return -EINVAL;
}
