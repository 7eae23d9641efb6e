/**
 * @file
 * @brief Ring step 5 (exercise 08.1): batches, and zero-copy variable-size records.
 *
 * Step 4 still pays one release store (and, on the other core, one cache
 * miss on that index) per message, and copies every message twice: into the
 * ring and out of it. This step removes both costs:
 *
 * - <b>records</b>: the slots become a byte area of @c size bytes holding
 *   records of any length up to ring_max_len(): an 8-byte header holding the
 *   length, the payload, and padding to #RING_RECORD_ALIGN bytes. A record never wraps:
 *   when it does not fit before the end of the area, the producer writes a
 *   <em>padding record</em> (header #RING_PAD) that fills the rest of the area
 *   and puts the record at the start.
 * - <b>zero-copy</b>: the producer asks for space (ring_reserve()), writes its
 *   message there in place and publishes it (ring_commit()); the consumer
 *   looks at the next record in place (ring_peek()) and frees it when done
 *   (ring_release()). No copy in, no copy out.
 * - <b>batches</b>: ring_commit() publishes every record reserved since the
 *   last commit with one store, and ring_release() frees every record peeked
 *   since the last release with one store. The copying helpers
 *   ring_push_bulk() (all or nothing, like DPDK's bulk), ring_push_burst() (as
 *   many as fit, like DPDK's burst) and ring_pop_burst() do a batch per call.
 *
 * The lengths in the area come from the other process: ring_peek() checks
 * every one before using it, so a corrupt or hostile producer gets an error,
 * never a read outside the area.
 */
#ifndef IPC_RING_H
#define IPC_RING_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/** Alignment of each side's fields: two cache lines (see step 4). */
#define RING_ALIGN 128
/** Every record starts at a multiple of this: its header is aligned, and payloads can hold doubles. */
#define RING_RECORD_ALIGN 8
/** Bytes of the header before each payload: the length (uint32_t), then 4 bytes kept 0, so payloads are 8-byte aligned. */
#define RING_HEADER 8
/** Header value of a padding record: skip to the start of the area. */
#define RING_PAD UINT32_MAX
/** Smallest area: room for a padding record and a record. */
#define RING_MIN_SIZE 64
/** Largest area. */
#define RING_MAX_SIZE (UINT32_C(1) << 30)

/**
 * A ring of records in one block of shared memory of ring_bytes() bytes.
 *
 * Indices count bytes, free-running: byte i of the stream is at data[i & mask].
 */
struct ring {
    /** Bytes published by the producer; written only by the producer, once per commit. */
    alignas(RING_ALIGN) _Atomic uint32_t head;
    /**
     * End of the records reserved so far (>= head); producer only. It changes
     * on every reserve, so it has lines of its own: next to @c head, which the
     * consumer polls, each reserve would pull that line away from the consumer.
     */
    alignas(RING_ALIGN) uint32_t reserved;
    uint32_t tail_cache; /**< The producer's last copy of @c tail. */

    /** Bytes freed by the consumer; written only by the consumer, once per release. */
    alignas(RING_ALIGN) _Atomic uint32_t tail;
    /** End of the records peeked so far (>= tail); consumer only, on lines of its own. */
    alignas(RING_ALIGN) uint32_t peeked;
    uint32_t head_cache; /**< The consumer's last copy of @c head. */

    /** size - 1; with the fields below, read-mostly. */
    alignas(RING_ALIGN) uint32_t mask;
    uint32_t max_len;        /**< Largest payload: size / 2 - #RING_HEADER. */
    _Atomic uint32_t closed; /**< Non-zero once the producer called ring_close(). */

    /** The records: size bytes. */
    alignas(RING_ALIGN) unsigned char data[];
};

/**
 * @brief Bytes of shared memory a ring with an area of @p size bytes needs.
 * @param size the area: a power of two from #RING_MIN_SIZE to #RING_MAX_SIZE.
 * @return the size, or 0 if @p size is invalid.
 */
size_t ring_bytes(uint32_t size);

/**
 * @brief Make an empty, open ring; call it before either side starts.
 * @param r ring_bytes(size) bytes aligned to #RING_ALIGN.
 * @param size the area in bytes.
 * @return 0, or -EINVAL for a NULL or misaligned ring or an invalid size.
 */
