/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One step of one variant of the hedge book for n paths, written once and
 * compiled per ISA (kernels/CMakeLists.txt). Every rule is a
 * lane-wise mask and blend, so the vector and scalar builds take the same
 * decisions; a block of work that no lane needs (an entry, a liquidation) is
 * skipped with vm_any. Step 0 opens the positions and accrues nothing.
 */
#include "kernels/book_model.h"
#include "kernels/bs_core.h"
#include "kernels/simd/partial.h"

#define LD(a) vd_load_n((a) + i, m)
#define ST(a, x) vd_store_n((a) + i, m, (x))

static inline vd v1(double x) { return vd_set1(x); }
static inline vd vmask(vm k) { return vd_blend(k, v1(0.0), v1(1.0)); } /* 1.0 where k */

/* SPX implied vol of strike k, life t (per lane), variance v: expected average
 * variance plus jump variance (alvh_iv_atm_var), then the skew in ln(K/F). */
static inline vd spx_iv(const alvh_book_consts *c, vd v, vd s, vd k, vd t)
{
    const alvh_iv_model *mdl = &c->spx_iv;
    const alvh_iv_skew *sk = &c->p.condor.skew;
    vd kt = vd_max(vd_mul(v1(mdl->kappa), t), v1(1e-12));
    vd a = vd_div(vd_sub(v1(1.0), vmath_exp(vd_sub(v1(0.0), kt))), kt);
    vd var = vd_fma(a, vd_max(v, v1(0.0)), vd_fma(vd_sub(v1(1.0), a), v1(mdl->theta_star), v1(mdl->jump_var_ann)));
    vd atm = vd_sqrt(vd_max(var, v1(0.0)));
    vd lm = vd_sub(vmath_log(vd_div(k, s)), vd_mul(v1(mdl->r_ann - mdl->q_ann), t));
    vd sg = vd_fma(lm, vd_fma(v1(sk->skew_curv), lm, v1(sk->skew_slope)), atm);
    return vd_min(vd_max(sg, v1(sk->sigma_floor)), v1(sk->sigma_cap));
}

/* One leg of a strip sharing spot, life and the implied-vol model: given
 * lm = ln(K/F), the discounted spot s_dq = S e^{-qT}, discount dr = e^{-rT},
 * sqrt(T) and the at-the-money vol, the skewed vol and the BSM price (same
 * formula and limits as bsm_lanes in bs_core.h, with the life-only terms
 * computed once per strip instead of once per leg). */
static inline vd strip_leg(const alvh_iv_skew *sk, vd k, vd lm, vd s_dq, vd dr, vd sqt, vd atm, double w)
{
    const vd zero = v1(0.0), one = v1(1.0);
    vd sg = vd_fma(lm, vd_fma(v1(sk->skew_curv), lm, v1(sk->skew_slope)), atm);
    sg = vd_min(vd_max(sg, v1(sk->sigma_floor)), v1(sk->sigma_cap));
    vd sd = vd_mul(sg, sqt);
    vm live = vd_lt(zero, sd);
    vd sd1 = vd_blend(live, one, sd);
    /* ln(S/K) + (r - q) T = -ln(K/F) */
    vd d1 = vd_fma(v1(0.5), sd1, vd_div(vd_sub(zero, lm), sd1));
    vd d2 = vd_sub(d1, sd1);
    vd vw = v1(w);
    vd n1 = vmath_ncdf(vd_mul(vw, d1)), n2 = vmath_ncdf(vd_mul(vw, d2));
    vd kr = vd_mul(k, dr);
    vd wg = vd_mul(vw, vd_sub(s_dq, kr));
    vd step = vd_blend(vd_lt(zero, wg), vd_blend(vd_lt(wg, zero), v1(0.5), zero), one);
    n1 = vd_blend(live, step, n1);
    n2 = vd_blend(live, step, n2);
    return vd_max(vd_mul(vw, vd_sub(vd_mul(s_dq, n1), vd_mul(kr, n2))), zero);
}

/* condor cost to close per share: short put - long put + short call - long call,
 * each leg with the model-state implied vol of its strike (spx_iv) */
