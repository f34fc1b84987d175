#include "engine/tail_comp.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/stats.h"
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

alvh_status alvh_tail_composition(const double *o, size_t n, alvh_table *t, alvh_error *err)
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
