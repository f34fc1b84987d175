/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Exact estimators over per-path outcomes (P&L in USD, drawdowns, counts):
 * moments, type-7 quantiles, VaR / expected shortfall with standard errors,
 * binomial proportions with Wilson intervals, and the P&L summary that alvh
 * writes per scenario and variant. docs/statistics.md gives every definition
 * and the numpy expression that reproduces it.
 *
 * Determinism: every function reads its input once in index order and sums in
 * that order (compensated), so the same array gives bit-identical results on
 * any thread count; nothing here is threaded.
 *
 * Non-finite values (NaN, +-Inf) are counted and excluded, never averaged in:
 * each result reports how many were dropped.
 *
 * Status codes: ALVH_E_CONFIG for an invalid level or parameter (these come
 * from configs), ALVH_E_NUMERIC when no finite value is left, ALVH_E_INTERNAL
 * for a NULL array or size mismatch (a caller bug), ALVH_E_NOMEM.
 */
#ifndef ALVH_ENGINE_STATS_H
#define ALVH_ENGINE_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "common/status.h"

/* The quantile probabilities alvh writes for every outcome. */
#define ALVH_STATS_N_PROBS 11
extern const double alvh_stats_probs[ALVH_STATS_N_PROBS];

/* VaR/ES levels and loss thresholds (fractions of starting capital). */
#define ALVH_STATS_N_LEVELS 3
extern const double alvh_stats_levels[ALVH_STATS_N_LEVELS]; /* 0.95, 0.99, 0.995 */
#define ALVH_STATS_N_THRESHOLDS 3
extern const double alvh_stats_loss_thresholds[ALVH_STATS_N_THRESHOLDS]; /* 0.05, 0.10, 0.20 */

/* Two-sided 95% normal quantile, Phi^{-1}(0.975). */
#define ALVH_STATS_Z95 1.959963984540054

/* ---- moments ---------------------------------------------------------- */

typedef struct alvh_moments {
    size_t n;                 /* finite values used */
    size_t n_nan, n_inf;      /* excluded: NaN, and +Inf or -Inf */
    double mean;
    double stdev;             /* sample standard deviation, divisor n - 1 */
    double mean_se;           /* Monte Carlo standard error of the mean, stdev / sqrt(n) */
    double skewness;          /* g1 = m3 / m2^{3/2}, m_k = (1/n) sum (x - mean)^k */
    double excess_kurtosis;   /* g2 = m4 / m2^2 - 3 (0 for a normal law) */
    double min, max;
} alvh_moments;

/* Two-pass moments of the finite values of x[0..n). Undefined quantities are
 * NaN: stdev/mean_se when n < 2, skewness/kurtosis when all values are equal.
 * No finite value at all: fields NaN, counts filled, returns ALVH_E_NUMERIC. */
alvh_status alvh_stats_moments(const double *x, size_t n, alvh_moments *out, alvh_error *err);

/* ---- quantiles -------------------------------------------------------- */

/* A path ranked by a value (a loss, say). */
typedef struct alvh_ranked {
    double x;
    size_t i;
} alvh_ranked;

/* p[0..m), finite values given in increasing i, into (x, then i) order, with
 * -0.0 and +0.0 equal: the order qsort by (x, i) gives, by a stable LSD radix
 * sort (several times faster at 10^6 paths). ALVH_E_NOMEM when its m-point
 * buffer cannot be allocated. */
alvh_status alvh_stats_rank(alvh_ranked *p, size_t m, alvh_error *err);

/* Copy the finite values of x[0..n) to *sorted (malloc'ed, caller frees)
 * in ascending order (-0.0 before +0.0, so the order is total). *n_finite
 * receives their count; *n_nonfinite (may be NULL) the dropped count.
 * No finite value: *sorted = NULL, returns ALVH_E_NUMERIC. */
alvh_status alvh_stats_sorted_finite(const double *x, size_t n, double **sorted, size_t *n_finite,
                                     size_t *n_nonfinite, alvh_error *err);

