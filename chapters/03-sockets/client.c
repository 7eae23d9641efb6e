/*
 * client: the article's TCP client, in C.
 *
 *   client [--host HOST] [--port PORT]
 *
 * Connects to HOST port PORT (default localhost 9999), prints everything the
 * server sends until it closes the connection, then a newline, as the
 * Python original's print(data.decode()) does. Connection refused, an
 * unknown host or a broken connection: one line on stderr, exit status 1.
 *
 * "article:" marks the lines that do what article/client.py does. Fixed:
 * its one recv(1024) takes whatever part of the stream has arrived.
 */
#include "cli.h"
#include "die.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const struct cli cli = {
    .about = "Connects to a server and prints what it sends until it closes the connection.",
    .options = (const struct cli_option[]){{'h', "host", "HOST",
                                            "the server's name or address (default localhost)"},
                                           {'p', "port", "PORT", "its port (default 9999)"},
                                           {0}},
    .exit_1 = "no server there, HOST does not resolve, or the connection broke",
};

/* Tries every address of host:port in turn (localhost may be ::1 and
 * 127.0.0.1, and the server may listen on only one); returns a connected socket. */
static int connect_to(const char *host, const char *port)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *list;
    int rc = getaddrinfo(host, port, &hints, &list);
    if (rc != 0)
        die_msg("cannot resolve '%s': %s", host,
                rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));

    int fd = -1, last_error = 0;
    for (struct addrinfo *ai = list; ai != NULL && fd == -1; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd == -1) {
            last_error = errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
            last_error = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(list);
    if (fd == -1)
        die_errnum(last_error, "cannot connect to %s port %s", host, port);
    return fd;
}

int main(int argc, char **argv)
{
    const char *host = "localhost", *port = "9999";
    for (int c; (c = cli_next(&cli, argc, argv)) != -1;)
        if (c == 'h')
            host = optarg;
        else if (c == 'p') {
            cli_long(optarg, 1, 65535); /* a clear message here; getaddrinfo() takes the text */
            port = optarg;
        }

    int fd = connect_to(host, port); /* article: client_socket.connect(('localhost', 9999)) */

    /* TCP is a byte stream, not a sequence of messages: one recv() returns
     * whatever has arrived so far, possibly only part of what was sent. The
     * whole message is everything up to the end of the stream, when recv()
     * returns 0 because the server closed. */
    char buf[1024]; /* article: recv(1024), in a loop to the end of the stream */
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            die("receiving from %s port %s", host, port);
        if (n == 0)
            break;
        if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
            die("writing to stdout");
    }
    /* article: print(data.decode()), its newline included */
    if (putchar('\n') == EOF || fflush(stdout) == EOF)
        die("writing to stdout");
    close(fd); /* article: client_socket.close() */
    return 0;
}
