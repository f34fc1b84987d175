/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The protocol's treasury (kernels/treasury.h) and the book's runway rule
 * (kernels/book_runway_impl.h):
 *   - the burn is paid from stables, then by selling tokens at the step's
 *     price; runway and quick ratio equal their formulas at every step;
 *   - the feedback's thinning: on a grid of uniforms the number of shocks is
 *     exactly the number below 1 - e^{-lambda s dt} at stress 1 and 1/2,
 *     none above the threshold; a shock adds a down-shock of the market's size;
 *   - in the engine: no treasury and a treasury without feedback give the same
 *     market paths bit for bit; with feedback the paths without a feedback
 *     shock are unchanged and the others are not; the results are the same
 *     for 1 and 2 threads and any block size; down-shocks rise;
 *   - the runway rule cuts the farm's stake a timelock after the runway falls
 *     below cut_years and restores it after it is back above restore_years,
 *     at the day's price less pool fee, MEV and gas, on every ISA.
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
#include "engine/market_sim.h"
#include "kernels/book_model.h"
#include "kernels/treasury.h"
#include "tests/book_tiny_market.h"

#define DT (1.0 / 252.0)

static alvh_market_params treasury_market(void)
{
    alvh_market_params p = alvh_test_tiny_market();
    p.token.lambda_gov_ann = 4.0, p.token.p_up = 0.25;
    p.token.mu_up = 0.2, p.token.d_up = 0.1, p.token.mu_dn = -0.25, p.token.d_dn = 0.15;
    p.treasury = (alvh_treasury_params){.stables_usd = 1e6, .token_usd = 2e6, .burn_usd_ann = 2.52e6,
                                        .token_haircut = 0.5, .threshold_years = 1.5, .fb_mult = 2.0};
    return p;
}

static alvh_treasury_state state_of(double *mem, size_t n)
{
    return (alvh_treasury_state){mem, mem + n, mem + 2 * n, mem + 3 * n, mem + 4 * n, mem + 5 * n};
}

static void test_burn_stables_then_tokens(void **state)
{
    (void)state;
    enum { N = 3, STEPS = 160 };
    alvh_market_params p = treasury_market();
    p.treasury.fb_mult = 0.0;
    alvh_treasury_consts c;
    alvh_treasury_consts_init(&c, &p, DT);
    assert_true(c.on && fabs(c.burn_dt - 1e4) < 1e-9 && fabs(c.tokens0 - 2e4) < 1e-9);
    double mem[6 * N], ln_g[N], ngov[N] = {0}, u[N] = {0.0, 0.0, 0.0};
    alvh_treasury_state s = state_of(mem, N);
    alvh_treasury_init(&c, N, &s, 100.0);
    assert_true(fabs(s.runway[0] - (1e6 + 0.5 * 2e6) / 2.52e6) < 1e-15 && fabs(s.quick[0] - 1e6 / 2.52e6) < 1e-15);
    const double g[N] = {100.0, 50.0, 10.0};
    for (int k = 1; k <= STEPS; k++) {
        for (int i = 0; i < N; i++)
            ln_g[i] = log(g[i]);
        alvh_treasury_step(&c, N, &s, u, u, ln_g, ngov);
        for (int i = 0; i < N; i++) {
            double st = fmax(1e6 - 1e4 * k, 0.0), tok = fmax(2e4 - 1e4 * fmax(k - 100, 0) / g[i], 0.0);
            double gi = exp(log(g[i]));
            assert_true(fabs(s.stables[i] - st) <= 1e-6);
            assert_true(fabs(s.tokens[i] - tok) <= 1e-9 * 2e4);
            assert_true(fabs(s.runway[i] - (st + 0.5 * tok * gi) / 2.52e6) <= 1e-12);
            assert_true(fabs(s.quick[i] - st / 2.52e6) <= 1e-12);
            assert_true(ngov[i] == 0.0 && s.n_fb[i] == 0.0);
        }
    }
    /* lane 2 at 10 USD: 20000 tokens pay 200000 USD, 20 steps of burn: empty at step 120 */
    assert_true(s.tokens[2] == 0.0 && s.runway[2] == 0.0 && s.runway_min[2] == 0.0);
    assert_true(s.tokens[0] > 0.0 && s.runway_min[0] == s.runway[0]);
}

/* With a market depth D the sales are swaps into a constant-product pool of
 * USD reserve D: the burn q = B dt costs q / (G (1 - q/D)) tokens and moves
 * ln G by 2 ln(1 - q/D), step after step; a treasury with too few tokens
 * sells what it has and raises less; depth 0 leaves the price alone. */
