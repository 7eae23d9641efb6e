/*
 * Exercise 03.1: send_all() and recv_all(). The contract is in sendrecv.h.
 * Grade it with: make grade EX=03.1
 */
#include "sendrecv.h"

#include <errno.h>
#include <sys/socket.h>

ssize_t send_all(int fd, const void *buf, size_t len)
{
    /* TODO: loop on send(fd, ..., MSG_NOSIGNAL) until every byte is sent;
     * after a partial send, continue from where it stopped; retry EINTR. */
    (void)fd, (void)buf, (void)len;
    return -ENOSYS;
}

ssize_t recv_all(int fd, void *buf, size_t len)
{
    /* TODO: loop on recv() asking only for the bytes still missing; retry
     * EINTR; tell an end of stream before the first byte (0) from one in
     * the middle (-EPROTO). */
    (void)fd, (void)buf, (void)len;
    return -ENOSYS;
}
