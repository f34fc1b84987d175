/* SPDX-License-Identifier: BSD-3-Clause */
#include "engine/phase_clock.h"

#include <time.h>

const char *const alvh_phase_names[ALVH_PHASE_COUNT] = {"market", "book", "fans", "stats", "hdf5", "checkpoint"};

static double g_seconds[ALVH_PHASE_COUNT];

double alvh_phase_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void alvh_phase_add(alvh_phase p, double seconds)
{
    if ((unsigned)p >= ALVH_PHASE_COUNT)
        return;
    double *c = &g_seconds[p];
#pragma omp atomic
    *c += seconds;
}

void alvh_phase_reset(void)
{
    for (int p = 0; p < ALVH_PHASE_COUNT; p++) {
        double *c = &g_seconds[p];
#pragma omp atomic write
        *c = 0.0;
    }
}

void alvh_phase_get(double seconds[ALVH_PHASE_COUNT])
{
    for (int p = 0; p < ALVH_PHASE_COUNT; p++) {
        double *c = &g_seconds[p];
#pragma omp atomic read
        seconds[p] = *c;
    }
}
