/**
 * @file testutil.h
 * @brief Helpers for tests that run the course's programs as a user would.
 */
#ifndef IPC_TESTUTIL_H
#define IPC_TESTUTIL_H

#include <stddef.h>

/** What a finished program printed and how it ended. */
struct tu_run_result {
    int status;      /**< wait status (decode with the W* macros); -1 if it never ran */
    int timed_out;   /**< non-zero if it was killed for running too long */
    char out[16384]; /**< its standard output, NUL-terminated, cut at the buffer's size */
    char err[8192];  /**< its standard error, NUL-terminated, cut at the buffer's size */
};

/**
 * @brief Path of a program the build made, e.g. tu_program("00-getting-started/fork-hello").
 *
 * Programs live under build/bin/CHAPTER/; the Makefile tells the tests where
 * through the environment variable IPC_BIN_DIR.
 * @param rel the program's path below the bin directory.
 * @return a path in a static buffer, valid until the next call.
 */
const char *tu_program(const char *rel);

/**
 * @brief Runs a program to completion, capturing its output, with a time limit.
 * @param argv NULL-terminated argument vector; argv[0] is the path.
 * @param timeout_ms wall-clock limit; past it the program is killed with SIGKILL.
 * @param[out] r receives status and output.
 * @return 0 if the program ran (whatever its status), -1 if it could not be started.
 */
int tu_run(char *const argv[], int timeout_ms, struct tu_run_result *r);

/**
 * @brief Non-zero if WIFEXITED(status) and WEXITSTATUS(status) == code.
 * @param status wait status.
 * @param code expected exit code.
 * @return non-zero on a match.
 */
int tu_exited_with(int status, int code);

#endif
