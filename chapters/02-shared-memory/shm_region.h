/**
 * @file shm_region.h
 * @brief Exercise 02.1: a POSIX shared-memory region: create, open, close, unlink.
 *
 * A POSIX shared-memory object is a file that lives in memory (Linux shows
 * them in /dev/shm). Three calls make one usable: shm_open() names it,
 * ftruncate() gives it a size, mmap() puts it in the address space. This
 * exercise wraps them so that every later exercise gets a region in one call,
 * with the details right: exclusive creation, owner-only permissions, a size
 * checked before the memory is touched, no leaked descriptor, and an error
 * value, never a crash, when anything fails.
 *
 * Names follow shm_open(3): a '/', then 1 to 254 characters none of which is
 * '/', e.g. "/ipc-labs-4242".
 *
 * Errors: every function returns 0 (or a size) on success and a negative
 * errno value on failure, -EEXIST for example, and also leaves that error in
 * errno (positive), even after cleaning up: a clean-up call such as close()
 * or shm_unlink() may itself change errno, so save it first.
 */
#ifndef IPC_SHM_REGION_H
#define IPC_SHM_REGION_H

#include <stddef.h>
#include <sys/types.h>

/** A mapped shared-memory region. All zero when not mapped. */
struct shm_region {
    void *addr;  /**< start of the mapping (page-aligned), NULL when not mapped */
    size_t size; /**< its size in bytes: what was created, or the object's size when opened */
};

/**
 * @brief Creates a new shared-memory object and maps it, read-write and shared.
 *
 * The object must not exist yet (O_EXCL): silently reusing an object some
 * other program left behind would mix its stale data, and its owner's
 * permissions, into ours. The object gets exactly @p size bytes, all zero.
 * If a step after shm_open() fails, the object is unlinked again so that
 * nothing is left in /dev/shm, and no file descriptor is left open (the
 * mapping does not need one).
 *
 * @param[out] r receives the mapping; untouched on failure.
 * @param name the object's name, "/something" (see the file's description).
 * @param size its size in bytes, > 0.
 * @param mode permission bits for the new object; 0 means 0600 (owner only).
 * @return 0 on success; -EINVAL for a NULL @p r, a bad name or a size of 0;
 *         -EEXIST if the object exists; otherwise the negative errno of the
 *         call that failed (shm_open, ftruncate, mmap).
 */
int shm_region_create(struct shm_region *r, const char *name, size_t size, mode_t mode);

/**
 * @brief Opens an existing shared-memory object and maps all of it, read-write and shared.
 *
 * The object's size is taken from fstat(), never trusted from the caller: a
 * mapping longer than the object would raise SIGBUS on the first access past
 * its end. An object smaller than @p min_size (including one created but not
 * yet sized, of size 0) is refused before anything is mapped.
 *
 * @param[out] r receives the mapping; r->size is the object's whole size. Untouched on failure.
 * @param name the object's name.
 * @param min_size the fewest bytes the caller needs; 0 accepts any non-empty object.
 * @return 0 on success; -EINVAL for a NULL @p r or a bad name; -ENOENT if
 *         there is no such object; -EPROTO if it is smaller than @p min_size
 *         or empty; otherwise the negative errno of the call that failed.
 */
int shm_region_open(struct shm_region *r, const char *name, size_t min_size);

/**
 * @brief Unmaps a region and zeroes @p r. The object itself stays (see shm_region_unlink()).
 * @param r a region from shm_region_create() or shm_region_open(); closing an
 *        all-zero region does nothing and succeeds.
 * @return 0 on success; -EINVAL for a NULL @p r; the negative errno of munmap() otherwise.
 */
int shm_region_close(struct shm_region *r);

/**
 * @brief Removes an object's name. Processes that have it mapped keep their
 * memory; it is freed when the last mapping goes.
 * @param name the object's name.
 * @return 0 on success; -EINVAL for a bad name; -ENOENT if there is no such object.
 */
int shm_region_unlink(const char *name);

#endif
