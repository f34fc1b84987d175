/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IRR-versus-WACC rule (kernels/book_irr_impl.h) on hand-built markets:
 * with no emissions the trailing IRR stays below the hurdle and the stake is
 * cut by step_frac at each decision, each executed timelock_days later at the
 * price of that day with pool fee, MEV and gas, down to min_scale and no
 * further; with rich emissions an exploit drags the IRR below the hurdle, the
 * stake is cut, and it is scaled back up once the IRR has recovered. Checked
 * on the scalar kernels and every vector ISA.
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

enum { LANES = 5, STEPS = 400 };
#define DT (1.0 / 365.0)

typedef struct {
    double g[STEPS + 1][LANES], hack[STEPS + 1][LANES], zero[LANES], one[LANES], vix[LANES];
} tape;

static void run(const alvh_book_consts *c, const tape *t, int last, int isa, alvh_book_state *st)
{
    const unsigned layers = 1u << ALVH_LAYER_FARM;
    for (int k = 0; k <= last; k++) {
        alvh_book_market mk = {.spx = t->one, .v = t->one, .vix = t->vix, .g = t->g[k], .f = t->zero,
                               .n_gov_dn = t->zero, .n_hack = t->hack[k], .n_tok_jump = t->hack[k], .u_book = t->one};
        if (k == 0)
            alvh_book_init(c, layers, LANES, st, &mk);
        alvh_kernel_ops_for((alvh_isa)isa)->book_step(c, layers, (size_t)k, LANES, st, &mk);
    }
}

static alvh_book_consts consts_of(const alvh_book_params *bp, const alvh_market_params *mp)
{
    alvh_book_consts c;
    char msg[300];
    assert_int_equal(alvh_book_consts_init(&c, bp, mp, DT, msg, sizeof msg), 0);
    return c;
}

static void test_irr_scales_down_to_the_floor(void **state)
{
    (void)state;
    alvh_market_params mp = alvh_test_tiny_market();
    alvh_book_params bp = alvh_book_defaults();
    bp.farm.apr0 = 0.0;
    bp.irr.on = 1;
    static tape t;
    for (int k = 0; k <= STEPS; k++)
        for (int i = 0; i < LANES; i++) {
            t.g[k][i] = 100.0 + 10.0 * i + 0.1 * k;
            t.hack[k][i] = 0.0;
            t.zero[i] = 0.0, t.one[i] = 0.5, t.vix[i] = 40.0;
        }
    alvh_book_consts c = consts_of(&bp, &mp);
    alvh_book_state st;
    double *mem = alvh_test_book_state(&st, LANES);
    ALVH_TEST_FOR_EACH_ISA(isa) {
        run(&c, &t, 8, isa, &st); /* decided at 7, executed at 9 */
        for (int i = 0; i < LANES; i++) {
            double u0 = bp.farm.stake_frac * bp.capital_usd / t.g[0][i];
            assert_true(st.f_units[i] == u0 && st.i_n_dn[i] == 1.0);
        }
        run(&c, &t, 40, isa, &st);
        for (int i = 0; i < LANES; i++) {
            double u0 = bp.farm.stake_frac * bp.capital_usd / t.g[0][i], units = u0, cash = 0.0;
            for (int k = 9; k <= 23; k += 7) { /* 1 -> 0.75 -> 0.5 -> 0.25 */
                double sold = 0.25 * u0 * t.g[k][i];
                units -= 0.25 * u0;
                cash += sold - sold * (0.003 + 5e-4) - 10.0 * 4.0; /* gas 10 USD x (40/20)^2 */
            }
            assert_true(fabs(st.f_units[i] - units) <= 1e-12 * u0);
            assert_true(fabs(st.f_cash[i] - cash) <= 1e-9 * u0 * 100.0);
            assert_true(st.i_n_dn[i] == 3.0 && st.i_n_up[i] == 0.0 && st.i_scale[i] == 0.25);
        }
    }
    free(mem);
}

static void test_irr_exploit_cuts_then_recovers(void **state)
{
    (void)state;
    alvh_market_params mp = alvh_test_tiny_market();
    alvh_book_params bp = alvh_book_defaults();
    bp.farm.apr0 = 0.5;
    bp.farm.apr_decay_ann = 0.0;
    bp.irr.on = 1;
    bp.irr.timelock_days = 0;
    static tape t;
    for (int k = 0; k <= STEPS; k++)
        for (int i = 0; i < LANES; i++) {
            t.g[k][i] = 100.0;
            t.hack[k][i] = k == 3 && i > 0 ? 1.0 : 0.0; /* lane 0: no exploit */
            t.zero[i] = 0.0, t.one[i] = 0.5, t.vix[i] = 20.0;
        }
    alvh_book_consts c = consts_of(&bp, &mp);
    alvh_book_state st;
    double *mem = alvh_test_book_state(&st, LANES);
    ALVH_TEST_FOR_EACH_ISA(isa) {
        run(&c, &t, STEPS, isa, &st);
        if (isa == 0)
            printf("# exploit lane: %g cuts, %g scale-ups, IRR %.3f, scale %.2f\n", st.i_n_dn[1], st.i_n_up[1],
                   st.i_irr[1], st.i_scale[1]);
        assert_true(st.i_n_dn[0] == 0.0 && st.i_n_up[0] == 0.0 && st.i_scale[0] == 1.0);
        for (int i = 1; i < LANES; i++) {
            assert_true(st.i_n_dn[i] == 3.0);           /* 1 -> 0.25 while the exploit weighs on the IRR */
            assert_true(st.i_n_up[i] == 3.0);           /* ... and back once it has decayed */
            assert_true(st.i_scale[i] == 1.0 && st.i_irr[i] > 0.09);
        }
    }
    free(mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_irr_scales_down_to_the_floor),
        cmocka_unit_test(test_irr_exploit_cuts_then_recovers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
