/* Graded tests for exercise 01.1 (chapters/01-message-queue/mq_connect.h). */
#include "grade.h"
#include "mq_connect.h"
#include "mq_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Protocol classes and methods the fake broker below speaks. */
#define CONNECTION 10
#define CHANNEL 20
#define START 10
#define START_OK 11
#define TUNE 30
#define TUNE_OK 31
#define OPEN 40
#define OPEN_OK 41
#define CH_OPEN 10
#define CH_OPEN_OK 11
#define CLOSE_CH 40
#define CLOSE_CH_OK 41
#define CLOSE 50
#define CLOSE_OK 51

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The broker's URL with its user:password replaced by user:password_. */
static void url_with_password(char *buf, size_t size, const char *password)
{
    const char *url = mq_test_url(), *rest = url + strlen("amqp://");
    const char *at = strchr(rest, '@'), *colon = strchr(rest, ':');
    GRADE_REQUIRE(strncmp(url, "amqp://", 7) == 0 && at && colon && colon < at,
                  "the test needs a broker URL with user:password@, got %s", url);
    snprintf(buf, size, "%.*s:%s%s", (int)(colon - url), url, password, at);
}

/* The broker's URL with another vhost. */
static void url_with_vhost(char *buf, size_t size, const char *vhost)
{
    const char *url = mq_test_url(), *host = strchr(url + strlen("amqp://"), '@');
    const char *slash = strchr(host ? host : url + strlen("amqp://"), '/');
    snprintf(buf, size, "%.*s/%s", slash ? (int)(slash - url) : (int)strlen(url), url, vhost);
}

/* ---- A fake broker, for what a real one cannot be made to do (hang up in
 * the middle of the handshake, refuse with any reply code) and to see which
 * frames mq_connect() and mq_disconnect() send. It speaks just enough AMQP
 * 0-9-1: a frame is type (1 = method), channel, size, payload, 0xCE; a
 * method's payload starts with its class and method numbers. */

enum fake_mode {
    FAKE_HANG_UP, /* closes the connection after the protocol header */
    FAKE_REFUSE,  /* answers connection.open with connection.close 541 */
    FAKE_SERVE,   /* completes the handshake, then reports each frame */
};

#define FAKE_REFUSAL "INTERNAL_ERROR - the test's broker refuses"

