/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The lp layer (kernels/book_lp_impl.h) on hand-built one- and two-step
 * markets, against closed forms written here: the impermanent loss of a
 * constant-product position, 2 sqrt(r)/(1 + r) - 1; a Uniswap v3 range
 * position's liquidity and token amounts at, inside and beyond its bounds
 * (whitepaper eq. 6.29-6.30 in their own form); fees only in range; the
 * re-centring's cost (pool fee, MEV, gas rising with the VIX). Every check
 * runs on the scalar kernels and on each vector ISA the CPU has.
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
#include "kernels/amm.h"
#include "kernels/book_model.h"
#include "kernels/gas.h"
#include "kernels/isa.h"
#include "tests/book_tiny_market.h"

enum { LANES = 9, STEPS = 4 };
#define DT (1.0 / 365.0)
#define G0 100.0
#define V0 (0.2 * 10e6)

/* costs and fees off: the position's value alone */
static alvh_book_params frictionless(double range_mult)
{
    alvh_book_params bp = alvh_book_defaults();
    bp.lp.range_mult = range_mult;
    bp.lp.fee_apr_full = 0.0;
    bp.lp.swap_fee_frac = 0.0;
    bp.lp.recentre = 0;
    bp.gas.usd_per_tx = 0.0;
    bp.gas.mev_bps = 0.0;
    return bp;
}

typedef struct {
    double g[STEPS][LANES], vix[STEPS][LANES], eth[STEPS][LANES], zero[LANES], one[LANES];
    int has_eth;
    alvh_book_consts c;
    alvh_book_state st;
    double *mem;
} lp_run;

/* token price g0 at step 0, then g_lane[i] from step 1 on; VIX vix at every
 * step; with e_lane, an ETH factor whose price is E0 at step 0, then e_lane[i] */
#define E0 2000.0
static void lp_setup_eth(lp_run *r, const alvh_book_params *bp, const double *g_lane, const double *e_lane, double vix)
{
    alvh_market_params mp = alvh_test_tiny_market();
    if (e_lane)
        mp.eth.sigma0_ann = 0.7;
    r->has_eth = e_lane != NULL;
    for (int k = 0; k < STEPS; k++)
        for (int i = 0; i < LANES; i++)
            r->eth[k][i] = k == 0 || !e_lane ? E0 : e_lane[i];
    char msg[300];
    assert_int_equal(alvh_book_consts_init(&r->c, bp, &mp, DT, msg, sizeof msg), 0);
    assert_int_equal(alvh_book_check_layers(&r->c, 1u << ALVH_LAYER_LP, msg, sizeof msg), 0);
    for (int k = 0; k < STEPS; k++)
        for (int i = 0; i < LANES; i++) {
            r->g[k][i] = k == 0 ? G0 : g_lane[i];
            r->vix[k][i] = vix;
        }
    for (int i = 0; i < LANES; i++)
        r->zero[i] = 0.0, r->one[i] = 0.5;
    r->mem = alvh_test_book_state(&r->st, LANES);
}

static void lp_setup(lp_run *r, const alvh_book_params *bp, const double *g_lane, double vix)
{
    lp_setup_eth(r, bp, g_lane, NULL, vix);
}

static void lp_steps(lp_run *r, const alvh_kernel_ops *ops, int last)
{
    for (int k = 0; k <= last; k++) {
        /* the lp reads only g and vix; the other inputs are flat */
        alvh_book_market mk = {.spx = r->one, .v = r->one, .vix = r->vix[k], .g = r->g[k], .f = r->zero,
                               .n_gov_dn = r->zero, .n_hack = r->zero, .n_tok_jump = r->zero, .u_book = r->one,
                               .eth = r->has_eth ? r->eth[k] : NULL};
        if (k == 0)
            alvh_book_init(&r->c, 1u << ALVH_LAYER_LP, LANES, &r->st, &mk);
        ops->book_step(&r->c, 1u << ALVH_LAYER_LP, (size_t)k, LANES, &r->st, &mk);
    }
}

static double lp_pnl(const lp_run *r, int i) { return r->st.m_pnl[(size_t)ALVH_LAYER_LP * LANES + i]; }

