/* Graded tests for exercise 04.1 (chapters/04-ring-buffer/ring.h). */
#include "grade.h"
#include "msgcheck.h"
#include "ring.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void rejects_bad_arguments(void)
{
    struct ring r;
    unsigned char buf[64];
    uint32_t bad[] = {0, 3, 6, 100, 1000, 0x80000001u, 0xffffffffu};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        GRADE_CHECK(ring_init(&r, buf, bad[i], 1) == -EINVAL,
                    "ring_init with capacity %u: expected -EINVAL (not a power of two, or out of "
                    "range: the mask trick needs a power of two)", bad[i]);
    GRADE_EXPECT_LONG(ring_init(&r, buf, 8, 0), -EINVAL, "an element of 0 bytes makes no sense");
    GRADE_EXPECT_LONG(ring_init(&r, NULL, 8, 4), -EINVAL, "no storage");
    GRADE_EXPECT_LONG(ring_init(NULL, buf, 8, 4), -EINVAL, "no ring");
    for (uint32_t cap = 1; cap <= 64; cap *= 2) {
        GRADE_REQUIRE(ring_init(&r, buf, cap, 1) == 0, "ring_init with capacity %u must succeed", cap);
        GRADE_EXPECT_LONG(r.mask, cap - 1, "mask is capacity - 1");
        GRADE_CHECK(ring_empty(&r) && !ring_full(&r) && ring_size(&r) == 0,
                    "a new ring of capacity %u must be empty, not full, size 0", cap);
    }
    /* The smallest ring: one slot, full after one push. */
    GRADE_REQUIRE(ring_init(&r, buf, 1, 8) == 0, "ring_init with capacity 1 must succeed");
    GRADE_EXPECT_LONG(ring_push(&r, "12345678"), 0, "one push into an empty ring of capacity 1");
    GRADE_EXPECT_LONG(ring_size(&r), 1, "one element in the ring");
    GRADE_CHECK(ring_full(&r) && !ring_empty(&r), "a ring of capacity 1 holding one element is full");
    GRADE_EXPECT_LONG(ring_push(&r, "abcdefgh"), -EAGAIN, "a second push into a ring of capacity 1 fails");
    GRADE_EXPECT_LONG(ring_init(&r, buf, RING_MAX_CAPACITY, 1), 0,
                      "RING_MAX_CAPACITY (2^31) is allowed: ring_init only records the storage");
}

/* Fill to the brim and empty again, from a start index the learner cannot guess. */
static void fills_and_drains_in_order(void)
{
    uint64_t rnd = msg_new_key(), key = msg_new_key();
    uint32_t cap = 1u << msg_rand(&rnd, 2, 7), size = (uint32_t)msg_rand(&rnd, 8, 40);
    unsigned char *buf = malloc((size_t)cap * size), in[64], out[64];
    struct ring r;
    GRADE_REQUIRE(buf && ring_init(&r, buf, cap, size) == 0, "ring_init(capacity %u, elem %u) failed", cap, size);
    uint32_t start = (uint32_t)msg_rand(&rnd, 0, UINT32_MAX);
    r.head = r.tail = start;
    for (uint32_t i = 0; i < cap; i++) {
        GRADE_EXPECT_LONG(ring_size(&r), i, "size counts the elements pushed so far");
        msg_fill(in, size, i, key);
        GRADE_REQUIRE(ring_push(&r, in) == 0, "push %u of %u into an empty ring of capacity %u failed", i + 1, cap, cap);
    }
    GRADE_CHECK(ring_full(&r), "after %u pushes a ring of capacity %u is full", cap, cap);
    memset(in, 0xee, sizeof in);
    GRADE_EXPECT_LONG(ring_push(&r, in), -EAGAIN, "a push into a full ring must fail, never overwrite the oldest");
    for (uint32_t i = 0; i < cap; i++) {
        memset(out, 0, sizeof out);
        GRADE_REQUIRE(ring_pop(&r, out) == 0, "pop %u of %u failed", i + 1, cap);
        int ok;
        uint64_t seq = msg_check(out, size, key, &ok);
        GRADE_REQUIRE(seq == i && ok, "pop %u: expected element %u intact, got element %llu%s "
                      "(FIFO: first in, first out)", i + 1, i, (unsigned long long)seq, ok ? "" : ", damaged");
    }
    GRADE_CHECK(ring_empty(&r) && ring_size(&r) == 0, "after popping everything the ring is empty");
    memset(out, 0x5a, sizeof out);
    GRADE_EXPECT_LONG(ring_pop(&r, out), -EAGAIN, "a pop from an empty ring fails");
    GRADE_CHECK(out[0] == 0x5a && out[size - 1] == 0x5a, "a failed pop must leave the caller's buffer alone");
    GRADE_EXPECT_LONG(r.head, start + cap, "head moved by one per push");
    GRADE_EXPECT_LONG(r.tail, start + cap, "tail moved by one per pop");
    free(buf);
}

