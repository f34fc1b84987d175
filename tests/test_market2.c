/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The two-factor market and the ETH factor (docs/market_model.md): the mean
 * of the variance factors and of VIX^2 against their closed forms at coarse
 * and fine steps with variance jumps (the jump decay compensation), the
 * one-factor special case, SPX and ETH martingales, the VIX injection into
 * the fast factor, and the token's total vol net of its jumps.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/book_run.h"
#include "engine/dispatch.h"
#include "engine/market_sim.h"
#include "kernels/vix.h"

/* terminal values per path */
typedef struct {
    double *v, *v2, *vix2, *s, *e, *g;
} term_t;

static alvh_status on_end(void *ctx, int worker, const alvh_market_view *w)
{
    (void)worker;
    term_t *t = ctx;
    for (size_t i = 0; i < w->n; i++) {
        size_t p = w->first_path + i;
        t->v[p] = w->state->v[i];
        t->v2[p] = w->consts->two_factor ? w->state->v2[i] : 0.0;
        t->vix2[p] = w->events->vix[i] * w->events->vix[i];
        t->s[p] = exp(w->state->ln_s[i]);
        t->e[p] = w->consts->has_eth ? exp(w->state->ln_e[i]) : 0.0;
        t->g[p] = exp(w->state->ln_g[i]);
    }
    return ALVH_OK;
}

static alvh_market_params svcj_params(int two)
{
    alvh_market_params p = {0};
    /* strong variance jumps make the end-of-step bias large: lambda mu_v / kappa = theta */
    p.spx = (alvh_spx_params){.s0 = 100.0, .v0 = 0.03, .r_ann = 0.02, .kappa = 3.0, .theta = 0.03, .xi = 0.4,
                              .rho = -0.6, .lambda_ann = 1.0, .mu_j = -0.05, .delta_j = 0.05, .mu_v = 0.09,
                              .scheme = ALVH_SCHEME_QE};
    if (two)
        p.spx.kappa2 = 12.0, p.spx.theta2 = 0.01, p.spx.xi2 = 0.8, p.spx.rho2 = -0.7, p.spx.v2_0 = 0.02;
    p.token = (alvh_token_params){.g0_usd = 10.0, .mu_ann = 0.02, .sigma0_ann = 0.8, .vix_ref = 20.0,
                                  .sigma_max_ann = 5.0};
    p.funding = (alvh_funding_params){.f0_ann = 0.1, .kappa_f = 10.0, .fbar_ann = 0.1, .sigma_f_ann = 0.5};
    return p;
}

static void run(const alvh_market_params *p, double dt, size_t steps, size_t n, term_t *t)
{
    const alvh_kernel_ops *ops;
    alvh_error err = {0};
    assert_int_equal(alvh_dispatch_select(NULL, &ops, &err), ALVH_OK);
    alvh_market_sim_request rq = {.params = *p, .dt_years = dt, .n_steps = steps, .n_paths = n, .block_size = 1024,
                                  .seed = 11, .threads = 2};
    alvh_market_observer obs = {.ctx = t, .block_end = on_end};
    alvh_status st = alvh_market_sim_run(&rq, ops, &obs, NULL, &err);
    if (st != ALVH_OK)
        fail_msg("%s", err.msg);
}

static term_t term_new(size_t n)
{
    term_t t = {malloc(n * sizeof(double)), malloc(n * sizeof(double)), malloc(n * sizeof(double)),
                malloc(n * sizeof(double)), malloc(n * sizeof(double)), malloc(n * sizeof(double))};
    return t;
}

static void term_free(term_t *t) { free(t->v), free(t->v2), free(t->vix2), free(t->s), free(t->e), free(t->g); }

static void mean_se(const double *x, size_t n, double *m, double *se)
{
    double a = 0.0, b = 0.0;
    for (size_t i = 0; i < n; i++)
        a += x[i], b += x[i] * x[i];
    *m = a / (double)n;
    *se = sqrt(fmax(b / (double)n - *m * *m, 0.0) / (double)n);
}

/* E[v_T] of the old scheme (jump mean added undecayed at each step end):
 * m' = theta + (m - theta) e + lambda dt mu_v, iterated */
static double old_scheme_mean(double v0, double kappa, double theta, double lmv, double dt, size_t steps)
{
    double m = v0, e = exp(-kappa * dt);
    for (size_t k = 0; k < steps; k++)
        m = theta + (m - theta) * e + lmv * dt;
    return m;
}

/* E[v_T] and E[VIX_T^2] against the closed form, one factor and two, at 21
 * and 252 steps a year; the test would see the uncompensated bias. */
