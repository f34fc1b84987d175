/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Histogram-mode summaries under an importance-sampling tilt: the weighted
 * block rows and the weighted tables (summary_hist.h; definitions in
 * docs/statistics.md, "Histogram summaries under a tilt"). Each estimator is
 * the one exact mode computes from per-path (x, w) (engine/wstats.h,
 * engine/hedge_eff.c, engine/weighted_risk.c), normalized by the path count:
 * moments from block sums reduced in block order, quantiles, VaR and ES from
 * the LR-unit histograms with their bounds, ES standard errors from the
 * squared-LR histograms.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ksum.h"
#include "engine/stats.h"
#include "engine/summary_hist_internal.h"
#include "engine/weighted_risk.h"

enum { MOM_K = ALVH_SHI_MOM_K, N_MOM = ALVH_SHI_N_MOM };
/* the pair row: m, W, sum w h hi/lo, sum w b hi/lo, S1_20, S1_02, then S2_kl below */
enum { P_M, P_W, P_H, P_HL, P_B, P_BL, P_S20, P_S02, P_S2 };
static const int s2_kl[13][2] = {{0, 0}, {1, 0}, {2, 0}, {3, 0}, {4, 0}, {0, 1}, {0, 2},
                                 {0, 3}, {0, 4}, {1, 1}, {1, 2}, {2, 1}, {2, 2}};
_Static_assert(P_S2 + 13 == ALVH_SHI_WPAIR, "the pair row holds the 13 squared-weight sums");
/* the counters */
#define C_W 0
#define C_W2 1
#define C_EV(e, k) (2 + 3 * (e) + (k)) /* k: 0 sum w 1, 1 sum w^2 1, 2 sum w x */
#define C_LOSS(c, t, k) (2 + 3 * ALVH_SHIST_N_EVENTS + ((c) * ALVH_STATS_N_THRESHOLDS + (t)) * 2 + (k))

static double unit_of(void) { return 1.0 / (double)(UINT64_C(1) << ALVH_HIST_WEIGHT_BITS); }

/* ---- block rows ---------------------------------------------------------------- */

/* Column c of n outcome rows: r = the w-weighted sums (W, sum w x hi/lo, central
 * C2..C4 about the block's weighted mean), ry = the plain sums of y = w x. */
static void wcol_block(const double *o, size_t n, int c, double *r, double *ry)
{
    alvh_ksum sw = {0, 0}, swx = {0, 0};
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const double x = o[i * ALVH_OUT_COUNT + (size_t)c], w = o[i * ALVH_OUT_COUNT + ALVH_OUT_LR];
        if (isfinite(x) && isfinite(w)) {
            alvh_ksum_add(&sw, w);
            alvh_ksum_add(&swx, w * x);
            m++;
        }
    }
    if (m == 0)
        return;
    const double W = alvh_ksum_value(&sw), mean = (swx.s + swx.c) / W, my = (swx.s + swx.c) / (double)m;
    alvh_ksum s[3] = {{0, 0}, {0, 0}, {0, 0}}, sy[3] = {{0, 0}, {0, 0}, {0, 0}};
    for (size_t i = 0; i < n; i++) {
        const double x = o[i * ALVH_OUT_COUNT + (size_t)c], w = o[i * ALVH_OUT_COUNT + ALVH_OUT_LR];
        if (!(isfinite(x) && isfinite(w)))
            continue;
        const double d = x - mean, e = w * x - my;
        alvh_ksum_add(&s[0], w * d * d), alvh_ksum_add(&s[1], w * d * d * d), alvh_ksum_add(&s[2], w * d * d * d * d);
        alvh_ksum_add(&sy[0], e * e), alvh_ksum_add(&sy[1], e * e * e), alvh_ksum_add(&sy[2], e * e * e * e);
    }
    r[0] = W, r[1] = swx.s, r[2] = swx.c;
    ry[0] = (double)m, ry[1] = swx.s, ry[2] = swx.c;
    for (int k = 0; k < 3; k++)
        r[3 + k] = alvh_ksum_value(&s[k]), ry[3 + k] = alvh_ksum_value(&sy[k]);
}

