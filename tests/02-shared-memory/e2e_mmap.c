/* End-to-end checks of the chapter's example: producer and consumer, and
 * their interoperation with the article's own Python programs. */
#include "grade.h"
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PYTHON "/usr/bin/python3" /* Debian's Python, as the article ran it */

/* Path of one of the article's programs in the source tree (read, never written). */
static const char *article(const char *name)
{
    static char path[4096];
    char build[4096];
    const char *b = getenv("IPC_BUILD_DIR");
    snprintf(build, sizeof build, "%s", b != NULL ? b : "build");
    snprintf(path, sizeof path, "%s/chapters/02-shared-memory/article/%s", dirname(build), name);
    return path;
}

static void run(char *const argv[], struct tu_run_result *r)
{
    GRADE_REQUIRE(tu_run(argv, 10000, r) == 0, "could not start %s", argv[0]);
    GRADE_REQUIRE(!r->timed_out, "%s ran past 10 s", argv[0]);
}

/* Reads a whole small file; returns its length or -1. */
static long slurp(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    if (fd == -1)
        return -1;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n >= 0)
        buf[n] = '\0';
    return n;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    GRADE_REQUIRE(f != NULL, "cannot create %s: %s", path, strerror(errno));
    fputs(text, f);
    GRADE_REQUIRE(fclose(f) == 0, "cannot write %s", path);
}

/* Number of entries in the current directory besides . and .. */
static int entries_here(void)
{
    DIR *d = opendir(".");
    int n = 0;
    for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    if (d != NULL)
        closedir(d);
    return n;
}

static void producer_then_consumer(void)
{
    struct tu_run_result r;
    char *prod[] = {(char *)tu_program("02-shared-memory/producer"), NULL};
    run(prod, &r);
    GRADE_REQUIRE(tu_exited_with(r.status, 0), "producer should exit 0; stderr: %s", r.err);

    char buf[256];
    long n = slurp("data.txt", buf, sizeof buf);
    GRADE_EXPECT_LONG(n, 16, "data.txt holds 'Hello World!' overwritten from offset 4");
    if (n == 16)
        GRADE_EXPECT_STR(buf, "HellHello Again!", "the bytes the article meant to leave");
    GRADE_EXPECT_LONG(entries_here(), 1, "only data.txt is left: the temporary file was renamed");

    char *cons[] = {(char *)tu_program("02-shared-memory/consumer"), NULL};
    run(cons, &r);
    GRADE_CHECK(tu_exited_with(r.status, 0), "consumer should exit 0; stderr: %s", r.err);
    GRADE_EXPECT_STR(r.out, "HellHello Again!\n", "the consumer prints the file's bytes");
}

static void file_option(void)
{
    char name[64];
    srand(grade_seed());
    snprintf(name, sizeof name, "out-%d.bin", rand());
    struct tu_run_result r;
    char *prod[] = {(char *)tu_program("02-shared-memory/producer"), "--file", name, NULL};
    run(prod, &r);
    GRADE_REQUIRE(tu_exited_with(r.status, 0), "producer --file should exit 0; stderr: %s", r.err);
    GRADE_CHECK(access("data.txt", F_OK) != 0, "--file %s must not touch data.txt", name);

    char *cons[] = {(char *)tu_program("02-shared-memory/consumer"), "--file", name, NULL};
    run(cons, &r);
    GRADE_EXPECT_STR(r.out, "HellHello Again!\n", "the consumer reads the file --file names");
}

/* The article's consumer reads what the C producer wrote. */
static void article_consumer_reads_c_producer(void)
{
    struct tu_run_result r;
    char *prod[] = {(char *)tu_program("02-shared-memory/producer"), NULL};
    run(prod, &r);
    GRADE_REQUIRE(tu_exited_with(r.status, 0), "producer should exit 0; stderr: %s", r.err);

    char *py[] = {PYTHON, (char *)article("consumer.py"), NULL};
    run(py, &r);
    GRADE_CHECK(tu_exited_with(r.status, 0), "the article's consumer failed: %s", r.err);
    GRADE_EXPECT_STR(r.out, "b'HellHello Again!'\n", "Python prints the repr of the same 16 bytes");
}

/* Both consumers print the same bytes, whatever the file holds. */
static void consumers_agree(void)
{
    srand(grade_seed());
    char text[64];
    size_t len = 1 + (size_t)rand() % 40;
    for (size_t i = 0; i < len; i++)
        text[i] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "[rand() % 63];
    text[len] = '\0';
    write_file("data.txt", text);

    struct tu_run_result r;
    char *cons[] = {(char *)tu_program("02-shared-memory/consumer"), NULL};
    run(cons, &r);
    char want[128];
    snprintf(want, sizeof want, "%s\n", text);
    GRADE_EXPECT_STR(r.out, want, "the C consumer prints the bytes as they are");

    char *py[] = {PYTHON, (char *)article("consumer.py"), NULL};
    run(py, &r);
    snprintf(want, sizeof want, "b'%s'\n", text);
    GRADE_EXPECT_STR(r.out, want, "the article's consumer prints their repr");
}

