#include "engine/tail_comp.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/antithetic.h"
#include "engine/ksum.h"
#include "engine/stats.h"
#include "engine/wstats.h"
#include "kernels/book_model.h"

/* gov_down_shock counts drawn and injected down-shocks alike (an injection acts
 * on every path, so it has no share of its own to report) */
#define N_EV 6
static const char *const ev_names[N_EV] = {"exploit",     "gov_down_shock", "perp_liquidation", "borrow_liquidation",
                                           "condor_stop", "bad_debt"};
static const int ev_cols[N_EV] = {ALVH_OUT_N_EXPLOIT, ALVH_OUT_N_GOV_DN, ALVH_OUT_N_LIQ_PERP, ALVH_OUT_N_LIQ_BORROW,
                                  ALVH_OUT_N_STOP,    ALVH_OUT_BAD_DEBT};
static const char *const col_names[7] = {"worst_1pct",   "worst_1pct_lo95",   "worst_1pct_hi95", "worst_0.1pct",
                                         "worst_0.1pct_lo95", "worst_0.1pct_hi95", "all_paths"};

typedef alvh_ranked ranked; /* x: the path's loss */

/* bit e of each path: event e happened on it. Built once in path order, so
 * the walks in rank order read one byte per path (an array that stays in
 * cache) instead of a 42-double outcome row. */
static unsigned char *event_masks(const double *o, size_t n)
{
    unsigned char *mk = malloc(n ? n : 1);
    for (size_t i = 0; mk && i < n; i++) {
        unsigned b = 0;
        for (int e = 0; e < N_EV; e++)
            b |= (unsigned)(o[i * ALVH_OUT_COUNT + (size_t)ev_cols[e]] > 0.0) << e;
        mk[i] = (unsigned char)b;
    }
    return mk;
}

static int has(const unsigned char *mk, size_t i, int e) { return mk[i] >> e & 1; }

/* Weighted shares of one level into d[0..3) (docs/statistics.md "Tail composition"): the tail of
 * the weighted walk (ranks < k of p, worst first, and the fraction r / w_k of the VaR path k) as in
 * the weighted Euler ES, share = (sum_{<k} w e + r e_k) / (m (1 - a)); its SE from the influence
 * values (w e 1 - s_v (w 1 - p)) / p with s_v the weighted share in a window of 2 ceil(sqrt(k))
 * ranks around k (the effect of estimating VaR), interval share +- z SE clipped to [0, 1]. */
static void wshare(const unsigned char *ev, const alvh_wpoint *p, size_t m, double level, int e, const size_t *pidx,
                   size_t n_paths, double *work, double *d)
{
    const double target = (1.0 - level) * (double)m, pr = 1.0 - level;
    alvh_ksum c = {0, 0}, s = {0, 0}, ww = {0, 0}, we = {0, 0};
    size_t k = 0;
    while (k + 1 < m && alvh_ksum_value(&c) + p[k].w <= target)
        alvh_ksum_add(&c, p[k++].w);
    for (size_t r = 0; r < k; r++)
        alvh_ksum_add(&s, has(ev, p[r].i, e) ? p[r].w : 0.0);
    alvh_ksum_add(&s, has(ev, p[k].i, e) ? target - alvh_ksum_value(&c) : 0.0);
    const double share = alvh_ksum_value(&s) / target;
    const size_t wn = (size_t)ceil(sqrt((double)(k > 0 ? k : 1)));
    const size_t lo = k > wn ? k - wn : 0, hi = k + wn < m ? k + wn : m;
    for (size_t r = lo; r < hi; r++)
        alvh_ksum_add(&ww, p[r].w), alvh_ksum_add(&we, has(ev, p[r].i, e) ? p[r].w : 0.0);
    const double sv = alvh_ksum_value(&we) / alvh_ksum_value(&ww);
    for (size_t r = 0; r < k; r++)
        work[r] = ((has(ev, p[r].i, e) ? p[r].w : 0.0) - sv * (p[r].w - pr)) / pr;
    const double body = (0.0 - sv * (0.0 - pr)) / pr; /* past the tail: the same whatever the path */
    for (size_t r = k; r < m; r++)
        work[r] = body;
    double mean, se;
    alvh_wstats_mean_se(work, m, &mean, &se);
    if (pidx) /* antithetic pairs: a pair is one sample */
        se = alvh_pairs_se_scattered(work, pidx, m, n_paths);
    d[0] = share, d[1] = fmax(share - ALVH_STATS_Z95 * se, 0.0), d[2] = fmin(share + ALVH_STATS_Z95 * se, 1.0);
}

