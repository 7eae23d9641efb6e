/* Graded tests for exercise 01.2 (chapters/01-message-queue/workq.h). */
#include "grade.h"
#include "mq_test.h"
#include "workq.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CH 1 /* the channel mq_test_connect() opens */

static struct workq_job job, job2; /* 64 KiB each: not on the stack */
static char big[WORKQ_MAX_BODY + 2];

static void queue_is_durable(void)
{
    char queue[80];
    mq_test_name(queue, sizeof queue, "durable");
    amqp_connection_state_t conn = mq_test_connect();
    int rc = workq_declare(conn, CH, queue);
    GRADE_EXPECT_LONG(rc, 0, "declaring a fresh queue must work");
    mq_test_close(conn);
    GRADE_REQUIRE(rc == 0 && mq_test_queue_depth(queue) == 0,
                  "after workq_declare the queue %s must exist", queue);

    /* A non-durable declaration of a durable queue is refused (406
     * PRECONDITION_FAILED): the only way a client can see durability. */
    conn = mq_test_connect();
    const amqp_table_t no_args = {0};
    int accepted =
        amqp_queue_declare(conn, CH, amqp_cstring_bytes(queue), 0, 0, 0, 0, no_args) != NULL;
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);
    GRADE_CHECK(!accepted,
                "the queue is not durable: it and its messages vanish when the broker restarts");

    /* Declared as the contract says (durable, not exclusive, not
     * auto-deleted), it is the same queue: the broker accepts it. An
     * auto-deleted queue would vanish when its last consumer leaves. */
    conn = mq_test_connect();
    int same = amqp_queue_declare(conn, CH, amqp_cstring_bytes(queue), 0, 1, 0, 0, no_args) != NULL;
    GRADE_CHECK(
        same, "the queue should be durable, not exclusive and not auto-deleted (it stays when its "
              "consumers leave); the broker says it is not");
    if (!same) {
        amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
        amqp_destroy_connection(conn);
        conn = mq_test_connect();
    }

    /* Declaring it again is harmless. */
    GRADE_EXPECT_LONG(workq_declare(conn, CH, queue), 0,
                      "declaring an existing durable queue again is harmless");
    mq_test_close(conn);
    mq_test_delete_queue(queue);
}

static void messages_are_persistent(void)
{
    char queue[80], body[200];
    mq_test_name(queue, sizeof queue, "persistent");
    size_t len = mq_test_random(1, sizeof body - 1);
    mq_test_random_text(body, len);
    amqp_connection_state_t conn = mq_test_connect();
    mq_test_declare(conn, queue, 1);
    GRADE_EXPECT_LONG(workq_publish(conn, CH, queue, body, len), 0, "publishing must work");

    /* basic.get: take the message back and look at its properties. */
    amqp_basic_get(conn, CH, amqp_cstring_bytes(queue), 1);
    amqp_rpc_reply_t r = amqp_get_rpc_reply(conn);
    int got = r.reply_type == AMQP_RESPONSE_NORMAL && r.reply.id == AMQP_BASIC_GET_OK_METHOD;
    GRADE_CHECK(got, "the queue should hold the message just published (through the default "
                     "exchange, with the queue's name as routing key)");
    if (got) {
        amqp_message_t msg;
        r = amqp_read_message(conn, CH, &msg, 0);
        GRADE_REQUIRE(r.reply_type == AMQP_RESPONSE_NORMAL, "could not read the message back");
        GRADE_CHECK(msg.body.len == len && memcmp(msg.body.bytes, body, len) == 0,
                    "the body that arrived differs from the one published");
        int persistent = (msg.properties._flags & AMQP_BASIC_DELIVERY_MODE_FLAG) &&
                         msg.properties.delivery_mode == AMQP_DELIVERY_PERSISTENT;
        GRADE_CHECK(persistent,
                    "delivery_mode should be 2 (persistent; got flags 0x%x, mode %u): a transient "
                    "message is lost when the broker restarts, even in a durable queue",
                    msg.properties._flags, msg.properties.delivery_mode);
        amqp_destroy_message(&msg);
    }

    /* To a queue that does not exist: the broker drops it, and sends nothing
     * back (a mandatory message would come back as basic.return, before the
     * answer to the next request on the channel). */
    char missing[80];
    mq_test_name(missing, sizeof missing, "missing");
    GRADE_EXPECT_LONG(workq_publish(conn, CH, missing, body, len), 0,
                      "publishing to no queue is not an error");
    const amqp_table_t no_args = {0};
    GRADE_REQUIRE(amqp_queue_declare(conn, CH, amqp_cstring_bytes(queue), 1, 0, 0, 0, no_args) !=
                      NULL,
                  "test: the channel broke after publishing to a queue that does not exist");
    GRADE_CHECK(!amqp_frames_enqueued(conn) && !amqp_data_in_buffer(conn),
                "the broker sent something back for a message that no queue took: publish it not "
                "mandatory");
    mq_test_close(conn);
    mq_test_delete_queue(queue);
}

