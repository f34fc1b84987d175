/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Condor adjustments (book.condor_signals, kernels/book_condor_signal_impl.h)
 * on hand-built SPX paths, on every ISA:
 *   - a steady rise (RSI(14) = 100 > 70) moves the short call up by
 *     rsi_shift_frac before the grid rounding, the put stays; a steady fall
 *     (RSI 0) moves the put down; a path with RSI 50 moves nothing;
 *   - on a flat SPX with a breadth normal of +2 (-2) every step the net
 *     advances are 2 Phi(sqrt(1 - rho^2) 2) - 1, the A-D line and the
 *     McClellan oscillator follow their closed forms, and the call (put) moves;
 *   - with macd_roll the time roll waits for the first MACD crossover in the
 *     roll window (recomputed here from the path), at the latest
 *     macd_wait_days steps into it; without it the roll stays at step 17;
 *   - on random paths with all three on, the vector kernels agree with the
 *     scalar one.
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

enum { LANES = 3, STEPS = 40 };
#define DT (1.0 / 252.0)

typedef struct {
    double spx[STEPS + 1][LANES], vix[STEPS + 1][LANES], zb[STEPS + 1][LANES];
} tape;

static void run(const alvh_book_consts *c, const tape *t, int last, int isa, alvh_book_state *st, double *n_roll_at)
{
    const unsigned layers = 1u << ALVH_LAYER_CONDOR;
    double var[LANES], zero[LANES] = {0}, half[LANES], g[LANES];
    for (int i = 0; i < LANES; i++)
        var[i] = 0.04, half[i] = 0.5, g[i] = 100.0;
    for (int k = 0; k <= last; k++) {
        alvh_book_market mk = {.spx = t->spx[k], .v = var, .vix = t->vix[k], .g = g, .f = zero, .n_gov_dn = zero,
                               .n_hack = zero, .n_tok_jump = zero, .u_book = half,
                               .z_breadth = c->q_breadth ? t->zb[k] : NULL};
        if (k == 0)
            alvh_book_init(c, layers, LANES, st, &mk);
        alvh_kernel_ops_for((alvh_isa)isa)->book_step(c, layers, (size_t)k, LANES, st, &mk);
        if (n_roll_at)
            for (int i = 0; i < LANES; i++)
                n_roll_at[k * LANES + i] = st->m_n_roll[i];
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

/* lane 0 rises 0.3% a day, lane 1 falls 0.3%, lane 2 alternates +-0.3% (RSI ~50); no entry before step 20 */
static void shift_tape(tape *t)
{
    for (int k = 0; k <= STEPS; k++)
        for (int i = 0; i < LANES; i++) {
            double r = i == 0 ? 0.003 : i == 1 ? -0.003 : (k % 2 ? 0.003 : -0.003);
            t->spx[k][i] = k == 0 ? 5000.0 : t->spx[k - 1][i] * (1.0 + r);
            t->vix[k][i] = k < 20 ? 40.0 : 20.0;
            t->zb[k][i] = 0.0;
        }
}

static void test_rsi_shifts_the_short_strikes(void **state)
{
    (void)state;
    static tape t;
    shift_tape(&t);
    alvh_book_params bp = alvh_book_defaults();
    alvh_book_consts base = consts_of(&bp);
    bp.condor_signals.rsi_shift_frac = 0.02;
    alvh_book_consts shifted = consts_of(&bp);
    alvh_book_state a, b;
    double *ma = alvh_test_book_state(&a, LANES), *mb = alvh_test_book_state(&b, LANES);
    const double grid = bp.condor.strike_grid_pts, w = bp.condor.wing_width_pts;
    ALVH_TEST_FOR_EACH_ISA(isa) {
        run(&base, &t, 20, isa, &a, NULL);
        run(&shifted, &t, 20, isa, &b, NULL);
        for (int i = 0; i < LANES; i++)
            assert_true(a.c_active[i] == 1.0 && b.c_active[i] == 1.0 && a.c_exp[i] == 20.0 + 31.0);
        double rsi0 = 100.0 * b.q_gain[0] / (b.q_gain[0] + b.q_loss[0]);
        double rsi1 = 100.0 * b.q_gain[1] / (b.q_gain[1] + b.q_loss[1]);
        double rsi2 = 100.0 * b.q_gain[2] / (b.q_gain[2] + b.q_loss[2]);
        if (isa == 0)
            printf("# RSI %.1f %.1f %.1f; calls %.0f -> %.0f, puts %.0f -> %.0f\n", rsi0, rsi1, rsi2, a.c_kcs[0],
                   b.c_kcs[0], a.c_kps[1], b.c_kps[1]);
        assert_true(rsi0 == 100.0 && rsi1 == 0.0 && rsi2 > 40.0 && rsi2 < 60.0);
        /* rising lane: the call moves up by 2% (within the two roundings), the put stays */
        assert_true(b.c_kcs[0] > a.c_kcs[0] && fabs(b.c_kcs[0] - 1.02 * a.c_kcs[0]) <= 1.02 * grid);
        assert_true(b.c_kps[0] == a.c_kps[0] && b.c_kcl[0] == b.c_kcs[0] + w);
        /* falling lane: the put moves down, the call stays */
        assert_true(b.c_kps[1] < a.c_kps[1] && fabs(b.c_kps[1] - 0.98 * a.c_kps[1]) <= grid);
        assert_true(b.c_kcs[1] == a.c_kcs[1] && b.c_kpl[1] == b.c_kps[1] - w);
        /* RSI near 50: nothing moves */
        assert_true(b.c_kps[2] == a.c_kps[2] && b.c_kcs[2] == a.c_kcs[2] && b.c_credit[2] == a.c_credit[2]);
    }
    free(ma);
    free(mb);
}

static void test_breadth_line_and_shift(void **state)
{
    (void)state;
    static tape t;
    shift_tape(&t);
    for (int k = 0; k <= STEPS; k++)
        for (int i = 0; i < LANES; i++) {
            t.spx[k][i] = 5000.0; /* flat: z = 0, RSI 50 */
            t.zb[k][i] = i == 0 ? 2.0 : i == 1 ? -2.0 : 0.0;
        }
    alvh_book_params bp = alvh_book_defaults();
    alvh_book_consts base = consts_of(&bp);
    bp.condor_signals.breadth_shift_frac = 0.02;
    alvh_book_consts br = consts_of(&bp);
    assert_true(br.q_breadth && br.q_on);
    alvh_book_state a, b;
    double *ma = alvh_test_book_state(&a, LANES), *mb = alvh_test_book_state(&b, LANES);
    const double rho = bp.condor_signals.breadth_rho, adv = erf(sqrt(1.0 - rho * rho) * 2.0 / sqrt(2.0));
    ALVH_TEST_FOR_EACH_ISA(isa) {
        run(&base, &t, 20, isa, &a, NULL);
        run(&br, &t, 20, isa, &b, NULL);
        /* constant net advances a from step 1: line 20 a, EMA_n = a (1 - (1 - w)^20) */
        double osc = adv * (pow(0.95, 20) - pow(0.9, 20));
        assert_true(fabs(b.q_adv[0] - 20.0 * adv) < 1e-9 && fabs(b.q_adv[1] + 20.0 * adv) < 1e-9 && b.q_adv[2] == 0.0);
        assert_true(fabs(b.q_b19[0] - b.q_b39[0] - osc) < 1e-9 && osc > bp.condor_signals.breadth_thr);
        assert_true(b.c_kcs[0] > a.c_kcs[0] && b.c_kps[0] == a.c_kps[0]);
        assert_true(b.c_kps[1] < a.c_kps[1] && b.c_kcs[1] == a.c_kcs[1]);
        assert_true(b.c_kps[2] == a.c_kps[2] && b.c_kcs[2] == a.c_kcs[2]);
    }
    free(ma);
    free(mb);
}

/* first step >= from at which MACD(12,26) crosses its signal(9) on lane i of t (-1: none up to last) */
static int first_cross(const tape *t, int i, int from, int last)
{
    double e12 = t->spx[0][i], e26 = e12, sg = 0.0;
    int up = 0;
    for (int k = 1; k <= last; k++) {
        double s = t->spx[k][i];
        e12 += (2.0 / 13.0) * (s - e12);
        e26 += (2.0 / 27.0) * (s - e26);
        sg += (2.0 / 10.0) * ((e12 - e26) - sg);
        int now = sg < e12 - e26;
        if (now != up && k >= from)
            return k;
        up = now;
    }
    return -1;
}

static void test_macd_times_the_roll(void **state)
{
    (void)state;
    static tape t;
    /* lane 0: a slow rise (no crossover); lanes 1, 2: a rise that turns down at steps 15 and 18 */
    for (int k = 0; k <= STEPS; k++)
        for (int i = 0; i < LANES; i++) {
            int turn = i == 1 ? 15 : 18;
            double r = i == 0 || k <= turn ? 0.0005 : -0.0008;
            t.spx[k][i] = k == 0 ? 5000.0 : t.spx[k - 1][i] * (1.0 + r);
            t.vix[k][i] = 20.0;
            t.zb[k][i] = 0.0;
        }
    alvh_book_params bp = alvh_book_defaults();
    bp.condor.profit_take = 1.0; /* no profit take, no stop: only the roll closes */
    bp.condor.stop_mult = 50.0;
    alvh_book_consts plain = consts_of(&bp);
    bp.condor_signals.macd_roll = 1;
    alvh_book_consts timed = consts_of(&bp);
    alvh_book_state st;
    double *mem = alvh_test_book_state(&st, LANES);
    static double rolls[(STEPS + 1) * LANES];
    int want[LANES];
    for (int i = 0; i < LANES; i++) {
        int x = first_cross(&t, i, 17, 22);
        want[i] = x < 0 ? 22 : x; /* the window opens at 17 (14 steps left), the limit 5 steps later */
    }
    printf("# time rolls at steps %d %d %d\n", want[0], want[1], want[2]);
    assert_true(want[0] == 22 && want[1] > 17 && want[1] < 22);
    ALVH_TEST_FOR_EACH_ISA(isa) {
        run(&plain, &t, 30, isa, &st, rolls);
        for (int i = 0; i < LANES; i++)
            assert_true(rolls[16 * LANES + i] == 0.0 && rolls[17 * LANES + i] == 1.0);
        run(&timed, &t, 30, isa, &st, rolls);
        for (int i = 0; i < LANES; i++) {
            assert_true(rolls[(want[i] - 1) * LANES + i] == 0.0 && rolls[want[i] * LANES + i] == 1.0);
            assert_true(st.c_active[i] == 1.0 && st.c_exp[i] == (double)want[i] + 1.0 + 31.0);
        }
    }
    free(mem);
}

/* Random SPX, VIX and breadth draws (13 lanes, a partial vector) with the three
 * adjustments on: the vector kernels agree with the scalar one. */
static void test_vector_matches_scalar(void **state)
{
    (void)state;
    enum { N = 13, K = 250 };
    alvh_book_params bp = alvh_book_defaults();
    bp.condor_signals.rsi_shift_frac = 0.01;
    bp.condor_signals.breadth_shift_frac = 0.01;
    bp.condor_signals.macd_roll = 1;
    alvh_book_consts c = consts_of(&bp);
    static double spx[K + 1][N], vix[K + 1][N], zb[K + 1][N], var[K + 1][N];
    uint64_t r = 987654321;
    for (int k = 0; k <= K; k++)
        for (int i = 0; i < N; i++) {
            double u[3];
            for (int j = 0; j < 3; j++) {
                r = r * 6364136223846793005ull + 1442695040888963407ull;
                u[j] = ((double)(r >> 11) + 0.5) * 0x1p-53;
            }
            spx[k][i] = k == 0 ? 5000.0 : spx[k - 1][i] * exp(0.03 * (u[0] - 0.5));
            vix[k][i] = k == 0 ? 18.0 : fmin(fmax(vix[k - 1][i] + 3.0 * (u[1] - 0.5), 10.0), 60.0);
            var[k][i] = vix[k][i] * vix[k][i] * 1e-4;
            zb[k][i] = 2.0 * (u[2] - 0.5) * 1.7;
        }
    double zero[N] = {0}, half[N], g[N], out[2][N * ALVH_OUT_COUNT];
    for (int i = 0; i < N; i++)
        half[i] = 0.5, g[i] = 100.0;
    alvh_book_state st;
    double *mem = alvh_test_book_state(&st, N);
    const unsigned layers = 1u << ALVH_LAYER_CONDOR;
    ALVH_TEST_FOR_EACH_ISA(isa) {
        for (int k = 0; k <= K; k++) {
            alvh_book_market mk = {.spx = spx[k], .v = var[k], .vix = vix[k], .g = g, .f = zero, .n_gov_dn = zero,
                                   .n_hack = zero, .n_tok_jump = zero, .u_book = half, .z_breadth = zb[k]};
            if (k == 0)
                alvh_book_init(&c, layers, N, &st, &mk);
            alvh_kernel_ops_for((alvh_isa)isa)->book_step(&c, layers, (size_t)k, N, &st, &mk);
        }
        double *o = out[isa == 0 ? 0 : 1];
        for (int i = 0; i < N; i++)
            alvh_book_outcome(&st, (size_t)i, o + i * ALVH_OUT_COUNT);
        if (isa == 0) {
            double rolls = 0.0;
            for (int i = 0; i < N; i++)
                rolls += st.m_n_roll[i];
            printf("# random paths: %g rolls, condor P&L of lane 0 %.0f USD\n", rolls, o[ALVH_LAYER_CONDOR]);
            assert_true(rolls > 0.0);
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
        cmocka_unit_test(test_rsi_shifts_the_short_strikes),
        cmocka_unit_test(test_breadth_line_and_shift),
        cmocka_unit_test(test_macd_times_the_roll),
        cmocka_unit_test(test_vector_matches_scalar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
