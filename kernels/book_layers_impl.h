/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The seven layers of the hedge book, one function each, over one vector of
 * lanes (paths [i, i + m) of the block). Each layer loads its own state
 * (a small struct of vectors), applies its rules at this step and stores the
 * state back; it returns its P&L (cash flows plus marks). The farm's state is
 * the only one that other layers touch (calls deliver from the stake, the
 * borrow seizes from it, perp and puts size on it): it is passed explicitly.
 * Included by book_step_impl.h after the pricing helpers; the order in which
 * the driver calls these functions is stated and explained there.
 */

/* Indicator periods (Wilder's RSI, Appel's MACD): named, not magic. */
#define RSI_PERIOD 14.0
#define MACD_FAST 12.0
#define MACD_SLOW 26.0
#define MACD_SIGNAL 9.0

/* bridge exponents below -BRIDGE_CUT give crossing probabilities < 2^-54: 0 */
#define BRIDGE_CUT 37.5

/* What every layer reads at one step for lanes [i, i + m). */
typedef struct {
    const alvh_book_consts *c;
    const alvh_book_state *s;
    const alvh_book_market *mk;
    size_t i, m, step;
    double fstep;
    int moving;                  /* step > 0: positions accrue */
    vd spx, var, vix, g, fr;     /* market at the end of the step */
} book_lanes;

#include "kernels/book_onchain_impl.h"

#define LLD(a) vd_load_n((a) + x->i, x->m)
#define LST(a, v) vd_store_n((a) + x->i, x->m, (v))

#include "kernels/book_tokmark_impl.h"

static inline void count_lanes(const book_lanes *x, double *cnt, double *first, vm k)
{
    LST(cnt, vd_add(LLD(cnt), vmask(k)));
    vd f0 = LLD(first);
    LST(first, vd_blend(vm_and(k, vd_lt(f0, v1(0.0))), f0, v1(x->fstep)));
}

/* ---- farm: exploits, emission cuts, rewards, harvest ---------------------------------- */

/* lost_usd, lost_frac: the step's exploit loss in USD and as a fraction of the stake */
typedef struct { vd units, fcash, pend, emis, lost_usd, lost_frac; } farm_state;

static inline farm_state farm_load(const book_lanes *x)
{
    const alvh_book_state *s = x->s;
    return (farm_state){LLD(s->f_units), LLD(s->f_cash), LLD(s->f_pending), LLD(s->f_emis), v1(0.0), v1(0.0)};
}

static inline void farm_accrue(const book_lanes *x, farm_state *f, int harvest, int calls_on, double emis_t)
{
    const alvh_book_consts *c = x->c;
    const vd one = v1(1.0), zero = v1(0.0);
    const int gas_all = c->p.gas.all_layers;
    if (!x->moving) {
        if (gas_all) /* the stake's purchase: a swap and a stake */
            onchain_pay(x, &f->fcash, x->s->f_cost, vd_lt(zero, f->units), 2.0, vd_mul(f->units, x->g));
        return;
    }
    vd nh = LLD(x->mk->n_hack), ng = LLD(x->mk->n_gov_dn);
    /* an exploit takes hack_loss of the stake, each down shock cuts
     * emissions: (1 - L)^N and cut^N for the step's N (<= 3 with an injection,
     * one more down-shock from the treasury feedback) */
    vd keepf = one, cut = one;
    for (int k = 1; k <= 4; k++) {
        keepf = vd_mul(keepf, vd_blend(vd_le(v1(k), nh), one, v1(1.0 - c->hack_loss)));
        cut = vd_mul(cut, vd_blend(vd_le(v1(k), ng), one, v1(c->p.farm.gov_cut)));
    }
    f->lost_frac = vd_sub(one, keepf);
    f->lost_usd = vd_mul(vd_mul(f->units, f->lost_frac), x->g);
    f->units = vd_mul(f->units, keepf);
    vm hit = vd_lt(zero, nh);
    if (vm_any(hit)) {
        size_t i = x->i, m = x->m;
        count_event(x->s->m_n_exploit, x->s->m_t_exploit, i, m, hit, nh, x->fstep);
    }
    f->emis = vd_mul(f->emis, cut);
    f->pend = vd_fma(vd_mul(f->units, f->emis), v1(emis_t), f->pend);
    if (harvest) {
        if (gas_all) /* claim, then restake or swap the rewards */
            onchain_pay(x, &f->fcash, x->s->f_cost, vd_lt(zero, f->pend), 2.0,
                        c->p.farm.restake ? zero : vd_mul(f->pend, x->g));
        if (c->p.farm.restake)
            f->units = vd_add(f->units, f->pend);
        else
            f->fcash = vd_fma(f->pend, x->g, f->fcash);
        if (calls_on)
            LST(x->s->k_harv, vd_add(LLD(x->s->k_harv), f->pend));
        f->pend = zero;
    }
}

static inline vd farm_store(const book_lanes *x, const farm_state *f, double stake0)
{
    const alvh_book_state *s = x->s;
    LST(s->f_units, f->units);
    LST(s->f_cash, f->fcash);
    LST(s->f_pending, f->pend);
    LST(s->f_emis, f->emis);
    return vd_sub(vd_add(vd_mul(vd_add(f->units, f->pend), x->g), f->fcash), v1(stake0));
}

/* ---- calls on harvested rewards: expiry (assignment), then write ---------------------- */

/* a token option position (calls written, puts bought): contracts, strike, cash flows */
typedef struct { vd n, k, cash; } option_state;

static inline void option_store(const book_lanes *x, const option_state *o, double *n, double *k, double *cash)
{
    LST(n, o->n);
    LST(k, o->k);
    LST(cash, o->cash);
}

/* the roll: assignment settles, the next calls are decided (size, strike)
 * and written now or, with a timelock, k_delay steps later (calls_write) */