int ring_init(struct ring *r, uint32_t size);

/**
 * @brief Largest payload one record can carry: half the area less the header.
 *
 * Half, so that a record always fits in an empty ring, padding included.
 * @param r the ring.
 * @return the limit in bytes.
 */
uint32_t ring_max_len(const struct ring *r);

/**
 * @brief Producer: reserve room for a record of @p len bytes, after those already reserved.
 *
 * Writes the record's header (and a padding record first if needed) but
 * publishes nothing: the consumer sees the record only after ring_commit().
 * Loads @c tail (into @c tail_cache) only when @c tail_cache says there is
 * not enough room, as in step 4.
 * @param r the ring.
 * @param len payload length, 0 to ring_max_len().
 * @param[out] payload where to write the payload: @p len bytes, aligned to
 *        #RING_RECORD_ALIGN.
 * @return 0; -EAGAIN if there is not enough free room now (nothing changes);
 *         -EMSGSIZE if @p len exceeds ring_max_len().
 */
int ring_reserve(struct ring *r, uint32_t len, void **payload);

/**
 * @brief Producer: publish every record reserved since the last commit, with one store.
 * @param r the ring.
 */
void ring_commit(struct ring *r);

/**
 * @brief Consumer: the next record after those already peeked, in place.
 *
 * Skips padding records. Validates the header before use: the record must
 * lie within what the producer published and within the area.
 * @param r the ring.
 * @param[out] payload the payload, valid until ring_release().
 * @param[out] len its length.
 * @return 0; -EAGAIN if no published record is left and the ring is open;
 *         -EPIPE if it is closed and every record was peeked (end of stream);
 *         -EBADMSG if a header is corrupt (length over the limit, or a record
 *         or padding reaching past the published bytes or the area's end).
 */
int ring_peek(struct ring *r, const void **payload, uint32_t *len);

/**
 * @brief Consumer: free every record peeked since the last release, with one store.
 *
 * Payload pointers from ring_peek() are invalid afterwards: the producer may
 * reuse the space at once.
 * @param r the ring.
 */
void ring_release(struct ring *r);

/**
 * @brief Producer: copy @p n messages in and commit them, all or nothing.
 * @param r the ring.
 * @param msgs the messages (base and length each).
 * @param n how many.
 * @return @p n; -EAGAIN if they do not all fit now (then none is pushed);
 *         -EMSGSIZE if one is longer than ring_max_len() (none is pushed).
 */
int ring_push_bulk(struct ring *r, const struct iovec *msgs, unsigned n);

/**
 * @brief Producer: copy in and commit as many of @p n messages as fit now, in order.
 * @param r the ring.
 * @param msgs the messages.
 * @param n how many.
 * @return how many were pushed (0 to @p n), or -EMSGSIZE if the first one
 *         that did not fit is longer than ring_max_len().
 */
int ring_push_burst(struct ring *r, const struct iovec *msgs, unsigned n);

/**
 * @brief Consumer: copy out up to @p n records and release them with one store.
 * @param r the ring.
 * @param msgs buffers: on entry iov_len is each buffer's size; on return,
 *        for the records copied, the record's length.
 * @param n how many buffers.
 * @return how many records were copied (1 to @p n; 0 if @p n is 0, and
 *         then nothing is copied or released); -EAGAIN if none is
 *         available; -EPIPE at the end of the stream; -EMSGSIZE if the next
 *         record does not fit its buffer (it stays in the ring); -EBADMSG if
 *         a header is corrupt. Records copied before an error are still
 *         released and counted: the error is reported by the next call.
 */
int ring_pop_burst(struct ring *r, struct iovec *msgs, unsigned n);

/**
 * @brief Producer: no more records. The consumer drains, then sees -EPIPE.
 *
 * Everything the producer wrote before the call, in the ring or in any other
 * memory the consumer can read (a trailer after the last record, say), is
 * visible to the consumer once it has seen -EPIPE: the close is a release,
 * and the consumer's look at @c closed an acquire.
 * @param r the ring.
 */
void ring_close(struct ring *r);

#endif
