/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Two measures (docs/market_model.md, "P and Q"): the real-world set from the
 * pricing set and the premia, per variance factor; the paths follow it while
 * VIX is the pricing measure's expectation from the simulated state; with a
 * variance premium a 30-day variance swap struck at VIX^2 has the mean P&L
 * E_P[realized variance] - K of the closed form; paths_measure q drops every
 * real-world term.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/dispatch.h"
#include "engine/market_sim.h"
#include "kernels/vix.h"

static alvh_market_params two_factor_q(void)
{
    alvh_market_params p = {0};
    p.spx = (alvh_spx_params){.s0 = 100.0, .r_ann = 0.03, .q_ann = 0.01, .kappa = 1.2, .theta = 0.026, .xi = 0.5,
                              .rho = -0.57, .lambda_ann = 0.59, .mu_j = -0.05, .delta_j = 0.07,
                              .scheme = ALVH_SCHEME_QE, .kappa2 = 40.0, .theta2 = 0.016, .xi2 = 3.0, .rho2 = -0.8};
    p.token = (alvh_token_params){.g0_usd = 10.0, .mu_ann = 0.15, .sigma0_ann = 0.8, .vix_ref = 20.0,
                                  .sigma_max_ann = 5.0, .dilution_ann = 0.1, .staking_yield_ann = 0.05};
    p.funding = (alvh_funding_params){.f0_ann = 0.1, .kappa_f = 10.0, .fbar_ann = 0.1, .sigma_f_ann = 0.5};
    p.premia = (alvh_premia_params){.lambda_v = -0.4, .lambda_v2 = -8.0, .jump_intensity_premium = 0.295,
                                    .jump_mean_premium = 0.02};
    return p;
}

static void test_mapping_per_factor(void **state)
{
    (void)state;
    alvh_market_params q = two_factor_q(), p;
    q.spx.drift_ann = 0.05;
    char msg[300];
    assert_int_equal(alvh_market_paths_params(&q, &p, msg, sizeof msg), 0);
    /* kappa_Q = kappa_P + lambda, kappa_P theta_P = kappa_Q theta_Q, per factor */
    assert_true(fabs(p.spx.kappa - 1.6) < 1e-15 && fabs(p.spx.kappa2 - 48.0) < 1e-13);
    assert_true(fabs(p.spx.kappa * p.spx.theta - q.spx.kappa * q.spx.theta) < 1e-15);
    assert_true(fabs(p.spx.kappa2 * p.spx.theta2 - q.spx.kappa2 * q.spx.theta2) < 1e-14);
    assert_true(p.spx.theta < q.spx.theta && p.spx.theta2 < q.spx.theta2); /* a variance premium */
    assert_true(fabs(p.spx.lambda_ann - 0.295) < 1e-15 && fabs(p.spx.mu_j + 0.03) < 1e-15);
    assert_true(p.spx.drift_ann == 0.05 && p.token.mu_ann == 0.15 && p.token.dilution_ann == 0.1);
    /* q: the pricing set without the real-world terms, premia ignored */
    q.paths_measure = ALVH_MEASURE_Q;
    assert_int_equal(alvh_market_paths_params(&q, &p, msg, sizeof msg), 0);
    assert_true(p.spx.kappa == q.spx.kappa && p.spx.theta == q.spx.theta && p.spx.lambda_ann == q.spx.lambda_ann);
    assert_true(p.spx.drift_ann == 0.0 && p.token.dilution_ann == 0.0);
    assert_true(fabs(p.token.mu_ann - (0.03 - 0.05)) < 1e-15 && p.eth.mu_ann == 0.03);
    /* no real-world mean reversion left: refused with the key */
    q.paths_measure = ALVH_MEASURE_P;
    q.premia.lambda_v2 = 40.0;
    assert_int_equal(alvh_market_paths_params(&q, &p, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "premia.lambda_v2"));
}

/* per path: ln S at the block's start, the sum of squared daily log returns, VIX^2 and G at the end */
typedef struct {
    double *prev, *rv, *vix2, *g;
} acc_t;

static alvh_status on_begin(void *ctx, int worker, const alvh_market_view *w)
{
    (void)worker;
    acc_t *a = ctx;
    for (size_t i = 0; i < w->n; i++)
        a->prev[w->first_path + i] = w->state->ln_s[i], a->rv[w->first_path + i] = 0.0;
    return ALVH_OK;
}

static alvh_status on_step(void *ctx, int worker, const alvh_market_view *w)
{
    (void)worker;
    acc_t *a = ctx;
    for (size_t i = 0; i < w->n; i++) {
        size_t k = w->first_path + i;
        double d = w->state->ln_s[i] - a->prev[k];
        a->rv[k] += d * d;
        a->prev[k] = w->state->ln_s[i];
        a->vix2[k] = w->events->vix[i] * w->events->vix[i];
        a->g[k] = exp(w->state->ln_g[i]);
    }
    return ALVH_OK;
}

