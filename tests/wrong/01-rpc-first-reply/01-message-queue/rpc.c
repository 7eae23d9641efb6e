/* Wrong answer to 01.4: sends no correlation_id and takes whatever arrives
 * first in its reply queue as the answer. */
#include "rpc.h"

#include <errno.h>
#include <string.h>
#include <sys/time.h>

int rpc_client_open(struct rpc_client *c, amqp_connection_state_t conn, amqp_channel_t ch)
{
    *c = (struct rpc_client){.conn = conn, .ch = ch, .next_id = 1};
    amqp_queue_declare_ok_t *ok = amqp_queue_declare(conn, ch, amqp_empty_bytes, 0, 0, 1, 1, amqp_empty_table);
    if (!ok)
        return -EPROTO;
    c->reply_queue = amqp_bytes_malloc_dup(ok->queue);
    amqp_basic_consume(conn, ch, c->reply_queue, amqp_empty_bytes, 0, 1, 0, amqp_empty_table);
    return amqp_get_rpc_reply(conn).reply_type == AMQP_RESPONSE_NORMAL ? 0 : -EPROTO;
}

int rpc_call(struct rpc_client *c, const char *queue, const void *request, size_t len, void *reply, size_t size,
             int timeout_ms)
{
    amqp_basic_properties_t props = {._flags = AMQP_BASIC_REPLY_TO_FLAG, .reply_to = c->reply_queue};
    amqp_bytes_t body = {.len = len, .bytes = (void *)request};
    if (amqp_basic_publish(c->conn, c->ch, amqp_empty_bytes, amqp_cstring_bytes(queue), 0, 0, &props, body))
        return -EIO;
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = timeout_ms % 1000 * 1000L};
    amqp_envelope_t env;
    amqp_rpc_reply_t r = amqp_consume_message(c->conn, &env, &tv, 0);
    if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT)
        return -ETIMEDOUT;
    if (r.reply_type != AMQP_RESPONSE_NORMAL)
        return -EPROTO;
    size_t n = env.message.body.len < size ? env.message.body.len : size;
    memcpy(reply, env.message.body.bytes, n);
    amqp_destroy_envelope(&env);
    return (int)n;
}

void rpc_client_close(struct rpc_client *c)
{
    amqp_bytes_free(c->reply_queue);
}
