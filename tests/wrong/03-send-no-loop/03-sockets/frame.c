/* Wrong on purpose (03.2): frame_send makes one sendmsg() and takes it as
 * the whole frame. On a blocking socket that holds until a signal arrives
 * while sendmsg() waits for room: it then returns the part it sent (or -1
 * with EINTR before the first byte), and the rest of the frame is never sent,
 * so the next frame's header lands where the receiver expects payload.
 * frame_recv keeps its loops: the bug is on the sending side only. */
#include "frame.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* One sendmsg(), as if the kernel always took everything. */
static int send_iov_all(int fd, struct iovec *iov, int n)
{
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)n};
    return sendmsg(fd, &msg, MSG_NOSIGNAL) == -1 ? -errno : 0;
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
    uint32_t header = htonl((uint32_t)len);
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
    uint32_t n = ntohl(header);
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
