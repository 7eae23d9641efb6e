/* Graded tests for exercise 01.3 (chapters/01-message-queue/confirm.h). */
#include "allocfail.h"
#include "confirm.h"
#include "grade.h"
#include "mq_test.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#define CH 1

/* The call must return 0; if not, say what it returned. */
#define REQUIRE_OK(call, what)                                                                     \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        GRADE_REQUIRE(rc_ == 0, "%s returned %d (%s), expected 0", (what), rc_,                    \
                      rc_ < 0 ? strerror(-rc_) : "not an error code");                             \
    } while (0)
#define MAX_MSGS 400

static char texts[MAX_MSGS][24];
static struct confirm_msg msgs[MAX_MSGS];
/* One more than the most messages: the sentinel after the last one sent. */
static unsigned char acked[MAX_MSGS + 1];

static void make_messages(size_t n)
{
    for (size_t i = 0; i < n; i++) {
        mq_test_random_text(texts[i], mq_test_random(1, sizeof texts[i] - 1));
        msgs[i] = (struct confirm_msg){texts[i], strlen(texts[i])};
    }
}

/* Non-zero if a frame (a late confirm) is waiting on the connection. */
static int frame_pending(amqp_connection_state_t conn)
{
    struct timeval tv = {.tv_usec = 100000};
    amqp_frame_t frame;
    return amqp_simple_wait_frame_noblock(conn, &frame, &tv) == AMQP_STATUS_OK;
}

static void all_confirmed(void)
{
    char queue[80];
    mq_test_name(queue, sizeof queue, "confirm");
    amqp_connection_state_t conn = mq_test_connect();
    mq_test_declare(conn, queue, 0);
    struct confirm_channel cc;
    REQUIRE_OK(confirm_open(&cc, conn, CH), "confirm_open");
    GRADE_EXPECT_LONG(cc.next_seq, 1, "after confirm.select the first message is number 1");

    /* Two calls on one channel: the numbering goes on from the first. */
    size_t total = 0;
    for (int round = 0; round < 2; round++) {
        size_t n = mq_test_random(50, MAX_MSGS);
        make_messages(n);
        memset(acked, 0xee, sizeof acked);
        int rc = confirm_publish(&cc, "", queue, msgs, n, 5000, acked);
        GRADE_EXPECT_LONG(rc, (long)n,
                          "the broker confirms every message sent to an existing queue");
        total += n;
        size_t ones = 0;
        for (size_t i = 0; i < n; i++)
            ones += acked[i] == 1;
        GRADE_EXPECT_LONG(ones, (long)n, "acked[i] must be 1 for every confirmed message");
        GRADE_CHECK(acked[n] == 0xee, "wrote past acked[n - 1]");
        GRADE_EXPECT_LONG(cc.next_seq, (long)total + 1,
                          "next_seq counts every message published on the channel");
        GRADE_CHECK(!frame_pending(conn),
                    "a frame arrived after confirm_publish returned: it returned before the "
                    "broker had answered for every message (round %d)",
                    round + 1);
    }
    mq_test_close(conn);
    GRADE_EXPECT_LONG(mq_test_queue_depth(queue), (long)total,
                      "every confirmed message is in the queue");
    mq_test_delete_queue(queue);
}

static void refused_messages_are_reported(void)
{
    char queue[80];
    mq_test_name(queue, sizeof queue, "nack");
    size_t k = mq_test_random(5, 40), n = k + mq_test_random(5, 40);
    amqp_connection_state_t conn = mq_test_connect();
    /* A queue that holds k messages and refuses more: the broker nacks them. */
    amqp_table_entry_t args[] = {
        {.key = amqp_cstring_bytes("x-max-length"),
         .value = {.kind = AMQP_FIELD_KIND_I32, .value.i32 = (int32_t)k}},
        {.key = amqp_cstring_bytes("x-overflow"),
         .value = {.kind = AMQP_FIELD_KIND_UTF8,
                   .value.bytes = amqp_cstring_bytes("reject-publish")}},
        {.key = amqp_cstring_bytes("x-expires"),
         .value = {.kind = AMQP_FIELD_KIND_I32, .value.i32 = 60000}},
    };
    amqp_table_t table = {.num_entries = 3, .entries = args};
    GRADE_REQUIRE(amqp_queue_declare(conn, CH, amqp_cstring_bytes(queue), 0, 0, 0, 0, table) !=
                      NULL,
                  "test set-up: could not declare a queue with x-max-length");
    struct confirm_channel cc;
    REQUIRE_OK(confirm_open(&cc, conn, CH), "confirm_open");
    make_messages(n);
    int rc = confirm_publish(&cc, "", queue, msgs, n, 5000, acked);
    GRADE_EXPECT_LONG(rc, (long)k,
                      "the queue takes only its first messages; the broker nacks the rest");
    size_t wrong = 0;
    for (size_t i = 0; i < n; i++)
        wrong += acked[i] != (i < k);
    GRADE_CHECK(wrong == 0,
                "%zu of %zu entries of acked[] are wrong: messages 0..%zu were confirmed, the rest "
                "refused (basic.nack)",
                wrong, n, k - 1);
    mq_test_close(conn);
    mq_test_delete_queue(queue);
}

