/* SPDX-License-Identifier: BSD-3-Clause */
/* alvh diagnose: the observer that keeps what the facts need, then the facts
 * with batch-means standard errors (engine/diagnose.h). */
#include "engine/diagnose.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/vix.h"

/* per-path running sums of daily log returns: spx, token, eth, cross products */
enum { S_S1, S_S2, S_G1, S_G2, S_G3, S_G4, S_E1, S_E2, S_GE, S_ES, S_GMIN, S_GYEAR, S_COUNT };

typedef struct {
    size_t n_paths, n_steps, year_steps;
    alvh_vix_coeffs vix3m;
    int has_eth;
    float *vix, *ratio; /* paths x steps: VIX and VIX/VIX3M after each step */
    double *prev;       /* paths x 3: ln S, ln G, ln E before the step */
    double *sums;       /* paths x S_COUNT */
    double vix0, spy; /* VIX at the start; steps per year */
} diag_ctx;

static const struct {
    const char *name, *doc;
} fact_text[ALVH_FACT_COUNT] = {
    {"vix_median", "median VIX over every path-day"},
    {"vix_p05", "5th percentile of VIX over every path-day"},
    {"vix_p95", "95th percentile of VIX over every path-day"},
    {"vix_vix3m_median", "median VIX/VIX3M over every path-day"},
    {"vix_vix3m_spike", "median VIX/VIX3M on the last injected VIX day"},
    {"spike_half_life_days", "trading days until the median VIX excess over vix0 halves after the spike"},
    {"vix_6d_after_spike", "median VIX 6 trading days after the spike"},
    {"days_to_vix_below_20", "median trading days after the spike until VIX < 20"},
    {"spx_realized_vol", "mean realized SPX vol per path (annualized, daily log returns)"},
    {"token_realized_vol", "mean realized token vol per path (annualized, daily log returns)"},
    {"token_excess_kurtosis", "excess kurtosis of the token's daily log returns (all path-days)"},
    {"token_worst_day", "median over paths of the token's worst daily return"},
    {"corr_token_eth", "mean per-path correlation of token and ETH daily log returns"},
    {"corr_eth_spx", "mean per-path correlation of ETH and SPX daily log returns"},
    {"token_p_minus90_year", "fraction of paths whose token falls >= 90% over the first year"},
};

const char *alvh_diag_fact_name(alvh_diag_fact f) { return f < ALVH_FACT_COUNT ? fact_text[f].name : "?"; }
const char *alvh_diag_fact_doc(alvh_diag_fact f) { return f < ALVH_FACT_COUNT ? fact_text[f].doc : "?"; }

static alvh_status on_begin(void *vctx, int worker, const alvh_market_view *w)
{
    (void)worker;
    diag_ctx *c = vctx;
    for (size_t i = 0; i < w->n; i++) {
        size_t p = w->first_path + i;
        double *pr = c->prev + 3 * p, *s = c->sums + S_COUNT * p;
        pr[0] = w->state->ln_s[i];
        pr[1] = w->state->ln_g[i];
        pr[2] = c->has_eth ? w->state->ln_e[i] : 0.0;
        memset(s, 0, S_COUNT * sizeof *s);
        s[S_GMIN] = INFINITY;
    }
    if (w->first_path == 0)
        c->vix0 = w->events->vix[0];
    return ALVH_OK;
}