/* The variant's total h paired with the baseline's b on the paths where both are finite. */
static void wpair_block(const double *o, const double *base, size_t n, double *r)
{
    alvh_ksum sw = {0, 0}, sh = {0, 0}, sb = {0, 0};
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const double h = o[i * ALVH_OUT_COUNT + ALVH_OUT_TOTAL], b = base[i * ALVH_OUT_COUNT + ALVH_OUT_TOTAL];
        const double w = o[i * ALVH_OUT_COUNT + ALVH_OUT_LR];
        if (isfinite(h) && isfinite(b) && isfinite(w)) {
            alvh_ksum_add(&sw, w), alvh_ksum_add(&sh, w * h), alvh_ksum_add(&sb, w * b);
            m++;
        }
    }
    if (m == 0)
        return;
    const double W = alvh_ksum_value(&sw), mh = (sh.s + sh.c) / W, mb = (sb.s + sb.c) / W;
    alvh_ksum s1[2], s2[13];
    memset(s1, 0, sizeof s1), memset(s2, 0, sizeof s2);
    for (size_t i = 0; i < n; i++) {
        const double h = o[i * ALVH_OUT_COUNT + ALVH_OUT_TOTAL], b = base[i * ALVH_OUT_COUNT + ALVH_OUT_TOTAL];
        const double w = o[i * ALVH_OUT_COUNT + ALVH_OUT_LR];
        if (!(isfinite(h) && isfinite(b) && isfinite(w)))
            continue;
        const double dh = h - mh, db = b - mb;
        alvh_ksum_add(&s1[0], w * dh * dh), alvh_ksum_add(&s1[1], w * db * db);
        for (int k = 0; k < 13; k++)
            alvh_ksum_add(&s2[k], w * w * alvh_shi_ipow(dh, s2_kl[k][0]) * alvh_shi_ipow(db, s2_kl[k][1]));
    }
    r[P_M] = (double)m, r[P_W] = W, r[P_H] = sh.s, r[P_HL] = sh.c, r[P_B] = sb.s, r[P_BL] = sb.c;
    r[P_S20] = alvh_ksum_value(&s1[0]), r[P_S02] = alvh_ksum_value(&s1[1]);
    for (int k = 0; k < 13; k++)
        r[P_S2 + k] = alvh_ksum_value(&s2[k]);
}

/* The sums of w and w^2 behind the probabilities and event means (in path order). */
static void wcount_block(const double *o, size_t n, double capital, double *r)
{
    for (size_t i = 0; i < n; i++) {
        const double *row = o + i * ALVH_OUT_COUNT, w = row[ALVH_OUT_LR];
        if (!isfinite(w))
            continue;
        if (isfinite(row[ALVH_OUT_TOTAL]))
            r[C_W] += w, r[C_W2] += w * w;
        for (int e = 0; e < ALVH_SHIST_N_EVENTS; e++) {
            const double x = row[alvh_shi_event_col[e]];
            if (!isfinite(x))
                continue;
            if (x > 0.5)
                r[C_EV(e, 0)] += w, r[C_EV(e, 1)] += w * w;
            r[C_EV(e, 2)] += w * x;
        }
        for (int c = 0; c <= ALVH_OUT_TOTAL; c++)
            for (int t = 0; t < ALVH_STATS_N_THRESHOLDS; t++)
                if (isfinite(row[c]) && -row[c] > alvh_stats_loss_thresholds[t] * capital)
                    r[C_LOSS(c, t, 0)] += w, r[C_LOSS(c, t, 1)] += w * w;
    }
}

void alvh_shi_block_weighted(const double *out, size_t n, size_t nv, const size_t *base_idx, double capital_usd,
                             double *wrow)
{
    for (size_t v = 0; v < nv; v++) {
        const size_t bv = base_idx ? base_idx[v] : 0;
        const double *o = out + v * n * ALVH_OUT_COUNT;
        double *r = wrow + v * ALVH_SHI_WVAR_LEN;
        for (int mc = 0; mc < N_MOM; mc++)
            wcol_block(o, n, alvh_shi_mom_col(mc), r + mc * 2 * MOM_K, r + mc * 2 * MOM_K + MOM_K);
        if (bv != v)
            wpair_block(o, out + bv * n * ALVH_OUT_COUNT, n, r + ALVH_SHI_WOFF_PAIR);
        wcount_block(o, n, capital_usd, r + ALVH_SHI_WOFF_CNT);
    }
}

