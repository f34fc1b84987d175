/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Gas and MEV on every on-chain action (book.gas.all_layers,
 * kernels/book_onchain_impl.h) on hand-built paths, at VIX 40 (40 USD a
 * transaction with the defaults):
 *   - farm: the stake's purchase (a swap of the stake and 2 transactions) and
 *     2 transactions per harvest; with rewards sold, the swap's fee and MEV on
 *     the sale on top, against the same path without the costs;
 *   - puts: a transaction per purchase and per paying exercise; calls: per
 *     write and per assignment; borrow: 2 at the opening and 1 per
 *     auto-deleverage repayment;
 * each layer's cost row equals what left its cash, on every ISA; on random
 * walks through every paying layer and the stake rules the vector kernels
 * agree with the scalar one.
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
#include "kernels/book_model.h"
#include "tests/book_tiny_market.h"

enum { LANES = 3, STEPS = 23 };
#define DT (1.0 / 252.0)
#define GAS 40.0   /* 10 USD x (40 / 20)^2 */
#define SWAP 0.0035 /* pool fee 0.30% + MEV 5 bp */

static double g_of(int lane, int k)
{
    if (k < 10 || lane == 0)
        return 100.0;
    return lane == 1 ? 55.0 : 200.0; /* lane 1: a fall that deleverages and pays the puts; lane 2: a rally */
}

static void run(const alvh_book_consts *c, unsigned layers, int isa, alvh_book_state *st)
{
    double g[LANES], zero[LANES] = {0}, half[LANES], vix[LANES];
    for (int i = 0; i < LANES; i++)
        half[i] = 0.5, vix[i] = 40.0;
    for (int k = 0; k <= STEPS; k++) {
        for (int i = 0; i < LANES; i++)
            g[i] = g_of(i, k);
        alvh_book_market mk = {.spx = half, .v = half, .vix = vix, .g = g, .f = zero, .n_gov_dn = zero,
                               .n_hack = zero, .n_tok_jump = zero, .u_book = half};
        if (k == 0)
            alvh_book_init(c, layers, LANES, st, &mk);
        alvh_kernel_ops_for((alvh_isa)isa)->book_step(c, layers, (size_t)k, LANES, st, &mk);
    }
}

static alvh_book_consts consts_of(const alvh_book_params *bp)
{
    alvh_market_params mp = alvh_test_tiny_market();
    alvh_book_consts c;
    char msg[300];
    assert_int_equal(alvh_book_consts_init(&c, bp, &mp, DT, msg, sizeof msg), 0);
    return c;
}

static int close_to(double a, double b) { return fabs(a - b) <= 1e-9 * fmax(1.0, fabs(b)); }

static void test_every_layer_pays(void **state)
{
    (void)state;
    alvh_book_params bp = alvh_book_defaults();
    bp.gas.all_layers = 1;
    alvh_book_consts c = consts_of(&bp);
    const unsigned layers = 1u << ALVH_LAYER_FARM | 1u << ALVH_LAYER_PUTS | 1u << ALVH_LAYER_CALLS |
                            1u << ALVH_LAYER_BORROW;
    alvh_book_state st;
    double *mem = alvh_test_book_state(&st, LANES);
    const double stake0 = bp.farm.stake_frac * bp.capital_usd;
    /* puts bought at 1 and 22 (timelock 1), lane 1 exercised at 21; calls written at 8, 15, 22,
     * lane 2 assigned at 14; borrow opened at 0, lane 1 deleveraged at 10 and repaid at 11 */
    const double puts_tx[LANES] = {2, 3, 2}, calls_tx[LANES] = {3, 3, 4}, borrow_tx[LANES] = {2, 3, 2};
    ALVH_TEST_FOR_EACH_ISA(isa) {
        run(&c, layers, isa, &st);
        for (int i = 0; i < LANES; i++) {
            double farm = 2.0 * GAS + SWAP * stake0 + 3.0 * 2.0 * GAS; /* purchase, 3 harvests (restaked) */
            if (isa == 0)
                printf("# lane %d: farm %.2f puts %.0f calls %.0f borrow %.0f USD\n", i, st.f_cost[i], st.u_cost[i],
                       st.k_cost[i], st.b_cost[i]);
            assert_true(close_to(st.f_cost[i], farm));
            assert_true(close_to(st.u_cost[i], puts_tx[i] * GAS));
            assert_true(close_to(st.k_cost[i], calls_tx[i] * GAS));
            assert_true(close_to(st.b_cost[i], borrow_tx[i] * GAS));
        }
        /* lane 1 was deleveraged, no lane liquidated */
        assert_true(st.b_debt[1] < 0.9 * st.b_debt[0] && st.m_n_liq_b[1] == 0.0);
        double out[ALVH_OUT_COUNT];
        alvh_book_outcome(&st, 2, out);
        assert_true(out[ALVH_OUT_FARM_COSTS] == st.f_cost[2] && out[ALVH_OUT_CALLS_COSTS] == st.k_cost[2]);
    }
    free(mem);
}

