/**
 * @file machine.h
 * @brief Which machine produced the numbers: a benchmark result without it means little.
 */
#ifndef IPC_BENCH_MACHINE_H
#define IPC_BENCH_MACHINE_H

#include <stdio.h>

/**
 * @brief Writes the CPU model, core counts, kernel and pinning as "key: value" lines.
 * @param out where to write.
 * @param cpu_client the CPU the sending process is pinned to, or -1 if not pinned.
 * @param cpu_server the CPU the receiving process is pinned to, or -1 if not pinned.
 */
void machine_describe(FILE *out, int cpu_client, int cpu_server);

#endif
