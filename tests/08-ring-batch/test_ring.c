/* Graded tests for exercise 08.1 (chapters/08-ring-batch/ring.h).
 * Every test also corrupts record headers in a ring whose area ends right
 * before an inaccessible page: ring_peek must answer -EBADMSG (or hand out a
 * record that lies inside the area), never read past it. */
#include "../04-ring-buffer/msgcheck.h"
#include "../04-ring-buffer/proc.h"
#include "grade.h"
#include "ring.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#ifdef IPC_SANITIZED
#define FUZZ_ROUNDS 2000
#else
#define FUZZ_ROUNDS 20000
#endif

/* ------------------------------------------------------------ rings */

struct mapped {
    void *base;
    size_t len;
};

/* A ring of `size` bytes whose area ends exactly where a PROT_NONE page begins. */
static struct ring *guarded_ring(uint32_t size, uint32_t start, struct mapped *m)
{
    start &= ~(uint32_t)(RING_RECORD_ALIGN - 1); /* records start at aligned indices */
    size_t bytes = ring_bytes(size), page = (size_t)sysconf(_SC_PAGESIZE);
    GRADE_REQUIRE(bytes >= sizeof(struct ring) + size, "ring_bytes(%u) = %zu: too small", size, bytes);
    size_t span = (bytes + page - 1) / page * page;
    m->len = span + page;
    m->base = mmap(NULL, m->len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    GRADE_REQUIRE(m->base != MAP_FAILED, "mmap: %s", strerror(errno));
    GRADE_REQUIRE(mprotect((char *)m->base + span, page, PROT_NONE) == 0, "mprotect: %s", strerror(errno));
    struct ring *r = (struct ring *)(void *)((char *)m->base + span - bytes);
    int rc = ring_init(r, size);
    GRADE_REQUIRE(rc == 0, "ring_init(%u) returned %d, expected 0", size, rc);
    atomic_store(&r->head, start);
    atomic_store(&r->tail, start);
    r->reserved = r->tail_cache = r->peeked = r->head_cache = start;
    return r;
}

static void unmap(struct mapped *m)
{
    munmap(m->base, m->len);
}

/* ------------------------------------------------------------ corruption */

static void check_one_corruption(struct ring *r, const char *what)
{
    const void *p = NULL;
    uint32_t len = 0, size = r->mask + 1, before = r->peeked;
    int rc = ring_peek(r, &p, &len);
    uint32_t head = r->head_cache; /* the head the consumer went by: loaded from head at some point */
    if (rc == 0) {
        const unsigned char *b = p;
        GRADE_REQUIRE(b >= r->data && b + len <= r->data + size && len <= ring_max_len(r),
                      "after %s, ring_peek returned a record of %u bytes at offset %td: outside the "
                      "%u-byte area or over the limit; a corrupt header must give -EBADMSG",
                      what, len, b - r->data, size);
        /* How far into the published bytes the payload starts, padding included. */
        uint32_t dist = ((uint32_t)(b - r->data) - (before & r->mask)) & r->mask;
        GRADE_REQUIRE(head - atomic_load(&r->tail) <= size && dist + len <= head - before,
                      "after %s, ring_peek returned a record of %u bytes, %u bytes into the %u "
                      "published bytes: it reaches past them", what, len, dist, head - before);
    } else {
        GRADE_REQUIRE(rc == -EBADMSG || rc == -EAGAIN, "after %s, ring_peek returned %d; expected "
                      "-EBADMSG (or a valid record)", what, rc);
    }
}

/* A padding record that ends exactly where the published bytes end is not
 * corrupt: a producer may publish the padding before the record after it.
 * The consumer skips it, has nothing more for now, then reads the record. */
static void check_padding_at_head(uint64_t *rnd)
{
    struct mapped m;
    uint32_t size = 1u << msg_rand(rnd, 8, 12);
    uint32_t at = (uint32_t)msg_rand(rnd, 0, UINT32_MAX / size) * size + size - 16;
    struct ring *r = guarded_ring(size, at, &m);
    uint32_t pad[2] = {RING_PAD, 0};
    memcpy(r->data + (at & r->mask), pad, sizeof pad);
    r->reserved = at + 16;
    ring_commit(r); /* publishes the padding alone: 16 bytes up to the area's end */
    const void *out;
    uint32_t len;
    GRADE_EXPECT_LONG(
        ring_peek(r, &out, &len), -EAGAIN,
        "a padding record that fills exactly the published bytes is valid: skip it, then "
        "nothing is left for now (it reaches the end of what was published, not past it)");
    void *p;
    GRADE_REQUIRE(ring_reserve(r, 16, &p) == 0, "ring_reserve(16) after the padding failed");
    memset(p, 0x5a, 16);
    ring_commit(r);
    int rc = ring_peek(r, &out, &len);
    GRADE_REQUIRE(
        rc == 0 && len == 16 && out == r->data + RING_HEADER,
        "after a padding record published on its own, the next record (16 bytes at the start of "
        "the area) must come out: ring_peek returned %d, %u bytes at offset %td",
        rc, rc == 0 ? len : 0, rc == 0 ? (const unsigned char *)out - r->data : -1);
    unmap(&m);
}

/* The producer loads tail only when its cached copy says there is no room:
 * a record that fills the ring exactly, by the cached copy, fits without it. */
static void check_reserve_cache(uint64_t *rnd)
{
    struct mapped m;
    uint32_t start = (uint32_t)msg_rand(rnd, 0, UINT32_MAX) & ~255u; /* at the area's start */
    struct ring *r = guarded_ring(256, start, &m);
    void *p;
    const void *out;
    uint32_t len;
    for (int i = 0; i < 8; i++) /* 8 records of 16 bytes: 128 */
        GRADE_REQUIRE(ring_reserve(r, 8, &p) == 0,
                      "ring_reserve(8) %d of 8 in an empty ring failed", i + 1);
    ring_commit(r);
    for (int i = 0; i < 2; i++)
        GRADE_REQUIRE(ring_peek(r, &out, &len) == 0, "ring_peek %d of 2 failed", i + 1);
    /* tail is now 32 bytes past the producer's cached copy */
    ring_release(r);
    for (int i = 0; i < 6; i++) /* 96 more: 224 */
        GRADE_REQUIRE(ring_reserve(r, 8, &p) == 0, "ring_reserve(8) failed with room left");
    GRADE_REQUIRE(ring_reserve(r, 0, &p) == 0, "ring_reserve(0) failed with room left"); /* 232 */
    GRADE_REQUIRE(ring_reserve(r, 16, &p) == 0, "ring_reserve(16) into the last 24 bytes failed");
    GRADE_EXPECT_LONG(
        r->tail_cache - start, 0,
        "the last record filled the ring exactly by tail_cache: there was room, so the "
        "producer must not have loaded tail (its cached copy moved)");
    unmap(&m);
}

static void check_corrupt_lengths(uint64_t *rnd)
{
    check_padding_at_head(rnd);
    struct mapped m;
    uint32_t size = 1u << msg_rand(rnd, 8, 12);
    struct ring *r = guarded_ring(size, (uint32_t)msg_rand(rnd, 0, UINT32_MAX) & ~7u, &m);
    uint32_t max = ring_max_len(r);
    GRADE_EXPECT_LONG(max, size / 2 - RING_HEADER, "ring_max_len is half the area less the header");

    /* The classic attacks, each on a freshly published record. */
    uint32_t bad[] = {max + 1, UINT32_MAX - 1, size, 0x7fffffffu};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        void *p;
        GRADE_REQUIRE(ring_reserve(r, 16, &p) == 0, "ring_reserve(16) failed in an empty ring");
        memset(p, 0xab, 16);
        ring_commit(r);
        uint32_t at = r->head_cache == atomic_load(&r->tail) ? atomic_load(&r->tail) : r->peeked;
        memcpy(r->data + (at & r->mask), &bad[i], 4);
        const void *out;
        uint32_t len;
        char what[96];
        snprintf(what, sizeof what, "a header length of %u (limit %u)", bad[i], max);
        int rc = ring_peek(r, &out, &len);
        GRADE_REQUIRE(rc == -EBADMSG, "%s: ring_peek returned %d (len %u), expected -EBADMSG: a "
                      "length from the other process is checked before use", what, rc, rc == 0 ? len : 0);
        /* Start over with a clean ring. */
        ring_init(r, size);
    }
    /* A record longer than what was published: header says 200, 24 bytes published. */
    {
        void *p;
        GRADE_REQUIRE(ring_reserve(r, 16, &p) == 0, "ring_reserve(16) failed");
        ring_commit(r);
        uint32_t l = 200;
        memcpy(r->data, &l, 4);
        const void *out;
        uint32_t len;
        GRADE_EXPECT_LONG(ring_peek(r, &out, &len), -EBADMSG,
                          "a record of 200 bytes when 24 were published reads what the producer has not written");
        ring_init(r, size);
    }
    /* Many random corruptions of a ring full of records, headers and head alike. */
    for (int round = 0; round < FUZZ_ROUNDS; round++) {
        if (round % 64 == 0) {
            ring_init(r, size);
            uint32_t start = (uint32_t)msg_rand(rnd, 0, UINT32_MAX) & ~7u;
            atomic_store(&r->head, start);
            atomic_store(&r->tail, start);
            r->reserved = r->tail_cache = r->peeked = r->head_cache = start;
            void *p;
            while (ring_reserve(r, (uint32_t)msg_rand(rnd, 0, max / 4), &p) == 0)
                ;
            ring_commit(r);
        }
        uint32_t off = (uint32_t)msg_rand(rnd, 0, size / 8 - 1) * 8, v;
        switch (msg_rand(rnd, 0, 3)) {
        case 0: v = (uint32_t)msg_rand(rnd, 0, UINT32_MAX); break;
        case 1: v = (uint32_t)msg_rand(rnd, 0, size); break;
        case 2: v = RING_PAD; break;
        default: v = max + (uint32_t)msg_rand(rnd, 0, 16) - 8; break;
        }
        memcpy(r->data + off, &v, 4);
        if (msg_rand(rnd, 0, 7) == 0)
            atomic_store(&r->head, atomic_load(&r->head) + (uint32_t)msg_rand(rnd, 0, 2 * size) - size);
        char what[96];
        snprintf(what, sizeof what, "writing %u at offset %u (round %d)", v, off, round);
        check_one_corruption(r, what);
        if (msg_rand(rnd, 0, 3) == 0)
            ring_release(r);
    }
    unmap(&m);
}

