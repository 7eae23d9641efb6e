/**
 * @file workq.h
 * @brief Exercise 01.2: a work queue that loses nothing.
 *
 * The article's queue forgets everything when the broker restarts (it is
 * not durable, its messages are not persistent), and a consumer that takes
 * messages with automatic acknowledgement loses the one it was working on
 * when it dies. A work queue done right:
 * - the queue is durable and each message persistent, so both survive a
 *   broker restart;
 * - consumers acknowledge a message only when its work is done, so the
 *   broker gives it to another consumer if this one dies first;
 * - each consumer holds at most one unacknowledged message (prefetch 1), so
 *   a slow consumer does not sit on work that an idle one could do.
 *
 * All functions work on an open connection and channel the caller provides;
 * none of them exits or prints. They return 0 or a negative errno.
 */
#ifndef IPC_WORKQ_H
#define IPC_WORKQ_H

#include "amqp_headers.h"
#include <stddef.h>
#include <stdint.h>

/** The largest message body workq_next() accepts, in bytes. */
#define WORKQ_MAX_BODY 65536

/** One message taken from the queue and not yet acknowledged. */
struct workq_job {
    uint64_t delivery_tag;     /**< The broker's number for this delivery; workq_ack() sends it back. */
    amqp_channel_t channel;    /**< The channel it arrived on; only that channel can acknowledge it. */
    int redelivered;           /**< Non-zero if the broker delivered it before (to a consumer that died). */
    size_t len;                /**< Length of the body in bytes. */
    char body[WORKQ_MAX_BODY]; /**< The body (bytes, not NUL-terminated). */
};

/**
 * @brief Declares queue as a durable work queue (it survives a broker restart).
 *
 * Durable, not exclusive (any connection may use it), not auto-deleted
 * (it stays when its consumers leave). Declaring it again is harmless.
 * @param conn an open connection.
 * @param ch an open channel of conn.
 * @param queue the queue's name, not empty.
 * @return 0, -EINVAL for a NULL or empty name, or -EPROTO if the broker
 *         refused (for example 406 PRECONDITION_FAILED: a queue of that
 *         name exists and is not durable; the broker then closes the channel).
 */
int workq_declare(amqp_connection_state_t conn, amqp_channel_t ch, const char *queue);

/**
 * @brief Publishes one persistent message to queue through the default exchange.
 *
 * Persistent (delivery mode 2): written to disk by the broker, so it
 * survives a restart when the queue is durable. Not mandatory: a message
 * that no queue takes (there is no queue of that name) is dropped by the
 * broker, and nothing comes back on the connection.
 * @param conn an open connection.
 * @param ch an open channel of conn.
 * @param queue the queue's name (the routing key).
 * @param body the message; may be NULL only if len is 0.
 * @param len its length in bytes.
 * @return 0, -EINVAL for bad arguments, or -EIO if it could not be sent.
 */
int workq_publish(amqp_connection_state_t conn, amqp_channel_t ch, const char *queue, const void *body, size_t len);

/**
 * @brief Starts consuming queue with manual acknowledgement and prefetch 1.
 *
 * After this, the broker sends messages of queue on channel ch, one at a
 * time: the next only once the previous one is acknowledged.
 * @param conn an open connection.
 * @param ch an open channel of conn, used for nothing else.
 * @param queue the queue's name; the queue must exist.
 * @return 0, -EINVAL for a NULL or empty name, or -EPROTO if the broker refused.
 */
int workq_start(amqp_connection_state_t conn, amqp_channel_t ch, const char *queue);

/**
 * @brief Waits for the next message of the queue started with workq_start().
 *
 * On success job holds the message, which stays unacknowledged until
 * workq_ack(): if the process dies before, the broker delivers it again.
 * A message longer than #WORKQ_MAX_BODY is rejected without requeueing (it
 * would otherwise come back forever) and reported as -EMSGSIZE.
 * @param conn the connection workq_start() was called on.
 * @param[out] job receives the message.
 * @param timeout_ms how long to wait at most, in milliseconds (>= 0).
 * @return 0, -ETIMEDOUT if no message came in time, -EMSGSIZE (see above),
 *         -EINVAL for bad arguments, or -EPROTO if the broker closed the
 *         channel or the connection, or the connection failed.
 */
int workq_next(amqp_connection_state_t conn, struct workq_job *job, int timeout_ms);

/**
 * @brief Acknowledges a job: its work is done and the broker may forget it.
 *
 * Acknowledges this delivery only (not every earlier one too).
 * @param conn the connection the job arrived on.
 * @param job the job from workq_next().
 * @return 0, -EINVAL for a NULL job, or -EIO if it could not be sent.
 */
int workq_ack(amqp_connection_state_t conn, const struct workq_job *job);

#endif
