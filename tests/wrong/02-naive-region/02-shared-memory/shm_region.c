/* Wrong on purpose (02.1): the first answer many people write. It reuses an
 * existing object (no O_EXCL) readable by everyone (0666), maps what the
 * caller asks for instead of what the object has, never closes the
 * descriptor, and returns -1 instead of the error. */
#include "shm_region.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

int shm_region_create(struct shm_region *r, const char *name, size_t size, mode_t mode)
{
    (void)mode;
    int fd = shm_open(name, O_CREAT | O_RDWR, 0666);
    if (fd == -1 || ftruncate(fd, (off_t)size) == -1)
        return -1;
    r->addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    r->size = size;
    return r->addr == MAP_FAILED ? -1 : 0;
}

int shm_region_open(struct shm_region *r, const char *name, size_t min_size)
{
    int fd = shm_open(name, O_RDWR, 0);
    if (fd == -1)
        return -1;
    r->addr = mmap(NULL, min_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    r->size = min_size;
    return r->addr == MAP_FAILED ? -1 : 0;
}

int shm_region_close(struct shm_region *r)
{
    return munmap(r->addr, r->size);
}

int shm_region_unlink(const char *name)
{
    return shm_unlink(name);
}
