/**
 * @file mq_connect.h
 * @brief Exercise 01.1: connect to a broker from an AMQP URL, every failure returned.
 *
 * The chapter's programs connect with amqp_connect_or_die(): fine for a
 * program that can do nothing without its broker. Library code cannot
 * decide that for its caller: a service may want to retry, try another
 * broker of a cluster, or report "wrong password" differently from "broker
 * down". So mq_connect() never exits and never prints: it returns a
 * negative errno that says which kind of failure it was, and a one-line
 * message that says exactly what happened, with the broker's own reply text
 * when the broker said something.
 */
#ifndef IPC_MQ_CONNECT_H
#define IPC_MQ_CONNECT_H

#include "amqp_headers.h"
#include <stddef.h>

/** The channel mq_connect() opens; every call on the connection can use it. */
#define MQ_CHANNEL 1

/**
 * @brief Connects to the broker at url, logs in and opens channel #MQ_CHANNEL.
 *
 * The URL has the form `amqp://user:password\@host:port/vhost` (rabbitmq-c's
 * amqp_parse_url() reads it; missing parts take their defaults: guest,
 * guest, localhost, 5672). An empty vhost, as in `amqp://host:5672/`, means
 * the default vhost "/", as pika and RabbitMQ's tools read it.
 *
 * The connection takes what the broker offers and asks for no heartbeats:
 * as many channels as the broker allows (the caller may open more than
 * #MQ_CHANNEL with amqp_channel_open()), and heartbeat 0, because rabbitmq-c
 * sends heartbeats only from inside its own calls, so a caller busy for a
 * while between two calls would be cut off by the broker.
 *
 * Every step that waits on the network (the TCP connection, the AMQP
 * handshake and login, opening the channel) gives up after timeout_ms, so a
 * host that drops packets or a server that never answers costs at most a few
 * timeouts, never a hang.
 *
 * On failure nothing is left behind: no socket, no memory, *conn is NULL,
 * and err holds one line (no newline) saying what failed; when the broker
 * closed the connection, the line contains its reply text (for example
 * "ACCESS_REFUSED - Login was refused ..."). The function never exits the
 * process and never prints.
 *
 * @param url the broker's AMQP URL (plain amqp://; amqps:// is not supported).
 * @param timeout_ms the limit for each network step, in milliseconds (> 0).
 * @param[out] conn receives the open connection on success, NULL on failure.
 * @param[out] err receives the failure's description (NUL-terminated, cut to
 *        errlen); untouched on success. May be NULL only if errlen is 0.
 * @param errlen size of err in bytes.
 * @return 0 on success, or one of:
 *         - -EINVAL: url is NULL or not an amqp:// URL, timeout_ms <= 0, or conn is NULL;
 *         - -ECONNREFUSED: no TCP connection to host:port (refused, unreachable,
 *           unknown host); err names host and port;
 *         - -ETIMEDOUT: a step took longer than timeout_ms;
 *         - -EACCES: the broker refused the login (reply 403 ACCESS_REFUSED);
 *         - -ENOENT: the broker refused the vhost (reply 530 NOT_ALLOWED: it
 *           does not exist or the user may not use it);
 *         - -EPROTO: any other failure of the handshake or of opening the channel;
 *         - -ENOMEM: out of memory.
 */
int mq_connect(const char *url, int timeout_ms, amqp_connection_state_t *conn, char *err, size_t errlen);

/**
 * @brief Closes channel #MQ_CHANNEL and the connection politely, then frees it.
 *
 * Politely: channel.close, then connection.close, each answered by the
 * broker, so that it records a clean close rather than a dropped connection.
 * Errors while closing are ignored: the connection is freed either way.
 * @param conn a connection from mq_connect(), or NULL (then nothing happens).
 */
void mq_disconnect(amqp_connection_state_t conn);

#endif
