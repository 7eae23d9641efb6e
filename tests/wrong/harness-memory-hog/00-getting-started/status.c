/* Wrong answer: allocates and touches memory, up to 4 GiB (bounded, so that if
 * the grader's limits failed the machine would still be fine). The memory
 * limit stops it; the answer is wrong anyway. */
#include "status.h"

#include <stdlib.h>
#include <string.h>

int status_describe(int wstatus, char *buf, size_t size)
{
    (void)buf, (void)size;
    enum { CHUNK = 64 << 20 };
    for (int i = 0; i < 64; i++) {
        char *p = malloc(CHUNK);
        if (p == NULL)
            break;
        memset(p, i, CHUNK); /* touch it, so it is really used */
    }
    return wstatus;
}
