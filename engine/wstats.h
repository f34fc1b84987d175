/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Likelihood-ratio-weighted estimators over per-path values (docs/statistics.md,
 * "Importance sampling"): path i carries its value x_i and its likelihood
 * ratio w_i; n is the number of finite values. They fill the same structs as
 * the plain estimators of engine/stats.h, which they equal in their means
 * and SEs when every w_i = 1 (the quantile rule differs: see below).
 *
 *   mean   (1/n) sum w x                       SE sd(w x) / sqrt(n)
 *   stdev, skewness, kurtosis: central moments of the self-normalized law w / sum w
 *   quantile_p (p <= 1/2): x_(k) at the first k (ascending) where (1/n) sum_{j<=k} w_(j) > p,
 *              (p > 1/2): the same walked down from the top against 1 - p
 *   VaR_a = -quantile_{1-a}, ES_a = VaR_a + (1/n) sum w (L - VaR_a)^+ / (1 - a),
 *           SE sd(w (L - VaR_a)^+ / (1 - a)) / sqrt(n)
 *   P(x > c) = (1/n) sum w 1{x > c}, SE sd(w 1{x > c}) / sqrt(n), 95% interval p +- z SE in [0, 1]
 */
#ifndef ALVH_ENGINE_WSTATS_H
#define ALVH_ENGINE_WSTATS_H

#include <stddef.h>

#include "common/status.h"
#include "engine/stats.h"

typedef struct alvh_wpoint {
    double x, w;
    size_t i; /* path index: ties in x keep index order, one order on every thread count */
} alvh_wpoint;

/* Mean of v[0..m) and its SE, the SE 0 for one value (nothing to estimate it from). */
void alvh_wstats_mean_se(const double *v, size_t m, double *mean, double *se);

/* Weighted moments of the paths where x and w are finite (counts of the
 * excluded NaN / Inf values of x filled as alvh_stats_moments does). */
alvh_status alvh_wstats_moments(const double *x, const double *w, size_t n, alvh_moments *out, alvh_error *err);

/* The finite (x, w) pairs ascending in x (malloc'ed, caller frees); none: ALVH_E_NUMERIC. */
alvh_status alvh_wstats_sorted(const double *x, const double *w, size_t n, alvh_wpoint **sorted, size_t *m,
                               alvh_error *err);

/* Weighted quantile of sorted[0..m) at p in [0, 1], m >= 1. */
double alvh_wstats_quantile_sorted(const alvh_wpoint *sorted, size_t m, double p);

/* Loss VaR/ES at level a of P&L values sorted ascending; tmp holds m doubles. */
void alvh_wstats_tail_sorted(const alvh_wpoint *sorted, size_t m, double level, double *tmp, alvh_tail_risk *out);

/* P(x > threshold) with its SE interval at z, from sorted[0..m) (tmp: m doubles). */
void alvh_wstats_prob_above_sorted(const alvh_wpoint *sorted, size_t m, double threshold, double z, double *tmp,
                                   alvh_proportion *out);

/* q[k] = weighted quantile at p[k] of the finite pairs. */
alvh_status alvh_wstats_quantiles(const double *x, const double *w, size_t n, const double *p, size_t n_p,
                                  double *q, alvh_error *err);

/* P(x > threshold) over the finite pairs. */
alvh_status alvh_wstats_prob_above(const double *x, const double *w, size_t n, double threshold, double z,
                                   alvh_proportion *out, alvh_error *err);

/* alvh_stats_pnl_summary with weights. */
alvh_status alvh_wstats_pnl_summary(const double *pnl_usd, const double *w, size_t n, double capital_usd,
                                    alvh_pnl_summary *out, alvh_error *err);

#endif
