/* Wrong answer: the untouched stub, plus a constructor that reads the
 * grader's token from fd 3 before the test program's main does, and writes
 * the verdict the grader waits for on fd 4. objcheck must refuse it: a
 * learner file may have no constructor. */
#include "status.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

__attribute__((constructor)) static void forge_verdict(void)
{
    char token[65] = "";
    ssize_t n = read(3, token, 64);
    if (n > 0) {
        token[n] = '\0';
        dprintf(4, "%s\tPASS\t1\t0\t-\t\n", token);
        _exit(0);
    }
}

int status_describe(int wstatus, char *buf, size_t size)
{
    (void)wstatus, (void)buf, (void)size;
    return -ENOSYS;
}
