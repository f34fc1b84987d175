/* SPDX-License-Identifier: BSD-3-Clause */
/* Hedge-book constants, validation, state layout and initial state (scalar,
 * outside the hot loop). */
#include "kernels/book_model.h"
#include "kernels/amm.h"
#include "kernels/gas.h"
#include "kernels/kmsg.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *const alvh_layer_names[ALVH_LAYER_COUNT] = {"condor", "vix", "farm", "perp", "puts", "calls", "borrow", "lp", "cover", "eth_puts"};

const char *const alvh_book_out_names[ALVH_OUT_COUNT] = {
    "condor", "vix", "farm", "perp", "puts", "calls", "borrow", "lp", "cover", "eth_puts", "cash", "total", "max_drawdown",
    "min_health_factor", "n_liquidations_perp", "n_liquidations_borrow", "first_liquidation_step", "bad_debt",
    "n_exploits", "first_exploit_step", "n_stop_outs", "first_stop_out_step", "n_rolls", "excess_over_cash",
    "perp_margin_peak", "lp_onchain_costs", "n_lp_recentres",
    "n_cover_claims_paid", "n_cover_claims_denied", "n_irr_scale_downs", "n_irr_scale_ups", "n_gov_down_shocks",
    "likelihood_ratio", "n_runway_cuts", "treasury_runway_end_years", "treasury_runway_min_years",
    "treasury_quick_end", "n_treasury_feedback_shocks", "farm_onchain_costs", "borrow_onchain_costs",
    "puts_onchain_costs", "calls_onchain_costs",
};

#define fail alvh_kmsg

#define REQUIRE(cond, key, val, expect)                                                                   \
    do {                                                                                                  \
        if (!(cond))                                                                                      \
            return fail(msg, size, "book.%s: expected %s, got %g", key, expect, (double)(val));           \
    } while (0)

static size_t steps_of(double days) { return days < 1.0 ? 1 : (size_t)llround(days); }

