/* Graded tests for exercise 03.3 (chapters/03-sockets/pollserver.h). The
 * server runs in a child process; this process plays the clients, with its
 * own framing loops (sockutil.c). */
#include "faults.h"
#include "grade.h"
#include "pollserver.h"
#include "sockutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

/* How long a client waits for a reply before the test calls it stuck: an
 * echo takes microseconds, so this only tells "stuck" from "slow machine". */
#ifdef IPC_SANITIZED
enum { REPLY_TIMEOUT_S = 6 };
#else
enum { REPLY_TIMEOUT_S = 2 };
#endif

struct server_proc {
    pid_t pid;
    int port;
    int stop_w; /* closing it makes the server's stop_fd readable */
};

static struct server_proc start_server(size_t max_frame)
{
    struct server_proc sp;
    int lfd = su_listen_tcp(&sp.port, 512);
    int stop[2];
    GRADE_REQUIRE(pipe2(stop, O_CLOEXEC) == 0, "test set-up: pipe: %s", strerror(errno));
    sp.pid = fork();
    GRADE_REQUIRE(sp.pid >= 0, "test set-up: fork: %s", strerror(errno));
    if (sp.pid == 0) {
        faults_in_server();
        close(stop[1]);
        int before = su_open_fds(0);
        int rc = echo_server_run(lfd, stop[0], max_frame);
        /* 2: a client's descriptor outlived the server that accepted it;
         * 3, 4: -ENOMEM, -ENOBUFS, every client closed (5 is a write past
         * the end of a block of memory, see faults.h). */
        _exit(su_open_fds(0) != before ? 2
              : rc == 0                ? 0
              : rc == -ENOMEM          ? 3
              : rc == -ENOBUFS         ? 4
                                       : 1);
    }
    close(lfd);
    close(stop[0]);
    sp.stop_w = stop[1];
    return sp;
}

/* Tells the server to stop; it must return 0 promptly, whatever its clients do. */
static void stop_server(struct server_proc *sp)
{
    close(sp->stop_w);
    int status;
    if (CU_get_number_of_failures() > 0) { /* already failed: do not wait for more */
        su_kill(sp->pid);
        return;
    }
    int done = su_wait_exit(sp->pid, REPLY_TIMEOUT_S * 1000, &status);
    if (!done)
        su_kill(sp->pid);
    GRADE_CHECK(done, "echo_server_run did not return within %d s of stop_fd becoming readable: "
                "stop_fd belongs in every poll(), and no call may block on one client", REPLY_TIMEOUT_S);
    GRADE_CHECK(!done || (WIFEXITED(status) && WEXITSTATUS(status) == 0),
                "echo_server_run should return 0 when stopped, every client connection closed "
                "(the child running it ended with status 0x%x: 0x100 is a non-zero return, 0x200 "
                "descriptors left open after it returned, 0x500 a write past the end of its "
                "memory, a low number is a signal)", status);
}

static int connect_client(const struct server_proc *sp)
{
    int fd = su_connect_tcp(sp->port);
    int status;
    if (fd < 0 && su_wait_exit(sp->pid, 100, &status)) {
        GRADE_REQUIRE(0, "echo_server_run returned before serving anyone (the child running it "
                      "ended with status 0x%x; the starter returns -ENOSYS)", status);
    }
    GRADE_REQUIRE(fd >= 0, "cannot connect to the server: %s", strerror(errno));
    struct timeval tv = {.tv_sec = REPLY_TIMEOUT_S};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv); /* a stuck server fails, not hangs */
    return fd;
}

/* Sends one frame and checks that exactly it comes back. */
static int round_trip(int fd, size_t len, const char *who)
{
    unsigned char *out = malloc(len + 1), *back = malloc(len + 1);
    GRADE_REQUIRE(out != NULL && back != NULL, "test set-up: out of memory");
    su_random_bytes(out, len);
    int ok = su_write_frame(fd, out, (uint32_t)len) == 0;
    GRADE_CHECK(ok, "%s: could not send a %zu-byte frame: %s", who, len, strerror(errno));
    long got = ok ? su_read_frame(fd, back, len) : -1;
    if (ok)
        GRADE_CHECK(got == (long)len, "%s: no echo of a %zu-byte frame within %d s (%s)", who, len,
                    REPLY_TIMEOUT_S, errno == EAGAIN ? "timed out" : "connection closed or bad frame");
    ok = ok && got == (long)len;
    if (ok) {
        ok = memcmp(out, back, len) == 0;
        GRADE_CHECK(ok, "%s: the echo of a %zu-byte frame has different bytes", who, len);
    }
    free(out);
    free(back);
    return ok;
}

