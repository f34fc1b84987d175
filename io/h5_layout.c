/* SPDX-License-Identifier: BSD-3-Clause */
#include "io/h5_layout.h"

#include <stdio.h>
#include <string.h>

#include "io/h5_datasets.h"
#include "io/h5_internal.h"

const char *const alvh_h5_terminal_units[ALVH_TERM_COUNT] = {
    "index points", "index points", "USD", "1/yr", "1/yr", "1",
};

const char *const alvh_h5_outcome_units[ALVH_OUT_COUNT] = {
    "USD", "USD", "USD", "USD", "USD", "USD", "USD", "USD", "USD", "USD", /* layers */
    "USD", "USD",                                    /* cash (interest of the cash account), total */
    "USD",                                           /* max_drawdown */
    "1",                                             /* min_health_factor (inf: never borrowed) */
    "count", "count", "step",                        /* perp, borrow liquidations; first of either (-1: none) */
    "USD",                                           /* bad_debt written off */
    "count", "step",                                 /* exploits */
    "count", "step",                                 /* condor stop-outs */
    "count",                                         /* rolls */
    "USD", "USD",                                    /* excess_over_cash, perp_margin_peak */
    "USD", "count",                                  /* lp_onchain_costs, n_lp_recentres */
    "count", "count",                                /* cover claims paid, denied */
    "count", "count",                                /* irr rule: scale-downs, scale-ups */
    "count", "1",                                    /* governance down-shocks, likelihood ratio */
    "count",                                         /* runway rule: stake cuts */
    "years", "years", "1",                           /* treasury: runway at the horizon, its minimum, quick ratio */
    "count",                                         /* treasury feedback down-shocks */
    "USD", "USD", "USD", "USD",                      /* on-chain costs of the farm, borrow, puts, calls */
};

_Static_assert((int)ALVH_OUT_TOTAL == (int)ALVH_LAYER_COUNT + 1, "pnl columns are the layers, cash, then the total");

alvh_status alvh_h5_check_name(const char *what, const char *name, alvh_error *err)
{
    if (!alvh_h5_name_ok(name) || strlen(name) > ALVH_H5_NAME_MAX)
        return alvh_error_set(err, ALVH_E_CONFIG,
                              "%s name '%s': must be 1 to %d characters, without '/', and not '.' or '..'", what,
                              name ? name : "(null)", ALVH_H5_NAME_MAX);
    return ALVH_OK;
}

static alvh_status fmt_path(char *buf, size_t n, alvh_error *err, const char *fmt, const char *a, const char *b)
{
    int len = snprintf(buf, n, fmt, a, b);
    if (len < 0 || (size_t)len >= n)
        return alvh_error_set(err, ALVH_E_INTERNAL, "HDF5 path buffer of %zu bytes too small", n);
    return ALVH_OK;
}

alvh_status alvh_h5_scenario_path(char *buf, size_t n, const char *scenario, alvh_error *err)
{
    alvh_status st = alvh_h5_check_name("scenario", scenario, err);
    return st ? st : fmt_path(buf, n, err, ALVH_H5_SCENARIOS "/%s%s", scenario, "");
}

alvh_status alvh_h5_market_path(char *buf, size_t n, const char *scenario, alvh_error *err)
{
    alvh_status st = alvh_h5_check_name("scenario", scenario, err);
    return st ? st : fmt_path(buf, n, err, ALVH_H5_SCENARIOS "/%s/" ALVH_H5_MARKET "%s", scenario, "");
}

alvh_status alvh_h5_variant_path(char *buf, size_t n, const char *scenario, const char *variant,
                                 alvh_error *err)
{
    alvh_status st = alvh_h5_check_name("scenario", scenario, err);
    if (!st)
        st = alvh_h5_check_name("variant", variant, err);
    return st ? st : fmt_path(buf, n, err, ALVH_H5_SCENARIOS "/%s/" ALVH_H5_VARIANTS "/%s", scenario, variant);
}

