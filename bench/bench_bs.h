/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ALVH_BENCH_BS_H
#define ALVH_BENCH_BS_H

#include "kernels/isa.h"

/* Black-Scholes-Merton price + delta evaluations per second on one thread
 * through ops->bs_batch: SPX-like options (spot 5000, strikes 0.8-1.2 x spot,
 * 1-90 days, vol 10-40%), batches of 1024; best of 3 trials within `seconds`. */
double alvh_bench_bs(const alvh_kernel_ops *ops, double seconds);

#endif