static inline vd calls_step(const book_lanes *x, farm_state *f, int call_roll, int call_exec)
{
    const alvh_book_consts *c = x->c;
    const alvh_book_state *s = x->s;
    const alvh_calls_params *kp = &c->p.calls;
    const vd zero = v1(0.0), g = x->g;
    const int gas_all = c->p.gas.all_layers;
    option_state o = {LLD(s->k_n), LLD(s->k_k), LLD(s->k_cash)};
    /* the life left, whole steps: the full period at the roll itself */
    const tok_vol tv = token_vol(x, (double)(c->k_every - x->step % c->k_every));
    if (call_roll) {
        /* the short call pays its intrinsic value; the delivered tokens
         * leave the stake at market (the farm sells them at G) */
        vd itm = vd_max(vd_sub(g, o.k), zero);
        o.cash = vd_sub(o.cash, vd_mul(o.n, itm));
        if (gas_all) /* the assignment's settlement */
            onchain_pay(x, &o.cash, s->k_cost, vm_and(vd_lt(zero, itm), vd_lt(zero, o.n)), 1.0, zero);
        vd deliver = vd_blend(vd_lt(zero, itm), zero, vd_min(o.n, f->units));
        f->units = vd_sub(f->units, deliver);
        f->fcash = vd_fma(deliver, g, f->fcash);
        vd harv = vd_max(vd_sub(LLD(s->k_harv), deliver), zero);
        LST(s->k_harv, harv);
        /* decide the calls of the next period */
        vd nn = vd_min(vd_mul(v1(kp->cover_frac), harv), f->units);
        vd strike = vd_mul(g, v1(1.0 + kp->otm_frac));
        if (c->k_delay == 0) {
            o.n = nn, o.k = strike;
            vd prem = tv_call(x, &tv, g, o.k);
            o.cash = vd_fma(vd_mul(o.n, prem), v1(1.0 - kp->slippage_frac), o.cash);
            if (gas_all)
                onchain_pay(x, &o.cash, s->k_cost, vd_lt(zero, o.n), 1.0, zero);
        } else {
            o.n = zero;
            LST(s->k_pn, nn);
            LST(s->k_pk, strike);
        }
    }
    if (call_exec) {
        /* the timelocked write: at today's premium for the rest of the period */
        o.n = vd_min(LLD(s->k_pn), f->units);
        o.k = LLD(s->k_pk);
        vd prem = tv_call(x, &tv, g, vd_max(o.k, v1(1e-300)));
        o.cash = vd_fma(vd_mul(o.n, prem), v1(1.0 - kp->slippage_frac), o.cash);
        if (gas_all)
            onchain_pay(x, &o.cash, s->k_cost, vd_lt(zero, o.n), 1.0, zero);
    }
    vd mark = zero;
    if (x->moving || call_roll)
        mark = vd_mul(o.n, tv_call(x, &tv, g, vd_max(o.k, v1(1e-300))));
    option_store(x, &o, s->k_n, s->k_k, s->k_cash);
    LST(s->k_mark, mark);
    return vd_sub(o.cash, mark);
}

/* ---- borrow (Aave v3 rules): interest, auto-deleverage, liquidation, bad debt -------- */

typedef struct { vd debt, stab, bun, bcash; } borrow_state;

static inline vd health(const alvh_borrow_params *bp, vd coll_usd, vd debt)
{
    return vd_div(vd_mul(coll_usd, v1(bp->liq_threshold)), vd_max(debt, v1(1e-300)));
}

/* One Aave v3 liquidation where liq: the close factor is close_factor above
 * full_close_hf and 1 at or below it or when collateral or debt is dust; the
 * liquidator repays that share of the debt and seizes it plus the bonus in
 * collateral (no more than there is: then only what it covers is repaid). */
static inline void borrow_liquidate(const book_lanes *x, const alvh_borrow_params *bp, borrow_state *b, farm_state *f,
                                    vd coll, vd hf, vm liq)
{
    const vd zero = v1(0.0), one = v1(1.0), g = x->g;
    vm full = vm_or(vd_le(hf, v1(bp->full_close_hf)),
                    vm_or(vd_lt(coll, v1(bp->dust_usd)), vd_lt(b->debt, v1(bp->dust_usd))));
    vd cf = vd_blend(full, v1(bp->close_factor), one);
    vd seize_usd = vd_min(vd_mul(vd_mul(b->debt, cf), v1(1.0 + bp->liq_bonus)), coll);
    vd repay = vd_div(seize_usd, v1(1.0 + bp->liq_bonus));
    vd seize_units = vd_div(seize_usd, g);
    /* the borrow layer's own tokens go first, then the farm's stake */
    vd from_b = vd_min(seize_units, b->bun), from_f = vd_max(vd_sub(seize_units, from_b), zero);
    from_f = vd_min(from_f, f->units);
    repay = vd_blend(liq, zero, repay);
    from_b = vd_blend(liq, zero, from_b);
    from_f = vd_blend(liq, zero, from_f);
    b->debt = vd_sub(b->debt, repay);
    b->bun = vd_sub(b->bun, from_b);
    /* the farm is made whole at market and the borrow layer bears the
     * collateral it lost: layer P&Ls stay attributable */
    f->units = vd_sub(f->units, from_f);
    f->fcash = vd_fma(from_f, g, f->fcash);
    b->bcash = vd_sub(b->bcash, vd_mul(from_f, g));
}

/* Auto-deleverage: below adl_hf, repay from stables until collateral x LT /
 * debt = adl_target_hf. With a timelock the repayment decided at t (its
 * amount fixed then) is executed at t + d, if the stables and debt are still
 * there; no new decision while one is queued. Returns the health factor. */
