/* tcp: TCP over 127.0.0.1. The same copies and system calls as a UNIX
 * socket, plus the whole TCP/IP stack on each message (headers, checksums
 * offloaded or not, acknowledgements, the loopback "device"): what you pay
 * to be able to move the peer to another machine later. */
#include "mech.h"
#include "stream_io.h"

#include "die.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

struct tcp_state {
    int listener;
    struct sockaddr_in addr;
    int fd;
};

static void *tcp_create(size_t size)
{
    (void)size;
    struct tcp_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        die("tcp: calloc");
    s->listener = socket(AF_INET, SOCK_STREAM, 0);
    if (s->listener == -1)
        die("tcp: socket");
    s->addr.sin_family = AF_INET;
    s->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->addr.sin_port = 0; /* the kernel picks a free port: never a fixed one */
    socklen_t len = sizeof s->addr;
    if (bind(s->listener, (struct sockaddr *)&s->addr, sizeof s->addr) == -1 ||
        listen(s->listener, 1) == -1 ||
        getsockname(s->listener, (struct sockaddr *)&s->addr, &len) == -1)
        die("tcp: bind/listen on 127.0.0.1");
    return s;
}

static void tcp_attach(void *st, enum mech_side side)
{
    struct tcp_state *s = st;
    if (side == MECH_SERVER) {
        s->fd = accept(s->listener, NULL, NULL);
        if (s->fd == -1)
            die("tcp: accept");
    } else {
        s->fd = socket(AF_INET, SOCK_STREAM, 0);
        if (s->fd == -1 || connect(s->fd, (struct sockaddr *)&s->addr, sizeof s->addr) == -1)
            die("tcp: connect to 127.0.0.1:%d", ntohs(s->addr.sin_port));
    }
    close(s->listener);
    /* Without TCP_NODELAY, Nagle's algorithm holds a small message back while
     * an earlier one is unacknowledged: round trips would measure that wait. */
    int one = 1;
    if (setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == -1)
        die("tcp: setsockopt TCP_NODELAY");
}

static void tcp_send(void *st, const void *msg, size_t size)
{
    stream_write_all(((struct tcp_state *)st)->fd, msg, size, "tcp");
}

static void tcp_recv(void *st, void *msg, size_t size)
{
    stream_read_all(((struct tcp_state *)st)->fd, msg, size, "tcp");
}

static void tcp_detach(void *st)
{
    close(((struct tcp_state *)st)->fd);
}

static void tcp_destroy(void *st)
{
    free(st); /* the parent closed the listener in attach */
}

const struct mech mech_tcp = {"tcp",      0,        0,        NULL,       tcp_create,
                              tcp_attach, tcp_send, tcp_recv, tcp_detach, tcp_destroy};
