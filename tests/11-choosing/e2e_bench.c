/* End-to-end checks of the benchmark driver: it runs, and what it writes is
 * well-formed. Never its numbers: timings depend on the machine and on what
 * else runs on it, so a test that asserted them would fail for no bug. */
#include "grade.h"
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BENCH "11-choosing/bench"

/* A size the driver cannot have been tuned for: 8..4096, not a power of two. */
static long random_size(void)
{
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    return 9 + rand() % 4000;
}

static int is_number(const char *s)
{
    char *end;
    if (*s == '\0')
        return 0;
    double v = strtod(s, &end);
    return *end == '\0' && v >= 0;
}

/* Reads a CSV the driver wrote; checks the header and that every row is
 * "mechanism,size,metric,value" with a known metric and a number. Counts the
 * rows whose mechanism and size match (size 0: any). Returns the row count. */
static int check_csv(const char *path, const char *mech, long size, int *matching)
{
    FILE *f = fopen(path, "r");
    GRADE_REQUIRE(f != NULL, "the driver did not write %s", path);
    char line[512];
    GRADE_REQUIRE(fgets(line, sizeof line, f) != NULL, "%s is empty", path);
    GRADE_EXPECT_STR(line, "mechanism,size,metric,value\n", "the CSV header every part shares");
    int rows = 0;
    *matching = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        rows++;
        char m[64], metric[32], value[64];
        long s;
        int n = sscanf(line, "%63[^,],%ld,%31[^,],%63[^\n]", m, &s, metric, value);
        GRADE_CHECK(n == 4, "row %d is not mechanism,size,metric,value: %s", rows, line);
        if (n != 4)
            continue;
        GRADE_CHECK(strcmp(metric, "msgs_per_s") == 0 || strcmp(metric, "rtt_p50_ns") == 0 ||
                        strcmp(metric, "rtt_p99_ns") == 0,
                    "row %d: unknown metric '%s'", rows, metric);
        GRADE_CHECK(is_number(value), "row %d: value '%s' is not a number", rows, value);
        if (strcmp(m, mech) == 0 && (size == 0 || s == size))
            (*matching)++;
    }
    fclose(f);
    return rows;
}

static void pipe_rows_are_well_formed(void)
{
    long size = random_size();
    char sizes[64];
    snprintf(sizes, sizeof sizes, "64,%ld", size);
    char *argv[] = {(char *)tu_program(BENCH),
                    "--mech",
                    "pipe",
                    "--sizes",
                    sizes,
                    "--reps",
                    "2",
                    "--count",
                    "200",
                    "--quiet",
                    "--out",
                    "out.csv",
                    "--spread",
                    "spread.csv",
                    "--machine",
                    "machine.txt",
                    NULL};
    struct tu_run_result r;
    GRADE_REQUIRE(tu_run(argv, 20000, &r) == 0, "could not start %s", argv[0]);
    GRADE_REQUIRE(tu_exited_with(r.status, 0), "bench should exit 0; stderr: %s", r.err);
    int matching;
    GRADE_EXPECT_LONG(check_csv("out.csv", "pipe", size, &matching), 6,
                      "two sizes times three metrics");
    GRADE_EXPECT_LONG(matching, 3, "msgs_per_s, rtt_p50_ns and rtt_p99_ns at the random size");

    FILE *f = fopen("spread.csv", "r");
    GRADE_REQUIRE(f != NULL, "no spread.csv");
    char line[256];
    int rows = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        double med, lo, hi;
        int reps;
        if (rows++ == 0)
            continue; /* header */
        GRADE_CHECK(sscanf(line, "%*[^,],%*d,%*[^,],%lf,%lf,%lf,%d", &med, &lo, &hi, &reps) == 4,
                    "spread row is not mechanism,size,metric,median,min,max,reps: %s", line);
        GRADE_CHECK(lo <= med && med <= hi, "the median lies between min and max: %s", line);
        GRADE_CHECK(reps == 2, "--reps 2 was asked for: %s", line);
    }
    fclose(f);
    GRADE_EXPECT_LONG(rows, 7, "a header and the same six rows");

    f = fopen("machine.txt", "r");
    GRADE_REQUIRE(f != NULL, "no machine.txt");
    GRADE_CHECK(fgets(line, sizeof line, f) != NULL && strncmp(line, "cpu: ", 5) == 0,
                "machine.txt starts with the CPU model: %s", line);
    fclose(f);
}

