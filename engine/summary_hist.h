/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Histogram-mode summaries (run.summaries: histogram): the tables of
 * engine/summary.h without per-path storage, for runs too large to keep
 * n_paths x ALVH_OUT_COUNT doubles per variant. Definitions and resolution:
 * docs/statistics.md ("Summaries without per-path values").
 *
 * Each finished block feeds
 *   - an accumulator (alvh_shist_acc) of integer state: per variant, a
 *     fixed-bin histogram of each P&L column (the layers and the total), of
 *     the max drawdown and of the min health factor, and event counters
 *     (paths with >= 1 liquidation / exploit / stop-out, sums of the counts,
 *     paths beyond each loss threshold). Integer counts and exact min/max
 *     merge in any order to the same bits;
 *   - one row of block moments (alvh_shist_block_moments): per variant and
 *     moment column, the finite count, the compensated sum and the central
 *     sums of powers 2..4 about the block mean, and the paired co-moments of
 *     the variant's total P&L with the baseline's. Rows live in a
 *     block-indexed array and are reduced in block order at the end, so the
 *     moments are bit-identical for any thread count, round split, resume or
 *     MPI rank count.
 *
 * Under an importance-sampling tilt (weighted) every path also feeds its
 * likelihood ratio w (outcome column ALVH_OUT_LR): a twin of each histogram
 * counts w in units of 2^-ALVH_HIST_WEIGHT_BITS (alvh_hist_weight_units), the
 * fine and the tail histogram of each P&L column have a twin of w^2 in the
 * same units (the ES standard errors and the weights_sq of the stored
 * histogram), 3x the memory of the path counts alone, and the block rows add weighted moments (sums of w and w x,
 * central sums weighted by w and by w^2) and the sums of w and w^2 behind
 * every event and loss probability. The tables are then the weighted
 * estimators of engine/wstats.h with bounds (docs/statistics.md, "Histogram
 * summaries under a tilt"); still integers and block rows, so bit-identical
 * for any thread count, resume or rank count.
 *
 * Histogram ranges are fixed by the starting capital C before any value
 * arrives: P&L columns [-2 C, 4 C) in 60000 bins (bin width 1e-4 C) plus
 * [-100 C, 200 C) in 30000 bins (0.01 C) for far tails, max drawdown [0, 2 C)
 * in 20000 bins (1e-4 C) plus [0, 200 C) in 20000 bins (0.01 C), min health
 * factor [0, 10) in 20000 bins (5e-4). Values outside land in the
 * underflow/overflow segments with the exact min/max; every estimate
 * carries its error bound.
 */
#ifndef ALVH_ENGINE_SUMMARY_HIST_H
#define ALVH_ENGINE_SUMMARY_HIST_H

#include <stddef.h>
#include <stdint.h>

#include "engine/histogram.h"
#include "common/status.h"
#include "engine/summary.h"
#include "kernels/book_model.h"

/* Histograms per variant: a fine one of each P&L column 0..ALVH_OUT_TOTAL, of
 * the max drawdown and of the min health factor; then a wide "tail" one of
 * each P&L column and of the max drawdown (ALVH_SHIST_TAIL + column). */
enum {
    ALVH_SHIST_MAX_DD = ALVH_OUT_TOTAL + 1,
    ALVH_SHIST_MIN_HF,
    ALVH_SHIST_TAIL,                                    /* first tail histogram */
    ALVH_SHIST_N_HIST = ALVH_SHIST_TAIL + ALVH_OUT_TOTAL + 2
};
#define ALVH_SHIST_PNL_BINS 60000
#define ALVH_SHIST_DD_BINS 20000
#define ALVH_SHIST_HF_BINS 20000
#define ALVH_SHIST_PNL_LO_C (-2.0) /* fine P&L range [-2 C, 4 C): bins of 1e-4 C */
#define ALVH_SHIST_PNL_HI_C 4.0
#define ALVH_SHIST_DD_HI_C 2.0     /* fine max drawdown range [0, 2 C): bins of 1e-4 C */
#define ALVH_SHIST_HF_HI 10.0      /* min health factor range [0, 10): bins of 5e-4 */
/* Tail histograms: P&L [-100 C, 200 C) and max drawdown [0, 200 C), bins of
 * 0.01 C. Each estimate is taken from the fine or the tail histogram of its
 * column, whichever bounds its error more tightly: the fine one while the
 * ranks involved lie inside [-2 C, 4 C), the tail one for far tails (a token
 * farm's gains, a perpetual short's losses). */
#define ALVH_SHIST_TAIL_PNL_BINS 30000
#define ALVH_SHIST_TAIL_DD_BINS 20000
#define ALVH_SHIST_TAIL_PNL_LO_C (-100.0)
#define ALVH_SHIST_TAIL_HI_C 200.0

/* Integer counters per variant: for each count column (liquidations,
 * perp and borrow liquidations, exploits, stop-outs, treasury feedback shocks, runway cuts, rolls) the finite paths, the paths with a count > 0.5
 * and the sum of the counts; then per P&L column and loss threshold the
 * paths with -pnl > threshold x C. */
#define ALVH_SHIST_N_EVENTS 7
#define ALVH_SHIST_N_COUNTERS (3 * ALVH_SHIST_N_EVENTS + (ALVH_OUT_TOTAL + 1) * 3)

/* squared-LR twins per variant (weighted): the fine, then the tail histogram
 * of each P&L column 0..ALVH_OUT_TOTAL */
#define ALVH_SHIST_N_W2 (2 * (ALVH_OUT_TOTAL + 1))

typedef struct alvh_shist_acc {
    size_t n_variants;
    int weighted;             /* the LR twins and weighted rows below exist */
    size_t per_variant;       /* histograms per variant: ALVH_SHIST_N_HIST, or 2 x that + ALVH_SHIST_N_W2 */
    size_t n_counts;          /* n_variants x bins per variant */
    uint64_t *counts;         /* every histogram's bins, contiguous */
    alvh_histogram *hist;     /* n_variants x per_variant: path counts, [LR twins, squared-LR twins] */
    uint64_t *counters;       /* n_variants x ALVH_SHIST_N_COUNTERS */
    double capital_usd;
} alvh_shist_acc;

alvh_shist_acc *alvh_shist_acc_create(size_t n_variants, double capital_usd, int weighted, alvh_error *err);
/* All histograms of a (n_variants x per_variant): the meta words are ALVH_SHIST_META per histogram. */
size_t alvh_shist_n_hists(const alvh_shist_acc *a);
void alvh_shist_acc_free(alvh_shist_acc *a); /* accepts NULL */
void alvh_shist_acc_reset(alvh_shist_acc *a);
alvh_status alvh_shist_acc_merge(alvh_shist_acc *into, const alvh_shist_acc *from, alvh_error *err);

/* One block's outcome rows out[(v * n + i) * ALVH_OUT_COUNT + k]. */
void alvh_shist_acc_add(alvh_shist_acc *a, const double *out, size_t n);

/* Histogram state outside the counts (underflow, overflow, n, n_nan, n_inf,
 * min bits, max bits) as ALVH_SHIST_META words per histogram, for
 * checkpoints and MPI; _set_meta is the inverse. */
#define ALVH_SHIST_META 7
void alvh_shist_acc_get_meta(const alvh_shist_acc *a, uint64_t *meta);
void alvh_shist_acc_set_meta(alvh_shist_acc *a, const uint64_t *meta);

/* Block moments: doubles per block row, and the row of one block (weighted: with the weighted sums). */
size_t alvh_shist_block_len(size_t n_variants, int weighted);
/* The row of n outcome rows of a's variants (weighted when a is); base[v]:
 * index of variant v's baseline (v itself: none); NULL: variant 0 for all. */
void alvh_shist_block_moments(const alvh_shist_acc *a, const double *out, size_t n, const size_t *base, double *row);

/* The summary tables (same rows as exact mode) and their bound tables:
 * bound[r][c] bounds |estimate - exact value| of the same cell (0 where the
 * histogram mode is exact up to rounding, NaN where no bound exists); the
 * bound tables add the bin widths and ranges. rows: n_blocks block rows in
 * block order. Every output array has n_variants tables; eff[0] stays empty. */
typedef struct alvh_shist_tables {
    alvh_table *pnl, *risk, *eff;
    alvh_table *pnl_bound, *risk_bound, *eff_bound;
    alvh_table *importance; /* weighted: the importance table of engine/weighted_risk.h per variant; else unused */
} alvh_shist_tables;
alvh_status alvh_shist_tables_compute(const alvh_shist_acc *a, const double *rows, size_t n_blocks,
                                      const size_t *base, alvh_shist_tables *t, alvh_error *err);

/* The same over [lo, hi] (USD, e.g. the body of the distribution from its
 * quantiles), snapped outwards to whole fine bins inside the fine range and
 * cut to [min, max]: the edges are true bin bounds and the finite values
 * outside them are counted in *under and *over. lo >= hi or not finite: the
 * whole range as alvh_shist_total_hist (*under = *over = 0). */
void alvh_shist_total_hist_range(const alvh_shist_acc *a, size_t v, size_t n_bins, double lo, double hi,
                                 uint64_t *counts, double *edges, uint64_t *n_nonfinite, uint64_t *under,
                                 uint64_t *over);

/* The total P&L of variant v as n_bins counts over n_bins + 1 increasing
 * edges (n_bins divides ALVH_SHIST_PNL_BINS): groups of whole fine bins (so the counts are exact), the outer
 * edges moved to the exact min and just above the exact max when values fall
 * outside the fixed range. Every finite value is counted once. */
void alvh_shist_total_hist(const alvh_shist_acc *a, size_t v, size_t n_bins, uint64_t *counts, double *edges,
                           uint64_t *n_nonfinite);

/* Weighted: the same bins as alvh_shist_total_hist_range (same arguments) as
 * sums of w (weights) and w^2 (weights_sq) in LR units (exact up to the
 * 2^-ALVH_HIST_WEIGHT_BITS rounding of each w and w^2), and the sums of w
 * outside them (outside_w[0] below, [1] above). */
alvh_status alvh_shist_total_weights_range(const alvh_shist_acc *a, size_t v, size_t n_bins, double lo, double hi,
                                           double *weights, double *weights_sq, double *outside_w, alvh_error *err);

#endif
