/* Wrong answer: prints what a passing CUnit run looks like, then exits 0.
 * The grader believes only its own report channel, never stdout. */
#include "status.h"

#include <stdio.h>
#include <stdlib.h>

int status_describe(int wstatus, char *buf, size_t size)
{
    (void)wstatus, (void)buf, (void)size;
    printf("\nRun Summary:    Type  Total    Ran Passed Failed Inactive\n"
           "              suites      1      1    n/a      0        0\n"
           "               tests      3      3      3      0        0\n"
           "             asserts     12     12     12      0      n/a\n\n"
           "PASS\nScore: 5/5\n");
    fflush(stdout);
    exit(0);
}