static void check_means(int two, double spy)
{
    enum { N = 60000 };
    alvh_market_params p = svcj_params(two);
    const double dt = 1.0 / spy, horizon = 0.5;
    size_t steps = (size_t)llround(horizon * spy);
    term_t t = term_new(N);
    run(&p, dt, steps, N, &t);
    alvh_vix_coeffs vc;
    alvh_vix_coeffs_init(&vc, &p.spx);
    alvh_vix_future f;
    alvh_vix_future_price2(&vc, p.spx.v0, p.spx.v2_0, horizon, &f);
    double m, se, m2, se2, mv, sev;
    mean_se(t.v2, N, &m2, &se2);
    mean_se(t.v, N, &m, &se);
    mean_se(t.vix2, N, &mv, &sev);
    /* the factor that takes the jumps: v2 with two factors */
    const double k = two ? p.spx.kappa2 : p.spx.kappa, th = two ? p.spx.theta2 : p.spx.theta;
    const double v0 = two ? p.spx.v2_0 : p.spx.v0, lmv = p.spx.lambda_ann * p.spx.mu_v;
    double exact = th + lmv / k + (v0 - th - lmv / k) * exp(-k * horizon);
    double got = two ? m2 : m, got_se = two ? se2 : se;
    double old = old_scheme_mean(v0, k, th, lmv, dt, steps);
    printf("# %s, %g steps/yr: E[v_T] %.6f (se %.1e) vs exact %.6f; uncompensated %.6f (%+.2f%%); E[VIX^2] %.3f "
           "(se %.2f) vs %.3f\n",
           two ? "two factors" : "one factor", spy, got, got_se, exact, old, 100.0 * (old / exact - 1.0), mv, sev,
           f.e_vix2);
    assert_true(fabs(got - exact) < 4.0 * got_se);
    assert_true(fabs(mv - f.e_vix2) < 4.0 * sev);
    if (spy < 100) /* the coarse step: the old bias is many standard errors */
        assert_true(fabs(old - exact) > 8.0 * got_se);
    if (two) { /* factor 1 has no jumps: its mean is the CIR mean */
        double e1 = p.spx.theta + (p.spx.v0 - p.spx.theta) * exp(-p.spx.kappa * horizon);
        assert_true(fabs(m - e1) < 4.0 * se);
    }
    term_free(&t);
}

static void test_variance_means_coarse_and_fine(void **state)
{
    (void)state;
    check_means(0, 21.0);
    check_means(0, 252.0);
    check_means(1, 21.0);
    check_means(1, 252.0);
}

/* SPX, ETH and token discounted prices are martingales with both factors,
 * variance jumps, ETH co-jumps and the token's total vol net of its jumps. */
static void test_martingales_two_factor_eth(void **state)
{
    (void)state;
    enum { N = 60000 };
    alvh_market_params p = svcj_params(1);
    p.eth = (alvh_eth_params){.e0_usd = 3000.0, .mu_ann = 0.02, .sigma0_ann = 0.9, .rho_es = 0.35, .beta_j = 2.0};
    p.token.beta_eth = 0.8, p.token.rho_sg = 0.2, p.token.rho_vg = -0.1, p.token.sigma_total_ann = 1.1;
    p.token.lambda_gov_ann = 2.0, p.token.p_up = 0.35, p.token.mu_up = 0.2, p.token.d_up = 0.15;
    p.token.mu_dn = -0.3, p.token.d_dn = 0.2;
    term_t t = term_new(N);
    const double T = 1.0;
    run(&p, 1.0 / 252, 252, N, &t);
    double m, se;
    mean_se(t.s, N, &m, &se);
    printf("# E[S_T] %.4f (se %.4f) vs %.4f\n", m, se, p.spx.s0 * exp(p.spx.r_ann * T));
    assert_true(fabs(m - p.spx.s0 * exp(p.spx.r_ann * T)) < 4.0 * se);
    mean_se(t.e, N, &m, &se);
    printf("# E[E_T] %.2f (se %.2f) vs %.2f\n", m, se, p.eth.e0_usd * exp(p.eth.mu_ann * T));
    assert_true(fabs(m - p.eth.e0_usd * exp(p.eth.mu_ann * T)) < 4.0 * se);
    mean_se(t.g, N, &m, &se);
    assert_true(fabs(m - p.token.g0_usd * exp(p.token.mu_ann * T)) < 4.0 * se);
    /* emission dilution lowers the token's drift and nothing else */
    p.token.dilution_ann = 0.25;
    run(&p, 1.0 / 252, 252, N, &t);
    double md, sed;
    mean_se(t.g, N, &md, &sed);
    printf("# dilution 0.25: E[G_T] %.4f (se %.4f) vs %.4f\n", md, sed,
           p.token.g0_usd * exp((p.token.mu_ann - 0.25) * T));
    assert_true(fabs(md - p.token.g0_usd * exp((p.token.mu_ann - 0.25) * T)) < 4.0 * sed);
    assert_true(fabs(md - m) > 8.0 * sed); /* the test sees the term */
    p.token.dilution_ann = 0.0;
    /* the token's diffusion vol is what is left of the total after the jumps */
    double sig, jv = alvh_token_jump_var_ann(&p);
    char msg[300];
    assert_int_equal(alvh_token_diffusion_vol(&p, &sig, msg, sizeof msg), 0);
    assert_true(fabs(sig * sig + jv - 1.1 * 1.1) < 1e-12 && sig < 1.1);
    /* too much jump variance for the total: refused with a message */
    p.token.sigma_total_ann = 0.3;
    assert_int_equal(alvh_token_diffusion_vol(&p, &sig, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "sigma_total_ann"));
    term_free(&t);
}

