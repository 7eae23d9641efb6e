/* Helpers for the chapter 03 tests: free ports, socket pairs, background
 * processes. Test code only; no exercise's answer is in here. */
#ifndef SOCKUTIL_H
#define SOCKUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/* At most this many addresses of localhost are used (Debian lists two). */
#define SU_MAX_ADDRS 8

/* One socket address (IPv4 or IPv6) with its length. */
struct su_addr {
    struct sockaddr_storage sa;
    socklen_t len;
};

/* The addresses "localhost" resolves to on this machine, in getaddrinfo()'s
 * order, without those the kernel cannot bind (::1 without IPv6); at most
 * max. The programs resolve localhost the same way, so a test that takes its
 * addresses from here assumes nothing about /etc/hosts: IPv4 only, IPv6
 * first, or both. Fails the test if there is none. */
int su_localhost(struct su_addr *out, int max);

/* The numeric address text ("127.0.0.1", "::1") in *a, port 0; 0 if the
 * kernel cannot bind it (::1 without IPv6). */
int su_loopback(const char *text, struct su_addr *a);

/* The addresses of localhost as text for a message, e.g. "::1 127.0.0.1". */
const char *su_localhost_text(void);

/* a's address as text, "127.0.0.1" or "::1"; a's port in *port if non-NULL. */
const char *su_addr_text(const struct su_addr *a, char *buf, size_t size, int *port);

/* What the article's server prints for a client at a, newline included:
 * Python's tuple for the peer, "Connected by ('127.0.0.1', 40000)" for IPv4
 * and "Connected by ('::1', 40000, 0, 0)" (address, port, flow info, scope
 * id) for IPv6. */
void su_python_line(const struct su_addr *a, char *buf, size_t size);

/* 1 if text is exactly one line su_python_line() makes for some IPv4 or IPv6
 * address and port, which then go to *peer; 0 if not. */
int su_parse_python_line(const char *text, struct su_addr *peer);

/* Non-zero if a has the same address as one of localhost's (ports aside). */
int su_is_localhost(const struct su_addr *a);

/* Listening TCP sockets on one port on every address of localhost; the
 * kernel picks the port. fds gets the sockets (at most max), *port the port;
 * returns how many. */
int su_listen_localhost(int *port, int *fds, int max);

/* A TCP port that was free on every address of localhost a moment ago. */
int su_free_port(void);

/* A connected blocking TCP socket to port on a's address, or -1 with errno set. */
int su_connect_addr(const struct su_addr *a, int port);

/* Non-zero if some socket listens on TCP port on a's address (from /proc/net). */
int su_listening_on(const struct su_addr *a, int port);

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

/* How many descriptors process pid (0: this one) has open, from /proc; -1
 * if it cannot be read. A descriptor the code under test forgot to close is
 * a leak that only shows once a long-running program runs out of them. */
int su_open_fds(pid_t pid);

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

/* Interrupts thread target with SIGUSR1 every interval_us microseconds until
 * su_stop_pester(), through a handler installed without SA_RESTART: every
 * blocking call in target keeps failing with EINTR or returning early. */
void su_start_pester(int interval_us);
/* Stops it; returns how many signals the target's handler ran. */
long su_stop_pester(void);

#endif
