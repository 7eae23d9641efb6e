/* Exercise 08.1: see ring.h for the contract, and the chapter's README for hints.
 * Step 4's ring becomes a ring of variable-size records: the geometry
 * (ring_bytes, ring_init, ring_max_len) and the header helper are done; the
 * TODOs are reserve/commit, peek/release, and the batch helpers.
 *
 * The orderings are step 4's, now per batch instead of per message:
 *   (P1) ring_commit: store head, release   pairs with (C1) refresh of head_cache, acquire
 *        "every record I reserved and wrote is visible before the head that publishes it"
 *   (C2) ring_release: store tail, release  pairs with (P2) refresh of tail_cache, acquire
 *        "I am done reading every record I peeked before the tail that frees them"
 *   (P3) ring_close: store closed, release  pairs with (C3) load of closed, acquire
 *
 * Nothing the consumer reads from the area is trusted: a header's length is
 * checked against the limit, the published bytes and the area's end before
 * the payload is touched.
 */
#include "ring.h"

#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>

static uint32_t round_up(uint32_t n)
{
    return (n + RING_RECORD_ALIGN - 1) & ~(uint32_t)(RING_RECORD_ALIGN - 1);
}

size_t ring_bytes(uint32_t size)
{
    if (size < RING_MIN_SIZE || size > RING_MAX_SIZE || (size & (size - 1)) != 0)
        return 0;
    return sizeof(struct ring) + size;
}

int ring_init(struct ring *r, uint32_t size)
{
    if (r == NULL || (uintptr_t)r % RING_ALIGN != 0 || ring_bytes(size) == 0)
        return -EINVAL;
    /* Relaxed: nobody else uses the ring yet; fork() or thread creation
     * publishes these stores to the other side. */
    atomic_store_explicit(&r->head, 0, memory_order_relaxed);
    atomic_store_explicit(&r->tail, 0, memory_order_relaxed);
    atomic_store_explicit(&r->closed, 0, memory_order_relaxed);
    r->tail_cache = r->reserved = 0;
    r->head_cache = r->peeked = 0;
    r->mask = size - 1;
    r->max_len = size / 2 - RING_HEADER;
    return 0;
}

uint32_t ring_max_len(const struct ring *r)
{
    return r->max_len;
}

static void put_header(struct ring *r, uint32_t at, uint32_t value)
{
    uint32_t hdr[2] = {value, 0};
    memcpy(r->data + (at & r->mask), hdr, sizeof hdr);
}

int ring_reserve(struct ring *r, uint32_t len, void **payload)
{
    (void)r, (void)len, (void)payload, (void)put_header, (void)round_up;
    /* TODO: -EMSGSIZE over max_len. The record takes round_up(RING_HEADER + len)
     * bytes at r->reserved; if that crosses the end of the area, a padding
     * record (put_header(r, at, RING_PAD)) takes the rest first. Check the room
     * against tail_cache, refreshing it from tail (acquire) only when short, as
     * in step 4. Write the header, hand out the payload, advance reserved.
     * Publish nothing. */
    return -ENOSYS;
}

void ring_commit(struct ring *r)
{
    (void)r;
    /* TODO: publish everything reserved with one release store of head. */
}

int ring_peek(struct ring *r, const void **payload, uint32_t *len)
{
    (void)r, (void)payload, (void)len;
    /* TODO: the record at r->peeked, refreshing head_cache (acquire) only when
     * it shows nothing, and -EAGAIN / -EPIPE as step 4's try_pop. The header
     * comes from the other process: check that head is at most one area ahead
     * of tail, that the length is <= max_len, and that the record (or padding)
     * ends within the published bytes and within the area: else -EBADMSG.
     * Skip padding records. Advance peeked, not tail. */
    return -ENOSYS;
}

void ring_release(struct ring *r)
{
    (void)r;
    /* TODO: free everything peeked with one release store of tail. */
}

int ring_push_burst(struct ring *r, const struct iovec *msgs, unsigned n)
{
    (void)r, (void)msgs, (void)n;
    /* TODO: reserve and copy while they fit, then one commit. */
    return -ENOSYS;
}

int ring_push_bulk(struct ring *r, const struct iovec *msgs, unsigned n)
{
    (void)r, (void)msgs, (void)n;
    /* TODO: all or nothing: if one reservation fails, put reserved back where
     * it was (nothing was published, so nothing else needs undoing). */
    return -ENOSYS;
}

int ring_pop_burst(struct ring *r, struct iovec *msgs, unsigned n)
{
    (void)r, (void)msgs, (void)n;
    /* TODO: peek and copy out up to n records, then one release. A record too
     * big for its buffer stays in the ring (put peeked back). */
    return -ENOSYS;
}

void ring_close(struct ring *r)
{
    atomic_store_explicit(&r->closed, 1, memory_order_release); /* (P3) pairs with (C3) */
}
