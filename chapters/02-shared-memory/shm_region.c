/* Exercise 02.1: see shm_region.h for the contract, and the chapter's README for hints. */
#include "shm_region.h"

#include <errno.h>

int shm_region_create(struct shm_region *r, const char *name, size_t size, mode_t mode)
{
    (void)r, (void)name, (void)size, (void)mode;
    /* TODO: check the arguments; shm_open(O_CREAT | O_EXCL | O_RDWR), ftruncate,
     * mmap(MAP_SHARED), close the descriptor; on failure undo what was done. */
    errno = ENOSYS;
    return -ENOSYS;
}

int shm_region_open(struct shm_region *r, const char *name, size_t min_size)
{
    (void)r, (void)name, (void)min_size;
    /* TODO: shm_open(O_RDWR), fstat for the size, check it, mmap, close. */
    errno = ENOSYS;
    return -ENOSYS;
}

int shm_region_close(struct shm_region *r)
{
    (void)r;
    /* TODO: munmap, then zero *r. */
    errno = ENOSYS;
    return -ENOSYS;
}

int shm_region_unlink(const char *name)
{
    (void)name;
    /* TODO: shm_unlink. */
    errno = ENOSYS;
    return -ENOSYS;
}
