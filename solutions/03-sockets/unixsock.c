/*
 * Exercise 03.4: UNIX domain sockets. The contract is in unixsock.h.
 * Grade it with: make grade EX=03.4
 */
#include "unixsock.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* A UNIX socket's address is a path in a fixed array: refuse what does not
 * fit rather than cut it (a cut path is another file). */
static int make_address(const char *path, struct sockaddr_un *sa)
{
    if (path == NULL || path[0] == '\0')
        return -EINVAL;
    size_t len = strlen(path);
    if (len >= sizeof sa->sun_path)
        return -ENAMETOOLONG;
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    memcpy(sa->sun_path, path, len + 1);
    return 0;
}

int unix_connect(const char *path)
{
    struct sockaddr_un sa;
    int rc = make_address(path, &sa);
    if (rc != 0)
        return rc;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd == -1)
        return -errno;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == -1) {
        rc = -errno;
        close(fd);
        return rc;
    }
    return fd;
}

/* Something is at path. Remove it only if it is a socket nobody listens on:
 * returns 0 once it is gone, -EADDRINUSE or -EEXIST if it must stay. */
static int remove_if_stale(const char *path)
{
    struct stat st;
    if (lstat(path, &st) == -1)
        return errno == ENOENT ? 0 : -errno; /* gone meanwhile: fine */
    if (!S_ISSOCK(st.st_mode))
        return -EEXIST; /* not ours to delete, whatever it is */
    /* Ask the socket itself. (A live server sees this probe as a client
     * that connects and leaves at once, which any server must survive.) */
    int fd = unix_connect(path);
    if (fd >= 0) {
        close(fd);
        return -EADDRINUSE;
    }
    if (fd == -ENOENT)
        return 0;
    if (fd != -ECONNREFUSED)
        return fd;
    if (unlink(path) == -1 && errno != ENOENT)
        return -errno;
    return 0;
}

int unix_listen(const char *path, int backlog)
{
    struct sockaddr_un sa;
    int rc = make_address(path, &sa);
    if (rc != 0)
        return rc;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd == -1)
        return -errno;

    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == -1) {
        rc = errno == EADDRINUSE ? remove_if_stale(path) : -errno;
        if (rc == 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == -1)
            rc = -errno;
        if (rc != 0) {
            close(fd);
            return rc;
        }
    }
    /* bind() made the file with the umask's mode. Nobody can connect until
     * listen(), so tightening it now leaves no window open. */
    if (chmod(path, 0600) == -1 || listen(fd, backlog) == -1) {
        rc = -errno;
        unlink(path);
        close(fd);
        return rc;
    }
    return fd;
}
