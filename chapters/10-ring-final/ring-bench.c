/*
 * ring-bench: measures one mechanism of the ring track between two processes.
 *
 *   ring-bench-<mechanism> [--quick]
 *
 * Built once per mechanism (see chapter.mk): MECH selects which ring this
 * file drives, and the build links that step's reference answer. It prints
 * CSV rows "mechanism,size,metric,value" for sizes 8, 64, 1024 and 4096:
 * msgs_per_s (one way, producer process -> consumer process) and rtt_p50_ns /
 * rtt_p99_ns (a message there and back over two rings), each the median of
 * five repetitions.
 */
#include "cli.h"
#include "die.h"
#include "stats.h"

#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define M_STEP1 1
#define M_STEP2 2
#define M_STEP3 3
#define M_STEP4 4
#define M_STEP5 5
#define M_STEP6 6
#define M_FINAL 7
#define M_FINAL_BATCH 8
#define M_CK 9
#define M_PINGPONG 10

#if MECH == M_FINAL || MECH == M_FINAL_BATCH
#include "shmring.h"
#elif MECH == M_CK
#include <ck_ring.h>
#elif MECH != M_PINGPONG
#include "ring.h"
#endif

static const char *const names[] = {
    "",           "ring_step1", "ring_step2",       "ring_step3", "ring_step4",        "ring_step5",
    "ring_step6", "ring_final", "ring_final_batch", "ck_ring",    "cacheline_pingpong"};

enum { REPS = 5, RING_BYTES = 1 << 18, MAXMSG = 4096 };

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *shared(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        die("mmap %zu bytes", size);
    return p;
}

