/* Hedge-book constants, validation, state layout and initial state (scalar,
 * outside the hot loop). */
#include "kernels/book_model.h"
#include "kernels/kmsg.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *const alvh_layer_names[ALVH_LAYER_COUNT] = {"condor", "vix", "farm", "perp", "puts", "calls", "borrow"};

const char *const alvh_book_out_names[ALVH_OUT_COUNT] = {
    "condor", "vix", "farm", "perp", "puts", "calls", "borrow", "total", "max_drawdown", "min_health_factor",
    "n_liquidations", "first_liquidation_step", "n_exploits", "first_exploit_step", "n_stop_outs",
    "first_stop_out_step", "n_rolls",
};

alvh_book_params alvh_book_defaults(void)
{
    return (alvh_book_params){
        .capital_usd = 10e6,
        /* 45 DTE, 16-delta shorts, managed at 21 DTE, 50% profit take, stop at 2x credit (docs/sources.md) */
        .condor = {.entry_dte_cal = 45, .short_delta = 0.16, .wing_width_pts = 50, .strike_grid_pts = 5,
                   .max_loss_frac = 0.05, .profit_take = 0.5, .stop_mult = 2.0, .roll_dte_cal = 21, .vix_max = 30,
                   .commission_usd = 1.0, .slippage_pts = 0.10,
                   .skew = {.skew_slope = -0.3, .skew_curv = 0.4, .sigma_floor = 0.05, .sigma_cap = 2.0}},
        /* Cboe VXTH: 30-delta one-month calls, 0% / 1% / 0.5% / 0% by forward VIX 15 / 30 / 50 */
        .vix = {.buy_every_days = 21, .tenor_cal = 30, .call_delta = 0.30, .regime_lo = 15, .regime_mid = 30,
                .regime_hi = 50, .budget_lo = 0.0, .budget_mid = 0.01, .budget_hi = 0.005, .budget_top = 0.0,
                .monetize_vix = 40, .monetize_mult = 5, .roll_days = 5, .slippage_frac = 0.05},
        /* CRV-like emissions: falling ~15.9% a year, e^{-0.173} = 0.841 */
        .farm = {.stake_frac = 0.30, .apr0 = 0.20, .apr_decay_ann = 0.173, .harvest_days = 7, .restake = 1,
                 .gov_cut = 0.5},
        .perp = {.h_base = 0.5, .h_min = 0.0, .h_max = 1.0, .w_rsi = 0.3, .w_macd = 0.1, .w_funding = 0.5,
                 .band = 0.05, .timelock_days = 2, .leverage = 3, .maint_margin = 0.05, .liq_penalty = 0.01,
                 .fee_frac = 0.0005},
        .puts = {.cover_frac = 0.5, .otm_frac = 0.2, .roll_days = 21, .jump_var_ann = 0.2, .slippage_frac = 0.05},
        .calls = {.otm_frac = 0.3, .cover_frac = 1.0, .slippage_frac = 0.05},
        /* Aave v3 UNI: LTV 65%, liquidation threshold 77%, bonus 10%; close factor 50% */
        .borrow = {.ltv_target = 0.40, .liq_threshold = 0.77, .liq_bonus = 0.10, .close_factor = 0.5,
                   .borrow_apr = 0.05, .stable_apr = 0.04, .redeploy = 0, .adl_hf = 1.2, .adl_target_hf = 1.5},
    };
}

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
    REQUIRE(p->capital_usd > 0.0 && isfinite(p->capital_usd), "capital_usd", p->capital_usd, "a positive amount");

    const alvh_condor_params *cp = &p->condor;
    REQUIRE(cp->entry_dte_cal > 0.0 && cp->entry_dte_cal <= 365.0, "condor.entry_dte_cal", cp->entry_dte_cal, "days in (0, 365]");
    REQUIRE(cp->roll_dte_cal >= 0.0 && cp->roll_dte_cal < cp->entry_dte_cal, "condor.roll_dte_cal", cp->roll_dte_cal,
            "days in [0, entry_dte_cal)");
    REQUIRE(cp->short_delta > 0.0 && cp->short_delta < 0.5, "condor.short_delta", cp->short_delta, "a delta in (0, 0.5)");
    REQUIRE(cp->wing_width_pts > 0.0, "condor.wing_width_pts", cp->wing_width_pts, "index points > 0");
    REQUIRE(cp->strike_grid_pts > 0.0, "condor.strike_grid_pts", cp->strike_grid_pts, "index points > 0");
    REQUIRE(cp->max_loss_frac >= 0.0 && cp->max_loss_frac <= 1.0, "condor.max_loss_frac", cp->max_loss_frac, "a fraction in [0, 1]");
    REQUIRE(cp->profit_take > 0.0 && cp->profit_take <= 1.0, "condor.profit_take", cp->profit_take, "a fraction in (0, 1]");
    REQUIRE(cp->stop_mult > 1.0, "condor.stop_mult", cp->stop_mult, "a multiple of the credit > 1");
    REQUIRE(cp->vix_max > 0.0, "condor.vix_max", cp->vix_max, "VIX points > 0");
    REQUIRE(cp->commission_usd >= 0.0, "condor.commission_usd", cp->commission_usd, "USD >= 0");
    REQUIRE(cp->slippage_pts >= 0.0, "condor.slippage_pts", cp->slippage_pts, "index points >= 0");
    REQUIRE(cp->skew.sigma_floor >= 0.0, "condor.skew.sigma_floor", cp->skew.sigma_floor, "a vol >= 0");
    REQUIRE(cp->skew.sigma_cap > 0.0, "condor.skew.sigma_cap", cp->skew.sigma_cap, "a vol > 0");

    const alvh_vixhedge_params *xp = &p->vix;
    REQUIRE(xp->buy_every_days >= 1.0, "vix.buy_every_days", xp->buy_every_days, "steps >= 1");
    REQUIRE(xp->tenor_cal > 0.0 && xp->tenor_cal <= 365.0, "vix.tenor_cal", xp->tenor_cal, "days in (0, 365]");
    REQUIRE(xp->call_delta > 0.0 && xp->call_delta < 1.0, "vix.call_delta", xp->call_delta, "a delta in (0, 1)");
    REQUIRE(xp->regime_lo > 0.0 && xp->regime_lo <= xp->regime_mid && xp->regime_mid <= xp->regime_hi, "vix.regime_lo",
            xp->regime_lo, "0 < regime_lo <= regime_mid <= regime_hi");
    REQUIRE(xp->budget_lo >= 0.0 && xp->budget_lo <= 0.1, "vix.budget_lo", xp->budget_lo, "a fraction of capital in [0, 0.1]");
    REQUIRE(xp->budget_mid >= 0.0 && xp->budget_mid <= 0.1, "vix.budget_mid", xp->budget_mid, "a fraction of capital in [0, 0.1]");
    REQUIRE(xp->budget_hi >= 0.0 && xp->budget_hi <= 0.1, "vix.budget_hi", xp->budget_hi, "a fraction of capital in [0, 0.1]");
    REQUIRE(xp->budget_top >= 0.0 && xp->budget_top <= 0.1, "vix.budget_top", xp->budget_top, "a fraction of capital in [0, 0.1]");
    REQUIRE(xp->monetize_vix > 0.0, "vix.monetize_vix", xp->monetize_vix, "VIX points > 0");
    REQUIRE(xp->monetize_mult > 1.0, "vix.monetize_mult", xp->monetize_mult, "a multiple > 1");
    REQUIRE(xp->slippage_frac >= 0.0 && xp->slippage_frac < 1.0, "vix.slippage_frac", xp->slippage_frac, "a fraction in [0, 1)");

    const alvh_farm_params *fp = &p->farm;
    if (!(fp->stake_frac >= 0.0 && fp->stake_frac <= 0.40))
        return fail(msg, size, "book.farm.stake_frac: expected at most 0.40 of capital (the farm cap), got %g",
                    fp->stake_frac);
    REQUIRE(fp->apr0 >= 0.0 && fp->apr0 <= 10.0, "farm.apr0", fp->apr0, "an APR in [0, 10]");
    REQUIRE(fp->apr_decay_ann >= 0.0, "farm.apr_decay_ann", fp->apr_decay_ann, "a decay rate >= 0 per year");
    REQUIRE(fp->harvest_days >= 1.0, "farm.harvest_days", fp->harvest_days, "steps >= 1");
    REQUIRE(fp->gov_cut >= 0.0 && fp->gov_cut <= 1.0, "farm.gov_cut", fp->gov_cut, "a factor in [0, 1]");

    const alvh_perp_params *pp = &p->perp;
    REQUIRE(pp->h_min >= 0.0 && pp->h_min <= pp->h_base && pp->h_base <= pp->h_max && pp->h_max <= 3.0, "perp.h_base",
            pp->h_base, "0 <= h_min <= h_base <= h_max <= 3");
    REQUIRE(pp->band >= 0.0, "perp.band", pp->band, "a ratio >= 0");
    REQUIRE(pp->timelock_days >= 0.0 && pp->timelock_days <= ALVH_PERP_MAX_DELAY, "perp.timelock_days", pp->timelock_days,
            "steps in [0, 16]");
    REQUIRE(pp->leverage >= 1.0 && pp->leverage <= 100.0, "perp.leverage", pp->leverage, "a leverage in [1, 100]");
    REQUIRE(pp->maint_margin > 0.0 && pp->maint_margin < 1.0 / pp->leverage, "perp.maint_margin", pp->maint_margin,
            "a fraction in (0, 1/leverage)");
    REQUIRE(pp->liq_penalty >= 0.0 && pp->liq_penalty <= 1.0, "perp.liq_penalty", pp->liq_penalty, "a fraction in [0, 1]");
    REQUIRE(pp->fee_frac >= 0.0 && pp->fee_frac <= 0.05, "perp.fee_frac", pp->fee_frac, "a fraction in [0, 0.05]");

    const alvh_puts_params *up = &p->puts;
    REQUIRE(up->cover_frac >= 0.0 && up->cover_frac <= 1.0, "puts.cover_frac", up->cover_frac, "a fraction in [0, 1]");
    REQUIRE(up->otm_frac >= 0.0 && up->otm_frac < 1.0, "puts.otm_frac", up->otm_frac, "a fraction in [0, 1)");
    REQUIRE(up->roll_days >= 1.0, "puts.roll_days", up->roll_days, "steps >= 1");
    REQUIRE(up->jump_var_ann >= 0.0, "puts.jump_var_ann", up->jump_var_ann, "a variance >= 0");
    REQUIRE(up->slippage_frac >= 0.0 && up->slippage_frac < 1.0, "puts.slippage_frac", up->slippage_frac, "a fraction in [0, 1)");

    const alvh_calls_params *kp = &p->calls;
    REQUIRE(kp->otm_frac >= 0.0, "calls.otm_frac", kp->otm_frac, "a fraction >= 0");
    REQUIRE(kp->cover_frac >= 0.0 && kp->cover_frac <= 1.0, "calls.cover_frac", kp->cover_frac, "a fraction in [0, 1]");
    REQUIRE(kp->slippage_frac >= 0.0 && kp->slippage_frac < 1.0, "calls.slippage_frac", kp->slippage_frac, "a fraction in [0, 1)");

    const alvh_borrow_params *bp = &p->borrow;
    REQUIRE(bp->liq_threshold > 0.0 && bp->liq_threshold <= 1.0, "borrow.liq_threshold", bp->liq_threshold, "a fraction in (0, 1]");
    REQUIRE(bp->ltv_target >= 0.0 && bp->ltv_target < bp->liq_threshold, "borrow.ltv_target", bp->ltv_target,
            "a fraction in [0, liq_threshold)");
    REQUIRE(bp->liq_bonus >= 0.0 && bp->liq_bonus <= 0.5, "borrow.liq_bonus", bp->liq_bonus, "a fraction in [0, 0.5]");
    REQUIRE(bp->close_factor > 0.0 && bp->close_factor <= 1.0, "borrow.close_factor", bp->close_factor, "a fraction in (0, 1]");
    REQUIRE(bp->borrow_apr >= 0.0 && bp->borrow_apr <= 5.0, "borrow.borrow_apr", bp->borrow_apr, "an APR in [0, 5]");
    REQUIRE(bp->stable_apr >= 0.0 && bp->stable_apr <= 5.0, "borrow.stable_apr", bp->stable_apr, "an APR in [0, 5]");
    REQUIRE(bp->adl_hf == 0.0 || (bp->adl_hf > 1.0 && bp->adl_target_hf > bp->adl_hf), "borrow.adl_hf", bp->adl_hf,
            "0 (off) or > 1 with adl_target_hf > adl_hf");

    c->dt = dt;
    c->r_ann = mk->spx.r_ann;
    c->q_ann = mk->spx.q_ann;
    alvh_iv_model_init(&c->spx_iv, &mk->spx);
    alvh_vix_coeffs_init(&c->vix, &mk->spx);
    c->g_sigma0 = mk->token.sigma0_ann;
    c->g_inv_vix_ref2 = 1.0 / (mk->token.vix_ref * mk->token.vix_ref);
    c->g_half_gamma = 0.5 * mk->token.gamma;
    c->g_sigma_max = mk->token.sigma_max_ann;
    c->g_vol_mode = mk->token.gamma == 0.0 ? 0 : mk->token.gamma == 1.0 ? 1 : 2;
    c->f_bar = mk->funding.fbar_ann;
    c->hack_loss = mk->token.hack_loss_frac;

    c->c_t_entry = cp->entry_dte_cal / 365.0;
    c->c_life_steps = steps_of(c->c_t_entry / dt);
    c->c_roll_steps_left = cp->roll_dte_cal / 365.0 / dt;
    double dq = cp->short_delta * exp(c->q_ann * c->c_t_entry);
    if (!(dq < 1.0))
        return fail(msg, size, "book.condor.short_delta: %g is unreachable with dividend yield %g", cp->short_delta, c->q_ann);
    /* put delta -D: N(-d1) e^{-qT} = D, so d1 = -N^{-1}(D e^{qT}); call: d1 = N^{-1}(D e^{qT}) */
    c->c_zp = alvh_norm_inv(dq);
    c->c_zc = alvh_norm_inv(dq);

    c->x_every = steps_of(xp->buy_every_days);
    c->x_t_life = xp->tenor_cal / 365.0;
    c->x_life_steps = steps_of(c->x_t_life / dt);
    c->x_roll_steps = (size_t)llround(xp->roll_days < 0.0 ? 0.0 : xp->roll_days);
    if (c->x_roll_steps >= c->x_life_steps)
        return fail(msg, size, "book.vix.roll_days: expected fewer steps than the option's life (%zu), got %g",
                    c->x_life_steps, xp->roll_days);
    double dr = xp->call_delta * exp(c->r_ann * c->x_t_life);
    if (!(dr < 1.0))
        return fail(msg, size, "book.vix.call_delta: %g is unreachable with rate %g", xp->call_delta, c->r_ann);
    c->x_zd = alvh_norm_inv(dr);

    c->f_every = steps_of(fp->harvest_days);
    c->p_delay = (size_t)llround(pp->timelock_days);
    c->u_every = steps_of(up->roll_days);
    c->u_t_life = (double)c->u_every * dt;
    c->k_every = c->f_every;
    c->k_t_life = (double)c->k_every * dt;
    return 0;
}

