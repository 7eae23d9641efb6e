/*
 * Messages the ring tests can check one by one: a sequence number, then
 * bytes that depend on that number and on a key the test draws at run time.
 * A lost, duplicated, reordered, torn or overwritten message fails its check,
 * and a fixed answer cannot pass because the key is new on every run.
 * The ring chapters after this one include this file too.
 */
#ifndef RING_MSGCHECK_H
#define RING_MSGCHECK_H

#include "grade.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Steps 3 onward move two million messages in a plain build: thousands of
 * wraps of any ring the tests make, in well under a second on a quiet
 * machine and a few seconds on a busy one. A sanitizer makes every access
 * slower, so fewer there. */
#ifdef IPC_SANITIZED
#define MSG_MANY 200000ULL
#else
#define MSG_MANY 2000000ULL
#endif

static inline uint64_t msg_mix(uint64_t x)
{
    /* splitmix64: cheap, and every input bit changes every output bit. */
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* A key nobody can predict: time, pid and an address. */
static inline uint64_t msg_new_key(void)
{
    /* Each call a new key, all from the run's seed: GRADE_SEED replays them. */
    static uint64_t calls;
    return msg_mix(((uint64_t)grade_seed() << 32) ^ ++calls);
}

/* size >= 8: the sequence number, then size - 8 bytes derived from it. */
static inline void msg_fill(void *buf, size_t size, uint64_t seq, uint64_t key)
{
    unsigned char *p = buf;
    memcpy(p, &seq, 8);
    uint64_t x = msg_mix(seq ^ key);
    for (size_t i = 8; i < size; i += 8) {
        x = msg_mix(x);
        memcpy(p + i, &x, size - i < 8 ? size - i : 8);
    }
}

/* The message's sequence number; *ok is cleared when a byte is not the one
 * msg_fill() wrote for that number (a torn or overwritten message). */
static inline uint64_t msg_check(const void *buf, size_t size, uint64_t key, int *ok)
{
    const unsigned char *p = buf;
    uint64_t seq;
    memcpy(&seq, p, 8);
    uint64_t x = msg_mix(seq ^ key);
    *ok = 1;
    for (size_t i = 8; i < size; i += 8) {
        x = msg_mix(x);
        if (memcmp(p + i, &x, size - i < 8 ? size - i : 8) != 0)
            *ok = 0;
    }
    return seq;
}

/* A random number in [lo, hi], for sizes and starting points. */
static inline uint64_t msg_rand(uint64_t *state, uint64_t lo, uint64_t hi)
{
    *state = msg_mix(*state);
    return lo + *state % (hi - lo + 1);
}

#endif
