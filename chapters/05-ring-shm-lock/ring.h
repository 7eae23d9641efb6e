/**
 * @file
 * @brief Ring step 2 (exercise 05.1): the ring in shared memory, with a lock.
 *
 * The ring of step 1 moves into memory that two processes map (an
 * shm_open() object, or an anonymous MAP_SHARED mapping made before fork()).
 * Everything the two processes share is inside struct ring, slots included,
 * because a pointer means nothing in the other process: it may map the
 * memory at another address. A process-shared mutex guards the indices;
 * two process-shared condition variables let a producer sleep while the
 * ring is full and a consumer sleep while it is empty.
 */
#ifndef IPC_RING_H
#define IPC_RING_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Largest capacity: head - tail must be able to hold every count from 0 to capacity. */
#define RING_MAX_CAPACITY (UINT32_C(1) << 31)

/**
 * A ring and its slots in one block of shared memory of ring_bytes() bytes.
 *
 * The fields are public so the tests can start the indices anywhere, for
 * example just below UINT32_MAX to check the wrap-around.
 */
struct ring {
    pthread_mutex_t lock;      /**< Guards every field below; process-shared. */
    pthread_cond_t not_empty;  /**< Signalled when an element arrives or the ring closes. */
    pthread_cond_t not_full;   /**< Signalled when a slot frees up or the ring closes. */
    uint32_t head;             /**< Index of the next slot to write (free-running). */
    uint32_t tail;             /**< Index of the next slot to read (free-running). */
    uint32_t mask;             /**< capacity - 1. */
    uint32_t elem_size;        /**< Size of one element in bytes. */
    bool closed;               /**< Set by ring_close(): no more pushes. */
    unsigned char slots[];     /**< capacity * elem_size bytes; slot i at (i & mask) * elem_size. */
};

/**
 * @brief Bytes of shared memory a ring needs: the header and its slots.
 * @param capacity number of slots: a power of two, from 1 to #RING_MAX_CAPACITY.
 * @param elem_size size of one element, at least 1.
 * @return the size to give ftruncate()/mmap(), or 0 if the arguments are
 *         invalid or the size would not fit in a size_t.
 */
size_t ring_bytes(uint32_t capacity, uint32_t elem_size);

/**
 * @brief Make an empty, open ring in shared memory.
 *
 * Call it once, in one process, before the other process uses the ring. The
 * mutex and the condition variables are made with PTHREAD_PROCESS_SHARED:
 * without it they are only guaranteed to work between threads of one process.
 * @param r at least ring_bytes(capacity, elem_size) bytes of shared memory.
 * @param capacity number of slots, a power of two.
 * @param elem_size size of one element.
 * @return 0; -EINVAL for a NULL ring or invalid sizes; or the error number
 *         (negated) of a pthread call that failed.
 */
int ring_init(struct ring *r, uint32_t capacity, uint32_t elem_size);

/**
 * @brief Copy one element in, sleeping while the ring is full.
 * @param r the ring.
 * @param elem @c elem_size bytes.
 * @return 0, or -EPIPE if the ring is closed (before or while waiting): then
 *         nothing is written.
 */
int ring_push(struct ring *r, const void *elem);

/**
 * @brief Copy the oldest element out, sleeping while the ring is empty.
 *
 * A closed ring still gives every element pushed before ring_close(); only
 * then does it report the end of the stream.
 * @param r the ring.
 * @param elem where to copy @c elem_size bytes.
 * @return 0, or -EPIPE when the ring is closed and empty (end of stream).
 */
int ring_pop(struct ring *r, void *elem);

/**
 * @brief Close the ring: no more pushes; wake every sleeper so it can see it.
 *
 * Either side may call it; closing twice is harmless.
 * @param r the ring.
 */
void ring_close(struct ring *r);

/**
 * @brief Destroy the mutex and condition variables, once nobody uses the ring.
 * @param r the ring.
 */
void ring_destroy(struct ring *r);

#endif
