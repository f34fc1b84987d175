/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The full market model (kernels/market_model.h, engine/market_sim.h) against
 * independent references: token options under Merton and two-sided governance
 * jumps (tests/fixtures/token_prices.csv, QuantLib-Python double Poisson series,
 * see gen_token_prices.py), the martingale conditions with every event type on,
 * sample correlations of the drivers, Poisson event counts, the VIX formula,
 * stress injections, bit-identical results for 1, 2 and 3 threads and any block
 * size, vector vs scalar kernels, and the positive-definiteness check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/dispatch.h"
#include "engine/market_sim.h"
#include "kernels/pcg64.h"
/* the scalar build of the SPX step pieces, for the accuracy of QE's K0* series */
#include "kernels/simd/scalar.h"
#include "kernels/spx_step_core.h"

enum { MAX_WORKERS = 8, N_SUMS = 12 };

/* Observer keeping per-path terminal values and event totals, and per-block
 * sums of per-step increments for the correlation tests. */
typedef struct {
    size_t n_paths, block_size;
    double *ln_s, *v, *ln_g, *f, *counts; /* per path; counts: jump, gov up, gov down, hack */
    double *log_lr;                       /* per path: its log likelihood ratio at the end */
    double *prev[MAX_WORKERS][4];
    double *sums; /* per block: n, sx, sg, sv, sf, sxx, sgg, svv, sff, sxg, svg, sgf, sxv (see below) */
    double vix0;
    int check_vix;
    double max_vix_err;
    const alvh_market_injection *inj; /* checked at the step after it acts */
    int inj_ok;
} obs_t;

enum { S_N, S_X, S_G, S_V, S_F, S_XX, S_GG, S_VV, S_FF, S_XG, S_VG, S_GF, S_XV, S_COUNT };

static double vix_formula(const alvh_spx_params *p, double v)
{
    double tau = 30.0 / 365.0, a = (1.0 - exp(-p->kappa * tau)) / (p->kappa * tau);
    double theta_star = p->theta + p->lambda_ann * p->mu_v / p->kappa;
    double m_j = exp(p->mu_j + 0.5 * p->delta_j * p->delta_j) - 1.0;
    return 100.0 * sqrt(a * fmax(v, 0.0) + (1.0 - a) * theta_star + 2.0 * p->lambda_ann * (m_j - p->mu_j));
}

static const alvh_market_params *g_params; /* the run's parameters, for the VIX check */

static void snapshot(obs_t *o, int worker, const alvh_market_view *w)
{
    const alvh_market_state *s = w->state;
    memcpy(o->prev[worker][0], s->ln_s, w->n * sizeof(double));
    memcpy(o->prev[worker][1], s->ln_g, w->n * sizeof(double));
    memcpy(o->prev[worker][2], s->v, w->n * sizeof(double));
    memcpy(o->prev[worker][3], s->f, w->n * sizeof(double));
}

static alvh_status on_begin(void *ctx, int worker, const alvh_market_view *w)
{
    obs_t *o = ctx;
    if (w->block == 0)
        o->vix0 = w->events->vix[0];
    memset(o->sums + w->block * S_COUNT, 0, S_COUNT * sizeof(double));
    for (size_t i = 0; i < w->n; i++)
        for (int k = 0; k < 4; k++)
            o->counts[4 * (w->first_path + i) + k] = 0.0;
    snapshot(o, worker, w);
    return ALVH_OK;
}

static alvh_status on_step(void *ctx, int worker, const alvh_market_view *w)
{
    obs_t *o = ctx;
    const alvh_market_state *s = w->state;
    const alvh_market_events *e = w->events;
    const alvh_market_consts *c = w->consts;
    double *sum = o->sums + w->block * S_COUNT;
    for (size_t i = 0; i < w->n; i++) {
        double *cnt = o->counts + 4 * (w->first_path + i);
        cnt[0] += e->n_jump[i];
        cnt[1] += e->n_gov_up[i];
        cnt[2] += e->n_gov_dn[i];
        cnt[3] += e->n_hack[i];
        double dx = s->ln_s[i] - o->prev[worker][0][i], dg = s->ln_g[i] - o->prev[worker][1][i];
        double dv = s->v[i] - o->prev[worker][2][i];
        double ef = s->f[i] - c->f_bar - (o->prev[worker][3][i] - c->f_bar) * c->f_e; /* OU innovation */
        sum[S_N] += 1.0;
        sum[S_X] += dx, sum[S_G] += dg, sum[S_V] += dv, sum[S_F] += ef;
        sum[S_XX] += dx * dx, sum[S_GG] += dg * dg, sum[S_VV] += dv * dv, sum[S_FF] += ef * ef;
        sum[S_XG] += dx * dg, sum[S_VG] += dv * dg, sum[S_GF] += dg * ef, sum[S_XV] += dx * dv;
        if (o->check_vix) {
            double err = fabs(e->vix[i] - vix_formula(&g_params->spx, s->v[i]));
            o->max_vix_err = fmax(o->max_vix_err, err);
        }
    }
    if (o->inj && w->step == o->inj->step + 1) {
        for (size_t i = 0; i < w->n; i++) {
            double dx = s->ln_s[i] - o->prev[worker][0][i], dg = s->ln_g[i] - o->prev[worker][1][i];
            if (fabs(expm1(dx) - o->inj->spx_ret) > 1e-12 || fabs(expm1(dg) - o->inj->token_ret) > 1e-12 ||
                fabs(e->vix[i] - o->inj->vix_level) > 1e-9 ||
                fabs(vix_formula(&g_params->spx, s->v[i]) - o->inj->vix_level) > 1e-9 ||
                s->f[i] != o->inj->funding_ann || e->n_gov_dn[i] < 1.0 || e->n_hack[i] < 1.0)
                o->inj_ok = 0;
        }
    }
    snapshot(o, worker, w);
    return ALVH_OK;
}

static alvh_status on_end(void *ctx, int worker, const alvh_market_view *w)
{
    (void)worker;
    obs_t *o = ctx;
    for (size_t i = 0; i < w->n; i++) {
        size_t p = w->first_path + i;
        o->ln_s[p] = w->state->ln_s[i];
        o->v[p] = w->state->v[i];
        o->ln_g[p] = w->state->ln_g[i];
        o->f[p] = w->state->f[i];
        o->log_lr[p] = w->log_lr[i];
    }
    return ALVH_OK;
}

static obs_t *obs_new(size_t n_paths, size_t bs)
{
    obs_t *o = calloc(1, sizeof *o);
    size_t nb = (n_paths + bs - 1) / bs;
    o->n_paths = n_paths;
    o->block_size = bs;
    o->ln_s = malloc(n_paths * sizeof(double));
    o->v = malloc(n_paths * sizeof(double));
    o->ln_g = malloc(n_paths * sizeof(double));
    o->f = malloc(n_paths * sizeof(double));
    o->counts = malloc(4 * n_paths * sizeof(double));
    o->log_lr = malloc(n_paths * sizeof(double));
    o->sums = malloc(nb * S_COUNT * sizeof(double));
    for (int w = 0; w < MAX_WORKERS; w++)
        for (int k = 0; k < 4; k++)
            o->prev[w][k] = malloc(bs * sizeof(double));
    o->inj_ok = 1;
    return o;
}

static void obs_free(obs_t *o)
{
    free(o->ln_s), free(o->v), free(o->ln_g), free(o->f), free(o->counts), free(o->sums), free(o->log_lr);
    for (int w = 0; w < MAX_WORKERS; w++)
        for (int k = 0; k < 4; k++)
            free(o->prev[w][k]);
    free(o);
}

/* A calm scenario with everything off but diffusion. */
static alvh_market_params base_params(void)
{
    alvh_market_params p = {0};
    p.spx = (alvh_spx_params){.s0 = 5000.0, .v0 = 0.04, .r_ann = 0.03, .q_ann = 0.01, .kappa = 2.0, .theta = 0.04,
                              .xi = 0.3, .rho = -0.7, .scheme = ALVH_SCHEME_QE};
    p.token = (alvh_token_params){.g0_usd = 100.0, .mu_ann = 0.03, .sigma0_ann = 1.0, .vix_ref = 20.0,
                                  .sigma_max_ann = 10.0};
    p.funding = (alvh_funding_params){.f0_ann = 0.1, .kappa_f = 20.0, .fbar_ann = 0.11, .sigma_f_ann = 0.8};
    return p;
}

static alvh_status run(const alvh_market_params *p, size_t paths, size_t steps, double dt, int threads, size_t bs,
                       obs_t *o, const alvh_market_injection *inj, size_t n_inj, alvh_error *err)
{
    const alvh_kernel_ops *ops;
    alvh_error e2;
    if (alvh_dispatch_select(NULL, &ops, &e2) != ALVH_OK)
        return ALVH_E_INTERNAL;
    alvh_market_sim_request rq = {.params = *p, .dt_years = dt, .n_steps = steps, .n_paths = paths,
                                  .block_size = bs, .seed = 20261125, .scenario = 3, .threads = threads,
                                  .injections = inj, .n_injections = n_inj};
    alvh_market_observer ob = {.ctx = o, .block_begin = on_begin, .step = on_step, .block_end = on_end};
    g_params = p;
    return alvh_market_sim_run(&rq, ops, &ob, NULL, err);
}

/* ---- token options vs the fixture ---- */

