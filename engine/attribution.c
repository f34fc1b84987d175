/*
 * Euler and incremental attribution (engine/attribution.h). Standard errors
 * from influence functions (van der Vaart 1998, ch. 20): with p = k / n the
 * tail share, 1_i = [path i among the k worst] and m_j = E[L_j | L = VaR]
 * (the VaR window mean), the ES contribution C_j = E[L_j 1] / p has
 *   IF_i = (L_ij 1_i - m_j (1_i - p)) / p - C_j,
 * the second term the effect of estimating VaR; SE = sd(IF) / sqrt(n). For
 * the total this is the ES influence function of engine/hedge_eff.c.
 */
#include "engine/attribution.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/antithetic.h"
#include "engine/ksum.h"
#include "engine/stats.h"
#include "engine/wstats.h"

const double alvh_attr_levels[ALVH_ATTR_N_LEVELS] = {0.99, 0.999};

#define NCOL (ALVH_OUT_TOTAL + 1)

typedef alvh_ranked ranked; /* x: the path's loss */

static double loss_of(const double *o, size_t i, int c) { return -o[i * ALVH_OUT_COUNT + (size_t)c]; }

/* sd(x) / sqrt(n) over n values, divisor n - 1 */
static double se_of(const double *x, size_t n)
{
    double m, se;
    alvh_stats_mean_se(x, n, &m, &se);
    return se;
}

static void name_rows(alvh_table *t, int with_loo)
{
    size_t r = 0;
    const char *kinds[6] = {"var_%s_euler", "var_%s_euler_se", "es_%s_euler", "es_%s_euler_se",
                            "es_%s_incremental", "es_%s_incremental_se"};
    for (int a = 0; a < ALVH_ATTR_N_LEVELS; a++)
        for (int k = 0; k < (with_loo ? 6 : 4); k++) {
            char lv[16];
            snprintf(lv, sizeof lv, "%g", 100.0 * alvh_attr_levels[a]);
            snprintf(t->row_names[r], ALVH_TABLE_NAME, kinds[k], lv);
            snprintf(t->row_units[r++], sizeof t->row_units[0], "USD");
        }
    for (size_t c = 0; c < NCOL; c++)
        snprintf(t->col_names[c], ALVH_TABLE_NAME, "%s", alvh_book_out_names[c]);
}

/* sd(x) / sqrt(n), or with antithetic pairs (pidx: the path of each value, NULL: none) the SE
 * with a pair as one sample (engine/antithetic.h) */
static double se_by(const double *x, size_t n, const size_t *pidx, size_t n_paths)
{
    return pidx ? alvh_pairs_se_scattered(x, pidx, n, n_paths) : se_of(x, n);
}

/* Euler rows of one level into d (4 rows x NCOL); rk: the m finite paths by loss; pidx: their
 * paths in the same order when the paths are antithetic pairs (else NULL) */
