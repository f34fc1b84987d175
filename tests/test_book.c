/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hedge book on hand-built deterministic paths, one or more per layer,
 * checked against values computed here independently with the scalar pricing
 * API (kernels/bs.h, kernels/vix.h): a condor held to expiry on a flat path, a
 * stop-out on a falling path, a borrow liquidated when the health factor
 * crosses 1, exact funding accrual, the timelock delay, the VXTH budget table.
 * Then on simulated paths: layer P&Ls sum to the total, switching a layer off
 * leaves the layers it does not interact with unchanged bit for bit, and the
 * vector kernels agree with the scalar reference.
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

#include "engine/book_run.h"
#include "engine/dispatch.h"
#include "kernels/bs.h"
#include "kernels/isa.h"
#include "kernels/pcg64.h"
#include "kernels/vix.h"

enum { LANES = 16, MAX_STEPS = 300 };
#define DT (1.0 / 252.0)
#define BIT(l) (1u << (l))

static alvh_market_params market_params(void)
{
    alvh_market_params p = {0};
    p.spx = (alvh_spx_params){.s0 = 5000.0, .v0 = 0.04, .r_ann = 0.04, .q_ann = 0.013, .kappa = 2.0, .theta = 0.04,
                              .xi = 0.4, .rho = -0.7, .scheme = ALVH_SCHEME_QE};
    p.token = (alvh_token_params){.g0_usd = 100.0, .mu_ann = 0.04, .sigma0_ann = 1.0, .vix_ref = 20.0,
                                  .sigma_max_ann = 10.0, .hack_loss_frac = 0.5};
    p.funding = (alvh_funding_params){.f0_ann = 0.1, .kappa_f = 20.0, .fbar_ann = 0.11, .sigma_f_ann = 0.8};
    return p;
}

/* a deterministic market: per step and lane */
typedef struct {
    double spx[MAX_STEPS + 1][LANES], v[MAX_STEPS + 1][LANES], g[MAX_STEPS + 1][LANES], f[MAX_STEPS + 1][LANES];
    double gdn[MAX_STEPS + 1][LANES], hack[MAX_STEPS + 1][LANES], vix[MAX_STEPS + 1][LANES];
    double jump[MAX_STEPS + 1][LANES], u[MAX_STEPS + 1][LANES]; /* token jumps of the step, book uniform */
} tape_t;

static void tape_fill(tape_t *t, const alvh_market_params *mp, double spx0, double spx_step_ret, double g0,
                      double g_step_ret, double v, double f)
{
    alvh_vix_coeffs vc;
    alvh_vix_coeffs_init(&vc, &mp->spx);
    for (int k = 0; k <= MAX_STEPS; k++)
        for (int i = 0; i < LANES; i++) {
            t->spx[k][i] = spx0 * pow(1.0 + spx_step_ret, k);
            t->g[k][i] = g0 * pow(1.0 + g_step_ret, k);
            t->v[k][i] = v;
            t->f[k][i] = f;
            t->gdn[k][i] = t->hack[k][i] = t->jump[k][i] = 0.0;
            t->u[k][i] = 0.5;
            t->vix[k][i] = alvh_vix_from_var(&vc, v);
        }
}

typedef struct {
    alvh_book_state st;
    double *mem;
    alvh_book_consts c;
} book_t;

static void book_open(book_t *b, const alvh_book_params *bp, const alvh_market_params *mp)
{
    char msg[300];
    assert_int_equal(alvh_book_consts_init(&b->c, bp, mp, DT, msg, sizeof msg), 0);
    b->mem = aligned_alloc(64, alvh_book_state_rows() * LANES * sizeof(double));
    alvh_book_state_bind(&b->st, b->mem, LANES);
}

static alvh_book_market tape_at(const tape_t *t, int k)
{
    return (alvh_book_market){.spx = t->spx[k], .v = t->v[k], .vix = t->vix[k], .g = t->g[k], .f = t->f[k],
                              .n_gov_dn = t->gdn[k], .n_hack = t->hack[k], .n_tok_jump = t->jump[k],
                              .u_book = t->u[k]};
}

/* run steps 0..k on one ISA */
static void book_run_to(book_t *b, const alvh_kernel_ops *ops, unsigned layers, const tape_t *t, int k)
{
    alvh_book_market mk = tape_at(t, 0);
    alvh_book_init(&b->c, layers, LANES, &b->st, &mk);
    for (int s = 0; s <= k; s++) {
        mk = tape_at(t, s);
        ops->book_step(&b->c, layers, (size_t)s, LANES, &b->st, &mk);
    }
}

static double pnl(const book_t *b, int layer, int lane) { return b->st.m_pnl[(size_t)layer * LANES + lane]; }

static const alvh_kernel_ops *isa_ops(int isa) { return alvh_kernel_ops_for((alvh_isa)isa); }

/* condor credit per share, priced here with the scalar API */
static double condor_value_ref(const book_t *b, double s, double v, double t, double kps, double kpl, double kcs,
                               double kcl)
{
    const alvh_iv_model *m = &b->c.spx_iv;
    const alvh_iv_skew *sk = &b->c.p.condor.skew;
    double r = b->c.r_ann, q = b->c.q_ann;
    double pv = alvh_bs_price(s, kps, t, alvh_iv_from_state(m, sk, v, s, kps, t), r, q, 0, NULL) -
                alvh_bs_price(s, kpl, t, alvh_iv_from_state(m, sk, v, s, kpl, t), r, q, 0, NULL);
    double cv = alvh_bs_price(s, kcs, t, alvh_iv_from_state(m, sk, v, s, kcs, t), r, q, 1, NULL) -
                alvh_bs_price(s, kcl, t, alvh_iv_from_state(m, sk, v, s, kcl, t), r, q, 1, NULL);
    return pv + cv;
}

static void test_condor_flat_path_earns_credit(void **state)
{
    (void)state;
    alvh_market_params mp = market_params();
    alvh_book_params bp = alvh_book_defaults();
    bp.condor.profit_take = 1.0, bp.condor.stop_mult = 100.0, bp.condor.roll_dte_cal = 0.0;
    static tape_t t;
    tape_fill(&t, &mp, 5000.0, 0.0, 100.0, 0.0, 0.04, 0.1);
    for (int isa = 0; isa < ALVH_ISA_COUNT; isa++) {
        if (!alvh_isa_supported((alvh_isa)isa))
            continue;
        book_t b;
        book_open(&b, &bp, &mp);
        int life = (int)b.c.c_life_steps;
        book_run_to(&b, isa_ops(isa), BIT(ALVH_LAYER_CONDOR), &t, life);
        double kps = b.st.c_kps[0], kpl = b.st.c_kpl[0], kcs = b.st.c_kcs[0], kcl = b.st.c_kcl[0];
        /* strikes: on the grid, shorts near 16 delta, wings 50 points out */
        assert_true(fmod(kps, 5.0) == 0.0 && fmod(kcs, 5.0) == 0.0);
        assert_true(kps - kpl == 50.0 && kcl - kcs == 50.0);
        double te = 45.0 / 365.0, dput, dcall;
        alvh_bs_price(5000, kps, te, alvh_iv_from_state(&b.c.spx_iv, &bp.condor.skew, 0.04, 5000, kps, te), b.c.r_ann,
                      b.c.q_ann, 0, &dput);
        alvh_bs_price(5000, kcs, te, alvh_iv_from_state(&b.c.spx_iv, &bp.condor.skew, 0.04, 5000, kcs, te), b.c.r_ann,
                      b.c.q_ann, 1, &dcall);
        assert_true(fabs(dput + 0.16) < 0.01 && fabs(dcall - 0.16) < 0.01);
        double cr = condor_value_ref(&b, 5000, 0.04, te, kps, kpl, kcs, kcl) - 4 * bp.condor.slippage_pts;
        double n = bp.condor.max_loss_frac * bp.capital_usd / ((50.0 - cr) * 100.0);
        double want = cr * 100.0 * n - 4 * bp.condor.commission_usd * n;
        printf("# %s: strikes %.0f/%.0f/%.0f/%.0f (deltas %.3f, %.3f), credit %.4f pts x %.2f contracts, "
               "P&L at expiry %.2f (want %.2f)\n",
               alvh_isa_name((alvh_isa)isa), kpl, kps, kcs, kcl, dput, dcall, cr, n, pnl(&b, ALVH_LAYER_CONDOR, 0), want);
        assert_true(b.st.c_active[0] == 0.0);
        for (int i = 0; i < LANES; i++)
            assert_true(fabs(pnl(&b, ALVH_LAYER_CONDOR, i) - want) <= 1e-9 * fabs(want));
        assert_true(b.st.m_n_stop[0] == 0.0 && b.st.m_n_roll[0] == 0.0);
        free(b.mem);
    }
}

