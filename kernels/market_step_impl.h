/*
 * One step of the full market (market_model.h) for n paths, written once and
 * compiled per ISA (market_step_scalar.c, _avx2.c, _avx512.c). The state is
 * updated in place; the step's VIX and event counts are written to ev.
 */
#include "kernels/market_model.h"
#include "kernels/spx_step_core.h"

/* Recycles the count's uniform: given N = 1 (u in (p0, p1]) or N = 2 (u > p1),
 * the rescaled position of u in its interval is a fresh uniform. */
static inline vd recycle_uniform(vd u, vd nj, double p0, double p1)
{
    const vd one = vd_set1(1.0);
    vm two = vd_lt(one, nj);
    vd lo = vd_blend(two, vd_set1(p0), vd_set1(p1));
    vd width = vd_blend(two, vd_set1(p1 - p0), vd_set1(1.0 - p1));
    return vd_div(vd_sub(u, lo), width);
}

static inline vd poisson_count(vd u, double p0, double p1)
{
    const vd zero = vd_set1(0.0), one = vd_set1(1.0);
    return vd_add(vd_blend(vd_lt(vd_set1(p0), u), zero, one), vd_blend(vd_lt(vd_set1(p1), u), zero, one));
}

#define ROW(base, r) ((base) + (size_t)(r) * ld + i)

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

        /* token diffusion with the vol of the VIX at the start of the step */
        vd vix2 = vd_fma(vd_set1(c->vix.alpha), vd_max(v, zero), vd_set1(c->vix.beta));
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

        /* funding, exact OU step, before v and z are reused */
        vd wf = vd_fma(vd_set1(c->l_fv), zv, vd_fma(vd_set1(c->l_fs), zs, vd_fma(vd_set1(c->l_fg), zg,
                                                                              vd_mul(vd_set1(c->l_ff), zf))));
        f = vd_fma(vd_sub(f, vd_set1(c->f_bar)), vd_set1(c->f_e), vd_fma(vd_set1(c->f_sd), wf, vd_set1(c->f_bar)));

        if (sc->scheme == ALVH_SCHEME_QE)
            qe_step(sc, &x, &v, zs, zv, vd_load_n(ROW(uniforms, c->r_uv), m));
        else
            euler_step(sc, &x, &v, zs, zv);

        if (sc->has_jumps) {
            vd u1 = zero, u2 = zero, y;
            if (c->r_ujv1 >= 0) {
                u1 = vd_load_n(ROW(uniforms, c->r_ujv1), m);
                u2 = vd_load_n(ROW(uniforms, c->r_ujv2), m);
            }
            vd nj = jump_step(sc, &x, &v, vd_load_n(ROW(uniforms, c->r_un), m), vd_load_n(ROW(normals, c->r_zj), m),
                              u1, u2, &y);
            vd_store_n(ev->n_jump + i, m, nj);
            if (c->has_contagion) {
                vd cj = vd_mul(vd_set1(c->beta_j), y);
                if (c->r_zc >= 0)
                    cj = vd_fma(vd_mul(vd_sqrt(nj), vd_set1(c->delta_c)), vd_load_n(ROW(normals, c->r_zc), m), cj);
                g = vd_add(g, cj);
            }
        } else {
            vd_store_n(ev->n_jump + i, m, zero);
        }

        vd n_up = zero, n_dn = zero;
        if (c->has_gov) {
            vd u = vd_load_n(ROW(uniforms, c->r_ugov), m);
            vd ng = poisson_count(u, c->gov_p_le0, c->gov_p_le1);
            vd w = recycle_uniform(u, ng, c->gov_p_le0, c->gov_p_le1);
            /* up count K: N = 1 -> [w < p]; N = 2 -> 2 [w < p^2] + [p^2 <= w < p^2 + 2p(1-p)] */
            vd k1 = vd_blend(vd_lt(w, vd_set1(c->p_up)), zero, one);
            vd k2 = vd_add(vd_blend(vd_lt(w, vd_set1(c->p_up2)), zero, one),
                           vd_blend(vd_lt(w, vd_set1(c->p_up_any)), zero, one));
            n_up = vd_blend(vd_lt(one, ng), vd_blend(vd_lt(zero, ng), zero, k1), k2);
            n_dn = vd_sub(ng, n_up);
            vd mean = vd_fma(n_up, vd_set1(c->mu_up), vd_mul(n_dn, vd_set1(c->mu_dn)));
            vd sd = vd_sqrt(vd_fma(n_up, vd_set1(c->d_up2), vd_mul(n_dn, vd_set1(c->d_dn2))));
            g = vd_add(g, vd_fma(sd, vd_load_n(ROW(normals, c->r_zgov), m), mean));
        }
        vd_store_n(ev->n_gov_up + i, m, n_up);
        vd_store_n(ev->n_gov_dn + i, m, n_dn);

        vd nh = zero;
        if (c->has_hack) {
            nh = poisson_count(vd_load_n(ROW(uniforms, c->r_uhack), m), c->hack_p_le0, c->hack_p_le1);
            vd jh = vd_fma(vd_mul(vd_sqrt(nh), vd_set1(c->d_hack)), vd_load_n(ROW(normals, c->r_zhack), m),
                           vd_mul(nh, vd_set1(c->mu_hack)));
            g = vd_add(g, jh);
        }
        vd_store_n(ev->n_hack + i, m, nh);

        vd vix_end = vd_sqrt(vd_fma(vd_set1(c->vix.alpha), vd_max(v, zero), vd_set1(c->vix.beta)));
        vd_store_n(ev->vix + i, m, vix_end);
        vd_store_n(s->ln_s + i, m, x);
        vd_store_n(s->v + i, m, v);
        vd_store_n(s->ln_g + i, m, g);
        vd_store_n(s->f + i, m, f);
    }
}
#undef ROW
