/* Exercise 01.1: see mq_connect.h for the contract, and the chapter's README for hints. */
#include "mq_connect.h"

#include <errno.h>
#include <stdio.h>

int mq_connect(const char *url, int timeout_ms, amqp_connection_state_t *conn, char *err, size_t errlen)
{
    (void)url, (void)timeout_ms;
    /* TODO: parse a copy of url with amqp_parse_url(); create the connection
     * and its TCP socket; amqp_socket_open_noblock() with the timeout; set the
     * handshake and RPC timeouts; amqp_login(); amqp_channel_open() and
     * amqp_get_rpc_reply(). Map each failure to its errno, describe it in err,
     * and free everything before returning. */
    if (conn)
        *conn = NULL;
    if (err && errlen)
        snprintf(err, errlen, "mq_connect is not written yet");
    return -ENOSYS;
}

void mq_disconnect(amqp_connection_state_t conn)
{
    (void)conn;
    /* TODO: amqp_channel_close(), amqp_connection_close(), amqp_destroy_connection(). */
}
