/* SPDX-License-Identifier: BSD-3-Clause */
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
#include "kernels/simd/vmath_normal.h"

/* x / (1 - x) and -ln(1 - x) for |x| <= 1/64 by their series to x^9: the
 * first omitted terms are below 2^-54 |x|. Written x + x^2 (...) so the
 * leading term is exact and the rest, at most |x| of the result, carries the
 * rounding; the polynomials in Estrin's form keep the dependency chains short. */
static inline void small_x_series(vd x, vd *frac, vd *neg_log)
{
    const vd one = vd_set1(1.0);
    vd x2 = vd_mul(x, x), x4 = vd_mul(x2, x2);
    /* 1 + x + ... + x^7 = (1 + x)(1 + x^2)(1 + x^4) */
    vd f = vd_mul(vd_mul(vd_add(one, x), vd_add(one, x2)), vd_add(one, x4));
    /* 1/2 + x/3 + x^2/4 + ... + x^7/9 */
    vd l01 = vd_fma(vd_set1(1.0 / 3), x, vd_set1(1.0 / 2)), l23 = vd_fma(vd_set1(1.0 / 5), x, vd_set1(1.0 / 4));
    vd l45 = vd_fma(vd_set1(1.0 / 7), x, vd_set1(1.0 / 6)), l67 = vd_fma(vd_set1(1.0 / 9), x, vd_set1(1.0 / 8));
    vd l = vd_fma(vd_fma(l67, x2, l45), x4, vd_fma(l23, x2, l01));
    *frac = vd_fma(x2, f, x);
    *neg_log = vd_fma(x2, l, x);
}

/* Andersen's QE step for v and the matching log-price step with the
 * martingale correction K0* (Andersen 2008, sections 3.2.3 and 4.2).
 *
 * Every lane computes the quadratic branch. Its K0* depends on x = 2 A a, which
 * is of order xi^2 dt (about 1e-3 for daily steps): where |x| <= 1/64 it comes
 * from series (no log, no division). The exponential branch (psi > psi_c: small
 * v or large xi) and the exact K0* of the other lanes are computed only when a
 * lane of the group needs them, and blended in per lane, so a lane's result
 * never depends on its neighbours. uv is read only by the exponential branch.
 * uv_from_z: the branch's uniform is Phi(zv), computed only when a lane needs
 * it; a lane in the exponential branch does not use zv otherwise, so Phi(zv)
 * is uniform and independent of the rest of the step (the second factor's
 * uniform costs no draw). */
static inline void qe_var(const alvh_spx_consts *c, vd v0, vd zv, vd uv, int uv_from_z, vd *v_new, vd *k0_out)
{
    const vd zero = vd_set1(0.0), one = vd_set1(1.0), two = vd_set1(2.0);
    vd m = vd_fma(vd_sub(v0, vd_set1(c->theta)), vd_set1(c->e), vd_set1(c->theta));
    vd s2 = vd_fma(v0, vd_set1(c->c1), vd_set1(c->c2));
    vd m2 = vd_mul(m, m);
    /* psi = s2 / m^2 <= psi_c, without the division; s2 = 0 (only with v = 0
     * and theta = 0, where m = 0 too) takes the exponential branch */
    vm quad = vm_and(vd_le(s2, vd_mul(vd_set1(c->psi_c), m2)), vd_lt(zero, s2));

    /* quadratic branch: v' = a (b + Z)^2 with 2/psi clamped to >= 2/psi_c, so
     * the lanes that take the other branch compute finite numbers here */
    vd inv = vd_max(vd_div(vd_mul(two, m2), s2), vd_set1(2.0 / c->psi_c));
    vd b2 = vd_add(vd_sub(inv, one), vd_sqrt(vd_mul(inv, vd_sub(inv, one))));
    vd a = vd_div(m, vd_add(one, b2));
    vd bz = vd_add(vd_sqrt(b2), zv);
    vd v1 = vd_mul(a, vd_mul(bz, bz));

    /* K0* of the quadratic branch: -A b^2 a / (1 - 2 A a) + ln(1 - 2 A a) / 2
     * = -(b^2 / 2) x / (1 - x) - (-ln(1 - x)) / 2 with x = 2 A a */
    const vd A = vd_set1(c->a_mart);
    vd x2 = vd_mul(vd_mul(two, A), a);
    vm series = vm_and(quad, vd_le(vd_abs(x2), vd_set1(1.0 / 64.0)));
    vd frac, neg_log;
    small_x_series(x2, &frac, &neg_log);
    vd k0 = vd_fma(vd_mul(vd_set1(-0.5), b2), frac, vd_mul(vd_set1(-0.5), neg_log));
    k0 = vd_sub(k0, vd_mul(vd_set1(c->k1 + 0.5 * c->k3), v0));

    if (vm_any(vm_not(series))) {
        vd one_m2aa = vd_sub(one, x2);
        vd arg = one_m2aa;
        if (vm_any(vm_not(quad))) {
            /* exponential branch: v' = 0 with probability p, else Exp with rate beta */
            if (uv_from_z)
                uv = vd_min(vmath_ncdf(zv), vd_set1(0x1.fffffffffffffp-1));
            vd psi_e = vd_max(vd_div(s2, m2), vd_set1(c->psi_c));
            vd p = vd_div(vd_sub(psi_e, one), vd_add(psi_e, one));
            vd beta = vd_div(vd_sub(one, p), m);
            vd ratio = vd_div(vd_sub(one, p), vd_sub(one, uv));
            vd v_exp = vd_blend(vd_le(uv, p), vd_div(vmath_log(vd_max(ratio, one)), beta), zero);
            v1 = vd_blend(quad, v_exp, v1);
            /* K0* of the exponential branch: -ln(p + beta (1 - p) / (beta - A)) */
            vd arg_e = vd_add(p, vd_div(vd_mul(beta, vd_sub(one, p)), vd_sub(beta, A)));
            arg = vd_blend(quad, arg_e, one_m2aa);
        }
        /* where A >= 1/(2a) or A >= beta the correction does not exist (very
         * large dt or xi): fall back to the uncorrected K0 there */
        vm ok = vd_lt(zero, arg);
        vd L = vmath_log(vd_blend(ok, one, arg));
        vd k0q = vd_fma(vd_set1(0.5), L, vd_div(vd_mul(vd_mul(A, b2), a), vd_sub(zero, one_m2aa)));
        vd k0_star = vd_blend(quad, vd_sub(zero, L), k0q);
        k0_star = vd_sub(k0_star, vd_mul(vd_set1(c->k1 + 0.5 * c->k3), v0));
        k0 = vd_blend(series, vd_blend(ok, vd_set1(c->k0), k0_star), k0);
    }

    *v_new = v1;
    *k0_out = k0;
}