static void test_condor_time_roll_reenters(void **state)
{
    (void)state;
    alvh_market_params mp = market_params();
    alvh_book_params bp = alvh_book_defaults(); /* time roll at 21 calendar days left */
    bp.condor.profit_take = 1.0, bp.condor.stop_mult = 100.0;
    static tape_t t;
    tape_fill(&t, &mp, 5000.0, 0.0, 100.0, 0.0, 0.04, 0.1);
    book_t b;
    book_open(&b, &bp, &mp);
    const alvh_kernel_ops *ops = isa_ops(alvh_isa_best());
    /* the roll happens once fewer than roll_dte_cal / 365 / dt steps are left */
    int life = (int)b.c.c_life_steps, roll = -1;
    for (int k = 1; k < life && roll < 0; k++)
        if ((double)(life - k) <= b.c.c_roll_steps_left)
            roll = k;
    book_run_to(&b, ops, BIT(ALVH_LAYER_CONDOR), &t, roll);
    assert_true(b.st.c_active[0] == 0.0 && b.st.m_n_roll[0] == 1.0);
    book_run_to(&b, ops, BIT(ALVH_LAYER_CONDOR), &t, roll + 1);
    printf("# time roll at step %d (of a %d-step life), new condor at step %d expiring at step %.0f\n", roll, life,
           roll + 1, b.st.c_exp[0]);
    assert_true(b.st.c_active[0] == 1.0);
    assert_true(b.st.c_exp[0] == (double)(roll + 1 + life));
    free(b.mem);
}

static void test_condor_stop_on_falling_path(void **state)
{
    (void)state;
    alvh_market_params mp = market_params();
    alvh_book_params bp = alvh_book_defaults();
    bp.condor.profit_take = 1.0, bp.condor.roll_dte_cal = 0.0, bp.condor.stop_mult = 2.0;
    static tape_t t;
    tape_fill(&t, &mp, 5000.0, -0.006, 100.0, 0.0, 0.04, 0.1);
    book_t b;
    book_open(&b, &bp, &mp);
    const alvh_kernel_ops *ops = isa_ops(alvh_isa_best());
    book_run_to(&b, ops, BIT(ALVH_LAYER_CONDOR), &t, 0);
    double kps = b.st.c_kps[0], kpl = b.st.c_kpl[0], kcs = b.st.c_kcs[0], kcl = b.st.c_kcl[0];
    double cr = b.st.c_credit[0], n = b.st.c_n[0], cash0 = b.st.c_cash[0];
    int life = (int)b.c.c_life_steps, want = -1;
    double val_at = 0.0;
    for (int k = 1; k < life && want < 0; k++) {
        double val = condor_value_ref(&b, t.spx[k][0], 0.04, (life - k) * DT, kps, kpl, kcs, kcl);
        if (val >= 2.0 * cr)
            want = k, val_at = val;
    }
    assert_true(want > 0);
    book_run_to(&b, ops, BIT(ALVH_LAYER_CONDOR), &t, want);
    double close = (val_at + 4 * bp.condor.slippage_pts) * 100.0 * n + 4 * bp.condor.commission_usd * n;
    printf("# stop at step %.0f (independent: %d), SPX %.1f, short put %.0f, P&L %.2f (want %.2f)\n",
           b.st.m_t_stop[0], want, t.spx[want][0], kps, pnl(&b, ALVH_LAYER_CONDOR, 0), cash0 - close);
    assert_true(b.st.m_t_stop[0] == (double)want);
    assert_true(b.st.m_n_stop[0] == 1.0);
    assert_true(fabs(pnl(&b, ALVH_LAYER_CONDOR, 0) - (cash0 - close)) <= 1e-6 * close);
    free(b.mem);
}

static void test_borrow_liquidation(void **state)
{
    (void)state;
    alvh_market_params mp = market_params();
    alvh_book_params bp = alvh_book_defaults();
    bp.farm.apr0 = 0.0, bp.borrow.adl_hf = 0.0;
    static tape_t t;
    tape_fill(&t, &mp, 5000.0, 0.0, 100.0, -0.04, 0.04, 0.1);
    const unsigned layers = BIT(ALVH_LAYER_FARM) | BIT(ALVH_LAYER_BORROW);
    const double stake0 = bp.farm.stake_frac * bp.capital_usd, units = stake0 / 100.0;
    const double debt0 = bp.borrow.ltv_target * stake0, gb = 1.0 + bp.borrow.borrow_apr * DT,
                 gs = 1.0 + bp.borrow.stable_apr * DT;
    int want = -1;
    for (int k = 1; k < MAX_STEPS && want < 0; k++)
        if (units * t.g[k][0] * bp.borrow.liq_threshold / (debt0 * pow(gb, k)) < 1.0)
            want = k;
    assert_true(want > 0);
    book_t b;
    book_open(&b, &bp, &mp);
    book_run_to(&b, isa_ops(alvh_isa_best()), layers, &t, want - 1);
    assert_true(b.st.m_n_liq_b[0] == 0.0);
    assert_true(b.st.b_hf[0] >= 1.0);
    book_run_to(&b, isa_ops(alvh_isa_best()), layers, &t, want);
    double debt = debt0 * pow(gb, want), repay = 0.5 * debt, g = t.g[want][0];
    double want_b = debt0 * pow(gs, want) - (debt - repay) - repay * (1.0 + bp.borrow.liq_bonus);
    double want_units = units - repay * (1.0 + bp.borrow.liq_bonus) / g;
    printf("# liquidation at step %.0f (independent: HF < 1 first at %d), token %.2f, debt %.0f -> %.0f, "
           "borrow P&L %.2f (want %.2f), penalty %.2f\n",
           b.st.m_t_liq[0], want, g, debt, b.st.b_debt[0], pnl(&b, ALVH_LAYER_BORROW, 0), want_b,
           repay * bp.borrow.liq_bonus);
    assert_true(b.st.m_t_liq[0] == (double)want && b.st.m_n_liq_b[0] == 1.0);
    assert_true(fabs(b.st.b_debt[0] - (debt - repay)) <= 1e-9 * debt);
    assert_true(fabs(pnl(&b, ALVH_LAYER_BORROW, 0) - want_b) <= 1e-9 * debt);
    assert_true(fabs(b.st.f_units[0] - want_units) <= 1e-9 * units);
    /* the farm is made whole at market: its P&L is the unhedged stake's */
    assert_true(fabs(pnl(&b, ALVH_LAYER_FARM, 0) - (units * g - stake0)) <= 1e-6 * stake0);
    free(b.mem);
}

static void test_funding_accrues_exactly(void **state)
{
    (void)state;
    alvh_market_params mp = market_params();
    alvh_book_params bp = alvh_book_defaults();
    bp.farm.apr0 = 0.0, bp.perp.w_rsi = bp.perp.w_macd = bp.perp.w_funding = 0.0;
    static tape_t t;
    tape_fill(&t, &mp, 5000.0, 0.0, 100.0, 0.0, 0.04, 0.30);
    const int steps = 100;
    book_t b;
    book_open(&b, &bp, &mp);
    book_run_to(&b, isa_ops(alvh_isa_best()), BIT(ALVH_LAYER_FARM) | BIT(ALVH_LAYER_PERP), &t, steps);
    double short_units = bp.perp.h_base * bp.farm.stake_frac * bp.capital_usd / 100.0;
    double fee = bp.perp.fee_frac * short_units * 100.0;
    double want = short_units * 100.0 * 0.30 * DT * steps - fee;
    printf("# perp: %.0f tokens short, funding 30%%/yr for %d days: P&L %.4f (want %.4f)\n", short_units, steps,
           pnl(&b, ALVH_LAYER_PERP, 0), want);
    assert_true(fabs(pnl(&b, ALVH_LAYER_PERP, 0) - want) <= 1e-9 * fabs(want));
    free(b.mem);
}

