/**
 * @file amqp_util.h
 * @brief One-line error checks for rabbitmq-c, and a connection from a URL.
 *
 * rabbitmq-c reports failures in two shapes: an int status (negative
 * amqp_status_enum values, for example from amqp_basic_publish()) and an
 * amqp_rpc_reply_t (from amqp_login() and amqp_get_rpc_reply(), after every
 * synchronous method such as amqp_queue_declare()). These helpers check either
 * in one line and exit with one clear message when it failed, so the
 * chapter's programs read like the article's while still checking everything:
 * @code
 * amqp_connection_state_t conn = amqp_connect_or_die(url, 1);
 * amqp_queue_declare(conn, 1, amqp_cstring_bytes("hello"), 0, 0, 0, 0, amqp_empty_table);
 * die_on_amqp_error(amqp_get_rpc_reply(conn), "declaring queue 'hello'");
 * @endcode
 * They are for programs. Library code (the exercises) returns errors instead.
 */
#ifndef IPC_AMQP_UTIL_H
#define IPC_AMQP_UTIL_H

#include "amqp_headers.h"
#include <stddef.h>

/** The URL the article's programs use: a broker on this machine, user guest. */
#define AMQP_ARTICLE_URL "amqp://guest:guest@localhost:5672/"

/** How long opening a connection may take before it counts as failed, in seconds. */
#define AMQP_CONNECT_TIMEOUT_S 5

/**
 * @brief The broker URL to use when the user gave none.
 * @return the environment variable AMQP_URL if it is set and not empty,
 *         else #AMQP_ARTICLE_URL.
 */
const char *amqp_default_url(void);

/**
 * @brief Says in words why an AMQP call failed.
 *
 * For a server exception the text carries the broker's reply code and text,
 * for example "the broker closed the connection: 530 NOT_ALLOWED - vhost x
 * not found"; for a library exception, rabbitmq-c's description of the status.
 * @param r the reply to describe.
 * @param buf where to write the text (always NUL-terminated when size > 0).
 * @param size size of buf in bytes.
 * @return buf.
 */
const char *amqp_reply_describe(amqp_rpc_reply_t r, char *buf, size_t size);

/**
 * @brief Exits with "prog: what: reason" if status is a rabbitmq-c error.
 * @param status a value returned by rabbitmq-c; negative means failure.
 * @param what what was being done, e.g. "publishing to 'hello'".
 */
void die_on_error(int status, const char *what);

/**
 * @brief Exits with "prog: what: reason" unless r is a normal reply.
 * @param r the reply of amqp_login() or amqp_get_rpc_reply().
 * @param what what was being done, e.g. "declaring queue 'hello'".
 */
void die_on_amqp_error(amqp_rpc_reply_t r, const char *what);

/**
 * @brief Connects and logs in to the broker at url and opens one channel, or exits.
 *
 * The URL is `amqp://user:password\@host:port/vhost`. Every step that waits on
 * the network gives up after #AMQP_CONNECT_TIMEOUT_S seconds, so a broker
 * that is down or silent costs one error line, never a hang.
 * @param url the broker's AMQP URL.
 * @param channel the channel number to open (1 is the usual first one).
 * @return the connection; close it with amqp_close_or_die().
 */
amqp_connection_state_t amqp_connect_or_die(const char *url, amqp_channel_t channel);

/**
 * @brief Closes the channel and the connection politely, then frees it; exits on failure.
 * @param conn the connection from amqp_connect_or_die().
 * @param channel the channel it opened.
 */
void amqp_close_or_die(amqp_connection_state_t conn, amqp_channel_t channel);

#endif
