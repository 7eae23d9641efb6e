/*
 * End-to-end checks of the chapter's translation, producer and consumer:
 * with each other, with the article's own pika programs in both directions,
 * and when the broker cannot be reached or refuses them.
 */
#include "grade.h"
#include "mq_test.h"
#include "testutil.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PRODUCER "01-message-queue/producer"
#define CONSUMER "01-message-queue/consumer"
#define PYTHON "/usr/bin/python3"

/* The article's programs, kept beside the chapter (IPC_BUILD_DIR is <root>/build). */
static const char *article(const char *file)
{
    static char path[4096];
    const char *build = getenv("IPC_BUILD_DIR");
    snprintf(path, sizeof path, "%s/../chapters/01-message-queue/article/%s", build ? build : "build", file);
    return path;
}

static void round_trip(void)
{
    char queue[80], msg[33], url[1024];
    mq_test_name(queue, sizeof queue, "e2e");
    mq_test_random_text(msg, 32);
    snprintf(url, sizeof url, "%s", mq_test_url());

    struct tu_run_result r;
    char *prod[] = {(char *)tu_program(PRODUCER), "--url", url, "--queue", queue, msg, NULL};
    GRADE_REQUIRE(tu_run(prod, 5000, &r) == 0, "could not start %s", prod[0]);
    char want[256];
    snprintf(want, sizeof want, " [x] Sent '%s'\n", msg);
    GRADE_CHECK(tu_exited_with(r.status, 0), "producer should exit 0; stderr: %s", r.err);
    GRADE_EXPECT_STR(r.out, want, "the producer prints the article's line");

    /* A body with quotes, a newline and a non-ASCII byte: shown as Python shows bytes. */
    char odd[] = "it's\n\"x\"\xc3\xa9";
    char *prod2[] = {(char *)tu_program(PRODUCER), "--url", url, "--queue", queue, odd, NULL};
    GRADE_REQUIRE(tu_run(prod2, 5000, &r) == 0 && tu_exited_with(r.status, 0), "the producer failed: %s", r.err);

    char *cons[] = {(char *)tu_program(CONSUMER), "--url", url, "--queue", queue, "--count", "2", NULL};
    GRADE_REQUIRE(tu_run(cons, 5000, &r) == 0, "could not start %s", cons[0]);
    snprintf(want, sizeof want,
             " [*] Waiting for messages. To exit press CTRL+C\n [x] Received b'%s'\n"
             " [x] Received b'it\\'s\\n\"x\"\\xc3\\xa9'\n", msg);
    GRADE_CHECK(tu_exited_with(r.status, 0) && !r.timed_out, "consumer --count 2 should exit 0; stderr: %s", r.err);
    GRADE_EXPECT_STR(r.out, want, "the consumer prints the article's lines, the body as Python shows bytes");
    GRADE_EXPECT_LONG(mq_test_queue_depth(queue), 0, "the consumer acknowledged the message: nothing is left");
    mq_test_delete_queue(queue);
}

static void closed_port_fails_fast(void)
{
    char url[128];
    snprintf(url, sizeof url, "amqp://guest:guest@127.0.0.1:%d/", mq_test_closed_port());
    const char *progs[] = {PRODUCER, CONSUMER};
    for (int i = 0; i < 2; i++) {
        char *argv[] = {(char *)tu_program(progs[i]), "--url", url, NULL};
        struct tu_run_result r;
        GRADE_REQUIRE(tu_run(argv, 6000, &r) == 0, "could not start %s", argv[0]);
        GRADE_CHECK(!r.timed_out, "%s hung on a closed port; it must give up within 5 s", progs[i]);
        GRADE_CHECK(tu_exited_with(r.status, 1), "%s: a broker that is down is a runtime error, exit 1", progs[i]);
        GRADE_CHECK(strstr(r.err, "cannot connect to 127.0.0.1") != NULL && strchr(r.err, '\n') == strrchr(r.err, '\n'),
                    "%s should print one line saying it cannot connect; stderr: %s", progs[i], r.err);
    }
}

