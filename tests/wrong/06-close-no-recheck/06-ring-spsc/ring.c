/* Wrong on purpose (06.1): when the ring looks empty, try_pop reports the
 * end of stream as soon as it sees closed, trusting the head it read before.
 * The producer may push its last element and close between those two loads:
 * the element is then in the ring, and the consumer has stopped. Every other
 * ordering is right, so only that interleaving shows it.
 *
 * The orderings, in pairs:
 *   (P1) producer: store head, release   pairs with (C1) consumer: load head, acquire
 *        "the slot I filled is visible before the head that says it is full"
 *   (C2) consumer: store tail, release   pairs with (P2) producer: load tail, acquire
 *        "I finished copying out of the slot before the tail that says it is free"
 *   (P3) producer: store closed, release pairs with (C3) consumer: load closed, acquire
 *        "every head I published happens before the close"
 * An index a side reads back that only it writes needs no ordering: relaxed.
 */
#include "ring.h"

#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>

/* How many times to re-check before giving the CPU away. On 2 cores the peer
 * usually runs right now, so a short spin catches it without a system call;
 * past that, sched_yield() lets it run if it shares our core. */
enum { SPIN_LIMIT = 128 };

size_t ring_bytes(uint32_t capacity, uint32_t elem_size)
{
    if (capacity == 0 || capacity > RING_MAX_CAPACITY || (capacity & (capacity - 1)) != 0 ||
        elem_size == 0 || (size_t)elem_size > (SIZE_MAX - sizeof(struct ring)) / capacity)
        return 0;
    return sizeof(struct ring) + (size_t)capacity * elem_size;
}

int ring_init(struct ring *r, uint32_t capacity, uint32_t elem_size)
{
    if (r == NULL || ring_bytes(capacity, elem_size) == 0)
        return -EINVAL;
    /* Relaxed: nobody else uses the ring yet; fork() or thread creation
     * publishes these stores to the other side. */
    atomic_store_explicit(&r->head, 0, memory_order_relaxed);
    atomic_store_explicit(&r->tail, 0, memory_order_relaxed);
    atomic_store_explicit(&r->closed, 0, memory_order_relaxed);
    r->mask = capacity - 1;
    r->elem_size = elem_size;
    return 0;
}

/* Where index i lives. size_t: capacity * elem_size may not fit in 32 bits. */
static unsigned char *slot(struct ring *r, uint32_t i)
{
    return r->slots + (size_t)(i & r->mask) * r->elem_size;
}

int ring_try_push(struct ring *r, const void *elem)
{
    uint32_t head = atomic_load_explicit(&r->head, memory_order_relaxed); /* ours */
    uint32_t tail = atomic_load_explicit(&r->tail, memory_order_acquire); /* (P2) pairs with (C2) */
    if (head - tail == r->mask + 1)
        return -EAGAIN;
    memcpy(slot(r, head), elem, r->elem_size);
    atomic_store_explicit(&r->head, head + 1, memory_order_release); /* (P1) pairs with (C1) */
    return 0;
}

int ring_try_pop(struct ring *r, void *elem)
{
    uint32_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed); /* ours */
    uint32_t head = atomic_load_explicit(&r->head, memory_order_acquire); /* (C1) pairs with (P1) */
    if (head == tail) /* (C3) pairs with (P3), but head is the one read before closed */
        return atomic_load_explicit(&r->closed, memory_order_acquire) ? -EPIPE : -EAGAIN;
    /* Copy out first, free the slot after: (C2) pairs with (P2). */
    memcpy(elem, slot(r, tail), r->elem_size);
    atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
    return 0;
}

int ring_push(struct ring *r, const void *elem)
{
    for (unsigned spins = 0; ring_try_push(r, elem) == -EAGAIN; spins++)
        if (spins >= SPIN_LIMIT)
            sched_yield();
    return 0;
}

int ring_pop(struct ring *r, void *elem)
{
    int rc;
    for (unsigned spins = 0; (rc = ring_try_pop(r, elem)) == -EAGAIN; spins++)
        if (spins >= SPIN_LIMIT)
            sched_yield();
    return rc;
}

void ring_close(struct ring *r)
{
    atomic_store_explicit(&r->closed, 1, memory_order_release); /* (P3) pairs with (C3) */
}
