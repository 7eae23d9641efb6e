#include "serverctl.h"

#include "grade.h"
#include "sockutil.h"
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Waits for a server started on port: returns 1 once it listens, 0 if it
 * exited because someone else took the port first (try another), and fails
 * the test otherwise. */
static int wait_listening(pid_t pid, int port, int (*ready)(int))
{
    for (int waited = 0; waited < 10000; waited += 10) {
        int status;
        if (su_exited(pid, &status)) {
            char err[2048];
            su_read_file("server.err", err, sizeof err);
            if (strstr(err, "in use") != NULL)
                return 0;
            GRADE_REQUIRE(0, "the server exited (status 0x%x) before it listened; stderr: %s", status, err);
        }
        if (ready(port))
            return 1;
        usleep(10000);
    }
    su_kill(pid);
    GRADE_REQUIRE(0, "the server did not listen on port %d within 10 s", port);
    return 0;
}

pid_t start_c_server(const char *count, int *port)
{
    for (int attempt = 0; attempt < 5; attempt++) {
        char port_text[16];
        *port = su_free_port();
        snprintf(port_text, sizeof port_text, "%d", *port);
        char *argv[] = {(char *)tu_program("03-sockets/server"), "--port", port_text,
                        count != NULL ? "--count" : NULL, (char *)count, NULL};
        pid_t pid = su_spawn(argv, "server.out", "server.err");
        if (wait_listening(pid, *port, su_port_listening))
            return pid;
    }
    GRADE_REQUIRE(0, "five free ports were all taken before the server could bind them");
    return -1;
}

/* The article's server is ready when a connection is accepted: it serves
 * every client, so a probe costs nothing. */
static int accepts(int port)
{
    int fd = su_connect_tcp(port);
    if (fd < 0)
        return 0;
    close(fd);
    return 1;
}

pid_t start_article_server(int *port)
{
    for (int attempt = 0; attempt < 5; attempt++) {
        char port_text[16];
        *port = su_free_port();
        snprintf(port_text, sizeof port_text, "%d", *port);
        /* -u: unbuffered, so "Connected by" reaches the file before the kill. */
        char *argv[] = {SYSTEM_PYTHON, "-u", (char *)su_source_path("chapters/03-sockets/article/server.py"),
                        port_text, NULL};
        pid_t pid = su_spawn(argv, "server.out", "server.err");
        if (wait_listening(pid, *port, accepts))
            return pid;
    }
    GRADE_REQUIRE(0, "five free ports were all taken before the server could bind them");
    return -1;
}
