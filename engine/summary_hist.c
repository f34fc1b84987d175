/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Histogram-mode summaries: accumulators, block moments and the tables built
 * from them (summary_hist.h; definitions in docs/statistics.md).
 */
#include "engine/summary_hist.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ksum.h"
#include "engine/stats.h"
#include "engine/summary_hist_internal.h"

/* outcome column of each histogram: fine ones, then the tail ones */
static const int hist_col[ALVH_SHIST_N_HIST] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ALVH_OUT_CASH, ALVH_OUT_TOTAL,
                                                ALVH_OUT_MAX_DD, ALVH_OUT_MIN_HF, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
                                                ALVH_OUT_CASH, ALVH_OUT_TOTAL, ALVH_OUT_MAX_DD};
_Static_assert(ALVH_SHIST_N_HIST == 27 && ALVH_LAYER_COUNT == 10, "hist_col lists every histogram");
const int alvh_shi_event_col[ALVH_SHIST_N_EVENTS] = {ALVH_OUT_N_LIQ_PERP, ALVH_OUT_N_LIQ_BORROW, ALVH_OUT_N_EXPLOIT,
                                                   ALVH_OUT_N_STOP, ALVH_OUT_N_TREASURY_FB, ALVH_OUT_N_RUNWAY_CUT,
                                                   ALVH_OUT_N_ROLL};

/* moment columns: the P&L columns and max drawdown (outcome columns 0..12),
 * then bad debt, excess over cash and the perp margin peak (means only) */
enum { N_MOM_PNL_DD = ALVH_SHI_N_MOM_PNL_DD, N_MOM = ALVH_SHI_N_MOM, MOM_K = ALVH_SHI_MOM_K };
static const int mom_extra[3] = {ALVH_OUT_BAD_DEBT, ALVH_OUT_EXCESS, ALVH_OUT_MARGIN_PEAK};
int alvh_shi_mom_col(int c) { return c < N_MOM_PNL_DD ? c : mom_extra[c - N_MOM_PNL_DD]; }
/* paired with the baseline's total: n, sum h hi/lo, sum b hi/lo, then the
 * central co-moments C_pq = sum dh^p db^q in this order */
enum { PAIR_K = 15 };
static const int pair_pq[10][2] = {{2, 0}, {0, 2}, {1, 1}, {3, 0}, {0, 3}, {2, 1}, {1, 2}, {4, 0}, {0, 4}, {2, 2}};
enum { VAR_LEN = N_MOM * MOM_K + PAIR_K };

/* counters of a variant */
#define CNT_FINITE(e) (e)
#define CNT_ABOVE(e) (ALVH_SHIST_N_EVENTS + (e))
#define CNT_SUM(e) (2 * ALVH_SHIST_N_EVENTS + (e))
#define CNT_LOSS(c, k) (3 * ALVH_SHIST_N_EVENTS + (c) * 3 + (k))

static size_t bins_of(int k)
{
    if (k >= ALVH_SHIST_TAIL)
        return k - ALVH_SHIST_TAIL <= ALVH_OUT_TOTAL ? ALVH_SHIST_TAIL_PNL_BINS : ALVH_SHIST_TAIL_DD_BINS;
    return k <= ALVH_OUT_TOTAL ? ALVH_SHIST_PNL_BINS : k == ALVH_SHIST_MAX_DD ? ALVH_SHIST_DD_BINS : ALVH_SHIST_HF_BINS;
}

static void range_of(int k, double capital, double *lo, double *hi)
{
    if (k >= ALVH_SHIST_TAIL) {
        int pnl = k - ALVH_SHIST_TAIL <= ALVH_OUT_TOTAL;
        *lo = pnl ? ALVH_SHIST_TAIL_PNL_LO_C * capital : 0.0;
        *hi = ALVH_SHIST_TAIL_HI_C * capital;
    } else if (k <= ALVH_OUT_TOTAL) {
        *lo = ALVH_SHIST_PNL_LO_C * capital;
        *hi = ALVH_SHIST_PNL_HI_C * capital;
    } else if (k == ALVH_SHIST_MAX_DD) {
        *lo = 0.0;
        *hi = ALVH_SHIST_DD_HI_C * capital;
    } else {
        *lo = 0.0;
        *hi = ALVH_SHIST_HF_HI;
    }
}

/* histogram k of a variant's set (weighted: the LR twins, then the squared-LR ones) */
static int base_hist(int k)
{
    if (k < ALVH_SHIST_N_HIST)
        return k;
    if (k < 2 * ALVH_SHIST_N_HIST)
        return k - ALVH_SHIST_N_HIST;
    return k < ALVH_SHI_W2_TAIL(0) ? k - ALVH_SHI_W2_FINE(0) : ALVH_SHIST_TAIL + (k - ALVH_SHI_W2_TAIL(0));
}

static size_t per_variant(int weighted) { return weighted ? 2 * ALVH_SHIST_N_HIST + ALVH_SHIST_N_W2 : ALVH_SHIST_N_HIST; }

static size_t bins_per_variant(int weighted)
{
    size_t s = 0;
    for (int k = 0; k < (int)per_variant(weighted); k++)
        s += bins_of(base_hist(k));
    return s;
}

size_t alvh_shist_n_hists(const alvh_shist_acc *a) { return a->n_variants * a->per_variant; }

const alvh_histogram *alvh_shi_hist(const alvh_shist_acc *a, size_t v, int k)
{
    return &a->hist[v * a->per_variant + (size_t)k];
}

void alvh_shist_acc_free(alvh_shist_acc *a)
{
    if (!a)
        return;
    free(a->counts);
    free(a->hist);
    free(a->counters);
    free(a);
}

