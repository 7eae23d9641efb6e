/*
 * The close race of a ring's consumer, staged: a test of every lock-free
 * step whose ring has ring_try_push, ring_try_pop, ring_close and a head
 * index (06 and 07). Include it after ring.h and stream.h; call
 * close_never_loses_the_last() from a graded test.
 */
#ifndef RING_CLOSERACE_H
#define RING_CLOSERACE_H

#include "grade.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>

/*
 * The close race, played out by hand. The consumer finds the ring empty
 * (head == tail), and before it looks at closed the producer pushes its last
 * element and closes. A consumer that then trusts its old look at head ends
 * the stream with that element still in the ring. The window is a few
 * instructions wide, so instead of hoping to hit it, the consumer runs in a
 * child under ptrace with a hardware watchpoint on head: the child stops
 * right after its k-th access to head, and the test (the producer) pushes
 * and closes at exactly that point. Every k is a legal interleaving: a
 * correct ring hands the element out, then -EPIPE.
 */
#if defined(__x86_64__)
enum { RACE_POPS = 64 };

/* What the consumer saw: its try_pop results, and the element it got. */
struct race_log {
    int n, popped;
    int rc[RACE_POPS];
    unsigned char got[16];
};

static long set_dr(pid_t pid, int i, unsigned long v)
{
    return ptrace(PTRACE_POKEUSER, pid,
                  (void *)(offsetof(struct user, u_debugreg) + i * sizeof(long)), (void *)v);
}

/* Consumer in the child: stop for the tracer, then try_pop until something
 * other than -EAGAIN comes, twice (the element, then the end). */
static void race_consumer(struct ring *r, struct race_log *log)
{
    if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0)
        _exit(2);
    raise(SIGSTOP);
    unsigned char m[16];
    int ends = 0;
    for (int tries = 0; log->n < RACE_POPS && ends < 2 && tries < 100000; tries++) {
        int rc = ring_try_pop(r, m);
        if (rc == -EAGAIN && log->n > 0 && log->rc[log->n - 1] == -EAGAIN)
            continue; /* log each run of -EAGAIN once */
        if (rc == 0 && !log->popped++)
            memcpy(log->got, m, sizeof m); /* the first element handed out */
        log->rc[log->n++] = rc;
        ends += rc != -EAGAIN;
        if (rc == -EPIPE)
            break;
    }
    _exit(0);
}

/* One round: returns 1 if the race could be staged (the verdict is in the
 * checks), 0 if ptrace or the debug registers are not available here. */