int alvh_book_check_layers(const alvh_book_consts *c, unsigned layers, char *msg, size_t size)
{
    const unsigned needs_farm = 1u << ALVH_LAYER_PERP | 1u << ALVH_LAYER_PUTS | 1u << ALVH_LAYER_CALLS |
                                1u << ALVH_LAYER_BORROW;
    if (layers >> ALVH_LAYER_COUNT)
        return fail(msg, size, "unknown layer bits 0x%x", layers);
    if ((layers & needs_farm) && !(layers >> ALVH_LAYER_FARM & 1)) {
        for (int l = 0; l < ALVH_LAYER_COUNT; l++)
            if (layers & needs_farm & 1u << l)
                return fail(msg, size, "layer '%s' hedges or borrows against the farm's stake: add 'farm' to the variant",
                            alvh_layer_names[l]);
    }
    if ((layers >> ALVH_LAYER_CALLS & 1) && !c->p.farm.restake)
        return fail(msg, size, "layer 'calls' writes on harvested rewards kept in the stake: needs farm.restake = true");
    return 0;
}

/* the double* members of alvh_book_state in order, with their row counts */
#define BOOK_FIELDS(X)                                                                                     \
    X(c_active, 1) X(c_exp, 1) X(c_enter, 1) X(c_idx, 1) X(c_kps, 1) X(c_kpl, 1) X(c_kcs, 1) X(c_kcl, 1) X(c_n, 1) X(c_credit, 1)   \
    X(c_cash, 1) X(c_mark, 1) X(x_n, 1) X(x_k, 1) X(x_exp, 1) X(x_cost, 1) X(x_cash, 1) X(x_mark, 1)       \
    X(f_units, 1) X(f_pending, 1) X(f_cash, 1) X(f_emis, 1) X(p_units, 1) X(p_margin, 1) X(p_pnl, 1)      \
    X(p_cash, 1) X(p_h, 1) X(p_h_dec, 1) X(p_pend, ALVH_PERP_MAX_DELAY) X(s_gain, 1) X(s_loss, 1)         \
    X(s_ema12, 1) X(s_ema26, 1) X(s_sig9, 1) X(s_prev_g, 1) X(u_n, 1) X(u_k, 1) X(u_cash, 1) X(u_mark, 1) \
    X(k_n, 1) X(k_k, 1) X(k_cash, 1) X(k_mark, 1) X(k_harv, 1) X(b_debt, 1) X(b_stable, 1) X(b_units, 1)  \
    X(b_cash, 1) X(b_hf, 1) X(m_peak, 1) X(m_dd, 1) X(m_min_hf, 1) X(m_n_liq, 1) X(m_t_liq, 1)             \
    X(m_n_exploit, 1) X(m_t_exploit, 1) X(m_n_stop, 1) X(m_t_stop, 1) X(m_n_roll, 1) X(m_equity, 1)       \
    X(m_pnl, ALVH_LAYER_COUNT)

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
#define BIND(name, r)                                                                                      \
    s->name = mem;                                                                                         \
    mem += (size_t)(r) * ld;
    BOOK_FIELDS(BIND)
