/* SPDX-License-Identifier: BSD-3-Clause */
#include "engine/weighted_risk.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ksum.h"
#include "engine/stats.h"
#include "kernels/book_model.h"

#define N_ROWS 11
static const char *const row_names[N_ROWS] = {"lr_mean", "lr_mean_se", "effective_paths", "mean", "mean_se",
                                              "var_99", "es_99", "es_99_se", "var_99.9", "es_99.9", "es_99.9_se"};
static const char *const row_units[N_ROWS] = {"1", "1", "paths", "USD", "USD", "USD", "USD", "USD", "USD", "USD", "USD"};

typedef struct {
    double loss, w;
    size_t i;
} wpath;

/* descending loss, ties by path index: one order on every thread count */
static int by_loss_desc(const void *a, const void *b)
{
    const wpath *x = a, *y = b;
    if (x->loss != y->loss)
        return x->loss > y->loss ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* mean and SE of v over n paths; one path: SE 0 (nothing to estimate it from) */
static void mean_se(const double *v, size_t n, double *mean, double *se)
{
    alvh_stats_mean_se(v, n, mean, se);
    if (n < 2)
        *se = 0.0;
}

/*
 * Weighted VaR and ES at level a from losses sorted descending: VaR is the
 * smallest loss x with (1/n) sum w 1{L > x} <= 1 - a (walking down the tail
 * until the weight passed reaches (1 - a) n), ES = VaR + (1/n) sum w (L - VaR)^+
 * / (1 - a) (Rockafellar-Uryasev), its SE from the influence function
 * w (L - VaR)^+ / (1 - a) (Glasserman 2004, 9.1; Manistre-Hancock 2005 at w = 1).
 */
static void tail(const wpath *p, size_t n, double a, double *tmp, double *var, double *es, double *es_se)
{
    const double target = (1.0 - a) * (double)n;
    alvh_ksum c = {0, 0};
    size_t k = 0;
    while (k + 1 < n && alvh_ksum_value(&c) + p[k].w <= target) {
        alvh_ksum_add(&c, p[k].w);
        k++;
    }
    double v = p[k].loss;
    for (size_t i = 0; i < n; i++)
        tmp[i] = p[i].w * fmax(p[i].loss - v, 0.0) / (1.0 - a);
    double m, se;
    mean_se(tmp, n, &m, &se);
    *var = v, *es = v + m, *es_se = se;
}

static alvh_status alloc_table(alvh_table *t, alvh_error *err)
{
    memset(t, 0, sizeof *t);
    t->rows = N_ROWS, t->cols = 1;
    t->data = calloc(N_ROWS, sizeof(double));
    t->row_names = calloc(N_ROWS, sizeof *t->row_names);
    t->col_names = calloc(1, sizeof *t->col_names);
    t->row_units = calloc(N_ROWS, sizeof *t->row_units);
    if (!t->data || !t->row_names || !t->col_names || !t->row_units) {
        alvh_table_free(t);
        return alvh_error_set(err, ALVH_E_NOMEM, "importance table: out of memory");
    }
    for (int r = 0; r < N_ROWS; r++) {
        snprintf(t->row_names[r], ALVH_TABLE_NAME, "%s", row_names[r]);
        snprintf(t->row_units[r], sizeof t->row_units[0], "%s", row_units[r]);
    }
    snprintf(t->col_names[0], ALVH_TABLE_NAME, "total");
    return ALVH_OK;
}

alvh_status alvh_weighted_risk(const double *o, size_t n, alvh_table *t, alvh_error *err)
{
    alvh_status st = alloc_table(t, err);
    if (st != ALVH_OK)
        return st;
    wpath *p = malloc((n ? n : 1) * sizeof *p);
    double *tmp = malloc((n ? n : 1) * sizeof *tmp);
    size_t m = 0;
    if (!p || !tmp)
        st = alvh_error_set(err, ALVH_E_NOMEM, "importance table: cannot allocate for %zu paths", n);
    for (size_t i = 0; st == ALVH_OK && i < n; i++) {
        double x = o[i * ALVH_OUT_COUNT + ALVH_OUT_TOTAL], w = o[i * ALVH_OUT_COUNT + ALVH_OUT_LR];
        if (isfinite(x) && isfinite(w))
            p[m++] = (wpath){-x, w, i};
    }
    if (st == ALVH_OK && m == 0)
        st = alvh_error_set(err, ALVH_E_NUMERIC, "importance table: no finite path of %zu", n);
    if (st == ALVH_OK) {
        double *d = t->data, sw2 = 0.0;
        for (size_t i = 0; i < m; i++)
            tmp[i] = p[i].w, sw2 += p[i].w * p[i].w;
        mean_se(tmp, m, &d[0], &d[1]);
        d[2] = sw2 > 0.0 ? d[0] * d[0] * (double)m * (double)m / sw2 : 0.0;
        for (size_t i = 0; i < m; i++)
            tmp[i] = -p[i].w * p[i].loss; /* P&L x w */
        mean_se(tmp, m, &d[3], &d[4]);
        qsort(p, m, sizeof *p, by_loss_desc);
        tail(p, m, 0.99, tmp, &d[5], &d[6], &d[7]);
        tail(p, m, 0.999, tmp, &d[8], &d[9], &d[10]);
    }
    free(p);
    free(tmp);
    if (st != ALVH_OK)
        alvh_table_free(t);
    return st;
}
