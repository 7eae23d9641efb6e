/* Wrong answer: forks children that never exit, up to 400 of them (bounded,
 * so that if the grader's limits failed the machine would still be fine).
 * The process limit stops it; the grader kills every child afterwards. */
#include "status.h"

#include <unistd.h>

int status_describe(int wstatus, char *buf, size_t size)
{
    (void)buf, (void)size;
    for (int i = 0; i < 400; i++) {
        pid_t pid = fork();
        if (pid == 0)
            for (;;)
                pause();
        if (pid < 0)
            break;
    }
    return wstatus; /* and a wrong answer */
}