static inline vd borrow_deleverage(const book_lanes *x, borrow_state *b, vd coll, vd hf, vm has_debt)
{
    const alvh_book_consts *c = x->c;
    const alvh_book_state *s = x->s;
    const alvh_borrow_params *bp = &c->p.borrow;
    const vd zero = v1(0.0);
    vd pat = c->b_delay ? LLD(s->b_pat) : v1(-1.0), pamt = c->b_delay ? LLD(s->b_pamt) : zero;
    vm due = vm_and(vd_le(zero, pat), vd_le(pat, v1(x->fstep)));
    vm adl = vm_and(has_debt, vm_and(vd_lt(hf, v1(bp->adl_hf)), vd_lt(zero, b->stab)));
    adl = vm_and(adl, vd_lt(pat, zero));
    vd want = vd_sub(b->debt, vd_div(vd_mul(coll, v1(bp->liq_threshold)), v1(bp->adl_target_hf)));
    want = vd_max(want, zero);
    vd amount = zero;
    vm pay = due;
    if (c->b_delay) {
        amount = pamt;
        pamt = vd_blend(adl, pamt, want);
        pat = vd_blend(due, pat, v1(-1.0));
        pat = vd_blend(adl, pat, v1(x->fstep + (double)c->b_delay));
        LST(s->b_pamt, pamt);
        LST(s->b_pat, pat);
    } else {
        amount = want;
        pay = adl;
    }
    if (!vm_any(pay))
        return hf;
    vd repay = vd_blend(pay, zero, vd_min(vd_min(amount, b->stab), b->debt));
    b->debt = vd_sub(b->debt, repay);
    b->stab = vd_sub(b->stab, repay);
    if (c->p.gas.all_layers) /* a repayment under 1 USD is rounding dust: no transaction */
        onchain_pay(x, &b->bcash, s->b_cost, vd_lt(v1(1.0), repay), 1.0, zero);
    return health(bp, coll, b->debt);
}

static inline vd borrow_step(const book_lanes *x, farm_state *f, vd *min_hf)
{
    const alvh_book_consts *c = x->c;
    const alvh_book_state *s = x->s;
    const alvh_borrow_params *bp = &c->p.borrow;
    const vd zero = v1(0.0), g = x->g;
    borrow_state b = {LLD(s->b_debt), LLD(s->b_stable), LLD(s->b_units), LLD(s->b_cash)};
    if (x->moving) {
        b.debt = vd_mul(b.debt, v1(1.0 + bp->borrow_apr * c->dt));
        b.stab = vd_mul(b.stab, v1(1.0 + bp->stable_apr * c->dt));
    } else if (c->p.gas.all_layers) { /* the opening: supply, borrow (and swap the proceeds) */
        vm open = vd_lt(v1(1e-9), b.debt);
        onchain_pay(x, &b.bcash, s->b_cost, open, bp->redeploy ? 3.0 : 2.0, vd_mul(b.bun, g));
    }
    vd coll = vd_mul(vd_add(f->units, b.bun), g);
    vd hf = health(bp, coll, b.debt);
    vm has_debt = vd_lt(v1(1e-9), b.debt);
    if (bp->adl_hf > 0.0)
        hf = borrow_deleverage(x, &b, coll, hf, has_debt);
    hf = vd_blend(has_debt, v1(INFINITY), hf);
    *min_hf = vd_min(*min_hf, hf);
    /* no liquidation without collateral: that debt is bad debt (below) */
    vm liq = vm_and(vm_and(has_debt, vd_lt(hf, v1(1.0))), vd_lt(zero, coll));
    if (vm_any(liq)) {
        borrow_liquidate(x, bp, &b, f, coll, hf, liq);
        count_lanes(x, s->m_n_liq_b, s->m_t_liq, liq);
        coll = vd_mul(vd_add(f->units, b.bun), g);
        hf = vd_blend(liq, hf, vd_blend(vd_lt(v1(1e-9), b.debt), v1(INFINITY), health(bp, coll, b.debt)));
    }
    /* collateral gone (seized, exploited) with debt left: the protocol writes
     * the debt off as a deficit (Aave v3.3); the borrower keeps nothing and owes nothing */
    vm bad = vm_and(vd_lt(v1(1e-9), b.debt), vd_le(coll, v1(1e-9)));
    if (vm_any(bad)) {
        LST(s->m_bad_debt, vd_add(LLD(s->m_bad_debt), vd_blend(bad, zero, b.debt)));
        b.debt = vd_blend(bad, b.debt, zero);
        hf = vd_blend(bad, hf, v1(INFINITY));
    }
    LST(s->b_debt, b.debt);
    LST(s->b_stable, b.stab);
    LST(s->b_units, b.bun);
    LST(s->b_cash, b.bcash);
    LST(s->b_hf, hf);
    return vd_add(vd_sub(vd_fma(b.bun, g, b.stab), b.debt), b.bcash);
}

/* ---- perp: signals, isolated-margin account, liquidation, timelocked rebalancing ----- */

typedef struct { vd gain, loss, e12, e26, sg9, gp; } signals_state;

/* RSI(14) by Wilder's smoothing of gains and losses, MACD(12, 26) and its signal(9) */
static inline void signals_update(signals_state *z, vd g)
{
    const vd zero = v1(0.0);
    vd r = vd_sub(vd_div(g, z->gp), v1(1.0));
    const double a_rsi = 1.0 / RSI_PERIOD;
    z->gain = vd_fma(z->gain, v1(1.0 - a_rsi), vd_mul(v1(a_rsi), vd_max(r, zero)));
    z->loss = vd_fma(z->loss, v1(1.0 - a_rsi), vd_mul(v1(a_rsi), vd_max(vd_sub(zero, r), zero)));
    z->e12 = vd_fma(vd_sub(g, z->e12), v1(2.0 / (MACD_FAST + 1.0)), z->e12);
    z->e26 = vd_fma(vd_sub(g, z->e26), v1(2.0 / (MACD_SLOW + 1.0)), z->e26);
    z->sg9 = vd_fma(vd_sub(vd_sub(z->e12, z->e26), z->sg9), v1(2.0 / (MACD_SIGNAL + 1.0)), z->sg9);
}

/* the hedge ratio the signals ask for: RSI, MACD vs signal, funding divergence */
static inline vd signals_ratio(const alvh_book_consts *c, const signals_state *z, vd fr)
{
    const alvh_perp_params *pp = &c->p.perp;
    const vd zero = v1(0.0), one = v1(1.0);
    vd gl = vd_add(z->gain, z->loss);
    vd rsi = vd_blend(vd_lt(zero, gl), v1(50.0), vd_div(vd_mul(v1(100.0), z->gain), vd_max(gl, v1(1e-300))));
    vd macd_up = vmask(vd_lt(z->sg9, vd_sub(z->e12, z->e26)));
    vd h = vd_fma(v1(pp->w_rsi / 50.0), vd_sub(rsi, v1(50.0)), v1(pp->h_base));
    h = vd_fma(v1(-pp->w_macd), vd_sub(vd_mul(v1(2.0), macd_up), one), h);
    h = vd_fma(v1(pp->w_funding), vd_sub(fr, v1(c->f_bar)), h);
    return vd_min(vd_max(h, v1(pp->h_min)), v1(pp->h_max));
}

