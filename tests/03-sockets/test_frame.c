/* Graded tests for exercise 03.2 (chapters/03-sockets/frame.h), over real
 * TCP connections on loopback. The test reads and writes frames with its own
 * loops (sockutil.c), so the wire format is checked byte for byte. */
#include "frame.h"
#include "grade.h"
#include "sockutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { FRAMES = 12 };

/* Sizes the learner cannot predict: empty, one byte, random, and the maximum. */
static size_t frame_size(int i)
{
    switch (i) {
    case 0: return 0;
    case 1: return 1;
    case 2: return FRAME_MAX;
    default: return su_random_between(2, i % 3 == 0 ? 200000 : 3000);
    }
}

/* Nothing is waiting to be read on fd right now. */
static int stream_empty(int fd)
{
    char c;
    return recv(fd, &c, 1, MSG_DONTWAIT) == -1 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

struct sent_frames {
    int fd;
    unsigned char *data[FRAMES];
    size_t len[FRAMES];
    long got[FRAMES]; /* length the test's reader saw, or -1 */
    unsigned char header[FRAMES][4];
};

/* Reads to the end of the stream, so a sender of a wrong stream never blocks
 * forever; buf (FRAME_MAX bytes, or NULL) is freed. */
static void *drain_and_free(int fd, unsigned char *buf)
{
    while (buf != NULL && read(fd, buf, FRAME_MAX) > 0)
        continue;
    free(buf);
    return NULL;
}

static void *read_frames(void *arg)
{
    struct sent_frames *s = arg;
    unsigned char *buf = malloc(FRAME_MAX);
    for (int i = 0; i < FRAMES && buf != NULL; i++) {
        s->got[i] = -1;
        if (su_read_full(s->fd, s->header[i], 4) != 0)
            break;
        uint32_t n = ntohl(*(uint32_t *)(void *)s->header[i]);
        if (n != s->len[i] || su_read_full(s->fd, buf, n) != 0)
            break;
        s->got[i] = memcmp(buf, s->data[i], n) == 0 ? (long)n : -2;
    }
    return drain_and_free(s->fd, buf);
}

static void sends_the_wire_format(void)
{
    int fds[2];
    su_tcp_pair(fds);
    struct sent_frames s = {.fd = fds[1]};
    for (int i = 0; i < FRAMES; i++) {
        s.len[i] = frame_size(i);
        s.data[i] = malloc(s.len[i] + 1);
        GRADE_REQUIRE(s.data[i] != NULL, "test set-up: out of memory");
        su_random_bytes(s.data[i], s.len[i]);
    }
    pthread_t reader;
    GRADE_REQUIRE(pthread_create(&reader, NULL, read_frames, &s) == 0, "test set-up: pthread_create");
    int rc[FRAMES];
    for (int i = 0; i < FRAMES; i++)
        rc[i] = frame_send(fds[0], s.data[i], s.len[i]);
    shutdown(fds[0], SHUT_WR); /* the reader stops at the end, whatever was sent */
    pthread_join(reader, NULL);

    for (int i = 0; i < FRAMES; i++) {
        GRADE_EXPECT_LONG(rc[i], 0, "frame_send returns 0 when the whole frame is sent");
        uint32_t n = (uint32_t)s.len[i];
        unsigned char want[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16),
                                 (unsigned char)(n >> 8), (unsigned char)n};
        if (rc[i] == 0 && memcmp(s.header[i], want, 4) != 0) {
            GRADE_CHECK(0, "frame %d: header bytes %02x %02x %02x %02x, expected %02x %02x %02x %02x "
                        "(the length %zu as 4 bytes, most significant first: htonl())", i,
                        s.header[i][0], s.header[i][1], s.header[i][2], s.header[i][3],
                        want[0], want[1], want[2], want[3], s.len[i]);
            break;
        }
        if (rc[i] == 0)
            GRADE_EXPECT_LONG(s.got[i], (long)s.len[i],
                              "the payload follows the header, every byte (-2: bytes differ)");
    }

    unsigned char *big = calloc(FRAME_MAX + 2, 1);
    GRADE_REQUIRE(big != NULL, "test set-up: out of memory");
    GRADE_EXPECT_LONG(frame_send(fds[1], big, FRAME_MAX + 1), -EMSGSIZE,
                      "a payload over FRAME_MAX is refused: the receiver would drop it anyway");
    GRADE_CHECK(stream_empty(fds[0]), "a refused frame must send nothing, not even its header: "
                "half a frame would break the stream for every frame after it");
    free(big);
    for (int i = 0; i < FRAMES; i++)
        free(s.data[i]);
    close(fds[0]);
    close(fds[1]);
}