static inline vd condor_value(const alvh_book_consts *c, vd s, vd v, vd t, vd kps, vd kpl, vd kcs, vd kcl)
{
    const alvh_iv_model *mdl = &c->spx_iv;
    const vd zero = v1(0.0);
    vd tt = vd_max(t, zero);
    vd dq = vmath_exp(vd_mul(v1(-c->q_ann), tt)), dr = vmath_exp(vd_mul(v1(-c->r_ann), tt));
    vd kt = vd_max(vd_mul(v1(mdl->kappa), tt), v1(1e-12));
    vd a = vd_div(vd_sub(v1(1.0), vmath_exp(vd_sub(zero, kt))), kt);
    vd var = vd_fma(a, vd_max(v, zero), vd_fma(vd_sub(v1(1.0), a), v1(mdl->theta_star), v1(mdl->jump_var_ann)));
    vd atm = vd_sqrt(vd_max(var, zero));
    vd carry = vd_mul(v1(mdl->r_ann - mdl->q_ann), tt), s_dq = vd_mul(s, dq), sqt = vd_sqrt(tt);
    vd inv_s = vd_div(v1(1.0), s);
    const alvh_iv_skew *sk = &c->p.condor.skew;
#define LM(k) vd_sub(vmath_log(vd_mul((k), inv_s)), carry)
    vd pv = vd_sub(strip_leg(sk, kps, LM(kps), s_dq, dr, sqt, atm, -1.0), strip_leg(sk, kpl, LM(kpl), s_dq, dr, sqt, atm, -1.0));
    vd cv = vd_sub(strip_leg(sk, kcs, LM(kcs), s_dq, dr, sqt, atm, 1.0), strip_leg(sk, kcl, LM(kcl), s_dq, dr, sqt, atm, 1.0));
#undef LM
    return vd_max(vd_add(pv, cv), zero);
}

/* strike of delta d1 (the d1 of the target delta): two passes through the skew, the first at the
 * at-the-money vol (the strike is then rounded to the grid, far coarser than the iteration error) */
static inline vd strike_for_d1(const alvh_book_consts *c, vd s, vd v, double t, double d1)
{
    vd tt = v1(t), fwd = vd_mul(s, v1(exp((c->r_ann - c->q_ann) * t)));
    vd k = fwd;
    for (int it = 0; it < 2; it++) {
        vd sig = spx_iv(c, v, s, k, tt), sd = vd_mul(sig, v1(sqrt(t)));
        k = vd_mul(fwd, vmath_exp(vd_fma(v1(-d1), sd, vd_mul(v1(0.5), vd_mul(sd, sd)))));
    }
    return k;
}

/* VIX future (convexity-adjusted) and its Black-76 vol for life t per lane (kernels/vix.c) */
static inline void vix_future(const alvh_book_consts *c, vd v, vd t, vd *fwd, vd *sig)
{
    const alvh_vix_coeffs *x = &c->vix;
    vd e = vmath_exp(vd_mul(v1(-x->kappa), t)), ome = vd_sub(v1(1.0), e);
    vd vp = vd_max(v, v1(0.0));
    vd mean = vd_fma(vd_sub(vp, v1(x->theta_star)), e, v1(x->theta_star));
    double xi2k = x->xi * x->xi / x->kappa;
    vd var = vd_fma(vd_mul(vp, v1(xi2k)), vd_mul(e, ome),
                    vd_mul(v1(x->theta_star * xi2k * 0.5), vd_mul(ome, ome)));
    var = vd_fma(v1(x->lambda_ann * x->mu_v * x->mu_v / x->kappa), vd_sub(v1(1.0), vd_mul(e, e)), var);
    vd ev2 = vd_max(vd_fma(v1(x->alpha), mean, v1(x->beta)), v1(1e-12));
    vd sq = vd_sqrt(ev2);
    vd ev = vd_sub(sq, vd_div(vd_mul(v1(x->alpha * x->alpha), var), vd_mul(v1(8.0), vd_mul(ev2, sq))));
    ev = vd_max(ev, vd_mul(v1(0.5), sq));
    vd ratio = vd_div(ev2, vd_mul(ev, ev));
    vd tt = vd_max(t, v1(1e-12));
    *sig = vd_sqrt(vd_div(vmath_log(vd_max(ratio, v1(1.0))), tt));
    *fwd = ev;
}

static inline vd black76_call(vd f, vd k, vd t, vd sig, double r)
{
    vd p, d;
    bsm_lanes(f, k, t, sig, r, r, 1.0, &p, &d);
    return p;
}

/* token options: the rate of the scenario, no dividend yield on the token */
static inline vd tok_put(const alvh_book_consts *c, vd g, vd k, vd t, vd sig)
{
    vd p, d;
    bsm_lanes(g, k, t, sig, c->r_ann, 0.0, -1.0, &p, &d);
    return p;
}

static inline vd tok_call(const alvh_book_consts *c, vd g, vd k, vd t, vd sig)
{
    vd p, d;
    bsm_lanes(g, k, t, sig, c->r_ann, 0.0, 1.0, &p, &d);
    return p;
}

/* token implied vol: sigma_G of the VIX level plus the jump variance add-on
 * (puts.jump_var_ann, used for the covered calls too) */
