/* Graded tests for exercise 02.2 (chapters/02-shared-memory/shm_sync.h).
 * The shared memory is the test's own (an anonymous MAP_SHARED mapping
 * inherited across fork), so this exercise does not depend on 02.1. */
#include "grade.h"
#include "shm_sync.h"
#include "shmtest.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>

struct shared {
    struct shm_sync s;
    volatile long counter;
    volatile long a, b;   /* invariant a == b, broken while an update is half done */
    volatile int ready;   /* a child says it has reached a point */
    volatile int flag;    /* the condition a waiter waits for */
    volatile long payload;
    volatile int result[4];
};

static struct shared *map_shared(void)
{
    void *p = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    GRADE_REQUIRE(p != MAP_FAILED, "test set-up: mmap: %s", strerror(errno));
    return p;
}

static void sleep_ms(long ms)
{
    nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000}, NULL);
}

/* Waits for a child up to ms milliseconds; a child still running then is
 * killed and -1 returned (it hung). Otherwise its exit status, or 128+signal. */
static int reap(pid_t pid, long ms)
{
    int status;
    for (long waited = 0; waited <= ms * SHMTEST_SLOW; waited += 5) {
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

/* Waits up to ms for *flag to become non-zero. */
static int await_flag(volatile int *flag, long ms)
{
    for (long waited = 0; waited <= ms * SHMTEST_SLOW; waited += 2) {
        if (*flag)
            return 1;
        sleep_ms(2);
    }
    return 0;
}

#ifdef IPC_SANITIZED
#define ROUNDS 20000
#else
#define ROUNDS 100000
#endif

static int count_under_lock(struct shared *sh)
{
    /* Start together, so that the two really compete for the lock. */
    __atomic_add_fetch(&sh->ready, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&sh->ready, __ATOMIC_SEQ_CST) < 2)
        ;
    for (int i = 0; i < ROUNDS; i++) {
        if (shm_sync_lock(&sh->s) != 0)
            return 1;
        long v = sh->counter; /* read, then write: two processes would lose updates without the lock */
        if (i % 1000 == 0)
            sleep_ms(1); /* now and then hold the lock a while, so that the other process must sleep on it */
        sh->counter = v + 1;
        if (shm_sync_unlock(&sh->s) != 0)
            return 2;
    }
    return 0;
}

static void two_processes_count_exactly(void)
{
    struct shared *sh = map_shared();
    SHMTEST_EXPECT_RC(shm_sync_init(&sh->s), 0, "init on shared memory");
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        GRADE_REQUIRE(kids[k] >= 0, "fork: %s", strerror(errno));
        if (kids[k] == 0)
            _exit(count_under_lock(sh));
    }
    int st0 = reap(kids[0], 5000), st1 = reap(kids[1], 5000);
    GRADE_CHECK(st0 != -1 && st1 != -1,
                "the two processes never finished: a waiter was never woken. Is the mutex "
                "PTHREAD_PROCESS_SHARED? Without it, a wake-up does not cross processes");
    GRADE_CHECK(st0 <= 0 && st1 <= 0,
                "a counting process failed (status %d and %d; 1: lock did not return 0, 2: unlock did not, "
                "128+N: killed by signal N)",
                st0, st1);
    SHMTEST_EXPECT_RC(sh->counter, 2L * ROUNDS,
                      "each of two processes added ROUNDS under the lock: a lost update means it did not exclude");
    shm_sync_destroy(&sh->s);
    munmap(sh, sizeof *sh);
}

