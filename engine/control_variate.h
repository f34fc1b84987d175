/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control-variate estimate of a variant's mean total P&L (docs/statistics.md,
 * "Control variates"): the terminal SPX and token levels, whose means under
 * the paths' measure are known in closed form, as controls in a regression
 * estimator (Glasserman 2004, 4.1). Under importance sampling every value is
 * weighted by its likelihood ratio (E~[w X] = E[X]).
 */
#ifndef ALVH_ENGINE_CONTROL_VARIATE_H
#define ALVH_ENGINE_CONTROL_VARIATE_H

#include <stddef.h>

#include "common/status.h"
#include "engine/summary.h"
#include "kernels/market_model.h"

/* E[S_T] and E[G_T] of the paths' parameter set (alvh_market_paths_params)
 * over the horizon T: S0 e^{(r - q + drift) T}, G0 e^{(mu - dilution) T}
 * (each step's compensators make the discretized levels hit them exactly, up
 * to the per-step cap of two events). */
#define ALVH_CV_CONTROLS 3 /* terminal SPX, terminal token, SPX integrated variance */

/* over n_steps steps of dt_years; mu[2]: E[integrated variance of the SPX] (engine/book_run.h,
 * ALVH_TERM_IV) of the discretized affine variance model, exact for the QE scheme (NaN for Euler). */
void alvh_cv_exact_means(const alvh_market_params *paths, double dt_years, size_t n_steps,
                         double mu[ALVH_CV_CONTROLS]);

/* Table `control_variates`, one column `total`: rows mean, mean_se (the plain
 * or LR-weighted estimate), mean_cv, mean_cv_se, variance_reduction
 * (var of the plain terms over var of the residuals), beta_spx, beta_token,
 * then per control its simulated mean, SE and exact mean. mu NULL (exact
 * means unknown: forced events) leaves the CV rows NaN. outcomes: n x
 * ALVH_OUT_COUNT; terminal: n x ALVH_TERM_COUNT. pairs: antithetic pairs, every
 * row computed from the n/2 pair means of the (weighted) terms, one sample each. */
alvh_status alvh_cv_table(const double *outcomes, const double *terminal, size_t n, const double *mu, int pairs,
                          alvh_table *t, alvh_error *err);

#endif