alvh_shist_acc *alvh_shist_acc_create(size_t nv, double capital, int weighted, alvh_error *err)
{
    if (!(capital > 0.0 && isfinite(capital))) {
        alvh_error_set(err, ALVH_E_CONFIG, "histogram summaries: capital_usd = %g, need > 0", capital);
        return NULL;
    }
    alvh_shist_acc *a = calloc(1, sizeof *a);
    if (!a) {
        alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate histogram summaries");
        return NULL;
    }
    a->n_variants = nv;
    a->capital_usd = capital;
    a->weighted = weighted != 0;
    a->per_variant = per_variant(a->weighted);
    a->n_counts = nv * bins_per_variant(a->weighted);
    a->counts = malloc(a->n_counts * sizeof *a->counts);
    a->hist = calloc(nv * a->per_variant, sizeof *a->hist);
    a->counters = calloc(nv * ALVH_SHIST_N_COUNTERS, sizeof *a->counters);
    if (!a->counts || !a->hist || !a->counters) {
        alvh_shist_acc_free(a);
        alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate histogram summaries of %zu variants", nv);
        return NULL;
    }
    uint64_t *c = a->counts;
    for (size_t v = 0; v < nv; v++)
        for (int k = 0; k < (int)a->per_variant; k++) {
            double lo, hi;
            const int b = base_hist(k);
            range_of(b, capital, &lo, &hi);
            if (alvh_hist_init(&a->hist[v * a->per_variant + (size_t)k], lo, hi, bins_of(b), c, err) != ALVH_OK) {
                alvh_shist_acc_free(a);
                return NULL;
            }
            c += bins_of(b);
        }
    return a;
}

void alvh_shist_acc_reset(alvh_shist_acc *a)
{
    for (size_t h = 0; h < alvh_shist_n_hists(a); h++)
        alvh_hist_reset(&a->hist[h]);
    memset(a->counters, 0, a->n_variants * ALVH_SHIST_N_COUNTERS * sizeof *a->counters);
}

alvh_status alvh_shist_acc_merge(alvh_shist_acc *into, const alvh_shist_acc *from, alvh_error *err)
{
    if (into->n_variants != from->n_variants || into->weighted != from->weighted)
        return alvh_error_set(err, ALVH_E_INTERNAL, "histogram summaries: merging %zu into %zu variants",
                              from->n_variants, into->n_variants);
    for (size_t h = 0; h < alvh_shist_n_hists(into); h++) {
        alvh_status st = alvh_hist_merge(&into->hist[h], &from->hist[h], err);
        if (st != ALVH_OK)
            return st;
    }
    for (size_t k = 0; k < into->n_variants * ALVH_SHIST_N_COUNTERS; k++)
        into->counters[k] += from->counters[k];
    return ALVH_OK;
}

void alvh_shist_acc_add(alvh_shist_acc *a, const double *out, size_t n)
{
    for (size_t v = 0; v < a->n_variants; v++) {
        const double *o = out + v * n * ALVH_OUT_COUNT;
        alvh_histogram *h = a->hist + v * a->per_variant;
        uint64_t *cnt = a->counters + v * ALVH_SHIST_N_COUNTERS;
        for (size_t i = 0; i < n; i++) {
            const double *row = o + i * ALVH_OUT_COUNT;
            for (int k = 0; k < ALVH_SHIST_N_HIST; k++)
                alvh_hist_add(&h[k], row[hist_col[k]]);
            if (a->weighted) { /* the LR twins, then the squared-LR ones */
                const double w = row[ALVH_OUT_LR];
                const uint64_t u = alvh_hist_weight_units(w), u2 = alvh_hist_weight_units(w * w);
                for (int k = 0; k < ALVH_SHIST_N_HIST; k++)
                    alvh_hist_add_weighted(&h[ALVH_SHIST_N_HIST + k], &row[hist_col[k]], &u, 1);
                for (int k = ALVH_SHI_W2_FINE(0); k < (int)a->per_variant; k++)
                    alvh_hist_add_weighted(&h[k], &row[hist_col[base_hist(k)]], &u2, 1);
            }
            for (int e = 0; e < ALVH_SHIST_N_EVENTS; e++) {
                double x = row[alvh_shi_event_col[e]];
                if (!isfinite(x))
                    continue;
                cnt[CNT_FINITE(e)]++;
                cnt[CNT_ABOVE(e)] += x > 0.5;
                /* counts are whole numbers >= 0 (the book increments them by 1) */
                cnt[CNT_SUM(e)] += x > 0.0 ? (uint64_t)x : 0;
            }
            for (int c = 0; c <= ALVH_OUT_TOTAL; c++)
                for (int k = 0; k < ALVH_STATS_N_THRESHOLDS; k++)
                    cnt[CNT_LOSS(c, k)] += isfinite(row[c]) && -row[c] > alvh_stats_loss_thresholds[k] * a->capital_usd;
        }
    }
}

void alvh_shist_acc_get_meta(const alvh_shist_acc *a, uint64_t *meta)
{
    for (size_t k = 0; k < alvh_shist_n_hists(a); k++) {
        const alvh_histogram *h = &a->hist[k];
        uint64_t *m = meta + k * ALVH_SHIST_META;
        m[0] = h->underflow, m[1] = h->overflow, m[2] = h->n, m[3] = h->n_nan, m[4] = h->n_inf;
        memcpy(&m[5], &h->min, 8);
        memcpy(&m[6], &h->max, 8);
    }
}

void alvh_shist_acc_set_meta(alvh_shist_acc *a, const uint64_t *meta)
{
    for (size_t k = 0; k < alvh_shist_n_hists(a); k++) {
        alvh_histogram *h = &a->hist[k];
        const uint64_t *m = meta + k * ALVH_SHIST_META;
        h->underflow = m[0], h->overflow = m[1], h->n = m[2], h->n_nan = m[3], h->n_inf = m[4];
        memcpy(&h->min, &m[5], 8);
        memcpy(&h->max, &m[6], 8);
    }
}

/* ---- block moments ------------------------------------------------------------- */

size_t alvh_shist_block_len(size_t nv, int weighted) { return nv * (VAR_LEN + (weighted ? ALVH_SHI_WVAR_LEN : 0)); }

double alvh_shi_ipow(double x, int p)
{
    double r = 1.0;
    for (int k = 0; k < p; k++)
        r *= x;
    return r;
}

