/* Exercise 01.4: see rpc.h for the contract, and the chapter's README for hints. */
#include "rpc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

int rpc_client_open(struct rpc_client *c, amqp_connection_state_t conn, amqp_channel_t ch)
{
    if (!c || !conn)
        return -EINVAL;
    *c = (struct rpc_client){.conn = conn, .ch = ch, .next_id = 1};
    /* Empty name: the broker picks a unique one. Exclusive and auto-delete:
     * nobody else can read our answers, and the queue dies with us. */
    amqp_queue_declare_ok_t *ok = amqp_queue_declare(conn, ch, amqp_empty_bytes, 0, 0, 1, 1, amqp_empty_table);
    if (!ok)
        return -EPROTO;
    c->reply_queue = amqp_bytes_malloc_dup(ok->queue);
    if (!c->reply_queue.bytes)
        return -ENOMEM;
    amqp_basic_consume(conn, ch, c->reply_queue, amqp_empty_bytes, 0, 1, 0, amqp_empty_table);
    return amqp_get_rpc_reply(conn).reply_type == AMQP_RESPONSE_NORMAL ? 0 : -EPROTO;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int rpc_call(struct rpc_client *c, const char *queue, const void *request, size_t len, void *reply, size_t size,
             int timeout_ms)
{
    if (!c || !c->conn || !c->reply_queue.bytes || !queue || (!request && len) || (!reply && size) || timeout_ms <= 0)
        return -EINVAL;

    /* Unique among this client's calls, which is all that shares its reply queue. */
    char id[32];
    snprintf(id, sizeof id, "%" PRIu64, c->next_id++);
    amqp_basic_properties_t props = {
        ._flags = AMQP_BASIC_REPLY_TO_FLAG | AMQP_BASIC_CORRELATION_ID_FLAG,
        .reply_to = c->reply_queue,
        .correlation_id = amqp_cstring_bytes(id),
    };
    amqp_bytes_t body = {.len = len, .bytes = (void *)request};
    if (amqp_basic_publish(c->conn, c->ch, amqp_empty_bytes, amqp_cstring_bytes(queue), 0, 0, &props, body) !=
        AMQP_STATUS_OK)
        return -EIO;

    const long long deadline = now_ms() + timeout_ms;
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0)
            return -ETIMEDOUT;
        struct timeval tv = {.tv_sec = left / 1000, .tv_usec = left % 1000 * 1000};
        amqp_envelope_t env;
        amqp_maybe_release_buffers(c->conn);
        amqp_rpc_reply_t r = amqp_consume_message(c->conn, &env, &tv, 0);
        if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT)
            return -ETIMEDOUT;
        if (r.reply_type != AMQP_RESPONSE_NORMAL)
            return -EPROTO;

        const amqp_basic_properties_t *p = &env.message.properties;
        int ours = (p->_flags & AMQP_BASIC_CORRELATION_ID_FLAG) && p->correlation_id.len == strlen(id) &&
                   memcmp(p->correlation_id.bytes, id, strlen(id)) == 0;
        int rc = -EAGAIN; /* not ours: a late answer to an earlier call, or a stray message */
        if (ours && env.message.body.len > size) {
            rc = -EMSGSIZE;
        } else if (ours) {
            if (env.message.body.len)
                memcpy(reply, env.message.body.bytes, env.message.body.len);
            rc = (int)env.message.body.len;
        }
        amqp_destroy_envelope(&env);
        if (rc != -EAGAIN)
            return rc;
    }
}

void rpc_client_close(struct rpc_client *c)
{
    if (c && c->reply_queue.bytes) {
        amqp_bytes_free(c->reply_queue);
        c->reply_queue = amqp_empty_bytes;
    }
}
