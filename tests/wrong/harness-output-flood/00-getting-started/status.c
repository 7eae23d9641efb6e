/* Wrong answer: prints without end. The grader stops it after 1 MiB. */
#include "status.h"

#include <stdio.h>

int status_describe(int wstatus, char *buf, size_t size)
{
    (void)buf, (void)size;
    for (;;)
        printf("status %d status %d status %d status %d\n", wstatus, wstatus, wstatus, wstatus);
}
