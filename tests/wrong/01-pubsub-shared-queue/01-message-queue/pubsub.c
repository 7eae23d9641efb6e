/* Wrong answer to 01.5: all subscribers share one named, lasting queue bound
 * to the exchange: a work queue again, where each message reaches one of them. */
#include "pubsub.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

int pubsub_declare(amqp_connection_state_t conn, amqp_channel_t ch, const char *exchange)
{
    amqp_exchange_declare(conn, ch, amqp_cstring_bytes(exchange), amqp_cstring_bytes("fanout"), 0, 0, 0, 0,
                          amqp_empty_table);
    return amqp_get_rpc_reply(conn).reply_type == AMQP_RESPONSE_NORMAL ? 0 : -EPROTO;
}

int pubsub_publish(amqp_connection_state_t conn, amqp_channel_t ch, const char *exchange, const void *body,
                   size_t len)
{
    amqp_bytes_t bytes = {.len = len, .bytes = (void *)body};
    return amqp_basic_publish(conn, ch, amqp_cstring_bytes(exchange), amqp_empty_bytes, 0, 0, NULL, bytes) ? -EIO : 0;
}

int pubsub_subscribe(amqp_connection_state_t conn, amqp_channel_t ch, const char *exchange, char *queue,
                     size_t size)
{
    snprintf(queue, size, "%s-subscribers", exchange);
    if (!amqp_queue_declare(conn, ch, amqp_cstring_bytes(queue), 0, 0, 0, 0, amqp_empty_table))
        return -EPROTO;
    amqp_queue_bind(conn, ch, amqp_cstring_bytes(queue), amqp_cstring_bytes(exchange), amqp_empty_bytes,
                    amqp_empty_table);
    amqp_basic_consume(conn, ch, amqp_cstring_bytes(queue), amqp_empty_bytes, 0, 1, 0, amqp_empty_table);
    return amqp_get_rpc_reply(conn).reply_type == AMQP_RESPONSE_NORMAL ? 0 : -EPROTO;
}

int pubsub_next(amqp_connection_state_t conn, void *buf, size_t size, int timeout_ms)
{
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = timeout_ms % 1000 * 1000L};
    amqp_envelope_t env;
    amqp_rpc_reply_t r = amqp_consume_message(conn, &env, &tv, 0);
    if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT)
        return -ETIMEDOUT;
    if (r.reply_type != AMQP_RESPONSE_NORMAL)
        return -EPROTO;
    size_t n = env.message.body.len < size ? env.message.body.len : size;
    memcpy(buf, env.message.body.bytes, n);
    amqp_destroy_envelope(&env);
    return (int)n;
}
