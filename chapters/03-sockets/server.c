/*
 * server: the article's TCP server, in C.
 *
 *   server [--host HOST] [--port PORT] [--count N]
 *
 * Listens on HOST port PORT (default localhost 9999) and, for each client,
 * prints "Connected by ('ADDRESS', PORT)" as the Python original does, sends
 * "Hello, world!" and closes the connection. On stderr it says where it
 * waits for clients (stdout has the article's lines only). With --count N it
 * exits 0 after N clients; without, it serves until Ctrl-C (SIGINT) or
 * SIGTERM and then exits 0. A port already in use, or a HOST that does not resolve, is one
 * line on stderr and exit status 1; a bad command line is exit status 2.
 *
 * "article:" marks the lines that do what article/server.py does (the
 * defaults above are its host and port). Kept on purpose, as there: the
 * server is iterative, one client at a time (exercise 03.3 fixes that).
 */
#include "cli.h"
#include "die.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const struct cli cli = {
    .about = "Greets each client with 'Hello, world!', until Ctrl-C or N clients.",
    .options =
        (const struct cli_option[]){
            {'h', "host", "HOST", "the name or address to listen on (default localhost)"},
            {'p', "port", "PORT", "the port (default 9999)"},
            {'c', "count", "N", "exit after N clients (default: serve until Ctrl-C)"},
            {0}},
    .exit_1 = "the port is in use, or HOST does not resolve",
};
static const char greeting[] = "Hello, world!";

/* A name can have several addresses (localhost: 127.0.0.1 and ::1); a
 * client may try any of them, so the server listens on each. */
enum { MAX_LISTENERS = 8 };

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* Opens one listening socket per address of host:port; returns how many. */
static int listen_on_all(const char *host, const char *port, struct pollfd *fds)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *list;
    int rc = getaddrinfo(host, port, &hints, &list);
    if (rc != 0)
        die_msg("cannot resolve '%s': %s", host,
                rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));

    int n = 0;
    for (struct addrinfo *ai = list; ai != NULL && n < MAX_LISTENERS; ai = ai->ai_next) {
        /* Non-blocking: a client that gives up between poll() and accept()
         * must not leave accept() waiting for the next one. */
        int fd =
            socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd == -1) {
            if (errno == EAFNOSUPPORT) /* a kernel without IPv6: skip that address */
                continue;
            die("socket");
        }
        /* Restarting the server right after a run would otherwise fail for
         * a minute or two: the old connections linger in TIME_WAIT. */
        int on = 1;
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == -1)
            die("setsockopt SO_REUSEADDR");
        /* An IPv6 socket would otherwise also claim the IPv4 port. */
        if (ai->ai_family == AF_INET6 &&
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) == -1)
            die("setsockopt IPV6_V6ONLY");

        char addr[NI_MAXHOST] = "?";
        getnameinfo(ai->ai_addr, ai->ai_addrlen, addr, sizeof addr, NULL, 0, NI_NUMERICHOST);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
            if (errno == EADDRNOTAVAIL) { /* e.g. ::1 on a host without IPv6 */
                close(fd);
                continue;
            }
            die("cannot listen on %s port %s", addr, port);
        }
        if (listen(fd, 5) == -1) /* article: server_socket.listen(5) */
            die("listen on %s port %s", addr, port);
        fds[n++] = (struct pollfd){.fd = fd, .events = POLLIN};
    }
    freeaddrinfo(list);
    if (n == 0)
        die_msg("cannot listen on %s port %s: no usable address", host, port);
    return n;
}

/* Prints the peer as Python prints the address tuple accept() returns. */
static void print_peer(const struct sockaddr_storage *peer, socklen_t len)
{
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    int rc = getnameinfo((const struct sockaddr *)peer, len, host, sizeof host, serv, sizeof serv,
                         NI_NUMERICHOST | NI_NUMERICSERV);
    if (rc != 0)
        printf("Connected by (unknown address: %s)\n", gai_strerror(rc));
    else if (peer->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)peer;
        printf("Connected by ('%s', %s, %u, %u)\n", host, serv, (unsigned)ntohl(in6->sin6_flowinfo),
               (unsigned)in6->sin6_scope_id);
    } else
        printf("Connected by ('%s', %s)\n", host, serv);
    fflush(stdout); /* one line per client, seen at once even through a pipe */
}

/* Python's sendall(): send() may take only part of the bytes, so loop.
 * MSG_NOSIGNAL: a client that already left gives EPIPE, not a fatal SIGPIPE. */
static int send_greeting(int fd)
{
    size_t done = 0, len = sizeof greeting - 1; /* the bytes, not the C string's NUL */
    while (done < len) {
        ssize_t n = send(fd, greeting + done, len - done, MSG_NOSIGNAL);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

/* Accepts one pending client on fd and serves it; returns 1 if it did. */
static int serve_one(int fd)
{
    struct sockaddr_storage peer;
    socklen_t len = sizeof peer;
    int client = accept4(fd, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
    if (client == -1) {
        /* Nothing there after all, or the client already gave up: not our failure. */
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED)
            return 0;
        die("accept");
    }
    print_peer(&peer, len); /* article: print(f"Connected by {addr}") */
    /* article: client_socket.sendall(b'Hello, world!'); client_socket.close() */
    if (send_greeting(client) == -1) /* one client's trouble must not stop the server */
        fprintf(stderr, "%s: sending to a client failed: %s\n", prog_name(), strerror(errno));
    if (close(client) == -1)
        fprintf(stderr, "%s: closing a client failed: %s\n", prog_name(), strerror(errno));
    return 1;
}

int main(int argc, char **argv)
{
    const char *host = "localhost", *port = "9999";
    long count = 0; /* 0: forever */
    for (int c; (c = cli_next(&cli, argc, argv)) != -1;)
        if (c == 'h')
            host = optarg;
        else if (c == 'p') {
            cli_long(optarg, 1, 65535); /* a clear message here; getaddrinfo() takes the text */
            port = optarg;
        } else if (c == 'c')
            count = cli_long(optarg, 1, 1000000000);

    /* SIGINT and SIGTERM stay blocked except inside ppoll(), which unblocks
     * them atomically: a Ctrl-C can never slip in between checking the flag
     * and going to sleep. */
    sigset_t stop_signals, while_waiting;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &stop_signals, &while_waiting) == -1)
        die("sigprocmask");
    sigdelset(&while_waiting, SIGINT);
    sigdelset(&while_waiting, SIGTERM);
    struct sigaction sa = {.sa_handler = on_stop_signal};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) == -1 || sigaction(SIGTERM, &sa, NULL) == -1)
        die("sigaction");

    struct pollfd fds[MAX_LISTENERS];
    int nfds = listen_on_all(host, port, fds);
    /* stderr: stdout keeps the article's lines only. */
    fprintf(stderr, "%s: waiting for clients on %s port %s%s\n", prog_name(), host, port,
            count == 0 ? " (Ctrl-C stops)" : "");

    /* article: while True: accept(), serve that client to the end, then the next (kept) */
    long served = 0;
    while (!stop_requested && (count == 0 || served < count)) {
        if (ppoll(fds, (nfds_t)nfds, NULL, &while_waiting) == -1) {
            if (errno == EINTR)
                continue;
            die("ppoll");
        }
        for (int i = 0; i < nfds && (count == 0 || served < count); i++)
            if (fds[i].revents & POLLIN)
                served += serve_one(fds[i].fd);
    }
    for (int i = 0; i < nfds; i++)
        close(fds[i].fd);
    return 0;
}
