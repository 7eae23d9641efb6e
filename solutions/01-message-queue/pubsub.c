/* Exercise 01.5: see pubsub.h for the contract, and the chapter's README for hints. */
#include "pubsub.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

static int ok(amqp_connection_state_t conn)
{
    return amqp_get_rpc_reply(conn).reply_type == AMQP_RESPONSE_NORMAL;
}

int pubsub_declare(amqp_connection_state_t conn, amqp_channel_t ch, const char *exchange)
{
    if (!conn || !exchange || !*exchange)
        return -EINVAL;
    /* passive 0, durable 0, auto_delete 0, internal 0 */
    amqp_exchange_declare(conn, ch, amqp_cstring_bytes(exchange), amqp_cstring_bytes("fanout"), 0, 0, 0, 0,
                          amqp_empty_table);
    return ok(conn) ? 0 : -EPROTO;
}

int pubsub_publish(amqp_connection_state_t conn, amqp_channel_t ch, const char *exchange, const void *body,
                   size_t len)
{
    if (!conn || !exchange || !*exchange || (!body && len))
        return -EINVAL;
    amqp_bytes_t bytes = {.len = len, .bytes = (void *)body};
    return amqp_basic_publish(conn, ch, amqp_cstring_bytes(exchange), amqp_empty_bytes, 0, 0, NULL, bytes) ==
                   AMQP_STATUS_OK
               ? 0
               : -EIO;
}

int pubsub_subscribe(amqp_connection_state_t conn, amqp_channel_t ch, const char *exchange, char *queue,
                     size_t size)
{
    if (!conn || !exchange || !*exchange || !queue || !size)
        return -EINVAL;
    /* Empty name: the broker picks one. Exclusive, auto-delete: ours alone,
     * and gone with us, so nobody's messages pile up after we leave. */
    amqp_queue_declare_ok_t *q = amqp_queue_declare(conn, ch, amqp_empty_bytes, 0, 0, 1, 1, amqp_empty_table);
    if (!q)
        return -EPROTO;
    if (q->queue.len >= size)
        return -ENAMETOOLONG;
    memcpy(queue, q->queue.bytes, q->queue.len);
    queue[q->queue.len] = '\0';
    amqp_bytes_t name = amqp_cstring_bytes(queue);

    amqp_queue_bind(conn, ch, name, amqp_cstring_bytes(exchange), amqp_empty_bytes, amqp_empty_table);
    if (!ok(conn))
        return -EPROTO;
    amqp_basic_consume(conn, ch, name, amqp_empty_bytes, 0, 1, 0, amqp_empty_table);
    return ok(conn) ? 0 : -EPROTO;
}

int pubsub_next(amqp_connection_state_t conn, void *buf, size_t size, int timeout_ms)
{
    if (!conn || (!buf && size) || timeout_ms < 0)
        return -EINVAL;
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = timeout_ms % 1000 * 1000L};
    amqp_envelope_t env;
    amqp_maybe_release_buffers(conn);
    amqp_rpc_reply_t r = amqp_consume_message(conn, &env, &tv, 0);
    if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT)
        return -ETIMEDOUT;
    if (r.reply_type != AMQP_RESPONSE_NORMAL)
        return -EPROTO;
    int rc = -EMSGSIZE;
    if (env.message.body.len <= size) {
        if (env.message.body.len)
            memcpy(buf, env.message.body.bytes, env.message.body.len);
        rc = (int)env.message.body.len;
    }
    amqp_destroy_envelope(&env);
    return rc;
}
