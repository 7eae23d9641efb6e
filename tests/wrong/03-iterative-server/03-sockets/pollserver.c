/* Wrong: the article's shape, iterative. It serves one client until that
 * client leaves, with blocking reads, and only then looks at the next one
 * (or at stop_fd). One quiet client stops everyone. */
#include "pollserver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static int full(int fd, void *buf, size_t len, int out)
{
    char *p = buf;
    while (len > 0) {
        ssize_t n = out ? send(fd, p, len, MSG_NOSIGNAL) : recv(fd, p, len, 0);
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void serve(int fd, size_t max_frame)
{
    unsigned char *buf = malloc(4 + max_frame);
    while (buf != NULL && full(fd, buf, 4, 0) == 0) {
        uint32_t be = *(uint32_t *)(void *)buf;
        size_t len = ntohl(be);
        if (len > max_frame || full(fd, buf + 4, len, 0) != 0 || full(fd, buf, 4 + len, 1) != 0)
            break;
    }
    free(buf);
    close(fd);
}

int echo_server_run(int listen_fd, int stop_fd, size_t max_frame)
{
    struct pollfd fds[2] = {{.fd = stop_fd, .events = POLLIN}, {.fd = listen_fd, .events = POLLIN}};
    for (;;) {
        if (poll(fds, 2, -1) == -1)
            return -errno;
        if (fds[0].revents)
            return 0;
        int fd = accept(listen_fd, NULL, NULL);
        if (fd >= 0)
            serve(fd, max_frame);
    }
}
