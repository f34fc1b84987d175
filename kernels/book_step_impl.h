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

#include "kernels/book_qmark_impl.h"
#include "kernels/vix_table_core.h"

/* What every leg of a strip on one spot and one life shares, once per lane:
 * the discounted spot S e^{-qT}, the discount e^{-rT}, sqrt(T), the
 * at-the-money vol of the model state (alvh_iv_atm_var) and ln F. */
typedef struct {
    vd s_dq, dr, sqt, atm, ln_fwd;
} strip_life;

/* the model state's at-the-money variance over life t (vector form of
 * alvh_iv_atm_var): expected average variance plus the jump variance */
static inline vd iv_atm_var(const alvh_iv_model *mdl, vd v, vd t)
{
    const vd zero = v1(0.0);
    vd kt = vd_max(vd_mul(v1(mdl->kappa), t), v1(1e-12));
    vd a = vd_div(vd_sub(v1(1.0), vmath_exp(vd_sub(zero, kt))), kt);
    vd var = vd_fma(a, vd_max(v, zero), vd_fma(vd_sub(v1(1.0), a), v1(mdl->theta_star), v1(mdl->jump_var_ann)));
    return vd_max(var, zero);
}

static inline strip_life strip_life_of(const alvh_book_consts *c, vd s, vd v, vd t)
{
    const alvh_iv_model *mdl = &c->spx_iv;
    vd tt = vd_max(t, v1(0.0));
    strip_life L;
    L.dr = vmath_exp(vd_mul(v1(-c->r_ann), tt));
    L.s_dq = vd_mul(s, vmath_exp(vd_mul(v1(-c->q_ann), tt)));
    L.sqt = vd_sqrt(tt);
    L.atm = vd_sqrt(iv_atm_var(mdl, v, tt));
    L.ln_fwd = vd_fma(v1(mdl->r_ann - mdl->q_ann), tt, vmath_log(s));
    return L;
}

/* A leg's skewed vol times sqrt(T) (dead lanes, T = 0 or a zero vol: 0),
 * given lm = ln(K/F) */
static inline vd strip_sd(const alvh_iv_skew *sk, const strip_life *L, vd lm)
{
    vd sg = vd_fma(lm, vd_fma(v1(sk->skew_curv), lm, v1(sk->skew_slope)), L->atm);
    sg = vd_min(vd_max(sg, v1(sk->sigma_floor)), v1(sk->sigma_cap));
    return vd_mul(sg, L->sqt);
}

/* BSM price of one leg (w = +1 call, -1 put) from its lm = ln(K/F), total vol
 * sd and 1/sd: d1 and d2 from the shared life terms, both normal CDFs in one
 * division, then the price and its limits as in bsm_lanes (bsm_price_from_n). */
static inline vd strip_leg(const strip_life *L, vd k, vd lm, vd sd, vd inv_sd, double w)
{
    const vd zero = v1(0.0), one = v1(1.0);
    vm live = vd_lt(zero, sd);
    vd sd1 = vd_blend(live, one, sd);
    /* ln(S/K) + (r - q) T = -ln(K/F) */
    vd d1 = vd_fma(v1(0.5), sd1, vd_mul(vd_sub(zero, lm), inv_sd));
    vd d2 = vd_sub(d1, sd1);
    vd vw = v1(w), n1, n2;
    vmath_ncdf_pair(vd_mul(vw, d1), vd_mul(vw, d2), &n1, &n2);
    return bsm_price_from_n(L->s_dq, vd_mul(k, L->dr), live, vw, &n1, &n2);
}

/* condor cost to close per share: short put - long put + short call - long
 * call, strikes k[0..3] = kps, kpl, kcs, kcl with their logs lk[0..3], each
 * leg at the model-state implied vol of its strike (spx_iv). The legs share
 * the life terms (strip_life_of), take ln(K/F) from the stored ln K, and
 * their four 1/sd come from one division. */
