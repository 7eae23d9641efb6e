/**
 * @file
 * @brief Ring step 1 (exercise 04.1): a ring buffer in one process.
 *
 * A fixed number of slots of one size, used in a circle: the producer writes
 * at @c head, the consumer reads at @c tail. Both indices are
 * <em>free-running</em>: they only ever grow (and wrap from UINT32_MAX to 0),
 * and a slot is found by masking, @c index & @c mask. With a power-of-two
 * capacity the mask is one AND instruction, and @c head - @c tail is the
 * number of elements in the ring even after the indices wrap, because
 * unsigned subtraction is modulo 2^32. No slot is wasted to tell a full
 * ring from an empty one: empty is head == tail, full is head - tail == capacity.
 */
#ifndef IPC_RING_H
#define IPC_RING_H

#include <stdbool.h>
#include <stdint.h>

/** Largest capacity: head - tail must be able to hold every count from 0 to capacity. */
#define RING_MAX_CAPACITY (UINT32_C(1) << 31)

/**
 * A ring of @c mask + 1 slots of @c elem_size bytes each.
 *
 * The fields are public so the tests can start the indices anywhere, for
 * example just below UINT32_MAX to check the wrap-around.
 */
struct ring {
    uint32_t head;        /**< Index of the next slot to write; only push() changes it. */
    uint32_t tail;        /**< Index of the next slot to read; only pop() changes it. */
    uint32_t mask;        /**< capacity - 1; slot i is at (i & mask) * elem_size. */
    uint32_t elem_size;   /**< Size of one element in bytes. */
    unsigned char *slots; /**< The caller's storage: capacity * elem_size bytes. */
};

/**
 * @brief Make an empty ring over the caller's storage.
 * @param r the ring to initialise.
 * @param slots storage of at least @p capacity * @p elem_size bytes; the ring
 *        does not own it.
 * @param capacity number of slots: a power of two, from 1 to #RING_MAX_CAPACITY.
 * @param elem_size size of one element in bytes, at least 1.
 * @return 0, or -EINVAL if a pointer is NULL, @p capacity is not a power of
 *         two in range, or @p elem_size is 0. On success head == tail == 0.
 */
int ring_init(struct ring *r, void *slots, uint32_t capacity, uint32_t elem_size);

/**
 * @brief Copy one element into the ring.
 * @param r the ring.
 * @param elem @c elem_size bytes to copy in.
 * @return 0, or -EAGAIN if the ring is full (then nothing is written: an
 *         element already in the ring is never overwritten).
 */
int ring_push(struct ring *r, const void *elem);

/**
 * @brief Copy the oldest element out of the ring and remove it.
 * @param r the ring.
 * @param elem where to copy @c elem_size bytes.
 * @return 0, or -EAGAIN if the ring is empty (then @p elem is left untouched).
 */
int ring_pop(struct ring *r, void *elem);

/**
 * @brief Number of elements in the ring.
 * @param r the ring.
 * @return head - tail, between 0 and the capacity, whatever the indices' values.
 */
uint32_t ring_size(const struct ring *r);

/**
 * @brief Whether the ring holds no element.
 * @param r the ring.
 * @return true if a pop() now would return -EAGAIN.
 */
bool ring_empty(const struct ring *r);

/**
 * @brief Whether the ring has no free slot.
 * @param r the ring.
 * @return true if a push() now would return -EAGAIN.
 */
bool ring_full(const struct ring *r);

#endif