/* Type-7 (Hyndman-Fan) quantile of sorted[0..n), n >= 1, p in [0, 1]:
 * h = (n - 1) p, j = floor(h), g = h - j, then numpy's lerp of
 * sorted[j], sorted[j + 1] -- bit-identical to np.quantile(x, p). */
double alvh_stats_quantile_sorted(const double *sorted, size_t n, double p);

/* q[k] = type-7 quantile of the finite values of x at p[k], k < n_p. */
alvh_status alvh_stats_quantiles(const double *x, size_t n, const double *p, size_t n_p, double *q,
                                 size_t *n_nonfinite, alvh_error *err);

/* ---- tail risk (loss = -P&L, positive = money lost) ------------------- */

typedef struct alvh_tail_risk {
    double level;     /* a */
    double var;       /* VaR_a: type-7 quantile of the loss at a */
    double es;        /* ES_a: mean of the k = alvh_stats_tail_count(n, a) largest losses */
    double es_se;     /* asymptotic standard error of es (Manistre & Hancock 2005) */
    size_t tail_n;    /* k */
} alvh_tail_risk;

/* Losses in the ES tail: k = ceil(n (1 - a) (1 - 1e-9)), clamped to [1, n].
 * The 1e-9 relative guard absorbs the rounding of 1 - a, so that n = 10^6,
 * a = 0.99 gives k = 10000, not 10001. n must be >= 1. */
size_t alvh_stats_tail_count(size_t n, double level);

/* VaR/ES at level a from losses sorted ascending (finite, n >= 1). */
alvh_status alvh_stats_tail_risk_sorted(const double *loss_sorted, size_t n, double level,
                                        alvh_tail_risk *out, alvh_error *err);

/* VaR/ES of the loss -pnl at each of levels[0..n_levels); non-finite P&L excluded. */
alvh_status alvh_stats_tail_risk(const double *pnl_usd, size_t n, const double *levels,
                                 size_t n_levels, alvh_tail_risk *out, size_t *n_nonfinite,
                                 alvh_error *err);

/* ---- binomial proportions --------------------------------------------- */

typedef struct alvh_proportion {
    uint64_t successes, trials;
    double p_hat;     /* successes / trials */
    double lo, hi;    /* Wilson score interval at the requested z */
} alvh_proportion;

/* Wilson (1927) score interval for k successes in n trials, z > 0
 * (ALVH_STATS_Z95 for 95%). n = 0 or k > n: ALVH_E_CONFIG. */
alvh_status alvh_stats_wilson(uint64_t successes, uint64_t trials, double z, alvh_proportion *out,
                              alvh_error *err);

/* P(x > threshold) over the finite values of x, with its Wilson interval. */
alvh_status alvh_stats_prob_above(const double *x, size_t n, double threshold, double z,
                                  alvh_proportion *out, alvh_error *err);

/* ---- the per-variant P&L summary -------------------------------------- */

typedef struct alvh_pnl_summary {
    alvh_moments moments;                                  /* of the P&L */
    double quantile_usd[ALVH_STATS_N_PROBS];               /* P&L at alvh_stats_probs */
    alvh_tail_risk tail[ALVH_STATS_N_LEVELS];              /* loss VaR/ES at alvh_stats_levels */
    alvh_proportion p_loss_above[ALVH_STATS_N_THRESHOLDS]; /* P(loss > x capital), 95% Wilson */
} alvh_pnl_summary;

/* Everything above for one P&L array, with one sort. capital_usd > 0. */
alvh_status alvh_stats_pnl_summary(const double *pnl_usd, size_t n, double capital_usd,
                                   alvh_pnl_summary *out, alvh_error *err);

/* Mean of x[0..n) and its standard error sqrt(s^2 / n) (s^2 with n - 1;
 * NAN for n < 2), compensated sums in index order. */
void alvh_stats_mean_se(const double *x, size_t n, double *mean, double *se);

#endif