static void test_sold_rewards_pay_the_swap(void **state)
{
    (void)state;
    alvh_book_params bp = alvh_book_defaults();
    bp.farm.restake = 0;
    alvh_book_consts off = consts_of(&bp);
    bp.gas.all_layers = 1;
    alvh_book_consts on = consts_of(&bp);
    const unsigned layers = 1u << ALVH_LAYER_FARM;
    alvh_book_state a, b;
    double *ma = alvh_test_book_state(&a, LANES), *mb = alvh_test_book_state(&b, LANES);
    const double stake0 = bp.farm.stake_frac * bp.capital_usd;
    ALVH_TEST_FOR_EACH_ISA(isa) {
        run(&off, layers, isa, &a);
        run(&on, layers, isa, &b);
        for (int i = 0; i < LANES; i++) {
            /* without costs the farm's cash is the harvests' sales */
            double want = 2.0 * GAS + SWAP * stake0 + 3.0 * 2.0 * GAS + SWAP * a.f_cash[i];
            assert_true(a.f_cost[i] == 0.0 && a.f_cash[i] > 0.0);
            assert_true(close_to(b.f_cost[i], want));
            assert_true(close_to(b.f_cash[i], a.f_cash[i] - want));
            assert_true(b.f_units[i] == a.f_units[i]);
        }
    }
    free(ma);
    free(mb);
}

/* Random walks (13 lanes: a partial vector) through every layer that pays, with
 * the runway rule on: the vector kernels agree with the scalar one. */
static void test_vector_matches_scalar(void **state)
{
    (void)state;
    enum { N = 13, K = 200 };
    alvh_market_params mp = alvh_test_tiny_market();
    mp.treasury.burn_usd_ann = 1e6;
    alvh_book_params bp = alvh_book_defaults();
    bp.gas.all_layers = 1;
    bp.runway.on = 1;
    bp.irr.on = 1;
    alvh_book_consts c;
    char msg[300];
    assert_int_equal(alvh_book_consts_init(&c, &bp, &mp, DT, msg, sizeof msg), 0);
    const unsigned layers = 1u << ALVH_LAYER_FARM | 1u << ALVH_LAYER_PUTS | 1u << ALVH_LAYER_CALLS |
                            1u << ALVH_LAYER_BORROW | 1u << ALVH_LAYER_PERP | 1u << ALVH_LAYER_LP;
    static double g[K + 1][N], vix[K + 1][N], rw[K + 1][N], gov[K + 1][N];
    uint64_t r = 12345;
    for (int i = 0; i < N; i++)
        g[0][i] = 100.0, vix[0][i] = 20.0, rw[0][i] = 2.0, gov[0][i] = 0.0;
    for (int k = 1; k <= K; k++)
        for (int i = 0; i < N; i++) {
            double u[3];
            for (int j = 0; j < 3; j++) {
                r = r * 6364136223846793005ull + 1442695040888963407ull;
                u[j] = (double)(r >> 11) * 0x1p-53;
            }
            g[k][i] = g[k - 1][i] * exp(0.12 * (u[0] - 0.5));
            vix[k][i] = fmin(fmax(vix[k - 1][i] + 4.0 * (u[1] - 0.5), 10.0), 80.0);
            rw[k][i] = fmax(rw[k - 1][i] + 0.4 * (u[2] - 0.5), 0.0);
            gov[k][i] = u[2] > 0.97 ? 1.0 : 0.0;
        }
    double zero[N] = {0}, half[N], out[2][N * ALVH_OUT_COUNT];
    for (int i = 0; i < N; i++)
        half[i] = 0.5;
    alvh_book_state st;
    double *mem = alvh_test_book_state(&st, N);
    ALVH_TEST_FOR_EACH_ISA(isa) {
        for (int k = 0; k <= K; k++) {
            alvh_book_market mk = {.spx = half, .v = half, .vix = vix[k], .g = g[k], .f = half, .n_gov_dn = gov[k],
                                   .n_hack = zero, .n_tok_jump = gov[k], .u_book = half, .runway = rw[k]};
            if (k == 0)
                alvh_book_init(&c, layers, N, &st, &mk);
            alvh_kernel_ops_for((alvh_isa)isa)->book_step(&c, layers, (size_t)k, N, &st, &mk);
        }
        double *o = out[isa == 0 ? 0 : 1];
        for (int i = 0; i < N; i++)
            alvh_book_outcome(&st, (size_t)i, o + i * ALVH_OUT_COUNT);
        if (isa == 0) {
            double cuts = 0.0, kc = 0.0;
            for (int i = 0; i < N; i++)
                cuts += st.r_n_cut[i], kc += st.k_cost[i];
            printf("# random walks: %g runway cuts, %.0f USD of calls gas\n", cuts, kc);
            assert_true(cuts > 0.0 && kc > 0.0); /* the rules and the costs are exercised */
            continue;
        }
        for (int j = 0; j < N * ALVH_OUT_COUNT; j++)
            assert_true(out[1][j] == out[0][j] || fabs(out[1][j] - out[0][j]) <= 1e-6 * fmax(1.0, fabs(out[0][j])));
    }
    free(mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_layer_pays),
        cmocka_unit_test(test_sold_rewards_pay_the_swap),
        cmocka_unit_test(test_vector_matches_scalar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
