/* Exercise 01.5: see pubsub.h for the contract, and the chapter's README for hints. */
#include "pubsub.h"

#include <errno.h>

int pubsub_declare(amqp_connection_state_t conn, amqp_channel_t ch, const char *exchange)
{
    (void)conn, (void)ch, (void)exchange;
    /* TODO: amqp_exchange_declare() with the type "fanout". */
    return -ENOSYS;
}

int pubsub_publish(amqp_connection_state_t conn, amqp_channel_t ch, const char *exchange, const void *body,
                   size_t len)
{
    (void)conn, (void)ch, (void)exchange, (void)body, (void)len;
    /* TODO: amqp_basic_publish() to the exchange; a fanout ignores the routing key. */
    return -ENOSYS;
}

int pubsub_subscribe(amqp_connection_state_t conn, amqp_channel_t ch, const char *exchange, char *queue,
                     size_t size)
{
    (void)conn, (void)ch, (void)exchange, (void)queue, (void)size;
    /* TODO: declare an exclusive queue with an empty name, amqp_queue_bind()
     * it to the exchange, amqp_basic_consume() it with no_ack = 1. */
    return -ENOSYS;
}

int pubsub_next(amqp_connection_state_t conn, void *buf, size_t size, int timeout_ms)
{
    (void)conn, (void)buf, (void)size, (void)timeout_ms;
    /* TODO: amqp_consume_message() with a timeout. */
    return -ENOSYS;
}