/* A million random pushes and pops against a model, with the indices
 * starting just below UINT32_MAX, so they wrap to 0 during the test. */
static void survives_index_wrap(void)
{
    uint64_t rnd = msg_new_key(), key = msg_new_key();
    uint32_t cap = 1u << msg_rand(&rnd, 1, 6), size = 8 * (uint32_t)msg_rand(&rnd, 1, 4);
    unsigned char *buf = malloc((size_t)cap * size), tmp[32];
    struct ring r;
    GRADE_REQUIRE(buf && ring_init(&r, buf, cap, size) == 0, "ring_init(capacity %u) failed", cap);
    r.head = r.tail = UINT32_MAX - (uint32_t)msg_rand(&rnd, 0, 3 * cap);
    uint64_t next_in = 0, next_out = 0;
    for (int op = 0; op < 1000000; op++) {
        uint32_t count = (uint32_t)(next_in - next_out);
        GRADE_REQUIRE(ring_size(&r) == count, "after %d operations (head %u, tail %u): size %u, "
                      "expected %u; unsigned head - tail stays right across the wrap",
                      op, r.head, r.tail, ring_size(&r), count);
        GRADE_REQUIRE(ring_full(&r) == (count == cap) && ring_empty(&r) == (count == 0),
                      "full/empty wrong with %u of %u elements (head %u, tail %u)", count, cap, r.head, r.tail);
        if (msg_rand(&rnd, 0, 1)) {
            msg_fill(tmp, size, next_in, key);
            int rc = ring_push(&r, tmp);
            GRADE_REQUIRE(rc == (count == cap ? -EAGAIN : 0), "push with %u of %u elements returned %d "
                          "(head %u, tail %u)", count, cap, rc, r.head, r.tail);
            next_in += rc == 0;
        } else {
            int rc = ring_pop(&r, tmp), ok = 1;
            GRADE_REQUIRE(rc == (count == 0 ? -EAGAIN : 0), "pop with %u elements returned %d "
                          "(head %u, tail %u)", count, rc, r.head, r.tail);
            if (rc == 0) {
                uint64_t seq = msg_check(tmp, size, key, &ok);
                GRADE_REQUIRE(seq == next_out && ok, "expected element %llu, got %llu%s (head %u, tail %u): "
                              "lost, duplicated or overwritten at the wrap", (unsigned long long)next_out,
                              (unsigned long long)seq, ok ? "" : " damaged", r.head, r.tail);
                next_out++;
            }
        }
    }
    free(buf);
}

GRADE_TESTS(
    GRADE_TEST("04.1", "init accepts powers of two only; a new ring is empty", rejects_bad_arguments, 2),
    GRADE_TEST("04.1", "fills to capacity, refuses one more, drains in FIFO order", fills_and_drains_in_order, 3),
    GRADE_TEST("04.1", "a million random pushes/pops stay right while the indices wrap", survives_index_wrap, 3),
)
