/*
 * Exercise 03.3: an echo server for many clients with poll(). The contract
 * is in pollserver.h. Grade it with: make grade EX=03.3
 */
#include "pollserver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* What one client is doing between two wake-ups: receiving a frame (first
 * its 4-byte header, then the payload) or sending it back. The frame is
 * echoed from the buffer it was received into, so a client never owns more
 * than one frame of memory. */
struct client {
    unsigned char header[4];
    unsigned char *frame; /* header + payload, once the header is known */
    size_t need;          /* bytes of the current stage: 4, then 4 + length */
    size_t have;          /* received so far (receiving) or sent so far (replying) */
    int replying;
};

/* Slots 0 and 1 of the pollfd array; clients start at FIRST_CLIENT. */
enum { STOP, LISTEN, FIRST_CLIENT };

struct server {
    struct pollfd *fds;
    struct client *clients; /* clients[i] belongs to fds[i]; slots 0, 1 unused */
    size_t count, capacity; /* entries in use, including slots 0 and 1 */
};

static void reset(struct client *c)
{
    free(c->frame);
    *c = (struct client){.need = sizeof c->header};
}

static int add_client(struct server *s, int fd)
{
    if (s->count == s->capacity) {
        size_t cap = s->capacity * 2;
        struct pollfd *fds = realloc(s->fds, cap * sizeof *fds);
        if (fds == NULL)
            return -ENOMEM;
        s->fds = fds;
        struct client *clients = realloc(s->clients, cap * sizeof *clients);
        if (clients == NULL)
            return -ENOMEM;
        s->clients = clients;
        s->capacity = cap;
    }
    s->fds[s->count] = (struct pollfd){.fd = fd};
    s->clients[s->count] = (struct client){.need = 4};
    s->count++;
    return 0;
}

/* Closes client i and moves the last one into its slot. */
static void drop_client(struct server *s, size_t i)
{
    close(s->fds[i].fd);
    reset(&s->clients[i]);
    s->count--;
    s->fds[i] = s->fds[s->count];
    s->clients[i] = s->clients[s->count];
}

/* Accepts every pending connection; only a shortage of resources for the
 * whole server is an error. */
static int accept_all(struct server *s, int listen_fd)
{
    for (;;) {
        int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd == -1) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED)
                return 0;
            /* Out of descriptors: the connection waits in the backlog until
             * a client leaves; poll() will report it again. */
            if (errno == EMFILE || errno == ENFILE)
                return 0;
            return -errno;
        }
        int rc = add_client(s, fd);
        if (rc != 0) {
            close(fd);
            return rc;
        }
    }
}

/* One step for a client poll() woke up: returns 0 to keep it, -1 to drop it. */
static int step(struct client *c, int fd, size_t max_frame)
{
    if (c->replying) {
        ssize_t n = send(fd, c->frame + c->have, c->need - c->have, MSG_NOSIGNAL);
        if (n == -1)
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
        c->have += (size_t)n;
        if (c->have == c->need)
            reset(c); /* reply sent: back to reading the next header */
        return 0;
    }

    unsigned char *into = c->frame != NULL ? c->frame : c->header;
    /* Only the bytes still missing: the next frame stays in the socket. */
    ssize_t n = recv(fd, into + c->have, c->need - c->have, 0);
    if (n == 0)
        return -1; /* the client closed (in the middle of a frame or not) */
    if (n == -1)
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
    c->have += (size_t)n;
    if (c->have < c->need)
        return 0; /* the rest comes later; poll() will tell */

    if (c->frame == NULL) { /* the header is complete */
        uint32_t be;
        memcpy(&be, c->header, sizeof be);
        size_t len = ntohl(be);
        if (len > max_frame) /* untrusted length: refuse before allocating */
            return -1;
        c->frame = malloc(sizeof c->header + len);
        if (c->frame == NULL)
            return -1; /* this client's frame cannot be held: drop only it */
        memcpy(c->frame, c->header, sizeof c->header);
        c->need = sizeof c->header + len;
        if (c->have < c->need)
            return 0;
    }
    c->replying = 1; /* the whole frame is here: echo it, header and all */
    c->have = 0;
    return 0;
}

int echo_server_run(int listen_fd, int stop_fd, size_t max_frame)
{
    int flags = fcntl(listen_fd, F_GETFL);
    if (flags == -1 || fcntl(listen_fd, F_SETFL, flags | O_NONBLOCK) == -1)
        return -errno;

    struct server s = {.capacity = 64};
    s.fds = malloc(s.capacity * sizeof *s.fds);
    s.clients = malloc(s.capacity * sizeof *s.clients);
    int rc = 0;
    if (s.fds == NULL || s.clients == NULL) {
        rc = -ENOMEM;
        goto out;
    }
    s.fds[STOP] = (struct pollfd){.fd = stop_fd, .events = POLLIN};
    s.fds[LISTEN] = (struct pollfd){.fd = listen_fd, .events = POLLIN};
    s.count = FIRST_CLIENT;

    for (;;) {
        for (size_t i = FIRST_CLIENT; i < s.count; i++)
            s.fds[i].events = s.clients[i].replying ? POLLOUT : POLLIN;
        if (poll(s.fds, s.count, -1) == -1) {
            if (errno == EINTR)
                continue;
            rc = -errno;
            break;
        }
        if (s.fds[STOP].revents != 0) /* readable, or the writer closed: stop */
            break;
        /* Clients first, backwards: dropping i moves the last one into i,
         * which has already been looked at. New clients wait a round. */
        for (size_t i = s.count; i-- > FIRST_CLIENT;)
            if (s.fds[i].revents != 0 && step(&s.clients[i], s.fds[i].fd, max_frame) != 0)
                drop_client(&s, i);
        if (s.fds[LISTEN].revents & POLLIN) {
            rc = accept_all(&s, listen_fd);
            if (rc != 0)
                break;
        }
    }
out:
    while (s.count > FIRST_CLIENT)
        drop_client(&s, s.count - 1);
    free(s.fds);
    free(s.clients);
    return rc;
}
