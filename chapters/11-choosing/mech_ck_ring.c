/* ck_ring: Concurrency Kit's single-producer single-consumer ring, one each
 * way, in shared memory. No system call and no sleep: the sender copies the
 * message into a slot and publishes the slot's number on the ring; the
 * receiver spins until a number appears and copies the message out. What is
 * left is two copies and the cache lines that move between the cores.
 *
 * ck_ring carries pointer-sized values. Pointers into our own address space
 * mean nothing in the other process in general, so the ring carries slot
 * numbers, and the receiver checks each one before using it. */
#include "mech.h"

#include "die.h"

#include <ck_pr.h>
#include <ck_ring.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* One direction, laid out in one shared mapping:
 * [struct ck_ring][ring buffer: entries values][slots: 2 * entries messages].
 * Twice as many slots as ring entries: the sender reuses a slot only after
 * the ring has turned over, by which time the receiver has copied it out
 * (it holds at most one dequeued slot at a time). */
struct direction {
    struct ck_ring *ring;
    struct ck_ring_buffer *buf;
    unsigned char *slots;
};

struct ck_state {
    void *map;
    size_t map_size, size;
    unsigned entries, nslots;
    struct direction dir[2]; /* [0]: client to server, [1]: server to client */
    struct direction *in, *out;
    uint64_t sent; /* messages this side has sent: picks the next slot */
};

static size_t align64(size_t n)
{
    return (n + 63) & ~(size_t)63;
}

static void *ck_create(size_t size)
{
    struct ck_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        die("ck_ring: calloc");
    s->size = size;
    /* A power of two, as ck_ring needs; fewer entries for big messages keeps
     * each direction at 2-4 MiB. */
    s->entries = size <= 1024 ? 1024 : size <= 4096 ? 256 : 32;
    s->nslots = 2 * s->entries;
    size_t buf_off = align64(sizeof(struct ck_ring));
    size_t slots_off = align64(buf_off + s->entries * sizeof(struct ck_ring_buffer));
    size_t one = align64(slots_off + (size_t)s->nslots * size);
    s->map_size = 2 * one;
    s->map = mmap(NULL, s->map_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s->map == MAP_FAILED)
        die("ck_ring: mmap %zu bytes", s->map_size);
    for (int d = 0; d < 2; d++) {
        unsigned char *base = (unsigned char *)s->map + d * one;
        s->dir[d].ring = (struct ck_ring *)base;
        s->dir[d].buf = (struct ck_ring_buffer *)(base + buf_off);
        s->dir[d].slots = base + slots_off;
        ck_ring_init(s->dir[d].ring, s->entries);
    }
    return s;
}

static void ck_attach(void *st, enum mech_side side)
{
    struct ck_state *s = st;
    s->out = &s->dir[side == MECH_CLIENT ? 0 : 1];
    s->in = &s->dir[side == MECH_CLIENT ? 1 : 0];
}

/* Busy-waiting: the cheapest wait when the peer has a core of its own. */
static void spin(unsigned *spins)
{
    ck_pr_stall(); /* the "pause" instruction: tells the core we are spinning */
    if (++*spins % 4096 == 0)
        sched_yield(); /* with one CPU the peer can only run if we let it */
}

static void ck_send(void *st, const void *msg, size_t size)
{
    struct ck_state *s = st;
    uintptr_t slot = (uintptr_t)(s->sent++ % s->nslots);
    memcpy(s->out->slots + slot * s->size, msg, size);
    unsigned spins = 0;
    /* enqueue publishes with a store fence after the slot is written: the
     * receiver never sees the number before the bytes. */
    while (!ck_ring_enqueue_spsc(s->out->ring, s->out->buf, (void *)slot))
        spin(&spins); /* full: wait for the receiver */
}

static void ck_recv(void *st, void *msg, size_t size)
{
    struct ck_state *s = st;
    void *value;
    unsigned spins = 0;
    while (!ck_ring_dequeue_spsc(s->in->ring, s->in->buf, &value))
        spin(&spins); /* empty: wait for the sender */
    uintptr_t slot = (uintptr_t)value;
    if (slot >= s->nslots) /* from another process: check before indexing */
        die_msg("ck_ring: slot %lu out of range (0..%u)", (unsigned long)slot, s->nslots - 1);
    memcpy(msg, s->in->slots + slot * s->size, size);
}

static void ck_detach(void *st)
{
    (void)st;
}

static void ck_destroy(void *st)
{
    struct ck_state *s = st;
    munmap(s->map, s->map_size);
    free(s);
}

const struct mech mech_ck_ring = {"ck_ring", 0,       0,       NULL,      ck_create,
                                  ck_attach, ck_send, ck_recv, ck_detach, ck_destroy};
