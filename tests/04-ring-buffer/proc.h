/*
 * Helpers of the ring tests that use two processes: shared memory that
 * survives fork(), and waiting for a child with a deadline so a stuck child
 * fails the test instead of hanging it.
 */
#ifndef RING_PROC_H
#define RING_PROC_H

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Anonymous MAP_SHARED memory: after fork() parent and child see the same
 * pages, exactly as two processes that mapped one shm object. No name, so
 * nothing is left in /dev/shm. NULL on failure. */
static inline void *proc_shared(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* Waits up to timeout_ms for pid; kills it if it is still running then.
 * Returns its wait status, or -1 if it had to be killed. */
static inline int proc_wait(pid_t pid, int timeout_ms)
{
    int status;
    for (int waited = 0;; waited++) {
        pid_t got = waitpid(pid, &status, WNOHANG);
        if (got == pid)
            return status;
        if (got == -1 && errno != EINTR)
            return -1;
        if (waited >= timeout_ms) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
}

/* Whether pid is still running (not yet exited), without reaping it. */
static inline int proc_running(pid_t pid)
{
    siginfo_t si = {0};
    return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == 0;
}

static inline void proc_sleep_ms(int ms)
{
    nanosleep(&(struct timespec){ms / 1000, (long)(ms % 1000) * 1000000L}, NULL);
}

#endif