static int read_all(int fd, void *buf, size_t len)
{
    for (size_t done = 0; done < len;) {
        ssize_t n = read(fd, (char *)buf + done, len - done);
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

static void send_method(int fd, unsigned channel, unsigned class_id, unsigned method_id,
                        const void *args, size_t len)
{
    unsigned char f[512];
    size_t size = 4 + len;
    unsigned char head[] = {1,
                            (unsigned char)(channel >> 8),
                            (unsigned char)channel,
                            (unsigned char)(size >> 24),
                            (unsigned char)(size >> 16),
                            (unsigned char)(size >> 8),
                            (unsigned char)size,
                            (unsigned char)(class_id >> 8),
                            (unsigned char)class_id,
                            (unsigned char)(method_id >> 8),
                            (unsigned char)method_id};
    memcpy(f, head, sizeof head);
    memcpy(f + sizeof head, args, len);
    f[sizeof head + len] = 0xCE;
    (void)!write(fd, f, sizeof head + len + 1);
}

/* Reads one frame; returns its payload's size (into p), -1 at the end. */
static long read_frame(int fd, unsigned *channel, unsigned char *p, size_t size)
{
    unsigned char h[7];
    if (read_all(fd, h, sizeof h) != 0)
        return -1;
    size_t len = (size_t)h[3] << 24 | (size_t)h[4] << 16 | (size_t)h[5] << 8 | h[6];
    if (len + 1 > size || read_all(fd, p, len + 1) != 0)
        return -1;
    *channel = (unsigned)h[1] << 8 | h[2];
    return h[0] == 1 && len >= 4 ? (long)len : 0; /* 0: not a method (a heartbeat) */
}

static unsigned u16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/* Reads frames until the method class_id.method_id arrives; 0 if it did. */
static int expect_method(int fd, unsigned class_id, unsigned method_id, unsigned char *p,
                         size_t size)
{
    unsigned channel;
    for (long n; (n = read_frame(fd, &channel, p, size)) >= 0;)
        if (n > 0 && u16(p) == class_id && u16(p + 2) == method_id)
            return 0;
    return -1;
}

/* The fake broker's process: serves one connection on lfd and writes what
 * it saw to out, one line each, "end" last. */
static _Noreturn void fake_broker(int lfd, enum fake_mode mode, int out)
{
    static const unsigned char start[] = {
        0, 9, 0, 0, 0,   0, /* version 0-9, no server properties */
        0, 0, 0, 5, 'P', 'L', 'A', 'I', 'N', 0, 0, 0, 5, 'e', 'n', '_', 'U', 'S'};
    static const unsigned char tune[] = {0x07, 0xff, 0, 2, 0,
                                         0,    0,    60}; /* 2047 channels, 128 KiB frames, 60 s */
    static const unsigned char empty_short[] = {0}, empty_long[] = {0, 0, 0, 0}, nothing[] = {0};
    unsigned char p[4096], header[8];
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0 || read_all(fd, header, sizeof header) != 0)
        _exit(2);
    if (mode == FAKE_HANG_UP) {
        close(fd);
        _exit(0);
    }
    send_method(fd, 0, CONNECTION, START, start, sizeof start);
    if (expect_method(fd, CONNECTION, START_OK, p, sizeof p) != 0)
        _exit(3);
    send_method(fd, 0, CONNECTION, TUNE, tune, sizeof tune);
    if (expect_method(fd, CONNECTION, TUNE_OK, p, sizeof p) != 0)
        _exit(4);
    dprintf(out, "tune-ok channel_max %u heartbeat %u\n", u16(p + 4), u16(p + 10));
    if (expect_method(fd, CONNECTION, OPEN, p, sizeof p) != 0)
        _exit(5);
    if (mode == FAKE_REFUSE) {
        unsigned char close_args[64] = {541 >> 8, 541 & 0xff, (unsigned char)strlen(FAKE_REFUSAL)};
        memcpy(close_args + 3, FAKE_REFUSAL, strlen(FAKE_REFUSAL));
        send_method(fd, 0, CONNECTION, CLOSE, close_args, 3 + strlen(FAKE_REFUSAL) + 4);
    } else {
        send_method(fd, 0, CONNECTION, OPEN_OK, empty_short, sizeof empty_short);
        if (expect_method(fd, CHANNEL, CH_OPEN, p, sizeof p) != 0)
            _exit(6);
        send_method(fd, 1, CHANNEL, CH_OPEN_OK, empty_long, sizeof empty_long);
        unsigned channel;
        for (long n; (n = read_frame(fd, &channel, p, sizeof p)) >= 0;) {
            if (n == 0)
                continue;
            dprintf(out, "%u.%u on %u\n", u16(p), u16(p + 2), channel);
            if (u16(p) == CHANNEL && u16(p + 2) == CLOSE_CH)
                send_method(fd, channel, CHANNEL, CLOSE_CH_OK, nothing, 0);
            if (u16(p) == CONNECTION && u16(p + 2) == CLOSE) {
                send_method(fd, 0, CONNECTION, CLOSE_OK, nothing, 0);
                break;
            }
        }
    }
    dprintf(out, "end\n");
    close(fd);
    _exit(0);
}

struct fake {
    pid_t pid;
    int out;        /* what it reports */
    char url[64];   /* where it listens */
    char log[1024]; /* what it reported, once fake_wait() returned */
};

static void fake_start(struct fake *f, enum fake_mode mode)
{
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), p[2];
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    GRADE_REQUIRE(lfd >= 0 && bind(lfd, (struct sockaddr *)&a, sizeof a) == 0 &&
                      listen(lfd, 1) == 0 && getsockname(lfd, (struct sockaddr *)&a, &len) == 0 &&
                      pipe(p) == 0,
                  "could not set up the test's fake broker: %s", strerror(errno));
    snprintf(f->url, sizeof f->url, "amqp://guest:guest@127.0.0.1:%d/", ntohs(a.sin_port));
    f->log[0] = '\0';
    fflush(NULL);
    f->pid = fork();
    GRADE_REQUIRE(f->pid >= 0, "fork: %s", strerror(errno));
    if (f->pid == 0) {
        close(p[0]);
        fake_broker(lfd, mode, p[1]);
    }
    close(lfd);
    close(p[1]);
    f->out = p[0];
}