static void test_token_prices(void **state)
{
    (void)state;
    FILE *f = fopen(ALVH_FIXTURE_DIR "/token_prices.csv", "r");
    assert_non_null(f);
    char line[512];
    assert_non_null(fgets(line, sizeof line, f));
    typedef struct {
        char set[32], kind[8];
        double g0, k, t, r, sigma, lam, p_up, mu_up, d_up, mu_dn, d_dn, price;
    } row_t;
    row_t rows[64];
    int n = 0;
    while (n < 64 && fgets(line, sizeof line, f)) {
        row_t *r = &rows[n];
        int got = sscanf(line, "%31[^,],%7[^,],%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf", r->set, r->kind,
                         &r->g0, &r->k, &r->t, &r->r, &r->sigma, &r->lam, &r->p_up, &r->mu_up, &r->d_up, &r->mu_dn,
                         &r->d_dn, &r->price);
        assert_int_equal(got, 14);
        n++;
    }
    fclose(f);
    assert_int_equal(n, 24);
    /* the token's own discretization is exact (lognormal steps, exact jump
     * laws); the allowance covers the per-step cap of 2 jumps only */
    const double allowance = 0.005;
    const size_t paths = 200000;
    int checked = 0;
    double worst_z = 0.0;
    for (int i = 0; i < n; i++) {
        row_t *r = &rows[i];
        if (strcmp(r->kind, "call") != 0)
            continue;
        /* one run per (set, T); all strikes of that run */
        int first = 1;
        for (int j = 0; j < i; j++)
            if (strcmp(rows[j].set, r->set) == 0 && rows[j].t == r->t)
                first = 0;
        if (!first)
            continue;
        alvh_market_params p = base_params();
        p.spx.r_ann = r->r;
        p.token.g0_usd = r->g0;
        p.token.mu_ann = r->r;
        p.token.sigma0_ann = r->sigma;
        p.token.rho_sg = 0.3;
        p.token.lambda_gov_ann = r->lam;
        p.token.p_up = r->p_up;
        p.token.mu_up = r->mu_up, p.token.d_up = r->d_up, p.token.mu_dn = r->mu_dn, p.token.d_dn = r->d_dn;
        size_t steps = (size_t)lround(r->t * 252.0);
        obs_t *o = obs_new(paths, 1024);
        alvh_error err = {0};
        assert_int_equal(run(&p, paths, steps, r->t / (double)steps, 0, 1024, o, NULL, 0, &err), ALVH_OK);
        double disc = exp(-r->r * r->t);
        for (int j = 0; j < n; j++) {
            row_t *q = &rows[j];
            if (strcmp(q->set, r->set) != 0 || q->t != r->t)
                continue;
            double s1 = 0.0, s2 = 0.0;
            for (size_t k = 0; k < paths; k++) {
                double gt = exp(o->ln_g[k]);
                double pay = disc * (strcmp(q->kind, "call") == 0 ? fmax(gt - q->k, 0.0) : fmax(q->k - gt, 0.0));
                s1 += pay;
                s2 += pay * pay;
            }
            double mean = s1 / paths, se = sqrt((s2 / paths - mean * mean) / (paths - 1.0));
            double z = fabs(mean - q->price) / se;
            printf("# %-14s %s K=%5.0f T=%.2f  mc %9.4f  ref %9.4f  se %.4f  |z| %.2f\n", q->set, q->kind, q->k,
                   q->t, mean, q->price, se, z);
            worst_z = fmax(worst_z, z);
            assert_true(fabs(mean - q->price) <= 3.0 * se + allowance);
            checked++;
        }
        obs_free(o);
    }
    printf("# %d token prices checked, worst |z| %.2f\n", checked, worst_z);
    assert_int_equal(checked, 24);
}

/* ---- martingales with every event type on ---- */

static alvh_market_params full_params(void)
{
    alvh_market_params p = base_params();
    p.spx.lambda_ann = 0.59, p.spx.mu_j = -0.05, p.spx.delta_j = 0.07, p.spx.mu_v = 0.02;
    p.token.gamma = 1.0;
    p.token.rho_sg = 0.25, p.token.rho_vg = 0.2;
    p.token.beta_j = 2.0, p.token.delta_c = 0.1;
    p.token.lambda_gov_ann = 4.0, p.token.p_up = 0.25;
    p.token.mu_up = 0.3, p.token.d_up = 0.1, p.token.mu_dn = -0.25, p.token.d_dn = 0.15;
    p.token.lambda_hack_ann = 1.0, p.token.hack_loss_frac = 0.5, p.token.mu_hack = -0.3, p.token.d_hack = 0.1;
    p.funding.rho_gf = 0.4;
    return p;
}

static void test_martingales_and_counts(void **state)
{
    (void)state;
    alvh_market_params p = full_params();
    const size_t paths = 100000, steps = 252;
    const double t = 1.0;
    obs_t *o = obs_new(paths, 1000);
    o->check_vix = 1;
    alvh_error err = {0};
    assert_int_equal(run(&p, paths, steps, t / steps, 0, 1000, o, NULL, 0, &err), ALVH_OK);
    double disc = exp(-p.spx.r_ann * t);
    double sg = 0, sg2 = 0, ss = 0, ss2 = 0, cnt[4] = {0};
    for (size_t i = 0; i < paths; i++) {
        double g = disc * exp(o->ln_g[i]), s = disc * exp(o->ln_s[i]);
        sg += g, sg2 += g * g, ss += s, ss2 += s * s;
        for (int k = 0; k < 4; k++)
            cnt[k] += o->counts[4 * i + k];
    }
    double mg = sg / paths, seg = sqrt((sg2 / paths - mg * mg) / paths);
    double ms = ss / paths, ses = sqrt((ss2 / paths - ms * ms) / paths);
    double want_s = p.spx.s0 * exp(-p.spx.q_ann * t);
    printf("# E[e^-rT G_T] = %.4f +- %.4f (G0 %.1f); E[e^-rT S_T] = %.2f +- %.2f (want %.2f)\n", mg, seg,
           p.token.g0_usd, ms, ses, want_s);
    assert_true(fabs(mg - p.token.g0_usd) <= 3.0 * seg);
    assert_true(fabs(ms - want_s) <= 3.0 * ses);
    /* counts: Poisson means lambda T (gov split by p_up), standard error sqrt(lambda T / n) */
    const double want[4] = {p.spx.lambda_ann * t, p.token.lambda_gov_ann * p.token.p_up * t,
                            p.token.lambda_gov_ann * (1.0 - p.token.p_up) * t, p.token.lambda_hack_ann * t};
    const char *name[4] = {"SPX jumps", "gov up", "gov down", "exploits"};
    for (int k = 0; k < 4; k++) {
        double mean = cnt[k] / paths, se = sqrt(want[k] / paths);
        printf("# %-9s per path %.4f (Poisson mean %.4f, se %.4f)\n", name[k], mean, want[k], se);
        assert_true(fabs(mean - want[k]) <= 4.0 * se);
    }
    /* VIX: at t = 0 and after every step, the DESIGN.md formula of the variance */
    printf("# VIX0 %.6f (formula %.6f), max |VIX - formula(v)| over all steps %.2e\n", o->vix0,
           vix_formula(&p.spx, p.spx.v0), o->max_vix_err);
    assert_true(fabs(o->vix0 - vix_formula(&p.spx, p.spx.v0)) < 1e-10);
    assert_true(o->max_vix_err < 1e-9);
    obs_free(o);
}

/* ---- importance sampling of the event intensities ---- */

/* weighted estimate of E[x] from n paths: mean of w x and its standard error */
typedef struct {
    double sum, sum2;
} wsum;
static void wadd(wsum *a, double wx) { a->sum += wx, a->sum2 += wx * wx; }
static double wmean(const wsum *a, size_t n) { return a->sum / (double)n; }
static double wse(const wsum *a, size_t n)
{
    double m = a->sum / (double)n;
    return sqrt(fmax(a->sum2 / (double)n - m * m, 0.0) / (double)(n - 1));
}

/* paths x steps over t years in blocks of 500 on every thread */
static obs_t *run_tilted(const alvh_market_params *p, size_t paths, size_t steps, double t)
{
    obs_t *o = obs_new(paths, 500);
    alvh_error err = {0};
    assert_int_equal(run(p, paths, steps, t / (double)steps, 0, 500, o, NULL, 0, &err), ALVH_OK);
    return o;
}

/* Under tilts of every intensity, the likelihood-ratio-weighted estimates of
 * what the untilted model knows in closed form: E[LR] = 1, the Poisson means
 * of the counts, the discounted token and SPX martingales, and P(an exploit
 * in the year) = 1 - e^{-lambda_hack T}, whose IS variance must be below
 * plain MC's p(1 - p). */
static void test_importance_sampling_unbiased(void **state)
{
    (void)state;
    alvh_market_params p = full_params();
    p.tilt = (alvh_tilt_params){.spx_jump = 1.5, .gov = 0.8, .exploit = 3.0};
    const size_t paths = 20000, steps = 252;
    const double t = 1.0;
    obs_t *o = run_tilted(&p, paths, steps, t);
    const double disc = exp(-p.spx.r_ann * t);
    wsum lr = {0}, g = {0}, sx = {0}, hit = {0}, cnt[4] = {{0}};
    for (size_t i = 0; i < paths; i++) {
        double w = exp(o->log_lr[i]);
        wadd(&lr, w);
        wadd(&g, w * disc * exp(o->ln_g[i]));
        wadd(&sx, w * disc * exp(o->ln_s[i]));
        wadd(&hit, w * (o->counts[4 * i + 3] > 0.0));
        for (int k = 0; k < 4; k++)
            wadd(&cnt[k], w * o->counts[4 * i + k]);
    }
    printf("# IS: E[LR] = %.4f +- %.4f\n", wmean(&lr, paths), wse(&lr, paths));
    assert_true(fabs(wmean(&lr, paths) - 1.0) <= 4.0 * wse(&lr, paths));
    printf("# IS: E[e^-rT G_T] = %.4f +- %.4f (G0 %.1f)\n", wmean(&g, paths), wse(&g, paths), p.token.g0_usd);
    assert_true(fabs(wmean(&g, paths) - p.token.g0_usd) <= 4.0 * wse(&g, paths));
    double want_s = p.spx.s0 * exp(-p.spx.q_ann * t);
    assert_true(fabs(wmean(&sx, paths) - want_s) <= 4.0 * wse(&sx, paths));
    const double want[4] = {p.spx.lambda_ann * t, p.token.lambda_gov_ann * p.token.p_up * t,
                            p.token.lambda_gov_ann * (1.0 - p.token.p_up) * t, p.token.lambda_hack_ann * t};
    for (int k = 0; k < 4; k++) {
        printf("# IS: count %d per path %.4f +- %.4f (Poisson mean %.4f)\n", k, wmean(&cnt[k], paths),
               wse(&cnt[k], paths), want[k]);
        assert_true(fabs(wmean(&cnt[k], paths) - want[k]) <= 4.0 * wse(&cnt[k], paths));
    }
    /* P(N_hack >= 1) over the year: exact for the capped count (P(N >= 1) per step is unchanged by the cap) */
    double ph = -expm1(-p.token.lambda_hack_ann * t), var_is = wse(&hit, paths) * wse(&hit, paths) * (double)paths;
    printf("# IS: P(exploit) = %.5f +- %.5f (exact %.5f); variance per path IS %.4f, plain %.4f\n",
           wmean(&hit, paths), wse(&hit, paths), ph, var_is, ph * (1.0 - ph));
    assert_true(fabs(wmean(&hit, paths) - ph) <= 4.0 * wse(&hit, paths));
    obs_free(o);
}