static void dead_holder_is_recovered(void)
{
    struct shared *sh = map_shared();
    SHMTEST_EXPECT_RC(shm_sync_init(&sh->s), 0, "init on shared memory");
    long value = 1 + (long)(getpid() % 1000);

    /* The holder: locks, breaks the invariant half-way, and is killed. */
    pid_t holder = fork();
    GRADE_REQUIRE(holder >= 0, "fork: %s", strerror(errno));
    if (holder == 0) {
        if (shm_sync_lock(&sh->s) != 0)
            _exit(1);
        sh->a = value; /* b is not updated yet: the data is inconsistent */
        sh->ready = 1;
        for (;;)
            pause();
    }
    int got_lock = await_flag(&sh->ready, 3000);
    kill(holder, SIGKILL);
    waitpid(holder, NULL, 0);
    GRADE_REQUIRE(got_lock, "the first process never got the lock (shm_sync_lock should return 0)");

    /* The next locker, in its own process so a hang is reported, not suffered. */
    sh->result[0] = sh->result[1] = sh->result[2] = -999;
    pid_t next = fork();
    GRADE_REQUIRE(next >= 0, "fork: %s", strerror(errno));
    if (next == 0) {
        sh->result[0] = shm_sync_lock(&sh->s);
        if (sh->result[0] == SHM_SYNC_RECOVERED)
            sh->b = sh->a; /* the repair the caller owes */
        sh->result[1] = shm_sync_unlock(&sh->s);
        sh->result[2] = shm_sync_lock(&sh->s);
        shm_sync_unlock(&sh->s);
        _exit(0);
    }
    int st = reap(next, 3000);
    GRADE_REQUIRE(st != -1, "after the holder was killed with SIGKILL, the next shm_sync_lock never returned: "
                            "a mutex that is not PTHREAD_MUTEX_ROBUST stays locked forever when its owner dies");
    SHMTEST_EXPECT_RC(sh->result[0], SHM_SYNC_RECOVERED,
                      "the next locker must learn the owner died (EOWNERDEAD) to repair the data");
    SHMTEST_EXPECT_RC(sh->result[1], 0, "unlock after the repair");
    SHMTEST_EXPECT_RC(sh->result[2], 0,
                      "locking again works normally: the mutex was marked consistent "
                      "(without pthread_mutex_consistent, it becomes ENOTRECOVERABLE)");
    SHMTEST_EXPECT_RC(sh->b, value, "the caller saw SHM_SYNC_RECOVERED and repaired b");
    shm_sync_destroy(&sh->s);
    munmap(sh, sizeof *sh);
}

/* A waiter: waits for flag under the lock, then checks the payload. */
static int waiter(struct shared *sh, long expected, int slot)
{
    if (shm_sync_lock(&sh->s) != 0) {
        __atomic_add_fetch(&sh->result[slot], 1, __ATOMIC_SEQ_CST); /* do not keep the parent waiting */
        return 1;
    }
    __atomic_add_fetch(&sh->result[slot], 1, __ATOMIC_SEQ_CST); /* "I hold the lock, about to wait" */
    while (!sh->flag) {
        int rc = shm_sync_wait(&sh->s, NULL);
        if (rc < 0)
            return 2;
    }
    long got = sh->payload;
    if (shm_sync_unlock(&sh->s) != 0)
        return 3;
    return got == expected ? 0 : 4;
}

/* Starts n waiters, sets the condition under the lock and wakes them with wake(). */
static void wake_waiters(int n, int (*wake)(struct shm_sync *), const char *how)
{
    struct shared *sh = map_shared();
    SHMTEST_EXPECT_RC(shm_sync_init(&sh->s), 0, "init on shared memory");
    long expected = 1 + (long)(grade_seed() % 100000) * 7919;
    pid_t kids[2];
    for (int k = 0; k < n; k++) {
        kids[k] = fork();
        GRADE_REQUIRE(kids[k] >= 0, "fork: %s", strerror(errno));
        if (kids[k] == 0)
            _exit(waiter(sh, expected, 0));
    }
    /* Every waiter has taken the lock once; taking it ourselves then means
     * each is asleep in the wait (which released it) or gone. */
    for (int waited = 0; sh->result[0] < n && waited < 3000 * SHMTEST_SLOW; waited += 2)
        sleep_ms(2);
    sleep_ms(20);
    int rc = shm_sync_lock(&sh->s);
    SHMTEST_EXPECT_RC(rc, 0, "lock to set the condition");
    sh->payload = expected;
    sh->flag = 1;
    SHMTEST_EXPECT_RC(wake(&sh->s), 0, how);
    SHMTEST_EXPECT_RC(shm_sync_unlock(&sh->s), 0, "unlock");
    int all_woke = 1;
    for (int k = 0; k < n; k++) {
        int st = reap(kids[k], 3000);
        all_woke &= st == 0;
        GRADE_CHECK(st != -1, "a waiting process was never woken by %s from another process: is the "
                              "condition variable PTHREAD_PROCESS_SHARED?", how);
        GRADE_CHECK(st <= 0, "a waiting process failed with status %d (1: lock, 2: wait returned an error, "
                             "3: unlock, 4: wrong payload)", st);
    }
    /* pthread_cond_destroy() waits for the waiters it believes it has: one
     * that was killed while waiting would make it wait forever. */
    if (all_woke)
        shm_sync_destroy(&sh->s);
    munmap(sh, sizeof *sh);
}