/* The short's isolated-margin account: pu tokens short, marg posted (USD),
 * ppnl P&L since the last trade, so equity = marg + ppnl; pcash the net
 * transfers with the book's cash account (postings negative). */
typedef struct { vd pu, marg, ppnl, pcash, cool, reent; } perp_state;

/* Liquidation within the step. The liquidation price y_L solves
 * equity(y) = maint x pu x y. A close at or beyond y_L crossed it for sure;
 * a close inside crossed it with the Brownian-bridge probability on log price
 * exp(-2 (b - x0)(b - x1) / (sigma^2 dt)), decided by the path's book uniform.
 * The position settles at y_L (the mark crossed it continuously), or at the
 * close when a token jump gapped through it; the venue keeps liq_penalty of
 * the notional at that price and the rest of the account returns to cash (a
 * gap beyond the margin is charged to the book: see docs/book.md). */
static inline void perp_liquidate(const book_lanes *x, perp_state *a, vd gp, vd sig)
{
    const alvh_perp_params *pp = &x->c->p.perp;
    const alvh_book_state *s = x->s;
    const vd zero = v1(0.0), one = v1(1.0), g = x->g;
    vm open = vd_lt(v1(1e-12), a->pu);
    if (!vm_any(open))
        return;
    /* equity with funding, before the price move: E(y) = e0 + pu (gp - y) */
    vd pu_safe = vd_max(a->pu, v1(1e-300));
    vd e0 = vd_add(vd_add(a->marg, a->ppnl), vd_mul(a->pu, vd_sub(g, gp)));
    vd y_liq = vd_div(vd_fma(a->pu, gp, e0), vd_mul(pu_safe, v1(1.0 + pp->maint_margin)));
    vm beyond = vm_or(vd_le(y_liq, g), vd_le(y_liq, gp));
    /* ln r >= 1 - 1/r bounds the exponent: where it is below -BRIDGE_CUT the
     * probability (< 2^-54) is taken as 0, and the logs are skipped when no
     * lane comes that close (the usual step) */
    vd s2dt = vd_max(vd_mul(vd_mul(sig, sig), v1(x->c->dt)), v1(1e-300));
    /* (1 - gp/y)(1 - g/y) < BRIDGE_CUT s2dt / 2, multiplied out by y^2 */
    vd lo2 = vd_mul(vd_mul(v1(2.0), vd_sub(y_liq, gp)), vd_sub(y_liq, g));
    vm near = vm_and(open, vm_and(vm_not(beyond), vd_lt(lo2, vd_mul(vd_mul(v1(BRIDGE_CUT), s2dt), vd_mul(y_liq, y_liq)))));
    vd p_cross = zero;
    if (vm_any(near)) {
        vd lb = vmath_log(vd_div(y_liq, gp)), lc = vmath_log(vd_div(y_liq, g));
        vd e = vd_div(vd_mul(v1(-2.0), vd_mul(vd_max(lb, zero), vd_max(lc, zero))), s2dt);
        p_cross = vd_blend(near, zero, vmath_exp(e));
    }
    vd u = LLD(x->mk->u_book);
    vm liq = vm_and(open, vm_or(beyond, vd_lt(u, p_cross)));
    if (!vm_any(liq))
        return;
    vm gap = vm_and(vd_le(y_liq, g), vd_lt(v1(0.5), LLD(x->mk->n_tok_jump)));
    vd px = vd_blend(vd_le(y_liq, gp), y_liq, gp);
    px = vd_blend(gap, px, g);
    vd left = vd_sub(vd_fma(a->pu, vd_sub(gp, px), e0), vd_mul(v1(pp->liq_penalty), vd_mul(a->pu, px)));
    a->pcash = vd_add(a->pcash, vd_blend(liq, zero, left));
    a->pu = vd_blend(liq, a->pu, zero);
    a->marg = vd_blend(liq, a->marg, zero);
    a->ppnl = vd_blend(liq, a->ppnl, zero);
    a->cool = vd_blend(liq, a->cool, v1(x->c->p_cool_steps));
    a->reent = vd_blend(liq, a->reent, one);
    count_lanes(x, s->m_n_liq_p, s->m_t_liq, liq);
}

/* what the margin budget still allows the book to send to the venue: the
 * budget less the cash sent so far net of what came back (-pcash), >= 0 */
static inline vd perp_budget_room(const book_lanes *x, const perp_state *a)
{
    return vd_max(vd_add(v1(x->c->p_budget_usd), a->pcash), v1(0.0));
}

/* margin policy: top the account up from cash to topup_target x notional
 * whenever its equity falls below topup_trigger x notional, with no more
 * than the margin budget's room */
static inline void perp_top_up(const book_lanes *x, perp_state *a)
{
    const alvh_perp_params *pp = &x->c->p.perp;
    vd notional = vd_mul(a->pu, x->g), eq = vd_add(a->marg, a->ppnl);
    vm low = vm_and(vd_lt(v1(1e-12), a->pu), vd_lt(eq, vd_mul(v1(pp->topup_trigger), notional)));
    vd add = vd_blend(low, v1(0.0), vd_sub(vd_mul(v1(pp->topup_target), notional), eq));
    add = vd_min(add, perp_budget_room(x, a));
    a->marg = vd_add(a->marg, add);
    a->pcash = vd_sub(a->pcash, add);
}

/* The largest short a trade may leave when the cash it sends to the venue
 * must fit the budget's room R. With top-ups (and on any opening, u = 0) the
 * trade sends t G / lev - (E - fee(t)); fee(t) is linear on each side of the
 * current size u, so t solves the bound on the increasing side first, and on
 * the decreasing side (no re-entry fee: u > 0) when even u does not fit.
 * Without top-ups a held short needs no cash: only the increase's margin
 * (t - u) G / lev must fit. */
