/**
 * @file pollserver.h
 * @brief Exercise 03.3: one thread, many clients: an echo server built on poll().
 *
 * The article's server is iterative: it serves one client from start to end
 * before it accepts the next, so one slow client makes everyone else wait.
 * A thread per client fixes that at the price of a thread per client. This
 * exercise takes the third way, the one most servers take: a single thread
 * that never blocks on any one client. poll() says which sockets can make
 * progress; every socket is non-blocking; each client keeps its own state
 * (how much of its current frame has arrived, how much of its reply has left)
 * between two calls.
 *
 * The protocol is the framing of exercise 03.2 (4-byte big-endian length,
 * then the payload): the server sends every frame it receives back to the
 * same client, unchanged, header included, in order.
 */
#ifndef IPC_POLLSERVER_H
#define IPC_POLLSERVER_H

#include <stddef.h>

/**
 * @brief Run the frame echo server on listen_fd until stop_fd becomes readable.
 *
 * The rules:
 * - Many clients at once: hundreds of connected clients are served
 *   together (the tests connect 200), as far as the open-file limit allows.
 * - No client delays another: a client that sent half a frame (or half a
 *   header) and went quiet, or one that sends and never reads its replies,
 *   must not hold up anyone else. So: non-blocking sockets (listen_fd is
 *   switched to O_NONBLOCK too: a client may vanish between poll() and
 *   accept()), and never a loop that waits for one client's bytes.
 * - Bounded memory: a client's state is at most one frame. While a reply is
 *   still going out, stop reading that client (its next frames wait in its
 *   socket, and TCP slows the client down: back-pressure).
 * - Untrusted lengths: a client whose header announces more than max_frame
 *   bytes is disconnected at once, its payload never read; the others keep
 *   being served.
 * - A client that closes, resets or errors is dropped, and only that client.
 *   Replies are sent with MSG_NOSIGNAL: a vanished client must not raise
 *   SIGPIPE.
 *
 * @param listen_fd a listening stream socket (TCP or UNIX), made by the caller.
 * @param stop_fd a descriptor that becomes readable when the server must stop,
 *        for example the read end of a pipe whose write end is closed or written.
 * @param max_frame the largest payload accepted, in bytes.
 * @return 0 when stopped through stop_fd, after closing every client
 *         connection and freeing every client's memory (listen_fd and stop_fd
 *         stay open: they are the caller's); -errno if poll(), accept() or
 *         memory allocation fails in a way that is not about one client,
 *         and then too only after closing every client connection. A
 *         client it cannot take (no room left for it) is closed, never
 *         left connected and ignored.
 */
int echo_server_run(int listen_fd, int stop_fd, size_t max_frame);

#endif
