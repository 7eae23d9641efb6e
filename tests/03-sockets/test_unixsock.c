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
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static char dir[256], path[512];

/* Faults on demand. This program is linked with --wrap for connect, unlink
 * and listen (chapter.mk), so the calls of the code under test come here
 * first. A test arms one fault just before the call it tests and disarms it
 * after, whether or not the code under test made the call. */
int __real_connect(int fd, const struct sockaddr *sa, socklen_t len);
int __real_unlink(const char *name);
int __real_listen(int fd, int backlog);
int __wrap_connect(int fd, const struct sockaddr *sa, socklen_t len);
int __wrap_unlink(const char *name);
int __wrap_listen(int fd, int backlog);

static int vanish_before_connect;      /* path is removed just before the next connect() */
static int unlink_errno, listen_errno; /* the next unlink() or listen() fails so */

int __wrap_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
    if (vanish_before_connect) {
        vanish_before_connect = 0;
        __real_unlink(path);
    }
    return __real_connect(fd, sa, len);
}

/* Fails with *error once, if it is set. */
static int fault(int *error)
{
    if (*error == 0)
        return 0;
    errno = *error;
    *error = 0;
    return -1;
}

int __wrap_unlink(const char *name)
{
    return fault(&unlink_errno) != 0 ? -1 : __real_unlink(name);
}

int __wrap_listen(int fd, int backlog)
{
    return fault(&listen_errno) != 0 ? -1 : __real_listen(fd, backlog);
}

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

/* A listening socket of the test's own at path, made without the code under test. */
static int listen_here(void)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, path);
    GRADE_REQUIRE(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(fd, 4) == 0,
                  "test set-up: cannot listen at %s: %s", path, strerror(errno));
    return fd;
}

/* A server calls these again and again (a client retries a refused
 * connection every second): a descriptor left open by each failure runs
 * the process out of them in the end. */
static void failures_leave_no_descriptor_open(void)
{
    make_path();
    int before = su_open_fds(0);
    int rc = unix_connect(path);
    GRADE_EXPECT_LONG(rc, -ENOENT, "connecting to a path with no socket file is -ENOENT");
    if (rc >= 0)
        close(rc);
    GRADE_EXPECT_LONG(su_open_fds(0) - before, 0,
                      "descriptors left open by unix_connect failing with -ENOENT (its socket "
                      "must be closed when connect() fails)");

    make_stale();
    rc = unix_connect(path);
    GRADE_EXPECT_LONG(rc, -ECONNREFUSED, "a socket file nobody listens on refuses connections");
    if (rc >= 0)
        close(rc);
    GRADE_EXPECT_LONG(su_open_fds(0) - before, 0,
                      "descriptors left open by unix_connect failing with -ECONNREFUSED");
    unlink(path);

    int live = listen_here();
    before = su_open_fds(0);
    rc = unix_listen(path, 4);
    GRADE_EXPECT_LONG(rc, -EADDRINUSE, "another server listens on the path: leave it alone");
    if (rc >= 0)
        close(rc);
    GRADE_EXPECT_LONG(su_open_fds(0) - before, 0,
                      "descriptors left open by unix_listen failing with -EADDRINUSE (both its "
                      "own socket and the one that found the live server must be closed)");
    close(live);
    unlink(path);

    FILE *f = fopen(path, "w");
    GRADE_REQUIRE(f != NULL && fclose(f) == 0, "test set-up: cannot write %s", path);
    before = su_open_fds(0);
    rc = unix_listen(path, 4);
    GRADE_EXPECT_LONG(rc, -EEXIST,
                      "a regular file at the path is somebody's data: never remove it");
    if (rc >= 0)
        close(rc);
    GRADE_EXPECT_LONG(su_open_fds(0) - before, 0,
                      "descriptors left open by unix_listen failing with -EEXIST");
    clean_up();
}

/* Fills every free descriptor below a lowered limit but `spare`; returns
 * how many it opened into fills (closed again by end_fill). */
static int fill_descriptors(int *fills, int max, int spare, struct rlimit *saved)
{
    GRADE_REQUIRE(getrlimit(RLIMIT_NOFILE, saved) == 0, "test set-up: getrlimit: %s",
                  strerror(errno));
    struct rlimit low = *saved;
    low.rlim_cur = 64 < saved->rlim_cur ? 64 : saved->rlim_cur;
    GRADE_REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0, "test set-up: setrlimit: %s",
                  strerror(errno));
    int n = 0;
    for (int fd; n < max && (fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;)
        fills[n++] = fd;
    for (; spare > 0 && n > 0; spare--)
        close(fills[--n]);
    return n;
}