#undef BIND
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
        s->f_units[i] = stake0 / g0;
        s->f_emis[i] = 1.0;
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
        s->m_min_hf[i] = INFINITY;
        s->m_t_liq[i] = s->m_t_exploit[i] = s->m_t_stop[i] = -1.0;
    }
}

void alvh_book_outcome(const alvh_book_state *s, size_t i, double *out)
{
    double total = 0.0;
    for (int l = 0; l < ALVH_LAYER_COUNT; l++) {
        out[l] = s->m_pnl[(size_t)l * s->ld + i];
        total += out[l];
    }
    out[ALVH_OUT_TOTAL] = total;
    out[ALVH_OUT_MAX_DD] = s->m_dd[i];
    out[ALVH_OUT_MIN_HF] = s->m_min_hf[i];
    out[ALVH_OUT_N_LIQ] = s->m_n_liq[i];
    out[ALVH_OUT_T_LIQ] = s->m_t_liq[i];
    out[ALVH_OUT_N_EXPLOIT] = s->m_n_exploit[i];
    out[ALVH_OUT_T_EXPLOIT] = s->m_t_exploit[i];
    out[ALVH_OUT_N_STOP] = s->m_n_stop[i];
    out[ALVH_OUT_T_STOP] = s->m_t_stop[i];
    out[ALVH_OUT_N_ROLL] = s->m_n_roll[i];
}
