/* SPDX-License-Identifier: BSD-3-Clause */
#include "engine/control_variate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/antithetic.h"
#include "engine/book_run.h"
#include "engine/ksum.h"
#include "engine/stats.h"
#include "engine/wstats.h"
#include "kernels/spx_model.h"
#include "kernels/book_model.h"

#define N_ROWS 23
static const char *const row_names[N_ROWS] = {
    "mean", "mean_se", "mean_cv", "mean_cv_se", "variance_reduction", "beta_spx", "beta_token",
    "spx_terminal_mean", "spx_terminal_mean_se", "spx_terminal_exact",
    "token_terminal_mean", "token_terminal_mean_se", "token_terminal_exact",
    "integrated_var_mean", "integrated_var_mean_se", "integrated_var_exact",
    "mean_cv_iv", "mean_cv_iv_se", "variance_reduction_iv",
    "mean_cv_all", "mean_cv_all_se", "variance_reduction_all", "beta_integrated_var"};
static const char *const row_units[N_ROWS] = {"USD", "USD", "USD", "USD", "1", "USD/point", "USD/USD",
                                              "index points", "index points", "index points",
                                              "USD", "USD", "USD",
                                              "1", "1", "1",
                                              "USD", "USD", "1",
                                              "USD", "USD", "1", "USD"};
enum { K = 2 }; /* controls of the first rows: terminal SPX, terminal token */
enum { R_RV = 13 }; /* first row of the variance-swap control */

/* mean of the variance of one factor after each step: QE matches the exact conditional mean,
 * E[v'] = theta + (v - theta) e^{-kappa dt}, and the factor that takes the variance jumps gains
 * E[N] jv per step; the trapezoid sum of dt (v_{t-1} + v_t) / 2 over n steps */
static double factor_integral(double kappa, double theta, double v0, double jump_per_step, double dt, size_t n)
{
    const double e = exp(-kappa * dt);
    double m = v0, sum = 0.0;
    for (size_t t = 0; t < n; t++) {
        const double next = theta + (m - theta) * e + jump_per_step;
        sum += 0.5 * dt * (m + next);
        m = next;
    }
    return sum;
}

/* E[integrated variance] (book_run.h, ALVH_TERM_IV) of the discretized model: per factor the
 * trapezoid sum of the exact mean variance path, plus per step E[N] delta_J^2 + E[N^2] mu_J^2 for
 * the capped Poisson count (P(1) = l e^-l, P(2) = 1 - e^-l (1 + l), l = lambda dt); QE only
 * (full-truncation Euler's mean variance has no closed form): NaN otherwise */
static double exact_integrated_var(const alvh_market_params *p, double dt, size_t n)
{
    const alvh_spx_params *s = &p->spx;
    if (s->scheme != ALVH_SCHEME_QE)
        return NAN;
    const double l = s->lambda_ann * dt, p1 = l * exp(-l), p2 = 1.0 - exp(-l) * (1.0 + l);
    const double en = p1 + 2.0 * p2, en2 = p1 + 4.0 * p2;
    const int two = s->kappa2 > 0.0;
    /* the variance jumps' mean size: mu_v, times the in-step decay on the second factor
     * (kernels/market_model.c, jv_mean) */
    const double jv = two ? s->mu_v * alvh_jump_decay_factor(s->kappa2, dt) : s->mu_v;
    double iv = factor_integral(s->kappa, s->theta, s->v0, two ? 0.0 : en * jv, dt, n);
    if (two)
        iv += factor_integral(s->kappa2, s->theta2, isnan(s->v2_0) ? s->theta2 : s->v2_0, en * jv, dt, n);
    return iv + (double)n * (en * s->delta_j * s->delta_j + en2 * s->mu_j * s->mu_j);
}