static void test_sales_move_the_price(void **state)
{
    (void)state;
    enum { N = 3, STEPS = 30 };
    alvh_market_params p = treasury_market();
    p.treasury.fb_mult = 0.0;
    p.treasury.stables_usd = 0.0;
    p.treasury.depth_usd = 5e5;
    alvh_treasury_consts c;
    alvh_treasury_consts_init(&c, &p, DT);
    const double q = 1e4, d = 5e5; /* burn per step, depth */
    double mem[6 * N], ln_g[N], ngov[N] = {0}, u[N] = {0.0, 0.0, 0.0};
    alvh_treasury_state s = state_of(mem, N);
    alvh_treasury_init(&c, N, &s, 100.0);
    const double g0[N] = {100.0, 50.0, 1.0};
    double g_want[N], tok_want[N];
    for (int i = 0; i < N; i++)
        ln_g[i] = log(g0[i]), g_want[i] = g0[i], tok_want[i] = 2e4;
    for (int k = 1; k <= STEPS; k++) {
        alvh_treasury_step(&c, N, &s, u, u, ln_g, ngov);
        for (int i = 0; i < N; i++) {
            /* x y = const with y = D: selling dx raises q = D dx / (D/g + dx) */
            double need = q, dx = need / (g_want[i] * (1.0 - need / d));
            if (dx > tok_want[i])
                dx = tok_want[i], need = d * dx * g_want[i] / (d + dx * g_want[i]);
            tok_want[i] -= dx;
            double x = d / g_want[i], y_after = d - need, x_after = x + dx;
            assert_true(fabs(x * d - x_after * y_after) <= 1e-9 * x * d); /* the invariant */
            g_want[i] *= (1.0 - need / d) * (1.0 - need / d);
            assert_true(fabs(exp(ln_g[i]) / g_want[i] - 1.0) <= 1e-12);
            assert_true(fabs(s.tokens[i] - tok_want[i]) <= 1e-9 * 2e4);
        }
    }
    /* at 1 USD the 20000 tokens are gone within two steps; the price then stays */
    assert_true(s.tokens[2] == 0.0 && s.tokens[0] > 0.0);
    assert_true(fabs(exp(ln_g[0]) / (100.0 * pow(1.0 - q / d, 2.0 * STEPS)) - 1.0) <= 1e-12);
    printf("# depth 500k USD, 10k USD sold a step: price 100 -> %.3f after %d steps (closed form %.3f)\n",
           exp(ln_g[0]), STEPS, 100.0 * pow(1.0 - q / d, 2.0 * STEPS));
    /* no depth: the price is not touched */
    p.treasury.depth_usd = 0.0;
    alvh_treasury_consts_init(&c, &p, DT);
    alvh_treasury_init(&c, N, &s, 100.0);
    for (int i = 0; i < N; i++)
        ln_g[i] = log(g0[i]);
    alvh_treasury_step(&c, N, &s, u, u, ln_g, ngov);
    for (int i = 0; i < N; i++)
        assert_true(ln_g[i] == log(g0[i]));
}

static void test_feedback_thinning(void **state)
{
    (void)state;
    enum { N = 20000 };
    alvh_market_params p = treasury_market();
    alvh_treasury_consts c;
    alvh_treasury_consts_init(&c, &p, DT);
    const double lam_dt = 4.0 * 0.75 * 2.0 * DT;
    assert_true(fabs(c.lam_dt - lam_dt) < 1e-15);
    static double mem[6 * N], ln_g[N], ngov[N], u[N], half[N];
    alvh_treasury_state s = state_of(mem, N);
    const double runways[3] = {0.0, 0.75, 1.5}, stress[3] = {1.0, 0.5, 0.0};
    for (int r = 0; r < 3; r++) {
        for (size_t i = 0; i < N; i++) {
            s.stables[i] = runways[r] * 2.52e6, s.tokens[i] = 0.0, s.n_fb[i] = 0.0;
            s.runway[i] = runways[r], s.runway_min[i] = INFINITY;
            u[i] = ((double)i + 0.5) / N, half[i] = 0.5, ln_g[i] = log(100.0), ngov[i] = 0.0;
        }
        alvh_treasury_step(&c, N, &s, u, half, ln_g, ngov);
        double pr = -expm1(-lam_dt * stress[r]), want = 0.0, got = 0.0;
        for (size_t i = 0; i < N; i++) {
            want += u[i] < pr;
            got += s.n_fb[i];
            assert_true(ngov[i] == s.n_fb[i]);
            /* the median size: the shock is mu_dn exactly */
            assert_true(s.n_fb[i] == 0.0 ? ln_g[i] == log(100.0) : fabs(ln_g[i] - (log(100.0) - 0.25)) < 1e-15);
        }
        printf("# stress %.1f: %g shocks of %d lanes (p = %.5f)\n", stress[r], got, N, pr);
        assert_true(got == want);
        assert_true(r == 2 ? got == 0.0 : got > 0.0);
    }
}