/* ------------------------------------------------------------ streams */

struct stream {
    struct ring *r;
    uint64_t n, key;
    uint32_t maxlen;
    int use_bulk;
    uint64_t *trailer; /* written after the last commit, before the close; shared */
};

static uint32_t record_len(uint64_t seq, uint64_t key, uint32_t maxlen)
{
    return 8 + (uint32_t)(msg_mix(seq ^ key) % (maxlen - 7));
}

static void *producer(void *arg)
{
    struct stream *s = arg;
    uint64_t rnd = s->key ^ 1;
    unsigned char buf[16][512];
    for (uint64_t i = 0; i < s->n;) {
        unsigned batch = (unsigned)msg_rand(&rnd, 1, 16);
        if (batch > s->n - i)
            batch = (unsigned)(s->n - i);
        if (s->use_bulk) {
            struct iovec v[16];
            for (unsigned k = 0; k < batch; k++) {
                v[k].iov_len = record_len(i + k, s->key, s->maxlen);
                v[k].iov_base = buf[k];
                msg_fill(buf[k], v[k].iov_len, i + k, s->key);
            }
            int rc, spins = 0;
            while ((rc = (s->use_bulk == 1 ? ring_push_bulk : ring_push_burst)(s->r, v, batch)) == -EAGAIN ||
                   rc == 0)
                if (++spins > 64)
                    sched_yield();
            if (rc < 0)
                return (void *)1;
            i += (uint64_t)rc;
        } else {
            for (unsigned k = 0; k < batch; k++, i++) {
                void *p;
                uint32_t len = record_len(i, s->key, s->maxlen);
                int rc, spins = 0;
                while ((rc = ring_reserve(s->r, len, &p)) == -EAGAIN) {
                    ring_commit(s->r); /* what is reserved must get out, or we wait forever */
                    if (++spins > 64)
                        sched_yield();
                }
                if (rc != 0)
                    return (void *)1;
                msg_fill(p, len, i, s->key);
            }
            ring_commit(s->r);
        }
    }
    /* A plain write outside the ring: only ring_close()'s release, and the
     * consumer's acquire of closed, order it before the consumer's read. */
    *s->trailer = s->key ^ s->n;
    ring_close(s->r);
    return NULL;
}

