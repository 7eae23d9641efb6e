/* Helpers for the chapter 03 tests: free ports, socket pairs, background
 * processes. Test code only; no exercise's answer is in here. */
#ifndef SOCKUTIL_H
#define SOCKUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A TCP port on 127.0.0.1 that was free a moment ago (bind port 0, read it, close). */
int su_free_port(void);

/* A listening TCP socket on 127.0.0.1, port chosen by the kernel; *port gets it. */
int su_listen_tcp(int *port, int backlog);

/* A connected blocking TCP socket to 127.0.0.1:port, or -1 with errno set. */
int su_connect_tcp(int port);

/* Two ends of one TCP connection over loopback: fds[0] connected, fds[1] accepted. */
void su_tcp_pair(int fds[2]);

/* Starts argv in the background with stdout and stderr sent to the files
 * out_path and err_path (in the test's temporary directory). */
pid_t su_spawn(char *const argv[], const char *out_path, const char *err_path);

/* Non-zero if pid has exited (its wait status goes to *status), 0 if it runs. */
int su_exited(pid_t pid, int *status);

/* Waits up to timeout_ms for pid to exit; returns 1 and its status, or 0. */
int su_wait_exit(pid_t pid, int timeout_ms, int *status);

/* SIGKILL and reap, if still there. */
void su_kill(pid_t pid);

/* Reads a whole small file into buf (NUL-terminated); "" if it is missing. */
void su_read_file(const char *path, char *buf, size_t size);

/* Path of a file in the source tree, e.g. "chapters/03-sockets/article/client.py". */
const char *su_source_path(const char *rel);

/* Fills buf with random bytes (seeded from the time and pid on first use). */
void su_random_bytes(void *buf, size_t len);

/* A random number in [lo, hi]. */
uint32_t su_random_between(uint32_t lo, uint32_t hi);

/* Full write / full read with EINTR retried; 0 on success, -1 on error or
 * early end of stream. The tests' own loops: they never call an exercise. */
int su_write_full(int fd, const void *buf, size_t len);
int su_read_full(int fd, void *buf, size_t len);

/* Writes one frame: 4-byte big-endian length, then the payload. */
int su_write_frame(int fd, const void *payload, uint32_t len);

/* Reads one frame of at most cap bytes; returns its length, or -1. */
long su_read_frame(int fd, void *buf, size_t cap);

/* Wait for fd to become readable for at most timeout_ms; 1 readable, 0 not. */
int su_readable_within(int fd, int timeout_ms);



/* Non-zero if some socket listens on TCP port (IPv4 or IPv6), from /proc/net. */
int su_port_listening(int port);

/* Interrupts thread target with SIGUSR1 every interval_us microseconds until
 * su_stop_pester(), through a handler installed without SA_RESTART: every
 * blocking call in target keeps failing with EINTR or returning early. */
void su_start_pester(int interval_us);
/* Stops it; returns how many signals the target's handler ran. */
long su_stop_pester(void);

#endif