static inline vd condor_value(const alvh_book_consts *c, vd s, const spx_var *sv, vd t, vd life, const vd k[4],
                               const vd lk[4])
{
    const alvh_iv_skew *sk = &c->p.condor.skew;
    strip_life L = strip_life_of(c, s, sv->v, t);
    vd lm[4], sd[4], sd1[4];
    for (int l = 0; l < 4; l++)
        lm[l] = vd_sub(lk[l], L.ln_fwd);
    if (c->qtab) /* the Q model's vols (book_qmark_impl.h) */
        qstrip_sd(c, sv, life, L.sqt, lm, sd);
    else
        for (int l = 0; l < 4; l++)
            sd[l] = strip_sd(sk, &L, lm[l]);
    for (int l = 0; l < 4; l++)
        sd1[l] = vd_blend(vd_lt(v1(0.0), sd[l]), v1(1.0), sd[l]);
    /* 1/sd_l = (product of the other three) / (product of all four); sd >= 0.003 on live lanes */
    vd p01 = vd_mul(sd1[0], sd1[1]), p23 = vd_mul(sd1[2], sd1[3]);
    vd inv = vd_div(v1(1.0), vd_mul(p01, p23));
    vd inv_sd[4] = {vd_mul(inv, vd_mul(sd1[1], p23)), vd_mul(inv, vd_mul(sd1[0], p23)),
                    vd_mul(inv, vd_mul(p01, sd1[3])), vd_mul(inv, vd_mul(p01, sd1[2]))};
    vd pv = vd_sub(strip_leg(&L, k[0], lm[0], sd[0], inv_sd[0], -1.0), strip_leg(&L, k[1], lm[1], sd[1], inv_sd[1], -1.0));
    vd cv = vd_sub(strip_leg(&L, k[2], lm[2], sd[2], inv_sd[2], 1.0), strip_leg(&L, k[3], lm[3], sd[3], inv_sd[3], 1.0));
    return vd_max(vd_add(pv, cv), v1(0.0));
}

/* strike of delta d1 (the d1 of the target delta): two passes through the skew, the first at the
 * at-the-money vol (the strike is then rounded to the grid, far coarser than the iteration error) */
static inline vd strike_for_d1(const alvh_book_consts *c, vd s, const spx_var *sv, double t, double d1)
{
    if (c->qtab)
        return qstrike_for_d1(c, s, sv, t, d1);
    strip_life L = strip_life_of(c, s, sv->v, v1(t));
    vd fwd = vd_mul(s, v1(exp((c->r_ann - c->q_ann) * t)));
    vd k = fwd;
    for (int it = 0; it < 2; it++) {
        vd sd = strip_sd(&c->p.condor.skew, &L, vd_sub(vmath_log(k), L.ln_fwd));
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

/* short put and call factors of the condor signals (book_condor_signal_impl.h) */
static inline void condor_strike_factors(const alvh_book_consts *c, const alvh_book_state *s, const size_t *idx,
                                         vd *f_put, vd *f_call);

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
        double t_spx[ALVH_W], t_var[ALVH_W], t_v1[ALVH_W], t_v2[ALVH_W];
        for (size_t j = 0; j < ALVH_W; j++) {
            /* padding lanes repeat the first lane: clean arithmetic, never stored */
            idx[j] = (size_t)s->c_idx[k + (j < m ? j : 0)];
            t_spx[j] = mk->spx[idx[j]];
            t_var[j] = mk->v[idx[j]];
            t_v1[j] = mk->v1 ? mk->v1[idx[j]] : t_var[j];
            t_v2[j] = mk->v1 && mk->v2 ? mk->v2[idx[j]] : 0.0;
        }
        vd spx = vd_load(t_spx);
        const spx_var sv = {vd_load(t_var), vd_load(t_v1), vd_load(t_v2)};
        vd kps0 = strike_for_d1(c, spx, &sv, te, -c->c_zp), kcs0 = strike_for_d1(c, spx, &sv, te, c->c_zc);
        if (c->q_on) { /* SPX RSI and breadth move the short strikes (book_condor_signal_impl.h) */
            vd fp, fc;
            condor_strike_factors(c, s, idx, &fp, &fc);
            kps0 = vd_mul(kps0, fp), kcs0 = vd_mul(kcs0, fc);
        }
        vd nkps = vd_mul(vd_round(vd_div(kps0, v1(grid))), v1(grid));
        vd nkcs = vd_mul(vd_round(vd_div(kcs0, v1(grid))), v1(grid));
        vd nkpl = vd_max(vd_sub(nkps, v1(w)), v1(grid)), nkcl = vd_add(nkcs, v1(w));
        const vd nk[4] = {nkps, nkpl, nkcs, nkcl};
        const vd nlk[4] = {vmath_log(nkps), vmath_log(nkpl), vmath_log(nkcs), vmath_log(nkcl)};
        vd val = condor_value(c, spx, &sv, v1(te), zero, nk, nlk); /* life slot 0: the entry life */
        vd cr = vd_sub(val, v1(legs * p->condor.slippage_pts)); /* net credit per share */
        vm ok = vm_and(vd_lt(zero, cr), vd_lt(cr, v1(w)));
        vd risk = vd_mul(vd_sub(v1(w), cr), v1(mult));
        vd nct = vd_div(v1(p->condor.max_loss_frac * p->capital_usd), vd_max(risk, v1(1e-300)));
        vd cash_in = vd_sub(vd_mul(vd_mul(cr, v1(mult)), nct), vd_mul(v1(legs * p->condor.commission_usd), nct));
        vd mark = vd_mul(vd_mul(val, v1(mult)), nct);
        double o_ok[ALVH_W], o_kps[ALVH_W], o_kpl[ALVH_W], o_kcs[ALVH_W], o_kcl[ALVH_W], o_n[ALVH_W], o_cr[ALVH_W];
        double o_cash[ALVH_W], o_mark[ALVH_W], o_lk[4][ALVH_W];
        for (int l = 0; l < 4; l++)
            vd_store(o_lk[l], nlk[l]);
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
            for (int l = 0; l < 4; l++)
                s->c_lk[(size_t)l * s->ld + i] = o_lk[l][j];
            s->c_exp[i] = fstep + (double)c->c_life_steps;
            s->c_cash[i] += o_cash[j];
            s->c_mark[i] = o_mark[j];
            s->m_pnl[(size_t)ALVH_LAYER_CONDOR * s->ld + i] = s->c_cash[i] - s->c_mark[i];
        }
    }
}

