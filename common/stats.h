/**
 * @file stats.h
 * @brief The few statistics the benchmarks report: median, spread, percentiles.
 *
 * Medians, not means: one repetition disturbed by another program on the
 * machine moves a mean a lot and a median not at all.
 */
#ifndef IPC_STATS_H
#define IPC_STATS_H

#include <stddef.h>
#include <stdint.h>

/** Median and spread of a metric over the repetitions. */
struct stats_summary {
    double median; /**< the middle value (mean of the two middle ones if n is even) */
    double min;    /**< the smallest value */
    double max;    /**< the largest value */
};

/**
 * @brief Summarises @p n values; sorts @p v in place.
 * @param v the values, one per repetition; n must be at least 1.
 * @param n how many.
 * @return median, minimum and maximum.
 */
struct stats_summary stats_summarise(double *v, size_t n);

/**
 * @brief The p-th percentile of @p n samples, by nearest rank; sorts @p v in place.
 *
 * Nearest rank: the smallest sample with at least p percent of the samples
 * at or below it, so p99 of 1000 samples is the 990th smallest.
 * @param v the samples; n must be at least 1.
 * @param n how many.
 * @param p the percentile, in (0, 100].
 * @return the sample at that rank.
 */
uint64_t stats_percentile(uint64_t *v, size_t n, double p);

#endif