static inline vd perp_budget_cap(const book_lanes *x, const perp_state *a, vm reenter)
{
    const alvh_perp_params *pp = &x->c->p.perp;
    const vd zero = v1(0.0), g = x->g, room = perp_budget_room(x, a);
    const double inv_lev = 1.0 / pp->leverage;
    vd eq0 = vd_add(a->marg, a->ppnl), fee_u = vd_mul(v1(pp->fee_frac), vd_mul(a->pu, g));
    vd per_up = vd_mul(g, vd_add(v1(inv_lev + pp->fee_frac), vd_blend(reenter, zero, v1(pp->reentry_cost_frac))));
    vd up = vd_div(vd_add(vd_add(room, eq0), fee_u), per_up);
    vm held = vd_lt(v1(1e-12), a->pu);
    if (!pp->margin_topup)
        return vd_blend(held, up, vd_fma(room, vd_div(v1(pp->leverage), g), a->pu));
    vd dn = zero;
    if (inv_lev > pp->fee_frac)
        dn = vd_max(vd_div(vd_sub(vd_add(room, eq0), fee_u), vd_mul(g, v1(inv_lev - pp->fee_frac))), zero);
    return vd_max(vd_blend(vm_and(held, vd_lt(up, a->pu)), up, dn), zero);
}

/* Trade to `target` tokens short (cut to what the margin budget allows): fees (and the re-entry cost after a
 * liquidation) come out of the account, the P&L since the last trade is
 * struck into the margin, and margin moves to or from cash: initial margin
 * (notional / leverage) for an increase, a pro-rata release for a decrease;
 * with top-ups on, the account is reset to notional / leverage. */
static inline void perp_trade(const book_lanes *x, perp_state *a, vd target, vm trade)
{
    const alvh_perp_params *pp = &x->c->p.perp;
    const vd zero = v1(0.0), g = x->g;
    target = vd_min(target, perp_budget_cap(x, a, vd_lt(v1(0.5), a->reent)));
    vd dq = vd_sub(target, a->pu);
    vd fee = vd_mul(v1(pp->fee_frac), vd_mul(vd_abs(dq), g));
    vm reenter = vm_and(vd_lt(v1(0.5), a->reent), vd_lt(zero, target));
    fee = vd_add(fee, vd_blend(reenter, zero, vd_mul(v1(pp->reentry_cost_frac), vd_mul(target, g))));
    vd eq = vd_sub(vd_add(a->marg, a->ppnl), fee);
    vd want;
    if (pp->margin_topup) {
        want = vd_div(vd_mul(target, g), v1(pp->leverage));
    } else {
        vd post = vd_div(vd_mul(vd_max(dq, zero), g), v1(pp->leverage));
        vd keep = vd_div(vd_max(target, zero), vd_max(a->pu, v1(1e-300)));
        want = vd_blend(vd_lt(zero, dq), vd_mul(eq, vd_min(keep, v1(1.0))), vd_add(eq, post));
        want = vd_blend(vd_lt(v1(1e-12), a->pu), vd_div(vd_mul(target, g), v1(pp->leverage)), want);
    }
    a->pcash = vd_blend(trade, a->pcash, vd_sub(a->pcash, vd_sub(want, eq)));
    a->marg = vd_blend(trade, a->marg, want);
    a->ppnl = vd_blend(trade, a->ppnl, zero);
    a->pu = vd_blend(trade, a->pu, target);
    a->reent = vd_blend(vm_and(trade, reenter), a->reent, zero);
}

static inline vd perp_step(const book_lanes *x, vd units)
{
    const alvh_book_consts *c = x->c;
    const alvh_book_state *s = x->s;
    const alvh_perp_params *pp = &c->p.perp;
    const vd zero = v1(0.0), g = x->g;
    const size_t i = x->i, m = x->m;
    perp_state a = {LLD(s->p_units), LLD(s->p_margin), LLD(s->p_pnl), LLD(s->p_cash), LLD(s->p_cool),
                    LLD(s->p_reent)};
    signals_state z = {LLD(s->s_gain), LLD(s->s_loss), LLD(s->s_ema12), LLD(s->s_ema26), LLD(s->s_sig9),
                       LLD(s->s_prev_g)};
    if (x->moving) {
        vd gp = z.gp;
        signals_update(&z, g);
        a.cool = vd_max(vd_sub(a.cool, v1(1.0)), zero);
        /* short P&L over the step and funding on the opening notional */
        a.ppnl = vd_fma(a.pu, vd_sub(gp, g), a.ppnl);
        a.ppnl = vd_fma(vd_mul(a.pu, gp), vd_mul(x->fr, v1(c->dt)), a.ppnl);
        perp_liquidate(x, &a, gp, LLD(s->p_sig));
        if (pp->margin_topup)
            perp_top_up(x, &a);
    }
    /* decision with hysteresis, then the timelock's delay line */
    vd hdec = LD(s->p_h_dec);
    vd h = signals_ratio(c, &z, x->fr);
    hdec = vd_blend(vd_le(v1(pp->band), vd_abs(vd_sub(h, hdec))), hdec, h);
    if (!x->moving)
        hdec = v1(pp->h_base);
    ST(s->p_h_dec, hdec);
    vd hexec = hdec;
    if (c->p_delay > 0) {
        /* the ratio decided d steps ago is executed now */
        double *cur = s->p_pend + (x->step % c->p_delay) * s->ld;
        hexec = x->moving ? LD(cur) : hdec;
        ST(cur, hdec);
    }
    vd hcur = LD(s->p_h);
    vd target = vd_mul(hexec, units);
    /* trade when the executed ratio changed or the stake drifted beyond the
     * band, never during the cool-down after a liquidation */
    vm trade = vm_or(vd_lt(v1(1e-12), vd_abs(vd_sub(hexec, hcur))),
                     vd_lt(vd_mul(v1(pp->band), units), vd_abs(vd_sub(target, a.pu))));
    trade = vm_or(trade, vm_and(vd_lt(v1(0.5), a.reent), vd_lt(zero, target)));
    if (!x->moving)
        trade = vd_le(zero, target);
    trade = vm_and(trade, vd_le(a.cool, v1(0.0)));
    if (vm_any(trade)) {
        perp_trade(x, &a, target, trade);
        hcur = vd_blend(trade, hcur, hexec);
    }
    ST(s->m_margin_peak, vd_max(LD(s->m_margin_peak), a.marg));
    ST(s->p_sig, token_iv(c, x->vix, 0.0));
    ST(s->p_h, hcur);
    ST(s->p_units, a.pu);
    ST(s->p_margin, a.marg);
    ST(s->p_pnl, a.ppnl);
    ST(s->p_cash, a.pcash);
    ST(s->p_cool, a.cool);
    ST(s->p_reent, a.reent);
    ST(s->s_gain, z.gain);
    ST(s->s_loss, z.loss);
    ST(s->s_ema12, z.e12);
    ST(s->s_ema26, z.e26);
    ST(s->s_sig9, z.sg9);
    ST(s->s_prev_g, g);
    return vd_add(a.pcash, vd_add(a.marg, a.ppnl));
}

