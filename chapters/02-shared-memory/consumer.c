/*
 * consumer: the article's mmap consumer, in C.
 *
 *   consumer [--file PATH] [--wait SECONDS]
 *
 * Maps PATH (default data.txt) and prints its bytes and a newline. The
 * article's consumer prints Python's repr of the same bytes: b'...'.
 *
 * It does not race the producer: the producer publishes the file with an
 * atomic rename() once it is complete, so whatever file this opens is whole.
 * If the file is not there yet, --wait waits up to SECONDS for it to appear,
 * saying so on stderr (default 0: fail at once). Exit status: 0 ok, 1 runtime failure (no such
 * file, not a regular file...), 2 usage.
 * "article:" marks the lines that do what article/consumer.py does; it maps
 * the file read-write ('r+b') to read it, this only PROT_READ.
 */
#include "cli.h"
#include "die.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const struct cli cli = {
    .about = "Maps PATH and prints its bytes and a newline.",
    .options =
        (const struct cli_option[]){
            {'f', "file", "PATH", "the file (default data.txt)"},
            {'w', "wait", "SECONDS",
             "wait up to SECONDS for the producer to publish it (default 0)"},
            {0}},
    .exit_1 = "no such file (after --wait), or it is not a regular file",
};

/* Opens path, retrying every 10 ms for up to wait_s seconds while it does not exist. */
static int open_when_published(const char *path, long wait_s)
{
    for (long tries = 0;; tries++) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd != -1 || errno != ENOENT || tries >= wait_s * 100)
            return fd;
        /* Said once the wait is noticeable: a pair started together stays quiet. */
        if (tries == 25)
            fprintf(stderr, "%s: waiting up to %ld s for the producer to publish %s\n", prog_name(),
                    wait_s, path);
        nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
    }
}

int main(int argc, char **argv)
{
    const char *path = "data.txt";
    long wait_s = 0;
    for (int c; (c = cli_next(&cli, argc, argv)) != -1;)
        if (c == 'f')
            path = optarg;
        else if (c == 'w')
            wait_s = cli_long(optarg, 0, 3600);

    int fd = open_when_published(path, wait_s);
    if (fd == -1 && errno == ENOENT && wait_s > 0)
        die("gave up after %ld s: cannot open %s", wait_s, path);
    if (fd == -1)
        die("cannot open %s", path);
    struct stat st;
    if (fstat(fd, &st) == -1)
        die("cannot stat %s", path);
    /* A FIFO or a device has no size to map; say so instead of failing oddly. */
    if (!S_ISREG(st.st_mode))
        die_msg("%s is not a regular file", path);

    /* mmap() refuses a length of 0: an empty file is simply an empty line. */
    if (st.st_size > 0) {
        size_t size = (size_t)st.st_size;
        const char *map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0); /* article: mmap.mmap() */
        if (map == MAP_FAILED)
            die("cannot map %s", path);
        /* If another process truncated the file now, reading the lost pages
         * would raise SIGBUS: a file-backed mapping is only as long as its
         * file. The producer never does that; it renames a new file in. */
        /* article: print(mm.read()), the bytes as they are, not as b'...' */
        if (fwrite(map, 1, size, stdout) != size)
            die("cannot write to stdout");
        if (munmap((void *)map, size) == -1)
            die("cannot unmap %s", path);
    }
    if (close(fd) == -1)
        die("cannot close %s", path);
    if (putchar('\n') == EOF || fflush(stdout) == EOF)
        die("cannot write to stdout");
    return 0;
}
