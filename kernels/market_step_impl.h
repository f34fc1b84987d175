/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One step of the full market (market_model.h) for n paths, written once and
 * compiled per ISA (kernels/CMakeLists.txt). The state is
 * updated in place; the step's VIX and event counts are written to ev. The
 * dense draw rows are read in every lane, the event rows only in lanes with an
 * event (draw layout: market_model.c).
 */
#include "kernels/market_model.h"
#include "kernels/spx_step_core.h"

/* [t0 < u] + [t1 < u] as a double */
static inline vd count2(vd u, vd t0, vd t1)
{
    const vd zero = vd_set1(0.0), one = vd_set1(1.0);
    return vd_add(vd_blend(vd_lt(t0, u), zero, one), vd_blend(vd_lt(t1, u), zero, one));
}

/* sqrt(N) for N in {0, 1, 2}, without a square root */
static inline vd sqrt_count(vd nk)
{
    return vd_blend(vd_lt(vd_set1(1.0), nk), nk, vd_set1(1.41421356237309504880));
}

#define ROW(base, r) ((base) + (size_t)(r) * ld + i)

/*
 * The event part of a step, for a group of lanes of which at least one has an
 * event (evm). The counts come from the event rows: N_J from its law given an
 * event; N_gov from its own law when N_J >= 1, else given (N_gov, N_hack) !=
 * (0, 0); N_hack from its own law when N_J + N_gov >= 1, else given N_hack >= 1.
 * Every contribution is blended in by its lane's own count, so a lane without
 * an event keeps its state bit for bit and its event rows are never used,
 * whatever they hold (the engine draws them only where an event happens).
 */
static inline void event_step(const alvh_market_consts *c, const double *restrict normals,
                              const double *restrict uniforms, size_t ld, size_t i, size_t m, vm evm, vd *x, vd *v,
                              vd *g, vd *e, vd *nj_out, vd *n_up_out, vd *n_dn_out, vd *nh_out)
{
    const vd zero = vd_set1(0.0), one = vd_set1(1.0);
    const alvh_spx_consts *sc = &c->spx;
    vd nj = zero, ng = zero, nh = zero, n_up = zero, n_dn = zero, u_g = zero, g_lo = zero, g_hi = zero;
    if (sc->has_jumps)
        nj = vd_blend(evm, zero,
                      count2(vd_load_n(ROW(uniforms, c->r_ucj), m), vd_set1(c->cj_t0), vd_set1(c->cj_t1)));
    vm jm = vd_lt(zero, nj);
    if (c->has_gov) {
        u_g = vd_load_n(ROW(uniforms, c->r_ucg), m);
        g_lo = vd_blend(jm, vd_set1(c->cg_t0), vd_set1(c->gov_p_le0));
        g_hi = vd_blend(jm, vd_set1(c->cg_t1), vd_set1(c->gov_p_le1));
        ng = vd_blend(evm, zero, count2(u_g, g_lo, g_hi));
    }
    if (c->has_hack) {
        vd u_h = vd_load_n(ROW(uniforms, c->r_uch), m);
        vd free_h = count2(u_h, vd_set1(c->hack_p_le0), vd_set1(c->hack_p_le1));
        vd only_h = vd_add(one, vd_blend(vd_lt(vd_set1(c->ch_t1), u_h), zero, one));
        nh = vd_blend(evm, zero, vd_blend(vd_lt(zero, vd_add(nj, ng)), only_h, free_h));
    }

    if (sc->has_jumps && vm_any(jm)) {
        /* SPX: N(N mu_J, N delta_J^2); variance: Gamma(N, mu_v) = -mu_v ln(U1 U2^[N = 2]) */
        vd sq = sqrt_count(nj);
        vd y = vd_fma(sq, vd_mul(vd_set1(sc->delta_j), vd_load_n(ROW(normals, c->r_zj), m)),
                      vd_mul(nj, vd_set1(sc->mu_j)));
        *x = vd_blend(jm, *x, vd_add(*x, y));
        if (c->r_ujv1 >= 0) {
            /* 1 - U lies in (0, 1], so the log is finite */
            vd u1 = vd_load_n(ROW(uniforms, c->r_ujv1), m), u2 = vd_load_n(ROW(uniforms, c->r_ujv2), m);
            vd prod = vd_mul(vd_sub(one, u1), vd_blend(vd_lt(one, nj), one, vd_sub(one, u2)));
            /* mean jv_mean: mu_v times the jump's average decay in the step */
            vd jv = vd_mul(vd_set1(-c->jv_mean), vmath_log(prod));
            *v = vd_blend(jm, *v, vd_add(*v, jv)); /* v: the factor that takes the jumps */
        }
        if (c->e_beta_j != 0.0)
            *e = vd_blend(jm, *e, vd_fma(vd_set1(c->e_beta_j), y, *e));
        if (c->has_contagion) {
            /* token: beta_J Y + N(0, N delta_c^2) */
            vd cj = vd_mul(vd_set1(c->beta_j), y);
            if (c->r_zc >= 0)
                cj = vd_fma(vd_mul(sq, vd_set1(c->delta_c)), vd_load_n(ROW(normals, c->r_zc), m), cj);
            *g = vd_blend(jm, *g, vd_add(*g, cj));
        }
    }
    vm gm = vd_lt(zero, ng);
    if (c->has_gov && vm_any(gm)) {
        /* the position of u_g in its count's interval is a fresh uniform w: it
         * splits the shocks into up and down, K ups given N:
         * N = 1 -> [w < p]; N = 2 -> 2 [w < p^2] + [p^2 <= w < p^2 + 2p(1-p)] */
        vm two = vd_lt(one, ng);
        vd lo = vd_blend(two, g_lo, g_hi), width = vd_blend(two, vd_sub(g_hi, g_lo), vd_sub(one, g_hi));
        vd w = vd_div(vd_sub(u_g, lo), width);
        vd k1 = vd_blend(vd_lt(w, vd_set1(c->p_up)), zero, one);
        vd k2 = vd_add(vd_blend(vd_lt(w, vd_set1(c->p_up2)), zero, one),
                       vd_blend(vd_lt(w, vd_set1(c->p_up_any)), zero, one));
        n_up = vd_blend(two, vd_blend(gm, zero, k1), k2);
        n_dn = vd_sub(ng, n_up);
        vd mean = vd_fma(n_up, vd_set1(c->mu_up), vd_mul(n_dn, vd_set1(c->mu_dn)));
        vd sd = vd_sqrt(vd_fma(n_up, vd_set1(c->d_up2), vd_mul(n_dn, vd_set1(c->d_dn2))));
        *g = vd_blend(gm, *g, vd_add(*g, vd_fma(sd, vd_load_n(ROW(normals, c->r_zgov), m), mean)));
    }
    vm hm = vd_lt(zero, nh);
    if (c->has_hack && vm_any(hm)) {
        vd jh = vd_fma(vd_mul(sqrt_count(nh), vd_set1(c->d_hack)), vd_load_n(ROW(normals, c->r_zhack), m),
                       vd_mul(nh, vd_set1(c->mu_hack)));
        *g = vd_blend(hm, *g, vd_add(*g, jh));
    }
    *nj_out = nj;
    *n_up_out = n_up;
    *n_dn_out = n_dn;
    *nh_out = nh;
}