/* first step at which the executed hedge ratio leaves h_base */
static int first_rebalance(double timelock)
{
    alvh_market_params mp = market_params();
    alvh_book_params bp = alvh_book_defaults();
    bp.farm.apr0 = 0.0, bp.perp.w_macd = bp.perp.w_funding = 0.0, bp.perp.w_rsi = 0.5, bp.perp.band = 0.01;
    bp.perp.leverage = 2.0, bp.perp.timelock_days = timelock;
    static tape_t t;
    tape_fill(&t, &mp, 5000.0, 0.0, 100.0, 0.0, 0.04, 0.11);
    for (int k = 10; k <= MAX_STEPS; k++)
        for (int i = 0; i < LANES; i++)
            t.g[k][i] = 130.0;
    book_t b;
    book_open(&b, &bp, &mp);
    const unsigned layers = BIT(ALVH_LAYER_FARM) | BIT(ALVH_LAYER_PERP);
    alvh_book_market mk = tape_at(&t, 0);
    alvh_book_init(&b.c, layers, LANES, &b.st, &mk);
    int first = -1;
    for (int s = 0; s <= 40 && first < 0; s++) {
        mk = tape_at(&t, s);
        isa_ops(alvh_isa_best())->book_step(&b.c, layers, (size_t)s, LANES, &b.st, &mk);
        if (s > 0 && b.st.p_h[0] != bp.perp.h_base)
            first = s;
    }
    free(b.mem);
    return first;
}

static void test_timelock_delays_rebalance(void **state)
{
    (void)state;
    int now = first_rebalance(0), later = first_rebalance(3);
    printf("# token +30%% at step 10: rebalanced at step %d without timelock, %d with a 3-step timelock\n", now,
           later);
    assert_int_equal(now, 10);
    assert_int_equal(later, 13);
}

static void test_vxth_budget_per_regime(void **state)
{
    (void)state;
    alvh_market_params mp = market_params();
    alvh_book_params bp = alvh_book_defaults();
    static tape_t t;
    tape_fill(&t, &mp, 5000.0, 0.0, 100.0, 0.0, 0.04, 0.1);
    alvh_vix_coeffs vc;
    alvh_vix_coeffs_init(&vc, &mp.spx);
    for (int i = 0; i < LANES; i++) {
        double spot_vix = 10.0 + 5.0 * i; /* 10 .. 85 */
        t.v[0][i] = alvh_vix_var_for_level(&vc, spot_vix);
        t.vix[0][i] = spot_vix;
    }
    book_t b;
    book_open(&b, &bp, &mp);
    book_run_to(&b, isa_ops(alvh_isa_best()), BIT(ALVH_LAYER_VIX), &t, 0);
    int hit[4] = {0};
    for (int i = 0; i < LANES; i++) {
        alvh_vix_future fut;
        alvh_vix_future_price(&vc, t.v[0][i], 30.0 / 365.0, &fut);
        double fwd = fut.e_vix;
        int regime = fwd <= 15 ? 0 : fwd <= 30 ? 1 : fwd <= 50 ? 2 : 3;
        const double budgets[4] = {bp.vix.budget_lo, bp.vix.budget_mid, bp.vix.budget_hi, bp.vix.budget_top};
        hit[regime]++;
        double spent = b.st.x_cost[i], base = bp.condor.max_loss_frac * bp.capital_usd;
        printf("# spot VIX %4.0f forward %6.2f: regime %d, spent %.0f (want %.0f: of the condor's max loss)\n",
               t.vix[0][i], fwd, regime, spent, budgets[regime] * base);
        assert_true(fabs(spent - budgets[regime] * base) < 1e-6);
        assert_true((b.st.x_n[i] > 0.0) == (budgets[regime] > 0.0));
    }
    for (int r = 0; r < 4; r++)
        assert_true(hit[r] > 0);
    free(b.mem);
}

/* ---- simulated paths through the engine ---- */

static alvh_market_params sim_market(void)
{
    alvh_market_params p = market_params();
    p.spx.lambda_ann = 0.59, p.spx.mu_j = -0.05, p.spx.delta_j = 0.07;
    p.token.gamma = 1.0, p.token.rho_sg = 0.25, p.token.beta_j = 2.0, p.token.delta_c = 0.1;
    p.token.lambda_gov_ann = 4.0, p.token.p_up = 0.3, p.token.mu_up = 0.3, p.token.d_up = 0.1;
    p.token.mu_dn = -0.25, p.token.d_dn = 0.15, p.token.lambda_hack_ann = 0.5, p.token.mu_hack = -0.3;
    p.token.d_hack = 0.1;
    p.funding.rho_gf = 0.3;
    p.eth = (alvh_eth_params){.e0_usd = 2000.0, .mu_ann = 0.04, .sigma0_ann = 0.7, .rho_es = 0.4};
    p.token.beta_eth = 0.8; /* the eth_puts layer of the full variant hedges this beta */
    return p;
}

enum { V_FULL, V_NO_CONDOR, V_CONDOR, V_FARM, V_COUNT };

static void run_variants(const alvh_kernel_ops *ops, size_t paths, double *out)
{
    const unsigned all = (1u << ALVH_LAYER_COUNT) - 1;
    alvh_variant vars[V_COUNT] = {{.name = "full", .layers = all},
                                  {.name = "no_condor", .layers = all & ~BIT(ALVH_LAYER_CONDOR)},
                                  {.name = "condor", .layers = BIT(ALVH_LAYER_CONDOR)},
                                  {.name = "farm", .layers = BIT(ALVH_LAYER_FARM)}};
    alvh_book_run_request rq = {
        .market = {.params = sim_market(), .dt_years = DT, .n_steps = 252, .n_paths = paths, .block_size = 256,
                   .seed = 7, .scenario = 0, .threads = 2},
        .book = alvh_book_defaults(), .variants = vars, .n_variants = V_COUNT, .outcomes = out,
    };
    alvh_error err = {0};
    alvh_status st = alvh_book_run(&rq, ops, NULL, &err);
    if (st != ALVH_OK)
        printf("# %s\n", err.msg);
    assert_int_equal(st, ALVH_OK);
}

#define OUT(v, i, k) out[((size_t)(v) * paths + (i)) * ALVH_OUT_COUNT + (k)]

static void test_layers_sum_and_separate(void **state)
{
    (void)state;
    const size_t paths = 2000;
    double *out = malloc(V_COUNT * paths * ALVH_OUT_COUNT * sizeof(double));
    run_variants(isa_ops(alvh_isa_best()), paths, out);
    double liq = 0, stops = 0, expl = 0, mean_full = 0, mean_farm = 0;
    for (size_t i = 0; i < paths; i++) {
        for (int v = 0; v < V_COUNT; v++) {
            double sum = 0.0;
            for (int l = 0; l < ALVH_LAYER_COUNT; l++)
                sum += OUT(v, i, l);
            sum += OUT(v, i, ALVH_OUT_CASH);
            assert_true(sum == OUT(v, i, ALVH_OUT_TOTAL));
            assert_true(isfinite(sum));
        }
        /* the condor interacts with nothing; the others do not touch it */
        assert_true(OUT(V_FULL, i, ALVH_LAYER_CONDOR) == OUT(V_CONDOR, i, ALVH_LAYER_CONDOR));
        for (int l = ALVH_LAYER_VIX; l < ALVH_LAYER_COUNT; l++)
            assert_true(OUT(V_FULL, i, l) == OUT(V_NO_CONDOR, i, l));
        liq += OUT(V_FULL, i, ALVH_OUT_N_LIQ_PERP) + OUT(V_FULL, i, ALVH_OUT_N_LIQ_BORROW);
        stops += OUT(V_FULL, i, ALVH_OUT_N_STOP);
        expl += OUT(V_FULL, i, ALVH_OUT_N_EXPLOIT);
        mean_full += OUT(V_FULL, i, ALVH_OUT_TOTAL) / paths;
        mean_farm += OUT(V_FARM, i, ALVH_OUT_TOTAL) / paths;
    }
    printf("# %zu paths: mean P&L full %.0f, farm only %.0f; per path: %.3f liquidations, %.3f stop-outs, "
           "%.3f exploits\n",
           paths, mean_full, mean_farm, liq / paths, stops / paths, expl / paths);
    assert_true(expl > 0 && stops > 0);
    free(out);
}

