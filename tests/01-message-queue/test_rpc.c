/* Graded tests for exercise 01.4 (chapters/01-message-queue/rpc.h). */
#include "allocfail.h"
#include "grade.h"
#include "mq_test.h"
#include "rpc.h"

#include "amqp_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define CH 1

enum mode { ECHO, STRAY };

/* Our own empty values: this file's table of tests is read without
 * librabbitmq linked, so it avoids the library's data (amqp_empty_*). */
static const amqp_bytes_t no_bytes;
static const amqp_table_t no_table;

/* The answer the test server gives to a request: "re:" and the request reversed. */
static size_t answer_for(const char *req, size_t len, char *out)
{
    memcpy(out, "re:", 3);
    for (size_t i = 0; i < len; i++)
        out[3 + i] = req[len - 1 - i];
    return len + 3;
}

/* The test's server, in a child process: answers `count` requests on queue,
 * as a correct server does (to reply_to, with the request's correlation_id);
 * in STRAY mode it first sends a message with another correlation_id. For each
 * request it reports on fd out "C <correlation_id>" or "N" (no correlation_id). */
static _Noreturn void server(const char *queue, enum mode mode, int count, int out)
{
    amqp_connection_state_t conn = mq_test_connect();
    amqp_basic_consume(conn, CH, amqp_cstring_bytes(queue), no_bytes, 0, 1, 0, no_table);
    die_on_amqp_error(amqp_get_rpc_reply(conn), "test server: consuming");
    for (int i = 0; i < count; i++) {
        amqp_envelope_t env;
        struct timeval tv = {.tv_sec = 10};
        amqp_maybe_release_buffers(conn);
        if (amqp_consume_message(conn, &env, &tv, 0).reply_type != AMQP_RESPONSE_NORMAL)
            _exit(3);
        const amqp_basic_properties_t *p = &env.message.properties;
        char line[160];
        int has_corr = (p->_flags & AMQP_BASIC_CORRELATION_ID_FLAG) != 0;
        int n = has_corr ? snprintf(line, sizeof line, "C %.*s\n", (int)p->correlation_id.len,
                                    (char *)p->correlation_id.bytes)
                         : snprintf(line, sizeof line, "N\n");
        (void)!write(out, line, (size_t)n);
        if (!(p->_flags & AMQP_BASIC_REPLY_TO_FLAG) || env.message.body.len > 100) {
            amqp_destroy_envelope(&env);
            continue; /* nowhere to answer */
        }
        amqp_basic_properties_t rp = {0};
        if (has_corr) {
            rp._flags = AMQP_BASIC_CORRELATION_ID_FLAG;
            rp.correlation_id = p->correlation_id;
        }
        if (mode == STRAY) {
            amqp_basic_properties_t sp = {._flags = AMQP_BASIC_CORRELATION_ID_FLAG,
                                          .correlation_id = amqp_cstring_bytes("not-yours")};
            amqp_basic_publish(conn, CH, no_bytes, p->reply_to, 0, 0, &sp,
                               amqp_cstring_bytes("stray"));
        }
        char answer[128];
        amqp_bytes_t body = {.len =
                                 answer_for(env.message.body.bytes, env.message.body.len, answer),
                             .bytes = answer};
        die_on_error(amqp_basic_publish(conn, CH, no_bytes, p->reply_to, 0, 0, &rp, body),
                     "test server: answering");
        amqp_destroy_envelope(&env);
    }
    mq_test_close(conn);
    _exit(0);
}

static pid_t start_server(const char *queue, enum mode mode, int count, int *out)
{
    int p[2];
    GRADE_REQUIRE(pipe(p) == 0, "pipe: %s", strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    GRADE_REQUIRE(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        close(p[0]);
        server(queue, mode, count, p[1]);
    }
    close(p[1]);
    *out = p[0];
    return pid;
}

/* Non-zero if a frame arrives on conn within ms milliseconds. */
static int frame_within(amqp_connection_state_t conn, int ms)
{
    struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = ms % 1000 * 1000};
    amqp_frame_t frame;
    return amqp_simple_wait_frame_noblock(conn, &frame, &tv) == AMQP_STATUS_OK;
}

