/* Starting the chapter's C server and the article's Python server on a free
 * port, for the end-to-end and interop tests. Test code only. */
#ifndef SERVERCTL_H
#define SERVERCTL_H

#include <sys/types.h>

/* The article's programs run with Debian's Python, which the course relies on. */
#define SYSTEM_PYTHON "/usr/bin/python3"

/* Starts build/bin/03-sockets/server --port P --count count (count NULL:
 * forever) on a free port, stdout to server.out and stderr to server.err, and
 * waits until it listens. Returns its pid; *port gets P. */
pid_t start_c_server(const char *count, int *port);

/* Starts the article's server.py on a free port the same way and waits until
 * it accepts connections. Kill it with su_kill(): it loops forever. */
pid_t start_article_server(int *port);

#endif
