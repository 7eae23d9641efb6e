/*
 * The final ring: see shmring.h. Every idea here was one step of chapters
 * 04-09; the comments name the step. New: the header is validated on attach
 * and the geometry and both sides' positions live in the private handle.
 *
 * Orderings (as in step 6):
 *   (P1) commit: store head, release      pairs with (C1) consumer's load of head, acquire
 *   (C2) release: store tail, release     pairs with (P2) producer's load of tail, acquire
 *   (P3) close: store closed, release     pairs with (C3) consumer's load of closed, acquire
 *   (S1) sleeper: store flag, load index    pairs with   (S2) waker: store index, load flag
 *        all four seq_cst, so at least one side sees the other's store
 */
#include "shmring.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum { LINE = 128, SPIN_LIMIT = 2000, PAD = -1 };

/* The shared block. Step 4: each side's index on lines of its own. */
struct shared {
    uint32_t magic, version, size, max_len; /* written once by shmring_format() */
    _Atomic uint32_t closed;
    _Atomic int32_t prod_pid, cons_pid;
    alignas(LINE) _Atomic uint32_t head; /* the producer's */
    alignas(LINE) _Atomic uint32_t tail; /* the consumer's */
    alignas(LINE) _Atomic uint32_t cons_waiting, prod_waiting; /* step 6 */
    alignas(LINE) unsigned char data[];
};

/* Private: nothing here can be changed by the other process. */
struct shmring {
    struct shared *sh;
    unsigned char *data;
    uint32_t size, mask, max_len;
    enum shmring_side side;
    uint32_t pos;    /* producer: reserved so far; consumer: peeked so far */
    uint32_t done;   /* producer: committed (our head); consumer: released (our tail) */
    uint32_t cache;  /* the other side's index, as last loaded and checked (step 4) */
    void *map;       /* what to munmap, if we mapped it */
    size_t map_len;
};

static uint32_t round_up(uint32_t n)
{
    return (n + 7) & ~UINT32_C(7);
}

size_t shmring_bytes(uint32_t size)
{
    if (size < SHMRING_MIN_SIZE || size > SHMRING_MAX_SIZE || (size & (size - 1)) != 0)
        return 0;
    return sizeof(struct shared) + size;
}

int shmring_format(void *mem, size_t bytes, uint32_t size)
{
    struct shared *sh = mem;
    if (sh == NULL || (uintptr_t)mem % LINE != 0 || shmring_bytes(size) == 0 || bytes < shmring_bytes(size))
        return -EINVAL;
    memset(sh, 0, sizeof *sh);
    sh->version = SHMRING_VERSION;
    sh->size = size;
    sh->max_len = size / 2 - SHMRING_HEADER;
    /* The magic last, with release: a block whose magic is visible is whole. */
    __atomic_store_n(&sh->magic, SHMRING_MAGIC, __ATOMIC_RELEASE);
    return 0;
}

int shmring_attach(void *mem, size_t bytes, enum shmring_side side, struct shmring **out)
{
    struct shared *sh = mem;
    if (sh == NULL || out == NULL || (side != SHMRING_PRODUCER && side != SHMRING_CONSUMER) ||
        (uintptr_t)mem % LINE != 0)
        return -EINVAL;
    if (bytes < sizeof *sh)
        return -EPROTO;
    /* Read the geometry once, then check the copies: the peer may change
     * the shared words between two reads. */
    uint32_t magic = __atomic_load_n(&sh->magic, __ATOMIC_ACQUIRE); /* pairs with format's release */
    uint32_t version = sh->version, size = sh->size, max_len = sh->max_len;
    if (magic != SHMRING_MAGIC || version != SHMRING_VERSION || shmring_bytes(size) == 0 ||
        bytes < shmring_bytes(size) || max_len != size / 2 - SHMRING_HEADER)
        return -EPROTO;
    struct shmring *h = calloc(1, sizeof *h);
    if (h == NULL)
        return -ENOMEM;
    h->sh = sh;
    h->data = sh->data;
    h->size = size;
    h->mask = size - 1;
    h->max_len = max_len;
    h->side = side;
    if (side == SHMRING_PRODUCER) {
        h->pos = h->done = atomic_load_explicit(&sh->head, memory_order_relaxed);
        h->cache = atomic_load_explicit(&sh->tail, memory_order_acquire);
        atomic_store_explicit(&sh->prod_pid, (int32_t)getpid(), memory_order_relaxed);
    } else {
        h->pos = h->done = atomic_load_explicit(&sh->tail, memory_order_relaxed);
        h->cache = h->done;
        atomic_store_explicit(&sh->cons_pid, (int32_t)getpid(), memory_order_relaxed);
    }
    /* Both sides' positions must be 8-aligned and at most one area apart. */
    if (h->done % 8 != 0 || (side == SHMRING_PRODUCER && h->pos - h->cache > size)) {
        free(h);
        return -EPROTO;
    }
    *out = h;
    return 0;
}

