/**
 * @brief Exercise 01.3: publisher confirms, or knowing the broker has every message.
 * @file confirm.h
 *
 * amqp_basic_publish() returns as soon as the message is in the socket's
 * buffer: the broker may not have it yet, may never get it (the connection
 * breaks), or may refuse it (a full queue). A producer that must not lose
 * messages puts its channel in confirm mode: the broker then answers every
 * message it publishes with basic.ack (it has taken responsibility for it)
 * or basic.nack (it has not), naming the message by its sequence number on
 * the channel: 1 for the first message after confirm.select, then 2, 3, ...
 * One answer with the flag `multiple` covers every message up to its number.
 */
#ifndef IPC_CONFIRM_H
#define IPC_CONFIRM_H

#include "amqp_headers.h"
#include <stddef.h>
#include <stdint.h>

/** A channel in confirm mode, and where its numbering of messages stands. */
struct confirm_channel {
    amqp_connection_state_t conn; /**< The connection. */
    amqp_channel_t ch;            /**< The channel, in confirm mode. */
    uint64_t next_seq;            /**< Sequence number the next published message gets (1 after confirm.select). */
};

/** One message to publish. */
struct confirm_msg {
    const void *body; /**< The body; may be NULL only if len is 0. */
    size_t len;       /**< Its length in bytes. */
};

/**
 * @brief Puts channel ch of conn in confirm mode and fills in cc.
 * @param[out] cc the confirm channel to initialise.
 * @param conn an open connection.
 * @param ch an open channel of conn, not yet in confirm mode.
 * @return 0, -EINVAL for NULL arguments, or -EPROTO if the broker refused.
 */
int confirm_open(struct confirm_channel *cc, amqp_connection_state_t conn, amqp_channel_t ch);

/**
 * @brief Publishes n messages and waits until the broker has answered for each.
 *
 * Publishes msgs[0..n-1], in order, to exchange with routing_key, then reads
 * the broker's answers until every one of these n messages is confirmed or
 * refused (answers may cover several messages at once, and answers to
 * earlier calls are ignored). It returns only when all answers are in, so
 * no answer is left unread on the connection.
 * @param cc a channel from confirm_open().
 * @param exchange the exchange's name ("" is the default exchange).
 * @param routing_key the routing key (for the default exchange: the queue's name).
 * @param msgs the messages.
 * @param n how many (0 returns 0 at once).
 * @param timeout_ms how long to wait for all answers, in milliseconds (> 0).
 * @param[out] acked acked[i] becomes 1 if the broker confirmed msgs[i] and 0
 *        if it refused it (or never answered).
 * @return the number of messages confirmed (0 to n), or -EINVAL for bad
 *         arguments, -ENOMEM if memory ran out (nothing was then published),
 *         -EIO if a message could not be sent, -ETIMEDOUT if some
 *         answers were still missing after timeout_ms, -EPROTO if the broker
 *         closed the channel (for example: no such exchange) or the connection.
 */
int confirm_publish(struct confirm_channel *cc, const char *exchange, const char *routing_key,
                    const struct confirm_msg *msgs, size_t n, int timeout_ms, unsigned char *acked);

#endif
