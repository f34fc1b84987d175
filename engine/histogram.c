/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fixed-bin histograms: filling, merging, and rank-based estimates with an
 * error bound (see histogram.h for the model behind the estimates).
 */
#include "engine/histogram.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ksum.h"
#include "engine/stats.h"

static double edge_of(double lo, double hi, size_t n_bins, size_t j)
{
    /* np.linspace: arange(n + 1) * step + start, last edge set to stop */
    return j >= n_bins ? hi : (double)j * ((hi - lo) / (double)n_bins) + lo;
}

static double bin_width(const alvh_histogram *h) { return (h->hi - h->lo) / (double)h->n_bins; }

double alvh_hist_edge(const alvh_histogram *h, size_t j) { return edge_of(h->lo, h->hi, h->n_bins, j); }

static alvh_status check_layout(double lo, double hi, size_t n_bins, alvh_error *err)
{
    if (!(isfinite(lo) && isfinite(hi) && lo < hi && isfinite(hi - lo)))
        return alvh_error_set(err, ALVH_E_CONFIG, "histogram: range [%g, %g) is not a finite, non-empty interval",
                              lo, hi);
    if (n_bins == 0 || n_bins > ((size_t)1 << 32))
        return alvh_error_set(err, ALVH_E_CONFIG, "histogram: n_bins = %zu, need 1 .. 2^32", n_bins);
    /* bins narrower than the spacing of doubles near lo/hi would collapse */
    for (size_t j = 0; j < n_bins; j++)
        if (!(edge_of(lo, hi, n_bins, j + 1) > edge_of(lo, hi, n_bins, j)))
            return alvh_error_set(err, ALVH_E_CONFIG,
                                  "histogram: %zu bins over [%.17g, %.17g) are narrower than double spacing "
                                  "(edges %zu and %zu coincide)", n_bins, lo, hi, j, j + 1);
    return ALVH_OK;
}

alvh_status alvh_hist_init(alvh_histogram *h, double lo, double hi, size_t n_bins, uint64_t *counts,
                           alvh_error *err)
{
    if (!h || !counts)
        return alvh_error_set(err, ALVH_E_INTERNAL, "histogram: NULL argument");
    alvh_status st = check_layout(lo, hi, n_bins, err);
    if (st)
        return st;
    *h = (alvh_histogram){.lo = lo, .hi = hi, .n_bins = n_bins, .counts = counts};
    alvh_hist_reset(h);
    return ALVH_OK;
}

alvh_histogram *alvh_hist_create(double lo, double hi, size_t n_bins, alvh_error *err)
{
    if (check_layout(lo, hi, n_bins, err) != ALVH_OK)
        return NULL;
    alvh_histogram *h = malloc(sizeof *h);
    uint64_t *c = malloc(n_bins * sizeof *c);
    if (!h || !c) {
        free(h);
        free(c);
        alvh_error_set(err, ALVH_E_NOMEM, "histogram: %zu bins", n_bins);
        return NULL;
    }
    alvh_hist_init(h, lo, hi, n_bins, c, err);
    h->owns_counts = 1;
    return h;
}

void alvh_hist_free(alvh_histogram *h)
{
    if (!h)
        return;
    if (h->owns_counts)
        free(h->counts);
    free(h);
}

void alvh_hist_reset(alvh_histogram *h)
{
    memset(h->counts, 0, h->n_bins * sizeof *h->counts);
    h->underflow = h->overflow = h->n = h->n_nan = h->n_inf = 0;
    h->min = INFINITY;
    h->max = -INFINITY;
}

/* bin of finite x in [lo, hi) */
static size_t bin_in_range(const alvh_histogram *h, double x)
{
    double t = (x - h->lo) / bin_width(h);
    size_t j = t < (double)h->n_bins ? (size_t)t : h->n_bins - 1;
    /* the division may round across an edge: settle on the edges we report */
    while (j > 0 && x < alvh_hist_edge(h, j))
        j--;
    while (j + 1 < h->n_bins && x >= alvh_hist_edge(h, j + 1))
        j++;
    return j;
}

