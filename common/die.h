/**
 * @file die.h
 * @brief Report a failure in one line and exit with the course's exit status.
 *
 * Every program in ipc-labs handles an error where it happens, with one call:
 * @code
 * int fd = open(path, O_RDONLY);
 * if (fd == -1)
 *     die("cannot open %s", path);     // "consumer: cannot open data.txt: No such file or
 * directory"
 * @endcode
 * so the IPC calls stand out and every failure says what failed and why.
 *
 * Exit statuses, the same in every program of the course:
 * - 0 (EXIT_SUCCESS): it worked;
 * - 1 (#EXIT_RUNTIME): a runtime failure (a system call, a peer, the broker);
 * - 2 (#EXIT_USAGE): the command line was wrong.
 */
#ifndef IPC_DIE_H
#define IPC_DIE_H

/** Exit status for a failure at run time (a call failed, a peer misbehaved). */
#define EXIT_RUNTIME 1
/** Exit status for a command line the program cannot use. */
#define EXIT_USAGE 2

/**
 * @brief Print "prog: message: strerror(errno)" to stderr and exit with #EXIT_RUNTIME.
 *
 * errno is read before anything else runs, so the reason printed is the one
 * left by the call that failed.
 * @param fmt printf-style format of what was being done, e.g. "cannot open %s".
 */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * @brief Like die(), with an explicit error number.
 *
 * For the calls that return their error instead of setting errno
 * (pthread_mutex_lock(), posix_spawn(), ...) or return it negated.
 * @param errnum the error number; its sign is ignored, so -ENOENT works too.
 * @param fmt printf-style format of what was being done.
 */
_Noreturn void die_errnum(int errnum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * @brief Print "prog: message" to stderr and exit with #EXIT_RUNTIME.
 *
 * For failures that have no errno: a peer sent a bad frame, the broker
 * refused a login (put the AMQP reply text in the message).
 * @param fmt printf-style format of the message.
 */
_Noreturn void die_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * @brief Print "prog: message" and a usage line to stderr, exit with #EXIT_USAGE.
 *
 * @param usage the synopsis after the program name, e.g. "[--port N] [--count N]".
 * @param fmt printf-style format saying what is wrong with the command line.
 */
_Noreturn void die_usage(const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/**
 * @brief The program's name as messages print it (the last part of argv[0]).
 * @return a string that lives as long as the program.
 */
const char *prog_name(void);

#endif
