/*
 * rtt-bench: round trips per second over TCP loopback and over a UNIX domain
 * socket, measured in the same run.
 *
 *   rtt-bench [--trips N] [--reps N] [--csv FILE]
 *
 * For each mechanism and message size, a forked child echoes what it
 * receives; the parent sends a message, waits for it to come back, and
 * times each round trip. Each repetition gives a rate and the 50th and 99th
 * percentile round-trip times; the value reported is the median over the
 * repetitions. QUICK=1 in the environment makes the run short. The CSV has
 * the header mechanism,size,metric,value.
 */
#include "cli.h"
#include "clock.h"
#include "die.h"
#include "stats.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct cli cli = {
    .about = "Round trips per second over TCP loopback and a UNIX domain socket (QUICK=1: short).",
    .options =
        (const struct cli_option[]){
            {'t', "trips", "N", "round trips per repetition (default 20000; QUICK=1: 2000)"},
            {'r', "reps", "N", "repetitions; each value is their median (default 5)"},
            {'c', "csv", "FILE", "also write the results to FILE as CSV"},
            {0}},
};

enum { MAX_REPS = 51, MAX_SIZE = 4096 };

/* The benchmark's own full read/write: it measures sockets, not exercises. */
static int write_full(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            return -1;
        p += n, len -= (size_t)n;
    }
    return 0;
}

