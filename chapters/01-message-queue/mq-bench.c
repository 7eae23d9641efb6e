/*
 * mq-bench: one side of the chapter's throughput measurement, in C.
 *
 *   mq-bench produce --url URL --queue NAME --count N --size BYTES
 *   mq-bench consume --url URL --queue NAME --count N
 *
 * The same two roles as bench/pika_bench.py, the same way the article uses
 * RabbitMQ (a plain queue, the default exchange, transient messages, the
 * consumer with automatic acknowledgement), so the two clients are compared
 * doing the same work. bench/run.py starts them and computes the rate:
 * the consumer declares the queue and prints "ready"; the producer prints
 * "start NS" just before its first message, the consumer "end NS" just after
 * its last (CLOCK_MONOTONIC, the clock Python's time.monotonic_ns() reads).
 * Exit status: 0 done, 1 the broker failed, 2 bad usage.
 */
#include "amqp_util.h"
#include "clock.h"
#include "die.h"
#include "parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

static const char usage[] = "produce|consume --url URL --queue NAME --count N [--size BYTES]";

static void produce(amqp_connection_state_t conn, const char *queue, long count, long size)
{
    char *body = malloc((size_t)size);
    if (!body)
        die("malloc");
    memset(body, 'x', (size_t)size);
    amqp_bytes_t bytes = {.len = (size_t)size, .bytes = body};
    printf("start %lld\n", (long long)clock_now_ns());
    fflush(stdout);
    for (long i = 0; i < count; i++)
        die_on_error(amqp_basic_publish(conn, 1, amqp_empty_bytes, amqp_cstring_bytes(queue), 0, 0,
                                        NULL, bytes),
                     "cannot publish");
    free(body);
}

static void consume(amqp_connection_state_t conn, const char *queue, long count)
{
    amqp_queue_declare(conn, 1, amqp_cstring_bytes(queue), 0, 0, 0, 1, amqp_empty_table);
    die_on_amqp_error(amqp_get_rpc_reply(conn), "cannot declare the queue");
    amqp_basic_consume(conn, 1, amqp_cstring_bytes(queue), amqp_empty_bytes, 0, 1, 0,
                       amqp_empty_table);
    die_on_amqp_error(amqp_get_rpc_reply(conn), "cannot consume");
    printf("ready\n");
    fflush(stdout);
    for (long i = 0; i < count; i++) {
        amqp_envelope_t env;
        struct timeval timeout = {.tv_sec = 30};
        amqp_maybe_release_buffers(conn);
        die_on_amqp_error(amqp_consume_message(conn, &env, &timeout, 0), "cannot receive");
        amqp_destroy_envelope(&env);
    }
    printf("end %lld\n", (long long)clock_now_ns());
}

int main(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "produce") != 0 && strcmp(argv[1], "consume") != 0))
        die_usage(usage, "the first argument is produce or consume");
    const char *url = amqp_default_url(), *queue = NULL;
    long count = 0, size = 16;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--url") == 0 && i + 1 < argc)
            url = argv[++i];
        else if (strcmp(argv[i], "--queue") == 0 && i + 1 < argc)
            queue = argv[++i];
        else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc)
            count = parse_long_arg(argv[++i], 1, 100000000, "--count", usage);
        else if (strcmp(argv[i], "--size") == 0 && i + 1 < argc)
            size = parse_long_arg(argv[++i], 1, 1 << 20, "--size", usage);
        else
            die_usage(usage, "unexpected argument '%s'", argv[i]);
    }
    if (!queue || !count)
        die_usage(usage, "--queue and --count are required");

    amqp_connection_state_t conn = amqp_connect_or_die(url, 1);
    if (argv[1][0] == 'p')
        produce(conn, queue, count, size);
    else
        consume(conn, queue, count);
    amqp_close_or_die(conn, 1);
    return 0;
}
