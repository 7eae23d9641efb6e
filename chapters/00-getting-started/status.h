/**
 * @file status.h
 * @brief Exercise 00.1: say in words how a child process ended.
 *
 * waitpid() hands the parent one int, the wait status, that packs how a child
 * ended: a normal exit with a status from 0 to 255, or death by a signal. Every
 * program in this course that starts another process has to unpack it, and a
 * grader has to say it in words ("killed by signal 11 (SIGSEGV)"), so that is
 * the warm-up.
 */
#ifndef IPC_STATUS_H
#define IPC_STATUS_H

#include <stddef.h>

/**
 * @brief Describe a wait status in words, snprintf-style.
 *
 * The text is exactly one of:
 * - "exited with status N" when the child called exit(N) or returned N from main;
 * - "killed by signal N (SIGNAME)" when a signal ended it, for example
 *   "killed by signal 9 (SIGKILL)"; when the child also dumped core the text
 *   ends with " (core dumped)";
 * - "stopped by signal N (SIGNAME)" for a stopped child (waitpid with WUNTRACED).
 * SIGNAME is "SIG" followed by sigabbrev_np()'s abbreviation.
 *
 * Like snprintf(): at most size bytes are written, always NUL-terminated when
 * size > 0, and the return value is the length the full text has, so a
 * caller can tell that it was cut short.
 *
 * @param wstatus the status as waitpid() stored it; decode it with the
 *        W* macros of <sys/wait.h>, never with your own shifts.
 * @param buf where to write the text; may be NULL only when size is 0.
 * @param size the size of buf in bytes.
 * @return the length of the full text (not counting the NUL), or -EINVAL if
 *         buf is NULL and size is not 0, or if wstatus is none of the three cases.
 *         It never writes more than size bytes.
 */
int status_describe(int wstatus, char *buf, size_t size);

#endif
