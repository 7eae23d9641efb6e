/* Wrong answer: half an answer, plus libc's strcmp defined here, so that
 * every string the test compares would look right. objcheck must refuse
 * it: a learner file may define only its header's functions. */
#include "status.h"

#include <stdio.h>
#include <sys/wait.h>

int strcmp(const char *a, const char *b)
{
    (void)a, (void)b;
    return 0;
}

int status_describe(int wstatus, char *buf, size_t size)
{
    return snprintf(buf, size, "exited with status %d", WEXITSTATUS(wstatus));
}
