#include "sockutil.h"

#include "grade.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in loopback(int port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sa;
}

int su_listen_tcp(int *port, int backlog)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    GRADE_REQUIRE(fd >= 0, "test set-up: socket failed: %s", strerror(errno));
    struct sockaddr_in sa = loopback(0);
    GRADE_REQUIRE(bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0, "test set-up: bind failed: %s",
                  strerror(errno));
    GRADE_REQUIRE(listen(fd, backlog) == 0, "test set-up: listen failed: %s", strerror(errno));
    socklen_t len = sizeof sa;
    GRADE_REQUIRE(getsockname(fd, (struct sockaddr *)&sa, &len) == 0, "getsockname: %s", strerror(errno));
    *port = ntohs(sa.sin_port);
    return fd;
}

/* The port of a, and a with its port set. */
static int port_of(const struct su_addr *a)
{
    if (a->sa.ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)&a->sa)->sin6_port);
    return ntohs(((const struct sockaddr_in *)&a->sa)->sin_port);
}

static struct su_addr with_port(const struct su_addr *a, int port)
{
    struct su_addr b = *a;
    if (b.sa.ss_family == AF_INET6)
        ((struct sockaddr_in6 *)&b.sa)->sin6_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in *)&b.sa)->sin_port = htons((uint16_t)port);
    return b;
}

/* Same family and address, ports aside. */
static int same_address(const struct su_addr *a, const struct su_addr *b)
{
    if (a->sa.ss_family != b->sa.ss_family)
        return 0;
    if (a->sa.ss_family == AF_INET6)
        return memcmp(&((const struct sockaddr_in6 *)&a->sa)->sin6_addr,
                      &((const struct sockaddr_in6 *)&b->sa)->sin6_addr,
                      sizeof(struct in6_addr)) == 0;
    return ((const struct sockaddr_in *)&a->sa)->sin_addr.s_addr ==
           ((const struct sockaddr_in *)&b->sa)->sin_addr.s_addr;
}

