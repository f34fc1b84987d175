#include "engine/tail_eff.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/hedge_eff.h"
#include "engine/ksum.h"
#include "engine/stats.h"
#include "engine/wstats.h"
#include "kernels/book_model.h"

enum { R_VAR, R_SEMI, R_VAR99, R_VAR999, R_ES99, R_ES999, R_P5, R_P10, R_P20, N_ROWS };
static const char *const row_names[N_ROWS] = {"variance", "semideviation", "var_99",          "var_99.9",
                                              "es_99",    "es_99.9",       "p_loss_gt_5pct", "p_loss_gt_10pct",
                                              "p_loss_gt_20pct"};
static const char *const col_names[4] = {"variant", "baseline", "reduction", "reduction_se"};

/* downside semideviation sqrt(sum w min(x - mean, 0)^2 / sum w) of x[0..n), mean = sum w x / sum w;
 * w NULL: every weight 1, divisor n (the plain estimator bit for bit) */
static double semidev(const double *x, const double *w, size_t n)
{
    alvh_ksum s = {0, 0}, q = {0, 0}, sw = {0, 0};
    for (size_t i = 0; i < n; i++)
        alvh_ksum_add(&s, w ? w[i] * x[i] : x[i]), alvh_ksum_add(&sw, w ? w[i] : 0.0);
    const double den = w ? alvh_ksum_value(&sw) : (double)n, m = alvh_ksum_value(&s) / den;
    for (size_t i = 0; i < n; i++)
        if (x[i] < m)
            alvh_ksum_add(&q, (w ? w[i] : 1.0) * (x[i] - m) * (x[i] - m));
    return sqrt(alvh_ksum_value(&q) / den);
}

/* the weighted rows of P&L x[0..n): VaR by engine/wstats.h's walk from the worst path,
 * P(loss > c C) = (1/m) sum w 1{-x > c C} over the m finite pairs; work: n doubles */
static void wbatch_tail(const double *x, const double *w, size_t n, double capital, double *work, double *out)
{
    alvh_wpoint *p = NULL;
    size_t m = 0;
    if (alvh_wstats_sorted(x, w, n, &p, &m, NULL) != ALVH_OK) {
        out[R_VAR99] = out[R_VAR999] = out[R_P5] = out[R_P10] = out[R_P20] = NAN;
        return;
    }
    alvh_tail_risk t;
    alvh_wstats_tail_sorted(p, m, 0.99, work, &t);
    out[R_VAR99] = t.var;
    alvh_wstats_tail_sorted(p, m, 0.999, work, &t);
    out[R_VAR999] = t.var;
    const double thr[3] = {0.05, 0.10, 0.20};
    for (int k = 0; k < 3; k++) {
        double se;
        for (size_t i = 0; i < m; i++)
            work[i] = -p[i].x > thr[k] * capital ? p[i].w : 0.0;
        alvh_wstats_mean_se(work, m, &out[R_P5 + k], &se);
    }
    free(p);
}

/* the batch-means statistics of rows R_SEMI, R_VAR99, R_VAR999, R_P5..R_P20 of P&L x[0..n)
 * (w: likelihood ratios, NULL plain); work: n */
static void batch_stats(const double *x, const double *w, size_t n, double capital, double *work, double *out)
{
    if (w) {
        for (int r = 0; r < N_ROWS; r++)
            out[r] = NAN;
        wbatch_tail(x, w, n, capital, work, out);
        out[R_SEMI] = isfinite(out[R_VAR99]) ? semidev(x, w, n) : NAN;
        return;
    }
    for (size_t i = 0; i < n; i++)
        work[i] = -x[i];
    double *s = NULL;
    size_t m = 0;
    if (alvh_stats_sorted_finite(work, n, &s, &m, NULL, NULL) != ALVH_OK || m == 0) {
        for (int r = 0; r < N_ROWS; r++)
            out[r] = NAN;
        free(s);
        return;
    }
    out[R_SEMI] = semidev(x, NULL, n);
    out[R_VAR99] = alvh_stats_quantile_sorted(s, m, 0.99);
    out[R_VAR999] = alvh_stats_quantile_sorted(s, m, 0.999);
    const double thr[3] = {0.05, 0.10, 0.20};
    for (int k = 0; k < 3; k++) {
        size_t c = 0;
        for (size_t i = 0; i < m; i++)
            c += s[i] > thr[k] * capital;
        out[R_P5 + k] = (double)c / (double)m;
    }
    free(s);
}

static double red(double h, double b) { return b > 0.0 ? 1.0 - h / b : NAN; }

