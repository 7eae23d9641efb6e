/**
 * @file
 * @brief Ring step 6 (exercise 09.1): sleeping instead of spinning; closed and dead peers.
 *
 * Step 5's ring spins (and yields) while it has nothing to do, burning a
 * core. This step lets a side that waits <em>sleep</em> in the kernel, on the
 * other side's index itself, with futex(2):
 *
 * - FUTEX_WAIT on @c head puts the consumer to sleep only if @c head still has
 *   the value it saw, atomically, so a record committed in between is never
 *   slept through; the producer wakes it with FUTEX_WAKE on @c head.
 * - <b>waiter flags</b>: a side sets its flag before it sleeps, and the other
 *   side makes the wake-up system call only when the flag is set. While both
 *   sides are busy no system call happens at all.
 * - <b>adaptive</b>: a waiting side first spins a little (the other side is
 *   usually about to move), and sleeps only if that did not help.
 * - a sleeper wakes up every #RING_LIVENESS_MS to check that the other
 *   process is still alive, so a peer killed by SIGKILL, which cannot close
 *   the ring, is reported (-EOWNERDEAD) instead of waited on forever.
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
/** A sleeping side checks at least this often that the other process is alive. */
#define RING_LIVENESS_MS 100

/** Which side a process plays, for ring_attach(). */
enum ring_side {
    RING_PRODUCER, /**< The one process that reserves and commits. */
    RING_CONSUMER  /**< The one process that peeks and releases. */
};

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

    /** Non-zero while the consumer sleeps (or is about to) on @c head; on a line of its own. */
    alignas(RING_ALIGN) _Atomic uint32_t cons_waiting;
    /** Non-zero while the producer sleeps (or is about to) on @c tail. */
    _Atomic uint32_t prod_waiting;
    _Atomic int32_t prod_pid; /**< The producer's process id, from ring_attach(); 0 until then. */
    _Atomic int32_t cons_pid; /**< The consumer's process id, from ring_attach(); 0 until then. */

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
 *
 * Wakes the consumer (one futex system call) only if its waiter flag says
 * it sleeps.
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
 * Wakes the producer only if its waiter flag says it sleeps.
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
 * Wakes a sleeping consumer. Everything the producer wrote before the call,
 * in the ring or in any other memory the consumer can read (a trailer after
 * the last record, say), is visible to the consumer once it has seen -EPIPE:
 * the close is a release, and the consumer's look at @c closed an acquire.
 * @param r the ring.
 */
void ring_close(struct ring *r);

/**
 * @brief Record the calling process as one side of the ring, so the other side can check it is alive.
 * @param r the ring.
 * @param side which side the caller is.
 * @return 0, or -EINVAL for an unknown side.
 */
int ring_attach(struct ring *r, enum ring_side side);

/**
 * @brief Producer: ring_reserve(), waiting while there is no room.
 *
 * Commits what is reserved when more than a quarter of the ring is reserved
 * and uncommitted or the consumer sleeps, and before it waits (the consumer
 * could not see it otherwise); then spins briefly, then sleeps on @c tail
 * until the consumer releases space.
 * @param r the ring.
 * @param len payload length.
 * @param[out] payload where to write the payload.
 * @return 0; -EMSGSIZE if @p len exceeds ring_max_len(); -EOWNERDEAD if the
 *         consumer attached and its process has ended.
 */
int ring_reserve_wait(struct ring *r, uint32_t len, void **payload);

/**
 * @brief Consumer: ring_peek(), waiting while there is no record.
 *
 * Releases what was peeked when it is more than a quarter of the ring or the
 * producer sleeps, and before it waits (the producer may be waiting for that
 * room); then spins
 * briefly, then sleeps on @c head until a commit or a close. So a call may
 * free what earlier calls peeked: be done with a payload before the next call.
 * @param r the ring.
 * @param[out] payload the payload, valid until the next release.
 * @param[out] len its length.
 * @return 0; -EPIPE at the end of the stream (closed and drained);
 *         -EOWNERDEAD if the producer's process ended without closing, once
 *         every record it committed has been peeked; -EBADMSG for a corrupt header.
 */
int ring_peek_wait(struct ring *r, const void **payload, uint32_t *len);

#endif
