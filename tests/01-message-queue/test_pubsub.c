/* Graded tests for exercise 01.5 (chapters/01-message-queue/pubsub.h). */
#include "grade.h"
#include "mq_test.h"
#include "pubsub.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CH 1
#define MAX_SUBS 4
#define MAX_MSGS 8

/* Our own empty table: this file's list of tests is read without librabbitmq. */
static const amqp_table_t no_table;

static void every_subscriber_gets_every_message(void)
{
    char exchange[80], msgs[MAX_MSGS][33], queue[MAX_SUBS][PUBSUB_NAME_MAX], buf[64];
    mq_test_name(exchange, sizeof exchange, "fanout");
    unsigned subs = mq_test_random(2, MAX_SUBS), k = mq_test_random(3, MAX_MSGS);

    amqp_connection_state_t pub = mq_test_connect();
    GRADE_REQUIRE(pubsub_declare(pub, CH, exchange) == 0, "pubsub_declare failed");

    /* Published while nobody is subscribed: it goes nowhere, and nothing
     * comes back (a mandatory message would come back as basic.return,
     * before the answer to the next request on the channel). */
    GRADE_REQUIRE(pubsub_publish(pub, CH, exchange, "nobody listens", 14) == 0,
                  "pubsub_publish failed");
    /* Declaring it as a fanout (not durable, not auto-deleted) again works
     * only if it is one: an auto-deleted exchange would vanish with its
     * last subscriber, and the publisher's next message with it. */
    int fanout = amqp_exchange_declare(pub, CH, amqp_cstring_bytes(exchange),
                                       amqp_cstring_bytes("fanout"), 0, 0, 0, 0, no_table) != NULL;
    GRADE_CHECK(fanout, "the exchange %s is not a fanout, not durable, not auto-deleted exchange",
                exchange);
    if (fanout) {
        GRADE_CHECK(
            !amqp_frames_enqueued(pub) && !amqp_data_in_buffer(pub),
            "the broker sent something back for a message nobody was subscribed to: publish it not "
            "mandatory");
    } else {
        amqp_connection_close(pub, AMQP_REPLY_SUCCESS);
        amqp_destroy_connection(pub);
        pub = mq_test_connect();
    }
    amqp_connection_state_t sub[MAX_SUBS];
    for (unsigned s = 0; s < subs; s++) {
        sub[s] = mq_test_connect();
        GRADE_REQUIRE(pubsub_subscribe(sub[s], CH, exchange, queue[s], sizeof queue[s]) == 0,
                      "pubsub_subscribe failed for subscriber %u", s + 1);
    }
    for (unsigned i = 0; i < k; i++) {
        mq_test_random_text(msgs[i], 32);
        GRADE_REQUIRE(pubsub_publish(pub, CH, exchange, msgs[i], 32) == 0, "pubsub_publish failed");
    }
    for (unsigned s = 0; s < subs; s++) {
        unsigned got = 0;
        for (unsigned i = 0; i < k; i++) {
            int n = pubsub_next(sub[s], buf, 32, 1500); /* just the size of the message */
            if (n == -ETIMEDOUT)
                break;
            if (n == 32 && memcmp(buf, msgs[i], 32) == 0)
                got++;
        }
        GRADE_CHECK(
            got == k,
            "subscriber %u of %u received %u of the %u messages in order: a fanout exchange "
            "copies each message to every bound queue, and each subscriber needs its own queue",
            s + 1, subs, got, k);
        GRADE_EXPECT_LONG(pubsub_next(sub[s], buf, sizeof buf, 100), -ETIMEDOUT,
                          "nothing more, nothing twice");
        mq_test_close(sub[s]);
    }
    mq_test_close(pub);
    mq_test_delete_exchange(exchange);
}

