/* Graded tests for exercise 06.1 (chapters/06-ring-spsc/ring.h).
 * Every test also streams page-sized messages through a ring of one or two
 * slots: the producer then writes into a slot the moment the consumer frees
 * it, so freeing a slot before copying it out, or publishing it before the
 * copy in is visible, shows up as a damaged message (or, under
 * ThreadSanitizer, as a data race). */
#include "grade.h"
#include "ring.h"
#include "stream.h"
#include "closerace.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifdef IPC_SANITIZED
#define TINY_MSGS 20000ULL
#else
#define TINY_MSGS 50000ULL
#endif

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
    uint32_t cap = 1u << msg_rand(&rnd, 3, 10), size = 8 * (uint32_t)msg_rand(&rnd, 2, 16);
    int rc = stream_run(STREAM_PROCS, cap, size, UINT32_MAX - (uint32_t)msg_rand(&rnd, 0, 5000),
                        MSG_MANY / 5, why, sizeof why);
    GRADE_REQUIRE(rc == 0, "%s", why);
    tiny_ring_big_messages(&rnd);
}

static void try_ops_and_close(void)
{
    uint64_t rnd = msg_new_key(), key = msg_new_key();
    char why[512];
    uint32_t cap = 1u << msg_rand(&rnd, 1, 5);
    struct ring *r = stream_ring(cap, 16, UINT32_MAX - 1, why, sizeof why);
    GRADE_REQUIRE(r != NULL, "%s", why);
    unsigned char m[16];
    GRADE_EXPECT_LONG(ring_try_pop(r, m), -EAGAIN, "an empty, open ring: nothing yet, try again later");
    for (uint32_t i = 0; i < cap; i++) {
        msg_fill(m, 16, i, key);
        GRADE_REQUIRE(ring_try_push(r, m) == 0, "try_push %u of %u failed", i + 1, cap);
    }
    GRADE_EXPECT_LONG(ring_try_push(r, m), -EAGAIN, "a full ring refuses a push with -EAGAIN");
    ring_close(r);
    for (uint32_t i = 0; i < cap; i++) {
        int ok, rc = ring_try_pop(r, m);
        GRADE_REQUIRE(rc == 0 && msg_check(m, 16, key, &ok) == i && ok,
                      "pop %u of %u after close: rc %d; elements pushed before close() are delivered first",
                      i + 1, cap, rc);
    }
    GRADE_EXPECT_LONG(ring_try_pop(r, m), -EPIPE, "closed and drained: end of stream");
    GRADE_EXPECT_LONG(ring_pop(r, m), -EPIPE, "ring_pop too reports the end of stream, without waiting");
    munmap(r, ring_bytes(cap, 16));

    /* Memory that held something else (an old ring, any bytes at all): what
     * ring_init makes of it is as empty and open as a fresh mapping. */
    size_t bytes = ring_bytes(cap, 16);
    r = proc_shared(bytes);
    GRADE_REQUIRE(r != NULL, "test set-up: mmap: %s", strerror(errno));
    memset(r, 0xff, bytes);
    GRADE_EXPECT_LONG(ring_init(r, cap, 16), 0, "ring_init over memory whose every byte is 0xff");
    GRADE_EXPECT_LONG(
        ring_try_pop(r, m), -EAGAIN,
        "ring_init over memory whose every byte was 0xff: the ring must be empty and open "
        "(ring_init sets head, tail and closed, whatever was there)");
    for (uint32_t i = 0; i < cap; i++) {
        msg_fill(m, 16, i, key);
        GRADE_REQUIRE(ring_try_push(r, m) == 0,
                      "after ring_init over old memory: try_push %u of %u failed", i + 1, cap);
    }
    GRADE_EXPECT_LONG(ring_try_push(r, m), -EAGAIN,
                      "after ring_init over old memory: full after capacity pushes");
    for (uint32_t i = 0; i < cap; i++) {
        int ok, rc = ring_try_pop(r, m);
        GRADE_REQUIRE(
            rc == 0 && msg_check(m, 16, key, &ok) == i && ok,
            "after ring_init over old memory: pop %u of %u: rc %d, or not the element pushed",
            i + 1, cap, rc);
    }
    GRADE_EXPECT_LONG(ring_try_pop(r, m), -EAGAIN,
                      "after ring_init over old memory: empty again, still open");
    GRADE_EXPECT_LONG(ring_init(r, 12, 16), -EINVAL,
                      "ring_init of capacity 12: not a power of two");
    GRADE_EXPECT_LONG(ring_init(r, cap, 0), -EINVAL, "ring_init of 0-byte elements");
    GRADE_EXPECT_LONG(ring_init(NULL, cap, 16), -EINVAL, "ring_init of a NULL ring");
    munmap(r, bytes);
    GRADE_EXPECT_LONG(ring_bytes(12, 8), 0, "capacity 12 is not a power of two");
    tiny_ring_big_messages(&rnd);
}

GRADE_TESTS(
    GRADE_TEST_TIMEOUT("06.1", "two threads: 2 million checked messages in order across the wrap",
                       ten_million_threads, 4, 30),
    GRADE_TEST_TIMEOUT("06.1", "two processes: 400,000 checked messages, then end of stream",
                       two_processes, 3, 30),
    GRADE_TEST_TIMEOUT("06.1", "try_push/try_pop: -EAGAIN when full/empty, drain then -EPIPE after close",
                       try_ops_and_close, 2, 20),
    GRADE_TEST_TIMEOUT("06.1", "an element pushed just before close() is popped before -EPIPE",
                       close_never_loses_the_last, 2, 10),
)