void alvh_shist_block_moments(const alvh_shist_acc *a, const double *out, size_t n, const size_t *base_idx, double *row)
{
    const size_t nv = a->n_variants;
    memset(row, 0, alvh_shist_block_len(nv, a->weighted) * sizeof *row);
    if (a->weighted)
        alvh_shi_block_weighted(out, n, nv, base_idx, a->capital_usd, row + nv * VAR_LEN);
    for (size_t v = 0; v < nv; v++) {
        const size_t bv = base_idx ? base_idx[v] : 0;
        const double *base = out + bv * n * ALVH_OUT_COUNT;
        const double *o = out + v * n * ALVH_OUT_COUNT;
        double *r = row + v * VAR_LEN;
        for (int mc = 0; mc < N_MOM; mc++, r += MOM_K) {
            const int c = alvh_shi_mom_col(mc);
            alvh_ksum s1 = {0, 0};
            size_t m = 0;
            for (size_t i = 0; i < n; i++) {
                double x = o[i * ALVH_OUT_COUNT + (size_t)c];
                if (isfinite(x)) {
                    alvh_ksum_add(&s1, x);
                    m++;
                }
            }
            if (m == 0)
                continue;
            /* the block mean, as the reduction recomputes it from the stored sum */
            double mean = (s1.s + s1.c) / (double)m;
            alvh_ksum s2 = {0, 0}, s3 = {0, 0}, s4 = {0, 0};
            for (size_t i = 0; i < n; i++) {
                double x = o[i * ALVH_OUT_COUNT + (size_t)c];
                if (!isfinite(x))
                    continue;
                double d = x - mean, d2 = d * d;
                alvh_ksum_add(&s2, d2);
                alvh_ksum_add(&s3, d2 * d);
                alvh_ksum_add(&s4, d2 * d2);
            }
            r[0] = (double)m, r[1] = s1.s, r[2] = s1.c;
            r[3] = alvh_ksum_value(&s2), r[4] = alvh_ksum_value(&s3), r[5] = alvh_ksum_value(&s4);
        }
        if (bv == v)
            continue;
        /* paired with the baseline: paths where both totals are finite */
        alvh_ksum sh = {0, 0}, sb = {0, 0};
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            double h = o[i * ALVH_OUT_COUNT + ALVH_OUT_TOTAL], b = base[i * ALVH_OUT_COUNT + ALVH_OUT_TOTAL];
            if (isfinite(h) && isfinite(b)) {
                alvh_ksum_add(&sh, h);
                alvh_ksum_add(&sb, b);
                m++;
            }
        }
        if (m == 0)
            continue;
        double mh = (sh.s + sh.c) / (double)m, mb = (sb.s + sb.c) / (double)m;
        alvh_ksum cs[10];
        memset(cs, 0, sizeof cs);
        for (size_t i = 0; i < n; i++) {
            double h = o[i * ALVH_OUT_COUNT + ALVH_OUT_TOTAL], b = base[i * ALVH_OUT_COUNT + ALVH_OUT_TOTAL];
            if (!(isfinite(h) && isfinite(b)))
                continue;
            double dh = h - mh, db = b - mb;
            for (int k = 0; k < 10; k++)
                alvh_ksum_add(&cs[k], alvh_shi_ipow(dh, pair_pq[k][0]) * alvh_shi_ipow(db, pair_pq[k][1]));
        }
        r[0] = (double)m, r[1] = sh.s, r[2] = sh.c, r[3] = sb.s, r[4] = sb.c;
        for (int k = 0; k < 10; k++)
            r[5 + k] = alvh_ksum_value(&cs[k]);
    }
}

/* ---- reduction in block order -------------------------------------------------- */


alvh_shi_moments alvh_shi_reduce_col(const double *rows, size_t n_blocks, size_t stride, size_t off)
{
    alvh_shi_moments m = {0};
    alvh_ksum s = {0, 0};
    for (size_t b = 0; b < n_blocks; b++) {
        const double *r = rows + b * stride + off;
        m.n += r[0];
        alvh_ksum_add(&s, r[1]);
        alvh_ksum_add(&s, r[2]);
    }
    if (m.n == 0.0)
        return m;
    m.mean = alvh_ksum_value(&s) / m.n;
    /* each block's central sums shifted to the overall mean (binomial expansion) */
    alvh_ksum c2 = {0, 0}, c3 = {0, 0}, c4 = {0, 0};
    for (size_t b = 0; b < n_blocks; b++) {
        const double *r = rows + b * stride + off;
        if (r[0] == 0.0)
            continue;
        double d = (r[1] + r[2]) / r[0] - m.mean, d2 = d * d;
        alvh_ksum_add(&c2, r[3]);
        alvh_ksum_add(&c2, r[0] * d2);
        alvh_ksum_add(&c3, r[4]);
        alvh_ksum_add(&c3, 3.0 * d * r[3]);
        alvh_ksum_add(&c3, r[0] * d2 * d);
        alvh_ksum_add(&c4, r[5]);
        alvh_ksum_add(&c4, 4.0 * d * r[4]);
        alvh_ksum_add(&c4, 6.0 * d2 * r[3]);
        alvh_ksum_add(&c4, r[0] * d2 * d2);
    }
    m.c2 = alvh_ksum_value(&c2);
    m.c3 = alvh_ksum_value(&c3);
    m.c4 = alvh_ksum_value(&c4);
    return m;
}

/* the moments of alvh_stats_moments from the reduced sums */
static void moments_of(const alvh_shi_moments *c, alvh_moments *o)
{
    *o = (alvh_moments){.n = (size_t)c->n, .mean = NAN, .stdev = NAN, .mean_se = NAN, .skewness = NAN,
                        .excess_kurtosis = NAN, .min = NAN, .max = NAN};
    if (c->n == 0.0)
        return;
    o->mean = c->mean;
    if (c->n >= 2.0) {
        o->stdev = sqrt(c->c2 / (c->n - 1.0));
        o->mean_se = o->stdev / sqrt(c->n);
    }
    double m2 = c->c2 / c->n;
    if (m2 > 0.0) {
        o->skewness = (c->c3 / c->n) / (m2 * sqrt(m2));
        o->excess_kurtosis = (c->c4 / c->n) / (m2 * m2) - 3.0;
    }
}

