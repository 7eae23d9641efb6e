/* posix_mq: two POSIX message queues. The kernel keeps message boundaries
 * and priorities, so there is no framing to do, but each message is still a
 * system call and a copy on each side. Linux caps a message at
 * /proc/sys/fs/mqueue/msgsize_max (8192 by default) and a queue at msg_max
 * (10) messages: the sender blocks much sooner than on a pipe. */
#include "mech.h"

#include "die.h"

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct mq_state {
    char to_server[64], to_client[64];
    mqd_t in, out;
};

static mqd_t open_queue(const char *name, size_t size)
{
    struct mq_attr attr = {.mq_maxmsg = 10, .mq_msgsize = (long)size};
    /* O_EXCL: a name left by someone else is an error, never silently shared. */
    mqd_t q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
    if (q == (mqd_t)-1)
        die("posix_mq: mq_open %s (message size %zu)", name, size);
    return q;
}

static void *mq_create(size_t size)
{
    struct mq_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        die("posix_mq: calloc");
    snprintf(s->to_server, sizeof s->to_server, "/ipc-bench-%ld-s", (long)getpid());
    snprintf(s->to_client, sizeof s->to_client, "/ipc-bench-%ld-c", (long)getpid());
    s->out = open_queue(s->to_server, size); /* the parent's view; attach sorts it out */
    s->in = open_queue(s->to_client, size);
    return s;
}

static void mq_attach(void *st, enum mech_side side)
{
    struct mq_state *s = st;
    if (side == MECH_SERVER) { /* the child inherited both descriptors: swap roles */
        mqd_t t = s->in;
        s->in = s->out;
        s->out = t;
    }
}

static void mq_send_one(void *st, const void *msg, size_t size)
{
    struct mq_state *s = st;
    while (mq_send(s->out, msg, size, 0) == -1)
        if (errno != EINTR)
            die("posix_mq: mq_send");
}

static void mq_recv_one(void *st, void *msg, size_t size)
{
    struct mq_state *s = st;
    ssize_t n;
    /* The buffer must be at least mq_msgsize long, and that is exactly size. */
    while ((n = mq_receive(s->in, msg, size, NULL)) == -1)
        if (errno != EINTR)
            die("posix_mq: mq_receive");
    if ((size_t)n != size)
        die_msg("posix_mq: got a message of %zd bytes, expected %zu", n, size);
}

static void mq_detach(void *st)
{
    struct mq_state *s = st;
    mq_close(s->in);
    mq_close(s->out);
}

static void mq_destroy(void *st)
{
    struct mq_state *s = st;
    /* Queues outlive processes: without unlink they stay until reboot. */
    mq_unlink(s->to_server);
    mq_unlink(s->to_client);
    free(s);
}

const struct mech mech_posix_mq = {"posix_mq", 8192,        0,           NULL,      mq_create,
                                   mq_attach,  mq_send_one, mq_recv_one, mq_detach, mq_destroy};
