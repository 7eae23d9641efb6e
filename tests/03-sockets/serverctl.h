/* Starting the chapter's C server and the article's Python server on a free
 * port, for the end-to-end and interop tests. Test code only. */
#ifndef SERVERCTL_H
#define SERVERCTL_H

#include "sockutil.h"

#include <sys/types.h>

/* The article's programs run with Debian's Python, which the course relies on. */
#define SYSTEM_PYTHON "/usr/bin/python3"

/* Starts build/bin/03-sockets/server --port P --count count (count NULL:
 * forever) on a port free on every address of localhost, stdout to
 * server.out and stderr to server.err, and waits until it listens on each
 * of them. With only non-NULL, adds --host with only's address and waits
 * for that one. Returns its pid; *port gets P. */
pid_t start_c_server(const struct su_addr *only, const char *count, int *port);

/* Starts the article's server.py on a free port the same way and waits until
 * it listens (on one address of localhost: its socket is AF_INET, so the
 * first IPv4 one). Kill it with su_kill(): it loops forever. */
pid_t start_article_server(int *port);

#endif