double alvh_shi_binom(int n, int k)
{
    static const double t[5][5] = {{1, 0, 0, 0, 0}, {1, 1, 0, 0, 0}, {1, 2, 1, 0, 0}, {1, 3, 3, 1, 0}, {1, 4, 6, 4, 1}};
    return t[n][k];
}

typedef struct {
    double n, mh, mb, c[5][5]; /* c[p][q] = sum dh^p db^q about the overall means (p + q <= 4 as needed) */
} pair_moments;

static pair_moments reduce_pair(const double *rows, size_t n_blocks, size_t stride, size_t off)
{
    pair_moments m;
    memset(&m, 0, sizeof m);
    alvh_ksum sh = {0, 0}, sb = {0, 0};
    for (size_t b = 0; b < n_blocks; b++) {
        const double *r = rows + b * stride + off;
        m.n += r[0];
        alvh_ksum_add(&sh, r[1]);
        alvh_ksum_add(&sh, r[2]);
        alvh_ksum_add(&sb, r[3]);
        alvh_ksum_add(&sb, r[4]);
    }
    if (m.n == 0.0)
        return m;
    m.mh = alvh_ksum_value(&sh) / m.n;
    m.mb = alvh_ksum_value(&sb) / m.n;
    alvh_ksum acc[10];
    memset(acc, 0, sizeof acc);
    for (size_t b = 0; b < n_blocks; b++) {
        const double *r = rows + b * stride + off;
        if (r[0] == 0.0)
            continue;
        double bc[5][5] = {{0}}; /* the block's co-moments about its own means */
        bc[0][0] = r[0];
        for (int k = 0; k < 10; k++)
            bc[pair_pq[k][0]][pair_pq[k][1]] = r[5 + k];
        double dh = (r[1] + r[2]) / r[0] - m.mh, db = (r[3] + r[4]) / r[0] - m.mb;
        /* sum (x + dh)^p (y + db)^q = sum_kl C(p,k) C(q,l) C_kl dh^(p-k) db^(q-l) */
        for (int t = 0; t < 10; t++) {
            int p = pair_pq[t][0], q = pair_pq[t][1];
            for (int k = 0; k <= p; k++)
                for (int l = 0; l <= q; l++)
                    if (bc[k][l] != 0.0)
                        alvh_ksum_add(&acc[t], alvh_shi_binom(p, k) * alvh_shi_binom(q, l) * bc[k][l] * alvh_shi_ipow(dh, p - k) *
                                                   alvh_shi_ipow(db, q - l));
        }
    }
    for (int t = 0; t < 10; t++)
        m.c[pair_pq[t][0]][pair_pq[t][1]] = alvh_ksum_value(&acc[t]);
    return m;
}

/* ---- tables -------------------------------------------------------------------- */

void alvh_shi_put(alvh_table *t, const char *row, size_t col, double v)
{
    size_t r = alvh_table_row(t, row);
    if (r < t->rows)
        t->data[r * t->cols + col] = v;
}

void alvh_shi_pct(char *buf, size_t n, const char *prefix, double p, const char *suffix)
{
    char num[32];
    snprintf(num, sizeof num, "%.4f", 100.0 * p);
    char *e = num + strlen(num) - 1;
    while (*e == '0')
        *e-- = '\0';
    if (*e == '.')
        *e = '\0';
    snprintf(buf, n, "%s%s%s", prefix, num, suffix);
}

const char *const alvh_shi_dd_rows[3] = {"max_drawdown_q50", "max_drawdown_q95", "max_drawdown_q99"};
const char *const alvh_shi_hf_rows[3] = {"min_health_factor_q1", "min_health_factor_q5", "min_health_factor_q50"};
const double alvh_shi_p_dd[3] = {0.5, 0.95, 0.99}, alvh_shi_p_hf[3] = {0.01, 0.05, 0.5};
const char *const alvh_shi_event_names[ALVH_SHIST_N_EVENTS] = {"liquidation_perp", "liquidation_borrow", "exploit",
                                                               "stop_out", "treasury_feedback", "runway_cut", "roll"};
const char *const alvh_shi_event_means[ALVH_SHIST_N_EVENTS] = {
    "liquidations_perp_mean", "liquidations_borrow_mean", "exploits_mean", "stop_outs_mean",
    "treasury_feedbacks_mean", "runway_cuts_mean", "rolls_mean"};
const char *const alvh_shi_extra_means[3] = {"bad_debt_mean", "excess_over_cash_mean", "perp_margin_peak_mean"};

alvh_status alvh_shi_pnl_layouts(alvh_table *t, alvh_table *tb, alvh_error *err)
{
    static const char *const extra[6] = {"bin_width", "range_lo", "range_hi",
                                         "tail_bin_width", "tail_range_lo", "tail_range_hi"};
    alvh_status st = alvh_summary_pnl_layout(t, err);
    return st == ALVH_OK ? alvh_table_bound_layout(t, extra, NULL, 6, tb, err) : st;
}

alvh_status alvh_shi_risk_layouts(alvh_table *t, alvh_table *tb, alvh_error *err)
{
    static const char *const extra[3] = {"max_drawdown_bin_width", "max_drawdown_tail_bin_width",
                                         "min_health_factor_bin_width"};
    static const char *const extra_units[3] = {"USD", "USD", "1"};
    alvh_status st = alvh_summary_risk_layout(t, err);
    return st == ALVH_OK ? alvh_table_bound_layout(t, extra, extra_units, 3, tb, err) : st;
}

void alvh_shi_put_quantile(alvh_table *t, alvh_table *tb, size_t c, double p, double q, double bound)
{
    char name[ALVH_TABLE_NAME];
    alvh_shi_pct(name, sizeof name, "quantile_", p, "");
    alvh_shi_put(t, name, c, q);
    alvh_shi_put(tb, name, c, bound);
}

