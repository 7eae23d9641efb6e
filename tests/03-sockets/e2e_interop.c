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
    pid_t server = start_c_server("1", &port);
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
    char out[4096];
    su_read_file("server.out", out, sizeof out);
    GRADE_CHECK(strstr(out, "Connected by ('127.0.0.1', ") != NULL, "the article's server printed: %s", out);
}

GRADE_TESTS(
    GRADE_TEST_TIMEOUT("unit", "interop: the article's client against the C server", article_client_against_c_server, 0, 20),
    GRADE_TEST_TIMEOUT("unit", "interop: the C client against the article's server", c_client_against_article_server, 0, 20),
)
