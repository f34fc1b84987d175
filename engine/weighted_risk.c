/* SPDX-License-Identifier: BSD-3-Clause */
#include "engine/weighted_risk.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/antithetic.h"
#include "engine/ksum.h"
#include "engine/stats.h"
#include "engine/wstats.h"
#include "kernels/book_model.h"

#define N_ROWS 11
static const char *const row_names[N_ROWS] = {"lr_mean", "lr_mean_se", "effective_paths", "mean", "mean_se",
                                              "var_99", "es_99", "es_99_se", "var_99.9", "es_99.9", "es_99.9_se"};
static const char *const row_units[N_ROWS] = {"1", "1", "paths", "USD", "USD", "USD", "USD", "USD", "USD", "USD", "USD"};

alvh_status alvh_weighted_risk_layout(alvh_table *t, alvh_error *err)
{
    return alvh_table_one_column(t, row_names, row_units, N_ROWS, "total", err);
}

/* VaR, ES and its SE at level a into d[0..3), from the P&L sorted ascending
 * (engine/wstats.h: the weighted walk from the worst path, Rockafellar-Uryasev ES) */
static void tail(const alvh_wpoint *p, size_t m, double a, double *tmp, double *d)
{
    alvh_tail_risk t;
    alvh_wstats_tail_sorted(p, m, a, tmp, &t);
    d[0] = t.var, d[1] = t.es, d[2] = t.es_se;
}

alvh_status alvh_weighted_risk(const double *o, size_t n, int pairs, alvh_table *t, alvh_error *err)
{
    alvh_status st = alvh_weighted_risk_layout(t, err);
    if (st != ALVH_OK)
        return st;
    double *x = malloc((n ? n : 1) * sizeof *x), *w = malloc((n ? n : 1) * sizeof *w);
    alvh_wpoint *p = NULL;
    size_t m = 0;
    if (!x || !w)
        st = alvh_error_set(err, ALVH_E_NOMEM, "importance table: cannot allocate for %zu paths", n);
    for (size_t i = 0; st == ALVH_OK && i < n; i++)
        x[i] = o[i * ALVH_OUT_COUNT + ALVH_OUT_TOTAL], w[i] = o[i * ALVH_OUT_COUNT + ALVH_OUT_LR];
    if (st == ALVH_OK)
        st = alvh_wstats_sorted(x, w, n, &p, &m, err);
    double *tmp = st == ALVH_OK ? malloc(m * sizeof *tmp) : NULL;
    if (st == ALVH_OK && !tmp)
        st = alvh_error_set(err, ALVH_E_NOMEM, "importance table: cannot allocate for %zu paths", n);
    if (st == ALVH_OK) {
        double *d = t->data, sw2 = 0.0;
        size_t k = 0;
        for (size_t i = 0; i < n; i++) /* the sums in path order */
            if (isfinite(x[i]) && isfinite(w[i]))
                tmp[k++] = w[i], sw2 += w[i] * w[i];
        alvh_wstats_mean_se(tmp, m, &d[0], &d[1]);
        if (pairs)
            d[1] = alvh_pairs_se(tmp, m);
        d[2] = sw2 > 0.0 ? d[0] * d[0] * (double)m * (double)m / sw2 : 0.0;
        k = 0;
        for (size_t i = 0; i < n; i++)
            if (isfinite(x[i]) && isfinite(w[i]))
                tmp[k++] = w[i] * x[i]; /* P&L x w */
        alvh_wstats_mean_se(tmp, m, &d[3], &d[4]);
        if (pairs)
            d[4] = alvh_pairs_se(tmp, m);
        tail(p, m, 0.99, tmp, d + 5);
        tail(p, m, 0.999, tmp, d + 8);
        for (int r = 0; pairs && r < 2; r++) /* the ES influence values at the walk's VaR, by pair */
            d[7 + 3 * r] = alvh_pairs_se(tmp, alvh_pairs_es_psi(x, w, n, d[5 + 3 * r], r ? 0.999 : 0.99, tmp));
    }
    free(tmp);
    free(p);
    free(x);
    free(w);
    if (st != ALVH_OK)
        alvh_table_free(t);
    return st;
}
