#include "sockutil.h"

#include "grade.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
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

int su_free_port(void)
{
    int port;
    close(su_listen_tcp(&port, 1));
    return port;
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
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        srandom((unsigned)(ts.tv_nsec ^ ts.tv_sec ^ ((long)getpid() << 16)));
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

int su_port_listening(int port)
{
    /* Lines read "sl local_address rem_address st ...", address as
     * HEX_IP:HEX_PORT; state 0A is LISTEN. Reading this, rather than
     * connecting, leaves a server started with --count 1 its one client. */
    const char *files[] = {"/proc/net/tcp", "/proc/net/tcp6"};
    for (size_t i = 0; i < 2; i++) {
        FILE *f = fopen(files[i], "r");
        if (f == NULL)
            continue;
        char line[512];
        while (fgets(line, sizeof line, f) != NULL) {
            char local[128];
            unsigned state;
            if (sscanf(line, " %*s %127s %*s %x", local, &state) != 2)
                continue;
            char *colon = strrchr(local, ':');
            if (colon != NULL && strtol(colon + 1, NULL, 16) == port && state == 0x0A) {
                fclose(f);
                return 1;
            }
        }
        fclose(f);
    }
    return 0;
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