static void closed_channel_is_eproto(void)
{
    char exchange[80];
    mq_test_name(exchange, sizeof exchange, "no-such-exchange");
    amqp_connection_state_t conn = mq_test_connect();
    struct confirm_channel cc;
    REQUIRE_OK(confirm_open(&cc, conn, CH), "confirm_open");
    make_messages(3);
    int rc = confirm_publish(&cc, exchange, "x", msgs, 3, 3000, acked);
    GRADE_EXPECT_LONG(rc, -EPROTO,
                      "publishing to an exchange that does not exist makes the broker close the "
                      "channel (404 NOT_FOUND): nothing was delivered, the caller must know");

    /* A channel closed by the client, then published on: the broker closes
     * the whole connection (504 CHANNEL_ERROR) and waits for its close-ok;
     * the call must notice the connection.close, not wait for answers. */
    struct confirm_channel cc2;
    amqp_channel_open(conn, CH + 1);
    GRADE_REQUIRE(amqp_get_rpc_reply(conn).reply_type == AMQP_RESPONSE_NORMAL,
                  "test: cannot open channel 2");
    REQUIRE_OK(confirm_open(&cc2, conn, CH + 1), "confirm_open on channel 2");
    amqp_channel_close(conn, CH + 1, AMQP_REPLY_SUCCESS);
    rc = confirm_publish(&cc2, "", "x", msgs, 3, 3000, acked);
    GRADE_EXPECT_LONG(rc, -EPROTO,
                      "publishing on a closed channel makes the broker close the connection "
                      "(connection.close 504): -EPROTO at once, not a wait for answers");
    amqp_destroy_connection(conn);
}

static void bad_arguments_and_refusals(void)
{
    amqp_connection_state_t conn = mq_test_connect();
    struct confirm_channel cc;
    GRADE_EXPECT_LONG(confirm_open(NULL, conn, CH), -EINVAL, "confirm_open with cc NULL");
    GRADE_EXPECT_LONG(confirm_open(&cc, NULL, CH), -EINVAL, "confirm_open with conn NULL");
    REQUIRE_OK(confirm_open(&cc, conn, CH), "confirm_open");
    make_messages(1);
    GRADE_EXPECT_LONG(confirm_publish(NULL, "", "q", msgs, 1, 1000, acked), -EINVAL, "cc NULL");
    GRADE_EXPECT_LONG(confirm_publish(&cc, NULL, "q", msgs, 1, 1000, acked), -EINVAL,
                      "exchange NULL");
    GRADE_EXPECT_LONG(confirm_publish(&cc, "", NULL, msgs, 1, 1000, acked), -EINVAL,
                      "routing_key NULL");
    GRADE_EXPECT_LONG(confirm_publish(&cc, "", "q", NULL, 1, 1000, acked), -EINVAL,
                      "msgs NULL with n = 1");
    GRADE_EXPECT_LONG(confirm_publish(&cc, "", "q", msgs, 1, 1000, NULL), -EINVAL,
                      "acked NULL with n = 1");
    GRADE_EXPECT_LONG(confirm_publish(&cc, "", "q", msgs, 1, 0, acked), -EINVAL, "timeout_ms 0");
    GRADE_EXPECT_LONG(confirm_publish(&cc, "", "q", msgs, 0, 1, acked), 0,
                      "n = 0 (with timeout_ms 1, valid): nothing to publish, 0 at once");
    GRADE_EXPECT_LONG(cc.next_seq, 1, "nothing was published: next_seq stays 1");

    /* A channel that was never opened: the broker refuses confirm.select
     * (and closes the connection, 504 CHANNEL_ERROR). */
    GRADE_EXPECT_LONG(confirm_open(&cc, conn, CH + 1), -EPROTO,
                      "confirm mode on a channel never opened");
    amqp_destroy_connection(conn);
}

/* Reads the next message of queue; 1 if it is msgs[i]. */
static int next_is(amqp_connection_state_t conn, const char *queue, size_t i)
{
    amqp_basic_get(conn, CH, amqp_cstring_bytes(queue), 1);
    amqp_rpc_reply_t r = amqp_get_rpc_reply(conn);
    if (r.reply_type != AMQP_RESPONSE_NORMAL || r.reply.id != AMQP_BASIC_GET_OK_METHOD)
        return 0;
    amqp_message_t msg;
    if (amqp_read_message(conn, CH, &msg, 0).reply_type != AMQP_RESPONSE_NORMAL)
        return 0;
    int same =
        msg.body.len == msgs[i].len && memcmp(msg.body.bytes, msgs[i].body, msgs[i].len) == 0;
    amqp_destroy_message(&msg);
    return same;
}

