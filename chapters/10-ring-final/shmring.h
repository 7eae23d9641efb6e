/**
 * @file
 * @brief The final ring: a hardened SPSC ring of records over a named POSIX shm object.
 *
 * Everything the six steps built, as a small library: free-running byte
 * indices over a power-of-two area; acquire/release publication; each
 * side's index on its own cache lines, and the other side's index cached;
 * variable-size records with a length header and a padding record at the
 * wrap; zero-copy reserve/commit and peek/release in batches; futex sleep
 * with waiter flags after an adaptive spin; end of stream on close, and a
 * dead peer detected with a pidfd.
 *
 * And hardening, because the other process is not trusted:
 * - the shared block starts with a header (#SHMRING_MAGIC, #SHMRING_VERSION,
 *   the area's size and the record limit) that shmring_attach() validates
 *   against the mapping's real size before anything else is used;
 * - the geometry is then copied into the private handle, so a peer that
 *   rewrites the header later changes nothing;
 * - each side's position and cached copy also live in the handle; the only
 *   words read from shared memory afterwards are the other side's index, the
 *   flags and the pids, and every record header; each is checked before use.
 * A corrupt or hostile peer can make the ring report -EBADMSG, never make it
 * read or write outside the mapping.
 */
#ifndef IPC_SHMRING_H
#define IPC_SHMRING_H

#include <stddef.h>
#include <stdint.h>

/** "RING" in ASCII: the first word of a formatted block. */
#define SHMRING_MAGIC UINT32_C(0x474e4952)
/** Layout version: changes whenever the shared layout does. */
#define SHMRING_VERSION 1
/** Smallest area in bytes. */
#define SHMRING_MIN_SIZE 64
/** Largest area in bytes. */
#define SHMRING_MAX_SIZE (UINT32_C(1) << 30)
/** Bytes before each payload: its length, then 4 bytes kept 0. */
#define SHMRING_HEADER 8
/** A sleeping side checks at least this often that the other process lives. */
#define SHMRING_LIVENESS_MS 100

/** Which side a handle plays. */
enum shmring_side {
    SHMRING_PRODUCER, /**< reserves, commits, closes */
    SHMRING_CONSUMER  /**< peeks, releases */
};

/** A process's handle on a ring: private memory, never shared. */
struct shmring;

/**
 * @brief Bytes a block with an area of @p size bytes takes.
 * @param size the area: a power of two from #SHMRING_MIN_SIZE to #SHMRING_MAX_SIZE.
 * @return the size, or 0 if @p size is invalid.
 */
size_t shmring_bytes(uint32_t size);

/**
 * @brief Format an empty, open ring in @p mem (the creator does this once).
 * @param mem the block, aligned to 128 bytes (mmap() gives a page).
 * @param bytes its size: at least shmring_bytes(size).
 * @param size the area in bytes.
 * @return 0, or -EINVAL.
 */
int shmring_format(void *mem, size_t bytes, uint32_t size);

/**
 * @brief Validate a formatted block and make a handle for one side.
 *
 * Checks the magic, the version, that the size is a power of two in range,
 * that the block of @p bytes holds it, and the record limit; then records the
 * caller's pid as that side.
 * @param mem the block (the handle does not own it: see shmring_open()).
 * @param bytes the block's real size (the mapping's length).
 * @param side which side the caller plays.
 * @param[out] out the new handle.
 * @return 0; -EPROTO if the header is not a valid ring of this version;
 *         -EINVAL for bad arguments; -ENOMEM.
 */
int shmring_attach(void *mem, size_t bytes, enum shmring_side side, struct shmring **out);

/**
 * @brief Create the named shm object, format it, and attach as the producer.
 * @param name the object's name, "/something" (see shm_overview(7)).
 * @param size the area in bytes.
 * @param[out] out the new handle; shmring_close_handle() unmaps it.
 * @return 0, or a negated errno (-EEXIST if the name is taken).
 */
int shmring_create(const char *name, uint32_t size, struct shmring **out);

/**
 * @brief Open an existing named ring, validate it, and attach as the consumer (or producer).
 * @param name the object's name.
 * @param side which side the caller plays.
 * @param[out] out the new handle.
 * @return 0; -ENOENT if it does not exist; -EPROTO if it is not a valid ring;
 *         or another negated errno.
 */
int shmring_open(const char *name, enum shmring_side side, struct shmring **out);

/**
 * @brief Free a handle, and unmap the block if shmring_create()/shmring_open() mapped it.
 * @param h the handle, or NULL.
 */
void shmring_free(struct shmring *h);

/**
 * @brief Largest payload of one record.
 * @param h the handle.
 * @return half the area less #SHMRING_HEADER.
 */
uint32_t shmring_max_len(const struct shmring *h);

/**
 * @brief Producer: room for a record of @p len bytes, without waiting.
 * @param h the producer's handle.
 * @param len payload length.
 * @param[out] payload where to write it, 8-byte aligned.
 * @return 0; -EAGAIN if there is no room now; -EMSGSIZE; -EBADMSG if the
 *         consumer's index is impossible.
 */
int shmring_try_reserve(struct shmring *h, uint32_t len, void **payload);

/**
 * @brief Producer: room for a record, spinning then sleeping while there is none.
 * @param h the producer's handle.
 * @param len payload length.
 * @param[out] payload where to write it.
 * @return 0; -EMSGSIZE; -EBADMSG; -EOWNERDEAD if the consumer's process ended.
 */
int shmring_reserve(struct shmring *h, uint32_t len, void **payload);

/**
 * @brief Producer: publish every record reserved so far, waking the consumer if it sleeps.
 * @param h the producer's handle.
 */
void shmring_commit(struct shmring *h);

/**
 * @brief Producer: commit, then mark the end of the stream and wake the consumer.
 * @param h the producer's handle.
 */
void shmring_close(struct shmring *h);

/**
 * @brief Consumer: the next record, without waiting.
 * @param h the consumer's handle.
 * @param[out] payload the payload, valid until the next release.
 * @param[out] len its length.
 * @return 0; -EAGAIN; -EPIPE at the end of the stream; -EBADMSG if the
 *         producer's index or a record header is corrupt.
 */
int shmring_try_peek(struct shmring *h, const void **payload, uint32_t *len);

/**
 * @brief Consumer: the next record, spinning then sleeping while there is none.
 *
 * May release what earlier calls peeked: be done with a payload before the next call.
 * @param h the consumer's handle.
 * @param[out] payload the payload.
 * @param[out] len its length.
 * @return 0; -EPIPE at the end of the stream; -EOWNERDEAD if the producer's
 *         process ended without closing (after every committed record);
 *         -EBADMSG for corruption.
 */
int shmring_peek(struct shmring *h, const void **payload, uint32_t *len);

/**
 * @brief Consumer: free every record peeked so far, waking the producer if it sleeps.
 * @param h the consumer's handle.
 */
void shmring_release(struct shmring *h);

/**
 * @brief Producer: copy one message in (reserve, copy; committed in batches).
 * @param h the producer's handle.
 * @param msg the message.
 * @param len its length.
 * @return 0, or an error of shmring_reserve().
 */
int shmring_send(struct shmring *h, const void *msg, uint32_t len);

/**
 * @brief Consumer: copy the next message out, waiting for it.
 * @param h the consumer's handle.
 * @param buf where to copy it.
 * @param cap the size of @p buf.
 * @return its length; -EMSGSIZE if it does not fit (it is skipped);
 *         or an error of shmring_peek().
 */
int shmring_recv(struct shmring *h, void *buf, uint32_t cap);

#endif
