/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ALVH_BENCH_HESTON_H
#define ALVH_BENCH_HESTON_H

#include "kernels/isa.h"
#include "kernels/spx_model.h"

/* Path-steps per second of a Heston European call by Monte Carlo (S0 = K = 100,
 * T = 0.25, 63 steps, Bakshi-Cao-Chen SV parameters: the peers' workload),
 * including random numbers and payoff, on `threads` threads; best of 3. */
double alvh_bench_heston(const alvh_kernel_ops *ops, alvh_var_scheme scheme, int threads, double seconds);

#endif