static int read_full(int fd, void *buf, size_t len)
{
    char *p = buf;
    while (len > 0) {
        ssize_t n = recv(fd, p, len, 0);
        if (n == -1 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n, len -= (size_t)n;
    }
    return 0;
}

/* A listening socket for the mechanism: TCP on 127.0.0.1 with a port the
 * kernel picks, or a UNIX socket in a fresh temporary directory. */
struct endpoint {
    int tcp;
    struct sockaddr_storage addr;
    socklen_t len;
    char dir[96]; /* short enough that dir + "/s" fits in sun_path */
};

static int listen_on(struct endpoint *ep)
{
    int fd = socket(ep->tcp ? AF_INET : AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd == -1)
        die("socket");
    if (ep->tcp) {
        struct sockaddr_in *in = (struct sockaddr_in *)&ep->addr;
        *in =
            (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        ep->len = sizeof *in;
    } else {
        const char *tmp = getenv("TMPDIR");
        snprintf(ep->dir, sizeof ep->dir, "%s/rtt-bench-XXXXXX",
                 tmp != NULL && strlen(tmp) < 60 ? tmp : "/tmp");
        if (mkdtemp(ep->dir) == NULL)
            die("mkdtemp %s", ep->dir);
        struct sockaddr_un *un = (struct sockaddr_un *)&ep->addr;
        *un = (struct sockaddr_un){.sun_family = AF_UNIX};
        snprintf(un->sun_path, sizeof un->sun_path, "%s/s", ep->dir);
        ep->len = sizeof *un;
    }
    if (bind(fd, (struct sockaddr *)&ep->addr, ep->len) == -1)
        die("bind");
    if (listen(fd, 1) == -1)
        die("listen");
    if (ep->tcp && getsockname(fd, (struct sockaddr *)&ep->addr, &ep->len) == -1)
        die("getsockname");
    return fd;
}

static void remove_endpoint(struct endpoint *ep)
{
    if (!ep->tcp) {
        unlink(((struct sockaddr_un *)&ep->addr)->sun_path);
        rmdir(ep->dir);
    }
}

/* Small messages: send each at once instead of waiting to fill a segment. */
static void no_delay(const struct endpoint *ep, int fd)
{
    int on = 1;
    if (ep->tcp && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) == -1)
        die("setsockopt TCP_NODELAY");
}

/* The child: echo messages of size bytes until the parent closes. */
static _Noreturn void echo(const struct endpoint *ep, int lfd, size_t size)
{
    int fd = accept(lfd, NULL, NULL);
    if (fd == -1)
        die("accept");
    no_delay(ep, fd);
    char buf[MAX_SIZE];
    while (read_full(fd, buf, size) == 0 && write_full(fd, buf, size) == 0)
        continue;
    _exit(0);
}

struct result {
    double msgs_per_s, p50_ns, p99_ns;
};

/* One repetition: trips round trips of size bytes. */
static struct result measure(int tcp, size_t size, long trips, uint64_t *rtt)
{
    struct endpoint ep = {.tcp = tcp};
    int lfd = listen_on(&ep);
    fflush(NULL);
    pid_t child = fork();
    if (child == -1)
        die("fork");
    if (child == 0)
        echo(&ep, lfd, size);
    close(lfd);

    int fd = socket(ep.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd == -1 || connect(fd, (struct sockaddr *)&ep.addr, ep.len) == -1)
        die("connect");
    no_delay(&ep, fd);
    char msg[MAX_SIZE], back[MAX_SIZE];
    memset(msg, 'x', size);
    for (long i = 0; i < trips / 10 + 1; i++) /* warm up: caches, scheduler, TCP state */
        if (write_full(fd, msg, size) != 0 || read_full(fd, back, size) != 0)
            die_msg("the echo child went away");

    uint64_t start = clock_now_ns();
    for (long i = 0; i < trips; i++) {
        uint64_t t0 = clock_now_ns();
        if (write_full(fd, msg, size) != 0 || read_full(fd, back, size) != 0)
            die_msg("the echo child went away");
        rtt[i] = clock_now_ns() - t0;
    }
    uint64_t elapsed = clock_now_ns() - start;
    close(fd);
    if (waitpid(child, NULL, 0) == -1)
        die("waitpid");
    remove_endpoint(&ep);

    return (struct result){.msgs_per_s = (double)trips * 1e9 / (double)elapsed,
                           .p50_ns = (double)stats_percentile(rtt, (size_t)trips, 50),
                           .p99_ns = (double)stats_percentile(rtt, (size_t)trips, 99)};
}

static double median(double *v, int n)
{
    return stats_summarise(v, (size_t)n).median;
}

int main(int argc, char **argv)
{
    const char *quick_env = getenv("QUICK");
    int quick = quick_env != NULL && *quick_env != '\0' && strcmp(quick_env, "0") != 0;
    long trips = quick ? 2000 : 20000, reps = 5;
    const char *csv_path = NULL;
    for (int c; (c = cli_next(&cli, argc, argv)) != -1;)
        if (c == 't')
            trips = cli_long(optarg, 100, 10000000);
        else if (c == 'r')
            reps = cli_long(optarg, 5, MAX_REPS);
        else if (c == 'c')
            csv_path = optarg;
    FILE *csv = csv_path != NULL ? fopen(csv_path, "w") : NULL;
    if (csv_path != NULL && csv == NULL)
        die("cannot write %s", csv_path);
    if (csv != NULL)
        fprintf(csv, "mechanism,size,metric,value\n");

    uint64_t *rtt = malloc((size_t)trips * sizeof *rtt);
    if (rtt == NULL)
        die("malloc");
    static const size_t sizes[] = {64, 4096};
    printf("%-5s %6s %14s %12s %12s   (median of %ld runs of %ld round trips)\n", "mech", "size",
           "round trips/s", "p50 ns", "p99 ns", reps, trips);
    for (size_t s = 0; s < (quick ? 1 : 2); s++) {
        for (int tcp = 1; tcp >= 0; tcp--) {
            double rate[MAX_REPS], p50[MAX_REPS], p99[MAX_REPS];
            for (int r = 0; r < reps; r++) {
                struct result res = measure(tcp, sizes[s], trips, rtt);
                rate[r] = res.msgs_per_s, p50[r] = res.p50_ns, p99[r] = res.p99_ns;
            }
            const char *mech = tcp ? "tcp" : "unix";
            double m[3] = {median(rate, (int)reps), median(p50, (int)reps), median(p99, (int)reps)};
            printf("%-5s %6zu %14.0f %12.0f %12.0f\n", mech, sizes[s], m[0], m[1], m[2]);
            if (csv != NULL)
                fprintf(csv,
                        "%s,%zu,msgs_per_s,%.0f\n%s,%zu,rtt_p50_ns,%.0f\n%s,%zu,rtt_p99_ns,%.0f\n",
                        mech, sizes[s], m[0], mech, sizes[s], m[1], mech, sizes[s], m[2]);
        }
    }
    free(rtt);
    if (csv != NULL && fclose(csv) == EOF)
        die("cannot write %s", csv_path);
    return 0;
}
