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
#include "cli.h"
#include "clock.h"
#include "die.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

static const struct cli cli = {
    .about = "One side of bench/run.py's throughput measurement: sends or receives N messages.",
    .options =
        (const struct cli_option[]){
            {'u', "url", "URL",
             "the broker (default $AMQP_URL, else amqp://guest:guest@localhost:5672/)"},
            {'q', "queue", "NAME", "the queue (required)"},
            {'c', "count", "N", "how many messages (required)"},
            {'s', "size", "BYTES", "the size of each message sent (default 16)"},
            {0}},
    .synopsis = "produce|consume [--url URL] --queue NAME --count N [--size BYTES]",
    .max_args = 1,
    .exit_1 = "the broker failed, or a message took more than 30 s to arrive",
};

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
    const char *url = amqp_default_url(), *queue = NULL;
    long count = 0, size = 16;
    for (int c; (c = cli_next(&cli, argc, argv)) != -1;)
        if (c == 'u')
            url = optarg;
        else if (c == 'q')
            queue = optarg;
        else if (c == 'c')
            count = cli_long(optarg, 1, 100000000);
        else if (c == 's')
            size = cli_long(optarg, 1, 1 << 20);
    const char *role = optind < argc ? argv[optind] : "";
    if (strcmp(role, "produce") != 0 && strcmp(role, "consume") != 0)
        cli_error("the first argument is produce or consume");
    if (!queue || !count)
        cli_error("--queue and --count are required");

    amqp_connection_state_t conn = amqp_connect_or_die(url, 1);
    if (role[0] == 'p')
        produce(conn, queue, count, size);
    else
        consume(conn, queue, count);
    amqp_close_or_die(conn, 1);
    return 0;
}
