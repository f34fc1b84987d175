/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * European options on SPX by Monte Carlo under the Bates / SVCJ model: the
 * engine-level check of the SPX step kernels against analytic prices, and the
 * Heston benchmark workload. Blocks run on any thread; sums are reduced in block
 * order, so results are identical for any thread count.
 */
#ifndef ALVH_ENGINE_SPX_MC_H
#define ALVH_ENGINE_SPX_MC_H

#include <stddef.h>
#include <stdint.h>

#include "common/status.h"
#include "kernels/isa.h"
#include "kernels/spx_model.h"

typedef struct alvh_spx_mc_request {
    alvh_spx_params model;
    double t_years;
    size_t n_steps;
    const double *strikes;
    size_t n_strikes;
    size_t n_paths, block_size;
    uint64_t seed;
    uint32_t scenario;
    int threads;
} alvh_spx_mc_request;

typedef struct alvh_spx_mc_result {
    double *call, *call_se, *put, *put_se; /* caller arrays of n_strikes: discounted prices, std errors */
    double disc_spot, disc_spot_se;        /* E[e^{-rT} S_T] and its standard error */
    double mean_jumps;                     /* average jump count per path */
    double mean_v_t;                       /* average terminal variance */
    size_t n_nonfinite;                    /* paths with a NaN/Inf terminal state (excluded) */
    double seconds;
} alvh_spx_mc_result;

alvh_status alvh_spx_mc_european(const alvh_spx_mc_request *rq, const alvh_kernel_ops *ops,
                                 alvh_spx_mc_result *res, alvh_error *err);

#endif
