/* Graded tests for exercise 03.1 (chapters/03-sockets/sendrecv.h), over real
 * TCP connections on loopback. */
#include "grade.h"
#include "sendrecv.h"
#include "sockutil.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef IPC_SANITIZED
enum { BIG_MIN = 256 << 10, BIG_MAX = 512 << 10 };
#else
enum { BIG_MIN = 1 << 20, BIG_MAX = 2 << 20 };
#endif

/* Small socket buffers make the sender block early and often. */
static void shrink_buffers(int fds[2])
{
    int small = 16 << 10;
    setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    setsockopt(fds[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
}

static void block_sigusr1(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

struct transfer {
    int fd;
    unsigned char *data;
    size_t len;      /* bytes to move */
    size_t done;     /* bytes moved */
};

/* Reads until EOF in random small pieces, pausing now and then so that the
 * sender finds the socket full and is interrupted while it waits. */
static void *slow_reader(void *arg)
{
    struct transfer *t = arg;
    block_sigusr1();
    size_t next_pause = 64 << 10;
    for (;;) {
        size_t want = su_random_between(1, 8192);
        if (want > t->len - t->done)
            want = t->len - t->done;
        if (want == 0)
            want = 1; /* past the end: only to see EOF or extra bytes */
        unsigned char scratch[8192];
        ssize_t n = read(t->fd, t->done < t->len ? t->data + t->done : scratch, want);
        if (n <= 0)
            return NULL;
        t->done += (size_t)n;
        if (t->done >= next_pause) {
            usleep(5000);
            next_pause += 64 << 10;
        }
    }
}

static void send_all_sends_everything(void)
{
    int fds[2];
    su_tcp_pair(fds);
    shrink_buffers(fds);
    size_t len = su_random_between(BIG_MIN, BIG_MAX);
    unsigned char *data = malloc(len), *got = calloc(len + 1, 1);
    GRADE_REQUIRE(data != NULL && got != NULL, "test set-up: out of memory");
    su_random_bytes(data, len);

    struct transfer t = {.fd = fds[1], .data = got, .len = len + 1};
    pthread_t reader;
    GRADE_REQUIRE(pthread_create(&reader, NULL, slow_reader, &t) == 0, "test set-up: pthread_create");
    su_start_pester(200);
    ssize_t rc = send_all(fds[0], data, len);
    long signals = su_stop_pester();
    close(fds[0]); /* the reader sees EOF after what was sent */
    pthread_join(reader, NULL);
    close(fds[1]);

    GRADE_EXPECT_LONG(rc, (long)len,
                      "send_all returns len once every byte is sent; a signal makes send() return "
                      "early (a partial count, or -1 with EINTR): loop and send the rest");
    GRADE_EXPECT_LONG(t.done, (long)len, "the reader should receive exactly the len bytes sent");
    GRADE_CHECK(t.done != len || memcmp(got, data, len) == 0,
                "the bytes arrived in the wrong order or changed: after a partial send, go on "
                "from buf + sent, not from buf");
    GRADE_CHECK(rc != (ssize_t)len || signals > 0, "test set-up: no signal reached the sender");
    free(data);
    free(got);
}

/* Writes data in random small pieces with pauses, then extra bytes. */
static void *slow_writer(void *arg)
{
    struct transfer *t = arg;
    block_sigusr1();
    size_t next_pause = 32 << 10;
    while (t->done < t->len) {
        size_t n = su_random_between(1, 3000);
        if (n > t->len - t->done)
            n = t->len - t->done;
        if (su_write_full(t->fd, t->data + t->done, n) != 0)
            return NULL;
        t->done += n;
        if (t->done >= next_pause) {
            usleep(2000);
            next_pause += 32 << 10;
        }
    }
    return NULL;
}

static void recv_all_receives_exactly_len(void)
{
    int fds[2];
    su_tcp_pair(fds);
    enum { EXTRA = 16, GUARD = 64 };
    size_t len = su_random_between(BIG_MIN / 4, BIG_MAX / 4);
    unsigned char *data = malloc(len + EXTRA), *got = malloc(len + GUARD);
    GRADE_REQUIRE(data != NULL && got != NULL, "test set-up: out of memory");
    su_random_bytes(data, len + EXTRA);
    memset(got + len, 0xA5, GUARD);

    struct transfer t = {.fd = fds[0], .data = data, .len = len + EXTRA};
    pthread_t writer;
    GRADE_REQUIRE(pthread_create(&writer, NULL, slow_writer, &t) == 0, "test set-up: pthread_create");
    su_start_pester(200);
    ssize_t rc = recv_all(fds[1], got, len);
    long signals = su_stop_pester();
    pthread_join(writer, NULL);

    GRADE_EXPECT_LONG(rc, (long)len,
                      "recv_all returns len once all bytes arrived; recv() returns what has "
                      "arrived so far (maybe one small piece), or -1 with EINTR: loop");
    if (rc == (ssize_t)len)
        GRADE_CHECK(memcmp(got, data, len) == 0, "the bytes received differ from the bytes sent");
    int guard_ok = 1;
    for (size_t i = 0; i < GUARD; i++)
        guard_ok &= got[len + i] == 0xA5;
    GRADE_CHECK(guard_ok, "recv_all wrote past buf[len - 1]: ask recv() only for len - got bytes");

    GRADE_CHECK(rc != (ssize_t)len || signals > 0, "test set-up: no signal reached the receiver");

    unsigned char after[EXTRA];
    GRADE_CHECK(su_read_full(fds[1], after, EXTRA) == 0 && memcmp(after, data + len, EXTRA) == 0,
                "the %d bytes sent after the first len were not the next ones in the stream: "
                "recv_all consumed bytes that belong to the next message", EXTRA);
    close(fds[0]);
    close(fds[1]);
    free(data);
    free(got);
}

static void end_of_stream_and_errors(void)
{
    signal(SIGPIPE, SIG_DFL); /* as in a program that did nothing about it */
    unsigned char buf[128];
    int fds[2];

    su_tcp_pair(fds);
    close(fds[0]);
    GRADE_EXPECT_LONG(recv_all(fds[1], buf, 100), 0,
                      "the peer closed before sending anything: a clean end of stream is 0");
    close(fds[1]);

    su_tcp_pair(fds);
    size_t k = su_random_between(1, 99);
    su_random_bytes(buf, k);
    GRADE_REQUIRE(su_write_full(fds[0], buf, k) == 0, "test set-up: write failed");
    close(fds[0]);
    GRADE_EXPECT_LONG(recv_all(fds[1], buf, 100), -EPROTO,
                      "the peer closed after some of the 100 bytes: a truncated message is -EPROTO, "
                      "never a success and never a short count the caller might take as whole");
    close(fds[1]);

    su_tcp_pair(fds);
    close(fds[1]);
    size_t len = 4 << 20;
    unsigned char *big = calloc(len, 1);
    GRADE_REQUIRE(big != NULL, "test set-up: out of memory");
    ssize_t rc = send_all(fds[0], big, len);
    free(big);
    close(fds[0]);
    GRADE_CHECK(rc == -EPIPE || rc == -ECONNRESET,
                "sending to a peer that closed should return -EPIPE or -ECONNRESET, got %ld "
                "(and with MSG_NOSIGNAL the process survives: no SIGPIPE)", (long)rc);

    GRADE_EXPECT_LONG(send_all(-1, buf, 10), -EBADF, "errors come back as -errno");
    GRADE_EXPECT_LONG(recv_all(-1, buf, 10), -EBADF, "errors come back as -errno");
}

GRADE_TESTS(
    GRADE_TEST_TIMEOUT("03.1", "send_all sends every byte despite partial sends and EINTR", send_all_sends_everything, 3, 20),
    GRADE_TEST_TIMEOUT("03.1", "recv_all receives exactly len bytes from many pieces, despite EINTR", recv_all_receives_exactly_len, 3, 20),
    GRADE_TEST_TIMEOUT("03.1", "end of stream: 0 before a message, -EPROTO inside one; errors as -errno", end_of_stream_and_errors, 2, 10),
)
