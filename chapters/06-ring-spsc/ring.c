/* Exercise 06.1: see ring.h for the contract, and the chapter's README for hints.
 * Step 2's ring without its lock: the TODOs are the C11 atomics that replace
 * it. Comment every memory order you choose with the operation it pairs with. */
#include "ring.h"

#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>

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
    /* TODO: no mutex or condition variables any more: store 0 into head, tail
     * and closed with atomic_store_explicit (which order, and why is it enough?). */
    r->mask = capacity - 1;
    r->elem_size = elem_size;
    return -ENOSYS; /* TODO: 0 */
}

/* Where index i lives. size_t: capacity * elem_size may not fit in 32 bits. */
static unsigned char *slot(struct ring *r, uint32_t i)
{
    return r->slots + (size_t)(i & r->mask) * r->elem_size;
}

int ring_try_push(struct ring *r, const void *elem)
{
    (void)r, (void)elem, (void)slot;
    /* TODO: load head (only the producer writes it) and tail (written by the
     * consumer: which order?); -EAGAIN if full; copy elem into slot(r, head);
     * then publish head + 1 so that the copy is visible before the new head. */
    return -ENOSYS;
}

int ring_try_pop(struct ring *r, void *elem)
{
    (void)r, (void)elem;
    /* TODO: load tail (ours) and head (the producer's); when empty: -EAGAIN,
     * or -EPIPE if closed and really nothing is left (look at head again after
     * seeing closed). Else copy out of slot(r, tail), and only then publish
     * tail + 1: that store frees the slot for the producer. */
    return -ENOSYS;
}

int ring_push(struct ring *r, const void *elem)
{
    (void)r, (void)elem;
    /* TODO: retry ring_try_push while -EAGAIN; after a short spin, sched_yield()
     * on each retry so a peer on the same core gets to run. */
    return -ENOSYS;
}

int ring_pop(struct ring *r, void *elem)
{
    (void)r, (void)elem;
    /* TODO: the same around ring_try_pop; return its 0 or -EPIPE. */
    return -ENOSYS;
}

void ring_close(struct ring *r)
{
    (void)r;
    /* TODO: set closed so that every head stored before it is seen first. */
}
