/* End-to-end checks of the chapter's server and client (ungraded). */
#include "grade.h"
#include "serverctl.h"
#include "sockutil.h"
#include "testutil.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void run_client(int port, struct tu_run_result *r)
{
    char port_text[16];
    snprintf(port_text, sizeof port_text, "%d", port);
    char *argv[] = {(char *)tu_program("03-sockets/client"), "--port", port_text, NULL};
    GRADE_REQUIRE(tu_run(argv, 5000, r) == 0, "could not start %s", argv[0]);
}

/* The number of lines in text. */
static int lines(const char *text)
{
    int n = 0;
    for (; *text != '\0'; text++)
        n += *text == '\n';
    return n;
}

/* Checks that out is the one line the article's server would print for a
 * client at an address of localhost: which one is up to the client and
 * /etc/hosts (IPv4 first, IPv6 first, or IPv4 only). */
static void check_peer_line(const char *out, const char *who)
{
    struct su_addr peer;
    int ok = su_parse_python_line(out, &peer);
    GRADE_CHECK(
        ok && su_is_localhost(&peer),
        "the server prints one line as the article's does for %s: Python's address tuple, "
        "\"Connected by ('127.0.0.1', PORT)\" for IPv4 or \"Connected by ('::1', PORT, 0, 0)\" "
        "for IPv6 (localhost here: %s); got: %s",
        who, su_localhost_text(), out);
}

static void hello_world_once(void)
{
    int port, status;
    pid_t server = start_c_server(NULL, "1", &port);
    struct tu_run_result r;
    run_client(port, &r);
    GRADE_CHECK(tu_exited_with(r.status, 0), "client should exit 0; stderr: %s", r.err);
    GRADE_EXPECT_STR(r.out, "Hello, world!\n", "the client prints what the server sent, then a newline");

    int done = su_wait_exit(server, 5000, &status);
    if (!done)
        su_kill(server);
    GRADE_CHECK(done && tu_exited_with(status, 0), "server --count 1 should exit 0 after one client");
    char out[1024];
    su_read_file("server.out", out, sizeof out);
    check_peer_line(out, "the client");
}

/* Connects to the server at to, port; reads the greeting to the end (the
 * server has printed its line once it closed) and appends to expected the
 * line Python would print for this client, whose address the test knows. */
static void greeted_from(const struct su_addr *to, int port, pid_t server, char *expected,
                         size_t size)
{
    char host[64];
    su_addr_text(to, host, sizeof host, NULL);
    int fd = su_connect_addr(to, port);
    if (fd < 0)
        su_kill(server);
    GRADE_REQUIRE(fd >= 0, "the server listens on %s port %d, but connecting there failed: %s",
                  host, port, strerror(errno));
    struct su_addr me = {.len = sizeof me.sa};
    GRADE_REQUIRE(getsockname(fd, (struct sockaddr *)&me.sa, &me.len) == 0, "getsockname: %s",
                  strerror(errno));
    size_t used = strlen(expected);
    su_python_line(&me, expected + used, size - used);
    char got[64];
    size_t len = 0;
    ssize_t k;
    while (len < sizeof got - 1 && (k = read(fd, got + len, sizeof got - 1 - len)) > 0)
        len += (size_t)k;
    got[len] = '\0';
    close(fd);
    GRADE_CHECK(strcmp(got, "Hello, world!") == 0,
                "a client on %s should get \"Hello, world!\"; got \"%s\"", host, got);
}

static void expect_lines(pid_t server, int n, const char *expected)
{
    int status;
    int done = su_wait_exit(server, 5000, &status);
    if (!done)
        su_kill(server);
    GRADE_CHECK(done && tu_exited_with(status, 0),
                "server --count %d should exit 0 after %d clients", n, n);
    char out[SU_MAX_ADDRS * 128];
    su_read_file("server.out", out, sizeof out);
    GRADE_EXPECT_STR(
        out, expected,
        "one line per client, the client's address as the article's Python "
        "server prints it: ('127.0.0.1', PORT) for IPv4, ('::1', PORT, 0, 0) for IPv6");
}