/* A VIX injection with two factors lands in the fast factor, the slow one
 * keeps its path, and the VIX of the state is the injected level. */
static alvh_status on_step_inj(void *ctx, int worker, const alvh_market_view *w)
{
    (void)worker;
    int *bad = ctx;
    if (w->step != 4)
        return ALVH_OK;
    const alvh_vix_coeffs *x = &w->consts->vix;
    for (size_t i = 0; i < w->n; i++) {
        double vix = alvh_vix_from_vars(x, w->state->v[i], w->state->v2[i]);
        *bad += fabs(vix - 45.0) > 1e-9 || fabs(w->events->vix[i] - 45.0) > 1e-12 || !(w->state->v2[i] > 0.05);
    }
    return ALVH_OK;
}

static void test_injection_into_fast_factor(void **state)
{
    (void)state;
    alvh_market_params p = svcj_params(1);
    alvh_market_injection inj = {.step = 3, .spx_ret = NAN, .vix_level = 45.0, .token_ret = NAN, .funding_ann = NAN};
    const alvh_kernel_ops *ops;
    alvh_error err = {0};
    assert_int_equal(alvh_dispatch_select(NULL, &ops, &err), ALVH_OK);
    alvh_market_sim_request rq = {.params = p, .dt_years = 1.0 / 252, .n_steps = 10, .n_paths = 3000,
                                  .block_size = 512, .seed = 3, .threads = 1, .injections = &inj, .n_injections = 1};
    int bad = 0;
    alvh_market_observer obs = {.ctx = &bad, .step = on_step_inj};
    assert_int_equal(alvh_market_sim_run(&rq, ops, &obs, NULL, &err), ALVH_OK);
    assert_int_equal(bad, 0);
    /* below the VIX of zero variance: refused */
    inj.vix_level = 5.0;
    assert_int_equal(alvh_market_sim_run(&rq, ops, &obs, NULL, &err), ALVH_E_CONFIG);
}

/* The one-factor special case: a second factor's keys with kappa2 = 0 leave
 * every path bit for bit as without them. */
static alvh_status on_end_digest(void *ctx, int worker, const alvh_market_view *w)
{
    (void)worker;
    double *acc = ctx;
    for (size_t i = 0; i < w->n; i++)
        acc[w->first_path + i] = w->state->ln_s[i] + 3.0 * w->state->v[i] + 7.0 * w->state->ln_g[i];
    return ALVH_OK;
}

static void test_second_factor_off_is_one_factor(void **state)
{
    (void)state;
    enum { N = 2000 };
    static double a[N], b[N];
    alvh_market_params p = svcj_params(0), q = p;
    q.spx.theta2 = 0.5, q.spx.xi2 = 2.0, q.spx.rho2 = 0.3, q.spx.v2_0 = 0.2; /* kappa2 = 0: off */
    const alvh_kernel_ops *ops;
    alvh_error err = {0};
    assert_int_equal(alvh_dispatch_select(NULL, &ops, &err), ALVH_OK);
    alvh_market_sim_request rq = {.params = p, .dt_years = 1.0 / 252, .n_steps = 50, .n_paths = N,
                                  .block_size = 256, .seed = 5, .threads = 1};
    alvh_market_observer oa = {.ctx = a, .block_end = on_end_digest}, ob = {.ctx = b, .block_end = on_end_digest};
    assert_int_equal(alvh_market_sim_run(&rq, ops, &oa, NULL, &err), ALVH_OK);
    rq.params = q;
    assert_int_equal(alvh_market_sim_run(&rq, ops, &ob, NULL, &err), ALVH_OK);
    assert_memory_equal(a, b, sizeof a);
}

/* European calls and puts with both factors against the COS / Lewis prices
 * of the two-factor characteristic function (tests/fixtures/two_factor_prices.csv,
 * gen_two_factor_prices.py; its characteristic function reduces to QuantLib's
 * Bates with the second factor off). */
typedef struct {
    char set[16];
    double s0, k, t, r, q, lam, mu_j, delta_j, v0, kappa, theta, xi, rho, v2_0, kappa2, theta2, xi2, rho2, call, put;
} price_row;