int su_localhost(struct su_addr *out, int max)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *list;
    int rc = getaddrinfo("localhost", NULL, &hints, &list);
    GRADE_REQUIRE(rc == 0, "test set-up: localhost does not resolve: %s",
                  rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
    int n = 0;
    for (struct addrinfo *ai = list; ai != NULL && n < max; ai = ai->ai_next) {
        struct su_addr a = {.len = ai->ai_addrlen};
        memcpy(&a.sa, ai->ai_addr, ai->ai_addrlen);
        int seen = 0; /* /etc/hosts may name localhost on two lines */
        for (int i = 0; i < n; i++)
            seen |= same_address(&out[i], &a);
        /* Port 0: only whether the kernel has this address at all. */
        int fd = seen ? -1 : socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && bind(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            out[n++] = a;
        if (fd >= 0)
            close(fd);
    }
    freeaddrinfo(list);
    GRADE_REQUIRE(n > 0, "test set-up: localhost has no address this machine can listen on");
    return n;
}

int su_loopback(const char *text, struct su_addr *a)
{
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST, .ai_socktype = SOCK_STREAM};
    struct addrinfo *ai;
    if (getaddrinfo(text, NULL, &hints, &ai) != 0)
        return 0;
    a->len = ai->ai_addrlen;
    memcpy(&a->sa, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);
    int fd = socket(a->sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int ok = fd >= 0 && bind(fd, (struct sockaddr *)&a->sa, a->len) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

const char *su_addr_text(const struct su_addr *a, char *buf, size_t size, int *port)
{
    if (getnameinfo((const struct sockaddr *)&a->sa, a->len, buf, (socklen_t)size, NULL, 0,
                    NI_NUMERICHOST) != 0)
        snprintf(buf, size, "?");
    if (port != NULL)
        *port = port_of(a);
    return buf;
}

const char *su_localhost_text(void)
{
    static char text[SU_MAX_ADDRS * 48];
    struct su_addr addrs[SU_MAX_ADDRS];
    int n = su_localhost(addrs, SU_MAX_ADDRS);
    text[0] = '\0';
    for (int i = 0; i < n; i++) {
        char one[64];
        size_t used = strlen(text);
        snprintf(text + used, sizeof text - used, "%s%s", i > 0 ? " " : "",
                 su_addr_text(&addrs[i], one, sizeof one, NULL));
    }
    return text;
}

void su_python_line(const struct su_addr *a, char *buf, size_t size)
{
    char host[NI_MAXHOST];
    int port;
    su_addr_text(a, host, sizeof host, &port);
    if (a->sa.ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&a->sa;
        snprintf(buf, size, "Connected by ('%s', %d, %u, %u)\n", host, port,
                 (unsigned)ntohl(in6->sin6_flowinfo), (unsigned)in6->sin6_scope_id);
    } else
        snprintf(buf, size, "Connected by ('%s', %d)\n", host, port);
}

int su_parse_python_line(const char *text, struct su_addr *peer)
{
    char host[NI_MAXHOST], serv[16];
    unsigned port;
    if (sscanf(text, "Connected by ('%1024[^']', %u", host, &port) != 2 || port > 65535)
        return 0;
    snprintf(serv, sizeof serv, "%u", port);
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
                             .ai_socktype = SOCK_STREAM};
    struct addrinfo *ai;
    if (getaddrinfo(host, serv, &hints, &ai) != 0)
        return 0;
    peer->len = ai->ai_addrlen;
    memcpy(&peer->sa, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);
    char expected[NI_MAXHOST + 64];
    su_python_line(peer, expected, sizeof expected);
    return strcmp(text, expected) == 0;
}

int su_is_localhost(const struct su_addr *a)
{
    struct su_addr addrs[SU_MAX_ADDRS];
    int n = su_localhost(addrs, SU_MAX_ADDRS);
    for (int i = 0; i < n; i++)
        if (same_address(&addrs[i], a))
            return 1;
    return 0;
}

int su_listen_localhost(int *port, int *fds, int max)
{
    struct su_addr addrs[SU_MAX_ADDRS];
    int n = su_localhost(addrs, SU_MAX_ADDRS);
    GRADE_REQUIRE(n <= max, "test set-up: room for %d sockets, localhost has %d addresses", max, n);
    /* The kernel picks a port free on the first address; another may have
     * it taken already: then all over again. */
    for (int attempt = 0; attempt < 20; attempt++) {
        int p = 0, k = 0, err = 0;
        for (; k < n; k++) {
            struct su_addr a = with_port(&addrs[k], p);
            fds[k] = socket(a.sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (fds[k] < 0 || bind(fds[k], (struct sockaddr *)&a.sa, a.len) != 0 ||
                listen(fds[k], 16) != 0) {
                err = errno;
                if (fds[k] >= 0)
                    close(fds[k]);
                break;
            }
            socklen_t len = sizeof a.sa;
            GRADE_REQUIRE(getsockname(fds[k], (struct sockaddr *)&a.sa, &len) == 0,
                          "getsockname: %s", strerror(errno));
            p = port_of(&a);
        }
        if (k == n) {
            *port = p;
            return n;
        }
        for (int i = 0; i < k; i++)
            close(fds[i]);
        char text[NI_MAXHOST];
        GRADE_REQUIRE(k > 0 && err == EADDRINUSE, "test set-up: cannot listen on %s: %s",
                      su_addr_text(&addrs[k], text, sizeof text, NULL), strerror(err));
    }
    GRADE_REQUIRE(0, "test set-up: found no port free on every address of localhost (%s)",
                  su_localhost_text());
    return -1;
}

int su_free_port(void)
{
    int port, fds[SU_MAX_ADDRS];
    int n = su_listen_localhost(&port, fds, SU_MAX_ADDRS);
    for (int i = 0; i < n; i++)
        close(fds[i]);
    return port;
}

int su_connect_addr(const struct su_addr *a, int port)
{
    struct su_addr to = with_port(a, port);
    int fd = socket(to.sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&to.sa, to.len) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int su_listening_on(const struct su_addr *a, int port)
{
    /* Lines read "sl local_address rem_address st ...", the address as
     * HEX_IP:HEX_PORT, the IP as the kernel's 32-bit words in hex (the
     * bytes as they are in memory); state 0A is LISTEN. Reading this,
     * rather than connecting, leaves a server started with --count 1 its
     * one client. */
    int v6 = a->sa.ss_family == AF_INET6;
    uint32_t want[4] = {0};
    if (v6)
        memcpy(want, &((const struct sockaddr_in6 *)&a->sa)->sin6_addr, sizeof want);
    else
        want[0] = ((const struct sockaddr_in *)&a->sa)->sin_addr.s_addr;
    FILE *f = fopen(v6 ? "/proc/net/tcp6" : "/proc/net/tcp", "r");
    if (f == NULL)
        return 0;
    char line[512];
    int found = 0;
    while (!found && fgets(line, sizeof line, f) != NULL) {
        unsigned w[4] = {0}, p, state;
        int ok = v6 ? sscanf(line, " %*s %8x%8x%8x%8x:%x %*s %x", &w[0], &w[1], &w[2], &w[3], &p,
                             &state) == 6
                    : sscanf(line, " %*s %8x:%x %*s %x", &w[0], &p, &state) == 3;
        found = ok && (int)p == port && state == 0x0A && w[0] == want[0] && w[1] == want[1] &&
                w[2] == want[2] && w[3] == want[3];
    }
    fclose(f);
    return found;
}

int su_connect_tcp(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sa = loopback(port);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    /* The tests write a frame's header and payload separately: without
     * this, Nagle's algorithm would hold the payload for a delayed ACK. */
    int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    return fd;
}

void su_tcp_pair(int fds[2])
{
    int port;
    int lfd = su_listen_tcp(&port, 1);
    fds[0] = su_connect_tcp(port);
    GRADE_REQUIRE(fds[0] >= 0, "test set-up: connect failed: %s", strerror(errno));
    fds[1] = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    GRADE_REQUIRE(fds[1] >= 0, "test set-up: accept failed: %s", strerror(errno));
    close(lfd);
}

pid_t su_spawn(char *const argv[], const char *out_path, const char *err_path)
{
    fflush(NULL);
    pid_t pid = fork();
    GRADE_REQUIRE(pid >= 0, "test set-up: fork failed: %s", strerror(errno));
    if (pid == 0) {
        int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
            _exit(126);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        execv(argv[0], argv);
        dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

int su_exited(pid_t pid, int *status)
{
    return waitpid(pid, status, WNOHANG) == pid;
}

int su_wait_exit(pid_t pid, int timeout_ms, int *status)
{
    for (int waited = 0; waited <= timeout_ms; waited += 5) {
        if (su_exited(pid, status))
            return 1;
        usleep(5000);
    }
    return 0;
}

void su_kill(pid_t pid)
{
    if (pid > 0 && kill(pid, SIGKILL) == 0)
        waitpid(pid, NULL, 0);
}

int su_open_fds(pid_t pid)
{
    char dir_path[64];
    snprintf(dir_path, sizeof dir_path, "/proc/%ld/fd", (long)(pid > 0 ? pid : getpid()));
    DIR *d = opendir(dir_path);
    if (d == NULL)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

void su_read_file(const char *path, char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
}

const char *su_source_path(const char *rel)
{
    /* IPC_BUILD_DIR is <source>/build, also under a sanitizer. */
    static char path[4096];
    const char *build = getenv("IPC_BUILD_DIR");
    snprintf(path, sizeof path, "%s/../%s", build != NULL ? build : "build", rel);
    return path;
}

static void seed_once(void)
{
    static int seeded;
    if (!seeded) {
        srandom(grade_seed()); /* the run's seed: GRADE_SEED replays the choices */
        seeded = 1;
    }
}

void su_random_bytes(void *buf, size_t len)
{
    seed_once();
    unsigned char *p = buf;
    for (size_t i = 0; i < len; i++)
        p[i] = (unsigned char)(random() >> 7);
}

uint32_t su_random_between(uint32_t lo, uint32_t hi)
{
    seed_once();
    return lo + (uint32_t)((unsigned long)random() % ((unsigned long)hi - lo + 1));
}

int su_write_full(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int su_read_full(int fd, void *buf, size_t len)
{
    char *p = buf;
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int su_write_frame(int fd, const void *payload, uint32_t len)
{
    uint32_t be = htonl(len);
    if (su_write_full(fd, &be, 4) != 0)
        return -1;
    return su_write_full(fd, payload, len);
}

long su_read_frame(int fd, void *buf, size_t cap)
{
    uint32_t be;
    if (su_read_full(fd, &be, 4) != 0)
        return -1;
    uint32_t len = ntohl(be);
    if (len > cap || su_read_full(fd, buf, len) != 0)
        return -1;
    return (long)len;
}

int su_readable_within(int fd, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int rc;
    do
        rc = poll(&p, 1, timeout_ms);
    while (rc < 0 && errno == EINTR);
    return rc > 0;
}

static volatile sig_atomic_t handled;
static pthread_t pester_thread, pester_target;
static atomic_int pester_stop;
static int pester_interval_us;

static void count_signal(int sig)
{
    (void)sig;
    handled++;
}

static void *pester(void *arg)
{
    (void)arg;
    while (!atomic_load(&pester_stop)) {
        pthread_kill(pester_target, SIGUSR1);
        usleep((useconds_t)pester_interval_us);
    }
    return NULL;
}

void su_start_pester(int interval_us)
{
    struct sigaction sa = {.sa_handler = count_signal}; /* no SA_RESTART */
    sigemptyset(&sa.sa_mask);
    GRADE_REQUIRE(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction: %s", strerror(errno));
    handled = 0;
    pester_interval_us = interval_us;
    pester_target = pthread_self();
    atomic_store(&pester_stop, 0);
    int rc = pthread_create(&pester_thread, NULL, pester, NULL);
    GRADE_REQUIRE(rc == 0, "test set-up: pthread_create: %s", strerror(rc));
}

long su_stop_pester(void)
{
    atomic_store(&pester_stop, 1);
    pthread_join(pester_thread, NULL);
    return handled;
}