static void test_vector_matches_scalar(void **state)
{
    (void)state;
    const size_t paths = 1000;
    double *ref = malloc(V_COUNT * paths * ALVH_OUT_COUNT * sizeof(double));
    double *out = malloc(V_COUNT * paths * ALVH_OUT_COUNT * sizeof(double));
    run_variants(isa_ops(ALVH_ISA_SCALAR), paths, ref);
    for (int isa = 1; isa < ALVH_ISA_COUNT; isa++) {
        if (!alvh_isa_supported((alvh_isa)isa))
            continue;
        run_variants(isa_ops(isa), paths, out);
        size_t n = 0, off = 0;
        double worst = 0.0;
        for (size_t j = 0; j < V_COUNT * paths * ALVH_OUT_COUNT; j++) {
            if (isinf(ref[j]) && ref[j] == out[j])
                continue;
            double d = fabs(out[j] - ref[j]) / fmax(fabs(ref[j]), 1.0);
            worst = fmax(worst, d);
            off += d > 1e-6;
            n++;
        }
        printf("# %s vs scalar: %zu of %zu outcomes differ by more than 1e-6 (relative, or USD below 1), max %.2e\n",
               alvh_isa_name((alvh_isa)isa), off, n, worst);
        /* last-bit differences of exp/log/FMA may flip a threshold decision on a
         * rare path; the tolerance allows 1 in 1000 outcomes to differ */
        assert_true(off * 1000 <= n);
    }
    free(ref);
    free(out);
}

/* VXTH rolls without unhedged days: the call sold at the roll is replaced in
 * the same step with roll_at_expiry, at the next schedule without; with
 * budget_of_condor off the budget is a fraction of C again. */
static void test_vix_roll_at_expiry_and_base(void **state)
{
    (void)state;
    alvh_market_params mp = market_params();
    static tape_t t;
    tape_fill(&t, &mp, 5000.0, 0.0, 100.0, 0.0, 0.04, 0.1); /* VIX ~20: the middle regime */
    int sold_at = -1;
    for (int roll = 0; roll < 2; roll++) {
        alvh_book_params bp = alvh_book_defaults();
        bp.vix.roll_at_expiry = roll, bp.vix.budget_of_condor = roll;
        book_t b;
        book_open(&b, &bp, &mp);
        const int life = (int)b.c.x_life_steps, sell = life - (int)b.c.x_roll_steps;
        book_run_to(&b, isa_ops(alvh_isa_best()), BIT(ALVH_LAYER_VIX), &t, 0);
        double base = roll ? bp.condor.max_loss_frac * bp.capital_usd : bp.capital_usd;
        assert_true(fabs(b.st.x_cost[0] - bp.vix.budget_mid * base) < 1e-6);
        book_run_to(&b, isa_ops(alvh_isa_best()), BIT(ALVH_LAYER_VIX), &t, sell);
        printf("# roll_at_expiry %d: call sold at step %d (of a %d-step life), holding %.1f after it, next expiry %.0f\n",
               roll, sell, life, b.st.x_n[0], b.st.x_exp[0]);
        assert_true(b.st.m_n_roll[0] == 1.0);
        if (roll)
            assert_true(b.st.x_n[0] > 0.0 && b.st.x_exp[0] == (double)(sell + life));
        else
            assert_true(b.st.x_n[0] == 0.0);
        sold_at = sell;
        free(b.mem);
    }
    assert_true(sold_at > 0);
}

/* ---- venue mechanics on hand-built paths ---- */

/* farm + perp, signals off (a fixed hedge ratio), no funding, token 100 until
 * step k, then g_k from step k on */
static alvh_book_params perp_params(double leverage, int topup)
{
    alvh_book_params bp = alvh_book_defaults();
    bp.farm.apr0 = 0.0, bp.perp.w_rsi = bp.perp.w_macd = bp.perp.w_funding = 0.0;
    bp.perp.leverage = leverage, bp.perp.margin_topup = topup;
    return bp;
}

static void tape_step_to(tape_t *t, int k, double gk)
{
    for (int s = k; s <= MAX_STEPS; s++)
        for (int i = 0; i < LANES; i++)
            t->g[s][i] = gk;
}

/* liquidation price of a short opened at g0 with margin m per token: equity
 * m + g0 - y = maint y */
static double liq_price(double m_per_unit, double g0, double maint) { return (m_per_unit + g0) / (1.0 + maint); }

static void test_perp_intraday_crossing(void **state)
{
    (void)state;
    alvh_market_params mp = market_params(); /* token vol 1.0 (no VIX coupling) */
    alvh_book_params bp = perp_params(5.0, 0);
    const int k = 5;
    const double g0 = 100.0, gk = 113.0;
    static tape_t t;
    tape_fill(&t, &mp, 5000.0, 0.0, g0, 0.0, 0.04, 0.0);
    tape_step_to(&t, k, gk);
    const double pu = bp.perp.h_base * bp.farm.stake_frac * bp.capital_usd / g0;
    const double fee0 = bp.perp.fee_frac * pu * g0;
    const double y = liq_price(g0 / bp.perp.leverage, g0, bp.perp.maint_margin);
    /* the bridge probability that a diffusive path from g0 to gk touched y */
    const double p = exp(-2.0 * log(y / g0) * log(y / gk) / (1.0 * DT));
    assert_true(gk < y && p > 0.1 && p < 0.9);
    for (int i = 0; i < LANES; i++)
        t.u[k][i] = i < LANES / 2 ? 0.999 * p : fmin(1.001 * p, 0.999999);
    const double want_liq = pu * (g0 - y) - fee0 - bp.perp.liq_penalty * pu * y, want_open = pu * (g0 - gk) - fee0;
    const double reentry = (bp.perp.fee_frac + bp.perp.reentry_cost_frac) * pu * gk;
    for (int isa = 0; isa < ALVH_ISA_COUNT; isa++) {
        if (!alvh_isa_supported((alvh_isa)isa))
            continue;
        const unsigned layers = BIT(ALVH_LAYER_FARM) | BIT(ALVH_LAYER_PERP);
        book_t b;
        book_open(&b, &bp, &mp);
        book_run_to(&b, isa_ops(isa), layers, &t, k);
        printf("# %s: close %.1f inside the liquidation price %.4f, bridge P(cross) %.4f; perp P&L %.2f (want %.2f) "
               "liquidated, %.2f (want %.2f) not\n",
               alvh_isa_name((alvh_isa)isa), gk, y, p, pnl(&b, ALVH_LAYER_PERP, 0), want_liq,
               pnl(&b, ALVH_LAYER_PERP, LANES - 1), want_open);
        for (int i = 0; i < LANES; i++) {
            int liq = i < LANES / 2;
            assert_true(b.st.m_n_liq_p[i] == (liq ? 1.0 : 0.0));
            assert_true(b.st.m_t_liq[i] == (liq ? (double)k : -1.0));
            assert_true(fabs(pnl(&b, ALVH_LAYER_PERP, i) - (liq ? want_liq : want_open)) <= 1e-9 * pu * g0);
            /* flat during the cool-down step */
            assert_true(liq ? b.st.p_units[i] == 0.0 : b.st.p_units[i] == pu);
        }
        /* one step later the liquidated lanes re-enter and pay the re-entry cost */
        book_run_to(&b, isa_ops(isa), layers, &t, k + 1);
        for (int i = 0; i < LANES / 2; i++) {
            assert_true(fabs(b.st.p_units[i] - pu) <= 1e-9 * pu && b.st.p_reent[i] == 0.0);
            assert_true(fabs(pnl(&b, ALVH_LAYER_PERP, i) - (want_liq - reentry)) <= 1e-9 * pu * g0);
        }
        free(b.mem);
    }
}

