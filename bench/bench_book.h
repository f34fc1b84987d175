/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ALVH_BENCH_BOOK_H
#define ALVH_BENCH_BOOK_H

#include "kernels/isa.h"

/* Path-days per second of the full hedge book: the full market model plus four
 * variants of the book (farm only, condor only, condor + VIX, all seven layers)
 * on the same paths, one year daily (252 steps), on `threads` threads; best of 3.
 * A path-day counts once for all four variants. */
double alvh_bench_book(const alvh_kernel_ops *ops, int threads, double seconds);

/* Seconds for n_paths x 252 days of the same workload (one run). */
double alvh_bench_book_seconds(const alvh_kernel_ops *ops, int threads, size_t n_paths);

#endif
