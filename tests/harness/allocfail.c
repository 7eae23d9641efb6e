#include "allocfail.h"

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__real_reallocarray(void *p, size_t n, size_t size);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
void *__wrap_reallocarray(void *p, size_t n, size_t size);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

/* Atomic: the answer may allocate from a thread of its own. */
static atomic_int armed, failed;

void allocfail_next(void)
{
    atomic_store(&failed, 0);
    atomic_store(&armed, 1);
}

int allocfail_done(void)
{
    atomic_store(&armed, 0);
    return atomic_exchange(&failed, 0);
}

int allocfail_take(void)
{
    if (!atomic_load_explicit(&armed, memory_order_relaxed) || !atomic_exchange(&armed, 0))
        return 0;
    atomic_store(&failed, 1);
    errno = ENOMEM;
    return 1;
}

void *__wrap_malloc(size_t size)
{
    return allocfail_take() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return allocfail_take() ? NULL : __real_calloc(n, size);
}

/* A failed realloc leaves the block as it was, the caller's to free. */
void *__wrap_realloc(void *p, size_t size)
{
    return allocfail_take() ? NULL : __real_realloc(p, size);
}

void *__wrap_reallocarray(void *p, size_t n, size_t size)
{
    return allocfail_take() ? NULL : __real_reallocarray(p, n, size);
}

char *__wrap_strdup(const char *s)
{
    return allocfail_take() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
    return allocfail_take() ? NULL : __real_strndup(s, n);
}