static void test_perp_gap_settles_at_close(void **state)
{
    (void)state;
    alvh_market_params mp = market_params();
    alvh_book_params bp = perp_params(5.0, 0);
    const int k = 5;
    const double g0 = 100.0, gk = 130.0;
    static tape_t t;
    tape_fill(&t, &mp, 5000.0, 0.0, g0, 0.0, 0.04, 0.0);
    tape_step_to(&t, k, gk);
    for (int i = 0; i < LANES / 2; i++)
        t.jump[k][i] = 1.0; /* lanes 0..7 jumped through the liquidation price; 8..15 crossed it diffusively */
    const double pu = bp.perp.h_base * bp.farm.stake_frac * bp.capital_usd / g0, fee0 = bp.perp.fee_frac * pu * g0;
    const double y = liq_price(g0 / bp.perp.leverage, g0, bp.perp.maint_margin);
    const double want_gap = pu * (g0 - gk) - fee0 - bp.perp.liq_penalty * pu * gk;
    const double want_cross = pu * (g0 - y) - fee0 - bp.perp.liq_penalty * pu * y;
    book_t b;
    book_open(&b, &bp, &mp);
    book_run_to(&b, isa_ops(alvh_isa_best()), BIT(ALVH_LAYER_FARM) | BIT(ALVH_LAYER_PERP), &t, k);
    printf("# gap to %.0f through %.2f: perp P&L %.2f (want %.2f, beyond the margin %.0f); diffusive: %.2f (want %.2f)\n",
           gk, y, pnl(&b, ALVH_LAYER_PERP, 0), want_gap, pu * g0 / bp.perp.leverage, pnl(&b, ALVH_LAYER_PERP, LANES - 1),
           want_cross);
    for (int i = 0; i < LANES; i++) {
        assert_true(b.st.m_n_liq_p[i] == 1.0);
        double want = i < LANES / 2 ? want_gap : want_cross;
        assert_true(fabs(pnl(&b, ALVH_LAYER_PERP, i) - want) <= 1e-9 * pu * g0);
    }
    assert_true(-want_gap > pu * g0 / bp.perp.leverage); /* the gap loss exceeds the margin */
    free(b.mem);
}

static void test_perp_top_up_from_cash(void **state)
{
    (void)state;
    alvh_market_params mp = market_params();
    static tape_t t;
    tape_fill(&t, &mp, 5000.0, 0.0, 100.0, 0.02, 0.04, 0.0); /* token +2% a step */
    const unsigned layers = BIT(ALVH_LAYER_FARM) | BIT(ALVH_LAYER_PERP);
    book_t on, off;
    alvh_book_params bp = perp_params(2.0, 1);
    bp.perp.topup_trigger = 0.3, bp.perp.topup_target = 0.5;
    book_open(&on, &bp, &mp);
    alvh_book_params bq = perp_params(2.0, 0);
    book_open(&off, &bq, &mp);
    const double pu = bp.perp.h_base * bp.farm.stake_frac * bp.capital_usd / 100.0, m0 = pu * 100.0 / 2.0;
    /* equity / notional = (m0 + pu (100 - g)) / (pu g) first below 0.3 at step k */
    int k = -1;
    for (int s = 1; s < 40 && k < 0; s++)
        if ((m0 + pu * (100.0 - t.g[s][0])) / (pu * t.g[s][0]) < 0.3)
            k = s;
    book_run_to(&on, isa_ops(alvh_isa_best()), layers, &t, k - 1);
    assert_true(on.st.p_margin[0] == m0);
    book_run_to(&on, isa_ops(alvh_isa_best()), layers, &t, k);
    book_run_to(&off, isa_ops(alvh_isa_best()), layers, &t, k);
    double g = t.g[k][0], add = 0.5 * pu * g - (m0 + pu * (100.0 - g));
    printf("# top-up at step %d (token %.2f): %.2f from cash (want %.2f), cash balance %.2f vs %.2f without\n", k, g,
           on.st.p_margin[0] - m0, add, on.st.a_bal[0], off.st.a_bal[0]);
    assert_true(fabs(on.st.p_margin[0] - (m0 + add)) <= 1e-9 * m0);
    assert_true(fabs(on.st.m_margin_peak[0] - (m0 + add)) <= 1e-9 * m0);
    /* the top-up moves cash, not P&L: the perp's P&L is the same with or without it */
    assert_true(fabs(pnl(&on, ALVH_LAYER_PERP, 0) - pnl(&off, ALVH_LAYER_PERP, 0)) <= 1e-9 * m0);
    assert_true(fabs((off.st.a_bal[0] - on.st.a_bal[0]) - add) <= 1e-9 * m0);
    assert_true(on.st.m_n_liq_p[0] == 0.0 && off.st.m_n_liq_p[0] == 0.0);
    free(on.mem);
    free(off.mem);
}

/* farm + perp on one ISA over steps 0..steps of the tape, checking after
 * every step that the cash sent to the venue, net, is within the margin
 * budget; returns the most it sent (lane 0) */
static double budget_run(book_t *b, const alvh_book_params *bp, const alvh_market_params *mp, int isa,
                         const tape_t *t, int steps)
{
    const unsigned layers = BIT(ALVH_LAYER_FARM) | BIT(ALVH_LAYER_PERP);
    const double cap_usd = bp->perp.margin_budget_frac * bp->capital_usd;
    double sent = 0.0;
    book_open(b, bp, mp);
    alvh_book_market mk = tape_at(t, 0);
    alvh_book_init(&b->c, layers, LANES, &b->st, &mk);
    for (int k = 0; k <= steps; k++) {
        mk = tape_at(t, k);
        isa_ops(isa)->book_step(&b->c, layers, (size_t)k, LANES, &b->st, &mk);
        sent = fmax(sent, -b->st.p_cash[0]);
        assert_true(-b->st.p_cash[0] <= cap_usd * (1.0 + 1e-12));
    }
    return sent;
}

/* A rally of +2% a step (x52 over 200 steps) against a fixed half hedge with
 * top-ups: the cash sent to the venue, net, never exceeds the margin budget
 * (no gaps on this tape), so neither does the perp's loss; a smaller budget
 * never loses more; without a binding budget the loss is many times the
 * capital (the unbounded draw this rule exists to stop). Every ISA agrees
 * with the scalar path (to 1e-9 C: FMA contraction differs). */
static void test_perp_margin_budget(void **state)
{
    (void)state;
    alvh_market_params mp = market_params();
    static tape_t t;
    tape_fill(&t, &mp, 5000.0, 0.0, 100.0, 0.02, 0.04, 0.0);
    const double budgets[5] = {1e6, 2.0, 0.5, 0.2, 0.05};
    const int steps = 200;
    double prev = -INFINITY;
    for (int j = 0; j < 5; j++) {
        alvh_book_params bp = perp_params(1.0, 1);
        bp.perp.margin_budget_frac = budgets[j];
        const double cap_usd = budgets[j] * bp.capital_usd;
        double ref[LANES], worst_sent = 0.0;
        for (int isa = 0; isa < ALVH_ISA_COUNT; isa++) {
            if (!alvh_isa_supported((alvh_isa)isa))
                continue;
            book_t b;
            worst_sent = fmax(worst_sent, budget_run(&b, &bp, &mp, isa, &t, steps));
            for (int i = 0; i < LANES; i++) {
                if (isa == ALVH_ISA_SCALAR)
                    ref[i] = pnl(&b, ALVH_LAYER_PERP, i);
                assert_true(fabs(pnl(&b, ALVH_LAYER_PERP, i) - ref[i]) <= 1e-9 * bp.capital_usd);
            }
            free(b.mem);
        }
        printf("# margin budget %.2g C: perp P&L %.0f, most sent to the venue %.0f\n", budgets[j], ref[0], worst_sent);
        assert_true(ref[0] >= -cap_usd * (1.0 + 1e-12));
        assert_true(ref[0] >= prev - 1e-9 * bp.capital_usd);
        if (j == 0)
            assert_true(ref[0] < -5.0 * bp.capital_usd);
        prev = ref[0];
    }
    /* without top-ups (2x: liquidations, re-entries) only margin postings need cash: the same bound */
    for (int j = 1; j < 5; j++) {
        alvh_book_params bp = perp_params(2.0, 0);
        bp.perp.margin_budget_frac = budgets[j];
        book_t b;
        budget_run(&b, &bp, &mp, alvh_isa_best(), &t, steps);
        printf("# no top-ups, 2x, budget %.2g C: perp P&L %.0f, %.0f liquidations\n", budgets[j],
               pnl(&b, ALVH_LAYER_PERP, 0), b.st.m_n_liq_p[0]);
        assert_true(pnl(&b, ALVH_LAYER_PERP, 0) >= -budgets[j] * bp.capital_usd * (1.0 + 1e-12));
        free(b.mem);
    }
}

