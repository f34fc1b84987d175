/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fixed names of an alvh result file (docs/hdf5_layout.md) and writers
 * for the datasets whose shape the engine defines:
 *
 *   /                                         run attributes (io/h5_writer.h)
 *   /scenarios/<s>/market/terminal            n_paths x 5: spx, vix, token, variance, funding
 *   /scenarios/<s>/market/sample_paths        n_sample x (steps + 1) x 5
 *   /scenarios/<s>/variants/<v>/pnl           n_paths x 8: 7 layers + total (USD)
 *   /scenarios/<s>/variants/<v>/metrics       n_paths x 9: drawdown, health, counts, first steps
 *   /scenarios/<s>/variants/<v>/summary       statistics x (layers + total), labelled
 *   /scenarios/<s>/variants/<v>/effectiveness metrics x columns, labelled, vs the baseline
 *   /scenarios/<s>/variants/<v>/histograms/<quantity>/{counts,edges}
 *   /scenarios/<s>/variants/<v>/fan_charts/<series>
 *
 * Scenario and variant names come from configs: they must be non-empty,
 * without '/', not "." or "..", and at most ALVH_H5_NAME_MAX bytes
 * (ALVH_E_CONFIG otherwise).
 */
#ifndef ALVH_IO_H5_LAYOUT_H
#define ALVH_IO_H5_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "engine/book_run.h"
#include "common/status.h"
#include "io/h5_writer.h"

#define ALVH_H5_FORMAT_NAME "alvh-result" /* root attribute alvh_format */
/* root attribute alvh_layout_version (2: dimension scales, scenario attributes;
 * 3: per-variant baselines, attribution, tail and study tables; 4: lp, cover,
 * eth_puts layers; 5: likelihood ratios, n_gov_down_shocks, importance table; 6: treasury and gas
 * metrics, control variates; 7: every exact table weighted under a tilt, weighted histogram counts;
 * 8: antithetic pairs: scenario attribute antithetic, per-variant antithetic table;
 * 9: scenario attributes tilt_token_drift, tilt_token_drift_share) */
#define ALVH_H5_LAYOUT_VERSION 9

#define ALVH_H5_SCENARIOS "/scenarios"
#define ALVH_H5_MARKET "market"
#define ALVH_H5_VARIANTS "variants"
#define ALVH_H5_TERMINAL "terminal"
#define ALVH_H5_SAMPLE_PATHS "sample_paths"
#define ALVH_H5_PNL "pnl"
#define ALVH_H5_METRICS "metrics"
#define ALVH_H5_SUMMARY "summary"
#define ALVH_H5_EFFECTIVENESS "effectiveness"
#define ALVH_H5_HISTOGRAMS "histograms"
#define ALVH_H5_FAN_CHARTS "fan_charts"

#define ALVH_H5_NAME_MAX 128
#define ALVH_H5_PATH_MAX 512 /* enough for every path built here */

/* Units of the terminal market columns (alvh_terminal_names) and of the
 * per-path outcome columns (alvh_book_out_names). */
extern const char *const alvh_h5_terminal_units[ALVH_TERM_COUNT];
extern const char *const alvh_h5_outcome_units[ALVH_OUT_COUNT];

/* ALVH_E_CONFIG unless name is a usable group name; what is "scenario" or "variant". */
alvh_status alvh_h5_check_name(const char *what, const char *name, alvh_error *err);

/* "/scenarios/<s>", "/scenarios/<s>/market", "/scenarios/<s>/variants/<v>"
 * into buf (ALVH_H5_PATH_MAX bytes is always enough). */
alvh_status alvh_h5_scenario_path(char *buf, size_t n, const char *scenario, alvh_error *err);
alvh_status alvh_h5_market_path(char *buf, size_t n, const char *scenario, alvh_error *err);
alvh_status alvh_h5_variant_path(char *buf, size_t n, const char *scenario, const char *variant,
                                 alvh_error *err);

/* terminal[i * ALVH_TERM_COUNT + k] (as alvh_book_run fills it). */
alvh_status alvh_h5_write_terminal(alvh_h5_writer *w, const char *scenario, size_t n_paths,
                                   const double *terminal, alvh_error *err);

/* outcomes[i * ALVH_OUT_COUNT + k] for one variant (alvh_book_run's outcomes
 * + v * n_paths * ALVH_OUT_COUNT): pnl gets the layer and total columns,
 * metrics the rest. Both chunked and compressed. */
alvh_status alvh_h5_write_outcomes(alvh_h5_writer *w, const char *scenario, const char *variant,
                                   size_t n_paths, const double *outcomes, alvh_error *err);

/* data[(s * n_times + t) * ALVH_TERM_COUNT + k]; path_index may be NULL. */
alvh_status alvh_h5_write_market_samples(alvh_h5_writer *w, const char *scenario, size_t n_sample,
                                         size_t n_times, const double *data, const uint64_t *path_index,
                                         alvh_error *err);

/* The summary of a variant: data[r * n_cols + c] is statistic r of column c
 * (columns: the pnl columns, layers + total). */
alvh_status alvh_h5_write_summary(alvh_h5_writer *w, const char *scenario, const char *variant, size_t n_stats,
                                  size_t n_cols, const double *data, const char *const *stat_names,
                                  const char *const *column_names, const char *const *stat_units,
                                  alvh_error *err);

/* Hedge effectiveness of variant against baseline (same layout as the
 * summary, plus the attribute baseline). */
alvh_status alvh_h5_write_effectiveness(alvh_h5_writer *w, const char *scenario, const char *variant,
                                        const char *baseline, size_t n_rows, size_t n_cols, const double *data,
                                        const char *const *row_names, const char *const *column_names,
                                        const char *const *row_units, alvh_error *err);

#endif