static void euler_level(const double *o, const ranked *rk, size_t m, double level, const size_t *pidx,
                        size_t n_paths, double *work, double *d)
{
    const size_t k = alvh_stats_tail_count(m, level), w = (size_t)ceil(sqrt((double)k));
    const size_t lo = m - k > w ? m - k - w : 0, hi = m - k + w < m ? m - k + w : m;
    const double p = (double)k / (double)m;
    for (size_t i = 0; i < m; i++)
        work[i] = rk[i].x;
    const double var = alvh_stats_quantile_sorted(work, m, level);
    alvh_ksum wt = {0, 0};
    for (size_t r = lo; r < hi; r++)
        alvh_ksum_add(&wt, rk[r].x);
    const double wmean_total = alvh_ksum_value(&wt) / (double)(hi - lo);
    const double scale = wmean_total != 0.0 ? var / wmean_total : NAN;
    for (int c = 0; c < NCOL; c++) {
        alvh_ksum sw = {0, 0}, se = {0, 0};
        for (size_t r = lo; r < hi; r++) {
            work[r - lo] = loss_of(o, rk[r].i, c);
            alvh_ksum_add(&sw, work[r - lo]);
        }
        const double mj = alvh_ksum_value(&sw) / (double)(hi - lo);
        d[0 * NCOL + c] = c == ALVH_OUT_TOTAL ? var : mj * scale;
        d[1 * NCOL + c] = se_by(work, hi - lo, pidx ? pidx + lo : NULL, n_paths) * fabs(scale);
        for (size_t r = m - k; r < m; r++)
            alvh_ksum_add(&se, loss_of(o, rk[r].i, c));
        const double cj = alvh_ksum_value(&se) / (double)k;
        d[2 * NCOL + c] = cj;
        /* the influence value (x in - mj (in - p)) / p - cj; outside the tail
         * (in = 0) it does not depend on x (x 0 is a zero, so only a zero's sign
         * could differ, which no SE sees): no gather of the body's paths */
        const double body = (0.0 - mj * (0.0 - p)) / p - cj;
        for (size_t r = 0; r < m - k; r++)
            work[r] = body;
        for (size_t r = m - k; r < m; r++)
            work[r] = (loss_of(o, rk[r].i, c) - mj * (1.0 - p)) / p - cj;
        d[3 * NCOL + c] = se_by(work, m, pidx, n_paths);
    }
}

/* Weighted Euler rows of one level (importance sampling; docs/statistics.md "Attribution"): p holds the
 * m finite (P&L total, LR) pairs ascending (worst first). The weighted walk stops at rank k (the VaR
 * path); the tail is ranks < k plus the fraction r / w_k of path k, r = m (1 - a) - sum_{<k} w, so
 * ES_j = (sum_{<k} w L_j + r L_kj) / (m (1 - a)) sums over j to the weighted ES. */
static void euler_level_w(const double *o, const alvh_wpoint *p, size_t m, double level, const size_t *pidx,
                          size_t n_paths, double *work, double *d)
{
    const double target = (1.0 - level) * (double)m, pr = 1.0 - level;
    alvh_ksum c = {0, 0};
    size_t k = 0;
    while (k + 1 < m && alvh_ksum_value(&c) + p[k].w <= target)
        alvh_ksum_add(&c, p[k++].w);
    const double rem = target - alvh_ksum_value(&c);
    alvh_tail_risk tr;
    alvh_wstats_tail_sorted(p, m, level, work, &tr); /* the summary's VaR and ES, bit for bit */
    const size_t wn = (size_t)ceil(sqrt((double)(k > 0 ? k : 1)));
    const size_t lo = k > wn ? k - wn : 0, hi = k + wn < m ? k + wn : m;
    alvh_ksum ww = {0, 0}, wt = {0, 0};
    for (size_t r = lo; r < hi; r++)
        alvh_ksum_add(&ww, p[r].w), alvh_ksum_add(&wt, -p[r].w * p[r].x);
    const double wsum = alvh_ksum_value(&ww), wmean_total = alvh_ksum_value(&wt) / wsum;
    const double scale = wmean_total != 0.0 ? tr.var / wmean_total : NAN;
    for (int col = 0; col < NCOL; col++) {
        alvh_ksum sw = {0, 0}, sq = {0, 0}, se = {0, 0};
        for (size_t r = lo; r < hi; r++)
            alvh_ksum_add(&sw, p[r].w * loss_of(o, p[r].i, col));
        const double mj = alvh_ksum_value(&sw) / wsum;
        for (size_t r = lo; r < hi; r++) {
            const double dv = p[r].w * (loss_of(o, p[r].i, col) - mj);
            alvh_ksum_add(&sq, dv * dv);
            work[r - lo] = dv;
        }
        /* pairs: the window's deviations summed per pair before squaring */
        const double ss = pidx ? alvh_pairs_cluster_ss(work, pidx + lo, hi - lo, n_paths, NULL) : alvh_ksum_value(&sq);
        d[0 * NCOL + col] = col == ALVH_OUT_TOTAL ? tr.var : mj * scale;
        d[1 * NCOL + col] = sqrt(ss) / wsum * fabs(scale);
        for (size_t r = 0; r < k; r++)
            alvh_ksum_add(&se, p[r].w * loss_of(o, p[r].i, col));
        alvh_ksum_add(&se, rem * loss_of(o, p[k].i, col));
        const double cj = alvh_ksum_value(&se) / target;
        d[2 * NCOL + col] = col == ALVH_OUT_TOTAL ? tr.es : cj;
        /* influence of the unnormalized estimator with VaR estimated: (w L_j 1 - m_j (w 1 - p)) / p - C_j */
        for (size_t r = 0; r < k; r++)
            work[r] = (loss_of(o, p[r].i, col) * p[r].w - mj * (p[r].w - pr)) / pr - cj;
        const double body = (0.0 - mj * (0.0 - pr)) / pr - cj; /* past the tail, as in euler_level */
        for (size_t r = k; r < m; r++)
            work[r] = body;
        d[3 * NCOL + col] = se_by(work, m, pidx, n_paths);
    }
}

