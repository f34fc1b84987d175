/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The lp layer over one vector of lanes: liquidity L on [lo^2, hi^2] of a
 * token/USD pool, or with lp.pair_eth of a token/ETH pool whose price is
 * P = G/E and whose second asset, fees and costs are in ETH, converted to
 * USD at the step's E (kernels/amm.h gives the same closed form in scalar).
 * Per step, in this order:
 *   1. fees: while the price ends the step inside the range, the position
 *      earns fee_apr_full dt (sigma_G / sigma_G0)^fee_vol_power x 2 L sqrt(G),
 *      the fees a full-range position of the same liquidity earns (fees are
 *      paid per unit of in-range liquidity); they are collected to cash;
 *   2. out of range: a counter of steps outside; after recentre_days steps
 *      the position is withdrawn (all in one asset), half its value swapped
 *      (pool fee + MEV) and minted on the range centred on G, paying
 *      lp_txs transactions of gas at today's VIX;
 *   3. the mark: tokens x G + the second asset x its USD price (1 or E).
 * Included by book_step_impl.h after book_layers_impl.h (book_lanes, token_iv,
 * gas_tx_usd of book_onchain_impl.h).
 */

#define LLD(a) vd_load_n((a) + x->i, x->m)
#define LST(a, v) vd_store_n((a) + x->i, x->m, (v))

/* fee factor of the step: (sigma_G / sigma_G0)^fee_vol_power */
static inline vd lp_fee_factor(const alvh_book_consts *c, vd vix)
{
    double pw = c->p.lp.fee_vol_power;
    if (pw == 0.0 || !c->g_vol_mode)
        return v1(1.0);
    vd ratio = vd_div(token_iv(c, vix, 0.0), v1(c->g_sigma0));
    return vmath_exp(vd_mul(v1(pw), vmath_log(ratio)));
}

static inline vd lp_step(const book_lanes *x)
{
    const alvh_book_consts *c = x->c;
    const alvh_book_state *s = x->s;
    const alvh_lp_params *lp = &c->p.lp;
    const vd zero = v1(0.0), one = v1(1.0);
    vd liq = LLD(s->l_liq), lo = LLD(s->l_sqlo), hi = LLD(s->l_sqhi), cash = LLD(s->l_cash);
    /* the pool's numeraire: USD (num = 1) or ETH (num = E); price P = G / num */
    vd num = lp->pair_eth ? vd_load_n(x->mk->eth + x->i, x->m) : one;
    vd price = lp->pair_eth ? vd_div(x->g, num) : x->g;
    vd sp = vd_sqrt(price);
    vd cl = vd_min(vd_max(sp, lo), hi);
    if (x->moving) {
        vm in = vm_and(vd_le(lo, sp), vd_le(sp, hi));
        vd fee = vd_mul(vd_mul(v1(2.0 * c->l_fee_dt), lp_fee_factor(c, x->vix)), vd_mul(vd_mul(liq, sp), num));
        cash = vd_add(cash, vd_blend(in, zero, fee));
        vd out = vd_blend(in, vd_add(LLD(s->l_out), one), zero);
        vm rc = vd_le(v1(c->l_wait), out);
        if (lp->recentre && vm_any(rc)) {
            const alvh_gas_params *gp = &c->p.gas;
            /* out of range the position is in one asset: value L (1/c - 1/hi) P + L (c - lo),
             * in the numeraire; gas is paid in USD, i.e. gas / num of the numeraire */
            vd val = vd_mul(liq, vd_fma(vd_sub(vd_div(one, cl), vd_div(one, hi)), price, vd_sub(cl, lo)));
            vd cost = vd_mul(vd_mul(v1(0.5), val), v1(lp->swap_fee_frac + 1e-4 * gp->mev_bps));
            vd gas_tx = gas_tx_usd(gp, x->vix);
            if (lp->pair_eth)
                gas_tx = vd_div(gas_tx, num);
            cost = vd_min(vd_fma(v1(gp->lp_txs), gas_tx, cost), val);
            vd nlo = vd_mul(sp, v1(c->l_inv_rs)), nhi = vd_div(sp, v1(c->l_inv_rs));
            vd nliq = vd_div(vd_sub(val, cost), vd_mul(vd_mul(v1(2.0), sp), v1(1.0 - c->l_inv_rs)));
            liq = vd_blend(rc, liq, nliq);
            lo = vd_blend(rc, lo, nlo);
            hi = vd_blend(rc, hi, nhi);
            cl = vd_blend(rc, cl, sp);
            out = vd_blend(rc, out, zero);
            LST(s->l_cost, vd_add(LLD(s->l_cost), vd_blend(rc, zero, vd_mul(cost, num))));
            LST(s->l_n_rc, vd_add(LLD(s->l_n_rc), vmask(rc)));
            LST(s->l_liq, liq);
            LST(s->l_sqlo, lo);
            LST(s->l_sqhi, hi);
        }
        LST(s->l_out, out);
        LST(s->l_cash, cash);
    }
    vd tok = vd_mul(liq, vd_sub(vd_div(one, cl), vd_div(one, hi)));
    vd other = vd_mul(liq, vd_sub(cl, lo)); /* USD, or ETH with pair_eth */
    LST(s->l_tok, tok);
    return vd_add(vd_fma(tok, x->g, vd_mul(other, num)), cash);
}

#undef LLD
#undef LST