static void end_fill(int *fills, int n, const struct rlimit *saved)
{
    while (n > 0)
        close(fills[--n]);
    setrlimit(RLIMIT_NOFILE, saved);
}

/* A process out of descriptors must be told so: EMFILE is what a server
 * reports and acts on (close idle clients, wait), and it is not "someone
 * else listens here". */
static void out_of_descriptors_is_emfile(void)
{
    make_path();
    int live = listen_here();
    int fills[128];
    struct rlimit saved;
    int n = fill_descriptors(fills, 128, 0, &saved);
    int to_live = unix_connect(path);
    char other[600];
    snprintf(other, sizeof other, "%s.2", path);
    int fresh = unix_listen(other, 4);
    end_fill(fills, n, &saved);
    GRADE_EXPECT_LONG(to_live, -EMFILE,
                      "unix_connect with no descriptor free: socket() fails "
                      "with EMFILE, and unix_connect must return it");
    GRADE_EXPECT_LONG(fresh, -EMFILE,
                      "unix_listen with no descriptor free: socket() fails with "
                      "EMFILE, and unix_listen must return it");
    if (to_live >= 0)
        close(to_live);
    if (fresh >= 0)
        close(fresh);
    unlink(other);
    close(live);
    unlink(path);

    /* One descriptor free: enough for the listening socket, not for a
     * second one to ask whether the stale file's server is still there. */
    make_stale();
    n = fill_descriptors(fills, 128, 1, &saved);
    int rc = unix_listen(path, 4);
    end_fill(fills, n, &saved);
    GRADE_CHECK(rc >= 0 || rc == -EMFILE,
                "unix_listen on a stale socket's path with a single descriptor free returned %d "
                "(%s): either replace the stale file or report EMFILE, never another error "
                "(-EADDRINUSE would say a server is alive there)",
                rc, rc < 0 ? strerror(-rc) : "");
    if (rc >= 0)
        close(rc);
    clean_up();
}

/* A path of length len inside dir: dir, '/', then letters. */
static void path_of_length(char *out, size_t len)
{
    size_t d = strlen(dir);
    GRADE_REQUIRE(d + 2 < len, "test set-up: the temporary directory's path is too long");
    memcpy(out, dir, d);
    out[d] = '/';
    for (size_t i = d + 1; i < len; i++)
        out[i] = (char)('a' + i % 26);
    out[len] = '\0';
}

static void path_limits(void)
{
    make_path();
    size_t room = sizeof((struct sockaddr_un *)0)->sun_path;
    /* The path ends at the end of a page, and the next page is not mapped: a
     * byte read past its NUL (copying len + 2 bytes, say) is a crash here,
     * as it can be in a caller whose string ends where its buffer does. */
    long page = sysconf(_SC_PAGESIZE);
    char *pages =
        mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    GRADE_REQUIRE(pages != MAP_FAILED && mprotect(pages + page, (size_t)page, PROT_NONE) == 0,
                  "test set-up: mmap: %s", strerror(errno));
    char *longest = pages + page - room;
    path_of_length(longest, room - 1);
    int lfd = unix_listen(longest, 4);
    /* Each bad path right after a good call: an address the good call left
     * in memory must not be picked up (the bad path is checked first). */
    int empty_listen = unix_listen("", 4);
    GRADE_CHECK(lfd >= 0,
                "unix_listen with a path of %zu bytes (sun_path holds %zu with its "
                "NUL) failed: %d (%s)",
                room - 1, room, lfd, lfd < 0 ? strerror(-lfd) : "");
    int c = lfd >= 0 ? unix_connect(longest) : -1;
    int empty_connect = unix_connect("");
    int null_connect = unix_connect(NULL);
    if (lfd >= 0)
        GRADE_CHECK(c >= 0,
                    "unix_connect with a path of %zu bytes to a listening socket failed: "
                    "%d (%s)",
                    room - 1, c, c < 0 ? strerror(-c) : "");
    int a = c >= 0 ? accept(lfd, NULL, NULL) : -1;
    if (c >= 0)
        GRADE_CHECK(a >= 0, "the connection over a %zu-byte path did not reach its server",
                    room - 1);
    if (a >= 0)
        close(a);
    if (c >= 0)
        close(c);
    if (lfd >= 0)
        close(lfd);
    unlink(longest);
    munmap(pages, 2 * (size_t)page);

    char too_long[512];
    path_of_length(too_long, room);
    int rc = unix_listen(too_long, 4);
    GRADE_EXPECT_LONG(rc, -ENAMETOOLONG,
                      "a path of exactly sizeof(sun_path) bytes leaves no room "
                      "for its NUL: refused");
    if (rc >= 0)
        close(rc);
    unlink(too_long);
    rc = unix_connect(too_long);
    GRADE_EXPECT_LONG(rc, -ENAMETOOLONG,
                      "unix_connect: the same limit, sizeof(sun_path) - 1 bytes");
    if (rc >= 0)
        close(rc);
    GRADE_EXPECT_LONG(empty_listen, -EINVAL,
                      "unix_listen(\"\", 4): an empty path is not an address");
    GRADE_EXPECT_LONG(empty_connect, -EINVAL,
                      "unix_connect(\"\"): an empty path is not an address");
    GRADE_EXPECT_LONG(null_connect, -EINVAL, "unix_connect(NULL) is -EINVAL");
    GRADE_EXPECT_LONG(unix_listen(NULL, 4), -EINVAL, "unix_listen(NULL, 4) is -EINVAL");
    for (int *fd = (int[]){empty_listen, empty_connect, null_connect}, i = 0; i < 3; i++)
        if (fd[i] >= 0)
            close(fd[i]);
    clean_up();
}

