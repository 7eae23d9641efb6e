/* Graded tests for exercise 07.1 (chapters/07-ring-cacheline/ring.h).
 * Every test first checks that each side reads the other side's index only
 * when its cached copy says it must, then streams checked messages between
 * two threads or processes, including page-sized ones through a 1-2 slot
 * ring, where a missing acquire on a refresh shows up (under ThreadSanitizer). */
#include "grade.h"
#include "ring.h"

#define STREAM_SET_START(r, start)                                                                 \
    do {                                                                                           \
        atomic_store(&(r)->head, (start));                                                         \
        atomic_store(&(r)->tail, (start));                                                         \
        (r)->tail_cache = (r)->head_cache = (start);                                               \
    } while (0)
#include "../06-ring-spsc/stream.h"
#include "../06-ring-spsc/closerace.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifdef IPC_SANITIZED
#define TINY_MSGS 20000ULL
#else
#define TINY_MSGS 50000ULL
#endif

static void push_ok(struct ring *r, uint64_t seq, uint64_t key)
{
    unsigned char m[16];
    msg_fill(m, 16, seq, key);
    int rc = ring_try_push(r, m);
    GRADE_REQUIRE(rc == 0, "ring_try_push of message %llu returned %d (head %u, tail %u, tail_cache %u)",
                  (unsigned long long)seq, rc, atomic_load(&r->head), atomic_load(&r->tail), r->tail_cache);
}

static void pop_ok(struct ring *r, uint64_t seq, uint64_t key)
{
    unsigned char m[16];
    int ok, rc = ring_try_pop(r, m);
    GRADE_REQUIRE(rc == 0, "ring_try_pop of message %llu returned %d (head %u, tail %u, head_cache %u)",
                  (unsigned long long)seq, rc, atomic_load(&r->head), atomic_load(&r->tail), r->head_cache);
    GRADE_REQUIRE(msg_check(m, 16, key, &ok) == seq && ok, "expected message %llu intact", (unsigned long long)seq);
}

/* One thread plays both sides, step by step, and looks at the cached copies. */
static void check_caches(uint64_t *rnd)
{
    char why[512];
    uint64_t key = msg_new_key(), in = 0, out = 0;
    uint32_t cap = 1u << msg_rand(rnd, 2, 6), start = (uint32_t)msg_rand(rnd, 0, UINT32_MAX);
    struct ring *r = stream_ring(cap, 16, start, why, sizeof why);
    GRADE_REQUIRE(r != NULL, "%s", why);

    push_ok(r, in++, key);
    pop_ok(r, out++, key);
    GRADE_EXPECT_LONG(r->head_cache, start + 1,
                      "head_cache said empty, so the consumer must have loaded head into it");
    push_ok(r, in++, key);
    GRADE_EXPECT_LONG(r->tail_cache, start,
                      "tail_cache still showed room: the producer must not load tail (every load of the "
                      "consumer's line is a cache miss); it keeps the old copy");
    pop_ok(r, out++, key);
    for (uint32_t i = 0; i < cap - 2; i++)
        push_ok(r, in++, key);
    GRADE_EXPECT_LONG(r->tail_cache, start, "as long as tail_cache shows room, tail is not loaded");
    push_ok(r, in++, key); /* the copy says full; the real tail says there are 2 free slots */
    GRADE_EXPECT_LONG(r->tail_cache, start + 2,
                      "tail_cache said full, so the producer must load tail into it, and find room");
    pop_ok(r, out++, key);
    uint32_t seen = r->head_cache;
    GRADE_EXPECT_LONG(seen, start + cap + 1, "head_cache said empty: load head into it");
    push_ok(r, in++, key);
    pop_ok(r, out++, key);
    GRADE_EXPECT_LONG(r->head_cache, seen,
                      "head_cache still showed elements: the consumer must not load head");
    while (out < in)
        pop_ok(r, out++, key);
    munmap(r, ring_bytes(cap, 16));
}

static void tiny_ring_big_messages(uint64_t *rnd)
{
    char why[512];
    uint32_t cap = 1u << msg_rand(rnd, 0, 1);
    int rc = stream_run(STREAM_THREADS, cap, 4096, UINT32_MAX - (uint32_t)msg_rand(rnd, 0, 100),
                        TINY_MSGS, why, sizeof why);
    GRADE_REQUIRE(rc == 0, "%s", why);
}

