/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ALVH_BENCH_RNG_H
#define ALVH_BENCH_RNG_H

#include "kernels/isa.h"

/* Numbers per second on one thread (best of 3 trials within `seconds`). */
double alvh_bench_rng_core(const alvh_kernel_ops *ops, int normal, double seconds);

/* Numbers per second on `threads` threads, each doing about `seconds` of work
 * at core_rate. */
double alvh_bench_rng_all(const alvh_kernel_ops *ops, int normal, int threads, double seconds,
                          double core_rate);

#endif
