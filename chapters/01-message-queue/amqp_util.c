/* One-line error checks for rabbitmq-c; see amqp_util.h. */
#include "amqp_util.h"

#include "die.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

const char *amqp_default_url(void)
{
    const char *url = getenv("AMQP_URL");
    return url && *url ? url : AMQP_ARTICLE_URL;
}

const char *amqp_reply_describe(amqp_rpc_reply_t r, char *buf, size_t size)
{
    switch (r.reply_type) {
    case AMQP_RESPONSE_NORMAL:
        snprintf(buf, size, "no error");
        break;
    case AMQP_RESPONSE_NONE:
        snprintf(buf, size, "no reply from the broker (missing RPC reply type)");
        break;
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
        snprintf(buf, size, "%s", amqp_error_string2(r.library_error));
        break;
    case AMQP_RESPONSE_SERVER_EXCEPTION:
        /* The broker explains itself in a close method: a code and a text. */
        if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
            const amqp_connection_close_t *m = r.reply.decoded;
            snprintf(buf, size, "the broker closed the connection: %u %.*s", m->reply_code,
                     (int)m->reply_text.len, (const char *)m->reply_text.bytes);
        } else if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
            const amqp_channel_close_t *m = r.reply.decoded;
            snprintf(buf, size, "the broker closed the channel: %u %.*s", m->reply_code,
                     (int)m->reply_text.len, (const char *)m->reply_text.bytes);
        } else {
            snprintf(buf, size, "unexpected method 0x%08X from the broker", r.reply.id);
        }
        break;
    }
    return buf;
}

void die_on_error(int status, const char *what)
{
    if (status < 0)
        die_msg("%s: %s", what, amqp_error_string2(status));
}

void die_on_amqp_error(amqp_rpc_reply_t r, const char *what)
{
    char why[512];
    if (r.reply_type != AMQP_RESPONSE_NORMAL)
        die_msg("%s: %s", what, amqp_reply_describe(r, why, sizeof why));
}

amqp_connection_state_t amqp_connect_or_die(const char *url, amqp_channel_t channel)
{
    /* amqp_parse_url() cuts its argument into pieces in place: give it a copy. */
    char *copy = strdup(url);
    if (!copy)
        die("strdup");
    struct amqp_connection_info info;
    if (amqp_parse_url(copy, &info) != AMQP_STATUS_OK)
        die_msg("'%s' is not an AMQP URL (amqp://user:password@host:port/vhost)", url);

    amqp_connection_state_t conn = amqp_new_connection();
    amqp_socket_t *sock = conn ? amqp_tcp_socket_new(conn) : NULL;
    if (!sock)
        die_msg("cannot allocate an AMQP connection");

    /* Without a timeout, connecting to a host that drops packets waits for
     * minutes; a silent broker would hang the login and every RPC forever. */
    struct timeval timeout = {.tv_sec = AMQP_CONNECT_TIMEOUT_S};
    char what[300];
    int status = amqp_socket_open_noblock(sock, info.host, info.port, &timeout);
    if (status < 0) /* rabbitmq-c keeps no errno here: say what we know */
        die_msg("cannot connect to %s:%d: %s (is a broker listening there?)", info.host, info.port,
                amqp_error_string2(status));
    die_on_error(amqp_set_handshake_timeout(conn, &timeout), "setting the handshake timeout");
    die_on_error(amqp_set_rpc_timeout(conn, &timeout), "setting the RPC timeout");

    /* rabbitmq-c reads "amqp://host/" as the vhost "" (the URI spec's
     * reading); pika and most tools take it as the default vhost "/". */
    const char *vhost = *info.vhost ? info.vhost : "/";
    snprintf(what, sizeof what, "cannot log in to vhost '%s' as '%s'", vhost, info.user);
    /* Ask the broker to tell a consumer when its subscription ends (the
     * queue was deleted), rather than leave it waiting for ever. */
    amqp_table_entry_t cap = {.key = amqp_cstring_bytes("consumer_cancel_notify"),
                              .value = {.kind = AMQP_FIELD_KIND_BOOLEAN, .value.boolean = 1}};
    amqp_table_entry_t prop = {.key = amqp_cstring_bytes("capabilities"),
                               .value = {.kind = AMQP_FIELD_KIND_TABLE,
                                         .value.table = {.num_entries = 1, .entries = &cap}}};
    amqp_table_t props = {.num_entries = 1, .entries = &prop};
    die_on_amqp_error(amqp_login_with_properties(conn, vhost, 0, AMQP_DEFAULT_FRAME_SIZE, 0, &props,
                                                 AMQP_SASL_METHOD_PLAIN, info.user, info.password),
                      what);
    amqp_channel_open(conn, channel);
    die_on_amqp_error(amqp_get_rpc_reply(conn), "cannot open a channel");
    free(copy);
    return conn;
}

void amqp_close_or_die(amqp_connection_state_t conn, amqp_channel_t channel)
{
    die_on_amqp_error(amqp_channel_close(conn, channel, AMQP_REPLY_SUCCESS), "closing the channel");
    die_on_amqp_error(amqp_connection_close(conn, AMQP_REPLY_SUCCESS), "closing the connection");
    die_on_error(amqp_destroy_connection(conn), "freeing the connection");
}
