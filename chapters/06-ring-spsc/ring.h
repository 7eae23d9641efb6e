/**
 * @file
 * @brief Ring step 3 (exercise 06.1): a lock-free single-producer/single-consumer ring.
 *
 * Step 2's lock is gone. Only the producer ever writes @c head and only the
 * consumer ever writes @c tail, so neither index needs a lock: each side
 * reads the other's index to know how far it may go, and publishes its own
 * with a C11 atomic store. What makes it correct is memory ordering: the
 * producer's copy into a slot must become visible before the @c head that
 * says the slot is full (a release store, paired with the consumer's acquire
 * load), and the consumer's copy out of a slot must be finished before the
 * @c tail that says the slot is free (a release store, paired with the
 * producer's acquire load).
 *
 * One producer and one consumer only: two producers would both read the same
 * @c head and write the same slot.
 */
#ifndef IPC_RING_H
#define IPC_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/** Largest capacity: head - tail must be able to hold every count from 0 to capacity. */
#define RING_MAX_CAPACITY (UINT32_C(1) << 31)

/**
 * A ring and its slots in one block of shared memory of ring_bytes() bytes.
 *
 * The fields are public so the tests can start the indices anywhere.
 */
struct ring {
    _Atomic uint32_t head;   /**< Next slot to write; written only by the producer. */
    _Atomic uint32_t tail;   /**< Next slot to read; written only by the consumer. */
    _Atomic uint32_t closed; /**< Non-zero once the producer called ring_close(). */
    uint32_t mask;           /**< capacity - 1; set by ring_init(), then read-only. */
    uint32_t elem_size;      /**< Size of one element; set by ring_init(), then read-only. */
    unsigned char slots[];   /**< capacity * elem_size bytes; slot i at (i & mask) * elem_size. */
};

/**
 * @brief Bytes of shared memory a ring needs: the header and its slots.
 * @param capacity number of slots: a power of two, from 1 to #RING_MAX_CAPACITY.
 * @param elem_size size of one element, at least 1.
 * @return the size, or 0 if the arguments are invalid or the size overflows.
 */
size_t ring_bytes(uint32_t capacity, uint32_t elem_size);

/**
 * @brief Make an empty, open ring; call it before either side starts.
 *
 * Whatever the memory held before (an old ring, any bytes at all), the ring
 * is empty and open afterwards.
 * @param r at least ring_bytes(capacity, elem_size) bytes.
 * @param capacity number of slots, a power of two.
 * @param elem_size size of one element.
 * @return 0, or -EINVAL for a NULL ring or invalid sizes.
 */
int ring_init(struct ring *r, uint32_t capacity, uint32_t elem_size);

/**
 * @brief Producer: copy one element in if there is room; never waits.
 * @param r the ring.
 * @param elem @c elem_size bytes.
 * @return 0, or -EAGAIN if the ring is full.
 */
int ring_try_push(struct ring *r, const void *elem);

/**
 * @brief Consumer: copy the oldest element out if there is one; never waits.
 * @param r the ring.
 * @param elem where to copy @c elem_size bytes.
 * @return 0; -EAGAIN if the ring is empty and open; -EPIPE if it is empty
 *         and closed (end of stream: every element pushed before
 *         ring_close() has been popped).
 */
int ring_try_pop(struct ring *r, void *elem);

/**
 * @brief Producer: copy one element in, spinning and then yielding while full.
 * @param r the ring.
 * @param elem @c elem_size bytes.
 * @return 0.
 */
int ring_push(struct ring *r, const void *elem);

/**
 * @brief Consumer: copy the oldest element out, spinning and then yielding while empty.
 * @param r the ring.
 * @param elem where to copy @c elem_size bytes.
 * @return 0, or -EPIPE at the end of the stream (closed and drained).
 */
int ring_pop(struct ring *r, void *elem);

/**
 * @brief Producer: no more elements. The consumer drains, then sees -EPIPE.
 *
 * Everything the producer wrote before the call, in the ring or in any other
 * memory the consumer can read (a trailer after the last element, say), is
 * visible to the consumer once it has seen -EPIPE: the close is a release,
 * and the consumer's look at @c closed an acquire.
 * @param r the ring.
 */
void ring_close(struct ring *r);

#endif
