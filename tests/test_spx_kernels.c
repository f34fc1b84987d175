/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SPX step kernels: each vector ISA against the scalar reference on states that
 * exercise both QE branches, zero and large variance and jumps; and the
 * discretization bias of QE-M and full-truncation Euler shrinking with dt.
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

#include "engine/block_rng.h"
#include "engine/spx_mc.h"
#include "kernels/isa.h"

enum { N = 1003, STEPS = 50 };

/* |x_vec - x_ref| <= TOL * max(1, |x_ref|) after 50 steps: FMA contraction in
 * the vector paths moves each step by an ulp or two, and the QE and log
 * arithmetic keeps it near 1e-15 over 50 steps (measured 3.4e-15 on AVX-512;
 * the maximum is printed). */
#define TOL 1e-13

static void run(alvh_isa isa, const alvh_spx_params *p, double *ln_s, double *v, double *jumps)
{
    alvh_spx_consts c;
    assert_int_equal(alvh_spx_consts_init(&c, p, 1.0 / 52), 0);
    const alvh_kernel_ops *ops = alvh_kernel_ops_for(isa);
    /* draws from the scalar kernels, so every ISA sees the same inputs */
    const alvh_kernel_ops *ref = alvh_kernel_ops_for(ALVH_ISA_SCALAR);
    alvh_block_rng *r = alvh_block_rng_create(N);
    alvh_block_rng_seed(r, 5, 0, 0, N, N);
    static double z[4 * N], u[4 * N];
    alvh_spx_draws d = {.z_s = z, .z_v = z + N, .z_j = z + 2 * N, .u_v = u, .u_n = u + N, .u_jv1 = u + 2 * N, .u_jv2 = u + 3 * N};
    for (size_t i = 0; i < N; i++) {
        ln_s[i] = log(100.0);
        v[i] = (i % 7 == 0) ? 0.0 : 0.001 * (double)(i % 400); /* 0 .. 0.4 */
        jumps[i] = 0.0;
    }
    for (int t = 0; t < STEPS; t++) {
        ref->normal_fill(&r->lanes, 3, N, z);
        ref->uniform_fill(&r->lanes, 4, N, u);
        ops->spx_step(&c, N, ln_s, v, &d, jumps);
    }
    alvh_block_rng_free(r);
}

static void compare(const alvh_spx_params *p, const char *label)
{
    static double ls0[N], v0[N], j0[N], ls1[N], v1[N], j1[N];
    run(ALVH_ISA_SCALAR, p, ls0, v0, j0);
    for (int isa = 1; isa < ALVH_ISA_COUNT; isa++) {
        if (!alvh_isa_supported((alvh_isa)isa))
            continue;
        run((alvh_isa)isa, p, ls1, v1, j1);
        double worst = 0.0;
        for (size_t i = 0; i < N; i++) {
            assert_true(isfinite(ls1[i]) && isfinite(v1[i]));
            worst = fmax(worst, fabs(ls1[i] - ls0[i]) / fmax(1.0, fabs(ls0[i])));
            worst = fmax(worst, fabs(v1[i] - v0[i]) / fmax(1.0, fabs(v0[i])));
            assert_true(j1[i] == j0[i]);
        }
        printf("# %-10s %s vs scalar: max rel diff %.3g\n", label, alvh_isa_name((alvh_isa)isa), worst);
        assert_true(worst <= TOL);
    }
}

static void test_qe_vector_matches_scalar(void **state)
{
    (void)state;
    /* feller-violating, high vol of variance: both QE branches in use */
    alvh_spx_params p = {.s0 = 100, .r_ann = 0.03, .q_ann = 0.01, .kappa = 0.5, .theta = 0.04, .xi = 1.0, .rho = -0.9,
                         .lambda_ann = 0.59, .mu_j = -0.05, .delta_j = 0.07, .mu_v = 0.05, .scheme = ALVH_SCHEME_QE};
    compare(&p, "qe+svcj");
}

static void test_euler_vector_matches_scalar(void **state)
{
    (void)state;
    alvh_spx_params p = {.s0 = 100, .r_ann = 0.03, .kappa = 1.15, .theta = 0.04, .xi = 0.39, .rho = -0.64,
                         .scheme = ALVH_SCHEME_EULER};
    compare(&p, "euler");
}

static double atm_bias(alvh_var_scheme scheme, size_t steps, double *se)
{
    double k = 100, c, cse, pp, pse;
    alvh_spx_mc_request rq = {
        .model = {.s0 = 100, .v0 = 0.04, .r_ann = 0.03, .q_ann = 0.01, .kappa = 0.5, .theta = 0.04, .xi = 1.0,
                  .rho = -0.9, .scheme = scheme},
        .t_years = 1.0, .n_steps = steps, .strikes = &k, .n_strikes = 1, .n_paths = 400000, .block_size = 1024, .seed = 77,
    };
    alvh_spx_mc_result res = {.call = &c, .call_se = &cse, .put = &pp, .put_se = &pse};
    alvh_error err = {0};
    assert_int_equal(alvh_spx_mc_european(&rq, alvh_kernel_ops_for(alvh_isa_best()), &res, &err), ALVH_OK);
    *se = cse;
    return c - 5.88330045416; /* feller_violating, T = 1, K = 100 call from model_prices.csv */
}

/* Bias against the analytic price for 4, 16 and 64 steps a year: Euler's is
 * large at coarse steps and shrinks; QE-M's is already small at 4 steps. */
static void test_bias_shrinks_with_dt(void **state)
{
    (void)state;
    double se, eb[3], qb[3];
    const size_t steps[3] = {4, 16, 64};
    for (int i = 0; i < 3; i++) {
        eb[i] = atm_bias(ALVH_SCHEME_EULER, steps[i], &se);
        qb[i] = atm_bias(ALVH_SCHEME_QE, steps[i], &se);
        printf("# steps/yr %3zu: euler bias %+.4f  qe bias %+.4f  (se %.4f)\n", steps[i], eb[i], qb[i], se);
    }
    assert_true(fabs(eb[0]) > 4 * se);                 /* coarse Euler is visibly biased */
    assert_true(fabs(eb[2]) < 0.5 * fabs(eb[0]));      /* and improves with dt */
    assert_true(fabs(qb[0]) < 0.5 * fabs(eb[0]));      /* QE beats Euler at the coarse step */
    assert_true(fabs(qb[2]) < 3 * se + 0.01);          /* QE at 64 steps: within noise */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qe_vector_matches_scalar),
        cmocka_unit_test(test_euler_vector_matches_scalar),
        cmocka_unit_test(test_bias_shrinks_with_dt),
    };
    return cmocka_run_group_tests_name("spx_kernels", tests, NULL, NULL);
}
