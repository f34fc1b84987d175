/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ALVH_BENCH_BOOK_H
#define ALVH_BENCH_BOOK_H

#include <stddef.h>

#include "kernels/isa.h"

/* Path-days per second of the full hedge book: the full market model plus four
 * variants of the book (farm only, condor only, condor + VIX, all seven layers)
 * on the same paths, one year daily (252 steps), on `threads` threads; best of 3.
 * A path-day counts once for all four variants. */
double alvh_bench_book(const alvh_kernel_ops *ops, int threads, double seconds);

/* Seconds for n_paths x 252 days of the same workload (one run). */
double alvh_bench_book_seconds(const alvh_kernel_ops *ops, int threads, size_t n_paths);
/* Wall seconds of building the condor's Q price table once (the calm default's two-factor
 * pricing set, the default book's lives, dt 1/252) on `threads` threads, best of 3. */
double alvh_bench_qtab_seconds(const alvh_kernel_ops *ops, int threads);

/* Cost of each layer of the book in CPU ns per path-day on one thread (best of 3
 * runs of n_paths x 252 days, same market as above): ns[l] for layer l
 * (ALVH_LAYER_*) is the time of a variant with that layer (on top of the farm
 * for perp, puts, calls and borrow) minus that of the variant without it;
 * ns[ALVH_LAYER_COUNT] is the market model plus an empty variant (equity and
 * drawdown bookkeeping). Returns 0, -1 on failure. */
int alvh_bench_layer_costs(const alvh_kernel_ops *ops, size_t n_paths, double ns[ALVH_LAYER_COUNT + 1]);

#endif
