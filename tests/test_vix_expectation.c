/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The VIX level formula (kernels/vix.c: VIX^2 = alpha v + alpha2 v2 + beta)
 * against the definition it stands for, computed without its coefficients:
 *   VIX^2 = 1e4 [ (1/tau) E int_0^tau (v_t + v2_t) dt + 2 lambda E[e^J - 1 - J] ]
 * (the model-free variance of the 30-day log contract under Bates/SVCJ).
 * Two independent evaluations of the right-hand side:
 *  - numerical: the factor means integrated by RK4 from their ODE
 *    (dm/dt = kappa (theta - m) + lambda mu_v for the factor that jumps) and
 *    the jump term by Simpson quadrature over the normal log-jump density;
 *  - Monte Carlo: the market kernels simulate the factors at 8 steps a day,
 *    and the path integral of v + v2 (trapezoid) is averaged over paths.
 * Both for one factor and two, for VIX (30 days) and VIX3M (93 days), at calm
 * and spike states.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "engine/dispatch.h"
#include "engine/market_sim.h"
#include "kernels/vix.h"

static alvh_spx_params spx_params(int two, double v0, double v2_0)
{
    alvh_spx_params p = {.s0 = 100.0, .v0 = v0, .r_ann = 0.03, .kappa = 2.0, .theta = 0.02, .xi = 0.35,
                         .rho = -0.7, .lambda_ann = 0.8, .mu_j = -0.06, .delta_j = 0.07, .mu_v = 0.04,
                         .scheme = ALVH_SCHEME_QE};
    if (two)
        p.kappa2 = 15.0, p.theta2 = 0.012, p.xi2 = 0.9, p.rho2 = -0.8, p.v2_0 = v2_0;
    return p;
}

/* int_0^tau m(t) dt for dm/dt = kappa (theta - m) + drift_jump, by RK4 */
static double mean_integral(double kappa, double theta, double drift_jump, double m0, double tau)
{
    enum { STEPS = 4000 };
    const double h = tau / STEPS;
    double m = m0, area = 0.0;
    for (int k = 0; k < STEPS; k++) {
        /* the state is (m, area): d area / dt = m */
        double k1 = kappa * (theta - m) + drift_jump;
        double m2 = m + 0.5 * h * k1, k2 = kappa * (theta - m2) + drift_jump;
        double m3 = m + 0.5 * h * k2, k3 = kappa * (theta - m3) + drift_jump;
        double m4 = m + h * k3, k4 = kappa * (theta - m4) + drift_jump;
        area += h * (m + 2.0 * m2 + 2.0 * m3 + m4) / 6.0;
        m += h * (k1 + 2.0 * k2 + 2.0 * k3 + k4) / 6.0;
    }
    return area;
}

/* E[e^J - 1 - J], J ~ N(mu, d^2), Simpson over mu +- 12 d */
static double jump_term(double mu, double d)
{
    enum { N = 4000 };
    const double a = mu - 12.0 * d, h = 24.0 * d / N;
    double s = 0.0;
    for (int k = 0; k <= N; k++) {
        double x = a + h * k, z = (x - mu) / d;
        double f = (exp(x) - 1.0 - x) * exp(-0.5 * z * z) / (d * sqrt(2.0 * 3.14159265358979323846));
        s += f * (k == 0 || k == N ? 1.0 : (k % 2 ? 4.0 : 2.0));
    }
    return s * h / 3.0;
}

/* the definition's right-hand side from the state (v, v2), numerically */
static double vix2_numerical(const alvh_spx_params *p, double v, double v2, double tau)
{
    const int two = p->kappa2 > 0.0;
    const double lmv = p->lambda_ann * p->mu_v; /* the jump factor: v2 with two factors */
    double area = mean_integral(p->kappa, p->theta, two ? 0.0 : lmv, v, tau);
    if (two)
        area += mean_integral(p->kappa2, p->theta2, lmv, v2, tau);
    return 1e4 * (area / tau + 2.0 * p->lambda_ann * jump_term(p->mu_j, p->delta_j));
}