static void echoes_frames_and_stops(void)
{
    size_t max = su_random_between(2000, 70000);
    struct server_proc sp = start_server(max);
    int fd = connect_client(&sp);
    int ok = round_trip(fd, 0, "an empty frame") && round_trip(fd, max, "a frame of max_frame bytes");
    for (int i = 0; i < 10 && ok; i++)
        ok = round_trip(fd, su_random_between(1, (uint32_t)max), "one client");

    /* Pipelined: ten frames sent before any reply is read. */
    enum { BURST = 10 };
    unsigned char frames[BURST][64], back[64];
    for (int i = 0; i < BURST && ok; i++) {
        su_random_bytes(frames[i], sizeof frames[i]);
        ok = su_write_frame(fd, frames[i], (uint32_t)(i + 1) * 6) == 0;
    }
    for (int i = 0; i < BURST && ok; i++) {
        long got = su_read_frame(fd, back, sizeof back);
        ok = got == (i + 1) * 6 && memcmp(back, frames[i], (size_t)got) == 0;
        GRADE_CHECK(ok, "ten frames sent back to back: reply %d is wrong or missing (got length %ld): "
                    "frames arrive glued together, each is echoed in turn", i, got);
    }

    stop_server(&sp); /* with the client still connected */
    char c;
    ssize_t n = read(fd, &c, 1);
    GRADE_CHECK(n == 0 || (n == -1 && errno == ECONNRESET),
                "after stopping, the server should have closed its client connections "
                "(read returned %ld, %s)", (long)n, n == -1 ? strerror(errno) : "data");
    close(fd);
}

enum { CLIENTS = 200, ROUNDS = 3, MAX_MSG = 3000 };