/* ---- reduction ----------------------------------------------------------------- */

/* The weighted pair sums over all blocks about the overall weighted means:
 * s1[p][q] = sum w dh^p db^q, s2[p][q] = sum w^2 dh^p db^q (the entries used). */
typedef struct {
    double m, W, mh, mb, s1[3][3], s2[5][5];
} wpair;

static wpair reduce_wpair(const double *rows, size_t n_blocks, size_t stride, size_t off)
{
    wpair p;
    memset(&p, 0, sizeof p);
    alvh_ksum sw = {0, 0}, sh = {0, 0}, sb = {0, 0};
    for (size_t b = 0; b < n_blocks; b++) {
        const double *r = rows + b * stride + off;
        p.m += r[P_M];
        alvh_ksum_add(&sw, r[P_W]);
        alvh_ksum_add(&sh, r[P_H]), alvh_ksum_add(&sh, r[P_HL]);
        alvh_ksum_add(&sb, r[P_B]), alvh_ksum_add(&sb, r[P_BL]);
    }
    p.W = alvh_ksum_value(&sw);
    if (p.m == 0.0 || !(p.W > 0.0))
        return p;
    p.mh = alvh_ksum_value(&sh) / p.W, p.mb = alvh_ksum_value(&sb) / p.W;
    /* targets: s1 20, 02; s2 00, 20, 02, 40, 22, 04 */
    static const int t2[6][2] = {{0, 0}, {2, 0}, {0, 2}, {4, 0}, {2, 2}, {0, 4}};
    alvh_ksum a1[2], a2[6];
    memset(a1, 0, sizeof a1), memset(a2, 0, sizeof a2);
    for (size_t b = 0; b < n_blocks; b++) {
        const double *r = rows + b * stride + off;
        if (r[P_M] == 0.0)
            continue;
        const double dh = (r[P_H] + r[P_HL]) / r[P_W] - p.mh, db = (r[P_B] + r[P_BL]) / r[P_W] - p.mb;
        /* about the block's weighted means the first w-moments vanish */
        alvh_ksum_add(&a1[0], r[P_S20]), alvh_ksum_add(&a1[0], r[P_W] * dh * dh);
        alvh_ksum_add(&a1[1], r[P_S02]), alvh_ksum_add(&a1[1], r[P_W] * db * db);
        double bc[5][5] = {{0}};
        for (int k = 0; k < 13; k++)
            bc[s2_kl[k][0]][s2_kl[k][1]] = r[P_S2 + k];
        /* sum w^2 (x + dh)^p (y + db)^q = sum_kl C(p,k) C(q,l) S2_kl dh^(p-k) db^(q-l) */
        for (int t = 0; t < 6; t++) {
            const int pp = t2[t][0], qq = t2[t][1];
            for (int k = 0; k <= pp; k++)
                for (int l = 0; l <= qq; l++)
                    if (bc[k][l] != 0.0)
                        alvh_ksum_add(&a2[t], alvh_shi_binom(pp, k) * alvh_shi_binom(qq, l) * bc[k][l] *
                                                  alvh_shi_ipow(dh, pp - k) * alvh_shi_ipow(db, qq - l));
        }
    }
    p.s1[2][0] = alvh_ksum_value(&a1[0]), p.s1[0][2] = alvh_ksum_value(&a1[1]);
    for (int t = 0; t < 6; t++)
        p.s2[t2[t][0]][t2[t][1]] = alvh_ksum_value(&a2[t]);
    return p;
}

/* the counter j of variant v summed over the blocks in block order */
static double reduce_count(const double *rows, size_t n_blocks, size_t stride, size_t off, int j)
{
    alvh_ksum s = {0, 0};
    for (size_t b = 0; b < n_blocks; b++)
        alvh_ksum_add(&s, rows[b * stride + off + (size_t)j]);
    return alvh_ksum_value(&s);
}

