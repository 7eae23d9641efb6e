/*
 * Helpers the chapter's tests share: where the broker is, unique names,
 * what a queue holds, and programs run in the background.
 * The code under test never needs them.
 */
#ifndef IPC_MQ_TEST_H
#define IPC_MQ_TEST_H

#include "amqp_headers.h"
#include <stddef.h>
#include <sys/types.h>

/* The broker's URL: $AMQP_URL, else the private node's ($IPC_BUILD_DIR/broker/url). */
const char *mq_test_url(void);

/* A connection with channel 1 open (the test fails if there is none). */
amqp_connection_state_t mq_test_connect(void);

/* Closes a connection from mq_test_connect(). */
void mq_test_close(amqp_connection_state_t conn);

/* A name no other test run uses: "ipclabs-test-<what>-<random>". The broker
 * forgets such a queue a minute after its last use (see broker.sh). */
void mq_test_name(char *buf, size_t size, const char *what);

/* Random printable text of len characters (plus a NUL), never the same twice. */
void mq_test_random_text(char *buf, size_t len);

/* A random number in [lo, hi]. */
unsigned mq_test_random(unsigned lo, unsigned hi);

/* Messages ready in queue (not counting those delivered and not yet
 * acknowledged), or -1 if the queue does not exist. Uses its own connection. */
long mq_test_queue_depth(const char *queue);

/* Closes channel 1 of conn and waits, up to 2 s, for the broker to delete
 * queue (an auto-delete queue goes with its consumer). Looks from channel 2
 * of conn, which it opens: an exclusive queue is visible only to its own
 * connection. Returns 1 if the queue went; channel 2 is then closed too. */
int mq_test_queue_goes_with_channel(amqp_connection_state_t conn, const char *queue);

/* Consumers of queue right now, or -1 if the queue does not exist. */
long mq_test_queue_consumers(const char *queue);

/* Declares queue on channel 1 of conn (durable or not, never exclusive). */
void mq_test_declare(amqp_connection_state_t conn, const char *queue, int durable);

/* Publishes body to queue on channel 1 through the default exchange. */
void mq_test_publish(amqp_connection_state_t conn, const char *queue, const void *body, size_t len, int persistent);

/* Deletes queue (nothing happens if it does not exist). Uses its own connection. */
void mq_test_delete_queue(const char *queue);

/* A TCP port on 127.0.0.1 on which nothing listens: the kernel picks a free
 * one when we bind port 0, and we close it again. */
int mq_test_closed_port(void);

/* Deletes exchange (nothing happens if it does not exist). Uses its own connection. */
void mq_test_delete_exchange(const char *exchange);

/* Starts argv in the background with stdout and stderr on one pipe;
 * *out_fd receives its reading end. Returns the pid. */
pid_t mq_test_spawn(char *const argv[], int *out_fd);

/* Reads the program's output into buf (keeping what was read before, up to
 * size - 1 bytes) until it contains needle, the program closes its output,
 * or timeout_ms pass. Returns 1 if needle was seen. */
int mq_test_read_until(int fd, const char *needle, int timeout_ms, char *buf, size_t size);

/* Sends sig to pid and reaps it, SIGKILLing it after timeout_ms.
 * Returns its wait status; *timed_out is set if it had to be killed. */
int mq_test_stop(pid_t pid, int sig, int timeout_ms, int *timed_out);

#endif