static void unacked_message_comes_back(void)
{
    char queue[80], body[64];
    mq_test_name(queue, sizeof queue, "ack");
    size_t len = mq_test_random(8, sizeof body - 1);
    mq_test_random_text(body, len);
    amqp_connection_state_t conn = mq_test_connect();
    mq_test_declare(conn, queue, 1);
    GRADE_EXPECT_LONG(workq_start(conn, CH, queue), 0, "consuming an existing queue must work");
    GRADE_EXPECT_LONG(workq_next(conn, &job, 200), -ETIMEDOUT,
                      "an empty queue: nothing within 200 ms");
    mq_test_publish(conn, queue, body, len, 1);
    int rc = workq_next(conn, &job, 5000);
    GRADE_EXPECT_LONG(rc, 0, "a message was waiting in the queue");
    if (rc == 0) {
        GRADE_CHECK(job.len == len && memcmp(job.body, body, len) == 0,
                    "the job's body differs from the message");
        GRADE_CHECK(!job.redelivered, "a first delivery is not a redelivery");
    }
    /* Leave without acknowledging, as a consumer that crashes would. */
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);
    GRADE_EXPECT_LONG(mq_test_queue_depth(queue), 1,
                      "a message never acknowledged must go back to the queue: "
                      "consume with no_ack = 0 (manual acknowledgement)");

    /* Now take it again, and acknowledge it: then it is gone for good. */
    conn = mq_test_connect();
    GRADE_REQUIRE(workq_start(conn, CH, queue) == 0 && workq_next(conn, &job, 5000) == 0,
                  "the message should be delivered again");
    GRADE_CHECK(job.redelivered, "the second delivery of a message is flagged as redelivered");
    GRADE_EXPECT_LONG(workq_ack(conn, &job), 0, "acknowledging must work");
    mq_test_close(conn);
    GRADE_EXPECT_LONG(mq_test_queue_depth(queue), 0, "an acknowledged message is gone");
    mq_test_delete_queue(queue);
}