/* The test is the client, so it knows each client's address and port and
 * the exact line Python would print: first once from each address of
 * localhost, then from 127.0.0.1 and ::1 to a server on that address alone,
 * so both tuples are checked wherever the kernel has IPv4 and IPv6, however
 * localhost resolves. */
static void prints_peer_as_python(void)
{
    struct su_addr addrs[SU_MAX_ADDRS];
    int n = su_localhost(addrs, SU_MAX_ADDRS), port;
    char count[16], expected[SU_MAX_ADDRS * 128] = "";
    snprintf(count, sizeof count, "%d", n);
    pid_t server = start_c_server(NULL, count, &port);
    for (int i = 0; i < n; i++)
        greeted_from(&addrs[i], port, server, expected, sizeof expected);
    expect_lines(server, n, expected);

    const char *loopbacks[] = {"127.0.0.1", "::1"};
    for (int i = 0; i < 2; i++) {
        struct su_addr lo;
        if (!su_loopback(loopbacks[i], &lo))
            continue; /* a kernel without IPv6 */
        expected[0] = '\0';
        server = start_c_server(&lo, "1", &port);
        greeted_from(&lo, port, server, expected, sizeof expected);
        expect_lines(server, 1, expected);
    }
}

/* Whichever address of localhost the server is on, the client, which tries
 * them all, finds it. */
static void client_tries_every_address(void)
{
    struct su_addr addrs[SU_MAX_ADDRS];
    int n = su_localhost(addrs, SU_MAX_ADDRS);
    for (int i = 0; i < n; i++) {
        char host[64], who[128];
        su_addr_text(&addrs[i], host, sizeof host, NULL);
        int port, status;
        pid_t server = start_c_server(&addrs[i], "1", &port);
        struct tu_run_result r;
        run_client(port, &r);
        int done = su_wait_exit(server, 5000, &status);
        if (!done)
            su_kill(server);
        GRADE_CHECK(
            tu_exited_with(r.status, 0) && strcmp(r.out, "Hello, world!\n") == 0,
            "localhost here is %s; with the server on %s only, the client must still find it; "
            "exit status 0x%x, stdout: %s, stderr: %s",
            su_localhost_text(), host, r.status, r.out, r.err);
        GRADE_CHECK(done && tu_exited_with(status, 0), "server --host %s --count 1 should exit 0",
                    host);
        char out[1024];
        su_read_file("server.out", out, sizeof out);
        snprintf(who, sizeof who, "a client of the server on %s", host);
        check_peer_line(out, who);
    }
}

static void serves_count_clients(void)
{
    int port, status;
    pid_t server = start_c_server(NULL, "3", &port);
    for (int i = 0; i < 3; i++) {
        struct tu_run_result r;
        run_client(port, &r);
        GRADE_EXPECT_STR(r.out, "Hello, world!\n", "every client gets the greeting");
    }
    int done = su_wait_exit(server, 5000, &status);
    if (!done)
        su_kill(server);
    GRADE_CHECK(done && tu_exited_with(status, 0), "server --count 3 should exit 0 after three clients");
    char out[4096];
    su_read_file("server.out", out, sizeof out);
    GRADE_EXPECT_LONG(lines(out), 3, "one \"Connected by\" line per client");
}

static void ctrl_c_exits_cleanly(void)
{
    int port, status;
    pid_t server = start_c_server(NULL, NULL, &port);
    GRADE_REQUIRE(kill(server, SIGINT) == 0, "kill: cannot signal the server");
    int done = su_wait_exit(server, 5000, &status);
    if (!done)
        su_kill(server);
    GRADE_CHECK(done, "the server should exit on SIGINT (Ctrl-C)");
    GRADE_CHECK(done && tu_exited_with(status, 0), "Ctrl-C is the normal way to stop it: exit 0, got 0x%x", status);
}

