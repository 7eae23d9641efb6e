/* Exercise 02.2, answer: see shm_sync.h for the contract. */
#include "shm_sync.h"

#include <errno.h>

int shm_sync_init(struct shm_sync *s)
{
    if (s == NULL)
        return -EINVAL;
    pthread_mutexattr_t ma;
    int rc = pthread_mutexattr_init(&ma);
    if (rc != 0)
        return -rc;
    /* Both attributes matter: PROCESS_SHARED so the kernel wakes waiters in
     * other processes, ROBUST so a dead owner does not lock everyone out. */
    if ((rc = pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED)) == 0 &&
        (rc = pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST)) == 0)
        rc = pthread_mutex_init(&s->mutex, &ma);
    pthread_mutexattr_destroy(&ma);
    if (rc != 0)
        return -rc;

    pthread_condattr_t ca;
    if ((rc = pthread_condattr_init(&ca)) != 0) {
        pthread_mutex_destroy(&s->mutex);
        return -rc;
    }
    if ((rc = pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED)) == 0 &&
        (rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC)) == 0)
        rc = pthread_cond_init(&s->cond, &ca);
    pthread_condattr_destroy(&ca);
    if (rc != 0) {
        pthread_mutex_destroy(&s->mutex);
        return -rc;
    }
    return 0;
}

/* The lock is ours either way; on EOWNERDEAD make it usable again and tell
 * the caller to repair the data. */
static int recover(struct shm_sync *s, int rc)
{
    if (rc == EOWNERDEAD) {
        rc = pthread_mutex_consistent(&s->mutex);
        return rc == 0 ? SHM_SYNC_RECOVERED : -rc;
    }
    return -rc;
}

int shm_sync_lock(struct shm_sync *s)
{
    if (s == NULL)
        return -EINVAL;
    return recover(s, pthread_mutex_lock(&s->mutex));
}

int shm_sync_unlock(struct shm_sync *s)
{
    if (s == NULL)
        return -EINVAL;
    return -pthread_mutex_unlock(&s->mutex);
}

int shm_sync_wait(struct shm_sync *s, const struct timespec *deadline)
{
    if (s == NULL)
        return -EINVAL;
    int rc = deadline == NULL ? pthread_cond_wait(&s->cond, &s->mutex)
                              : pthread_cond_timedwait(&s->cond, &s->mutex, deadline);
    return recover(s, rc);
}

int shm_sync_signal(struct shm_sync *s)
{
    return s == NULL ? -EINVAL : -pthread_cond_signal(&s->cond);
}

int shm_sync_broadcast(struct shm_sync *s)
{
    return s == NULL ? -EINVAL : -pthread_cond_broadcast(&s->cond);
}

int shm_sync_destroy(struct shm_sync *s)
{
    if (s == NULL)
        return -EINVAL;
    int rc = pthread_cond_destroy(&s->cond);
    int rc2 = pthread_mutex_destroy(&s->mutex);
    return rc != 0 ? -rc : -rc2;
}
