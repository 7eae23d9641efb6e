/* Graded tests for exercise 09.1 (chapters/09-ring-futex/ring.h).
 * Every test also kills a producer process with SIGKILL at a random moment:
 * the consumer must get only whole, valid records, then -EOWNERDEAD within
 * a second, never wait forever. */
#include "../04-ring-buffer/msgcheck.h"
#include "../04-ring-buffer/proc.h"
#include "grade.h"
#include "ring.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef IPC_SANITIZED
#define DEATH_LIMIT_MS 3000 /* a sanitizer slows every step down */
#else
#define DEATH_LIMIT_MS 1000
#endif

static struct ring *new_ring(uint32_t size, uint32_t start)
{
    size_t bytes = ring_bytes(size);
    GRADE_REQUIRE(bytes >= sizeof(struct ring) + size, "ring_bytes(%u) = %zu: too small", size, bytes);
    struct ring *r = proc_shared(bytes);
    GRADE_REQUIRE(r != NULL, "mmap: %s", strerror(errno));
    int rc = ring_init(r, size);
    GRADE_REQUIRE(rc == 0, "ring_init(%u) returned %d, expected 0", size, rc);
    start &= ~(uint32_t)(RING_RECORD_ALIGN - 1);
    atomic_store(&r->head, start);
    atomic_store(&r->tail, start);
    r->reserved = r->tail_cache = r->peeked = r->head_cache = start;
    return r;
}

static uint32_t record_len(uint64_t seq, uint64_t key, uint32_t maxlen)
{
    return 8 + (uint32_t)(msg_mix(seq ^ key) % (maxlen - 7));
}

struct stream {
    struct ring *r;
    uint64_t n, key; /* n == 0: until killed */
    uint32_t maxlen;
    _Atomic int *progress; /* set once a record arrived, if not NULL */
    uint64_t *trailer;     /* if not NULL: written after the last commit, before the close */
};

static void *producer(void *arg)
{
    struct stream *s = arg;
    uint64_t rnd = s->key ^ 1;
    ring_attach(s->r, RING_PRODUCER);
    for (uint64_t i = 0; s->n == 0 || i < s->n; i++) {
        void *p;
        uint32_t len = record_len(i, s->key, s->maxlen);
        if (ring_reserve_wait(s->r, len, &p) != 0)
            return (void *)1;
        msg_fill(p, len, i, s->key);
        if (msg_rand(&rnd, 0, 7) == 0)
            ring_commit(s->r);
    }
    ring_commit(s->r);
    /* A plain write outside the ring: only ring_close()'s release, and the
     * consumer's acquire of closed, order it before the consumer's read. */
    if (s->trailer != NULL)
        *s->trailer = s->key ^ s->n;
    ring_close(s->r);
    return NULL;
}

/* Peeks until an error; every record must be the next one, whole. Returns
 * the final code; *count gets the number of good records. */