/* The mechanisms that need no daemon. iceoryx needs its RouDi, which
 * `make bench` starts; a test must not depend on one. */
static const char core_mechs[] =
    "pipe,fifo,unix,tcp,posix_mq,zeromq_ipc,ck_ring,cacheline_pingpong";

/* Every mechanism carries a short stream of a random size intact (the
 * receiver checks every sequence number), and leaves no file behind. */
static void every_mechanism_runs_and_cleans_up(void)
{
    long size = random_size();
    char sizes[32];
    snprintf(sizes, sizeof sizes, "%ld", size);
    char *argv[] = {(char *)tu_program(BENCH),
                    "--mech",
                    (char *)core_mechs,
                    "--sizes",
                    sizes,
                    "--reps",
                    "1",
                    "--count",
                    "50",
                    "--quiet",
                    "--out",
                    "all.csv",
                    NULL};
    struct tu_run_result r;
    GRADE_REQUIRE(tu_run(argv, 30000, &r) == 0, "could not start %s", argv[0]);
    GRADE_REQUIRE(tu_exited_with(r.status, 0), "bench should exit 0; stderr: %s", r.err);

    char names[sizeof core_mechs];
    memcpy(names, core_mechs, sizeof names);
    for (char *save, *m = strtok_r(names, ",", &save); m; m = strtok_r(NULL, ",", &save)) {
        int matching;
        check_csv("all.csv", m, 0, &matching);
        GRADE_CHECK(matching >= 2, "%s: expected its rows in the CSV, got %d; stderr: %s", m,
                    matching, r.err);
    }

    DIR *d = opendir(".");
    GRADE_REQUIRE(d != NULL, "cannot list the test's directory");
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        GRADE_CHECK(strncmp(e->d_name, "bench-", 6) != 0,
                    "left behind in $TMPDIR: %s (FIFOs and sockets must be removed)", e->d_name);
    closedir(d);
}

static void bad_options_are_usage_errors(void)
{
    char *small[] = {(char *)tu_program(BENCH), "--sizes", "4", NULL};
    char *unknown[] = {(char *)tu_program(BENCH), "--mech", "carrier_pigeon", NULL};
    struct tu_run_result r;
    GRADE_REQUIRE(tu_run(small, 5000, &r) == 0, "could not start %s", small[0]);
    GRADE_CHECK(tu_exited_with(r.status, 2), "a size below 8 is a usage error (exit 2)");
    GRADE_CHECK(strstr(r.err, "--sizes") != NULL, "the message names the option: %s", r.err);
    GRADE_REQUIRE(tu_run(unknown, 5000, &r) == 0, "could not start %s", unknown[0]);
    GRADE_CHECK(tu_exited_with(r.status, 2), "an unknown mechanism is a usage error (exit 2)");
    GRADE_CHECK(strstr(r.err, "carrier_pigeon") != NULL, "the message names it: %s", r.err);
}

GRADE_TESTS(GRADE_TEST_TIMEOUT("unit", "bench: pipe rows, spread and machine are well-formed",
                               pipe_rows_are_well_formed, 0, 30),
            GRADE_TEST_TIMEOUT("unit", "bench: every mechanism runs and leaves nothing behind",
                               every_mechanism_runs_and_cleans_up, 0, 40),
            GRADE_TEST("unit", "bench: bad options are usage errors", bad_options_are_usage_errors,
                       0))
