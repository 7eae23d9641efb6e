/* Wrong answer: it compiles, but calls a helper it declares and never
 * defines, so the test program cannot be linked. The report must name the
 * missing symbol, not only the linker's "collect2: error". */
#include "status.h"

#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>

int describe_exit(int code, char *buf, size_t size); /* written "later" */

int status_describe(int wstatus, char *buf, size_t size)
{
    if (buf == NULL && size != 0)
        return -EINVAL;
    if (WIFEXITED(wstatus))
        return describe_exit(WEXITSTATUS(wstatus), buf, size);
    return snprintf(buf, size, "killed by signal %d", WTERMSIG(wstatus));
}
