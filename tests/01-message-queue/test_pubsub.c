/* Graded tests for exercise 01.5 (chapters/01-message-queue/pubsub.h). */
#include "grade.h"
#include "mq_test.h"
#include "pubsub.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

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
            int n = pubsub_next(sub[s], buf, sizeof buf, 1500);
            if (n == -ETIMEDOUT)
                break;
            if (n == 32 && memcmp(buf, msgs[i], 32) == 0)
                got++;
        }
        GRADE_CHECK(got == k, "subscriber %u of %u received %u of the %u messages in order: a fanout exchange "
                              "copies each message to every bound queue, and each subscriber needs its own queue",
                    s + 1, subs, got, k);
        GRADE_EXPECT_LONG(pubsub_next(sub[s], buf, sizeof buf, 100), -ETIMEDOUT, "nothing more, nothing twice");
        mq_test_close(sub[s]);
    }
    /* Declaring it as a fanout again works only if it is one. */
    int fanout = amqp_exchange_declare(pub, CH, amqp_cstring_bytes(exchange), amqp_cstring_bytes("fanout"), 0, 0,
                                       0, 0, no_table) != NULL;
    GRADE_CHECK(fanout, "the exchange %s is not of type fanout", exchange);
    if (fanout)
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
    int shared = amqp_queue_declare(other, CH, amqp_cstring_bytes(qa), 1, 0, 0, 0, no_table) != NULL;
    amqp_connection_close(other, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(other);
    GRADE_CHECK(!shared, "another connection could use the subscriber's queue %s: declare it exclusive", qa);

    /* Published before b subscribed: a gets it, b never will. */
    GRADE_REQUIRE(pubsub_publish(pub, CH, exchange, msg, 32) == 0, "pubsub_publish failed");
    GRADE_REQUIRE(pubsub_subscribe(b, CH, exchange, qb, sizeof qb) == 0, "pubsub_subscribe failed");
    GRADE_CHECK(strcmp(qa, qb) != 0, "two subscribers got the same queue %s: let the broker name each one", qa);
    GRADE_EXPECT_LONG(pubsub_next(a, buf, sizeof buf, 3000), 32, "the subscriber gets the message");
    GRADE_EXPECT_LONG(pubsub_next(b, buf, sizeof buf, 200), -ETIMEDOUT,
                      "a subscriber sees only what is published after it subscribed");

    /* Gone with its subscriber. */
    mq_test_close(a);
    mq_test_close(b);
    GRADE_EXPECT_LONG(mq_test_queue_depth(qa), -1, "a subscriber's queue must go away when it disconnects "
                                                   "(exclusive or auto-delete), or messages pile up in it for ever");
    mq_test_close(pub);
    mq_test_delete_exchange(exchange);
}

GRADE_TESTS(
    GRADE_TEST_TIMEOUT("01.5", "every subscriber gets every message, once, in order", every_subscriber_gets_every_message, 3, 15),
    GRADE_TEST("01.5", "a subscription is private, starts empty, and ends with its subscriber",
               subscription_is_private_and_temporary, 2),
)