static void ten_million_threads(void)
{
    uint64_t rnd = msg_new_key();
    char why[512];
    check_caches(&rnd);
    uint32_t cap = 1u << msg_rand(&rnd, 6, 12), size = 8 * (uint32_t)msg_rand(&rnd, 2, 4);
    uint64_t n = MSG_MANY + msg_rand(&rnd, 0, 1000);
    int rc = stream_run(STREAM_THREADS, cap, size, UINT32_MAX - (uint32_t)msg_rand(&rnd, 0, 5000), n,
                        why, sizeof why);
    GRADE_REQUIRE(rc == 0, "%s", why);
    tiny_ring_big_messages(&rnd);
}

static void two_processes(void)
{
    uint64_t rnd = msg_new_key();
    char why[512];
    check_caches(&rnd);
    uint32_t cap = 1u << msg_rand(&rnd, 3, 10), size = 8 * (uint32_t)msg_rand(&rnd, 2, 16);
    int rc = stream_run(STREAM_PROCS, cap, size, UINT32_MAX - (uint32_t)msg_rand(&rnd, 0, 5000),
                        MSG_MANY / 5, why, sizeof why);
    GRADE_REQUIRE(rc == 0, "%s", why);
    tiny_ring_big_messages(&rnd);
}

static void layout_and_close(void)
{
    uint64_t rnd = msg_new_key(), key = msg_new_key();
    char why[512];
    check_caches(&rnd);
    struct ring *r = stream_ring(4, 16, 7, why, sizeof why);
    GRADE_REQUIRE(r != NULL, "%s", why);
    GRADE_EXPECT_LONG(ring_init((struct ring *)((char *)r + 64), 4, 16), -EINVAL,
                      "a ring not aligned to RING_ALIGN would put both sides on one line pair");
    GRADE_EXPECT_LONG(ring_init(r, 12, 16), -EINVAL,
                      "ring_init of capacity 12: not a power of two");
    GRADE_EXPECT_LONG(ring_init(NULL, 4, 16), -EINVAL, "ring_init of a NULL ring");
    ring_init(r, 4, 16); /* a wrong answer may have changed it before refusing: start over */
    STREAM_SET_START(r, 7u);
    for (uint64_t i = 0; i < 3; i++)
        push_ok(r, i, key);
    ring_close(r);
    for (uint64_t i = 0; i < 3; i++)
        pop_ok(r, i, key);
    unsigned char m[16];
    GRADE_EXPECT_LONG(ring_try_pop(r, m), -EPIPE, "closed and drained: end of stream");
    munmap(r, ring_bytes(4, 16));
    tiny_ring_big_messages(&rnd);
}

/* Memory that held an earlier ring: mmap's zeros are not a promise, so
 * ring_init must store every index, cached copy and the closed flag. */
static void init_over_old_ring(void)
{
    uint64_t key = msg_new_key();
    size_t bytes = ring_bytes(8, 16);
    GRADE_REQUIRE(bytes >= sizeof(struct ring) + 8 * 16, "ring_bytes(8, 16) = %zu: too small", bytes);
    struct ring *r = proc_shared(bytes);
    GRADE_REQUIRE(r != NULL, "mmap: %s", strerror(errno));
    memset(r, 0xa5, bytes);
    int rc = ring_init(r, 8, 16);
    GRADE_REQUIRE(rc == 0, "ring_init(8, 16) over an old ring's memory returned %d, expected 0", rc);
    unsigned char m[16];
    GRADE_EXPECT_LONG(ring_try_pop(r, m), -EAGAIN,
                      "ring_init makes an empty, open ring whatever the memory held before: it must "
                      "store both indices, both cached copies and closed");
    for (uint64_t i = 0; i < 8; i++)
        push_ok(r, i, key);
    GRADE_EXPECT_LONG(ring_try_push(r, m), -EAGAIN, "8 pushes fill a ring of 8, even over old memory");
    for (uint64_t i = 0; i < 8; i++)
        pop_ok(r, i, key);
    munmap(r, bytes);
}

GRADE_TESTS(
    GRADE_TEST_TIMEOUT("07.1", "cached indices; two threads: 2 million checked messages across the wrap",
                       ten_million_threads, 4, 30),
    GRADE_TEST_TIMEOUT("07.1", "cached indices; two processes: 400,000 checked messages, then end of stream",
                       two_processes, 3, 30),
    GRADE_TEST_TIMEOUT("07.1", "cached indices; alignment checked; close drains, then -EPIPE",
                       layout_and_close, 2, 20),
    GRADE_TEST("07.1", "ring_init over an old ring's memory: empty, open, every index reset",
               init_over_old_ring, 1),
    GRADE_TEST_TIMEOUT("07.1", "an element pushed just before close() is popped, once, before -EPIPE",
                       close_never_loses_the_last, 2, 10),
)
