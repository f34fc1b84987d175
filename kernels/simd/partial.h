/* SPDX-License-Identifier: BSD-3-Clause */
/* Loads and stores of the first m (<= ALVH_W) lanes, for the short last group
 * of a block; written against the backend vocabulary (include a backend first). */
#ifndef ALVH_SIMD_PARTIAL_H
#define ALVH_SIMD_PARTIAL_H

#include <string.h>

/* lanes past m read as 0 */
static inline vd vd_load_n(const double *p, size_t m)
{
    if (m == ALVH_W)
        return vd_load(p);
    double b[ALVH_W] = {0};
    memcpy(b, p, m * sizeof b[0]);
    return vd_load(b);
}

/* memory past m is left untouched */
static inline void vd_store_n(double *p, size_t m, vd x)
{
    if (m == ALVH_W) {
        vd_store(p, x);
        return;
    }
    double b[ALVH_W];
    vd_store(b, x);
    memcpy(p, b, m * sizeof b[0]);
}
#endif
