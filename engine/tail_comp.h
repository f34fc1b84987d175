/*
 * Tail composition (docs/statistics.md, "Tail composition"): among the worst
 * 1% and 0.1% of a variant's paths (by total loss, ties by path index), the
 * share containing each event type, with Wilson 95% intervals.
 */
#ifndef ALVH_ENGINE_TAIL_COMP_H
#define ALVH_ENGINE_TAIL_COMP_H

#include <stddef.h>

#include "common/status.h"
#include "engine/summary.h"

/* Table `tail_composition`: rows exploit, gov_down_shock, perp_liquidation, borrow_liquidation,
 * condor_stop, bad_debt (event counts > 0 in the per-path outcomes); columns
 * worst_1pct, worst_1pct_lo95, worst_1pct_hi95, the same for worst_0.1pct,
 * and all_paths (the share over every finite path, for comparison). */
/* est (engine/summary.h flags): ALVH_EST_WEIGHTED, paths weighted by their likelihood ratio (ALVH_OUT_LR),
 * shares of the model's tail; ALVH_EST_PAIRS, antithetic pairs: intervals share +- 1.96 SE with a pair as
 * one sample (the influence values of the weighted form) instead of Wilson's */
alvh_status alvh_tail_composition(const double *outcomes, size_t n, int est, alvh_table *t, alvh_error *err);

#endif
