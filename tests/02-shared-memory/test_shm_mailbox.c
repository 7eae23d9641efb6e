/* Graded tests for exercise 02.3 (chapters/02-shared-memory/shm_mailbox.h).
 * The mailbox lives in the test's own anonymous MAP_SHARED mapping, shared
 * with forked processes, so this exercise depends on no other. */
#include "grade.h"
#include "shm_mailbox.h"
#include "shmtest.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/wait.h>

/* The mailbox, then flags the test itself uses; a spare page after it so a
 * wrong answer that reads too far reads garbage instead of crashing. */
struct shared {
    struct shm_mailbox mb;
    volatile int done;
    volatile long bad_seq;
    volatile int child_ready; /* a child is about to call into the mailbox */
    volatile int child_rc;    /* and what that call returned */
    unsigned char child_buf[SHM_MAILBOX_MAX];
};
#define MAP_LEN (sizeof(struct shared) + 4096)

static struct shared *new_mailbox(void)
{
    struct shared *sh = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    GRADE_REQUIRE(sh != MAP_FAILED, "test set-up: mmap: %s", strerror(errno));
    int rc = shm_mailbox_init(&sh->mb);
    char rcs[48];
    GRADE_REQUIRE(rc == 0, "shm_mailbox_init: expected 0, got %s", shmtest_rc(rc, rcs, sizeof rcs));
    /* Made alike, the two condition variables hold the same bytes; glibc's
     * pthread_cond_destroy() marks the one it destroys. Using a destroyed
     * one is undefined: waits may hang. */
    GRADE_REQUIRE(
        memcmp(&sh->mb.not_empty, &sh->mb.not_full, sizeof sh->mb.not_full) == 0,
        "after shm_mailbox_init, not_empty differs from not_full: was it destroyed, or made "
        "with other attributes? (destroy one only when the other's pthread_cond_init failed)");
    return sh;
}