long alvh_hist_bin_index(const alvh_histogram *h, double x)
{
    if (!isfinite(x))
        return -2;
    if (x < h->lo)
        return -1;
    if (x >= h->hi)
        return (long)h->n_bins;
    return (long)bin_in_range(h, x);
}

void alvh_hist_add(alvh_histogram *h, double x)
{
    if (isnan(x)) {
        h->n_nan++;
        return;
    }
    if (isinf(x)) {
        h->n_inf++;
        return;
    }
    h->n++;
    h->min = x < h->min ? x : h->min;
    h->max = x > h->max ? x : h->max;
    if (x < h->lo) {
        h->underflow++;
        return;
    }
    if (x >= h->hi) {
        h->overflow++;
        return;
    }
    h->counts[bin_in_range(h, x)]++;
}

uint64_t alvh_hist_weight_units(double lr)
{
    /* round to nearest unit; 0 for a non-finite or negative LR, capped far above any real weight */
    const double u = lr * (double)(UINT64_C(1) << ALVH_HIST_WEIGHT_BITS), cap = 0x1p62;
    if (!(u >= 0.0))
        return 0;
    return u >= cap ? (uint64_t)cap : (uint64_t)floor(u + 0.5);
}

void alvh_hist_add_weighted(alvh_histogram *h, const double *x, const uint64_t *qw, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const double v = x[i];
        if (isnan(v)) {
            h->n_nan += qw[i];
            continue;
        }
        if (isinf(v)) {
            h->n_inf += qw[i];
            continue;
        }
        h->n += qw[i];
        h->min = v < h->min ? v : h->min;
        h->max = v > h->max ? v : h->max;
        if (v < h->lo)
            h->underflow += qw[i];
        else if (v >= h->hi)
            h->overflow += qw[i];
        else
            h->counts[bin_in_range(h, v)] += qw[i];
    }
}

void alvh_hist_add_array(alvh_histogram *h, const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        alvh_hist_add(h, x[i]);
}

/* what a binning kernel adds to besides the counts, from and back into h */
static alvh_bin_tally tally_of(const alvh_histogram *h)
{
    return (alvh_bin_tally){.underflow = h->underflow, .overflow = h->overflow, .n = h->n, .n_nan = h->n_nan,
                            .n_inf = h->n_inf, .min = h->min, .max = h->max};
}

static void tally_store(alvh_histogram *h, const alvh_bin_tally *t)
{
    h->underflow = t->underflow, h->overflow = t->overflow, h->n = t->n, h->n_nan = t->n_nan, h->n_inf = t->n_inf;
    h->min = t->min, h->max = t->max;
}

static void add_binned(alvh_histogram *h, alvh_hist_bin_fn *bin, const double *x, const uint64_t *qw, size_t n)
{
    alvh_bin_tally t = tally_of(h);
    bin(h->lo, h->hi, h->n_bins, n, x, qw, h->counts, &t);
    tally_store(h, &t);
}

void alvh_hist_add_binned16(alvh_histogram *h, alvh_hist_bin16_fn *bin16, const double *x, size_t n,
                            uint16_t *counts16)
{
    alvh_bin_tally t = tally_of(h);
    bin16(h->lo, h->hi, h->n_bins, n, x, counts16, &t);
    tally_store(h, &t);
}

void alvh_hist_add_binned(alvh_histogram *h, alvh_hist_bin_fn *bin, const double *x, size_t n)
{
    add_binned(h, bin, x, NULL, n);
}

void alvh_hist_add_binned_weighted(alvh_histogram *h, alvh_hist_bin_fn *bin, const double *x, const uint64_t *qw,
                                   size_t n)
{
    add_binned(h, bin, x, qw, n);
}

