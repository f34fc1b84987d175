/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Q marks of the VIX calls (kernels/vix_table.h): the table's futures and
 * Black-76 vols against exact-sampling references (tests/fixtures/
 * vixopt_prices.csv, gen_vixopt_prices.py) on a grid of states, lives of 5-21
 * days and the 30-day purchase life, strikes 0.8-3 x the future, within
 * max(0.5% of the price, 0.01 VIX points) plus 3 standard errors; every ISA's
 * lookup against the scalar reference; the VIX layer's mean P&L under the
 * pricing measure (a martingale test).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "engine/book_run.h"
#include "engine/dispatch.h"
#include "kernels/bs.h"
#include "kernels/isa.h"
#include "kernels/vix_table.h"

enum { MAXR = 512, LIFE = 21 };
static const double DT = 1.0 / 252, T_BUY = 30.0 / 365;

typedef struct {
    double v1, v2, k, fwd, fwd_se, call, call_se;
    int life;
} vrow;

static size_t read_rows(vrow *rows)
{
    FILE *f = fopen(ALVH_FIXTURE_DIR "/vixopt_prices.csv", "r");
    assert_non_null(f);
    char line[256];
    size_t n = 0;
    assert_non_null(fgets(line, sizeof line, f)); /* header */
    while (n < MAXR && fgets(line, sizeof line, f)) {
        vrow *r = &rows[n++];
        assert_int_equal(sscanf(line, "%lf,%lf,%d,%lf,%lf,%lf,%lf,%lf", &r->v1, &r->v2, &r->life, &r->k, &r->fwd,
                                &r->fwd_se, &r->call, &r->call_se),
                         8);
    }
    fclose(f);
    return n;
}

/* calm's pricing set (configs/default.yaml; the fixture's constants) */
static alvh_spx_params calm_q(void)
{
    return (alvh_spx_params){.s0 = 5000, .v0 = 0.02, .r_ann = 0.04, .q_ann = 0.013, .kappa = 1.1, .theta = 0.026,
                             .xi = 0.5, .rho = -0.57, .lambda_ann = 0.7, .mu_j = -0.055, .delta_j = 0.07,
                             .kappa2 = 34.0, .theta2 = 0.017, .xi2 = 3.0, .rho2 = -0.8, .v2_0 = 0.016,
                             .scheme = ALVH_SCHEME_QE};
}

static vrow g_rows[MAXR];
static size_t g_n;
static alvh_vtab_spec g_spec;
static alvh_vtab g_tab;
static double *g_mem;

static int group_setup(void **state)
{
    (void)state;
    g_n = read_rows(g_rows);
    assert_true(g_n >= 200);
    alvh_spx_params p = calm_q();
    char msg[200];
    assert_int_equal(alvh_vtab_spec_init(&g_spec, &p, DT, T_BUY, LIFE, 1, msg, sizeof msg), 0);
    g_mem = malloc(alvh_vtab_doubles(&g_spec) * sizeof(double));
    assert_non_null(g_mem);
    clock_t c0 = clock();
    for (size_t l = 0; l < g_spec.n_life; l++)
        alvh_vtab_fill_life(&g_spec, l, g_mem);
    printf("# VIX table: %zu lives x %zu x %zu x %zu, build %.3f CPU s\n", g_spec.n_life, g_spec.n_s1, g_spec.n_s2,
           g_spec.n_m, (double)(clock() - c0) / CLOCKS_PER_SEC);
    alvh_vtab_bind(&g_tab, &g_spec, g_mem);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    free(g_mem);
    return 0;
}

static double tolerance(double price) { return fmax(0.005 * price, 0.01); }

static void test_marks_against_sampling(void **state)
{
    (void)state;
    double worst_f = 0.0, worst_c = 0.0;
    for (size_t i = 0; i < g_n; i++) {
        const vrow *r = &g_rows[i];
        size_t l = (size_t)r->life;
        double t = l == 0 ? T_BUY : (double)l * DT;
        double f = alvh_vtab_future(&g_tab, l, r->v1, r->v2), sd = alvh_vtab_sd(&g_tab, l, r->v1, r->v2, r->k);
        double c = alvh_bs_price(f, r->k, t, sd / sqrt(t), 0.0, 0.0, 1, NULL);
        double ef = fabs(f - r->fwd) / (tolerance(r->fwd) + 3.0 * r->fwd_se);
        double ec = fabs(c - r->call) / (tolerance(r->call) + 3.0 * r->call_se);
        if (ef > 1.0 || ec > 1.0)
            printf("# v1 %g v2 %g life %zu K %.3f: future %.4f ref %.4f, call %.5f ref %.5f (se %.2g)\n", r->v1, r->v2,
                   l, r->k, f, r->fwd, c, r->call, r->call_se);
        worst_f = fmax(worst_f, ef), worst_c = fmax(worst_c, ec);
    }
    printf("# VIX marks: worst |future - ref| %.2f, |call - ref| %.2f of max(0.5%%, 0.01 pt) + 3 se\n", worst_f,
           worst_c);
    assert_true(worst_f <= 1.0);
    assert_true(worst_c <= 1.0);
}

