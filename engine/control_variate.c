/* SPDX-License-Identifier: BSD-3-Clause */
#include "engine/control_variate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/book_run.h"
#include "engine/ksum.h"
#include "engine/stats.h"
#include "engine/wstats.h"
#include "kernels/book_model.h"

#define N_ROWS 13
static const char *const row_names[N_ROWS] = {
    "mean", "mean_se", "mean_cv", "mean_cv_se", "variance_reduction", "beta_spx", "beta_token",
    "spx_terminal_mean", "spx_terminal_mean_se", "spx_terminal_exact",
    "token_terminal_mean", "token_terminal_mean_se", "token_terminal_exact"};
static const char *const row_units[N_ROWS] = {"USD", "USD", "USD", "USD", "1", "USD/point", "USD/USD",
                                              "index points", "index points", "index points",
                                              "USD", "USD", "USD"};
enum { K = 2 }; /* controls: terminal SPX, terminal token */

void alvh_cv_exact_means(const alvh_market_params *p, double horizon_years, double mu[2])
{
    mu[0] = p->spx.s0 * exp((p->spx.r_ann - p->spx.q_ann + p->spx.drift_ann) * horizon_years);
    mu[1] = p->token.g0_usd * exp((p->token.mu_ann - p->token.dilution_ann) * horizon_years);
}

static alvh_status alloc_table(alvh_table *t, alvh_error *err)
{
    return alvh_table_one_column(t, row_names, row_units, N_ROWS, "total", err);
}

/* compensated central cross moment (1/(m-1)) sum (a - ma)(b - mb) */
static double cov(const double *a, double ma, const double *b, double mb, size_t m)
{
    alvh_ksum s = {0, 0};
    for (size_t i = 0; i < m; i++)
        alvh_ksum_add(&s, (a[i] - ma) * (b[i] - mb));
    return m > 1 ? alvh_ksum_value(&s) / (double)(m - 1) : 0.0;
}

/*
 * Regression estimator with K controls: b = S_xx^{-1} S_xy, mean_cv =
 * mean(y) - b (mean(x) - mu), SE from the residuals y - b (x - mean x) with
 * m - 1 - K degrees of freedom. A control with no variance is dropped
 * (b = 0 for it); the 2 x 2 system is solved directly.
 */
static void regress(const double *y, const double *const x[K], const double mx[K], const double *mu, size_t m,
                    double my, double var_y, double *tmp, double *d)
{
    double sxx[K][K], sxy[K], b[K] = {0, 0};
    for (int a = 0; a < K; a++) {
        sxy[a] = cov(x[a], mx[a], y, my, m);
        for (int c = 0; c < K; c++)
            sxx[a][c] = cov(x[a], mx[a], x[c], mx[c], m);
    }
    double det = sxx[0][0] * sxx[1][1] - sxx[0][1] * sxx[1][0];
    if (sxx[0][0] > 0 && sxx[1][1] > 0 && fabs(det) > 1e-12 * sxx[0][0] * sxx[1][1]) {
        b[0] = (sxx[1][1] * sxy[0] - sxx[0][1] * sxy[1]) / det;
        b[1] = (sxx[0][0] * sxy[1] - sxx[1][0] * sxy[0]) / det;
    } else {
        for (int a = 0; a < K; a++)
            b[a] = sxx[a][a] > 0 ? sxy[a] / sxx[a][a] : 0.0;
        if (b[0] != 0.0 && b[1] != 0.0) /* collinear: the first control alone */
            b[1] = 0.0;
    }
    for (size_t i = 0; i < m; i++)
        tmp[i] = y[i] - b[0] * (x[0][i] - mx[0]) - b[1] * (x[1][i] - mx[1]);
    double mr, se_r;
    alvh_wstats_mean_se(tmp, m, &mr, &se_r);
    double dof = m > K + 1 ? (double)(m - 1) / (double)(m - 1 - K) : 1.0, var_r = cov(tmp, mr, tmp, mr, m) * dof;
    d[2] = my - b[0] * (mx[0] - mu[0]) - b[1] * (mx[1] - mu[1]);
    d[3] = sqrt(var_r / (double)m);
    d[4] = var_r > 0.0 ? var_y / var_r : INFINITY;
    d[5] = b[0], d[6] = b[1];
}

alvh_status alvh_cv_table(const double *o, const double *term, size_t n, const double *mu, alvh_table *t,
                          alvh_error *err)
{
    alvh_status st = alloc_table(t, err);
    if (st != ALVH_OK)
        return st;
    double *buf = malloc((n ? n : 1) * 4 * sizeof(double));
    if (!buf) {
        alvh_table_free(t);
        return alvh_error_set(err, ALVH_E_NOMEM, "control-variate table: cannot allocate for %zu paths", n);
    }
    /* the LR-weighted terms of the finite paths, in path order */
    double *y = buf, *xs = buf + n, *xg = buf + 2 * n, *tmp = buf + 3 * n;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double w = o[i * ALVH_OUT_COUNT + ALVH_OUT_LR], v = o[i * ALVH_OUT_COUNT + ALVH_OUT_TOTAL];
        double s = term[i * ALVH_TERM_COUNT + ALVH_TERM_SPX], g = term[i * ALVH_TERM_COUNT + ALVH_TERM_TOKEN];
        if (isfinite(w) && isfinite(v) && isfinite(s) && isfinite(g))
            y[m] = w * v, xs[m] = w * s, xg[m] = w * g, m++;
    }
    double *d = t->data;
    for (int r = 0; r < N_ROWS; r++)
        d[r] = NAN;
    if (m == 0) {
        free(buf);
        alvh_table_free(t);
        return alvh_error_set(err, ALVH_E_NUMERIC, "control-variate table: no finite path of %zu", n);
    }
    double mx[K];
    alvh_wstats_mean_se(y, m, &d[0], &d[1]);
    alvh_wstats_mean_se(xs, m, &mx[0], &d[8]);
    alvh_wstats_mean_se(xg, m, &mx[1], &d[11]);
    d[7] = mx[0], d[10] = mx[1];
    if (mu) {
        d[9] = mu[0], d[12] = mu[1];
        const double *x[K] = {xs, xg};
        regress(y, x, mx, mu, m, d[0], cov(y, d[0], y, d[0], m), tmp, d);
    }
    free(buf);
    return ALVH_OK;
}
