/* zeromq_ipc: ZeroMQ PAIR sockets over ipc:// (a UNIX domain socket under
 * the hood). ZeroMQ adds message framing and its own I/O thread in each
 * process: a send() queues the message for that thread, which writes it to
 * the socket, batching what has piled up; the receiving thread reads and
 * hands messages over. More copies and thread hand-offs per message than a
 * bare socket, but batching wins back throughput under load. */
#include "mech.h"

#include "die.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <zmq.h>

struct zmq_state {
    char dir[200];
    char path[240];
    char endpoint[260];
    void *ctx, *sock;
};

static void *zmq_create(size_t size)
{
    (void)size;
    struct zmq_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        die("zeromq_ipc: calloc");
    const char *tmp = getenv("TMPDIR");
    /* A socket path must fit in sockaddr_un's 108 bytes. */
    if (tmp == NULL || *tmp == '\0' || snprintf(NULL, 0, "%s", tmp) > 80)
        tmp = "/tmp";
    snprintf(s->dir, sizeof s->dir, "%s/bench-zmq-XXXXXX", tmp);
    if (mkdtemp(s->dir) == NULL)
        die("zeromq_ipc: mkdtemp %s", s->dir);
    snprintf(s->path, sizeof s->path, "%s/sock", s->dir);
    snprintf(s->endpoint, sizeof s->endpoint, "ipc://%s", s->path);
    return s;
}

static void zmq_attach(void *st, enum mech_side side)
{
    struct zmq_state *s = st;
    /* A ZeroMQ context (and its I/O thread) never crosses fork(): each
     * process makes its own, after the fork. */
    s->ctx = zmq_ctx_new();
    if (s->ctx == NULL)
        die("zeromq_ipc: zmq_ctx_new");
    s->sock = zmq_socket(s->ctx, ZMQ_PAIR);
    if (s->sock == NULL)
        die_msg("zeromq_ipc: zmq_socket: %s", zmq_strerror(zmq_errno()));
    int linger = 0; /* at close, drop what is unsent instead of waiting for it */
    zmq_setsockopt(s->sock, ZMQ_LINGER, &linger, sizeof linger);
    /* connect() before the peer's bind() is fine: ZeroMQ retries in the background. */
    int rc =
        side == MECH_SERVER ? zmq_bind(s->sock, s->endpoint) : zmq_connect(s->sock, s->endpoint);
    if (rc == -1)
        die_msg("zeromq_ipc: %s %s: %s", side == MECH_SERVER ? "bind" : "connect", s->endpoint,
                zmq_strerror(zmq_errno()));
}

static void zmq_send_one(void *st, const void *msg, size_t size)
{
    struct zmq_state *s = st;
    while (zmq_send(s->sock, msg, size, 0) == -1)
        if (zmq_errno() != EINTR)
            die_msg("zeromq_ipc: zmq_send: %s", zmq_strerror(zmq_errno()));
}

static void zmq_recv_one(void *st, void *msg, size_t size)
{
    struct zmq_state *s = st;
    int n;
    while ((n = zmq_recv(s->sock, msg, size, 0)) == -1)
        if (zmq_errno() != EINTR)
            die_msg("zeromq_ipc: zmq_recv: %s", zmq_strerror(zmq_errno()));
    /* zmq_recv() returns the message's real size, even when it cut it to fit. */
    if ((size_t)n != size)
        die_msg("zeromq_ipc: got a message of %d bytes, expected %zu", n, size);
}

static void zmq_detach(void *st)
{
    struct zmq_state *s = st;
    zmq_close(s->sock);
    zmq_ctx_term(s->ctx);
}

static void zmq_destroy(void *st)
{
    struct zmq_state *s = st;
    unlink(s->path); /* the server's bind() made it; it may be gone already */
    rmdir(s->dir);
    free(s);
}

const struct mech mech_zeromq_ipc = {
    "zeromq_ipc", 0,          0,          NULL, zmq_create, zmq_attach, zmq_send_one,
    zmq_recv_one, zmq_detach, zmq_destroy};