static void sleep_ms(long ms)
{
    nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000}, NULL);
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Exit status of a child after at most ms (scaled); -1 if it had to be killed. */
static int reap(pid_t pid, long ms)
{
    int status;
    for (long t = 0; t <= ms * SHMTEST_SLOW; t += 5) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (r == -1)
            return -2;
        sleep_ms(5);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

/* Frees the mailbox; destroy only if no process can be stuck in it. */
static void done_with(struct shared *sh, int clean)
{
    if (clean)
        shm_mailbox_destroy(&sh->mb);
    munmap(sh, MAP_LEN);
}

/* Random choices come from the run's seed, which GRADE_SEED replays. */
static unsigned seed(void)
{
    return grade_seed();
}

static void message_crosses_processes(void)
{
    struct shared *sh = new_mailbox();
    unsigned s = seed();
    unsigned char msg[SHM_MAILBOX_MAX], got[SHM_MAILBOX_MAX + 16];
    size_t len = 1 + (size_t)rand_r(&s) % SHM_MAILBOX_MAX;
    for (size_t i = 0; i < len; i++)
        msg[i] = (unsigned char)rand_r(&s);

    pid_t pid = fork();
    GRADE_REQUIRE(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        sleep_ms(50); /* the parent is already waiting in get */
        _exit(shm_mailbox_put(&sh->mb, msg, len) == 0 ? 0 : 1);
    }
    int n = shm_mailbox_get_timed(&sh->mb, got, sizeof got, 3000 * SHMTEST_SLOW);
    int st = reap(pid, 3000);
    SHMTEST_EXPECT_RC(n, (long)len, "get waits for the other process's put and returns the message's length");
    GRADE_CHECK(n != (int)len || memcmp(got, msg, len) == 0, "the message arrived changed");
    SHMTEST_EXPECT_RC(st, 0, "the putting process: put returns 0");

    /* Sizes: too long to put; too long for the buffer, and then it stays. */
    SHMTEST_EXPECT_RC(shm_mailbox_put(&sh->mb, msg, SHM_MAILBOX_MAX + 1), -EMSGSIZE,
                      "a message over SHM_MAILBOX_MAX bytes does not fit the slot");
    SHMTEST_EXPECT_RC(shm_mailbox_put_timed(&sh->mb, msg, len, 1000), 0, "put into the empty slot");
    if (len > 1)
        SHMTEST_EXPECT_RC(shm_mailbox_get_timed(&sh->mb, got, len - 1, 1000), -EMSGSIZE,
                          "a buffer one byte too small: -EMSGSIZE, and the message must stay");
    SHMTEST_EXPECT_RC(shm_mailbox_get_timed(&sh->mb, got, len, 1000), (long)len,
                      "the message is still there for a buffer that fits it exactly");
    unsigned char big[SHM_MAILBOX_MAX];
    memset(big, 0x5A, sizeof big);
    SHMTEST_EXPECT_RC(shm_mailbox_put_timed(&sh->mb, big, sizeof big, 1000), 0,
                      "a message of exactly SHM_MAILBOX_MAX bytes fits");
    SHMTEST_EXPECT_RC(shm_mailbox_get_timed(&sh->mb, got, sizeof got, 1000), SHM_MAILBOX_MAX,
                      "get of the SHM_MAILBOX_MAX-byte message");
    unsigned char one = (unsigned char)~msg[0];
    SHMTEST_EXPECT_RC(shm_mailbox_put_timed(&sh->mb, &one, 1, 1000), 0, "put of a 1-byte message");
    SHMTEST_EXPECT_RC(shm_mailbox_get_timed(&sh->mb, got, sizeof got, 1000), 1,
                      "get of the 1-byte message");
    GRADE_CHECK(got[0] == one, "the 1-byte message: expected byte %u, got %u", one, got[0]);
    SHMTEST_EXPECT_RC(shm_mailbox_put_timed(&sh->mb, NULL, 0, 1000), 0, "an empty message is a message");
    SHMTEST_EXPECT_RC(shm_mailbox_get_timed(&sh->mb, got, sizeof got, 1000), 0, "... of length 0");
    done_with(sh, st == 0);
}

static void timeouts_leave_the_slot_alone(void)
{
    struct shared *sh = new_mailbox();
    char buf[SHM_MAILBOX_MAX];
    long t0 = now_ms();
    int rc = shm_mailbox_get_timed(&sh->mb, buf, sizeof buf, 120);
    long took = now_ms() - t0;
    SHMTEST_EXPECT_RC(rc, -ETIMEDOUT, "get on an empty mailbox with a 120 ms timeout");
    GRADE_CHECK(took >= 120, "get gave up after %ld ms, before its 120 ms timeout", took);

    char msg[32];
    int len = snprintf(msg, sizeof msg, "first %ld", (long)getpid());
    SHMTEST_EXPECT_RC(shm_mailbox_put_timed(&sh->mb, msg, (size_t)len, 0), 0, "put into an empty slot");
    t0 = now_ms();
    rc = shm_mailbox_put_timed(&sh->mb, "second", 6, 120);
    took = now_ms() - t0;
    SHMTEST_EXPECT_RC(rc, -ETIMEDOUT, "put into a full mailbox with a 120 ms timeout");
    GRADE_CHECK(took >= 120, "put gave up after %ld ms, before its 120 ms timeout", took);
    SHMTEST_EXPECT_RC(shm_mailbox_put_timed(&sh->mb, "third", 5, 0), -ETIMEDOUT,
                      "timeout 0 on a full slot: give up at once");
    rc = shm_mailbox_get_timed(&sh->mb, buf, sizeof buf, 0);
    SHMTEST_EXPECT_RC(rc, len, "the first message is still there, untouched by the puts that timed out");
    if (rc == len)
        GRADE_CHECK(memcmp(buf, msg, (size_t)len) == 0, "the first message was overwritten");
    done_with(sh, 1);
}

static void put_blocks_while_full(void)
{
    struct shared *sh = new_mailbox();
    unsigned s = seed();
    long a = rand_r(&s), b = rand_r(&s);
    pid_t pid = fork();
    GRADE_REQUIRE(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        if (shm_mailbox_put(&sh->mb, &a, sizeof a) != 0)
            _exit(1);
        if (shm_mailbox_put(&sh->mb, &b, sizeof b) != 0) /* must wait for our get */
            _exit(2);
        sh->done = 1;
        _exit(0);
    }
    sleep_ms(250);
    GRADE_CHECK(!sh->done, "the second put returned while the slot still held the first message: "
                           "put must wait while the mailbox is full");
    long got = 0;
    int rc = shm_mailbox_get_timed(&sh->mb, &got, sizeof got, 3000);
    SHMTEST_EXPECT_RC(rc, (long)sizeof got, "first get");
    GRADE_CHECK(got == a, "first get: expected %ld, got %ld (the first message, not overwritten)", a, got);
    rc = shm_mailbox_get_timed(&sh->mb, &got, sizeof got, 3000);
    SHMTEST_EXPECT_RC(rc, (long)sizeof got, "second get: the blocked put completes once the slot is free");
    GRADE_CHECK(got == b, "second get: expected %ld, got %ld", b, got);
    int st = reap(pid, 3000);
    SHMTEST_EXPECT_RC(st, 0, "the putting process: both puts return 0");
    done_with(sh, st == 0);
}

/* Message i: its number, then a payload of 0..48 bytes derived from it and the key. */
static size_t make_message(unsigned char *m, uint64_t i, unsigned key)
{
    memcpy(m, &i, sizeof i);
    size_t extra = (size_t)((i * 2654435761u ^ key) % 49);
    for (size_t k = 0; k < extra; k++)
        m[sizeof i + k] = (unsigned char)(i + k + key);
    return sizeof i + extra;
}

#define MESSAGES 100000

static void hundred_thousand_messages_in_order(void)
{
    struct shared *sh = new_mailbox();
    unsigned key = seed();
    pid_t pid = fork();
    GRADE_REQUIRE(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        unsigned char m[64];
        for (uint64_t i = 0; i < MESSAGES; i++)
            if (shm_mailbox_put(&sh->mb, m, make_message(m, i, key)) != 0)
                _exit(1);
        _exit(0);
    }
    unsigned char want[64], got[SHM_MAILBOX_MAX];
    uint64_t i = 0;
    for (; i < MESSAGES; i++) {
        size_t len = make_message(want, i, key);
        int n = shm_mailbox_get_timed(&sh->mb, got, sizeof got, 5000 * SHMTEST_SLOW);
        if (n != (int)len || memcmp(got, want, len) != 0) {
            uint64_t seq = 0;
            if (n >= (int)sizeof seq)
                memcpy(&seq, got, sizeof seq);
            if (n < 0)
                GRADE_CHECK(0, "message %lu: get returned %d (%s)", (unsigned long)i, n, strerrorname_np(-n));
            else if (seq > i)
                GRADE_CHECK(0, "message %lu was lost: got number %lu instead (a put overwrote a full slot?)",
                            (unsigned long)i, (unsigned long)seq);
            else if (seq < i)
                GRADE_CHECK(0, "message %lu came twice, or out of order: got number %lu when %lu was due "
                               "(a get read a slot it had already emptied?)",
                            (unsigned long)seq, (unsigned long)seq, (unsigned long)i);
            else
                GRADE_CHECK(0, "message %lu arrived with a wrong length or content (%d bytes, %zu expected)",
                            (unsigned long)i, n, len);
            break;
        }
    }
    int st = reap(pid, 5000);
    GRADE_EXPECT_LONG(i, MESSAGES, "messages received in order, each once, intact");
    SHMTEST_EXPECT_RC(st, 0, "the putting process: every put returns 0");
    done_with(sh, st == 0 && i == MESSAGES);
}

static void corrupt_slot_is_refused(void)
{
    struct shared *sh = new_mailbox();
    unsigned s = seed();
    unsigned char buf[SHM_MAILBOX_MAX + 64];
    memset(buf, 0xA5, sizeof buf);

    /* A peer (buggy or dying) left a length that does not fit the slot. */
    sh->mb.full = 1;
    sh->mb.len = SHM_MAILBOX_MAX + 1 + (uint32_t)(rand_r(&s) % 60);
    int rc = shm_mailbox_get_timed(&sh->mb, buf, sizeof buf, 1000);
    SHMTEST_EXPECT_RC(rc, -EPROTO, "a length over SHM_MAILBOX_MAX in the slot is corrupt data, not a message");
    size_t touched = 0;
    for (size_t i = 0; i < sizeof buf; i++)
        touched += buf[i] != 0xA5;
    SHMTEST_EXPECT_RC(touched, 0, "nothing may be copied out of a corrupt slot");

    /* The same for a full flag that is neither 0 nor 1. */
    sh->mb.full = 2 + (uint32_t)(rand_r(&s) % 1000);
    sh->mb.len = 4;
    SHMTEST_EXPECT_RC(shm_mailbox_get_timed(&sh->mb, buf, sizeof buf, 1000), -EPROTO,
                      "a 'full' flag that is neither 0 nor 1 is corrupt");

    /* Dropped, the mailbox works again. */
    long v = rand_r(&s), got = 0;
    SHMTEST_EXPECT_RC(shm_mailbox_put_timed(&sh->mb, &v, sizeof v, 1000), 0,
                      "after -EPROTO the slot is empty again: put succeeds");
    rc = shm_mailbox_get_timed(&sh->mb, &got, sizeof got, 1000);
    SHMTEST_EXPECT_RC(rc, (long)sizeof got, "and get takes that message");
    GRADE_CHECK(got == v, "expected %ld, got %ld", v, got);
    done_with(sh, 1);
}

/* A thread blocked in get or put, for the test to pester with wake-ups. */
struct waiter {
    struct shared *sh;
    int put;                 /* 1: put msg; 0: get into buf */
    long msg;
    long buf;
    int rc;
    atomic_int returned;
};

static void *wait_in_mailbox(void *arg)
{
    struct waiter *w = arg;
    w->rc = w->put ? shm_mailbox_put(&w->sh->mb, &w->msg, sizeof w->msg)
                   : shm_mailbox_get(&w->sh->mb, &w->buf, sizeof w->buf);
    atomic_store(&w->returned, 1);
    return NULL;
}

/* Wakes whoever waits in the mailbox, for ms, while what they wait for
 * stays false: the wake-ups the contract allows (spurious ones, or a peer's
 * broadcast meant for someone else), only all the time. Both condition
 * variables, whichever one the answer waits on. */
static void wake_for(struct shared *sh, long ms)
{
    for (long t0 = now_ms(); now_ms() - t0 < ms;) {
        pthread_cond_broadcast(&sh->mb.not_empty);
        pthread_cond_broadcast(&sh->mb.not_full);
        usleep(200);
    }
}

/* Waits up to ms for the waiter to return; 1 if it did (and is joined). */
static int waiter_done(pthread_t t, struct waiter *w, long ms)
{
    for (long t0 = now_ms(); !atomic_load(&w->returned) && now_ms() - t0 < ms;)
        sleep_ms(1);
    if (!atomic_load(&w->returned))
        return 0;
    pthread_join(t, NULL);
    return 1;
}

static void wakeups_are_not_messages(void)
{
    struct shared *sh = new_mailbox();
    unsigned s = seed();
    long a = rand_r(&s), b = rand_r(&s) ^ 1, got = 0;

    /* get on the empty slot must sleep through every wake-up. */
    struct waiter w = {.sh = sh};
    pthread_t t;
    GRADE_REQUIRE(pthread_create(&t, NULL, wait_in_mailbox, &w) == 0, "test set-up: pthread_create");
    wake_for(sh, 100);
    int early = atomic_load(&w.returned);
    GRADE_REQUIRE(!early,
                  "get returned %d from an empty mailbox after a wake-up: a wake-up only means "
                  "\"look again\"; wait in a while loop that re-tests full, not in an if",
                  early ? w.rc : 0);
    SHMTEST_EXPECT_RC(shm_mailbox_put_timed(&sh->mb, &a, sizeof a, 1000), 0, "put for the waiting get");
    GRADE_REQUIRE(waiter_done(t, &w, 3000 * SHMTEST_SLOW), "get did not return once a message was put");
    SHMTEST_EXPECT_RC(w.rc, (long)sizeof a, "the waiting get takes the message");
    GRADE_CHECK(w.buf == a, "the waiting get: expected %ld, got %ld", a, w.buf);

    /* put on the full slot likewise, and must not overwrite it. */
    SHMTEST_EXPECT_RC(shm_mailbox_put_timed(&sh->mb, &a, sizeof a, 1000), 0, "put into the empty slot");
    struct waiter p = {.sh = sh, .put = 1, .msg = b};
    GRADE_REQUIRE(pthread_create(&t, NULL, wait_in_mailbox, &p) == 0, "test set-up: pthread_create");
    wake_for(sh, 100);
    early = atomic_load(&p.returned);
    GRADE_REQUIRE(!early,
                  "put returned %d while the slot was still full, after a wake-up: wait in a while "
                  "loop that re-tests full, not in an if", early ? p.rc : 0);
    SHMTEST_EXPECT_RC(shm_mailbox_get_timed(&sh->mb, &got, sizeof got, 1000), (long)sizeof got, "get");
    GRADE_CHECK(got == a, "the message in the full slot: expected %ld, got %ld (overwritten?)", a, got);
    GRADE_REQUIRE(waiter_done(t, &p, 3000 * SHMTEST_SLOW), "put did not return once the slot was free");
    SHMTEST_EXPECT_RC(p.rc, 0, "the waiting put succeeds once the slot is free");
    SHMTEST_EXPECT_RC(shm_mailbox_get_timed(&sh->mb, &got, sizeof got, 1000), (long)sizeof got, "get");
    GRADE_CHECK(got == b, "the waiting put's message: expected %ld, got %ld", b, got);

    /* A timed wait keeps its deadline through the wake-ups, here another
     * process's: neither early nor restarted by each of them (the waker
     * stops after a while, so that a restarted wait still ends). */
    long t0 = now_ms();
    pid_t pid = fork();
    GRADE_REQUIRE(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        wake_for(sh, 1500 * SHMTEST_SLOW);
        _exit(0);
    }
    int rc = shm_mailbox_get_timed(&sh->mb, &got, sizeof got, 200);
    long took = now_ms() - t0;
    kill(pid, SIGKILL);
    reap(pid, 3000);
    SHMTEST_EXPECT_RC(rc, -ETIMEDOUT, "get with a 200 ms timeout on an empty mailbox, woken all along");
    GRADE_CHECK(took >= 200, "get gave up after %ld ms, before its 200 ms timeout", took);
    GRADE_CHECK(took < 1000 * SHMTEST_SLOW, "get with a 200 ms timeout took %ld ms: compute the "
                "deadline once per call, so that wake-ups do not restart the wait", took);
    done_with(sh, 1);
}

static void bad_arguments_are_einval(void)
{
    struct shared *sh = new_mailbox();
    long v = 42, got = 0;
    SHMTEST_EXPECT_RC(shm_mailbox_init(NULL), -EINVAL, "init of NULL");
    SHMTEST_EXPECT_RC(shm_mailbox_put_timed(NULL, &v, sizeof v, 0), -EINVAL, "put into NULL");
    SHMTEST_EXPECT_RC(shm_mailbox_put_timed(&sh->mb, NULL, 1, 0), -EINVAL,
                      "put of 1 byte from a NULL message (NULL only with length 0)");
    SHMTEST_EXPECT_RC(shm_mailbox_get_timed(NULL, &got, sizeof got, 0), -EINVAL, "get from NULL");
    SHMTEST_EXPECT_RC(shm_mailbox_destroy(NULL), -EINVAL, "destroy of NULL");

    /* With a message waiting: a NULL buffer of size 1 is refused, not
     * mistaken for a small buffer, and the message stays. */
    SHMTEST_EXPECT_RC(shm_mailbox_put_timed(&sh->mb, &v, sizeof v, 0), 0,
                      "put into the empty slot");
    SHMTEST_EXPECT_RC(shm_mailbox_get_timed(&sh->mb, NULL, 1, 0), -EINVAL,
                      "get into a NULL buffer of size 1 (NULL only with size 0)");
    SHMTEST_EXPECT_RC(shm_mailbox_get_timed(&sh->mb, &got, sizeof got, 0), (long)sizeof got,
                      "the message is still there after the refused get");
    GRADE_CHECK(got == v, "expected %ld, got %ld", v, got);
    SHMTEST_EXPECT_RC(shm_mailbox_put_timed(&sh->mb, NULL, 0, 0), 0, "put of an empty message");
    SHMTEST_EXPECT_RC(shm_mailbox_get_timed(&sh->mb, NULL, 0, 0), 0,
                      "an empty message fits a NULL buffer of size 0");
    SHMTEST_EXPECT_RC(shm_mailbox_destroy(&sh->mb), 0, "destroy once nobody uses the mailbox");
    munmap(sh, MAP_LEN);
}

/* A peer that dies holding the mutex: a child locks it as put or get would,
 * does its part of the work, and exits without unlocking or signalling. */
static void die_holding_the_lock(struct shared *sh, const void *msg, uint32_t len, uint32_t full)
{
    pid_t pid = fork();
    GRADE_REQUIRE(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        if (pthread_mutex_lock(&sh->mb.mutex) != 0)
            _exit(1);
        if (len <= SHM_MAILBOX_MAX) /* a longer one is a corrupt len: nothing to copy */
            memcpy(sh->mb.data, msg, len);
        sh->mb.len = len;
        sh->mb.full = full;
        _exit(0); /* the kernel hands the lock on: EOWNERDEAD for the next locker */
    }
    GRADE_REQUIRE(reap(pid, 3000) == 0, "test set-up: the process that was to die holding the lock "
                                        "could not take it");
}

/* A child waiting in get (put: 0) or put (put: 1, of msg) for up to 3 s. */
static pid_t child_waits(struct shared *sh, int put, const void *msg, size_t len)
{
    sh->child_ready = 0;
    sh->child_rc = -9999;
    pid_t pid = fork();
    GRADE_REQUIRE(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        sh->child_ready = 1;
        sh->child_rc = put ? shm_mailbox_put_timed(&sh->mb, msg, len, 3000 * SHMTEST_SLOW)
                           : shm_mailbox_get_timed(&sh->mb, sh->child_buf, sizeof sh->child_buf,
                                                   3000 * SHMTEST_SLOW);
        _exit(0);
    }
    for (long t0 = now_ms(); !sh->child_ready && now_ms() - t0 < 3000 * SHMTEST_SLOW;)
        sleep_ms(1);
    sleep_ms(100); /* it is asleep in the mailbox by now */
    return pid;
}

static void dead_peer_is_recovered(void)
{
    struct shared *sh = new_mailbox();
    unsigned s = seed();
    unsigned char m[SHM_MAILBOX_MAX];
    for (size_t i = 0; i < sizeof m; i++)
        m[i] = (unsigned char)rand_r(&s);
    long c = rand_r(&s), got = 0;

    /* A get sleeps on the empty slot; a putter dies after writing a whole
     * message (full set last), before it could signal. */
    pid_t pid = child_waits(sh, 0, NULL, 0);
    die_holding_the_lock(sh, m, SHM_MAILBOX_MAX, 1);
    int rc = shm_mailbox_put_timed(&sh->mb, &c, sizeof c, 1000 * SHMTEST_SLOW);
    int st = reap(pid, 4000);
    SHMTEST_EXPECT_RC(rc, 0,
                      "put after a putter died holding the lock: it must wake the sleeping get, "
                      "which takes the dead putter's message, and then put its own");
    SHMTEST_EXPECT_RC(
        sh->child_rc, SHM_MAILBOX_MAX,
        "the sleeping get takes the complete message of SHM_MAILBOX_MAX bytes the dead "
        "putter left (full is set last, so a full slot that passes the checks is whole)");
    GRADE_CHECK(sh->child_rc != SHM_MAILBOX_MAX || memcmp(sh->child_buf, m, sizeof m) == 0,
                "the dead putter's message arrived changed");
    GRADE_CHECK(st == 0, "the sleeping get's process did not finish (status %d)", st);
    SHMTEST_EXPECT_RC(shm_mailbox_get_timed(&sh->mb, &got, sizeof got, 0), (long)sizeof got,
                      "then the new message is in the slot");
    GRADE_CHECK(got == c, "expected %ld, got %ld", c, got);

    /* A put sleeps on the full slot; a getter dies after emptying it,
     * before it could signal. */
    long a = rand_r(&s), b = rand_r(&s) ^ 1;
    SHMTEST_EXPECT_RC(shm_mailbox_put_timed(&sh->mb, &a, sizeof a, 0), 0,
                      "put into the empty slot");
    pid = child_waits(sh, 1, &b, sizeof b);
    die_holding_the_lock(sh, &a, 0, 0);
    rc = shm_mailbox_get_timed(&sh->mb, &got, sizeof got, 1000 * SHMTEST_SLOW);
    st = reap(pid, 4000);
    SHMTEST_EXPECT_RC(rc, (long)sizeof got,
                      "get after a getter died holding the lock, having emptied the "
                      "slot: it must wake the sleeping put, and take its message");
    GRADE_CHECK(rc != (int)sizeof got || got == b,
                "expected the sleeping put's message %ld, got %ld", b, got);
    SHMTEST_EXPECT_RC(sh->child_rc, 0, "the sleeping put succeeds once woken");
    GRADE_CHECK(st == 0, "the sleeping put's process did not finish (status %d)", st);

    /* A peer dies leaving a slot that fails the checks: it is dropped, and
     * the slot is free for the next put. */
    const struct {
        uint32_t len, full;
        const char *what;
    } corrupt[] = {
        {SHM_MAILBOX_MAX + 1, 1, "len over SHM_MAILBOX_MAX"},
        {sizeof a, 2, "full is 2"},
    };
    for (size_t i = 0; i < sizeof corrupt / sizeof corrupt[0]; i++) {
        die_holding_the_lock(sh, &a, corrupt[i].len, corrupt[i].full);
        char why[160];
        snprintf(why, sizeof why,
                 "put after a peer died leaving a corrupt slot (%s): it is dropped",
                 corrupt[i].what);
        SHMTEST_EXPECT_RC(shm_mailbox_put_timed(&sh->mb, &c, sizeof c, 0), 0, why);
        SHMTEST_EXPECT_RC(shm_mailbox_get_timed(&sh->mb, &got, sizeof got, 0), (long)sizeof got,
                          "then get takes the new message");
        GRADE_CHECK(got == c, "expected %ld, got %ld", c, got);
    }
    done_with(sh, st == 0);
}

static void unusable_mutex_is_an_error(void)
{
    struct shared *sh = new_mailbox();
    /* A dead owner's lock given up without pthread_mutex_consistent: the
     * mutex is unusable for good (ENOTRECOVERABLE). */
    long v = 7;
    die_holding_the_lock(sh, &v, 0, 0);
    GRADE_REQUIRE(pthread_mutex_lock(&sh->mb.mutex) == EOWNERDEAD,
                  "test set-up: expected EOWNERDEAD");
    pthread_mutex_unlock(&sh->mb.mutex);
    int rc = shm_mailbox_put_timed(&sh->mb, &v, sizeof v, 0);
    GRADE_CHECK(rc < 0,
                "put on a mailbox whose mutex cannot be locked (ENOTRECOVERABLE) returned %d: "
                "pass the lock's error on, as a negative errno",
                rc);
    rc = shm_mailbox_get_timed(&sh->mb, &v, sizeof v, 0);
    GRADE_CHECK(rc < 0,
                "get on a mailbox whose mutex cannot be locked (ENOTRECOVERABLE) returned %d: "
                "pass the lock's error on, as a negative errno",
                rc);
    done_with(sh, 0);
}

GRADE_TESTS(
    GRADE_TEST_TIMEOUT("02.3", "a message crosses to a waiting process; size limits", message_crosses_processes, 2, 10),
    GRADE_TEST_TIMEOUT("02.3", "timed put and get give up with -ETIMEDOUT, slot untouched",
                       timeouts_leave_the_slot_alone, 2, 10),
    GRADE_TEST_TIMEOUT("02.3", "put waits while the slot is full", put_blocks_while_full, 2, 10),
    GRADE_TEST_TIMEOUT("02.3", "put and get sleep through wake-ups that change nothing", wakeups_are_not_messages, 2, 10),
    GRADE_TEST_TIMEOUT("02.3", "100,000 numbered messages between two processes: none lost, doubled or reordered",
                       hundred_thousand_messages_in_order, 3, 40),
    GRADE_TEST_TIMEOUT("02.3", "a corrupt slot (length, flag) is refused with -EPROTO, then usable",
                       corrupt_slot_is_refused, 1, 10),
    GRADE_TEST_TIMEOUT("02.3", "bad arguments are -EINVAL; NULL buffers only with size 0",
                       bad_arguments_are_einval, 1, 10),
    GRADE_TEST_TIMEOUT("02.3", "a peer dies holding the lock: its whole message stays, sleepers wake",
                       dead_peer_is_recovered, 2, 20),
    GRADE_TEST_TIMEOUT("02.3", "a mutex made unusable (ENOTRECOVERABLE): put and get return an error",
                       unusable_mutex_is_an_error, 1, 10),
)