/* One call with a random request; checks the answer. */
static void call_and_check(struct rpc_client *c, const char *queue, const char *why)
{
    char req[41], reply[256], want[64];
    size_t len = mq_test_random(1, 40);
    mq_test_random_text(req, len);
    size_t want_len = answer_for(req, len, want);
    int rc = rpc_call(c, queue, req, len, reply, sizeof reply, 3000);
    GRADE_EXPECT_LONG(rc, (long)want_len, why);
    GRADE_CHECK(rc != (int)want_len || memcmp(reply, want, want_len) == 0,
                "the answer to \"%s\" should be \"%.*s\", got \"%.*s\" (%s)", req, (int)want_len,
                want, rc > 0 ? rc : 0, reply, why);
}

static void declare_server_queue(char *queue, size_t size, const char *what)
{
    mq_test_name(queue, size, what);
    amqp_connection_state_t conn = mq_test_connect();
    mq_test_declare(conn, queue, 0);
    mq_test_close(conn);
}

static void calls_get_their_answers(void)
{
    char queue[80], log[1024] = "";
    declare_server_queue(queue, sizeof queue, "rpc");
    int out, timed_out;
    pid_t pid = start_server(queue, ECHO, 5, &out);

    amqp_connection_state_t conn = mq_test_connect();
    struct rpc_client c;
    GRADE_REQUIRE(rpc_client_open(&c, conn, CH) == 0, "rpc_client_open failed");
    for (int i = 0; i < 3; i++)
        call_and_check(&c, queue, "the server's answer comes back to the caller");

    /* An answer that just fits, and one a byte too long for the buffer. */
    char req[8], reply_buf[16], want[16];
    mq_test_random_text(req, 7);
    size_t want_len = answer_for(req, 7, want);
    int rc = rpc_call(&c, queue, req, 7, reply_buf, want_len, 3000);
    GRADE_EXPECT_LONG(rc, (long)want_len, "an answer of exactly size bytes fits");
    GRADE_CHECK(rc != (int)want_len || memcmp(reply_buf, want, want_len) == 0,
                "the answer that just fits is wrong");
    GRADE_EXPECT_LONG(rpc_call(&c, queue, req, 7, reply_buf, want_len - 1, 3000), -EMSGSIZE,
                      "an answer longer than size: -EMSGSIZE");

    /* Automatic acknowledgement: nothing is left unacknowledged, so asking
     * the broker to send unacknowledged messages again brings nothing. */
    GRADE_REQUIRE(amqp_basic_recover(conn, CH, 1) != NULL, "test: basic.recover failed");
    GRADE_CHECK(!amqp_frames_enqueued(conn) && !frame_within(conn, 150),
                "an answer was delivered again after basic.recover: consume the reply queue with "
                "no_ack = 1");

    /* The reply queue is this connection's alone. */
    GRADE_REQUIRE(c.reply_queue.len > 0 && c.reply_queue.len < 200,
                  "the client has no reply queue name");
    char reply_queue[256];
    snprintf(reply_queue, sizeof reply_queue, "%.*s", (int)c.reply_queue.len,
             (char *)c.reply_queue.bytes);
    amqp_connection_state_t other = mq_test_connect();
    int shared = amqp_queue_declare(other, CH, amqp_cstring_bytes(reply_queue), 1, 0, 0, 0,
                                    no_table) != NULL;
    amqp_connection_close(other, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(other);
    GRADE_CHECK(!shared, "another connection could use the reply queue %s: declare it exclusive",
                reply_queue);
    rpc_client_close(&c);

    /* Auto-deleted: the reply queue goes with its consumer, when the
     * client's channel closes, even though the connection stays. */
    GRADE_CHECK(
        mq_test_queue_goes_with_channel(conn, reply_queue),
        "the reply queue %s outlived its consumer's channel by 2 s: declare it auto-delete, or "
        "every client that closes its channel leaves a queue behind until the connection ends",
        reply_queue);
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);

    mq_test_read_until(out, "\n\n", 3000, log, sizeof log); /* all it wrote, until it exits */
    close(out);
    mq_test_stop(pid, 0, 3000, &timed_out);
    char *c1 = strstr(log, "C "), *c2 = c1 ? strstr(c1 + 1, "C ") : NULL;
    GRADE_CHECK(c1 && c2 && !strstr(log, "N\n"),
                "every request must carry a correlation_id; the server saw:\n%s", log);
    if (c1 && c2)
        GRADE_CHECK(strncmp(c1, c2, strcspn(c1, "\n") + 1) != 0,
                    "two calls used the same correlation_id:\n%s", log);
    mq_test_delete_queue(queue);
}

