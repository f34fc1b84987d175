/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Driver run: the random drivers of the market model, n_drivers standard
 * normals per path per step, generated block by block on all threads and
 * reduced in block order. It checks the generator at scale (moments, tails,
 * NaN count) and prints a digest that must not change with the thread count.
 */
#ifndef ALVH_ENGINE_DRIVER_RUN_H
#define ALVH_ENGINE_DRIVER_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "common/status.h"
#include "kernels/isa.h"

typedef struct alvh_driver_params {
    uint64_t seed;
    uint32_t scenario;
    size_t n_paths, n_steps, n_drivers, block_size;
    int threads; /* <= 0: OpenMP default */
} alvh_driver_params;

typedef struct alvh_driver_result {
    size_t n_draws, n_blocks, n_nonfinite;
    double mean, variance, skewness, excess_kurtosis, min, max;
    size_t beyond_3, beyond_4; /* |z| > 3, |z| > 4 */
    uint64_t digest;           /* FNV-1a over the per-block sums, in block order */
    double seconds;
    int threads;
} alvh_driver_result;

alvh_status alvh_driver_run(const alvh_driver_params *p, const alvh_kernel_ops *ops,
                            alvh_driver_result *res, alvh_error *err);

#endif