/* mean and SE of t_i over m paths from sum t and sum t^2 (sample sd, as alvh_wstats_mean_se) */
static void mean_se_of(double st, double st2, double m, double *mean, double *se)
{
    *mean = m > 0.0 ? st / m : NAN;
    *se = m >= 2.0 ? sqrt(fmax(st2 - m * *mean * *mean, 0.0) / (m - 1.0) / m) : 0.0;
}

/* ---- estimates from the LR histograms ------------------------------------------ */

/* sum over P&L x < cut of w^2 (cut - x)^2 from a squared-LR histogram, its
 * weight spread evenly over each segment's part inside [min, max] (the model
 * of engine/histogram.h), in LR^2 */
static double w2_excess_sq(const alvh_histogram *h2, double cut)
{
    if (h2->n == 0)
        return 0.0;
    double s = 0.0;
    const size_t nb = h2->n_bins;
    for (size_t j = 0; j <= nb + 1; j++) { /* j = 0: underflow [min, lo); 1..nb: bins; nb + 1: overflow [hi, max] */
        uint64_t u = j == 0 ? h2->underflow : j <= nb ? h2->counts[j - 1] : h2->overflow;
        if (u == 0)
            continue;
        double a = j == 0 ? h2->min : j <= nb ? alvh_hist_edge(h2, j - 1) : h2->hi;
        double b = j == 0 ? h2->lo : j <= nb ? alvh_hist_edge(h2, j) : h2->max;
        a = fmax(a, h2->min), b = fmin(b, h2->max);
        if (!(a < cut))
            continue;
        const double width = b - a, hi = fmin(b, cut);
        /* the mean of (cut - x)^2 over x uniform on [a, b], times the share of [a, b] below cut */
        const double part = width > 0.0 ? (pow(cut - a, 3) - pow(cut - hi, 3)) / (3.0 * width) : (cut - a) * (cut - a);
        s += (double)u * part;
    }
    return s * unit_of();
}

typedef struct {
    double var, var_bound, es, es_bound, es_se;
} wtail;

/* loss VaR and ES at level a from the LR twins of the fine and the tail
 * histogram of column c, each from the one with the tighter bound; the ES SE
 * from the squared-LR twin of the histogram the ES came from, the tail one
 * whenever losses lie beyond the fine range */
static alvh_status wtail_of(const alvh_shist_acc *a, size_t v, int c, double level, wtail *o, alvh_error *err)
{
    const alvh_histogram *f = alvh_shi_hist(a, v, ALVH_SHIST_N_HIST + c);
    const alvh_histogram *t = alvh_shi_hist(a, v, ALVH_SHIST_N_HIST + ALVH_SHIST_TAIL + c);
    const uint64_t m = alvh_shi_hist(a, v, c)->n;
    alvh_status st = alvh_hist_loss_tail_risk_weighted(f, m, level, &o->var, &o->var_bound, &o->es, &o->es_bound, err);
    wtail w;
    int es_from = ALVH_SHI_W2_FINE(c);
    if (st == ALVH_OK &&
        (st = alvh_hist_loss_tail_risk_weighted(t, m, level, &w.var, &w.var_bound, &w.es, &w.es_bound, err)) ==
            ALVH_OK) {
        if (w.var_bound < o->var_bound)
            o->var = w.var, o->var_bound = w.var_bound;
        if (w.es_bound < o->es_bound)
            o->es = w.es, o->es_bound = w.es_bound, es_from = ALVH_SHI_W2_TAIL(c);
    }
    o->es += 0.0;
    if (st != ALVH_OK)
        return st;
    /* the fine twin lumps the losses beyond its range into one segment: then the tail twin's bins */
    if (alvh_shi_hist(a, v, ALVH_SHI_W2_FINE(c))->underflow > 0)
        es_from = ALVH_SHI_W2_TAIL(c);
    /* t_i = w_i (L_i - VaR)^+ / (1 - a): mean ES - VaR, sum t^2 from the squared weights */
    const double st2 = w2_excess_sq(alvh_shi_hist(a, v, es_from), -o->var) / ((1.0 - level) * (1.0 - level));
    double mean;
    mean_se_of((o->es - o->var) * (double)m, st2, (double)m, &mean, &o->es_se);
    return ALVH_OK;
}

