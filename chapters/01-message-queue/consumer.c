/*
 * consumer: the article's pika consumer, in C with rabbitmq-c.
 *
 *   consumer [--url URL] [--queue NAME] [--count N]
 *
 * Declares the queue (default 'hello') and prints every message it receives,
 * as the article's " [x] Received b'...'" lines. It acknowledges each message
 * after printing it, so the broker forgets it only once it was handled.
 * With --count N it exits after N messages; otherwise it runs until Ctrl-C
 * (SIGINT) or SIGTERM, then closes the connection cleanly. If the queue is
 * deleted under it, the broker cancels the subscription and it exits 1.
 * URL defaults to $AMQP_URL, else amqp://guest:guest@localhost:5672/.
 * Exit status: 0 done, 1 the broker or the network failed, 2 bad usage.
 *
 * "article:" marks the lines that do what article/consumer.py does. Kept on
 * purpose, as there: the queue is not durable. Fixed: the article never
 * acknowledges, so every message it printed is delivered again once it exits.
 */
#include "amqp_util.h"
#include "cli.h"
#include "die.h"

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

static const struct cli cli = {
    .about = "Prints the messages of a queue of RabbitMQ as they arrive, until Ctrl-C.",
    .options =
        (const struct cli_option[]){
            {'u', "url", "URL",
             "the broker (default $AMQP_URL, else amqp://guest:guest@localhost:5672/)"},
            {'q', "queue", "NAME", "the queue, declared if needed (default hello)"},
            {'c', "count", "N", "exit after N messages (default: run until Ctrl-C)"},
            {0}},
    .exit_1 = "the broker or the network failed, or the queue was deleted",
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* Prints bytes the way Python prints a bytes object (b'Hello World!'), so
 * the output matches the article's; a byte that is not printable ASCII is
 * shown as an escape, never sent raw to the terminal. */
static void print_python_bytes(amqp_bytes_t body)
{
    const unsigned char *p = body.bytes;
    int has_single = memchr(p, '\'', body.len) != NULL,
        has_double = memchr(p, '"', body.len) != NULL;
    char quote = has_single && !has_double ? '"' : '\'';
    printf("b%c", quote);
    for (size_t i = 0; i < body.len; i++) {
        unsigned char c = p[i];
        if (c == '\\' || c == (unsigned char)quote)
            printf("\\%c", c);
        else if (c == '\n')
            fputs("\\n", stdout);
        else if (c == '\r')
            fputs("\\r", stdout);
        else if (c == '\t')
            fputs("\\t", stdout);
        else if (c < 0x20 || c >= 0x7f)
            printf("\\x%02x", c);
        else
            putchar(c);
    }
    putchar(quote);
}

int main(int argc, char **argv)
{
    const char *url = amqp_default_url(), *queue = "hello";
    long count = 0; /* 0: until a signal */
    for (int c; (c = cli_next(&cli, argc, argv)) != -1;)
        if (c == 'u')
            url = optarg;
        else if (c == 'q')
            queue = optarg;
        else if (c == 'c')
            count = cli_long(optarg, 1, 1000000000);
    if (!*queue)
        cli_error("the queue name must not be empty");

    /* No SA_RESTART needed: the receive loop below wakes up every 200 ms
     * anyway and checks the flag, so Ctrl-C ends it between messages. */
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) == -1 || sigaction(SIGTERM, &sa, NULL) == -1)
        die("sigaction");

    const amqp_channel_t ch = 1;
    amqp_connection_state_t conn = amqp_connect_or_die(url, ch);
    /* article: channel.queue_declare(queue='hello'), not durable (kept) */
    amqp_queue_declare(conn, ch, amqp_cstring_bytes(queue), 0, 0, 0, 0, amqp_empty_table);
    die_on_amqp_error(amqp_get_rpc_reply(conn), "cannot declare the queue");

    /* article: basic_consume(queue='hello', ...), pika's default manual ack */
    /* no_ack = 0: the broker keeps each message until we acknowledge it, and
     * gives it to another consumer if we die first. */
    amqp_basic_consume(conn, ch, amqp_cstring_bytes(queue), amqp_empty_bytes, 0, 0, 0,
                       amqp_empty_table);
    die_on_amqp_error(amqp_get_rpc_reply(conn), "cannot start consuming");
    printf(" [*] Waiting for messages. To exit press CTRL+C\n"); /* article: the same print() */
    fflush(stdout);

    /* article: channel.start_consuming() */
    for (long received = 0; !stop_requested && (count == 0 || received < count);) {
        amqp_envelope_t envelope;
        struct timeval tick = {.tv_usec = 200000};
        amqp_maybe_release_buffers(conn);
        amqp_rpc_reply_t r = amqp_consume_message(conn, &envelope, &tick, 0);
        if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
            r.library_error == AMQP_STATUS_TIMEOUT)
            continue; /* nothing yet: look at the flag again */
        if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
            r.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
            /* Not a delivery: the broker is closing the channel or the
             * connection and says why in the next frame. */
            amqp_frame_t frame;
            die_on_error(amqp_simple_wait_frame(conn, &frame), "cannot receive");
            if (frame.frame_type != AMQP_FRAME_METHOD)
                continue;
            if (frame.payload.method.id == AMQP_BASIC_CANCEL_METHOD)
                die_msg("the broker cancelled the subscription: was the queue '%s' deleted?",
                        queue);
            if (frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD ||
                frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD) {
                amqp_rpc_reply_t closed = {.reply_type = AMQP_RESPONSE_SERVER_EXCEPTION,
                                           .reply = frame.payload.method};
                die_on_amqp_error(closed, "the broker stopped the delivery");
            }
            continue;
        }
        die_on_amqp_error(r, "cannot receive");

        printf(" [x] Received "); /* article: print(" [x] Received %r" % body) */
        print_python_bytes(envelope.message.body);
        putchar('\n');
        fflush(stdout);
        /* Acknowledge only after the work (here: printing) is done; the
         * article never does (its defect, fixed). */
        die_on_error(amqp_basic_ack(conn, ch, envelope.delivery_tag, 0), "cannot acknowledge");
        amqp_destroy_envelope(&envelope);
        received++;
    }

    amqp_close_or_die(conn, ch);
    return 0;
}