alvh_status alvh_hist_merge(alvh_histogram *into, const alvh_histogram *from, alvh_error *err)
{
    if (!into || !from)
        return alvh_error_set(err, ALVH_E_INTERNAL, "histogram merge: NULL argument");
    if (memcmp(&into->lo, &from->lo, sizeof into->lo) || memcmp(&into->hi, &from->hi, sizeof into->hi) ||
        into->n_bins != from->n_bins)
        return alvh_error_set(err, ALVH_E_INTERNAL,
                              "histogram merge: edges differ ([%.17g, %.17g) x %zu vs [%.17g, %.17g) x %zu)",
                              into->lo, into->hi, into->n_bins, from->lo, from->hi, from->n_bins);
    for (size_t j = 0; j < into->n_bins; j++)
        into->counts[j] += from->counts[j];
    into->underflow += from->underflow;
    into->overflow += from->overflow;
    into->n += from->n;
    into->n_nan += from->n_nan;
    into->n_inf += from->n_inf;
    into->min = from->min < into->min ? from->min : into->min;
    into->max = from->max > into->max ? from->max : into->max;
    return ALVH_OK;
}

/* ---- estimates -------------------------------------------------------- */

/* Segments in value order: 0 = underflow [min, lo), 1..n_bins = bins,
 * n_bins + 1 = overflow [hi, max]; each clipped to [min, max]. */
typedef struct {
    double a, b;
    uint64_t c;
} segment;

static segment seg_at(const alvh_histogram *h, size_t s)
{
    segment g;
    if (s == 0) {
        g = (segment){h->min, h->lo, h->underflow};
    } else if (s <= h->n_bins) {
        g = (segment){alvh_hist_edge(h, s - 1), alvh_hist_edge(h, s), h->counts[s - 1]};
    } else {
        g = (segment){h->hi, h->max, h->overflow};
    }
    if (g.c > 0) {
        g.a = g.a > h->min ? g.a : h->min;
        g.b = g.b < h->max ? g.b : h->max;
    }
    return g;
}

/* Value of rank r (0-based, r < n) and the width of the segment holding it. */
static double rank_value(const alvh_histogram *h, uint64_t r, double *width)
{
    if (r == 0 || r == h->n - 1) {
        *width = 0.0;
        return r == 0 ? h->min : h->max;
    }
    uint64_t before = 0;
    for (size_t s = 0; s < h->n_bins + 2; s++) {
        segment g = seg_at(h, s);
        if (r < before + g.c) {
            *width = g.b - g.a;
            double i = (double)(r - before);
            return g.a + (g.b - g.a) * ((i + 0.5) / (double)g.c);
        }
        before += g.c;
    }
    *width = NAN; /* unreachable while n is the sum of the segment counts */
    return NAN;
}

/* rank_value for ranks in (nearly) ascending order in one pass over the
 * segments (the same segment and arithmetic as rank_value for each) */
static void rank_values_sorted(const alvh_histogram *h, const uint64_t *r, size_t k, double *val, double *width)
{
    uint64_t before = 0;
    size_t s = 0;
    segment g = seg_at(h, 0);
    for (size_t q = 0; q < k; q++) {
        if (r[q] == 0 || r[q] == h->n - 1) {
            width[q] = 0.0;
            val[q] = r[q] == 0 ? h->min : h->max;
            continue;
        }
        if (r[q] < before) { /* j + 1 then j again (equal probabilities): start over */
            before = 0;
            g = seg_at(h, s = 0);
        }
        while (r[q] >= before + g.c) { /* ends: r < n, the sum of the counts */
            before += g.c;
            g = seg_at(h, ++s);
        }
        width[q] = g.b - g.a;
        val[q] = g.a + (g.b - g.a) * (((double)(r[q] - before) + 0.5) / (double)g.c);
    }
}

static alvh_status need_values(const alvh_histogram *h, const char *what, alvh_error *err)
{
    if (!h)
        return alvh_error_set(err, ALVH_E_INTERNAL, "histogram %s: NULL histogram", what);
    if (h->n == 0)
        return alvh_error_set(err, ALVH_E_NUMERIC, "histogram %s: no finite value (%llu NaN, %llu Inf)", what,
                              (unsigned long long)h->n_nan, (unsigned long long)h->n_inf);
    return ALVH_OK;
}

