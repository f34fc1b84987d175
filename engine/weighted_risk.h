/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Likelihood-ratio-weighted risk of a variant's total P&L (docs/statistics.md,
 * "Importance sampling"): the estimators that stay unbiased (means) or
 * consistent (VaR, ES) when the paths were drawn under tilted event
 * intensities, each path weighted by its likelihood_ratio column. Without a
 * tilt every weight is 1 and the table is the plain estimate.
 */
#ifndef ALVH_ENGINE_WEIGHTED_RISK_H
#define ALVH_ENGINE_WEIGHTED_RISK_H

#include <stddef.h>

#include "common/status.h"
#include "engine/summary.h"

/* Table `importance`, one column `total`: rows lr_mean, lr_mean_se,
 * effective_paths ((sum w)^2 / sum w^2), mean, mean_se, then var, es and es_se
 * at 99% and 99.9% (losses in USD, positive = loss). */
/* Its rows and column, data NaN (histogram mode fills it from its weighted sums). */
alvh_status alvh_weighted_risk_layout(alvh_table *t, alvh_error *err);
/* pairs: antithetic pairs, every SE with a pair as one sample (engine/antithetic.h) */
alvh_status alvh_weighted_risk(const double *outcomes, size_t n, int pairs, alvh_table *t, alvh_error *err);

#endif
