/**
 * @file stream_io.h
 * @brief Whole-message I/O over byte streams (pipes, FIFOs, stream sockets).
 *
 * A stream has no message boundaries: write() may take part of a 64 KiB
 * message, read() may return part of one. These loops move exactly the
 * message, retrying after a signal.
 */
#ifndef IPC_BENCH_STREAM_IO_H
#define IPC_BENCH_STREAM_IO_H

#include <stddef.h>

/**
 * @brief Writes all @p size bytes to @p fd, or dies saying which mechanism failed.
 * @param fd the stream to write to.
 * @param buf the bytes.
 * @param size how many.
 * @param what the mechanism's name, for the error message.
 */
void stream_write_all(int fd, const void *buf, size_t size, const char *what);

/**
 * @brief Reads exactly @p size bytes from @p fd, or dies (error or end of stream).
 * @param fd the stream to read from.
 * @param[out] buf receives the bytes.
 * @param size how many.
 * @param what the mechanism's name, for the error message.
 */
void stream_read_all(int fd, void *buf, size_t size, const char *what);

#endif