static void prefetch_is_one(void)
{
    char queue[80], body[32];
    mq_test_name(queue, sizeof queue, "prefetch");
    unsigned n = mq_test_random(3, 6);
    amqp_connection_state_t conn = mq_test_connect();
    mq_test_declare(conn, queue, 1);
    for (unsigned i = 0; i < n; i++) {
        mq_test_random_text(body, 16);
        mq_test_publish(conn, queue, body, 16, 1);
    }
    GRADE_REQUIRE(workq_start(conn, CH, queue) == 0, "workq_start failed");
    GRADE_REQUIRE(workq_next(conn, &job, 5000) == 0, "no message arrived from a queue of %u", n);
    usleep(200 * 1000); /* time for the broker to push more, if it may */
    GRADE_EXPECT_LONG(
        mq_test_queue_depth(queue), n - 1,
        "with prefetch 1 the broker sends the next message only after the ack; the others "
        "wait in the queue for any idle consumer (set basic.qos prefetch_count = 1)");
    /* A second worker gets the next message meanwhile: the queue is shared. */
    amqp_connection_state_t other = mq_test_connect();
    GRADE_EXPECT_LONG(workq_start(other, CH, queue), 0,
                      "a second worker on the same queue: the consumers of a "
                      "work queue share it (do not consume exclusively)");
    GRADE_CHECK(workq_next(other, &job2, 5000) == 0,
                "the second worker should get the next message");
    mq_test_close(other);
    /* Acknowledge one, and the next one arrives. */
    GRADE_CHECK(workq_ack(conn, &job) == 0 && workq_next(conn, &job, 5000) == 0,
                "after an ack the next message should arrive");
    mq_test_close(conn);
    mq_test_delete_queue(queue);
}

static void bad_arguments_are_einval(void)
{
    amqp_connection_state_t conn = mq_test_connect();
    const char *names[] = {NULL, ""};
    for (int i = 0; i < 2; i++) {
        const char *what = names[i] ? "an empty" : "a NULL";
        GRADE_CHECK(workq_declare(conn, CH, names[i]) == -EINVAL,
                    "workq_declare with %s name: -EINVAL", what);
        GRADE_CHECK(workq_publish(conn, CH, names[i], "x", 1) == -EINVAL,
                    "workq_publish with %s queue: -EINVAL", what);
        GRADE_CHECK(workq_start(conn, CH, names[i]) == -EINVAL, "workq_start with %s name: -EINVAL",
                    what);
    }
    GRADE_CHECK(workq_publish(conn, CH, "ipclabs-test-x", NULL, 1) == -EINVAL,
                "workq_publish with body NULL and len 1: -EINVAL");
    GRADE_CHECK(workq_next(conn, NULL, 100) == -EINVAL, "workq_next with job NULL: -EINVAL");
    GRADE_CHECK(workq_next(conn, &job, -1) == -EINVAL, "workq_next with timeout_ms -1: -EINVAL");
    GRADE_CHECK(workq_ack(conn, NULL) == -EINVAL, "workq_ack with job NULL: -EINVAL");
    /* Nothing is consumed on this connection: nothing can come. */
    GRADE_EXPECT_LONG(workq_next(conn, &job, 0), -ETIMEDOUT,
                      "timeout_ms 0 is valid: look, and do not wait");
    mq_test_close(conn);
}

static void broker_refusals_are_eproto(void)
{
    char queue[80], missing[80];
    mq_test_name(queue, sizeof queue, "refusals");
    mq_test_name(missing, sizeof missing, "missing");
    amqp_connection_state_t conn = mq_test_connect();
    mq_test_declare(conn, queue, 1);

    /* The broker closes the channel under a consumer (here: because of an
     * ack for a delivery it never made, 406 PRECONDITION_FAILED). */
    GRADE_REQUIRE(workq_start(conn, CH, queue) == 0, "workq_start failed");
    struct workq_job *bogus = &job2;
    bogus->channel = CH;
    bogus->delivery_tag = 4242;
    GRADE_REQUIRE(workq_ack(conn, bogus) == 0, "workq_ack of a (bogus) job could not even be sent");
    GRADE_EXPECT_LONG(
        workq_next(conn, &job, 5000), -EPROTO,
        "the broker closed the channel: workq_next must say so (-EPROTO), not return a job");
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);

    /* Consuming a queue that does not exist (404 NOT_FOUND closes the
     * channel), then a channel that was never opened (504 CHANNEL_ERROR
     * closes the connection, at the first request, basic.qos). */
    conn = mq_test_connect();
    GRADE_EXPECT_LONG(workq_start(conn, CH, missing), -EPROTO,
                      "consuming a queue that does not exist: -EPROTO");
    GRADE_EXPECT_LONG(workq_start(conn, CH + 1, queue), -EPROTO,
                      "a channel that was never opened: -EPROTO");
    amqp_destroy_connection(conn);
    mq_test_delete_queue(queue);
}