static __attribute__((unused)) uint32_t pow2_at_least(uint32_t n)
{
    uint32_t p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

/* ------------------------------------------------------------ one-way channels
 * chan_new() makes a channel for messages of `size` bytes in shared memory
 * (before fork); chan_send()/chan_recv() move one message; chan_flush()
 * publishes what a batching sender holds. */

#if MECH == M_CK
struct m8 {
    char b[8];
};
struct m64 {
    char b[64];
};
struct m1024 {
    char b[1024];
};
struct m4096 {
    char b[4096];
};
CK_RING_PROTOTYPE(m8, m8)
CK_RING_PROTOTYPE(m64, m64)
CK_RING_PROTOTYPE(m1024, m1024)
CK_RING_PROTOTYPE(m4096, m4096)
#endif

struct chan {
    uint32_t size;
#if MECH == M_FINAL || MECH == M_FINAL_BATCH
    void *mem;
    size_t bytes;
    struct shmring *h; /* made after fork, by each side */
#elif MECH == M_CK
    struct ck_ring *ring;
    void *buf;
#elif MECH == M_PINGPONG
    _Atomic uint64_t *word;
#else
    struct ring *r;
#endif
#if MECH == M_STEP5
    struct iovec v[16];
    unsigned char pending[16][MAXMSG];
    unsigned npending;
    unsigned char got[16][MAXMSG];
    uint32_t gotlen[16];
    int ngot, next;
#endif
};

static struct chan *chan_new(uint32_t size)
{
    struct chan *c = shared(sizeof *c);
    c->size = size;
#if MECH == M_FINAL || MECH == M_FINAL_BATCH
    c->bytes = shmring_bytes(RING_BYTES);
    c->mem = shared(c->bytes);
    if (shmring_format(c->mem, c->bytes, RING_BYTES) != 0)
        die_msg("shmring_format failed");
#elif MECH == M_CK
    uint32_t cap = pow2_at_least(RING_BYTES / size);
    c->ring = shared(sizeof *c->ring);
    c->buf = shared((size_t)cap * size);
    ck_ring_init(c->ring, cap);
#elif MECH == M_PINGPONG
    c->word = shared(4096);
#elif MECH == M_STEP1
    uint32_t cap = pow2_at_least(RING_BYTES / size);
    c->r = shared(sizeof *c->r + (size_t)cap * size);
    if (ring_init(c->r, (unsigned char *)c->r + sizeof *c->r, cap, size) != 0)
        die_msg("ring_init failed");
#elif MECH == M_STEP5 || MECH == M_STEP6
    c->r = shared(ring_bytes(RING_BYTES));
    if (ring_init(c->r, RING_BYTES) != 0)
        die_msg("ring_init failed");
#else
    uint32_t cap = pow2_at_least(RING_BYTES / size);
    c->r = shared(ring_bytes(cap, size));
    if (ring_init(c->r, cap, size) != 0)
        die_msg("ring_init failed");
#endif
    return c;
}

static __attribute__((unused)) void chan_attach(struct chan *c, int producer)
{
#if MECH == M_FINAL || MECH == M_FINAL_BATCH
    if (shmring_attach(c->mem, c->bytes, producer ? SHMRING_PRODUCER : SHMRING_CONSUMER, &c->h) !=
        0)
        die_msg("shmring_attach failed");
#elif MECH == M_STEP6
    ring_attach(c->r, producer ? RING_PRODUCER : RING_CONSUMER);
#else
    (void)c, (void)producer;
#endif
}

static inline void chan_flush(struct chan *c)
{
#if MECH == M_STEP5
    for (unsigned done = 0; done < c->npending;) {
        int n = ring_push_burst(c->r, c->v + done, c->npending - done);
        if (n < 0)
            die_errnum(n, "ring_push_burst");
        done += (unsigned)n;
    }
    c->npending = 0;
#elif MECH == M_STEP6
    ring_commit(c->r);
#elif MECH == M_FINAL_BATCH
    shmring_commit(c->h);
#else
    (void)c;
#endif
}

static inline void chan_send(struct chan *c, const void *m)
{
#if MECH == M_STEP1 || MECH == M_STEP2 || MECH == M_STEP3 || MECH == M_STEP4
    int rc = ring_push(c->r, m);
    if (rc != 0)
        die_errnum(rc, "ring_push");
#elif MECH == M_STEP5
    memcpy(c->pending[c->npending], m, c->size);
    c->v[c->npending] = (struct iovec){c->pending[c->npending], c->size};
    if (++c->npending == 16)
        chan_flush(c);
#elif MECH == M_STEP6
    void *p;
    int rc = ring_reserve_wait(c->r, c->size, &p);
    if (rc != 0)
        die_errnum(rc, "ring_reserve_wait");
    memcpy(p, m, c->size);
#elif MECH == M_FINAL
    int rc = shmring_send(c->h, m, c->size);
    if (rc != 0)
        die_errnum(rc, "shmring_send");
#elif MECH == M_FINAL_BATCH
    void *p;
    int rc = shmring_reserve(c->h, c->size, &p);
    if (rc != 0)
        die_errnum(rc, "shmring_reserve");
    memcpy(p, m, c->size);
#elif MECH == M_CK
    bool ok;
    unsigned spins = 0;
    do {
        switch (c->size) {
        case 8: ok = ck_ring_enqueue_spsc_m8(c->ring, c->buf, (void *)m); break;
        case 64: ok = ck_ring_enqueue_spsc_m64(c->ring, c->buf, (void *)m); break;
        case 1024: ok = ck_ring_enqueue_spsc_m1024(c->ring, c->buf, (void *)m); break;
        default: ok = ck_ring_enqueue_spsc_m4096(c->ring, c->buf, (void *)m); break;
        }
        if (!ok && ++spins > 128)
            sched_yield();
    } while (!ok);
#else
    (void)c, (void)m;
#endif
}

static inline void chan_recv(struct chan *c, void *m)
{
#if MECH == M_STEP1
    if (ring_pop(c->r, m) != 0)
        die_msg("ring_pop: empty");
#elif MECH == M_STEP2 || MECH == M_STEP3 || MECH == M_STEP4
    int rc = ring_pop(c->r, m);
    if (rc != 0)
        die_errnum(rc, "ring_pop");
#elif MECH == M_STEP5
    if (c->next == c->ngot) {
        struct iovec v[16];
        int n;
        unsigned spins = 0;
        for (int k = 0; k < 16; k++)
            v[k] = (struct iovec){c->got[k], MAXMSG};
        while ((n = ring_pop_burst(c->r, v, 16)) == -EAGAIN)
            if (++spins > 128)
                sched_yield();
        if (n < 0)
            die_errnum(n, "ring_pop_burst");
        c->ngot = n;
        c->next = 0;
    }
    memcpy(m, c->got[c->next++], c->size);
#elif MECH == M_STEP6
    const void *p;
    uint32_t len;
    int rc = ring_peek_wait(c->r, &p, &len);
    if (rc != 0)
        die_errnum(rc, "ring_peek_wait");
    memcpy(m, p, len);
#elif MECH == M_FINAL
    int rc = shmring_recv(c->h, m, c->size);
    if (rc < 0)
        die_errnum(rc, "shmring_recv");
#elif MECH == M_FINAL_BATCH
    const void *p;
    uint32_t len;
    int rc = shmring_peek(c->h, &p, &len);
    if (rc != 0)
        die_errnum(rc, "shmring_peek");
    memcpy(m, p, len);
#elif MECH == M_CK
    bool ok;
    unsigned spins = 0;
    do {
        switch (c->size) {
        case 8: ok = ck_ring_dequeue_spsc_m8(c->ring, c->buf, m); break;
        case 64: ok = ck_ring_dequeue_spsc_m64(c->ring, c->buf, m); break;
        case 1024: ok = ck_ring_dequeue_spsc_m1024(c->ring, c->buf, m); break;
        default: ok = ck_ring_dequeue_spsc_m4096(c->ring, c->buf, m); break;
        }
        if (!ok && ++spins > 128)
            sched_yield();
    } while (!ok);
#else
    (void)c, (void)m;
#endif
}

/* How many messages a sender may hold back before publishing them. */
#if MECH == M_FINAL_BATCH
enum { BATCH = 64 };
#elif MECH == M_STEP5
enum { BATCH = 16 }; /* chan_send() pushes a burst of 16 by itself */
#else
enum { BATCH = 1 };
#endif

/* ------------------------------------------------------------ measurements */

static uint64_t median(uint64_t *v, int n)
{
    return stats_percentile(v, (size_t)n, 50);
}

/* Each process on a core of its own, the parent on the first CPU it may
 * use and the child on the second: left to itself the scheduler often
 * starts a child on its parent's core, and two spinning processes on one
 * core measure the scheduler, not the ring. */
static cpu_set_t allowed; /* the CPUs we were given, before pinning */

static void pin(int which)
{
    cpu_set_t one;
    if (CPU_COUNT(&allowed) < 2)
        return; /* one CPU: nothing to choose */
    for (int cpu = 0, seen = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, &allowed) && seen++ == which) {
            CPU_ZERO(&one);
            CPU_SET(cpu, &one);
            sched_setaffinity(0, sizeof one, &one);
            return;
        }
}

