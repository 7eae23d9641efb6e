/**
 * @file unixsock.h
 * @brief Exercise 03.4: the same protocol over a UNIX domain socket.
 *
 * When both processes run on one machine, TCP's work (checksums, sequence
 * numbers, acknowledgements, the loopback "network") buys nothing. A UNIX
 * domain socket (AF_UNIX) has the same API (socket, bind, listen, accept,
 * connect, send, recv: every function of this chapter works on it unchanged)
 * but its address is a path in the file system, and the kernel just copies
 * bytes from one process to the other. The path brings three questions TCP
 * never asks, and this exercise answers them:
 * - **Who may connect?** Connecting needs write permission on the socket
 *   file, so its mode is the access control: 0600 here, the owner only.
 * - **What about a file left behind?** Closing a listening socket does not
 *   remove its file; a server that crashed leaves a stale one, and bind()
 *   then fails with EADDRINUSE. A stale socket must be replaced; a live one
 *   (another server) or a file that is not a socket must never be removed.
 * - **How long may the path be?** sun_path holds 108 bytes on Linux,
 *   terminating NUL included; a longer path is refused, never cut short
 *   (a cut path names another file).
 */
#ifndef IPC_UNIXSOCK_H
#define IPC_UNIXSOCK_H

/**
 * @brief Listen on a UNIX domain stream socket at path, owner-only.
 *
 * Creates an AF_UNIX SOCK_STREAM socket, binds it to path, sets the socket
 * file's mode to 0600, then listens. The mode is set after bind() and before
 * listen(): until listen() nobody can connect, so there is no moment when
 * another user could. (Changing the umask instead would change it for every
 * thread of the process.)
 *
 * If path already exists:
 * - a socket that nobody listens on (connecting to it is refused: a stale
 *   file from a server that ended without unlink()) is removed and replaced;
 * - a socket that someone listens on is left alone: -EADDRINUSE;
 * - anything that is not a socket is left alone: -EEXIST.
 *
 * The caller unlinks path when it stops listening.
 *
 * @param path where the socket file goes; not empty, shorter than sun_path (108 bytes).
 * @param backlog listen()'s backlog.
 * @return the listening socket's descriptor (close-on-exec), or -EINVAL for
 *         a NULL or empty path, -ENAMETOOLONG for a path that does not fit,
 *         -EADDRINUSE, -EEXIST as above, or -errno of the call that failed.
 *         On failure no descriptor is left open and no file is left behind.
 */
int unix_listen(const char *path, int backlog);

/**
 * @brief Connect to the UNIX domain stream socket at path.
 *
 * @param path the socket file's path, with the same limits as unix_listen().
 * @return the connected socket's descriptor (close-on-exec), or -EINVAL,
 *         -ENAMETOOLONG as in unix_listen(), -ENOENT if there is no such file,
 *         -ECONNREFUSED if nobody listens on it (a stale file), -EACCES if its
 *         mode does not let this user connect, or -errno of the call that failed.
 */
int unix_connect(const char *path);

#endif