static void few_messages_and_late_answers(void)
{
    char queue[80];
    mq_test_name(queue, sizeof queue, "confirm-few");
    amqp_connection_state_t conn = mq_test_connect();
    mq_test_declare(conn, queue, 0);
    struct confirm_channel cc;
    REQUIRE_OK(confirm_open(&cc, conn, CH), "confirm_open");

    /* One message, then three: each arrives as it was sent. */
    make_messages(4);
    GRADE_EXPECT_LONG(confirm_publish(&cc, "", queue, msgs, 1, 5000, acked), 1,
                      "one message, confirmed");
    GRADE_EXPECT_LONG(confirm_publish(&cc, "", queue, msgs + 1, 3, 5000, acked), 3,
                      "three messages, confirmed");
    for (size_t i = 0; i < 4; i++)
        GRADE_CHECK(next_is(conn, queue, i),
                    "message %zu in the queue is not the one published (\"%s\")", i, texts[i]);

    /* A call that times out leaves answers on the way; the next call must
     * skip them and count only its own. */
    make_messages(MAX_MSGS);
    memset(acked, 0xee, sizeof acked);
    int rc = confirm_publish(&cc, "", queue, msgs, MAX_MSGS, 1, acked);
    GRADE_CHECK(
        rc == -ETIMEDOUT || rc == MAX_MSGS,
        "%d messages and timeout_ms = 1: expected -ETIMEDOUT (%d) (or all %d confirmed), got %d",
        MAX_MSGS, -ETIMEDOUT, MAX_MSGS, rc);
    size_t bad = 0;
    for (size_t i = 0; i < MAX_MSGS; i++)
        bad += acked[i] > 1;
    GRADE_CHECK(bad == 0 && acked[MAX_MSGS] == 0xee,
                "after a timeout acked[] must hold 0 or 1 for each message");
    size_t n = mq_test_random(10, 50);
    rc = confirm_publish(&cc, "", queue, msgs, n, 5000, acked);
    GRADE_EXPECT_LONG(rc, (long)n,
                      "the call after a timeout: answers to the earlier call are not this call's");
    GRADE_EXPECT_LONG(cc.next_seq, 5 + MAX_MSGS + (long)n,
                      "next_seq counts every message published");
    GRADE_CHECK(!frame_pending(conn),
                "a frame arrived after confirm_publish returned: not every answer was read");
    mq_test_close(conn);
    mq_test_delete_queue(queue);
}

/* The call's memory runs out: it must say so, and publish nothing, so that
 * the caller can try again without sending a message twice. */
static void out_of_memory(void)
{
    char queue[80];
    mq_test_name(queue, sizeof queue, "confirm-nomem");
    amqp_connection_state_t conn = mq_test_connect();
    mq_test_declare(conn, queue, 0);
    struct confirm_channel cc;
    REQUIRE_OK(confirm_open(&cc, conn, CH), "confirm_open");
    make_messages(3);
    allocfail_next();
    int rc = confirm_publish(&cc, "", queue, msgs, 3, 5000, acked);
    long published = 0;
    if (allocfail_done()) {
        GRADE_EXPECT_LONG(rc, -ENOMEM,
                          "confirm_publish's allocation failed (the test made it fail): it must "
                          "return -ENOMEM, not pretend it published");
        GRADE_EXPECT_LONG(cc.next_seq, 1, "-ENOMEM: nothing may be published, next_seq stays 1");
    } else {
        /* An answer that needs no memory of its own has nothing to report. */
        GRADE_EXPECT_LONG(rc, 3, "three messages, confirmed");
        published = 3;
    }
    GRADE_EXPECT_LONG(confirm_publish(&cc, "", queue, msgs, 3, 5000, acked), 3,
                      "with memory again, three messages, confirmed");
    mq_test_close(conn);
    GRADE_EXPECT_LONG(mq_test_queue_depth(queue), published + 3,
                      "the queue holds what was confirmed, and nothing of the call that ran out "
                      "of memory");
    mq_test_delete_queue(queue);
}

GRADE_TESTS(GRADE_TEST("01.3", "every message confirmed, answers all read, numbering goes on",
                       all_confirmed, 3),
            GRADE_TEST("01.3", "a full queue's nacks are reported per message",
                       refused_messages_are_reported, 3),
            GRADE_TEST("01.3", "a closed channel or connection: -EPROTO", closed_channel_is_eproto,
                       2),
            GRADE_TEST("01.3", "bad arguments: -EINVAL; n = 0; a refused confirm.select: -EPROTO",
                       bad_arguments_and_refusals, 1),
            GRADE_TEST("01.3",
                       "one message, a few intact; answers to a call that timed out are skipped",
                       few_messages_and_late_answers, 1),
            GRADE_TEST("01.3", "out of memory: -ENOMEM, and nothing published", out_of_memory, 1), )
