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

static struct workq_job job; /* 64 KiB: not on the stack */

static void queue_is_durable(void)
{
    char queue[80];
    mq_test_name(queue, sizeof queue, "durable");
    amqp_connection_state_t conn = mq_test_connect();
    int rc = workq_declare(conn, CH, queue);
    GRADE_EXPECT_LONG(rc, 0, "declaring a fresh queue must work");
    mq_test_close(conn);
    GRADE_REQUIRE(rc == 0 && mq_test_queue_depth(queue) == 0, "after workq_declare the queue %s must exist", queue);

    /* A non-durable declaration of a durable queue is refused (406
     * PRECONDITION_FAILED): the only way a client can see durability. */
    conn = mq_test_connect();
    const amqp_table_t no_args = {0};
    int accepted = amqp_queue_declare(conn, CH, amqp_cstring_bytes(queue), 0, 0, 0, 0, no_args) != NULL;
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);
    GRADE_CHECK(!accepted, "the queue is not durable: it and its messages vanish when the broker restarts");

    /* Declaring it again is harmless. */
    conn = mq_test_connect();
    GRADE_EXPECT_LONG(workq_declare(conn, CH, queue), 0, "declaring an existing durable queue again is harmless");
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
        GRADE_CHECK(persistent, "delivery_mode should be 2 (persistent; got flags 0x%x, mode %u): a transient "
                                "message is lost when the broker restarts, even in a durable queue",
                    msg.properties._flags, msg.properties.delivery_mode);
        amqp_destroy_message(&msg);
    }
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
    GRADE_EXPECT_LONG(workq_next(conn, &job, 200), -ETIMEDOUT, "an empty queue: nothing within 200 ms");
    mq_test_publish(conn, queue, body, len, 1);
    int rc = workq_next(conn, &job, 5000);
    GRADE_EXPECT_LONG(rc, 0, "a message was waiting in the queue");
    if (rc == 0) {
        GRADE_CHECK(job.len == len && memcmp(job.body, body, len) == 0, "the job's body differs from the message");
        GRADE_CHECK(!job.redelivered, "a first delivery is not a redelivery");
    }
    /* Leave without acknowledging, as a consumer that crashes would. */
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);
    GRADE_EXPECT_LONG(mq_test_queue_depth(queue), 1, "a message never acknowledged must go back to the queue: "
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
    GRADE_EXPECT_LONG(mq_test_queue_depth(queue), n - 1,
                      "with prefetch 1 the broker sends the next message only after the ack; the others "
                      "wait in the queue for any idle consumer (set basic.qos prefetch_count = 1)");
    /* Acknowledge one, and the next one arrives. */
    GRADE_CHECK(workq_ack(conn, &job) == 0 && workq_next(conn, &job, 5000) == 0,
                "after an ack the next message should arrive");
    mq_test_close(conn);
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
        int n = snprintf(line, sizeof line, "%c %.*s\n", i == victim ? 'W' : 'A', (int)job.len, job.body);
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
        mq_test_read_until(out, "\n", 1000, strstr(log, "W "), sizeof log - (size_t)(strstr(log, "W ") - log));
    int timed_out;
    int status = mq_test_stop(pid, SIGKILL, 3000, &timed_out);
    close(out);
    GRADE_REQUIRE(working, "the worker never reached job %u (status %d); it wrote:\n%s", victim, status, log);

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
    GRADE_REQUIRE(dead >= 0, "the worker's last job is not one of the messages published:\n%s", log);

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
        GRADE_REQUIRE(which >= 0, "a message that nobody published arrived: %.*s", (int)job.len, job.body);
        done[which]++;
        if (which == dead) {
            dead_seen = 1;
            dead_redelivered = job.redelivered;
        }
        GRADE_REQUIRE(workq_ack(conn, &job) == 0, "workq_ack failed");
    }
    mq_test_close(conn);

    GRADE_CHECK(dead_seen, "the job the killed worker held (%s) was lost: with automatic ack the broker "
                           "forgot it on delivery; acknowledge after the work instead", bodies[dead]);
    GRADE_CHECK(!dead_seen || dead_redelivered, "the killed worker's job should come back flagged redelivered");
    for (unsigned i = 0; i < n; i++)
        GRADE_CHECK(done[i] == 1, "%s was done %d times; every job exactly once: an ack is sent only when "
                                  "its work is done, and never twice", bodies[i], done[i]);
    GRADE_EXPECT_LONG(mq_test_queue_depth(queue), 0, "every job is done: the queue is empty");
    mq_test_delete_queue(queue);
}

GRADE_TESTS(
    GRADE_TEST("01.2", "the queue is durable", queue_is_durable, 2),
    GRADE_TEST("01.2", "messages are persistent", messages_are_persistent, 2),
    GRADE_TEST("01.2", "manual ack: an unacknowledged message comes back", unacked_message_comes_back, 2),
    GRADE_TEST("01.2", "prefetch 1: one unacknowledged message per consumer", prefetch_is_one, 2),
    GRADE_TEST_TIMEOUT("01.2", "a worker killed mid-job: nothing lost, nothing done twice", killed_worker_loses_nothing, 4, 20),
)