static void strays_are_dropped(void)
{
    char queue[80], log[1024] = "";
    declare_server_queue(queue, sizeof queue, "rpc-stray");
    int out, timed_out;
    pid_t pid = start_server(queue, STRAY, 2, &out);
    amqp_connection_state_t conn = mq_test_connect();
    struct rpc_client c;
    GRADE_REQUIRE(rpc_client_open(&c, conn, CH) == 0, "rpc_client_open failed");
    for (int i = 0; i < 2; i++)
        call_and_check(&c, queue,
                       "a message with another correlation_id arrived first; it is not the answer");
    rpc_client_close(&c);
    mq_test_close(conn);
    mq_test_read_until(out, "\n\n", 3000, log, sizeof log);
    close(out);
    mq_test_stop(pid, 0, 3000, &timed_out);
    mq_test_delete_queue(queue);
}

static void timeout_then_late_answer_is_ignored(void)
{
    char queue[80], log[1024] = "";
    declare_server_queue(queue, sizeof queue, "rpc-late");
    amqp_connection_state_t conn = mq_test_connect();
    struct rpc_client c;
    GRADE_REQUIRE(rpc_client_open(&c, conn, CH) == 0, "rpc_client_open failed");

    /* Nobody serves the queue yet: the call must give up. */
    char reply[256];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = rpc_call(&c, queue, "first", 5, reply, sizeof reply, 300);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    GRADE_EXPECT_LONG(rc, -ETIMEDOUT, "no server: the call must time out, not hang");
    GRADE_CHECK(took < 2.0, "with timeout_ms = 300 the call took %.1f s", took);

    /* The server starts: it answers the first request (too late) and then the
     * second; the second call must get its own answer, not the stale one. */
    int out, timed_out;
    pid_t pid = start_server(queue, ECHO, 2, &out);
    call_and_check(&c, queue, "the late answer to the call that timed out must be dropped");
    rpc_client_close(&c);
    mq_test_close(conn);
    mq_test_read_until(out, "\n\n", 3000, log, sizeof log);
    close(out);
    mq_test_stop(pid, 0, 3000, &timed_out);
    mq_test_delete_queue(queue);
}