static void test_formula_vs_numerical_expectation(void **state)
{
    (void)state;
    const double vs[] = {0.002, 0.0145, 0.04, 0.25}, v2s[] = {0.004, 0.012, 0.1};
    const double taus[] = {ALVH_VIX_TAU_YEARS, ALVH_VIX3M_TAU_YEARS};
    double worst = 0.0;
    for (int two = 0; two < 2; two++)
        for (int t = 0; t < 2; t++)
            for (size_t i = 0; i < sizeof vs / sizeof *vs; i++)
                for (size_t j = 0; j < (two ? sizeof v2s / sizeof *v2s : 1); j++) {
                    alvh_spx_params p = spx_params(two, vs[i], v2s[j]);
                    alvh_vix_coeffs c;
                    alvh_vix_coeffs_init_tau(&c, &p, taus[t]);
                    double got = alvh_vix_from_vars(&c, vs[i], two ? v2s[j] : 0.0);
                    double want = sqrt(vix2_numerical(&p, vs[i], v2s[j], taus[t]));
                    double rel = fabs(got / want - 1.0);
                    worst = fmax(worst, rel);
                    if (rel > 1e-9)
                        fail_msg("%s tau %.4f v %g v2 %g: formula %.10f, numerical %.10f", two ? "two" : "one",
                                 taus[t], vs[i], v2s[j], got, want);
                }
    printf("# VIX and VIX3M formula vs numerical expectation: worst relative error %.1e\n", worst);
}

/* per-path trapezoid integral of v + v2 over the simulated 30 days */
typedef struct {
    double *area, dt;
    size_t steps;
} integral_t;

static void add_state(integral_t *g, const alvh_market_view *w, double weight)
{
    for (size_t i = 0; i < w->n; i++) {
        double v = w->state->v[i] + (w->consts->two_factor ? w->state->v2[i] : 0.0);
        g->area[w->first_path + i] += weight * g->dt * v;
    }
}

static alvh_status on_begin(void *ctx, int worker, const alvh_market_view *w)
{
    (void)worker;
    add_state(ctx, w, 0.5);
    return ALVH_OK;
}

static alvh_status on_step(void *ctx, int worker, const alvh_market_view *w)
{
    (void)worker;
    integral_t *g = ctx;
    add_state(g, w, w->step == g->steps ? 0.5 : 1.0);
    return ALVH_OK;
}

static void check_mc(int two)
{
    enum { N = 40000, STEPS = 240 };
    const double tau = ALVH_VIX_TAU_YEARS;
    alvh_market_params mp = {0};
    mp.spx = spx_params(two, 0.045, 0.03); /* a spike state: both factors above their levels */
    mp.token = (alvh_token_params){.g0_usd = 10.0, .mu_ann = 0.0, .sigma0_ann = 0.8, .vix_ref = 20.0,
                                   .sigma_max_ann = 5.0};
    mp.funding = (alvh_funding_params){.f0_ann = 0.1, .kappa_f = 10.0, .fbar_ann = 0.1, .sigma_f_ann = 0.5};
    integral_t g = {calloc(N, sizeof(double)), tau / STEPS, STEPS};
    assert_non_null(g.area);
    const alvh_kernel_ops *ops;
    alvh_error err = {0};
    assert_int_equal(alvh_dispatch_select(NULL, &ops, &err), ALVH_OK);
    alvh_market_sim_request rq = {.params = mp, .dt_years = tau / STEPS, .n_steps = STEPS, .n_paths = N,
                                  .block_size = 1024, .seed = 5, .threads = 2};
    alvh_market_observer obs = {.ctx = &g, .block_begin = on_begin, .step = on_step};
    if (alvh_market_sim_run(&rq, ops, &obs, NULL, &err) != ALVH_OK)
        fail_msg("%s", err.msg);
    double a = 0.0, b = 0.0;
    for (size_t i = 0; i < N; i++)
        a += g.area[i], b += g.area[i] * g.area[i];
    double m = a / N, se = sqrt(fmax(b / N - m * m, 0.0) / N);
    double jumps = 2.0 * mp.spx.lambda_ann * jump_term(mp.spx.mu_j, mp.spx.delta_j);
    double mc = 1e4 * (m / tau + jumps), mc_se = 1e4 * se / tau;
    alvh_vix_coeffs c;
    alvh_vix_coeffs_init(&c, &mp.spx);
    double f = alvh_vix_from_vars(&c, mp.spx.v0, two ? mp.spx.v2_0 : 0.0);
    printf("# %s: VIX^2 formula %.3f, Monte Carlo expectation %.3f (se %.3f), %+.2f se\n", two ? "two factors" : "one factor",
           f * f, mc, mc_se, (mc - f * f) / mc_se);
    assert_true(fabs(mc - f * f) < 4.0 * mc_se);
    free(g.area);
}

static void test_formula_vs_simulated_expectation(void **state)
{
    (void)state;
    check_mc(0);
    check_mc(1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formula_vs_numerical_expectation),
        cmocka_unit_test(test_formula_vs_simulated_expectation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
