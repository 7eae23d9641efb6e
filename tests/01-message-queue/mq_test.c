/* Helpers the chapter's tests share; see mq_test.h. */
#include "mq_test.h"

#include "amqp_util.h"
#include "grade.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *mq_test_url(void)
{
    static char url[1024];
    const char *env = getenv("AMQP_URL");
    if (env && *env)
        return env;
    if (url[0])
        return url;
    const char *build = getenv("IPC_BUILD_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/broker/url", build ? build : "build");
    FILE *f = fopen(path, "r");
    GRADE_REQUIRE(f != NULL,
                  "no broker: cannot read %s (%s). Run the tests with 'make test' or "
                  "'make grade', which start one, or set AMQP_URL",
                  path, strerror(errno));
    if (!fgets(url, sizeof url, f))
        url[0] = '\0';
    fclose(f);
    url[strcspn(url, "\r\n")] = '\0';
    GRADE_REQUIRE(url[0] != '\0', "%s is empty: restart the broker (make broker-stop broker-start)",
                  path);
    return url;
}

amqp_connection_state_t mq_test_connect(void)
{
    return amqp_connect_or_die(mq_test_url(), 1);
}

void mq_test_close(amqp_connection_state_t conn)
{
    amqp_close_or_die(conn, 1);
}

unsigned mq_test_random(unsigned lo, unsigned hi)
{
    return lo + arc4random_uniform(hi - lo + 1);
}

void mq_test_name(char *buf, size_t size, const char *what)
{
    snprintf(buf, size, "ipclabs-test-%s-%08x%08x", what, arc4random(), arc4random());
}

void mq_test_random_text(char *buf, size_t len)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    for (size_t i = 0; i < len; i++)
        buf[i] = alphabet[arc4random_uniform(sizeof alphabet - 1)];
    buf[len] = '\0';
}

/* Passive declare: the broker answers with the counts, or closes the
 * channel with 404 if the queue does not exist. */
static int queue_counts(const char *queue, long *messages, long *consumers)
{
    amqp_connection_state_t conn = mq_test_connect();
    amqp_queue_declare_ok_t *ok =
        amqp_queue_declare(conn, 1, amqp_cstring_bytes(queue), 1, 0, 0, 0, amqp_empty_table);
    int found = ok != NULL;
    if (found) {
        *messages = ok->message_count;
        *consumers = ok->consumer_count;
        mq_test_close(conn);
    } else {
        /* The channel is gone; closing the connection is all that is left. */
        amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
        amqp_destroy_connection(conn);
    }
    return found;
}

long mq_test_queue_depth(const char *queue)
{
    long messages, consumers;
    return queue_counts(queue, &messages, &consumers) ? messages : -1;
}

long mq_test_queue_consumers(const char *queue)
{
    long messages, consumers;
    return queue_counts(queue, &messages, &consumers) ? consumers : -1;
}

int mq_test_queue_goes_with_channel(amqp_connection_state_t conn, const char *queue)
{
    amqp_channel_open(conn, 2);
    die_on_amqp_error(amqp_get_rpc_reply(conn), "test: opening channel 2");
    amqp_channel_close(conn, 1, AMQP_REPLY_SUCCESS);
    /* The broker deletes the queue a moment after the channel's close-ok. */
    for (int i = 0; i < 200; i++) {
        if (!amqp_queue_declare(conn, 2, amqp_cstring_bytes(queue), 1, 0, 0, 0, amqp_empty_table))
            return 1; /* 404 NOT_FOUND */
        usleep(10 * 1000);
    }
    return 0;
}

void mq_test_declare(amqp_connection_state_t conn, const char *queue, int durable)
{
    /* x-expires: should the test fail before deleting it, the broker
     * deletes the queue itself after a minute unused. */
    amqp_table_entry_t expires = {.key = amqp_cstring_bytes("x-expires"),
                                  .value = {.kind = AMQP_FIELD_KIND_I32, .value.i32 = 60000}};
    amqp_table_t args = {.num_entries = 1, .entries = &expires};
    amqp_queue_declare(conn, 1, amqp_cstring_bytes(queue), 0, durable, 0, 0, args);
    die_on_amqp_error(amqp_get_rpc_reply(conn), "test set-up: declaring a queue");
}

void mq_test_publish(amqp_connection_state_t conn, const char *queue, const void *body, size_t len,
                     int persistent)
{
    amqp_basic_properties_t props = {._flags = AMQP_BASIC_DELIVERY_MODE_FLAG,
                                     .delivery_mode = persistent ? AMQP_DELIVERY_PERSISTENT
                                                                 : AMQP_DELIVERY_NONPERSISTENT};
    amqp_bytes_t bytes = {.len = len, .bytes = (void *)body};
    die_on_error(amqp_basic_publish(conn, 1, amqp_empty_bytes, amqp_cstring_bytes(queue), 0, 0,
                                    &props, bytes),
                 "test set-up: publishing");
}

void mq_test_delete_queue(const char *queue)
{
    amqp_connection_state_t conn = mq_test_connect();
    amqp_queue_delete(conn, 1, amqp_cstring_bytes(queue), 0, 0);
    die_on_amqp_error(amqp_get_rpc_reply(conn), "test cleanup: deleting a queue");
    mq_test_close(conn);
}

void mq_test_delete_exchange(const char *exchange)
{
    amqp_connection_state_t conn = mq_test_connect();
    amqp_exchange_delete(conn, 1, amqp_cstring_bytes(exchange), 0);
    die_on_amqp_error(amqp_get_rpc_reply(conn), "test cleanup: deleting an exchange");
    mq_test_close(conn);
}

int mq_test_closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    GRADE_REQUIRE(fd >= 0, "socket: %s", strerror(errno));
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    GRADE_REQUIRE(bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
                      getsockname(fd, (struct sockaddr *)&a, &len) == 0,
                  "bind/getsockname: %s", strerror(errno));
    close(fd);
    return ntohs(a.sin_port);
}

pid_t mq_test_spawn(char *const argv[], int *out_fd)
{
    int p[2];
    GRADE_REQUIRE(pipe2(p, O_CLOEXEC) == 0, "pipe: %s", strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    GRADE_REQUIRE(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        dup2(p[1], STDOUT_FILENO);
        dup2(p[1], STDERR_FILENO);
        execv(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(p[1]);
    *out_fd = p[0];
    return pid;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

int mq_test_read_until(int fd, const char *needle, int timeout_ms, char *buf, size_t size)
{
    size_t len = strlen(buf);
    long deadline = now_ms() + timeout_ms;
    while (!strstr(buf, needle)) {
        long left = deadline - now_ms();
        if (left <= 0 || len + 1 >= size)
            return 0;
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int n = poll(&pfd, 1, (int)left);
        if (n == -1 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0;
        ssize_t got = read(fd, buf + len, size - 1 - len);
        if (got == -1 && errno == EINTR)
            continue;
        if (got <= 0)
            return 0; /* it closed its output (exited) without printing needle */
        len += (size_t)got;
        buf[len] = '\0';
    }
    return 1;
}

int mq_test_stop(pid_t pid, int sig, int timeout_ms, int *timed_out)
{
    int status = 0;
    *timed_out = 0;
    if (sig)
        kill(pid, sig);
    for (long deadline = now_ms() + timeout_ms;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid || (r == -1 && errno != EINTR))
            return status;
        if (now_ms() >= deadline) {
            *timed_out = 1;
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return status;
        }
        usleep(10000);
    }
}