/* The rare event the tilt exists for: exploits at 0.1 a year sampled at 2 a
 * year over half a year; P(an exploit) stays unbiased and its variance per
 * path falls by 12.3x in theory (a = lambda T, tilt t: E~[1{N >= 1} LR^2] =
 * e^{(t - 2) a} (e^{a / t} - 1), minus p^2; plain: p (1 - p)); asserted > 6x. */
/* The automatic tilt minimizes e^{(t-2)a}(e^{a/t} - 1) - p^2: about 1/a for a
 * rare type (20.02 at a = 0.05, 10.05 at 0.1, grid search), 1 when not rare,
 * the cap when the minimum lies beyond it. */
static void test_tilt_for_rare(void **state)
{
    (void)state;
    assert_true(fabs(alvh_tilt_for_rare(0.05, 1000) - 20.02) < 0.02);
    assert_true(fabs(alvh_tilt_for_rare(0.1, 1000) - 10.05) < 0.02);
    assert_true(alvh_tilt_for_rare(0.6, 1000) == 1.0);
    assert_true(alvh_tilt_for_rare(0.0, 1000) == 1.0);
    assert_true(fabs(alvh_tilt_for_rare(0.05, 5.0) - 5.0) < 1e-6);
    for (double a = 0.01; a < 0.5; a += 0.07) {
        double t = alvh_tilt_for_rare(a, 1000), v = exp((t - 2) * a) * expm1(a / t);
        for (double f = 0.8; f <= 1.21; f += 0.1)
            assert_true(v <= exp((f * t - 2) * a) * expm1(a / (f * t)) * (1 + 1e-12));
    }
}

static void test_importance_sampling_rare_exploit(void **state)
{
    (void)state;
    alvh_market_params p = base_params();
    p.token.lambda_hack_ann = 0.1, p.token.mu_hack = -0.3, p.token.d_hack = 0.1;
    p.tilt = (alvh_tilt_params){.spx_jump = 1.0, .gov = 1.0, .exploit = 20.0};
    const size_t paths = 10000, steps = 126;
    const double t = 0.5;
    obs_t *o = run_tilted(&p, paths, steps, t);
    wsum hit = {0}, lr = {0};
    for (size_t i = 0; i < paths; i++) {
        double w = exp(o->log_lr[i]);
        wadd(&lr, w);
        wadd(&hit, w * (o->counts[4 * i + 3] > 0.0));
    }
    double ph = -expm1(-p.token.lambda_hack_ann * t), var_is = wse(&hit, paths) * wse(&hit, paths) * (double)paths;
    printf("# IS rare: P(exploit) = %.5f +- %.5f (exact %.5f), E[LR] %.4f +- %.4f; variance per path IS %.3g, "
           "plain %.3g (factor %.1f)\n", wmean(&hit, paths), wse(&hit, paths), ph, wmean(&lr, paths), wse(&lr, paths),
           var_is, ph * (1.0 - ph), ph * (1.0 - ph) / var_is);
    assert_true(fabs(wmean(&hit, paths) - ph) <= 4.0 * wse(&hit, paths));
    assert_true(fabs(wmean(&lr, paths) - 1.0) <= 4.0 * wse(&lr, paths));
    assert_true(var_is * 6.0 < ph * (1.0 - ph));
    obs_free(o);
}

/* A tilt of 1 (or 0: the section not given) is plain Monte Carlo bit for bit,
 * with every likelihood ratio exactly 1; a tilt changes the paths. */
static void test_tilt_one_is_plain(void **state)
{
    (void)state;
    const size_t paths = 700, steps = 40;
    alvh_market_params p = full_params();
    obs_t *o[3];
    alvh_error err = {0};
    const alvh_tilt_params tilts[3] = {{.spx_jump = 0}, {.spx_jump = 1.0, .gov = 1.0, .exploit = 1.0}, {.spx_jump = 1.0, .gov = 1.0, .exploit = 3.0}};
    for (int k = 0; k < 3; k++) {
        p.tilt = tilts[k];
        o[k] = obs_new(paths, 256);
        assert_int_equal(run(&p, paths, steps, 1.0 / 252, 2, 256, o[k], NULL, 0, &err), ALVH_OK);
    }
    assert_memory_equal(o[0]->ln_g, o[1]->ln_g, paths * sizeof(double));
    assert_memory_equal(o[0]->ln_s, o[1]->ln_s, paths * sizeof(double));
    assert_memory_equal(o[0]->counts, o[1]->counts, 4 * paths * sizeof(double));
    int lr_moves = 0;
    for (size_t i = 0; i < paths; i++) {
        assert_true(o[0]->log_lr[i] == 0.0 && o[1]->log_lr[i] == 0.0);
        lr_moves |= o[2]->log_lr[i] != 0.0;
    }
    assert_true(lr_moves);
    assert_true(memcmp(o[0]->counts, o[2]->counts, 4 * paths * sizeof(double)) != 0);
    for (int k = 0; k < 3; k++)
        obs_free(o[k]);
}

/* The token-drift kernels against the mixture density they stand for: the
 * shift goes to the picked paths only, W~ is sqrt(dt) times the drawn sum,
 * and exp(-log_lr) is (1 - s) + s prod phi(z~ - a) / phi(z~) over the steps
 * (computed here from the normal density itself); with s = 1 the weight is
 * the single Girsanov factor, and every weight stays below 1 / (1 - s). */
static void test_token_drift_kernels(void **state)
{
    (void)state;
    alvh_market_params p = full_params();
    const double dt = 1.0 / 252;
    p.tilt = (alvh_tilt_params){.spx_jump = 1.0, .gov = 1.0, .exploit = 1.0, .token_drift = 1.7,
                                .token_drift_share = 0.3, .token_drift_turn_years = 18 * dt};
    alvh_market_consts c;
    char msg[400];
    assert_int_equal(alvh_market_consts_init(&c, &p, dt, msg, sizeof msg), 0);
    /* the turn: steps 0..17 (ending at 1..18 dt) keep +theta, step 18 on has -theta */
    assert_true(alvh_market_drift_sign(&c, 18 * dt) == 1.0 && alvh_market_drift_sign(&c, 19 * dt) == -1.0);
    assert_true(c.has_drift && !c.has_tilt && alvh_tilt_active(&p.tilt));
    enum { N = 6, STEPS = 30 };
    const double u[N] = {0.05, 0.29, 0.31, 0.9, 0.0, 0.5};
    double shift[N], w_g[N] = {0}, lr_ev[N] = {0.1, -0.2, 0, 0, 0.3, 0}, log_lr[N], ratio_log[N] = {0};
    alvh_market_drift_pick(&c, N, u, shift);
    for (int i = 0; i < N; i++)
        assert_true(shift[i] == (u[i] < 0.3 ? 1.7 * sqrt(dt) : 0.0));
    for (int t = 0; t < STEPS; t++) {
        double z[N], z0[N];
        for (int i = 0; i < N; i++) /* any values: the identities hold draw by draw */
            z[i] = z0[i] = 1.8 * sin(7.3 * i + 1.1 * t + 0.4);
        const double sign = alvh_market_drift_sign(&c, (t + 1) * dt);
        assert_true(sign == (t < 18 ? 1.0 : -1.0));
        alvh_market_drift_step(&c, N, sign, shift, z, w_g);
        const double a = sign * 1.7 * sqrt(dt);
        for (int i = 0; i < N; i++) {
            assert_true(z[i] == z0[i] + sign * shift[i]);
            /* log phi(z~ - a) - log phi(z~), a = sign theta sqrt(dt) */
            ratio_log[i] += -0.5 * (z[i] - a) * (z[i] - a) + 0.5 * z[i] * z[i];
        }
        alvh_market_drift_lr(&c, N, (t + 1) * dt, w_g, lr_ev, log_lr);
    }
    for (int i = 0; i < N; i++) {
        double want = lr_ev[i] - log(0.7 + 0.3 * exp(ratio_log[i]));
        assert_true(fabs(log_lr[i] - want) < 1e-12 * (1.0 + fabs(want)));
        assert_true(log_lr[i] - lr_ev[i] < -log(0.7) + 1e-15);
    }
    p.tilt.token_drift_share = 1.0;
    assert_int_equal(alvh_market_consts_init(&c, &p, dt, msg, sizeof msg), 0);
    alvh_market_drift_lr(&c, N, STEPS * dt, w_g, lr_ev, log_lr);
    for (int i = 0; i < N; i++)
        assert_true(fabs(log_lr[i] - (lr_ev[i] - 1.7 * w_g[i] + 0.5 * 1.7 * 1.7 * STEPS * dt)) < 1e-12);
    p.tilt.token_drift_share = 0.0; /* no share, or no drift: no tilt */
    assert_int_equal(alvh_market_consts_init(&c, &p, dt, msg, sizeof msg), 0);
    assert_false(c.has_drift || alvh_tilt_active(&p.tilt));
}

