/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-lane Black-Scholes-Merton kernel shared by the batch pricers
 * (bs_impl.h) and the hedge-book step (book_step_impl.h). Include a backend
 * header first.
 */
#ifndef ALVH_KERNELS_BS_CORE_H
#define ALVH_KERNELS_BS_CORE_H
#include "kernels/simd/vmath_normal.h"

/* Generalized Black-Scholes: the spot s pays yield q, so Black-76 is s = F,
 * q = r. w = +1 call, -1 put. With sd = sigma sqrt(T):
 *   d1 = (ln(S/K) + (r - q) T) / sd + sd / 2,  d2 = d1 - sd,
 *   price = w (S e^{-qT} N(w d1) - K e^{-rT} N(w d2)),  delta = w e^{-qT} N(w d1).
 * Lanes with sd <= 0 (T <= 0 or sigma <= 0) take the limit N(w d) -> step(w g),
 * g = S e^{-qT} - K e^{-rT}, step = 1, 1/2, 0 for g >, =, < 0; T <= 0 counts as 0. */
/* The price from the discounted spot sq = S e^{-qT} and strike kr = K e^{-rT}
 * and n1 = N(w d1), n2 = N(w d2); lanes not live (sd <= 0) take the limit
 * step(w g) in n1 and n2. Shared by bsm_lanes and the condor's legs
 * (book_step_impl.h strip_leg), which get their d1, d2 their own way. */
static inline vd bsm_price_from_n(vd sq, vd kr, vm live, vd vw, vd *n1, vd *n2)
{
    const vd zero = vd_set1(0.0), one = vd_set1(1.0);
    vd wg = vd_mul(vw, vd_sub(sq, kr));
    vd step = vd_blend(vd_lt(zero, wg), vd_blend(vd_lt(wg, zero), vd_set1(0.5), zero), one);
    *n1 = vd_blend(live, step, *n1);
    *n2 = vd_blend(live, step, *n2);
    /* the difference of two rounded terms can dip a few ulp below 0 far out
     * of the money */
    return vd_max(vd_mul(vw, vd_sub(vd_mul(sq, *n1), vd_mul(kr, *n2))), zero);
}

static inline void bsm_lanes(vd s, vd k, vd t, vd sigma, double r, double q, double w, vd *price,
                             vd *delta)
{
    const vd zero = vd_set1(0.0), one = vd_set1(1.0);
    vd tt = vd_max(t, zero);
    /* Black-76 (q = r) and a spot without yield (q = 0, exp(-0) = 1 exactly)
     * need one exponential, not two: the same values either way */
    vd dr = vmath_exp(vd_mul(vd_set1(-r), tt));
    vd dq = q == r ? dr : q == 0.0 ? one : vmath_exp(vd_mul(vd_set1(-q), tt));
    vd sq = vd_mul(s, dq), kr = vd_mul(k, dr);
    vd sd = vd_mul(vd_max(sigma, zero), vd_sqrt(tt));
    vm live = vd_lt(zero, sd);
    vd sd1 = vd_blend(live, one, sd); /* keeps the dead lanes free of 0/0 */
    /* ln(S/K) + (r - q) T rather than ln(Sq/Kr): one rounding fewer */
    vd lnm = vd_fma(vd_set1(r - q), tt, vmath_log(vd_div(s, k)));
    vd d1 = vd_fma(vd_set1(0.5), sd1, vd_div(lnm, sd1));
    vd d2 = vd_sub(d1, sd1);
    vd vw = vd_set1(w);
    vd n1 = vmath_ncdf(vd_mul(vw, d1)), n2 = vmath_ncdf(vd_mul(vw, d2));
    *price = bsm_price_from_n(sq, kr, live, vw, &n1, &n2);
    *delta = vd_mul(vd_mul(vw, dq), n1);
}
#endif