static void simulate(const alvh_market_params *p, size_t steps, size_t n, acc_t *a)
{
    const alvh_kernel_ops *ops;
    alvh_error err = {0};
    assert_int_equal(alvh_dispatch_select(NULL, &ops, &err), ALVH_OK);
    alvh_market_sim_request rq = {.params = *p, .dt_years = 1.0 / 252.0, .n_steps = steps, .n_paths = n,
                                  .block_size = 1024, .seed = 5, .threads = 2};
    alvh_market_observer obs = {.ctx = a, .block_begin = on_begin, .step = on_step};
    if (alvh_market_sim_run(&rq, ops, &obs, NULL, &err) != ALVH_OK)
        fail_msg("%s", err.msg);
}

static void mean_se(const double *x, size_t n, double shift, double *m, double *se)
{
    double s = 0.0, s2 = 0.0;
    for (size_t i = 0; i < n; i++)
        s += x[i] - shift, s2 += (x[i] - shift) * (x[i] - shift);
    *m = s / (double)n;
    *se = sqrt(fmax(s2 / (double)n - *m * *m, 0.0) / (double)n);
}

static acc_t acc_new(size_t n)
{
    acc_t a = {calloc(n, sizeof(double)), calloc(n, sizeof(double)), calloc(n, sizeof(double)),
               calloc(n, sizeof(double))};
    assert_true(a.prev && a.rv && a.vix2 && a.g);
    return a;
}

static void acc_free(acc_t *a) { free(a->prev), free(a->rv), free(a->vix2), free(a->g); }

/* Started at the real-world stationary means, a 21-day variance swap struck
 * at VIX^2 (the Q expectation from the state) earns E_P[RV] - K: E_P[RV] =
 * theta_P + theta2_P + lambda_P (mu_P^2 + delta^2) per year. The VIX at the
 * end is the Q formula on the P state: E[VIX^2] = alpha E_P[v] + alpha2
 * E_P[v2] + beta with the pricing coefficients. */
static void test_variance_swap_under_p(void **state)
{
    (void)state;
    enum { N = 100000, STEPS = 21 };
    alvh_market_params q = two_factor_q(), p;
    char msg[300];
    assert_int_equal(alvh_market_paths_params(&q, &p, msg, sizeof msg), 0);
    q.spx.v0 = p.spx.theta;
    q.spx.v2_0 = p.spx.theta2;
    alvh_vix_coeffs vq;
    alvh_vix_coeffs_init(&vq, &q.spx);
    double k_var = (vq.alpha * q.spx.v0 + vq.alpha2 * q.spx.v2_0 + vq.beta) / 1e4;
    double t = STEPS / 252.0;
    double e_rv = p.spx.theta + p.spx.theta2 +
                  p.spx.lambda_ann * (p.spx.mu_j * p.spx.mu_j + p.spx.delta_j * p.spx.delta_j);
    acc_t a = acc_new(N);
    simulate(&q, STEPS, N, &a);
    for (size_t i = 0; i < N; i++)
        a.rv[i] /= t;
    double m, se, mv, sev;
    mean_se(a.rv, N, k_var, &m, &se);
    mean_se(a.vix2, N, 0.0, &mv, &sev);
    double e_vix2 = vq.alpha * p.spx.theta + vq.alpha2 * p.spx.theta2 + vq.beta;
    printf("# variance swap: mean P&L %.6f (se %.1e) vs E_P[RV] - K = %.6f - %.6f = %.6f; E[VIX^2] %.3f (se %.3f) "
           "vs %.3f\n",
           m, se, e_rv, k_var, e_rv - k_var, mv, sev, e_vix2);
    assert_true(fabs(m - (e_rv - k_var)) < 3.0 * se);
    assert_true(e_rv - k_var < -10.0 * se); /* the premium is many standard errors */
    assert_true(fabs(mv - e_vix2) < 3.0 * sev);
    acc_free(&a);
}

/* paths_measure q: the token drifts at r - staking yield, whatever mu_ann and
 * dilution say; p: at mu_ann - dilution. */
static void test_token_drift_per_measure(void **state)
{
    (void)state;
    enum { N = 40000, STEPS = 63 };
    alvh_market_params q = two_factor_q();
    q.spx.v0 = q.spx.theta, q.spx.v2_0 = q.spx.theta2;
    double t = STEPS / 252.0;
    for (int meas = 0; meas < 2; meas++) {
        q.paths_measure = meas ? ALVH_MEASURE_Q : ALVH_MEASURE_P;
        acc_t a = acc_new(N);
        simulate(&q, STEPS, N, &a);
        double mu = meas ? q.spx.r_ann - q.token.staking_yield_ann : q.token.mu_ann - q.token.dilution_ann;
        double m, se;
        mean_se(a.g, N, 0.0, &m, &se);
        double want = q.token.g0_usd * exp(mu * t);
        printf("# token, paths %s: E[G_T] %.4f (se %.4f) vs %.4f\n", meas ? "q" : "p", m, se, want);
        assert_true(fabs(m - want) < 3.0 * se);
        acc_free(&a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mapping_per_factor),
        cmocka_unit_test(test_variance_swap_under_p),
        cmocka_unit_test(test_token_drift_per_measure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