/* Frames of which the sender gets interrupted: a few under 64 KiB, a big
 * random one and the maximum, in random order. */
enum { SLOW_FRAMES = 5 };

struct slow_frames {
    int fd;
    unsigned char *data[SLOW_FRAMES];
    size_t len[SLOW_FRAMES];
    int whole;   /* frames that arrived with the right header and payload */
    long bad_at; /* frame that arrived wrong, or -1 */
};

/* Reads the frames in random small pieces, pausing now and then, so that the
 * sender finds the small socket buffer full and is interrupted while it waits
 * (send() then returns early: a partial count, or -1 with EINTR). */
static void *read_frames_slowly(void *arg)
{
    struct slow_frames *s = arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    unsigned char *buf = malloc(FRAME_MAX + 4);
    size_t got = 0, next_pause = 64 << 10;
    s->bad_at = -1;
    for (int i = 0; i < SLOW_FRAMES && buf != NULL && s->bad_at < 0; i++) {
        size_t want = 4 + s->len[i];
        for (size_t off = 0; off < want;) {
            size_t n = su_random_between(1, 8192);
            ssize_t r = read(s->fd, buf + off, n < want - off ? n : want - off);
            if (r <= 0) {
                s->bad_at = i;
                break;
            }
            off += (size_t)r, got += (size_t)r;
            if (got >= next_pause) {
                usleep(2000);
                next_pause += 64 << 10;
            }
        }
        uint32_t be = htonl((uint32_t)s->len[i]);
        if (s->bad_at < 0 && (memcmp(buf, &be, 4) != 0 || memcmp(buf + 4, s->data[i], s->len[i]) != 0))
            s->bad_at = i;
        if (s->bad_at < 0)
            s->whole++;
    }
    return drain_and_free(s->fd, buf);
}

