/* Wrong on purpose (00.1): the signals come from a table of the usual
 * suspects instead of WTERMSIG()/WSTOPSIG() and sigabbrev_np(), and the core
 * dump flag is never looked at. It is right for every exit code and for the
 * signals one meets first (kill -9, kill, Ctrl-C, a segfault, a stop), and
 * says "unknown signal" for the rest: realtime signals, SIGXCPU, SIGTTIN,
 * and every death that dumped core. */
#include "status.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

static const struct {
    int status; /* the wait status, as seen in the tests */
    const char *text;
} known[] = {
    {SIGHUP, "killed by signal 1 (SIGHUP)"},
    {SIGINT, "killed by signal 2 (SIGINT)"},
    {SIGABRT, "killed by signal 6 (SIGABRT)"},
    {SIGKILL, "killed by signal 9 (SIGKILL)"},
    {SIGSEGV, "killed by signal 11 (SIGSEGV)"},
    {SIGPIPE, "killed by signal 13 (SIGPIPE)"},
    {SIGTERM, "killed by signal 15 (SIGTERM)"},
    {SIGSTOP << 8 | 0x7f, "stopped by signal 19 (SIGSTOP)"},
    {SIGTSTP << 8 | 0x7f, "stopped by signal 20 (SIGTSTP)"},
};

int status_describe(int wstatus, char *buf, size_t size)
{
    if (buf == NULL && size != 0)
        return -EINVAL;
    if (WIFEXITED(wstatus))
        return snprintf(buf, size, "exited with status %d", WEXITSTATUS(wstatus));
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if ((wstatus & ~WCOREFLAG) == known[i].status)
            return snprintf(buf, size, "%s", known[i].text);
    return snprintf(buf, size, "unknown signal");
}