/* The article's producer, run as written, fails and leaves 'Hello World!'. */
static void article_producer_as_written(void)
{
    struct tu_run_result r;
    char *py[] = {PYTHON, (char *)article("producer.py"), NULL};
    run(py, &r);
    GRADE_CHECK(tu_exited_with(r.status, 1), "the article's producer raises: 12 bytes at offset 4 of 12");
    GRADE_CHECK(strstr(r.err, "ValueError: data out of range") != NULL,
                "expected Python's ValueError; stderr: %s", r.err);

    char *cons[] = {(char *)tu_program("02-shared-memory/consumer"), NULL};
    run(cons, &r);
    GRADE_EXPECT_STR(r.out, "Hello World!\n", "only the first write reached the file");
    char *pyc[] = {PYTHON, (char *)article("consumer.py"), NULL};
    run(pyc, &r);
    GRADE_EXPECT_STR(r.out, "b'Hello World!'\n", "the article's consumer agrees");
}

/* A consumer started first waits for the producer with --wait. */
static void consumer_waits_for_producer(void)
{
    pid_t pid = fork();
    GRADE_REQUIRE(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        nanosleep(&(struct timespec){.tv_nsec = 300 * 1000 * 1000}, NULL);
        execl(tu_program("02-shared-memory/producer"), "producer", (char *)NULL);
        _exit(127);
    }
    struct tu_run_result r;
    char *cons[] = {(char *)tu_program("02-shared-memory/consumer"), "--wait", "8", NULL};
    run(cons, &r);
    int status;
    GRADE_REQUIRE(waitpid(pid, &status, 0) == pid, "waitpid: %s", strerror(errno));
    GRADE_CHECK(tu_exited_with(status, 0), "producer should exit 0");
    GRADE_CHECK(tu_exited_with(r.status, 0), "consumer --wait should exit 0; stderr: %s", r.err);
    GRADE_EXPECT_STR(r.out, "HellHello Again!\n", "it sees the whole published file, never part of it");
}

static void missing_file_is_one_line_exit_1(void)
{
    struct tu_run_result r;
    char *cons[] = {(char *)tu_program("02-shared-memory/consumer"), NULL};
    run(cons, &r);
    GRADE_CHECK(tu_exited_with(r.status, 1), "a missing file is a runtime failure: exit 1");
    GRADE_EXPECT_STR(r.err, "consumer: cannot open data.txt: No such file or directory\n",
                     "one clear line on stderr");
    GRADE_EXPECT_STR(r.out, "", "nothing on stdout");

    char *dev[] = {(char *)tu_program("02-shared-memory/consumer"), "--file", "/dev/null", NULL};
    run(dev, &r);
    GRADE_CHECK(tu_exited_with(r.status, 1), "a device is not a file to map: exit 1");
    GRADE_EXPECT_STR(r.err, "consumer: /dev/null is not a regular file\n", "one clear line");

    char *bad[] = {(char *)tu_program("02-shared-memory/consumer"), "--wait", "soon", NULL};
    run(bad, &r);
    GRADE_CHECK(tu_exited_with(r.status, 2), "a bad --wait is a usage error: exit 2");
    char *badp[] = {(char *)tu_program("02-shared-memory/producer"), "--fil", "x", NULL};
    run(badp, &r);
    GRADE_CHECK(tu_exited_with(r.status, 2), "an unknown option is a usage error: exit 2");
}

GRADE_TESTS(
    GRADE_TEST("unit", "producer then consumer: 'HellHello Again!'", producer_then_consumer, 0),
    GRADE_TEST("unit", "producer and consumer honour --file", file_option, 0),
    GRADE_TEST("unit", "the article's consumer reads the C producer's file", article_consumer_reads_c_producer, 0),
    GRADE_TEST("unit", "the C and the article's consumer print the same random bytes", consumers_agree, 0),
    GRADE_TEST("unit", "the article's producer as written: ValueError, 'Hello World!' left", article_producer_as_written, 0),
    GRADE_TEST("unit", "consumer --wait waits for the producer's publication", consumer_waits_for_producer, 0),
    GRADE_TEST("unit", "consumer: missing file, device, bad usage", missing_file_is_one_line_exit_1, 0),
)
