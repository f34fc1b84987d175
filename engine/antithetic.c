/* SPDX-License-Identifier: BSD-3-Clause */
#include "engine/antithetic.h"

#include <math.h>
#include <stdlib.h>

#include "engine/ksum.h"
#include "engine/wstats.h"
#include "kernels/book_model.h"

size_t alvh_pairs_average(const double *v, size_t m, double *out)
{
    const size_t k = m / 2;
    for (size_t i = 0; i < k; i++)
        out[i] = 0.5 * (v[2 * i] + v[2 * i + 1]);
    return k;
}

double alvh_pairs_se(const double *psi, size_t m)
{
    const size_t k = m / 2;
    if (k < 2)
        return NAN;
    alvh_ksum s = {0, 0}, q = {0, 0};
    for (size_t i = 0; i < k; i++)
        alvh_ksum_add(&s, 0.5 * (psi[2 * i] + psi[2 * i + 1]));
    const double mean = alvh_ksum_value(&s) / (double)k;
    for (size_t i = 0; i < k; i++) {
        const double d = 0.5 * (psi[2 * i] + psi[2 * i + 1]) - mean;
        alvh_ksum_add(&q, d * d);
    }
    return sqrt(alvh_ksum_value(&q) / (double)(k - 1) / (double)k);
}

double alvh_pairs_cluster_ss(const double *e, const size_t *path, size_t m, size_t n_paths, size_t *groups)
{
    const size_t ng = n_paths / 2 + 1;
    double *g = malloc(ng * sizeof *g);
    unsigned char *seen = calloc(ng, 1);
    if (!g || !seen) {
        free(g), free(seen);
        return NAN;
    }
    for (size_t r = 0; r < m; r++) {
        const size_t k = path[r] / 2;
        g[k] = seen[k] ? g[k] + e[r] : e[r]; /* two terms: the same sum in either order */
        seen[k] = 1;
    }
    alvh_ksum s = {0, 0};
    size_t c = 0;
    for (size_t k = 0; k < ng; k++)
        if (seen[k])
            alvh_ksum_add(&s, g[k] * g[k]), c++;
    free(g), free(seen);
    if (groups)
        *groups = c;
    return alvh_ksum_value(&s);
}

double alvh_pairs_se_scattered(const double *psi, const size_t *path, size_t m, size_t n_paths)
{
    double *e = malloc((m ? m : 1) * sizeof *e);
    if (!e || m < 2) {
        free(e);
        return NAN;
    }
    alvh_ksum s = {0, 0};
    for (size_t r = 0; r < m; r++)
        alvh_ksum_add(&s, psi[r]);
    const double mean = alvh_ksum_value(&s) / (double)m;
    for (size_t r = 0; r < m; r++)
        e[r] = psi[r] - mean;
    size_t gc = 0;
    const double ss = alvh_pairs_cluster_ss(e, path, m, n_paths, &gc);
    free(e);
    return gc >= 2 ? sqrt(ss * (double)gc / (double)(gc - 1)) / (double)m : NAN;
}

static int finite_pair(const double *x, const double *w, size_t i)
{
    return isfinite(x[i]) && (!w || isfinite(w[i]));
}

size_t alvh_pairs_es_psi(const double *x, const double *w, size_t n, double var, double level, double *psi)
{
    const double tail = 1.0 / (1.0 - level);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (finite_pair(x, w, i)) {
            const double ex = -x[i] > var ? -x[i] - var : 0.0;
            psi[m++] = (w ? w[i] : 1.0) * ex * tail;
        }
    return m;
}

void alvh_pairs_fix_pnl_summary(const double *x, const double *w, size_t n, double capital_usd, double *tmp,
                                alvh_pnl_summary *s)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (finite_pair(x, w, i))
            tmp[m++] = (w ? w[i] : 1.0) * x[i];
    s->moments.mean_se = alvh_pairs_se(tmp, m);
    for (int k = 0; k < ALVH_STATS_N_LEVELS; k++) {
        m = alvh_pairs_es_psi(x, w, n, s->tail[k].var, s->tail[k].level, tmp);
        s->tail[k].es_se = alvh_pairs_se(tmp, m);
    }
    for (int k = 0; k < ALVH_STATS_N_THRESHOLDS; k++) {
        const double thr = alvh_stats_loss_thresholds[k] * capital_usd;
        m = 0;
        for (size_t i = 0; i < n; i++)
            if (finite_pair(x, w, i))
                tmp[m++] = -x[i] > thr ? (w ? w[i] : 1.0) : 0.0;
        alvh_proportion *p = &s->p_loss_above[k];
        const double se = alvh_pairs_se(tmp, m);
        p->lo = fmax(0.0, p->p_hat - ALVH_STATS_Z95 * se);
        p->hi = fmin(1.0, p->p_hat + ALVH_STATS_Z95 * se);
    }
}

