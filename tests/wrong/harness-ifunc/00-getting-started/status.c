/* Wrong answer: the contract's function is an ifunc, whose resolver the
 * dynamic loader runs before main, with the grader's token still unread on
 * fd 3. objcheck must refuse it: no ifuncs. */
#include "status.h"

#include <unistd.h>

typedef int describe_fn(int, char *, size_t);

static describe_fn *pick(void)
{
    _exit(0); /* before main: no verdict at all */
}

int status_describe(int wstatus, char *buf, size_t size) __attribute__((ifunc("pick")));