static void test_cash_accrues_exactly(void **state)
{
    (void)state;
    alvh_market_params mp = market_params();
    static tape_t t;
    tape_fill(&t, &mp, 5000.0, 0.0, 100.0, 0.001, 0.04, 0.1);
    const int steps = 252;
    for (int fixed = 0; fixed < 2; fixed++) {
        alvh_book_params bp = alvh_book_defaults(); /* farm restakes: no cash flows after t = 0 */
        bp.cash.market_rate = !fixed, bp.cash.rate_ann = 0.02;
        double r = fixed ? 0.02 : mp.spx.r_ann, cap = bp.capital_usd, stake0 = bp.farm.stake_frac * cap;
        book_t b;
        book_open(&b, &bp, &mp);
        book_run_to(&b, isa_ops(alvh_isa_best()), BIT(ALVH_LAYER_FARM), &t, steps);
        double grow = 1.0;
        for (int s = 0; s < steps; s++)
            grow *= 1.0 + r * DT;
        double want = (cap - stake0) * (grow - 1.0), out[ALVH_OUT_COUNT];
        alvh_book_outcome(&b.st, 0, out);
        printf("# cash at %.2f%%: interest %.6f over %d steps (want %.6f), excess over cash %.2f (want %.2f)\n",
               100 * r, out[ALVH_OUT_CASH], steps, want, out[ALVH_OUT_EXCESS], out[ALVH_OUT_TOTAL] - cap * (grow - 1.0));
        assert_true(fabs(out[ALVH_OUT_CASH] - want) <= 1e-12 * want);
        assert_true(fabs(out[ALVH_OUT_EXCESS] - (out[ALVH_OUT_TOTAL] - cap * (grow - 1.0))) <= 1e-9 * cap);
        assert_true(out[ALVH_OUT_TOTAL] == out[ALVH_LAYER_FARM] + out[ALVH_OUT_CASH]);
        free(b.mem);
    }
    /* premiums leave the cash account: with puts, balance = C - stake + premiums' flows + interest */
    alvh_book_params bp = alvh_book_defaults();
    book_t b;
    book_open(&b, &bp, &mp);
    book_run_to(&b, isa_ops(alvh_isa_best()), BIT(ALVH_LAYER_FARM) | BIT(ALVH_LAYER_PUTS), &t, 30);
    double want = bp.capital_usd * (1.0 - bp.farm.stake_frac) + b.st.u_cash[0] + b.st.f_cash[0] + b.st.a_carry[0];
    assert_true(b.st.u_cash[0] < 0.0);
    assert_true(fabs(b.st.a_bal[0] - want) <= 1e-9 * bp.capital_usd);
    free(b.mem);
}

/* farm + borrow on a flat token that falls to g_k at step k; returns the book
 * after step k (caller frees) */
static book_t borrow_drop(alvh_book_params bp, double hf_at_k, int k, tape_t *t, double *debt_k)
{
    alvh_market_params mp = market_params();
    bp.farm.apr0 = 0.0, bp.borrow.adl_hf = 0.0;
    const double stake0 = bp.farm.stake_frac * bp.capital_usd, units = stake0 / 100.0;
    *debt_k = bp.borrow.ltv_target * stake0 * pow(1.0 + bp.borrow.borrow_apr * DT, k);
    tape_fill(t, &mp, 5000.0, 0.0, 100.0, 0.0, 0.04, 0.1);
    tape_step_to(t, k, hf_at_k * *debt_k / (units * bp.borrow.liq_threshold));
    book_t b;
    book_open(&b, &bp, &mp);
    book_run_to(&b, isa_ops(alvh_isa_best()), BIT(ALVH_LAYER_FARM) | BIT(ALVH_LAYER_BORROW), t, k);
    return b;
}

static void test_aave_close_factor(void **state)
{
    (void)state;
    static tape_t t;
    const int k = 5;
    double debt;
    alvh_book_params bp = alvh_book_defaults();
    const double hfs[3] = {0.96, 0.95, 0.90}, repaid[3] = {0.5, 1.0, 1.0};
    for (int j = 0; j < 3; j++) {
        book_t b = borrow_drop(bp, hfs[j], k, &t, &debt);
        printf("# HF %.2f: debt %.0f -> %.0f (close factor %.0f%%)\n", hfs[j], debt, b.st.b_debt[0], 100 * repaid[j]);
        assert_true(b.st.m_n_liq_b[0] == 1.0);
        assert_true(fabs(b.st.b_debt[0] - (1.0 - repaid[j]) * debt) <= 1e-9 * debt);
        double units = bp.farm.stake_frac * bp.capital_usd / 100.0;
        assert_true(fabs(b.st.f_units[0] - (units - repaid[j] * debt * (1.0 + bp.borrow.liq_bonus) / t.g[k][0])) <=
                    1e-9 * units);
        assert_true(b.st.m_bad_debt[0] == 0.0);
        free(b.mem);
    }
    /* a small position (debt under $2000) is closed in full even above HF 0.95 */
    bp.capital_usd = 10000.0;
    book_t b = borrow_drop(bp, 0.99, k, &t, &debt);
    printf("# dust: debt %.2f USD at HF 0.99 -> %.2f\n", debt, b.st.b_debt[0]);
    assert_true(debt < bp.borrow.dust_usd && b.st.m_n_liq_b[0] == 1.0 && b.st.b_debt[0] == 0.0);
    free(b.mem);
}

static void test_bad_debt_written_off(void **state)
{
    (void)state;
    static tape_t t;
    const int k = 5;
    double debt;
    alvh_book_params bp = alvh_book_defaults();
    /* HF 0.3: the collateral covers less than the debt plus bonus */
    book_t b = borrow_drop(bp, 0.3, k, &t, &debt);
    double coll = bp.farm.stake_frac * bp.capital_usd / 100.0 * t.g[k][0];
    double want = debt - coll / (1.0 + bp.borrow.liq_bonus);
    printf("# HF 0.3: collateral %.0f seized for debt %.0f, written off %.2f (want %.2f)\n", coll, debt,
           b.st.m_bad_debt[0], want);
    assert_true(b.st.m_n_liq_b[0] == 1.0 && b.st.b_debt[0] == 0.0 && b.st.f_units[0] == 0.0);
    assert_true(fabs(b.st.m_bad_debt[0] - want) <= 1e-9 * debt);
    /* nothing left to liquidate: later steps neither liquidate nor write off again */
    book_run_to(&b, isa_ops(alvh_isa_best()), BIT(ALVH_LAYER_FARM) | BIT(ALVH_LAYER_BORROW), &t, k + 20);
    assert_true(b.st.m_n_liq_b[0] == 1.0 && fabs(b.st.m_bad_debt[0] - want) <= 1e-9 * debt);
    free(b.mem);

    /* an exploit that takes the whole stake: no liquidation without collateral, the debt is bad debt */
    alvh_market_params mp = market_params();
    mp.token.hack_loss_frac = 1.0;
    bp.farm.apr0 = 0.0, bp.borrow.adl_hf = 0.0;
    tape_fill(&t, &mp, 5000.0, 0.0, 100.0, 0.0, 0.04, 0.1);
    for (int i = 0; i < LANES; i++)
        t.hack[k][i] = 1.0;
    book_open(&b, &bp, &mp);
    book_run_to(&b, isa_ops(alvh_isa_best()), BIT(ALVH_LAYER_FARM) | BIT(ALVH_LAYER_BORROW), &t, k + 20);
    double d = bp.borrow.ltv_target * bp.farm.stake_frac * bp.capital_usd * pow(1.0 + bp.borrow.borrow_apr * DT, k);
    printf("# exploit takes the stake at step %d: %.0f liquidations, bad debt %.2f (want %.2f)\n", k,
           b.st.m_n_liq_b[0], b.st.m_bad_debt[0], d);
    assert_true(b.st.m_n_liq_b[0] == 0.0 && b.st.b_debt[0] == 0.0);
    assert_true(fabs(b.st.m_bad_debt[0] - d) <= 1e-9 * d);
    free(b.mem);
}

