#include "engine/tail_comp.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

typedef struct {
    double loss;
    size_t i;
} ranked;

static int by_loss(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->loss != y->loss)
        return x->loss < y->loss ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static int has(const double *o, size_t i, int e) { return o[i * ALVH_OUT_COUNT + (size_t)ev_cols[e]] > 0.0; }

/* Weighted shares of one level into d[0..3) (docs/statistics.md "Tail composition"): the tail of
 * the weighted walk (ranks < k of p, worst first, and the fraction r / w_k of the VaR path k) as in
 * the weighted Euler ES, share = (sum_{<k} w e + r e_k) / (m (1 - a)); its SE from the influence
 * values (w e 1 - s_v (w 1 - p)) / p with s_v the weighted share in a window of 2 ceil(sqrt(k))
 * ranks around k (the effect of estimating VaR), interval share +- z SE clipped to [0, 1]. */
static void wshare(const double *o, const alvh_wpoint *p, size_t m, double level, int e, double *work, double *d)
{
    const double target = (1.0 - level) * (double)m, pr = 1.0 - level;
    alvh_ksum c = {0, 0}, s = {0, 0}, ww = {0, 0}, we = {0, 0};
    size_t k = 0;
    while (k + 1 < m && alvh_ksum_value(&c) + p[k].w <= target)
        alvh_ksum_add(&c, p[k++].w);
    for (size_t r = 0; r < k; r++)
        alvh_ksum_add(&s, has(o, p[r].i, e) ? p[r].w : 0.0);
    alvh_ksum_add(&s, has(o, p[k].i, e) ? target - alvh_ksum_value(&c) : 0.0);
    const double share = alvh_ksum_value(&s) / target;
    const size_t wn = (size_t)ceil(sqrt((double)(k > 0 ? k : 1)));
    const size_t lo = k > wn ? k - wn : 0, hi = k + wn < m ? k + wn : m;
    for (size_t r = lo; r < hi; r++)
        alvh_ksum_add(&ww, p[r].w), alvh_ksum_add(&we, has(o, p[r].i, e) ? p[r].w : 0.0);
    const double sv = alvh_ksum_value(&we) / alvh_ksum_value(&ww);
    for (size_t r = 0; r < m; r++) {
        const double in = r < k ? p[r].w : 0.0;
        work[r] = ((has(o, p[r].i, e) ? in : 0.0) - sv * (in - pr)) / pr;
    }
    double mean, se;
    alvh_wstats_mean_se(work, m, &mean, &se);
    d[0] = share, d[1] = fmax(share - ALVH_STATS_Z95 * se, 0.0), d[2] = fmin(share + ALVH_STATS_Z95 * se, 1.0);
}

/* the weighted table: every row and level, and P(event) over all paths = (1/m) sum w e */
static alvh_status weighted_table(const double *o, size_t n, alvh_table *t, alvh_error *err)
{
    double *buf = malloc((n ? 2 * n : 1) * sizeof *buf);
    if (!buf)
        return alvh_error_set(err, ALVH_E_NOMEM, "tail composition: cannot allocate for %zu paths", n);
    for (size_t i = 0; i < n; i++)
        buf[i] = o[i * ALVH_OUT_COUNT + ALVH_OUT_TOTAL], buf[n + i] = o[i * ALVH_OUT_COUNT + ALVH_OUT_LR];
    alvh_wpoint *p;
    size_t m;
    alvh_status st = alvh_wstats_sorted(buf, buf + n, n, &p, &m, err);
    for (int e = 0; st == ALVH_OK && e < N_EV; e++) {
        double *d = t->data + (size_t)e * 7, se;
        wshare(o, p, m, 0.99, e, buf, d);
        wshare(o, p, m, 0.999, e, buf, d + 3);
        for (size_t r = 0; r < m; r++)
            buf[r] = has(o, p[r].i, e) ? p[r].w : 0.0;
        alvh_wstats_mean_se(buf, m, &d[6], &se);
    }
    if (st == ALVH_OK)
        free(p);
    free(buf);
    return st;
}

alvh_status alvh_tail_composition(const double *o, size_t n, int weighted, alvh_table *t, alvh_error *err)
{
    memset(t, 0, sizeof *t);
    t->rows = N_EV, t->cols = 7;
    t->data = calloc(N_EV * 7, sizeof(double));
    t->row_names = calloc(N_EV, sizeof *t->row_names);
    t->col_names = calloc(7, sizeof *t->col_names);
    t->row_units = calloc(N_EV, sizeof *t->row_units);
    ranked *rk = malloc((n ? n : 1) * sizeof *rk);
    alvh_status st = ALVH_OK;
    if (!t->data || !t->row_names || !t->col_names || !t->row_units || !rk)
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
        qsort(rk, m, sizeof *rk, by_loss);
    for (int e = 0; st == ALVH_OK && e < N_EV; e++) {
        snprintf(t->row_names[e], ALVH_TABLE_NAME, "%s", ev_names[e]);
        snprintf(t->row_units[e], sizeof t->row_units[0], "1");
    }
    if (st == ALVH_OK && weighted)
        st = weighted_table(o, n, t, err);
    for (int e = 0; st == ALVH_OK && !weighted && e < N_EV; e++) {
        double *d = t->data + (size_t)e * 7;
        for (int a = 0; st == ALVH_OK && a < 2; a++) {
            size_t k = alvh_stats_tail_count(m, a ? 0.999 : 0.99);
            uint64_t c = 0;
            for (size_t r = m - k; r < m; r++)
                c += (uint64_t)has(o, rk[r].i, e);
            alvh_proportion pr;
            st = alvh_stats_wilson(c, k, ALVH_STATS_Z95, &pr, err);
            d[3 * a] = pr.p_hat, d[3 * a + 1] = pr.lo, d[3 * a + 2] = pr.hi;
        }
        uint64_t c = 0;
        for (size_t r = 0; r < m; r++)
            c += (uint64_t)has(o, rk[r].i, e);
        d[6] = (double)c / (double)m;
    }
    for (int c = 0; st == ALVH_OK && c < 7; c++)
        snprintf(t->col_names[c], ALVH_TABLE_NAME, "%s", col_names[c]);
    free(rk);
    if (st != ALVH_OK)
        alvh_table_free(t);
    return st;
}
