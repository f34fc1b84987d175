/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Costs of acting on-chain over one vector of lanes (docs/book.md "Gas and
 * MEV"; scalar form in kernels/gas.h): a transaction costs usd_per_tx
 * (VIX / vix_ref)^vix_power, a swap loses the pool fee (book.lp.swap_fee_frac)
 * and mev_bps of its notional. The actions each layer pays for with
 * book.gas.all_layers (the lp layer and the stake rules always pay):
 *   farm:   the stake's purchase at step 0 (a swap and a stake: 2 tx), each
 *           harvest (claim and restake: 2 tx; sold rewards: claim and a swap);
 *   borrow: the opening (supply, borrow: 2 tx; redeploy: a swap, 1 tx more),
 *           each auto-deleverage repayment (1 tx); liquidators pay their own;
 *   puts, calls (an on-chain options venue: assumption): each purchase or
 *           write (1 tx) and each settlement that pays (1 tx).
 * The perp (a CEX), the ETH puts (listed), the condor and VIX calls (broker)
 * pay no gas; the cover's premium is streamed by the cover protocol (no
 * transaction per step). Each layer's costs are also summed in its own row
 * (f_cost, b_cost, u_cost, k_cost) for the outputs.
 * Included by book_layers_impl.h after book_lanes.
 */

#define OLD(a) vd_load_n((a) + x->i, x->m)
#define OST(a, v) vd_store_n((a) + x->i, x->m, (v))

/* gas of one transaction at the lanes' VIX (kernels/gas.h) */
static inline vd gas_tx_usd(const alvh_gas_params *gp, vd vix)
{
    vd ratio = vd_div(vd_max(vix, v1(1e-6)), v1(gp->vix_ref));
    return vd_mul(v1(gp->usd_per_tx), vmath_exp(vd_mul(v1(gp->vix_power), vmath_log(ratio))));
}

/* txs transactions and a swap of swap_usd where k: taken from *cash, added to row */
static inline void onchain_pay(const book_lanes *x, vd *cash, double *row, vm k, double txs, vd swap_usd)
{
    const alvh_gas_params *gp = &x->c->p.gas;
    if (!vm_any(k))
        return;
    vd cost = vd_fma(swap_usd, v1(x->c->p.lp.swap_fee_frac + 1e-4 * gp->mev_bps),
                     vd_mul(v1(txs), gas_tx_usd(gp, x->vix)));
    cost = vd_blend(k, v1(0.0), cost);
    *cash = vd_sub(*cash, cost);
    OST(row, vd_add(OLD(row), cost));
}

#undef OLD
#undef OST