void alvh_cv_exact_means(const alvh_market_params *p, double dt_years, size_t n_steps, double mu[ALVH_CV_CONTROLS])
{
    const double horizon_years = (double)n_steps * dt_years;
    mu[0] = p->spx.s0 * exp((p->spx.r_ann - p->spx.q_ann + p->spx.drift_ann) * horizon_years);
    mu[1] = p->token.g0_usd * exp((p->token.mu_ann - p->token.dilution_ann) * horizon_years);
    mu[2] = exact_integrated_var(p, dt_years, n_steps);
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

/* Regression estimator with k <= ALVH_CV_CONTROLS controls x[0..k) (the general form of regress:
 * S_xx b = S_xy by Gaussian elimination with partial pivoting; a control with no variance, or one
 * the others already span, gets b = 0). out: mean_cv, its SE, variance reduction; b: the betas. */
static void regress_k(const double *y, const double *const *x, size_t k, const double *mx, const double *mu,
                      size_t m, double my, double var_y, double *tmp, double out[3], double *b)
{
    double a[ALVH_CV_CONTROLS][ALVH_CV_CONTROLS + 1], var0[ALVH_CV_CONTROLS];
    int use[ALVH_CV_CONTROLS];
    for (size_t r = 0; r < k; r++) {
        for (size_t c = 0; c < k; c++)
            a[r][c] = cov(x[r], mx[r], x[c], mx[c], m);
        a[r][k] = cov(x[r], mx[r], y, my, m);
        var0[r] = a[r][r];
        use[r] = a[r][r] > 0.0;
        b[r] = 0.0;
    }
    int perm[ALVH_CV_CONTROLS], piv[ALVH_CV_CONTROLS], np = 0;
    for (size_t r = 0; r < k; r++)
        if (use[r])
            perm[np++] = (int)r;
    /* elimination over the used controls; a pivot below 1e-12 of its diagonal drops that control */
    for (int i = 0; i < np; i++) {
        int best = i;
        for (int r = i + 1; r < np; r++)
            if (fabs(a[perm[r]][perm[i]]) > fabs(a[perm[best]][perm[i]]))
                best = r;
        int t = perm[i];
        perm[i] = perm[best], perm[best] = t;
        piv[i] = fabs(a[perm[i]][perm[i]]) > 1e-12 * var0[perm[i]];
        for (int r = i + 1; piv[i] && r < np; r++) {
            double f = a[perm[r]][perm[i]] / a[perm[i]][perm[i]];
            for (int c = i; c < np; c++)
                a[perm[r]][perm[c]] -= f * a[perm[i]][perm[c]];
            a[perm[r]][k] -= f * a[perm[i]][k];
        }
    }
    for (int i = np - 1; i >= 0; i--) {
        if (!piv[i])
            continue;
        double s = a[perm[i]][k];
        for (int c = i + 1; c < np; c++)
            s -= a[perm[i]][perm[c]] * b[perm[c]];
        b[perm[i]] = s / a[perm[i]][perm[i]];
    }
    double shift = 0.0;
    for (size_t i = 0; i < m; i++) {
        double r = y[i];
        for (size_t c = 0; c < k; c++)
            r -= b[c] * (x[c][i] - mx[c]);
        tmp[i] = r;
    }
    for (size_t c = 0; c < k; c++)
        shift += b[c] * (mx[c] - mu[c]);
    double mr, se_r;
    alvh_wstats_mean_se(tmp, m, &mr, &se_r);
    double dof = m > k + 1 ? (double)(m - 1) / (double)(m - 1 - k) : 1.0, var_r = cov(tmp, mr, tmp, mr, m) * dof;
    out[0] = my - shift;
    out[1] = sqrt(var_r / (double)m);
    out[2] = var_r > 0.0 ? var_y / var_r : INFINITY;
}

alvh_status alvh_cv_table(const double *o, const double *term, size_t n, const double *mu, int pairs,
                          alvh_table *t, alvh_error *err)
{
    alvh_status st = alloc_table(t, err);
    if (st != ALVH_OK)
        return st;
    double *buf = malloc((n ? n : 1) * 5 * sizeof(double));
    if (!buf) {
        alvh_table_free(t);
        return alvh_error_set(err, ALVH_E_NOMEM, "control-variate table: cannot allocate for %zu paths", n);
    }
    /* the LR-weighted terms of the finite paths, in path order */
    double *y = buf, *xs = buf + n, *xg = buf + 2 * n, *tmp = buf + 3 * n, *xr = buf + 4 * n;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double w = o[i * ALVH_OUT_COUNT + ALVH_OUT_LR], v = o[i * ALVH_OUT_COUNT + ALVH_OUT_TOTAL];
        double s = term[i * ALVH_TERM_COUNT + ALVH_TERM_SPX], g = term[i * ALVH_TERM_COUNT + ALVH_TERM_TOKEN];
        double rv = term[i * ALVH_TERM_COUNT + ALVH_TERM_IV];
        if (isfinite(w) && isfinite(v) && isfinite(s) && isfinite(g) && isfinite(rv))
            y[m] = w * v, xs[m] = w * s, xg[m] = w * g, xr[m] = w * rv, m++;
    }
    if (pairs) { /* antithetic: each pair's mean is one sample (the partners stay adjacent) */
        alvh_pairs_average(y, m, y), alvh_pairs_average(xs, m, xs), alvh_pairs_average(xg, m, xg);
        m = alvh_pairs_average(xr, m, xr);
    }
    double *d = t->data;
    for (int r = 0; r < N_ROWS; r++)
        d[r] = NAN;
    if (m == 0) {
        free(buf);
        alvh_table_free(t);
        return alvh_error_set(err, ALVH_E_NUMERIC, "control-variate table: no finite path of %zu", n);
    }
    double mx[ALVH_CV_CONTROLS];
    alvh_wstats_mean_se(y, m, &d[0], &d[1]);
    alvh_wstats_mean_se(xs, m, &mx[0], &d[8]);
    alvh_wstats_mean_se(xg, m, &mx[1], &d[11]);
    alvh_wstats_mean_se(xr, m, &mx[2], &d[R_RV + 1]);
    d[7] = mx[0], d[10] = mx[1], d[R_RV] = mx[2];
    if (mu) {
        d[9] = mu[0], d[12] = mu[1], d[R_RV + 2] = mu[2];
        const double var_y = cov(y, d[0], y, d[0], m);
        const double *x[ALVH_CV_CONTROLS] = {xs, xg, xr};
        regress(y, x, mx, mu, m, d[0], var_y, tmp, d);
        double b[ALVH_CV_CONTROLS], r3[3];
        regress_k(y, x + 2, 1, mx + 2, mu + 2, m, d[0], var_y, tmp, r3, b); /* the variance swap alone */
        d[R_RV + 3] = r3[0], d[R_RV + 4] = r3[1], d[R_RV + 5] = r3[2];
        regress_k(y, x, 3, mx, mu, m, d[0], var_y, tmp, r3, b); /* all three */
        d[R_RV + 6] = r3[0], d[R_RV + 7] = r3[1], d[R_RV + 8] = r3[2], d[R_RV + 9] = b[2];
    }
    free(buf);
    return ALVH_OK;
}