static size_t read_prices(price_row *rows, size_t max)
{
    FILE *f = fopen(ALVH_FIXTURE_DIR "/two_factor_prices.csv", "r");
    assert_non_null(f);
    char line[512];
    size_t n = 0;
    assert_non_null(fgets(line, sizeof line, f)); /* header */
    while (n < max && fgets(line, sizeof line, f)) {
        price_row *r = &rows[n];
        int got = sscanf(line, "%15[^,],%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf",
                         r->set, &r->s0, &r->k, &r->t, &r->r, &r->q, &r->lam, &r->mu_j, &r->delta_j, &r->v0, &r->kappa,
                         &r->theta, &r->xi, &r->rho, &r->v2_0, &r->kappa2, &r->theta2, &r->xi2, &r->rho2, &r->call,
                         &r->put);
        assert_int_equal(got, 21);
        n++;
    }
    fclose(f);
    return n;
}

static void test_two_factor_prices(void **state)
{
    (void)state;
    enum { N = 60000, MAXR = 64 };
    static price_row rows[MAXR];
    size_t nr = read_prices(rows, MAXR), checked = 0;
    assert_true(nr >= 30);
    term_t t = term_new(N);
    double worst_z = 0.0;
    for (size_t i = 0; i < nr; i++) {
        if (i > 0 && !strcmp(rows[i].set, rows[i - 1].set) && rows[i].t == rows[i - 1].t)
            continue; /* one simulation per (set, maturity) */
        const price_row *r = &rows[i];
        alvh_market_params p = svcj_params(1);
        p.spx = (alvh_spx_params){.s0 = r->s0, .v0 = r->v0, .r_ann = r->r, .q_ann = r->q, .kappa = r->kappa,
                                  .theta = r->theta, .xi = r->xi, .rho = r->rho, .lambda_ann = r->lam,
                                  .mu_j = r->mu_j, .delta_j = r->delta_j, .scheme = ALVH_SCHEME_QE,
                                  .kappa2 = r->kappa2, .theta2 = r->theta2, .xi2 = r->xi2, .rho2 = r->rho2,
                                  .v2_0 = r->v2_0};
        run(&p, 1.0 / 252, (size_t)llround(r->t * 252), N, &t);
        for (size_t j = i; j < nr && !strcmp(rows[j].set, r->set) && rows[j].t == r->t; j++) {
            const price_row *q = &rows[j];
            double df = exp(-q->r * q->t), a = 0.0, b = 0.0, pa = 0.0, pb = 0.0;
            for (size_t k = 0; k < N; k++) {
                double c = df * fmax(t.s[k] - q->k, 0.0), pu = df * fmax(q->k - t.s[k], 0.0);
                a += c, b += c * c, pa += pu, pb += pu * pu;
            }
            double mc = a / N, se = sqrt(fmax(b / N - mc * mc, 0.0) / N);
            double mp = pa / N, sep = sqrt(fmax(pb / N - mp * mp, 0.0) / N);
            /* daily QE: its discretization bias is far below the MC error at this N */
            double z = fabs(mc - q->call) / se, zp = fabs(mp - q->put) / sep;
            printf("# %-8s T %.2f K %5.1f: call MC %.4f (se %.4f) vs %.4f; put MC %.4f vs %.4f\n", q->set, q->t, q->k,
                   mc, se, q->call, mp, q->put);
            worst_z = fmax(worst_z, fmax(z, zp));
            checked++;
        }
    }
    printf("# %zu strikes x maturities, worst |MC - reference| / se = %.2f\n", checked, worst_z);
    assert_int_equal(checked, nr);
    assert_true(worst_z < 4.5);
    term_free(&t);
}

/* The book's one-factor variance reproduces the two-factor VIX. */
static void test_book_effective_variance(void **state)
{
    (void)state;
    alvh_market_params p = svcj_params(1);
    alvh_vix_coeffs x;
    alvh_vix_coeffs_init(&x, &p.spx);
    const double v[4] = {0.0, 0.02, 0.3, -0.01}, v2[4] = {0.0, 0.5, 0.001, 0.04};
    double ve[4];
    alvh_book_effective_var(&x, 4, v, v2, ve);
    for (int i = 0; i < 4; i++) {
        double one = sqrt(x.alpha * ve[i] + x.beta), two = alvh_vix_from_vars(&x, v[i], v2[i]);
        assert_true(fabs(one - two) < 1e-12 * two);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_variance_means_coarse_and_fine),
        cmocka_unit_test(test_martingales_two_factor_eth),
        cmocka_unit_test(test_injection_into_fast_factor),
        cmocka_unit_test(test_second_factor_off_is_one_factor),
        cmocka_unit_test(test_two_factor_prices),
        cmocka_unit_test(test_book_effective_variance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