/* numpy's lerp (see alvh_stats_quantile_sorted) */
static double lerp(double a, double b, double g)
{
    double d = b - a;
    return g >= 0.5 ? b - d * (1.0 - g) : a + d * g;
}

alvh_status alvh_hist_quantile(const alvh_histogram *h, double p, double *q, double *bound,
                               alvh_error *err)
{
    alvh_status st = need_values(h, "quantile", err);
    if (st)
        return st;
    if (!(p >= 0.0 && p <= 1.0))
        return alvh_error_set(err, ALVH_E_CONFIG, "histogram quantile: probability %g outside [0, 1]", p);
    double last = (double)(h->n - 1), v = last * p, w0, w1;
    if (v >= last) {
        *q = rank_value(h, h->n - 1, &w0);
        if (bound)
            *bound = w0;
        return ALVH_OK;
    }
    double jf = floor(v), g = v - jf;
    uint64_t j = (uint64_t)jf;
    double x0 = rank_value(h, j, &w0), x1 = rank_value(h, j + 1, &w1);
    *q = lerp(x0, x1, g);
    if (bound)
        *bound = (1.0 - g) * w0 + g * w1;
    return ALVH_OK;
}

alvh_status alvh_hist_quantiles(const alvh_histogram *h, const double *p, size_t n_p, double *q, double *bound,
                                alvh_error *err)
{
    alvh_status st = need_values(h, "quantiles", err);
    if (st)
        return st;
    enum { MAX_P = 64 };
    if (n_p > MAX_P)
        return alvh_error_set(err, ALVH_E_INTERNAL, "histogram quantiles: %zu probabilities (at most %d)", n_p, MAX_P);
    uint64_t r[2 * MAX_P];
    double g[MAX_P], x[2 * MAX_P], w[2 * MAX_P];
    int top[MAX_P];
    const double last = (double)(h->n - 1);
    for (size_t k = 0; k < n_p; k++) {
        if (!(p[k] >= 0.0 && p[k] <= 1.0) || (k > 0 && p[k] < p[k - 1]))
            return alvh_error_set(err, ALVH_E_CONFIG, "histogram quantiles: probability %g outside [0, 1] or "
                                  "out of ascending order", p[k]);
        double v = last * p[k];
        top[k] = v >= last; /* as alvh_hist_quantile: the maximum alone */
        if (top[k]) {
            r[2 * k] = r[2 * k + 1] = h->n - 1;
            g[k] = 0.0;
        } else {
            double jf = floor(v);
            r[2 * k] = (uint64_t)jf;
            r[2 * k + 1] = (uint64_t)jf + 1;
            g[k] = v - jf;
        }
    }
    rank_values_sorted(h, r, 2 * n_p, x, w);
    for (size_t k = 0; k < n_p; k++) {
        q[k] = top[k] ? x[2 * k] : lerp(x[2 * k], x[2 * k + 1], g[k]);
        if (bound)
            bound[k] = top[k] ? w[2 * k] : (1.0 - g[k]) * w[2 * k] + g[k] * w[2 * k + 1];
    }
    return ALVH_OK;
}

/* Sum of the estimates of the m lowest (upper = 0) or highest values of a
 * segment with c values, evenly spread at a + (b - a)(i + 1/2)/c. */
static double seg_part_sum(segment g, uint64_t m, int upper)
{
    double mm = (double)m, c = (double)g.c;
    double mid = upper ? c - mm / 2.0 : mm / 2.0; /* mean of i + 1/2 over the m ranks */
    return mm * g.a + (g.b - g.a) * mm * (mid / c);
}

