/* Graded tests for exercise 05.1 (chapters/05-ring-shm-lock/ring.h).
 * Producer and consumer are two processes over anonymous shared memory. */
#include "../04-ring-buffer/msgcheck.h"
#include "../04-ring-buffer/proc.h"
#include "grade.h"
#include "ring.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifdef IPC_SANITIZED
#define TWO_PROC_MSGS 50000ULL
#else
#define TWO_PROC_MSGS 300000ULL
#endif

/* A ring in fresh shared memory, its indices started at `start`. */
static struct ring *new_ring(uint32_t cap, uint32_t size, uint32_t start)
{
    size_t bytes = ring_bytes(cap, size);
    GRADE_REQUIRE(bytes >= sizeof(struct ring) + (size_t)cap * size,
                  "ring_bytes(%u, %u) = %zu: too small for the header and the slots", cap, size, bytes);
    struct ring *r = proc_shared(bytes);
    GRADE_REQUIRE(r != NULL, "mmap failed: %s", strerror(errno));
    int rc = ring_init(r, cap, size);
    GRADE_REQUIRE(rc == 0, "ring_init(capacity %u, elem %u) returned %d, expected 0", cap, size, rc);
    GRADE_REQUIRE(r->head == r->tail,
                  "ring_init left head %u and tail %u: a new ring is empty, head == tail", r->head,
                  r->tail);
    /* Made alike with the same attributes, the two condition variables hold
     * the same bytes; glibc's pthread_cond_destroy() marks the one it
     * destroys. Using a destroyed one is undefined: waits may hang. */
    GRADE_REQUIRE(
        memcmp(&r->not_empty, &r->not_full, sizeof r->not_full) == 0,
        "after ring_init, not_empty differs from not_full: was it destroyed, or made with other "
        "attributes? (destroy one only when the other's pthread_cond_init failed)");
    r->head = r->tail = start;
    return r;
}

static void free_ring(struct ring *r)
{
    size_t bytes = ring_bytes(r->mask + 1, r->elem_size);
    ring_destroy(r);
    munmap(r, bytes);
}

/* In one process: what was pushed before close() still comes out, in order,
 * then every pop says end of stream, and pushes are refused. */
static void check_drain_after_close(uint64_t key)
{
    uint64_t rnd = key;
    uint32_t cap = 1u << msg_rand(&rnd, 2, 5), n = (uint32_t)msg_rand(&rnd, 1, cap);
    struct ring *r = new_ring(cap, 24, UINT32_MAX - 1);
    unsigned char m[24];
    for (uint32_t i = 0; i < n; i++) {
        msg_fill(m, sizeof m, i, key);
        GRADE_REQUIRE(ring_push(r, m) == 0, "push %u of %u into an open ring failed", i + 1, n);
    }
    ring_close(r);
    GRADE_EXPECT_LONG(ring_push(r, m), -EPIPE, "a push after ring_close() is refused with -EPIPE");
    for (uint32_t i = 0; i < n; i++) {
        int ok, rc = ring_pop(r, m);
        GRADE_REQUIRE(rc == 0, "pop %u of %u after close returned %d: elements pushed before close() "
                      "must still be delivered (drain, then end of stream)", i + 1, n, rc);
        GRADE_REQUIRE(msg_check(m, sizeof m, key, &ok) == i && ok, "element %u after close is wrong", i);
    }
    GRADE_EXPECT_LONG(ring_pop(r, m), -EPIPE, "closed and empty: end of stream");
    GRADE_EXPECT_LONG(ring_pop(r, m), -EPIPE, "end of stream stays end of stream");
    free_ring(r);
}

/* Child: pushes n checked messages, then closes; exit status 0 if all went in. */
static _Noreturn void produce(struct ring *r, uint64_t n, uint64_t key)
{
    unsigned char m[64];
    for (uint64_t i = 0; i < n; i++) {
        msg_fill(m, r->elem_size, i, key);
        if (ring_push(r, m) != 0)
            _exit(3);
    }
    ring_close(r);
    _exit(0);
}

static void two_processes_in_order(void)
{
    uint64_t rnd = msg_new_key(), key = msg_new_key();
    uint32_t cap = 1u << msg_rand(&rnd, 2, 6), size = 8 * (uint32_t)msg_rand(&rnd, 2, 8);
    struct ring *r = new_ring(cap, size, UINT32_MAX - (uint32_t)msg_rand(&rnd, 0, 1000));
    uint64_t n = TWO_PROC_MSGS + msg_rand(&rnd, 0, 1000);
    pid_t pid = fork();
    GRADE_REQUIRE(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0)
        produce(r, n, key);

    unsigned char m[64];
    uint64_t got = 0;
    int rc, ok = 1;
    while ((rc = ring_pop(r, m)) == 0) {
        uint64_t seq = msg_check(m, size, key, &ok);
        if (seq != got || !ok)
            break;
        got++;
    }
    int status = proc_wait(pid, 5000);
    GRADE_CHECK(ok, "message %llu arrived damaged: a slot was read while being written", (unsigned long long)got);
    GRADE_CHECK(rc != 0 || !ok, "after %llu messages got message %llu: lost, duplicated or reordered",
                (unsigned long long)got, (unsigned long long)msg_check(m, size, key, &ok));
    GRADE_CHECK(rc == 0 || rc == -EPIPE, "ring_pop returned %d", rc);
    GRADE_EXPECT_LONG(got, n, "the consumer must receive every message before the end of stream");
    GRADE_CHECK(status == 0, "the producer process failed (status %d): a push failed or it hung", status);
    free_ring(r);
    check_drain_after_close(key);
}

