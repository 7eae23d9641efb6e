/* End-to-end checks of the final ring (chapters/10-ring-final): the library
 * under a killed producer and under corruption, and the two programs. */
#include "../04-ring-buffer/msgcheck.h"
#include "../04-ring-buffer/proc.h"
#include "grade.h"
#include "shmring.h"
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#ifdef IPC_SANITIZED
#define DEATH_LIMIT_MS 3000
#define FUZZ_ROUNDS 3000
#else
#define DEATH_LIMIT_MS 1000
#define FUZZ_ROUNDS 30000
#endif

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A block of `bytes` that ends right where a PROT_NONE page begins. */
struct guarded {
    void *base, *mem;
    size_t len;
};

static void *guarded_block(size_t bytes, struct guarded *g)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), span = (bytes + page - 1) / page * page;
    g->len = span + page;
    g->base = mmap(NULL, g->len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    GRADE_REQUIRE(g->base != MAP_FAILED, "mmap: %s", strerror(errno));
    GRADE_REQUIRE(mprotect((char *)g->base + span, page, PROT_NONE) == 0, "mprotect: %s", strerror(errno));
    g->mem = (char *)g->base + span - bytes;
    return g->mem;
}

/* ---------------------------------------------------------------- kill -9 */

struct consumer {
    struct shmring *h;
    uint64_t key, count, done_at;
    int rc;
    _Atomic int done, progress;
};

static void *consume(void *arg)
{
    struct consumer *c = arg;
    const void *p;
    uint32_t len;
    while ((c->rc = shmring_peek(c->h, &p, &len)) == 0) {
        int ok = 0;
        if (len < 8 || msg_check(p, len, c->key, &ok) != c->count || !ok) {
            c->rc = 1;
            break;
        }
        c->count++;
        atomic_store_explicit(&c->progress, 1, memory_order_relaxed);
    }
    c->done_at = now_ns();
    atomic_store(&c->done, 1);
    return NULL;
}

static void killed_producer(void)
{
    uint64_t rnd = msg_new_key();
    for (int t = 0; t < 10; t++) {
        uint32_t size = 1u << msg_rand(&rnd, 10, 16);
        size_t bytes = shmring_bytes(size);
        void *mem = proc_shared(bytes);
        GRADE_REQUIRE(mem && shmring_format(mem, bytes, size) == 0, "format failed");
        uint64_t key = msg_new_key();
        pid_t pid = fork();
        GRADE_REQUIRE(pid >= 0, "fork: %s", strerror(errno));
        if (pid == 0) {
            struct shmring *h;
            if (shmring_attach(mem, bytes, SHMRING_PRODUCER, &h) != 0)
                _exit(3);
            for (uint64_t i = 0;; i++) {
                void *p;
                uint32_t len = 8 + (uint32_t)(msg_mix(i ^ key) % 200);
                if (shmring_reserve(h, len, &p) != 0)
                    _exit(4);
                msg_fill(p, len, i, key);
                if (i % 7 == 0)
                    shmring_commit(h);
            }
        }
        struct consumer c = {.key = key};
        GRADE_REQUIRE(shmring_attach(mem, bytes, SHMRING_CONSUMER, &c.h) == 0, "attach failed");
        pthread_t tid;
        GRADE_REQUIRE(pthread_create(&tid, NULL, consume, &c) == 0, "pthread_create failed");
        /* The producer must have attached (and so named its pid) before the
         * kill, or nobody can tell it died: wait for its first records. */
        for (int w = 0; w < 2000 && !atomic_load(&c.progress) && !atomic_load(&c.done); w++)
            proc_sleep_ms(1);
        nanosleep(&(struct timespec){0, (long)msg_rand(&rnd, 0, 30000) * 1000L}, NULL);
        uint64_t killed_at = now_ns();
        kill(pid, SIGKILL);
        while (!atomic_load(&c.done) && now_ns() - killed_at < (DEATH_LIMIT_MS + 1000) * 1000000ull)
            proc_sleep_ms(5);
        proc_wait(pid, 2000);
        GRADE_REQUIRE(atomic_load(&c.done), "kill %d: the consumer still waits after the producer was killed", t + 1);
        pthread_join(tid, NULL);
        GRADE_REQUIRE(c.rc != 1, "kill %d: record %llu was torn, partial or out of order", t + 1,
                      (unsigned long long)c.count);
        GRADE_REQUIRE(c.rc == -EOWNERDEAD, "kill %d: shmring_peek returned %d, expected -EOWNERDEAD", t + 1, c.rc);
        uint64_t ms = (c.done_at - killed_at) / 1000000u;
        GRADE_REQUIRE(ms <= DEATH_LIMIT_MS, "kill %d: reported %llu ms after the kill", t + 1, (unsigned long long)ms);
        shmring_free(c.h);
        munmap(mem, bytes);
    }
}