static int close_rel(double a, double b, double tol) { return fabs(a - b) <= tol * fmax(fabs(b), 1.0); }

/* constant product, price x r, no fees: value / value held = 2 sqrt(r) / (1 + r) */
static void test_impermanent_loss_constant_product(void **state)
{
    (void)state;
    const double r_of[LANES] = {4.0, 0.25, 1.0, 2.0, 0.5, 9.0, 0.1, 1.5, 100.0};
    double g1[LANES];
    for (int i = 0; i < LANES; i++)
        g1[i] = G0 * r_of[i];
    alvh_book_params bp = frictionless(0.0);
    ALVH_TEST_FOR_EACH_ISA(isa) {
        lp_run r;
        lp_setup(&r, &bp, g1, 20.0);
        lp_steps(&r, alvh_kernel_ops_for((alvh_isa)isa), 1);
        for (int i = 0; i < LANES; i++) {
            double held = 0.5 * V0 / G0 * g1[i] + 0.5 * V0; /* the deposit's two halves, not pooled */
            double il = (lp_pnl(&r, i) + V0) / held - 1.0;
            double want = 2.0 * sqrt(r_of[i]) / (1.0 + r_of[i]) - 1.0;
            if (i == 0)
                printf("# %s: r = 4: IL %.12f (closed form %.12f)\n", alvh_isa_name((alvh_isa)isa), il, want);
            assert_true(fabs(il - want) <= 1e-12);
            /* L^2 = x y: the invariant of the constant-product pool */
            double x = r.st.l_tok[i], y = lp_pnl(&r, i) + V0 - x * g1[i];
            assert_true(close_rel(x * y, r.st.l_liq[i] * r.st.l_liq[i], 1e-12));
        }
        assert_true(fabs((lp_pnl(&r, 0) + V0) / (0.5 * V0 * 4.0 + 0.5 * V0) - 0.8) <= 1e-12);
        free(r.mem);
    }
}

/* Range [50, 200] around 100 (range_mult 2): liquidity from each half of the
 * deposit (whitepaper: L = x sqrt(P) sqrt(Pb) / (sqrt(Pb) - sqrt(P)) = y /
 * (sqrt(P) - sqrt(Pa))), then token and USD amounts below, at, inside, at
 * and above the bounds: x = L (sqrt(Pb) - sqrt(P)) / (sqrt(P) sqrt(Pb)), y =
 * L (sqrt(P) - sqrt(Pa)) with P clamped to [Pa, Pb]. */
static void test_concentrated_liquidity_amounts(void **state)
{
    (void)state;
    const double pa = 50.0, pb = 200.0;
    const double g1[LANES] = {20.0, 49.999, 50.0, 70.0, 100.0, 150.0, 200.0, 200.001, 1000.0};
    alvh_book_params bp = frictionless(2.0);
    const double x0 = 0.5 * V0 / G0, y0 = 0.5 * V0;
    const double lx = x0 * sqrt(G0) * sqrt(pb) / (sqrt(pb) - sqrt(G0)), ly = y0 / (sqrt(G0) - sqrt(pa));
    assert_true(close_rel(lx, ly, 1e-12)); /* a centred range holds half its value in each asset */
    ALVH_TEST_FOR_EACH_ISA(isa) {
        lp_run r;
        lp_setup(&r, &bp, g1, 20.0);
        lp_steps(&r, alvh_kernel_ops_for((alvh_isa)isa), 1);
        for (int i = 0; i < LANES; i++) {
            assert_true(close_rel(r.st.l_liq[i], ly, 1e-12));
            double p = fmin(fmax(g1[i], pa), pb);
            double x = ly * (sqrt(pb) - sqrt(p)) / (sqrt(p) * sqrt(pb)), y = ly * (sqrt(p) - sqrt(pa));
            double val = lp_pnl(&r, i) + V0;
            if (isa == 0)
                printf("# P %8.3f: tokens %12.4f (closed form %12.4f), USD %14.4f (%14.4f)\n", g1[i], r.st.l_tok[i],
                       x, val - r.st.l_tok[i] * g1[i], y);
            assert_true(fabs(r.st.l_tok[i] - x) <= 1e-9 * x0);
            assert_true(fabs(val - (x * g1[i] + y)) <= 1e-9 * V0);
            /* the scalar closed form of kernels/amm.h agrees */
            double xt, yt;
            alvh_amm_amounts(r.st.l_liq[i], sqrt(g1[i]), r.st.l_sqlo[i], r.st.l_sqhi[i], &xt, &yt);
            assert_true(fabs(xt - x) <= 1e-9 * x0 && fabs(yt - y) <= 1e-9 * V0);
        }
        /* beyond the bounds one asset only; a range position loses more than the full range for the same move */
        assert_true(r.st.l_tok[8] == 0.0 && r.st.l_tok[0] > 0.0);
        free(r.mem);
    }
    lp_run full, conc;
    const double g_up[LANES] = {150, 150, 150, 150, 150, 150, 150, 150, 150};
    alvh_book_params bf = frictionless(0.0);
    lp_setup(&full, &bf, g_up, 20.0);
    lp_setup(&conc, &bp, g_up, 20.0);
    lp_steps(&full, alvh_kernel_ops_for(ALVH_ISA_SCALAR), 1);
    lp_steps(&conc, alvh_kernel_ops_for(ALVH_ISA_SCALAR), 1);
    assert_true(lp_pnl(&conc, 0) < lp_pnl(&full, 0));
    free(full.mem);
    free(conc.mem);
}

