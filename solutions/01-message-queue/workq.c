/* Exercise 01.2: see workq.h for the contract, and the chapter's README for hints. */
#include "workq.h"

#include <errno.h>
#include <string.h>
#include <sys/time.h>

int workq_declare(amqp_connection_state_t conn, amqp_channel_t ch, const char *queue)
{
    if (!conn || !queue || !*queue)
        return -EINVAL;
    /* passive 0, durable 1, exclusive 0, auto_delete 0 */
    amqp_queue_declare(conn, ch, amqp_cstring_bytes(queue), 0, 1, 0, 0, amqp_empty_table);
    return amqp_get_rpc_reply(conn).reply_type == AMQP_RESPONSE_NORMAL ? 0 : -EPROTO;
}

int workq_publish(amqp_connection_state_t conn, amqp_channel_t ch, const char *queue, const void *body, size_t len)
{
    if (!conn || !queue || !*queue || (!body && len))
        return -EINVAL;
    /* A property counts only when its flag bit is set. */
    amqp_basic_properties_t props = {._flags = AMQP_BASIC_DELIVERY_MODE_FLAG,
                                     .delivery_mode = AMQP_DELIVERY_PERSISTENT};
    amqp_bytes_t bytes = {.len = len, .bytes = (void *)body};
    int rc = amqp_basic_publish(conn, ch, amqp_empty_bytes, amqp_cstring_bytes(queue), 0, 0, &props, bytes);
    return rc == AMQP_STATUS_OK ? 0 : -EIO;
}

int workq_start(amqp_connection_state_t conn, amqp_channel_t ch, const char *queue)
{
    if (!conn || !queue || !*queue)
        return -EINVAL;
    /* At most one unacknowledged message per consumer: fair dispatch. */
    if (!amqp_basic_qos(conn, ch, 0, 1, 0))
        return -EPROTO;
    /* no_ack = 0: the broker waits for our ack before forgetting a message. */
    amqp_basic_consume(conn, ch, amqp_cstring_bytes(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
    return amqp_get_rpc_reply(conn).reply_type == AMQP_RESPONSE_NORMAL ? 0 : -EPROTO;
}

int workq_next(amqp_connection_state_t conn, struct workq_job *job, int timeout_ms)
{
    if (!conn || !job || timeout_ms < 0)
        return -EINVAL;
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = timeout_ms % 1000 * 1000L};
    amqp_envelope_t env;
    amqp_maybe_release_buffers(conn);
    amqp_rpc_reply_t r = amqp_consume_message(conn, &env, &tv, 0);
    if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT)
        return -ETIMEDOUT;
    if (r.reply_type != AMQP_RESPONSE_NORMAL)
        return -EPROTO; /* a channel or connection close, or a dead socket */

    int rc = 0;
    if (env.message.body.len > WORKQ_MAX_BODY) {
        /* Requeueing would bring it back to us, and to every consumer, forever. */
        amqp_basic_reject(conn, env.channel, env.delivery_tag, 0);
        rc = -EMSGSIZE;
    } else {
        job->delivery_tag = env.delivery_tag;
        job->channel = env.channel;
        job->redelivered = env.redelivered;
        job->len = env.message.body.len;
        if (job->len)
            memcpy(job->body, env.message.body.bytes, job->len);
    }
    amqp_destroy_envelope(&env);
    return rc;
}

int workq_ack(amqp_connection_state_t conn, const struct workq_job *job)
{
    if (!conn || !job)
        return -EINVAL;
    /* multiple = 0: this delivery only. */
    return amqp_basic_ack(conn, job->channel, job->delivery_tag, 0) == AMQP_STATUS_OK ? 0 : -EIO;
}
