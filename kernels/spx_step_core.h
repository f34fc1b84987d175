/*
 * The SPX step pieces shared by the SPX-only kernel (spx_step_impl.h) and the
 * full market kernel (market_step_impl.h): QE and Euler variance steps with the
 * matching log-price step, and the Poisson jumps. Include a backend header first.
 */
#ifndef ALVH_KERNELS_SPX_STEP_CORE_H
#define ALVH_KERNELS_SPX_STEP_CORE_H
#include "kernels/spx_model.h"
#include "kernels/simd/partial.h"
#include "kernels/simd/vmath.h"

/* Andersen's QE step for v and the matching log-price step with the
 * martingale correction K0* (Andersen 2008, sections 3.2.3 and 4.2). Both
 * branches are computed in every lane and blended by psi <= psi_c. */
static inline void qe_step(const alvh_spx_consts *c, vd *ln_s, vd *v, vd zs, vd zv, vd uv)
{
    const vd one = vd_set1(1.0), two = vd_set1(2.0);
    vd v0 = *v;
    vd m = vd_fma(vd_sub(v0, vd_set1(c->theta)), vd_set1(c->e), vd_set1(c->theta));
    vd s2 = vd_fma(v0, vd_set1(c->c1), vd_set1(c->c2));
    vd psi = vd_div(s2, vd_mul(m, m));
    vm quad = vd_le(psi, vd_set1(c->psi_c));

    /* quadratic branch: v' = a (b + Z)^2; lanes with psi > 2 compute a NaN here
     * that the blend discards, so psi is clamped to keep the arithmetic clean */
    vd psi_q = vd_min(psi, vd_set1(c->psi_c));
    vd inv = vd_div(two, psi_q);
    vd b2 = vd_add(vd_sub(inv, one), vd_sqrt(vd_mul(inv, vd_sub(inv, one))));
    vd a = vd_div(m, vd_add(one, b2));
    vd bz = vd_add(vd_sqrt(b2), zv);
    vd v_quad = vd_mul(a, vd_mul(bz, bz));

    /* exponential branch: v' = 0 with probability p, else Exp with rate beta */
    vd psi_e = vd_max(psi, vd_set1(c->psi_c));
    vd p = vd_div(vd_sub(psi_e, one), vd_add(psi_e, one));
    vd beta = vd_div(vd_sub(one, p), m);
    vd ratio = vd_div(vd_sub(one, p), vd_sub(one, uv));
    vd v_exp = vd_blend(vd_le(uv, p), vd_div(vmath_log(vd_max(ratio, one)), beta), vd_set1(0.0));

    vd v1 = vd_blend(quad, v_exp, v_quad);

    /* K0*: quadratic -A b^2 a / (1 - 2 A a) + ln(1 - 2 A a) / 2;
     * exponential -ln(p + beta (1 - p) / (beta - A)). One log for both. */
    const vd A = vd_set1(c->a_mart);
    vd one_m2aa = vd_sub(one, vd_mul(vd_mul(two, A), a));
    vd arg_e = vd_add(p, vd_div(vd_mul(beta, vd_sub(one, p)), vd_sub(beta, A)));
    vd arg = vd_blend(quad, arg_e, one_m2aa);
    /* where A >= 1/(2a) or A >= beta the correction does not exist (very large
     * dt or xi): fall back to the uncorrected K0 there */
    vm ok = vd_lt(vd_set1(0.0), arg);
    vd L = vmath_log(vd_blend(ok, one, arg));
    vd k0q = vd_fma(vd_set1(0.5), L, vd_div(vd_mul(vd_mul(A, b2), a), vd_sub(vd_set1(0.0), one_m2aa)));
    vd k0_star = vd_blend(quad, vd_sub(vd_set1(0.0), L), k0q);
    k0_star = vd_sub(k0_star, vd_mul(vd_set1(c->k1 + 0.5 * c->k3), v0));
    vd k0 = vd_blend(ok, vd_set1(c->k0), k0_star);

    vd var_term = vd_sqrt(vd_max(vd_fma(vd_set1(c->k3), v0, vd_mul(vd_set1(c->k4), v1)), vd_set1(0.0)));
    vd dx = vd_add(vd_set1(c->drift_dt), k0);
    dx = vd_fma(vd_set1(c->k1), v0, dx);
    dx = vd_fma(vd_set1(c->k2), v1, dx);
    dx = vd_fma(var_term, zs, dx);
    *ln_s = vd_add(*ln_s, dx);
    *v = v1;
}

/* Full-truncation Euler (Lord, Koekkoek and van Dijk 2010). */
static inline void euler_step(const alvh_spx_consts *c, vd *ln_s, vd *v, vd zs, vd zv)
{
    vd vp = vd_max(*v, vd_set1(0.0));
    vd sq = vd_mul(vd_sqrt(vp), vd_set1(c->sqrt_dt));
    vd w_s = vd_fma(vd_set1(c->rho), zv, vd_mul(vd_set1(c->sqrt_1mr2), zs));
    vd dx = vd_fma(vd_set1(-0.5 * c->dt), vp, vd_set1(c->drift_dt));
    *ln_s = vd_add(*ln_s, vd_fma(sq, w_s, dx));
    vd dv = vd_mul(vd_set1(c->kappa * c->dt), vd_sub(vd_set1(c->theta), vp));
    *v = vd_add(*v, vd_fma(vd_mul(vd_set1(c->xi), sq), zv, dv));
}

/* Poisson jumps at common times: N in {0, 1, 2}; log-price jump is the sum of
 * N normals, N(N mu_J, N delta_J^2); variance jump the sum of N exponentials,
 * Gamma(N, mu_v) = -mu_v ln(U1 U2^[N=2]). Returns N as a double and the total
 * log-price jump in *y_out. */
static inline vd jump_step(const alvh_spx_consts *c, vd *ln_s, vd *v, vd un, vd zj, vd u1, vd u2, vd *y_out)
{
    const vd zero = vd_set1(0.0), one = vd_set1(1.0);
    vm ge1 = vd_lt(vd_set1(c->p_le0), un), ge2 = vd_lt(vd_set1(c->p_le1), un);
    vd nj = vd_add(vd_blend(ge1, zero, one), vd_blend(ge2, zero, one));
    vd y = vd_fma(vd_sqrt(nj), vd_mul(vd_set1(c->delta_j), zj), vd_mul(nj, vd_set1(c->mu_j)));
    *ln_s = vd_add(*ln_s, y);
    *y_out = y;
    if (c->mu_v > 0.0) {
        /* 1 - U lies in (0, 1], so the log is finite */
        vd prod = vd_mul(vd_sub(one, u1), vd_blend(ge2, one, vd_sub(one, u2)));
        vd jv = vd_mul(vd_set1(-c->mu_v), vmath_log(prod));
        *v = vd_add(*v, vd_blend(ge1, zero, jv));
    }
    return nj;
}
#endif