alvh_status alvh_h5_write_terminal(alvh_h5_writer *w, const char *scenario, size_t n_paths,
                                   const double *terminal, alvh_error *err)
{
    char g[ALVH_H5_PATH_MAX];
    alvh_status st = alvh_h5_market_path(g, sizeof g, scenario, err);
    if (st)
        return st;
    return alvh_h5_write_table(w, g, ALVH_H5_TERMINAL, n_paths, ALVH_TERM_COUNT, terminal, alvh_terminal_names,
                               alvh_h5_terminal_units, 1, err);
}

alvh_status alvh_h5_write_outcomes(alvh_h5_writer *w, const char *scenario, const char *variant,
                                   size_t n_paths, const double *outcomes, alvh_error *err)
{
    char g[ALVH_H5_PATH_MAX];
    alvh_status st = alvh_h5_variant_path(g, sizeof g, scenario, variant, err);
    if (st)
        return st;
    const size_t n_pnl = ALVH_OUT_TOTAL + 1;
    st = alvh_h5_write_table_strided(w, g, ALVH_H5_PNL, n_paths, n_pnl, outcomes, ALVH_OUT_COUNT,
                                     alvh_book_out_names, alvh_h5_outcome_units, 1, err);
    if (st)
        return st;
    return alvh_h5_write_table_strided(w, g, ALVH_H5_METRICS, n_paths, ALVH_OUT_COUNT - n_pnl,
                                       outcomes ? outcomes + n_pnl : NULL, ALVH_OUT_COUNT,
                                       alvh_book_out_names + n_pnl, alvh_h5_outcome_units + n_pnl, 1, err);
}

alvh_status alvh_h5_write_market_samples(alvh_h5_writer *w, const char *scenario, size_t n_sample,
                                         size_t n_times, const double *data, const uint64_t *path_index,
                                         alvh_error *err)
{
    char g[ALVH_H5_PATH_MAX];
    alvh_status st = alvh_h5_market_path(g, sizeof g, scenario, err);
    if (st)
        return st;
    return alvh_h5_write_sample_paths(w, g, ALVH_H5_SAMPLE_PATHS, n_sample, n_times, ALVH_TERM_COUNT, data,
                                      alvh_terminal_names, alvh_h5_terminal_units, path_index, err);
}

alvh_status alvh_h5_write_summary(alvh_h5_writer *w, const char *scenario, const char *variant, size_t n_stats,
                                  size_t n_cols, const double *data, const char *const *stat_names,
                                  const char *const *column_names, const char *const *stat_units,
                                  alvh_error *err)
{
    char g[ALVH_H5_PATH_MAX];
    alvh_status st = alvh_h5_variant_path(g, sizeof g, scenario, variant, err);
    if (st)
        return st;
    return alvh_h5_write_labelled(w, g, ALVH_H5_SUMMARY, n_stats, n_cols, data, stat_names, column_names,
                                  stat_units, err);
}

alvh_status alvh_h5_write_effectiveness(alvh_h5_writer *w, const char *scenario, const char *variant,
                                        const char *baseline, size_t n_rows, size_t n_cols, const double *data,
                                        const char *const *row_names, const char *const *column_names,
                                        const char *const *row_units, alvh_error *err)
{
    char g[ALVH_H5_PATH_MAX], d[ALVH_H5_PATH_MAX + 16];
    alvh_status st = alvh_h5_variant_path(g, sizeof g, scenario, variant, err);
    if (!st)
        st = alvh_h5_check_name("baseline variant", baseline, err);
    if (!st)
        st = alvh_h5_write_labelled(w, g, ALVH_H5_EFFECTIVENESS, n_rows, n_cols, data, row_names, column_names,
                                    row_units, err);
    if (st)
        return st;
    snprintf(d, sizeof d, "%s/" ALVH_H5_EFFECTIVENESS, g);
    return alvh_h5_attr_string(w, d, "baseline", baseline, err);
}