static void refusals_and_bad_usage(void)
{
    char good[1024], bad_user[1100], bad_vhost[1100], vhost[40];
    snprintf(good, sizeof good, "%s", mq_test_url());
    /* amqp://user:password@host... -> amqp://user:wrong@host... */
    char *at = strchr(good + strlen("amqp://"), '@'), *colon = strchr(good + strlen("amqp://"), ':');
    GRADE_REQUIRE(at && colon && colon < at, "the broker URL has no user:password: %s", good);
    snprintf(bad_user, sizeof bad_user, "%.*s:not-the-password%s", (int)(colon - good), good, at);
    mq_test_random_text(vhost, 12);
    char *slash = strchr(at, '/');
    snprintf(bad_vhost, sizeof bad_vhost, "%.*s/%s", slash ? (int)(slash - good) : (int)strlen(good), good, vhost);

    struct { const char *url, *reply, *why; } cases[] = {
        {bad_user, "ACCESS_REFUSED", "a wrong password"},
        {bad_vhost, "NOT_ALLOWED", "an unknown vhost"},
    };
    for (int i = 0; i < 2; i++) {
        char *argv[] = {(char *)tu_program(PRODUCER), "--url", (char *)cases[i].url, NULL};
        struct tu_run_result r;
        GRADE_REQUIRE(tu_run(argv, 6000, &r) == 0, "could not start %s", argv[0]);
        GRADE_CHECK(tu_exited_with(r.status, 1) && !r.timed_out, "%s: exit 1 expected", cases[i].why);
        GRADE_CHECK(strstr(r.err, cases[i].reply) != NULL,
                    "%s: stderr should carry the broker's reply %s; got: %s", cases[i].why, cases[i].reply, r.err);
    }

    struct tu_run_result r;
    char *argv[] = {(char *)tu_program(CONSUMER), "--count", "0", NULL};
    GRADE_REQUIRE(tu_run(argv, 5000, &r) == 0, "could not start %s", argv[0]);
    GRADE_CHECK(tu_exited_with(r.status, 2), "--count 0 is a usage error: exit 2; stderr: %s", r.err);
    char *argv2[] = {(char *)tu_program(PRODUCER), "--url", "http://example.org/", NULL};
    GRADE_REQUIRE(tu_run(argv2, 5000, &r) == 0, "could not start %s", argv2[0]);
    GRADE_CHECK(tu_exited_with(r.status, 1) && strstr(r.err, "is not an AMQP URL"),
                "a URL that is not amqp:// is refused in one line; stderr: %s", r.err);
}

static void ctrl_c_closes_cleanly(void)
{
    char queue[80], url[1024], out[4096] = "";
    mq_test_name(queue, sizeof queue, "sigint");
    snprintf(url, sizeof url, "%s", mq_test_url());
    char *argv[] = {(char *)tu_program(CONSUMER), "--url", url, "--queue", queue, NULL};
    int fd;
    pid_t pid = mq_test_spawn(argv, &fd);
    int waiting = mq_test_read_until(fd, "Waiting for messages", 5000, out, sizeof out);
    int timed_out, status = mq_test_stop(pid, SIGINT, 3000, &timed_out);
    close(fd);
    GRADE_CHECK(waiting, "the consumer never said it was waiting; output: %s", out);
    GRADE_CHECK(!timed_out && tu_exited_with(status, 0), "Ctrl-C (SIGINT) should end the consumer with status 0");
    mq_test_delete_queue(queue);
}

static void deleted_queue_ends_consumer(void)
{
    char queue[80], url[1024], out[4096] = "";
    mq_test_name(queue, sizeof queue, "deleted");
    snprintf(url, sizeof url, "%s", mq_test_url());
    char *argv[] = {(char *)tu_program(CONSUMER), "--url", url, "--queue", queue, NULL};
    int fd, timed_out;
    pid_t pid = mq_test_spawn(argv, &fd);
    int waiting = mq_test_read_until(fd, "Waiting for messages", 5000, out, sizeof out);
    if (waiting)
        mq_test_delete_queue(queue);
    int said = waiting && mq_test_read_until(fd, "cancelled", 5000, out, sizeof out);
    int status = mq_test_stop(pid, said ? 0 : SIGKILL, 3000, &timed_out);
    close(fd);
    GRADE_CHECK(said && !timed_out && tu_exited_with(status, 1),
                "a consumer whose queue is deleted should say so and exit 1, not wait for ever; output:\n%s", out);
}

/* The article's programs use the queue 'hello': start from an empty one. */
static void setenv_url(void)
{
    setenv("AMQP_URL", mq_test_url(), 1);
    setenv("PYTHONUNBUFFERED", "1", 1); /* so its lines reach us as it prints them */
    mq_test_delete_queue("hello");
}

static void article_producer_to_c_consumer(void)
{
    setenv_url();
    struct tu_run_result r;
    char *py[] = {PYTHON, (char *)article("producer.py"), NULL};
    GRADE_REQUIRE(tu_run(py, 10000, &r) == 0, "could not start %s", PYTHON);
    GRADE_REQUIRE(tu_exited_with(r.status, 0), "the article's producer failed: %s", r.err);
    GRADE_EXPECT_STR(r.out, " [x] Sent 'Hello World!'\n", "the article's producer's line");

    char *cons[] = {(char *)tu_program(CONSUMER), "--count", "1", NULL}; /* URL from AMQP_URL */
    GRADE_REQUIRE(tu_run(cons, 5000, &r) == 0, "could not start %s", cons[0]);
    GRADE_CHECK(tu_exited_with(r.status, 0) && !r.timed_out, "consumer --count 1 should exit 0; stderr: %s", r.err);
    GRADE_EXPECT_STR(r.out, " [*] Waiting for messages. To exit press CTRL+C\n [x] Received b'Hello World!'\n",
                     "the C consumer reads what pika sent, and prints it as the article's consumer would");
    mq_test_delete_queue("hello");
}