/* the weighted quantile at p from the LR twins of histograms k (fine) and kt (tail, -1: none), tighter bound */
static alvh_status wquantile_of(const alvh_shist_acc *a, size_t v, int k, int kt, double p, double *q, double *bd,
                                alvh_error *err)
{
    const uint64_t m = alvh_shi_hist(a, v, k)->n;
    alvh_status st = alvh_hist_wquantile(alvh_shi_hist(a, v, ALVH_SHIST_N_HIST + k), m, p, q, bd, err);
    double q2, b2;
    if (st == ALVH_OK && kt >= 0 &&
        (st = alvh_hist_wquantile(alvh_shi_hist(a, v, ALVH_SHIST_N_HIST + kt), m, p, &q2, &b2, err)) == ALVH_OK &&
        b2 < *bd)
        *q = q2, *bd = b2;
    return st;
}

/* p = sum w 1 / m with p +- z SE clipped to [0, 1] (engine/wstats.c, prob_sorted) */
static void wprob(double sw, double sw2, double m, double *p, double *lo, double *hi)
{
    double se;
    mean_se_of(sw, sw2, m, p, &se);
    *lo = fmax(*p - ALVH_STATS_Z95 * se, 0.0);
    *hi = fmin(*p + ALVH_STATS_Z95 * se, 1.0);
}

/* ---- tables -------------------------------------------------------------------- */

typedef struct {
    const alvh_shist_acc *a;
    const double *rows;
    size_t n_blocks, stride;
} wsrc;

/* variant v's weighted part: after every variant's unweighted part, which ends the row's first stretch */
static size_t woff(const wsrc *s, size_t v)
{
    return s->stride - (s->a->n_variants - v) * ALVH_SHI_WVAR_LEN;
}

/* the weighted and the y = w x moments of moment column mc */
static void wmoments_of(const wsrc *s, size_t v, int mc, alvh_shi_moments *wm, alvh_shi_moments *ym)
{
    const size_t off = woff(s, v) + (size_t)mc * 2 * MOM_K;
    *wm = alvh_shi_reduce_col(s->rows, s->n_blocks, s->stride, off);
    *ym = alvh_shi_reduce_col(s->rows, s->n_blocks, s->stride, off + MOM_K);
}

/* engine/wstats.c's moments: mean and SE of w x, central moments self-normalized */
static void moments_w(const alvh_shi_moments *wm, const alvh_shi_moments *ym, alvh_moments *o)
{
    const double m = ym->n;
    *o = (alvh_moments){.n = (size_t)m, .mean = NAN, .stdev = NAN, .mean_se = NAN, .skewness = NAN,
                        .excess_kurtosis = NAN};
    if (m == 0.0)
        return;
    o->mean = ym->mean;
    o->mean_se = m >= 2.0 ? sqrt(ym->c2 / (m - 1.0) / m) : 0.0;
    const double m2 = wm->n > 0.0 ? wm->c2 / wm->n : NAN;
    o->stdev = m >= 2.0 ? sqrt(m2 * m / (m - 1.0)) : NAN;
    if (m2 > 0.0) {
        o->skewness = wm->c3 / wm->n / pow(m2, 1.5);
        o->excess_kurtosis = wm->c4 / wm->n / (m2 * m2) - 3.0;
    }
}

