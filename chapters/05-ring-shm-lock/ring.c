/* Exercise 05.1: see ring.h for the contract, and the chapter's README for hints.
 * This is step 1's ring, moved into one block of shared memory; the TODOs
 * are the new idea: a process-shared lock, sleeping, and close(). */
#include "ring.h"

#include <errno.h>
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
    /* TODO: initialise r->lock, r->not_empty and r->not_full with attributes
     * set to PTHREAD_PROCESS_SHARED (pthread_mutexattr_setpshared,
     * pthread_condattr_setpshared); return the negated error of a call that fails. */
    r->head = 0;
    r->tail = 0;
    r->mask = capacity - 1;
    r->elem_size = elem_size;
    r->closed = false;
    return -ENOSYS; /* TODO: 0 once the lock and the condition variables are made */
}

/* Where index i lives. size_t: capacity * elem_size may not fit in 32 bits. */
static unsigned char *slot(struct ring *r, uint32_t i)
{
    return r->slots + (size_t)(i & r->mask) * r->elem_size;
}

int ring_push(struct ring *r, const void *elem)
{
    /* TODO: take r->lock; while the ring is full and not closed, wait on
     * not_full; if closed, unlock and return -EPIPE. After the copy, signal
     * not_empty and unlock. */
    if (r->head - r->tail == r->mask + 1)
        return -ENOSYS; /* TODO: sleep instead */
    memcpy(slot(r, r->head), elem, r->elem_size);
    r->head++;
    return 0;
}

int ring_pop(struct ring *r, void *elem)
{
    /* TODO: take r->lock; while the ring is empty and not closed, wait on
     * not_empty; closed and empty is the end of the stream: -EPIPE. After
     * the copy, signal not_full and unlock. */
    if (r->head == r->tail)
        return -ENOSYS; /* TODO: sleep instead, or -EPIPE once closed */
    memcpy(elem, slot(r, r->tail), r->elem_size);
    r->tail++;
    return 0;
}

void ring_close(struct ring *r)
{
    (void)r;
    /* TODO: under the lock, set closed and wake every sleeper on both sides. */
}

void ring_destroy(struct ring *r)
{
    (void)r;
    /* TODO: destroy the condition variables and the mutex. */
}
