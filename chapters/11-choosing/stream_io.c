/* Exact-size reads and writes on byte streams: the loop every stream needs. */
#include "stream_io.h"

#include "die.h"

#include <errno.h>
#include <unistd.h>

void stream_write_all(int fd, const void *buf, size_t size, const char *what)
{
    const char *p = buf;
    while (size > 0) {
        ssize_t n = write(fd, p, size);
        if (n == -1) {
            if (errno == EINTR)
                continue;
            die("%s: write", what); /* EPIPE: the peer is gone (SIGPIPE is ignored) */
        }
        p += n;
        size -= (size_t)n;
    }
}

void stream_read_all(int fd, void *buf, size_t size, const char *what)
{
    char *p = buf;
    while (size > 0) {
        ssize_t n = read(fd, p, size);
        if (n == -1) {
            if (errno == EINTR)
                continue;
            die("%s: read", what);
        }
        if (n == 0)
            die_msg("%s: the peer closed the stream in the middle of the run", what);
        p += n;
        size -= (size_t)n;
    }
}
