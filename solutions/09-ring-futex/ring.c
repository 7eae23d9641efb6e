/* Exercise 09.1, answer: see ring.h for the contract.
 *
 * The orderings are step 5's:
 *   (P1) ring_commit: store head, release   pairs with (C1) refresh of head_cache, acquire
 *        "every record I reserved and wrote is visible before the head that publishes it"
 *   (C2) ring_release: store tail, release  pairs with (P2) refresh of tail_cache, acquire
 *        "I am done reading every record I peeked before the tail that frees them"
 *   (P3) ring_close: store closed, release  pairs with (C3) load of closed, acquire
 *
 * New in this step, sleeping. A side about to sleep sets its waiter flag,
 * then looks at the other side's index once more; the other side stores its
 * index, then looks at the flag. Both are a store followed by a load of
 * another variable: the one reordering x86 does (the store waits in the
 * store buffer while the load goes ahead). Making all four operations
 * seq_cst forbids it: they take places in one total order, so
 *   (S1) sleeper: store flag, seq_cst; load index, seq_cst   pairs with
 *   (S2) waker:   store index, seq_cst; load flag, seq_cst
 * and at least one side sees the other's store: either the sleeper sees the
 * new index and does not sleep, or the waker sees the flag and wakes it.
 * (On x86 a seq_cst store is an xchg, a full barrier: one per batch.)
 * FUTEX_WAIT itself re-checks the index in the kernel, atomically, so a store
 * between our last look and the sleep makes the wait return at once.
 *
 * Nothing the consumer reads from the area is trusted: a header's length is
 * checked against the limit, the published bytes and the area's end before
 * the payload is touched.
 */
#include "ring.h"

#include <stdbool.h>

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

/* Re-checks before sleeping: about the time a peer on the other core takes
 * to move its index, a few microseconds. Sleeping costs two system calls and
 * a context switch on each side; spinning this long is cheaper. */
enum { SPIN_LIMIT = 2000 };

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
    atomic_store_explicit(&r->cons_waiting, 0, memory_order_relaxed);
    atomic_store_explicit(&r->prod_waiting, 0, memory_order_relaxed);
    atomic_store_explicit(&r->prod_pid, 0, memory_order_relaxed);
    atomic_store_explicit(&r->cons_pid, 0, memory_order_relaxed);
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

/* The index word as the futex system call sees it: a plain 32-bit int. */
static uint32_t *futex_word(_Atomic uint32_t *index)
{
    return (uint32_t *)index;
}