/* ---- in the engine ---- */

typedef struct {
    size_t n;
    double *ln_g, *ngov, *nfb, *rmin;
} obs_t;

static alvh_status on_step(void *ctx, int worker, const alvh_market_view *w)
{
    (void)worker;
    obs_t *o = ctx;
    for (size_t i = 0; i < w->n; i++)
        o->ngov[w->first_path + i] += w->events->n_gov_dn[i];
    return ALVH_OK;
}

static alvh_status on_end(void *ctx, int worker, const alvh_market_view *w)
{
    (void)worker;
    obs_t *o = ctx;
    for (size_t i = 0; i < w->n; i++) {
        size_t q = w->first_path + i;
        o->ln_g[q] = w->state->ln_g[i];
        o->nfb[q] = w->treasury ? w->treasury->n_fb[i] : -1.0;
        o->rmin[q] = w->treasury ? w->treasury->runway_min[i] : INFINITY;
    }
    return ALVH_OK;
}

static void sim(const alvh_market_params *p, size_t paths, int threads, size_t bs, obs_t *o)
{
    const alvh_kernel_ops *ops;
    alvh_error err = {0};
    assert_int_equal(alvh_dispatch_select(NULL, &ops, &err), ALVH_OK);
    alvh_market_sim_request rq = {.params = *p, .dt_years = DT, .n_steps = 252, .n_paths = paths,
                                  .block_size = bs, .seed = 17, .scenario = 1, .threads = threads};
    o->n = paths;
    memset(o->ngov, 0, paths * sizeof(double));
    alvh_market_observer ob = {.ctx = o, .step = on_step, .block_end = on_end};
    assert_int_equal(alvh_market_sim_run(&rq, ops, &ob, NULL, &err), ALVH_OK);
}

static obs_t *obs_new(size_t n)
{
    obs_t *o = malloc(sizeof *o);
    o->ln_g = malloc(n * sizeof(double)), o->ngov = malloc(n * sizeof(double));
    o->nfb = malloc(n * sizeof(double)), o->rmin = malloc(n * sizeof(double));
    return o;
}

static void obs_free(obs_t *o)
{
    free(o->ln_g), free(o->ngov), free(o->nfb), free(o->rmin), free(o);
}

static void test_engine_paths(void **state)
{
    (void)state;
    enum { PATHS = 3000 };
    alvh_market_params off = treasury_market();
    off.treasury.burn_usd_ann = 0.0;
    alvh_market_params quiet = treasury_market();
    quiet.treasury.fb_mult = 0.0;
    alvh_market_params fb = treasury_market(); /* runway 0.79 years at t = 0: stressed from the start */
    obs_t *a = obs_new(PATHS), *b = obs_new(PATHS), *c = obs_new(PATHS), *d = obs_new(PATHS);
    sim(&off, PATHS, 1, 256, a);
    sim(&quiet, PATHS, 1, 256, b);
    sim(&fb, PATHS, 1, 256, c);
    size_t n_hit = 0;
    double gov_a = 0.0, gov_c = 0.0, fb_c = 0.0;
    for (size_t i = 0; i < PATHS; i++) {
        assert_true(a->nfb[i] == -1.0 && b->nfb[i] == 0.0);
        assert_memory_equal(&a->ln_g[i], &b->ln_g[i], sizeof(double));
        assert_true(a->ngov[i] == b->ngov[i]);
        if (c->nfb[i] == 0.0) {
            assert_memory_equal(&a->ln_g[i], &c->ln_g[i], sizeof(double));
        } else {
            n_hit++;
            assert_true(a->ln_g[i] != c->ln_g[i]);
        }
        assert_true(c->ngov[i] == a->ngov[i] + c->nfb[i]);
        gov_a += a->ngov[i], gov_c += c->ngov[i], fb_c += c->nfb[i];
        assert_true(c->rmin[i] <= 2e6 / 2.52e6 + 1e-12); /* the runway at t = 0 */
    }
    printf("# down-shocks per path: %.3f without, %.3f with the feedback (%zu of %d paths hit)\n", gov_a / PATHS,
           gov_c / PATHS, n_hit, PATHS);
    /* the base rate is 3 a year; the feedback adds at least a third of it on every stressed path */
    assert_true(n_hit > PATHS / 2 && fb_c / PATHS > 1.0);
    /* threads and block sizes */
    const size_t bss[2] = {100, 1000};
    for (int k = 0; k < 2; k++) {
        sim(&fb, PATHS, 2, bss[k], d);
        assert_memory_equal(d->ln_g, c->ln_g, PATHS * sizeof(double));
        assert_memory_equal(d->nfb, c->nfb, PATHS * sizeof(double));
        assert_memory_equal(d->rmin, c->rmin, PATHS * sizeof(double));
    }
    obs_free(a), obs_free(b), obs_free(c), obs_free(d);
}

