/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fixed-bin histogram binning, the hot loop of fan charts (engine/fan_chart.h)
 * and histogram summaries: n values into counts[n_bins] over [lo, hi), edges
 * e_j = j w + lo (w = (hi - lo) / n_bins, a product and a sum, never fused)
 * for j < n_bins and e_{n_bins} = hi; bin j holds finite x with
 * e_j <= x < e_{j+1}. One implementation (hist_bin_impl.h) compiled per ISA:
 * the vector builds compute the bin of several values at once and settle it
 * on the same edges, so every ISA gives the counts of the scalar reference
 * (and of alvh_hist_add in engine/histogram.c) exactly. min and max agree
 * too, up to the sign of a zero when both signs occur.
 */
#ifndef ALVH_KERNELS_HIST_BIN_H
#define ALVH_KERNELS_HIST_BIN_H

#include <stddef.h>
#include <stdint.h>

/* What binning adds besides the counts (see engine/histogram.h). */
typedef struct alvh_bin_tally {
    uint64_t underflow;    /* finite x < lo */
    uint64_t overflow;     /* finite x >= hi */
    uint64_t n;            /* finite values */
    uint64_t n_nan, n_inf; /* not binned */
    double min, max;       /* over finite values; +Inf / -Inf while none */
} alvh_bin_tally;

/* counts[j] and *t are added to. lo < hi finite, n_bins >= 1, bins with
 * distinct edges (engine/histogram.c checks the layout once). qw: NULL, or the
 * weight of each value (an integer, e.g. a likelihood ratio in units of
 * 2^-24), added instead of 1 to its bin, to under/overflow, n, n_nan, n_inf. */
typedef void alvh_hist_bin_fn(double lo, double hi, size_t n_bins, size_t n, const double *restrict x,
                              const uint64_t *restrict qw, uint64_t *restrict counts, alvh_bin_tally *restrict t);

alvh_hist_bin_fn alvh_hist_bin_scalar;
alvh_hist_bin_fn alvh_hist_bin_avx2;
alvh_hist_bin_fn alvh_hist_bin_avx512;

/* The same binning (every value of weight 1) into 16-bit counts, which wrap
 * past 65535: the caller adds them to 64-bit counts before n values could
 * reach that in one bin (engine/fan_chart.h's staging). A quarter of the
 * cache lines of 64-bit counts, for the per-step histograms a fan chart
 * revisits once per block. */
typedef void alvh_hist_bin16_fn(double lo, double hi, size_t n_bins, size_t n, const double *restrict x,
                                uint16_t *restrict counts, alvh_bin_tally *restrict t);

alvh_hist_bin16_fn alvh_hist_bin16_scalar;
alvh_hist_bin16_fn alvh_hist_bin16_avx2;
alvh_hist_bin16_fn alvh_hist_bin16_avx512;

#endif
