/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The eth_puts cross-hedge (kernels/book_eth_puts_impl.h) on a hand-built
 * market, against Black-Scholes prices from the scalar API (kernels/bs.h):
 * the purchase at step 0 on cover_frac x beta_eth x the stake's value of
 * ETH, its settlement at the roll (step 21), and the basis risk: a lane where
 * the token falls 30% and ETH does not is paid nothing, a lane where ETH
 * falls 30% is paid n (K - E) whatever the token did. Scalar and every
 * vector ISA; the layer is refused without the ETH factor.
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
#include "kernels/bs.h"
#include "kernels/isa.h"
#include "tests/book_tiny_market.h"

enum { LANES = 4, ROLL = 21 };
#define DT (1.0 / 365.0)

static void test_eth_puts_cross_hedge(void **state)
{
    (void)state;
    alvh_market_params mp = alvh_test_tiny_market();
    alvh_book_params bp = alvh_book_defaults();
    bp.farm.apr0 = 0.0;
    const unsigned layers = 1u << ALVH_LAYER_FARM | 1u << ALVH_LAYER_ETH_PUTS;
    alvh_book_consts c;
    char msg[300];
    assert_int_equal(alvh_book_consts_init(&c, &bp, &mp, DT, msg, sizeof msg), 0);
    assert_int_equal(alvh_book_check_layers(&c, layers, msg, sizeof msg), -1);
    printf("# %s\n", msg);
    assert_non_null(strstr(msg, "ETH factor"));
    mp.eth = (alvh_eth_params){.e0_usd = 2000.0, .sigma0_ann = 0.7};
    mp.token.beta_eth = 0.8;
    assert_int_equal(alvh_book_consts_init(&c, &bp, &mp, DT, msg, sizeof msg), 0);
    assert_int_equal(alvh_book_check_layers(&c, layers, msg, sizeof msg), 0);
    /* lanes: both flat, token -30%, ETH -30%, both -30% (at the roll) */
    const double g_end[LANES] = {100, 70, 100, 70}, e_end[LANES] = {2000, 2000, 1400, 1400};
    double g[ROLL + 1][LANES], e[ROLL + 1][LANES], zero[LANES] = {0}, half[LANES], vix[LANES];
    for (int k = 0; k <= ROLL; k++)
        for (int i = 0; i < LANES; i++) {
            g[k][i] = k < ROLL ? 100.0 : g_end[i];
            e[k][i] = k < ROLL ? 2000.0 : e_end[i];
            half[i] = 0.5, vix[i] = 20.0;
        }
    const double t = ROLL * DT, sig = sqrt(0.7 * 0.7 + bp.eth_puts.jump_var_ann), r = mp.spx.r_ann;
    const double units = bp.farm.stake_frac * bp.capital_usd / 100.0;
    const double n0 = bp.eth_puts.cover_frac * 0.8 * units * 100.0 / 2000.0, k0 = 2000.0 * 0.8;
    const double p0 = alvh_bs_price(2000.0, k0, t, sig, r, 0.0, 0, NULL);
    alvh_book_state st;
    double *mem = alvh_test_book_state(&st, LANES);
    ALVH_TEST_FOR_EACH_ISA(isa) {
        for (int k = 0; k <= ROLL; k++) {
            alvh_book_market mk = {.spx = half, .v = half, .vix = vix, .g = g[k], .f = zero, .n_gov_dn = zero,
                                   .n_hack = zero, .n_tok_jump = zero, .u_book = half, .eth = e[k]};
            if (k == 0) {
                alvh_book_init(&c, layers, LANES, &st, &mk);
                alvh_kernel_ops_for((alvh_isa)isa)->book_step(&c, layers, 0, LANES, &st, &mk);
                for (int i = 0; i < LANES; i++) {
                    assert_true(fabs(st.e_n[i] - n0) <= 1e-12 * n0 && st.e_k[i] == k0);
                    double want = -n0 * p0 * bp.eth_puts.slippage_frac; /* cost less the mark */
                    assert_true(fabs(st.m_pnl[(size_t)ALVH_LAYER_ETH_PUTS * LANES + i] - want) <= 1e-8 * n0 * p0);
                }
                continue;
            }
            alvh_kernel_ops_for((alvh_isa)isa)->book_step(&c, layers, (size_t)k, LANES, &st, &mk);
        }
        for (int i = 0; i < LANES; i++) {
            double payoff = n0 * fmax(k0 - e_end[i], 0.0);
            double n1 = bp.eth_puts.cover_frac * 0.8 * units * g_end[i] / e_end[i], k1 = e_end[i] * 0.8;
            double p1 = alvh_bs_price(e_end[i], k1, t, sig, r, 0.0, 0, NULL);
            double want = -n0 * p0 * (1.0 + bp.eth_puts.slippage_frac) + payoff - n1 * p1 * bp.eth_puts.slippage_frac;
            double got = st.m_pnl[(size_t)ALVH_LAYER_ETH_PUTS * LANES + i];
            if (isa == 0)
                printf("# token %3.0f ETH %4.0f: cross-hedge P&L %12.2f (closed form %12.2f), farm %12.2f\n", g_end[i],
                       e_end[i], got, want, st.m_pnl[(size_t)ALVH_LAYER_FARM * LANES + i]);
            assert_true(fabs(got - want) <= 1e-8 * fmax(fabs(want), n0 * p0));
        }
        /* the basis: the token's fall alone pays nothing */
        assert_true(st.m_pnl[(size_t)ALVH_LAYER_ETH_PUTS * LANES + 1] < 0.0);
    }
    free(mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eth_puts_cross_hedge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
