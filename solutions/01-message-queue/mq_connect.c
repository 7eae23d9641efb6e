/* Exercise 01.1: see mq_connect.h for the contract, and the chapter's README for hints. */
#include "mq_connect.h"

#include "amqp_util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

/* Writes the message to err and returns code, so each failure is one line. */
static int failed(int code, char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* The errno for a reply that is not AMQP_RESPONSE_NORMAL. */
static int reply_errno(amqp_rpc_reply_t r)
{
    if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION)
        return r.library_error == AMQP_STATUS_TIMEOUT ? -ETIMEDOUT
               : r.library_error == AMQP_STATUS_NO_MEMORY ? -ENOMEM
                                                          : -EPROTO;
    if (r.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION && r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
        const amqp_connection_close_t *m = r.reply.decoded;
        if (m->reply_code == AMQP_ACCESS_REFUSED)
            return -EACCES;
        if (m->reply_code == AMQP_NOT_ALLOWED)
            return -ENOENT;
    }
    return -EPROTO;
}

static int connect_parsed(const struct amqp_connection_info *info, int timeout_ms,
                          amqp_connection_state_t conn, char *err, size_t errlen)
{
    amqp_socket_t *sock = amqp_tcp_socket_new(conn);
    if (!sock)
        return failed(-ENOMEM, err, errlen, "cannot create a socket for %s:%d", info->host, info->port);

    struct timeval timeout = {.tv_sec = timeout_ms / 1000, .tv_usec = timeout_ms % 1000 * 1000L};
    int status = amqp_socket_open_noblock(sock, info->host, info->port, &timeout);
    if (status != AMQP_STATUS_OK)
        return failed(status == AMQP_STATUS_TIMEOUT ? -ETIMEDOUT : -ECONNREFUSED, err, errlen,
                      "cannot connect to %s:%d: %s", info->host, info->port, amqp_error_string2(status));

    /* Without these, a server that accepts the connection and then says
     * nothing would keep amqp_login() waiting forever. */
    if (amqp_set_handshake_timeout(conn, &timeout) != AMQP_STATUS_OK ||
        amqp_set_rpc_timeout(conn, &timeout) != AMQP_STATUS_OK)
        return failed(-EPROTO, err, errlen, "cannot set the AMQP timeouts");

    const char *vhost = *info->vhost ? info->vhost : "/";
    char why[512];
    amqp_rpc_reply_t r = amqp_login(conn, vhost, 0, AMQP_DEFAULT_FRAME_SIZE, 0, AMQP_SASL_METHOD_PLAIN,
                                    info->user, info->password);
    if (r.reply_type != AMQP_RESPONSE_NORMAL)
        return failed(reply_errno(r), err, errlen, "cannot log in to vhost '%s' of %s:%d as '%s': %s", vhost,
                      info->host, info->port, info->user, amqp_reply_describe(r, why, sizeof why));

    amqp_channel_open(conn, MQ_CHANNEL);
    r = amqp_get_rpc_reply(conn);
    if (r.reply_type != AMQP_RESPONSE_NORMAL)
        return failed(reply_errno(r), err, errlen, "cannot open channel %d: %s", MQ_CHANNEL,
                      amqp_reply_describe(r, why, sizeof why));
    return 0;
}

int mq_connect(const char *url, int timeout_ms, amqp_connection_state_t *conn, char *err, size_t errlen)
{
    if (conn)
        *conn = NULL;
    if (!url || !conn || timeout_ms <= 0)
        return failed(-EINVAL, err, errlen, "mq_connect: need a URL, a timeout > 0 and somewhere to store the connection");

    /* amqp_parse_url() cuts its argument into pieces in place: give it a copy,
     * which also holds the pieces (host, vhost, ...) until we are done. */
    char *copy = strdup(url);
    if (!copy)
        return failed(-ENOMEM, err, errlen, "out of memory");
    struct amqp_connection_info info;
    if (amqp_parse_url(copy, &info) != AMQP_STATUS_OK || info.ssl) {
        free(copy);
        return failed(-EINVAL, err, errlen, "'%s' is not an amqp:// URL (amqp://user:password@host:port/vhost)", url);
    }

    amqp_connection_state_t c = amqp_new_connection();
    if (!c) {
        free(copy);
        return failed(-ENOMEM, err, errlen, "out of memory");
    }
    int rc = connect_parsed(&info, timeout_ms, c, err, errlen);
    free(copy);
    if (rc != 0) {
        amqp_destroy_connection(c); /* closes the socket, frees the memory */
        return rc;
    }
    *conn = c;
    return 0;
}

void mq_disconnect(amqp_connection_state_t conn)
{
    if (!conn)
        return;
    amqp_channel_close(conn, MQ_CHANNEL, AMQP_REPLY_SUCCESS);
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);
}