/* Fees: fee_apr_full dt (sigma/sigma0)^power 2 L sqrt(G) per step in range,
 * none out of range; with the VIX at twice its reference and gamma = 1 the
 * token vol is 2 sigma0 (token_iv: sigma proportional to the VIX), so fees
 * are x 2 at power 1. */
static void test_fees_only_in_range(void **state)
{
    (void)state;
    const double g1[LANES] = {100, 100, 120, 120, 45, 45, 300, 300, 100};
    alvh_book_params bp = frictionless(2.0);
    bp.lp.fee_apr_full = 0.10;
    ALVH_TEST_FOR_EACH_ISA(isa) {
        lp_run r, q;
        lp_setup(&r, &bp, g1, 40.0);
        lp_steps(&r, alvh_kernel_ops_for((alvh_isa)isa), 3);
        alvh_book_params b0 = frictionless(2.0);
        lp_setup(&q, &b0, g1, 40.0);
        lp_steps(&q, alvh_kernel_ops_for((alvh_isa)isa), 3);
        for (int i = 0; i < LANES; i++) {
            double in = g1[i] >= 50.0 && g1[i] <= 200.0;
            double want = in ? 3.0 * 0.10 * DT * 2.0 * 2.0 * r.st.l_liq[i] * sqrt(g1[i]) : 0.0;
            double got = lp_pnl(&r, i) - lp_pnl(&q, i);
            assert_true(fabs(got - want) <= 1e-9 * fmax(want, 1.0));
            assert_true(r.st.l_cost[i] == 0.0 && r.st.l_n_rc[i] == 0.0);
        }
        free(r.mem);
        free(q.mem);
    }
}

/* Re-centring after recentre_days steps out of range: withdrawn in one asset,
 * half swapped at pool fee + MEV, lp_txs transactions of gas at today's VIX,
 * minted on [G/m, G m]. The deposit pays the swap of half the capital and
 * lp_txs - 1 transactions. */