static void signal_wakes_a_waiting_process(void)
{
    wake_waiters(1, shm_sync_signal, "shm_sync_signal");
}

static void broadcast_wakes_every_waiting_process(void)
{
    wake_waiters(2, shm_sync_broadcast, "shm_sync_broadcast");
}

static long ns_between(const struct timespec *a, const struct timespec *b)
{
    return (b->tv_sec - a->tv_sec) * 1000000000L + (b->tv_nsec - a->tv_nsec);
}

static void timed_wait_times_out_on_the_monotonic_clock(void)
{
    struct shared *sh = map_shared();
    SHMTEST_EXPECT_RC(shm_sync_init(&sh->s), 0, "init on shared memory");
    SHMTEST_EXPECT_RC(shm_sync_lock(&sh->s), 0, "lock");
    struct timespec deadline, now;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_nsec += 150 * 1000 * 1000;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    int rc = shm_sync_wait(&sh->s, &deadline);
    clock_gettime(CLOCK_MONOTONIC, &now);
    SHMTEST_EXPECT_RC(rc, -ETIMEDOUT, "nobody signals: the wait ends with -ETIMEDOUT at the deadline");
    long early = ns_between(&now, &deadline);
    GRADE_CHECK(early <= 0, "the wait returned %ld ms before its deadline: the deadline is on CLOCK_MONOTONIC, "
                            "so the condition variable must measure it there (pthread_condattr_setclock)",
                early / 1000000);
    SHMTEST_EXPECT_RC(shm_sync_unlock(&sh->s), 0, "a timed-out wait returns with the mutex held again");
#ifndef __SANITIZE_THREAD__
    /* Unlocking a mutex we do not hold is the point of this check, and
     * exactly what ThreadSanitizer reports as a bug: it runs in other builds. */
    SHMTEST_EXPECT_RC(shm_sync_unlock(&sh->s), -EPERM, "unlocking a mutex we do not hold is -EPERM");
#endif
    SHMTEST_EXPECT_RC(shm_sync_destroy(&sh->s), 0, "destroy once nobody uses the structure");
    /* Every call says -EINVAL for NULL: a caller's missing set-up is an
     * error value, not a crash, nor a success that did nothing. */
    SHMTEST_EXPECT_RC(shm_sync_init(NULL), -EINVAL, "init of NULL");
    SHMTEST_EXPECT_RC(shm_sync_lock(NULL), -EINVAL, "lock of NULL");
    SHMTEST_EXPECT_RC(shm_sync_unlock(NULL), -EINVAL, "unlock of NULL");
    SHMTEST_EXPECT_RC(shm_sync_wait(NULL, NULL), -EINVAL, "wait on NULL");
    SHMTEST_EXPECT_RC(shm_sync_wait(NULL, &deadline), -EINVAL, "timed wait on NULL");
    SHMTEST_EXPECT_RC(shm_sync_signal(NULL), -EINVAL, "signal of NULL");
    SHMTEST_EXPECT_RC(shm_sync_broadcast(NULL), -EINVAL, "broadcast of NULL");
    SHMTEST_EXPECT_RC(shm_sync_destroy(NULL), -EINVAL, "destroy of NULL");
    munmap(sh, sizeof *sh);
}

GRADE_TESTS(
    GRADE_TEST_TIMEOUT("02.2", "two processes add under the lock: no update lost", two_processes_count_exactly, 2, 20),
    GRADE_TEST_TIMEOUT("02.2", "holder killed with SIGKILL: next locker recovers (EOWNERDEAD), repairs, goes on",
                       dead_holder_is_recovered, 3, 10),
    GRADE_TEST_TIMEOUT("02.2", "signal wakes a process waiting on the condition", signal_wakes_a_waiting_process, 2, 10),
    GRADE_TEST_TIMEOUT("02.2", "broadcast wakes every waiting process", broadcast_wakes_every_waiting_process, 1, 10),
    GRADE_TEST_TIMEOUT("02.2", "a timed wait ends with -ETIMEDOUT, not early, mutex held again",
                       timed_wait_times_out_on_the_monotonic_clock, 1, 10),
)
