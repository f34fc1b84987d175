/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The eth_puts layer over one vector of lanes: OTM ETH puts as a
 * cross-hedge of the farm's stake (docs/book.md "eth_puts"). At each roll the
 * expiring puts settle at intrinsic and new ones are bought on
 * cover_frac x beta_eth x the stake's value of ETH, strike E (1 - otm_frac),
 * at ETH's Q price (book_tokmark_impl.h: the Q table of ETH, whose vol is the
 * token's sigma_G times sigma_E0 / sigma_G0, with ETH's contagion jumps),
 * plus the overlay jump_var_ann; marked every step. The token's moves beyond beta x ETH's are not hedged: the
 * basis risk. Included by book_step_impl.h after book_layers_impl.h.
 */

#define LLD(a) vd_load_n((a) + x->i, x->m)
#define LST(a, v) vd_store_n((a) + x->i, x->m, (v))

/* ETH's options' vol for a life of life_steps steps: the Q table, or the
 * token's flat vol times e_ratio with ETH's jump variance; overlay jump_var_ann */
static inline tok_vol eth_vol(const book_lanes *x, double life_steps)
{
    const alvh_book_consts *c = x->c;
    double ov = c->p.eth_puts.jump_var_ann;
    vd flat = v1(0.0);
    if (!c->qtab_eth) {
        vd se = vd_mul(v1(c->e_ratio), token_iv(c, x->vix, 0.0));
        flat = vd_sqrt(vd_fma(se, se, v1(ov + c->e_jump_var_ann)));
    }
    return tok_vol_of(x, c->qtab_eth, life_steps, flat, 0.0, ov);
}

static inline vd eth_puts_step(const book_lanes *x, vd units, int roll)
{
    const alvh_book_consts *c = x->c;
    const alvh_book_state *s = x->s;
    const alvh_eth_puts_params *ep = &c->p.eth_puts;
    const vd zero = v1(0.0);
    vd e = LLD(x->mk->eth), n = LLD(s->e_n), k = LLD(s->e_k), cash = LLD(s->e_cash);
    /* the life left, whole steps: the full period at the roll itself */
    const tok_vol tv = eth_vol(x, (double)(c->e_every - x->step % c->e_every));
    if (roll) {
        cash = vd_fma(n, vd_max(vd_sub(k, e), zero), cash);
        n = vd_div(vd_mul(v1(ep->cover_frac * c->e_beta), vd_mul(units, x->g)), e);
        k = vd_mul(e, v1(1.0 - ep->otm_frac));
        vd price = tv_put(x, &tv, e, k);
        cash = vd_sub(cash, vd_mul(vd_mul(n, price), v1(1.0 + ep->slippage_frac)));
    }
    vd mark = vd_mul(n, tv_put(x, &tv, e, vd_max(k, v1(1e-300))));
    LST(s->e_n, n);
    LST(s->e_k, k);
    LST(s->e_cash, cash);
    return vd_add(cash, mark);
}

#undef LLD
#undef LST
