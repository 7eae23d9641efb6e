/* Wrong answer: dereferences a null pointer. Must CRASH, costing only 00.1. */
#include "status.h"

int status_describe(int wstatus, char *buf, size_t size)
{
    (void)buf, (void)size;
    volatile int *nowhere = (volatile int *)0;
    return *nowhere + wstatus;
}