void alvh_shi_put_tail(alvh_table *t, alvh_table *tb, size_t c, double level, double var, double var_bound,
                       double es, double es_bound, double es_se)
{
    char name[ALVH_TABLE_NAME];
    alvh_shi_pct(name, sizeof name, "var_", level, "");
    alvh_shi_put(t, name, c, var);
    alvh_shi_put(tb, name, c, var_bound);
    alvh_shi_pct(name, sizeof name, "es_", level, "");
    alvh_shi_put(t, name, c, es);
    alvh_shi_put(tb, name, c, es_bound);
    alvh_shi_pct(name, sizeof name, "es_", level, "_se");
    alvh_shi_put(t, name, c, es_se);
    alvh_shi_put(tb, name, c, NAN); /* an estimate of a standard error: no bound */
}

void alvh_shi_put_loss_prob(alvh_table *t, size_t c, double threshold, double p, double lo, double hi)
{
    char name[ALVH_TABLE_NAME];
    alvh_shi_pct(name, sizeof name, "p_loss_gt_", threshold, "pct");
    alvh_shi_put(t, name, c, p);
    alvh_shi_pct(name, sizeof name, "p_loss_gt_", threshold, "pct_lo95");
    alvh_shi_put(t, name, c, lo);
    alvh_shi_pct(name, sizeof name, "p_loss_gt_", threshold, "pct_hi95");
    alvh_shi_put(t, name, c, hi);
}

void alvh_shi_put_event_prob(alvh_table *t, int e, double p, double lo, double hi)
{
    char name[ALVH_TABLE_NAME];
    snprintf(name, sizeof name, "p_%s", alvh_shi_event_names[e]);
    alvh_shi_put(t, name, 0, p);
    snprintf(name, sizeof name, "p_%s_lo95", alvh_shi_event_names[e]);
    alvh_shi_put(t, name, 0, lo);
    snprintf(name, sizeof name, "p_%s_hi95", alvh_shi_event_names[e]);
    alvh_shi_put(t, name, 0, hi);
}

void alvh_shi_put_pnl_widths(alvh_table *tb, size_t c, const alvh_histogram *h, const alvh_histogram *ht)
{
    alvh_shi_put(tb, "bin_width", c, alvh_shi_bin_width(h));
    alvh_shi_put(tb, "range_lo", c, h->lo);
    alvh_shi_put(tb, "range_hi", c, h->hi);
    alvh_shi_put(tb, "tail_bin_width", c, alvh_shi_bin_width(ht));
    alvh_shi_put(tb, "tail_range_lo", c, ht->lo);
    alvh_shi_put(tb, "tail_range_hi", c, ht->hi);
}

void alvh_shi_put_risk_widths(alvh_table *tb, const alvh_histogram *dd, const alvh_histogram *ddt,
                              const alvh_histogram *hf)
{
    alvh_shi_put(tb, "max_drawdown_bin_width", 0, alvh_shi_bin_width(dd));
    alvh_shi_put(tb, "max_drawdown_tail_bin_width", 0, alvh_shi_bin_width(ddt));
    alvh_shi_put(tb, "min_health_factor_bin_width", 0, alvh_shi_bin_width(hf));
}

/* ES standard error from the histogram (Manistre-Hancock form, as the exact
 * one, with the tail variance from the evenly-spread model) */
static alvh_status es_se_of(const alvh_histogram *h, double level, double var, double es, double *se,
                            alvh_error *err)
{
    size_t k = alvh_stats_tail_count((size_t)h->n, level);
    double ss = 0.0;
    alvh_status st = alvh_hist_tail_sumsq(h, level, 0, -es, &ss, err); /* loss - ES = -(pnl + ES) */
    if (st != ALVH_OK)
        return st;
    double var_tail = k > 1 ? fmax(ss, 0.0) / (double)(k - 1) : 0.0, gap = es - var;
    *se = sqrt((var_tail + level * gap * gap) / ((double)h->n * (1.0 - level)));
    return ALVH_OK;
}

double alvh_shi_bin_width(const alvh_histogram *h) { return (h->hi - h->lo) / (double)h->n_bins; }

/* the estimate of the fine or the tail histogram (NULL: none), whichever has
 * the tighter bound (the fine one on ties) */
static alvh_status best_quantile(const alvh_histogram *f, const alvh_histogram *t, double p, double *q, double *bd,
                                 alvh_error *err)
{
    alvh_status st = alvh_hist_quantile(f, p, q, bd, err);
    double q2, b2;
    if (st == ALVH_OK && t && (st = alvh_hist_quantile(t, p, &q2, &b2, err)) == ALVH_OK && b2 < *bd)
        *q = q2, *bd = b2;
    return st;
}

typedef struct {
    double var, var_bound, es, es_bound, es_se;
} tail_est;

/* loss VaR and ES, each from the histogram with the tighter bound; the ES
 * standard error from the histogram the ES came from */
static alvh_status best_tail(const alvh_histogram *f, const alvh_histogram *t, double level, tail_est *o,
                             alvh_error *err)
{
    alvh_status st = alvh_hist_loss_tail_risk(f, level, &o->var, &o->var_bound, &o->es, &o->es_bound, err);
    const alvh_histogram *es_from = f;
    tail_est w;
    if (st == ALVH_OK && t &&
        (st = alvh_hist_loss_tail_risk(t, level, &w.var, &w.var_bound, &w.es, &w.es_bound, err)) == ALVH_OK) {
        if (w.var_bound < o->var_bound)
            o->var = w.var, o->var_bound = w.var_bound;
        if (w.es_bound < o->es_bound)
            o->es = w.es, o->es_bound = w.es_bound, es_from = t;
    }
    o->es += 0.0; /* -0 -> +0, as the exact sum of a zero tail */
    if (st == ALVH_OK)
        st = es_se_of(es_from, level, o->var, o->es, &o->es_se, err);
    return st;
}