int alvh_book_consts_init(alvh_book_consts *c, const alvh_book_params *p, const alvh_market_params *mk,
                          double dt, char *msg, size_t size)
{
    memset(c, 0, sizeof *c);
    c->p = *p;
    REQUIRE(dt > 0.0 && dt <= 1.0, "dt", dt, "a step in (0, 1] years");
    /* the farm cap first: its message names the rule (DESIGN.md section 5) */
    if (!(p->farm.stake_frac >= 0.0 && p->farm.stake_frac <= 0.40))
        return fail(msg, size, "book.farm.stake_frac: expected at most 0.40 of capital (the farm cap), got %g",
                    p->farm.stake_frac);
    if (alvh_book_check_ranges(p, msg, size) != 0)
        return -1;
    /* the rules between keys */
    const alvh_condor_params *cp = &p->condor;
    const alvh_vixhedge_params *xp = &p->vix;
    const alvh_farm_params *fp = &p->farm;
    const alvh_perp_params *pp = &p->perp;
    const alvh_puts_params *up = &p->puts;
    const alvh_borrow_params *bp = &p->borrow;
    REQUIRE(cp->roll_dte_cal < cp->entry_dte_cal, "condor.roll_dte_cal", cp->roll_dte_cal,
            "fewer days than entry_dte_cal");
    REQUIRE(xp->regime_lo <= xp->regime_mid && xp->regime_mid <= xp->regime_hi, "vix.regime_lo", xp->regime_lo,
            "regime_lo <= regime_mid <= regime_hi");
    REQUIRE(fp->gov_cut >= 0.0 && fp->gov_cut <= 1.0, "farm.gov_cut", fp->gov_cut, "a factor in [0, 1]");
    REQUIRE(pp->h_min <= pp->h_base && pp->h_base <= pp->h_max, "perp.h_base", pp->h_base,
            "h_min <= h_base <= h_max");
    REQUIRE(pp->maint_margin < 1.0 / pp->leverage, "perp.maint_margin", pp->maint_margin,
            "a fraction below 1/leverage");
    REQUIRE(!pp->margin_topup || (pp->topup_trigger > pp->maint_margin && pp->topup_trigger <= pp->topup_target),
            "perp.topup_trigger", pp->topup_trigger, "maint_margin < topup_trigger <= topup_target");
    REQUIRE(bp->ltv_target < bp->liq_threshold, "borrow.ltv_target", bp->ltv_target,
            "a fraction below liq_threshold");
    REQUIRE(bp->adl_hf == 0.0 || (bp->adl_hf > 1.0 && bp->adl_target_hf > bp->adl_hf), "borrow.adl_hf", bp->adl_hf,
            "0 (off) or > 1 with adl_target_hf > adl_hf");
    REQUIRE(p->lp.range_mult == 0.0 || p->lp.range_mult > 1.0, "lp.range_mult", p->lp.range_mult,
            "0 (full range) or a ratio > 1");

    c->dt = dt;
    c->r_ann = mk->spx.r_ann;
    c->a_rate_dt = (p->cash.market_rate ? mk->spx.r_ann : p->cash.rate_ann) * dt;
    c->q_ann = mk->spx.q_ann;
    alvh_iv_model_init(&c->spx_iv, &mk->spx);
    alvh_vix_coeffs_init(&c->vix, &mk->spx);
    if (alvh_token_diffusion_vol(mk, &c->g_sigma0, msg, size) != 0)
        return -1;
    c->g_inv_vix_ref2 = 1.0 / (mk->token.vix_ref * mk->token.vix_ref);
    c->g_half_gamma = 0.5 * mk->token.gamma;
    c->g_sigma_max = mk->token.sigma_max_ann;
    c->g_vol_mode = mk->token.gamma == 0.0 ? 0 : mk->token.gamma == 1.0 ? 1 : 2;
    c->f_bar = mk->funding.fbar_ann;
    c->hack_loss = mk->token.hack_loss_frac;

    c->c_t_entry = cp->entry_dte_cal / 365.0;
    c->c_life_steps = steps_of(c->c_t_entry / dt);
    c->c_roll_steps_left = cp->roll_dte_cal / 365.0 / dt;
    /* put delta -D: N(-d1) e^{-qT} = D, so d1 = -N^{-1}(D e^{qT}); call: d1 = N^{-1}(D e^{qT});
     * D e^{qT} >= 1 (unreachable) is refused by alvh_book_check_layers for a variant with a condor */
    double dq = cp->short_delta * exp(c->q_ann * c->c_t_entry);
    c->c_zp = alvh_norm_inv(dq);
    c->c_zc = alvh_norm_inv(dq);

    c->x_every = steps_of(xp->buy_every_days);
    c->x_t_life = xp->tenor_cal / 365.0;
    c->x_life_steps = steps_of(c->x_t_life / dt);
    c->x_roll_steps = (size_t)llround(xp->roll_days < 0.0 ? 0.0 : xp->roll_days);
    c->x_zd = alvh_norm_inv(xp->call_delta * exp(c->r_ann * c->x_t_life)); /* checked as the condor's */

    c->f_every = steps_of(fp->harvest_days);
    c->p_delay = (size_t)llround(pp->timelock_days);
    c->p_cool_steps = (double)llround(pp->cooldown_days);
    c->p_budget_usd = pp->margin_budget_frac * p->capital_usd;
    c->u_delay = (size_t)llround(up->timelock_days);
    c->k_delay = (size_t)llround(p->calls.timelock_days);
    c->x_delay = (size_t)llround(xp->timelock_days);
    c->b_delay = (size_t)llround(bp->timelock_days);
    c->u_every = steps_of(up->roll_days);
    c->u_t_life = (double)c->u_every * dt;
    c->k_every = c->f_every;
    c->k_t_life = (double)c->k_every * dt;
    c->l_inv_rs = p->lp.range_mult > 0.0 ? 1.0 / sqrt(p->lp.range_mult) : 0.0;
    c->l_fee_dt = p->lp.fee_apr_full * dt;
    c->l_wait = (double)steps_of(p->lp.recentre_days);
    c->has_eth = mk->eth.sigma0_ann > 0.0;
    c->e_ratio = c->has_eth ? mk->eth.sigma0_ann / c->g_sigma0 : 0.0;
    c->e_beta = mk->token.beta_eth;
    c->spx_mu_v = mk->spx.mu_v;
    c->g_yield_ann = mk->token.staking_yield_ann;
    c->g_jump_var_ann = alvh_token_jump_var_ann(mk);
    c->e_jump_var_ann = mk->spx.lambda_ann * mk->eth.beta_j * mk->eth.beta_j *
                        (mk->spx.mu_j * mk->spx.mu_j + mk->spx.delta_j * mk->spx.delta_j);
    c->e_every = steps_of(p->eth_puts.roll_days);
    c->e_t_life = (double)c->e_every * dt;
    c->i_alpha = 1.0 / (double)steps_of(p->irr.window_days);
    c->i_every = steps_of(p->irr.every_days);
    c->i_delay = (size_t)llround(p->irr.timelock_days);
    if (p->irr.on && c->i_delay >= c->i_every)
        return fail(msg, size, "book.irr.timelock_days: expected fewer steps than the decision period (%zu), got %g",
                    c->i_every, p->irr.timelock_days);
    c->r_delay = (double)llround(p->runway.timelock_days);
    if (p->runway.on && !(mk->treasury.burn_usd_ann > 0.0))
        return fail(msg, size, "book.runway.on: the runway signal needs the scenario's treasury "
                               "(treasury.burn_usd_ann > 0)");
    REQUIRE(p->runway.restore_years >= p->runway.cut_years, "runway.restore_years", p->runway.restore_years,
            "at least cut_years");
    const alvh_condor_signal_params *qp = &p->condor_signals;
    c->q_breadth = qp->breadth_shift_frac > 0.0;
    c->q_on = qp->rsi_shift_frac > 0.0 || c->q_breadth || qp->macd_roll;
    c->q_hard_left = c->c_roll_steps_left - (double)llround(qp->macd_wait_days);
    REQUIRE(qp->rsi_lo <= qp->rsi_hi, "condor_signals.rsi_lo", qp->rsi_lo, "at most rsi_hi");
    /* a roll's timelocked purchase must land before the next roll */
    if (c->u_delay >= c->u_every)
        return fail(msg, size, "book.puts.timelock_days: expected fewer steps than the roll period (%zu), got %g",
                    c->u_every, up->timelock_days);
    if (c->k_delay >= c->k_every)
        return fail(msg, size, "book.calls.timelock_days: expected fewer steps than the harvest period (%zu), got %g",
                    c->k_every, p->calls.timelock_days);
    return 0;
}

