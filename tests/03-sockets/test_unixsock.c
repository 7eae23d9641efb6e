/* Graded tests for exercise 03.4 (chapters/03-sockets/unixsock.h). Every
 * socket file lives in a fresh directory under $TMPDIR, removed at the end. */
#include "grade.h"
#include "sockutil.h"
#include "unixsock.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static char dir[256], path[512];

/* A fresh directory and a random socket name in it. */
static void make_path(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/u03-XXXXXX", tmp != NULL && strlen(tmp) < 60 ? tmp : "/tmp");
    GRADE_REQUIRE(mkdtemp(dir) != NULL, "test set-up: mkdtemp %s: %s", dir, strerror(errno));
    snprintf(path, sizeof path, "%s/%08x.sock", dir, su_random_between(0, 0x7fffffff));
}

/* Removes what the test made, whatever the code under test left. */
static void clean_up(void)
{
    unlink(path);
    rmdir(dir);
}

/* Serves one connection: echoes frames until the client leaves. */
static void *echo_one(void *arg)
{
    int lfd = *(int *)arg;
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0)
        return NULL;
    static unsigned char buf[1 << 16];
    long n;
    while ((n = su_read_frame(fd, buf, sizeof buf)) >= 0 && su_write_frame(fd, buf, (uint32_t)n) == 0)
        continue;
    close(fd);
    return NULL;
}

static void echo_over_a_unix_socket(void)
{
    make_path();
    umask(022); /* the usual umask: without a chmod the file would be 0755 */
    int lfd = unix_listen(path, 4);
    GRADE_CHECK(lfd >= 0, "unix_listen(\"%s\") failed: %d (%s)", path, lfd, lfd < 0 ? strerror(-lfd) : "");
    if (lfd < 0) {
        clean_up();
        return;
    }
    struct stat st;
    GRADE_CHECK(lstat(path, &st) == 0 && S_ISSOCK(st.st_mode),
                "after unix_listen there should be a socket file at the path");
    GRADE_CHECK((st.st_mode & 07777) == 0600,
                "the socket file's mode is 0%o, expected 0600: whoever may write to it may "
                "connect, so it is the server's access control", (unsigned)(st.st_mode & 07777));
    int cloexec = fcntl(lfd, F_GETFD);
    GRADE_CHECK(cloexec != -1 && (cloexec & FD_CLOEXEC), "the listening socket should be close-on-exec");

    pthread_t server;
    GRADE_REQUIRE(pthread_create(&server, NULL, echo_one, &lfd) == 0, "test set-up: pthread_create");
    int fd = unix_connect(path);
    GRADE_CHECK(fd >= 0, "unix_connect to a listening socket failed: %d (%s)", fd, fd < 0 ? strerror(-fd) : "");
    if (fd >= 0) {
        for (int i = 0; i < 20; i++) {
            unsigned char out[4096], back[4096];
            size_t len = su_random_between(0, sizeof out);
            su_random_bytes(out, len);
            long got = -1;
            if (su_write_frame(fd, out, (uint32_t)len) == 0)
                got = su_read_frame(fd, back, sizeof back);
            GRADE_CHECK(got == (long)len && memcmp(out, back, len) == 0,
                        "frame %d (%zu bytes) did not come back whole over the UNIX socket", i, len);
            if (got != (long)len)
                break;
        }
        close(fd);
    } else {
        shutdown(lfd, SHUT_RDWR); /* wakes the accept() */
    }
    pthread_join(server, NULL);
    close(lfd);
    unlink(path);

    int rc = unix_connect(path);
    GRADE_EXPECT_LONG(rc, -ENOENT, "connecting to a path with no socket file is -ENOENT");
    if (rc >= 0)
        close(rc);
    clean_up();
}

/* Leaves a socket file at path that nobody listens on, as a crashed server does. */
static void make_stale(void)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, path);
    GRADE_REQUIRE(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(fd, 1) == 0,
                  "test set-up: cannot make a socket at %s: %s", path, strerror(errno));
    close(fd);
}

static int is_socket(void)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

static void stale_live_and_foreign_files(void)
{
    make_path();

    /* Stale: replaced. */
    make_stale();
    int rc = unix_connect(path);
    GRADE_EXPECT_LONG(rc, -ECONNREFUSED, "a socket file nobody listens on refuses connections");
    if (rc >= 0)
        close(rc);
    int lfd = unix_listen(path, 4);
    GRADE_CHECK(lfd >= 0, "a stale socket file (its server ended without unlink) should be "
                "replaced; unix_listen returned %d (%s)", lfd, lfd < 0 ? strerror(-lfd) : "");

    /* Live: left alone, still reachable. */
    if (lfd >= 0) {
        int second = unix_listen(path, 4);
        GRADE_EXPECT_LONG(second, -EADDRINUSE, "another server listens on the path: leave it alone");
        if (second >= 0)
            close(second);
        int c = unix_connect(path);
        int a = c >= 0 ? accept(lfd, NULL, NULL) : -1;
        GRADE_CHECK(c >= 0 && a >= 0, "the first server must still be reachable after a second "
                    "one tried its path (was its socket file removed?)");
        if (a >= 0)
            close(a);
        if (c >= 0)
            close(c);
        close(lfd);
    }
    unlink(path);

    /* Not a socket: left alone, untouched. */
    char content[32];
    snprintf(content, sizeof content, "data %u\n", su_random_between(0, 1000000));
    FILE *f = fopen(path, "w");
    GRADE_REQUIRE(f != NULL && fputs(content, f) >= 0 && fclose(f) == 0, "test set-up: cannot write %s", path);
    rc = unix_listen(path, 4);
    GRADE_EXPECT_LONG(rc, -EEXIST, "a regular file at the path is somebody's data: never remove it");
    if (rc >= 0)
        close(rc);
    char now[64];
    su_read_file(path, now, sizeof now);
    GRADE_EXPECT_STR(now, content, "the regular file must be left as it was");
    unlink(path);

    /* Too long for sun_path: refused, not cut. */
    char longer[512];
    size_t n = sizeof ((struct sockaddr_un *)0)->sun_path + su_random_between(0, 50);
    snprintf(longer, sizeof longer, "%s/", dir);
    for (size_t i = strlen(longer); i < n; i++)
        longer[i] = 'a' + (char)(i % 26);
    longer[n] = '\0';
    rc = unix_listen(longer, 4);
    GRADE_EXPECT_LONG(rc, -ENAMETOOLONG, "a path of sizeof(sun_path) bytes or more cannot be stored whole");
    if (rc >= 0)
        close(rc);
    rc = unix_connect(longer);
    GRADE_EXPECT_LONG(rc, -ENAMETOOLONG, "the same limit applies to unix_connect");
    if (rc >= 0)
        close(rc);
    GRADE_EXPECT_LONG(unix_listen("", 4), -EINVAL, "an empty path is not an address");
    GRADE_CHECK(!is_socket(), "test clean-up: unexpected socket left at %s", path);
    /* A cut path would have created a file inside dir: nothing may be left. */
    clean_up();
    GRADE_CHECK(rmdir(dir) == -1 && errno == ENOENT, "files were left in %s (was a too-long path "
                "cut short and bound?)", dir);
}

GRADE_TESTS(
    GRADE_TEST_TIMEOUT("03.4", "frames echo over a UNIX socket whose file is mode 0600", echo_over_a_unix_socket, 3, 10),
    GRADE_TEST_TIMEOUT("03.4", "a stale socket is replaced; a live one, a regular file, a long path are not", stale_live_and_foreign_files, 4, 10),
)
