/**
 * @file clock.h
 * @brief A monotonic clock in nanoseconds, for timeouts and measurements.
 */
#ifndef IPC_CLOCK_H
#define IPC_CLOCK_H

#include <stdint.h>

/**
 * @brief Nanoseconds on CLOCK_MONOTONIC.
 *
 * Monotonic, unlike the time of day: it never jumps back when the system
 * clock is set, so differences between two readings are true durations.
 * The origin is arbitrary; only differences mean anything.
 * @return the current reading.
 */
uint64_t clock_now_ns(void);

#endif