/* What a layer needs of the time grid and the market (rate, dividend yield):
 * checked only for the layers a variant holds. */
static int check_layer_grid(const alvh_book_consts *c, unsigned layers, char *msg, size_t size)
{
    const alvh_book_params *p = &c->p;
    if ((layers >> ALVH_LAYER_CONDOR & 1) && !(p->condor.short_delta * exp(c->q_ann * c->c_t_entry) < 1.0))
        return fail(msg, size, "book.condor.short_delta: %g is unreachable with dividend yield %g", p->condor.short_delta,
                    c->q_ann);
    if (!(layers >> ALVH_LAYER_VIX & 1))
        return 0;
    if (c->x_roll_steps >= c->x_life_steps)
        return fail(msg, size, "book.vix.roll_days: expected fewer steps than the option's life (%zu), got %g",
                    c->x_life_steps, p->vix.roll_days);
    if (!(p->vix.call_delta * exp(c->r_ann * c->x_t_life) < 1.0))
        return fail(msg, size, "book.vix.call_delta: %g is unreachable with rate %g", p->vix.call_delta, c->r_ann);
    return 0;
}

int alvh_book_check_layers(const alvh_book_consts *c, unsigned layers, char *msg, size_t size)
{
    const unsigned needs_farm = 1u << ALVH_LAYER_PERP | 1u << ALVH_LAYER_PUTS | 1u << ALVH_LAYER_CALLS |
                                1u << ALVH_LAYER_BORROW | 1u << ALVH_LAYER_COVER |
                                1u << ALVH_LAYER_ETH_PUTS;
    if (layers >> ALVH_LAYER_COUNT)
        return fail(msg, size, "unknown layer bits 0x%x", layers);
    if ((layers & needs_farm) && !(layers >> ALVH_LAYER_FARM & 1)) {
        for (int l = 0; l < ALVH_LAYER_COUNT; l++)
            if (layers & needs_farm & 1u << l)
                return fail(msg, size, "layer '%s' hedges or borrows against the farm's stake: add 'farm' to the variant",
                            alvh_layer_names[l]);
    }
    const unsigned q_marked = 1u << ALVH_LAYER_CONDOR | 1u << ALVH_LAYER_VIX | 1u << ALVH_LAYER_PUTS |
                              1u << ALVH_LAYER_CALLS | 1u << ALVH_LAYER_ETH_PUTS;
    if ((layers & q_marked) && c->spx_mu_v != 0.0) /* docs/pricing.md: the tables' model */
        return fail(msg, size,
                    "spx.mu_v = %g: the option layers are marked at the pricing model's prices, whose tables have no "
                    "variance jumps; set spx.mu_v to 0 or keep only the farm, perp, borrow, lp and cover layers",
                    c->spx_mu_v);
    if ((layers >> ALVH_LAYER_ETH_PUTS & 1) && !(c->has_eth && c->e_beta > 0.0))
        return fail(msg, size, "layer 'eth_puts' hedges the stake's ETH beta: needs the scenario's ETH factor "
                               "(eth.sigma0_ann > 0) and token.beta_eth > 0");
    if ((layers >> ALVH_LAYER_LP & 1) && c->p.lp.pair_eth && !c->has_eth)
        return fail(msg, size, "book.lp.pair_eth: a token/ETH pool needs the scenario's ETH factor (eth.sigma0_ann > 0)");
    if ((layers >> ALVH_LAYER_CALLS & 1) && !c->p.farm.restake)
        return fail(msg, size, "layer 'calls' writes on harvested rewards kept in the stake: needs farm.restake = true");
    return check_layer_grid(c, layers, msg, size);
}

