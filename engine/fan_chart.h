/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Equity fan chart: per-step quantiles of a per-path series (equity, P&L to
 * date) over all paths, without keeping every path's values. Each step has a
 * fixed-bin histogram (engine/histogram.h); a block of paths adds its values,
 * blocks merge by integer addition (any order, bit-identical), and the
 * quantiles come from the merged histograms.
 *
 * Resolution: at step t the quantile error is below the bin width
 * (hi[t] - lo[t]) / n_bins while the ranks involved fall inside [lo[t], hi[t]);
 * alvh_fan_quantiles returns the bound of every estimate. Give later steps a
 * wider range if the series spreads out (e.g. proportional to sqrt(t)).
 */
#ifndef ALVH_ENGINE_FAN_CHART_H
#define ALVH_ENGINE_FAN_CHART_H

#include <stddef.h>
#include <stdint.h>

#include "engine/histogram.h"
#include "common/status.h"

typedef struct alvh_fan_chart {
    size_t n_steps, n_bins;
    alvh_histogram *step; /* n_steps histograms over one counts block */
    uint64_t *storage;    /* n_steps x n_bins */
    alvh_hist_bin_fn *bin; /* binning kernel: the scalar reference unless alvh_fan_set_binning */
    /* optional staging (alvh_fan_set_staging): unweighted adds go to 16-bit
     * counts, added to the 64-bit ones before a bin could pass 65535 */
    uint16_t *stage;        /* n_steps x n_bins, or NULL */
    size_t *stage_n;        /* values staged per step since its last flush */
    alvh_hist_bin16_fn *bin16;
} alvh_fan_chart;

/* Step t covers [lo[t], hi[t]) with n_bins bins. NULL and err set on bad input. */
alvh_fan_chart *alvh_fan_create(size_t n_steps, const double *lo, const double *hi, size_t n_bins,
                                alvh_error *err);
void alvh_fan_free(alvh_fan_chart *f); /* accepts NULL */
/* Ask the caches for step's counts ahead of binning into them: a step's
 * histogram is cold when a block comes back to it (kernels/hist_bin_impl.h). */
void alvh_fan_prefetch_step(const alvh_fan_chart *f, size_t step);
void alvh_fan_reset(alvh_fan_chart *f);
/* Bin with this kernel (ops->hist_bin): the counts are the same for every ISA. */
void alvh_fan_set_binning(alvh_fan_chart *f, alvh_hist_bin_fn *bin);

/* Stage unweighted adds in 16-bit counts binned by bin16 (ops->hist_bin16).
 * A worker's fan charts are revisited once per block at every step; their
 * 64-bit counts (25 MB for ten charts of 253 steps x 1250 bins) outgrow the
 * L3 cache beside the book's state and evict it, 16-bit ones take a quarter.
 * The counts are the same: call alvh_fan_flush before reading them. */
alvh_status alvh_fan_set_staging(alvh_fan_chart *f, alvh_hist_bin16_fn *bin16, alvh_error *err);
/* staged counts into the 64-bit ones (no-op without staging) */
void alvh_fan_flush(alvh_fan_chart *f);

/* Add the values of n_paths paths at one step. */
alvh_status alvh_fan_add_step(alvh_fan_chart *f, size_t step, const double *values, size_t n_paths,
                              alvh_error *err);

/* The same with weights qw (alvh_hist_add_weighted): a weighted fan chart, counts in LR units. */
alvh_status alvh_fan_add_step_weighted(alvh_fan_chart *f, size_t step, const double *values, const uint64_t *qw,
                                       size_t n_paths, alvh_error *err);

/* Add a block: values[t * ld + p] is path p at step t, for every step t. */
alvh_status alvh_fan_add_block(alvh_fan_chart *f, const double *values, size_t n_paths, size_t ld,
                               alvh_error *err);

/* into += from; same steps, bins and edges. */
alvh_status alvh_fan_merge(alvh_fan_chart *into, const alvh_fan_chart *from, alvh_error *err);

/* q[t * n_p + k] = estimated quantile of step t at p[k]; bound (may be NULL)
 * receives the error bound in the same layout. A step without finite values
 * gets NaN (and a NaN bound) rather than failing the whole chart. */
alvh_status alvh_fan_quantiles(const alvh_fan_chart *f, const double *p, size_t n_p, double *q,
                               double *bound, alvh_error *err);

#endif