/* Consumer side: peek/release in random batches, or pop_burst. 0 or -1 and why. */
static int consume(struct stream *s, int use_burst, char *why, size_t whylen)
{
    uint64_t rnd = s->key ^ 2, got = 0;
    static unsigned char buf[16][512];
    int rc = 0, spins = 0;
    for (;;) {
        if (use_burst) {
            struct iovec v[16];
            unsigned n = (unsigned)msg_rand(&rnd, 1, 16);
            for (unsigned k = 0; k < n; k++)
                v[k] = (struct iovec){buf[k], sizeof buf[k]};
            rc = ring_pop_burst(s->r, v, n);
            if (rc > 0) {
                for (int k = 0; k < rc; k++, got++) {
                    int ok;
                    uint32_t want = record_len(got, s->key, s->maxlen);
                    uint64_t seq = msg_check(buf[k], v[k].iov_len, s->key, &ok);
                    if (seq != got || !ok || v[k].iov_len != want) {
                        snprintf(why, whylen, "record %llu: got seq %llu, %zu bytes (expected %u)%s",
                                 (unsigned long long)got, (unsigned long long)seq, v[k].iov_len, want,
                                 ok ? "" : ", damaged");
                        return -1;
                    }
                }
                spins = 0;
                continue;
            }
        } else {
            const void *p;
            uint32_t len;
            rc = ring_peek(s->r, &p, &len);
            if (rc == 0) {
                int ok;
                uint32_t want = record_len(got, s->key, s->maxlen);
                uint64_t seq = len >= 8 ? msg_check(p, len, s->key, &ok) : (ok = 0, 0);
                if (seq != got || !ok || len != want) {
                    snprintf(why, whylen, "record %llu: got seq %llu, %u bytes (expected %u)%s",
                             (unsigned long long)got, (unsigned long long)seq, len, want, ok ? "" : ", damaged");
                    return -1;
                }
                got++;
                if (msg_rand(&rnd, 0, 7) == 0)
                    ring_release(s->r);
                spins = 0;
                continue;
            }
            ring_release(s->r); /* nothing to read: free what we hold, or the producer may wait on us */
        }
        if (rc == -EPIPE)
            break;
        if (rc != -EAGAIN) {
            snprintf(why, whylen, "after %llu records the consumer got %d", (unsigned long long)got, rc);
            return -1;
        }
        if (++spins > 64)
            sched_yield();
    }
    if (got != s->n) {
        snprintf(why, whylen, "end of stream after %llu of %llu records", (unsigned long long)got,
                 (unsigned long long)s->n);
        return -1;
    }
    /* Under ThreadSanitizer a missing release or acquire is reported here
     * as a race on the trailer, even when the value is right. */
    if (*s->trailer != (s->key ^ s->n)) {
        snprintf(why, whylen,
                 "-EPIPE came, but what the producer wrote just before ring_close() is not "
                 "visible: ring_close must publish (release) and the consumer's load of closed "
                 "must acquire");
        return -1;
    }
    return 0;
}