static void test_recentre_costs(void **state)
{
    (void)state;
    const double g1[LANES] = {300, 30, 100, 150, 199, 300, 30, 201, 49};
    const double vix = 40.0, m = 2.0;
    alvh_book_params bp = frictionless(m);
    bp.lp.recentre = 1;
    bp.lp.recentre_days = 2;
    bp.lp.swap_fee_frac = 0.003;
    bp.gas.usd_per_tx = 10.0;
    bp.gas.vix_ref = 20.0;
    bp.gas.vix_power = 2.0;
    bp.gas.mev_bps = 5.0;
    bp.gas.lp_txs = 3.0;
    const double gas = 10.0 * 4.0; /* (40/20)^2 */
    assert_true(close_rel(alvh_gas_tx_usd(&bp.gas, vix), gas, 1e-14));
    ALVH_TEST_FOR_EACH_ISA(isa) {
        lp_run r;
        lp_setup(&r, &bp, g1, vix);
        const double cost0 = 0.5 * V0 * (0.003 + 5e-4) + 2.0 * gas;
        lp_steps(&r, alvh_kernel_ops_for((alvh_isa)isa), 0);
        double l0 = r.st.l_liq[0];
        assert_true(close_rel(r.st.l_cost[0], cost0, 1e-12));
        assert_true(close_rel(l0, (V0 - cost0) / (2.0 * sqrt(G0) * (1.0 - 1.0 / sqrt(m))), 1e-12));
        lp_steps(&r, alvh_kernel_ops_for((alvh_isa)isa), 1);
        assert_true(r.st.l_n_rc[0] == 0.0); /* one step out: not yet */
        lp_run r2;
        lp_setup(&r2, &bp, g1, vix);
        lp_steps(&r2, alvh_kernel_ops_for((alvh_isa)isa), 2);
        for (int i = 0; i < LANES; i++) {
            double pa = G0 / m, pb = G0 * m;
            int out = g1[i] < pa || g1[i] > pb;
            assert_true(r2.st.l_n_rc[i] == (out ? 1.0 : 0.0));
            if (!out) {
                assert_true(r2.st.l_liq[i] == l0);
                continue;
            }
            double p = fmin(fmax(g1[i], pa), pb);
            double val = l0 * ((sqrt(pb) - sqrt(p)) / (sqrt(p) * sqrt(pb)) * g1[i] + (sqrt(p) - sqrt(pa)));
            double cost = 0.5 * val * (0.003 + 5e-4) + 3.0 * gas;
            assert_true(close_rel(r2.st.l_cost[i] - cost0, cost, 1e-9));
            assert_true(close_rel(lp_pnl(&r2, i) + V0, val - cost, 1e-12));
            assert_true(close_rel(r2.st.l_sqlo[i], sqrt(g1[i] / m), 1e-12));
            assert_true(close_rel(r2.st.l_sqhi[i], sqrt(g1[i] * m), 1e-12));
        }
        free(r.mem);
        free(r2.mem);
    }
}

/* Token/ETH pool (lp.pair_eth): the pool price is P = G/E, so only the ratio
 * moves the position. Constant product, no fees: value / value held = 2
 * sqrt(r)/(1 + r) with r the ratio's move, whatever E does; token and ETH
 * amounts x y = L^2 in ETH units; a range's fees are 2 L sqrt(P) fee dt in
 * ETH, paid in USD at E; a re-centring's gas is USD, i.e. gas/E of ETH. */