static inline vd token_iv(const alvh_book_consts *c, vd vix, double jump_var)
{
    vd sig = v1(c->g_sigma0);
    if (c->g_vol_mode) {
        vd ratio = vd_max(vd_mul(vd_mul(vix, vix), v1(c->g_inv_vix_ref2)), v1(1e-12));
        sig = c->g_vol_mode == 1 ? vd_mul(sig, vd_sqrt(ratio))
                                 : vd_mul(sig, vmath_exp(vd_mul(v1(c->g_half_gamma), vmath_log(ratio))));
    }
    sig = vd_min(sig, v1(c->g_sigma_max));
    return vd_sqrt(vd_fma(sig, sig, v1(jump_var)));
}

/* first-time bookkeeping: counter += k where mask, first time set if unset */
static inline void count_event(double *cnt, double *first, size_t i, size_t m, vm k, vd how_many, double step)
{
    vd n0 = LD(cnt);
    ST(cnt, vd_add(n0, vd_blend(k, v1(0.0), how_many)));
    vd f0 = LD(first);
    ST(first, vd_blend(vm_and(k, vd_lt(f0, v1(0.0))), f0, v1(step)));
}

/* Opens a condor on every lane flagged in c_enter, W lanes at a time from the
 * packed list of those lanes: the per-lane arithmetic is the same whatever
 * lanes share a vector, so results do not depend on the packing. */
static void condor_entries(const alvh_book_consts *c, size_t step, size_t n, const alvh_book_state *s,
                           const alvh_book_market *mk)
{
    const alvh_book_params *p = &c->p;
    const double fstep = (double)step, te = c->c_t_entry, grid = p->condor.strike_grid_pts;
    const double w = p->condor.wing_width_pts, legs = 4.0, mult = 100.0;
    const vd zero = v1(0.0);
    size_t ne = 0;
    for (size_t i = 0; i < n; i++)
        if (s->c_enter[i] != 0.0)
            s->c_idx[ne++] = (double)i;
    for (size_t k = 0; k < ne; k += ALVH_W) {
        size_t m = ne - k < ALVH_W ? ne - k : ALVH_W, idx[ALVH_W];
        double t_spx[ALVH_W], t_var[ALVH_W];
        for (size_t j = 0; j < ALVH_W; j++) {
            /* padding lanes repeat the first lane: clean arithmetic, never stored */
            idx[j] = (size_t)s->c_idx[k + (j < m ? j : 0)];
            t_spx[j] = mk->spx[idx[j]];
            t_var[j] = mk->v[idx[j]];
        }
        vd spx = vd_load(t_spx), var = vd_load(t_var);
        vd nkps = vd_mul(vd_round(vd_div(strike_for_d1(c, spx, var, te, -c->c_zp), v1(grid))), v1(grid));
        vd nkcs = vd_mul(vd_round(vd_div(strike_for_d1(c, spx, var, te, c->c_zc), v1(grid))), v1(grid));
        vd nkpl = vd_max(vd_sub(nkps, v1(w)), v1(grid)), nkcl = vd_add(nkcs, v1(w));
        vd val = condor_value(c, spx, var, v1(te), nkps, nkpl, nkcs, nkcl);
        vd cr = vd_sub(val, v1(legs * p->condor.slippage_pts)); /* net credit per share */
        vm ok = vm_and(vd_lt(zero, cr), vd_lt(cr, v1(w)));
        vd risk = vd_mul(vd_sub(v1(w), cr), v1(mult));
        vd nct = vd_div(v1(p->condor.max_loss_frac * p->capital_usd), vd_max(risk, v1(1e-300)));
        vd cash_in = vd_sub(vd_mul(vd_mul(cr, v1(mult)), nct), vd_mul(v1(legs * p->condor.commission_usd), nct));
        vd mark = vd_mul(vd_mul(val, v1(mult)), nct);
        double o_ok[ALVH_W], o_kps[ALVH_W], o_kpl[ALVH_W], o_kcs[ALVH_W], o_kcl[ALVH_W], o_n[ALVH_W], o_cr[ALVH_W];
        double o_cash[ALVH_W], o_mark[ALVH_W];
        vd_store(o_ok, vmask(ok));
        vd_store(o_kps, nkps), vd_store(o_kpl, nkpl), vd_store(o_kcs, nkcs), vd_store(o_kcl, nkcl);
        vd_store(o_n, nct), vd_store(o_cr, cr), vd_store(o_cash, cash_in), vd_store(o_mark, mark);
        for (size_t j = 0; j < m; j++) {
            size_t i = idx[j];
            if (o_ok[j] == 0.0)
                continue;
            s->c_active[i] = 1.0;
            s->c_n[i] = o_n[j];
            s->c_credit[i] = o_cr[j];
            s->c_kps[i] = o_kps[j], s->c_kpl[i] = o_kpl[j], s->c_kcs[i] = o_kcs[j], s->c_kcl[i] = o_kcl[j];
            s->c_exp[i] = fstep + (double)c->c_life_steps;
            s->c_cash[i] += o_cash[j];
            s->c_mark[i] = o_mark[j];
            s->m_pnl[(size_t)ALVH_LAYER_CONDOR * s->ld + i] = s->c_cash[i] - s->c_mark[i];
        }
    }
}

