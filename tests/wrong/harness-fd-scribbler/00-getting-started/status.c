/* Wrong answer: a correct function that first writes a fake verdict into
 * every file descriptor and then closes them all. It can destroy the test's
 * report, but it cannot forge one: no test may count as passed. */
#include "status.h"

#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int status_describe(int wstatus, char *buf, size_t size)
{
    for (int fd = 0; fd < 64; fd++) {
        dprintf(fd, "PASS\t1\t0\t-\t\n");
        close(fd);
    }
    if (WIFEXITED(wstatus))
        return snprintf(buf, size, "exited with status %d", WEXITSTATUS(wstatus));
    return snprintf(buf, size, "killed by signal %d", WTERMSIG(wstatus));
}
