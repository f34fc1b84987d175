/* SPDX-License-Identifier: BSD-3-Clause */
#include "engine/summary.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/antithetic.h"
#include "engine/hedge_eff.h"
#include "engine/stats.h"
#include "engine/wstats.h"
#include "kernels/book_model.h"

const char *const alvh_summaries_names[2] = {"exact", "histogram"};

void alvh_table_free(alvh_table *t)
{
    free(t->data);
    free(t->row_names);
    free(t->col_names);
    free(t->row_units);
    memset(t, 0, sizeof *t);
}

static alvh_status table_alloc(alvh_table *t, size_t rows, size_t cols, alvh_error *err)
{
    memset(t, 0, sizeof *t);
    t->rows = rows;
    t->cols = cols;
    t->data = calloc(rows * cols, sizeof(double));
    t->row_names = calloc(rows, sizeof *t->row_names);
    t->col_names = calloc(cols, sizeof *t->col_names);
    t->row_units = calloc(rows, sizeof *t->row_units);
    if (!t->data || !t->row_names || !t->col_names || !t->row_units) {
        alvh_table_free(t);
        return alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate a %zu x %zu table", rows, cols);
    }
    return ALVH_OK;
}

alvh_status alvh_table_one_column(alvh_table *t, const char *const *rows, const char *const *units, size_t n_rows,
                                  const char *col, alvh_error *err)
{
    alvh_status st = table_alloc(t, n_rows, 1, err);
    if (st != ALVH_OK)
        return st;
    for (size_t r = 0; r < n_rows; r++) {
        snprintf(t->row_names[r], ALVH_TABLE_NAME, "%s", rows[r]);
        snprintf(t->row_units[r], sizeof t->row_units[0], "%s", units[r]);
    }
    snprintf(t->col_names[0], ALVH_TABLE_NAME, "%s", col);
    return ALVH_OK;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* unit of a statistic from its name (docs/hdf5_layout.md unit strings) */
static void set_units(alvh_table *t)
{
    for (size_t r = 0; r < t->rows; r++) {
        const char *n = t->row_names[r], *u = "USD";
        if (!strcmp(n, "n") || !strcmp(n, "n_nan") || !strcmp(n, "n_inf") || ends_with(n, "_mean"))
            u = strncmp(n, "max_drawdown", 12) == 0 || !strcmp(n, "bad_debt_mean") || !strcmp(n, "excess_over_cash_mean") ||
                        !strcmp(n, "perp_margin_peak_mean")
                    ? "USD"
                    : "count";
        if (!strcmp(n, "skewness") || !strcmp(n, "excess_kurtosis") || !strncmp(n, "p_", 2) ||
            strstr(n, "reduction") || strstr(n, "health_factor"))
            u = "1";
        if (!strncmp(n, "var_", 4) && !strstr(n, "reduction") && (!strcmp(n, "var_total") || !strcmp(n, "var_baseline")))
            u = "USD^2";
        snprintf(t->row_units[r], sizeof t->row_units[r], "%s", u);
    }
}

static void column(const double *outcomes, size_t n, int k, double *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = outcomes[i * ALVH_OUT_COUNT + (size_t)k];
}

/* percent label without trailing zeros: 0.001 -> "0.1", 0.995 -> "99.5" */
static void pct(char *buf, size_t n, const char *prefix, double p)
{
    char num[32];
    snprintf(num, sizeof num, "%.4f", 100.0 * p);
    char *e = num + strlen(num) - 1;
    while (*e == '0')
        *e-- = '\0';
    if (*e == '.')
        *e = '\0';
    snprintf(buf, n, "%s%s", prefix, num);
}

size_t alvh_table_row(const alvh_table *t, const char *name)
{
    for (size_t r = 0; r < t->rows; r++)
        if (strcmp(t->row_names[r], name) == 0)
            return r;
    return t->rows;
}

alvh_status alvh_table_bound_layout(const alvh_table *t, const char *const *extra_rows,
                                    const char *const *units_extra, size_t n_extra, alvh_table *b,
                                    alvh_error *err)
{
    alvh_status st = table_alloc(b, t->rows + n_extra, t->cols, err);
    if (st != ALVH_OK)
        return st;
    memcpy(b->row_names, t->row_names, t->rows * sizeof *t->row_names);
    memcpy(b->row_units, t->row_units, t->rows * sizeof *t->row_units);
    memcpy(b->col_names, t->col_names, t->cols * sizeof *t->col_names);
    for (size_t k = 0; k < n_extra; k++) {
        snprintf(b->row_names[t->rows + k], ALVH_TABLE_NAME, "%s", extra_rows[k]);
        snprintf(b->row_units[t->rows + k], sizeof b->row_units[0], "%s",
                 units_extra && units_extra[k] ? units_extra[k] : "USD");
    }
    return ALVH_OK;
}

alvh_status alvh_summary_pnl_layout(alvh_table *t, alvh_error *err)
{
    const size_t rows = 8 + ALVH_STATS_N_PROBS + 3 * ALVH_STATS_N_LEVELS + 3 * ALVH_STATS_N_THRESHOLDS;
    const size_t cols = ALVH_OUT_TOTAL + 1; /* layers, cash, total */
    alvh_status st = table_alloc(t, rows, cols, err);
    if (st != ALVH_OK)
        return st;
    size_t r = 0;
    const char *fixed[8] = {"n", "n_nan", "n_inf", "mean", "stdev", "mean_se", "skewness", "excess_kurtosis"};
    for (int k = 0; k < 8; k++)
        snprintf(t->row_names[r++], ALVH_TABLE_NAME, "%s", fixed[k]);
    for (int k = 0; k < ALVH_STATS_N_PROBS; k++)
        pct(t->row_names[r++], ALVH_TABLE_NAME, "quantile_", alvh_stats_probs[k]);
    for (int k = 0; k < ALVH_STATS_N_LEVELS; k++) {
        char lv[24];
        pct(lv, sizeof lv, "", alvh_stats_levels[k]);
        snprintf(t->row_names[r++], ALVH_TABLE_NAME, "var_%s", lv);
        snprintf(t->row_names[r++], ALVH_TABLE_NAME, "es_%s", lv);
        snprintf(t->row_names[r++], ALVH_TABLE_NAME, "es_%s_se", lv);
    }
    for (int k = 0; k < ALVH_STATS_N_THRESHOLDS; k++) {
        char lv[24];
        pct(lv, sizeof lv, "", alvh_stats_loss_thresholds[k]);
        snprintf(t->row_names[r++], ALVH_TABLE_NAME, "p_loss_gt_%spct", lv);
        snprintf(t->row_names[r++], ALVH_TABLE_NAME, "p_loss_gt_%spct_lo95", lv);
        snprintf(t->row_names[r++], ALVH_TABLE_NAME, "p_loss_gt_%spct_hi95", lv);
    }
    for (size_t c = 0; c < cols; c++)
        snprintf(t->col_names[c], ALVH_TABLE_NAME, "%s", alvh_book_out_names[c]);
    set_units(t);
    return ALVH_OK;
}

/* column c of the P&L table from the per-path outcomes */
static alvh_status pnl_column(const double *outcomes, size_t n_paths, double capital_usd, int est, alvh_table *t,
                              size_t c, alvh_error *err)
{
    const size_t cols = t->cols;
    const int weighted = est & ALVH_EST_WEIGHTED, pairs = est & ALVH_EST_PAIRS;
    double *x = malloc(n_paths * sizeof(double)), *w = weighted ? malloc(n_paths * sizeof(double)) : NULL;
    double *tmp = pairs ? malloc((n_paths ? n_paths : 1) * sizeof(double)) : NULL;
    if (!x || (weighted && !w) || (pairs && !tmp)) {
        free(x);
        free(w);
        free(tmp);
        return alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate %zu values", n_paths);
    }
    column(outcomes, n_paths, (int)c, x);
    if (w)
        column(outcomes, n_paths, ALVH_OUT_LR, w);
    alvh_pnl_summary s;
    alvh_status st = w ? alvh_wstats_pnl_summary(x, w, n_paths, capital_usd, &s, err)
                       : alvh_stats_pnl_summary(x, n_paths, capital_usd, &s, err);
    if (st == ALVH_OK && pairs)
        alvh_pairs_fix_pnl_summary(x, w, n_paths, capital_usd, tmp, &s);
    free(tmp);
    free(x);
    free(w);
    if (st != ALVH_OK)
        return st;
    double v[8] = {(double)s.moments.n, (double)s.moments.n_nan, (double)s.moments.n_inf, s.moments.mean,
                   s.moments.stdev, s.moments.mean_se, s.moments.skewness, s.moments.excess_kurtosis};
    size_t rr = 0;
    for (int k = 0; k < 8; k++)
        t->data[rr++ * cols + c] = v[k];
    for (int k = 0; k < ALVH_STATS_N_PROBS; k++)
        t->data[rr++ * cols + c] = s.quantile_usd[k];
    for (int k = 0; k < ALVH_STATS_N_LEVELS; k++) {
        t->data[rr++ * cols + c] = s.tail[k].var;
        t->data[rr++ * cols + c] = s.tail[k].es;
        t->data[rr++ * cols + c] = s.tail[k].es_se;
    }
    for (int k = 0; k < ALVH_STATS_N_THRESHOLDS; k++) {
        t->data[rr++ * cols + c] = s.p_loss_above[k].p_hat;
        t->data[rr++ * cols + c] = s.p_loss_above[k].lo;
        t->data[rr++ * cols + c] = s.p_loss_above[k].hi;
    }
    return ALVH_OK;
}

alvh_status alvh_summary_pnl(const double *outcomes, size_t n_paths, double capital_usd, int threads, int est,
                             alvh_table *t, alvh_error *err)
{
    alvh_status st = alvh_summary_pnl_layout(t, err);
    if (st != ALVH_OK)
        return st;
    const size_t cols = t->cols;
    alvh_status cst[ALVH_OUT_TOTAL + 1]; /* the layout's columns: outcome columns 0 .. ALVH_OUT_TOTAL */
    alvh_error cerr[ALVH_OUT_TOTAL + 1];
    if (cols > ALVH_OUT_TOTAL + 1) {
        alvh_table_free(t);
        return alvh_error_set(err, ALVH_E_INTERNAL, "P&L table with %zu columns", cols);
    }
    /* columns are independent: spread over the threads (each the same as alone) */
    int nt = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
    for (size_t c = 0; c < cols; c++) {
        cerr[c] = (alvh_error){0};
        cst[c] = pnl_column(outcomes, n_paths, capital_usd, est, t, c, &cerr[c]);
    }
    for (size_t c = 0; st == ALVH_OK && c < cols; c++)
        if (cst[c] != ALVH_OK) {
            st = cst[c];
            if (err)
                *err = cerr[c];
        }
    if (st != ALVH_OK)
        alvh_table_free(t);
    return st;
}

alvh_status alvh_summary_risk_layout(alvh_table *t, alvh_error *err)
{
    static const char *names[] = {
        "max_drawdown_mean",       "max_drawdown_q50",        "max_drawdown_q95",       "max_drawdown_q99",
        "min_health_factor_q1",    "min_health_factor_q5",    "min_health_factor_q50",
        "p_liquidation_perp",      "p_liquidation_perp_lo95", "p_liquidation_perp_hi95", "liquidations_perp_mean",
        "p_liquidation_borrow",    "p_liquidation_borrow_lo95", "p_liquidation_borrow_hi95",
        "liquidations_borrow_mean", "p_exploit",              "p_exploit_lo95",          "p_exploit_hi95",
        "exploits_mean",           "p_stop_out",              "p_stop_out_lo95",         "p_stop_out_hi95",
        "stop_outs_mean",          "p_treasury_feedback",     "p_treasury_feedback_lo95", "p_treasury_feedback_hi95",
        "treasury_feedbacks_mean", "p_runway_cut",            "p_runway_cut_lo95",       "p_runway_cut_hi95",
        "runway_cuts_mean",        "rolls_mean",              "bad_debt_mean",           "excess_over_cash_mean",
        "perp_margin_peak_mean",
    };
    const size_t rows = sizeof names / sizeof names[0];
    alvh_status st = table_alloc(t, rows, 1, err);
    if (st != ALVH_OK)
        return st;
    snprintf(t->col_names[0], ALVH_TABLE_NAME, "value");
    for (size_t r = 0; r < rows; r++)
        snprintf(t->row_names[r], ALVH_TABLE_NAME, "%s", names[r]);
    set_units(t);
    return ALVH_OK;
}

/* the estimators of the risk table, plain or weighted by w (NULL: plain) */
static alvh_status risk_mean(const double *x, const double *w, size_t n, double *mean, alvh_error *err)
{
    alvh_moments mo;
    alvh_status st = w ? alvh_wstats_moments(x, w, n, &mo, err) : alvh_stats_moments(x, n, &mo, err);
    *mean = mo.mean;
    return st;
}

static alvh_status risk_quantiles(const double *x, const double *w, size_t n, const double *p, size_t n_p, double *q,
                                  alvh_error *err)
{
    size_t nonfin = 0;
    return w ? alvh_wstats_quantiles(x, w, n, p, n_p, q, err) : alvh_stats_quantiles(x, n, p, n_p, q, &nonfin, err);
}

static alvh_status risk_prob(const double *x, const double *w, size_t n, alvh_proportion *pr, alvh_error *err)
{
    return w ? alvh_wstats_prob_above(x, w, n, 0.5, ALVH_STATS_Z95, pr, err)
             : alvh_stats_prob_above(x, n, 0.5, ALVH_STATS_Z95, pr, err);
}

alvh_status alvh_summary_risk(const double *outcomes, size_t n, int est, alvh_table *t, alvh_error *err)
{
    alvh_status st = alvh_summary_risk_layout(t, err);
    if (st != ALVH_OK)
        return st;
    const int weighted = est & ALVH_EST_WEIGHTED, pairs = est & ALVH_EST_PAIRS;
    double *x = malloc(n * sizeof(double)), *w = weighted ? malloc(n * sizeof(double)) : NULL;
    double *tmp = pairs ? malloc((n ? n : 1) * sizeof(double)) : NULL;
    if (!x || (weighted && !w) || (pairs && !tmp)) {
        free(x);
        free(w);
        free(tmp);
        alvh_table_free(t);
        return alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate %zu values", n);
    }
    if (w)
        column(outcomes, n, ALVH_OUT_LR, w);
    double *d = t->data;
    column(outcomes, n, ALVH_OUT_MAX_DD, x);
    const double p_dd[3] = {0.5, 0.95, 0.99}, p_hf[3] = {0.01, 0.05, 0.5};
    st = risk_mean(x, w, n, &d[0], err);
    if (st == ALVH_OK)
        st = risk_quantiles(x, w, n, p_dd, 3, d + 1, err);
    if (st == ALVH_OK) {
        /* infinite where a variant never borrows: those paths carry no health factor */
        column(outcomes, n, ALVH_OUT_MIN_HF, x);
        size_t finite = 0;
        for (size_t i = 0; i < n; i++)
            finite += isfinite(x[i]) != 0;
        if (finite > 0)
            st = risk_quantiles(x, w, n, p_hf, 3, d + 4, err);
        else
            d[4] = d[5] = d[6] = INFINITY;
    }
    const int counts[6] = {ALVH_OUT_N_LIQ_PERP, ALVH_OUT_N_LIQ_BORROW, ALVH_OUT_N_EXPLOIT, ALVH_OUT_N_STOP,
                           ALVH_OUT_N_TREASURY_FB, ALVH_OUT_N_RUNWAY_CUT};
    for (int k = 0; st == ALVH_OK && k < 6; k++) {
        column(outcomes, n, counts[k], x);
        alvh_proportion pr;
        st = risk_prob(x, w, n, &pr, err);
        if (st == ALVH_OK && pairs)
            alvh_pairs_fix_proportion(x, w, n, 0.5, ALVH_STATS_Z95, tmp, &pr);
        if (st == ALVH_OK)
            st = risk_mean(x, w, n, &d[10 + 4 * k], err);
        if (st == ALVH_OK) {
            d[7 + 4 * k] = pr.p_hat;
            d[8 + 4 * k] = pr.lo;
            d[9 + 4 * k] = pr.hi;
        }
    }
    /* means only: rolls, bad debt (USD), excess over cash (USD), perp margin peak (USD) */
    const int means[4] = {ALVH_OUT_N_ROLL, ALVH_OUT_BAD_DEBT, ALVH_OUT_EXCESS, ALVH_OUT_MARGIN_PEAK};
    for (int k = 0; st == ALVH_OK && k < 4; k++) {
        column(outcomes, n, means[k], x);
        st = risk_mean(x, w, n, &d[31 + k], err);
    }
    free(tmp);
    free(x);
    free(w);
    if (st != ALVH_OK)
        alvh_table_free(t);
    return st;
}

alvh_status alvh_summary_effectiveness_layout(alvh_table *t, alvh_error *err)
{
    static const char *names[] = {"var_total",          "var_baseline",       "var_reduction",
                                  "var_reduction_se",   "var_reduction_se_unpaired",
                                  "es99_total",         "es99_baseline",      "es99_reduction",
                                  "es99_reduction_se",  "es99_reduction_se_unpaired"};
    const size_t rows = sizeof names / sizeof names[0];
    alvh_status st = table_alloc(t, rows, 1, err);
    if (st != ALVH_OK)
        return st;
    snprintf(t->col_names[0], ALVH_TABLE_NAME, "total");
    for (size_t r = 0; r < rows; r++)
        snprintf(t->row_names[r], ALVH_TABLE_NAME, "%s", names[r]);
    set_units(t);
    return ALVH_OK;
}

alvh_status alvh_summary_effectiveness(const double *outcomes, const double *baseline, size_t n, int est,
                                       alvh_table *t, alvh_error *err)
{
    alvh_status st = alvh_summary_effectiveness_layout(t, err);
    if (st != ALVH_OK)
        return st;
    const int weighted = est & ALVH_EST_WEIGHTED;
    double *h = malloc(n * sizeof(double)), *b = malloc(n * sizeof(double));
    double *w = weighted ? malloc(n * sizeof(double)) : NULL;
    if (!h || !b || (weighted && !w)) {
        free(h);
        free(b);
        free(w);
        alvh_table_free(t);
        return alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate %zu values", n);
    }
    column(outcomes, n, ALVH_OUT_TOTAL, h);
    column(baseline, n, ALVH_OUT_TOTAL, b);
    if (w)
        column(outcomes, n, ALVH_OUT_LR, w); /* both variants ran on the same paths: one LR per path */
    alvh_hedge_eff e;
    st = alvh_hedge_eff_compute_wp(h, b, w, n, 0.99, (est & ALVH_EST_PAIRS) != 0, &e, err);
    if (st == ALVH_OK) {
        double v[] = {e.var_h, e.var_b, e.var_reduction, e.var_reduction_se, e.var_reduction_se_unpaired,
                      e.es_h, e.es_b, e.es_reduction, e.es_reduction_se, e.es_reduction_se_unpaired};
        memcpy(t->data, v, sizeof v);
    }
    free(h);
    free(b);
    free(w);
    if (st != ALVH_OK)
        alvh_table_free(t);
    return st;
}