static void serves_200_clients_at_once(void)
{
    struct server_proc sp = start_server(MAX_MSG);
    static int fds[CLIENTS];
    static unsigned char msg[CLIENTS][MAX_MSG], back[MAX_MSG];
    static size_t len[CLIENTS];
    /* One at a time, each echoed once before the next connects: the server
     * then polls with every number of clients on the way to 200, and a write
     * one entry past the end of its table shows at one of them (faults.h). */
    int ok = 1, connected = 0;
    for (int i = 0; i < CLIENTS; i++)
        fds[i] = -1;
    for (; connected < CLIENTS && ok; connected++) {
        int fd = fds[connected] = connect_client(&sp);
        unsigned char one = (unsigned char)connected, back1 = 0;
        ok = su_write_frame(fd, &one, 1) == 0 && su_read_frame(fd, &back1, 1) == 1 && back1 == one;
    }
    int status = 0;
    if (!ok) {
        int ended = su_wait_exit(sp.pid, 100, &status);
        GRADE_CHECK(0,
                    "client %d, connecting while %d others stay connected, got no echo of a "
                    "1-byte frame%s%s",
                    connected, connected - 1, ended ? ": the server ended" : "",
                    ended && WIFEXITED(status) && WEXITSTATUS(status) == FAULTS_OVERRUN_STATUS
                        ? ", having written past the end of a block of memory it allocated (an "
                          "array written one entry too far?)"
                        : "");
    }

    for (int round = 0; round < ROUNDS && ok; round++) {
        /* Every client sends the first part of its frame, then every client
         * the rest: all 200 frames are half there at the same moment. */
        for (int i = 0; i < CLIENTS; i++) {
            len[i] = su_random_between(1, MAX_MSG);
            su_random_bytes(msg[i], len[i]);
        }
        for (int i = 0; i < CLIENTS && ok; i++) {
            uint32_t be = htonl((uint32_t)len[i]);
            ok = su_write_full(fds[i], &be, 4) == 0 && su_write_full(fds[i], msg[i], len[i] / 2) == 0;
        }
        for (int i = 0; i < CLIENTS && ok; i++)
            ok = su_write_full(fds[i], msg[i] + len[i] / 2, len[i] - len[i] / 2) == 0;
        GRADE_CHECK(ok, "round %d: sending to the server failed: %s", round, strerror(errno));
        for (int i = 0; i < CLIENTS && ok; i++) {
            long got = su_read_frame(fds[i], back, MAX_MSG);
            ok = got == (long)len[i] && memcmp(back, msg[i], len[i]) == 0;
            GRADE_CHECK(ok, "round %d: client %d of %d (all connected at once) got %s within %d s: "
                        "the server must serve every connected client, not one at a time",
                        round, i + 1, CLIENTS, got < 0 ? "no echo" : "a wrong echo", REPLY_TIMEOUT_S);
        }
    }
    for (int i = 0; i < CLIENTS; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    stop_server(&sp);
}

static void a_stalled_client_delays_no_one(void)
{
    size_t max = su_random_between(1000, 9000);
    struct server_proc sp = start_server(max);
    unsigned char half[9004];
    size_t len = su_random_between(10, (uint32_t)max);
    uint32_t be = htonl((uint32_t)len);
    memcpy(half, &be, 4);
    su_random_bytes(half + 4, len);

    int a = connect_client(&sp), a2 = connect_client(&sp);
    GRADE_REQUIRE(su_write_full(a, half, 4 + len / 2) == 0, "test set-up: write failed");
    GRADE_REQUIRE(su_write_full(a2, half, 2) == 0, "test set-up: write failed");

    int b = connect_client(&sp);
    int ok = 1;
    for (int i = 0; i < 20 && ok; i++)
        ok = round_trip(b, su_random_between(1, (uint32_t)max),
                        "client B, while A sits on half a frame and A2 on half a header");

    if (!ok) /* the rest would only wait for the same stuck server */
        goto out;
    /* Now the stalled ones finish: their halves must have been kept. */
    unsigned char back[9004];
    GRADE_REQUIRE(su_write_full(a, half + 4 + len / 2, len - len / 2) == 0, "write failed");
    long got = su_read_frame(a, back, max);
    GRADE_CHECK(got == (long)len && memcmp(back, half + 4, len) == 0,
                "client A sent the second half of its frame later: expected the whole frame "
                "back (%zu bytes), got %ld: keep each client's partial frame between wake-ups",
                len, got);
    GRADE_REQUIRE(su_write_full(a2, half + 2, 2 + len) == 0, "write failed");
    got = su_read_frame(a2, back, max);
    GRADE_CHECK(got == (long)len && memcmp(back, half + 4, len) == 0,
                "client A2 finished a header it had sent 2 bytes of: expected its frame back, got %ld",
                got);
out:
    close(a);
    close(a2);
    close(b);
    stop_server(&sp);
}

/* Non-zero when the server closed fd within the reply timeout. */
static int closed_by_server(int fd)
{
    char buf[256];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n == 0 || (n == -1 && errno == ECONNRESET))
            return 1;
        if (n == -1)
            return 0; /* timed out: still open */
    }
}

static void an_oversized_frame_drops_only_its_client(void)
{
    size_t max = su_random_between(1000, 60000);
    struct server_proc sp = start_server(max);
    enum { OTHERS = 4 };
    int others[OTHERS];
    int ok = 1;
    for (int i = 0; i < OTHERS; i++) {
        others[i] = connect_client(&sp);
        ok = ok && round_trip(others[i], 100, "a client before the oversized frame");
    }

    int c = -1, c2 = -1;
    if (!ok) /* the rest would only wait for the same stuck server */
        goto out;
    c = connect_client(&sp), c2 = connect_client(&sp);
    uint32_t be = htonl((uint32_t)max + 1);
    GRADE_REQUIRE(su_write_full(c, &be, 4) == 0 && su_write_full(c, "some bytes", 10) == 0, "write failed");
    unsigned char huge[4] = {0xff, 0xff, 0xff, 0xff};
    GRADE_REQUIRE(su_write_full(c2, huge, 4) == 0, "write failed");
    GRADE_CHECK(closed_by_server(c), "a client announcing max_frame + 1 = %zu bytes should be "
                "disconnected at once (the payload is never read): it was not, within %d s",
                max + 1, REPLY_TIMEOUT_S);
    GRADE_CHECK(closed_by_server(c2), "a client announcing 4 GiB should be disconnected at once");

    for (int i = 0; i < OTHERS && ok; i++)
        ok = round_trip(others[i], su_random_between(1, (uint32_t)max),
                        "a client after another one was dropped for an oversized frame");
    if (ok)
        round_trip(others[0], max, "a frame of exactly max_frame bytes (allowed)");
out:
    for (int i = 0; i < OTHERS; i++)
        close(others[i]);
    close(c);
    close(c2);
    stop_server(&sp);
}

