/* Wrong on purpose (02.3): put and get wait in an if, not a while: one
 * wake-up and they go ahead without looking again. A wake-up is no promise
 * (spurious ones are allowed, and a broadcast or a recovery wakes every
 * waiter), so get then takes an empty slot for a corrupt one and put
 * overwrites a message nobody has read. */
#include "shm_mailbox.h"

#include <errno.h>
#include <string.h>
#include <time.h>

int shm_mailbox_init(struct shm_mailbox *mb)
{
    if (mb == NULL)
        return -EINVAL;
    mb->full = 0;
    mb->len = 0;

    pthread_mutexattr_t ma;
    int rc = pthread_mutexattr_init(&ma);
    if (rc != 0)
        return -rc;
    if ((rc = pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED)) == 0 &&
        (rc = pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST)) == 0)
        rc = pthread_mutex_init(&mb->mutex, &ma);
    pthread_mutexattr_destroy(&ma);
    if (rc != 0)
        return -rc;

    pthread_condattr_t ca;
    if ((rc = pthread_condattr_init(&ca)) != 0) {
        pthread_mutex_destroy(&mb->mutex);
        return -rc;
    }
    if ((rc = pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED)) == 0 &&
        (rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC)) == 0 &&
        (rc = pthread_cond_init(&mb->not_empty, &ca)) == 0 &&
        (rc = pthread_cond_init(&mb->not_full, &ca)) != 0)
        pthread_cond_destroy(&mb->not_empty);
    pthread_condattr_destroy(&ca);
    if (rc != 0)
        pthread_mutex_destroy(&mb->mutex);
    return -rc;
}

/* A peer died holding the lock, maybe half-way through put or get. put sets
 * full last, so a half-copied message is never marked full; only a slot
 * that fails the checks is dropped. Then wake everyone to look again. */
static int recover(struct shm_mailbox *mb)
{
    if (mb->full > 1 || mb->len > SHM_MAILBOX_MAX)
        mb->full = 0, mb->len = 0;
    pthread_cond_broadcast(&mb->not_empty);
    pthread_cond_broadcast(&mb->not_full);
    return -pthread_mutex_consistent(&mb->mutex);
}

static int lock(struct shm_mailbox *mb)
{
    int rc = pthread_mutex_lock(&mb->mutex);
    return rc == EOWNERDEAD ? recover(mb) : -rc;
}

/* The deadline is computed once per call, so wake-ups that find the slot
 * still full (or empty) do not extend the wait. NULL: no deadline. */
static const struct timespec *deadline_in(long timeout_ms, struct timespec *ts)
{
    if (timeout_ms < 0)
        return NULL;
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += timeout_ms / 1000;
    ts->tv_nsec += (timeout_ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
    return ts;
}

static int wait_on(pthread_cond_t *cond, struct shm_mailbox *mb, const struct timespec *deadline)
{
    int rc = deadline == NULL ? pthread_cond_wait(cond, &mb->mutex)
                              : pthread_cond_timedwait(cond, &mb->mutex, deadline);
    return rc == EOWNERDEAD ? recover(mb) : -rc;
}

int shm_mailbox_put_timed(struct shm_mailbox *mb, const void *msg, size_t len, long timeout_ms)
{
    if (mb == NULL || (msg == NULL && len > 0))
        return -EINVAL;
    if (len > SHM_MAILBOX_MAX)
        return -EMSGSIZE;
    struct timespec ts;
    const struct timespec *deadline = deadline_in(timeout_ms, &ts);
    int rc = lock(mb);
    if (rc != 0)
        return rc;
    if (mb->full != 0 && rc == 0)
        rc = wait_on(&mb->not_full, mb, deadline);
    if (rc == 0) {
        if (len > 0)
            memcpy(mb->data, msg, len);
        mb->len = (uint32_t)len;
        mb->full = 1; /* last: the message is complete before it counts */
        pthread_cond_signal(&mb->not_empty);
    }
    pthread_mutex_unlock(&mb->mutex);
    return rc;
}

int shm_mailbox_put(struct shm_mailbox *mb, const void *msg, size_t len)
{
    return shm_mailbox_put_timed(mb, msg, len, -1);
}

int shm_mailbox_get_timed(struct shm_mailbox *mb, void *buf, size_t size, long timeout_ms)
{
    if (mb == NULL || (buf == NULL && size > 0))
        return -EINVAL;
    struct timespec ts;
    const struct timespec *deadline = deadline_in(timeout_ms, &ts);
    int rc = lock(mb);
    if (rc != 0)
        return rc;
    if (mb->full == 0 && rc == 0)
        rc = wait_on(&mb->not_empty, mb, deadline);
    if (rc == 0) {
        /* The slot was written by another process: check it before use. */
        uint32_t len = mb->len;
        if (mb->full != 1 || len > SHM_MAILBOX_MAX) {
            rc = -EPROTO;
        } else if (len > size) {
            rc = -EMSGSIZE;
        } else {
            if (len > 0)
                memcpy(buf, mb->data, len);
            rc = (int)len;
        }
        if (rc != -EMSGSIZE) { /* taken or dropped: the slot is free again */
            mb->full = 0;
            mb->len = 0;
            pthread_cond_signal(&mb->not_full);
        }
    }
    pthread_mutex_unlock(&mb->mutex);
    return rc;
}

int shm_mailbox_get(struct shm_mailbox *mb, void *buf, size_t size)
{
    return shm_mailbox_get_timed(mb, buf, size, -1);
}

int shm_mailbox_destroy(struct shm_mailbox *mb)
{
    if (mb == NULL)
        return -EINVAL;
    int rc1 = pthread_cond_destroy(&mb->not_empty);
    int rc2 = pthread_cond_destroy(&mb->not_full);
    int rc3 = pthread_mutex_destroy(&mb->mutex);
    return -(rc1 != 0 ? rc1 : rc2 != 0 ? rc2 : rc3);
}
