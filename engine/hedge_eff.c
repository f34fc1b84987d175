/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Paired hedge-effectiveness estimates with delta-method standard errors.
 * For a ratio R = T_h / T_b of two statistics with influence functions
 * IF_h, IF_b (evaluated on the same path), the influence function of R is
 * psi = IF_h / T_b - (T_h / T_b^2) IF_b, and Var(R_hat) ~ Var(psi) / n
 * (van der Vaart 1998, Asymptotic Statistics, ch. 3 and 20).
 *   variance:  IF(x) = (x - mean)^2 - Var
 *   ES_a:      IF(L) = VaR + (L - VaR)^+ / (1 - a) - ES   (loss L = -P&L)
 * "Unpaired" adds the two parts' variances as if the paths were independent.
 */
#include "engine/hedge_eff.h"

#include <math.h>
#include <stdlib.h>

#include "engine/ksum.h"
#include "engine/stats.h"

static double mean_of(const double *x, size_t n)
{
    alvh_ksum s = {0, 0};
    for (size_t i = 0; i < n; i++)
        alvh_ksum_add(&s, x[i]);
    return alvh_ksum_value(&s) / (double)n;
}

/* sample variance, divisor n - 1, two-pass */
static double var_of(const double *x, size_t n)
{
    double m = mean_of(x, n);
    alvh_ksum s = {0, 0};
    for (size_t i = 0; i < n; i++) {
        double d = x[i] - m;
        alvh_ksum_add(&s, d * d);
    }
    return alvh_ksum_value(&s) / (double)(n - 1);
}

/* SEs of R from the two influence parts u = IF_h / T_b and w = (T_h / T_b^2) IF_b;
 * psi = u - w. Overwrites u with psi. */
static void ratio_se(double *u, const double *w, size_t n, double *se_paired, double *se_unpaired)
{
    double vu = var_of(u, n), vw = var_of(w, n);
    for (size_t i = 0; i < n; i++)
        u[i] -= w[i];
    *se_paired = sqrt(var_of(u, n) / (double)n);
    *se_unpaired = sqrt((vu + vw) / (double)n);
}

/* VaR and ES of the loss -pnl[0..n) (values finite). */
static alvh_status loss_tail(const double *pnl, size_t n, double level, double *work, alvh_tail_risk *tr,
                             alvh_error *err)
{
    for (size_t i = 0; i < n; i++)
        work[i] = -pnl[i];
    double *sorted;
    size_t m;
    alvh_status st = alvh_stats_sorted_finite(work, n, &sorted, &m, NULL, err);
    if (st)
        return st;
    st = alvh_stats_tail_risk_sorted(sorted, m, level, tr, err);
    free(sorted);
    return st;
}

alvh_status alvh_hedge_eff_compute(const double *pnl_h_usd, const double *pnl_b_usd, size_t n,
                                   double level, alvh_hedge_eff *out, alvh_error *err)
{
    if (!out || (n > 0 && (!pnl_h_usd || !pnl_b_usd)))
        return alvh_error_set(err, ALVH_E_INTERNAL, "hedge effectiveness: NULL argument");
    if (!(level > 0.0 && level < 1.0))
        return alvh_error_set(err, ALVH_E_CONFIG, "hedge effectiveness: ES level %g outside (0, 1)", level);
    *out = (alvh_hedge_eff){.level = level};
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += isfinite(pnl_h_usd[i]) && isfinite(pnl_b_usd[i]);
    out->n = m;
    out->n_excluded = n - m;
    if (m < 2)
        return alvh_error_set(err, ALVH_E_NUMERIC,
                              "hedge effectiveness: %zu paired finite paths of %zu, need at least 2", m, n);
    double *buf = malloc(4 * m * sizeof *buf);
    if (!buf)
        return alvh_error_set(err, ALVH_E_NOMEM, "hedge effectiveness: %zu paths", m);
    double *h = buf, *b = buf + m, *u = buf + 2 * m, *w = buf + 3 * m;
    for (size_t i = 0, j = 0; i < n; i++) {
        if (isfinite(pnl_h_usd[i]) && isfinite(pnl_b_usd[i])) {
            h[j] = pnl_h_usd[i];
            b[j] = pnl_b_usd[i];
            j++;
        }
    }

    /* variance ratio */
    double mh = mean_of(h, m), mb = mean_of(b, m);
    out->var_h = var_of(h, m);
    out->var_b = var_of(b, m);
    out->var_reduction = out->var_reduction_se = out->var_reduction_se_unpaired = NAN;
    if (out->var_b > 0.0) {
        double vh = out->var_h, vb = out->var_b, r = vh / vb;
        for (size_t i = 0; i < m; i++) {
            double dh = h[i] - mh, db = b[i] - mb;
            u[i] = (dh * dh - vh) / vb;
            w[i] = r / vb * (db * db - vb);
        }
        out->var_reduction = 1.0 - r;
        ratio_se(u, w, m, &out->var_reduction_se, &out->var_reduction_se_unpaired);
    }

    /* ES ratio */
    alvh_tail_risk th, tb;
    alvh_status st = loss_tail(h, m, level, u, &th, err);
    if (!st)
        st = loss_tail(b, m, level, u, &tb, err);
    if (st) {
        free(buf);
        return st;
    }
    out->es_h = th.es;
    out->es_b = tb.es;
    out->es_reduction = out->es_reduction_se = out->es_reduction_se_unpaired = NAN;
    if (tb.es > 0.0) {
        double r = th.es / tb.es, tail = 1.0 / (1.0 - level);
        for (size_t i = 0; i < m; i++) {
            double lh = -h[i], lb = -b[i];
            double if_h = th.var + (lh > th.var ? lh - th.var : 0.0) * tail - th.es;
            double if_b = tb.var + (lb > tb.var ? lb - tb.var : 0.0) * tail - tb.es;
            u[i] = if_h / tb.es;
            w[i] = r / tb.es * if_b;
        }
        out->es_reduction = 1.0 - r;
        ratio_se(u, w, m, &out->es_reduction_se, &out->es_reduction_se_unpaired);
    }
    free(buf);
    return ALVH_OK;
}