static int consume(struct stream *s, uint64_t *count, char *why, size_t whylen)
{
    const void *p;
    uint32_t len;
    int rc;
    uint64_t got = 0;
    ring_attach(s->r, RING_CONSUMER);
    while ((rc = ring_peek_wait(s->r, &p, &len)) == 0) {
        int ok = 0;
        uint32_t want = record_len(got, s->key, s->maxlen);
        uint64_t seq = len >= 8 ? msg_check(p, len, s->key, &ok) : 0;
        if (seq != got || !ok || len != want) {
            snprintf(why, whylen, "record %llu: got seq %llu, %u bytes (expected %u)%s: a torn, "
                     "partial or lost record", (unsigned long long)got, (unsigned long long)seq, len,
                     want, ok ? "" : ", damaged");
            *count = got;
            return 1;
        }
        got++;
        if (s->progress != NULL)
            atomic_store_explicit(s->progress, 1, memory_order_relaxed);
    }
    *count = got;
    return rc;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct consumer {
    struct stream *s;
    int rc;
    uint64_t count, done_at;
    _Atomic int done, progress;
    char why[256];
};

static void *consumer_thread(void *arg)
{
    struct consumer *c = arg;
    c->rc = consume(c->s, &c->count, c->why, sizeof c->why);
    c->done_at = now_ns();
    atomic_store(&c->done, 1);
    return NULL;
}

/* A producer process killed at a random moment, `times` times. The consumer
 * runs in a thread, so a consumer that never notices fails the test after a
 * bounded wait instead of hanging it. */
static void check_kill(uint64_t *rnd, int times)
{
    for (int t = 0; t < times; t++) {
        struct ring *r = new_ring(1u << msg_rand(rnd, 10, 16), (uint32_t)msg_rand(rnd, 0, UINT32_MAX));
        struct stream s = {r, 0, msg_new_key(), (uint32_t)msg_rand(rnd, 16, 200), NULL, NULL};
        pid_t pid = fork();
        GRADE_REQUIRE(pid >= 0, "fork: %s", strerror(errno));
        if (pid == 0)
            _exit(producer(&s) == NULL ? 0 : 3);
        struct consumer c = {.s = &s};
        s.progress = &c.progress;
        pthread_t tid;
        GRADE_REQUIRE(pthread_create(&tid, NULL, consumer_thread, &c) == 0, "pthread_create failed");
        /* The producer must have attached (and so named its pid) before the
         * kill, or nobody can tell it died: wait for its first records. */
        for (int w = 0; w < 2000 && !atomic_load(&c.progress) && !atomic_load(&c.done); w++)
            proc_sleep_ms(1);
        nanosleep(&(struct timespec){0, (long)msg_rand(rnd, 0, 30000) * 1000L}, NULL);
        uint64_t killed_at = now_ns();
        kill(pid, SIGKILL);
        while (!atomic_load(&c.done) && now_ns() - killed_at < (DEATH_LIMIT_MS + 1000) * 1000000ull)
            proc_sleep_ms(5);
        proc_wait(pid, 2000);
        GRADE_REQUIRE(atomic_load(&c.done), "kill %d of %d: %llu ms after the producer was killed with "
                      "SIGKILL the consumer still waits in ring_peek_wait (a killed process cannot "
                      "close the ring; a zombie is dead too, even if kill(pid, 0) still succeeds)",
                      t + 1, times, (unsigned long long)(now_ns() - killed_at) / 1000000u);
        pthread_join(tid, NULL);
        GRADE_REQUIRE(c.rc != 1, "kill %d of %d: %s", t + 1, times, c.why);
        GRADE_REQUIRE(c.rc == -EOWNERDEAD, "kill %d of %d: after the producer was killed with SIGKILL "
                      "(%llu records in), ring_peek_wait returned %d, expected -EOWNERDEAD",
                      t + 1, times, (unsigned long long)c.count, c.rc);
        uint64_t ms = (c.done_at - killed_at) / 1000000u;
        GRADE_REQUIRE(ms <= DEATH_LIMIT_MS, "kill %d of %d: the dead producer was reported %llu ms after "
                      "the kill; the limit is %d ms", t + 1, times, (unsigned long long)ms, DEATH_LIMIT_MS);
        munmap(r, ring_bytes(r->mask + 1));
    }
}

static void stream(int procs, uint64_t n)
{
    uint64_t rnd = msg_new_key();
    struct ring *r = new_ring(1u << msg_rand(&rnd, 12, 16), 0u - (uint32_t)msg_rand(&rnd, 1, 5000) * 8);
    uint64_t *trailer = proc_shared(sizeof *trailer);
    GRADE_REQUIRE(trailer != NULL, "mmap: %s", strerror(errno));
    struct stream s = {r, n, msg_new_key(), (uint32_t)msg_rand(&rnd, 16, 64), NULL, trailer};
    char why[256];
    uint64_t count;
#if defined(__SANITIZE_THREAD__)
    procs = 0; /* ThreadSanitizer sees only threads */
#endif
    pthread_t tid;
    pid_t pid = -1;
    if (procs) {
        pid = fork();
        GRADE_REQUIRE(pid >= 0, "fork: %s", strerror(errno));
        if (pid == 0)
            _exit(producer(&s) == NULL ? 0 : 3);
    } else {
        GRADE_REQUIRE(pthread_create(&tid, NULL, producer, &s) == 0, "pthread_create failed");
    }
    int rc = consume(&s, &count, why, sizeof why);
    if (procs) {
        if (rc != -EPIPE)
            kill(pid, SIGKILL);
        proc_wait(pid, 5000);
    }
    GRADE_REQUIRE(rc != 1, "%s", why);
    GRADE_REQUIRE(rc == -EPIPE, "after %llu of %llu records ring_peek_wait returned %d, expected the "
                  "end of stream (-EPIPE) after all of them", (unsigned long long)count,
                  (unsigned long long)n, rc);
    GRADE_EXPECT_LONG(count, n, "every record committed before the close is delivered");
    /* Under ThreadSanitizer a missing release or acquire is reported here
     * as a race on the trailer, even when the value is right. */
    GRADE_CHECK(*trailer == (s.key ^ n),
                "-EPIPE came, but what the producer wrote just before "
                "ring_close() is not visible: ring_close must publish (release) and the consumer's "
                "load of closed must acquire");
    if (!procs)
        pthread_join(tid, NULL);
    munmap(trailer, sizeof *trailer);
    munmap(r, ring_bytes(r->mask + 1));
}

struct idle {
    struct ring *r;
    int rc;
    double cpu_s, wall_s;
};

static void *idle_consumer(void *arg)
{
    struct idle *d = arg;
    struct timespec c0, c1;
    uint64_t w0 = now_ns();
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
    const void *p;
    uint32_t len;
    d->rc = ring_peek_wait(d->r, &p, &len);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
    d->cpu_s = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
    d->wall_s = (double)(now_ns() - w0) / 1e9;
    return NULL;
}

/* How many pidfds this process holds: a liveness check that opens one
 * and does not close it leaks one per RING_LIVENESS_MS of waiting. */
static int count_pidfds(void)
{
    DIR *dir = opendir("/proc/self/fd");
    GRADE_REQUIRE(dir != NULL, "test set-up: opendir /proc/self/fd: %s", strerror(errno));
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        char target[64];
        ssize_t len = readlinkat(dirfd(dir), e->d_name, target, sizeof target - 1);
        if (len > 0) {
            target[len] = '\0';
            n += strcmp(target, "anon_inode:[pidfd]") == 0;
        }
    }
    closedir(dir);
    return n;
}

