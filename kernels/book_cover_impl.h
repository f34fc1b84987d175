/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cover layer over one vector of lanes: smart-contract cover on the
 * farm's stake (docs/book.md "cover"). Per step, in this order:
 *   1. premium: premium_ann dt on the amount covered over the step;
 *   2. claim: where the step's exploits took value from the stake (farm
 *      lost_usd, at the step's close), the claim is accepted with claim_prob
 *      and pays min(covered, loss) (1 - haircut);
 *   3. the cover is re-sized to cover_frac of the stake's value now.
 * The claim's draw is the book uniform's low bits: 4096 u - round(4096 u) + 1/2 is uniform
 * and independent of u's top 12 bits, which decide the perp's crossing test
 * u < p except within 2^-12 of p (docs/book.md). Included by book_step_impl.h.
 */

#define LLD(a) vd_load_n((a) + x->i, x->m)
#define LST(a, v) vd_store_n((a) + x->i, x->m, (v))

#define COVER_U_SCALE 4096.0

static inline vd cover_step(const book_lanes *x, const farm_state *f)
{
    const alvh_book_consts *c = x->c;
    const alvh_book_state *s = x->s;
    const alvh_cover_params *vp = &c->p.cover;
    const vd zero = v1(0.0);
    vd cash = LLD(s->v_cash), cov = LLD(s->v_cov);
    if (x->moving) {
        cash = vd_fma(v1(-vp->premium_ann * c->dt), cov, cash);
        vm hit = vm_and(vd_lt(zero, f->lost_usd), vd_lt(zero, cov));
        if (vm_any(hit)) {
            vd w = vd_mul(LLD(x->mk->u_book), v1(COVER_U_SCALE));
            vd u = vd_add(vd_sub(w, vd_round(w)), v1(0.5)); /* in [0, 1] */
            vm paid = vm_and(hit, vd_lt(u, v1(vp->claim_prob)));
            vm denied = vm_and(hit, vm_not(paid));
            vd payout = vd_mul(vd_min(cov, f->lost_usd), v1(1.0 - vp->haircut));
            cash = vd_add(cash, vd_blend(paid, zero, payout));
            LST(s->v_n_paid, vd_add(LLD(s->v_n_paid), vmask(paid)));
            LST(s->v_n_denied, vd_add(LLD(s->v_n_denied), vmask(denied)));
        }
    }
    cov = vd_mul(v1(vp->cover_frac), vd_mul(f->units, x->g));
    LST(s->v_cash, cash);
    LST(s->v_cov, cov);
    return cash;
}

#undef COVER_U_SCALE
#undef LLD
#undef LST
