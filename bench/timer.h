/* SPDX-License-Identifier: BSD-3-Clause */
/* Wall-clock seconds from a monotonic clock. */
#ifndef ALVH_BENCH_TIMER_H
#define ALVH_BENCH_TIMER_H
#include <time.h>

static inline double alvh_bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU seconds of this process (all threads): on a machine shared with other
 * jobs this counts only the time we ran, so it is steadier than wall time. */
static inline double alvh_bench_cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
#endif
