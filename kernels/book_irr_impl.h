/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IRR-versus-WACC rule on the farm's stake (docs/book.md "IRR versus
 * WACC"), over one vector of lanes, after the farm's accrual:
 *   1. the trailing IRR: an exponential average (weight 1/window_days) of
 *      the step's yield per unit of stake, emissions less the exploits' loss,
 *      annualized (the token's price move is not yield: it is hedged or not
 *      by the other layers);
 *   2. every every_days steps a decision against the hurdle borrow_apr +
 *      spread: below it the stake is scaled down by step_frac of the initial
 *      stake (not below min_scale), above hurdle + band back up (not above
 *      the initial stake); counted when decided;
 *   3. the decision is executed timelock_days later: tokens sold or bought at
 *      G through the pool (pool fee book.lp.swap_fee_frac, MEV and one
 *      transaction of gas, book.gas), against the farm's cash.
 * Included by book_step_impl.h after book_layers_impl.h (gas_tx_usd).
 */

#define LLD(a) vd_load_n((a) + x->i, x->m)
#define LST(a, v) vd_store_n((a) + x->i, x->m, (v))

static inline void irr_trade(const book_lanes *x, farm_state *f, vd scale, vd target)
{
    const alvh_book_consts *c = x->c;
    const alvh_gas_params *gp = &c->p.gas;
    vm move = vd_lt(v1(1e-12), vd_abs(vd_sub(target, scale)));
    if (!vm_any(move))
        return;
    vd nu = vd_div(vd_mul(f->units, target), vd_max(scale, v1(1e-300)));
    vd d_usd = vd_mul(vd_sub(f->units, nu), x->g); /* + sold, - bought */
    vd cost = vd_fma(vd_abs(d_usd), v1(c->p.lp.swap_fee_frac + 1e-4 * gp->mev_bps), gas_tx_usd(gp, x->vix));
    f->units = vd_blend(move, f->units, nu);
    f->fcash = vd_blend(move, f->fcash, vd_sub(vd_add(f->fcash, d_usd), cost));
    LST(x->s->f_cost, vd_add(LLD(x->s->f_cost), vd_blend(move, v1(0.0), cost)));
}

static inline void irr_rule(const book_lanes *x, farm_state *f, double emis_t)
{
    const alvh_book_consts *c = x->c;
    const alvh_book_state *s = x->s;
    const alvh_irr_params *ip = &c->p.irr;
    if (!x->moving)
        return;
    vd yield = vd_sub(vd_mul(f->emis, v1(emis_t)), f->lost_frac);
    vd irr = LLD(s->i_irr);
    irr = vd_fma(vd_sub(vd_mul(yield, v1(1.0 / c->dt)), irr), v1(c->i_alpha), irr);
    LST(s->i_irr, irr);
    vd scale = LLD(s->i_scale);
    if (x->step % c->i_every == 0) {
        const double hurdle = c->p.borrow.borrow_apr + ip->spread;
        vm dn = vm_and(vd_lt(irr, v1(hurdle)), vd_lt(v1(ip->min_scale + 1e-12), scale));
        vm up = vm_and(vd_lt(v1(hurdle + ip->band), irr), vd_lt(scale, v1(1.0 - 1e-12)));
        vd target = vd_blend(dn, scale, vd_max(vd_sub(scale, v1(ip->step_frac)), v1(ip->min_scale)));
        target = vd_blend(up, target, vd_min(vd_add(scale, v1(ip->step_frac)), v1(1.0)));
        LST(s->i_n_dn, vd_add(LLD(s->i_n_dn), vmask(dn)));
        LST(s->i_n_up, vd_add(LLD(s->i_n_up), vmask(up)));
        if (c->i_delay == 0) {
            irr_trade(x, f, scale, target);
            scale = target;
        }
        LST(s->i_pend, target);
    } else if (c->i_delay > 0 && x->step % c->i_every == c->i_delay) {
        vd target = LLD(s->i_pend);
        irr_trade(x, f, scale, target);
        scale = target;
    }
    LST(s->i_scale, scale);
}

#undef LLD
#undef LST
