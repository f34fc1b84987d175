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
#endif