/* ---- the book's runway rule ---- */

enum { LANES = 5, STEPS = 30 };

static void test_runway_rule_cuts_and_restores(void **state)
{
    (void)state;
    alvh_market_params mp = treasury_market();
    alvh_book_params bp = alvh_book_defaults();
    bp.farm.apr0 = 0.0;
    bp.runway.on = 1;
    alvh_book_consts c;
    char msg[300];
    assert_int_equal(alvh_book_consts_init(&c, &bp, &mp, DT, msg, sizeof msg), 0);
    static double g[STEPS + 1][LANES], rw[STEPS + 1][LANES];
    double zero[LANES] = {0}, half[LANES], vix[LANES];
    for (int k = 0; k <= STEPS; k++)
        for (int i = 0; i < LANES; i++) {
            g[k][i] = 100.0 + 10.0 * i + 0.5 * k;
            /* lane 0 never below; the others below 1 year from step 5 to 14 */
            rw[k][i] = i > 0 && k >= 5 && k < 15 ? 0.5 : 2.0;
            half[i] = 0.5, vix[i] = 40.0;
        }
    const unsigned layers = 1u << ALVH_LAYER_FARM;
    alvh_book_state st;
    double *mem = alvh_test_book_state(&st, LANES);
    ALVH_TEST_FOR_EACH_ISA(isa) {
        for (int k = 0; k <= STEPS; k++) {
            alvh_book_market mk = {.spx = half, .v = half, .vix = vix, .g = g[k], .f = zero, .n_gov_dn = zero,
                                   .n_hack = zero, .n_tok_jump = zero, .u_book = half, .runway = rw[k]};
            if (k == 0)
                alvh_book_init(&c, layers, LANES, &st, &mk);
            alvh_kernel_ops_for((alvh_isa)isa)->book_step(&c, layers, (size_t)k, LANES, &st, &mk);
            for (int i = 0; i < LANES; i++) {
                double u0 = bp.farm.stake_frac * bp.capital_usd / g[0][i];
                int cut = i > 0 && k >= 7 && k < 17; /* decided at 5 and 15, executed 2 steps later */
                assert_true(fabs(st.f_units[i] - (cut ? 0.5 * u0 : u0)) <= 1e-12 * u0);
            }
        }
        for (int i = 0; i < LANES; i++) {
            double u0 = bp.farm.stake_frac * bp.capital_usd / g[0][i], cash = 0.0;
            if (i > 0) {
                const double gas = 10.0 * 4.0; /* 10 USD at VIX 20, x (40/20)^2 */
                double sold = 0.5 * u0 * g[7][i], bought = 0.5 * u0 * g[17][i];
                cash = sold - sold * (0.003 + 5e-4) - gas - bought - bought * (0.003 + 5e-4) - gas;
            }
            assert_true(fabs(st.f_cash[i] - cash) <= 1e-9 * u0 * 100.0);
            assert_true(st.r_n_cut[i] == (i > 0 ? 1.0 : 0.0) && st.r_scale[i] == 1.0);
        }
    }
    free(mem);
    /* without the scenario's treasury the rule is refused */
    mp.treasury.burn_usd_ann = 0.0;
    assert_int_equal(alvh_book_consts_init(&c, &bp, &mp, DT, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "book.runway.on"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burn_stables_then_tokens),
        cmocka_unit_test(test_sales_move_the_price),
        cmocka_unit_test(test_feedback_thinning),
        cmocka_unit_test(test_engine_paths),
        cmocka_unit_test(test_runway_rule_cuts_and_restores),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
