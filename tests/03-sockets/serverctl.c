#include "serverctl.h"

#include "grade.h"
#include "sockutil.h"
#include "testutil.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Waits for a server started on port: returns 1 once it listens there on
 * every one of addrs[0..n) (any one if !all), 0 if it exited because someone
 * else took the port first (try another), and fails the test otherwise. */
static int wait_listening(pid_t pid, int port, const struct su_addr *addrs, int n, int all)
{
    /* 5 s by the clock (reading /proc/net takes time on a busy machine):
     * well inside the test's own time limit, so that the message is seen. */
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (now = start; now.tv_sec - start.tv_sec < 5; clock_gettime(CLOCK_MONOTONIC, &now)) {
        int status;
        if (su_exited(pid, &status)) {
            char err[2048];
            su_read_file("server.err", err, sizeof err);
            if (strstr(err, "in use") != NULL)
                return 0;
            GRADE_REQUIRE(0, "the server exited (status 0x%x) before it listened; stderr: %s", status, err);
        }
        int listening = 0;
        for (int i = 0; i < n; i++)
            listening += su_listening_on(&addrs[i], port);
        if (all ? listening == n : listening > 0)
            return 1;
        usleep(10000);
    }
    char missing[SU_MAX_ADDRS * 64] = "";
    for (int i = 0; i < n; i++) {
        char host[64];
        size_t used = strlen(missing);
        if (!su_listening_on(&addrs[i], port))
            snprintf(missing + used, sizeof missing - used, " %s",
                     su_addr_text(&addrs[i], host, sizeof host, NULL));
    }
    su_kill(pid);
    GRADE_REQUIRE(0,
                  "after 5 s the server was not listening on%s port %d (localhost here: %s; a "
                  "client may try any of them first)",
                  missing, port, su_localhost_text());
    return 0;
}

/* Fails the test: five ports in a row, free when picked, were taken before
 * the server could bind them. What the server said is in server.err. */
static void no_port_held(void)
{
    char err[2048];
    su_read_file("server.err", err, sizeof err);
    GRADE_REQUIRE(0,
                  "five ports free on every address of localhost (%s) were each in use by the time "
                  "the server bound them; its last stderr: %s",
                  su_localhost_text(), err);
}

pid_t start_c_server(const struct su_addr *only, const char *count, int *port)
{
    struct su_addr addrs[SU_MAX_ADDRS];
    int n = only != NULL ? 1 : su_localhost(addrs, SU_MAX_ADDRS);
    if (only != NULL)
        addrs[0] = *only;
    char host[NI_MAXHOST];
    su_addr_text(&addrs[0], host, sizeof host, NULL);
    for (int attempt = 0; attempt < 5; attempt++) {
        char port_text[16];
        *port = su_free_port();
        snprintf(port_text, sizeof port_text, "%d", *port);
        char *argv[8] = {(char *)tu_program("03-sockets/server"), "--port", port_text};
        int argc = 3;
        if (only != NULL) {
            argv[argc++] = "--host";
            argv[argc++] = host;
        }
        if (count != NULL) {
            argv[argc++] = "--count";
            argv[argc++] = (char *)count;
        }
        pid_t pid = su_spawn(argv, "server.out", "server.err");
        /* Every address: a client may try any of them first. */
        if (wait_listening(pid, *port, addrs, n, 1))
            return pid;
    }
    no_port_held();
    return -1;
}

pid_t start_article_server(int *port)
{
    struct su_addr addrs[SU_MAX_ADDRS];
    int n = su_localhost(addrs, SU_MAX_ADDRS);
    for (int attempt = 0; attempt < 5; attempt++) {
        char port_text[16];
        *port = su_free_port();
        snprintf(port_text, sizeof port_text, "%d", *port);
        /* -u: unbuffered, so "Connected by" reaches the file before the kill. */
        char *argv[] = {SYSTEM_PYTHON, "-u", (char *)su_source_path("chapters/03-sockets/article/server.py"),
                        port_text, NULL};
        pid_t pid = su_spawn(argv, "server.out", "server.err");
        /* Its AF_INET socket binds one address of localhost, whichever
         * Python's resolver gives it first. Not a probe connection: that
         * would be a line in server.out too. */
        if (wait_listening(pid, *port, addrs, n, 0))
            return pid;
    }
    no_port_held();
    return -1;
}
