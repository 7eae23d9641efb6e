/* Exercise 04.1: see ring.h for the contract, and the chapter's README for hints. */
#include "ring.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

int ring_init(struct ring *r, void *slots, uint32_t capacity, uint32_t elem_size)
{
    (void)r, (void)slots, (void)capacity, (void)elem_size;
    /* TODO: reject what ring.h says to reject (a power of two has exactly one bit set),
     * then set head = tail = 0, mask = capacity - 1, elem_size and slots. */
    return -ENOSYS;
}

uint32_t ring_size(const struct ring *r)
{
    (void)r;
    /* TODO: the number of elements, from head and tail alone. It must stay right
     * when head has wrapped past UINT32_MAX and tail has not. */
    return 0;
}

bool ring_empty(const struct ring *r)
{
    (void)r;
    /* TODO */
    return false;
}

bool ring_full(const struct ring *r)
{
    (void)r;
    /* TODO */
    return true;
}

int ring_push(struct ring *r, const void *elem)
{
    (void)r, (void)elem;
    /* TODO: -EAGAIN when full; else copy elem_size bytes into slot (head & mask), then head++. */
    return -ENOSYS;
}

int ring_pop(struct ring *r, void *elem)
{
    (void)r, (void)elem;
    /* TODO: -EAGAIN when empty; else copy the slot at (tail & mask) out, then tail++. */
    return -ENOSYS;
}
