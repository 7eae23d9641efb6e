/* Wrong answer: when called, it wipes CUnit's record of the test's failed
 * assertions, so the failures counted before the last call would vanish.
 * objcheck must refuse it: a learner file may not call CUnit or the
 * harness. */
#include "status.h"

#include <CUnit/CUnit.h>
#include <errno.h>

int status_describe(int wstatus, char *buf, size_t size)
{
    (void)wstatus, (void)buf, (void)size;
    CU_clear_previous_results();
    return -ENOSYS;
}