/* the weighted table: every row and level, and P(event) over all paths = (1/m) sum w e */
static alvh_status weighted_table(const double *o, const unsigned char *ev, size_t n, int pairs, alvh_table *t,
                                  alvh_error *err)
{
    double *buf = malloc((n ? 2 * n : 1) * sizeof *buf);
    size_t *pidx = pairs ? malloc((n ? n : 1) * sizeof *pidx) : NULL;
    if (!buf || (pairs && !pidx)) {
        free(buf), free(pidx);
        return alvh_error_set(err, ALVH_E_NOMEM, "tail composition: cannot allocate for %zu paths", n);
    }
    for (size_t i = 0; i < n; i++)
        buf[i] = o[i * ALVH_OUT_COUNT + ALVH_OUT_TOTAL], buf[n + i] = o[i * ALVH_OUT_COUNT + ALVH_OUT_LR];
    alvh_wpoint *p;
    size_t m;
    alvh_status st = alvh_wstats_sorted(buf, buf + n, n, &p, &m, err);
    for (size_t r = 0; st == ALVH_OK && pidx && r < m; r++)
        pidx[r] = p[r].i;
    for (int e = 0; st == ALVH_OK && e < N_EV; e++) {
        double *d = t->data + (size_t)e * 7, se;
        wshare(ev, p, m, 0.99, e, pidx, n, buf, d);
        wshare(ev, p, m, 0.999, e, pidx, n, buf, d + 3);
        for (size_t r = 0; r < m; r++)
            buf[r] = has(ev, p[r].i, e) ? p[r].w : 0.0;
        alvh_wstats_mean_se(buf, m, &d[6], &se);
    }
    if (st == ALVH_OK)
        free(p);
    free(buf);
    free(pidx);
    return st;
}

/* Antithetic pairs, plain weights: the tail share c / k with the interval share +- z SE from the
 * influence values (e 1 - s_v (1 - p)) / p of the weighted form at w = 1 (ranks ascending in loss,
 * the tail the top k, s_v the share in the VaR window), summed per pair: Wilson's interval counts
 * the k tail paths as independent trials, which two partners in the tail are not. work: m doubles. */
static void pair_share(const unsigned char *ev, const ranked *rk, size_t m, size_t k, int e, size_t n_paths, size_t *pidx,
                       double *work, double *d)
{
    const double p = (double)k / (double)m;
    const size_t wn = (size_t)ceil(sqrt((double)k)), v = m - k;
    const size_t lo = v > wn ? v - wn : 0, hi = v + wn < m ? v + wn : m;
    uint64_t c = 0, cw = 0;
    for (size_t r = v; r < m; r++)
        c += (uint64_t)has(ev, rk[r].i, e);
    for (size_t r = lo; r < hi; r++)
        cw += (uint64_t)has(ev, rk[r].i, e);
    const double share = (double)c / (double)k, sv = (double)cw / (double)(hi - lo);
    const double body = (0.0 - sv * (0.0 - p)) / p; /* outside the tail: the same whatever the path */
    for (size_t r = 0; r < v; r++)
        work[r] = body, pidx[r] = rk[r].i;
    for (size_t r = v; r < m; r++) {
        work[r] = ((has(ev, rk[r].i, e) ? 1.0 : 0.0) - sv * (1.0 - p)) / p;
        pidx[r] = rk[r].i;
    }
    const double se = alvh_pairs_se_scattered(work, pidx, m, n_paths);
    d[0] = share, d[1] = fmax(share - ALVH_STATS_Z95 * se, 0.0), d[2] = fmin(share + ALVH_STATS_Z95 * se, 1.0);
}

