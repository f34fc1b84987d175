/*
 * Tail effectiveness of a variant against its baseline on the same paths
 * (docs/statistics.md, "Tail effectiveness"): the ratio statistics below,
 * each as 1 - stat(variant) / stat(baseline), with a paired standard error.
 */
#ifndef ALVH_ENGINE_TAIL_EFF_H
#define ALVH_ENGINE_TAIL_EFF_H

#include <stddef.h>

#include "common/status.h"
#include "engine/summary.h"

#define ALVH_TAIL_EFF_BATCHES 20 /* batches of consecutive paths for the batch-means SEs */

/* Table `tail_effectiveness`: rows variance, semideviation, var_99, var_99.9,
 * es_99, es_99.9, p_loss_gt_{5,10,20}pct; columns variant, baseline,
 * reduction, reduction_se. Variance and ES SEs by the paired delta method
 * (engine/hedge_eff.h), the others by batch means over ALVH_TAIL_EFF_BATCHES
 * batches of consecutive paths (each batch pairs both variants on its paths).
 * Loss thresholds are fractions of capital_usd. outcomes: n x ALVH_OUT_COUNT. */
/* est (engine/summary.h flags): ALVH_EST_WEIGHTED weights each path by its likelihood ratio (ALVH_OUT_LR);
 * ALVH_EST_PAIRS: antithetic pairs, paired SEs by pair means and batches of whole pairs */
alvh_status alvh_tail_eff_table(const double *outcomes, const double *baseline, size_t n, double capital_usd,
                                int est, alvh_table *t, alvh_error *err);

#endif
