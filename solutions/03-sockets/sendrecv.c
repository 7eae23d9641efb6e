/*
 * Exercise 03.1: send_all() and recv_all(). The contract is in sendrecv.h.
 * Grade it with: make grade EX=03.1
 */
#include "sendrecv.h"

#include <errno.h>
#include <sys/socket.h>

ssize_t send_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    size_t sent = 0;
    while (sent < len) {
        /* MSG_NOSIGNAL: a vanished peer is an error we return, not a
         * SIGPIPE that ends the program before it can say anything. */
        ssize_t n = send(fd, p + sent, len - sent, MSG_NOSIGNAL);
        if (n == -1) {
            if (errno == EINTR) /* a signal handler ran before any byte moved */
                continue;
            return -errno;
        }
        sent += (size_t)n; /* maybe fewer than asked: send the rest */
    }
    return (ssize_t)len;
}

ssize_t recv_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    size_t got = 0;
    while (got < len) {
        /* Ask only for what is missing, so the next message stays queued. */
        ssize_t n = recv(fd, p + got, len - got, 0);
        if (n == -1) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0) /* the peer closed: fine between messages, not inside one */
            return got == 0 ? 0 : -EPROTO;
        got += (size_t)n;
    }
    return (ssize_t)len;
}