/* ---------------------------------------------------------------- corruption */

static void corrupt_header_rejected(void)
{
    uint64_t rnd = msg_new_key();
    uint32_t size = 4096;
    size_t bytes = shmring_bytes(size);
    struct guarded g;
    void *mem = guarded_block(bytes, &g);
    struct shmring *h;
    GRADE_REQUIRE(shmring_format(mem, bytes, size) == 0, "format failed");
    GRADE_REQUIRE(shmring_attach(mem, bytes, SHMRING_CONSUMER, &h) == 0, "a fresh ring must attach");
    shmring_free(h);
    GRADE_CHECK(shmring_attach(mem, bytes - 1, SHMRING_CONSUMER, &h) == -EPROTO,
                "a block smaller than its header claims must be refused");
    /* Each of the first four words (magic, version, size, max_len) changed at random. */
    for (int round = 0; round < 1000; round++) {
        GRADE_REQUIRE(shmring_format(mem, bytes, size) == 0, "format failed");
        uint32_t *w = mem;
        int which = (int)msg_rand(&rnd, 0, 3);
        uint32_t old = w[which], v;
        do
            v = (uint32_t)msg_rand(&rnd, 0, UINT32_MAX) >> msg_rand(&rnd, 0, 31);
        while (v == old);
        w[which] = v;
        int rc = shmring_attach(mem, bytes, SHMRING_CONSUMER, &h);
        GRADE_REQUIRE(rc == -EPROTO, "header word %d changed from %u to %u: attach returned %d, expected -EPROTO",
                      which, old, v, rc);
    }
    munmap(g.base, g.len);
}

static void corrupt_indices_and_lengths(void)
{
    uint64_t rnd = msg_new_key();
    for (int round = 0; round < FUZZ_ROUNDS; round++) {
        static struct guarded g;
        static void *mem;
        static uint32_t size;
        static struct shmring *prod, *cons;
        if (round % 100 == 0) {
            if (mem != NULL) {
                shmring_free(prod);
                shmring_free(cons);
                munmap(g.base, g.len);
            }
            size = 1u << msg_rand(&rnd, 8, 13);
            mem = guarded_block(shmring_bytes(size), &g);
            GRADE_REQUIRE(shmring_format(mem, shmring_bytes(size), size) == 0, "format failed");
            GRADE_REQUIRE(shmring_attach(mem, shmring_bytes(size), SHMRING_PRODUCER, &prod) == 0 &&
                          shmring_attach(mem, shmring_bytes(size), SHMRING_CONSUMER, &cons) == 0, "attach failed");
        }
        /* Some honest traffic. */
        void *p;
        for (int k = (int)msg_rand(&rnd, 0, 6); k > 0; k--) {
            uint32_t len = (uint32_t)msg_rand(&rnd, 0, size / 4);
            if (shmring_try_reserve(prod, len, &p) == 0)
                memset(p, 0x5a, len);
        }
        shmring_commit(prod);
        /* Then one corruption: the other side's index, or any word of the area. */
        unsigned char *block = mem;
        size_t data_off = shmring_bytes(size) - size;
        uint32_t v = (uint32_t)msg_rand(&rnd, 0, UINT32_MAX) >> msg_rand(&rnd, 0, 31);
        switch (msg_rand(&rnd, 0, 3)) {
        case 0: memcpy(block + 128, &v, 4); break; /* head */
        case 1: memcpy(block + 256, &v, 4); break; /* tail */
        default: memcpy(block + data_off + msg_rand(&rnd, 0, size / 8 - 1) * 8, &v, 4); break;
        }
        const void *out;
        uint32_t len;
        int rc;
        for (int k = 0; k < 8 && (rc = shmring_try_peek(cons, &out, &len)) == 0; k++) {
            const unsigned char *b = out;
            GRADE_REQUIRE(b >= block + data_off && b + len <= block + data_off + size,
                          "round %d: a record of %u bytes at %td lies outside the area", round, len,
                          b - (block + data_off));
            volatile unsigned char sink = len ? b[len - 1] : 0; /* touch it: ASan checks */
            (void)sink;
        }
        GRADE_REQUIRE(rc == 0 || rc == -EAGAIN || rc == -EBADMSG || rc == -EPIPE,
                      "round %d: shmring_try_peek returned %d", round, rc);
        shmring_release(cons);
        if (rc == -EBADMSG) {
            /* A consumer that saw corruption gives up; start a fresh ring. */
            shmring_free(prod);
            shmring_free(cons);
            munmap(g.base, g.len);
            mem = NULL;
            round = (round / 100 + 1) * 100 - 1;
        }
    }
}

