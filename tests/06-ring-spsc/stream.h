/*
 * One producer and one consumer moving checked messages through a ring, as
 * two threads or as two processes; used by the tests of every lock-free step
 * (they all have ring_push, ring_pop and ring_close). Include it after ring.h.
 *
 * ThreadSanitizer sees only the threads of one process, so when it is on,
 * STREAM_PROCS runs as threads too: the ring code is the same either way.
 * A test file whose ring keeps more state per index defines
 * STREAM_SET_START(r, start) to start the indices at start.
 */
#ifndef RING_STREAM_H
#define RING_STREAM_H

#include "../04-ring-buffer/msgcheck.h"
#include "../04-ring-buffer/proc.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#if defined(__SANITIZE_THREAD__)
#define STREAM_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define STREAM_TSAN 1
#endif
#endif

enum stream_mode { STREAM_THREADS, STREAM_PROCS };

struct stream {
    struct ring *r;
    uint64_t n, key;
    uint64_t *trailer; /* shared memory the producer writes after its last push, before the close */
};

/* What the producer leaves in the trailer: a consumer that got -EPIPE must see it. */
static uint64_t stream_trailer(const struct stream *s)
{
    return s->key ^ s->n;
}

static void *stream_producer(void *arg)
{
    const struct stream *s = arg;
    unsigned char m[8192];
    for (uint64_t i = 0; i < s->n; i++) {
        msg_fill(m, s->r->elem_size, i, s->key);
        if (ring_push(s->r, m) != 0)
            return (void *)1;
    }
    /* A plain write outside the ring: only ring_close()'s release, and the
     * consumer's acquire of closed, order it before the consumer's read. */
    *s->trailer = stream_trailer(s);
    ring_close(s->r);
    return NULL;
}

/* A ring in fresh shared memory, indices started at start. NULL on failure
 * (the reason in why). */
static struct ring *stream_ring(uint32_t cap, uint32_t size, uint32_t start, char *why, size_t whylen)
{
    size_t bytes = ring_bytes(cap, size);
    if (bytes < sizeof(struct ring) + (size_t)cap * size) {
        snprintf(why, whylen, "ring_bytes(%u, %u) = %zu: too small", cap, size, bytes);
        return NULL;
    }
    struct ring *r = proc_shared(bytes);
    if (r == NULL) {
        snprintf(why, whylen, "mmap: %s", strerror(errno));
        return NULL;
    }
    int rc = ring_init(r, cap, size);
    if (rc != 0) {
        snprintf(why, whylen, "ring_init(capacity %u, elem %u) returned %d, expected 0", cap, size, rc);
        munmap(r, bytes);
        return NULL;
    }
#ifdef STREAM_SET_START
    STREAM_SET_START(r, start);
#else
    atomic_store(&r->head, start);
    atomic_store(&r->tail, start);
#endif
    return r;
}

/*
 * Moves n messages of size bytes through a ring of cap slots whose indices
 * start at start, then checks end of stream. Returns 0, or -1 with a message
 * for the learner in why.
 */
static int stream_run(enum stream_mode mode, uint32_t cap, uint32_t size, uint32_t start, uint64_t n,
                      char *why, size_t whylen)
{
    struct ring *r = stream_ring(cap, size, start, why, whylen);
    if (r == NULL)
        return -1;
    uint64_t *trailer = proc_shared(sizeof *trailer);
    if (trailer == NULL) {
        snprintf(why, whylen, "mmap: %s", strerror(errno));
        munmap(r, ring_bytes(cap, size));
        return -1;
    }
    struct stream s = {r, n, msg_new_key(), trailer};
#ifdef STREAM_TSAN
    mode = STREAM_THREADS;
#endif
    pthread_t tid;
    pid_t pid = -1;
    if (mode == STREAM_THREADS) {
        if (pthread_create(&tid, NULL, stream_producer, &s) != 0) {
            snprintf(why, whylen, "pthread_create failed");
            return -1;
        }
    } else if ((pid = fork()) == 0) {
        _exit(stream_producer(&s) == NULL ? 0 : 3);
    } else if (pid < 0) {
        snprintf(why, whylen, "fork: %s", strerror(errno));
        return -1;
    }

    unsigned char m[8192];
    uint64_t got = 0;
    int rc, ok = 1, failed = 0;
    while ((rc = ring_pop(r, m)) == 0) {
        uint64_t seq = msg_check(m, size, s.key, &ok);
        if (!ok || seq != got) {
            snprintf(why, whylen, "%s (cap %u, %u-byte messages): expected message %llu, got %s%llu: %s",
                     mode == STREAM_THREADS ? "two threads" : "two processes", cap, size,
                     (unsigned long long)got, ok ? "" : "a damaged ", (unsigned long long)seq,
                     !ok ? "a slot was read while it was written (freed before it was copied out, "
                           "or read before the copy in was visible)"
                         : seq < got ? "a duplicate: the consumer saw an old slot again"
                                     : "messages were lost or overwritten");
            failed = 1;
            break;
        }
        got++;
    }
    if (!failed && rc != -EPIPE) {
        snprintf(why, whylen, "ring_pop returned %d after %llu messages, expected 0 or -EPIPE", rc,
                 (unsigned long long)got);
        failed = 1;
    } else if (!failed && got != n) {
        snprintf(why, whylen, "end of stream after %llu of %llu messages: the rest were lost "
                 "(a closed ring must be drained first)", (unsigned long long)got, (unsigned long long)n);
        failed = 1;
    } else if (!failed && *trailer != stream_trailer(&s)) {
        /* Under ThreadSanitizer a missing release or acquire is reported
         * here as a race on the trailer, even when the value is right. */
        snprintf(
            why, whylen,
            "ring_pop returned -EPIPE, but what the producer wrote just before "
            "ring_close() is not visible: ring_close must publish (release) and the consumer's "
            "load of closed must acquire");
        failed = 1;
    }
    if (mode == STREAM_THREADS) {
        if (failed)
            return -1; /* the producer may be stuck on a full ring: leave it, and the memory, alone */
        pthread_join(tid, NULL);
    } else {
        if (failed)
            kill(pid, SIGKILL);
        int status = proc_wait(pid, 5000);
        if (!failed && status != 0) {
            snprintf(why, whylen, "the producer process did not exit cleanly (status %d)", status);
            failed = 1;
        }
    }
    munmap(trailer, sizeof *trailer);
    munmap(r, ring_bytes(cap, size));
    return failed ? -1 : 0;
}

#endif