static void test_token_eth_pair(void **state)
{
    (void)state;
    /* lanes: G and E up together (r = 1), token alone x4, ETH alone x4 (r = 1/4), both down ... */
    const double g1[LANES] = {300, 400, 100, 50, 25, 800, 100, 150, 10};
    const double e1[LANES] = {6000, 2000, 8000, 1000, 1000, 2000, 500, 3000, 200};
    alvh_book_params bp = frictionless(0.0);
    bp.lp.pair_eth = 1;
    ALVH_TEST_FOR_EACH_ISA(isa) {
        lp_run r;
        lp_setup_eth(&r, &bp, g1, e1, 20.0);
        lp_steps(&r, alvh_kernel_ops_for((alvh_isa)isa), 1);
        for (int i = 0; i < LANES; i++) {
            double ratio = (g1[i] / e1[i]) / (G0 / E0);
            double held = 0.5 * V0 / G0 * g1[i] + 0.5 * V0 / E0 * e1[i];
            double il = (lp_pnl(&r, i) + V0) / held - 1.0;
            double want = 2.0 * sqrt(ratio) / (1.0 + ratio) - 1.0;
            assert_true(fabs(il - want) <= 1e-12);
            double x = r.st.l_tok[i], y_eth = (lp_pnl(&r, i) + V0 - x * g1[i]) / e1[i];
            assert_true(close_rel(x * y_eth, r.st.l_liq[i] * r.st.l_liq[i], 1e-12));
        }
        assert_true(fabs(lp_pnl(&r, 0) + V0 - 3.0 * V0) <= 1e-9 * V0); /* r = 1: no impermanent loss */
        free(r.mem);
    }
    /* range [P/2, 2P] with fees and a re-centring two steps out of range */
    alvh_book_params bf = frictionless(2.0);
    bf.lp.pair_eth = 1;
    bf.lp.fee_apr_full = 0.10;
    bf.lp.fee_vol_power = 0.0;
    bf.lp.recentre = 1;
    bf.lp.recentre_days = 2;
    bf.gas.usd_per_tx = 10.0;
    bf.gas.lp_txs = 3.0;
    const double g2[LANES] = {100, 120, 300, 30, 100, 100, 100, 100, 100};
    const double e2[LANES] = {2000, 3000, 2000, 2000, 500, 8000, 1000, 4000, 2000};
    ALVH_TEST_FOR_EACH_ISA(isa) {
        lp_run r;
        lp_setup_eth(&r, &bf, g2, e2, 20.0);
        lp_steps(&r, alvh_kernel_ops_for((alvh_isa)isa), 0);
        const double cost0 = 2.0 * 10.0, l0 = r.st.l_liq[0];
        assert_true(close_rel(l0, (V0 - cost0) / E0 / (2.0 * sqrt(G0 / E0) * (1.0 - 1.0 / sqrt(2.0))), 1e-12));
        lp_steps(&r, alvh_kernel_ops_for((alvh_isa)isa), 2);
        for (int i = 0; i < LANES; i++) {
            double p0 = G0 / E0, p = g2[i] / e2[i];
            int out = p < p0 / 2.0 || p > p0 * 2.0;
            assert_true(r.st.l_n_rc[i] == (out ? 1.0 : 0.0));
            if (out) {
                double pc = fmin(fmax(p, p0 / 2.0), p0 * 2.0);
                double val_eth = l0 * ((sqrt(2.0 * p0) - sqrt(pc)) / (sqrt(pc) * sqrt(2.0 * p0)) * p + (sqrt(pc) - sqrt(p0 / 2.0)));
                double cost_usd = 3.0 * 10.0; /* gas only: swap fee and MEV are off */
                assert_true(close_rel(r.st.l_cost[i] - cost0, cost_usd, 1e-9));
                assert_true(close_rel(r.st.l_liq[i], (val_eth - cost_usd / e2[i]) / (2.0 * sqrt(p) * (1.0 - 1.0 / sqrt(2.0))), 1e-12));
            } else {
                /* two steps in range: fees 2 x 0.10 dt x 2 L sqrt(P) ETH, at E */
                double fees = 2.0 * 0.10 * DT * 2.0 * l0 * sqrt(p) * e2[i];
                double pos = l0 * ((sqrt(2.0 * p0) - sqrt(p)) / (sqrt(p) * sqrt(2.0 * p0)) * g2[i] + (sqrt(p) - sqrt(p0 / 2.0)) * e2[i]);
                assert_true(close_rel(lp_pnl(&r, i) + V0, pos + fees, 1e-12));
            }
        }
        free(r.mem);
    }
    /* without an ETH factor the pair is refused by name */
    alvh_market_params mp = alvh_test_tiny_market();
    alvh_book_consts c;
    char msg[300];
    assert_int_equal(alvh_book_consts_init(&c, &bp, &mp, DT, msg, sizeof msg), 0);
    assert_int_not_equal(alvh_book_check_layers(&c, 1u << ALVH_LAYER_LP, msg, sizeof msg), 0);
    assert_non_null(strstr(msg, "book.lp.pair_eth"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_eth_pair),
        cmocka_unit_test(test_impermanent_loss_constant_product),
        cmocka_unit_test(test_concentrated_liquidity_amounts),
        cmocka_unit_test(test_fees_only_in_range),
        cmocka_unit_test(test_recentre_costs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