#include "kernels/book_layers_impl.h"
#include "kernels/book_lp_impl.h"
#include "kernels/book_cover_impl.h"
#include "kernels/book_irr_impl.h"
#include "kernels/book_runway_impl.h"
#include "kernels/book_eth_puts_impl.h"

/* The cash account and equity, after the layers (and the condor entries):
 * the balance is the capital plus every layer's cash flows (premiums, fees,
 * margin postings and returns; the farm's stake purchase) plus the interest
 * so far, and earns the cash rate over the next step. Equity is the capital
 * plus the layers' P&L (summed in layer order), the P&L of layers stepped
 * elsewhere and the interest; then its running peak and the drawdown. */
static void metrics(const alvh_book_consts *c, unsigned layers, int moving, size_t n, const alvh_book_state *s)
{
    const double cap = c->p.capital_usd, rdt = c->a_rate_dt;
    const double stake0 = (layers >> ALVH_LAYER_FARM & 1) ? c->p.farm.stake_frac * cap : 0.0;
    double *const flows[ALVH_LAYER_COUNT] = {s->c_cash, s->x_cash, s->f_cash, s->p_cash, s->u_cash, s->k_cash, s->b_cash,
                                              s->l_cash, s->v_cash, s->e_cash};
    for (size_t i = 0; i < n; i += ALVH_W) {
        size_t m = n - i < ALVH_W ? n - i : ALVH_W;
        vd carry = LD(s->a_carry), bench = LD(s->a_bench);
        if (moving) {
            carry = vd_fma(LD(s->a_bal), v1(rdt), carry);
            bench = vd_fma(vd_add(v1(cap), bench), v1(rdt), bench);
        }
        vd bal = vd_add(v1(cap - stake0), carry);
        for (int l = 0; l < ALVH_LAYER_COUNT; l++)
            if (layers >> l & 1)
                bal = vd_add(bal, LD(flows[l]));
        if (s->ext_cash)
            bal = vd_add(bal, LD(s->ext_cash));
        /* the rows of layers not on are 0: skipped (the equity is the same bit
         * for bit: only the sign of a zero total could differ, and cap + 0 is cap) */
        vd total = v1(0.0);
        for (int l = 0; l < ALVH_LAYER_COUNT; l++)
            if (layers >> l & 1)
                total = vd_add(total, LD(s->m_pnl + (size_t)l * s->ld));
        if (s->ext_pnl)
            total = vd_add(total, LD(s->ext_pnl));
        vd eq = vd_add(v1(cap), vd_add(total, carry));
        vd peak = vd_max(LD(s->m_peak), eq);
        ST(s->a_carry, carry);
        ST(s->a_bench, bench);
        ST(s->a_bal, bal);
        ST(s->m_peak, peak);
        ST(s->m_dd, vd_max(LD(s->m_dd), vd_sub(peak, eq)));
        ST(s->m_equity, eq);
    }
}

/*
 * One step, in this order, each for its reason:
 *   1. farm accrual: exploits and emission cuts hit the stake first, rewards
 *      accrue on what is left, and a harvest adds them before anyone reads it;
 *      1b-1c. the IRR rule, then the runway rule, scale the stake;
 *   2. calls: assignment delivers harvested tokens out of the stake, so it
 *      follows the harvest and precedes every layer that sizes on the stake;
 *   3. borrow: the health factor is measured on the stake after exploits and
 *      deliveries; a liquidation seizes from it;
 *   4. perp and 5. puts hedge the stake that is left after seizures;
 *   6. the farm's P&L is taken once 2-3 have moved tokens in or out;
 *   6a. cover: claims on the step's exploit loss (1.), premium and the
 *       new cover on the stake as 2-3 left it;
 *   6b. lp reads only the market (its own pool);
 *   7. condor and 8. VIX read only the market (the engine steps them once for
 *      all variants), then condor entries on the packed list of lanes;
 *   9. the cash account and the metrics see every layer's final state.
 */
