/*
 * Exercise 03.3: an echo server for many clients with poll(). The contract
 * is in pollserver.h. Grade it with: make grade EX=03.3
 *
 * A plan that works:
 * - an array of struct pollfd: [0] stop_fd, [1] listen_fd, then one per client,
 *   and beside it an array of per-client state (a struct of your own);
 * - each round, a client asks for POLLIN while it is receiving a frame and
 *   for POLLOUT while its reply is going out, never both;
 * - on POLLIN: one recv() of at most the bytes still missing from the current
 *   header or payload; once the header is complete, check the length against
 *   max_frame, then allocate room for the frame;
 * - on POLLOUT: one send() of what is left of the reply;
 * - EAGAIN means "not now": keep the client and go back to poll();
 * - to drop client i, close it and move the last client into slot i.
 */
#include "pollserver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int echo_server_run(int listen_fd, int stop_fd, size_t max_frame)
{
    /* TODO: the poll() loop described above. */
    (void)listen_fd, (void)stop_fd, (void)max_frame;
    return -ENOSYS;
}
