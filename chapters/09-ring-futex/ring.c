/* Exercise 09.1: see ring.h for the contract, and the chapter's README for hints.
 * This is step 5's answer; the TODOs are sleeping (futex and waiter flags)
 * and noticing a peer that closed or died.
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
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

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
    /* TODO: clear the waiter flags and the two pids too. */
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
    if (len > r->max_len)
        return -EMSGSIZE;
    uint32_t size = r->mask + 1, at = r->reserved;
    uint32_t need = round_up(RING_HEADER + len);
    uint32_t to_end = size - (at & r->mask);
    uint32_t pad = need > to_end ? to_end : 0; /* a record never wraps */

    if (at + pad + need - r->tail_cache > size) {
        /* Not enough room by our old copy of tail: only now look at the real one. */
        r->tail_cache = atomic_load_explicit(&r->tail, memory_order_acquire); /* (P2) pairs with (C2) */
        if (at + pad + need - r->tail_cache > size)
            return -EAGAIN;
    }
    if (pad != 0) {
        put_header(r, at, RING_PAD); /* to_end >= 8: records are 8-aligned */
        at += pad;
    }
    put_header(r, at, len);
    *payload = r->data + (at & r->mask) + RING_HEADER;
    r->reserved = at + need;
    return 0;
}

void ring_commit(struct ring *r)
{
    atomic_store_explicit(&r->head, r->reserved, memory_order_release); /* (P1) pairs with (C1) */
    /* TODO: if the consumer's waiter flag is set, wake it: FUTEX_WAKE on head
     * (syscall(SYS_futex, ...)). Make the store above and the load of the flag
     * seq_cst, paired with the sleeper's, or a wake-up can be lost. */
}

int ring_peek(struct ring *r, const void **payload, uint32_t *len)
{
    uint32_t size = r->mask + 1;
    for (;;) {
        uint32_t at = r->peeked;
        if (r->head_cache == at) {
            r->head_cache = atomic_load_explicit(&r->head, memory_order_acquire); /* (C1) pairs with (P1) */
            if (r->head_cache == at) {
                /* (C3) pairs with (P3); then head once more, for records
                 * committed just before the close. */
                if (!atomic_load_explicit(&r->closed, memory_order_acquire))
                    return -EAGAIN;
                r->head_cache = atomic_load_explicit(&r->head, memory_order_acquire);
                if (r->head_cache == at)
                    return -EPIPE;
            }
        }
        /* Everything below comes from the other process: check, then use. */
        uint32_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed); /* ours */
        uint32_t avail = r->head_cache - at;
        uint32_t off = at & r->mask, to_end = size - off;
        if (r->head_cache - tail > size || avail > r->head_cache - tail || avail < RING_HEADER ||
            off % RING_RECORD_ALIGN != 0)
            return -EBADMSG; /* more published than the area holds, or head behind us */
        uint32_t hdr;
        memcpy(&hdr, r->data + off, sizeof hdr);
        if (hdr == RING_PAD) {
            if (to_end > avail)
                return -EBADMSG; /* padding past what was published */
            r->peeked = at + to_end;
            continue;
        }
        if (hdr > r->max_len)
            return -EBADMSG;
        uint32_t need = round_up(RING_HEADER + hdr);
        if (need > avail || need > to_end)
            return -EBADMSG; /* past the published bytes, or past the end of the area */
        *payload = r->data + off + RING_HEADER;
        *len = hdr;
        r->peeked = at + need;
        return 0;
    }
}

void ring_release(struct ring *r)
{
    /* Every read of the peeked records is done before this store: (C2) pairs with (P2). */
    atomic_store_explicit(&r->tail, r->peeked, memory_order_release);
    /* TODO: the same for a sleeping producer: FUTEX_WAKE on tail. */
}

int ring_push_burst(struct ring *r, const struct iovec *msgs, unsigned n)
{
    unsigned i;
    int rc = 0;
    for (i = 0; i < n; i++) {
        void *p;
        if ((rc = ring_reserve(r, (uint32_t)(msgs[i].iov_len > UINT32_MAX ? UINT32_MAX : msgs[i].iov_len),
                               &p)) != 0)
            break;
        memcpy(p, msgs[i].iov_base, msgs[i].iov_len);
    }
    if (i > 0)
        ring_commit(r); /* one store for the whole batch */
    if (rc == -EMSGSIZE && i == 0)
        return -EMSGSIZE;
    return (int)i;
}

int ring_push_bulk(struct ring *r, const struct iovec *msgs, unsigned n)
{
    uint32_t undo = r->reserved;
    for (unsigned i = 0; i < n; i++) {
        void *p;
        int rc = ring_reserve(r, (uint32_t)(msgs[i].iov_len > UINT32_MAX ? UINT32_MAX : msgs[i].iov_len), &p);
        if (rc != 0) {
            /* Nothing was published: forgetting the reservations undoes them. */
            r->reserved = undo;
            return rc;
        }
        memcpy(p, msgs[i].iov_base, msgs[i].iov_len);
    }
    ring_commit(r);
    return (int)n;
}

int ring_pop_burst(struct ring *r, struct iovec *msgs, unsigned n)
{
    unsigned i;
    int rc = 0;
    for (i = 0; i < n; i++) {
        const void *p;
        uint32_t len, before = r->peeked;
        if ((rc = ring_peek(r, &p, &len)) != 0)
            break;
        if (len > msgs[i].iov_len) {
            r->peeked = before; /* leave it in the ring for a bigger buffer */
            rc = -EMSGSIZE;
            break;
        }
        memcpy(msgs[i].iov_base, p, len);
        msgs[i].iov_len = len;
    }
    if (i > 0) {
        ring_release(r); /* one store for the whole batch */
        return (int)i;
    }
    return rc;
}

void ring_close(struct ring *r)
{
    atomic_store_explicit(&r->closed, 1, memory_order_release); /* (P3) pairs with (C3) */
    /* TODO: wake a sleeping consumer, so it sees the close. */
}

int ring_attach(struct ring *r, enum ring_side side)
{
    (void)r, (void)side;
    /* TODO: store getpid() in prod_pid or cons_pid. */
    return -ENOSYS;
}

int ring_reserve_wait(struct ring *r, uint32_t len, void **payload)
{
    (void)r, (void)len, (void)payload;
    /* TODO: ring_reserve; while -EAGAIN: commit what is reserved, spin a few
     * thousand times, then sleep: set prod_waiting (seq_cst), and if tail still
     * equals tail_cache, FUTEX_WAIT on tail with a RING_LIVENESS_MS timeout;
     * clear the flag. After a timeout, check the consumer is alive
     * (pidfd_open + poll: a zombie counts as dead): -EOWNERDEAD if not. */
    return -ENOSYS;
}

int ring_peek_wait(struct ring *r, const void **payload, uint32_t *len)
{
    (void)r, (void)payload, (void)len;
    /* TODO: the mirror image on head, with cons_waiting; release what was
     * peeked before waiting. A dead producer: one last ring_peek, then
     * -EOWNERDEAD. */
    return -ENOSYS;
}
