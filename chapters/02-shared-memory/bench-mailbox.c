/*
 * bench-mailbox: the one-slot shared-memory mailbox (exercise 02.3) against
 * a pipe, between two processes, in one run.
 *
 *   bench-mailbox [--reps R] [--count N]
 *
 * For message sizes 8 and 256 bytes and each mechanism it measures
 * - round trips: the parent sends a message, the child sends it back; the
 *   50th and 99th percentile of N round trips (rtt_p50_ns, rtt_p99_ns);
 * - one-way throughput: the parent sends N messages, the child takes them
 *   (msgs_per_s);
 * each R times, and prints the median of the R values as CSV rows
 * "mechanism,size,metric,value" (no header) on stdout.
 *
 * It links the answer to exercise 02.3 that the build found (solutions/ if
 * present, else your chapters/ file). Exit status: 0 ok, 1 runtime failure
 * (an unfinished mailbox included), 2 usage.
 */
#include "cli.h"
#include "clock.h"
#include "die.h"
#include "shm_mailbox.h"
#include "stats.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct cli cli = {
    .about = "Round trips and throughput of exercise 02.3's mailbox and of a pipe, as CSV rows.",
    .options =
        (const struct cli_option[]){
            {'r', "reps", "R", "repetitions; each value is their median (default 7)"},
            {'c', "count", "N", "messages per repetition (default 20000)"},
            {0}},
    .exit_1 = "a runtime failure (an unfinished mailbox included)",
};

/* A channel each way; the mailbox and pipe variants fill in the functions. */
struct chan {
    struct shm_mailbox *box[2]; /* [0] parent to child, [1] child to parent */
    int fd[2][2];               /* pipe [0] parent to child, [1] child to parent: {read, write} */
};

typedef void (*send_fn)(struct chan *, int dir, const void *, size_t);
typedef void (*recv_fn)(struct chan *, int dir, void *, size_t);

static void box_send(struct chan *c, int dir, const void *m, size_t len)
{
    int rc = shm_mailbox_put(c->box[dir], m, len);
    if (rc != 0)
        die_errnum(rc, "shm_mailbox_put");
}

static void box_recv(struct chan *c, int dir, void *m, size_t len)
{
    int rc = shm_mailbox_get(c->box[dir], m, len);
    if (rc != (int)len)
        die_errnum(rc < 0 ? rc : EPROTO, "shm_mailbox_get");
}

static void pipe_send(struct chan *c, int dir, const void *m, size_t len)
{
    /* A write of at most PIPE_BUF bytes is atomic: it is never split. */
    if (write(c->fd[dir][1], m, len) != (ssize_t)len)
        die("write to pipe");
}

static void pipe_recv(struct chan *c, int dir, void *m, size_t len)
{
    for (size_t got = 0; got < len;) {
        ssize_t n = read(c->fd[dir][0], (char *)m + got, len - got);
        if (n <= 0)
            die(n == 0 ? "pipe closed early" : "read from pipe");
        got += (size_t)n;
    }
}

/* The child's side: echo N messages (rtt) or take N and acknowledge (stream). */
static void child_loop(struct chan *c, send_fn snd, recv_fn rcv, size_t size, long count, int echo)
{
    unsigned char m[SHM_MAILBOX_MAX];
    for (long i = 0; i < count; i++) {
        rcv(c, 0, m, size);
        if (echo)
            snd(c, 1, m, size);
    }
    if (!echo)
        snd(c, 1, m, size);
}

/* One repetition: fork a child, measure, wait for it. Writes p50/p99 (rtt) or msgs/s (stream). */
static void one_rep(struct chan *c, send_fn snd, recv_fn rcv, size_t size, long count, int echo,
                    uint64_t *out, uint64_t *samples)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == -1)
        die("fork");
    if (pid == 0) {
        child_loop(c, snd, rcv, size, count, echo);
        _exit(0);
    }
    unsigned char m[SHM_MAILBOX_MAX];
    memset(m, 'x', sizeof m);
    uint64_t start = clock_now_ns();
    for (long i = 0; i < count; i++) {
        uint64_t t0 = echo ? clock_now_ns() : 0;
        snd(c, 0, m, size);
        if (echo) {
            rcv(c, 1, m, size);
            samples[i] = clock_now_ns() - t0;
        }
    }
    if (!echo)
        rcv(c, 1, m, size);
    uint64_t elapsed = clock_now_ns() - start;
    int status;
    if (waitpid(pid, &status, 0) == -1)
        die("waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die_msg("the child process failed");
    if (echo) {
        out[0] = stats_percentile(samples, (size_t)count, 50);
        out[1] = stats_percentile(samples, (size_t)count, 99);
    } else {
        out[0] = (uint64_t)count * 1000000000u / (elapsed ? elapsed : 1);
    }
}

static void measure(const char *name, struct chan *c, send_fn snd, recv_fn rcv, size_t size,
                    long reps, long count)
{
    uint64_t *samples = malloc((size_t)count * sizeof *samples);
    uint64_t *p50 = malloc((size_t)reps * sizeof *p50), *p99 = malloc((size_t)reps * sizeof *p99);
    uint64_t *rate = malloc((size_t)reps * sizeof *rate);
    if (samples == NULL || p50 == NULL || p99 == NULL || rate == NULL)
        die("malloc");
    for (long r = 0; r < reps; r++) {
        uint64_t out[2];
        one_rep(c, snd, rcv, size, count, 1, out, samples);
        p50[r] = out[0];
        p99[r] = out[1];
        one_rep(c, snd, rcv, size, count, 0, out, samples);
        rate[r] = out[0];
    }
    printf("%s,%zu,rtt_p50_ns,%llu\n", name, size,
           (unsigned long long)stats_percentile(p50, (size_t)reps, 50));
    printf("%s,%zu,rtt_p99_ns,%llu\n", name, size,
           (unsigned long long)stats_percentile(p99, (size_t)reps, 50));
    printf("%s,%zu,msgs_per_s,%llu\n", name, size,
           (unsigned long long)stats_percentile(rate, (size_t)reps, 50));
    fflush(stdout);
    free(samples), free(p50), free(p99), free(rate);
}

int main(int argc, char **argv)
{
    long reps = 7, count = 20000;
    for (int c; (c = cli_next(&cli, argc, argv)) != -1;)
        if (c == 'r')
            reps = cli_long(optarg, 1, 101);
        else if (c == 'c')
            count = cli_long(optarg, 100, 10000000);

    struct chan c;
    void *mem = mmap(NULL, 2 * sizeof(struct shm_mailbox), PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED)
        die("mmap");
    for (int d = 0; d < 2; d++) {
        c.box[d] = (struct shm_mailbox *)mem + d;
        int rc = shm_mailbox_init(c.box[d]);
        if (rc != 0)
            die_errnum(rc, "shm_mailbox_init (is exercise 02.3 done?)");
        if (pipe(c.fd[d]) == -1)
            die("pipe");
    }

    const size_t sizes[] = {8, SHM_MAILBOX_MAX};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        measure("shm_mailbox", &c, box_send, box_recv, sizes[s], reps, count);
        measure("pipe", &c, pipe_send, pipe_recv, sizes[s], reps, count);
    }
    return 0;
}
