/**
 * @file sendrecv.h
 * @brief Exercise 03.1: send and receive exactly N bytes over a stream socket.
 *
 * TCP delivers a stream of bytes, not messages. send() may accept fewer bytes
 * than it was given (the socket's buffer was full and a signal arrived), and
 * recv() returns whatever has arrived so far: one byte, or half a message, or
 * the end of one message and the start of the next. Either call may also
 * fail with EINTR when a signal handler runs before it moved any byte.
 * Python hides the first problem behind sendall(); the article's client
 * ignores the second. These two functions solve both, once, for everything
 * that follows in this chapter.
 */
#ifndef IPC_SENDRECV_H
#define IPC_SENDRECV_H

#include <stddef.h>
#include <sys/types.h>

/**
 * @brief Send all len bytes of buf on the connected stream socket fd.
 *
 * Calls send() as many times as it takes: after a partial send it sends the
 * rest, and after EINTR it tries again. It sends with MSG_NOSIGNAL, so a
 * peer that has gone away shows up as the error EPIPE (or ECONNRESET)
 * instead of a SIGPIPE that would kill the whole program.
 *
 * @param fd a connected, blocking stream socket.
 * @param buf the bytes to send; may be NULL only when len is 0.
 * @param len how many bytes to send.
 * @return len once every byte has been handed to the kernel; -errno of the
 *         send() that failed otherwise (-EPIPE, -ECONNRESET, -EBADF...).
 *         Never -EINTR: an interrupted send() is simply retried.
 */
ssize_t send_all(int fd, const void *buf, size_t len);

/**
 * @brief Receive exactly len bytes from the connected stream socket fd into buf.
 *
 * Calls recv() as many times as it takes, each time asking only for the
 * bytes still missing, so it never consumes a byte of what comes after, and
 * retries after EINTR. It never writes more than len bytes into buf.
 *
 * The end of the stream (recv() returning 0: the peer closed its end) is an
 * answer, not an error, but where it comes matters:
 * - before the first byte, the peer simply had nothing more to say: 0;
 * - after some but not all of the bytes, what was received is a piece of a
 *   message and must not be used as one: -EPROTO.
 *
 * @param fd a connected, blocking stream socket.
 * @param buf where to store the bytes; at least len bytes long.
 * @param len how many bytes to receive (0 returns 0 at once).
 * @return len when all the bytes arrived; 0 when the stream ended before the
 *         first byte; -EPROTO when it ended in the middle; -errno of the
 *         recv() that failed otherwise (-ECONNRESET, -EBADF...). Never -EINTR.
 */
ssize_t recv_all(int fd, void *buf, size_t len);

#endif
