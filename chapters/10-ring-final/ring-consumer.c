/*
 * ring-consumer: the article's mmap consumer, done right, at full speed.
 *
 *   ring-consumer [--name /NAME] [--timeout SECONDS] [--verify]
 *
 * Opens the named shm ring (waiting up to --timeout seconds, default 5, for
 * ring-producer to create it, and saying so), removes the name at once (the mapping stays; nothing
 * is left in /dev/shm), and prints each record as a line until the end of the stream. With --verify
 * it checks ring-producer --count's generated messages instead and prints how many arrived, in
 * order, and how fast. Exit status: 0 at the end of the stream; 1 if no ring came, the producer
 * died, or a record is corrupt or out of order; 2 for a bad command line.
 */
#include "cli.h"
#include "die.h"
#include "shmring.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static const struct cli cli = {
    .about = "Prints each record of a shm ring as a line, until ring-producer closes it.",
    .options =
        (const struct cli_option[]){
            {'n', "name", "/NAME", "the ring's name (default /ipc-labs-ring)"},
            {'t', "timeout", "SECONDS",
             "how long to wait for ring-producer to create it (default 5)"},
            {'v', "verify", NULL,
             "check ring-producer --count's messages instead of printing them"},
            {0}},
    .exit_1 = "no ring after --timeout, the producer died, or a record is corrupt or out of order",
};

static int check(const unsigned char *p, uint32_t len, uint64_t seq)
{
    uint64_t got = 0;
    memcpy(&got, p, len < 8 ? len : 8);
    if (got != seq)
        return 0;
    for (uint32_t i = 8; i < len; i++)
        if (p[i] != (unsigned char)(seq * 31 + i))
            return 0;
    return 1;
}

int main(int argc, char **argv)
{
    const char *name = "/ipc-labs-ring";
    long timeout_s = 5;
    int verify = 0;
    for (int c; (c = cli_next(&cli, argc, argv)) != -1;)
        if (c == 'n')
            name = optarg;
        else if (c == 't')
            timeout_s = cli_long(optarg, 0, 86400);
        else if (c == 'v')
            verify = 1;
    if (name[0] != '/' || strchr(name + 1, '/') != NULL || strlen(name) > 200)
        cli_error("--name must look like /something, without another '/'");

    /* The producer creates the object; it may not exist yet, or not be
     * formatted yet (-EPROTO): try again every 10 ms, up to the timeout. */
    struct shmring *h = NULL;
    int rc;
    for (long tries = 0;; tries++) {
        rc = shmring_open(name, SHMRING_CONSUMER, &h);
        if ((rc != -ENOENT && rc != -EPROTO) || tries >= timeout_s * 100)
            break;
        /* Said once the wait is noticeable: a pair started together stays quiet. */
        if (tries == 25)
            fprintf(stderr, "%s: waiting up to %ld s for ring-producer to create %s\n", prog_name(),
                    timeout_s, name);
        nanosleep(&(struct timespec){0, 10000000L}, NULL);
    }
    if (rc == -ENOENT || rc == -EPROTO)
        die_errnum(rc, "gave up after %ld s: cannot open the ring %s", timeout_s, name);
    if (rc != 0)
        die_errnum(rc, "cannot open the ring %s", name);
    shm_unlink(name); /* both sides have it mapped: the name is no longer needed */

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t n = 0;
    const void *p;
    uint32_t len;
    while ((rc = shmring_peek(h, &p, &len)) == 0) {
        if (verify) {
            if (!check(p, len, n))
                die_msg("message %llu is corrupt or out of order", (unsigned long long)n);
        } else {
            printf("%.*s\n", (int)len, (const char *)p);
        }
        n++;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    shmring_free(h);
    if (rc == -EOWNERDEAD)
        die_msg("the producer died after %llu messages", (unsigned long long)n);
    if (rc != -EPIPE)
        die_errnum(rc, "receive failed after %llu messages", (unsigned long long)n);
    if (verify) {
        double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        printf("received %llu messages in order (%.0f msgs/s)\n", (unsigned long long)n,
               s > 0 ? (double)n / s : 0.0);
    }
    return 0;
}