/* Collects the fake broker's report and reaps it. */
static void fake_wait(struct fake *f)
{
    int timed_out;
    mq_test_read_until(f->out, "end\n", 3000, f->log, sizeof f->log);
    close(f->out);
    mq_test_stop(f->pid, 0, 3000, &timed_out);
}

static void hang_up_is_eproto(void)
{
    struct fake f;
    fake_start(&f, FAKE_HANG_UP);
    char err[256] = "";
    amqp_connection_state_t conn = (amqp_connection_state_t)&conn;
    int rc = mq_connect(f.url, 2000, &conn, err, sizeof err);
    fake_wait(&f);
    GRADE_EXPECT_LONG(rc, -EPROTO,
                      "the server hung up in the middle of the handshake: that is -EPROTO "
                      "(not -ENOMEM, not a timeout: nothing ran out)");
    GRADE_CHECK(conn == NULL, "on failure *conn must be NULL");
    GRADE_CHECK(err[0] != '\0', "a failure must come with a message in err");
}

static void other_refusal_is_eproto(void)
{
    struct fake f;
    fake_start(&f, FAKE_REFUSE);
    char err[512] = "";
    amqp_connection_state_t conn = (amqp_connection_state_t)&conn;
    int rc = mq_connect(f.url, 2000, &conn, err, sizeof err);
    fake_wait(&f);
    GRADE_EXPECT_LONG(rc, -EPROTO,
                      "the broker closed the connection with 541 INTERNAL_ERROR, neither a "
                      "login nor a vhost refusal: that is -EPROTO");
    GRADE_CHECK(conn == NULL, "on failure *conn must be NULL");
    GRADE_CHECK(strstr(err, FAKE_REFUSAL) != NULL,
                "the message should carry the broker's reply text (\"%s\"); got \"%s\"",
                FAKE_REFUSAL, err);
}

static void asks_no_limits_and_says_goodbye(void)
{
    struct fake f;
    fake_start(&f, FAKE_SERVE);
    char err[256] = "";
    amqp_connection_state_t conn = NULL;
    int rc = mq_connect(f.url, 2000, &conn, err, sizeof err);
    GRADE_CHECK(rc == 0 && conn != NULL,
                "the test's broker completed the handshake, yet mq_connect returned %d (%s)", rc,
                err);
    if (rc == 0 && conn)
        mq_disconnect(conn);
    fake_wait(&f);
    GRADE_CHECK(
        strstr(f.log, "tune-ok channel_max 2047 ") != NULL,
        "the broker offered 2047 channels; the connection should take them all (channel_max 0), so "
        "that the caller can open more channels than #1. The broker saw:\n%s",
        f.log);
    GRADE_CHECK(
        strstr(f.log, " heartbeat 0\n") != NULL,
        "the connection must ask for no heartbeats (heartbeat 0): rabbitmq-c sends them only from "
        "inside its calls, so a caller busy between calls would be cut off. The broker saw:\n%s",
        f.log);
    const char *ch = strstr(f.log, "20.40 on 1\n"), *conn_close = strstr(f.log, "10.50 on 0\n");
    GRADE_CHECK(ch != NULL,
                "mq_disconnect must close channel 1 (channel.close, 20.40); the broker saw:\n%s",
                f.log);
    GRADE_CHECK(
        conn_close != NULL && (!ch || ch < conn_close),
        "mq_disconnect must close the connection (connection.close, 10.50), after the channel; "
        "dropping the socket is not polite: the broker saw:\n%s",
        f.log);
}

