/* Exercise 01.4: see rpc.h for the contract, and the chapter's README for hints. */
#include "rpc.h"

#include <errno.h>

int rpc_client_open(struct rpc_client *c, amqp_connection_state_t conn, amqp_channel_t ch)
{
    (void)c, (void)conn, (void)ch;
    /* TODO: declare an exclusive queue with an empty name, keep a copy of the
     * name the broker chose (amqp_bytes_malloc_dup), and consume it with
     * no_ack = 1. */
    return -ENOSYS;
}

int rpc_call(struct rpc_client *c, const char *queue, const void *request, size_t len, void *reply, size_t size,
             int timeout_ms)
{
    (void)c, (void)queue, (void)request, (void)len, (void)reply, (void)size, (void)timeout_ms;
    /* TODO: publish with the properties reply_to and correlation_id (and their
     * _flags bits); then amqp_consume_message() until the answer with your
     * correlation_id arrives or the time is up. */
    return -ENOSYS;
}

void rpc_client_close(struct rpc_client *c)
{
    (void)c;
    /* TODO: free the copy of the reply queue's name. */
}
