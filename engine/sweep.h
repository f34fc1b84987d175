/*
 * Sweeps: one variant of a scenario re-run for each value of a book parameter,
 * every point on the same market paths (same seed, scenario and blocks: common
 * random numbers), so point-to-point differences carry paired standard errors.
 * A point is exactly the single-variant run with that parameter value.
 */
#ifndef ALVH_ENGINE_SWEEP_H
#define ALVH_ENGINE_SWEEP_H

#include <stddef.h>

#include "engine/scenario_run.h"

typedef struct alvh_sweep_spec {
    size_t variant;      /* index into the request's variants */
    size_t param_offset; /* byte offset of a double member of alvh_book_params */
    const char *param;   /* its name for the column labels, e.g. "perp.leverage" */
    const double *values;
    size_t n_values;     /* 1 .. 64 */
} alvh_sweep_spec;

/* Table `sweep`: one column per value ("perp.leverage=2"); rows value, mean,
 * mean_se, es_99, es_99_se, p_liquidation_perp, p_liquidation_borrow, and the
 * paired differences from the first point with their SEs: mean_diff,
 * mean_diff_se, es_99_diff, es_99_diff_se (0 in the first column). Runs in
 * exact mode whatever base->summaries says. */
alvh_status alvh_sweep_run(const alvh_scenario_request *base, const alvh_sweep_spec *sp, const alvh_kernel_ops *ops,
                           alvh_table *out, alvh_error *err);

#endif
