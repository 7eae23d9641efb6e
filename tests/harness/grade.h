/**
 * @file grade.h
 * @brief How a test file declares its graded tests, and the checks they use.
 *
 * A test file is ordinary CUnit: each test is a `void f(void)` that makes
 * assertions. What this header adds is the table the grader reads, naming
 * each test's exercise, points and time limit, and checks whose failure
 * message teaches (what was expected, what came back, why it matters):
 * @code
 * #include "grade.h"
 * #include "status.h"
 *
 * static void exited_with_three(void)
 * {
 *     char buf[64];
 *     int n = status_describe(3 << 8, buf, sizeof buf);
 *     GRADE_EXPECT_STR(buf, "exited with status 3", "the exit status is in bits 8-15");
 *     GRADE_EXPECT_LONG(n, 20, "the return value is the length, as snprintf's");
 * }
 *
 * GRADE_TESTS(
 *     GRADE_TEST("00.1", "exit status 3 is described", exited_with_three, 2),
 * )
 * @endcode
 *
 * Each test runs alone in a fresh process, started by the grader (see
 * tests/harness/grader.c): a test may crash, hang or exit, and only its own
 * points are lost.
 */
#ifndef IPC_GRADE_H
#define IPC_GRADE_H

#include <CUnit/CUnit.h>
#include <stddef.h>

/** Time limit of a test that does not set its own, in seconds. */
#define GRADE_DEFAULT_TIMEOUT_S 10

/** One graded test: the row the grader lists, runs and scores. */
struct grade_test {
    /** Exercise id, "chapter.exercise" (e.g. "03.2"), or "unit" for an ungraded check. */
    const char *exercise;
    const char *name;  /**< One line saying what the test proves. */
    void (*run)(void); /**< The CUnit test function. */
    int points;        /**< Points for passing; 0 for an ungraded check. */
    int timeout_s;     /**< Wall-clock limit in seconds; 0 means #GRADE_DEFAULT_TIMEOUT_S. */
};

/**
 * @brief A test row with the default time limit.
 * @param ex exercise id string.
 * @param name one-line description.
 * @param fn test function.
 * @param pts points.
 */
// clang-format off
#define GRADE_TEST(ex, name, fn, pts) {(ex), (name), (fn), (pts), 0}
// clang-format on

/**
 * @brief A test row with its own time limit in seconds.
 * @param ex exercise id string.
 * @param name one-line description.
 * @param fn test function.
 * @param pts points.
 * @param secs wall-clock limit in seconds.
 */
// clang-format off
#define GRADE_TEST_TIMEOUT(ex, name, fn, pts, secs) {(ex), (name), (fn), (pts), (secs)}
// clang-format on

/**
 * @brief Declares the file's table of tests; use exactly once per test program.
 * @param ... the GRADE_TEST() rows.
 */
#define GRADE_TESTS(...)                                                                           \
    const struct grade_test grade_tests[] = {__VA_ARGS__};                                         \
    const size_t grade_test_count = sizeof grade_tests / sizeof grade_tests[0];

/** The table GRADE_TESTS() defines. */
extern const struct grade_test grade_tests[];
/** Number of rows in #grade_tests. */
extern const size_t grade_test_count;

/** The seed every random choice of a test must derive from (srand(grade_seed()),
 *  rand_r with it): the grader's, which its report prints when a test fails, so that
 *  GRADE_SEED=N make grade (or make debug) makes the same choices again.
 *  @return the seed, never 0. */
unsigned grade_seed(void);

/** Makes a crash report where it happened: on a fatal signal the test writes its call
 *  stack for the grader (crashtrace.c). The runtime calls it before each test. */
void grade_crash_trace_install(void);

/**
 * @brief Records one assertion; on failure its message is formatted from fmt.
 *
 * Used through the GRADE_CHECK() family. A fatal check ends the test at once
 * (the rest of it would only report consequences of the first failure).
 * @param ok non-zero if the assertion holds.
 * @param fatal non-zero to end the test when it fails.
 * @param file source file of the check.
 * @param line source line of the check.
 * @param fmt printf-style message used only when the check fails.
 */
void grade_check(int ok, int fatal, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/** @brief Non-fatal check: `cond` must hold; the rest is a printf-style message. */
#define GRADE_CHECK(cond, ...) grade_check(!!(cond), 0, __FILE__, __LINE__, __VA_ARGS__)

/** @brief Fatal check: `cond` must hold or the test stops here. */
#define GRADE_REQUIRE(cond, ...) grade_check(!!(cond), 1, __FILE__, __LINE__, __VA_ARGS__)

/**
 * @brief Checks two integers are equal; the message says expected, got and why.
 * @param got the value the code under test produced.
 * @param expected the right value.
 * @param why why it matters, for the learner reading the failure.
 */
#define GRADE_EXPECT_LONG(got, expected, why)                                                      \
    grade_expect_long((long)(got), (long)(expected), (why), __FILE__, __LINE__)

/**
 * @brief Implementation of GRADE_EXPECT_LONG(); call the macro instead.
 *
 * The message leads with why (the contract's words) and names error codes:
 * "the return value is the length: expected 20, got -38 (-ENOSYS: Function
 * not implemented)".
 * @param got value under test.
 * @param expected the right value.
 * @param why why it matters.
 * @param file source file.
 * @param line source line.
 */
void grade_expect_long(long got, long expected, const char *why, const char *file, int line);

/**
 * @brief Checks a string equals the expected text (NULL fails, never crashes).
 * @param got the string the code under test produced.
 * @param expected the right text.
 * @param why why it matters.
 */
#define GRADE_EXPECT_STR(got, expected, why)                                                       \
    grade_expect_str((got), (expected), (why), #got, __FILE__, __LINE__)

/**
 * @brief Implementation of GRADE_EXPECT_STR(); call the macro instead.
 * @param got string under test, may be NULL.
 * @param expected expected text.
 * @param why why it matters.
 * @param expr the expression's source text.
 * @param file source file.
 * @param line source line.
 */
void grade_expect_str(const char *got, const char *expected, const char *why, const char *expr,
                      const char *file, int line);

#endif
