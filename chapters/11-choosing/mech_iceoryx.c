/* iceoryx: Eclipse iceoryx through its C binding, the zero-copy
 * shared-memory middleware one would pick instead of writing a ring. A
 * daemon, iox-roudi, owns the shared memory and matches publishers with
 * subscribers; after that it is out of the data path. The sender loans a
 * chunk from a shared pool, writes the message into it and publishes it:
 * only the chunk's handle moves through a lock-free queue. The receiver
 * reads the message in place (we copy it out, as every mechanism here does)
 * and gives the chunk back. */
#include "mech.h"

#include "die.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "iceoryx_binding_c/log.h"
#include "iceoryx_binding_c/publisher.h"
#include "iceoryx_binding_c/runtime.h"
#include "iceoryx_binding_c/subscriber.h"

struct iox_state {
    size_t size;
    char instance[32]; /* unique per session, so two runs never see each other's messages */
    char name[2][48];  /* each side's runtime name (the client's, the server's) */
    iox_pub_storage_t pub_storage;
    iox_sub_storage_t sub_storage;
    iox_pub_t pub;
    iox_sub_t sub;
};

/* Without RouDi, iox_runtime_init() would wait a long time for it: check
 * for its socket first and say what is missing. */
static const char *iox_unavailable(void)
{
    return access("/tmp/roudi", F_OK) == -1 ? "no iox-roudi daemon is running" : NULL;
}

static void *iox_create(size_t size)
{
    struct iox_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        die("iceoryx: calloc");
    static unsigned sessions;
    s->size = size;
    snprintf(s->instance, sizeof s->instance, "session-%ld-%u", (long)getpid(), sessions);
    snprintf(s->name[MECH_CLIENT], sizeof s->name[0], "ipc-bench-%ld-%u-c", (long)getpid(),
             sessions);
    snprintf(s->name[MECH_SERVER], sizeof s->name[0], "ipc-bench-%ld-%u-s", (long)getpid(),
             sessions);
    sessions++;
    return s;
}

static void iox_attach(void *st, enum mech_side side)
{
    struct iox_state *s = st;
    iox_set_loglevel(Iceoryx_LogLevel_Warn); /* its debug lines would drown the progress */
    iox_runtime_init(s->name[side]);         /* registers this process with RouDi */

    iox_pub_options_t po;
    iox_pub_options_init(&po);
    po.historyCapacity = 0;
    /* Like a pipe: a full queue makes the sender wait, it never drops. */
    po.subscriberTooSlowPolicy = ConsumerTooSlowPolicy_WAIT_FOR_CONSUMER;
    iox_sub_options_t so;
    iox_sub_options_init(&so);
    /* RouDi's built-in pools hold 200 chunks of 128 KiB: two queues of 64
     * fit; for small messages, the most iceoryx allows. */
    so.queueCapacity = s->size > 16384 ? 64 : 256;
    so.queueFullPolicy = QueueFullPolicy_BLOCK_PRODUCER;
    const char *out = side == MECH_CLIENT ? "to-server" : "to-client";
    const char *in = side == MECH_CLIENT ? "to-client" : "to-server";
    s->pub = iox_pub_init(&s->pub_storage, "ipc-bench", s->instance, out, &po);
    s->sub = iox_sub_init(&s->sub_storage, "ipc-bench", s->instance, in, &so);

    /* RouDi connects publishers and subscribers in the background; a message
     * published before that is lost. Wait until both directions are up. */
    for (int ms = 0; !iox_pub_has_subscribers(s->pub) ||
                     iox_sub_get_subscription_state(s->sub) != SubscribeState_SUBSCRIBED;
         ms++) {
        if (ms == 10000)
            die_msg("iceoryx: publisher and subscriber not connected after 10 s");
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
}

static void iox_send(void *st, const void *msg, size_t size)
{
    struct iox_state *s = st;
    void *chunk;
    enum iox_AllocationResult r = iox_pub_loan_chunk(s->pub, &chunk, (uint32_t)size);
    if (r != AllocationResult_SUCCESS)
        die_msg("iceoryx: cannot loan a %zu-byte chunk (allocation result %d)", size, (int)r);
    memcpy(chunk, msg, size);
    iox_pub_publish_chunk(s->pub, chunk); /* the chunk now belongs to the subscriber */
}

static void iox_recv(void *st, void *msg, size_t size)
{
    struct iox_state *s = st;
    const void *chunk;
    unsigned spins = 0;
    enum iox_ChunkReceiveResult r;
    /* Polling, like the rings: iceoryx can also block on a wait set, which
     * costs a futex wake-up per message, as a pipe does. */
    while ((r = iox_sub_take_chunk(s->sub, &chunk)) == ChunkReceiveResult_NO_CHUNK_AVAILABLE)
        if (++spins % 4096 == 0)
            sched_yield();
    if (r != ChunkReceiveResult_SUCCESS)
        die_msg("iceoryx: take_chunk failed (result %d)", (int)r);
    /* The C binding does not show a chunk's size: both sides loan exactly
     * the session's size, and the driver checks the sequence number. */
    memcpy(msg, chunk, size);
    iox_sub_release_chunk(s->sub, chunk);
}

static void iox_detach(void *st)
{
    struct iox_state *s = st;
    iox_sub_deinit(s->sub);
    iox_pub_deinit(s->pub);
    iox_runtime_shutdown();
}

static void iox_destroy(void *st)
{
    struct iox_state *s = st;
    /* Each runtime made a socket (and its lock file) named after it in /tmp,
     * where RouDi talks to it, and does not remove them when it ends. RouDi
     * reclaims the shared memory the two processes held. */
    for (int side = 0; side < 2; side++) {
        char path[80];
        snprintf(path, sizeof path, "/tmp/%s", s->name[side]);
        unlink(path);
        snprintf(path, sizeof path, "/tmp/%s.lock", s->name[side]);
        unlink(path);
    }
    free(s);
}

const struct mech mech_iceoryx = {"iceoryx",  0,        0,        iox_unavailable, iox_create,
                                  iox_attach, iox_send, iox_recv, iox_detach,      iox_destroy};