/* ES_a of the loss x[0..m) and its influence values into ifv; w: likelihood ratios (NULL: plain),
 * weighted ES as engine/wstats.h (the LR multiplies the excess in the influence value) */
static alvh_status es_if(const double *x, const double *w, size_t m, double level, double *ifv, double *es,
                         alvh_error *err)
{
    alvh_tail_risk tr;
    if (w) {
        alvh_wpoint *p;
        size_t mf;
        for (size_t i = 0; i < m; i++)
            ifv[i] = -x[i]; /* the P&L, sorted worst first */
        alvh_status st = alvh_wstats_sorted(ifv, w, m, &p, &mf, err);
        if (st)
            return st;
        alvh_wstats_tail_sorted(p, mf, level, ifv, &tr);
        free(p);
    } else {
        double *s;
        size_t mf;
        alvh_status st = alvh_stats_sorted_finite(x, m, &s, &mf, NULL, err);
        if (st)
            return st;
        st = alvh_stats_tail_risk_sorted(s, mf, level, &tr, err);
        free(s);
        if (st)
            return st;
    }
    for (size_t i = 0; i < m; i++)
        ifv[i] = tr.var + (w ? w[i] : 1.0) * (x[i] > tr.var ? x[i] - tr.var : 0.0) / (1.0 - level) - tr.es;
    *es = tr.es;
    return ALVH_OK;
}

/* incremental ES rows of one level (2 rows x NCOL): paths where both totals are finite */
static alvh_status incremental_level(const double *o, size_t n, const double *const *loo, int weighted, int pairs,
                                     double level, double *buf, double *d, alvh_error *err)
{
    double *x = buf, *y = buf + n, *ix = buf + 2 * n, *iy = buf + 3 * n, *w = weighted ? buf + 4 * n : NULL;
    for (int c = 0; c < NCOL; c++)
        d[c] = d[NCOL + c] = NAN;
    for (int l = 0; l < ALVH_LAYER_COUNT; l++) {
        if (!loo[l])
            continue;
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            double a = loss_of(o, i, ALVH_OUT_TOTAL), b = loss_of(loo[l], i, ALVH_OUT_TOTAL);
            double lr = o[i * ALVH_OUT_COUNT + ALVH_OUT_LR];
            if (isfinite(a) && isfinite(b) && (!w || isfinite(lr))) {
                if (w)
                    w[m] = lr;
                x[m] = a, y[m++] = b;
            }
        }
        double ex, ey;
        alvh_status st = es_if(x, w, m, level, ix, &ex, err);
        if (!st)
            st = es_if(y, w, m, level, iy, &ey, err);
        if (st)
            return st;
        for (size_t i = 0; i < m; i++)
            ix[i] -= iy[i];
        d[l] = ex - ey;
        d[NCOL + l] = pairs ? alvh_pairs_se(ix, m) : se_of(ix, m); /* the finite paths keep their pairs adjacent */
        d[ALVH_OUT_TOTAL] = ex; /* the book's ES beside the increments */
    }
    return ALVH_OK;
}