static __attribute__((unused)) pid_t start_child(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == -1)
        die("fork");
    if (pid == 0)
        pin(1);
    return pid;
}

static __attribute__((unused)) void reap(pid_t pid)
{
    int status;
    if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die_msg("the other process of the benchmark failed");
}

/* Messages per second, one way, n messages. */
static double throughput(uint32_t size, uint64_t n)
{
    unsigned char m[MAXMSG] = {0};
#if MECH == M_STEP1
    /* One process: there is no second one in step 1. Push a batch, pop it. */
    struct chan *c = chan_new(size);
    uint32_t cap = c->r->mask + 1, batch = cap < 256 ? cap : 256;
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < n; i += batch) {
        for (uint32_t k = 0; k < batch; k++) {
            memcpy(m, &i, 8);
            chan_send(c, m);
        }
        for (uint32_t k = 0; k < batch; k++)
            chan_recv(c, m);
    }
    return (double)n * 1e9 / (double)(now_ns() - t0);
#elif MECH == M_PINGPONG
    (void)size, (void)m, (void)n;
    return 0; /* a round trip carries no stream: see round_trips() */
#else
    struct chan *c = chan_new(size);
    pid_t pid = start_child();
    if (pid == 0) {
        chan_attach(c, 1);
        for (uint64_t i = 0; i < n; i++) {
            memcpy(m, &i, 8); /* the message's sequence number */
            chan_send(c, m);
            if ((i + 1) % BATCH == 0)
                chan_flush(c);
        }
        chan_flush(c);
        _exit(0);
    }
    chan_attach(c, 0);
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < n; i++) {
        chan_recv(c, m);
        uint64_t seq;
        memcpy(&seq, m, 8);
        if (seq != i)
            die_msg("%s: message %llu arrived as %llu", names[MECH], (unsigned long long)i,
                    (unsigned long long)seq);
    }
    double rate = (double)n * 1e9 / (double)(now_ns() - t0);
    reap(pid);
    return rate;
#endif
}