/* ------------------------------------------------------------ tests */

static void threads_sleeping(void)
{
    uint64_t rnd = msg_new_key();
    check_kill(&rnd, 2);
    stream(0, MSG_MANY);
}

static void processes_and_idle(void)
{
    uint64_t rnd = msg_new_key();
    check_kill(&rnd, 2);
    stream(1, MSG_MANY / 5);
    /* An idle consumer sleeps: it may spin a little, not for the whole wait.
     * No producer attached: nobody to declare dead, only the close ends it. */
    struct idle d = {new_ring(4096, 0), 0, 0, 0};
    pthread_t tid;
    GRADE_REQUIRE(pthread_create(&tid, NULL, idle_consumer, &d) == 0, "pthread_create failed");
    proc_sleep_ms(400);
    ring_close(d.r);
    pthread_join(tid, NULL);
    GRADE_EXPECT_LONG(d.rc, -EPIPE, "ring_close wakes a sleeping consumer, which sees the end of stream");
    GRADE_CHECK(d.cpu_s < d.wall_s / 4, "an idle consumer used %.0f ms of CPU in %.0f ms of waiting: it "
                "must sleep (futex), not spin", d.cpu_s * 1000, d.wall_s * 1000);
    munmap(d.r, ring_bytes(4096));

    /* Again with a live producer process attached: the consumer checks on
     * it every RING_LIVENESS_MS, and each check must give back what it opened. */
    d = (struct idle){new_ring(4096, 0), 0, 0, 0};
    pid_t pid = fork();
    GRADE_REQUIRE(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        ring_attach(d.r, RING_PRODUCER);
        pause(); /* alive until the test kills it */
        _exit(0);
    }
    for (int w = 0; w < 2000 && atomic_load(&d.r->prod_pid) != pid; w++)
        proc_sleep_ms(1);
    int pidfds = count_pidfds();
    GRADE_REQUIRE(pthread_create(&tid, NULL, idle_consumer, &d) == 0, "pthread_create failed");
    proc_sleep_ms(250);
    ring_close(d.r);
    pthread_join(tid, NULL);
    kill(pid, SIGKILL);
    proc_wait(pid, 2000);
    GRADE_EXPECT_LONG(d.rc, -EPIPE, "a consumer waiting on a live producer sees the end of stream");
    int leaked = count_pidfds() - pidfds;
    GRADE_CHECK(
        leaked <= 0,
        "after %.0f ms of waiting on a live producer the consumer holds %d more pidfd%s than "
        "before: each liveness check must close the descriptor it opened, or a long wait runs "
        "the process out of file descriptors",
        d.wall_s * 1000, leaked, leaked == 1 ? "" : "s");
    munmap(d.r, ring_bytes(4096));
}

static void killed_producer(void)
{
    uint64_t rnd = msg_new_key();
    check_kill(&rnd, 10);
}