static void sends_whole_frames_despite_signals(void)
{
    int fds[2];
    su_tcp_pair(fds);
    int small = 16 << 10; /* the sender blocks early and often */
    setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    setsockopt(fds[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    struct slow_frames s = {.fd = fds[1]};
    int big = (int)su_random_between(0, SLOW_FRAMES - 1);
    int max = (big + 1 + (int)su_random_between(0, SLOW_FRAMES - 2)) % SLOW_FRAMES;
    for (int i = 0; i < SLOW_FRAMES; i++) {
        s.len[i] = i == max ? FRAME_MAX : i == big ? su_random_between(100000, 400000)
                                                   : su_random_between(20000, 60000);
        s.data[i] = malloc(s.len[i]);
        GRADE_REQUIRE(s.data[i] != NULL, "test set-up: out of memory");
        su_random_bytes(s.data[i], s.len[i]);
    }
    pthread_t reader;
    GRADE_REQUIRE(pthread_create(&reader, NULL, read_frames_slowly, &s) == 0, "test set-up: pthread_create");
    int rc[SLOW_FRAMES];
    su_start_pester(200);
    for (int i = 0; i < SLOW_FRAMES; i++)
        rc[i] = frame_send(fds[0], s.data[i], s.len[i]);
    long signals = su_stop_pester();
    shutdown(fds[0], SHUT_WR);
    pthread_join(reader, NULL);
    close(fds[0]);
    close(fds[1]);

    int first_bad = -1;
    for (int i = 0; i < SLOW_FRAMES && first_bad < 0; i++)
        if (rc[i] != 0)
            first_bad = i;
    if (s.bad_at >= 0 && (first_bad < 0 || s.bad_at < first_bad))
        GRADE_CHECK(0, "frame %ld (%zu bytes) arrived damaged or cut short, though frame_send "
                    "returned 0: a signal makes sendmsg() return after part of the frame; loop, "
                    "and go on from the first byte not sent", s.bad_at, s.len[s.bad_at]);
    else if (first_bad >= 0)
        GRADE_CHECK(0, "frame %d (%zu bytes): frame_send returned %d, expected 0; a signal handler "
                    "(installed without SA_RESTART) interrupted it: on EINTR, send again", first_bad,
                    s.len[first_bad], rc[first_bad]);
    GRADE_EXPECT_LONG(s.whole, SLOW_FRAMES, "every frame arrives whole, each header and payload intact");
    GRADE_CHECK(signals > 0, "test set-up: no signal reached the sender");
    for (int i = 0; i < SLOW_FRAMES; i++)
        free(s.data[i]);
}

struct stream {
    int fd;
    unsigned char *bytes;
    size_t len;
};

/* Writes the whole encoded stream in random pieces, cutting through headers
 * and gluing frames together, as TCP may deliver them. */
static void *write_in_pieces(void *arg)
{
    struct stream *s = arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    for (size_t off = 0; off < s->len;) {
        size_t n = su_random_between(1, off < 64 ? 3 : 70000);
        if (n > s->len - off)
            n = s->len - off;
        if (su_write_full(s->fd, s->bytes + off, n) != 0)
            break;
        off += n;
        if (su_random_between(0, 7) == 0)
            usleep(1000);
    }
    return NULL;
}

static void receives_frames_from_a_stream(void)
{
    int fds[2];
    su_tcp_pair(fds);
    size_t len[FRAMES], total = 0;
    for (int i = 0; i < FRAMES; i++)
        total += 4 + (len[i] = frame_size(FRAMES - 1 - i)); /* small ones first: headers get cut */
    struct stream s = {.fd = fds[0], .bytes = malloc(total), .len = total};
    unsigned char *buf = malloc(FRAME_MAX + 64);
    GRADE_REQUIRE(s.bytes != NULL && buf != NULL, "test set-up: out of memory");
    size_t off = 0;
    for (int i = 0; i < FRAMES; i++) {
        uint32_t be = htonl((uint32_t)len[i]);
        memcpy(s.bytes + off, &be, 4);
        su_random_bytes(s.bytes + off + 4, len[i]);
        off += 4 + len[i];
    }

    pthread_t writer;
    GRADE_REQUIRE(pthread_create(&writer, NULL, write_in_pieces, &s) == 0, "test set-up: pthread_create");
    su_start_pester(300);
    off = 0;
    for (int i = 0; i < FRAMES; i++) {
        size_t got_len = (size_t)-1;
        int rc = frame_recv(fds[1], buf, FRAME_MAX, &got_len);
        if (rc != 1) {
            su_stop_pester();
            GRADE_CHECK(0, "frame %d (%zu bytes): frame_recv returned %d, expected 1; the frames "
                        "arrive in arbitrary pieces, glued together and cut through headers",
                        i, len[i], rc);
            close(fds[1]); /* unread data: the writer gets a reset, not a hang */
            pthread_join(writer, NULL);
            close(fds[0]);
            goto out;
        }
        GRADE_EXPECT_LONG(got_len, (long)len[i], "*len is the length from the header");
        if (got_len == len[i])
            GRADE_CHECK(memcmp(buf, s.bytes + off + 4, len[i]) == 0,
                        "frame %d: payload bytes differ from what was sent", i);
        off += 4 + len[i];
    }
    su_stop_pester();
    pthread_join(writer, NULL);
    close(fds[0]);
    size_t dummy;
    GRADE_EXPECT_LONG(frame_recv(fds[1], buf, FRAME_MAX, &dummy), 0,
                      "after the last frame the peer closed: a clean end of stream is 0");
    close(fds[1]);
out:
    free(s.bytes);
    free(buf);
}

/* Writes bytes then closes: what frame_recv sees is exactly these. */
static int recv_after(const void *bytes, size_t n, unsigned char *buf, size_t cap)
{
    int fds[2];
    su_tcp_pair(fds);
    GRADE_REQUIRE(su_write_full(fds[0], bytes, n) == 0, "test set-up: write failed");
    close(fds[0]);
    size_t len;
    int rc = frame_recv(fds[1], buf, cap, &len);
    close(fds[1]);
    return rc;
}

static void rejects_oversized_and_truncated(void)
{
    enum { GUARD = 256 };
    size_t cap = su_random_between(100, 4000);
    size_t over = cap + su_random_between(1, 200);
    unsigned char *wire = malloc(4 + over), *buf = malloc(cap + GUARD);
    GRADE_REQUIRE(wire != NULL && buf != NULL, "test set-up: out of memory");
    uint32_t be = htonl((uint32_t)over);
    memcpy(wire, &be, 4);
    su_random_bytes(wire + 4, over);
    memset(buf, 0x5A, cap + GUARD);
    GRADE_EXPECT_LONG(recv_after(wire, 4 + over, buf, cap), -EMSGSIZE,
                      "the header announces more than cap bytes: refuse before reading the payload");
    int intact = 1;
    for (size_t i = cap; i < cap + GUARD; i++)
        intact &= buf[i] == 0x5A;
    GRADE_CHECK(intact, "frame_recv wrote past buf[cap - 1]: a length from the peer is untrusted, "
                "an overflow here is how servers get taken over");

    unsigned char huge[4] = {0xff, 0xff, 0xff, 0xf0};
    GRADE_EXPECT_LONG(recv_after(huge, 4, buf, cap), -EMSGSIZE,
                      "a header announcing about 4 GiB is refused at once");
    GRADE_EXPECT_LONG(recv_after("", 0, buf, cap), 0, "no byte at all: a clean end of stream");
    GRADE_EXPECT_LONG(recv_after(wire, 2, buf, cap), -EPROTO,
                      "the stream ended inside the 4-byte header: a truncated frame");

    size_t short_len = su_random_between(2, (uint32_t)cap - 1);
    be = htonl((uint32_t)short_len);
    memcpy(wire, &be, 4);
    GRADE_EXPECT_LONG(recv_after(wire, 4 + short_len / 2, buf, cap), -EPROTO,
                      "the stream ended inside the payload: a truncated frame, not a short one");
    GRADE_EXPECT_LONG(recv_after(wire, 4, buf, cap), -EPROTO,
                      "the stream ended right after a header announcing bytes: truncated");
    free(wire);
    free(buf);
}

/* The errors a caller acts on: a connection it can no longer write to, and
 * one the peer aborted. Both must come back as the call's -errno: a 0 would
 * claim a frame was sent, or that the peer ended cleanly, when it did not. */
static void reports_the_failed_calls_error(void)
{
    int fds[2];
    su_tcp_pair(fds);
    GRADE_REQUIRE(shutdown(fds[0], SHUT_WR) == 0, "test set-up: shutdown: %s", strerror(errno));
    GRADE_EXPECT_LONG(frame_send(fds[0], "payload", 7), -EPIPE,
                      "frame_send on a connection shut down for writing: sendmsg() fails with "
                      "EPIPE, and frame_send must return it, not claim the frame was sent");
    close(fds[0]);
    close(fds[1]);

    su_tcp_pair(fds);
    struct linger abort_now = {.l_onoff = 1, .l_linger = 0};
    GRADE_REQUIRE(setsockopt(fds[0], SOL_SOCKET, SO_LINGER, &abort_now, sizeof abort_now) == 0,
                  "test set-up: SO_LINGER: %s", strerror(errno));
    close(fds[0]); /* a reset, not an end of stream: the peer crashed or gave up */
    unsigned char buf[16];
    size_t len = 0;
    GRADE_EXPECT_LONG(frame_recv(fds[1], buf, sizeof buf, &len), -ECONNRESET,
                      "frame_recv on a connection the peer reset: recv() fails with ECONNRESET, "
                      "which is not the clean end of stream 0 stands for");
    close(fds[1]);
}

GRADE_TESTS(
    GRADE_TEST_TIMEOUT("03.2", "frame_send writes a big-endian length, then the payload", sends_the_wire_format, 3, 15),
    GRADE_TEST_TIMEOUT("03.2", "frame_send sends whole frames despite partial sends and EINTR", sends_whole_frames_despite_signals, 3, 15),
    GRADE_TEST_TIMEOUT("03.2", "frame_recv reads frames cut and glued in any way, despite EINTR", receives_frames_from_a_stream, 3, 15),
    GRADE_TEST_TIMEOUT("03.2", "frame_recv refuses oversized and truncated frames, never overflows", rejects_oversized_and_truncated, 3, 10),
    GRADE_TEST_TIMEOUT("03.2", "frame_send and frame_recv return the failed call's -errno", reports_the_failed_calls_error, 1, 10),
)