static alvh_status wpnl_tables(const wsrc *s, size_t v, alvh_table *t, alvh_table *tb, alvh_error *err)
{
    const alvh_shist_acc *a = s->a;
    alvh_status st = alvh_shi_pnl_layouts(t, tb, err);
    for (int c = 0; st == ALVH_OK && c <= ALVH_OUT_TOTAL; c++) {
        const alvh_histogram *h = alvh_shi_hist(a, v, c), *ht = alvh_shi_hist(a, v, ALVH_SHIST_TAIL + c);
        alvh_shi_moments wm, ym;
        wmoments_of(s, v, c, &wm, &ym);
        alvh_moments mo;
        moments_w(&wm, &ym, &mo);
        alvh_shi_put(t, "n", (size_t)c, (double)h->n);
        alvh_shi_put(t, "n_nan", (size_t)c, (double)h->n_nan);
        alvh_shi_put(t, "n_inf", (size_t)c, (double)h->n_inf);
        alvh_shi_put(t, "mean", (size_t)c, mo.mean);
        alvh_shi_put(t, "stdev", (size_t)c, mo.stdev);
        alvh_shi_put(t, "mean_se", (size_t)c, mo.mean_se);
        alvh_shi_put(t, "skewness", (size_t)c, mo.skewness);
        alvh_shi_put(t, "excess_kurtosis", (size_t)c, mo.excess_kurtosis);
        for (int k = 0; st == ALVH_OK && k < ALVH_STATS_N_PROBS; k++) {
            double q, bd;
            st = wquantile_of(a, v, c, ALVH_SHIST_TAIL + c, alvh_stats_probs[k], &q, &bd, err);
            alvh_shi_put_quantile(t, tb, (size_t)c, alvh_stats_probs[k], q, bd);
        }
        for (int k = 0; st == ALVH_OK && k < ALVH_STATS_N_LEVELS; k++) {
            wtail te = {NAN, NAN, NAN, NAN, NAN};
            st = wtail_of(a, v, c, alvh_stats_levels[k], &te, err);
            alvh_shi_put_tail(t, tb, (size_t)c, alvh_stats_levels[k], te.var, te.var_bound, te.es, te.es_bound,
                              te.es_se);
        }
        for (int k = 0; st == ALVH_OK && k < ALVH_STATS_N_THRESHOLDS; k++) {
            double p, lo, hi;
            const size_t off = woff(s, v) + ALVH_SHI_WOFF_CNT;
            wprob(reduce_count(s->rows, s->n_blocks, s->stride, off, C_LOSS(c, k, 0)),
                  reduce_count(s->rows, s->n_blocks, s->stride, off, C_LOSS(c, k, 1)), (double)h->n, &p, &lo, &hi);
            alvh_shi_put_loss_prob(t, (size_t)c, alvh_stats_loss_thresholds[k], p, lo, hi);
        }
        alvh_shi_put_pnl_widths(tb, (size_t)c, h, ht);
    }
    return st;
}

static alvh_status wrisk_tables(const wsrc *s, size_t v, alvh_table *t, alvh_table *tb, alvh_error *err)
{
    const alvh_shist_acc *a = s->a;
    alvh_status st = alvh_shi_risk_layouts(t, tb, err);
    if (st != ALVH_OK)
        return st;
    const int kdd = ALVH_SHIST_MAX_DD, kddt = ALVH_SHIST_TAIL + ALVH_OUT_MAX_DD, khf = ALVH_SHIST_MIN_HF;
    alvh_shi_moments wm, ym;
    wmoments_of(s, v, ALVH_OUT_MAX_DD, &wm, &ym);
    if (ym.n == 0.0)
        return alvh_error_set(err, ALVH_E_NUMERIC, "histogram summaries: no finite max drawdown");
    alvh_shi_put(t, "max_drawdown_mean", 0, ym.mean);
    for (int k = 0; st == ALVH_OK && k < 3; k++) {
        double q, bd;
        st = wquantile_of(a, v, kdd, kddt, alvh_shi_p_dd[k], &q, &bd, err);
        alvh_shi_put(t, alvh_shi_dd_rows[k], 0, q);
        alvh_shi_put(tb, alvh_shi_dd_rows[k], 0, bd);
        if (st == ALVH_OK && alvh_shi_hist(a, v, khf)->n > 0)
            st = wquantile_of(a, v, khf, -1, alvh_shi_p_hf[k], &q, &bd, err);
        else
            q = INFINITY, bd = 0.0;
        alvh_shi_put(t, alvh_shi_hf_rows[k], 0, q);
        alvh_shi_put(tb, alvh_shi_hf_rows[k], 0, bd);
    }
    const uint64_t *cnt = a->counters + v * ALVH_SHIST_N_COUNTERS;
    const size_t off = woff(s, v) + ALVH_SHI_WOFF_CNT;
    for (int e = 0; st == ALVH_OK && e < ALVH_SHIST_N_EVENTS; e++) {
        const double m = (double)cnt[e]; /* the paths with a finite count (CNT_FINITE) */
        if (m == 0.0)
            return alvh_error_set(err, ALVH_E_NUMERIC, "histogram summaries: no finite %s count",
                                  alvh_shi_event_names[e]);
        alvh_shi_put(t, alvh_shi_event_means[e], 0, reduce_count(s->rows, s->n_blocks, s->stride, off, C_EV(e, 2)) / m);
        if (e == ALVH_SHIST_N_EVENTS - 1)
            break; /* rolls: a mean only */
        double p, lo, hi;
        wprob(reduce_count(s->rows, s->n_blocks, s->stride, off, C_EV(e, 0)),
              reduce_count(s->rows, s->n_blocks, s->stride, off, C_EV(e, 1)), m, &p, &lo, &hi);
        alvh_shi_put_event_prob(t, e, p, lo, hi);
    }
    for (int k = 0; st == ALVH_OK && k < 3; k++) {
        wmoments_of(s, v, ALVH_SHI_N_MOM_PNL_DD + k, &wm, &ym);
        alvh_shi_put(t, alvh_shi_extra_means[k], 0, ym.n > 0.0 ? ym.mean : NAN);
    }
    alvh_shi_put_risk_widths(tb, alvh_shi_hist(a, v, kdd), alvh_shi_hist(a, v, kddt), alvh_shi_hist(a, v, khf));
    return st;
}