/* Under the token-drift mixture (with an exploit tilt), the weighted
 * estimates of what the model knows in closed form: E[LR] = 1, the
 * discounted token and SPX martingales, P(an exploit); the tilted paths do
 * rally (the unweighted mean of ln G_T rises by about s theta l_gg sigma T,
 * 0.87 here, against the exploit tilt alone);
 * threads do not change a bit. */
static void test_token_drift_unbiased(void **state)
{
    (void)state;
    alvh_market_params p = full_params();
    p.tilt = (alvh_tilt_params){.spx_jump = 1.0, .gov = 1.0, .exploit = 3.0, .token_drift = 1.5,
                                .token_drift_share = 0.6};
    const size_t paths = 20000, steps = 252;
    const double t = 1.0, disc = exp(-p.spx.r_ann * t);
    obs_t *o = run_tilted(&p, paths, steps, t);
    alvh_market_params q = p;
    q.tilt.token_drift = 0.0; /* the exploit tilt alone */
    obs_t *pl = run_tilted(&q, paths, steps, t);
    wsum lr = {0}, g = {0}, sx = {0}, hit = {0};
    double lg_tilt = 0.0, lg_plain = 0.0;
    for (size_t i = 0; i < paths; i++) {
        double w = exp(o->log_lr[i]);
        /* the mixture's bound 1 / (1 - s) times the exploit LR's largest, e^{lambda T (k - 1)} (no exploit) */
        assert_true(w < 1.0 / 0.4 * exp(p.token.lambda_hack_ann * t * 2.0) * (1.0 + 1e-9));
        wadd(&lr, w);
        wadd(&g, w * disc * exp(o->ln_g[i]));
        wadd(&sx, w * disc * exp(o->ln_s[i]));
        wadd(&hit, w * (o->counts[4 * i + 3] > 0.0));
        lg_tilt += o->ln_g[i] / (double)paths;
        lg_plain += pl->ln_g[i] / (double)paths;
    }
    printf("# drift IS: E[LR] = %.4f +- %.4f, E[e^-rT G_T] = %.4f +- %.4f (G0 %.1f), mean ln G_T %.3f (exploit tilt alone %.3f)\n",
           wmean(&lr, paths), wse(&lr, paths), wmean(&g, paths), wse(&g, paths), p.token.g0_usd, lg_tilt, lg_plain);
    assert_true(fabs(wmean(&lr, paths) - 1.0) <= 4.0 * wse(&lr, paths));
    assert_true(fabs(wmean(&g, paths) - p.token.g0_usd) <= 4.0 * wse(&g, paths));
    assert_true(fabs(wmean(&sx, paths) - p.spx.s0 * exp(-p.spx.q_ann * t)) <= 4.0 * wse(&sx, paths));
    double ph = -expm1(-p.token.lambda_hack_ann * t);
    assert_true(fabs(wmean(&hit, paths) - ph) <= 4.0 * wse(&hit, paths));
    assert_true(lg_tilt > lg_plain + 0.6);
    /* with a turn at 0.4 years the tilted paths rally, then fall: still unbiased */
    alvh_market_params r = p;
    r.tilt.token_drift_turn_years = 0.4;
    obs_t *ot = run_tilted(&r, paths, steps, t);
    wsum lr_t = {0}, g_t = {0}, hit_t = {0};
    double lg_turn = 0.0;
    for (size_t i = 0; i < paths; i++) {
        double w = exp(ot->log_lr[i]);
        wadd(&lr_t, w);
        wadd(&g_t, w * disc * exp(ot->ln_g[i]));
        wadd(&hit_t, w * (ot->counts[4 * i + 3] > 0.0));
        lg_turn += ot->ln_g[i] / (double)paths;
    }
    printf("# drift IS with a turn at 0.4 y: E[LR] = %.4f +- %.4f, E[e^-rT G_T] = %.4f +- %.4f, mean ln G_T %.3f\n",
           wmean(&lr_t, paths), wse(&lr_t, paths), wmean(&g_t, paths), wse(&g_t, paths), lg_turn);
    assert_true(fabs(wmean(&lr_t, paths) - 1.0) <= 4.0 * wse(&lr_t, paths));
    assert_true(fabs(wmean(&g_t, paths) - p.token.g0_usd) <= 4.0 * wse(&g_t, paths));
    assert_true(fabs(wmean(&hit_t, paths) - ph) <= 4.0 * wse(&hit_t, paths));
    assert_true(lg_turn < lg_tilt - 0.8); /* s theta (1 - (0.4 - 0.6)) l_gg sigma less, about 1.1 */
    obs_free(ot);
    /* one thread and two: the same paths and weights */
    obs_t *o1 = obs_new(paths, 500);
    alvh_error err = {0};
    assert_int_equal(run(&p, paths, steps, t / (double)steps, 1, 500, o1, NULL, 0, &err), ALVH_OK);
    assert_memory_equal(o1->log_lr, o->log_lr, paths * sizeof(double));
    assert_memory_equal(o1->ln_g, o->ln_g, paths * sizeof(double));
    obs_free(o1);
    obs_free(pl);
    obs_free(o);
}

/* The variance-drift kernels against the three-component mixture density
 * they stand for (token drift on a share 0.3, variance drift on 0.4, the rest
 * plain): the picks split the uniform's range, a_k fades linearly, and
 * exp(-log_lr) is 0.3 + 0.3 prod phi(z_g - b) / phi(z_g) + 0.4 prod phi(z_v -
 * a_k) / phi(z_v) over the steps, computed here from the normal density;
 * every weight stays below 1 / 0.3; shares summing past 1 are refused. */
static void test_variance_drift_kernels(void **state)
{
    (void)state;
    alvh_market_params p = full_params();
    const double dt = 1.0 / 252;
    p.tilt = (alvh_tilt_params){.spx_jump = 1.0, .gov = 1.0, .exploit = 1.0, .token_drift = 1.7,
                                .token_drift_share = 0.3, .variance_drift = 2.5, .variance_drift_share = 0.4,
                                .variance_drift_decay = 1.0, .variance_drift_token = 1.2,
                                .variance_drift_token_cross = 0.5};
    alvh_market_consts c;
    char msg[400];
    assert_int_equal(alvh_market_consts_init(&c, &p, dt, msg, sizeof msg), 0);
    assert_true(c.has_drift && c.has_vdrift && c.has_mix && !c.has_tilt && alvh_tilt_active(&p.tilt));
    enum { N = 7, STEPS = 30 };
    const double u[N] = {0.05, 0.29, 0.3, 0.69, 0.7, 0.95, 0.5};
    double shift[N], flag[N], w_g[N] = {0}, w_v[N] = {0}, lr_ev[N] = {0.1, -0.2, 0, 0, 0.3, 0, 0}, log_lr[N];
    double lg[N] = {0}, lv[N] = {0}, comp_v = 0.0;
    alvh_market_drift_pick(&c, N, u, shift);
    alvh_market_vdrift_pick(&c, N, u, flag);
    for (int i = 0; i < N; i++) {
        assert_true(shift[i] == (u[i] < 0.3 ? 1.7 * sqrt(dt) : 0.0));
        assert_true(flag[i] == (u[i] >= 0.3 && u[i] < 0.7 ? 1.0 : 0.0));
    }
    for (int t = 0; t < STEPS; t++) {
        const double a = alvh_market_vdrift_shift(&c, (size_t)t, STEPS);
        assert_true(fabs(a - 2.5 * sqrt(dt) * (1.0 - (t + 0.5) / STEPS)) < 1e-15);
        /* the component's token drift: +1.2 at the start, 0 at mid-horizon, -1.2 at the end */
        const double bt = alvh_market_vdrift_token_shift(&c, (size_t)t, STEPS);
        assert_true(fabs(bt - 1.2 * sqrt(dt) * (1.0 - (t + 0.5) / (0.5 * STEPS))) < 1e-15);
        double zg[N], zg0[N], zv[N], zv0[N];
        for (int i = 0; i < N; i++) /* any values: the identities hold draw by draw */
            zg[i] = zg0[i] = 1.8 * sin(7.3 * i + 1.1 * t + 0.4), zv[i] = zv0[i] = 1.3 * cos(3.1 * i + 0.7 * t);
        /* the order of engine/market_sim.c's step_tile */
        alvh_market_vdrift_shift_row(N, bt, flag, zg);
        alvh_market_drift_step(&c, N, 1.0, shift, zg, w_g);
        alvh_market_vdrift_step(N, a, flag, zv, w_v);
        alvh_market_vdrift_accumulate(N, bt, zg, w_v);
        comp_v += 0.5 * a * a + 0.5 * bt * bt;
        const double b = 1.7 * sqrt(dt);
        for (int i = 0; i < N; i++) {
            assert_true(zv[i] == zv0[i] + a * flag[i]);
            assert_true(zg[i] == zg0[i] + shift[i] + bt * flag[i]);
            /* each component's density ratio at the drawn z_G and z_v */
            lg[i] += -0.5 * (zg[i] - b) * (zg[i] - b) + 0.5 * zg[i] * zg[i];
            lv[i] += -0.5 * (zv[i] - a) * (zv[i] - a) + 0.5 * zv[i] * zv[i];
            lv[i] += -0.5 * (zg[i] - bt) * (zg[i] - bt) + 0.5 * zg[i] * zg[i];
        }
        alvh_market_mix_lr(&c, N, (t + 1) * dt, comp_v, w_g, w_v, lr_ev, log_lr);
    }
    for (int i = 0; i < N; i++) {
        double want = lr_ev[i] - log(0.3 + 0.3 * exp(lg[i]) + 0.4 * exp(lv[i]));
        assert_true(fabs(log_lr[i] - want) < 1e-12 * (1.0 + fabs(want)));
        assert_true(log_lr[i] - lr_ev[i] < -log(0.3) + 1e-15);
    }
    /* the variance component alone, every path: the single Girsanov factor */
    p.tilt.token_drift = 0.0, p.tilt.variance_drift_share = 1.0;
    p.tilt.variance_drift_token_cross = 0.0; /* a token drift needs its crossing */
    assert_int_equal(alvh_market_consts_init(&c, &p, dt, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "variance_drift_token_cross"));
    p.tilt.variance_drift_token_cross = 0.5;
    assert_int_equal(alvh_market_consts_init(&c, &p, dt, msg, sizeof msg), 0);
    assert_true(!c.has_drift && c.has_vdrift && c.has_mix);
    alvh_market_mix_lr(&c, N, STEPS * dt, comp_v, w_g, w_v, lr_ev, log_lr);
    for (int i = 0; i < N; i++)
        assert_true(fabs(log_lr[i] - (lr_ev[i] - w_v[i] + comp_v)) < 1e-12);
    /* flat: decay 0 */
    p.tilt.variance_drift_decay = 0.0;
    assert_int_equal(alvh_market_consts_init(&c, &p, dt, msg, sizeof msg), 0);
    assert_true(alvh_market_vdrift_shift(&c, 29, STEPS) == 2.5 * sqrt(dt));
    /* shares past 1 */
    p.tilt.token_drift = 1.0, p.tilt.token_drift_share = 0.7, p.tilt.variance_drift_share = 0.5;
    assert_int_equal(alvh_market_consts_init(&c, &p, dt, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "variance_drift_share"));
    p.tilt.variance_drift_share = 0.0; /* no share: no variance tilt */
    assert_int_equal(alvh_market_consts_init(&c, &p, dt, msg, sizeof msg), 0);
    assert_false(c.has_vdrift);
    p.tilt.token_drift = 0.0;
    assert_false(alvh_tilt_active(&p.tilt));
}

