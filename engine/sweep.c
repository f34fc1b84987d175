#include "engine/sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/antithetic.h"
#include "engine/stats.h"

enum { S_VALUE, S_MEAN, S_MEAN_SE, S_ES, S_ES_SE, S_PLP, S_PLB, S_DMEAN, S_DMEAN_SE, S_DES, S_DES_SE, S_ROWS };
static const char *const row_names[S_ROWS] = {"value", "mean", "mean_se", "es_99", "es_99_se", "p_liquidation_perp",
                                              "p_liquidation_borrow", "mean_diff", "mean_diff_se", "es_99_diff",
                                              "es_99_diff_se"};
static const char *const row_units[S_ROWS] = {"1", "USD", "USD", "USD", "USD", "1", "1", "USD", "USD", "USD", "USD"};

static double cell(const alvh_table *t, const char *row, size_t col)
{
    size_t r = alvh_table_row(t, row);
    return r < t->rows ? t->data[r * t->cols + col] : NAN;
}

/* sd(x) / sqrt(n), divisor n - 1 */
static double sd_se(const double *x, size_t n)
{
    double mean, se;
    alvh_stats_mean_se(x, n, &mean, &se);
    return se;
}

/* ES99 influence values of the loss -total of outcomes o (all finite) */
static alvh_status es_if(const double *o, size_t n, double *ifv, alvh_error *err)
{
    for (size_t i = 0; i < n; i++)
        ifv[i] = -o[i * ALVH_OUT_COUNT + ALVH_OUT_TOTAL];
    double *s;
    size_t m;
    alvh_status st = alvh_stats_sorted_finite(ifv, n, &s, &m, NULL, err);
    if (st)
        return st;
    alvh_tail_risk tr;
    st = m == n ? alvh_stats_tail_risk_sorted(s, m, 0.99, &tr, err)
                : alvh_error_set(err, ALVH_E_NUMERIC, "sweep: %zu non-finite totals", n - m);
    free(s);
    for (size_t i = 0; st == ALVH_OK && i < n; i++)
        ifv[i] = tr.var + (ifv[i] > tr.var ? ifv[i] - tr.var : 0.0) / 0.01 - tr.es;
    return st;
}

/* paired rows of point c against the reference outcomes o0 (its IF in if0) */
static alvh_status paired(const double *o0, const double *if0, const double *o, size_t n, int pairs, double *work,
                          double *d, size_t cols, size_t c, alvh_error *err)
{
    alvh_status st = es_if(o, n, work, err);
    if (st)
        return st;
    for (size_t i = 0; i < n; i++)
        work[i] -= if0[i];
    d[S_DES_SE * cols + c] = pairs ? alvh_pairs_se(work, n) : sd_se(work, n);
    for (size_t i = 0; i < n; i++)
        work[i] = o[i * ALVH_OUT_COUNT + ALVH_OUT_TOTAL] - o0[i * ALVH_OUT_COUNT + ALVH_OUT_TOTAL];
    d[S_DMEAN_SE * cols + c] = pairs ? alvh_pairs_se(work, n) : sd_se(work, n); /* antithetic: a pair per sample */
    return ALVH_OK;
}

static alvh_status table_init(alvh_table *t, const alvh_sweep_spec *sp, alvh_error *err)
{
    memset(t, 0, sizeof *t);
    t->rows = S_ROWS, t->cols = sp->n_values;
    t->data = calloc(S_ROWS * sp->n_values, sizeof(double));
    t->row_names = calloc(S_ROWS, sizeof *t->row_names);
    t->col_names = calloc(sp->n_values, sizeof *t->col_names);
    t->row_units = calloc(S_ROWS, sizeof *t->row_units);
    if (!t->data || !t->row_names || !t->col_names || !t->row_units) {
        alvh_table_free(t);
        return alvh_error_set(err, ALVH_E_NOMEM, "sweep: cannot allocate its table");
    }
    for (int r = 0; r < S_ROWS; r++) {
        snprintf(t->row_names[r], ALVH_TABLE_NAME, "%s", row_names[r]);
        snprintf(t->row_units[r], sizeof t->row_units[0], "%s", row_units[r]);
    }
    for (size_t c = 0; c < sp->n_values; c++)
        snprintf(t->col_names[c], ALVH_TABLE_NAME, "%.24s=%.12g", sp->param, sp->values[c]);
    return ALVH_OK;
}

alvh_status alvh_sweep_run(const alvh_scenario_request *base, const alvh_sweep_spec *sp, const alvh_kernel_ops *ops,
                           alvh_table *t, alvh_error *err)
{
    if (sp->variant >= base->n_variants || sp->n_values < 1 || sp->n_values > 64 ||
        sp->param_offset + sizeof(double) > sizeof(alvh_book_params))
        return alvh_error_set(err, ALVH_E_CONFIG, "sweep of %s: variant %zu of %zu, %zu values (1 to 64)",
                              sp->param ? sp->param : "?", sp->variant, base->n_variants, sp->n_values);
    alvh_status st = table_init(t, sp, err);
    if (st)
        return st;
    const size_t n = base->market.n_paths, cols = sp->n_values;
    double *o0 = malloc(n * ALVH_OUT_COUNT * sizeof *o0), *if0 = malloc(n * sizeof *if0);
    double *work = malloc(n * sizeof *work);
    if (!o0 || !if0 || !work)
        st = alvh_error_set(err, ALVH_E_NOMEM, "sweep: cannot allocate for %zu paths", n);
    for (size_t c = 0; st == ALVH_OK && c < cols; c++) {
        alvh_scenario_request rq = *base;
        rq.variants = &base->variants[sp->variant];
        rq.n_variants = 1;
        rq.summaries = ALVH_SUMMARIES_EXACT;
        rq.n_sample_paths = 0;
        memcpy((char *)&rq.book + sp->param_offset, &sp->values[c], sizeof(double));
        alvh_scenario_result r;
        st = alvh_scenario_run(&rq, ops, &r, err);
        if (st)
            break;
        double *d = t->data;
        d[S_VALUE * cols + c] = sp->values[c];
        d[S_MEAN * cols + c] = cell(&r.pnl[0], "mean", ALVH_OUT_TOTAL);
        d[S_MEAN_SE * cols + c] = cell(&r.pnl[0], "mean_se", ALVH_OUT_TOTAL);
        d[S_ES * cols + c] = cell(&r.pnl[0], "es_99", ALVH_OUT_TOTAL);
        d[S_ES_SE * cols + c] = cell(&r.pnl[0], "es_99_se", ALVH_OUT_TOTAL);
        d[S_PLP * cols + c] = cell(&r.risk[0], "p_liquidation_perp", 0);
        d[S_PLB * cols + c] = cell(&r.risk[0], "p_liquidation_borrow", 0);
        d[S_DMEAN * cols + c] = d[S_MEAN * cols + c] - d[S_MEAN * cols];
        d[S_DES * cols + c] = d[S_ES * cols + c] - d[S_ES * cols];
        if (c == 0) {
            memcpy(o0, r.outcomes, n * ALVH_OUT_COUNT * sizeof *o0);
            st = es_if(o0, n, if0, err);
        } else {
            st = paired(o0, if0, r.outcomes, n, base->market.antithetic, work, d, cols, c, err);
        }
        alvh_scenario_result_free(&r);
    }
    free(o0), free(if0), free(work);
    if (st)
        alvh_table_free(t);
    return st;
}
