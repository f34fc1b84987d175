/*
 * One scenario of a run, end to end in memory: market paths and every variant
 * of the book (engine/book_run.h), per-path outcomes, the equity fan chart of
 * each variant, a sample of market paths, and the summary tables
 * (engine/summary.h). The caller writes the result (io/) and frees it.
 */
#ifndef ALVH_ENGINE_SCENARIO_RUN_H
#define ALVH_ENGINE_SCENARIO_RUN_H

#include <stddef.h>

#include "engine/book_run.h"
#include "engine/summary.h"

#define ALVH_FAN_N_PROBS 7
extern const double alvh_fan_probs[ALVH_FAN_N_PROBS]; /* 0.01 0.05 0.25 0.5 0.75 0.95 0.99 */

typedef struct alvh_scenario_request {
    alvh_market_sim_request market;
    alvh_book_params book;
    const alvh_variant *variants; /* variants[0] is the baseline of the effectiveness tables */
    size_t n_variants;
    size_t n_sample_paths;        /* market paths 0..n-1 kept at every step */
    size_t fan_bins;              /* equity histogram bins per step over [0, 2.5 C) */
} alvh_scenario_request;

typedef struct alvh_scenario_result {
    size_t n_paths, n_steps, n_variants, n_sample;
    double *terminal;   /* n_paths x ALVH_TERM_COUNT */
    double *outcomes;   /* n_variants x n_paths x ALVH_OUT_COUNT */
    double *fan;        /* n_variants x (n_steps + 1) x ALVH_FAN_N_PROBS: equity quantiles, USD */
    double *fan_bound;  /* same layout: error bound of each fan quantile, USD */
    double *sample;     /* n_sample x (n_steps + 1) x ALVH_TERM_COUNT */
    alvh_table *pnl, *risk, *eff; /* n_variants each; eff[0] is empty (the baseline) */
    double seconds;     /* simulation wall time */
} alvh_scenario_result;

alvh_status alvh_scenario_run(const alvh_scenario_request *rq, const alvh_kernel_ops *ops,
                              alvh_scenario_result *res, alvh_error *err);
void alvh_scenario_result_free(alvh_scenario_result *res);

#endif