static alvh_status on_step(void *vctx, int worker, const alvh_market_view *w)
{
    (void)worker;
    diag_ctx *c = vctx;
    const alvh_market_state *st = w->state;
    size_t col = w->step - 1;
    for (size_t i = 0; i < w->n; i++) {
        size_t p = w->first_path + i;
        double *pr = c->prev + 3 * p, *s = c->sums + S_COUNT * p;
        double rs = st->ln_s[i] - pr[0], rg = st->ln_g[i] - pr[1];
        double re = c->has_eth ? st->ln_e[i] - pr[2] : 0.0;
        double g2 = rg * rg;
        s[S_S1] += rs, s[S_S2] += rs * rs;
        s[S_G1] += rg, s[S_G2] += g2, s[S_G3] += g2 * rg, s[S_G4] += g2 * g2;
        s[S_E1] += re, s[S_E2] += re * re, s[S_GE] += rg * re, s[S_ES] += re * rs;
        s[S_GMIN] = fmin(s[S_GMIN], rg);
        if (w->step <= c->year_steps)
            s[S_GYEAR] += rg;
        pr[0] = st->ln_s[i], pr[1] = st->ln_g[i];
        if (c->has_eth)
            pr[2] = st->ln_e[i];
        double vix = w->events->vix[i];
        double v2 = c->vix3m.alpha2 > 0.0 ? st->v2[i] : 0.0;
        double vix3m = alvh_vix_from_vars(&c->vix3m, st->v[i], v2);
        c->vix[p * c->n_steps + col] = (float)vix;
        c->ratio[p * c->n_steps + col] = (float)(vix / vix3m);
    }
    return ALVH_OK;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* q-quantile of n floats (sorted in place), linear between order statistics */
static double quantile_f(float *x, size_t n, double q)
{
    if (n == 0)
        return NAN;
    qsort(x, n, sizeof *x, cmp_float);
    double h = q * (double)(n - 1);
    size_t k = (size_t)h;
    double fr = h - (double)k;
    return k + 1 < n ? x[k] + fr * (x[k + 1] - x[k]) : x[k];
}

static double median_d(double *x, size_t n)
{
    if (n == 0)
        return NAN;
    qsort(x, n, sizeof *x, cmp_double);
    return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

/* A fact computed on paths [p0, p1): the whole sample and each batch use it. */
typedef double (*fact_fn)(const diag_ctx *c, size_t p0, size_t p1, long day, float *fbuf, double *dbuf);

static double f_vix_q(const diag_ctx *c, size_t p0, size_t p1, double q, float *fbuf)
{
    size_t n = (p1 - p0) * c->n_steps;
    memcpy(fbuf, c->vix + p0 * c->n_steps, n * sizeof *fbuf);
    return quantile_f(fbuf, n, q);
}
static double f_vix_med(const diag_ctx *c, size_t p0, size_t p1, long d, float *fb, double *db)
{
    (void)d, (void)db;
    return f_vix_q(c, p0, p1, 0.5, fb);
}
static double f_vix_p05(const diag_ctx *c, size_t p0, size_t p1, long d, float *fb, double *db)
{
    (void)d, (void)db;
    return f_vix_q(c, p0, p1, 0.05, fb);
}
static double f_vix_p95(const diag_ctx *c, size_t p0, size_t p1, long d, float *fb, double *db)
{
    (void)d, (void)db;
    return f_vix_q(c, p0, p1, 0.95, fb);
}

static double f_ratio_calm(const diag_ctx *c, size_t p0, size_t p1, long d, float *fb, double *db)
{
    (void)d, (void)db;
    size_t m = 0;
    for (size_t k = p0 * c->n_steps; k < p1 * c->n_steps; k++)
        fb[m++] = c->ratio[k];
    return quantile_f(fb, m, 0.5);
}

/* median over paths of a per-path value at column col of a matrix */
static double col_median(const diag_ctx *c, const float *mat, size_t p0, size_t p1, size_t col, double *db)
{
    for (size_t p = p0; p < p1; p++)
        db[p - p0] = mat[p * c->n_steps + col];
    return median_d(db, p1 - p0);
}

static double f_ratio_spike(const diag_ctx *c, size_t p0, size_t p1, long d, float *fb, double *db)
{
    (void)fb;
    return d < 0 ? NAN : col_median(c, c->ratio, p0, p1, (size_t)d, db);
}

static double f_half_life(const diag_ctx *c, size_t p0, size_t p1, long d, float *fb, double *db)
{
    (void)fb;
    if (d < 0)
        return NAN;
    double ex0 = col_median(c, c->vix, p0, p1, (size_t)d, db) - c->vix0, prev = ex0;
    if (!(ex0 > 0.0))
        return NAN;
    for (size_t k = 1; (size_t)d + k < c->n_steps; k++) {
        double ex = col_median(c, c->vix, p0, p1, (size_t)d + k, db) - c->vix0;
        if (ex <= 0.5 * ex0) /* linear between the two days around the crossing */
            return (double)(k - 1) + (prev - 0.5 * ex0) / (prev - ex);
        prev = ex;
    }
    return NAN;
}

static double f_after6(const diag_ctx *c, size_t p0, size_t p1, long d, float *fb, double *db)
{
    (void)fb;
    return d < 0 || (size_t)d + 6 >= c->n_steps ? NAN : col_median(c, c->vix, p0, p1, (size_t)d + 6, db);
}

static double f_days20(const diag_ctx *c, size_t p0, size_t p1, long d, float *fb, double *db)
{
    (void)fb;
    if (d < 0)
        return NAN;
    for (size_t p = p0; p < p1; p++) {
        size_t k = 1;
        while ((size_t)d + k < c->n_steps && !(c->vix[p * c->n_steps + (size_t)d + k] < 20.0f))
            k++;
        db[p - p0] = (double)k; /* censored at the horizon */
    }
    return median_d(db, p1 - p0);
}

static double mean_over_paths(const diag_ctx *c, size_t p0, size_t p1,
                              double (*per)(const double *s, double n, double years))
{
    double acc = 0.0;
    size_t m = 0;
    for (size_t p = p0; p < p1; p++) {
        double x = per(c->sums + S_COUNT * p, (double)c->n_steps, (double)c->n_steps / c->spy);
        if (isfinite(x))
            acc += x, m++;
    }
    return m ? acc / (double)m : NAN;
}

static double corr_of(double a1, double a2, double b1, double b2, double ab, double n)
{
    double cov = ab / n - a1 * b1 / (n * n), va = a2 / n - a1 * a1 / (n * n), vb = b2 / n - b1 * b1 / (n * n);
    return va > 0.0 && vb > 0.0 ? cov / sqrt(va * vb) : NAN;
}
static double per_corr_ge(const double *s, double n, double yr)
{
    (void)yr;
    return corr_of(s[S_G1], s[S_G2], s[S_E1], s[S_E2], s[S_GE], n);
}
static double per_corr_es(const double *s, double n, double yr)
{
    (void)yr;
    return corr_of(s[S_E1], s[S_E2], s[S_S1], s[S_S2], s[S_ES], n);
}
static double per_vol_s(const double *s, double n, double yr)
{
    (void)n;
    return sqrt(s[S_S2] / yr);
}
static double per_vol_g(const double *s, double n, double yr)
{
    (void)n;
    return sqrt(s[S_G2] / yr);
}

static double f_spx_vol(const diag_ctx *c, size_t p0, size_t p1, long d, float *fb, double *db)
{
    (void)d, (void)fb, (void)db;
    return mean_over_paths(c, p0, p1, per_vol_s);
}
static double f_tok_vol(const diag_ctx *c, size_t p0, size_t p1, long d, float *fb, double *db)
{
    (void)d, (void)fb, (void)db;
    return mean_over_paths(c, p0, p1, per_vol_g);
}
static double f_corr_ge(const diag_ctx *c, size_t p0, size_t p1, long d, float *fb, double *db)
{
    (void)d, (void)fb, (void)db;
    return c->has_eth ? mean_over_paths(c, p0, p1, per_corr_ge) : NAN;
}
static double f_corr_es(const diag_ctx *c, size_t p0, size_t p1, long d, float *fb, double *db)
{
    (void)d, (void)fb, (void)db;
    return c->has_eth ? mean_over_paths(c, p0, p1, per_corr_es) : NAN;
}

static double f_kurt(const diag_ctx *c, size_t p0, size_t p1, long d, float *fb, double *db)
{
    (void)d, (void)fb, (void)db;
    double t[4] = {0, 0, 0, 0};
    for (size_t p = p0; p < p1; p++)
        for (int k = 0; k < 4; k++)
            t[k] += c->sums[S_COUNT * p + S_G1 + k];
    double n = (double)((p1 - p0) * c->n_steps), m = t[0] / n, e2 = t[1] / n, e3 = t[2] / n, e4 = t[3] / n;
    double m2 = e2 - m * m, m4 = e4 - 4.0 * m * e3 + 6.0 * m * m * e2 - 3.0 * m * m * m * m;
    return m2 > 0.0 ? m4 / (m2 * m2) - 3.0 : NAN;
}

static double f_worst(const diag_ctx *c, size_t p0, size_t p1, long d, float *fb, double *db)
{
    (void)d, (void)fb;
    for (size_t p = p0; p < p1; p++)
        db[p - p0] = expm1(c->sums[S_COUNT * p + S_GMIN]);
    return median_d(db, p1 - p0);
}

static double f_m90(const diag_ctx *c, size_t p0, size_t p1, long d, float *fb, double *db)
{
    (void)d, (void)fb, (void)db;
    size_t k = 0;
    for (size_t p = p0; p < p1; p++)
        k += c->sums[S_COUNT * p + S_GYEAR] <= log(0.1);
    return (double)k / (double)(p1 - p0);
}

static const fact_fn fact_fns[ALVH_FACT_COUNT] = {
    f_vix_med, f_vix_p05, f_vix_p95, f_ratio_calm, f_ratio_spike, f_half_life, f_after6, f_days20,
    f_spx_vol, f_tok_vol, f_kurt,    f_worst,      f_corr_ge,     f_corr_es,   f_m90,
};

static void compute_facts(const diag_ctx *c, long day, float *fbuf, double *dbuf, alvh_diag_result *out)
{
    const size_t n = c->n_paths;
    for (int f = 0; f < ALVH_FACT_COUNT; f++) {
        double all = fact_fns[f](c, 0, n, day, fbuf, dbuf), b1 = 0.0, b2 = 0.0;
        int nb = 0;
        for (size_t b = 0; b < ALVH_DIAG_BATCHES; b++) {
            double x = fact_fns[f](c, b * n / ALVH_DIAG_BATCHES, (b + 1) * n / ALVH_DIAG_BATCHES, day, fbuf, dbuf);
            if (isfinite(x))
                b1 += x, b2 += x * x, nb++;
        }
        double var = nb > 1 ? (b2 - b1 * b1 / nb) / (nb - 1) : NAN;
        out->fact[f].value = all;
        out->fact[f].se = isfinite(all) && nb == ALVH_DIAG_BATCHES ? sqrt(fmax(var, 0.0) / nb) : NAN;
    }
}

alvh_status alvh_diagnose_run(const alvh_market_sim_request *rq, double spy, const alvh_kernel_ops *ops,
                              alvh_diag_result *out, alvh_error *err)
{
    if (rq->n_paths < ALVH_DIAG_BATCHES || rq->n_steps < 2)
        return alvh_error_set(err, ALVH_E_CONFIG, "diagnose needs at least %d paths and 2 steps (got %zu, %zu)",
                              ALVH_DIAG_BATCHES, rq->n_paths, rq->n_steps);
    diag_ctx c = {.n_paths = rq->n_paths, .n_steps = rq->n_steps, .has_eth = rq->params.eth.sigma0_ann > 0.0,
                  .spy = spy};
    c.year_steps = (size_t)llround(spy) < rq->n_steps ? (size_t)llround(spy) : rq->n_steps;
    alvh_vix_coeffs_init_tau(&c.vix3m, &rq->params.spx, ALVH_VIX3M_TAU_YEARS);
    size_t cells = rq->n_paths * rq->n_steps;
    c.vix = malloc(cells * sizeof *c.vix);
    c.ratio = malloc(cells * sizeof *c.ratio);
    c.prev = malloc(rq->n_paths * 3 * sizeof *c.prev);
    c.sums = malloc(rq->n_paths * S_COUNT * sizeof *c.sums);
    float *fbuf = malloc(cells * sizeof *fbuf);
    double *dbuf = malloc(rq->n_paths * sizeof *dbuf);
    alvh_status st = ALVH_OK;
    if (!c.vix || !c.ratio || !c.prev || !c.sums || !fbuf || !dbuf)
        st = alvh_error_set(err, ALVH_E_NOMEM, "diagnose: cannot hold %zu paths x %zu steps (%.0f MB)", rq->n_paths,
                            rq->n_steps, 12.0 * (double)cells / 1e6);
    alvh_market_observer obs = {.ctx = &c, .block_begin = on_begin, .step = on_step};
    if (st == ALVH_OK)
        st = alvh_market_sim_run(rq, ops, &obs, NULL, err);
    if (st == ALVH_OK) {
        long day = -1;
        for (size_t k = 0; k < rq->n_injections; k++)
            if (!isnan(rq->injections[k].vix_level) && (long)rq->injections[k].step > day)
                day = (long)rq->injections[k].step;
        out->n_paths = rq->n_paths;
        out->n_steps = rq->n_steps;
        out->spike_day = day;
        compute_facts(&c, day, fbuf, dbuf, out);
    }
    free(c.vix);
    free(c.ratio);
    free(c.prev);
    free(c.sums);
    free(fbuf);
    free(dbuf);
    return st;
}
