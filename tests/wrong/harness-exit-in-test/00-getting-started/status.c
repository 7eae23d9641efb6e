/* Wrong answer: ends the whole test process with status 0 ("success")
 * before the test can check anything. Exiting is not passing. */
#include "status.h"

#include <stdlib.h>

int status_describe(int wstatus, char *buf, size_t size)
{
    (void)wstatus, (void)buf, (void)size;
    exit(0);
}
