/* unix: a UNIX domain stream socket. Same two copies and system calls as a
 * pipe, through the socket layer instead of the pipe code; no network stack.
 * socketpair() gives a connected pair without a socket file to clean up;
 * once connected, a pair made with bind()/connect() costs the same. */
#include "mech.h"
#include "stream_io.h"

#include "die.h"

#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

struct unix_state {
    int sv[2];
    int fd;
};

static void *unix_create(size_t size)
{
    (void)size;
    struct unix_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        die("unix: calloc");
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, s->sv) == -1)
        die("unix: socketpair");
    return s;
}

static void unix_attach(void *st, enum mech_side side)
{
    struct unix_state *s = st;
    s->fd = s->sv[side];
    close(s->sv[1 - side]);
}

static void unix_send(void *st, const void *msg, size_t size)
{
    stream_write_all(((struct unix_state *)st)->fd, msg, size, "unix");
}

static void unix_recv(void *st, void *msg, size_t size)
{
    stream_read_all(((struct unix_state *)st)->fd, msg, size, "unix");
}

static void unix_detach(void *st)
{
    close(((struct unix_state *)st)->fd);
}

static void unix_destroy(void *st)
{
    free(st);
}

const struct mech mech_unix = {"unix",      0,         0,         NULL,        unix_create,
                               unix_attach, unix_send, unix_recv, unix_detach, unix_destroy};
