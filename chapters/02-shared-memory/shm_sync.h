/**
 * @file shm_sync.h
 * @brief Exercise 02.2: a mutex and a condition variable that live in shared memory.
 *
 * Shared memory gives two processes the same bytes and nothing else: no
 * order, no "the data is ready". A pthread mutex and condition variable can
 * provide both, between processes, if they are placed in the shared region
 * and initialised PTHREAD_PROCESS_SHARED. Without that attribute they work
 * between threads only: a process waiting on one is never woken by another.
 *
 * A process can die while it holds the lock (a crash, kill -9). A plain
 * mutex would then stay locked forever and every other process would hang.
 * A robust mutex (PTHREAD_MUTEX_ROBUST) instead hands the lock to the next
 * locker with EOWNERDEAD: "you have the lock, but its last owner died, maybe
 * half-way through an update: repair the data, then mark the mutex consistent".
 *
 * Usage, with the structure inside a shared region both processes mapped:
 * @code
 * int rc = shm_sync_lock(s);
 * if (rc < 0) ...                    // the lock is unusable
 * if (rc == SHM_SYNC_RECOVERED) ...  // repair the shared data first
 * while (!ready)
 *     shm_sync_wait(s, NULL);        // also may return SHM_SYNC_RECOVERED
 * ...
 * shm_sync_unlock(s);
 * @endcode
 *
 * Errors are returned as negative errno values (pthread functions return
 * their error instead of setting errno: negate it).
 */
#ifndef IPC_SHM_SYNC_H
#define IPC_SHM_SYNC_H

#include <pthread.h>
#include <time.h>

/** A lock and a condition, both to be placed in shared memory. */
struct shm_sync {
    pthread_mutex_t mutex; /**< process-shared, robust */
    pthread_cond_t cond;   /**< process-shared, timed waits on CLOCK_MONOTONIC */
};

/** Returned by shm_sync_lock() and shm_sync_wait(): the lock is held, and its previous owner died holding it. */
#define SHM_SYNC_RECOVERED 1

/**
 * @brief Initialises the mutex and the condition variable for use between processes.
 *
 * Call it once, in one process, on memory every user has mapped MAP_SHARED,
 * before any other process uses it. The mutex is PTHREAD_PROCESS_SHARED and
 * PTHREAD_MUTEX_ROBUST; the condition variable is PTHREAD_PROCESS_SHARED and
 * measures timeouts on CLOCK_MONOTONIC (which never jumps when the date is
 * set). Attribute objects are destroyed before returning.
 * @param s the structure, in shared memory.
 * @return 0 on success; -EINVAL for NULL; otherwise the negated error of the pthread call that failed.
 */
int shm_sync_init(struct shm_sync *s);

/**
 * @brief Locks the mutex, recovering it if its owner died.
 *
 * When pthread_mutex_lock() reports EOWNERDEAD, the caller now holds the
 * lock: mark it consistent with pthread_mutex_consistent() and return
 * #SHM_SYNC_RECOVERED so the caller repairs the data it protects before
 * unlocking. (If a mutex is unlocked without being made consistent, it
 * becomes unusable for good: ENOTRECOVERABLE.)
 * @param s an initialised structure.
 * @return 0 (locked), #SHM_SYNC_RECOVERED (locked; previous owner died), or
 *         a negative errno: -EINVAL for NULL, -ENOTRECOVERABLE, ...
 */
int shm_sync_lock(struct shm_sync *s);

/**
 * @brief Unlocks the mutex.
 * @param s the structure whose mutex the caller holds.
 * @return 0, or a negative errno (-EPERM if the caller does not hold it, -EINVAL for NULL).
 */
int shm_sync_unlock(struct shm_sync *s);

/**
 * @brief Waits on the condition variable; the caller must hold the mutex.
 *
 * Atomically unlocks, sleeps until signalled (or the deadline), and locks
 * again before returning, in every case, the timeout included. A wake-up
 * does not mean the awaited condition holds: always call this in a loop that
 * re-tests it. If the mutex's owner died while we slept, the mutex is
 * recovered as in shm_sync_lock().
 * @param s the structure; its mutex held by the caller.
 * @param deadline NULL to wait without limit, or an absolute time on
 *        CLOCK_MONOTONIC (clock_gettime(CLOCK_MONOTONIC) plus the timeout).
 * @return 0 (woken), #SHM_SYNC_RECOVERED, -ETIMEDOUT (the deadline passed;
 *         the mutex is held again), or another negative errno.
 */
int shm_sync_wait(struct shm_sync *s, const struct timespec *deadline);

/**
 * @brief Wakes one process waiting on the condition variable (none if none waits).
 * @param s the structure.
 * @return 0, or a negative errno (-EINVAL for NULL).
 */
int shm_sync_signal(struct shm_sync *s);

/**
 * @brief Wakes every process waiting on the condition variable.
 * @param s the structure.
 * @return 0, or a negative errno (-EINVAL for NULL).
 */
int shm_sync_broadcast(struct shm_sync *s);

/**
 * @brief Destroys both; only when no process uses them any more.
 * @param s the structure.
 * @return 0, or a negative errno (-EINVAL for NULL).
 */
int shm_sync_destroy(struct shm_sync *s);

#endif
