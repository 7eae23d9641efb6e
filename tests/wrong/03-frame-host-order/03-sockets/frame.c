/* Wrong: the length goes on the wire in host byte order (little-endian on
 * x86) and is read back the same way, instead of big-endian (htonl/ntohl).
 * It even works between two such programs on one machine; the tests, and any
 * other implementation, read a different length. */
#include "frame.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* sendmsg() until every byte of iov[0..n) is gone; the kernel may take any
 * prefix, so step over what it took, across the iovec boundaries. */
static int send_iov_all(int fd, struct iovec *iov, int n)
{
    while (n > 0) {
        struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)n};
        ssize_t sent = sendmsg(fd, &msg, MSG_NOSIGNAL);
        if (sent == -1) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        while (n > 0 && (size_t)sent >= iov->iov_len) { /* whole iovecs sent */
            sent -= (ssize_t)iov->iov_len;
            iov++, n--;
        }
        if (n > 0) { /* part of this one */
            iov->iov_base = (char *)iov->iov_base + sent;
            iov->iov_len -= (size_t)sent;
        }
    }
    return 0;
}

/* recv_all() of exercise 03.1: len bytes, 0 at a clean end, -EPROTO inside. */
static int recv_exactly(int fd, void *buf, size_t len)
{
    char *p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t n = recv(fd, p + got, len - got, 0);
        if (n == -1) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0)
            return got == 0 ? 0 : -EPROTO;
        got += (size_t)n;
    }
    return 1;
}

int frame_send(int fd, const void *payload, size_t len)
{
    if (len > FRAME_MAX)
        return -EMSGSIZE;
    uint32_t header = (uint32_t)len;
    /* One sendmsg() for header and payload: the frame leaves in one
     * segment instead of a 4-byte write that Nagle holds back. */
    struct iovec iov[2] = {{.iov_base = &header, .iov_len = sizeof header},
                           {.iov_base = (void *)payload, .iov_len = len}};
    return send_iov_all(fd, iov, len > 0 ? 2 : 1);
}

int frame_recv(int fd, void *buf, size_t cap, size_t *len)
{
    uint32_t header;
    int rc = recv_exactly(fd, &header, sizeof header);
    if (rc <= 0)
        return rc; /* 0: clean end between frames; or the error */

    /* The length is the peer's word, not a fact: check it before use. */
    uint32_t n = header;
    if (n > cap)
        return -EMSGSIZE;
    if (n > 0) {
        rc = recv_exactly(fd, buf, n);
        if (rc == 0) /* the stream ended after the header: a truncated frame */
            return -EPROTO;
        if (rc < 0)
            return rc;
    }
    *len = n;
    return 1;
}