static void oversized_message_is_dropped(void)
{
    char queue[80];
    mq_test_name(queue, sizeof queue, "oversized");
    amqp_connection_state_t conn = mq_test_connect();
    mq_test_declare(conn, queue, 1);
    mq_test_random_text(big, WORKQ_MAX_BODY + 1);
    mq_test_publish(conn, queue, big, WORKQ_MAX_BODY + 1, 1); /* one byte too many */
    mq_test_publish(conn, queue, big + 1, WORKQ_MAX_BODY, 1); /* just fits */
    GRADE_REQUIRE(workq_start(conn, CH, queue) == 0, "workq_start failed");
    GRADE_EXPECT_LONG(workq_next(conn, &job, 5000), -EMSGSIZE,
                      "a message of WORKQ_MAX_BODY + 1 bytes does not fit in a job: -EMSGSIZE");
    int rc = workq_next(conn, &job, 5000);
    GRADE_EXPECT_LONG(
        rc, 0,
        "then comes a message of exactly WORKQ_MAX_BODY bytes, which fits (if -EMSGSIZE: "
        "either it was refused, or the long one was requeued and came back)");
    if (rc == 0) {
        GRADE_CHECK(job.len == WORKQ_MAX_BODY && memcmp(job.body, big + 1, WORKQ_MAX_BODY) == 0,
                    "the job should hold the %d bytes published; it holds %zu", WORKQ_MAX_BODY,
                    job.len);
        GRADE_CHECK(workq_ack(conn, &job) == 0, "workq_ack failed");
    }
    mq_test_close(conn);
    GRADE_EXPECT_LONG(mq_test_queue_depth(queue), 0,
                      "the oversized message must be rejected without requeueing: "
                      "it would come back for ever");
    mq_test_delete_queue(queue);
}

/* The child: a worker that acknowledges each job, and dies in the middle of
 * job number `victim` (it reports which one it holds, then waits to be killed).
 * Each line it writes: "A <body>" acknowledged, "W <body>" working on it. */
static _Noreturn void worker(const char *queue, unsigned victim, int out)
{
    amqp_connection_state_t conn = mq_test_connect();
    if (workq_start(conn, CH, queue) != 0)
        _exit(3);
    char line[128];
    for (unsigned i = 0;; i++) {
        if (workq_next(conn, &job, 5000) != 0)
            _exit(4);
        int n = snprintf(line, sizeof line, "%c %.*s\n", i == victim ? 'W' : 'A', (int)job.len,
                         job.body);
        if (i == victim) {
            (void)!write(out, line, (size_t)n);
            for (;;)
                pause(); /* "working": the parent kills us here */
        }
        if (workq_ack(conn, &job) != 0)
            _exit(5);
        (void)!write(out, line, (size_t)n); /* only once the ack is sent */
    }
}

