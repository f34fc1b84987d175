/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mergeable fixed-bin histograms, for runs that do not keep per-path values.
 *
 * Edges are fixed up front: e_j = j * w + lo for j < n_bins (w = (hi - lo) / n_bins,
 * the same arithmetic as np.linspace(lo, hi, n_bins + 1)) and e_{n_bins} = hi.
 * Bin j holds finite x with e_j <= x < e_{j+1}; x < lo counts as underflow,
 * x >= hi as overflow; NaN and +-Inf are counted apart and excluded. Counts are
 * integers and min/max are exact, so merging is associative and commutative:
 * any merge order of block histograms gives bit-identical results.
 *
 * Estimates (quantile, tail mean) treat the values of a bin as evenly spread
 * over the part of the bin inside [min, max]; underflow and overflow are the
 * segments [min, lo) and [hi, max]. The value of rank r is placed in the
 * segment that truly holds rank r, so the error is below that segment's width:
 * at most one bin width w while the ranks involved fall inside [lo, hi).
 * Each estimate returns its own bound. Rank 0 and rank n - 1 are exact (min, max).
 */
#ifndef ALVH_ENGINE_HISTOGRAM_H
#define ALVH_ENGINE_HISTOGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "common/status.h"
#include "kernels/hist_bin.h"

typedef struct alvh_histogram {
    double lo, hi;         /* range of the regular bins */
    size_t n_bins;
    uint64_t *counts;      /* n_bins */
    uint64_t underflow;    /* finite x < lo */
    uint64_t overflow;     /* finite x >= hi */
    uint64_t n;            /* finite values: underflow + overflow + sum(counts) */
    uint64_t n_nan, n_inf; /* excluded */
    double min, max;       /* exact over finite values; +Inf / -Inf while n = 0 */
    int owns_counts;
} alvh_histogram;

/* Histogram over [lo, hi) with n_bins bins; NULL (and err set) if lo/hi are not
 * finite with lo < hi, n_bins is 0, or the bins are too narrow for distinct edges. */
alvh_histogram *alvh_hist_create(double lo, double hi, size_t n_bins, alvh_error *err);
void alvh_hist_free(alvh_histogram *h); /* accepts NULL */

/* Same, over caller-owned counts[n_bins] (zeroed here); for histogram sets. */
alvh_status alvh_hist_init(alvh_histogram *h, double lo, double hi, size_t n_bins, uint64_t *counts,
                           alvh_error *err);

void alvh_hist_reset(alvh_histogram *h);

/* Edge j, 0 <= j <= n_bins. */
double alvh_hist_edge(const alvh_histogram *h, size_t j);

void alvh_hist_add(alvh_histogram *h, double x);
/* Weighted add (importance sampling): value x[i] adds qw[i] (its likelihood ratio in units of
 * 2^-ALVH_HIST_WEIGHT_BITS, alvh_hist_weight_units) instead of 1 to its bin, to underflow/overflow
 * and to n (NaN/Inf: to n_nan/n_inf); min and max as alvh_hist_add. Integer sums: merges stay exact. */
#define ALVH_HIST_WEIGHT_BITS 24
uint64_t alvh_hist_weight_units(double lr);
void alvh_hist_add_weighted(alvh_histogram *h, const double *x, const uint64_t *qw, size_t n);
/* Where alvh_hist_add puts x: its bin j in [0, n_bins), -1 underflow, n_bins overflow, -2 NaN/Inf. */
long alvh_hist_bin_index(const alvh_histogram *h, double x);
void alvh_hist_add_array(alvh_histogram *h, const double *x, size_t n);
/* The same counts as alvh_hist_add_array through a binning kernel
 * (kernels/hist_bin.h: ops->hist_bin of any ISA). */
void alvh_hist_add_binned(alvh_histogram *h, alvh_hist_bin_fn *bin, const double *x, size_t n);
/* The same into 16-bit counts16[n_bins] beside h (a fan chart's staging, engine/fan_chart.h);
 * h's tallies (n, under/overflow, NaN/Inf, min, max) are updated, its counts are not. */
void alvh_hist_add_binned16(alvh_histogram *h, alvh_hist_bin16_fn *bin16, const double *x, size_t n,
                            uint16_t *counts16);
/* The same sums as alvh_hist_add_weighted through a binning kernel. */
void alvh_hist_add_binned_weighted(alvh_histogram *h, alvh_hist_bin_fn *bin, const double *x, const uint64_t *qw,
                                   size_t n);

/* into += from. The edges must be identical (bitwise). */
alvh_status alvh_hist_merge(alvh_histogram *into, const alvh_histogram *from, alvh_error *err);

/* Estimate of the type-7 quantile at p (virtual rank (n - 1) p, as
 * alvh_stats_quantile_sorted), and a bound on |estimate - exact|. */
alvh_status alvh_hist_quantile(const alvh_histogram *h, double p, double *q, double *bound,
                               alvh_error *err);

/* The same estimates and bounds as alvh_hist_quantile, bit for bit, for
 * n_p <= 64 probabilities in ascending order, in one pass over the bins. */
alvh_status alvh_hist_quantiles(const alvh_histogram *h, const double *p, size_t n_p, double *q, double *bound,
                                alvh_error *err);

/* Estimate of the mean of the k = alvh_stats_tail_count(n, level) largest
 * (upper != 0) or smallest values, and a bound on its error. */
alvh_status alvh_hist_tail_mean(const alvh_histogram *h, double level, int upper, double *mean,
                                double *bound, alvh_error *err);

/* Sum of (x - center)^2 over the same k values alvh_hist_tail_mean averages,
 * under the same evenly-spread model (no bound): the tail variance behind an
 * expected-shortfall standard error when only the histogram is kept. */
alvh_status alvh_hist_tail_sumsq(const alvh_histogram *h, double level, int upper, double center,
                                 double *sumsq, alvh_error *err);

/* Loss VaR and ES at level a from a histogram of P&L (loss = -P&L), estimating
 * exactly the quantities alvh_stats_tail_risk computes from stored values.
 * var_bound / es_bound may be NULL. */
alvh_status alvh_hist_loss_tail_risk(const alvh_histogram *pnl, double level, double *var,
                                     double *var_bound, double *es, double *es_bound, alvh_error *err);

/* Weighted estimates from a histogram of LR weight units (alvh_hist_add_weighted) of m_paths finite
 * paths: the same quantities engine/wstats.h computes from the per-path (x, w), normalized by the
 * path count m (not by the weight sum). Quantile at p: the first value, walking up (p <= 1/2) or down
 * from the top (p > 1/2, against 1 - p), where the weight passed exceeds p m. Loss VaR at level a: that
 * walk up from the worst P&L against (1 - a) m, negated; ES = VaR + sum w (L - VaR)^+ / (m (1 - a)).
 * The bounds cover the bin widths and the rounding of every weight to 2^-ALVH_HIST_WEIGHT_BITS
 * (docs/statistics.md, "Weighted histogram estimates"). */
alvh_status alvh_hist_wquantile(const alvh_histogram *h, uint64_t m_paths, double p, double *q, double *bound,
                                alvh_error *err);
alvh_status alvh_hist_loss_tail_risk_weighted(const alvh_histogram *pnl, uint64_t m_paths, double level,
                                              double *var, double *var_bound, double *es, double *es_bound,
                                              alvh_error *err);

#endif