static int map_and_attach(int fd, enum shmring_side side, struct shmring **out)
{
    struct stat st;
    if (fstat(fd, &st) == -1)
        return -errno;
    if (st.st_size < (off_t)sizeof(struct shared) || (uintmax_t)st.st_size > SIZE_MAX)
        return -EPROTO;
    size_t len = (size_t)st.st_size;
    void *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED)
        return -errno;
    int rc = shmring_attach(map, len, side, out);
    if (rc != 0) {
        munmap(map, len);
        return rc;
    }
    (*out)->map = map;
    (*out)->map_len = len;
    return 0;
}

int shmring_create(const char *name, uint32_t size, struct shmring **out)
{
    size_t bytes = shmring_bytes(size);
    if (name == NULL || out == NULL || bytes == 0)
        return -EINVAL;
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600); /* 0600: only our user */
    if (fd == -1)
        return -errno;
    int rc = 0;
    void *map = MAP_FAILED;
    if (ftruncate(fd, (off_t)bytes) == -1 ||
        (map = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED)
        rc = -errno;
    close(fd);
    if (rc == 0 && (rc = shmring_format(map, bytes, size)) == 0 &&
        (rc = shmring_attach(map, bytes, SHMRING_PRODUCER, out)) == 0) {
        (*out)->map = map;
        (*out)->map_len = bytes;
        return 0;
    }
    if (map != MAP_FAILED)
        munmap(map, bytes);
    shm_unlink(name);
    return rc;
}

int shmring_open(const char *name, enum shmring_side side, struct shmring **out)
{
    if (name == NULL || out == NULL)
        return -EINVAL;
    int fd = shm_open(name, O_RDWR, 0);
    if (fd == -1)
        return -errno;
    int rc = map_and_attach(fd, side, out);
    close(fd);
    return rc;
}

void shmring_free(struct shmring *h)
{
    if (h == NULL)
        return;
    if (h->map != NULL)
        munmap(h->map, h->map_len);
    free(h);
}

uint32_t shmring_max_len(const struct shmring *h)
{
    return h->max_len;
}

/* ---------------------------------------------------------------- sleeping (step 6) */

