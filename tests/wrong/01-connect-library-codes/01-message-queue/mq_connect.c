/* Wrong answer to 01.1: hands rabbitmq-c's own status codes to the caller
 * instead of errno values, always logs in to vhost "/" whatever the URL says,
 * and never opens the channel it promises. */
#include "mq_connect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

int mq_connect(const char *url, int timeout_ms, amqp_connection_state_t *conn, char *err, size_t errlen)
{
    *conn = NULL;
    snprintf(err, errlen, "failed");
    if (!url)
        return -1;
    char *copy = strdup(url);
    struct amqp_connection_info info;
    int status = amqp_parse_url(copy, &info);
    if (status != AMQP_STATUS_OK) {
        free(copy);
        return status;
    }
    amqp_connection_state_t c = amqp_new_connection();
    amqp_socket_t *sock = amqp_tcp_socket_new(c);
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = timeout_ms % 1000 * 1000L};
    status = amqp_socket_open_noblock(sock, info.host, info.port, &tv);
    amqp_set_handshake_timeout(c, &tv);
    amqp_set_rpc_timeout(c, &tv);
    if (status == AMQP_STATUS_OK) {
        amqp_rpc_reply_t r = amqp_login(c, "/", 0, AMQP_DEFAULT_FRAME_SIZE, 0, AMQP_SASL_METHOD_PLAIN, info.user,
                                        info.password);
        status = r.reply_type == AMQP_RESPONSE_NORMAL ? 0 : -(int)r.reply_type;
    }
    free(copy);
    if (status != 0) {
        amqp_destroy_connection(c);
        return status;
    }
    *conn = c;
    return 0;
}

void mq_disconnect(amqp_connection_state_t conn)
{
    if (conn) {
        amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
        amqp_destroy_connection(conn);
    }
}
