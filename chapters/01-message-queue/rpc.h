/**
 * @file rpc.h
 * @brief Exercise 01.4: a remote procedure call over RabbitMQ, with a timeout.
 *
 * A queue carries messages one way. To ask a question and get its answer,
 * the client sends the request to the server's queue with two properties:
 * `reply_to`, the name of a queue of its own where the answer should go,
 * and `correlation_id`, a label the server copies onto its answer. The
 * label is how the client tells its answer from anything else in the reply
 * queue: the late answer to an earlier call that timed out, or a stray
 * message. A server that is down or slow must cost the caller a timeout,
 * never a hang.
 */
#ifndef IPC_RPC_H
#define IPC_RPC_H

#include "amqp_headers.h"
#include <stddef.h>
#include <stdint.h>

/** A client: a connection, a channel, and the queue where answers arrive. */
struct rpc_client {
    amqp_connection_state_t conn; /**< The connection. */
    amqp_channel_t ch;            /**< The channel, used for nothing else. */
    amqp_bytes_t reply_queue;     /**< Name of the reply queue (malloc'ed; rpc_client_close() frees it). */
    uint64_t next_id;             /**< Number for the next call's correlation_id. */
};

/**
 * @brief Prepares a client: creates its reply queue and starts consuming it.
 *
 * The reply queue is exclusive (only this connection may use it; it goes
 * away with the connection), auto-deleted (it goes as soon as its consumer
 * does, when the channel closes, even if the connection stays), and its
 * name is chosen by the broker (declare it with an empty name). Answers are
 * consumed with automatic acknowledgement: an answer nobody waits for any
 * more may as well vanish.
 * @param[out] c the client to initialise.
 * @param conn an open connection.
 * @param ch an open channel of conn.
 * @return 0, -EINVAL for NULL arguments, -ENOMEM if there was no memory for
 *         the reply queue's name, or -EPROTO if the broker refused.
 */
int rpc_client_open(struct rpc_client *c, amqp_connection_state_t conn, amqp_channel_t ch);

/**
 * @brief Calls the server listening on queue: sends request, waits for its answer.
 *
 * Publishes request to queue through the default exchange with reply_to =
 * the client's reply queue and a correlation_id no other call of this
 * client uses. Then waits for a message on the reply queue with that same
 * correlation_id, dropping any other message that arrives meanwhile.
 * @param c a client from rpc_client_open().
 * @param queue the server's queue.
 * @param request the request's body; may be NULL only if len is 0.
 * @param len its length in bytes.
 * @param[out] reply receives the answer's body (not NUL-terminated).
 * @param size size of reply in bytes.
 * @param timeout_ms how long to wait for the answer, in milliseconds (> 0).
 * @return the answer's length in bytes, or -EINVAL for bad arguments, -EIO
 *         if the request could not be sent, -ETIMEDOUT if no answer came in
 *         time, -EMSGSIZE if the answer is longer than size (it is dropped),
 *         or -EPROTO if the broker closed the channel or the connection.
 */
int rpc_call(struct rpc_client *c, const char *queue, const void *request, size_t len, void *reply, size_t size,
             int timeout_ms);

/**
 * @brief Frees what the client holds (the reply queue goes with the connection).
 * @param c a client from rpc_client_open(), or one whose open failed.
 */
void rpc_client_close(struct rpc_client *c);

#endif