/* What happens between unix_listen's own steps: another process removes the
 * stale file while unix_listen checks it (nothing is in the way any more);
 * the stale file cannot be removed (the error says why); listen() fails
 * after bind() made the file (the file and the socket must go). */
static void failures_between_the_steps(void)
{
    make_path();
    make_stale();
    vanish_before_connect = 1;
    int rc = unix_listen(path, 4);
    vanish_before_connect = 0;
    GRADE_CHECK(rc >= 0,
                "the stale socket file was removed by someone else while unix_listen "
                "checked it (connect() then fails with ENOENT): the path is free, so bind to it; "
                "unix_listen returned %d (%s)",
                rc, rc < 0 ? strerror(-rc) : "");
    if (rc >= 0)
        close(rc);
    unlink(path);

    make_stale();
    int before = su_open_fds(0);
    unlink_errno = EACCES;
    rc = unix_listen(path, 4);
    int unlinked = unlink_errno == 0;
    unlink_errno = 0;
    if (unlinked) /* not if it removed the file some other way */
        GRADE_EXPECT_LONG(rc, -EACCES,
                          "removing the stale socket file failed with EACCES: "
                          "unix_listen should return that error");
    else if (rc >= 0)
        close(rc);
    GRADE_EXPECT_LONG(su_open_fds(0) - before, 0,
                      "descriptors left open by unix_listen failing to remove a stale file");
    unlink(path);

    before = su_open_fds(0);
    listen_errno = ENOMEM;
    rc = unix_listen(path, 4);
    listen_errno = 0;
    GRADE_EXPECT_LONG(rc, -ENOMEM, "listen() failed with ENOMEM: unix_listen should return it");
    if (rc >= 0)
        close(rc);
    GRADE_EXPECT_LONG(su_open_fds(0) - before, 0,
                      "descriptors left open by unix_listen when listen() failed");
    GRADE_CHECK(!is_socket(), "listen() failed after bind() had made the socket file: unix_listen "
                              "must remove it (no file is left behind on failure)");
    clean_up();
}

GRADE_TESTS(
    GRADE_TEST_TIMEOUT("03.4", "frames echo over a UNIX socket whose file is mode 0600", echo_over_a_unix_socket, 3, 10),
    GRADE_TEST_TIMEOUT("03.4", "a stale socket is replaced; a live one, a regular file, a long path are not", stale_live_and_foreign_files, 4, 10),
    GRADE_TEST_TIMEOUT("03.4", "failing calls leave no descriptor open", failures_leave_no_descriptor_open, 1, 10),
    GRADE_TEST_TIMEOUT("03.4", "out of descriptors is -EMFILE, not a live server", out_of_descriptors_is_emfile, 1, 10),
    GRADE_TEST_TIMEOUT("03.4", "paths: sizeof(sun_path) - 1 bytes fit, one more does not, NULL and \"\" are -EINVAL", path_limits, 1, 10),
    GRADE_TEST_TIMEOUT("03.4", "a file vanishing, unlink() or listen() failing midway: the right error, nothing left", failures_between_the_steps, 1, 10),
)