static void connects_and_opens_channel(void)
{
    amqp_connection_state_t conn = (amqp_connection_state_t)&conn; /* not NULL: must be set */
    char err[256] = "";
    int rc = mq_connect(mq_test_url(), 5000, &conn, err, sizeof err);
    GRADE_EXPECT_LONG(rc, 0, "connecting to the course's broker must work");
    GRADE_REQUIRE(rc == 0, "mq_connect said: %s", err);
    GRADE_REQUIRE(conn != NULL, "mq_connect returned 0 but stored no connection");

    /* Use the channel: declare a private queue (the broker picks its name).
     * (Local values rather than amqp_empty_*: the test's table of tests is
     * read from this file alone, without librabbitmq's data.) */
    const amqp_bytes_t no_name = {0};
    const amqp_table_t no_args = {0};
    amqp_queue_declare_ok_t *ok =
        amqp_queue_declare(conn, MQ_CHANNEL, no_name, 0, 0, 1, 1, no_args);
    GRADE_CHECK(ok != NULL,
                "declaring a queue on channel %d failed: was the channel opened, on "
                "vhost \"/\" (an empty vhost in the URL means \"/\")?",
                MQ_CHANNEL);
    mq_disconnect(conn);
}

static void refused_is_econnrefused(void)
{
    int port = mq_test_closed_port();
    char url[128], err[256] = "", want[16];
    snprintf(url, sizeof url, "amqp://guest:guest@127.0.0.1:%d/", port);
    snprintf(want, sizeof want, ":%d", port);
    amqp_connection_state_t conn = (amqp_connection_state_t)&conn;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = mq_connect(url, 2000, &conn, err, sizeof err);
    GRADE_EXPECT_LONG(rc, -ECONNREFUSED,
                      "nothing listens on that port: the caller must be told 'refused'");
    GRADE_CHECK(conn == NULL, "on failure *conn must be NULL, so nobody uses a dead connection");
    GRADE_CHECK(strstr(err, want) != NULL, "the message should name host and port (%s); got \"%s\"",
                want, err);
    GRADE_CHECK(seconds_since(&t0) < 2.5, "a refused connection is known at once; it took %.1f s",
                seconds_since(&t0));

    /* The shortest timeout there is is still a timeout, not a bad argument. */
    rc = mq_connect(url, 1, &conn, err, sizeof err);
    GRADE_CHECK(
        rc == -ECONNREFUSED || rc == -ETIMEDOUT,
        "with timeout_ms = 1 mq_connect returned %d: expected -ECONNREFUSED (%d), or -ETIMEDOUT; "
        "any timeout > 0 is valid",
        rc, -ECONNREFUSED);
}

static void wrong_password_is_eacces(void)
{
    char url[1100], password[17], err[512] = "";
    mq_test_random_text(password, 16);
    url_with_password(url, sizeof url, password);
    amqp_connection_state_t conn = (amqp_connection_state_t)&conn;
    int rc = mq_connect(url, 5000, &conn, err, sizeof err);
    GRADE_EXPECT_LONG(rc, -EACCES, "the broker refused the login (403 ACCESS_REFUSED)");
    GRADE_CHECK(conn == NULL, "on failure *conn must be NULL");
    GRADE_CHECK(strstr(err, "ACCESS_REFUSED") != NULL,
                "the message should carry the broker's reply text (ACCESS_REFUSED ...); got \"%s\"",
                err);
}

static void unknown_vhost_is_enoent(void)
{
    char url[1100], vhost[17], err[512] = "";
    mq_test_random_text(vhost, 16);
    url_with_vhost(url, sizeof url, vhost);
    amqp_connection_state_t conn = (amqp_connection_state_t)&conn;
    int rc = mq_connect(url, 5000, &conn, err, sizeof err);
    GRADE_EXPECT_LONG(rc, -ENOENT, "the broker refused the vhost (530 NOT_ALLOWED)");
    GRADE_CHECK(conn == NULL, "on failure *conn must be NULL");
    GRADE_CHECK(
        strstr(err, vhost) != NULL,
        "the message should carry the broker's reply text, which names the vhost %s; got \"%s\"",
        vhost, err);
}

