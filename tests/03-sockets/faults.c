#include "faults.h"

#include "grade.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void __real_free(void *p);
int __real_accept(int fd, struct sockaddr *sa, socklen_t *len);
int __real_accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags);
ssize_t __real_send(int fd, const void *buf, size_t n, int flags);
ssize_t __real_sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *sa,
                      socklen_t len);
ssize_t __real_sendmsg(int fd, const struct msghdr *msg, int flags);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
void *__wrap_reallocarray(void *p, size_t n, size_t size);
void __wrap_free(void *p);
int __wrap_accept(int fd, struct sockaddr *sa, socklen_t *len);
int __wrap_accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags);
ssize_t __wrap_send(int fd, const void *buf, size_t n, int flags);
ssize_t __wrap_sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *sa,
                      socklen_t len);
ssize_t __wrap_sendmsg(int fd, const struct msghdr *msg, int flags);

/* In a page the test and the server share. */
static struct faults {
    atomic_int alloc, accept_errno, send_errno;
} * faults;
static int in_server;

void faults_share(void)
{
    struct faults *f =
        mmap(NULL, sizeof *f, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    GRADE_REQUIRE(f != MAP_FAILED, "test set-up: mmap: %s", strerror(errno));
    faults = f;
}

void faults_in_server(void)
{
    in_server = 1;
}

void faults_alloc(int failing)
{
    atomic_store(&faults->alloc, failing);
}

void faults_next_accept(int error)
{
    atomic_store(&faults->accept_errno, error);
}

void faults_next_send(int error)
{
    atomic_store(&faults->send_errno, error);
}

/* The error to fail this call with, once (and then 0 again), or 0. */
static int injected(int send)
{
    if (!in_server || faults == NULL)
        return 0;
    int e = atomic_exchange(send ? &faults->send_errno : &faults->accept_errno, 0);
    if (e != 0)
        errno = e;
    return e;
}

static int out_of_memory(void)
{
    if (!in_server || faults == NULL || !atomic_load(&faults->alloc))
        return 0;
    errno = ENOMEM;
    return 1;
}

/* The guarded blocks and their sizes, in a table of their own (open
 * addressing; a freed entry becomes a tombstone): a block not in it, such
 * as one the C library allocated for itself, passes straight through. The
 * server has one thread, so the table needs no lock. */
enum { GUARD = 16, BLOCKS = 8192 };
static const unsigned char guard_byte = 0xA5;
static struct {
    void *p;
    size_t size;
} blocks[BLOCKS];
static char tombstone;

static size_t slot_of(const void *p)
{
    return (size_t)((uintptr_t)p >> 4) % BLOCKS;
}

/* p has size + GUARD bytes: fill its guard and remember it. */
static void *guard(void *p, size_t size)
{
    if (p == NULL)
        return NULL;
    memset((char *)p + size, guard_byte, GUARD);
    for (size_t i = slot_of(p), n = 0; n < BLOCKS; i = (i + 1) % BLOCKS, n++)
        if (blocks[i].p == NULL || blocks[i].p == &tombstone) {
            blocks[i].p = p;
            blocks[i].size = size;
            break;
        }
    return p; /* a full table: this block is not checked, and still valid */
}

/* Checks and forgets p's guard; its size in *size, or 0 if p is not guarded. */
static int unguard(void *p, size_t *size)
{
    for (size_t i = slot_of(p), n = 0; n < BLOCKS && blocks[i].p != NULL;
         i = (i + 1) % BLOCKS, n++) {
        if (blocks[i].p != p)
            continue;
        const unsigned char *g = (const unsigned char *)p + blocks[i].size;
        for (int k = 0; k < GUARD; k++)
            if (g[k] != guard_byte)
                _exit(FAULTS_OVERRUN_STATUS);
        *size = blocks[i].size;
        blocks[i].p = &tombstone;
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t size)
{
    if (!in_server)
        return __real_malloc(size);
    if (out_of_memory() || size > SIZE_MAX - GUARD)
        return NULL;
    return guard(__real_malloc(size + GUARD), size);
}

void *__wrap_calloc(size_t n, size_t size)
{
    if (!in_server)
        return __real_calloc(n, size);
    if (out_of_memory() || (size != 0 && n > (SIZE_MAX - GUARD) / size)) {
        errno = ENOMEM;
        return NULL;
    }
    return guard(__real_calloc(1, n * size + GUARD), n * size);
}

void *__wrap_realloc(void *p, size_t size)
{
    size_t old;
    if (!in_server || (p != NULL && !unguard(p, &old)))
        return out_of_memory() ? NULL : __real_realloc(p, size);
    if (out_of_memory() || size > SIZE_MAX - GUARD) {
        if (p != NULL)
            guard(p, old); /* p stays the caller's, unchanged */
        errno = ENOMEM;
        return NULL;
    }
    void *q = __real_realloc(p, size + GUARD);
    if (q == NULL) {
        if (p != NULL)
            guard(p, old);
        return NULL;
    }
    return guard(q, size);
}

void *__wrap_reallocarray(void *p, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    return __wrap_realloc(p, n * size);
}

void __wrap_free(void *p)
{
    size_t size;
    if (in_server && p != NULL)
        unguard(p, &size);
    __real_free(p);
}

int __wrap_accept(int fd, struct sockaddr *sa, socklen_t *len)
{
    return injected(0) ? -1 : __real_accept(fd, sa, len);
}

int __wrap_accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags)
{
    return injected(0) ? -1 : __real_accept4(fd, sa, len, flags);
}

ssize_t __wrap_send(int fd, const void *buf, size_t n, int flags)
{
    return injected(1) ? -1 : __real_send(fd, buf, n, flags);
}

ssize_t __wrap_sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *sa,
                      socklen_t len)
{
    return injected(1) ? -1 : __real_sendto(fd, buf, n, flags, sa, len);
}

ssize_t __wrap_sendmsg(int fd, const struct msghdr *msg, int flags)
{
    return injected(1) ? -1 : __real_sendmsg(fd, msg, flags);
}
