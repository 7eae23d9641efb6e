/* Wrong, and common in tutorials: unlink(path) before bind(), whatever is
 * there (another server's live socket, somebody's file), and no chmod, so
 * the socket file keeps the umask's permissive mode. */
#include "unixsock.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int open_addr(const char *path, struct sockaddr_un *sa)
{
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    strncpy(sa->sun_path, path, sizeof sa->sun_path - 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    return fd == -1 ? -errno : fd;
}

int unix_listen(const char *path, int backlog)
{
    struct sockaddr_un sa;
    int fd = open_addr(path, &sa);
    if (fd < 0)
        return fd;
    unlink(path);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == -1 || listen(fd, backlog) == -1) {
        int rc = -errno;
        close(fd);
        return rc;
    }
    return fd;
}

int unix_connect(const char *path)
{
    struct sockaddr_un sa;
    int fd = open_addr(path, &sa);
    if (fd < 0)
        return fd;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == -1) {
        int rc = -errno;
        close(fd);
        return rc;
    }
    return fd;
}