static void test_vector_lookup(void **state)
{
    (void)state;
    enum { N = 203 };
    double life[N], v1[N], v2[N], k[N], fwd[N], sd[N];
    for (int i = 0; i < N; i++) {
        life[i] = i % (LIFE + 1);
        v1[i] = 0.3 * pow((i * 37 % 101) / 100.0, 2.0);
        v2[i] = 0.6 * pow((i * 53 % 97) / 96.0, 3.0);
        k[i] = 8.0 + 60.0 * (i * 29 % 89) / 88.0;
    }
    alvh_vtab_batch_fn *fns[3] = {alvh_vtab_batch_scalar, alvh_vtab_batch_avx2, alvh_vtab_batch_avx512};
    alvh_isa isas[3] = {ALVH_ISA_SCALAR, ALVH_ISA_AVX2, ALVH_ISA_AVX512};
    for (int f = 0; f < 3; f++) {
        if (!alvh_isa_supported(isas[f]))
            continue;
        fns[f](&g_tab, N, life, v1, v2, k, fwd, sd);
        for (int i = 0; i < N; i++) {
            size_t l = (size_t)life[i];
            double rf = alvh_vtab_future(&g_tab, l, v1[i], v2[i]), rs = alvh_vtab_sd(&g_tab, l, v1[i], v2[i], k[i]);
            assert_true(fabs(fwd[i] - rf) <= 1e-13 * rf);
            assert_true(fabs(sd[i] - rs) <= 1e-12 * fmax(rs, 1e-3));
        }
    }
}

/* The VIX layer alone under the pricing measure, r = 0, no slippage, held to
 * the roll (no monetization): calls bought at the table's price and sold at
 * its marks have mean P&L 0 within 3 SE. At four steps a day: at daily steps
 * the QE scheme's law of the fast factor (kappa2 34, xi2 3) differs from the
 * exact CIR law the table prices in its higher moments, and the layer gains
 * +2.8k to +4.3k USD per 300k of premium (2.5-3.9 SE, seeds 5-8;
 * docs/vix.md); at dt / 4 the gap is inside the SE. */
static void test_vix_calls_martingale(void **state)
{
    (void)state;
    enum { PATHS = 100000, STEPS = 252, PER_DAY = 4 };
    alvh_market_params mp = alvh_market_defaults();
    mp.spx = calm_q();
    mp.spx.r_ann = mp.spx.q_ann = 0.0;
    mp.premia = (alvh_premia_params){0};
    mp.paths_measure = ALVH_MEASURE_Q;
    alvh_book_params bp = alvh_book_defaults();
    bp.vix.slippage_frac = 0.0, bp.vix.monetize_vix = 1000.0, bp.vix.monetize_mult = 1000.0;
    bp.vix.budget_of_condor = 0, bp.vix.budget_lo = bp.vix.budget_mid = bp.vix.budget_hi = bp.vix.budget_top = 0.01;
    bp.cash.market_rate = 0, bp.cash.rate_ann = 0.0;
    bp.vix.buy_every_days = 21 * PER_DAY, bp.vix.roll_days = 5 * PER_DAY; /* the daily schedule in steps */
    alvh_variant var = {.layers = 1u << ALVH_LAYER_VIX};
    snprintf(var.name, sizeof var.name, "vix");
    static double out[PATHS * ALVH_OUT_COUNT];
    alvh_book_run_request rq = {
        .market = {.params = mp, .dt_years = DT / PER_DAY, .n_steps = STEPS, .n_paths = PATHS, .block_size = 1024,
                   .seed = 5,
                   .threads = 0},
        .book = bp, .variants = &var, .n_variants = 1, .outcomes = out,
    };
    alvh_error err = {0};
    alvh_status st = alvh_book_run(&rq, alvh_kernel_ops_for(alvh_isa_best()), NULL, &err);
    if (st != ALVH_OK)
        printf("# %s\n", err.msg);
    assert_int_equal(st, ALVH_OK);
    double sum = 0.0, sum2 = 0.0;
    for (size_t i = 0; i < PATHS; i++) {
        double x = out[i * ALVH_OUT_COUNT + ALVH_LAYER_VIX];
        sum += x, sum2 += x * x;
    }
    double mean = sum / PATHS, se = sqrt((sum2 / PATHS - mean * mean) / (PATHS - 1));
    printf("# VIX calls under Q, 63 days at 4 steps a day: mean P&L %.1f USD, se %.1f (%.2f se)\n", mean, se, mean / se);
    assert_true(se > 0.0);
    assert_true(fabs(mean) < 3.0 * se);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_marks_against_sampling),
        cmocka_unit_test(test_vector_lookup),
        cmocka_unit_test(test_vix_calls_martingale),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