static alvh_status pnl_tables(const alvh_shist_acc *a, size_t v, const double *rows, size_t n_blocks,
                              alvh_table *t, alvh_table *tb, alvh_error *err)
{
    alvh_status st = alvh_shi_pnl_layouts(t, tb, err);
    const size_t stride = alvh_shist_block_len(a->n_variants, a->weighted);
    const uint64_t *cnt = a->counters + v * ALVH_SHIST_N_COUNTERS;
    for (size_t c = 0; st == ALVH_OK && c <= ALVH_OUT_TOTAL; c++) {
        const alvh_histogram *h = alvh_shi_hist(a, v, c);
        const alvh_histogram *ht = alvh_shi_hist(a, v, ALVH_SHIST_TAIL + c);
        alvh_shi_moments cm = alvh_shi_reduce_col(rows, n_blocks, stride, v * VAR_LEN + c * MOM_K);
        alvh_moments mo;
        moments_of(&cm, &mo);
        alvh_shi_put(t, "n", c, (double)h->n);
        alvh_shi_put(t, "n_nan", c, (double)h->n_nan);
        alvh_shi_put(t, "n_inf", c, (double)h->n_inf);
        alvh_shi_put(t, "mean", c, mo.mean);
        alvh_shi_put(t, "stdev", c, mo.stdev);
        alvh_shi_put(t, "mean_se", c, mo.mean_se);
        alvh_shi_put(t, "skewness", c, mo.skewness);
        alvh_shi_put(t, "excess_kurtosis", c, mo.excess_kurtosis);
        for (int k = 0; st == ALVH_OK && k < ALVH_STATS_N_PROBS; k++) {
            double q, bd;
            st = best_quantile(h, ht, alvh_stats_probs[k], &q, &bd, err);
            alvh_shi_put_quantile(t, tb, c, alvh_stats_probs[k], q, bd);
        }
        for (int k = 0; st == ALVH_OK && k < ALVH_STATS_N_LEVELS; k++) {
            tail_est te = {NAN, NAN, NAN, NAN, NAN};
            st = best_tail(h, ht, alvh_stats_levels[k], &te, err);
            alvh_shi_put_tail(t, tb, c, alvh_stats_levels[k], te.var, te.var_bound, te.es, te.es_bound, te.es_se);
        }
        for (int k = 0; st == ALVH_OK && k < ALVH_STATS_N_THRESHOLDS; k++) {
            alvh_proportion pr;
            st = alvh_stats_wilson(cnt[CNT_LOSS(c, k)], h->n, ALVH_STATS_Z95, &pr, err);
            if (st == ALVH_OK)
                alvh_shi_put_loss_prob(t, c, alvh_stats_loss_thresholds[k], pr.p_hat, pr.lo, pr.hi);
        }
        alvh_shi_put_pnl_widths(tb, c, h, ht);
    }
    return st;
}

static alvh_status risk_tables(const alvh_shist_acc *a, size_t v, const double *rows, size_t n_blocks,
                               alvh_table *t, alvh_table *tb, alvh_error *err)
{
    alvh_status st = alvh_shi_risk_layouts(t, tb, err);
    if (st != ALVH_OK)
        return st;
    const alvh_histogram *dd = alvh_shi_hist(a, v, ALVH_SHIST_MAX_DD);
    const alvh_histogram *ddt = alvh_shi_hist(a, v, ALVH_SHIST_TAIL + ALVH_OUT_MAX_DD);
    const alvh_histogram *hf = alvh_shi_hist(a, v, ALVH_SHIST_MIN_HF);
    alvh_shi_moments cm = alvh_shi_reduce_col(rows, n_blocks, alvh_shist_block_len(a->n_variants, a->weighted),
                                v * VAR_LEN + ALVH_OUT_MAX_DD * MOM_K);
    if (cm.n == 0.0)
        return alvh_error_set(err, ALVH_E_NUMERIC, "histogram summaries: no finite max drawdown");
    alvh_shi_put(t, "max_drawdown_mean", 0, cm.mean);
    for (int k = 0; st == ALVH_OK && k < 3; k++) {
        double q, bd;
        st = best_quantile(dd, ddt, alvh_shi_p_dd[k], &q, &bd, err);
        alvh_shi_put(t, alvh_shi_dd_rows[k], 0, q);
        alvh_shi_put(tb, alvh_shi_dd_rows[k], 0, bd);
        /* infinite where a variant never borrows: no finite value, as exact mode */
        if (st == ALVH_OK && hf->n > 0)
            st = alvh_hist_quantile(hf, alvh_shi_p_hf[k], &q, &bd, err);
        else
            q = INFINITY, bd = 0.0;
        alvh_shi_put(t, alvh_shi_hf_rows[k], 0, q);
        alvh_shi_put(tb, alvh_shi_hf_rows[k], 0, bd);
    }
    const uint64_t *cnt = a->counters + v * ALVH_SHIST_N_COUNTERS;
    for (int e = 0; st == ALVH_OK && e < ALVH_SHIST_N_EVENTS; e++) {
        if (cnt[CNT_FINITE(e)] == 0)
            return alvh_error_set(err, ALVH_E_NUMERIC, "histogram summaries: no finite %s count",
                                  alvh_shi_event_names[e]);
        alvh_shi_put(t, alvh_shi_event_means[e], 0, (double)cnt[CNT_SUM(e)] / (double)cnt[CNT_FINITE(e)]);
        if (e == ALVH_SHIST_N_EVENTS - 1)
            break; /* rolls: a mean only */
        alvh_proportion pr;
        st = alvh_stats_wilson(cnt[CNT_ABOVE(e)], cnt[CNT_FINITE(e)], ALVH_STATS_Z95, &pr, err);
        alvh_shi_put_event_prob(t, e, pr.p_hat, pr.lo, pr.hi);
    }
    for (int k = 0; st == ALVH_OK && k < 3; k++) {
        alvh_shi_moments em = alvh_shi_reduce_col(rows, n_blocks, alvh_shist_block_len(a->n_variants, a->weighted),
                                                  v * VAR_LEN + (N_MOM_PNL_DD + k) * MOM_K);
        alvh_shi_put(t, alvh_shi_extra_means[k], 0, em.n > 0.0 ? em.mean : NAN);
    }
    alvh_shi_put_risk_widths(tb, dd, ddt, hf);
    return st;
}

