/*
 * producer: the article's mmap producer, in C, with its defects fixed.
 *
 *   producer [--file PATH]        (default: data.txt in the current directory)
 *
 * Like the article: write "Hello World!" to the file, map it, and write
 * "Hello Again!" at offset 4 through the mapping, leaving "HellHello Again!".
 * Unlike the article:
 * - the file is made 16 bytes long (ftruncate) BEFORE it is mapped: a mapping
 *   never grows a file, so the article's 12-byte file has no room for 12 bytes
 *   at offset 4;
 * - the work happens in a temporary file that is renamed over PATH only when
 *   it is complete, so a consumer sees the old file or the finished new one,
 *   never a half-written one (rename() is atomic);
 * - msync() pushes the mapped bytes to the file before it is published;
 * - every call is checked. Exit status: 0 ok, 1 runtime failure, 2 usage.
 * "article:" marks the lines that do what article/producer.py does. Its odd
 * "HellHello" is the article's own: mm.seek(4) writes over "Hello World!".
 */
#include "cli.h"
#include "die.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const struct cli cli = {
    .about = "Writes 'Hello World!' to PATH, then 'Hello Again!' at offset 4 through a mapping.",
    .options =
        (const struct cli_option[]){{'f', "file", "PATH", "the file (default data.txt)"}, {0}},
};

static const char first[] = "Hello World!";  /* the article's f.write() */
static const char second[] = "Hello Again!"; /* the article's mm.write() */
enum { OFFSET = 4 };                         /* the article's mm.seek(4) */

/* The temporary file, removed at exit unless it was published. */
static char tmp_path[4096];

static void remove_tmp(void)
{
    if (tmp_path[0] != '\0')
        unlink(tmp_path);
}

/* write() may write less than asked; loop until all of it is written. */
static void write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n == -1)
            die("cannot write %s", tmp_path);
        p += n;
        len -= (size_t)n;
    }
}

int main(int argc, char **argv)
{
    const char *path = "data.txt";
    for (int c; (c = cli_next(&cli, argc, argv)) != -1;)
        if (c == 'f')
            path = optarg;

    /* Same directory as PATH, so rename() cannot cross file systems. */
    int n = snprintf(tmp_path, sizeof tmp_path, "%s.tmp.%ld", path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof tmp_path)
        cli_error("--file: path too long");
    int fd = open(tmp_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd == -1)
        die("cannot create %s", tmp_path);
    if (atexit(remove_tmp) != 0)
        die_msg("cannot register the clean-up of %s", tmp_path);

    write_all(fd, first, strlen(first)); /* article: f.write('Hello World!') */

    /* The fix for the article's out-of-range write: the mapping may only
     * touch bytes the file has, so give the file its final size first. */
    size_t size = OFFSET + strlen(second);
    if (ftruncate(fd, (off_t)size) == -1)
        die("cannot resize %s to %zu bytes", tmp_path, size);

    /* article: mmap.mmap(f.fileno(), 0), after the file has grown */
    char *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED)
        die("cannot map %s", tmp_path);
    /* MAP_SHARED: this store changes the file itself (the page cache every
     * process sees), not a private copy. */
    /* article: mm.seek(4); mm.write(b'Hello Again!') */
    memcpy(map + OFFSET, second, strlen(second));

    /* Other processes see the store at once through the page cache; msync
     * makes it durable on disk before the file is published. */
    if (msync(map, size, MS_SYNC) == -1)
        die("cannot sync %s", tmp_path);
    if (munmap(map, size) == -1)
        die("cannot unmap %s", tmp_path);
    if (close(fd) == -1)
        die("cannot close %s", tmp_path);

    /* Publish: from here on a consumer that opens PATH gets all 16 bytes. */
    if (rename(tmp_path, path) == -1)
        die("cannot rename %s to %s", tmp_path, path);
    tmp_path[0] = '\0';
    return 0;
}
