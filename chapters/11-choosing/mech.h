/**
 * @file mech.h
 * @brief One interface for every mechanism the benchmark compares.
 *
 * The driver (bench.c) knows nothing about pipes, sockets or rings: it calls
 * the same six functions on each mechanism, so every mechanism runs exactly
 * the same workload (the same messages, the same checks, the same clock).
 *
 * Life of a mechanism in one measurement session:
 * @code
 * void *st = m->create(size);        // before fork(): what both processes share
 * pid = fork();
 * m->attach(st, side);               // in each process: keep its own ends
 * m->send(st, msg, size); ...        // the measured work
 * m->detach(st);                     // in each process: close its ends
 * m->destroy(st);                    // in the parent, after the child exited
 * @endcode
 * Every function handles its own errors with die(): a mechanism that fails
 * ends its measurement process, never the whole benchmark.
 */
#ifndef IPC_BENCH_MECH_H
#define IPC_BENCH_MECH_H

#include <stddef.h>

/** The two processes of a session. */
enum mech_side {
    MECH_CLIENT = 0, /**< the parent: sends the stream, times the round trips */
    MECH_SERVER = 1, /**< the child: receives the stream, echoes the pings */
};

/** A mechanism: how to carry fixed-size messages both ways between two processes. */
struct mech {
    /** Name used on the command line and in the CSV, e.g. "posix_mq". */
    const char *name;
    /** Largest message size it can carry; 0 means no limit. */
    size_t max_size;
    /** Non-zero if it only makes sense for round trips (one slot, no queue). */
    int rtt_only;
    /**
     * @brief Says why the mechanism cannot run here (a daemon it needs is not up), or NULL.
     *
     * NULL as a function pointer means it can always run.
     * @return a reason, or NULL if it can run.
     */
    const char *(*unavailable)(void);
    /**
     * @brief Creates what the two processes share, before fork().
     * @param size the size of every message of the session, in bytes.
     * @return the mechanism's state, passed to every other call.
     */
    void *(*create)(size_t size);
    /**
     * @brief After fork(), in each process: keeps this side's ends, drops the others.
     * @param st the state create() returned.
     * @param side which process this is.
     */
    void (*attach)(void *st, enum mech_side side);
    /**
     * @brief Sends one message of exactly the session's size to the other side.
     * @param st the state.
     * @param msg the bytes to send.
     * @param size the session's message size.
     */
    void (*send)(void *st, const void *msg, size_t size);
    /**
     * @brief Receives one whole message from the other side, blocking until it is there.
     *
     * A message of another size, or the peer closing, ends the process with die_msg():
     * what comes from another process is never trusted.
     * @param st the state.
     * @param[out] msg receives the message.
     * @param size the session's message size.
     */
    void (*recv)(void *st, void *msg, size_t size);
    /**
     * @brief In each process, at the end of the session: closes this side's ends.
     * @param st the state.
     */
    void (*detach)(void *st);
    /**
     * @brief In the parent, once the child has exited: removes names, frees the state.
     * @param st the state.
     */
    void (*destroy)(void *st);
};

/** @name The mechanisms (one file each: mech_<name>.c)
 * @{ */
extern const struct mech mech_pipe;       /**< two pipe(2)s */
extern const struct mech mech_fifo;       /**< two named pipes (mkfifo(3)) */
extern const struct mech mech_unix;       /**< a UNIX domain stream socket pair */
extern const struct mech mech_tcp;        /**< TCP over the loopback interface */
extern const struct mech mech_posix_mq;   /**< two POSIX message queues */
extern const struct mech mech_zeromq_ipc; /**< ZeroMQ PAIR sockets over ipc:// */
extern const struct mech mech_ck_ring;    /**< Concurrency Kit SPSC rings in shared memory */
extern const struct mech mech_cacheline_pingpong; /**< one shared cache line each way */
extern const struct mech mech_iceoryx; /**< iceoryx publish/subscribe (built if installed) */
/** @} */

#endif