static void c_producer_to_article_consumer(void)
{
    setenv_url();
    char msg[33], out[4096] = "", want[80];
    mq_test_random_text(msg, 32);
    struct tu_run_result r;
    char *prod[] = {(char *)tu_program(PRODUCER), msg, NULL};
    GRADE_REQUIRE(tu_run(prod, 5000, &r) == 0, "could not start %s", prod[0]);
    GRADE_REQUIRE(tu_exited_with(r.status, 0), "the C producer failed: %s", r.err);

    char *py[] = {PYTHON, (char *)article("consumer.py"), NULL};
    int fd;
    pid_t pid = mq_test_spawn(py, &fd);
    snprintf(want, sizeof want, " [x] Received b'%s'\n", msg);
    int seen = mq_test_read_until(fd, want, 10000, out, sizeof out);
    int timed_out, status = mq_test_stop(pid, SIGTERM, 3000, &timed_out);
    (void)status;
    close(fd);
    GRADE_CHECK(seen, "the article's consumer should print \"%.*s\"; it printed:\n%s", (int)strlen(want) - 1, want, out);
    /* The article's consumer never acknowledges (pika's default is manual
     * ack): once it is gone, the broker puts the message back. */
    GRADE_EXPECT_LONG(mq_test_queue_depth("hello"), 1,
                      "the article's consumer never acks, so its message is back in the queue");
    mq_test_delete_queue("hello");
}

static void bench_client_moves_messages(void)
{
    char queue[80], url[1024], out[4096] = "";
    mq_test_name(queue, sizeof queue, "bench");
    snprintf(url, sizeof url, "%s", mq_test_url());
    char *cons[] = {(char *)tu_program("01-message-queue/mq-bench"), "consume", "--url", url, "--queue", queue,
                    "--count", "200", NULL};
    int fd, timed_out;
    pid_t pid = mq_test_spawn(cons, &fd);
    int ready = mq_test_read_until(fd, "ready\n", 5000, out, sizeof out);
    struct tu_run_result r;
    char *prod[] = {(char *)tu_program("01-message-queue/mq-bench"), "produce", "--url", url, "--queue", queue,
                    "--count", "200", "--size", "100", NULL};
    if (ready)
        GRADE_REQUIRE(tu_run(prod, 5000, &r) == 0, "could not start %s", prod[0]);
    int ended = ready && mq_test_read_until(fd, "end ", 5000, out, sizeof out);
    int status = mq_test_stop(pid, ended ? 0 : SIGKILL, 3000, &timed_out);
    close(fd);
    GRADE_CHECK(ready, "the bench consumer never said ready:\n%s", out);
    GRADE_CHECK(ended && tu_exited_with(status, 0), "the bench consumer should receive 200 messages and exit 0:\n%s", out);
    GRADE_CHECK(!ready || strncmp(r.out, "start ", 6) == 0, "the bench producer prints its start time; got: %s", r.out);
    GRADE_EXPECT_LONG(mq_test_queue_depth(queue), -1, "the bench's queue is auto-deleted when its consumer leaves");
}

GRADE_TESTS(
    GRADE_TEST_TIMEOUT("unit", "producer -> consumer: the article's lines, bodies as Python shows them", round_trip, 0, 15),
    GRADE_TEST_TIMEOUT("unit", "a closed port: one error line, exit 1, within 5 s", closed_port_fails_fast, 0, 15),
    GRADE_TEST_TIMEOUT("unit", "wrong password, unknown vhost, bad URL: exit 1, one line; bad options: exit 2",
                       refusals_and_bad_usage, 0, 15),
    GRADE_TEST("unit", "consumer: Ctrl-C closes cleanly, exit 0", ctrl_c_closes_cleanly, 0),
    GRADE_TEST("unit", "consumer: its queue deleted, it says so and exits 1", deleted_queue_ends_consumer, 0),
    GRADE_TEST_TIMEOUT("unit", "interop: the article's pika producer -> C consumer", article_producer_to_c_consumer, 0, 20),
    GRADE_TEST_TIMEOUT("unit", "interop: C producer -> the article's pika consumer", c_producer_to_article_consumer, 0, 20),
    GRADE_TEST_TIMEOUT("unit", "mq-bench: 200 messages from producer to consumer", bench_client_moves_messages, 0, 20),
)