static void futex_wake(_Atomic uint32_t *index)
{
    syscall(SYS_futex, futex_word(index), FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/* Sleeps while *index == seen, at most RING_LIVENESS_MS. Not FUTEX_PRIVATE:
 * the word is in memory shared between processes. True if the time ran out. */
static bool futex_wait(_Atomic uint32_t *index, uint32_t seen)
{
    struct timespec t = {0, RING_LIVENESS_MS * 1000000L};
    return syscall(SYS_futex, futex_word(index), FUTEX_WAIT, seen, &t, NULL, 0) == -1 &&
           errno == ETIMEDOUT;
}

/* Store our index, then wake the other side if its flag says it sleeps. (S2) */
static void publish(_Atomic uint32_t *index, uint32_t value, _Atomic uint32_t *flag)
{
    /* seq_cst includes release: (P1)/(C2) still pair with the acquire loads. */
    atomic_store_explicit(index, value, memory_order_seq_cst);       /* (S2) pairs with (S1) */
    if (atomic_load_explicit(flag, memory_order_seq_cst))
        futex_wake(index);
}

void ring_commit(struct ring *r)
{
    publish(&r->head, r->reserved, &r->cons_waiting); /* (P1) pairs with (C1) */
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
    publish(&r->tail, r->peeked, &r->prod_waiting);
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
    /* (P3) pairs with (C3); seq_cst as in publish(), so a sleeper either
     * sees closed or is woken (it sleeps on head, which did not change). */
    atomic_store_explicit(&r->closed, 1, memory_order_seq_cst);
    if (atomic_load_explicit(&r->cons_waiting, memory_order_seq_cst))
        futex_wake(&r->head);
}

int ring_attach(struct ring *r, enum ring_side side)
{
    if (side != RING_PRODUCER && side != RING_CONSUMER)
        return -EINVAL;
    atomic_store_explicit(side == RING_PRODUCER ? &r->prod_pid : &r->cons_pid, (int32_t)getpid(),
                          memory_order_relaxed);
    return 0;
}

/* Whether the process that attached as the other side has ended. A pidfd
 * becomes readable when its process exits, even before it is reaped: a
 * killed child that is still a zombie counts as dead, which kill(pid, 0)
 * would not tell. The pid is read from shared memory: anything not a
 * plausible pid means "not attached", never a reason to wait forever. */
static bool peer_dead(_Atomic int32_t *pid_field)
{
    int32_t pid = atomic_load_explicit(pid_field, memory_order_relaxed);
    if (pid <= 0 || pid == getpid())
        return false;
    int fd = pidfd_open((pid_t)pid, 0);
    if (fd == -1)
        return errno == ESRCH;
    struct pollfd p = {fd, POLLIN, 0};
    int n = poll(&p, 1, 0);
    close(fd);
    return n == 1;
}

/* Sleep on *index while it equals seen and the ring is open: the sleeper's
 * half of (S1). True if it slept the whole RING_LIVENESS_MS: time to check
 * that the peer is still alive. */
static bool sleep_on(struct ring *r, _Atomic uint32_t *index, uint32_t seen, _Atomic uint32_t *flag)
{
    bool timed_out = false;
    atomic_store_explicit(flag, 1, memory_order_seq_cst); /* (S1) pairs with (S2) */
    if (atomic_load_explicit(index, memory_order_seq_cst) == seen &&
        !atomic_load_explicit(&r->closed, memory_order_seq_cst))
        timed_out = futex_wait(index, seen);
    atomic_store_explicit(flag, 0, memory_order_relaxed);
    return timed_out;
}

int ring_reserve_wait(struct ring *r, uint32_t len, void **payload)
{
    /* Publish in batches of at most a quarter of the ring, so the consumer
     * has work while we fill the rest; at once if it sleeps waiting for us. */
    if (r->reserved - atomic_load_explicit(&r->head, memory_order_relaxed) > (r->mask + 1) / 4 ||
        atomic_load_explicit(&r->cons_waiting, memory_order_relaxed))
        ring_commit(r);
    int rc = ring_reserve(r, len, payload);
    if (rc != -EAGAIN)
        return rc;
    ring_commit(r); /* what we hold must get out, or the consumer may wait on us */
    for (unsigned spins = 0; (rc = ring_reserve(r, len, payload)) == -EAGAIN; spins++) {
        if (spins < SPIN_LIMIT)
            continue;
        if (sleep_on(r, &r->tail, r->tail_cache, &r->prod_waiting) && peer_dead(&r->cons_pid))
            return -EOWNERDEAD;
    }
    return rc;
}

int ring_peek_wait(struct ring *r, const void **payload, uint32_t *len)
{
    /* Free in batches of at most a quarter of the ring, so the producer
     * has room while we read the rest; at once if it sleeps waiting for room. */
    if (r->peeked - atomic_load_explicit(&r->tail, memory_order_relaxed) > (r->mask + 1) / 4 ||
        atomic_load_explicit(&r->prod_waiting, memory_order_relaxed))
        ring_release(r);
    int rc = ring_peek(r, payload, len);
    if (rc != -EAGAIN)
        return rc;
    ring_release(r); /* the producer may be waiting for this room */
    for (unsigned spins = 0; (rc = ring_peek(r, payload, len)) == -EAGAIN; spins++) {
        if (spins < SPIN_LIMIT)
            continue;
        /* A whole RING_LIVENESS_MS without a record: is the producer alive?
         * If it is dead, one last look, then report it. What it had reserved
         * but not committed is lost, never seen half-written. */
        if (sleep_on(r, &r->head, r->head_cache, &r->cons_waiting) && peer_dead(&r->prod_pid)) {
            rc = ring_peek(r, payload, len);
            return rc == -EAGAIN ? -EOWNERDEAD : rc;
        }
    }
    return rc;
}
