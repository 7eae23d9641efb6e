/* Exercise 02.3: see shm_mailbox.h for the contract, and the chapter's README for hints. */
#include "shm_mailbox.h"

#include <errno.h>

int shm_mailbox_init(struct shm_mailbox *mb)
{
    (void)mb;
    /* TODO: a robust, process-shared mutex; two process-shared condition
     * variables on CLOCK_MONOTONIC; an empty slot. */
    return -ENOSYS;
}

int shm_mailbox_put_timed(struct shm_mailbox *mb, const void *msg, size_t len, long timeout_ms)
{
    (void)mb, (void)msg, (void)len, (void)timeout_ms;
    /* TODO: check the arguments, compute the deadline once, lock, wait on
     * not_full while the slot is full, copy, mark full, signal not_empty, unlock. */
    return -ENOSYS;
}

int shm_mailbox_put(struct shm_mailbox *mb, const void *msg, size_t len)
{
    return shm_mailbox_put_timed(mb, msg, len, -1);
}

int shm_mailbox_get_timed(struct shm_mailbox *mb, void *buf, size_t size, long timeout_ms)
{
    (void)mb, (void)buf, (void)size, (void)timeout_ms;
    /* TODO: the mirror image of put, and check full and len before trusting them. */
    return -ENOSYS;
}

int shm_mailbox_get(struct shm_mailbox *mb, void *buf, size_t size)
{
    return shm_mailbox_get_timed(mb, buf, size, -1);
}

int shm_mailbox_destroy(struct shm_mailbox *mb)
{
    (void)mb;
    return -ENOSYS;
}
