/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The eth_puts layer over one vector of lanes: OTM ETH puts as a
 * cross-hedge of the farm's stake (docs/book.md "eth_puts"). At each roll the
 * expiring puts settle at intrinsic and new ones are bought on
 * cover_frac x beta_eth x the stake's value of ETH, strike E (1 - otm_frac),
 * at Black-Scholes with ETH's vol sigma_E = (sigma_E0 / sigma_G0) sigma_G of
 * the step's VIX (the market model's coupling) plus jump_var_ann; marked
 * every step. The token's moves beyond beta x ETH's are not hedged: the
 * basis risk. Included by book_step_impl.h after book_layers_impl.h.
 */

#define LLD(a) vd_load_n((a) + x->i, x->m)
#define LST(a, v) vd_store_n((a) + x->i, x->m, (v))

static inline vd eth_iv(const alvh_book_consts *c, vd vix)
{
    vd se = vd_mul(v1(c->e_ratio), token_iv(c, vix, 0.0));
    return vd_sqrt(vd_fma(se, se, v1(c->p.eth_puts.jump_var_ann)));
}

static inline vd eth_puts_step(const book_lanes *x, vd units, int roll)
{
    const alvh_book_consts *c = x->c;
    const alvh_book_state *s = x->s;
    const alvh_eth_puts_params *ep = &c->p.eth_puts;
    const vd zero = v1(0.0);
    vd e = LLD(x->mk->eth), n = LLD(s->e_n), k = LLD(s->e_k), cash = LLD(s->e_cash);
    vd sig = eth_iv(c, x->vix);
    vd t_left = v1((double)(c->e_every - x->step % c->e_every) * c->dt);
    if (roll) {
        cash = vd_fma(n, vd_max(vd_sub(k, e), zero), cash);
        n = vd_div(vd_mul(v1(ep->cover_frac * c->e_beta), vd_mul(units, x->g)), e);
        k = vd_mul(e, v1(1.0 - ep->otm_frac));
        t_left = v1(c->e_t_life);
        vd price = tok_put(c, e, k, t_left, sig);
        cash = vd_sub(cash, vd_mul(vd_mul(n, price), v1(1.0 + ep->slippage_frac)));
    }
    vd mark = vd_mul(n, tok_put(c, e, vd_max(k, v1(1e-300)), t_left, sig));
    LST(s->e_n, n);
    LST(s->e_k, k);
    LST(s->e_cash, cash);
    return vd_add(cash, mark);
}

#undef LLD
#undef LST
