/**
 * @file pubsub.h
 * @brief Exercise 01.5: publish/subscribe, every subscriber gets every message.
 *
 * A work queue hands each message to one consumer. To broadcast (a log
 * line, a price, a "config changed"), publish to a **fanout exchange**
 * instead: it copies each message to every queue bound to it. Each
 * subscriber gets a queue of its own: temporary, exclusive, with a name the
 * broker chooses, bound to the exchange, and gone when the subscriber
 * disconnects. A message published while nobody is subscribed goes nowhere,
 * and a subscriber only sees what was published after it subscribed.
 */
#ifndef IPC_PUBSUB_H
#define IPC_PUBSUB_H

#include "amqp_headers.h"
#include <stddef.h>

/** The longest queue name the broker may give (AMQP's short strings). */
#define PUBSUB_NAME_MAX 256

/**
 * @brief Declares exchange as a fanout exchange (declaring it again is harmless).
 * @param conn an open connection.
 * @param ch an open channel of conn.
 * @param exchange the exchange's name, not empty.
 * @return 0, -EINVAL for a NULL or empty name, or -EPROTO if the broker
 *         refused (an exchange of that name exists with another type).
 */
int pubsub_declare(amqp_connection_state_t conn, amqp_channel_t ch, const char *exchange);

/**
 * @brief Publishes one message to every subscriber of exchange.
 * @param conn an open connection.
 * @param ch an open channel of conn.
 * @param exchange a fanout exchange from pubsub_declare().
 * @param body the message; may be NULL only if len is 0.
 * @param len its length in bytes.
 * @return 0, -EINVAL for bad arguments, or -EIO if it could not be sent.
 */
int pubsub_publish(amqp_connection_state_t conn, amqp_channel_t ch, const char *exchange, const void *body,
                   size_t len);

/**
 * @brief Subscribes to exchange: a queue of its own, bound to it, consumed on ch.
 *
 * The queue is exclusive and auto-deleted, its name chosen by the broker;
 * it is consumed with automatic acknowledgement.
 * @param conn an open connection.
 * @param ch an open channel of conn, used for nothing else.
 * @param exchange the fanout exchange (it must exist).
 * @param[out] queue receives the queue's name, NUL-terminated.
 * @param size size of queue in bytes (#PUBSUB_NAME_MAX is always enough).
 * @return 0, -EINVAL for bad arguments, -ENAMETOOLONG if the name does not
 *         fit in size, or -EPROTO if the broker refused.
 */
int pubsub_subscribe(amqp_connection_state_t conn, amqp_channel_t ch, const char *exchange, char *queue,
                     size_t size);

/**
 * @brief Waits for the next message of the subscription.
 * @param conn the connection pubsub_subscribe() was called on.
 * @param[out] buf receives the body (not NUL-terminated).
 * @param size size of buf in bytes.
 * @param timeout_ms how long to wait at most, in milliseconds (>= 0).
 * @return the body's length, -ETIMEDOUT if nothing came in time, -EMSGSIZE
 *         if the body is longer than size (the message is dropped), -EINVAL
 *         for bad arguments, or -EPROTO if the channel or connection closed.
 */
int pubsub_next(amqp_connection_state_t conn, void *buf, size_t size, int timeout_ms);

#endif
