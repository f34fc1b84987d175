/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Marks of the token and ETH options (puts, calls, eth_puts) at the pricing
 * measure's price: implied vols from the asset's Q table (kernels/q_asset.c,
 * built once per scenario by the engine) at the lanes' variance factors and
 * the option's life in whole steps; Black-Scholes with the asset's dividend
 * yield (the token's staking yield) turns them into prices. Without a table
 * (token.gamma other than 0 or 1) the flat vol sigma_G of the VIX with the
 * model's jump variance added (docs/pricing.md "Token marks"). The layer's
 * jump_var_ann is an overlay on either (0 by default). Included by
 * book_layers_impl.h after book_lanes.
 */

/* what one life's marks of one asset share: the table cell or the flat vol */
typedef struct {
    const alvh_qtab *q;
    qcell_lin cell;
    vd sig;       /* the flat vol (no table) */
    double t, yield, overlay;
} tok_vol;

static inline tok_vol tok_vol_of(const book_lanes *x, const alvh_qtab *q, double life_steps, vd sig_flat,
                                 double yield, double overlay)
{
    const alvh_book_market *mk = x->mk;
    tok_vol tv = {.q = q, .sig = sig_flat, .t = life_steps * x->c->dt, .yield = yield, .overlay = overlay};
    if (q) {
        vd f1 = mk->v1 ? LLD(mk->v1) : x->var, f2 = mk->v2 ? LLD(mk->v2) : v1(0.0);
        tv.cell = qcell_lin_of(q, v1(life_steps), f1, f2, v1(sqrt(tv.t)));
    }
    return tv;
}

/* the vol of strike k on spot a */
static inline vd tok_sig(const book_lanes *x, const tok_vol *tv, vd a, vd k)
{
    if (!tv->q)
        return tv->sig;
    vd fwd = vd_mul(a, v1(exp((x->c->r_ann - tv->yield) * tv->t)));
    vd sd = qcell_lin_sd(tv->q, &tv->cell, vmath_log(vd_div(k, fwd)));
    vd var = vd_mul(vd_mul(sd, sd), v1(1.0 / tv->t));
    return vd_sqrt(tv->overlay != 0.0 ? vd_add(var, v1(tv->overlay)) : var);
}

static inline vd tv_put(const book_lanes *x, const tok_vol *tv, vd a, vd k)
{
    vd p, d;
    bsm_lanes(a, k, v1(tv->t), tok_sig(x, tv, a, k), x->c->r_ann, tv->yield, -1.0, &p, &d);
    return p;
}

static inline vd tv_call(const book_lanes *x, const tok_vol *tv, vd a, vd k)
{
    vd p, d;
    bsm_lanes(a, k, v1(tv->t), tok_sig(x, tv, a, k), x->c->r_ann, tv->yield, 1.0, &p, &d);
    return p;
}

/* the token's options' vol for a life of life_steps steps (puts' and calls' overlay: puts.jump_var_ann) */
static inline tok_vol token_vol(const book_lanes *x, double life_steps)
{
    const alvh_book_consts *c = x->c;
    double ov = c->p.puts.jump_var_ann;
    vd flat = c->qtab_tok ? v1(0.0) : token_iv(c, x->vix, ov + c->g_jump_var_ann);
    return tok_vol_of(x, c->qtab_tok, life_steps, flat, c->g_yield_ann, ov);
}
