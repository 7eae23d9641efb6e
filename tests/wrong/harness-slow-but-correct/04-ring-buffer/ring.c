/* Wrong answer: right in every result, but each test waits until just
 * before the limit its test file declares (10 s). Under the tests' own
 * limits it would score full marks, as would a whole tree of such answers,
 * graded in 54 minutes; under the limits measured from the reference
 * answers (tests/budget.tsv) every test must TIME OUT, a few seconds each. Graded in
 * the plain build only (only-with): a sanitizer build scales every limit
 * alike, so it would prove nothing more, three to five times as slowly. */
#include "ring.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

/* Each test is a process of its own: the first call in it waits 9 s. */
static void linger(void)
{
    static int waited;
    if (waited)
        return;
    waited = 1;
    struct timespec t = {.tv_sec = 9};
    while (nanosleep(&t, &t) != 0)
        ;
}

int ring_init(struct ring *r, void *slots, uint32_t capacity, uint32_t elem_size)
{
    linger();
    /* capacity & (capacity - 1) clears the lowest set bit: zero only for powers of two. */
    if (r == NULL || slots == NULL || capacity == 0 || capacity > RING_MAX_CAPACITY ||
        (capacity & (capacity - 1)) != 0 || elem_size == 0)
        return -EINVAL;
    r->head = 0;
    r->tail = 0;
    r->mask = capacity - 1;
    r->elem_size = elem_size;
    r->slots = slots;
    return 0;
}

/* Where index i lives. size_t: capacity * elem_size may not fit in 32 bits. */
static unsigned char *slot(const struct ring *r, uint32_t i)
{
    return r->slots + (size_t)(i & r->mask) * r->elem_size;
}

uint32_t ring_size(const struct ring *r)
{
    /* Unsigned subtraction is modulo 2^32: right even when head has wrapped
     * past UINT32_MAX and tail has not yet. Never compare head < tail. */
    return r->head - r->tail;
}

bool ring_empty(const struct ring *r)
{
    return ring_size(r) == 0;
}

bool ring_full(const struct ring *r)
{
    return ring_size(r) == r->mask + 1; /* mask + 1 <= 2^31: no overflow */
}

int ring_push(struct ring *r, const void *elem)
{
    linger();
    if (ring_full(r))
        return -EAGAIN;
    memcpy(slot(r, r->head), elem, r->elem_size);
    r->head++; /* wraps from UINT32_MAX to 0, and the mask still finds the slot */
    return 0;
}

int ring_pop(struct ring *r, void *elem)
{
    linger();
    if (ring_empty(r))
        return -EAGAIN;
    memcpy(elem, slot(r, r->tail), r->elem_size);
    r->tail++;
    return 0;
}