alvh_status alvh_tail_composition(const double *o, size_t n, int est, alvh_table *t, alvh_error *err)
{
    const int weighted = est & ALVH_EST_WEIGHTED, pairs = (est & ALVH_EST_PAIRS) != 0;
    memset(t, 0, sizeof *t);
    t->rows = N_EV, t->cols = 7;
    t->data = calloc(N_EV * 7, sizeof(double));
    t->row_names = calloc(N_EV, sizeof *t->row_names);
    t->col_names = calloc(7, sizeof *t->col_names);
    t->row_units = calloc(N_EV, sizeof *t->row_units);
    ranked *rk = malloc((n ? n : 1) * sizeof *rk);
    unsigned char *ev = event_masks(o, n);
    double *work = pairs && !weighted ? malloc((n ? n : 1) * sizeof *work) : NULL;
    size_t *pidx = pairs && !weighted ? malloc((n ? n : 1) * sizeof *pidx) : NULL;
    alvh_status st = ALVH_OK;
    if (!t->data || !t->row_names || !t->col_names || !t->row_units || !rk || !ev ||
        (pairs && !weighted && (!work || !pidx)))
        st = alvh_error_set(err, ALVH_E_NOMEM, "tail composition: cannot allocate for %zu paths", n);
    size_t m = 0;
    for (size_t i = 0; st == ALVH_OK && i < n; i++) {
        double l = -o[i * ALVH_OUT_COUNT + ALVH_OUT_TOTAL];
        if (isfinite(l))
            rk[m++] = (ranked){l, i};
    }
    if (st == ALVH_OK && m == 0)
        st = alvh_error_set(err, ALVH_E_NUMERIC, "tail composition: no finite path of %zu", n);
    if (st == ALVH_OK)
        st = alvh_stats_rank(rk, m, err);
    for (int e = 0; st == ALVH_OK && e < N_EV; e++) {
        snprintf(t->row_names[e], ALVH_TABLE_NAME, "%s", ev_names[e]);
        snprintf(t->row_units[e], sizeof t->row_units[0], "1");
    }
    if (st == ALVH_OK && weighted)
        st = weighted_table(o, ev, n, pairs, t, err);
    for (int e = 0; st == ALVH_OK && !weighted && e < N_EV; e++) {
        double *d = t->data + (size_t)e * 7;
        for (int a = 0; st == ALVH_OK && a < 2; a++) {
            size_t k = alvh_stats_tail_count(m, a ? 0.999 : 0.99);
            if (pairs) {
                pair_share(ev, rk, m, k, e, n, pidx, work, d + 3 * a);
                continue;
            }
            uint64_t c = 0;
            for (size_t r = m - k; r < m; r++)
                c += (uint64_t)has(ev, rk[r].i, e);
            alvh_proportion pr;
            st = alvh_stats_wilson(c, k, ALVH_STATS_Z95, &pr, err);
            d[3 * a] = pr.p_hat, d[3 * a + 1] = pr.lo, d[3 * a + 2] = pr.hi;
        }
        uint64_t c = 0; /* over the ranked (finite) paths */
        for (size_t r = 0; r < m; r++)
            c += (uint64_t)has(ev, rk[r].i, e);
        d[6] = (double)c / (double)m;
    }
    for (int c = 0; st == ALVH_OK && c < 7; c++)
        snprintf(t->col_names[c], ALVH_TABLE_NAME, "%s", col_names[c]);
    free(rk);
    free(ev);
    free(work);
    free(pidx);
    if (st != ALVH_OK)
        alvh_table_free(t);
    return st;
}
