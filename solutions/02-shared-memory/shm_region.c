/* Exercise 02.1, answer: see shm_region.h for the contract. */
#include "shm_region.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Returns -err with errno set to err: the one way every function here fails. */
static int fail(int err)
{
    errno = err;
    return -err;
}

/* shm_open(3): "/" then 1..NAME_MAX-1 characters, none of them '/'. */
static int name_ok(const char *name)
{
    if (name == NULL || name[0] != '/')
        return 0;
    size_t len = strlen(name + 1);
    return len > 0 && len < NAME_MAX && strchr(name + 1, '/') == NULL;
}

/* Maps fd's first size bytes and closes fd; the mapping keeps the object alive. */
static int map_and_close(struct shm_region *r, int fd, size_t size)
{
    void *addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    int err = errno;
    close(fd);
    if (addr == MAP_FAILED)
        return fail(err);
    r->addr = addr;
    r->size = size;
    return 0;
}

int shm_region_create(struct shm_region *r, const char *name, size_t size, mode_t mode)
{
    if (r == NULL || !name_ok(name) || size == 0 || size > (size_t)INT64_MAX)
        return fail(EINVAL);
    int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, mode != 0 ? mode : 0600);
    if (fd == -1)
        return fail(errno);
    /* A new object has size 0; ftruncate sizes it and fills it with zeros. */
    if (ftruncate(fd, (off_t)size) == -1) {
        int err = errno;
        close(fd);
        shm_unlink(name);
        return fail(err);
    }
    int rc = map_and_close(r, fd, size);
    if (rc != 0) {
        shm_unlink(name); /* we created it: leave nothing behind */
        return fail(-rc);
    }
    return 0;
}

int shm_region_open(struct shm_region *r, const char *name, size_t min_size)
{
    if (r == NULL || !name_ok(name))
        return fail(EINVAL);
    int fd = shm_open(name, O_RDWR | O_CLOEXEC, 0);
    if (fd == -1)
        return fail(errno);
    struct stat st;
    if (fstat(fd, &st) == -1) {
        int err = errno;
        close(fd);
        return fail(err);
    }
    /* Map no more than the object has: past its end lies SIGBUS. */
    if (st.st_size <= 0 || (uintmax_t)st.st_size < min_size) {
        close(fd);
        return fail(EPROTO);
    }
    return map_and_close(r, fd, (size_t)st.st_size);
}

int shm_region_close(struct shm_region *r)
{
    if (r == NULL)
        return fail(EINVAL);
    if (r->addr != NULL && munmap(r->addr, r->size) == -1)
        return fail(errno);
    r->addr = NULL;
    r->size = 0;
    return 0;
}

int shm_region_unlink(const char *name)
{
    if (!name_ok(name))
        return fail(EINVAL);
    if (shm_unlink(name) == -1)
        return fail(errno);
    return 0;
}
