/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compensated (Neumaier 1974) summation, used by the statistics code so that
 * a sum of 10^6..10^9 path values keeps ~16 significant digits and stays close
 * to numpy's pairwise sums. Order-dependent like any float sum: callers add in
 * path order or block order, never in thread-completion order.
 */
#ifndef ALVH_ENGINE_KSUM_H
#define ALVH_ENGINE_KSUM_H

#include <math.h>

typedef struct alvh_ksum {
    double s, c; /* running sum and the low-order bits it lost */
} alvh_ksum;

static inline void alvh_ksum_add(alvh_ksum *k, double x)
{
    double t = k->s + x;
    if (fabs(k->s) >= fabs(x))
        k->c += (k->s - t) + x;
    else
        k->c += (x - t) + k->s;
    k->s = t;
}

static inline double alvh_ksum_value(const alvh_ksum *k) { return k->s + k->c; }

#endif
