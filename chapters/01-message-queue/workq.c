/* Exercise 01.2: see workq.h for the contract, and the chapter's README for hints. */
#include "workq.h"

#include <errno.h>

int workq_declare(amqp_connection_state_t conn, amqp_channel_t ch, const char *queue)
{
    (void)conn, (void)ch, (void)queue;
    /* TODO: amqp_queue_declare() with durable = 1, then amqp_get_rpc_reply(). */
    return -ENOSYS;
}

int workq_publish(amqp_connection_state_t conn, amqp_channel_t ch, const char *queue, const void *body, size_t len)
{
    (void)conn, (void)ch, (void)queue, (void)body, (void)len;
    /* TODO: amqp_basic_publish() to the default exchange with properties that
     * say delivery_mode = AMQP_DELIVERY_PERSISTENT (and set the _flags bit). */
    return -ENOSYS;
}

int workq_start(amqp_connection_state_t conn, amqp_channel_t ch, const char *queue)
{
    (void)conn, (void)ch, (void)queue;
    /* TODO: amqp_basic_qos() with prefetch_count 1, then amqp_basic_consume()
     * with no_ack = 0; check the reply of each. */
    return -ENOSYS;
}

int workq_next(amqp_connection_state_t conn, struct workq_job *job, int timeout_ms)
{
    (void)conn, (void)job, (void)timeout_ms;
    /* TODO: amqp_consume_message() with a timeout; copy what the job needs
     * out of the envelope, then amqp_destroy_envelope(). */
    return -ENOSYS;
}

int workq_ack(amqp_connection_state_t conn, const struct workq_job *job)
{
    (void)conn, (void)job;
    /* TODO: amqp_basic_ack() for this delivery tag only. */
    return -ENOSYS;
}
