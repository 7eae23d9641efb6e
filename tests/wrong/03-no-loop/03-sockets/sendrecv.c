/* Wrong: one send() and one recv(), as if the stream kept message boundaries. */
#include "sendrecv.h"

#include <errno.h>
#include <sys/socket.h>

ssize_t send_all(int fd, const void *buf, size_t len)
{
    ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
    return n == -1 ? -errno : n;
}

ssize_t recv_all(int fd, void *buf, size_t len)
{
    ssize_t n = recv(fd, buf, len, 0);
    return n == -1 ? -errno : n;
}