/* largest |ratio - estimate| over the box [h +- bh] x [b +- bb] (b > bb) */
double alvh_shi_ratio_bound(double h, double bh, double b, double bb)
{
    if (!(b - bb > 0.0))
        return INFINITY;
    double r = h / b, w = 0.0;
    for (int i = -1; i <= 1; i += 2)
        for (int j = -1; j <= 1; j += 2)
            w = fmax(w, fabs((h + i * bh) / (b + j * bb) - r));
    return w;
}

static alvh_status eff_tables(const alvh_shist_acc *a, size_t v, size_t bv, const double *rows, size_t n_blocks,
                              alvh_table *t, alvh_table *tb, alvh_error *err)
{
    alvh_status st = alvh_summary_effectiveness_layout(t, err);
    if (st == ALVH_OK)
        st = alvh_table_bound_layout(t, NULL, NULL, 0, tb, err);
    if (st != ALVH_OK)
        return st;
    pair_moments pm = reduce_pair(rows, n_blocks, alvh_shist_block_len(a->n_variants, a->weighted), v * VAR_LEN + N_MOM * MOM_K);
    if (pm.n < 2.0)
        return alvh_error_set(err, ALVH_E_NUMERIC,
                              "hedge effectiveness: %.0f paired finite paths, need at least 2", pm.n);
    /* variance ratio and its paired delta-method SE (engine/hedge_eff.c):
     * psi_i = (dh_i^2 - r db_i^2) / var_b up to a constant */
    double n = pm.n, vh = pm.c[2][0] / (n - 1.0), vb = pm.c[0][2] / (n - 1.0);
    double var_red = NAN, se = NAN, se_un = NAN;
    if (vb > 0.0) {
        double r = vh / vb;
        double su = (pm.c[4][0] - pm.c[2][0] * pm.c[2][0] / n) / (vb * vb);
        double sw = r * r * (pm.c[0][4] - pm.c[0][2] * pm.c[0][2] / n) / (vb * vb);
        double dpsi = pm.c[2][0] - r * pm.c[0][2];
        double spsi = (pm.c[4][0] - 2.0 * r * pm.c[2][2] + r * r * pm.c[0][4] - dpsi * dpsi / n) / (vb * vb);
        var_red = 1.0 - r;
        se = sqrt(fmax(spsi, 0.0) / (n - 1.0) / n);
        se_un = sqrt((fmax(su, 0.0) + fmax(sw, 0.0)) / (n - 1.0) / n);
    }
    alvh_shi_put(t, "var_total", 0, vh);
    alvh_shi_put(t, "var_baseline", 0, vb);
    alvh_shi_put(t, "var_reduction", 0, var_red);
    alvh_shi_put(t, "var_reduction_se", 0, se);
    alvh_shi_put(t, "var_reduction_se_unpaired", 0, se_un);
    /* ES99 from each variant's histogram of the total P&L */
    const alvh_histogram *hh = alvh_shi_hist(a, v, ALVH_OUT_TOTAL);
    const alvh_histogram *hht = alvh_shi_hist(a, v, ALVH_SHIST_TAIL + ALVH_OUT_TOTAL);
    const alvh_histogram *hb = alvh_shi_hist(a, bv, ALVH_OUT_TOTAL);
    const alvh_histogram *hbt = alvh_shi_hist(a, bv, ALVH_SHIST_TAIL + ALVH_OUT_TOTAL);
    tail_est th, tbs;
    st = best_tail(hh, hht, 0.99, &th, err);
    if (st == ALVH_OK)
        st = best_tail(hb, hbt, 0.99, &tbs, err);
    if (st != ALVH_OK)
        return st;
    double es_h = th.es, es_b = tbs.es, bh = th.es_bound, bb = tbs.es_bound, se_h = th.es_se, se_b = tbs.es_se;
    double es_red = NAN, es_red_b = NAN, es_se_un = NAN;
    if (es_b > 0.0) {
        double r = es_h / es_b;
        es_red = 1.0 - r;
        es_red_b = alvh_shi_ratio_bound(es_h, bh, es_b, bb);
        /* independent samples: Var(IF)/n of each ES is its squared SE */
        es_se_un = sqrt(se_h * se_h + r * r * se_b * se_b) / es_b;
    }
    alvh_shi_put(t, "es99_total", 0, es_h);
    alvh_shi_put(t, "es99_baseline", 0, es_b);
    alvh_shi_put(t, "es99_reduction", 0, es_red);
    alvh_shi_put(t, "es99_reduction_se", 0, NAN); /* needs per-path values */
    alvh_shi_put(t, "es99_reduction_se_unpaired", 0, es_se_un);
    alvh_shi_put(tb, "es99_total", 0, bh);
    alvh_shi_put(tb, "es99_baseline", 0, bb);
    alvh_shi_put(tb, "es99_reduction", 0, es_red_b);
    alvh_shi_put(tb, "es99_reduction_se", 0, NAN);
    alvh_shi_put(tb, "es99_reduction_se_unpaired", 0, NAN);
    return ALVH_OK;
}

alvh_status alvh_shist_tables_compute(const alvh_shist_acc *a, const double *rows, size_t n_blocks,
                                      const size_t *base, alvh_shist_tables *t, alvh_error *err)
{
    if (a->weighted)
        return alvh_shi_weighted_tables(a, rows, n_blocks, base, t, err);
    alvh_status st = ALVH_OK;
    for (size_t v = 0; st == ALVH_OK && v < a->n_variants; v++) {
        st = pnl_tables(a, v, rows, n_blocks, &t->pnl[v], &t->pnl_bound[v], err);
        if (st == ALVH_OK)
            st = risk_tables(a, v, rows, n_blocks, &t->risk[v], &t->risk_bound[v], err);
        size_t bv = base ? base[v] : 0;
        if (st == ALVH_OK && bv != v)
            st = eff_tables(a, v, bv, rows, n_blocks, &t->eff[v], &t->eff_bound[v], err);
    }
    return st;
}