/* Equity (starting capital plus the layers' P&L, summed in layer order, plus
 * the P&L of layers stepped elsewhere), its running peak and the drawdown. */
static void metrics(const alvh_book_consts *c, size_t n, const alvh_book_state *s)
{
    for (size_t i = 0; i < n; i += ALVH_W) {
        size_t m = n - i < ALVH_W ? n - i : ALVH_W;
        vd total = LD(s->m_pnl);
        for (int l = 1; l < ALVH_LAYER_COUNT; l++)
            total = vd_add(total, LD(s->m_pnl + (size_t)l * s->ld));
        if (s->ext_pnl)
            total = vd_add(total, LD(s->ext_pnl));
        vd eq = vd_add(v1(c->p.capital_usd), total);
        vd peak = vd_max(LD(s->m_peak), eq);
        ST(s->m_peak, peak);
        ST(s->m_dd, vd_max(LD(s->m_dd), vd_sub(peak, eq)));
        ST(s->m_equity, eq);
    }
}

void ALVH_ISA_SUFFIX(alvh_book_step)(const alvh_book_consts *c, unsigned layers, size_t step, size_t n,
                                     const alvh_book_state *s, const alvh_book_market *mk)
{
    const alvh_book_params *p = &c->p;
    const int on_c = layers >> ALVH_LAYER_CONDOR & 1, on_x = layers >> ALVH_LAYER_VIX & 1;
    const int on_f = layers >> ALVH_LAYER_FARM & 1, on_p = layers >> ALVH_LAYER_PERP & 1;
    const int on_u = layers >> ALVH_LAYER_PUTS & 1, on_k = layers >> ALVH_LAYER_CALLS & 1;
    const int on_b = layers >> ALVH_LAYER_BORROW & 1;
    const double dt = c->dt, t_now = (double)step * dt, fstep = (double)step;
    const int moving = step > 0; /* step 0 opens positions, nothing accrues */
    const int harvest = moving && step % c->f_every == 0;
    const int put_roll = step % c->u_every == 0;
    const int call_roll = moving && step % c->k_every == 0;
    const int vix_buy = step % c->x_every == 0;
    const double emis_t = p->farm.apr0 * exp(-p->farm.apr_decay_ann * t_now) * dt;
    const vd zero = v1(0.0), one = v1(1.0);
    const double stake0 = p->farm.stake_frac * p->capital_usd;

    for (size_t i = 0; i < n; i += ALVH_W) {
        size_t m = n - i < ALVH_W ? n - i : ALVH_W;
        vd spx = LD(mk->spx), var = LD(mk->v), vix = LD(mk->vix), g = LD(mk->g), fr = LD(mk->f);
        vd pnl_c = zero, pnl_x = zero, pnl_f = zero, pnl_p = zero, pnl_u = zero, pnl_k = zero, pnl_b = zero;
        vd min_hf = LD(s->m_min_hf);

        /* ---- farm: exploits, emission cuts, rewards, harvest ---- */
        vd units = zero, fcash = zero;
        if (on_f) {
            units = LD(s->f_units);
            fcash = LD(s->f_cash);
            vd pend = LD(s->f_pending), emis = LD(s->f_emis);
            if (moving) {
                vd nh = LD(mk->n_hack), ng = LD(mk->n_gov_dn);
                /* an exploit takes hack_loss of the stake, each down shock cuts
                 * emissions: (1 - L)^N and cut^N for the step's N (<= 3 with an injection) */
                vd keepf = one, cut = one;
                for (int k = 1; k <= 3; k++) {
                    keepf = vd_mul(keepf, vd_blend(vd_le(v1(k), nh), one, v1(1.0 - c->hack_loss)));
                    cut = vd_mul(cut, vd_blend(vd_le(v1(k), ng), one, v1(p->farm.gov_cut)));
                }
                units = vd_mul(units, keepf);
                vm hit = vd_lt(zero, nh);
                if (vm_any(hit))
                    count_event(s->m_n_exploit, s->m_t_exploit, i, m, hit, nh, fstep);
                emis = vd_mul(emis, cut);
                pend = vd_fma(vd_mul(units, emis), v1(emis_t), pend);
                if (harvest) {
                    if (p->farm.restake)
                        units = vd_add(units, pend);
                    else
                        fcash = vd_fma(pend, g, fcash);
                    if (on_k)
                        ST(s->k_harv, vd_add(LD(s->k_harv), pend));
                    pend = zero;
                }
            }
            ST(s->f_pending, pend);
            ST(s->f_emis, emis);
        }

        /* ---- calls on harvested rewards: expiry (assignment), then write ---- */
        if (on_k) {
            vd kn = LD(s->k_n), kk = LD(s->k_k), kcash = LD(s->k_cash);
            vd t_left = v1((double)(c->k_every - step % c->k_every) * dt);
            if (call_roll) {
                /* the short call pays its intrinsic value; the delivered tokens
                 * leave the stake at market (the farm sells them at G) */
                vd itm = vd_max(vd_sub(g, kk), zero);
                kcash = vd_sub(kcash, vd_mul(kn, itm));
                vm assigned = vd_lt(zero, itm);
                vd deliver = vd_blend(assigned, zero, vd_min(kn, units));
                units = vd_sub(units, deliver);
                fcash = vd_fma(deliver, g, fcash);
                vd harv = vd_sub(LD(s->k_harv), deliver);
                ST(s->k_harv, vd_max(harv, zero));
                /* write new calls for the next period */
                vd nn = vd_min(vd_mul(v1(p->calls.cover_frac), vd_max(harv, zero)), units);
                vd strike = vd_mul(g, v1(1.0 + p->calls.otm_frac));
                vd sig = token_iv(c, vix, p->puts.jump_var_ann);
                vd prem = tok_call(c, g, strike, v1(c->k_t_life), sig);
                kcash = vd_fma(vd_mul(nn, prem), v1(1.0 - p->calls.slippage_frac), kcash);
                kn = nn;
                kk = strike;
                t_left = v1(c->k_t_life);
            }
            vd mark = zero;
            if (moving || call_roll) {
                vd sig = token_iv(c, vix, p->puts.jump_var_ann);
                mark = vd_mul(kn, tok_call(c, g, vd_max(kk, v1(1e-300)), t_left, sig));
            }
            ST(s->k_n, kn);
            ST(s->k_k, kk);
            ST(s->k_cash, kcash);
            ST(s->k_mark, mark);
            pnl_k = vd_sub(kcash, mark);
        }

        /* ---- borrow: interest, auto-deleverage, liquidation ---- */
        if (on_b) {
            vd debt = LD(s->b_debt), stab = LD(s->b_stable), bun = LD(s->b_units), bcash = LD(s->b_cash);
            if (moving) {
                debt = vd_mul(debt, v1(1.0 + p->borrow.borrow_apr * dt));
                stab = vd_mul(stab, v1(1.0 + p->borrow.stable_apr * dt));
            }
            vd coll = vd_mul(vd_add(units, bun), g);
            vd safe_debt = vd_max(debt, v1(1e-300));
            vd hf = vd_div(vd_mul(coll, v1(p->borrow.liq_threshold)), safe_debt);
            vm has_debt = vd_lt(v1(1e-9), debt);
            if (p->borrow.adl_hf > 0.0) {
                vm adl = vm_and(has_debt, vm_and(vd_lt(hf, v1(p->borrow.adl_hf)), vd_lt(zero, stab)));
                if (vm_any(adl)) {
                    /* repay from stables until collateral x LT / debt = target */
                    vd want = vd_sub(debt, vd_div(vd_mul(coll, v1(p->borrow.liq_threshold)), v1(p->borrow.adl_target_hf)));
                    vd repay = vd_blend(adl, zero, vd_min(vd_max(want, zero), stab));
                    debt = vd_sub(debt, repay);
                    stab = vd_sub(stab, repay);
                    hf = vd_div(vd_mul(coll, v1(p->borrow.liq_threshold)), vd_max(debt, v1(1e-300)));
                }
            }
            hf = vd_blend(has_debt, v1(INFINITY), hf);
            min_hf = vd_min(min_hf, hf);
            vm liq = vm_and(has_debt, vd_lt(hf, one));
            if (vm_any(liq)) {
                vd repay = vd_mul(debt, v1(p->borrow.close_factor));
                vd seize_usd = vd_min(vd_mul(repay, v1(1.0 + p->borrow.liq_bonus)), coll);
                /* when the collateral cannot cover repay plus bonus, only what it
                 * covers is repaid: the rest stays as (bad) debt */
                repay = vd_div(seize_usd, v1(1.0 + p->borrow.liq_bonus));
                vd seize_units = vd_div(seize_usd, g);
                /* the borrow layer's own tokens go first, then the farm's stake */
                vd from_b = vd_min(seize_units, bun), from_f = vd_sub(seize_units, from_b);
                repay = vd_blend(liq, zero, repay);
                from_b = vd_blend(liq, zero, from_b);
                from_f = vd_blend(liq, zero, from_f);
                debt = vd_sub(debt, repay);
                bun = vd_sub(bun, from_b);
                /* the farm is made whole at market and the borrow layer bears
                 * the collateral it lost: layer P&Ls stay attributable */
                units = vd_sub(units, from_f);
                fcash = vd_fma(from_f, g, fcash);
                bcash = vd_sub(bcash, vd_mul(from_f, g));
                count_event(s->m_n_liq, s->m_t_liq, i, m, liq, one, fstep);
                hf = vd_blend(liq, hf, vd_div(vd_mul(vd_mul(vd_add(units, bun), g), v1(p->borrow.liq_threshold)),
                                              vd_max(debt, v1(1e-300))));
            }
            ST(s->b_debt, debt);
            ST(s->b_stable, stab);
            ST(s->b_units, bun);
            ST(s->b_cash, bcash);
            ST(s->b_hf, hf);
            pnl_b = vd_add(vd_sub(vd_fma(bun, g, stab), debt), bcash);
        }

        /* ---- perp: signals, funding and price P&L, liquidation, timelocked rebalancing ---- */
        if (on_p) {
            vd pu = LD(s->p_units), marg = LD(s->p_margin), ppnl = LD(s->p_pnl), pcash = LD(s->p_cash);
            vd gain = LD(s->s_gain), loss = LD(s->s_loss), e12 = LD(s->s_ema12), e26 = LD(s->s_ema26);
            vd sg9 = LD(s->s_sig9), gp = LD(s->s_prev_g);
            if (moving) {
                vd r = vd_sub(vd_div(g, gp), one);
                gain = vd_fma(gain, v1(13.0 / 14.0), vd_mul(v1(1.0 / 14.0), vd_max(r, zero)));
                loss = vd_fma(loss, v1(13.0 / 14.0), vd_mul(v1(1.0 / 14.0), vd_max(vd_sub(zero, r), zero)));
                e12 = vd_fma(vd_sub(g, e12), v1(2.0 / 13.0), e12);
                e26 = vd_fma(vd_sub(g, e26), v1(2.0 / 27.0), e26);
                sg9 = vd_fma(vd_sub(vd_sub(e12, e26), sg9), v1(2.0 / 10.0), sg9);
                /* short P&L over the step and funding on the opening notional */
                ppnl = vd_fma(pu, vd_sub(gp, g), ppnl);
                ppnl = vd_fma(vd_mul(pu, gp), vd_mul(fr, v1(dt)), ppnl);
                vd notional = vd_mul(pu, g);
                vm liq = vm_and(vd_lt(zero, pu), vd_lt(vd_add(marg, ppnl), vd_mul(v1(p->perp.maint_margin), notional)));
                if (vm_any(liq)) {
                    /* isolated margin: the loss stops at the posted margin */
                    vd realized = vd_max(vd_fma(v1(-p->perp.liq_penalty), notional, ppnl), vd_sub(zero, marg));
                    pcash = vd_add(pcash, vd_blend(liq, zero, realized));
                    ppnl = vd_blend(liq, ppnl, zero);
                    pu = vd_blend(liq, pu, zero);
                    marg = vd_blend(liq, marg, zero);
                    count_event(s->m_n_liq, s->m_t_liq, i, m, liq, one, fstep);
                }
            }
            /* decision: RSI, MACD vs signal, funding divergence */
            vd gl = vd_add(gain, loss);
            vd rsi = vd_blend(vd_lt(zero, gl), v1(50.0), vd_div(vd_mul(v1(100.0), gain), vd_max(gl, v1(1e-300))));
            vd macd_up = vmask(vd_lt(sg9, vd_sub(e12, e26)));
            vd h = vd_fma(v1(p->perp.w_rsi / 50.0), vd_sub(rsi, v1(50.0)), v1(p->perp.h_base));
            h = vd_fma(v1(-p->perp.w_macd), vd_sub(vd_mul(v1(2.0), macd_up), one), h);
            h = vd_fma(v1(p->perp.w_funding), vd_sub(fr, v1(c->f_bar)), h);
            h = vd_min(vd_max(h, v1(p->perp.h_min)), v1(p->perp.h_max));
            vd hdec = LD(s->p_h_dec);
            hdec = vd_blend(vd_le(v1(p->perp.band), vd_abs(vd_sub(h, hdec))), hdec, h);
            if (!moving)
                hdec = v1(p->perp.h_base);
            ST(s->p_h_dec, hdec);
            vd hexec = hdec;
            if (c->p_delay > 0) {
                /* delay line: the ratio decided d steps ago is executed now */
                double *cur = s->p_pend + (step % c->p_delay) * s->ld;
                hexec = moving ? LD(cur) : hdec;
                ST(cur, hdec);
            }
            vd hcur = LD(s->p_h);
            vd target = vd_mul(hexec, units);
            /* trade when the executed ratio changed or the stake drifted beyond the band */
            vm trade = vm_or(vd_lt(v1(1e-12), vd_abs(vd_sub(hexec, hcur))),
                             vd_lt(vd_mul(v1(p->perp.band), units), vd_abs(vd_sub(target, pu))));
            if (!moving)
                trade = vd_le(zero, target);
            if (vm_any(trade)) {
                vd fee = vd_mul(v1(p->perp.fee_frac), vd_mul(vd_abs(vd_sub(target, pu)), g));
                /* reopen: realize the running P&L, post margin for the new notional */
                pcash = vd_blend(trade, pcash, vd_sub(vd_add(pcash, ppnl), fee));
                ppnl = vd_blend(trade, ppnl, zero);
                pu = vd_blend(trade, pu, target);
                marg = vd_blend(trade, marg, vd_div(vd_mul(target, g), v1(p->perp.leverage)));
                hcur = vd_blend(trade, hcur, hexec);
            }
            ST(s->p_h, hcur);
            ST(s->p_units, pu);
            ST(s->p_margin, marg);
            ST(s->p_pnl, ppnl);
            ST(s->p_cash, pcash);
            ST(s->s_gain, gain);
            ST(s->s_loss, loss);
            ST(s->s_ema12, e12);
            ST(s->s_ema26, e26);
            ST(s->s_sig9, sg9);
            ST(s->s_prev_g, g);
            pnl_p = vd_add(pcash, ppnl);
        }

        /* ---- puts on the stake: settle at the roll, buy the next month ---- */
        if (on_u) {
            vd un = LD(s->u_n), uk = LD(s->u_k), ucash = LD(s->u_cash);
            vd sig = token_iv(c, vix, p->puts.jump_var_ann);
            vd t_left = v1((double)(c->u_every - step % c->u_every) * dt);
            if (put_roll) {
                ucash = vd_fma(un, vd_max(vd_sub(uk, g), zero), ucash);
                un = vd_mul(v1(p->puts.cover_frac), units);
                uk = vd_mul(g, v1(1.0 - p->puts.otm_frac));
                vd prem = tok_put(c, g, uk, v1(c->u_t_life), sig);
                ucash = vd_sub(ucash, vd_mul(vd_mul(un, prem), v1(1.0 + p->puts.slippage_frac)));
                t_left = v1(c->u_t_life);
            }
            vd mark = vd_mul(un, tok_put(c, g, vd_max(uk, v1(1e-300)), t_left, sig));
            ST(s->u_n, un);
            ST(s->u_k, uk);
            ST(s->u_cash, ucash);
            ST(s->u_mark, mark);
            pnl_u = vd_add(ucash, mark);
        }

        if (on_f) {
            ST(s->f_units, units);
            ST(s->f_cash, fcash);
            pnl_f = vd_sub(vd_add(vd_mul(vd_add(units, LD(s->f_pending)), g), fcash), v1(stake0));
        }

        /* ---- SPX iron condor ---- */
        if (on_c) {
            vd act = LD(s->c_active), exp_s = LD(s->c_exp), cn = LD(s->c_n), credit = LD(s->c_credit);
            vd kps = LD(s->c_kps), kpl = LD(s->c_kpl), kcs = LD(s->c_kcs), kcl = LD(s->c_kcl);
            vd ccash = LD(s->c_cash), mark = zero;
            vm live = vd_lt(v1(0.5), act);
            const double legs = 4.0, mult = 100.0;
            if (vm_any(live)) {
                vd steps_left = vd_max(vd_sub(exp_s, v1(fstep)), zero);
                vd t = vd_mul(steps_left, v1(dt));
                vd val = condor_value(c, spx, var, t, kps, kpl, kcs, kcl);
                vm expired = vd_le(steps_left, v1(0.5));
                vm stop = vd_le(vd_mul(v1(p->condor.stop_mult), credit), val);
                vm take = vd_lt(val, vd_mul(v1(1.0 - p->condor.profit_take), credit));
                vm roll = vd_le(steps_left, v1(c->c_roll_steps_left));
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
                live = vm_and(live, vm_not(close));
            }
            /* entry: not live and not closed this step (c_exp <= step - 1), VIX at or below the filter */
            vm enter = vm_and(vd_le(act, v1(0.5)), vd_le(vix, v1(p->condor.vix_max)));
            enter = vm_and(enter, vd_le(LD(s->c_exp), v1(fstep - 0.5)));
            /* entries are rare per lane: they run after this loop on the packed
             * list of entering lanes (condor_entries), not on whole vectors */
            ST(s->c_enter, vmask(enter));
            ST(s->c_active, act);
            ST(s->c_exp, exp_s);
            ST(s->c_n, cn);
            ST(s->c_credit, credit);
            ST(s->c_kps, kps);
            ST(s->c_kpl, kpl);
            ST(s->c_kcs, kcs);
            ST(s->c_kcl, kcl);
            ST(s->c_cash, ccash);
            ST(s->c_mark, mark);
            pnl_c = vd_sub(ccash, mark);
        }

        /* ---- VIX calls: monetize / roll, then the scheduled purchase ---- */
        if (on_x) {
            vd xn = LD(s->x_n), xk = LD(s->x_k), xe = LD(s->x_exp), xcost = LD(s->x_cost), xcash = LD(s->x_cash);
            vd value = zero;
            vm hold = vd_lt(zero, xn);
            if (vm_any(hold)) {
                vd t = vd_mul(vd_max(vd_sub(xe, v1(fstep)), zero), v1(dt));
                vd fwd, sig;
                vix_future(c, var, t, &fwd, &sig);
                value = vd_mul(xn, black76_call(fwd, xk, t, sig, c->r_ann));
                vm sell_m = vm_or(vd_le(v1(p->vix.monetize_vix), vix), vd_le(vd_mul(v1(p->vix.monetize_mult), xcost), value));
                vm sell_r = vd_le(vd_sub(xe, v1(fstep)), v1((double)c->x_roll_steps));
                vm sell = vm_and(hold, vm_or(sell_m, sell_r));
                xcash = vd_add(xcash, vd_blend(sell, zero, vd_mul(value, v1(1.0 - p->vix.slippage_frac))));
                vm rolled = vm_and(sell, vm_not(sell_m));
                if (vm_any(rolled))
                    ST(s->m_n_roll, vd_add(LD(s->m_n_roll), vmask(rolled)));
                xn = vd_blend(sell, xn, zero);
                value = vd_blend(sell, value, zero);
            }
            if (vix_buy) {
                vm buy = vd_le(xn, zero);
                if (vm_any(buy)) {
                    double tl = c->x_t_life;
                    vd fwd, sig;
                    vix_future(c, var, v1(tl), &fwd, &sig);
                    const alvh_vixhedge_params *xp = &p->vix;
                    vd budget = vd_blend(vd_le(fwd, v1(xp->regime_lo)),
                                         vd_blend(vd_le(fwd, v1(xp->regime_mid)),
                                                  vd_blend(vd_le(fwd, v1(xp->regime_hi)), v1(xp->budget_top), v1(xp->budget_hi)),
                                                  v1(xp->budget_mid)),
                                         v1(xp->budget_lo));
                    vd sd = vd_mul(sig, v1(sqrt(tl)));
                    vd strike = vd_mul(fwd, vmath_exp(vd_fma(v1(-c->x_zd), sd, vd_mul(v1(0.5), vd_mul(sd, sd)))));
                    vd price = vd_mul(black76_call(fwd, strike, v1(tl), sig, c->r_ann), v1(1.0 + xp->slippage_frac));
                    vd spend = vd_mul(budget, v1(p->capital_usd));
                    vm ok = vm_and(buy, vm_and(vd_lt(zero, spend), vd_lt(v1(1e-8), price)));
                    vd nn = vd_div(spend, vd_max(price, v1(1e-8)));
                    xn = vd_blend(ok, xn, nn);
                    xk = vd_blend(ok, xk, strike);
                    xe = vd_blend(ok, xe, v1(fstep + (double)c->x_life_steps));
                    xcost = vd_blend(ok, xcost, spend);
                    xcash = vd_sub(xcash, vd_blend(ok, zero, spend));
                    value = vd_blend(ok, value, vd_mul(nn, vd_div(price, v1(1.0 + xp->slippage_frac))));
                }
            }
            ST(s->x_n, xn);
            ST(s->x_k, xk);
            ST(s->x_exp, xe);
            ST(s->x_cost, xcost);
            ST(s->x_cash, xcash);
            ST(s->x_mark, value);
            pnl_x = vd_add(xcash, value);
        }

        const vd layer_pnl[ALVH_LAYER_COUNT] = {pnl_c, pnl_x, pnl_f, pnl_p, pnl_u, pnl_k, pnl_b};
        for (int l = 0; l < ALVH_LAYER_COUNT; l++)
            ST(s->m_pnl + (size_t)l * s->ld, layer_pnl[l]);
        ST(s->m_min_hf, min_hf);
    }
    if (on_c)
        condor_entries(c, step, n, s, mk);
    metrics(c, n, s);
}

void ALVH_ISA_SUFFIX(alvh_book_levels)(size_t n, const double *restrict ln_s, const double *restrict ln_g,
                                       double *restrict spx, double *restrict g)
{
    for (size_t i = 0; i < n; i += ALVH_W) {
        size_t m = n - i < ALVH_W ? n - i : ALVH_W;
        ST(spx, vmath_exp(LD(ln_s)));
        ST(g, vmath_exp(LD(ln_g)));
    }
}
#undef LD
#undef ST
