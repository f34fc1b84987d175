/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Q marks of the token's options (kernels/q_asset.c, book_tokmark_impl.h):
 * the token table's implied vols priced by Black against the references of
 * tests/fixtures/tokmark_prices.csv (gen_tokmark_prices.py) on a grid of
 * states, lives of 1-21 days and strikes 0.55-1.6 x the forward: the Lewis
 * prices of the affine law the table prices within max(0.5% of the price,
 * 1e-4 of the forward), and a Monte Carlo of the simulated model within that
 * plus 3 standard errors (the affine projection's error); every ISA's
 * bilinear lookup against the scalar reference; martingale tests of the puts,
 * calls and ETH puts layers under the pricing measure.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "engine/book_run.h"
#include "engine/dispatch.h"
#include "kernels/bs.h"
#include "kernels/isa.h"
#include "kernels/q_asset.h"

enum { MAXR = 512, LIFE = 21 };
static const double DT = 1.0 / 252;

typedef struct {
    double v1, v2, k, lewis, mc, se;
    int life, is_call;
} trow;

static size_t read_rows(trow *rows)
{
    FILE *f = fopen(ALVH_FIXTURE_DIR "/tokmark_prices.csv", "r");
    assert_non_null(f);
    char line[256];
    size_t n = 0;
    assert_non_null(fgets(line, sizeof line, f)); /* header */
    while (n < MAXR && fgets(line, sizeof line, f)) {
        trow *r = &rows[n++];
        assert_int_equal(sscanf(line, "%lf,%lf,%d,%lf,%d,%lf,%lf,%lf", &r->v1, &r->v2, &r->life, &r->k, &r->is_call,
                                &r->lewis, &r->mc, &r->se),
                         8);
    }
    fclose(f);
    return n;
}

/* calm's pricing set (configs/default.yaml; the fixture's constants) */
static alvh_market_params calm_q(void)
{
    alvh_market_params mp = alvh_market_defaults();
    mp.spx = (alvh_spx_params){.s0 = 5000, .v0 = 0.02, .r_ann = 0.04, .q_ann = 0.013, .kappa = 1.1, .theta = 0.026,
                               .xi = 0.5, .rho = -0.57, .lambda_ann = 0.7, .mu_j = -0.055, .delta_j = 0.07,
                               .kappa2 = 34.0, .theta2 = 0.017, .xi2 = 3.0, .rho2 = -0.8, .v2_0 = 0.016,
                               .scheme = ALVH_SCHEME_QE};
    alvh_token_params *t = &mp.token;
    t->sigma_total_ann = 1.2, t->vix_ref = 19.45, t->gamma = 1.0, t->sigma_max_ann = 4.0, t->rho_sg = 0.2;
    t->rho_vg = -0.1, t->beta_j = 2.0, t->delta_c = 0.1, t->lambda_gov_ann = 2.0, t->p_up = 0.35;
    t->mu_up = 0.2, t->d_up = 0.15, t->mu_dn = -0.3, t->d_dn = 0.2, t->lambda_hack_ann = 0.1;
    t->mu_hack = -0.2, t->d_hack = 0.1;
    mp.eth.sigma0_ann = 0.0;
    mp.premia = (alvh_premia_params){0};
    return mp;
}

static trow g_rows[MAXR];
static size_t g_n;
static alvh_qtab_spec g_spec;
static alvh_qtab g_tab;
static double *g_mem;

static int group_setup(void **state)
{
    (void)state;
    g_n = read_rows(g_rows);
    assert_true(g_n >= 160);
    alvh_market_params mp = calm_q();
    alvh_qtab_asset a;
    char msg[200];
    assert_int_equal(alvh_qtab_asset_of(&a, &mp, 0, DT, msg, sizeof msg), 0);
    assert_int_equal(a.n_jump, 4);
    assert_int_equal(alvh_qtab_spec_init_asset(&g_spec, &mp.spx, &a, DT, LIFE, msg, sizeof msg), 0);
    g_mem = malloc(alvh_qtab_doubles(&g_spec) * sizeof(double));
    assert_non_null(g_mem);
    clock_t c0 = clock();
    for (size_t l = 0; l < g_spec.n_life; l++)
        alvh_qtab_fill_life(&g_spec, l, g_mem);
    printf("# token table build %.3f CPU s\n", (double)(clock() - c0) / CLOCKS_PER_SEC);
    alvh_qtab_bind(&g_tab, &g_spec, g_mem);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    free(g_mem);
    return 0;
}

/* the mark per unit forward, undiscounted */
static double mark(const trow *r)
{
    double t = r->life * DT, sig = alvh_qtab_iv(&g_tab, (size_t)r->life, r->v1, r->v2, r->k);
    return alvh_bs_price(1.0, exp(r->k), t, sig, 0.0, 0.0, r->is_call, NULL);
}

static double tolerance(double price) { return fmax(0.005 * price, 1e-4); }

static void test_marks_against_references(void **state)
{
    (void)state;
    double worst_lw = 0.0, worst_mc = 0.0;
    int n_mc_z = 0;
    for (size_t i = 0; i < g_n; i++) {
        const trow *r = &g_rows[i];
        double m = mark(r), lw = fabs(m - r->lewis) / tolerance(r->lewis);
        double mc = fabs(m - r->mc) / (tolerance(r->mc) + 3.0 * r->se);
        if (lw > 1.0 || mc > 1.0)
            printf("# v1 %g v2 %g life %d K/F %.3f %s: mark %.6g lewis %.6g mc %.6g (se %.2g)\n", r->v1, r->v2,
                   r->life, exp(r->k), r->is_call ? "call" : "put", m, r->lewis, r->mc, r->se);
        worst_lw = fmax(worst_lw, lw), worst_mc = fmax(worst_mc, mc);
        n_mc_z += fabs(m - r->mc) > 3.0 * r->se;
    }
    printf("# token table (%zu lives x %zu x %zu x %zu): worst |mark - lewis| %.2f of the tolerance, "
           "|mark - mc| %.2f of tolerance + 3 se; %d of %zu rows beyond 3 se of the mc\n",
           g_spec.n_life, g_spec.n_s1, g_spec.n_s2, g_spec.n_z, worst_lw, worst_mc, n_mc_z, g_n);
    assert_true(worst_lw <= 1.0);
    assert_true(worst_mc <= 1.0);
}

/* every ISA's bilinear lookup (the book's) against alvh_qtab_iv */
static void test_vector_lookup(void **state)
{
    (void)state;
    enum { N = 203 };
    double life[N], v1[N], v2[N], lm[N], sd[N];
    for (int i = 0; i < N; i++) {
        life[i] = 1 + i % LIFE;
        v1[i] = 0.3 * pow((i * 37 % 101) / 100.0, 2.0);
        v2[i] = 0.6 * pow((i * 53 % 97) / 96.0, 3.0);
        lm[i] = -1.2 + 2.0 * (i * 29 % 89) / 88.0;
    }
    alvh_qtab_sd_batch_fn *fns[3] = {alvh_qtab_sd_batch_scalar, alvh_qtab_sd_batch_avx2, alvh_qtab_sd_batch_avx512};
    alvh_isa isas[3] = {ALVH_ISA_SCALAR, ALVH_ISA_AVX2, ALVH_ISA_AVX512};
    for (int f = 0; f < 3; f++) {
        if (!alvh_isa_supported(isas[f]))
            continue;
        fns[f](&g_tab, N, life, v1, v2, lm, sd);
        for (int i = 0; i < N; i++) {
            double ref = alvh_qtab_iv(&g_tab, (size_t)life[i], v1[i], v2[i], lm[i]) * sqrt(life[i] * DT);
            assert_true(fabs(sd[i] - ref) <= 1e-13 * ref);
        }
    }
}

/* One layer's mean P&L over PATHS paths of 63 steps under the pricing
 * measure with r = 0 and no costs: the options are bought or written at the
 * table's marks, so the mean is 0 within 3 SE if the marks are the Q price. */
static void layer_martingale(unsigned layers, int col, const char *name)
{
    enum { PATHS = 100000, STEPS = 63 };
    alvh_market_params mp = calm_q();
    if (col == ALVH_LAYER_ETH_PUTS) /* calm's ETH factor */
        mp.eth.sigma0_ann = 1.0, mp.eth.rho_es = 0.35, mp.eth.beta_j = 2.0, mp.token.beta_eth = 0.85;
    mp.spx.r_ann = mp.spx.q_ann = 0.0;
    mp.token.mu_ann = 0.0;
    mp.paths_measure = ALVH_MEASURE_Q;
    alvh_book_params bp = alvh_book_defaults();
    bp.puts.slippage_frac = bp.calls.slippage_frac = bp.eth_puts.slippage_frac = 0.0;
    bp.puts.budget_ann = 0.0, bp.puts.timelock_days = 0.0, bp.calls.timelock_days = 0.0;
    bp.farm.restake = 1;
    bp.cash.market_rate = 0, bp.cash.rate_ann = 0.0;
    alvh_variant var = {.layers = layers};
    snprintf(var.name, sizeof var.name, "%s", name);
    static double out[PATHS * ALVH_OUT_COUNT];
    alvh_book_run_request rq = {
        .market = {.params = mp, .dt_years = DT, .n_steps = STEPS, .n_paths = PATHS, .block_size = 1024, .seed = 11,
                   .threads = 0},
        .book = bp, .variants = &var, .n_variants = 1, .outcomes = out,
    };
    alvh_error err = {0};
    assert_int_equal(alvh_book_run(&rq, alvh_kernel_ops_for(alvh_isa_best()), NULL, &err), ALVH_OK);
    double sum = 0.0, sum2 = 0.0;
    for (size_t i = 0; i < PATHS; i++) {
        double x = out[i * ALVH_OUT_COUNT + col];
        sum += x, sum2 += x * x;
    }
    double mean = sum / PATHS, se = sqrt((sum2 / PATHS - mean * mean) / (PATHS - 1));
    printf("# %s under Q, 63 steps: mean P&L %.1f USD, se %.1f (%.2f se)\n", name, mean, se, mean / se);
    assert_true(se > 0.0);
    assert_true(fabs(mean) < 3.0 * se);
}

static void test_puts_martingale(void **state)
{
    (void)state;
    layer_martingale(1u << ALVH_LAYER_FARM | 1u << ALVH_LAYER_PUTS, ALVH_LAYER_PUTS, "puts");
}

static void test_calls_martingale(void **state)
{
    (void)state;
    layer_martingale(1u << ALVH_LAYER_FARM | 1u << ALVH_LAYER_CALLS, ALVH_LAYER_CALLS, "calls");
}

static void test_eth_puts_martingale(void **state)
{
    (void)state;
    layer_martingale(1u << ALVH_LAYER_FARM | 1u << ALVH_LAYER_ETH_PUTS, ALVH_LAYER_ETH_PUTS, "eth_puts");
}

/* variance jumps, which no table prices, are refused with an option layer
 * (and accepted without one) */
static void test_variance_jumps_refused(void **state)
{
    (void)state;
    alvh_market_params mp = calm_q();
    mp.spx.mu_v = 0.05;
    alvh_variant var = {.layers = 1u << ALVH_LAYER_FARM | 1u << ALVH_LAYER_PUTS};
    snprintf(var.name, sizeof var.name, "puts");
    alvh_book_run_request rq = {
        .market = {.params = mp, .dt_years = DT, .n_steps = 5, .n_paths = 64, .block_size = 64, .seed = 1, .threads = 1},
        .book = alvh_book_defaults(), .variants = &var, .n_variants = 1,
    };
    alvh_error err = {0};
    assert_int_equal(alvh_book_run(&rq, alvh_kernel_ops_for(ALVH_ISA_SCALAR), NULL, &err), ALVH_E_CONFIG);
    assert_non_null(strstr(err.msg, "spx.mu_v = 0.05"));
    var.layers = 1u << ALVH_LAYER_FARM;
    assert_int_equal(alvh_book_run(&rq, alvh_kernel_ops_for(ALVH_ISA_SCALAR), NULL, &err), ALVH_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_marks_against_references),
        cmocka_unit_test(test_vector_lookup),
        cmocka_unit_test(test_puts_martingale),
        cmocka_unit_test(test_calls_martingale),
        cmocka_unit_test(test_eth_puts_martingale),
        cmocka_unit_test(test_variance_jumps_refused),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