/* The other side's liveness check reads what ring_attach stored; a caller
 * that checks the result must be able to trust it. */
static void attach_sides(void)
{
    struct ring *r = new_ring(4096, 0);
    GRADE_EXPECT_LONG(ring_attach(r, RING_PRODUCER), 0, "attaching as the producer succeeds");
    GRADE_EXPECT_LONG(ring_attach(r, RING_CONSUMER), 0, "attaching as the consumer succeeds");
    GRADE_EXPECT_LONG(ring_attach(r, (enum ring_side)2), -EINVAL,
                      "a side that is neither producer nor consumer is refused with -EINVAL");
    GRADE_EXPECT_LONG(ring_attach(r, (enum ring_side)-1), -EINVAL,
                      "a side that is neither producer nor consumer is refused with -EINVAL");
    munmap(r, ring_bytes(4096));
}

/* A producer that is gone for good (exited and reaped, so its pid names no
 * process at all) is as dead as one killed mid-stream: the consumer must
 * say so, not wait for it forever. */
static void reaped_producer(void)
{
    struct ring *r = new_ring(4096, 0);
    pid_t pid = fork();
    GRADE_REQUIRE(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0)
        _exit(ring_attach(r, RING_PRODUCER) == 0 ? 0 : 1);
    int status;
    GRADE_REQUIRE(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the producer process could not attach");
    ring_attach(r, RING_CONSUMER);
    const void *payload;
    uint32_t len;
    uint64_t start = now_ns();
    int rc = ring_peek_wait(r, &payload, &len);
    uint64_t ms = (now_ns() - start) / 1000000u;
    GRADE_EXPECT_LONG(rc, -EOWNERDEAD, "the producer exited and was reaped before the consumer waited");
    GRADE_CHECK(ms <= DEATH_LIMIT_MS, "the dead producer was reported after %llu ms; the limit is %d ms",
                (unsigned long long)ms, DEATH_LIMIT_MS);
    munmap(r, ring_bytes(4096));
}

/* The mirror image: a consumer gone for good leaves a producer that fills
 * the ring with nobody to make room; it must say so, not wait forever. */
static void reaped_consumer(void)
{
    struct ring *r = new_ring(4096, 0);
    pid_t pid = fork();
    GRADE_REQUIRE(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0)
        _exit(ring_attach(r, RING_CONSUMER) == 0 ? 0 : 1);
    int status;
    GRADE_REQUIRE(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the consumer process could not attach");
    ring_attach(r, RING_PRODUCER);
    /* 64 records of 64 bytes fill the 4096-byte ring: one more must wait for room. */
    int rc = 0, calls = 0;
    uint64_t start = now_ns();
    for (; calls < 4096 / 64 + 1 && rc == 0; calls++) {
        void *p;
        rc = ring_reserve_wait(r, 56, &p);
    }
    uint64_t ms = (now_ns() - start) / 1000000u;
    GRADE_CHECK(rc == -EOWNERDEAD,
                "call %d of ring_reserve_wait(56) into a full ring whose consumer exited and was "
                "reaped returned %d, expected -EOWNERDEAD (%d)",
                calls, rc, -EOWNERDEAD);
    GRADE_EXPECT_LONG(calls, 4096 / 64 + 1,
                      "the 4096-byte ring holds 64 records of 56 bytes (64 with the header): the "
                      "65th call is the first that must wait, and say the consumer is dead");
    GRADE_CHECK(ms <= DEATH_LIMIT_MS,
                "the dead consumer was reported after %llu ms; the limit is %d ms",
                (unsigned long long)ms, DEATH_LIMIT_MS);
    munmap(r, ring_bytes(4096));
}

struct holder {
    struct ring *r;
    int rc, peeks; /* the last call's result, and how many calls it made */
    uint32_t len;  /* of the record that woke it */
    _Atomic int done;
};

/* The consumer: peeks the 16 records committed, holding them (a quarter of
 * the ring, not more: nothing forces a release), then waits for the next. */
static void *peek_and_wait(void *arg)
{
    struct holder *h = arg;
    const void *q;
    for (h->rc = 0; h->rc == 0 && h->peeks < 17; h->peeks++)
        h->rc = ring_peek_wait(h->r, &q, &h->len);
    atomic_store(&h->done, 1);
    return NULL;
}

/* A consumer about to sleep must first release what it peeked: the producer
 * may need that very room. 16 records of 64 bytes from offset 1536 leave
 * the producer at 2560, 1536 bytes before the end: the largest record (2048
 * bytes) must go to the start, and fits only once those 1024 bytes are free. */
static void peek_wait_releases_before_sleeping(void)
{
    uint64_t rnd = msg_new_key();
    struct ring *r = new_ring(4096, ((uint32_t)msg_rand(&rnd, 0, UINT32_MAX) & ~4095u) | 1536u);
    for (int i = 0; i < 16; i++) {
        void *p;
        GRADE_REQUIRE(ring_reserve(r, 56, &p) == 0,
                      "ring_reserve(56) %d of 16 into an empty ring failed", i + 1);
    }
    ring_commit(r);
    struct holder h = {.r = r};
    pthread_t t;
    GRADE_REQUIRE(pthread_create(&t, NULL, peek_and_wait, &h) == 0, "pthread_create failed");
    uint64_t start = now_ns();
    while (!atomic_load(&r->cons_waiting) && !atomic_load(&h.done) &&
           now_ns() - start < 2000000000u)
        usleep(1000);
    int asleep = atomic_load(&r->cons_waiting) && !atomic_load(&h.done), rc = -EAGAIN;
    void *p;
    if (asleep)
        rc = ring_reserve(r, ring_max_len(r), &p);
    if (rc == 0)
        ring_commit(r); /* wakes the consumer with the big record */
    else
        ring_close(r); /* ends its wait */
    pthread_join(t, NULL);
    GRADE_REQUIRE(asleep,
                  "the consumer should be asleep in ring_peek_wait (cons_waiting set) after "
                  "peeking the 16 records committed; it %s (call %d returned %d)",
                  atomic_load(&h.done) ? "returned" : "never set cons_waiting within 2 s", h.peeks,
                  h.rc);
    GRADE_CHECK(rc == 0,
                "the consumer peeked 1024 bytes and went to sleep without releasing them: the "
                "producer then finds no room for a record that fits once they are free "
                "(ring_reserve returned %d); ring_peek_wait must release before it waits",
                rc);
    GRADE_CHECK(rc != 0 || (h.rc == 0 && h.peeks == 17 && h.len == ring_max_len(r)),
                "the sleeping consumer should wake with the record committed (%u bytes); call %d "
                "returned %d, %u bytes",
                ring_max_len(r), h.peeks, h.rc, h.len);
    munmap(r, ring_bytes(4096));
}

/* The largest record, ring_max_len() bytes (half the area less the header),
 * fits an empty ring wherever it starts, padding included; one byte more is
 * refused, by the waiting call too, which must not wait for room that can
 * never come. ring_reserve_wait publishes in batches of a quarter of the
 * ring, so the consumer has work while the producer fills the rest, and
 * ring_peek_wait frees them so, so the producer has room while the
 * consumer reads the rest. */
static void sizes_and_batches(void)
{
    uint64_t rnd = msg_new_key(), key = msg_new_key();
    struct ring *b = new_ring(4096, 0);
    GRADE_EXPECT_LONG(ring_init((struct ring *)((char *)b + 64), 4096), -EINVAL,
                      "ring_init of a ring not aligned to RING_ALIGN");
    GRADE_EXPECT_LONG(ring_init(b, 1000), -EINVAL,
                      "ring_init of a 1000-byte area: not a power of two");
    /* Over memory that held something else, ring_init leaves nobody asleep
     * and nobody attached: stale flags or pids would mean wake-ups and
     * liveness checks for sides that are not there. */
    memset(b, 0xff, ring_bytes(4096));
    GRADE_REQUIRE(ring_init(b, 4096) == 0, "ring_init(4096) over memory of 0xff bytes failed");
    GRADE_REQUIRE(atomic_load(&b->cons_waiting) == 0 && atomic_load(&b->prod_waiting) == 0 &&
                      atomic_load(&b->prod_pid) == 0 && atomic_load(&b->cons_pid) == 0,
                  "after ring_init over old memory: cons_waiting %u, prod_waiting %u, prod_pid %d, "
                  "cons_pid %d; ring_init must clear the waiter flags and the pids",
                  atomic_load(&b->cons_waiting), atomic_load(&b->prod_waiting),
                  atomic_load(&b->prod_pid), atomic_load(&b->cons_pid));
    munmap(b, ring_bytes(4096));
    b = new_ring(4096, (uint32_t)msg_rand(&rnd, 0, UINT32_MAX));
    uint32_t head0 = atomic_load(&b->head);
    /* 17 records of 64 bytes are over a quarter (1024): the 18th call commits them. */
    for (int i = 0; i < 18; i++) {
        void *p;
        GRADE_REQUIRE(ring_reserve_wait(b, 56, &p) == 0,
                      "ring_reserve_wait(56) %d of 18 into a 4096-byte ring with room failed",
                      i + 1);
    }
    GRADE_CHECK(atomic_load(&b->head) - head0 > 4096 / 4,
                "18 calls of ring_reserve_wait(56) in a 4096-byte ring: only %u bytes published; "
                "more than a quarter of the ring reserved must be committed",
                atomic_load(&b->head) - head0);
    ring_commit(b);
    uint32_t tail0 = atomic_load(&b->tail);
    /* 17 records of 64 bytes peeked are over a quarter: the 18th call releases them. */
    for (int i = 0; i < 18; i++) {
        const void *q;
        uint32_t len;
        GRADE_REQUIRE(ring_peek_wait(b, &q, &len) == 0 && len == 56,
                      "ring_peek_wait %d of 18 from a ring holding 18 records of 56 bytes failed",
                      i + 1);
    }
    GRADE_CHECK(atomic_load(&b->tail) - tail0 > 4096 / 4,
                "18 calls of ring_peek_wait of records of 56 bytes in a 4096-byte ring: only %u "
                "bytes released; more than a quarter of the ring peeked must be released",
                atomic_load(&b->tail) - tail0);
    munmap(b, ring_bytes(4096));

    uint32_t size = 1u << msg_rand(&rnd, 6, 12);
    uint32_t starts[] = {0, size / 2 + RING_RECORD_ALIGN, (uint32_t)msg_rand(&rnd, 0, UINT32_MAX)};
    for (int i = 0; i < 3; i++) {
        struct ring *r = new_ring(size, starts[i]);
        uint32_t max = ring_max_len(r);
        GRADE_EXPECT_LONG(max, size / 2 - RING_HEADER,
                          "ring_max_len: half the area less the header");
        void *p;
        GRADE_EXPECT_LONG(ring_reserve_wait(r, max + 1, &p), -EMSGSIZE,
                          "ring_reserve_wait of one byte more than ring_max_len");
        int rc = ring_reserve(r, max, &p);
        GRADE_REQUIRE(rc == 0,
                      "ring_reserve(ring_max_len() = %u) into an empty %u-byte ring at offset %u "
                      "returned %d: the largest record must always fit",
                      max, size, r->reserved & r->mask, rc);
        msg_fill(p, max, (uint64_t)i, key);
        ring_commit(r);
        const void *q;
        uint32_t len;
        int ok = 0;
        rc = ring_peek_wait(r, &q, &len);
        GRADE_REQUIRE(
            rc == 0 && len == max && msg_check(q, len, key, &ok) == (uint64_t)i && ok,
            "ring_peek_wait after a record of ring_max_len() = %u bytes was committed: returned "
            "%d, %u bytes%s",
            max, rc, rc == 0 ? len : 0, rc == 0 && !ok ? ", damaged" : "");
        munmap(r, ring_bytes(size));
    }
}

GRADE_TESTS(
    GRADE_TEST_TIMEOUT("09.1", "a killed producer is reported; 2M records between two threads that sleep",
                       threads_sleeping, 4, 40),
    GRADE_TEST_TIMEOUT("09.1", "a killed producer is reported; 400,000 records between processes; idle means asleep",
                       processes_and_idle, 3, 40),
    GRADE_TEST_TIMEOUT("09.1", "SIGKILL at 10 random moments: whole records only, then -EOWNERDEAD within 1 s",
                       killed_producer, 3, 40),
    GRADE_TEST("09.1", "ring_attach: 0 for either side, -EINVAL for any other", attach_sides, 1),
    GRADE_TEST("09.1", "a producer already exited and reaped: -EOWNERDEAD, never a wait forever",
               reaped_producer, 1),
    GRADE_TEST("09.1", "a consumer already exited and reaped: reserve_wait says -EOWNERDEAD, never waits forever",
               reaped_consumer, 1),
    GRADE_TEST("09.1", "peek_wait releases what it peeked before it sleeps: the producer may need that room",
               peek_wait_releases_before_sleeping, 1),
    GRADE_TEST("09.1", "ring_init clears flags, refuses a misaligned ring; the largest record fits, one byte more does not; reserve_wait commits, peek_wait releases each quarter",
               sizes_and_batches, 1),
)