static void a_client_that_never_reads_delays_no_one(void)
{
    size_t max = 60000;
    struct server_proc sp = start_server(max);
    int d = connect_client(&sp);
    /* D sends frame after frame and reads nothing, until its socket is full:
     * the server's replies to D pile up. A server that blocks in send() to D
     * stops serving everyone. */
    unsigned char *frame = malloc(4 + max);
    GRADE_REQUIRE(frame != NULL, "test set-up: out of memory");
    uint32_t be = htonl((uint32_t)max);
    memcpy(frame, &be, 4);
    su_random_bytes(frame + 4, max);
    size_t total = 0, off = 0;
    while (total < (64u << 20)) {
        ssize_t n = send(d, frame + off, 4 + max - off, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n <= 0) {
            /* Full, maybe only for now: give the server a moment, then try once more. */
            usleep(200000);
            n = send(d, frame + off, 4 + max - off, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n <= 0)
                break;
        }
        total += (size_t)n;
        off = (off + (size_t)n) % (4 + max);
    }
    free(frame);

    int b = connect_client(&sp);
    int ok = 1;
    for (int i = 0; i < 10 && ok; i++)
        ok = round_trip(b, su_random_between(1, (uint32_t)max),
                        "client B, while client D sends without reading its replies");
    close(b);
    close(d);
    stop_server(&sp);
}

static void stops_before_any_client(void)
{
    struct server_proc sp = start_server(1000);
    usleep(20000); /* let it reach poll(): stopping must wake it there */
    stop_server(&sp);
}

/* Waits up to the reply timeout for the server to have want descriptors
 * open; returns how many it has. */
static int server_fds_become(const struct server_proc *sp, int want)
{
    int n = -1;
    for (int waited = 0; waited <= REPLY_TIMEOUT_S * 1000; waited += 5) {
        if ((n = su_open_fds(sp->pid)) == want)
            break;
        usleep(5000);
    }
    return n;
}

/* A client that closes, or resets while its reply is going out, is dropped:
 * its descriptor closed, not kept and polled forever (a server that keeps
 * them runs out of descriptors, and spins on their endless readiness). */
static void a_client_that_leaves_is_closed(void)
{
    size_t max = 16u << 20;
    struct server_proc sp = start_server(max);
    int s = connect_client(&sp);
    int ok = round_trip(s, 10, "a first client");
    int base = su_open_fds(sp.pid);
    GRADE_REQUIRE(base > 0, "test set-up: cannot read /proc/%d/fd", (int)sp.pid);

    int x = connect_client(&sp);
    ok = ok && round_trip(x, 10, "a second client");
    close(x);
    int n = ok ? server_fds_become(&sp, base) : base;
    GRADE_CHECK(n == base,
                "a client closed its connection: the server should close its socket "
                "too (recv() returned 0), but it still has %d descriptors open, not %d",
                n, base);

    /* D sends a frame bigger than its socket buffers can take back, and
     * reads none of it: the server is sending the reply when D resets. */
    int d = connect_client(&sp);
    unsigned char *frame = malloc(max);
    GRADE_REQUIRE(frame != NULL, "test set-up: out of memory");
    memset(frame, 0x3C, max);
    if (ok) {
        ok = su_write_frame(d, frame, (uint32_t)max) == 0;
        GRADE_CHECK(ok, "client D could not send its frame: %s", strerror(errno));
    }
    free(frame);
    if (ok) {
        ok = su_readable_within(d, REPLY_TIMEOUT_S * 1000);
        GRADE_CHECK(ok, "no echo of a %zu-byte frame started within %d s", max, REPLY_TIMEOUT_S);
    }
    struct linger abort_now = {.l_onoff = 1, .l_linger = 0};
    setsockopt(d, SOL_SOCKET, SO_LINGER, &abort_now, sizeof abort_now);
    close(d); /* a reset: the server's next send() fails with ECONNRESET or EPIPE */
    n = ok ? server_fds_become(&sp, base) : base;
    GRADE_CHECK(n == base,
                "a client reset its connection while its reply was going out: send() "
                "fails, and the server should close that client, but it still has %d "
                "descriptors open, not %d",
                n, base);
    if (ok)
        round_trip(s, 100, "the first client, after the others left");
    close(s);
    stop_server(&sp);
}

