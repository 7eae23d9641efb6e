/* Wrong answer: no constructor attribute, but a top-level asm block that
 * puts a function into .init_array by hand, where the loader runs it
 * before main. objcheck reads the object, not the source, and must refuse
 * it. */
#include "status.h"

#include <errno.h>
#include <unistd.h>

void leave_before_main(void);

__asm__(".section .init_array,\"aw\"\n"
        ".balign 8\n"
        ".quad leave_before_main\n"
        ".text\n");

__attribute__((used)) static void leave(void)
{
    _exit(0);
}
__asm__(".set leave_before_main, leave\n");

int status_describe(int wstatus, char *buf, size_t size)
{
    (void)wstatus, (void)buf, (void)size;
    return -ENOSYS;
}