/* the m finite (total P&L, LR) pairs ascending, worst first (engine/wstats.h) */
static alvh_status weighted_ranks(const double *o, size_t n, double *buf, alvh_wpoint **p, size_t *m,
                                  alvh_error *err)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = o[i * ALVH_OUT_COUNT + ALVH_OUT_TOTAL], buf[n + i] = o[i * ALVH_OUT_COUNT + ALVH_OUT_LR];
    return alvh_wstats_sorted(buf, buf + n, n, p, m, err);
}

alvh_status alvh_attribution_table(const double *o, size_t n, const double *const *loo, int est, alvh_table *t,
                                   alvh_error *err)
{
    const int weighted = est & ALVH_EST_WEIGHTED, pairs = (est & ALVH_EST_PAIRS) != 0;
    const size_t per = loo ? 6 : 4;
    memset(t, 0, sizeof *t);
    t->rows = per * ALVH_ATTR_N_LEVELS;
    t->cols = NCOL;
    t->data = calloc(t->rows * NCOL, sizeof(double));
    t->row_names = calloc(t->rows, sizeof *t->row_names);
    t->col_names = calloc(NCOL, sizeof *t->col_names);
    t->row_units = calloc(t->rows, sizeof *t->row_units);
    ranked *rk = malloc((n ? n : 1) * sizeof *rk);
    double *buf = malloc((n ? 5 * n : 1) * sizeof *buf);
    alvh_wpoint *wp = NULL;
    alvh_status st = ALVH_OK;
    if (!t->data || !t->row_names || !t->col_names || !t->row_units || !rk || !buf)
        st = alvh_error_set(err, ALVH_E_NOMEM, "attribution: cannot allocate for %zu paths", n);
    size_t m = 0;
    for (size_t i = 0; st == ALVH_OK && i < n; i++) {
        double l = loss_of(o, i, ALVH_OUT_TOTAL);
        if (isfinite(l))
            rk[m++] = (ranked){l, i};
    }
    if (st == ALVH_OK && m < 2)
        st = alvh_error_set(err, ALVH_E_NUMERIC, "attribution: %zu finite paths of %zu, need at least 2", m, n);
    if (st == ALVH_OK) {
        name_rows(t, loo != NULL);
        st = alvh_stats_rank(rk, m, err);
    }
    size_t mw = 0;
    if (st == ALVH_OK && weighted)
        st = weighted_ranks(o, n, buf, &wp, &mw, err);
    size_t *pidx = NULL; /* antithetic pairs: the path of each rank */
    if (st == ALVH_OK && pairs && !(pidx = malloc((n ? n : 1) * sizeof *pidx)))
        st = alvh_error_set(err, ALVH_E_NOMEM, "attribution: cannot allocate for %zu paths", n);
    for (size_t r = 0; pidx && r < (weighted ? mw : m); r++)
        pidx[r] = weighted ? wp[r].i : rk[r].i;
    for (int a = 0; st == ALVH_OK && a < ALVH_ATTR_N_LEVELS; a++) {
        double *d = t->data + (size_t)a * per * NCOL;
        if (weighted)
            euler_level_w(o, wp, mw, alvh_attr_levels[a], pidx, n, buf, d);
        else
            euler_level(o, rk, m, alvh_attr_levels[a], pidx, n, buf, d);
        if (loo)
            st = incremental_level(o, n, loo, weighted, pairs, alvh_attr_levels[a], buf, d + 4 * NCOL, err);
    }
    free(pidx);
    free(wp);
    free(rk);
    free(buf);
    if (st != ALVH_OK)
        alvh_table_free(t);
    return st;
}
