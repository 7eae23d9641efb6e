/*
 * ring-producer: the article's mmap producer, done right, at full speed.
 *
 *   ring-producer [--name /NAME] [--ring BYTES] [--count N --size BYTES]
 *
 * Creates the named shm ring (default /ipc-labs-ring) and sends each line of
 * standard input as one record; or, with --count, N generated messages of
 * --size bytes (a sequence number, then bytes derived from it) as fast as it
 * can. Then it closes the ring: the consumer drains it and sees the end.
 * Start ring-consumer with the same name; it removes the name once it has
 * opened the ring.
 */
#include "cli.h"
#include "die.h"
#include "shmring.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct cli cli = {
    .about = "Sends each line of standard input (or N generated messages) through a shm ring.",
    .options =
        (const struct cli_option[]){
            {'n', "name", "/NAME", "the ring's name (default /ipc-labs-ring)"},
            {'r', "ring", "BYTES", "the ring's size, a power of two (default 1048576)"},
            {'c', "count", "N", "send N generated messages instead of standard input"},
            {'s', "size", "BYTES", "the size of each generated message (default 64)"},
            {0}},
    .exit_1 = "the ring could not be created, or the consumer died",
};

/* The generated message for sequence number seq: consumers can check it. */
static void fill(unsigned char *buf, uint32_t size, uint64_t seq)
{
    memcpy(buf, &seq, size < 8 ? size : 8);
    for (uint32_t i = 8; i < size; i++)
        buf[i] = (unsigned char)(seq * 31 + i);
}

int main(int argc, char **argv)
{
    const char *name = "/ipc-labs-ring";
    long ring = 1 << 20, count = -1, size = 64;
    for (int c; (c = cli_next(&cli, argc, argv)) != -1;)
        if (c == 'n')
            name = optarg;
        else if (c == 'r')
            ring = cli_long(optarg, SHMRING_MIN_SIZE, SHMRING_MAX_SIZE);
        else if (c == 'c')
            count = cli_long(optarg, 0, 1L << 40);
        else if (c == 's')
            size = cli_long(optarg, 8, 65536);
    if (name[0] != '/' || strchr(name + 1, '/') != NULL || strlen(name) > 200)
        cli_error("--name must look like /something, without another '/'");
    if (shmring_bytes((uint32_t)ring) == 0)
        cli_error("--ring must be a power of two");
    if (size > (long)((uint32_t)ring / 2 - SHMRING_HEADER))
        cli_error("--size %ld does not fit a ring of %ld bytes (at most half)", size, ring);

    struct shmring *h;
    int rc = shmring_create(name, (uint32_t)ring, &h);
    if (rc != 0)
        die_errnum(rc, "cannot create %s%s%s%s", name,
                   rc == -EEXIST ? " (if it is left over: rm /dev/shm" : "",
                   rc == -EEXIST ? name : "", rc == -EEXIST ? ")" : "");

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long sent = 0;
    if (count >= 0) {
        for (; sent < count; sent++) {
            void *p;
            if ((rc = shmring_reserve(h, (uint32_t)size, &p)) != 0)
                break;
            fill(p, (uint32_t)size, (uint64_t)sent); /* zero-copy: built in place */
            if ((sent & 63) == 63)
                shmring_commit(h); /* batches of 64: one index store each */
        }
    } else {
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        while ((n = getline(&line, &cap, stdin)) > 0) {
            if (line[n - 1] == '\n')
                n--;
            if ((uint64_t)n > shmring_max_len(h)) {
                fprintf(stderr, "%s: line %ld is longer than %u bytes; cut\n", prog_name(),
                        sent + 1, shmring_max_len(h));
                n = (ssize_t)shmring_max_len(h);
            }
            if ((rc = shmring_send(h, line, (uint32_t)n)) != 0)
                break;
            sent++;
        }
        free(line);
    }
    if (rc == -EOWNERDEAD) {
        shmring_free(h);
        die_msg("the consumer died after %ld messages", sent);
    }
    if (rc != 0)
        die_errnum(rc, "send failed after %ld messages", sent);
    shmring_close(h);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (count >= 0)
        fprintf(stderr, "%s: sent %ld messages of %ld bytes in %.3f s (%.0f msgs/s)\n", prog_name(),
                sent, size, s, s > 0 ? (double)sent / s : 0.0);
    shmring_free(h);
    return 0;
}
