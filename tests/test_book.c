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
            t->gdn[k][i] = t->hack[k][i] = 0.0;
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
                              .n_gov_dn = t->gdn[k], .n_hack = t->hack[k]};
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
    assert_true(b.st.m_n_liq[0] == 0.0);
    assert_true(b.st.b_hf[0] >= 1.0);
    book_run_to(&b, isa_ops(alvh_isa_best()), layers, &t, want);
    double debt = debt0 * pow(gb, want), repay = 0.5 * debt, g = t.g[want][0];
    double want_b = debt0 * pow(gs, want) - (debt - repay) - repay * (1.0 + bp.borrow.liq_bonus);
    double want_units = units - repay * (1.0 + bp.borrow.liq_bonus) / g;
    printf("# liquidation at step %.0f (independent: HF < 1 first at %d), token %.2f, debt %.0f -> %.0f, "
           "borrow P&L %.2f (want %.2f), penalty %.2f\n",
           b.st.m_t_liq[0], want, g, debt, b.st.b_debt[0], pnl(&b, ALVH_LAYER_BORROW, 0), want_b,
           repay * bp.borrow.liq_bonus);
    assert_true(b.st.m_t_liq[0] == (double)want && b.st.m_n_liq[0] == 1.0);
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
        double spent = b.st.x_cost[i];
        printf("# spot VIX %4.0f forward %6.2f: regime %d, spent %.0f (want %.0f)\n", t.vix[0][i], fwd, regime, spent,
               budgets[regime] * bp.capital_usd);
        assert_true(fabs(spent - budgets[regime] * bp.capital_usd) < 1e-6);
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
    return p;
}

enum { V_FULL, V_NO_CONDOR, V_CONDOR, V_FARM, V_COUNT };

static void run_variants(const alvh_kernel_ops *ops, size_t paths, double *out)
{
    const unsigned all = (1u << ALVH_LAYER_COUNT) - 1;
    alvh_variant vars[V_COUNT] = {{"full", all},
                                  {"no_condor", all & ~BIT(ALVH_LAYER_CONDOR)},
                                  {"condor", BIT(ALVH_LAYER_CONDOR)},
                                  {"farm", BIT(ALVH_LAYER_FARM)}};
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
            assert_true(sum == OUT(v, i, ALVH_OUT_TOTAL));
            assert_true(isfinite(sum));
        }
        /* the condor interacts with nothing; the others do not touch it */
        assert_true(OUT(V_FULL, i, ALVH_LAYER_CONDOR) == OUT(V_CONDOR, i, ALVH_LAYER_CONDOR));
        for (int l = ALVH_LAYER_VIX; l < ALVH_LAYER_COUNT; l++)
            assert_true(OUT(V_FULL, i, l) == OUT(V_NO_CONDOR, i, l));
        liq += OUT(V_FULL, i, ALVH_OUT_N_LIQ);
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
        cmocka_unit_test(test_layers_sum_and_separate),
        cmocka_unit_test(test_vector_matches_scalar),
    };
    return cmocka_run_group_tests_name("book", tests, NULL, NULL);
}
