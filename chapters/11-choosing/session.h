/**
 * @file session.h
 * @brief The workload: the same for every mechanism, run by two processes.
 *
 * The client (sender) drives; the server (receiver) obeys commands that come
 * on a separate control pipe, outside the timed part, so the mechanism under
 * test carries nothing but the measured messages. Every message starts with
 * a sequence number that the receiver checks: a mechanism that loses,
 * repeats or reorders a message fails instead of looking fast.
 *
 * - Throughput (`msgs_per_s`): the client streams N messages one way, the
 *   server answers the last one; N divided by the time from the first send
 *   to that answer.
 * - Latency (`rtt_p50_ns`, `rtt_p99_ns`): the client sends one message and
 *   waits for the server to echo it, N times, timing each round trip.
 */
#ifndef IPC_BENCH_SESSION_H
#define IPC_BENCH_SESSION_H

#include "mech.h"

#include <stdio.h>

/** What one session (one mechanism, one message size) measures. */
struct session_plan {
    size_t size;      /**< message size in bytes, at least 8 (the sequence number) */
    int reps;         /**< repetitions of each measurement */
    long count;       /**< messages per repetition; 0 to size it from target_ms */
    double target_ms; /**< how long one repetition should take when count is 0 */
    int progress;     /**< non-zero to print progress lines on stderr */
};

/**
 * @brief Runs the measurements on the client side and writes their summaries.
 *
 * Writes one line per metric to @p results:
 * `mechanism,size,metric,median,min,max,reps`. Dies on any failure.
 * @param m the mechanism, already attached as #MECH_CLIENT.
 * @param st its state.
 * @param plan what to measure.
 * @param ctl_fd the write end of the control pipe to the server.
 * @param results where the summary lines go.
 */
void session_client(const struct mech *m, void *st, const struct session_plan *plan, int ctl_fd,
                    FILE *results);

/**
 * @brief Serves the client's commands until it says stop. Dies on any failure.
 * @param m the mechanism, already attached as #MECH_SERVER.
 * @param st its state.
 * @param size the message size.
 * @param ctl_fd the read end of the control pipe from the client.
 */
void session_server(const struct mech *m, void *st, size_t size, int ctl_fd);

#endif
