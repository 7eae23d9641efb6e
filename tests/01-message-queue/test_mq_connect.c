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
    amqp_queue_declare_ok_t *ok = amqp_queue_declare(conn, MQ_CHANNEL, no_name, 0, 0, 1, 1, no_args);
    GRADE_CHECK(ok != NULL, "declaring a queue on channel %d failed: was the channel opened, on "
                            "vhost \"/\" (an empty vhost in the URL means \"/\")?", MQ_CHANNEL);
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
    GRADE_EXPECT_LONG(rc, -ECONNREFUSED, "nothing listens on that port: the caller must be told 'refused'");
    GRADE_CHECK(conn == NULL, "on failure *conn must be NULL, so nobody uses a dead connection");
    GRADE_CHECK(strstr(err, want) != NULL, "the message should name host and port (%s); got \"%s\"", want, err);
    GRADE_CHECK(seconds_since(&t0) < 2.5, "a refused connection is known at once; it took %.1f s", seconds_since(&t0));
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
                "the message should carry the broker's reply text (ACCESS_REFUSED ...); got \"%s\"", err);
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
    GRADE_CHECK(strstr(err, vhost) != NULL,
                "the message should carry the broker's reply text, which names the vhost %s; got \"%s\"", vhost, err);
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
        GRADE_CHECK(rc == -EINVAL, "mq_connect(\"%s\") returned %d, expected -EINVAL (%d): not an AMQP URL",
                    urls[i] ? urls[i] : "(NULL)", rc, -EINVAL);
        GRADE_CHECK(conn == NULL, "on failure *conn must be NULL");
        GRADE_CHECK(err[0] != '\0', "a failure must come with a message in err");
    }
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
    GRADE_CHECK(took < 3.0, "with timeout_ms = 300 it took %.1f s: set the handshake and RPC timeouts", took);
}

GRADE_TESTS(
    GRADE_TEST("01.1", "connects, logs in and opens channel 1", connects_and_opens_channel, 2),
    GRADE_TEST("01.1", "a closed port: -ECONNREFUSED, host:port in the message", refused_is_econnrefused, 2),
    GRADE_TEST("01.1", "a wrong password: -EACCES with the broker's reply", wrong_password_is_eacces, 2),
    GRADE_TEST("01.1", "an unknown vhost: -ENOENT with the broker's reply", unknown_vhost_is_enoent, 2),
    GRADE_TEST("01.1", "URLs that are not amqp://: -EINVAL", bad_urls_are_einval, 1),
    GRADE_TEST("01.1", "a server that never answers: -ETIMEDOUT, soon", silent_server_times_out, 1),
)
