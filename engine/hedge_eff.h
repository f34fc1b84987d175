/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hedge effectiveness of a variant h against a baseline b evaluated on the
 * same paths (common random numbers): pnl_h[i] and pnl_b[i] come from path i.
 *
 *   variance reduction  1 - Var(h) / Var(b)
 *   ES reduction        1 - ES_a(h) / ES_a(b)   (loss ES as in engine/stats.h)
 *
 * Standard errors by the delta method on the paired sample: each ratio R has
 * an influence value psi_i per path built from both variants' values on that
 * path, and SE(R) = sd(psi) / sqrt(n). Because psi_i combines h and b of the
 * same path, the positive correlation that common random numbers create
 * cancels in psi, which is where the (often large) gain over independent runs
 * shows. The SE that independent samples of the same size would have is
 * reported next to it. Formulas in docs/statistics.md.
 *
 * Paths where either value is NaN/Inf are dropped pairwise and counted.
 */
#ifndef ALVH_ENGINE_HEDGE_EFF_H
#define ALVH_ENGINE_HEDGE_EFF_H

#include <stddef.h>

#include "common/status.h"

typedef struct alvh_hedge_eff {
    size_t n;                         /* paths used (both values finite) */
    size_t n_excluded;                /* paths dropped for a NaN/Inf in h or b */
    double var_h, var_b;              /* sample variances (divisor n - 1), USD^2 */
    double var_reduction;             /* 1 - var_h / var_b; NaN if var_b = 0 */
    double var_reduction_se;          /* paired delta-method SE */
    double var_reduction_se_unpaired; /* SE if h and b came from independent paths */
    double level;                     /* ES level a */
    double es_h, es_b;                /* loss ES_a, USD */
    double es_reduction;              /* 1 - es_h / es_b; NaN unless es_b > 0 */
    double es_reduction_se;           /* paired delta-method SE */
    double es_reduction_se_unpaired;
} alvh_hedge_eff;

/* level in (0, 1), e.g. 0.99. Needs at least 2 paired finite paths. */
alvh_status alvh_hedge_eff_compute(const double *pnl_h_usd, const double *pnl_b_usd, size_t n,
                                   double level, alvh_hedge_eff *out, alvh_error *err);

/* The same with each path's likelihood ratio lr[i] (importance sampling; NULL: plain, the function
 * above bit for bit): variances are the self-normalized weighted ones of engine/wstats.h, ES the
 * weighted Rockafellar-Uryasev ES; in the influence values the LR multiplies what the estimator
 * averages (the variance's (x - mean)^2 - Var, the ES excess (L - VaR)^+ / (1 - a)), so
 * SE = sd(psi) / sqrt(n) as in the plain case. Paths with a non-finite LR are dropped with the pair. */
alvh_status alvh_hedge_eff_compute_w(const double *pnl_h_usd, const double *pnl_b_usd, const double *lr, size_t n,
                                     double level, alvh_hedge_eff *out, alvh_error *err);

/* The same; pairs: the paths are antithetic pairs (2k, 2k + 1), adjacent among the finite ones, and
 * every SE is that of the mean of the pair means of psi (engine/antithetic.h). */
alvh_status alvh_hedge_eff_compute_wp(const double *pnl_h_usd, const double *pnl_b_usd, const double *lr, size_t n,
                                      double level, int pairs, alvh_hedge_eff *out, alvh_error *err);

#endif
