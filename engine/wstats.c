/* SPDX-License-Identifier: BSD-3-Clause */
#include "engine/wstats.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ksum.h"

/* An order-preserving integer key of a finite x, with -0 and +0 one key (they
 * compare equal, so their order is the index's, as for every tie). */
static uint64_t key_of(double x)
{
    uint64_t u;
    x = x == 0.0 ? 0.0 : x;
    memcpy(&u, &x, sizeof u);
    return (u >> 63) ? ~u : u | UINT64_C(0x8000000000000000);
}

enum { WR_BITS = 11, WR_SIZE = 1 << WR_BITS, WR_PASSES = 6 }; /* 66 >= 64 bits */

/* p[0..k) in index order into (x, then index) order: a stable LSD radix sort
 * of the keys (ties keep the index order, the order qsort by (x, i) gives),
 * skipping the digits every key shares; tmp holds k points. */
static void radix_by_x(alvh_wpoint *p, alvh_wpoint *tmp, uint64_t *key, uint64_t *ktmp, size_t k)
{
    uint64_t all_or = 0, all_and = ~UINT64_C(0);
    for (size_t i = 0; i < k; i++) {
        key[i] = key_of(p[i].x);
        all_or |= key[i], all_and &= key[i];
    }
    static _Thread_local size_t count[WR_SIZE];
    for (int pass = 0; pass < WR_PASSES; pass++) {
        const int sh = pass * WR_BITS;
        if ((((all_or ^ all_and) >> sh) & (WR_SIZE - 1)) == 0)
            continue; /* the same digit everywhere: the pass would not move anything */
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < k; i++)
            count[(key[i] >> sh) & (WR_SIZE - 1)]++;
        size_t sum = 0;
        for (size_t d = 0; d < WR_SIZE; d++) {
            size_t c = count[d];
            count[d] = sum, sum += c;
        }
        for (size_t i = 0; i < k; i++) {
            size_t at = count[(key[i] >> sh) & (WR_SIZE - 1)]++;
            tmp[at] = p[i], ktmp[at] = key[i];
        }
        memcpy(p, tmp, k * sizeof *p);
        memcpy(key, ktmp, k * sizeof *key);
    }
}

alvh_status alvh_wstats_sorted(const double *x, const double *w, size_t n, alvh_wpoint **sorted, size_t *m,
                               alvh_error *err)
{
    alvh_wpoint *p = malloc((n ? n : 1) * sizeof *p);
    *sorted = NULL, *m = 0;
    if (!p)
        return alvh_error_set(err, ALVH_E_NOMEM, "weighted statistics: cannot allocate for %zu paths", n);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(w[i]))
            p[k++] = (alvh_wpoint){x[i], w[i], i};
    if (k == 0) {
        free(p);
        return alvh_error_set(err, ALVH_E_NUMERIC, "weighted statistics: no finite path of %zu", n);
    }
    alvh_wpoint *tmp = malloc(k * sizeof *tmp);
    uint64_t *key = malloc(2 * k * sizeof *key);
    if (!tmp || !key) {
        free(tmp), free(key), free(p);
        return alvh_error_set(err, ALVH_E_NOMEM, "weighted statistics: cannot allocate for %zu paths", n);
    }
    radix_by_x(p, tmp, key, key + k, k);
    free(tmp), free(key);
    *sorted = p, *m = k;
    return ALVH_OK;
}

void alvh_wstats_mean_se(const double *v, size_t m, double *mean, double *se)
{
    alvh_stats_mean_se(v, m, mean, se);
    if (m < 2)
        *se = 0.0;
}

alvh_status alvh_wstats_moments(const double *x, const double *w, size_t n, alvh_moments *out, alvh_error *err)
{
    alvh_status st = alvh_stats_moments(x, n, out, err); /* counts, min, max; the rest is replaced */
    if (st != ALVH_OK)
        return st;
    double *t = malloc((n ? n : 1) * sizeof *t);
    if (!t)
        return alvh_error_set(err, ALVH_E_NOMEM, "weighted moments: cannot allocate for %zu paths", n);
    size_t m = 0;
    alvh_ksum sw = {0, 0}, swx = {0, 0};
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(w[i])) {
            t[m++] = w[i] * x[i];
            alvh_ksum_add(&sw, w[i]);
            alvh_ksum_add(&swx, w[i] * x[i]);
        }
    out->n = m;
    alvh_wstats_mean_se(t, m, &out->mean, &out->mean_se);
    double wsum = alvh_ksum_value(&sw), mu = wsum > 0.0 ? alvh_ksum_value(&swx) / wsum : NAN;
    alvh_ksum s2 = {0, 0}, s3 = {0, 0}, s4 = {0, 0};
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(w[i])) {
            double d = x[i] - mu, d2 = d * d;
            alvh_ksum_add(&s2, w[i] * d2);
            alvh_ksum_add(&s3, w[i] * d2 * d);
            alvh_ksum_add(&s4, w[i] * d2 * d2);
        }
    free(t);
    double m2 = wsum > 0.0 ? alvh_ksum_value(&s2) / wsum : NAN;
    out->stdev = m >= 2 ? sqrt(m2 * (double)m / (double)(m - 1)) : NAN;
    out->skewness = m2 > 0.0 ? alvh_ksum_value(&s3) / wsum / pow(m2, 1.5) : NAN;
    out->excess_kurtosis = m2 > 0.0 ? alvh_ksum_value(&s4) / wsum / (m2 * m2) - 3.0 : NAN;
    return ALVH_OK;
}