/* engine/hedge_eff.c under weights: the self-normalized variances, the paired
 * delta-method SE of 1 - var_h / var_b from the squared-weight sums, the ES99
 * ratio from the weighted tails (bounds from the LR histograms) */
static alvh_status weff_tables(const wsrc *s, size_t v, size_t bv, alvh_table *t, alvh_table *tb, alvh_error *err)
{
    alvh_status st = alvh_summary_effectiveness_layout(t, err);
    if (st == ALVH_OK)
        st = alvh_table_bound_layout(t, NULL, NULL, 0, tb, err);
    if (st != ALVH_OK)
        return st;
    const wpair p = reduce_wpair(s->rows, s->n_blocks, s->stride, woff(s, v) + ALVH_SHI_WOFF_PAIR);
    if (p.m < 2.0)
        return alvh_error_set(err, ALVH_E_NUMERIC, "hedge effectiveness: %.0f paired finite paths, need at least 2",
                              p.m);
    const double m = p.m, vh = p.s1[2][0] / p.W * m / (m - 1.0), vb = p.s1[0][2] / p.W * m / (m - 1.0);
    double var_red = NAN, se = NAN, se_un = NAN;
    if (vb > 0.0) {
        const double r = vh / vb;
        /* u_i = w (dh^2 - vh) / vb, w_i = w r (db^2 - vb) / vb; their sample variances from the sums */
        const double su = (p.s1[2][0] - vh * p.W) / vb, su2 = (p.s2[4][0] - 2.0 * vh * p.s2[2][0] + vh * vh * p.s2[0][0]) / (vb * vb);
        const double sw = r * (p.s1[0][2] - vb * p.W) / vb,
                     sw2 = r * r * (p.s2[0][4] - 2.0 * vb * p.s2[0][2] + vb * vb * p.s2[0][0]) / (vb * vb);
        /* u - w = w (dh^2 - r db^2) / vb */
        const double sd = su - sw, sd2 = (p.s2[4][0] - 2.0 * r * p.s2[2][2] + r * r * p.s2[0][4]) / (vb * vb);
        const double var_u = (su2 - su * su / m) / (m - 1.0), var_w = (sw2 - sw * sw / m) / (m - 1.0);
        var_red = 1.0 - r;
        se = sqrt(fmax((sd2 - sd * sd / m) / (m - 1.0), 0.0) / m);
        se_un = sqrt((fmax(var_u, 0.0) + fmax(var_w, 0.0)) / m);
    }
    alvh_shi_put(t, "var_total", 0, vh);
    alvh_shi_put(t, "var_baseline", 0, vb);
    alvh_shi_put(t, "var_reduction", 0, var_red);
    alvh_shi_put(t, "var_reduction_se", 0, se);
    alvh_shi_put(t, "var_reduction_se_unpaired", 0, se_un);
    wtail th, tbs;
    st = wtail_of(s->a, v, ALVH_OUT_TOTAL, 0.99, &th, err);
    if (st == ALVH_OK)
        st = wtail_of(s->a, bv, ALVH_OUT_TOTAL, 0.99, &tbs, err);
    if (st != ALVH_OK)
        return st;
    double es_red = NAN, es_red_b = NAN, es_se_un = NAN;
    if (tbs.es > 0.0) {
        const double r = th.es / tbs.es;
        es_red = 1.0 - r;
        es_red_b = alvh_shi_ratio_bound(th.es, th.es_bound, tbs.es, tbs.es_bound);
        es_se_un = sqrt(th.es_se * th.es_se + r * r * tbs.es_se * tbs.es_se) / tbs.es;
    }
    alvh_shi_put(t, "es99_total", 0, th.es);
    alvh_shi_put(t, "es99_baseline", 0, tbs.es);
    alvh_shi_put(t, "es99_reduction", 0, es_red);
    alvh_shi_put(t, "es99_reduction_se", 0, NAN); /* needs per-path values */
    alvh_shi_put(t, "es99_reduction_se_unpaired", 0, es_se_un);
    alvh_shi_put(tb, "es99_total", 0, th.es_bound);
    alvh_shi_put(tb, "es99_baseline", 0, tbs.es_bound);
    alvh_shi_put(tb, "es99_reduction", 0, es_red_b);
    alvh_shi_put(tb, "es99_reduction_se", 0, NAN);
    alvh_shi_put(tb, "es99_reduction_se_unpaired", 0, NAN);
    return ALVH_OK;
}