void ALVH_ISA_SUFFIX(alvh_market_step)(const alvh_market_consts *c, size_t n, const alvh_market_state *s,
                                       const double *restrict normals, const double *restrict uniforms, size_t ld,
                                       const alvh_market_events *ev)
{
    const vd zero = vd_set1(0.0), one = vd_set1(1.0);
    const alvh_spx_consts *sc = &c->spx;
    for (size_t i = 0; i < n; i += ALVH_W) {
        size_t m = n - i < ALVH_W ? n - i : ALVH_W;
        vd x = vd_load_n(s->ln_s + i, m), v = vd_load_n(s->v + i, m);
        vd g = vd_load_n(s->ln_g + i, m), f = vd_load_n(s->f + i, m);
        vd zs = vd_load_n(ROW(normals, c->r_zs), m), zv = vd_load_n(ROW(normals, c->r_zv), m);
        vd zg = vd_load_n(ROW(normals, c->r_zg), m), zf = vd_load_n(ROW(normals, c->r_zf), m);
        vd v2 = zero, zv2 = zero, e = zero;
        if (c->two_factor) {
            v2 = vd_load_n(s->v2 + i, m);
            zv2 = vd_load_n(ROW(normals, c->r_zv2), m);
        }
        if (c->has_eth)
            e = vd_load_n(s->ln_e + i, m);

        /* token diffusion with the vol of the VIX at the start of the step */
        vd vix2 = vd_fma(vd_set1(c->vix.alpha), vd_max(v, zero), vd_set1(c->vix.beta));
        if (c->two_factor)
            vix2 = vd_fma(vd_set1(c->vix.alpha2), vd_max(v2, zero), vix2);
        vd sig = vd_set1(c->sigma0);
        if (c->vol_coupled) {
            vd ratio = vd_max(vd_mul(vix2, vd_set1(c->inv_vix_ref2)), vd_set1(1e-12));
            if (c->vol_coupled == 1)
                sig = vd_mul(sig, vd_sqrt(ratio));
            else
                sig = vd_mul(sig, vmath_exp(vd_mul(vd_set1(c->half_gamma), vmath_log(ratio))));
        }
        sig = vd_min(sig, vd_set1(c->sigma_max));
        vd wg = vd_fma(vd_set1(c->l_gv), zv, vd_fma(vd_set1(c->l_gs), zs, vd_mul(vd_set1(c->l_gg), zg)));
        vd dg = vd_fma(vd_mul(vd_set1(-c->g_half_dt), sig), sig, vd_set1(c->g_mu_dt));
        g = vd_add(g, vd_fma(vd_mul(sig, vd_set1(c->sqrt_dt)), wg, dg));
        if (c->has_eth) {
            /* ETH: the token's VIX-scaled vol times a constant ratio; its row of
             * the 5x5 Cholesky factor */
            vd ze = vd_load_n(ROW(normals, c->r_ze), m);
            vd sig_e = vd_mul(sig, vd_set1(c->e_ratio));
            vd we = vd_fma(vd_set1(c->l_e[0]), zv, vd_fma(vd_set1(c->l_e[1]), zs, vd_fma(vd_set1(c->l_e[2]), zg,
                                                    vd_fma(vd_set1(c->l_e[3]), zf, vd_mul(vd_set1(c->l_e[4]), ze)))));
            vd de = vd_fma(vd_mul(vd_set1(-c->g_half_dt), sig_e), sig_e, vd_set1(c->e_mu_dt));
            e = vd_add(e, vd_fma(vd_mul(sig_e, vd_set1(c->sqrt_dt)), we, de));
        }

        /* funding, exact OU step, before v and z are reused */
        vd wf = vd_fma(vd_set1(c->l_fv), zv, vd_fma(vd_set1(c->l_fs), zs, vd_fma(vd_set1(c->l_fg), zg,
                                                                              vd_mul(vd_set1(c->l_ff), zf))));
        f = vd_fma(vd_sub(f, vd_set1(c->f_bar)), vd_set1(c->f_e), vd_fma(vd_set1(c->f_sd), wf, vd_set1(c->f_bar)));

        /* u_e: whether anything happens; its position in [0, P0] (quiet) or
         * (P0, 1) (event) is a fresh uniform, the QE step's */
        vd ue = zero;
        vm evm = vd_lt(one, zero);
        if (c->r_ue >= 0) {
            ue = vd_load_n(ROW(uniforms, c->r_ue), m);
            evm = vd_lt(vd_set1(c->p_quiet), ue);
        }
        if (sc->scheme == ALVH_SCHEME_QE) {
            vd uv = vd_blend(evm, vd_mul(ue, vd_set1(c->inv_quiet)),
                             vd_mul(vd_sub(ue, vd_set1(c->p_quiet)), vd_set1(c->inv_loud)));
            uv = vd_min(uv, vd_set1(0x1.fffffffffffffp-1));
            if (c->two_factor)
                qe_step2(sc, &c->spx2, &x, &v, &v2, zs, zv, uv, zv2);
            else
                qe_step(sc, &x, &v, zs, zv, uv);
        } else {
            euler_step(sc, &x, &v, zs, zv);
        }

        vd nj = zero, n_up = zero, n_dn = zero, nh = zero;
        if (c->has_events && vm_any(evm))
            event_step(c, normals, uniforms, ld, i, m, evm, &x, c->two_factor ? &v2 : &v, &g, &e, &nj, &n_up, &n_dn,
                       &nh);
        vd_store_n(ev->n_jump + i, m, nj);
        vd_store_n(ev->n_gov_up + i, m, n_up);
        vd_store_n(ev->n_gov_dn + i, m, n_dn);
        vd_store_n(ev->n_hack + i, m, nh);

        vd vix_end2 = vd_fma(vd_set1(c->vix.alpha), vd_max(v, zero), vd_set1(c->vix.beta));
        if (c->two_factor) {
            vix_end2 = vd_fma(vd_set1(c->vix.alpha2), vd_max(v2, zero), vix_end2);
            vd_store_n(s->v2 + i, m, v2);
        }
        if (c->has_eth)
            vd_store_n(s->ln_e + i, m, e);
        vd_store_n(ev->vix + i, m, vd_sqrt(vix_end2));
        vd_store_n(s->ln_s + i, m, x);
        vd_store_n(s->v + i, m, v);
        vd_store_n(s->ln_g + i, m, g);
        vd_store_n(s->f + i, m, f);
    }
}
#undef ROW
