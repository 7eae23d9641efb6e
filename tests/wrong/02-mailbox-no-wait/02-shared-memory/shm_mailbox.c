/* Wrong on purpose (02.3): a mailbox that never waits. put overwrites a full
 * slot, get on an empty one returns -EAGAIN at once, and the length in the
 * slot is trusted. It locks correctly, which is not enough: a lock makes each
 * step atomic, it does not make the two processes take turns. */
#include "shm_mailbox.h"

#include <errno.h>
#include <string.h>

int shm_mailbox_init(struct shm_mailbox *mb)
{
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    int rc = pthread_mutex_init(&mb->mutex, &ma);
    pthread_mutexattr_destroy(&ma);
    mb->full = 0;
    mb->len = 0;
    return -rc;
}

int shm_mailbox_put_timed(struct shm_mailbox *mb, const void *msg, size_t len, long timeout_ms)
{
    (void)timeout_ms;
    if (len > SHM_MAILBOX_MAX)
        return -EMSGSIZE;
    pthread_mutex_lock(&mb->mutex);
    if (len > 0)
        memcpy(mb->data, msg, len);
    mb->len = (uint32_t)len;
    mb->full = 1;
    pthread_mutex_unlock(&mb->mutex);
    return 0;
}

int shm_mailbox_put(struct shm_mailbox *mb, const void *msg, size_t len)
{
    return shm_mailbox_put_timed(mb, msg, len, -1);
}

int shm_mailbox_get_timed(struct shm_mailbox *mb, void *buf, size_t size, long timeout_ms)
{
    (void)timeout_ms;
    pthread_mutex_lock(&mb->mutex);
    int rc = -EAGAIN;
    if (mb->full) {
        size_t n = mb->len < size ? mb->len : size;
        memcpy(buf, mb->data, n);
        mb->full = 0;
        rc = (int)n;
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
    return -pthread_mutex_destroy(&mb->mutex);
}