static void test_put_budget_never_exceeded(void **state)
{
    (void)state;
    alvh_market_params mp = market_params();
    mp.token.gamma = 1.0; /* token vol = VIX / 20: 0.5 .. 4.25 across the lanes */
    static tape_t t;
    tape_fill(&t, &mp, 5000.0, 0.0, 100.0, 0.0, 0.04, 0.1);
    for (int k = 0; k <= MAX_STEPS; k++)
        for (int i = 0; i < LANES; i++)
            t.vix[k][i] = 10.0 + 5.0 * i;
    alvh_book_params bp = alvh_book_defaults();
    bp.farm.apr0 = 0.0, bp.puts.budget_ann = 0.10, bp.puts.jump_var_ann = 0.0;
    const double units = bp.farm.stake_frac * bp.capital_usd / 100.0;
    book_t b;
    book_open(&b, &bp, &mp);
    const unsigned layers = BIT(ALVH_LAYER_FARM) | BIT(ALVH_LAYER_PUTS);
    const double cap = bp.puts.budget_ann * b.c.u_t_life * bp.puts.cover_frac * units * 100.0;
    int full = 0, deeper = 0, cut = 0;
    for (int roll = 0; roll < 4; roll++) {
        int s = roll * (int)b.c.u_every;
        double before[LANES];
        if (s > 0)
            book_run_to(&b, isa_ops(alvh_isa_best()), layers, &t, s - 1);
        for (int i = 0; i < LANES; i++)
            before[i] = s > 0 ? b.st.u_cash[i] : 0.0;
        /* decided at the roll, bought u_delay steps later (the timelock) */
        book_run_to(&b, isa_ops(alvh_isa_best()), layers, &t, s + (int)b.c.u_delay);
        for (int i = 0; i < LANES; i++) {
            double spent = before[i] - b.st.u_cash[i]; /* flat token: the expiring puts pay nothing */
            assert_true(spent > 0.0 && spent <= cap * (1.0 + 1e-12));
            full += b.st.u_n[i] == bp.puts.cover_frac * units && b.st.u_k[i] == 80.0;
            deeper += b.st.u_k[i] == 60.0;
            cut += b.st.u_n[i] < bp.puts.cover_frac * units;
        }
    }
    printf("# put budget %.0f per roll: over 4 rolls x %d lanes, %d full cover at 80, %d at the deeper strike 60, "
           "%d with the cover cut; never above the budget\n", cap, LANES, full, deeper, cut);
    assert_true(full > 0 && deeper > 0 && cut > 0);
    free(b.mem);
}

/* Timelocks of the other rebalancing layers: the puts decided at the roll
 * (strike from that day's price) are bought d steps later; an
 * auto-deleverage decided at t is repaid at t + d. */
static void test_timelocks_delay_puts_and_deleverage(void **state)
{
    (void)state;
    alvh_market_params mp = market_params();
    static tape_t t;
    tape_fill(&t, &mp, 5000.0, 0.0, 100.0, 0.0, 0.04, 0.1);
    alvh_book_params bp = alvh_book_defaults();
    bp.farm.apr0 = 0.0, bp.puts.budget_ann = 0.0, bp.puts.timelock_days = 2;
    book_t b;
    book_open(&b, &bp, &mp);
    const int roll = (int)b.c.u_every;
    tape_step_to(&t, roll + 1, 90.0); /* the token falls while the purchase waits */
    const unsigned layers = BIT(ALVH_LAYER_FARM) | BIT(ALVH_LAYER_PUTS);
    book_run_to(&b, isa_ops(alvh_isa_best()), layers, &t, roll + 1);
    assert_true(b.st.u_n[0] == 0.0); /* between the roll and its execution: no puts */
    book_run_to(&b, isa_ops(alvh_isa_best()), layers, &t, roll + 2);
    printf("# puts rolled at step %d, bought at step %d: strike %.1f (decided at 100), %.0f contracts\n", roll,
           roll + 2, b.st.u_k[0], b.st.u_n[0]);
    assert_true(b.st.u_k[0] == 100.0 * (1.0 - bp.puts.otm_frac) && b.st.u_n[0] > 0.0);
    free(b.mem);

    /* auto-deleverage: HF falls below adl_hf at step k; repaid at k + d */
    alvh_book_params bq = alvh_book_defaults();
    bq.farm.apr0 = 0.0, bq.borrow.timelock_days = 3;
    const double units = bq.farm.stake_frac * bq.capital_usd / 100.0, debt0 = bq.borrow.ltv_target * units * 100.0;
    const int k = 4;
    tape_fill(&t, &mp, 5000.0, 0.0, 100.0, 0.0, 0.04, 0.1);
    tape_step_to(&t, k, 1.1 * debt0 / (units * bq.borrow.liq_threshold)); /* HF 1.1 < adl_hf 1.2 */
    book_open(&b, &bq, &mp);
    const unsigned lb = BIT(ALVH_LAYER_FARM) | BIT(ALVH_LAYER_BORROW);
    book_run_to(&b, isa_ops(alvh_isa_best()), lb, &t, k + 2);
    double before = b.st.b_debt[0];
    assert_true(b.st.b_pat[0] == (double)(k + 3) && b.st.b_hf[0] < bq.borrow.adl_hf);
    book_run_to(&b, isa_ops(alvh_isa_best()), lb, &t, k + 3);
    printf("# deleverage decided at step %d (HF %.3f), debt %.0f until step %d, then %.0f (HF %.3f)\n", k,
           1.1 * debt0 / before, before, k + 3, b.st.b_debt[0], b.st.b_hf[0]);
    assert_true(b.st.b_debt[0] < 0.9 * before && b.st.b_pat[0] < 0.0);
    free(b.mem);
}

/* ---- properties on simulated paths ---- */

static void run_one(alvh_book_params bp, const alvh_variant *var, size_t paths, double *out)
{
    alvh_book_run_request rq = {
        .market = {.params = sim_market(), .dt_years = DT, .n_steps = 252, .n_paths = paths, .block_size = 256,
                   .seed = 11, .scenario = 0, .threads = 2},
        .book = bp, .variants = var, .n_variants = 1, .outcomes = out,
    };
    alvh_error err = {0};
    alvh_status st = alvh_book_run(&rq, isa_ops(alvh_isa_best()), NULL, &err);
    if (st != ALVH_OK)
        printf("# %s\n", err.msg);
    assert_int_equal(st, ALVH_OK);
}

/* Variants with the same layers besides the condor and VIX share one layer
 * state in the engine (alvh_book_state_share): every outcome of each must be
 * bit for bit the one it has when run alone. */
static void test_shared_layer_state_bit_identical(void **state)
{
    (void)state;
    const size_t paths = 1500;
    const unsigned hedged = BIT(ALVH_LAYER_FARM) | BIT(ALVH_LAYER_PERP) | BIT(ALVH_LAYER_PUTS) |
                            BIT(ALVH_LAYER_CALLS) | BIT(ALVH_LAYER_BORROW);
    const alvh_variant vars[4] = {{.name = "hedged", .layers = hedged},
                                  {.name = "full", .layers = hedged | BIT(ALVH_LAYER_CONDOR) | BIT(ALVH_LAYER_VIX)},
                                  {.name = "condor_only", .layers = BIT(ALVH_LAYER_CONDOR)},
                                  {.name = "hedged_vix", .layers = hedged | BIT(ALVH_LAYER_VIX)}};
    double *together = malloc(4 * paths * ALVH_OUT_COUNT * sizeof(double));
    double *alone = malloc(paths * ALVH_OUT_COUNT * sizeof(double));
    alvh_book_run_request rq = {
        .market = {.params = sim_market(), .dt_years = DT, .n_steps = 252, .n_paths = paths, .block_size = 256,
                   .seed = 11, .scenario = 0, .threads = 2},
        .book = alvh_book_defaults(), .variants = vars, .n_variants = 4, .outcomes = together,
    };
    alvh_error err = {0};
    assert_int_equal(alvh_book_run(&rq, isa_ops(alvh_isa_best()), NULL, &err), ALVH_OK);
    size_t differ = 0;
    for (int v = 0; v < 4; v++) {
        run_one(alvh_book_defaults(), &vars[v], paths, alone);
        for (size_t k = 0; k < paths * ALVH_OUT_COUNT; k++) {
            double a = alone[k], b = together[(size_t)v * paths * ALVH_OUT_COUNT + k];
            differ += memcmp(&a, &b, sizeof a) != 0;
        }
    }
    printf("# 4 variants (3 sharing the hedged layers' state) vs each alone: %zu of %zu outcomes differ\n", differ,
           4 * paths * ALVH_OUT_COUNT);
    assert_true(differ == 0);
    free(together);
    free(alone);
}