static void port_in_use_is_one_line(void)
{
    int port, holders[SU_MAX_ADDRS];
    /* Someone else has the port, on every address of localhost: the server
     * fails on the first it tries, whichever that is. */
    int n = su_listen_localhost(&port, holders, SU_MAX_ADDRS);
    char port_text[16];
    snprintf(port_text, sizeof port_text, "%d", port);
    char *argv[] = {(char *)tu_program("03-sockets/server"), "--port", port_text, "--count", "1", NULL};
    struct tu_run_result r;
    GRADE_REQUIRE(tu_run(argv, 5000, &r) == 0, "could not start %s", argv[0]);
    for (int i = 0; i < n; i++)
        close(holders[i]);
    GRADE_CHECK(tu_exited_with(r.status, 1), "a port in use is a runtime failure: exit 1 (status 0x%x)", r.status);
    GRADE_CHECK(strstr(r.err, "Address already in use") != NULL && lines(r.err) == 1,
                "one line naming the reason; stderr: %s", r.err);
}

static void refused_is_one_line(void)
{
    struct tu_run_result r;
    run_client(su_free_port(), &r); /* nobody listens there, on any address of localhost */
    GRADE_CHECK(tu_exited_with(r.status, 1), "connection refused: exit 1 (status 0x%x)", r.status);
    GRADE_CHECK(strstr(r.err, "Connection refused") != NULL && lines(r.err) == 1, "stderr: %s", r.err);
    GRADE_EXPECT_STR(r.out, "", "nothing on stdout when nothing was received");
}

static void unknown_host_is_one_line(void)
{
    char *argv[] = {(char *)tu_program("03-sockets/client"), "--host", "no-such-host.invalid", NULL};
    struct tu_run_result r;
    GRADE_REQUIRE(tu_run(argv, 20000, &r) == 0, "could not start %s", argv[0]);
    GRADE_CHECK(tu_exited_with(r.status, 1), "an unknown host: exit 1 (status 0x%x)", r.status);
    GRADE_CHECK(strstr(r.err, "no-such-host.invalid") != NULL && lines(r.err) == 1, "stderr: %s", r.err);
}

static void bad_port_is_usage(void)
{
    char *argv[] = {(char *)tu_program("03-sockets/server"), "--port", "70000", NULL};
    struct tu_run_result r;
    GRADE_REQUIRE(tu_run(argv, 5000, &r) == 0, "could not start %s", argv[0]);
    GRADE_CHECK(tu_exited_with(r.status, 2), "a port out of range is a usage error: exit 2");
    GRADE_CHECK(strstr(r.err, "out of range") != NULL, "stderr: %s", r.err);
}

GRADE_TESTS(
    GRADE_TEST("unit", "server --count 1 and client: Hello, world!", hello_world_once, 0),
    GRADE_TEST("unit", "server prints each client's address as Python does: IPv4, IPv6, localhost",
               prints_peer_as_python, 0),
    GRADE_TEST_TIMEOUT("unit", "client finds a server on any one address of localhost",
                       client_tries_every_address, 0, 30),
    GRADE_TEST("unit", "server --count 3 serves three clients, then exits 0", serves_count_clients, 0),
    GRADE_TEST("unit", "server exits 0 on Ctrl-C (SIGINT)", ctrl_c_exits_cleanly, 0),
    GRADE_TEST("unit", "server on a port in use: one line, exit 1", port_in_use_is_one_line, 0),
    GRADE_TEST("unit", "client, connection refused: one line, exit 1", refused_is_one_line, 0),
    GRADE_TEST_TIMEOUT("unit", "client, unknown host: one line, exit 1", unknown_host_is_one_line, 0, 30),
    GRADE_TEST("unit", "server --port 70000 is a usage error", bad_port_is_usage, 0),
)