/* The bins of alvh_shist_total_hist laid out on h (the path counts), the sums
 * taken from src (h itself, or its LR or squared-LR twin: same values). */
static void total_hist_of(const alvh_histogram *h, const alvh_histogram *src, size_t n_bins, uint64_t *counts,
                          double *edges, uint64_t *n_nonfinite)
{
    const size_t nf = h->n_bins;
    memset(counts, 0, n_bins * sizeof *counts);
    *n_nonfinite = h->n_nan + h->n_inf;
    if (h->n == 0) {
        for (size_t k = 0; k <= n_bins; k++)
            edges[k] = alvh_hist_edge(h, k * (nf / n_bins));
        return;
    }
    /* fine bins [j0, j1) hold every value inside the range */
    size_t j0 = 0, j1 = nf;
    if (h->min >= h->lo)
        while (j0 + 1 < nf && alvh_hist_edge(h, j0 + 1) <= h->min)
            j0++;
    if (h->max < h->hi)
        while (j1 > j0 + 1 && alvh_hist_edge(h, j1 - 1) > h->max)
            j1--;
    size_t g = (j1 - j0 + n_bins - 1) / n_bins; /* fine bins per bin */
    if (j0 > nf - n_bins * g)
        j0 = nf - n_bins * g;
    for (size_t k = 0; k <= n_bins; k++)
        edges[k] = alvh_hist_edge(h, j0 + k * g);
    for (size_t j = j0; j < j0 + n_bins * g; j++)
        counts[(j - j0) / g] += src->counts[j];
    /* values outside the fixed range: the outer bins reach the exact extremes */
    if (h->underflow) {
        edges[0] = h->min;
        counts[0] += src->underflow;
    }
    if (h->overflow) {
        edges[n_bins] = nextafter(h->max, INFINITY);
        counts[n_bins - 1] += src->overflow;
    }
}

void alvh_shist_total_hist(const alvh_shist_acc *a, size_t v, size_t n_bins, uint64_t *counts, double *edges,
                           uint64_t *n_nonfinite)
{
    const alvh_histogram *h = alvh_shi_hist(a, v, ALVH_OUT_TOTAL);
    total_hist_of(h, h, n_bins, counts, edges, n_nonfinite);
}

static void total_hist_range_of(const alvh_histogram *h, const alvh_histogram *src, size_t n_bins, double lo,
                                double hi, uint64_t *counts, double *edges, uint64_t *n_nonfinite, uint64_t *under,
                                uint64_t *over)
{
    const size_t nf = h->n_bins;
    *under = *over = 0;
    lo = fmax(lo, h->min);
    hi = fmin(hi, h->max);
    if (!(lo < hi) || !isfinite(lo) || !isfinite(hi) || h->n == 0 || lo >= h->hi || hi < h->lo || n_bins > nf) {
        total_hist_of(h, src, n_bins, counts, edges, n_nonfinite);
        return;
    }
    /* fine bins [j0, j1) hold [lo, hi] */
    size_t j0 = 0, j1 = nf;
    while (j0 + 1 < nf && alvh_hist_edge(h, j0 + 1) <= lo)
        j0++;
    while (j1 > j0 + 1 && alvh_hist_edge(h, j1 - 1) > hi)
        j1--;
    size_t g = (j1 - j0 + n_bins - 1) / n_bins; /* fine bins per bin */
    if (j0 > nf - n_bins * g)
        j0 = nf - n_bins * g;
    const size_t jend = j0 + n_bins * g;
    *n_nonfinite = h->n_nan + h->n_inf;
    memset(counts, 0, n_bins * sizeof *counts);
    for (size_t k = 0; k <= n_bins; k++)
        edges[k] = alvh_hist_edge(h, j0 + k * g);
    *under = src->underflow;
    *over = src->overflow;
    for (size_t j = 0; j < nf; j++) {
        if (j < j0)
            *under += src->counts[j];
        else if (j >= jend)
            *over += src->counts[j];
        else
            counts[(j - j0) / g] += src->counts[j];
    }
}

void alvh_shist_total_hist_range(const alvh_shist_acc *a, size_t v, size_t n_bins, double lo, double hi,
                                 uint64_t *counts, double *edges, uint64_t *n_nonfinite, uint64_t *under,
                                 uint64_t *over)
{
    const alvh_histogram *h = alvh_shi_hist(a, v, ALVH_OUT_TOTAL);
    total_hist_range_of(h, h, n_bins, lo, hi, counts, edges, n_nonfinite, under, over);
}

alvh_status alvh_shist_total_weights_range(const alvh_shist_acc *a, size_t v, size_t n_bins, double lo, double hi,
                                           double *weights, double *weights_sq, double *outside_w, alvh_error *err)
{
    const alvh_histogram *h = alvh_shi_hist(a, v, ALVH_OUT_TOTAL);
    const double unit = 1.0 / (double)(UINT64_C(1) << ALVH_HIST_WEIGHT_BITS);
    uint64_t *u = malloc((n_bins ? n_bins : 1) * sizeof *u);
    double *edges = malloc((n_bins + 1) * sizeof *edges);
    uint64_t nonfinite, under, over;
    alvh_status st = ALVH_OK;
    if (!u || !edges) {
        st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate the weighted P&L histogram (%zu bins)", n_bins);
    } else {
        for (int pass = 0; pass < 2; pass++) {
            const alvh_histogram *src = alvh_shi_hist(a, v, pass ? ALVH_SHI_W2_FINE(ALVH_OUT_TOTAL) : ALVH_SHIST_N_HIST + ALVH_OUT_TOTAL);
            memset(u, 0, n_bins * sizeof *u);
            total_hist_range_of(h, src, n_bins, lo, hi, u, edges, &nonfinite, &under, &over);
            for (size_t k = 0; k < n_bins; k++)
                (pass ? weights_sq : weights)[k] = (double)u[k] * unit;
            if (!pass)
                outside_w[0] = (double)under * unit, outside_w[1] = (double)over * unit;
        }
    }
    free(u);
    free(edges);
    return st;
}