alvh_status alvh_hist_tail_mean(const alvh_histogram *h, double level, int upper, double *mean,
                                double *bound, alvh_error *err)
{
    alvh_status st = need_values(h, "tail mean", err);
    if (st)
        return st;
    if (!(level > 0.0 && level < 1.0))
        return alvh_error_set(err, ALVH_E_CONFIG, "histogram tail mean: level %g outside (0, 1)", level);
    uint64_t k = alvh_stats_tail_count((size_t)h->n, level), left = k;
    size_t n_seg = h->n_bins + 2;
    alvh_ksum sum = {0, 0}, err_sum = {0, 0};
    for (size_t t = 0; t < n_seg && left > 0; t++) {
        segment g = seg_at(h, upper ? n_seg - 1 - t : t);
        if (g.c == 0)
            continue;
        uint64_t m = g.c < left ? g.c : left;
        alvh_ksum_add(&sum, seg_part_sum(g, m, upper));
        alvh_ksum_add(&err_sum, (double)m * (g.b - g.a));
        left -= m;
    }
    /* the extreme value is known exactly: swap its spread estimate for it */
    segment ext = seg_at(h, 0);
    for (size_t t = 0; t < n_seg; t++) {
        ext = seg_at(h, upper ? n_seg - 1 - t : t);
        if (ext.c > 0)
            break;
    }
    double c = (double)ext.c;
    double spread = ext.a + (ext.b - ext.a) * ((upper ? c - 0.5 : 0.5) / c);
    alvh_ksum_add(&sum, (upper ? h->max : h->min) - spread);
    *mean = alvh_ksum_value(&sum) / (double)k;
    if (bound)
        *bound = alvh_ksum_value(&err_sum) / (double)k;
    return ALVH_OK;
}

alvh_status alvh_hist_tail_sumsq(const alvh_histogram *h, double level, int upper, double center,
                                 double *sumsq, alvh_error *err)
{
    alvh_status st = need_values(h, "tail sum of squares", err);
    if (st)
        return st;
    if (!(level > 0.0 && level < 1.0))
        return alvh_error_set(err, ALVH_E_CONFIG, "histogram tail sum of squares: level %g outside (0, 1)", level);
    uint64_t left = alvh_stats_tail_count((size_t)h->n, level);
    size_t n_seg = h->n_bins + 2;
    alvh_ksum sum = {0, 0};
    for (size_t t = 0; t < n_seg && left > 0; t++) {
        segment g = seg_at(h, upper ? n_seg - 1 - t : t);
        if (g.c == 0)
            continue;
        uint64_t m = g.c < left ? g.c : left;
        /* values a + d t_i, t_i = (i + 1/2) / c for local ranks i0 .. i0 + m - 1:
         * sum (A + d t_i)^2 = m A^2 + 2 A d sum t_i + d^2 sum t_i^2, A = a - center;
         * sum_{j < m} (i0 + j + 1/2)^2 = m i0^2 + i0 m^2 + m^3 / 3 - m / 12 (no cancellation) */
        double c = (double)g.c, mm = (double)m, i0 = upper ? c - mm : 0.0;
        double a = g.a - center, d = g.b - g.a;
        double t1 = (mm * i0 + mm * mm / 2.0) / c;
        double t2 = (mm * i0 * i0 + i0 * mm * mm + mm * mm * mm / 3.0 - mm / 12.0) / (c * c);
        alvh_ksum_add(&sum, mm * a * a);
        alvh_ksum_add(&sum, 2.0 * a * d * t1);
        alvh_ksum_add(&sum, d * d * t2);
        left -= m;
    }
    *sumsq = alvh_ksum_value(&sum);
    return ALVH_OK;
}

