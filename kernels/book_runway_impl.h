/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The treasury's runway as a signal on the farm's stake (docs/book.md
 * "Runway signal"), over one vector of lanes, after the IRR rule:
 *   1. a queued decision whose step has come is executed: the stake moves to
 *      the queued factor, through the pool at the day's price (irr_trade:
 *      pool fee, MEV, one transaction of gas);
 *   2. with nothing queued, a runway below cut_years cuts the factor to
 *      scale (counted), one above restore_years restores it to 1; the
 *      decision executes timelock_days later (at once with 0).
 * The factor multiplies the stake (trades are proportional), so it composes
 * with the IRR rule's. Included by book_step_impl.h after book_irr_impl.h.
 */

#define LLD(a) vd_load_n((a) + x->i, x->m)
#define LST(a, v) vd_store_n((a) + x->i, x->m, (v))

static inline void runway_rule(const book_lanes *x, farm_state *f)
{
    const alvh_book_consts *c = x->c;
    const alvh_book_state *s = x->s;
    const alvh_runway_params *rp = &c->p.runway;
    if (!x->moving)
        return;
    const vd zero = v1(0.0), now = v1(x->fstep);
    vd scale = LLD(s->r_scale), pend = LLD(s->r_pend), at = LLD(s->r_at);
    vm due = vm_and(vd_le(zero, at), vd_le(at, now));
    if (vm_any(due)) {
        vd target = vd_blend(due, scale, pend);
        irr_trade(x, f, scale, target);
        scale = target;
        at = vd_blend(due, at, v1(-1.0));
    }
    vd rw = LLD(x->mk->runway);
    vm idle = vd_lt(at, zero);
    vm cut = vm_and(idle, vm_and(vd_lt(rw, v1(rp->cut_years)), vd_lt(v1(rp->scale + 1e-12), scale)));
    vm restore = vm_and(idle, vm_and(vd_lt(v1(rp->restore_years), rw), vd_lt(scale, v1(1.0 - 1e-12))));
    vd target = vd_blend(restore, vd_blend(cut, scale, v1(rp->scale)), v1(1.0));
    LST(s->r_n_cut, vd_add(LLD(s->r_n_cut), vmask(cut)));
    if (c->r_delay == 0.0) {
        irr_trade(x, f, scale, target);
        scale = target;
    } else {
        vm dec = vm_or(cut, restore);
        pend = vd_blend(dec, pend, target);
        at = vd_blend(dec, at, v1(x->fstep + c->r_delay));
    }
    LST(s->r_scale, scale);
    LST(s->r_pend, pend);
    LST(s->r_at, at);
}

#undef LLD
#undef LST