/* Under the variance-drift mixture (with an exploit tilt), the weighted
 * estimates of what the model knows in closed form: E[LR] = 1, E[v_T] = theta
 * + (v0 - theta) e^{-kappa T} (exact in discrete time for QE, which matches
 * the conditional mean; no variance jumps here), the discounted token and SPX
 * martingales, P(an exploit); the tilted paths do end in higher variance
 * (unweighted); threads do not change a bit. */
static void test_variance_drift_unbiased(void **state)
{
    (void)state;
    alvh_market_params p = full_params();
    p.spx.mu_v = 0.0, p.spx.v0 = 0.02;
    p.tilt = (alvh_tilt_params){.spx_jump = 1.0, .gov = 1.0, .exploit = 2.0, .variance_drift = 2.5,
                                .variance_drift_share = 0.5, .variance_drift_decay = 1.0};
    const size_t paths = 20000, steps = 252;
    const double t = 1.0, disc = exp(-p.spx.r_ann * t);
    obs_t *o = run_tilted(&p, paths, steps, t);
    wsum lr = {0}, v = {0}, g = {0}, sx = {0}, hit = {0};
    double v_raw = 0.0;
    for (size_t i = 0; i < paths; i++) {
        double w = exp(o->log_lr[i]);
        /* the mixture's bound 1 / (1 - s) times the exploit LR's largest */
        assert_true(w < 1.0 / 0.5 * exp(p.token.lambda_hack_ann * t * 1.0) * (1.0 + 1e-9));
        wadd(&lr, w);
        wadd(&v, w * o->v[i]);
        wadd(&g, w * disc * exp(o->ln_g[i]));
        wadd(&sx, w * disc * exp(o->ln_s[i]));
        wadd(&hit, w * (o->counts[4 * i + 3] > 0.0));
        v_raw += o->v[i] / (double)paths;
    }
    const double ev = p.spx.theta + (p.spx.v0 - p.spx.theta) * exp(-p.spx.kappa * t);
    printf("# variance IS: E[LR] = %.4f +- %.4f, E[v_T] = %.5f +- %.5f (closed form %.5f, unweighted %.5f)\n",
           wmean(&lr, paths), wse(&lr, paths), wmean(&v, paths), wse(&v, paths), ev, v_raw);
    assert_true(fabs(wmean(&lr, paths) - 1.0) <= 4.0 * wse(&lr, paths));
    assert_true(fabs(wmean(&v, paths) - ev) <= 4.0 * wse(&v, paths));
    assert_true(fabs(wmean(&g, paths) - p.token.g0_usd) <= 4.0 * wse(&g, paths));
    assert_true(fabs(wmean(&sx, paths) - p.spx.s0 * exp(-p.spx.q_ann * t)) <= 4.0 * wse(&sx, paths));
    double ph = -expm1(-p.token.lambda_hack_ann * t);
    assert_true(fabs(wmean(&hit, paths) - ph) <= 4.0 * wse(&hit, paths));
    assert_true(v_raw > ev * 1.15);
    /* with the component's token drift (a rally turning into a fall at mid-year): still unbiased */
    alvh_market_params r = p;
    r.tilt.variance_drift_token = 1.5, r.tilt.variance_drift_token_cross = 0.5;
    obs_t *ot = run_tilted(&r, paths, steps, t);
    wsum lr_t = {0}, v_t = {0}, g_t = {0};
    for (size_t i = 0; i < paths; i++) {
        double w = exp(ot->log_lr[i]);
        wadd(&lr_t, w);
        wadd(&v_t, w * ot->v[i]);
        wadd(&g_t, w * disc * exp(ot->ln_g[i]));
    }
    printf("# variance IS with the token drift: E[LR] = %.4f +- %.4f, E[v_T] = %.5f +- %.5f, E[e^-rT G_T] = %.3f +- %.3f\n",
           wmean(&lr_t, paths), wse(&lr_t, paths), wmean(&v_t, paths), wse(&v_t, paths), wmean(&g_t, paths),
           wse(&g_t, paths));
    assert_true(fabs(wmean(&lr_t, paths) - 1.0) <= 4.0 * wse(&lr_t, paths));
    assert_true(fabs(wmean(&v_t, paths) - ev) <= 4.0 * wse(&v_t, paths));
    assert_true(fabs(wmean(&g_t, paths) - p.token.g0_usd) <= 4.0 * wse(&g_t, paths));
    obs_free(ot);
    obs_t *o1 = obs_new(paths, 500);
    alvh_error err = {0};
    assert_int_equal(run(&p, paths, steps, t / (double)steps, 1, 500, o1, NULL, 0, &err), ALVH_OK);
    assert_memory_equal(o1->log_lr, o->log_lr, paths * sizeof(double));
    assert_memory_equal(o1->v, o->v, paths * sizeof(double));
    obs_free(o1);
    obs_free(o);
}

/* The likelihood-ratio table against the capped Poisson law it stands for. */
static void test_lr_table(void **state)
{
    (void)state;
    alvh_market_params p = full_params();
    p.tilt = (alvh_tilt_params){.spx_jump = 1.0, .gov = 1.0, .exploit = 10.0};
    alvh_market_consts c;
    char msg[400];
    const double dt = 1.0 / 252;
    assert_int_equal(alvh_market_consts_init(&c, &p, dt, msg, sizeof msg), 0);
    assert_true(c.has_tilt);
    double ld = p.token.lambda_hack_ann * dt, lt = 10.0 * ld;
    double pk[3] = {exp(-ld), ld * exp(-ld), 1.0 - exp(-ld) * (1.0 + ld)};
    double qk[3] = {exp(-lt), lt * exp(-lt), 1.0 - exp(-lt) * (1.0 + lt)};
    for (int k = 0; k < 3; k++) {
        assert_true(fabs(c.lr_log[2][k] - log(pk[k] / qk[k])) < 1e-9 * (1.0 + fabs(log(pk[k] / qk[k]))));
        assert_true(c.lr_log[0][k] == 0.0 && c.lr_log[1][k] == 0.0);
    }
    /* E~[LR] over one step is 1 */
    assert_true(fabs(qk[0] * exp(c.lr_log[2][0]) + qk[1] * exp(c.lr_log[2][1]) + qk[2] * exp(c.lr_log[2][2]) - 1.0) <
                1e-12);
    /* a tilt that takes lambda dt beyond 0.05 is refused with its reason */
    p.tilt.exploit = 1000.0;
    p.token.lambda_hack_ann = 5.0;
    assert_int_equal(alvh_market_consts_init(&c, &p, dt, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "importance"));
}

/* ---- sample correlations of the drivers ---- */

static double corr(double n, double sx, double sy, double sxx, double syy, double sxy)
{
    double cxy = sxy / n - sx / n * sy / n, vx = sxx / n - sx / n * sx / n, vy = syy / n - sy / n * sy / n;
    return cxy / sqrt(vx * vy);
}

static void test_sample_correlations(void **state)
{
    (void)state;
    for (int scheme = 0; scheme < 2; scheme++) {
        alvh_market_params p = base_params();
        /* nearly constant variance, so return correlations equal driver correlations */
        p.spx.xi = scheme == ALVH_SCHEME_EULER ? 0.02 : 0.05;
        p.spx.scheme = (alvh_var_scheme)scheme;
        p.token.rho_sg = 0.3, p.token.rho_vg = -0.2, p.funding.rho_gf = 0.4;
        const size_t paths = 20000, steps = 50;
        obs_t *o = obs_new(paths, 1000);
        alvh_error err = {0};
        assert_int_equal(run(&p, paths, steps, 1.0 / 252.0, 0, 1000, o, NULL, 0, &err), ALVH_OK);
        double s[S_COUNT] = {0};
        for (size_t b = 0; b < paths / 1000; b++)
            for (int k = 0; k < S_COUNT; k++)
                s[k] += o->sums[b * S_COUNT + k];
        double c_xg = corr(s[S_N], s[S_X], s[S_G], s[S_XX], s[S_GG], s[S_XG]);
        double c_vg = corr(s[S_N], s[S_V], s[S_G], s[S_VV], s[S_GG], s[S_VG]);
        double c_gf = corr(s[S_N], s[S_G], s[S_F], s[S_GG], s[S_FF], s[S_GF]);
        double c_xv = corr(s[S_N], s[S_X], s[S_V], s[S_XX], s[S_VV], s[S_XV]);
        /* standard error of a sample correlation ~ (1 - rho^2) / sqrt(n): 1e-3 here */
        printf("# %s: corr(SPX, token) %.4f (0.3), corr(var, token) %.4f (-0.2), corr(token, funding) %.4f (0.4), "
               "corr(SPX, var) %.4f (-0.7), n = %.0f\n",
               scheme ? "Euler" : "QE", c_xg, c_vg, c_gf, c_xv, s[S_N]);
        assert_true(fabs(c_xg - 0.3) < 5e-3);
        assert_true(fabs(c_gf - 0.4) < 5e-3);
        assert_true(fabs(c_xv + 0.7) < 1e-2);
        assert_true(fabs(c_vg + 0.2) < 1e-2);
        obs_free(o);
    }
}

