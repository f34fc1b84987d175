/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stylized facts of one scenario's simulated market (alvh diagnose): the VIX
 * distribution and term structure, the decay of an injected VIX spike,
 * realized vols, the token's tails and its correlations with ETH and SPX.
 * Every fact comes with a Monte Carlo standard error from batch means: the
 * paths are cut into ALVH_DIAG_BATCHES batches of consecutive paths, the fact
 * is computed on each batch, and SE = sd(batch values) / sqrt(batches).
 * Targets and their sources: engine/diagnose_targets.c, docs/market_model.md.
 */
#ifndef ALVH_ENGINE_DIAGNOSE_H
#define ALVH_ENGINE_DIAGNOSE_H

#include <stddef.h>

#include "common/status.h"
#include "engine/market_sim.h"

enum { ALVH_DIAG_BATCHES = 20 };

typedef enum alvh_diag_fact {
    ALVH_FACT_VIX_MEDIAN,       /* VIX over every path-day: median, 5th, 95th percentile */
    ALVH_FACT_VIX_P05,
    ALVH_FACT_VIX_P95,
    ALVH_FACT_RATIO_CALM,       /* median VIX/VIX3M over every path-day (the calm term structure) */
    ALVH_FACT_RATIO_SPIKE,      /* median VIX/VIX3M on the last injected VIX day */
    ALVH_FACT_SPIKE_HALF_LIFE,  /* days after it until the median VIX excess over vix0 halves */
    ALVH_FACT_VIX_AFTER_6,      /* median VIX 6 trading days after it */
    ALVH_FACT_DAYS_TO_20,       /* median over paths of the days until VIX < 20 */
    ALVH_FACT_SPX_VOL,          /* mean over paths of the realized SPX vol (annualized) */
    ALVH_FACT_TOKEN_VOL,        /* the same for the token */
    ALVH_FACT_TOKEN_KURT,       /* excess kurtosis of the token's daily log returns, all path-days */
    ALVH_FACT_TOKEN_WORST,      /* median over paths of the worst daily simple return */
    ALVH_FACT_CORR_TOKEN_ETH,   /* mean over paths of the daily-return correlation */
    ALVH_FACT_CORR_ETH_SPX,
    ALVH_FACT_TOKEN_M90,        /* fraction of paths whose token falls 90% or more over the first year */
    ALVH_FACT_COUNT
} alvh_diag_fact;

typedef struct alvh_diag_value {
    double value, se; /* NaN: not defined for this scenario (no spike, no ETH, ...) */
} alvh_diag_value;

typedef struct alvh_diag_result {
    alvh_diag_value fact[ALVH_FACT_COUNT];
    size_t n_paths, n_steps;
    long spike_day; /* the last injected VIX day, -1: none */
} alvh_diag_result;

/* Name (for JSON and tables) and one-line meaning of a fact. */
const char *alvh_diag_fact_name(alvh_diag_fact f);
const char *alvh_diag_fact_doc(alvh_diag_fact f);

/* Simulates rq (its injections included) and computes every fact. At least
 * ALVH_DIAG_BATCHES paths. steps_per_year sets the annualization and the
 * first year of the -90% fact. */
alvh_status alvh_diagnose_run(const alvh_market_sim_request *rq, double steps_per_year, const alvh_kernel_ops *ops,
                              alvh_diag_result *out, alvh_error *err);

/* A target: the fact should lie in [lo, hi]; text says where it comes from. */
typedef struct alvh_diag_target {
    alvh_diag_fact fact;
    double target, lo, hi;
    const char *source;
} alvh_diag_target;

/* The targets of a scenario: by name (yen_carry_aug_2024, aug_2015), else the
 * calm market's unconditional facts for a scenario without injections, else
 * none. Returns their number and sets *t. */
size_t alvh_diag_targets(const char *scenario, int has_injections, const alvh_diag_target **t);

#endif