/* Dropping a client must not disturb the others' half-received frames: the
 * slot it leaves is filled by another client, state and all. */
static void a_client_that_leaves_disturbs_no_other(void)
{
    size_t max = 5000;
    struct server_proc sp = start_server(max);
    enum { A, B, S, C, N }; /* in the order they connect */
    int fd[N];
    for (int i = 0; i < N; i++)
        fd[i] = connect_client(&sp);
    unsigned char frame[2][4 + 3000];
    size_t len[2];
    for (int k = 0; k < 2; k++) {
        len[k] = su_random_between(100, 3000);
        uint32_t be = htonl((uint32_t)len[k]);
        memcpy(frame[k], &be, 4);
        su_random_bytes(frame[k] + 4, len[k]);
    }
    /* B and C send half a frame each; S's echo says the server has read them. */
    int ok = su_write_full(fd[B], frame[0], 4 + len[0] / 2) == 0 &&
             su_write_full(fd[C], frame[1], 4 + len[1] / 2) == 0;
    GRADE_REQUIRE(ok, "test set-up: write failed: %s", strerror(errno));
    ok = round_trip(fd[S], 10, "client S, while B and C sit on half a frame");
    close(fd[A]);
    ok = ok && round_trip(fd[S], 10, "client S, after A left");
    for (int k = 0; ok && k < 2; k++) {
        int who = k == 0 ? B : C;
        unsigned char back[3000];
        ok = su_write_full(fd[who], frame[k] + 4 + len[k] / 2, len[k] - len[k] / 2) == 0;
        long got = ok ? su_read_frame(fd[who], back, sizeof back) : -1;
        GRADE_CHECK(got == (long)len[k] && memcmp(back, frame[k] + 4, len[k]) == 0,
                    "client %c had half a frame in the server when client A (connected before "
                    "it) left; it sent the rest and expected its %zu bytes back, got %ld: "
                    "dropping a client must move another one whole, its partial frame with it",
                    k == 0 ? 'B' : 'C', len[k], got);
    }
    for (int i = B; i < N; i++)
        close(fd[i]);
    stop_server(&sp);
}

/* Memory runs out while clients keep connecting. Each client must then be
 * served or closed, never left connected and ignored; and a server that
 * gives up returns -ENOMEM with every client closed. (One whose table never
 * has to grow may go on serving: it is stopped as usual.) */
