/* The C programs interoperate with the article's Python originals (ungraded).
 * The article's programs run with Debian's /usr/bin/python3. */
#include "grade.h"
#include "serverctl.h"
#include "sockutil.h"
#include "testutil.h"

#include <stdio.h>
#include <string.h>

static void article_client_against_c_server(void)
{
    int port, status;
    pid_t server = start_c_server(NULL, "1", &port);
    char port_text[16];
    snprintf(port_text, sizeof port_text, "%d", port);
    char *argv[] = {SYSTEM_PYTHON, (char *)su_source_path("chapters/03-sockets/article/client.py"),
                    port_text, NULL};
    struct tu_run_result r;
    GRADE_REQUIRE(tu_run(argv, 10000, &r) == 0, "could not start %s", argv[0]);
    int done = su_wait_exit(server, 5000, &status);
    if (!done)
        su_kill(server);
    GRADE_CHECK(tu_exited_with(r.status, 0), "the article's client should exit 0; stderr: %s", r.err);
    GRADE_EXPECT_STR(r.out, "Hello, world!\n", "the article's client prints what the C server sent");
    GRADE_CHECK(done && tu_exited_with(status, 0), "server --count 1 exits 0 after the article's client");
    char out[1024];
    struct su_addr peer;
    su_read_file("server.out", out, sizeof out);
    GRADE_CHECK(
        su_parse_python_line(out, &peer) && su_is_localhost(&peer),
        "the C server prints the one line the article's server would print for the article's "
        "client, Python's tuple for its address (localhost here: %s); got: %s",
        su_localhost_text(), out);
}

static void c_client_against_article_server(void)
{
    int port;
    pid_t server = start_article_server(&port);
    char port_text[16];
    snprintf(port_text, sizeof port_text, "%d", port);
    char *argv[] = {(char *)tu_program("03-sockets/client"), "--port", port_text, NULL};
    struct tu_run_result r;
    int ran = tu_run(argv, 5000, &r);
    su_kill(server); /* the article's server loops forever */
    GRADE_REQUIRE(ran == 0, "could not start %s", argv[0]);
    GRADE_CHECK(tu_exited_with(r.status, 0), "the C client should exit 0; stderr: %s", r.err);
    GRADE_EXPECT_STR(r.out, "Hello, world!\n", "the C client prints what the article's server sent");
    /* The article's server listens on one address of localhost (its socket
     * is IPv4), so the C client may be refused on another (::1) first and
     * must go on to the next; the server sees that one client only. */
    char out[4096];
    struct su_addr peer;
    su_read_file("server.out", out, sizeof out);
    GRADE_CHECK(su_parse_python_line(out, &peer) && su_is_localhost(&peer),
                "the article's server saw exactly one client, the C client, from an address of "
                "localhost (%s); it printed: %s",
                su_localhost_text(), out);
}

GRADE_TESTS(
    GRADE_TEST_TIMEOUT("unit", "interop: the article's client against the C server", article_client_against_c_server, 0, 20),
    GRADE_TEST_TIMEOUT("unit", "interop: the C client against the article's server", c_client_against_article_server, 0, 20),
)