alvh_status alvh_hist_loss_tail_risk(const alvh_histogram *pnl, double level, double *var,
                                     double *var_bound, double *es, double *es_bound, alvh_error *err)
{
    alvh_status st = need_values(pnl, "loss tail risk", err);
    if (st)
        return st;
    if (!(level > 0.0 && level < 1.0))
        return alvh_error_set(err, ALVH_E_CONFIG, "histogram loss tail risk: level %g outside (0, 1)", level);
    /* loss rank i is P&L rank n - 1 - i; same virtual index as the exact VaR */
    uint64_t last = pnl->n - 1;
    double v = (double)last * level, w0, w1;
    if (v >= (double)last) {
        *var = -rank_value(pnl, 0, &w0);
        w1 = w0;
        v = 0.0;
    } else {
        double jf = floor(v), g = v - jf;
        uint64_t j = (uint64_t)jf;
        double l0 = -rank_value(pnl, last - j, &w0), l1 = -rank_value(pnl, last - j - 1, &w1);
        *var = lerp(l0, l1, g);
        v = g;
    }
    if (var_bound)
        *var_bound = (1.0 - v) * w0 + v * w1;
    double low_mean;
    st = alvh_hist_tail_mean(pnl, level, 0, &low_mean, es_bound, err);
    if (st)
        return st;
    *es = -low_mean;
    return ALVH_OK;
}

/* ---- weighted estimates (counts in LR units) ---------------------------- */

/* Segment s counted from the bottom (up) or from the top, in the walk's own
 * coordinates: from the top a segment [a, b] is seen as [-b, -a]. */
static segment wseg(const alvh_histogram *h, int up, size_t s)
{
    segment g = seg_at(h, up ? s : h->n_bins + 1 - s);
    return up ? g : (segment){-g.b, -g.a, g.c};
}

typedef struct {
    double q, lo, hi;             /* estimate and the span holding the exact value */
    uint64_t before_lo, thru_hi; /* units below the span's first segment, through its last */
} wwalk_out;

/* The exact rule (alvh_wstats_quantile_sorted) stops at the first value whose
 * cumulative weight exceeds t = target x m. Each count is a path's weight
 * rounded to 2^-24 (|u - w 2^24| <= 1/2), so the units below any value differ
 * from the exact sum by at most m / 2 units: the exact stop lies in the
 * segments where the units cross t 2^24 -+ (m / 2 + 1), and the estimate
 * interpolates where they cross t 2^24. */
static wwalk_out wwalk(const alvh_histogram *h, int up, double target, uint64_t m)
{
    const double t = target * (double)m * 0x1p24, s = 0.5 * (double)m + 1.0;
    /* integer thresholds, widened for the rounding of t (U > y iff U > floor y) */
    const double tl = floor((t - s) * (1.0 - 0x1p-50)) - 1.0, th = ceil((t + s) * (1.0 + 0x1p-50)) + 1.0;
    wwalk_out o = {NAN, NAN, NAN, 0, h->n};
    int have_lo = 0, have_q = 0, have_hi = 0;
    double last_b = NAN;
    uint64_t cum = 0;
    for (size_t k = 0; k < h->n_bins + 2 && !have_hi; k++) {
        segment g = wseg(h, up, k);
        if (g.c == 0)
            continue;
        uint64_t before = cum;
        cum += g.c;
        last_b = g.b;
        if (!have_lo && (tl < 0.0 || (double)cum > tl))
            have_lo = 1, o.lo = g.a, o.before_lo = before;
        if (!have_q && (double)cum > t) {
            double f = (t - (double)before) / (double)g.c;
            o.q = g.a + (g.b - g.a) * fmin(fmax(f, 0.0), 1.0);
            have_q = 1;
        }
        if ((double)cum > th)
            have_hi = 1, o.hi = g.b, o.thru_hi = cum;
    }
    /* the last value (zero-unit paths of weight < 2^-25 may lie beyond last_b) */
    const double ext = up ? h->max : -h->min;
    if (!have_hi) /* units never above t + s: the exact walk may run to the last value */
        o.hi = ext;
    if (!have_q)
        o.q = last_b;
    if (!have_lo) /* units never above t - s: the exact walk ends at the last value */
        o.q = o.lo = o.hi = ext, o.before_lo = h->n;
    if (!up) {
        double lo = -o.hi;
        o.hi = -o.lo, o.lo = lo, o.q = -o.q;
    }
    return o;
}

