/*
 * producer: the article's pika producer, in C with rabbitmq-c.
 *
 *   producer [--url URL] [--queue NAME] [MESSAGE]
 *
 * Declares the queue (default 'hello') and publishes MESSAGE (default
 * 'Hello World!') to it through the default exchange, then closes the
 * connection. URL defaults to $AMQP_URL, else amqp://guest:guest@localhost:5672/.
 * Exit status: 0 sent, 1 the broker or the network failed, 2 bad usage.
 *
 * "article:" marks the lines that do what article/producer.py does (the
 * defaults above are its queue and body). Kept on purpose, as there: the
 * queue is not durable and the message not persistent (exercise 01.2).
 */
#include "amqp_util.h"
#include "cli.h"
#include "die.h"

#include <stdio.h>

static const struct cli cli = {
    .about = "Publishes MESSAGE (default 'Hello World!') to a queue of RabbitMQ.",
    .options =
        (const struct cli_option[]){
            {'u', "url", "URL",
             "the broker (default $AMQP_URL, else amqp://guest:guest@localhost:5672/)"},
            {'q', "queue", "NAME", "the queue, declared if needed (default hello)"},
            {0}},
    .args = "[MESSAGE]",
    .max_args = 1,
    .exit_1 = "the broker or the network failed",
};

int main(int argc, char **argv)
{
    const char *url = amqp_default_url(), *queue = "hello", *message = "Hello World!";
    for (int c; (c = cli_next(&cli, argc, argv)) != -1;)
        if (c == 'u')
            url = optarg;
        else if (c == 'q')
            queue = optarg;
    if (optind < argc)
        message = argv[optind];
    if (!*queue)
        cli_error("the queue name must not be empty");

    const amqp_channel_t ch = 1;
    amqp_connection_state_t conn = amqp_connect_or_die(url, ch);

    /* article: channel.queue_declare(queue='hello'), not durable (kept) */
    /* Declaring is idempotent: whoever runs first, producer or consumer,
     * creates the queue, so the message has somewhere to go. The flags
     * (not passive, not durable, not exclusive, no auto-delete) are pika's
     * defaults: a declaration with other flags would be refused. */
    amqp_queue_declare(conn, ch, amqp_cstring_bytes(queue), 0, 0, 0, 0, amqp_empty_table);
    die_on_amqp_error(amqp_get_rpc_reply(conn), "cannot declare the queue");

    /* article: basic_publish(exchange='', routing_key='hello', ...), transient (kept) */
    /* The default exchange "" routes a message to the queue whose name is
     * the routing key. */
    die_on_error(amqp_basic_publish(conn, ch, amqp_empty_bytes, amqp_cstring_bytes(queue), 0, 0,
                                    NULL, amqp_cstring_bytes(message)),
                 "cannot publish");
    printf(" [x] Sent '%s'\n", message); /* article: print(" [x] Sent 'Hello World!'") */

    /* Closing politely also flushes: the broker has read the message before
     * it answers our close. */
    amqp_close_or_die(conn, ch); /* article: connection.close() */
    return 0;
}
