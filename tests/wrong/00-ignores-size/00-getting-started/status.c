/* Wrong answer: right text, but it ignores size and writes the whole text
 * anyway, overflowing a short buffer. The truncation test must catch it. */
#include "status.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

int status_describe(int wstatus, char *buf, size_t size)
{
    char text[80];
    int n;
    if (WIFEXITED(wstatus))
        n = snprintf(text, sizeof text, "exited with status %d", WEXITSTATUS(wstatus));
    else if (WIFSIGNALED(wstatus))
        n = snprintf(text, sizeof text, "killed by signal %d (SIG%s)", WTERMSIG(wstatus),
                     sigabbrev_np(WTERMSIG(wstatus)));
    else if (WIFSTOPPED(wstatus))
        n = snprintf(text, sizeof text, "stopped by signal %d (SIG%s)", WSTOPSIG(wstatus),
                     sigabbrev_np(WSTOPSIG(wstatus)));
    else
        return -EINVAL;
    if (buf != NULL && size > 0)
        memcpy(buf, text, (size_t)n + 1); /* wrong: should stop at size */
    return n;
}