/* ---- puts on the stake: settle at the roll, buy the next period within the budget ---- */

/* Contracts and strike of a new put: cover_frac of the stake at G (1 - otm)
 * if that fits the premium budget (budget_ann x covered value x period),
 * else at the cheaper strike G (1 - 2 otm), with the cover cut to the budget
 * if even that does not fit. */
static inline void puts_size(const book_lanes *x, vd units, const tok_vol *tv, vd *n_out, vd *k_out, vd *cost_out)
{
    const alvh_book_consts *c = x->c;
    const alvh_puts_params *up = &c->p.puts;
    const vd g = x->g, slip = v1(1.0 + up->slippage_frac);
    vd want = vd_mul(v1(up->cover_frac), units);
    vd k1 = vd_mul(g, v1(1.0 - up->otm_frac));
    vd p1 = vd_mul(tv_put(x, tv, g, k1), slip);
    if (up->budget_ann <= 0.0) {
        *n_out = want, *k_out = k1, *cost_out = vd_mul(want, p1);
        return;
    }
    vd cap = vd_mul(v1(up->budget_ann * c->u_t_life), vd_mul(want, g));
    vd k2 = vd_mul(g, v1(fmax(1.0 - 2.0 * up->otm_frac, 0.05)));
    vd p2 = vd_mul(tv_put(x, tv, g, k2), slip);
    vm fits1 = vd_le(vd_mul(want, p1), cap);
    vd k = vd_blend(fits1, k2, k1), p = vd_blend(fits1, p2, p1);
    vd n = vd_min(want, vd_div(cap, vd_max(p, v1(1e-300))));
    *n_out = n, *k_out = k, *cost_out = vd_mul(n, p);
}

/* the roll: expiring puts settle, the next ones are decided and bought now
 * or, with a timelock, u_delay steps later at the price of that day, never
 * spending more than the decision's premium */
static inline vd puts_step(const book_lanes *x, vd units, int put_roll, int put_exec)
{
    const alvh_book_consts *c = x->c;
    const alvh_book_state *s = x->s;
    const vd zero = v1(0.0), g = x->g;
    option_state o = {LLD(s->u_n), LLD(s->u_k), LLD(s->u_cash)};
    /* the life left, whole steps: the full period at the roll itself */
    const tok_vol tv = token_vol(x, (double)(c->u_every - x->step % c->u_every));
    const int gas_all = c->p.gas.all_layers;
    if (put_roll) {
        vd itm = vd_max(vd_sub(o.k, g), zero);
        o.cash = vd_fma(o.n, itm, o.cash);
        if (gas_all) /* the exercise */
            onchain_pay(x, &o.cash, s->u_cost, vm_and(vd_lt(zero, itm), vd_lt(zero, o.n)), 1.0, zero);
        vd n, k, cost;
        puts_size(x, units, &tv, &n, &k, &cost);
        if (c->u_delay == 0) {
            o.n = n, o.k = k;
            o.cash = vd_sub(o.cash, cost);
            if (gas_all)
                onchain_pay(x, &o.cash, s->u_cost, vd_lt(zero, o.n), 1.0, zero);
        } else {
            o.n = zero;
            LST(s->u_pn, n);
            LST(s->u_pk, k);
            LST(s->u_pcap, c->p.puts.budget_ann > 0.0 ? cost : v1(INFINITY));
        }
    }
    if (put_exec) {
        o.k = LLD(s->u_pk);
        vd price = vd_mul(tv_put(x, &tv, g, vd_max(o.k, v1(1e-300))), v1(1.0 + c->p.puts.slippage_frac));
        o.n = vd_min(LLD(s->u_pn), vd_div(LLD(s->u_pcap), vd_max(price, v1(1e-300))));
        o.cash = vd_sub(o.cash, vd_mul(o.n, price));
        if (gas_all)
            onchain_pay(x, &o.cash, s->u_cost, vd_lt(zero, o.n), 1.0, zero);
    }
    vd mark = vd_mul(o.n, tv_put(x, &tv, g, vd_max(o.k, v1(1e-300))));
    option_store(x, &o, s->u_n, s->u_k, s->u_cash);
    LST(s->u_mark, mark);
    return vd_add(o.cash, mark);
}

#include "kernels/book_condor_signal_impl.h"

/* ---- SPX iron condor: settle, stop, take profit, time roll; flag entries -------------- */

