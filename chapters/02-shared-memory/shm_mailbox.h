/**
 * @file shm_mailbox.h
 * @brief Exercise 02.3: a one-message mailbox between processes, in shared memory.
 *
 * The smallest useful channel over shared memory: one slot. put() waits
 * while the slot is full, get() waits while it is empty, so a fast producer
 * can neither overwrite a message nor a fast consumer read one twice. It is
 * built from what exercise 02.2 taught, a process-shared, robust mutex and
 * condition variables (here two: one per thing to wait for), but written
 * directly with the pthread calls so that this exercise stands alone.
 *
 * The structure below is the whole protocol: both processes map it at the
 * same place in a shared region and must agree on its layout. Whatever is in
 * it may have been written by a buggy or dying peer: the receiving side
 * checks #shm_mailbox::full and #shm_mailbox::len before it trusts them.
 *
 * A process may die holding the mutex (the robust mutex then gives the next
 * locker EOWNERDEAD). Whoever locks it next carries on: it marks the mutex
 * consistent, empties the slot only if it fails those checks (put() sets
 * full last, so a slot marked full holds a whole message, which stays), and
 * wakes every process waiting in put() or get(), for the dead one may have
 * changed the slot without signalling. A mutex that cannot be locked at all
 * any more (ENOTRECOVERABLE) makes put() and get() return that error.
 *
 * Errors are negative errno values.
 */
#ifndef IPC_SHM_MAILBOX_H
#define IPC_SHM_MAILBOX_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

/** The largest message a mailbox holds, in bytes. */
#define SHM_MAILBOX_MAX 256

/** A one-slot mailbox; lives in memory that every user has mapped MAP_SHARED. */
struct shm_mailbox {
    pthread_mutex_t mutex;      /**< guards everything below; process-shared, robust */
    pthread_cond_t not_empty;   /**< signalled when a message is put */
    pthread_cond_t not_full;    /**< signalled when the message is taken */
    uint32_t full;              /**< 1 while the slot holds a message, 0 when empty; anything else is corrupt */
    uint32_t len;               /**< length of the message in data, at most #SHM_MAILBOX_MAX */
    unsigned char data[SHM_MAILBOX_MAX]; /**< the message */
};

/**
 * @brief Initialises an empty mailbox; once, in one process, before any other uses it.
 *
 * The mutex is PTHREAD_PROCESS_SHARED and PTHREAD_MUTEX_ROBUST; both
 * condition variables are PTHREAD_PROCESS_SHARED and time out on
 * CLOCK_MONOTONIC.
 * @param mb the mailbox, in shared memory.
 * @return 0, -EINVAL for NULL, or the negated error of the pthread call that failed.
 */
int shm_mailbox_init(struct shm_mailbox *mb);

/**
 * @brief Puts a message, waiting as long as it takes while the slot is full.
 * @param mb the mailbox.
 * @param msg the message; may be NULL only when @p len is 0.
 * @param len its length, 0 to #SHM_MAILBOX_MAX.
 * @return 0 once the message is in the slot; -EINVAL for bad arguments;
 *         -EMSGSIZE if @p len is over #SHM_MAILBOX_MAX (nothing is put); another negative errno.
 */
int shm_mailbox_put(struct shm_mailbox *mb, const void *msg, size_t len);

/**
 * @brief shm_mailbox_put() that gives up after a while.
 *
 * The timeout covers the whole call: waking up early because of another
 * process (or spuriously) does not restart it.
 * @param mb the mailbox.
 * @param msg the message; may be NULL only when @p len is 0.
 * @param len its length, 0 to #SHM_MAILBOX_MAX.
 * @param timeout_ms the longest wait in milliseconds; 0 does not wait; negative waits forever.
 * @return as shm_mailbox_put(), and -ETIMEDOUT if the slot stayed full (the
 *         message in it is left as it is).
 */
int shm_mailbox_put_timed(struct shm_mailbox *mb, const void *msg, size_t len, long timeout_ms);

/**
 * @brief Takes the message, waiting as long as it takes while the slot is empty.
 *
 * Before copying, the slot is checked: if #shm_mailbox::full is neither 0
 * nor 1, or #shm_mailbox::len is over #SHM_MAILBOX_MAX, the message is
 * corrupt: it is discarded (the slot becomes empty) and -EPROTO returned,
 * without copying anything, so that the mailbox can go on being used.
 * @param mb the mailbox.
 * @param buf where to copy the message; may be NULL only when @p size is 0.
 * @param size the size of @p buf.
 * @return the message's length (0 to #SHM_MAILBOX_MAX); -EINVAL for bad
 *         arguments; -EMSGSIZE if the message is longer than @p size (it stays
 *         in the slot, so a larger buffer can take it); -EPROTO for a corrupt
 *         slot; another negative errno.
 */
int shm_mailbox_get(struct shm_mailbox *mb, void *buf, size_t size);

/**
 * @brief shm_mailbox_get() that gives up after a while.
 * @param mb the mailbox.
 * @param buf where to copy the message; may be NULL only when @p size is 0.
 * @param size the size of @p buf.
 * @param timeout_ms the longest wait in milliseconds, for the whole call; 0 does not wait; negative waits forever.
 * @return as shm_mailbox_get(), and -ETIMEDOUT if the slot stayed empty.
 */
int shm_mailbox_get_timed(struct shm_mailbox *mb, void *buf, size_t size, long timeout_ms);

/**
 * @brief Destroys the mutex and condition variables; only when no process uses the mailbox any more.
 * @param mb the mailbox.
 * @return 0, or a negative errno (-EINVAL for NULL).
 */
int shm_mailbox_destroy(struct shm_mailbox *mb);

#endif