static void futex_wake(_Atomic uint32_t *word)
{
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/* Store our index, then wake the other side if its flag says it sleeps. (S2) */
static void publish(_Atomic uint32_t *index, uint32_t value, _Atomic uint32_t *flag)
{
    atomic_store_explicit(index, value, memory_order_seq_cst); /* includes release: (P1)/(C2) */
    if (atomic_load_explicit(flag, memory_order_seq_cst))
        futex_wake(index);
}

/* True if it slept the whole SHMRING_LIVENESS_MS. */
static bool sleep_on(struct shmring *h, _Atomic uint32_t *index, uint32_t seen, _Atomic uint32_t *flag)
{
    bool timed_out = false;
    struct timespec t = {0, SHMRING_LIVENESS_MS * 1000000L};
    atomic_store_explicit(flag, 1, memory_order_seq_cst); /* (S1) pairs with (S2) */
    if (atomic_load_explicit(index, memory_order_seq_cst) == seen &&
        !atomic_load_explicit(&h->sh->closed, memory_order_seq_cst))
        timed_out = syscall(SYS_futex, (uint32_t *)index, FUTEX_WAIT, seen, &t, NULL, 0) == -1 &&
                    errno == ETIMEDOUT;
    atomic_store_explicit(flag, 0, memory_order_relaxed);
    return timed_out;
}

/* The pid is another process's word: only a plausible, other, ended process is "dead". */
static bool peer_dead(_Atomic int32_t *pid_field)
{
    int32_t pid = atomic_load_explicit(pid_field, memory_order_relaxed);
    if (pid <= 0 || pid == getpid())
        return false;
    int fd = pidfd_open((pid_t)pid, 0);
    if (fd == -1)
        return errno == ESRCH;
    struct pollfd p = {fd, POLLIN, 0};
    int n = poll(&p, 1, 0);
    close(fd);
    return n == 1;
}

/* ---------------------------------------------------------------- producer */

int shmring_try_reserve(struct shmring *h, uint32_t len, void **payload)
{
    if (len > h->max_len)
        return -EMSGSIZE;
    uint32_t at = h->pos, need = round_up(SHMRING_HEADER + len);
    uint32_t to_end = h->size - (at & h->mask);
    uint32_t pad = need > to_end ? to_end : 0; /* step 5: a record never wraps */
    if (at + pad + need - h->cache > h->size) {
        uint32_t tail = atomic_load_explicit(&h->sh->tail, memory_order_acquire); /* (P2) */
        /* The consumer cannot have freed what we have not committed, nor be
         * more than an area behind: anything else is corruption. */
        if (h->done - tail > h->size)
            return -EBADMSG;
        h->cache = tail;
        if (at + pad + need - h->cache > h->size)
            return -EAGAIN;
    }
    if (pad != 0) {
        uint32_t hdr[2] = {(uint32_t)PAD, 0};
        memcpy(h->data + (at & h->mask), hdr, sizeof hdr);
        at += pad;
    }
    uint32_t hdr[2] = {len, 0};
    memcpy(h->data + (at & h->mask), hdr, sizeof hdr);
    *payload = h->data + (at & h->mask) + SHMRING_HEADER;
    h->pos = at + need;
    return 0;
}

void shmring_commit(struct shmring *h)
{
    if (h->done == h->pos)
        return; /* nothing new: no store, no fence */
    h->done = h->pos;
    publish(&h->sh->head, h->done, &h->sh->cons_waiting); /* (P1) */
}

int shmring_reserve(struct shmring *h, uint32_t len, void **payload)
{
    int rc = shmring_try_reserve(h, len, payload);
    if (rc != -EAGAIN)
        return rc;
    shmring_commit(h); /* the consumer must see what we hold before we wait on it */
    for (unsigned spins = 0; (rc = shmring_try_reserve(h, len, payload)) == -EAGAIN; spins++) {
        if (spins < SPIN_LIMIT)
            continue;
        if (sleep_on(h, &h->sh->tail, h->cache, &h->sh->prod_waiting) && peer_dead(&h->sh->cons_pid))
            return -EOWNERDEAD;
    }
    return rc;
}

void shmring_close(struct shmring *h)
{
    shmring_commit(h);
    atomic_store_explicit(&h->sh->closed, 1, memory_order_seq_cst); /* (P3), and (S2) */
    if (atomic_load_explicit(&h->sh->cons_waiting, memory_order_seq_cst))
        futex_wake(&h->sh->head);
}

int shmring_send(struct shmring *h, const void *msg, uint32_t len)
{
    void *p;
    int rc = shmring_reserve(h, len, &p);
    if (rc != 0)
        return rc;
    memcpy(p, msg, len);
    shmring_commit(h);
    return 0;
}

/* ---------------------------------------------------------------- consumer */

int shmring_try_peek(struct shmring *h, const void **payload, uint32_t *len)
{
    for (;;) {
        uint32_t at = h->pos;
        if (h->cache == at) {
            uint32_t head = atomic_load_explicit(&h->sh->head, memory_order_acquire); /* (C1) */
            if (head == at) {
                if (!atomic_load_explicit(&h->sh->closed, memory_order_acquire)) /* (C3) */
                    return -EAGAIN;
                head = atomic_load_explicit(&h->sh->head, memory_order_acquire);
                if (head == at)
                    return -EPIPE;
            }
            /* At most one area ahead of what we released, and not behind what we peeked. */
            if (head - h->done > h->size || head - at > head - h->done)
                return -EBADMSG;
            h->cache = head;
        }
        uint32_t avail = h->cache - at, off = at & h->mask, to_end = h->size - off;
        if (avail < SHMRING_HEADER)
            return -EBADMSG;
        uint32_t hdr;
        memcpy(&hdr, h->data + off, sizeof hdr);
        if (hdr == (uint32_t)PAD) {
            if (to_end > avail)
                return -EBADMSG;
            h->pos = at + to_end;
            continue;
        }
        uint32_t need = round_up(SHMRING_HEADER + (hdr > h->max_len ? 0 : hdr));
        if (hdr > h->max_len || need > avail || need > to_end)
            return -EBADMSG;
        *payload = h->data + off + SHMRING_HEADER;
        *len = hdr;
        h->pos = at + need;
        return 0;
    }
}

void shmring_release(struct shmring *h)
{
    if (h->done == h->pos)
        return;
    h->done = h->pos;
    publish(&h->sh->tail, h->done, &h->sh->prod_waiting); /* (C2) */
}

int shmring_peek(struct shmring *h, const void **payload, uint32_t *len)
{
    /* Free in batches of at most a quarter ring, or at once if the producer
     * sleeps waiting for room. */
    if (h->pos - h->done > h->size / 4 || atomic_load_explicit(&h->sh->prod_waiting, memory_order_relaxed))
        shmring_release(h);
    int rc = shmring_try_peek(h, payload, len);
    if (rc != -EAGAIN)
        return rc;
    shmring_release(h); /* the producer may be waiting for this room */
    for (unsigned spins = 0; (rc = shmring_try_peek(h, payload, len)) == -EAGAIN; spins++) {
        if (spins < SPIN_LIMIT)
            continue;
        if (sleep_on(h, &h->sh->head, h->cache, &h->sh->cons_waiting) && peer_dead(&h->sh->prod_pid)) {
            rc = shmring_try_peek(h, payload, len);
            return rc == -EAGAIN ? -EOWNERDEAD : rc;
        }
    }
    return rc;
}

int shmring_recv(struct shmring *h, void *buf, uint32_t cap)
{
    const void *p;
    uint32_t len;
    int rc = shmring_peek(h, &p, &len);
    if (rc != 0)
        return rc;
    if (len > cap || len > INT_MAX) {
        shmring_release(h);
        return -EMSGSIZE;
    }
    memcpy(buf, p, len);
    shmring_release(h);
    return (int)len;
}