static inline vd condor_step(const book_lanes *x)
{
    const alvh_book_consts *c = x->c;
    const alvh_book_state *s = x->s;
    const alvh_book_params *p = &c->p;
    const size_t i = x->i, m = x->m;
    const double fstep = x->fstep, dt = c->dt;
    const vd zero = v1(0.0), one = v1(1.0), spx = x->spx, var = x->var, vix = x->vix;
    vd act = LD(s->c_active), exp_s = LD(s->c_exp), cn = LD(s->c_n), credit = LD(s->c_credit);
    vd kps = LD(s->c_kps), kpl = LD(s->c_kpl), kcs = LD(s->c_kcs), kcl = LD(s->c_kcl);
    vd ccash = LD(s->c_cash), mark = zero;
    vm live = vd_lt(v1(0.5), act);
    const double legs = 4.0, mult = 100.0;
    vm cross = vd_lt(one, zero);
    if (c->q_on) /* SPX RSI, MACD and breadth for the adjustments */
        cross = condor_signals_step(x);
    if (vm_any(live)) {
        vd steps_left = vd_max(vd_sub(exp_s, v1(fstep)), zero);
        vd t = vd_mul(steps_left, v1(dt));
        const vd ks[4] = {kps, kpl, kcs, kcl};
        const vd lks[4] = {LD(s->c_lk), LD(s->c_lk + s->ld), LD(s->c_lk + 2 * s->ld), LD(s->c_lk + 3 * s->ld)};
        const spx_var sv = spx_var_lanes(c, x->mk, var, i, m);
        vd val = condor_value(c, spx, &sv, t, steps_left, ks, lks); /* life slot: the whole steps left */
        vm expired = vd_le(steps_left, v1(0.5));
        vm stop = vd_le(vd_mul(v1(p->condor.stop_mult), credit), val);
        vm take = vd_lt(val, vd_mul(v1(1.0 - p->condor.profit_take), credit));
        vm roll = condor_roll_due(x, steps_left, cross);
        vm close = vm_and(live, vm_or(vm_or(expired, stop), vm_or(take, roll)));
        /* at expiry the condor settles at intrinsic (cash-settled, no
         * slippage); otherwise it is bought back across four legs */
        vd cost_close = vd_blend(expired, vd_fma(v1(legs * mult), vd_mul(cn, v1(p->condor.slippage_pts)),
                                                 vd_fma(vd_mul(val, v1(mult)), cn,
                                                        vd_mul(v1(legs * p->condor.commission_usd), cn))),
                                 vd_mul(vd_mul(val, v1(mult)), cn));
        ccash = vd_sub(ccash, vd_blend(close, zero, cost_close));
        vm stop_out = vm_and(close, vm_and(stop, vm_not(expired)));
        vm rolled = vm_and(close, vm_and(vm_and(roll, vm_not(stop)), vm_and(vm_not(take), vm_not(expired))));
        if (vm_any(stop_out))
            count_event(s->m_n_stop, s->m_t_stop, i, m, stop_out, one, fstep);
        if (vm_any(rolled))
            ST(s->m_n_roll, vd_add(LD(s->m_n_roll), vmask(rolled)));
        mark = vd_blend(close, vd_mul(vd_mul(val, v1(mult)), cn), zero);
        act = vd_blend(close, act, zero);
        cn = vd_blend(close, cn, zero);
        /* a closed condor may be replaced from the next step on */
        exp_s = vd_blend(close, exp_s, vd_min(exp_s, v1(fstep)));
    }
    /* entry: not live and not closed this step (c_exp <= step - 1), VIX at or below the filter */
    vm enter = vm_and(vd_le(act, v1(0.5)), vd_le(vix, v1(p->condor.vix_max)));
    enter = vm_and(enter, vd_le(LD(s->c_exp), v1(fstep - 0.5)));
    /* entries are rare per lane: they run after the lane loop on the packed
     * list of entering lanes (condor_entries), not on whole vectors */
    ST(s->c_enter, vmask(enter));
    ST(s->c_active, act);
    ST(s->c_exp, exp_s);
    ST(s->c_n, cn);
    ST(s->c_cash, ccash);
    ST(s->c_mark, mark);
    return vd_sub(ccash, mark);
}

/* ---- VIX calls (Cboe VXTH): monetize / roll, then the purchase ------------------------ */

/* the VIX calls held: units, strike, expiry step, cost, cash flows */
typedef struct { vd n, k, exp, cost, cash; } vix_state;

/* premium of one purchase: the VXTH table on the forward VIX, as a fraction
 * of the base (the condor's max loss, or the capital) */
static inline vd vix_budget_usd(const alvh_book_consts *c, vd fwd)
{
    const alvh_vixhedge_params *xp = &c->p.vix;
    vd frac = vd_blend(vd_le(fwd, v1(xp->regime_lo)),
                       vd_blend(vd_le(fwd, v1(xp->regime_mid)),
                                vd_blend(vd_le(fwd, v1(xp->regime_hi)), v1(xp->budget_top), v1(xp->budget_hi)),
                                v1(xp->budget_mid)),
                       v1(xp->budget_lo));
    double base = xp->budget_of_condor ? c->p.condor.max_loss_frac * c->p.capital_usd : c->p.capital_usd;
    return vd_mul(frac, v1(base));
}

/* The Q marks of VIX calls (kernels/vix_table.h) of strike k and life_steps
 * whole steps left per lane (a life of 0: the intrinsic value at the spot VIX) */
static inline vd vix_call_q(const book_lanes *x, vd life_steps, vd k)
{
    const alvh_book_consts *c = x->c;
    const alvh_book_market *mk = x->mk;
    vd f1 = mk->v1 ? LLD(mk->v1) : x->var, f2 = mk->v2 ? LLD(mk->v2) : v1(0.0);
    vm live = vd_lt(v1(0.5), life_steps);
    vcell vc = vcell_of(c->vtab, vd_blend(live, v1(1.0), life_steps), f1, f2);
    vd t = vd_mul(vd_max(life_steps, v1(1.0)), v1(c->dt));
    vd sig = vd_div(vcell_sd(c->vtab, &vc, k), vd_sqrt(t));
    return vd_blend(live, vd_max(vd_sub(x->vix, k), v1(0.0)), black76_call(vc.fwd, k, t, sig, c->r_ann));
}

/* A purchase at the purchase life (slot 0): the strike of the call delta
 * (two passes from the at-the-money vol, as the condor's qstrike_for_d1;
 * with a timelock the queued strike, due_k, at today's price), the future
 * and the price; the Q table's */