void alvh_pairs_fix_proportion(const double *x, const double *w, size_t n, double threshold, double z, double *tmp,
                               alvh_proportion *p)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (finite_pair(x, w, i))
            tmp[m++] = x[i] > threshold ? (w ? w[i] : 1.0) : 0.0;
    const double se = alvh_pairs_se(tmp, m);
    p->lo = fmax(0.0, p->p_hat - z * se);
    p->hi = fmin(1.0, p->p_hat + z * se);
}

#define N_ROWS 15
static const char *const row_names[N_ROWS] = {
    "pairs", "mean", "mean_se", "mean_se_independent", "variance_reduction", "pair_correlation",
    "es_99", "es_99_se", "es_99_se_independent", "variance_reduction_es_99",
    "es_99.9", "es_99.9_se", "es_99.9_se_independent", "variance_reduction_es_99.9", "paths_dropped"};
static const char *const row_units[N_ROWS] = {"pairs", "USD", "USD", "USD", "1", "1",
                                              "USD", "USD", "USD", "1", "USD", "USD", "USD", "1", "paths"};

/* correlation of v[2k] with v[2k + 1] over the pairs (divisors cancel) */
static double pair_corr(const double *v, size_t m)
{
    const size_t k = m / 2;
    alvh_ksum sa = {0, 0}, sb = {0, 0}, saa = {0, 0}, sbb = {0, 0}, sab = {0, 0};
    for (size_t i = 0; i < k; i++)
        alvh_ksum_add(&sa, v[2 * i]), alvh_ksum_add(&sb, v[2 * i + 1]);
    const double ma = alvh_ksum_value(&sa) / (double)k, mb = alvh_ksum_value(&sb) / (double)k;
    for (size_t i = 0; i < k; i++) {
        const double a = v[2 * i] - ma, b = v[2 * i + 1] - mb;
        alvh_ksum_add(&saa, a * a), alvh_ksum_add(&sbb, b * b), alvh_ksum_add(&sab, a * b);
    }
    const double d = sqrt(alvh_ksum_value(&saa) * alvh_ksum_value(&sbb));
    return d > 0.0 ? alvh_ksum_value(&sab) / d : NAN;
}

alvh_status alvh_antithetic_table(const double *o, size_t n, int weighted, alvh_table *t, alvh_error *err)
{
    alvh_status st = alvh_table_one_column(t, row_names, row_units, N_ROWS, "total", err);
    if (st != ALVH_OK)
        return st;
    double *buf = malloc((n ? n : 1) * 3 * sizeof *buf);
    if (!buf) {
        alvh_table_free(t);
        return alvh_error_set(err, ALVH_E_NOMEM, "antithetic table: cannot allocate for %zu paths", n);
    }
    double *x = buf, *w = weighted ? buf + n : NULL, *v = buf + 2 * n, *d = t->data;
    for (size_t i = 0; i < n; i++) {
        x[i] = o[i * ALVH_OUT_COUNT + ALVH_OUT_TOTAL];
        if (w)
            w[i] = o[i * ALVH_OUT_COUNT + ALVH_OUT_LR];
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (finite_pair(x, w, i))
            v[m++] = (w ? w[i] : 1.0) * x[i];
    for (int r = 0; r < N_ROWS; r++)
        d[r] = NAN;
    d[0] = (double)(m / 2);
    d[14] = (double)(n - m);
    alvh_wpoint *p = NULL;
    size_t mp = 0;
    if (m >= 4 && w)
        st = alvh_wstats_sorted(x, w, n, &p, &mp, err);
    if (st == ALVH_OK && m >= 4) {
        alvh_wstats_mean_se(v, m, &d[1], &d[3]);
        d[2] = alvh_pairs_se(v, m);
        d[4] = d[3] * d[3] / (d[2] * d[2]);
        d[5] = pair_corr(v, m);
        /* ES99, ES99.9 and their influence values: the tables' estimators (plain or weighted) */
        for (int l = 0; st == ALVH_OK && l < 2; l++) {
            const double level = l ? 0.999 : 0.99;
            double *e = d + 6 + 4 * l;
            alvh_tail_risk tr;
            if (w) {
                alvh_wstats_tail_sorted(p, mp, level, x, &tr); /* x is free: its values are in p */
                for (size_t i = 0; i < n; i++)
                    x[i] = o[i * ALVH_OUT_COUNT + ALVH_OUT_TOTAL];
            } else {
                st = alvh_stats_tail_risk(x, n, &level, 1, &tr, NULL, err);
            }
            if (st != ALVH_OK)
                break;
            e[0] = tr.es;
            size_t k = alvh_pairs_es_psi(x, w, n, tr.var, level, v);
            double mean_psi;
            alvh_wstats_mean_se(v, k, &mean_psi, &e[2]); /* the same influence values taken as independent */
            e[1] = alvh_pairs_se(v, k);
            e[3] = e[2] * e[2] / (e[1] * e[1]);
        }
    }
    free(p);
    free(buf);
    if (st != ALVH_OK)
        alvh_table_free(t);
    return st;
}
