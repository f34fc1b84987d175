/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ALVH_BENCH_MARKET_H
#define ALVH_BENCH_MARKET_H

#include "kernels/isa.h"

/* Path-steps per second of the full market model (SVCJ SPX with QE, VIX, a
 * VIX-coupled token with contagion co-jumps, two-sided governance shocks and
 * exploits, OU funding: every event type on), 252 daily steps, random numbers
 * included, on `threads` threads; best of 3. */
double alvh_bench_market(const alvh_kernel_ops *ops, int threads, double seconds);

/* The same market with the second variance factor and the ETH factor on
 * (the calibrated default's structure): market2_path_steps_per_s_core. */
double alvh_bench_market_full(const alvh_kernel_ops *ops, int threads, double seconds);

#endif
