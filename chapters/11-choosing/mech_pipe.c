/* pipe: two anonymous pipes, one each way. Every message costs a write() and
 * a read() system call and two copies (sender -> kernel buffer -> receiver);
 * a blocked reader is woken by the kernel, which is a context switch. */
#include "mech.h"
#include "stream_io.h"

#include "die.h"

#include <stdlib.h>
#include <unistd.h>

struct pipe_state {
    int to_server[2]; /* [0] read end, [1] write end */
    int to_client[2];
    int in, out; /* this process's ends, after attach */
};

static void *pipe_create(size_t size)
{
    (void)size;
    struct pipe_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        die("pipe: calloc");
    if (pipe(s->to_server) == -1 || pipe(s->to_client) == -1)
        die("pipe: pipe");
    return s;
}

static void pipe_attach(void *st, enum mech_side side)
{
    struct pipe_state *s = st;
    int *in = side == MECH_CLIENT ? s->to_client : s->to_server;
    int *out = side == MECH_CLIENT ? s->to_server : s->to_client;
    /* Closing the ends we do not use is what lets the peer see end-of-file
     * (or EPIPE) if we die, instead of waiting forever. */
    close(in[1]);
    close(out[0]);
    s->in = in[0];
    s->out = out[1];
}

static void pipe_send(void *st, const void *msg, size_t size)
{
    stream_write_all(((struct pipe_state *)st)->out, msg, size, "pipe");
}

static void pipe_recv(void *st, void *msg, size_t size)
{
    stream_read_all(((struct pipe_state *)st)->in, msg, size, "pipe");
}

static void pipe_detach(void *st)
{
    struct pipe_state *s = st;
    close(s->in);
    close(s->out);
}

static void pipe_destroy(void *st)
{
    free(st); /* the parent's ends were closed by detach */
}

const struct mech mech_pipe = {"pipe",      0,         0,         NULL,        pipe_create,
                               pipe_attach, pipe_send, pipe_recv, pipe_detach, pipe_destroy};