/* Round trips: p50 and p99 in nanoseconds over n trips. */
static void round_trips(uint32_t size, int n, uint64_t *p50, uint64_t *p99)
{
    uint64_t *t = malloc((size_t)n * sizeof *t);
    unsigned char m[MAXMSG] = {0};
    if (t == NULL)
        die("malloc");
#if MECH == M_STEP1
    struct chan *c = chan_new(size);
    for (int i = 0; i < n; i++) {
        uint64_t t0 = now_ns();
        chan_send(c, m);
        chan_recv(c, m);
        t[i] = now_ns() - t0;
    }
#elif MECH == M_PINGPONG
    /* One 64-byte line; the parent writes an odd number, the child answers with the next even one.
     */
    (void)size, (void)m;
    struct chan *c = chan_new(8);
    pid_t pid = start_child();
    if (pid == 0) {
        for (uint64_t v = 1; v < 2 * (uint64_t)n; v += 2) {
            while (atomic_load_explicit(c->word, memory_order_acquire) != v)
                ;
            atomic_store_explicit(c->word, v + 1, memory_order_release);
        }
        _exit(0);
    }
    for (int i = 0; i < n; i++) {
        uint64_t v = 2 * (uint64_t)i + 1, t0 = now_ns();
        atomic_store_explicit(c->word, v, memory_order_release);
        while (atomic_load_explicit(c->word, memory_order_acquire) != v + 1)
            ;
        t[i] = now_ns() - t0;
    }
    reap(pid);
#else
    struct chan *there = chan_new(size), *back = chan_new(size);
    pid_t pid = start_child();
    if (pid == 0) {
        chan_attach(there, 0);
        chan_attach(back, 1);
        for (int i = 0; i < n; i++) {
            chan_recv(there, m);
            chan_send(back, m);
            chan_flush(back);
        }
        _exit(0);
    }
    chan_attach(there, 1);
    chan_attach(back, 0);
    for (int i = 0; i < n; i++) {
        uint64_t t0 = now_ns();
        chan_send(there, m);
        chan_flush(there);
        chan_recv(back, m);
        t[i] = now_ns() - t0;
    }
    reap(pid);
#endif
    *p50 = stats_percentile(t, (size_t)n, 50);
    *p99 = stats_percentile(t, (size_t)n, 99);
    free(t);
}

static const struct cli cli = {
    .about = "Throughput and round trips of one ring mechanism, as CSV rows.",
    .options = (const struct cli_option[]){{'q', "quick", NULL, "a short run"}, {0}},
};

int main(int argc, char **argv)
{
    int quick = 0;
    for (int c; (c = cli_next(&cli, argc, argv)) != -1;)
        if (c == 'q')
            quick = 1;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
        die("sched_getaffinity");
    pin(0);
    static const uint32_t sizes[] = {8, 64, 1024, 4096};
    int nsizes = MECH == M_PINGPONG ? 1 : 4;
    for (int s = 0; s < nsizes; s++) {
        uint32_t size = sizes[s];
        uint64_t rate[REPS], p50[REPS], p99[REPS];
        /* Size each run to about 0.2 s (0.05 s quick) from a short first try. */
        double guess = throughput(size, 20000);
        uint64_t n = (uint64_t)(guess * (quick ? 0.05 : 0.2));
        if (n < 20000)
            n = 20000;
        int trips = quick ? 5000 : 50000;
        for (int r = 0; r < REPS; r++) {
            rate[r] = (uint64_t)throughput(size, n);
            round_trips(size, trips, &p50[r], &p99[r]);
        }
        if (MECH == M_PINGPONG) /* two one-way messages per round trip */
            rate[0] = rate[1] = rate[2] = rate[3] = rate[4] = 0;
        uint64_t r50 = median(p50, REPS), r99 = median(p99, REPS), mps = median(rate, REPS);
        if (MECH == M_PINGPONG)
            mps = r50 ? 2000000000u / r50 : 0;
        printf("%s,%u,msgs_per_s,%llu\n", names[MECH], size, (unsigned long long)mps);
        printf("%s,%u,rtt_p50_ns,%llu\n", names[MECH], size, (unsigned long long)r50);
        printf("%s,%u,rtt_p99_ns,%llu\n", names[MECH], size, (unsigned long long)r99);
        fflush(stdout);
    }
    return 0;
}