/* ---- stress injections ---- */

static void test_injection(void **state)
{
    (void)state;
    alvh_market_params p = full_params();
    /* COVID, 16 Mar 2020: SPX -11.98%, VIX close 82.69; 12 Mar: MKR -55.9%;
     * funding -139%/yr (13 Mar 2020) */
    alvh_market_injection inj = {.step = 4, .spx_ret = -0.1198, .vix_level = 82.69, .token_ret = -0.559,
                                 .funding_ann = -1.39, .gov_shock = -1, .hack = 1};
    const size_t paths = 3000;
    obs_t *o = obs_new(paths, 512);
    o->inj = &inj;
    alvh_error err = {0};
    assert_int_equal(run(&p, paths, 10, 1.0 / 252.0, 0, 512, o, &inj, 1, &err), ALVH_OK);
    assert_true(o->inj_ok);
    obs_free(o);
    /* an injection past the horizon or below the VIX floor is refused */
    inj.step = 10;
    o = obs_new(paths, 512);
    assert_int_equal(run(&p, paths, 10, 1.0 / 252.0, 0, 512, o, &inj, 1, &err), ALVH_E_CONFIG);
    assert_non_null(strstr(err.msg, "beyond the horizon"));
    inj.step = 2;
    inj.vix_level = 1.0;
    assert_int_equal(run(&p, paths, 10, 1.0 / 252.0, 0, 512, o, &inj, 1, &err), ALVH_E_CONFIG);
    assert_non_null(strstr(err.msg, "below the model's floor"));
    obs_free(o);
}

/* ---- reproducibility ---- */

static uint64_t digest(const obs_t *o)
{
    uint64_t h = 1469598103934665603ull;
    const double *arr[5] = {o->ln_s, o->v, o->ln_g, o->f, o->counts};
    for (int a = 0; a < 5; a++)
        for (size_t i = 0; i < o->n_paths * (a == 4 ? 4 : 1); i++) {
            uint64_t u;
            memcpy(&u, &arr[a][i], 8);
            h = (h ^ u) * 1099511628211ull;
        }
    return h;
}

static void test_threads_and_blocks_bit_identical(void **state)
{
    (void)state;
    alvh_market_params p = full_params();
    const size_t paths = 5000;
    uint64_t ref = 0;
    for (int threads = 1; threads <= 3; threads++) {
        obs_t *o = obs_new(paths, 256);
        alvh_error err = {0};
        assert_int_equal(run(&p, paths, 40, 1.0 / 252.0, threads, 256, o, NULL, 0, &err), ALVH_OK);
        uint64_t d = digest(o);
        printf("# %d thread(s): digest %016llx\n", threads, (unsigned long long)d);
        if (threads == 1)
            ref = d;
        assert_true(d == ref);
        obs_free(o);
    }
    /* a path's numbers do not depend on the block size */
    obs_t *o = obs_new(paths, 1000);
    alvh_error err = {0};
    assert_int_equal(run(&p, paths, 40, 1.0 / 252.0, 2, 1000, o, NULL, 0, &err), ALVH_OK);
    assert_true(digest(o) == ref);
    obs_free(o);
    /* nor on how blocks split into tiles (blocks below, at and above the
     * engine's tile, lengths not a multiple of the vector width) */
    const size_t more[] = {100, 257, 3000};
    for (size_t k = 0; k < sizeof more / sizeof more[0]; k++) {
        o = obs_new(paths, more[k]);
        assert_int_equal(run(&p, paths, 40, 1.0 / 252.0, 2, more[k], o, NULL, 0, &err), ALVH_OK);
        printf("# block size %zu: digest %016llx\n", more[k], (unsigned long long)digest(o));
        assert_true(digest(o) == ref);
        obs_free(o);
    }
}

/* ---- vector kernels vs the scalar reference ---- */

static void vector_vs_scalar(const alvh_market_params *p, const char *label)
{
    enum { N = 1003, NS = 6 }; /* not a multiple of 8: exercises the tails */
    alvh_market_consts c;
    char msg[256];
    if (alvh_market_consts_init(&c, p, 1.0 / 252.0, msg, sizeof msg) != 0)
        fail_msg("%s", msg);
    size_t nn = alvh_market_normals_per_step(&c), nu = alvh_market_uniforms_per_step(&c);
    static double normals[16 * N], uniforms[16 * N], init[NS][N], st[ALVH_ISA_COUNT][NS][N], ev[ALVH_ISA_COUNT][5][N];
    alvh_pcg64 rng;
    alvh_pcg64_seed(&rng, 0, 42, 0, 1);
    const alvh_kernel_ops *scalar = alvh_kernel_ops_for(ALVH_ISA_SCALAR);
    for (size_t i = 0; i < N; i++) {
        init[0][i] = log(5000.0) + 0.1 * (alvh_pcg64_next_double(&rng) - 0.5);
        init[1][i] = 0.3 * alvh_pcg64_next_double(&rng) * alvh_pcg64_next_double(&rng); /* includes tiny variances */
        init[2][i] = log(100.0) + alvh_pcg64_next_double(&rng) - 0.5;
        init[3][i] = alvh_pcg64_next_double(&rng) - 0.3;
        init[4][i] = 0.2 * alvh_pcg64_next_double(&rng) * alvh_pcg64_next_double(&rng); /* the second factor */
        init[5][i] = log(3000.0) + alvh_pcg64_next_double(&rng) - 0.5;                  /* ETH */
    }
    /* the draws: uniforms raw; "normals" from the scalar normal fill */
    alvh_pcg64_lanes lanes;
    uint64_t buf[4 * N];
    lanes.state_hi = buf, lanes.state_lo = buf + N, lanes.inc_hi = buf + 2 * N, lanes.inc_lo = buf + 3 * N;
    lanes.n = N;
    alvh_pcg64_lanes_for_paths(&lanes, 7, 1, 0);
    scalar->normal_fill(&lanes, nn, N, normals);
    scalar->uniform_fill(&lanes, nu, N, uniforms);
    for (int isa = 0; isa < ALVH_ISA_COUNT; isa++) {
        if (!alvh_isa_supported((alvh_isa)isa))
            continue;
        memcpy(st[isa], init, sizeof init);
        alvh_market_state s = {st[isa][0], st[isa][1], st[isa][2], st[isa][3], st[isa][4], st[isa][5]};
        alvh_market_events e = {ev[isa][0], ev[isa][1], ev[isa][2], ev[isa][3], ev[isa][4]};
        alvh_kernel_ops_for((alvh_isa)isa)->market_step(&c, N, &s, normals, uniforms, N, &e);
    }
    for (int isa = 1; isa < ALVH_ISA_COUNT; isa++) {
        if (!alvh_isa_supported((alvh_isa)isa))
            continue;
        double worst = 0.0;
        for (int k = 0; k < NS; k++)
            for (size_t i = 0; i < N; i++) {
                double a = st[isa][k][i], b = st[0][k][i];
                worst = fmax(worst, fabs(a - b) / fmax(fabs(b), 1e-3));
            }
        for (size_t i = 0; i < N; i++) {
            worst = fmax(worst, fabs(ev[isa][0][i] - ev[0][0][i]) / ev[0][0][i]);
            for (int k = 1; k < 5; k++)
                assert_true(ev[isa][k][i] == ev[0][k][i]);
        }
        printf("# %s, %s vs scalar: max relative difference %.2e (tolerance 1e-12)\n", label,
               alvh_isa_name((alvh_isa)isa), worst);
        assert_true(worst <= 1e-12);
    }
    /* the step moved what it owns: a factor or ETH left at its start would
     * make the comparison above trivial */
    size_t moved_v2 = 0, moved_e = 0;
    for (size_t i = 0; i < N; i++) {
        moved_v2 += st[0][4][i] != init[4][i];
        moved_e += st[0][5][i] != init[5][i];
    }
    assert_int_equal(moved_v2, c.two_factor ? N : 0);
    assert_int_equal(moved_e, c.has_eth ? N : 0);
}

static void test_vector_matches_scalar(void **state)
{
    (void)state;
    alvh_market_params p = full_params();
    vector_vs_scalar(&p, "one factor");
    /* two factors (the second in its exponential branch for small v2), SVCJ
     * jumps into v2, ETH with its own co-jumps */
    p.spx.kappa2 = 25.0, p.spx.theta2 = 0.01, p.spx.xi2 = 1.6, p.spx.rho2 = -0.8, p.spx.mu_v = 0.05;
    p.eth.sigma0_ann = 0.9, p.eth.rho_es = 0.35, p.eth.beta_j = 1.5, p.eth.mu_ann = 0.04, p.eth.e0_usd = 3000;
    p.token.beta_eth = 0.7, p.token.rho_vg = -0.15; /* token-ETH correlation 0.63 */
    vector_vs_scalar(&p, "two factors + ETH");
}

/* ---- draw layout: event streams and event rows ---- */