static void run_stream(int procs, int use_bulk, int use_burst, uint64_t n)
{
    uint64_t rnd = msg_new_key();
    struct mapped m;
    uint32_t size = 1u << msg_rand(&rnd, 12, 16); /* a batch of 16 records always fits */
    struct ring *r = guarded_ring(size, 0u - (uint32_t)msg_rand(&rnd, 1, 4096) * RING_RECORD_ALIGN, &m);
    uint32_t maxlen = (uint32_t)msg_rand(&rnd, 16, 96); /* small records: the ring's own cost shows */
    uint64_t *trailer = proc_shared(sizeof *trailer);
    GRADE_REQUIRE(trailer != NULL, "mmap: %s", strerror(errno));
    struct stream s = {r, n, msg_new_key(), maxlen, use_bulk, trailer};
    char why[256];
#if defined(__SANITIZE_THREAD__)
    procs = 0; /* ThreadSanitizer sees only threads */
#endif
    pthread_t tid;
    pid_t pid = -1;
    if (!procs) {
        GRADE_REQUIRE(pthread_create(&tid, NULL, producer, &s) == 0, "pthread_create failed");
    } else {
        pid = fork();
        GRADE_REQUIRE(pid >= 0, "fork: %s", strerror(errno));
        if (pid == 0)
            _exit(producer(&s) == NULL ? 0 : 3);
    }
    int rc = consume(&s, use_burst, why, sizeof why);
    if (procs) {
        if (rc != 0)
            kill(pid, SIGKILL);
        int status = proc_wait(pid, 5000);
        GRADE_REQUIRE(rc == 0, "%s", why);
        GRADE_REQUIRE(status == 0, "the producer did not exit cleanly (status %d)", status);
    } else {
        GRADE_REQUIRE(rc == 0, "%s", why);
        pthread_join(tid, NULL);
    }
    munmap(trailer, sizeof *trailer);
    unmap(&m);
}