static void subscription_is_private_and_temporary(void)
{
    char exchange[80], msg[33], qa[PUBSUB_NAME_MAX], qb[PUBSUB_NAME_MAX], buf[64];
    mq_test_name(exchange, sizeof exchange, "fanout");
    mq_test_random_text(msg, 32);
    amqp_connection_state_t pub = mq_test_connect();
    GRADE_REQUIRE(pubsub_declare(pub, CH, exchange) == 0, "pubsub_declare failed");
    amqp_connection_state_t a = mq_test_connect(), b = mq_test_connect();
    GRADE_REQUIRE(pubsub_subscribe(a, CH, exchange, qa, sizeof qa) == 0, "pubsub_subscribe failed");

    /* The queue is the subscriber's alone. */
    amqp_connection_state_t other = mq_test_connect();
    int shared =
        amqp_queue_declare(other, CH, amqp_cstring_bytes(qa), 1, 0, 0, 0, no_table) != NULL;
    amqp_connection_close(other, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(other);
    GRADE_CHECK(!shared,
                "another connection could use the subscriber's queue %s: declare it exclusive", qa);

    /* Published before b subscribed: a gets it, b never will. */
    GRADE_REQUIRE(pubsub_publish(pub, CH, exchange, msg, 32) == 0, "pubsub_publish failed");
    GRADE_REQUIRE(pubsub_subscribe(b, CH, exchange, qb, sizeof qb) == 0, "pubsub_subscribe failed");
    GRADE_CHECK(strcmp(qa, qb) != 0,
                "two subscribers got the same queue %s: let the broker name each one", qa);
    GRADE_EXPECT_LONG(pubsub_next(a, buf, sizeof buf, 3000), 32, "the subscriber gets the message");
    /* Automatic acknowledgement: nothing is left unacknowledged, so asking
     * the broker to send unacknowledged messages again brings nothing. */
    GRADE_REQUIRE(amqp_basic_recover(a, CH, 1) != NULL, "test: basic.recover failed");
    GRADE_EXPECT_LONG(pubsub_next(b, buf, sizeof buf, 200), -ETIMEDOUT,
                      "a subscriber sees only what is published after it subscribed");
    GRADE_EXPECT_LONG(
        pubsub_next(a, buf, sizeof buf, 0), -ETIMEDOUT,
        "the message came again after basic.recover: consume with automatic acknowledgement");

    /* A message longer than the buffer is dropped. */
    GRADE_REQUIRE(pubsub_publish(pub, CH, exchange, msg, 32) == 0, "pubsub_publish failed");
    GRADE_EXPECT_LONG(pubsub_next(a, buf, 31, 3000), -EMSGSIZE,
                      "32 bytes do not fit in 31: -EMSGSIZE");

    /* Auto-deleted: the queue goes with its consumer, when the channel
     * closes, even though the connection stays. */
    GRADE_CHECK(
        mq_test_queue_goes_with_channel(a, qa),
        "the subscriber's queue %s outlived its consumer's channel by 2 s: declare it auto-delete",
        qa);

    /* Gone with its subscriber. */
    amqp_connection_close(a, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(a);
    mq_test_close(b);
    GRADE_EXPECT_LONG(mq_test_queue_depth(qa), -1,
                      "a subscriber's queue must go away when it disconnects "
                      "(exclusive or auto-delete), or messages pile up in it for ever");
    mq_test_close(pub);
    mq_test_delete_exchange(exchange);
}

static void errors(void)
{
    char exchange[80], missing[80], q[PUBSUB_NAME_MAX], small[PUBSUB_NAME_MAX], buf[8];
    mq_test_name(exchange, sizeof exchange, "fanout");
    mq_test_name(missing, sizeof missing, "missing");
    amqp_connection_state_t conn = mq_test_connect();
    const char *names[] = {NULL, ""};
    for (int i = 0; i < 2; i++) {
        const char *what = names[i] ? "an empty" : "a NULL";
        GRADE_CHECK(pubsub_declare(conn, CH, names[i]) == -EINVAL,
                    "pubsub_declare with %s name: -EINVAL", what);
        GRADE_CHECK(pubsub_publish(conn, CH, names[i], "x", 1) == -EINVAL,
                    "pubsub_publish with %s exchange: -EINVAL", what);
        GRADE_CHECK(pubsub_subscribe(conn, CH, names[i], q, sizeof q) == -EINVAL,
                    "pubsub_subscribe with %s exchange: -EINVAL", what);
    }
    GRADE_CHECK(pubsub_publish(conn, CH, exchange, NULL, 1) == -EINVAL,
                "pubsub_publish with body NULL, len 1");
    GRADE_CHECK(pubsub_subscribe(conn, CH, exchange, NULL, 8) == -EINVAL,
                "pubsub_subscribe with queue NULL");
    GRADE_CHECK(pubsub_subscribe(conn, CH, exchange, q, 0) == -EINVAL,
                "pubsub_subscribe with size 0");
    GRADE_CHECK(pubsub_next(conn, NULL, 1, 100) == -EINVAL, "pubsub_next with buf NULL, size 1");
    GRADE_CHECK(pubsub_next(conn, buf, sizeof buf, -1) == -EINVAL,
                "pubsub_next with timeout_ms -1");
    GRADE_EXPECT_LONG(pubsub_next(conn, buf, sizeof buf, 0), -ETIMEDOUT,
                      "timeout_ms 0 is valid: look, and do not wait");

    /* A name that does not fit with its NUL: -ENAMETOOLONG. The broker's
     * names (amq.gen-...) all have the same length: learn it first. */
    GRADE_REQUIRE(pubsub_declare(conn, CH, exchange) == 0, "pubsub_declare failed");
    memset(q, '#', sizeof q);
    GRADE_REQUIRE(pubsub_subscribe(conn, CH, exchange, q, sizeof q) == 0,
                  "pubsub_subscribe failed");
    GRADE_REQUIRE(memchr(q, '\0', sizeof q) && !strchr(q, '#'),
                  "the queue's name must be NUL-terminated right after its last character");
    size_t len = strlen(q);
    amqp_channel_open(conn, CH + 1);
    GRADE_REQUIRE(len > 0 && amqp_get_rpc_reply(conn).reply_type == AMQP_RESPONSE_NORMAL,
                  "test: cannot open channel 2");
    memset(small, '#', sizeof small);
    GRADE_EXPECT_LONG(pubsub_subscribe(conn, CH + 1, exchange, small, len), -ENAMETOOLONG,
                      "a queue name of size bytes leaves no room for its NUL");
    GRADE_CHECK(small[len] == '#', "pubsub_subscribe wrote past the size it was given");

    /* The broker closes the subscriber's channel (an ack for a delivery it
     * never made: 406 PRECONDITION_FAILED). */
    amqp_basic_ack(conn, CH, 4242, 0);
    GRADE_EXPECT_LONG(pubsub_next(conn, buf, sizeof buf, 3000), -EPROTO,
                      "the broker closed the channel: -EPROTO");
    /* An exchange that does not exist (404 at the bind), then a channel
     * never opened (504, and the connection closes). */
    GRADE_EXPECT_LONG(pubsub_subscribe(conn, CH + 1, missing, q, sizeof q), -EPROTO,
                      "subscribing to an exchange that does not exist: -EPROTO");
    GRADE_EXPECT_LONG(pubsub_subscribe(conn, CH + 2, exchange, q, sizeof q), -EPROTO,
                      "subscribing on a channel never opened: -EPROTO");
    amqp_destroy_connection(conn);
    mq_test_delete_exchange(exchange);
}

GRADE_TESTS(
    GRADE_TEST_TIMEOUT("01.5", "every subscriber gets every message, once, in order",
                       every_subscriber_gets_every_message, 3, 15),
    GRADE_TEST("01.5", "a subscription is private, starts empty, and ends with its subscriber",
               subscription_is_private_and_temporary, 2),
    GRADE_TEST("01.5",
               "bad arguments: -EINVAL; a name too long; refusals and a closed channel: -EPROTO",
               errors, 1), )