/* the double* members of alvh_book_state in order, with their row counts */
#define BOOK_FIELDS(X)                                                                                     \
    X(c_active, 1) X(c_exp, 1) X(c_enter, 1) X(c_idx, 1) X(c_kps, 1) X(c_kpl, 1) X(c_kcs, 1) X(c_kcl, 1)    \
    X(c_n, 1) X(c_credit, 1) X(c_cash, 1) X(c_mark, 1) X(c_lk, 4) X(x_n, 1) X(x_k, 1) X(x_exp, 1) X(x_cost, 1)        \
    X(x_cash, 1) X(x_mark, 1) X(x_pk, 1) X(x_pspend, 1) X(x_pat, 1) X(f_units, 1) X(f_pending, 1)          \
    X(f_cash, 1) X(f_emis, 1) X(a_bal, 1) X(a_carry, 1) X(a_bench, 1) X(p_units, 1) X(p_margin, 1)         \
    X(p_pnl, 1) X(p_cash, 1) X(p_h, 1) X(p_h_dec, 1) X(p_pend, ALVH_PERP_MAX_DELAY) X(p_cool, 1)           \
    X(p_reent, 1) X(p_sig, 1) X(s_gain, 1) X(s_loss, 1) X(s_ema12, 1) X(s_ema26, 1) X(s_sig9, 1)           \
    X(s_prev_g, 1) X(u_n, 1) X(u_k, 1) X(u_cash, 1) X(u_mark, 1) X(u_pn, 1) X(u_pk, 1) X(u_pcap, 1)        \
    X(k_n, 1) X(k_k, 1) X(k_cash, 1) X(k_mark, 1) X(k_harv, 1) X(k_pn, 1) X(k_pk, 1) X(b_debt, 1)          \
    X(b_stable, 1) X(b_units, 1) X(b_cash, 1) X(b_hf, 1) X(b_pamt, 1) X(b_pat, 1) X(l_liq, 1) X(l_sqlo, 1) X(l_sqhi, 1) X(l_cash, 1) X(l_out, 1) \
    X(l_tok, 1) X(l_cost, 1) X(l_n_rc, 1) X(v_cash, 1) X(v_cov, 1) X(v_n_paid, 1) X(v_n_denied, 1) \
    X(e_n, 1) X(e_k, 1) X(e_cash, 1) X(i_irr, 1) X(i_scale, 1) X(i_pend, 1) X(i_n_dn, 1) X(i_n_up, 1) X(r_scale, 1) X(r_pend, 1) X(r_at, 1) X(r_n_cut, 1) X(f_cost, 1) X(b_cost, 1) X(u_cost, 1) X(k_cost, 1) X(q_gain, 1) X(q_loss, 1) X(q_e12, 1) X(q_e26, 1) X(q_sig9, 1) X(q_prev_s, 1) X(q_prev_v, 1) X(q_adv, 1) X(q_b19, 1) X(q_b39, 1) X(q_macd_up, 1) X(m_peak, 1) X(m_dd, 1)  \
    X(m_min_hf, 1) X(m_n_liq_p, 1) X(m_n_liq_b, 1) X(m_t_liq, 1) X(m_bad_debt, 1) X(m_n_exploit, 1)        \
    X(m_t_exploit, 1) X(m_n_stop, 1) X(m_t_stop, 1) X(m_n_roll, 1) X(m_equity, 1) X(m_margin_peak, 1)      \
    X(m_pnl, ALVH_LAYER_COUNT)

