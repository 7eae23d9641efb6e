/* The measured workload: a one-way stream for throughput, a ping-pong for
 * latency, identical for every mechanism. */
#include "session.h"
#include "stats.h"
#include "stream_io.h"

#include "clock.h"
#include "die.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum op { OP_STREAM = 1, OP_PING = 2, OP_QUIT = 3 };

/* A command on the control pipe: small and written in one write(), so it
 * arrives whole. */
struct command {
    int op;
    long count;
};

/* Bounds for a repetition's message count: enough messages to measure even
 * on a slow mechanism, few enough to fit in memory and in time. */
#define MIN_COUNT 50L
#define MAX_STREAM_COUNT 20000000L
#define MAX_PING_COUNT 2000000L

/* Both sides number messages from 1, continuing across commands: a message
 * carrying another number was lost, repeated or reordered. */
struct peer {
    const struct mech *m;
    void *st;
    size_t size;
    unsigned char *msg;
    uint64_t seq; /* the next number to send (client) or expect (server) */
};

static void put_seq(unsigned char *msg, uint64_t seq)
{
    memcpy(msg, &seq, sizeof seq);
}

static uint64_t get_seq(const unsigned char *msg)
{
    uint64_t seq;
    memcpy(&seq, msg, sizeof seq);
    return seq;
}

static void check_seq(const struct peer *p, uint64_t got, uint64_t want)
{
    if (got != want)
        die_msg("%s: message %llu arrived where %llu was expected (lost, repeated or reordered)",
                p->m->name, (unsigned long long)got, (unsigned long long)want);
}

static void command(int ctl_fd, int op, long count)
{
    struct command c = {op, count};
    stream_write_all(ctl_fd, &c, sizeof c, "control pipe");
}

/* ---------------------------------------------------------------- client */

/* Streams count messages; returns the nanoseconds until the server's answer. */
static uint64_t stream_once(struct peer *p, int ctl_fd, long count)
{
    command(ctl_fd, OP_STREAM, count);
    uint64_t t0 = clock_now_ns();
    for (long i = 0; i < count; i++) {
        put_seq(p->msg, p->seq++);
        p->m->send(p->st, p->msg, p->size);
    }
    p->m->recv(p->st, p->msg, p->size);
    uint64_t t1 = clock_now_ns();
    check_seq(p, get_seq(p->msg), p->seq - 1);
    return t1 - t0;
}

/* count round trips; each one's duration goes to rtt[]. Returns the total. */
static uint64_t ping_once(struct peer *p, int ctl_fd, long count, uint64_t *rtt)
{
    command(ctl_fd, OP_PING, count);
    uint64_t total = 0;
    for (long i = 0; i < count; i++) {
        uint64_t want = p->seq++;
        put_seq(p->msg, want);
        uint64_t t0 = clock_now_ns();
        p->m->send(p->st, p->msg, p->size);
        p->m->recv(p->st, p->msg, p->size);
        uint64_t t = clock_now_ns() - t0;
        check_seq(p, get_seq(p->msg), want);
        if (rtt != NULL)
            rtt[i] = t;
        total += t;
    }
    return total;
}

/* How many messages make one repetition last target_ms: time growing trial
 * runs until one lasts 10 ms, then scale. The trials also warm up the
 * mechanism (connections, page faults, caches) before anything is kept. */
static long calibrate(struct peer *p, int ctl_fd, int stream, double target_ms, long max)
{
    long n = MIN_COUNT;
    for (;;) {
        uint64_t ns = stream ? stream_once(p, ctl_fd, n) : ping_once(p, ctl_fd, n, NULL);
        if (ns >= 10000000u || n >= max) {
            double scaled = (double)n * target_ms * 1e6 / (double)(ns ? ns : 1);
            return scaled < MIN_COUNT ? MIN_COUNT : scaled > max ? max : (long)scaled;
        }
        n *= 4;
    }
}

static void progress(const struct peer *p, const char *what, int rep, int reps, double value,
                     const char *unit)
{
    fprintf(stderr, "  %-20s %6zu B  %-10s %d/%d  %12.0f %s\n", p->m->name, p->size, what, rep,
            reps, value, unit);
}

static void report(FILE *out, const struct peer *p, const char *metric, double *v, int reps)
{
    struct stats_summary s = stats_summarise(v, (size_t)reps);
    fprintf(out, "%s,%zu,%s,%.0f,%.0f,%.0f,%d\n", p->m->name, p->size, metric, s.median, s.min,
            s.max, reps);
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (p == NULL)
        die("calloc");
    return p;
}

void session_client(const struct mech *m, void *st, const struct session_plan *plan, int ctl_fd,
                    FILE *results)
{
    struct peer p = {m, st, plan->size, xcalloc(1, plan->size), 1};
    memset(p.msg, 0xa5, plan->size); /* the payload: any bytes will do, but the same for all */
    int reps = plan->reps;
    double *rate = xcalloc((size_t)reps, sizeof *rate);
    double *p50 = xcalloc((size_t)reps, sizeof *p50);
    double *p99 = xcalloc((size_t)reps, sizeof *p99);

    if (!m->rtt_only) {
        long n =
            plan->count ? plan->count : calibrate(&p, ctl_fd, 1, plan->target_ms, MAX_STREAM_COUNT);
        for (int r = 0; r < reps; r++) {
            rate[r] = (double)n * 1e9 / (double)stream_once(&p, ctl_fd, n);
            if (plan->progress)
                progress(&p, "throughput", r + 1, reps, rate[r], "msgs/s");
        }
        report(results, &p, "msgs_per_s", rate, reps);
    }

    long n = plan->count ? plan->count : calibrate(&p, ctl_fd, 0, plan->target_ms, MAX_PING_COUNT);
    uint64_t *rtt = xcalloc((size_t)n, sizeof *rtt);
    for (int r = 0; r < reps; r++) {
        ping_once(&p, ctl_fd, n, rtt);
        p50[r] = (double)stats_percentile(rtt, (size_t)n, 50);
        p99[r] = (double)stats_percentile(rtt, (size_t)n, 99);
        if (plan->progress)
            progress(&p, "round trip", r + 1, reps, p50[r], "ns (p50)");
    }
    report(results, &p, "rtt_p50_ns", p50, reps);
    report(results, &p, "rtt_p99_ns", p99, reps);
    command(ctl_fd, OP_QUIT, 0);

    free(rtt);
    free(p99);
    free(p50);
    free(rate);
    free(p.msg);
}

/* ---------------------------------------------------------------- server */

void session_server(const struct mech *m, void *st, size_t size, int ctl_fd)
{
    struct peer p = {m, st, size, xcalloc(1, size), 1};
    for (;;) {
        struct command c;
        stream_read_all(ctl_fd, &c, sizeof c, "control pipe");
        if (c.op == OP_QUIT)
            break;
        if ((c.op != OP_STREAM && c.op != OP_PING) || c.count < 1)
            die_msg("control pipe: bad command %d (count %ld)", c.op, c.count);
        for (long i = 0; i < c.count; i++) {
            m->recv(st, p.msg, size);
            check_seq(&p, get_seq(p.msg), p.seq++);
            if (c.op == OP_PING)
                m->send(st, p.msg, size); /* echo it back as it came */
        }
        if (c.op == OP_STREAM)
            m->send(st, p.msg, size); /* the last message says "all arrived" */
    }
    free(p.msg);
}
