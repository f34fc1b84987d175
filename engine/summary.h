/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The tables alvh stores and prints per scenario and variant, built from the
 * per-path outcomes of engine/book_run.h with the estimators of engine/stats.h
 * (definitions: docs/statistics.md). A table is a matrix with row and column
 * names; the HDF5 writer stores it with those names as attributes and
 * `alvh summary` prints it back without recomputing.
 */
#ifndef ALVH_ENGINE_SUMMARY_H
#define ALVH_ENGINE_SUMMARY_H

#include <stddef.h>

#include "common/status.h"

#define ALVH_TABLE_NAME 48

/* How a scenario's summary tables are computed (run.summaries):
 * exact from every stored per-path value, or from mergeable histograms and
 * block moment sums without per-path storage (engine/summary_hist.h). */
typedef enum alvh_summaries {
    ALVH_SUMMARIES_EXACT = 0,
    ALVH_SUMMARIES_HISTOGRAM = 1,
} alvh_summaries;
extern const char *const alvh_summaries_names[2]; /* "exact", "histogram" */

typedef struct alvh_table {
    size_t rows, cols;
    double *data;                         /* rows x cols, row-major */
    char (*row_names)[ALVH_TABLE_NAME];
    char (*col_names)[ALVH_TABLE_NAME];
    char (*row_units)[16];                /* unit of each row: USD, USD^2, count, 1 (ratios, probabilities) */
} alvh_table;

void alvh_table_free(alvh_table *t); /* frees the arrays, accepts a zeroed table */

/* A zeroed table of n_rows x 1 with these row names and units and the column name `col`. */
alvh_status alvh_table_one_column(alvh_table *t, const char *const *rows, const char *const *units, size_t n_rows,
                                  const char *col, alvh_error *err);

/* Row index of name, or t->rows when absent. */
size_t alvh_table_row(const alvh_table *t, const char *name);

/* The empty tables (names and units, data zero) that the functions below
 * fill: histogram mode fills the same rows from its accumulators. */
alvh_status alvh_summary_pnl_layout(alvh_table *t, alvh_error *err);
alvh_status alvh_summary_risk_layout(alvh_table *t, alvh_error *err);
alvh_status alvh_summary_effectiveness_layout(alvh_table *t, alvh_error *err);

/* A bound table for t: the same rows, columns and units, then extra_rows
 * (names given, unit "USD" unless units_extra names one), data zero. */
alvh_status alvh_table_bound_layout(const alvh_table *t, const char *const *extra_rows,
                                    const char *const *units_extra, size_t n_extra, alvh_table *b,
                                    alvh_error *err);

/* Estimator flags of the table functions below (and of engine/weighted_risk.h,
 * engine/control_variate.h): ALVH_EST_WEIGHTED, each path weighted by its
 * likelihood ratio; ALVH_EST_PAIRS, the paths are antithetic pairs (2k, 2k + 1)
 * and every SE takes a pair as one sample (engine/antithetic.h). 0: plain. */
enum { ALVH_EST_WEIGHTED = 1, ALVH_EST_PAIRS = 2 };

/* P&L statistics (rows: n, mean, stdev, ..., quantiles, VaR/ES, P(loss > x C))
 * of every layer and the total (columns). outcomes: n_paths x ALVH_OUT_COUNT.
 * The columns are computed on `threads` OpenMP threads (<= 0: the default);
 * the table does not depend on it. est & ALVH_EST_WEIGHTED: each path weighted by its
 * likelihood ratio (outcome column ALVH_OUT_LR; paths drawn under an
 * importance-sampling tilt), with the estimators of engine/wstats.h;
 * est & ALVH_EST_PAIRS: pair-aware SEs and P(loss > x C) intervals
 * (alvh_pairs_fix_pnl_summary). */
alvh_status alvh_summary_pnl(const double *outcomes, size_t n_paths, double capital_usd, int threads, int est,
                             alvh_table *t, alvh_error *err);

/* Drawdown, health factor and event statistics: one column `value`
 * (est: as for alvh_summary_pnl; with pairs the event probabilities get p +- z SE intervals). */
alvh_status alvh_summary_risk(const double *outcomes, size_t n_paths, int est, alvh_table *t, alvh_error *err);

/* Hedge effectiveness of a variant against the baseline on the same paths
 * (total P&L): variance and ES99 reductions with paired and unpaired SEs. */
/* est: the LR weights each path, the SEs take antithetic pairs as samples (alvh_hedge_eff_compute_wp) */
alvh_status alvh_summary_effectiveness(const double *outcomes, const double *baseline, size_t n_paths, int est,
                                       alvh_table *t, alvh_error *err);

#endif
