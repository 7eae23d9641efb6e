/* Wrong answer: never returns. Each test must TIME OUT and the run go on. */
#include "status.h"

int status_describe(int wstatus, char *buf, size_t size)
{
    (void)wstatus, (void)buf, (void)size;
    for (volatile unsigned long spin = 0;; spin++)
        ;
}
