/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What summary_hist.c (the path-count histogram summaries) shares with
 * summary_hist_w.c (the same under an importance-sampling tilt): the block
 * row layout, the reduction of block moments in block order and the table
 * helpers. Not part of the public API.
 */
#ifndef ALVH_ENGINE_SUMMARY_HIST_INTERNAL_H
#define ALVH_ENGINE_SUMMARY_HIST_INTERNAL_H

#include <stddef.h>

#include "engine/stats.h"
#include "engine/summary_hist.h"

/* moment columns: the P&L columns and max drawdown (outcome columns 0..12),
 * then bad debt, excess over cash and the perp margin peak (means only);
 * each as n, sum hi, sum lo, C2, C3, C4 */
enum { ALVH_SHI_MOM_K = 6, ALVH_SHI_N_MOM_PNL_DD = ALVH_OUT_TOTAL + 2, ALVH_SHI_N_MOM = ALVH_SHI_N_MOM_PNL_DD + 3 };
int alvh_shi_mom_col(int moment_column); /* its outcome column */
extern const int alvh_shi_event_col[ALVH_SHIST_N_EVENTS];

/* a variant's histograms under a tilt: its path-count ones 0..ALVH_SHIST_N_HIST,
 * their LR twins at ALVH_SHIST_N_HIST + k, the squared-LR twins of P&L column c below */
#define ALVH_SHI_W2_FINE(c) (2 * ALVH_SHIST_N_HIST + (c))
#define ALVH_SHI_W2_TAIL(c) (2 * ALVH_SHIST_N_HIST + ALVH_OUT_TOTAL + 1 + (c))
const alvh_histogram *alvh_shi_hist(const alvh_shist_acc *a, size_t v, int k);

/* The weighted part of a variant's block row (after every variant's
 * unweighted part): per moment column the w-weighted central sums
 * (W, sum w x hi/lo, C2, C3, C4 about the block's weighted mean) and the
 * plain ones of y = w x; the weighted pair with the baseline (ALVH_SHI_WPAIR
 * doubles); the sums of w and w^2 (ALVH_SHI_WCNT doubles: all paths, then per
 * event column sum w 1{x > 0.5}, sum w^2 1{x > 0.5}, sum w x, then per P&L
 * column and loss threshold sum w 1{loss > t C}, sum w^2 1{loss > t C}). */
enum {
    ALVH_SHI_WPAIR = 21,
    ALVH_SHI_WCNT = 2 + 3 * ALVH_SHIST_N_EVENTS + (ALVH_OUT_TOTAL + 1) * ALVH_STATS_N_THRESHOLDS * 2,
    ALVH_SHI_WOFF_PAIR = ALVH_SHI_N_MOM * 2 * ALVH_SHI_MOM_K,
    ALVH_SHI_WOFF_CNT = ALVH_SHI_WOFF_PAIR + ALVH_SHI_WPAIR,
    ALVH_SHI_WVAR_LEN = ALVH_SHI_WOFF_CNT + ALVH_SHI_WCNT
};

/* The weighted part of one block's row, n_variants x ALVH_SHI_WVAR_LEN doubles. */
void alvh_shi_block_weighted(const double *out, size_t n, size_t n_variants, const size_t *base, double capital_usd,
                             double *wrow);

/* The tables of summary_hist.h, weighted (summary_hist_w.c). */
alvh_status alvh_shi_weighted_tables(const alvh_shist_acc *a, const double *rows, size_t n_blocks,
                                     const size_t *base, alvh_shist_tables *t, alvh_error *err);

/* sums over all blocks, about the overall mean (r[0] may be a count or a weight sum) */
typedef struct {
    double n, mean, c2, c3, c4; /* c_p: sum r0-weighted (x - mean)^p over all blocks */
} alvh_shi_moments;
alvh_shi_moments alvh_shi_reduce_col(const double *rows, size_t n_blocks, size_t stride, size_t off);

/* the rows both modes fill alike */
extern const char *const alvh_shi_dd_rows[3], *const alvh_shi_hf_rows[3];
extern const double alvh_shi_p_dd[3], alvh_shi_p_hf[3];
extern const char *const alvh_shi_event_names[ALVH_SHIST_N_EVENTS], *const alvh_shi_event_means[ALVH_SHIST_N_EVENTS];
extern const char *const alvh_shi_extra_means[3];
alvh_status alvh_shi_pnl_layouts(alvh_table *t, alvh_table *tb, alvh_error *err);  /* summary and its bounds */
alvh_status alvh_shi_risk_layouts(alvh_table *t, alvh_table *tb, alvh_error *err); /* risk and its bounds */
void alvh_shi_put_quantile(alvh_table *t, alvh_table *tb, size_t c, double p, double q, double bound);
void alvh_shi_put_tail(alvh_table *t, alvh_table *tb, size_t c, double level, double var, double var_bound,
                       double es, double es_bound, double es_se);
void alvh_shi_put_loss_prob(alvh_table *t, size_t c, double threshold, double p, double lo, double hi);
void alvh_shi_put_event_prob(alvh_table *t, int e, double p, double lo, double hi);
void alvh_shi_put_pnl_widths(alvh_table *tb, size_t c, const alvh_histogram *h, const alvh_histogram *ht);
void alvh_shi_put_risk_widths(alvh_table *tb, const alvh_histogram *dd, const alvh_histogram *ddt,
                              const alvh_histogram *hf);

double alvh_shi_binom(int n, int k); /* n <= 4 */
double alvh_shi_ipow(double x, int p);
void alvh_shi_put(alvh_table *t, const char *row, size_t col, double v);
void alvh_shi_pct(char *buf, size_t n, const char *prefix, double p, const char *suffix);
double alvh_shi_bin_width(const alvh_histogram *h);
/* largest |ratio - estimate| over the box [h +- bh] x [b +- bb] (b > bb) */
double alvh_shi_ratio_bound(double h, double bh, double b, double bb);

#endif