/* the importance table of engine/weighted_risk.h: E[LR], the effective path count, the mean, VaR and ES of the total */
static alvh_status wimportance(const wsrc *s, size_t v, alvh_table *t, alvh_error *err)
{
    alvh_status st = alvh_weighted_risk_layout(t, err);
    if (st != ALVH_OK)
        return st;
    const size_t off = woff(s, v) + ALVH_SHI_WOFF_CNT;
    const double sw = reduce_count(s->rows, s->n_blocks, s->stride, off, C_W);
    const double sw2 = reduce_count(s->rows, s->n_blocks, s->stride, off, C_W2);
    const double m = (double)alvh_shi_hist(s->a, v, ALVH_OUT_TOTAL)->n;
    double *d = t->data;
    mean_se_of(sw, sw2, m, &d[0], &d[1]);
    d[2] = sw2 > 0.0 ? sw * sw / sw2 : 0.0;
    alvh_shi_moments wm, ym;
    wmoments_of(s, v, ALVH_OUT_TOTAL, &wm, &ym);
    alvh_moments mo;
    moments_w(&wm, &ym, &mo);
    d[3] = mo.mean, d[4] = mo.mean_se;
    const double lv[2] = {0.99, 0.999};
    for (int k = 0; st == ALVH_OK && k < 2; k++) {
        wtail te;
        st = wtail_of(s->a, v, ALVH_OUT_TOTAL, lv[k], &te, err);
        d[5 + 3 * k] = te.var, d[6 + 3 * k] = te.es, d[7 + 3 * k] = te.es_se;
    }
    return st;
}

alvh_status alvh_shi_weighted_tables(const alvh_shist_acc *a, const double *rows, size_t n_blocks,
                                     const size_t *base, alvh_shist_tables *t, alvh_error *err)
{
    const wsrc s = {a, rows, n_blocks, alvh_shist_block_len(a->n_variants, 1)};
    alvh_status st = ALVH_OK;
    for (size_t v = 0; st == ALVH_OK && v < a->n_variants; v++) {
        st = wpnl_tables(&s, v, &t->pnl[v], &t->pnl_bound[v], err);
        if (st == ALVH_OK)
            st = wrisk_tables(&s, v, &t->risk[v], &t->risk_bound[v], err);
        const size_t bv = base ? base[v] : 0;
        if (st == ALVH_OK && bv != v)
            st = weff_tables(&s, v, bv, &t->eff[v], &t->eff_bound[v], err);
        if (st == ALVH_OK && t->importance)
            st = wimportance(&s, v, &t->importance[v], err);
    }
    return st;
}