/* A path's event stream is its main stream advanced by the documented jump. */
static void test_event_streams_are_jumps(void **state)
{
    (void)state;
    enum { N = 37 };
    uint64_t mb[4 * N], eb[4 * N];
    alvh_pcg64_lanes main_l = {mb, mb + N, mb + 2 * N, mb + 3 * N, N};
    alvh_pcg64_lanes ev_l = {eb, eb + N, eb + 2 * N, eb + 3 * N, 0};
    alvh_pcg64_lanes_for_paths(&main_l, 99, 5, 1000);
    alvh_market_event_streams(&main_l, &ev_l);
    assert_int_equal(ev_l.n, N);
    for (size_t i = 0; i < N; i++) {
        alvh_pcg64 g, h;
        alvh_pcg64_lanes_get(&main_l, i, &g);
        alvh_pcg64_lanes_get(&ev_l, i, &h);
        alvh_pcg64_advance(&g, ALVH_MARKET_EVENT_JUMP_HI, ALVH_MARKET_EVENT_JUMP_LO);
        assert_true(g.state_hi == h.state_hi && g.state_lo == h.state_lo);
        assert_true(g.inc_hi == h.inc_hi && g.inc_lo == h.inc_lo);
        /* and back: 2^128 - jump */
        uint64_t lo = ~ALVH_MARKET_EVENT_JUMP_LO + 1, hi = ~ALVH_MARKET_EVENT_JUMP_HI + (lo == 0);
        alvh_pcg64_advance(&h, hi, lo);
        alvh_pcg64_lanes_get(&main_l, i, &g);
        assert_true(g.state_hi == h.state_hi && g.state_lo == h.state_lo);
    }
}

/* The step reads the event rows of eventful lanes only: NaN in every other
 * lane's event rows changes no bit of the result, on any ISA. */
static void test_event_rows_only_where_events(void **state)
{
    (void)state;
    enum { N = 1003 };
    alvh_market_params p = full_params();
    alvh_market_consts c;
    char msg[256];
    assert_int_equal(alvh_market_consts_init(&c, &p, 1.0 / 252.0, msg, sizeof msg), 0);
    size_t nn = alvh_market_normals_per_step(&c), nu = alvh_market_uniforms_per_step(&c);
    size_t nn0 = alvh_market_dense_normals(&c), nu0 = alvh_market_dense_uniforms(&c);
    assert_true(nn0 == 4 && nu0 == 1 && nn > nn0 && nu > nu0);
    static double normals[2][16 * N], uniforms[2][16 * N], init[4][N], st[2][4][N], ev[2][5][N];
    static uint32_t idx[N];
    static int has_event[N];
    alvh_pcg64 rng;
    alvh_pcg64_seed(&rng, 0, 43, 0, 1);
    for (size_t i = 0; i < N; i++) {
        init[0][i] = log(5000.0);
        init[1][i] = 0.2 * alvh_pcg64_next_double(&rng);
        init[2][i] = log(100.0);
        init[3][i] = 0.1;
    }
    alvh_pcg64_lanes lanes;
    uint64_t buf[4 * N];
    lanes.state_hi = buf, lanes.state_lo = buf + N, lanes.inc_hi = buf + 2 * N, lanes.inc_lo = buf + 3 * N;
    lanes.n = N;
    alvh_pcg64_lanes_for_paths(&lanes, 8, 1, 0);
    const alvh_kernel_ops *scalar = alvh_kernel_ops_for(ALVH_ISA_SCALAR);
    scalar->normal_fill(&lanes, nn, N, normals[0]);
    scalar->uniform_fill(&lanes, nu, N, uniforms[0]);
    memcpy(normals[1], normals[0], sizeof normals[0]);
    memcpy(uniforms[1], uniforms[0], sizeof uniforms[0]);
    size_t k = alvh_market_event_lanes(&c, N, uniforms[0], N, idx);
    for (size_t j = 0; j < k; j++)
        has_event[idx[j]] = 1;
    for (size_t j = 1; j < k; j++)
        assert_true(idx[j] > idx[j - 1]);
    size_t check = 0;
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(has_event[i], uniforms[0][(size_t)c.r_ue * N + i] > c.p_quiet);
        check += (size_t)has_event[i];
        if (has_event[i])
            continue;
        for (size_t r = nn0; r < nn; r++)
            normals[1][r * N + i] = NAN;
        for (size_t r = nu0; r < nu; r++)
            uniforms[1][r * N + i] = NAN;
    }
    printf("# %zu of %d lanes have an event this step\n", k, N);
    assert_true(k == check && k > 5 && k < N / 10);
    for (int isa = 0; isa < ALVH_ISA_COUNT; isa++) {
        if (!alvh_isa_supported((alvh_isa)isa))
            continue;
        for (int v = 0; v < 2; v++) {
            memcpy(st[v], init, sizeof init);
            alvh_market_state s = {st[v][0], st[v][1], st[v][2], st[v][3], NULL, NULL};
            alvh_market_events e = {ev[v][0], ev[v][1], ev[v][2], ev[v][3], ev[v][4]};
            alvh_kernel_ops_for((alvh_isa)isa)->market_step(&c, N, &s, normals[v], uniforms[v], N, &e);
        }
        assert_memory_equal(st[0], st[1], sizeof st[0]);
        assert_memory_equal(ev[0], ev[1], sizeof ev[0]);
        double n_ev = 0.0;
        for (size_t i = 0; i < N; i++)
            n_ev += ev[0][1][i] + ev[0][2][i] + ev[0][3][i] + ev[0][4][i];
        assert_true(n_ev >= (double)k); /* every eventful lane counts at least one event */
    }
}

/* ---- the joint law of a step's event counts ---- */

enum { N_CELLS = 54 }; /* N_J (3) x governance (up, down) (6) x N_hack (3) */

typedef struct {
    double *cells; /* per block */
} cell_obs_t;

static int gov_cell(double up, double dn)
{
    static const int cell[3][3] = {{0, 2, 5}, {1, 4, -1}, {3, -1, -1}}; /* [up][dn] */
    return cell[(int)up][(int)dn];
}

static alvh_status cell_step(void *ctx, int worker, const alvh_market_view *w)
{
    (void)worker;
    cell_obs_t *o = ctx;
    double *cells = o->cells + w->block * N_CELLS;
    const alvh_market_events *e = w->events;
    for (size_t i = 0; i < w->n; i++)
        cells[(int)e->n_jump[i] * 18 + gov_cell(e->n_gov_up[i], e->n_gov_dn[i]) * 3 + (int)e->n_hack[i]] += 1.0;
    return ALVH_OK;
}

static void capped_poisson(double ld, double pr[3])
{
    pr[0] = exp(-ld);
    pr[1] = ld * exp(-ld);
    pr[2] = 1.0 - pr[0] - pr[1];
}

static void test_joint_event_counts(void **state)
{
    (void)state;
    /* every type on; no SPX jumps; SPX jumps only: the counts' law given an
     * event takes a different path through the decoding in each */
    const double lam[3][3] = {{5.0, 10.0, 4.0}, {0.0, 10.0, 4.0}, {8.0, 0.0, 0.0}};
    const double dt = 1.0 / 252.0, p_up = 0.3;
    const size_t paths = 20000, steps = 100, bs = 1000, nb = paths / bs;
    for (int set = 0; set < 3; set++) {
        alvh_market_params p = full_params();
        p.spx.lambda_ann = lam[set][0];
        p.token.lambda_gov_ann = lam[set][1];
        p.token.lambda_hack_ann = lam[set][2];
        p.token.p_up = p_up;
        cell_obs_t o = {calloc(nb * N_CELLS, sizeof(double))};
        const alvh_kernel_ops *ops;
        alvh_error err = {0};
        assert_int_equal(alvh_dispatch_select(NULL, &ops, &err), ALVH_OK);
        alvh_market_sim_request rq = {.params = p, .dt_years = dt, .n_steps = steps, .n_paths = paths,
                                      .block_size = bs, .seed = 777, .scenario = 1, .threads = 0};
        alvh_market_observer ob = {.ctx = &o, .step = cell_step};
        assert_int_equal(alvh_market_sim_run(&rq, ops, &ob, NULL, &err), ALVH_OK);
        double got[N_CELLS] = {0}, want[N_CELLS] = {0}, pj[3], pg[3], ph[3];
        for (size_t b = 0; b < nb; b++)
            for (int k = 0; k < N_CELLS; k++)
                got[k] += o.cells[b * N_CELLS + k];
        capped_poisson(lam[set][0] * dt, pj);
        capped_poisson(lam[set][1] * dt, pg);
        capped_poisson(lam[set][2] * dt, ph);
        const double gov[6] = {pg[0], pg[1] * p_up, pg[1] * (1 - p_up), pg[2] * p_up * p_up,
                               pg[2] * 2 * p_up * (1 - p_up), pg[2] * (1 - p_up) * (1 - p_up)};
        double total = (double)paths * (double)steps;
        for (int j = 0; j < 3; j++)
            for (int g = 0; g < 6; g++)
                for (int h = 0; h < 3; h++)
                    want[j * 18 + g * 3 + h] = total * pj[j] * gov[g] * ph[h];
        /* chi-square, cells expected below 20 pooled into one */
        double chi2 = 0.0, pool_got = 0.0, pool_want = 0.0;
        int dof = -1;
        for (int k = 0; k < N_CELLS; k++) {
            if (want[k] < 20.0) {
                pool_got += got[k], pool_want += want[k];
                continue;
            }
            chi2 += (got[k] - want[k]) * (got[k] - want[k]) / want[k];
            dof++;
        }
        if (pool_want > 0.0) {
            chi2 += (pool_got - pool_want) * (pool_got - pool_want) / fmax(pool_want, 1.0);
            dof++;
        }
        double limit = dof + 5.0 * sqrt(2.0 * dof);
        printf("# lambda J/gov/hack %g/%g/%g: quiet steps %.0f (want %.0f), chi2 %.1f on %d dof (limit %.1f), "
               "pooled %.0f (want %.1f)\n",
               lam[set][0], lam[set][1], lam[set][2], got[0], want[0], chi2, dof, limit, pool_got, pool_want);
        assert_true(dof >= 1 && chi2 < limit);
        free(o.cells);
    }
}

/* ---- QE's exponential branch with its recycled uniform ---- */

/* Small variance and a large vol of variance send many steps through the
 * exponential branch, whose uniform is recycled from u_e (quiet and eventful
 * steps alike): the mean variance must follow the exact recursion of the
 * scheme's conditional mean plus the variance jumps, and SPX stays a martingale. */
