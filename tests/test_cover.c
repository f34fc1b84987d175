/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cover layer (kernels/book_cover_impl.h) on a hand-built market: the
 * farm's stake is hit by one exploit at step 5; premiums accrue on the
 * covered amount every step, an accepted claim pays min(cover, loss) x
 * (1 - haircut), a denied one nothing, and the claim's draw follows the
 * book uniform's low bits. Checked on the scalar kernels and every vector ISA.
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
#include "kernels/isa.h"
#include "tests/book_tiny_market.h"

enum { LANES = 8, STEPS = 10, HIT = 5 };
#define DT (1.0 / 365.0)

/* the claim's uniform from the book uniform u (as the kernel: 4096 u - round(4096 u) + 1/2) */
static double claim_u(double u)
{
    double w = u * 4096.0;
    return w - nearbyint(w) + 0.5;
}

static void test_cover_premium_and_claims(void **state)
{
    (void)state;
    alvh_market_params mp = alvh_test_tiny_market();
    alvh_book_params bp = alvh_book_defaults();
    bp.farm.apr0 = 0.0; /* a constant stake: the cover's flows in closed form */
    bp.cover.cover_frac = 0.6;
    const unsigned layers = 1u << ALVH_LAYER_FARM | 1u << ALVH_LAYER_COVER;
    /* book uniforms at the exploit: claim draws on both sides of claim_prob 0.8 */
    const double u_hit[LANES] = {0.1, 0.3, 0.5, 0.7, 0.9, 0.11, 0.2001, 0.99};
    double g[STEPS + 1][LANES], hack[STEPS + 1][LANES], u[STEPS + 1][LANES], zero[LANES] = {0}, one[LANES];
    for (int k = 0; k <= STEPS; k++)
        for (int i = 0; i < LANES; i++) {
            g[k][i] = 100.0 * (1.0 + 0.01 * i) * (k >= 3 ? 0.9 : 1.0);
            hack[k][i] = k == HIT ? 1.0 : 0.0;
            u[k][i] = k == HIT ? u_hit[i] : 0.5;
            one[i] = 1.0;
        }
    char msg[300];
    alvh_book_consts c;
    assert_int_equal(alvh_book_consts_init(&c, &bp, &mp, DT, msg, sizeof msg), 0);
    assert_int_equal(alvh_book_check_layers(&c, layers, msg, sizeof msg), 0);
    assert_int_equal(alvh_book_check_layers(&c, 1u << ALVH_LAYER_COVER, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "'cover'"));
    alvh_book_state st;
    double *mem = alvh_test_book_state(&st, LANES);
    ALVH_TEST_FOR_EACH_ISA(isa) {
        const alvh_kernel_ops *ops = alvh_kernel_ops_for((alvh_isa)isa);
        for (int k = 0; k <= STEPS; k++) {
            alvh_book_market mk = {.spx = one, .v = one, .vix = one, .g = g[k], .f = zero, .n_gov_dn = zero,
                                   .n_hack = hack[k], .n_tok_jump = hack[k], .u_book = u[k]};
            if (k == 0)
                alvh_book_init(&c, layers, LANES, &st, &mk);
            ops->book_step(&c, layers, (size_t)k, LANES, &st, &mk);
        }
        int paid = 0, denied = 0;
        for (int i = 0; i < LANES; i++) {
            const double units0 = bp.farm.stake_frac * bp.capital_usd / g[0][i];
            double want = 0.0, cov = 0.0, units = units0;
            for (int k = 0; k <= STEPS; k++) {
                if (k > 0)
                    want -= bp.cover.premium_ann * DT * cov;
                if (k == HIT) {
                    double loss = units * 0.5 * g[k][i];
                    units *= 0.5;
                    if (claim_u(u_hit[i]) < bp.cover.claim_prob)
                        want += fmin(cov, loss) * (1.0 - bp.cover.haircut);
                }
                cov = bp.cover.cover_frac * units * g[k][i];
            }
            double got = st.m_pnl[(size_t)ALVH_LAYER_COVER * LANES + i];
            assert_true(fabs(got - want) <= 1e-9 * fabs(want));
            int ok = claim_u(u_hit[i]) < bp.cover.claim_prob;
            assert_true(st.v_n_paid[i] == (ok ? 1.0 : 0.0) && st.v_n_denied[i] == (ok ? 0.0 : 1.0));
            paid += ok, denied += !ok;
            if (isa == 0 && i < 2)
                printf("# lane %d: claim u %.4f, cover P&L %.2f (closed form %.2f)\n", i, claim_u(u_hit[i]), got, want);
        }
        assert_true(paid > 0 && denied > 0); /* both branches exercised */
    }
    free(mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cover_premium_and_claims),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