static void errors(void)
{
    char missing[80], reply[64];
    mq_test_name(missing, sizeof missing, "rpc-missing");
    amqp_connection_state_t conn = mq_test_connect();
    struct rpc_client c;
    GRADE_EXPECT_LONG(rpc_client_open(NULL, conn, CH), -EINVAL, "rpc_client_open with c NULL");
    GRADE_EXPECT_LONG(rpc_client_open(&c, NULL, CH), -EINVAL, "rpc_client_open with conn NULL");
    GRADE_REQUIRE(rpc_client_open(&c, conn, CH) == 0, "rpc_client_open failed");
    GRADE_EXPECT_LONG(rpc_call(NULL, missing, "x", 1, reply, sizeof reply, 1000), -EINVAL,
                      "rpc_call with c NULL");
    GRADE_EXPECT_LONG(rpc_call(&c, NULL, "x", 1, reply, sizeof reply, 1000), -EINVAL, "queue NULL");
    GRADE_EXPECT_LONG(rpc_call(&c, missing, NULL, 1, reply, sizeof reply, 1000), -EINVAL,
                      "request NULL, len 1");
    GRADE_EXPECT_LONG(rpc_call(&c, missing, "x", 1, NULL, 1, 1000), -EINVAL, "reply NULL, size 1");
    GRADE_EXPECT_LONG(rpc_call(&c, missing, "x", 1, reply, sizeof reply, 0), -EINVAL,
                      "timeout_ms 0");

    /* A server whose queue is not even there is a server that is down:
     * the broker drops the request (it is not mandatory), the call times out. */
    GRADE_EXPECT_LONG(rpc_call(&c, missing, "x", 1, reply, sizeof reply, 200), -ETIMEDOUT,
                      "no queue of that name: the request goes nowhere, and the call times out");
    GRADE_EXPECT_LONG(rpc_call(&c, missing, "x", 1, reply, sizeof reply, 1), -ETIMEDOUT,
                      "timeout_ms = 1 is a valid timeout");

    /* A flood of messages that are not the answer, already on hand when the
     * call starts: it must still end at its timeout. (Two requests on the
     * channel after the flood make the broker deliver all of it first, and
     * rabbitmq-c keeps what it read meanwhile.) */
    amqp_basic_properties_t stray = {._flags = AMQP_BASIC_CORRELATION_ID_FLAG,
                                     .correlation_id = amqp_cstring_bytes("not-yours")};
    for (int i = 0; i < 5000; i++)
        amqp_basic_publish(conn, CH, no_bytes, c.reply_queue, 0, 0, &stray,
                           amqp_cstring_bytes("stray"));
    for (int i = 0; i < 2; i++)
        GRADE_REQUIRE(amqp_queue_declare(conn, CH, c.reply_queue, 1, 0, 0, 0, no_table) != NULL,
                      "test: the reply queue is gone");
    GRADE_EXPECT_LONG(
        rpc_call(&c, missing, "x", 1, reply, sizeof reply, 1), -ETIMEDOUT,
        "strays kept coming until the timeout passed: -ETIMEDOUT, even between two strays");

    /* The broker closes the channel (an ack for a delivery it never made:
     * 406 PRECONDITION_FAILED), then the connection dies. */
    amqp_basic_ack(conn, CH, 4242, 0);
    GRADE_EXPECT_LONG(rpc_call(&c, missing, "x", 1, reply, sizeof reply, 3000), -EPROTO,
                      "the broker closed the client's channel: -EPROTO");
    shutdown(amqp_get_sockfd(conn), SHUT_RDWR);
    GRADE_EXPECT_LONG(rpc_call(&c, missing, "x", 1, reply, sizeof reply, 1000), -EIO,
                      "the connection is dead: the request cannot be sent, -EIO");
    rpc_client_close(&c);
    amqp_destroy_connection(conn);

    /* A channel never opened: the broker refuses (504 CHANNEL_ERROR). */
    conn = mq_test_connect();
    GRADE_EXPECT_LONG(rpc_client_open(&c, conn, CH + 1), -EPROTO,
                      "rpc_client_open on a channel never opened");
    rpc_client_close(&c);
    amqp_destroy_connection(conn);
}

/* No memory for the reply queue's name: the client cannot work, and must
 * say so; closing it is still safe, and the next open works. */
static void open_out_of_memory(void)
{
    char queue[80];
    declare_server_queue(queue, sizeof queue, "rpc-nomem");
    int out, timed_out;
    pid_t pid = start_server(queue, ECHO, 1, &out);
    amqp_connection_state_t conn = mq_test_connect();
    struct rpc_client c;
    allocfail_next();
    int rc = rpc_client_open(&c, conn, CH);
    GRADE_CHECK(allocfail_done(),
                "rpc_client_open allocated nothing (malloc, calloc, strdup, strndup, "
                "amqp_bytes_malloc_dup, ...): the reply queue's name must be copied into memory "
                "of the client's own, which rpc_client_close() frees");
    GRADE_EXPECT_LONG(rc, -ENOMEM,
                      "rpc_client_open's allocation failed (the test made it fail): it must "
                      "return -ENOMEM, not a client without its reply queue's name");
    rpc_client_close(&c);
    mq_test_close(conn);
    conn = mq_test_connect();
    GRADE_REQUIRE(rpc_client_open(&c, conn, CH) == 0, "rpc_client_open failed, with memory again");
    call_and_check(&c, queue, "the client opened with memory again works");
    rpc_client_close(&c);
    mq_test_close(conn);
    mq_test_stop(pid, 0, 3000, &timed_out);
    close(out);
    mq_test_delete_queue(queue);
}

GRADE_TESTS(
    GRADE_TEST("01.4", "calls get their answers; correlation ids; an exclusive reply queue",
               calls_get_their_answers, 3),
    GRADE_TEST("01.4", "a stray message in the reply queue is not the answer", strays_are_dropped,
               2),
    GRADE_TEST("01.4", "no server: -ETIMEDOUT; its late answer is then ignored",
               timeout_then_late_answer_is_ignored, 3),
    GRADE_TEST("01.4",
               "bad arguments: -EINVAL; no queue: -ETIMEDOUT; a closed channel, a dead connection",
               errors, 1),
    GRADE_TEST("01.4", "no memory for the reply queue's name: -ENOMEM", open_out_of_memory, 1), )
