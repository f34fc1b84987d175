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

#include "engine/antithetic.h"
#include "engine/ksum.h"
#include "engine/stats.h"
#include "engine/wstats.h"

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
 * psi = u - w. Overwrites u with psi; pairs: u and w with their pair means first. */
static void ratio_se(double *u, double *w, size_t n, int pairs, double *se_paired, double *se_unpaired)
{
    if (pairs) {
        alvh_pairs_average(u, n, u);
        n = alvh_pairs_average(w, n, w);
    }
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

/* weighted mean and self-normalized variance (divisor sum w, times m / (m - 1)): engine/wstats.h's moments */
static void wmoments(const double *x, const double *w, size_t m, double *mean, double *var)
{
    alvh_ksum sw = {0, 0}, sx = {0, 0}, s2 = {0, 0};
    for (size_t i = 0; i < m; i++)
        alvh_ksum_add(&sw, w[i]), alvh_ksum_add(&sx, w[i] * x[i]);
    const double ws = alvh_ksum_value(&sw), mu = alvh_ksum_value(&sx) / ws;
    for (size_t i = 0; i < m; i++)
        alvh_ksum_add(&s2, w[i] * (x[i] - mu) * (x[i] - mu));
    *mean = mu;
    *var = alvh_ksum_value(&s2) / ws * (double)m / (double)(m - 1);
}

/* weighted loss VaR/ES of P&L x[0..m) (engine/wstats.h: Rockafellar-Uryasev form); work: m doubles */
static alvh_status wloss_tail(const double *x, const double *w, size_t m, double level, double *work,
                              alvh_tail_risk *tr, alvh_error *err)
{
    alvh_wpoint *p;
    size_t k;
    alvh_status st = alvh_wstats_sorted(x, w, m, &p, &k, err);
    if (st)
        return st;
    alvh_wstats_tail_sorted(p, k, level, work, tr);
    free(p);
    return ALVH_OK;
}

/* the pairs where h, b (and the weight) are finite into h, b, wt; their count */
static size_t paired(const double *ph, const double *pb, const double *pw, size_t n, double *h, double *b,
                     double *wt)
{
    size_t j = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(ph[i]) && isfinite(pb[i]) && (!pw || isfinite(pw[i]))) {
            h[j] = ph[i], b[j] = pb[i];
            if (wt)
                wt[j] = pw[i];
            j++;
        }
    return j;
}

alvh_status alvh_hedge_eff_compute(const double *pnl_h_usd, const double *pnl_b_usd, size_t n,
                                   double level, alvh_hedge_eff *out, alvh_error *err)
{
    return alvh_hedge_eff_compute_w(pnl_h_usd, pnl_b_usd, NULL, n, level, out, err);
}

alvh_status alvh_hedge_eff_compute_w(const double *pnl_h_usd, const double *pnl_b_usd, const double *lr, size_t n,
                                     double level, alvh_hedge_eff *out, alvh_error *err)
{
    return alvh_hedge_eff_compute_wp(pnl_h_usd, pnl_b_usd, lr, n, level, 0, out, err);
}

alvh_status alvh_hedge_eff_compute_wp(const double *pnl_h_usd, const double *pnl_b_usd, const double *lr, size_t n,
                                      double level, int pairs, alvh_hedge_eff *out, alvh_error *err)
{
    if (!out || (n > 0 && (!pnl_h_usd || !pnl_b_usd)))
        return alvh_error_set(err, ALVH_E_INTERNAL, "hedge effectiveness: NULL argument");
    if (!(level > 0.0 && level < 1.0))
        return alvh_error_set(err, ALVH_E_CONFIG, "hedge effectiveness: ES level %g outside (0, 1)", level);
    *out = (alvh_hedge_eff){.level = level};
    double *buf = malloc((n ? 5 * n : 1) * sizeof *buf);
    if (!buf)
        return alvh_error_set(err, ALVH_E_NOMEM, "hedge effectiveness: %zu paths", n);
    double *h = buf, *b = buf + n, *u = buf + 2 * n, *w = buf + 3 * n, *wt = lr ? buf + 4 * n : NULL;
    const size_t m = paired(pnl_h_usd, pnl_b_usd, lr, n, h, b, wt);
    out->n = m;
    out->n_excluded = n - m;
    if (m < 2) {
        free(buf);
        return alvh_error_set(err, ALVH_E_NUMERIC,
                              "hedge effectiveness: %zu paired finite paths of %zu, need at least 2", m, n);
    }

    /* variance ratio; under importance sampling each influence value is weighted by its path's LR */
    double mh, mb;
    if (wt) {
        wmoments(h, wt, m, &mh, &out->var_h);
        wmoments(b, wt, m, &mb, &out->var_b);
    } else {
        mh = mean_of(h, m), mb = mean_of(b, m);
        out->var_h = var_of(h, m);
        out->var_b = var_of(b, m);
    }
    out->var_reduction = out->var_reduction_se = out->var_reduction_se_unpaired = NAN;
    if (out->var_b > 0.0) {
        double vh = out->var_h, vb = out->var_b, r = vh / vb;
        for (size_t i = 0; i < m; i++) {
            double dh = h[i] - mh, db = b[i] - mb, f = wt ? wt[i] : 1.0;
            u[i] = f * ((dh * dh - vh) / vb);
            w[i] = f * (r / vb * (db * db - vb));
        }
        out->var_reduction = 1.0 - r;
        ratio_se(u, w, m, pairs, &out->var_reduction_se, &out->var_reduction_se_unpaired);
    }

    /* ES ratio */
    alvh_tail_risk th, tb;
    alvh_status st = wt ? wloss_tail(h, wt, m, level, u, &th, err) : loss_tail(h, m, level, u, &th, err);
    if (!st)
        st = wt ? wloss_tail(b, wt, m, level, u, &tb, err) : loss_tail(b, m, level, u, &tb, err);
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
            /* weighted: the LR multiplies the excess only (the ES estimate is VaR + mean(w excess)) */
            double lh = -h[i], lb = -b[i], f = wt ? wt[i] : 1.0;
            double if_h = th.var + f * (lh > th.var ? lh - th.var : 0.0) * tail - th.es;
            double if_b = tb.var + f * (lb > tb.var ? lb - tb.var : 0.0) * tail - tb.es;
            u[i] = if_h / tb.es;
            w[i] = r / tb.es * if_b;
        }
        out->es_reduction = 1.0 - r;
        ratio_se(u, w, m, pairs, &out->es_reduction_se, &out->es_reduction_se_unpaired);
    }
    free(buf);
    return ALVH_OK;
}
