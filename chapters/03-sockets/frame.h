/**
 * @file frame.h
 * @brief Exercise 03.2: messages over a byte stream, with a length prefix.
 *
 * A TCP connection keeps no message boundaries: two sends of 100 bytes may
 * arrive as one recv() of 200, or as 150 and 50. To carry messages, the
 * sender must say where each one ends. The simplest way that works for any
 * bytes is a length prefix:
 *
 *     +---------------------------+---------------------+
 *     | length: 4 bytes,          | payload:            |
 *     | unsigned, big-endian      | `length` bytes      |
 *     +---------------------------+---------------------+
 *
 * Big-endian ("network byte order", htonl()/ntohl()) so that machines of any
 * byte order agree. The receiver reads exactly 4 bytes, then exactly
 * `length` bytes. The length comes from another process, so it is
 * untrusted: a receiver that believes "4 GiB follow" and allocates or reads
 * that much is one malformed frame away from running out of memory or
 * overflowing a buffer. Every frame therefore has a maximum size, checked
 * before a single payload byte is read.
 */
#ifndef IPC_FRAME_H
#define IPC_FRAME_H

#include <stddef.h>

/** Size of a frame's header: the payload length as a 32-bit big-endian number. */
#define FRAME_HEADER_SIZE 4

/** The largest payload this chapter's protocol allows: 1 MiB. */
#define FRAME_MAX (1u << 20)

/**
 * @brief Send one frame: the 4-byte big-endian length of the payload, then the payload.
 *
 * All of it is sent even when the kernel takes it in pieces, with EINTR
 * retried and MSG_NOSIGNAL (see exercise 03.1). Header and payload should
 * leave in as few system calls as possible (sendmsg() with two iovecs, or
 * one buffer): two small writes in a row meet Nagle's algorithm and delayed
 * ACKs, and a request/reply exchange can then take 40 ms instead of 40 µs.
 *
 * @param fd a connected, blocking stream socket.
 * @param payload the payload; may be NULL only when len is 0.
 * @param len the payload's size in bytes (0 is a valid, empty frame).
 * @return 0 once the whole frame is sent; -EMSGSIZE if len > #FRAME_MAX, and
 *         then nothing is sent; -errno of the call that failed otherwise.
 */
int frame_send(int fd, const void *payload, size_t len);

/**
 * @brief Receive one frame into buf, which holds at most cap bytes.
 *
 * Reads the 4-byte header, checks the announced length against cap (before
 * reading any of the payload), then reads exactly that many bytes. It never
 * reads past the end of this frame, so the next frame stays in the socket
 * for the next call, and never writes more than cap bytes into buf.
 *
 * @param fd a connected, blocking stream socket.
 * @param buf where the payload goes.
 * @param cap the size of buf, and so the largest frame accepted.
 * @param[out] len the payload's length, set when a frame was received.
 * @return 1 when a whole frame was received (its length in *len);
 *         0 when the stream ended cleanly before a new frame's first byte;
 *         -EMSGSIZE when the header announces more than cap bytes (the
 *         payload is left unread: the connection is then unusable, close it);
 *         -EPROTO when the stream ended inside the header or the payload;
 *         -errno of the call that failed otherwise. Never -EINTR.
 */
int frame_recv(int fd, void *buf, size_t cap, size_t *len);

#endif
