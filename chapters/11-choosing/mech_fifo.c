/* fifo: two named pipes. Once open they are pipes, same costs; the name in
 * the file system only changes how two unrelated processes find each other. */
#include "mech.h"
#include "stream_io.h"

#include "die.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

struct fifo_state {
    char dir[256];
    char to_server[300], to_client[300];
    int in, out;
};

static void *fifo_create(size_t size)
{
    (void)size;
    struct fifo_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        die("fifo: calloc");
    const char *tmp = getenv("TMPDIR");
    snprintf(s->dir, sizeof s->dir, "%s/bench-fifo-XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
    /* A private directory (mode 0700): no other user can open our FIFOs. */
    if (mkdtemp(s->dir) == NULL)
        die("fifo: mkdtemp %s", s->dir);
    snprintf(s->to_server, sizeof s->to_server, "%s/to-server", s->dir);
    snprintf(s->to_client, sizeof s->to_client, "%s/to-client", s->dir);
    if (mkfifo(s->to_server, 0600) == -1 || mkfifo(s->to_client, 0600) == -1)
        die("fifo: mkfifo in %s", s->dir);
    return s;
}

static void fifo_attach(void *st, enum mech_side side)
{
    struct fifo_state *s = st;
    /* open() of a FIFO blocks until the other end is opened too. Both sides
     * open to_server first, then to_client, so they never wait for each other
     * in a circle. */
    if (side == MECH_CLIENT) {
        s->out = open(s->to_server, O_WRONLY);
        s->in = s->out == -1 ? -1 : open(s->to_client, O_RDONLY);
    } else {
        s->in = open(s->to_server, O_RDONLY);
        s->out = s->in == -1 ? -1 : open(s->to_client, O_WRONLY);
    }
    if (s->in == -1 || s->out == -1)
        die("fifo: open in %s", s->dir);
}

static void fifo_send(void *st, const void *msg, size_t size)
{
    stream_write_all(((struct fifo_state *)st)->out, msg, size, "fifo");
}

static void fifo_recv(void *st, void *msg, size_t size)
{
    stream_read_all(((struct fifo_state *)st)->in, msg, size, "fifo");
}

static void fifo_detach(void *st)
{
    struct fifo_state *s = st;
    close(s->in);
    close(s->out);
}

static void fifo_destroy(void *st)
{
    struct fifo_state *s = st;
    unlink(s->to_server);
    unlink(s->to_client);
    rmdir(s->dir);
    free(s);
}

const struct mech mech_fifo = {"fifo",      0,         0,         NULL,        fifo_create,
                               fifo_attach, fifo_send, fifo_recv, fifo_detach, fifo_destroy};