/* ---------------------------------------------------------------- programs */

static void programs_lines(void)
{
    uint64_t rnd = msg_new_key();
    char name[64], cmd[1024], want[256];
    snprintf(name, sizeof name, "/ipc-test-%llx", (unsigned long long)msg_rand(&rnd, 0, UINT64_MAX >> 4));
    snprintf(want, sizeof want, "Hello World!\nHello Again! %llu\n", (unsigned long long)msg_rand(&rnd, 0, 1u << 30));
    char prod[256], cons[256];
    snprintf(prod, sizeof prod, "%s", tu_program("10-ring-final/ring-producer"));
    snprintf(cons, sizeof cons, "%s", tu_program("10-ring-final/ring-consumer"));
    snprintf(cmd, sizeof cmd, "printf '%%s' '%s' | %s --name %s & %s --name %s; wait", want, prod, name, cons, name);
    char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    struct tu_run_result r;
    GRADE_REQUIRE(tu_run(argv, 10000, &r) == 0, "could not start /bin/sh");
    GRADE_CHECK(tu_exited_with(r.status, 0), "producer | consumer failed; stderr: %s", r.err);
    GRADE_EXPECT_STR(r.out, want, "the consumer prints each line the producer read, in order");
    int fd = shm_open(name, O_RDONLY, 0);
    GRADE_CHECK(fd == -1 && errno == ENOENT, "the consumer must remove %s from /dev/shm", name);
    if (fd != -1) {
        close(fd);
        shm_unlink(name);
    }
}

static void programs_full_speed(void)
{
    uint64_t rnd = msg_new_key();
    char name[64], cmd[1024];
    snprintf(name, sizeof name, "/ipc-test-%llx", (unsigned long long)msg_rand(&rnd, 0, UINT64_MAX >> 4));
    char prod[256], cons[256];
    snprintf(prod, sizeof prod, "%s", tu_program("10-ring-final/ring-producer"));
    snprintf(cons, sizeof cons, "%s", tu_program("10-ring-final/ring-consumer"));
    snprintf(cmd, sizeof cmd, "%s --name %s --count 2000000 --size 24 --ring 65536 & %s --name %s --verify; wait",
             prod, name, cons, name);
    char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    struct tu_run_result r;
    GRADE_REQUIRE(tu_run(argv, 20000, &r) == 0, "could not start /bin/sh");
    GRADE_CHECK(tu_exited_with(r.status, 0), "producer/consumer failed; stderr: %s", r.err);
    GRADE_CHECK(strstr(r.out, "received 2000000 messages in order") != NULL, "consumer said: %s", r.out);
    shm_unlink(name);
}

static void programs_bad_usage(void)
{
    char *argv[] = {(char *)tu_program("10-ring-final/ring-producer"), "--ring", "1000", NULL};
    struct tu_run_result r;
    GRADE_REQUIRE(tu_run(argv, 5000, &r) == 0, "could not start %s", argv[0]);
    GRADE_CHECK(tu_exited_with(r.status, 2), "a ring size that is not a power of two is a usage error (2)");
    char *argv2[] = {(char *)tu_program("10-ring-final/ring-consumer"), "--name", "no-slash", NULL};
    GRADE_REQUIRE(tu_run(argv2, 5000, &r) == 0, "could not start %s", argv2[0]);
    GRADE_CHECK(tu_exited_with(r.status, 2), "a shm name without a leading '/' is a usage error (2)");
}

GRADE_TESTS(
    GRADE_TEST_TIMEOUT("unit", "final ring: a producer killed 10 times: whole records, then -EOWNERDEAD within 1 s",
                       killed_producer, 0, 30),
    GRADE_TEST_TIMEOUT("unit", "final ring: 1000 random corruptions of the header are refused on attach",
                       corrupt_header_rejected, 0, 20),
    GRADE_TEST_TIMEOUT("unit", "final ring: random corrupt indices and lengths give errors, never out-of-bounds",
                       corrupt_indices_and_lengths, 0, 30),
    GRADE_TEST("unit", "ring-producer | ring-consumer: lines in order, nothing left in /dev/shm", programs_lines, 0),
    GRADE_TEST_TIMEOUT("unit", "ring-producer --count 2M, ring-consumer --verify", programs_full_speed, 0, 30),
    GRADE_TEST("unit", "ring-producer/consumer: bad options exit 2", programs_bad_usage, 0),
)
