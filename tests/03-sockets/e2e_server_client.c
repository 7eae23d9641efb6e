/* End-to-end checks of the chapter's server and client (ungraded). */
#include "grade.h"
#include "serverctl.h"
#include "sockutil.h"
#include "testutil.h"

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

static void hello_world_once(void)
{
    int port, status;
    pid_t server = start_c_server("1", &port);
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
    GRADE_CHECK(strncmp(out, "Connected by ('127.0.0.1', ", 27) == 0 && lines(out) == 1,
                "the server prints one line like the article's, \"Connected by ('127.0.0.1', PORT)\"; got: %s", out);
}

static void serves_count_clients(void)
{
    int port, status;
    pid_t server = start_c_server("3", &port);
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
    pid_t server = start_c_server(NULL, &port);
    GRADE_REQUIRE(kill(server, SIGINT) == 0, "kill: cannot signal the server");
    int done = su_wait_exit(server, 5000, &status);
    if (!done)
        su_kill(server);
    GRADE_CHECK(done, "the server should exit on SIGINT (Ctrl-C)");
    GRADE_CHECK(done && tu_exited_with(status, 0), "Ctrl-C is the normal way to stop it: exit 0, got 0x%x", status);
}

static void port_in_use_is_one_line(void)
{
    int port;
    int holder = su_listen_tcp(&port, 1); /* someone else has the port */
    char port_text[16];
    snprintf(port_text, sizeof port_text, "%d", port);
    char *argv[] = {(char *)tu_program("03-sockets/server"), "--port", port_text, "--count", "1", NULL};
    struct tu_run_result r;
    GRADE_REQUIRE(tu_run(argv, 5000, &r) == 0, "could not start %s", argv[0]);
    close(holder);
    GRADE_CHECK(tu_exited_with(r.status, 1), "a port in use is a runtime failure: exit 1 (status 0x%x)", r.status);
    GRADE_CHECK(strstr(r.err, "Address already in use") != NULL && lines(r.err) == 1,
                "one line naming the reason; stderr: %s", r.err);
}

static void refused_is_one_line(void)
{
    struct tu_run_result r;
    run_client(su_free_port(), &r); /* nobody listens there */
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
    GRADE_TEST("unit", "server --count 3 serves three clients, then exits 0", serves_count_clients, 0),
    GRADE_TEST("unit", "server exits 0 on Ctrl-C (SIGINT)", ctrl_c_exits_cleanly, 0),
    GRADE_TEST("unit", "server on a port in use: one line, exit 1", port_in_use_is_one_line, 0),
    GRADE_TEST("unit", "client, connection refused: one line, exit 1", refused_is_one_line, 0),
    GRADE_TEST_TIMEOUT("unit", "client, unknown host: one line, exit 1", unknown_host_is_one_line, 0, 30),
    GRADE_TEST("unit", "server --port 70000 is a usage error", bad_port_is_usage, 0),
)