static inline void vix_buy_q(const book_lanes *x, vm due, vd due_k, vd *strike, vd *fwd, vd *price)
{
    const alvh_book_consts *c = x->c;
    const alvh_book_market *mk = x->mk;
    vd f1 = mk->v1 ? LLD(mk->v1) : x->var, f2 = mk->v2 ? LLD(mk->v2) : v1(0.0);
    vcell vc = vcell_of(c->vtab, v1(0.0), f1, f2);
    vd k = vc.fwd, sd = v1(0.0);
    for (int it = 0; it < 2; it++) {
        sd = vcell_sd(c->vtab, &vc, k);
        k = vd_mul(vc.fwd, vmath_exp(vd_fma(v1(-c->x_zd), sd, vd_mul(v1(0.5), vd_mul(sd, sd)))));
    }
    *strike = k, *fwd = vc.fwd;
    k = vd_blend(due, k, due_k);
    sd = vcell_sd(c->vtab, &vc, k);
    *price = black76_call(vc.fwd, k, v1(c->x_t_life), vd_mul(sd, v1(1.0 / sqrt(c->x_t_life))), c->r_ann);
}

static inline vd vix_step(const book_lanes *x, int vix_buy)
{
    const alvh_book_consts *c = x->c;
    const alvh_book_state *s = x->s;
    const alvh_vixhedge_params *xp = &c->p.vix;
    const size_t i = x->i, m = x->m;
    const double fstep = x->fstep, dt = c->dt;
    const vd zero = v1(0.0), var = x->var;
    vix_state o = {LD(s->x_n), LD(s->x_k), LD(s->x_exp), LD(s->x_cost), LD(s->x_cash)};
    vd value = zero;
    vm hold = vd_lt(zero, o.n), rolled = vd_lt(v1(1.0), zero);
    if (vm_any(hold)) {
        vd left = vd_max(vd_sub(o.exp, v1(fstep)), zero);
        if (c->vtab) {
            value = vd_mul(o.n, vix_call_q(x, left, o.k));
        } else {
            vd t = vd_mul(left, v1(dt)), fwd, sig;
            vix_future(c, var, t, &fwd, &sig);
            value = vd_mul(o.n, black76_call(fwd, o.k, t, sig, c->r_ann));
        }
        vm sell_m = vm_or(vd_le(v1(xp->monetize_vix), x->vix), vd_le(vd_mul(v1(xp->monetize_mult), o.cost), value));
        vm sell_r = vd_le(vd_sub(o.exp, v1(fstep)), v1((double)c->x_roll_steps));
        vm sell = vm_and(hold, vm_or(sell_m, sell_r));
        o.cash = vd_add(o.cash, vd_blend(sell, zero, vd_mul(value, v1(1.0 - xp->slippage_frac))));
        rolled = vm_and(sell, vm_not(sell_m));
        if (vm_any(rolled))
            ST(s->m_n_roll, vd_add(LD(s->m_n_roll), vmask(rolled)));
        o.n = vd_blend(sell, o.n, zero);
        value = vd_blend(sell, value, zero);
    }
    /* buy on the schedule, and (roll_at_expiry) right where a call was rolled;
     * with a timelock the purchase decided now (strike, budget) executes later */
    vm buy = vd_le(o.n, zero);
    if (!vix_buy)
        buy = xp->roll_at_expiry ? vm_and(buy, rolled) : vd_lt(v1(1.0), zero);
    vd pat = v1(-1.0);
    vm exec = vd_lt(v1(1.0), zero);
    if (c->x_delay) {
        pat = LD(s->x_pat);
        exec = vm_and(vd_le(zero, pat), vd_le(pat, v1(fstep)));
        buy = vm_and(buy, vd_lt(pat, zero));
    }
    if (vm_any(vm_or(buy, exec))) {
        double tl = c->x_t_life;
        vd fwd, sig = zero, strike, q_price = zero;
        if (c->vtab) {
            vix_buy_q(x, exec, c->x_delay ? LD(s->x_pk) : zero, &strike, &fwd, &q_price);
        } else {
            vix_future(c, var, v1(tl), &fwd, &sig);
            vd sd = vd_mul(sig, v1(sqrt(tl)));
            strike = vd_mul(fwd, vmath_exp(vd_fma(v1(-c->x_zd), sd, vd_mul(v1(0.5), vd_mul(sd, sd)))));
        }
        vd spend = vix_budget_usd(c, fwd);
        if (c->x_delay) {
            /* queue today's decision; execute the one that is due */
            ST(s->x_pk, vd_blend(buy, LD(s->x_pk), strike));
            ST(s->x_pspend, vd_blend(buy, LD(s->x_pspend), spend));
            pat = vd_blend(buy, pat, v1(fstep + (double)c->x_delay));
            vd due_k = LD(s->x_pk), due_spend = LD(s->x_pspend);
            strike = vd_blend(exec, strike, due_k);
            spend = vd_blend(exec, spend, due_spend);
            pat = vd_blend(exec, pat, v1(-1.0));
            ST(s->x_pat, pat);
            buy = exec;
        }
        /* a timelocked purchase executes the queued strike at today's price */
        vd mid = c->vtab ? q_price : black76_call(fwd, strike, v1(tl), sig, c->r_ann);
        vd price = vd_mul(mid, v1(1.0 + xp->slippage_frac));
        vm ok = vm_and(buy, vm_and(vd_lt(zero, spend), vd_lt(v1(1e-8), price)));
        vd nn = vd_div(spend, vd_max(price, v1(1e-8)));
        o.n = vd_blend(ok, o.n, nn);
        o.k = vd_blend(ok, o.k, strike);
        o.exp = vd_blend(ok, o.exp, v1(fstep + (double)c->x_life_steps));
        o.cost = vd_blend(ok, o.cost, spend);
        o.cash = vd_sub(o.cash, vd_blend(ok, zero, spend));
        value = vd_blend(ok, value, vd_mul(nn, vd_div(price, v1(1.0 + xp->slippage_frac))));
    }
    ST(s->x_n, o.n);
    ST(s->x_k, o.k);
    ST(s->x_exp, o.exp);
    ST(s->x_cost, o.cost);
    ST(s->x_cash, o.cash);
    ST(s->x_mark, value);
    return vd_add(o.cash, value);
}

#undef LLD
#undef LST