static void test_perp_pnl_not_rising_with_leverage(void **state)
{
    (void)state;
    const size_t paths = 4096;
    const double lev[4] = {1, 2, 3, 5};
    const alvh_variant var = {.name = "farm_perp", .layers = BIT(ALVH_LAYER_FARM) | BIT(ALVH_LAYER_PERP)};
    double *out[4];
    for (int j = 0; j < 4; j++) {
        alvh_book_params bp = perp_params(lev[j], 0);
        bp.perp.fee_frac = bp.perp.reentry_cost_frac = 0.0;
        out[j] = malloc(paths * ALVH_OUT_COUNT * sizeof(double));
        run_one(bp, &var, paths, out[j]);
    }
    for (int j = 1; j < 4; j++) {
        double s = 0, s2 = 0, liq = 0;
        for (size_t i = 0; i < paths; i++) {
            double d = out[j][i * ALVH_OUT_COUNT + ALVH_LAYER_PERP] - out[j - 1][i * ALVH_OUT_COUNT + ALVH_LAYER_PERP];
            s += d, s2 += d * d;
            liq += out[j][i * ALVH_OUT_COUNT + ALVH_OUT_N_LIQ_PERP];
        }
        double mean = s / paths, se = sqrt((s2 / paths - mean * mean) / (paths - 1));
        printf("# perp mean P&L %.0fx - %.0fx: %.0f (paired SE %.0f); %.2f liquidations a path at %.0fx\n", lev[j],
               lev[j - 1], mean, se, liq / paths, lev[j]);
        assert_true(mean <= 2.0 * se);
    }
    for (int j = 0; j < 4; j++)
        free(out[j]);
}

/* Random token paths (lognormal days, crashes, exploits that take the whole
 * stake), 64 tapes of 16 lanes: after every step, a borrow liquidation was
 * only counted where there was collateral, and no debt is left open once the
 * collateral is gone (it was written off as bad debt). */
static void test_no_borrow_liquidation_without_collateral(void **state)
{
    (void)state;
    alvh_market_params mp = market_params();
    mp.token.hack_loss_frac = 1.0;
    alvh_book_params bp = alvh_book_defaults();
    bp.farm.apr0 = 0.0, bp.borrow.ltv_target = 0.6, bp.borrow.adl_hf = 0.0;
    const unsigned layers = BIT(ALVH_LAYER_FARM) | BIT(ALVH_LAYER_BORROW);
    static tape_t t;
    size_t liq = 0, bad = 0, gone = 0;
    for (int rep = 0; rep < 64; rep++) {
        alvh_pcg64 rng;
        alvh_pcg64_for_path(&rng, 99, 0, (uint64_t)rep);
        tape_fill(&t, &mp, 5000.0, 0.0, 100.0, 0.0, 0.04, 0.1);
        for (int k = 1; k <= 252; k++)
            for (int i = 0; i < LANES; i++) {
                double u1 = alvh_pcg64_next_double(&rng), u2 = alvh_pcg64_next_double(&rng);
                double z = sqrt(-2.0 * log(1.0 - u1)) * cos(6.283185307179586 * u2), u = alvh_pcg64_next_double(&rng);
                t.g[k][i] = t.g[k - 1][i] * exp(0.08 * z - 0.0032) * (u < 0.02 ? 0.4 : 1.0);
                t.hack[k][i] = u > 0.995 ? 1.0 : 0.0;
            }
        book_t b;
        book_open(&b, &bp, &mp);
        alvh_book_market mk = tape_at(&t, 0);
        alvh_book_init(&b.c, layers, LANES, &b.st, &mk);
        for (int k = 0; k <= 252; k++) {
            double n0[LANES], coll0[LANES];
            for (int i = 0; i < LANES; i++) {
                n0[i] = b.st.m_n_liq_b[i];
                /* collateral the step can seize: none after an exploit of the whole stake */
                coll0[i] = t.hack[k][i] > 0.0 ? b.st.b_units[i] : b.st.f_units[i] + b.st.b_units[i];
            }
            mk = tape_at(&t, k);
            isa_ops(alvh_isa_best())->book_step(&b.c, layers, (size_t)k, LANES, &b.st, &mk);
            for (int i = 0; i < LANES; i++) {
                if (b.st.m_n_liq_b[i] > n0[i]) {
                    assert_true(coll0[i] > 0.0);
                    liq++;
                }
                if (b.st.f_units[i] + b.st.b_units[i] <= 0.0) {
                    assert_true(b.st.b_debt[i] == 0.0);
                    gone++;
                }
            }
        }
        for (int i = 0; i < LANES; i++)
            bad += b.st.m_bad_debt[i] > 0.0;
        free(b.mem);
    }
    printf("# 1024 random paths: %zu borrow liquidations, all with collateral; %zu path-steps without collateral, "
           "no debt open on any; %zu paths with bad debt\n", liq, gone, bad);
    assert_true(liq > 0 && gone > 0 && bad > 0);
}

static void test_validation(void **state)
{
    (void)state;
    alvh_market_params mp = market_params();
    alvh_book_params bp = alvh_book_defaults();
    alvh_book_consts c;
    char msg[300];
    bp.farm.stake_frac = 0.5;
    assert_int_equal(alvh_book_consts_init(&c, &bp, &mp, DT, msg, sizeof msg), -1);
    printf("# %s\n", msg);
    assert_non_null(strstr(msg, "farm.stake_frac"));
    assert_non_null(strstr(msg, "0.40"));
    bp = alvh_book_defaults();
    bp.condor.short_delta = 0.7;
    assert_int_equal(alvh_book_consts_init(&c, &bp, &mp, DT, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "condor.short_delta"));
    bp = alvh_book_defaults();
    assert_int_equal(alvh_book_consts_init(&c, &bp, &mp, DT, msg, sizeof msg), 0);
    assert_int_equal(alvh_book_check_layers(&c, BIT(ALVH_LAYER_PUTS), msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "'puts'"));
    c.p.farm.restake = 0;
    assert_int_equal(alvh_book_check_layers(&c, BIT(ALVH_LAYER_FARM) | BIT(ALVH_LAYER_CALLS), msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "restake"));
    bp = alvh_book_defaults();
    bp.lp.range_mult = 0.5; /* 0 (full range) or a ratio above 1 */
    assert_int_equal(alvh_book_consts_init(&c, &bp, &mp, DT, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "lp.range_mult"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_condor_flat_path_earns_credit),
        cmocka_unit_test(test_condor_time_roll_reenters),
        cmocka_unit_test(test_condor_stop_on_falling_path),
        cmocka_unit_test(test_borrow_liquidation),
        cmocka_unit_test(test_funding_accrues_exactly),
        cmocka_unit_test(test_timelock_delays_rebalance),
        cmocka_unit_test(test_vxth_budget_per_regime),
        cmocka_unit_test(test_vix_roll_at_expiry_and_base),
        cmocka_unit_test(test_perp_intraday_crossing),
        cmocka_unit_test(test_perp_gap_settles_at_close),
        cmocka_unit_test(test_perp_top_up_from_cash),
        cmocka_unit_test(test_perp_margin_budget),
        cmocka_unit_test(test_cash_accrues_exactly),
        cmocka_unit_test(test_aave_close_factor),
        cmocka_unit_test(test_bad_debt_written_off),
        cmocka_unit_test(test_put_budget_never_exceeded),
        cmocka_unit_test(test_timelocks_delay_puts_and_deleverage),
        cmocka_unit_test(test_shared_layer_state_bit_identical),
        cmocka_unit_test(test_perp_pnl_not_rising_with_leverage),
        cmocka_unit_test(test_no_borrow_liquidation_without_collateral),
        cmocka_unit_test(test_layers_sum_and_separate),
        cmocka_unit_test(test_vector_matches_scalar),
    };
    return cmocka_run_group_tests_name("book", tests, NULL, NULL);
}