static void test_qe_exponential_branch_with_events(void **state)
{
    (void)state;
    alvh_market_params p = full_params();
    p.spx.v0 = 0.005, p.spx.theta = 0.04, p.spx.kappa = 1.0, p.spx.xi = 1.0, p.spx.rho = -0.5;
    p.spx.lambda_ann = 2.0, p.spx.mu_j = -0.05, p.spx.delta_j = 0.1, p.spx.mu_v = 0.05;
    p.token.lambda_gov_ann = 2.0, p.token.lambda_hack_ann = 1.0;
    const size_t paths = 100000, steps = 52;
    const double dt = 1.0 / 52.0, t = 1.0;
    obs_t *o = obs_new(paths, 1000);
    alvh_error err = {0};
    assert_int_equal(run(&p, paths, steps, dt, 0, 1000, o, NULL, 0, &err), ALVH_OK);
    double pr[3];
    capped_poisson(p.spx.lambda_ann * dt, pr);
    double e = exp(-p.spx.kappa * dt), mean_jumps = pr[1] + 2.0 * pr[2], ev = p.spx.v0;
    for (size_t k = 0; k < steps; k++)
        ev = p.spx.theta + (ev - p.spx.theta) * e + p.spx.mu_v * mean_jumps;
    double sv = 0, sv2 = 0, ss = 0, ss2 = 0, zeros = 0;
    for (size_t i = 0; i < paths; i++) {
        double s = exp(-p.spx.r_ann * t + o->ln_s[i]);
        sv += o->v[i], sv2 += o->v[i] * o->v[i], ss += s, ss2 += s * s;
        zeros += o->v[i] == 0.0; /* only the exponential branch puts v at 0 */
    }
    double mv = sv / paths, sev = sqrt((sv2 / paths - mv * mv) / paths);
    double ms = ss / paths, ses = sqrt((ss2 / paths - ms * ms) / paths), want_s = p.spx.s0 * exp(-p.spx.q_ann * t);
    printf("# E[v_T] = %.6f +- %.6f (exact %.6f), v_T = 0 on %.1f%% of paths; "
           "E[e^-rT S_T] = %.2f +- %.2f (want %.2f)\n",
           mv, sev, ev, 100.0 * zeros / paths, ms, ses, want_s);
    assert_true(zeros > 0.01 * paths);
    assert_true(fabs(mv - ev) <= 4.0 * sev);
    assert_true(fabs(ms - want_s) <= 4.0 * ses);
    obs_free(o);
}

/* ---- QE's K0* from series: accuracy ---- */

/* Where |x| = |2 A a| <= 1/64 the quadratic branch takes x / (1 - x) and
 * -ln(1 - x) from series instead of a division and a log: measured against
 * long double over the whole range (a grid through 0 and both ends). */
static void test_qe_k0_series_accuracy(void **state)
{
    (void)state;
    double worst_f = 0.0, worst_l = 0.0;
    const int n = 200000;
    for (int k = -n; k <= n; k++) {
        double x = (double)k / n / 64.0, frac, neg_log;
        small_x_series(x, &frac, &neg_log);
        if (x == 0.0) {
            assert_true(frac == 0.0 && neg_log == 0.0);
            continue;
        }
        long double xl = x, f_ref = xl / (1.0L - xl), l_ref = -log1pl(-xl);
        worst_f = fmax(worst_f, (double)fabsl((frac - f_ref) / f_ref));
        worst_l = fmax(worst_l, (double)fabsl((neg_log - l_ref) / l_ref));
    }
    printf("# |x| <= 1/64: x/(1-x) within %.2e, -ln(1-x) within %.2e relative (ulp 2.2e-16)\n", worst_f, worst_l);
    assert_true(worst_f <= 2.5e-16 && worst_l <= 2.5e-16);
}

/* ---- the whole engine: vector ISAs vs the scalar reference ---- */

/* The documented bound (docs/market_model.md): |vector - scalar| <= 1e-12 |scalar| + 1e-13 for each
 * state (ln S, v, ln G, f) after any number of steps up to a year of daily ones; the relative part
 * alone does not hold near zero (variance and funding cross it), the absolute part alone not for ln S. */
#define VEC_REL_BOUND 1e-12
#define VEC_ABS_BOUND 1e-13

static void engine_vector_vs_scalar(size_t steps)
{
    alvh_market_params p = full_params();
    const size_t paths = 3001;
    obs_t *ref = NULL;
    for (int isa = 0; isa < ALVH_ISA_COUNT; isa++) {
        if (!alvh_isa_supported((alvh_isa)isa))
            continue;
        obs_t *o = obs_new(paths, 512);
        alvh_market_sim_request rq = {.params = p, .dt_years = 1.0 / 252.0, .n_steps = steps, .n_paths = paths,
                                      .block_size = 512, .seed = 5, .scenario = 2, .threads = 0};
        alvh_market_observer ob = {.ctx = o, .block_begin = on_begin, .step = on_step, .block_end = on_end};
        alvh_error err = {0};
        g_params = &p;
        assert_int_equal(alvh_market_sim_run(&rq, alvh_kernel_ops_for((alvh_isa)isa), &ob, NULL, &err), ALVH_OK);
        if (!ref) {
            ref = o;
            continue;
        }
        double worst = 0.0, events = 0.0, worst_rel = 0.0, worst_abs = 0.0;
        const double *a[4] = {o->ln_s, o->v, o->ln_g, o->f}, *b[4] = {ref->ln_s, ref->v, ref->ln_g, ref->f};
        for (int k = 0; k < 4; k++)
            for (size_t i = 0; i < paths; i++) {
                double d = fabs(a[k][i] - b[k][i]);
                /* in units of the bound: <= 1 where it holds */
                worst = fmax(worst, d / (VEC_REL_BOUND * fabs(b[k][i]) + VEC_ABS_BOUND));
                worst_abs = fmax(worst_abs, d);
                if (fabs(b[k][i]) > 0)
                    worst_rel = fmax(worst_rel, d / fabs(b[k][i]));
            }
        for (size_t i = 0; i < 4 * paths; i++) {
            assert_true(o->counts[i] == ref->counts[i]); /* events come from uniforms: identical everywhere */
            events += o->counts[i];
        }
        printf("# engine %s vs scalar, %zu paths x %zu steps, %.0f events: max |diff| %.2e, max relative %.2e, "
               "%.3f of the bound 1e-12 rel + 1e-13 abs\n",
               alvh_isa_name((alvh_isa)isa), paths, steps, events, worst_abs, worst_rel, worst);
        assert_true(worst <= 1.0);
        obs_free(o);
    }
    obs_free(ref);
}

static void test_engine_vector_matches_scalar(void **state)
{
    (void)state;
    engine_vector_vs_scalar(60);
}

static void test_engine_vector_matches_scalar_252(void **state)
{
    (void)state;
    engine_vector_vs_scalar(252);
}

/* ---- validation ---- */

static void test_correlation_validation(void **state)
{
    (void)state;
    double l[16];
    const double a[16] = {1, 0.5, 0, 0, 0.5, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
    assert_int_equal(alvh_cholesky4(a, l), 0);
    assert_true(fabs(l[4] - 0.5) < 1e-15 && fabs(l[5] - sqrt(0.75)) < 1e-15);
    alvh_market_params p = base_params();
    alvh_market_consts c;
    char msg[400];
    p.spx.rho = -0.9, p.token.rho_vg = 0.9, p.token.rho_sg = 0.9;
    assert_int_equal(alvh_market_consts_init(&c, &p, 1.0 / 252.0, msg, sizeof msg), -1);
    printf("# %s\n", msg);
    assert_non_null(strstr(msg, "not positive definite"));
    assert_non_null(strstr(msg, "token.rho_vg = 0.9"));
    assert_non_null(strstr(msg, "spx.rho = -0.9"));
    p = base_params();
    p.token.rho_sg = 0.9, p.token.rho_vg = -0.3, p.funding.rho_gf = 0.3; /* minors 1, 1, 0.1, 0.01 */
    p.spx.rho = 0.0;
    assert_int_equal(alvh_market_consts_init(&c, &p, 1.0 / 252.0, msg, sizeof msg), 0);
    p.token.rho_sg = 0.9, p.token.rho_vg = 0.43, p.funding.rho_gf = 0.99;
    assert_int_equal(alvh_market_consts_init(&c, &p, 1.0 / 252.0, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "funding.rho_gf"));
    p = base_params();
    p.token.lambda_gov_ann = 100.0;
    assert_int_equal(alvh_market_consts_init(&c, &p, 1.0 / 252.0, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "lambda_gov"));
    p = base_params();
    p.token.p_up = 1.5;
    assert_int_equal(alvh_market_consts_init(&c, &p, 1.0 / 252.0, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "p_up"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_correlation_validation),
        cmocka_unit_test(test_vector_matches_scalar),
        cmocka_unit_test(test_threads_and_blocks_bit_identical),
        cmocka_unit_test(test_event_streams_are_jumps),
        cmocka_unit_test(test_event_rows_only_where_events),
        cmocka_unit_test(test_engine_vector_matches_scalar),
        cmocka_unit_test(test_engine_vector_matches_scalar_252),
        cmocka_unit_test(test_joint_event_counts),
        cmocka_unit_test(test_qe_exponential_branch_with_events),
        cmocka_unit_test(test_qe_k0_series_accuracy),
        cmocka_unit_test(test_injection),
        cmocka_unit_test(test_sample_correlations),
        cmocka_unit_test(test_martingales_and_counts),
        cmocka_unit_test(test_importance_sampling_unbiased),
        cmocka_unit_test(test_tilt_for_rare),
        cmocka_unit_test(test_importance_sampling_rare_exploit),
        cmocka_unit_test(test_tilt_one_is_plain),
        cmocka_unit_test(test_lr_table),
        cmocka_unit_test(test_token_drift_kernels),
        cmocka_unit_test(test_token_drift_unbiased),
        cmocka_unit_test(test_variance_drift_kernels),
        cmocka_unit_test(test_variance_drift_unbiased),
        cmocka_unit_test(test_token_prices),
    };
    return cmocka_run_group_tests_name("market", tests, NULL, NULL);
}
