/*
 * Internal interface of the grader (tests/harness/grader.c, sandbox.c,
 * report.c). Test authors need only grade.h.
 */
#ifndef IPC_GRADER_H
#define IPC_GRADER_H

#include <stddef.h>
#include <sys/types.h>

/** What happened to one test. */
enum verdict {
    V_PASS,
    V_FAIL,
    V_CRASH,
    V_TIMEOUT,
    V_NOT_RUN, /* the course's side was missing (its tests did not build, a service was down) */
};

/** Limits and identity the sandbox applies to every test process. */
struct sandbox {
    int drop_uid;          /* run tests as this uid (root only), or -1 */
    double timeout_scale;  /* multiplies every test's time limit */
    long memory_mb;        /* address-space limit; sanitizers get an RSS limit instead */
    int sanitized;         /* the binaries carry a sanitizer runtime */
    int tsan;              /* ...ThreadSanitizer's: fixed memory layout, its report read */
    long max_procs;        /* RLIMIT_NPROC for the test's user */
    long max_output;       /* bytes of stdout+stderr before the test is stopped */
    const char *tmp_base;  /* where each test gets its own working directory */
    int fail_on_leftovers; /* a /dev/shm object left behind fails a passing test */
    const char *course;    /* the course tree, which tests must reach */
    int isolated;          /* each test in a world of its own, made as root (world.c) */
    int own_ns;            /* each test in a world of its own, in namespaces of the user's */
    const char *isolation; /* what isolation was in force, one line for the reports */
};

/** One test's row and result. */
struct result {
    char program[256]; /* test program, as "chapter/test_name" */
    char exercise[32];
    char name[256];
    int points;
    int timeout_s;
    int index; /* position in the program's table */
    enum verdict verdict;
    int earned;
    unsigned asserts; /* assertions the test made (0 if it never reported) */
    unsigned failed_asserts;
    char message[1024]; /* first failure, "file:line: text", or what went wrong */
    char *output;       /* last lines the test printed (malloc'd, may be NULL) */
    double seconds;
    double reference_s; /* the reference answer's time, from the budget table (0: none) */
};

/** Runs test r->index of program bin under the sandbox and fills in r's result. */
void sandbox_run(const struct sandbox *sb, const char *bin, struct result *r);

/** Sets up what every run needs (subreaper, the test user); prints what it changed. */
void sandbox_init(struct sandbox *sb, const char *probe_bin);

/** Non-zero if tests can have worlds of their own here (root, namespaces allowed). */
int world_available(const char *tmp_base, const char *course);
/** Makes a test's world, a tmpfs under tmp_base; its path in root. 0 or -1. */
int world_make(const char *tmp_base, char *root, size_t size);
/** In the test's process: its own mounts and IPC, /tmp as working directory. 0 or -1. */
int world_enter(const char *root, const char *course);
/** In a process of its own mount namespace: makes course reachable by any user. 0 or -1. */
int world_reach(const char *course);
/** How many entries the test left in its /dev/shm; the first one's name in first. */
int world_leftovers(const char *root, char *first, size_t size);
/** Unmounts and removes a test's world, with all it holds. */
void world_remove(const char *root);
/** Non-zero if, without root, tests can have worlds in namespaces of the user's own
 * (user, mount, IPC, PID) and can run probe_bin there. */
int world_available_own(const char *tmp_base, const char *course, const char *probe_bin);
/** fork() into a new user and PID namespace: the child is the namespace's init. */
pid_t world_clone(void);
/** In world_clone's child: maps the user to itself, mounts a tmpfs on the empty
 * directory root and enters the world as world_enter does. 0 or -1. */
int world_enter_own(const char *root, const char *course);
/** The namespace's init, once it has forked the test: reaps, kills what the test
 * left, writes "STATUS\tLEFTOVERS\tFIRST" on report_fd. Never returns. */
_Noreturn void world_init(pid_t test, int report_fd);
/** Reads world_init's line: the test's wait status into status, the first
 * /dev/shm leftover into first; returns how many there were, or -1. */
int world_init_report(int fd, int *status, char *first, size_t size);

/** In a process about to run a ThreadSanitizer program: a memory layout it can use. */
void tsan_fixed_layout(void);
/** Runs probe, a ThreadSanitizer program of the course's own; 0 if it ran, else -1 and why. */
int tsan_probe(const char *probe, char *why, size_t size);
/** Reads the last ThreadSanitizer report in what a test printed: a one-line summary into
 *  message (both accesses of a race, at their lines in bin's exercise file) and the
 *  report itself as the result (malloc'd), or NULL if there is none. */
char *tsan_explain(const char *buf, size_t len, const char *bin, char *message, size_t size);

/** The exercise file a test program grades, from its name: test_ring -> "ring.c". */
void exercise_file_of(const char *bin, char *out, size_t size);
/** For a test killed by signal sig: where, from the "grade-crash:" line it wrote as it died
 *  (crashtrace.c), as " in func() at file.c:LINE" into where, and the output with that line
 *  replaced by the calls that led there (malloc'd); NULL if it cannot say. */
char *crash_explain(const char *output, const char *bin, int sig, char *where, size_t size);

/** If what a test printed holds a sanitizer's fatal report ("ERROR: AddressSanitizer: ...",
 *  UBSan's "runtime error: ..."), makes message say what and where, "AddressSanitizer: SEGV
 *  on unknown address 0x0 in func() at file.c:8", and returns 1; else 0. */
int sanitizer_explain(const char *buf, size_t len, const char *bin, char *message, size_t size);

/** Name of a signal for reports: "SIGSEGV". */
const char *signal_name(int sig);

/** Sorts results into course order: by exercise number ("00.1" < "01.2" < "10.1"),
 * ids that are no number ("unit") last, each exercise's tests in their programs'
 * order. 0, or -1 (out of memory; rs unchanged). */
int results_sort(struct result *rs, size_t n);

/** How the human report is printed, and the lines at its end. */
struct report_style {
    int color;             /* ANSI colours: stdout is a terminal */
    int utf8;              /* block characters for the bars: a terminal in a UTF-8 locale */
    int verbose;           /* every test in the details, not only those that did not pass */
    const char *isolation; /* the line that says what isolation the tests had, or NULL */
    const char *time_line; /* the line that says what time the run took, or NULL */
};

/** Prints the human report of rs (in course order): the score and a row per
 * exercise, the tests that did not pass (every test if verbose) by chapter,
 * then the score again, the isolation and time lines, and the counts. */
void report_text(const struct result *rs, size_t n, const struct report_style *st);

/** What results.json says beyond the results. */
struct json_options {
    const char *isolation;         /* in the top-level output, if not NULL */
    const char *hidden_visibility; /* of GRADE_EXTRA's tests ("extra/..."): "hidden",
                                      "after_due_date", "after_published" or "visible" */
    size_t done; /* the tests before this one have run; those after it are still to */
};

/** Writes Gradescope's results.json (atomically: a reader never sees half of
 * one); returns 0 or -1 with errno set. */
int report_json(const char *path, const struct result *rs, size_t n, const struct json_options *jo);

/** Writes JUnit XML; returns 0 or -1 with errno set. */
int report_junit(const char *path, const struct result *rs, size_t n);

/** Prints a summary in the layout of CUnit's "Run Summary" (which CI log readers
 * parse) with the numbers of rs, suites being exercises, and the run's seconds. */
void report_cunit_summary(const struct result *rs, size_t n, double seconds);

#endif
