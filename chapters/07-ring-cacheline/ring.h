/**
 * @file
 * @brief Ring step 4 (exercise 07.1): cache-line separation and cached indices.
 *
 * Step 3's ring is correct, but @c head and @c tail share one cache line,
 * and every push and pop reads the other side's index. Each of those reads
 * pulls the line over from the other core (tens of nanoseconds), and each
 * store sends it back: the two cores spend their time passing one line to
 * and fro. Two changes stop that:
 *
 * - <b>separation</b>: the producer's fields, the consumer's fields and the
 *   read-only fields each get cache lines of their own, so a store by one
 *   side does not evict what the other side keeps reading (false sharing);
 * - <b>cached indices</b>: each side keeps a private copy of the other
 *   side's index and re-reads the real one only when the copy says "full"
 *   (producer) or "empty" (consumer). With a ring of N slots that is about
 *   one read of the other side's line per N operations instead of one per
 *   operation (the idea of rigtorp's SPSCQueue and of MCRingBuffer).
 *
 * The API is step 3's; only struct ring and the inside of the functions change.
 */
#ifndef IPC_RING_H
#define IPC_RING_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/** Largest capacity: head - tail must be able to hold every count from 0 to capacity. */
#define RING_MAX_CAPACITY (UINT32_C(1) << 31)

/**
 * Alignment of each side's fields: two 64-byte cache lines, because x86's
 * adjacent-line prefetcher fetches lines in pairs, so neighbours 64 bytes
 * apart can still disturb each other.
 */
#define RING_ALIGN 128

/**
 * A ring and its slots in one block of shared memory of ring_bytes() bytes.
 *
 * The fields are public so the tests can start the indices anywhere, and
 * check that each side uses its cached copy.
 */
struct ring {
    /** Next slot to write; written only by the producer, on its own lines. */
    alignas(RING_ALIGN) _Atomic uint32_t head;
    /** The producer's copy of @c tail: the last value it loaded. Only the producer uses it. */
    uint32_t tail_cache;

    /** Next slot to read; written only by the consumer, on its own lines. */
    alignas(RING_ALIGN) _Atomic uint32_t tail;
    /** The consumer's copy of @c head: the last value it loaded. Only the consumer uses it. */
    uint32_t head_cache;

    /** capacity - 1; with @c elem_size and @c closed, read-mostly, on lines of their own. */
    alignas(RING_ALIGN) uint32_t mask;
    uint32_t elem_size;      /**< Size of one element; set by ring_init(), then read-only. */
    _Atomic uint32_t closed; /**< Non-zero once the producer called ring_close(). */

    /** capacity * elem_size bytes; slot i at (i & mask) * elem_size. */
    alignas(RING_ALIGN) unsigned char slots[];
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
 * @param r at least ring_bytes(capacity, elem_size) bytes, aligned to #RING_ALIGN
 *        (mmap() gives page alignment).
 * @param capacity number of slots, a power of two.
 * @param elem_size size of one element.
 * @return 0 (with both indices and both cached copies 0), or -EINVAL for a
 *         NULL or misaligned ring or invalid sizes.
 */
int ring_init(struct ring *r, uint32_t capacity, uint32_t elem_size);

/**
 * @brief Producer: copy one element in if there is room; never waits.
 *
 * Loads @c tail (into @c tail_cache) only when @c tail_cache says the ring is
 * full; as long as the cached copy shows room, the consumer's line is not touched.
 * @param r the ring.
 * @param elem @c elem_size bytes.
 * @return 0, or -EAGAIN if the ring is full.
 */
int ring_try_push(struct ring *r, const void *elem);

/**
 * @brief Consumer: copy the oldest element out if there is one; never waits.
 *
 * Loads @c head (into @c head_cache) only when @c head_cache says the ring is empty.
 * @param r the ring.
 * @param elem where to copy @c elem_size bytes.
 * @return 0; -EAGAIN if the ring is empty and open; -EPIPE if it is empty
 *         and closed (end of stream, after every element was popped).
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