static void killed_worker_loses_nothing(void)
{
    char queue[80], bodies[24][40];
    mq_test_name(queue, sizeof queue, "killed");
    unsigned n = mq_test_random(8, 24), victim = mq_test_random(2, n - 3);
    amqp_connection_state_t conn = mq_test_connect();
    mq_test_declare(conn, queue, 1);
    for (unsigned i = 0; i < n; i++) {
        char rnd[17];
        mq_test_random_text(rnd, 16);
        snprintf(bodies[i], sizeof bodies[i], "job-%02u-%s", i, rnd);
        mq_test_publish(conn, queue, bodies[i], strlen(bodies[i]), 1);
    }
    mq_test_close(conn);

    int out = 0;
    int p[2];
    GRADE_REQUIRE(pipe(p) == 0, "pipe: %s", strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    GRADE_REQUIRE(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        close(p[0]);
        worker(queue, victim, p[1]);
    }
    close(p[1]);
    out = p[0];
    char log[4096] = "";
    int working = mq_test_read_until(out, "W ", 10000, log, sizeof log);
    if (working) /* wait for the whole line */
        mq_test_read_until(out, "\n", 1000, strstr(log, "W "),
                           sizeof log - (size_t)(strstr(log, "W ") - log));
    int timed_out;
    int status = mq_test_stop(pid, SIGKILL, 3000, &timed_out);
    close(out);
    GRADE_REQUIRE(working, "the worker never reached job %u (status %d); %s%s", victim, status,
                  log[0] ? "it wrote:\n" : "it wrote nothing", log);

    /* What the worker finished, and what it was doing when it died. */
    int done[24] = {0}, dead = -1;
    for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n"))
        for (unsigned i = 0; i < n; i++)
            if (strcmp(line + 2, bodies[i]) == 0) {
                if (line[0] == 'A')
                    done[i]++;
                else
                    dead = (int)i;
            }
    GRADE_REQUIRE(dead >= 0, "the worker's last job is not one of the messages published:\n%s",
                  log);

    /* A second worker takes over: every job not acknowledged must reach it,
     * the dead worker's job first, flagged as redelivered. */
    conn = mq_test_connect();
    GRADE_REQUIRE(workq_start(conn, CH, queue) == 0, "workq_start failed");
    int dead_seen = 0, dead_redelivered = 0;
    for (int rc; (rc = workq_next(conn, &job, 400)) == 0;) {
        int which = -1;
        for (unsigned i = 0; i < n; i++)
            if (job.len == strlen(bodies[i]) && memcmp(job.body, bodies[i], job.len) == 0)
                which = (int)i;
        GRADE_REQUIRE(which >= 0, "a message that nobody published arrived: %.*s", (int)job.len,
                      job.body);
        done[which]++;
        if (which == dead) {
            dead_seen = 1;
            dead_redelivered = job.redelivered;
        }
        GRADE_REQUIRE(workq_ack(conn, &job) == 0, "workq_ack failed");
    }
    mq_test_close(conn);

    GRADE_CHECK(dead_seen,
                "the job the killed worker held (%s) was lost: with automatic ack the broker "
                "forgot it on delivery; acknowledge after the work instead",
                bodies[dead]);
    GRADE_CHECK(!dead_seen || dead_redelivered,
                "the killed worker's job should come back flagged redelivered");
    for (unsigned i = 0; i < n; i++)
        GRADE_CHECK(done[i] == 1,
                    "%s was done %d times; every job exactly once: an ack is sent only when "
                    "its work is done, and never twice",
                    bodies[i], done[i]);
    GRADE_EXPECT_LONG(mq_test_queue_depth(queue), 0, "every job is done: the queue is empty");
    mq_test_delete_queue(queue);
}

GRADE_TESTS(GRADE_TEST("01.2", "the queue is durable", queue_is_durable, 2),
            GRADE_TEST("01.2", "messages are persistent", messages_are_persistent, 2),
            GRADE_TEST("01.2", "manual ack: an unacknowledged message comes back",
                       unacked_message_comes_back, 2),
            GRADE_TEST("01.2", "prefetch 1: one unacknowledged message per consumer",
                       prefetch_is_one, 2),
            GRADE_TEST("01.2", "bad arguments: -EINVAL; timeout 0 does not wait",
                       bad_arguments_are_einval, 1),
            GRADE_TEST("01.2", "a channel closed or refused by the broker: -EPROTO",
                       broker_refusals_are_eproto, 1),
            GRADE_TEST("01.2", "a message too long: -EMSGSIZE, dropped; WORKQ_MAX_BODY fits",
                       oversized_message_is_dropped, 1),
            GRADE_TEST_TIMEOUT("01.2", "a worker killed mid-job: nothing lost, nothing done twice",
                               killed_worker_loses_nothing, 4, 20), )
