/* Wrong answer: a correct function, but a constructor that calls _exit(0)
 * when the test program loads, before any test (or the grader's reporting
 * code) runs. No test may count as passed. */
#include "status.h"

#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

__attribute__((constructor)) static void leave_early(void)
{
    _exit(0);
}

int status_describe(int wstatus, char *buf, size_t size)
{
    if (WIFEXITED(wstatus))
        return snprintf(buf, size, "exited with status %d", WEXITSTATUS(wstatus));
    return snprintf(buf, size, "killed by signal %d", WTERMSIG(wstatus));
}