/* ------------------------------------------------------------ tests */

static void zero_copy_threads(void)
{
    uint64_t rnd = msg_new_key();
    check_corrupt_lengths(&rnd);
    check_reserve_cache(&rnd);
    run_stream(0, 0, 0, MSG_MANY);
}

static void zero_copy_processes(void)
{
    uint64_t rnd = msg_new_key();
    check_corrupt_lengths(&rnd);
    check_reserve_cache(&rnd);
    run_stream(1, 0, 0, MSG_MANY / 5);
}

static void bulk_and_burst(void)
{
    uint64_t rnd = msg_new_key(), key = msg_new_key();
    check_corrupt_lengths(&rnd);
    struct mapped m;
    struct ring *r = guarded_ring(1024, 0u - 1024, &m); /* wraps to 0 right after */
    unsigned char b[8][100];
    struct iovec v[8];
    for (int k = 0; k < 8; k++) {
        msg_fill(b[k], 100, (uint64_t)k, key);
        v[k] = (struct iovec){b[k], 100};
    }
    /* 1024 bytes hold 9 records of 100 (112 with header and alignment). */
    GRADE_EXPECT_LONG(ring_push_bulk(r, v, 8), 8, "8 records of 100 bytes fit in 1024");
    uint32_t head = atomic_load(&r->head);
    GRADE_EXPECT_LONG(ring_push_bulk(r, v, 2), -EAGAIN, "bulk is all or nothing: 2 more do not fit");
    GRADE_EXPECT_LONG(atomic_load(&r->head), head, "a failed bulk push must publish nothing");
    GRADE_EXPECT_LONG(ring_push_burst(r, v, 2), 1, "burst pushes as many as fit: one more");
    struct iovec big = {b[0], ring_max_len(r) + 1};
    GRADE_EXPECT_LONG(ring_push_bulk(r, &big, 1), -EMSGSIZE, "a record over ring_max_len");
    GRADE_EXPECT_LONG(ring_push_burst(r, &big, 1), -EMSGSIZE,
                      "push_burst whose first record is over ring_max_len");
    unsigned char out[4][128];
    struct iovec o[4];
    for (int k = 0; k < 4; k++)
        o[k] = (struct iovec){out[k], 128};
    GRADE_EXPECT_LONG(ring_pop_burst(r, o, 0), 0,
                      "pop_burst into no buffers copies nothing: 0 records");
    o[0].iov_len = 50;
    GRADE_EXPECT_LONG(ring_pop_burst(r, o, 4), -EMSGSIZE, "the next record (100 bytes) does not fit a 50-byte buffer");
    o[0].iov_len = 128;
    GRADE_EXPECT_LONG(ring_pop_burst(r, o, 4), 4, "4 buffers, 9 records: 4 come out");
    for (int k = 0; k < 4; k++) {
        int ok;
        GRADE_REQUIRE(o[k].iov_len == 100 && msg_check(out[k], 100, key, &ok) == (uint64_t)k && ok,
                      "record %d out of pop_burst is wrong (len %zu)", k, o[k].iov_len);
    }
    ring_close(r);
    int total = 4, rc;
    while ((rc = ring_pop_burst(r, o, 4)) > 0) {
        total += rc;
        for (int k = 0; k < 4; k++)
            o[k].iov_len = 128;
    }
    GRADE_EXPECT_LONG(total, 9, "every record pushed before the close comes out");
    GRADE_EXPECT_LONG(rc, -EPIPE, "then the end of stream");
    unmap(&m);
    run_stream(0, 1, 1, MSG_MANY / 5);
    run_stream(1, 2, 1, MSG_MANY / 10);
}

GRADE_TESTS(
    GRADE_TEST_TIMEOUT("08.1", "corrupt headers rejected; reserve/commit/peek/release: 2M records, two threads",
                       zero_copy_threads, 4, 40),
    GRADE_TEST_TIMEOUT("08.1", "corrupt headers rejected; 400,000 zero-copy records between two processes",
                       zero_copy_processes, 3, 30),
    GRADE_TEST_TIMEOUT("08.1", "corrupt headers rejected; bulk is all or nothing, burst as many as fit",
                       bulk_and_burst, 3, 30),
)