static void sleeps_while_empty_and_full(void)
{
    uint64_t key = msg_new_key();
    uint32_t cap = 4;
    struct ring *r = new_ring(cap, 16, UINT32_MAX - 2);
    pid_t pid = fork();
    GRADE_REQUIRE(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        unsigned char m[16];
        proc_sleep_ms(50); /* the parent is asleep in ring_pop by now */
        for (uint64_t i = 0; i <= cap + 1; i++) { /* one more than fits after the first is taken */
            msg_fill(m, 16, i, key);
            if (ring_push(r, m) != 0)
                _exit(3);
        }
        _exit(0);
    }
    unsigned char m[16];
    int ok, rc = ring_pop(r, m);
    GRADE_REQUIRE(rc == 0, "ring_pop on an empty ring must sleep until a push, not return %d", rc);
    GRADE_EXPECT_LONG(msg_check(m, 16, key, &ok), 0, "the first message pushed comes out first");
    proc_sleep_ms(150);
    GRADE_CHECK(proc_running(pid), "the producer pushed %u messages into a ring of capacity %u and "
                "finished: ring_push must sleep while the ring is full", cap + 1, cap);
    for (uint64_t i = 1; i <= cap + 1; i++) {
        rc = ring_pop(r, m);
        GRADE_REQUIRE(rc == 0 && msg_check(m, 16, key, &ok) == i && ok,
                      "message %llu: rc %d (a full ring must wake the producer once a slot frees up)",
                      (unsigned long long)i, rc);
    }
    int status = proc_wait(pid, 3000);
    GRADE_CHECK(status == 0, "the producer did not finish cleanly (status %d): was it woken?", status);
    free_ring(r);
    check_drain_after_close(key);
}

static void close_wakes_sleepers(void)
{
    uint64_t key = msg_new_key();
    struct ring *r = new_ring(8, 16, 0);
    pid_t pid = fork();
    GRADE_REQUIRE(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        unsigned char m[16];
        _exit(ring_pop(r, m) == -EPIPE ? 0 : 3); /* sleeps: nothing will come */
    }
    proc_sleep_ms(100);
    ring_close(r);
    int status = proc_wait(pid, 2000);
    GRADE_CHECK(status != -1, "a consumer asleep in ring_pop was never woken by ring_close: "
                "close must broadcast to every sleeper");
    GRADE_CHECK(status == -1 || status == 0, "the sleeping consumer's ring_pop did not return -EPIPE after close");
    free_ring(r);

    /* The same for a producer asleep on a full ring. */
    r = new_ring(2, 16, UINT32_MAX);
    unsigned char m[16] = {0};
    for (int i = 0; i < 2; i++)
        GRADE_REQUIRE(ring_push(r, m) == 0, "push %d into an empty ring of capacity 2 failed",
                      i + 1);
    pid = fork();
    GRADE_REQUIRE(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0)
        _exit(ring_push(r, m) == -EPIPE ? 0 : 3); /* sleeps: the ring is full */
    proc_sleep_ms(100);
    ring_close(r);
    status = proc_wait(pid, 2000);
    GRADE_CHECK(status != -1,
                "a producer asleep in ring_push on a full ring was never woken by ring_close: "
                "close must broadcast on not_full too");
    GRADE_CHECK(status == -1 || status == 0,
                "the sleeping producer's ring_push did not return -EPIPE after close");
    free_ring(r);
    check_drain_after_close(key);
}

static void rejects_bad_sizes(void)
{
    GRADE_EXPECT_LONG(ring_bytes(6, 8), 0, "capacity 6 is not a power of two");
    GRADE_EXPECT_LONG(ring_bytes(0, 8), 0, "capacity 0");
    GRADE_EXPECT_LONG(ring_bytes(8, 0), 0, "elements of 0 bytes");
    unsigned char mem[sizeof(struct ring) + 64];
    GRADE_EXPECT_LONG(ring_init((struct ring *)(void *)mem, 12, 4), -EINVAL, "capacity 12");
    check_drain_after_close(msg_new_key());
}

GRADE_TESTS(
    GRADE_TEST_TIMEOUT("05.1", "two processes: every message in order across the wrap, then end of stream",
                       two_processes_in_order, 4, 20),
    GRADE_TEST("05.1", "pop sleeps while empty, push sleeps while full, each woken by the other",
               sleeps_while_empty_and_full, 3),
    GRADE_TEST("05.1", "close wakes a sleeping consumer and producer; a closed ring drains, then ends",
               close_wakes_sleepers, 2),
    GRADE_TEST("05.1", "ring_bytes/ring_init reject bad sizes", rejects_bad_sizes, 1),
)