void ALVH_ISA_SUFFIX(alvh_book_step)(const alvh_book_consts *c, unsigned layers, size_t step, size_t n,
                                     const alvh_book_state *s, const alvh_book_market *mk)
{
    const alvh_book_params *p = &c->p;
    const int on_c = layers >> ALVH_LAYER_CONDOR & 1, on_x = layers >> ALVH_LAYER_VIX & 1;
    const int on_f = layers >> ALVH_LAYER_FARM & 1, on_p = layers >> ALVH_LAYER_PERP & 1;
    const int on_u = layers >> ALVH_LAYER_PUTS & 1, on_k = layers >> ALVH_LAYER_CALLS & 1;
    const int on_b = layers >> ALVH_LAYER_BORROW & 1, on_l = layers >> ALVH_LAYER_LP & 1;
    const int on_v = layers >> ALVH_LAYER_COVER & 1, on_e = layers >> ALVH_LAYER_ETH_PUTS & 1;
    const double t_now = (double)step * c->dt;
    const int moving = step > 0; /* step 0 opens positions, nothing accrues */
    const int harvest = moving && step % c->f_every == 0;
    const int put_roll = step % c->u_every == 0;
    const int call_roll = moving && step % c->k_every == 0;
    const int put_exec = c->u_delay > 0 && step % c->u_every == c->u_delay;  /* timelocked purchases */
    const int call_exec = c->k_delay > 0 && step > c->k_every && step % c->k_every == c->k_delay;
    const int vix_buy = step % c->x_every == 0;
    const double emis_t = p->farm.apr0 * exp(-p->farm.apr_decay_ann * t_now) * c->dt;
    const double stake0 = p->farm.stake_frac * p->capital_usd;
    const vd zero = v1(0.0);

    for (size_t i = 0; i < n; i += ALVH_W) {
        size_t m = n - i < ALVH_W ? n - i : ALVH_W;
        book_lanes x = {.c = c, .s = s, .mk = mk, .i = i, .m = m, .step = step, .fstep = (double)step,
                        .moving = moving, .spx = LD(mk->spx), .var = LD(mk->v), .vix = LD(mk->vix),
                        .g = LD(mk->g), .fr = LD(mk->f)};
        vd pnl[ALVH_LAYER_COUNT] = {zero, zero, zero, zero, zero, zero, zero, zero, zero, zero};
        vd min_hf = LD(s->m_min_hf);
        farm_state f = {zero, zero, zero, zero, zero, zero};
        if (on_f) {
            f = farm_load(&x);
            farm_accrue(&x, &f, harvest, on_k, emis_t);
            if (p->irr.on) /* 1b. the stake scaled by the IRR rule before anyone sizes on it */
                irr_rule(&x, &f, emis_t);
            if (p->runway.on && mk->runway) /* 1c. the treasury's runway as a signal on the same stake */
                runway_rule(&x, &f);
        }
        if (on_k)
            pnl[ALVH_LAYER_CALLS] = calls_step(&x, &f, call_roll, call_exec);
        if (on_b)
            pnl[ALVH_LAYER_BORROW] = borrow_step(&x, &f, &min_hf);
        if (on_p)
            pnl[ALVH_LAYER_PERP] = perp_step(&x, f.units);
        if (on_u)
            pnl[ALVH_LAYER_PUTS] = puts_step(&x, f.units, put_roll, put_exec);
        if (on_e) /* 5b. the cross-hedge sizes on the same stake as the puts */
            pnl[ALVH_LAYER_ETH_PUTS] = eth_puts_step(&x, f.units, step % c->e_every == 0);
        if (on_f)
            pnl[ALVH_LAYER_FARM] = farm_store(&x, &f, stake0);
        if (on_v) /* the step's exploit loss, then cover on the stake that is left */
            pnl[ALVH_LAYER_COVER] = cover_step(&x, &f);
        if (on_l) /* reads only the market (book_lp_impl.h) */
            pnl[ALVH_LAYER_LP] = lp_step(&x);
        if (on_c)
            pnl[ALVH_LAYER_CONDOR] = condor_step(&x);
        if (on_x)
            pnl[ALVH_LAYER_VIX] = vix_step(&x, vix_buy);
        for (int l = 0; l < ALVH_LAYER_COUNT; l++)
            ST(s->m_pnl + (size_t)l * s->ld, pnl[l]);
        ST(s->m_min_hf, min_hf);
    }
    if (on_c)
        condor_entries(c, step, n, s, mk);
    metrics(c, layers, moving, n, s);
}

void ALVH_ISA_SUFFIX(alvh_book_metrics)(const alvh_book_consts *c, unsigned layers, size_t step, size_t n,
                                        const alvh_book_state *s)
{
    metrics(c, layers, step > 0, n, s);
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
