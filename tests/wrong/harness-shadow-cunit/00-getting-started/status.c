/* Wrong answer: the untouched stub, plus CUnit's own functions defined
 * here, so that the test program would link these instead of CUnit's: no
 * assertion ever fails and no failure is ever counted. objcheck must refuse
 * it: a learner file may define only its header's functions. */
#include "status.h"

#include <CUnit/CUnit.h>
#include <errno.h>

CU_BOOL CU_assertImplementation(CU_BOOL value, unsigned int line, const char *condition,
                                const char *file, const char *function, CU_BOOL fatal)
{
    (void)value, (void)line, (void)condition, (void)file, (void)function, (void)fatal;
    return CU_TRUE;
}

unsigned int CU_get_number_of_failures(void)
{
    return 0;
}

int status_describe(int wstatus, char *buf, size_t size)
{
    (void)wstatus, (void)buf, (void)size;
    return -ENOSYS;
}