/* One QE step of v and ln S: the variance step above, then the log-price step
 * ln S += K0* + K1 v + K2 v' + sqrt(K3 v + K4 v') Z_s. */
static inline void qe_step(const alvh_spx_consts *c, vd *ln_s, vd *v, vd zs, vd zv, vd uv)
{
    vd v0 = *v, v1, k0;
    qe_var(c, v0, zv, uv, 0, &v1, &k0);
    vd var_term = vd_sqrt(vd_max(vd_fma(vd_set1(c->k3), v0, vd_mul(vd_set1(c->k4), v1)), vd_set1(0.0)));
    vd dx = vd_add(vd_set1(c->drift_dt), k0);
    dx = vd_fma(vd_set1(c->k1), v0, dx);
    dx = vd_fma(vd_set1(c->k2), v1, dx);
    dx = vd_fma(var_term, zs, dx);
    *ln_s = vd_add(*ln_s, dx);
    *v = v1;
}

/* Two independent QE factors (double Heston): each factor's variance step and
 * its own martingale-corrected drift terms; one residual normal for both,
 * since sqrt(a) Z1 + sqrt(b) Z2 and sqrt(a + b) Z have the same law. The
 * drift of the first factor's constants carries r - q - lambda m_J; the
 * second's is not used. uv: the step's recycled uniform. */
static inline void qe_step2(const alvh_spx_consts *c, const alvh_spx_consts *c2, vd *ln_s, vd *v, vd *v2, vd zs,
                            vd zv, vd uv, vd zv2)
{
    vd v0 = *v, v1, k0, w0 = *v2, w1, k02;
    /* the recycled uniform goes to the second (fast) factor, which is in the
     * exponential branch on most lanes; the slow factor rarely is, and takes
     * Phi(z_v) there (computed only then) */
    qe_var(c, v0, zv, zv, 1, &v1, &k0);
    qe_var(c2, w0, zv2, uv, 0, &w1, &k02);
    vd vt = vd_fma(vd_set1(c->k3), v0, vd_mul(vd_set1(c->k4), v1));
    vt = vd_add(vt, vd_fma(vd_set1(c2->k3), w0, vd_mul(vd_set1(c2->k4), w1)));
    vd var_term = vd_sqrt(vd_max(vt, vd_set1(0.0)));
    vd dx = vd_add(vd_set1(c->drift_dt), vd_add(k0, k02));
    dx = vd_fma(vd_set1(c->k1), v0, dx);
    dx = vd_fma(vd_set1(c->k2), v1, dx);
    dx = vd_fma(vd_set1(c2->k1), w0, dx);
    dx = vd_fma(vd_set1(c2->k2), w1, dx);
    dx = vd_fma(var_term, zs, dx);
    *ln_s = vd_add(*ln_s, dx);
    *v = v1;
    *v2 = w1;
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