void alvh_book_state_share(alvh_book_state *follower, const alvh_book_state *leader)
{
    alvh_book_state own = *follower;
    *follower = *leader;
    follower->a_bal = own.a_bal, follower->a_carry = own.a_carry, follower->a_bench = own.a_bench;
    follower->m_peak = own.m_peak, follower->m_dd = own.m_dd, follower->m_equity = own.m_equity;
    follower->ext_pnl = own.ext_pnl, follower->ext_cash = own.ext_cash;
}

size_t alvh_book_state_rows(void)
{
    size_t rows = 0;
#define COUNT(name, r) rows += (r);
    BOOK_FIELDS(COUNT)
#undef COUNT
    return rows;
}

void alvh_book_state_bind(alvh_book_state *s, double *mem, size_t ld)
{
    s->ld = ld;
    s->ext_pnl = NULL;
    s->ext_cash = NULL;
#define BIND(name, r)                                                                                      \
    s->name = mem;                                                                                         \
    mem += (size_t)(r) * ld;
    BOOK_FIELDS(BIND)
#undef BIND
}

/* The lp deposit: deposit_frac x C leaves the cash account, half is swapped
 * into tokens (pool fee and MEV on it, lp_txs - 1 transactions: no
 * withdrawal) and the rest is minted on the range centred on G. */
static void lp_open(const alvh_book_consts *c, size_t n, const alvh_book_state *s, const alvh_book_market *mk)
{
    const alvh_book_params *p = &c->p;
    const double v0 = p->lp.deposit_frac * p->capital_usd, txs = fmax(p->gas.lp_txs - 1.0, 0.0);
    for (size_t i = 0; i < n; i++) {
        /* token/ETH: the pool is priced and minted in ETH (num = E), USD converted at E */
        double num = p->lp.pair_eth ? mk->eth[i] : 1.0;
        double sp = sqrt(mk->g[i] / num), tok, other;
        double cost = alvh_swap_cost_usd(&p->gas, p->lp.swap_fee_frac, 0.5 * v0) + txs * alvh_gas_tx_usd(&p->gas, mk->vix[i]);
        cost = fmin(cost, v0);
        alvh_amm_centred((v0 - cost) / num, sp, c->l_inv_rs, &s->l_liq[i], &s->l_sqlo[i], &s->l_sqhi[i]);
        alvh_amm_amounts(s->l_liq[i], sp, s->l_sqlo[i], s->l_sqhi[i], &tok, &other);
        s->l_tok[i] = tok;
        s->l_cash[i] = -v0;
        s->l_cost[i] = cost;
    }
}