static int close_race_round(int k, uint64_t *rnd)
{
    char why[512];
    struct ring *r =
        stream_ring(2, 16, UINT32_MAX - (uint32_t)msg_rand(rnd, 0, 3), why, sizeof why);
    GRADE_REQUIRE(r != NULL, "%s", why);
    struct race_log *log = proc_shared(sizeof *log);
    GRADE_REQUIRE(log != NULL, "test set-up: mmap: %s", strerror(errno));
    pid_t pid = fork();
    GRADE_REQUIRE(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0)
        race_consumer(r, log);

    int status, staged = 0, pushed = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
        goto out; /* PTRACE_TRACEME refused: exit status 2 */
    /* DR0 = &head; DR7: enable 0, break on read or write, 4 bytes. */
    if (set_dr(pid, 0, (unsigned long)&r->head) != 0 ||
        set_dr(pid, 7, 1ul | 3ul << 16 | 3ul << 18) != 0)
        goto out;
    staged = 1;
    for (int hits = 0; !pushed;) {
        if (ptrace(PTRACE_CONT, pid, NULL, NULL) != 0 || waitpid(pid, &status, 0) != pid)
            break;
        if (!WIFSTOPPED(status))
            break; /* it ended without touching head k times */
        if (WSTOPSIG(status) != SIGTRAP || ++hits < k)
            continue;
        /* The consumer just read head: push the last element and close. */
        unsigned char m[16];
        msg_fill(m, 16, 7, 42);
        GRADE_REQUIRE(ring_try_push(r, m) == 0, "try_push into an empty ring failed");
        ring_close(r);
        set_dr(pid, 7, 0);
        pushed = 1;
    }
    if (pushed && ptrace(PTRACE_CONT, pid, NULL, NULL) == 0)
        waitpid(pid, &status, 0);
    if (!pushed) {
        GRADE_CHECK(0, "the consumer's try_pop never read head %d times (it returned %d first)", k,
                    log->n > 0 ? log->rc[log->n - 1] : 0);
    } else {
        int i = 0, ok;
        while (i < log->n && log->rc[i] == -EAGAIN)
            i++;
        if (i < log->n && log->rc[i] == -EPIPE)
            GRADE_CHECK(
                0,
                "try_pop returned -EPIPE with an element still in the ring: it read "
                "head (%d time%s), found the ring empty, then the producer pushed and closed "
                "before it read closed; after seeing closed, look at head again",
                k, k > 1 ? "s" : "");
        else if (i >= log->n || log->rc[i] != 0)
            GRADE_CHECK(0, "try_pop returned %d, expected 0: the element pushed before close()",
                        i < log->n ? log->rc[i] : 0);
        else if (i + 1 < log->n && log->rc[i + 1] == 0)
            GRADE_CHECK(0, "try_pop returned 0 twice for the one element pushed before close(): "
                           "a try_pop that finds closed, then head moved, must return -EAGAIN (or "
                           "pop the element), never 0 without handing one out");
        else
            GRADE_CHECK(msg_check(log->got, 16, 42, &ok) == 7 && ok && i + 1 < log->n &&
                            log->rc[i + 1] == -EPIPE,
                        "after the last element: expected it intact, then -EPIPE");
    }
out:
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    munmap(log, sizeof *log);
    munmap(r, ring_bytes(2, 16));
    return staged;
}
#endif

/* Where ptrace cannot stage it: many rounds of the real race, which
 * catches the bug only now and then. */
struct race_run {
    struct ring *r;
    atomic_int go;
};

static void *push_and_close(void *arg)
{
    struct race_run *run = arg;
    unsigned char m[16] = {1};
    while (!atomic_load(&run->go))
        continue;
    ring_try_push(run->r, m);
    ring_close(run->r);
    return NULL;
}

static void close_race_threads(void)
{
    char why[512];
    for (int round = 0; round < 2000; round++) {
        struct race_run run = {.r = stream_ring(1, 16, 0, why, sizeof why)};
        GRADE_REQUIRE(run.r != NULL, "%s", why);
        pthread_t t;
        GRADE_REQUIRE(pthread_create(&t, NULL, push_and_close, &run) == 0, "pthread_create failed");
        unsigned char m[16] = {0}, next[16];
        int rc, end;
        atomic_store(&run.go, 1);
        while ((rc = ring_try_pop(run.r, m)) == -EAGAIN)
            continue;
        pthread_join(t, NULL);
        end = ring_try_pop(run.r, next);
        munmap(run.r, ring_bytes(1, 16));
        GRADE_REQUIRE(rc == 0,
                      "round %d: try_pop returned %d with an element pushed before close(): "
                      "after seeing closed, look at head again",
                      round, rc);
        GRADE_REQUIRE(m[0] == 1 && end == -EPIPE,
                      "round %d: try_pop returned 0 %s, then %d: 0 must hand out the element "
                      "pushed before close(), and the next call end the stream (-EPIPE)",
                      round, m[0] == 1 ? "with the element" : "without handing out the element",
                      end);
    }
}

static void close_never_loses_the_last(void)
{
    uint64_t rnd = msg_new_key();
    int staged = 1;
#if defined(__x86_64__)
    for (int k = 1; k <= 4 && staged; k++)
        staged = close_race_round(k, &rnd);
#else
    staged = 0;
#endif
    if (!staged)
        close_race_threads();
}

#endif