static void fill_batch(const double *h, const double *b, const double *w, size_t n, double capital, int pairs,
                       double *work, double *d)
{
    const int rows[6] = {R_SEMI, R_VAR99, R_VAR999, R_P5, R_P10, R_P20};
    double sh[N_ROWS], sb[N_ROWS], rb[ALVH_TAIL_EFF_BATCHES][N_ROWS];
    batch_stats(h, w, n, capital, work, sh);
    batch_stats(b, w, n, capital, work, sb);
    for (int k = 0; k < 6; k++) {
        int r = rows[k];
        d[r * 4 + 0] = sh[r], d[r * 4 + 1] = sb[r], d[r * 4 + 2] = red(sh[r], sb[r]);
    }
    /* antithetic pairs: batches of whole pairs (an even length from an even first path), so each
     * batch's estimate is a function of independent pairs and the batch means stay independent */
    const size_t nb = ALVH_TAIL_EFF_BATCHES, len = pairs ? n / nb & ~(size_t)1 : n / nb;
    for (size_t q = 0; q < nb && len >= 2; q++) {
        double bh[N_ROWS], bbs[N_ROWS];
        batch_stats(h + q * len, w ? w + q * len : NULL, len, capital, work, bh);
        batch_stats(b + q * len, w ? w + q * len : NULL, len, capital, work, bbs);
        for (int k = 0; k < 6; k++)
            rb[q][rows[k]] = red(bh[rows[k]], bbs[rows[k]]);
    }
    for (int k = 0; k < 6; k++) {
        int r = rows[k];
        alvh_ksum s = {0, 0}, v = {0, 0};
        int ok = len >= 2;
        for (size_t q = 0; ok && q < nb; q++)
            ok = isfinite(rb[q][r]), alvh_ksum_add(&s, rb[q][r]);
        double m = alvh_ksum_value(&s) / (double)nb;
        for (size_t q = 0; ok && q < nb; q++)
            alvh_ksum_add(&v, (rb[q][r] - m) * (rb[q][r] - m));
        d[r * 4 + 3] = ok ? sqrt(alvh_ksum_value(&v) / (double)(nb - 1) / (double)nb) : NAN;
    }
}

alvh_status alvh_tail_eff_table(const double *o, const double *ob, size_t n, double capital, int est,
                                alvh_table *t, alvh_error *err)
{
    const int weighted = est & ALVH_EST_WEIGHTED, pairs = (est & ALVH_EST_PAIRS) != 0;
    memset(t, 0, sizeof *t);
    t->rows = N_ROWS, t->cols = 4;
    t->data = calloc(N_ROWS * 4, sizeof(double));
    t->row_names = calloc(N_ROWS, sizeof *t->row_names);
    t->col_names = calloc(4, sizeof *t->col_names);
    t->row_units = calloc(N_ROWS, sizeof *t->row_units);
    double *h = malloc((n ? 5 * n : 1) * sizeof *h);
    alvh_status st = ALVH_OK;
    if (!t->data || !t->row_names || !t->col_names || !t->row_units || !h)
        st = alvh_error_set(err, ALVH_E_NOMEM, "tail effectiveness: cannot allocate for %zu paths", n);
    for (int r = 0; st == ALVH_OK && r < N_ROWS; r++) {
        snprintf(t->row_names[r], ALVH_TABLE_NAME, "%s", row_names[r]);
        snprintf(t->row_units[r], sizeof t->row_units[0], "%s", r == R_VAR ? "USD^2" : r >= R_P5 ? "1" : "USD");
    }
    for (int c = 0; st == ALVH_OK && c < 4; c++)
        snprintf(t->col_names[c], ALVH_TABLE_NAME, "%s", col_names[c]);
    double *b = h + n, *work = h + 2 * n, *w = weighted ? h + 4 * n : NULL;
    for (size_t i = 0; st == ALVH_OK && i < n; i++) {
        h[i] = o[i * ALVH_OUT_COUNT + ALVH_OUT_TOTAL], b[i] = ob[i * ALVH_OUT_COUNT + ALVH_OUT_TOTAL];
        if (w)
            w[i] = o[i * ALVH_OUT_COUNT + ALVH_OUT_LR];
    }
    alvh_hedge_eff e;
    for (int k = 0; st == ALVH_OK && k < 2; k++) {
        st = alvh_hedge_eff_compute_wp(h, b, w, n, k ? 0.999 : 0.99, pairs, &e, err);
        if (st != ALVH_OK)
            break;
        double *d = t->data + (size_t)(k ? R_ES999 : R_ES99) * 4;
        d[0] = e.es_h, d[1] = e.es_b, d[2] = e.es_reduction, d[3] = e.es_reduction_se;
        if (k == 0) {
            double *dv = t->data + R_VAR * 4;
            dv[0] = e.var_h, dv[1] = e.var_b, dv[2] = e.var_reduction, dv[3] = e.var_reduction_se;
        }
    }
    if (st == ALVH_OK)
        fill_batch(h, b, w, n, capital, pairs, work, t->data);
    free(h);
    if (st != ALVH_OK)
        alvh_table_free(t);
    return st;
}
