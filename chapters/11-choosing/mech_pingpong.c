/* cacheline_pingpong: the physical floor. Each direction is one 8-byte word
 * on a cache line of its own; the writer stores, the reader spins until the
 * value changes. No system call, no copy, no sleep: a round trip is two
 * cache-line transfers between cores, and nothing in this course can beat it.
 * It carries only 8-byte messages and has no queue, so it is measured for
 * round trips only. */
#include "mech.h"

#include "die.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* 128 bytes apart: the CPU may fetch cache lines in adjacent pairs, and two
 * words on one pair would make the lines bounce for the wrong reason. */
struct pingpong_shared {
    _Alignas(128) _Atomic uint64_t to_server;
    _Alignas(128) _Atomic uint64_t to_client;
};

struct pingpong_state {
    struct pingpong_shared *sh;
    _Atomic uint64_t *in, *out;
    uint64_t last_in; /* the value seen last: a new message is a different one */
};

static void *pingpong_create(size_t size)
{
    (void)size;
    struct pingpong_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        die("cacheline_pingpong: calloc");
    /* Anonymous shared memory made before fork(): both processes see it at
     * the same address, and nothing is left in /dev/shm afterwards. */
    s->sh = mmap(NULL, sizeof *s->sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s->sh == MAP_FAILED)
        die("cacheline_pingpong: mmap");
    return s;
}

static void pingpong_attach(void *st, enum mech_side side)
{
    struct pingpong_state *s = st;
    s->in = side == MECH_CLIENT ? &s->sh->to_client : &s->sh->to_server;
    s->out = side == MECH_CLIENT ? &s->sh->to_server : &s->sh->to_client;
}

static void pingpong_send(void *st, const void *msg, size_t size)
{
    struct pingpong_state *s = st;
    uint64_t v;
    memcpy(&v, msg, sizeof v < size ? sizeof v : size);
    /* release: pairs with the acquire load in pingpong_recv(). */
    atomic_store_explicit(s->out, v, memory_order_release);
}

static void pingpong_recv(void *st, void *msg, size_t size)
{
    struct pingpong_state *s = st;
    uint64_t v;
    unsigned spins = 0;
    /* acquire: pairs with the release store in pingpong_send(). */
    while ((v = atomic_load_explicit(s->in, memory_order_acquire)) == s->last_in)
        if (++spins % 4096 == 0)
            sched_yield(); /* with one CPU the peer can only run if we let it */
    s->last_in = v;
    memset(msg, 0, size);
    memcpy(msg, &v, sizeof v < size ? sizeof v : size);
}

static void pingpong_detach(void *st)
{
    (void)st;
}

static void pingpong_destroy(void *st)
{
    struct pingpong_state *s = st;
    munmap(s->sh, sizeof *s->sh);
    free(s);
}

const struct mech mech_cacheline_pingpong = {"cacheline_pingpong",
                                             8,
                                             1,
                                             NULL,
                                             pingpong_create,
                                             pingpong_attach,
                                             pingpong_send,
                                             pingpong_recv,
                                             pingpong_detach,
                                             pingpong_destroy};