double alvh_wstats_quantile_sorted(const alvh_wpoint *p, size_t m, double prob)
{
    alvh_ksum c = {0, 0};
    if (prob <= 0.5) { /* walk up from the bottom */
        const double target = prob * (double)m;
        size_t k = 0;
        while (k + 1 < m && alvh_ksum_value(&c) + p[k].w <= target)
            alvh_ksum_add(&c, p[k++].w);
        return p[k].x;
    }
    const double target = (1.0 - prob) * (double)m;
    size_t k = m - 1;
    while (k > 0 && alvh_ksum_value(&c) + p[k].w <= target)
        alvh_ksum_add(&c, p[k--].w);
    return p[k].x;
}

void alvh_wstats_tail_sorted(const alvh_wpoint *p, size_t m, double level, double *tmp, alvh_tail_risk *out)
{
    /* the loss tail is the bottom of the P&L: VaR walks up from the worst path */
    const double target = (1.0 - level) * (double)m;
    alvh_ksum c = {0, 0};
    size_t k = 0;
    while (k + 1 < m && alvh_ksum_value(&c) + p[k].w <= target)
        alvh_ksum_add(&c, p[k++].w);
    double var = -p[k].x, es_excess, se;
    for (size_t i = 0; i < m; i++)
        tmp[i] = p[i].w * fmax(-p[i].x - var, 0.0) / (1.0 - level);
    alvh_wstats_mean_se(tmp, m, &es_excess, &se);
    *out = (alvh_tail_risk){.level = level, .var = var, .es = var + es_excess, .es_se = se, .tail_n = k + 1};
}

/* P(sign (x - threshold) > 0) with its SE interval */
static void prob_sorted(const alvh_wpoint *p, size_t m, double threshold, double sign, double z, double *tmp,
                        alvh_proportion *out)
{
    uint64_t k = 0;
    for (size_t i = 0; i < m; i++) {
        int hit = sign * (p[i].x - threshold) > 0.0;
        k += (uint64_t)hit;
        tmp[i] = hit ? p[i].w : 0.0;
    }
    double ph, se;
    alvh_wstats_mean_se(tmp, m, &ph, &se);
    *out = (alvh_proportion){.successes = k, .trials = m, .p_hat = ph, .lo = fmax(ph - z * se, 0.0),
                             .hi = fmin(ph + z * se, 1.0)};
}

void alvh_wstats_prob_above_sorted(const alvh_wpoint *p, size_t m, double threshold, double z, double *tmp,
                                   alvh_proportion *out)
{
    prob_sorted(p, m, threshold, 1.0, z, tmp, out);
}

alvh_status alvh_wstats_quantiles(const double *x, const double *w, size_t n, const double *p, size_t n_p,
                                  double *q, alvh_error *err)
{
    alvh_wpoint *s;
    size_t m;
    alvh_status st = alvh_wstats_sorted(x, w, n, &s, &m, err);
    for (size_t k = 0; st == ALVH_OK && k < n_p; k++)
        q[k] = alvh_wstats_quantile_sorted(s, m, p[k]);
    free(s);
    return st;
}

alvh_status alvh_wstats_prob_above(const double *x, const double *w, size_t n, double threshold, double z,
                                   alvh_proportion *out, alvh_error *err)
{
    alvh_wpoint *s;
    size_t m;
    alvh_status st = alvh_wstats_sorted(x, w, n, &s, &m, err);
    double *tmp = st == ALVH_OK ? malloc(m * sizeof *tmp) : NULL;
    if (st == ALVH_OK && !tmp)
        st = alvh_error_set(err, ALVH_E_NOMEM, "weighted probability: cannot allocate for %zu paths", m);
    if (st == ALVH_OK)
        alvh_wstats_prob_above_sorted(s, m, threshold, z, tmp, out);
    free(tmp);
    free(s);
    return st;
}

alvh_status alvh_wstats_pnl_summary(const double *pnl_usd, const double *w, size_t n, double capital_usd,
                                    alvh_pnl_summary *out, alvh_error *err)
{
    if (!(capital_usd > 0.0 && isfinite(capital_usd)))
        return alvh_error_set(err, ALVH_E_CONFIG, "stats summary: capital_usd = %g, need > 0", capital_usd);
    memset(out, 0, sizeof *out);
    alvh_status st = alvh_wstats_moments(pnl_usd, w, n, &out->moments, err);
    alvh_wpoint *s = NULL;
    size_t m = 0;
    if (st == ALVH_OK)
        st = alvh_wstats_sorted(pnl_usd, w, n, &s, &m, err);
    double *tmp = st == ALVH_OK ? malloc(m * sizeof *tmp) : NULL;
    if (st == ALVH_OK && !tmp)
        st = alvh_error_set(err, ALVH_E_NOMEM, "weighted summary: cannot allocate for %zu paths", m);
    for (size_t k = 0; st == ALVH_OK && k < ALVH_STATS_N_PROBS; k++)
        out->quantile_usd[k] = alvh_wstats_quantile_sorted(s, m, alvh_stats_probs[k]);
    for (size_t k = 0; st == ALVH_OK && k < ALVH_STATS_N_LEVELS; k++)
        alvh_wstats_tail_sorted(s, m, alvh_stats_levels[k], tmp, &out->tail[k]);
    for (size_t k = 0; st == ALVH_OK && k < ALVH_STATS_N_THRESHOLDS; k++) /* loss > c capital: P&L < -c capital */
        prob_sorted(s, m, -alvh_stats_loss_thresholds[k] * capital_usd, -1.0, ALVH_STATS_Z95, tmp,
                    &out->p_loss_above[k]);
    free(tmp);
    free(s);
    return st;
}