void alvh_book_init(const alvh_book_consts *c, unsigned layers, size_t n, const alvh_book_state *s,
                    const alvh_book_market *mk)
{
    const alvh_book_params *p = &c->p;
    double stake0 = (layers >> ALVH_LAYER_FARM & 1) ? p->farm.stake_frac * p->capital_usd : 0.0;
#define ZERO(name, r) memset(s->name, 0, (size_t)(r) * s->ld * sizeof(double));
    BOOK_FIELDS(ZERO)
#undef ZERO
    for (size_t i = 0; i < n; i++) {
        double g0 = mk->g[i];
        s->c_exp[i] = -1.0;
        s->x_exp[i] = -1.0;
        s->x_pat[i] = s->b_pat[i] = -1.0;
        s->f_units[i] = stake0 / g0;
        s->f_emis[i] = 1.0;
        s->i_scale[i] = s->i_pend[i] = 1.0;
        s->r_scale[i] = s->r_pend[i] = 1.0;
        s->r_at[i] = -1.0;
        s->q_prev_s[i] = s->q_e12[i] = s->q_e26[i] = mk->spx[i];
        s->q_prev_v[i] = mk->v[i];
        s->i_irr[i] = p->farm.apr0;
        s->s_prev_g[i] = s->s_ema12[i] = s->s_ema26[i] = g0;
        s->p_h_dec[i] = p->perp.h_base;
        for (size_t d = 0; d < ALVH_PERP_MAX_DELAY; d++)
            s->p_pend[d * s->ld + i] = p->perp.h_base;
        if (layers >> ALVH_LAYER_BORROW & 1) {
            double debt = p->borrow.ltv_target * stake0;
            s->b_debt[i] = debt;
            if (p->borrow.redeploy)
                s->b_units[i] = debt / g0;
            else
                s->b_stable[i] = debt;
        }
        s->b_hf[i] = INFINITY;
        s->m_peak[i] = s->m_equity[i] = p->capital_usd;
        s->a_bal[i] = p->capital_usd; /* a_bench, a_carry: 0 */
        s->m_min_hf[i] = INFINITY;
        s->m_t_liq[i] = s->m_t_exploit[i] = s->m_t_stop[i] = -1.0;
    }
    if (layers >> ALVH_LAYER_LP & 1)
        lp_open(c, n, s, mk);
}

void alvh_book_outcome(const alvh_book_state *s, size_t i, double *out)
{
    double total = 0.0;
    for (int l = 0; l < ALVH_LAYER_COUNT; l++) {
        out[l] = s->m_pnl[(size_t)l * s->ld + i];
        total += out[l];
    }
    out[ALVH_OUT_CASH] = s->a_carry[i];
    total += out[ALVH_OUT_CASH];
    out[ALVH_OUT_TOTAL] = total;
    out[ALVH_OUT_MAX_DD] = s->m_dd[i];
    out[ALVH_OUT_MIN_HF] = s->m_min_hf[i];
    out[ALVH_OUT_N_LIQ_PERP] = s->m_n_liq_p[i];
    out[ALVH_OUT_N_LIQ_BORROW] = s->m_n_liq_b[i];
    out[ALVH_OUT_T_LIQ] = s->m_t_liq[i];
    out[ALVH_OUT_BAD_DEBT] = s->m_bad_debt[i];
    out[ALVH_OUT_N_EXPLOIT] = s->m_n_exploit[i];
    out[ALVH_OUT_T_EXPLOIT] = s->m_t_exploit[i];
    out[ALVH_OUT_N_STOP] = s->m_n_stop[i];
    out[ALVH_OUT_T_STOP] = s->m_t_stop[i];
    out[ALVH_OUT_N_ROLL] = s->m_n_roll[i];
    out[ALVH_OUT_EXCESS] = total - s->a_bench[i];
    out[ALVH_OUT_MARGIN_PEAK] = s->m_margin_peak[i];
    out[ALVH_OUT_LP_COSTS] = s->l_cost[i];
    out[ALVH_OUT_N_LP_RECENTRE] = s->l_n_rc[i];
    out[ALVH_OUT_N_CLAIM_PAID] = s->v_n_paid[i];
    out[ALVH_OUT_N_CLAIM_DENIED] = s->v_n_denied[i];
    out[ALVH_OUT_N_IRR_DOWN] = s->i_n_dn[i];
    out[ALVH_OUT_N_IRR_UP] = s->i_n_up[i];
    /* market facts the book state does not hold: the engine fills them */
    out[ALVH_OUT_N_GOV_DN] = 0.0;
    out[ALVH_OUT_LR] = 1.0;
    out[ALVH_OUT_N_RUNWAY_CUT] = s->r_n_cut[i];
    out[ALVH_OUT_RUNWAY_END] = out[ALVH_OUT_RUNWAY_MIN] = out[ALVH_OUT_QUICK_END] = INFINITY;
    out[ALVH_OUT_N_TREASURY_FB] = 0.0;
    out[ALVH_OUT_FARM_COSTS] = s->f_cost[i];
    out[ALVH_OUT_BORROW_COSTS] = s->b_cost[i];
    out[ALVH_OUT_PUTS_COSTS] = s->u_cost[i];
    out[ALVH_OUT_CALLS_COSTS] = s->k_cost[i];
}