static void bad_urls_are_einval(void)
{
    char junk[20], url[64];
    mq_test_random_text(junk, 19);
    snprintf(url, sizeof url, "http://%s/", junk);
    const char *urls[] = {url, junk, "amqp://guest:guest@localhost:notaport/", NULL};
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        char err[256] = "";
        amqp_connection_state_t conn = (amqp_connection_state_t)&conn;
        int rc = mq_connect(urls[i], 1000, &conn, err, sizeof err);
        GRADE_CHECK(rc == -EINVAL,
                    "mq_connect(\"%s\") returned %d, expected -EINVAL (%d): not an AMQP URL",
                    urls[i] ? urls[i] : "(NULL)", rc, -EINVAL);
        GRADE_CHECK(conn == NULL, "on failure *conn must be NULL");
        GRADE_CHECK(err[0] != '\0', "a failure must come with a message in err");
    }

    /* A good URL (where nothing listens) with a timeout <= 0, or nowhere to
     * store the connection. */
    snprintf(url, sizeof url, "amqp://guest:guest@127.0.0.1:%d/", mq_test_closed_port());
    const int timeouts[] = {0, -1};
    for (size_t i = 0; i < sizeof timeouts / sizeof timeouts[0]; i++) {
        char err[256] = "";
        amqp_connection_state_t conn = (amqp_connection_state_t)&conn;
        int rc = mq_connect(url, timeouts[i], &conn, err, sizeof err);
        GRADE_CHECK(rc == -EINVAL,
                    "mq_connect with timeout_ms = %d returned %d, expected -EINVAL (%d)",
                    timeouts[i], rc, -EINVAL);
        GRADE_CHECK(conn == NULL, "on failure *conn must be NULL");
    }
    char err[256] = "";
    int rc = mq_connect(url, 1000, NULL, err, sizeof err);
    GRADE_CHECK(rc == -EINVAL, "mq_connect with conn = NULL returned %d, expected -EINVAL (%d)", rc,
                -EINVAL);
}

/* A server that accepts TCP connections (the kernel does, from the listen
 * backlog) and never says a word: only a timeout ends the handshake. */
static void silent_server_times_out(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    GRADE_REQUIRE(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(fd, 8) == 0 &&
                      getsockname(fd, (struct sockaddr *)&a, &len) == 0,
                  "could not set up the silent server: %s", strerror(errno));
    char url[128], err[256] = "";
    snprintf(url, sizeof url, "amqp://guest:guest@127.0.0.1:%d/", ntohs(a.sin_port));
    amqp_connection_state_t conn = (amqp_connection_state_t)&conn;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = mq_connect(url, 300, &conn, err, sizeof err);
    double took = seconds_since(&t0);
    close(fd);
    GRADE_EXPECT_LONG(rc, -ETIMEDOUT, "the server never answered the handshake: that is a timeout");
    GRADE_CHECK(conn == NULL, "on failure *conn must be NULL");
    GRADE_CHECK(took < 3.0,
                "with timeout_ms = 300 it took %.1f s: set the handshake and RPC timeouts", took);
}

GRADE_TESTS(
    GRADE_TEST("01.1", "connects, logs in and opens channel 1", connects_and_opens_channel, 2),
    GRADE_TEST("01.1", "a closed port: -ECONNREFUSED, host:port in the message",
               refused_is_econnrefused, 2),
    GRADE_TEST("01.1", "a wrong password: -EACCES with the broker's reply",
               wrong_password_is_eacces, 2),
    GRADE_TEST("01.1", "an unknown vhost: -ENOENT with the broker's reply", unknown_vhost_is_enoent,
               2),
    GRADE_TEST("01.1", "URLs that are not amqp://, timeouts <= 0, no conn: -EINVAL",
               bad_urls_are_einval, 1),
    GRADE_TEST("01.1", "a server that never answers: -ETIMEDOUT, soon", silent_server_times_out, 1),
    GRADE_TEST("01.1", "a server that hangs up mid-handshake: -EPROTO", hang_up_is_eproto, 1),
    GRADE_TEST("01.1", "another refusal by the broker: -EPROTO with its reply",
               other_refusal_is_eproto, 1),
    GRADE_TEST("01.1", "all the broker's channels, no heartbeats; a polite goodbye",
               asks_no_limits_and_says_goodbye, 1), )