static alvh_status need_weighted(const alvh_histogram *h, uint64_t m_paths, const char *what, alvh_error *err)
{
    alvh_status st = need_values(h, what, err);
    if (st == ALVH_OK && m_paths == 0)
        return alvh_error_set(err, ALVH_E_NUMERIC, "weighted histogram %s: no finite path", what);
    return st;
}

alvh_status alvh_hist_wquantile(const alvh_histogram *h, uint64_t m_paths, double p, double *q, double *bound,
                                alvh_error *err)
{
    alvh_status st = need_weighted(h, m_paths, "quantile", err);
    if (st)
        return st;
    if (!(p >= 0.0 && p <= 1.0))
        return alvh_error_set(err, ALVH_E_CONFIG, "weighted histogram quantile: probability %g outside [0, 1]", p);
    /* p <= 1/2 walks up against p, p > 1/2 down from the top against 1 - p (as the exact rule) */
    wwalk_out o = p <= 0.5 ? wwalk(h, 1, p, m_paths) : wwalk(h, 0, 1.0 - p, m_paths);
    *q = o.q;
    if (bound)
        *bound = fmax(o.q - o.lo, o.hi - o.q);
    return ALVH_OK;
}

/* ES_a = f(VaR) with f(v) = v + sum w (L - v)^+ / (m (1 - a)), L = -x. The
 * estimate is f_h(V^) (the segments' units spread evenly over them) at the
 * estimated V^. |f_h(V^) - f(V^)|: each segment's mean of (z - x)^+ (z = -V^)
 * is off by at most its width, plus the weights' rounding (m 2^-25 (z - min));
 * |f(V^) - f(VaR)| <= L |V^ - VaR| with L the largest |f'| = |1 - W(x < -v) /
 * (m (1 - a))| over the VaR span, from the units below and through it. */
alvh_status alvh_hist_loss_tail_risk_weighted(const alvh_histogram *pnl, uint64_t m_paths, double level,
                                              double *var, double *var_bound, double *es, double *es_bound,
                                              alvh_error *err)
{
    alvh_status st = need_weighted(pnl, m_paths, "loss tail risk", err);
    if (st)
        return st;
    if (!(level > 0.0 && level < 1.0))
        return alvh_error_set(err, ALVH_E_CONFIG, "weighted histogram loss tail risk: level %g outside (0, 1)", level);
    wwalk_out o = wwalk(pnl, 1, 1.0 - level, m_paths); /* the worst P&L first, as the exact VaR */
    const double z = o.q, vb = fmax(o.q - o.lo, o.hi - o.q), d = (double)m_paths * (1.0 - level) * 0x1p24;
    alvh_ksum sum = {0, 0}, spread = {0, 0};
    for (size_t k = 0; k < pnl->n_bins + 2; k++) {
        segment g = seg_at(pnl, k);
        if (g.c == 0)
            continue;
        if (!(g.a < z))
            break;
        double c = (double)g.c;
        alvh_ksum_add(&sum, g.b <= z ? c * (z - 0.5 * (g.a + g.b)) : c * (z - g.a) * (z - g.a) / (2.0 * (g.b - g.a)));
        alvh_ksum_add(&spread, c * (g.b - g.a));
    }
    *var = -z;
    *es = -z + alvh_ksum_value(&sum) / d;
    if (var_bound)
        *var_bound = vb;
    if (es_bound) {
        const double half_m = 0.5 * (double)m_paths;
        double w_lo = fmax((double)o.before_lo - half_m, 0.0) / d, w_hi = ((double)o.thru_hi + half_m) / d;
        double lip = fmax(fabs(1.0 - w_lo), fabs(1.0 - w_hi));
        double model = (alvh_ksum_value(&spread) + half_m * fmax(z - pnl->min, 0.0)) / d;
        *es_bound = model + lip * vb;
    }
    return ALVH_OK;
}