static void out_of_memory_leaves_no_client_hanging(void)
{
    faults_share();
    struct server_proc sp = start_server(1000);
    enum { MORE = 150 };
    int fds[MORE + 1];
    fds[0] = connect_client(&sp);
    int ok = round_trip(fds[0], 10, "a client before memory ran out");
    faults_alloc(1);
    /* Idle clients cost no frame buffer: only the server's table grows. */
    for (int i = 1; i <= MORE; i++) {
        fds[i] = su_connect_tcp(sp.port);
        if (fds[i] >= 0) {
            struct timeval tv = {.tv_sec = REPLY_TIMEOUT_S};
            setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        }
    }
    for (int i = 0; i <= MORE && ok; i++) {
        if (fds[i] < 0)
            continue; /* refused: the server had returned */
        unsigned char back[8];
        uint32_t empty = 0;
        errno = 0;
        long got =
            su_write_full(fds[i], &empty, 4) == 0 ? su_read_frame(fds[i], back, sizeof back) : -1;
        /* An echo, or the end of the connection; EAGAIN is the timeout. */
        ok = got == 0 || errno != EAGAIN;
        GRADE_CHECK(ok,
                    "client %d of %d, connected while allocations fail, was neither served "
                    "nor closed within %d s: a client the server cannot take must be closed "
                    "(or the server returns -ENOMEM), not left connected and ignored",
                    i + 1, MORE + 1, REPLY_TIMEOUT_S);
    }
    /* Stopped now, if it has not returned yet: either way it ends with 0 or
     * -ENOMEM, and without a client's descriptor left open. */
    faults_alloc(0);
    close(sp.stop_w);
    int status = 0, done = ok && su_wait_exit(sp.pid, REPLY_TIMEOUT_S * 1000, &status);
    if (!done)
        su_kill(sp.pid);
    GRADE_CHECK(!ok || done,
                "echo_server_run did not return within %d s of stop_fd becoming "
                "readable, after allocations had failed",
                REPLY_TIMEOUT_S);
    GRADE_CHECK(!done ||
                    (WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 3)),
                "after allocations failed, echo_server_run should return -ENOMEM (or 0 once "
                "stopped), every client closed: the child running it ended with status 0x%x "
                "(0x200: descriptors left open after it returned; 0x500: a write past the end "
                "of its memory; 0x100: another return)",
                status);
    for (int i = 0; i <= MORE; i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

/* accept() fails now and then. ECONNABORTED is a client that left before
 * it was accepted: that client's problem. ENOBUFS is the kernel short of
 * memory: the server's, returned. And a send() that would block (EAGAIN,
 * whatever poll() said) is "later", not a reason to drop the client. */
static void accept_and_send_errors(void)
{
    faults_share();
    struct server_proc sp = start_server(1000);
    int a = connect_client(&sp);
    int ok = round_trip(a, 10, "a first client");

    faults_next_send(EAGAIN);
    ok = ok && round_trip(a, 20,
                          "a client whose reply's first send() failed with EAGAIN "
                          "(it should be kept, and the reply sent when poll() says so)");

    faults_next_accept(ECONNABORTED);
    int b = connect_client(&sp);
    ok = ok && round_trip(b, 30,
                          "a client connected after accept() failed with ECONNABORTED "
                          "(a client that left: the server should go on)");
    ok = ok && round_trip(a, 40, "the first client, after accept() failed with ECONNABORTED");

    int c = -1, status = 0, done = 0;
    if (ok) {
        faults_next_accept(ENOBUFS);
        c = su_connect_tcp(sp.port);
        done = su_wait_exit(sp.pid, REPLY_TIMEOUT_S * 1000, &status);
        GRADE_CHECK(done && WIFEXITED(status) && WEXITSTATUS(status) == 4,
                    "accept() failed with ENOBUFS (no memory for the server): echo_server_run "
                    "should return -ENOBUFS with every client closed; %s (status 0x%x: 0x100 is "
                    "another return, 0x200 descriptors left open, 0x500 a write past the end of its "
                    "memory)",
                    done ? "it returned otherwise" : "it did not return", status);
    }
    if (!done)
        su_kill(sp.pid);
    close(sp.stop_w);
    close(a);
    close(b);
    if (c >= 0)
        close(c);
}

GRADE_TESTS(
    GRADE_TEST_TIMEOUT("03.3", "echoes frames (empty, max, pipelined), stops on stop_fd", echoes_frames_and_stops, 2, 20),
    GRADE_TEST_TIMEOUT("03.3", "serves 200 clients connected at once", serves_200_clients_at_once, 4, 30),
    GRADE_TEST_TIMEOUT("03.3", "a client stalled on half a frame delays no one, and is kept", a_stalled_client_delays_no_one, 3, 30),
    GRADE_TEST_TIMEOUT("03.3", "an oversized frame drops its client; the rest are served", an_oversized_frame_drops_only_its_client, 3, 30),
    GRADE_TEST_TIMEOUT("03.3", "a client that never reads its replies delays no one", a_client_that_never_reads_delays_no_one, 2, 30),
    GRADE_TEST_TIMEOUT("03.3", "stops on stop_fd before any client connected", stops_before_any_client, 1, 10),
    GRADE_TEST_TIMEOUT("03.3", "a client that closes or resets is dropped: its socket closed", a_client_that_leaves_is_closed, 1, 20),
    GRADE_TEST_TIMEOUT("03.3", "dropping a client keeps the others' partial frames", a_client_that_leaves_disturbs_no_other, 1, 20),
    GRADE_TEST_TIMEOUT("03.3", "out of memory: no client is left connected and ignored", out_of_memory_leaves_no_client_hanging, 1, 20),
    GRADE_TEST_TIMEOUT("03.3", "accept() and send() errors: a client's are survived, the server's returned", accept_and_send_errors, 1, 20),
)
