/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Standard normal CDF and PDF (and erfc), written once against the backend
 * vocabulary (include a backend header first; this header brings vmath.h).
 *
 * erfc follows the three rational Chebyshev approximations of W. J. Cody,
 * "Rational Chebyshev approximations for the error function", Math. Comp. 23
 * (1969) 631-637, with the 18-digit near-minimax coefficients he tabulated for
 * his SPECFUN package (ACM TOMS Algorithm 715, 1993):
 *   |y| <= 0.46875:      erf(y)  = y A(y^2) / B(y^2)                (degree 4/4)
 *   0.46875 < y <= 4:    erfc(y) = e^{-y^2} C(y) / D(y)             (degree 8/8)
 *   y > 4:               erfc(y) = e^{-y^2} / y (1/sqrt(pi) - z P(z) / Q(z)),  z = 1/y^2  (5/5)
 * All three are evaluated in every lane; numerators and denominators are
 * blended before the single division.
 *
 * The tail factor e^{-y^2} is where relative accuracy is lost (its argument
 * reaches -700 with an absolute rounding error of 1e-13). It is computed as
 * e^{hi} (1 + lo), where hi + lo is the exact argument: x is split into a
 * multiple of 1/16 (whose square is exact) plus a small remainder (Cody's own
 * device), and the rounding error of the sum is recovered by Fast2Sum. The
 * normal CDF takes the same route with x^2/2 directly, so it never rounds
 * x/sqrt(2) into the exponent. Measured accuracy: see docs/pricing.md and
 * tests/test_bs.c.
 */
#ifndef ALVH_SIMD_VMATH_NORMAL_H
#define ALVH_SIMD_VMATH_NORMAL_H

#include "kernels/simd/vmath.h"

/* e^{-h x^2} for h = 1/2 (the Gaussian density factor) or h = 1 (the
 * e^{-y^2} of erfc), |x| <= 38, to about 2 ulp. */
static inline vd vmath_gauss_factor_(vd x, double h)
{
    const double shifter = 0x1.8p52;
    /* xr = x rounded to a multiple of 1/16: xr^2 is exact (at most 20 bits) */
    vd xr = vd_mul(vd_sub(vd_fma(x, vd_set1(16.0), vd_set1(shifter)), vd_set1(shifter)), vd_set1(0.0625));
    vd d = vd_sub(x, xr); /* exact: |d| <= 1/32 and x, xr share the 1/16 grid */
    /* x^2 = xr^2 + d (x + xr); a = -h xr^2 exact, b = -h d (x + xr) small */
    vd a = vd_mul(vd_mul(xr, xr), vd_set1(-h));
    vd b = vd_mul(vd_mul(d, vd_add(x, xr)), vd_set1(-h));
    vd hi = vd_add(a, b);
    /* Fast2Sum: exact when |a| >= |b|, which holds wherever the caller uses
     * the result (|x| >= 0.66 for the CDF); elsewhere lo is merely small */
    vd lo = vd_add(vd_sub(a, hi), b);
    vd e = vmath_exp(hi);
    return vd_fma(e, lo, e);
}

/* Numerator and denominator of the three Cody pieces at a = |y|:
 * central: erf(a) = num/den; middle and tail: erfc(a) = e^{-a^2} num/den.
 * A piece no lane needs is skipped (its place holds 1/1, never selected):
 * option legs rarely reach the tail, and the tail costs a division. */
static inline void vmath_erfc_parts_(vd a, vd *num, vd *den, vm *central)
{
    const vd one = vd_set1(1.0);
    vm mid = vd_le(a, vd_set1(4.0));
    *central = vd_le(a, vd_set1(0.46875));
    vd na = one, da = one, nc = one, dc = one, nt = one, dt = one;
    if (vm_any(*central)) {
        /* |y| <= 0.46875, polynomials in t = y^2 */
        vd t = vd_mul(a, a);
        na = vd_set1(1.85777706184603153e-1);
        na = vd_fma(na, t, vd_set1(3.16112374387056560e+0));
        na = vd_fma(na, t, vd_set1(1.13864154151050156e+2));
        na = vd_fma(na, t, vd_set1(3.77485237685302021e+2));
        na = vd_fma(na, t, vd_set1(3.20937758913846947e+3));
        da = vd_add(t, vd_set1(2.36012909523441209e+1));
        da = vd_fma(da, t, vd_set1(2.44024637934444173e+2));
        da = vd_fma(da, t, vd_set1(1.28261652607737228e+3));
        da = vd_fma(da, t, vd_set1(2.84423683343917062e+3));
        na = vd_mul(na, a);
    }
    if (vm_any(vm_and(mid, vm_not(*central)))) {
        /* 0.46875 < y <= 4, polynomials in y */
        nc = vd_set1(2.15311535474403846e-8);
        nc = vd_fma(nc, a, vd_set1(5.64188496988670089e-1));
        nc = vd_fma(nc, a, vd_set1(8.88314979438837594e+0));
        nc = vd_fma(nc, a, vd_set1(6.61191906371416295e+1));
        nc = vd_fma(nc, a, vd_set1(2.98635138197400131e+2));
        nc = vd_fma(nc, a, vd_set1(8.81952221241769090e+2));
        nc = vd_fma(nc, a, vd_set1(1.71204761263407058e+3));
        nc = vd_fma(nc, a, vd_set1(2.05107837782607147e+3));
        nc = vd_fma(nc, a, vd_set1(1.23033935479799725e+3));
        dc = vd_add(a, vd_set1(1.57449261107098347e+1));
        dc = vd_fma(dc, a, vd_set1(1.17693950891312499e+2));
        dc = vd_fma(dc, a, vd_set1(5.37181101862009858e+2));
        dc = vd_fma(dc, a, vd_set1(1.62138957456669019e+3));
        dc = vd_fma(dc, a, vd_set1(3.29079923573345963e+3));
        dc = vd_fma(dc, a, vd_set1(4.36261909014324716e+3));
        dc = vd_fma(dc, a, vd_set1(3.43936767414372164e+3));
        dc = vd_fma(dc, a, vd_set1(1.23033935480374942e+3));
    }
    if (vm_any(vm_not(mid))) {
        /* y > 4, polynomials in z = 1/y^2 (a is clamped to >= 4 so z stays
         * bounded in the lanes that discard this piece) */
        vd a4 = vd_max(a, vd_set1(4.0));
        vd z = vd_div(one, vd_mul(a4, a4));
        vd np = vd_set1(1.63153871373020978e-2);
        np = vd_fma(np, z, vd_set1(3.05326634961232344e-1));
        np = vd_fma(np, z, vd_set1(3.60344899949804439e-1));
        np = vd_fma(np, z, vd_set1(1.25781726111229246e-1));
        np = vd_fma(np, z, vd_set1(1.60837851487422766e-2));
        np = vd_fma(np, z, vd_set1(6.58749161529837803e-4));
        vd dp = vd_add(z, vd_set1(2.56852019228982242e+0));
        dp = vd_fma(dp, z, vd_set1(1.87295284992346725e+0));
        dp = vd_fma(dp, z, vd_set1(5.27905102951428412e-1));
        dp = vd_fma(dp, z, vd_set1(6.05183413124413191e-2));
        dp = vd_fma(dp, z, vd_set1(2.33520497626869185e-3));
        /* (1/sqrt(pi) - z P/Q) / y = (Q/sqrt(pi) - z P) / (y Q); no cancellation:
         * z P/Q <= 0.018 against 0.564 */
        nt = vd_fma(dp, vd_set1(5.6418958354775628695e-1), vd_mul(vd_sub(vd_set1(0.0), z), np));
        dt = vd_mul(a4, dp);
    }
    *num = vd_blend(*central, vd_blend(mid, nt, nc), na);
    *den = vd_blend(*central, vd_blend(mid, dt, dc), da);
}

/* Complementary error function for all y; erfc(y) = 0 above y = 26.55 (the
 * true value is then below 1e-308; no subnormals are produced), 2 below -6.
 * NaN passes through. */
static inline vd vmath_erfc(vd y)
{
    vd a = vd_min(vd_max(y, vd_sub(vd_set1(0.0), y)), vd_set1(27.0)); /* |y|, NaN -> 27 */
    vd num, den;
    vm central;
    vmath_erfc_parts_(a, &num, &den, &central);
    vd r = vd_div(num, den);
    vd up = vd_mul(vmath_gauss_factor_(a, 1.0), r);                    /* erfc(|y|), |y| > 0.47 */
    vd erf_abs = vd_blend(central, vd_sub(vd_set1(1.0), up), r);       /* erf(|y|) */
    vd up_all = vd_blend(central, up, vd_sub(vd_set1(1.0), r));        /* erfc(|y|) */
    vd res = vd_blend(vd_lt(y, vd_set1(0.0)), up_all, vd_add(vd_set1(1.0), erf_abs));
    res = vd_blend(vd_lt(vd_set1(26.55), y), res, vd_set1(0.0));
    return vd_blend(vd_le(y, y), y, res);
}

static inline vd vmath_ncdf_finish_(vd x, vd xc, vd ax, vd r, vm central)
{
    /* central: Phi = 1/2 + erf(x/sqrt2)/2 (absolute accuracy is what counts
     * there, Phi is in [0.32, 0.68]) */
    vd half_erf = vd_mul(vd_set1(0.5), r);
    vd c = vd_blend(vd_lt(xc, vd_set1(0.0)), vd_add(vd_set1(0.5), half_erf), vd_sub(vd_set1(0.5), half_erf));
    /* tails: q = Phi(-|x|) = e^{-x^2/2} R / 2 (skipped when every lane is central) */
    vd res = c;
    if (vm_any(vm_not(central))) {
        vd q = vd_mul(vd_mul(vmath_gauss_factor_(ax, 0.5), r), vd_set1(0.5));
        vd t = vd_blend(vd_lt(xc, vd_set1(0.0)), vd_sub(vd_set1(1.0), q), q);
        res = vd_blend(central, t, c);
    }
    res = vd_blend(vd_lt(x, vd_set1(-37.5)), res, vd_set1(0.0));
    return vd_blend(vd_le(x, x), x, res);
}

static inline void vmath_ncdf_parts_(vd x, vd *xc, vd *ax, vd *num, vd *den, vm *central)
{
    const double inv_sqrt2 = 0.70710678118654752440;
    *xc = vd_min(vd_max(x, vd_set1(-38.0)), vd_set1(38.0));
    *ax = vd_max(*xc, vd_sub(vd_set1(0.0), *xc));
    vd a = vd_mul(*ax, vd_set1(inv_sqrt2)); /* only the rational part sees this rounding */
    vmath_erfc_parts_(a, num, den, central);
}

/* Standard normal CDF Phi(x). Relative accuracy in the lower tail down to
 * x = -37.5 (Phi = 4.6e-308, near the last normal doubles); 0 below that. Above
 * x = 8.3, 1 - Phi < 2^-54 and the result rounds to 1. NaN passes through. */
static inline vd vmath_ncdf(vd x)
{
    vd xc, ax, num, den;
    vm central;
    vmath_ncdf_parts_(x, &xc, &ax, &num, &den, &central);
    return vmath_ncdf_finish_(x, xc, ax, vd_div(num, den), central);
}

/* Phi(x1) and Phi(x2) with one division for both rational parts:
 * n1/d1 = n1 d2 / (d1 d2). The denominators lie in [0.03, 2.1e6] (Cody's
 * polynomials on their pieces, the skipped ones 1), so the product neither
 * overflows nor underflows; each result is within a few ulp of vmath_ncdf's
 * (relative, also in the lower tail), not bit-equal to it. */
static inline void vmath_ncdf_pair(vd x1, vd x2, vd *p1, vd *p2)
{
    vd xc1, ax1, n1, d1, xc2, ax2, n2, d2;
    vm c1, c2;
    vmath_ncdf_parts_(x1, &xc1, &ax1, &n1, &d1, &c1);
    vmath_ncdf_parts_(x2, &xc2, &ax2, &n2, &d2, &c2);
    vd inv = vd_div(vd_set1(1.0), vd_mul(d1, d2));
    *p1 = vmath_ncdf_finish_(x1, xc1, ax1, vd_mul(vd_mul(n1, d2), inv), c1);
    *p2 = vmath_ncdf_finish_(x2, xc2, ax2, vd_mul(vd_mul(n2, d1), inv), c2);
}

/* Standard normal density e^{-x^2/2} / sqrt(2 pi), to about 2 ulp where it is
 * a normal number; 0 for |x| > 37.5. NaN passes through. */
static inline vd vmath_npdf(vd x)
{
    vd xc = vd_min(vd_max(x, vd_set1(-38.0)), vd_set1(38.0));
    vd ax = vd_max(xc, vd_sub(vd_set1(0.0), xc));
    vd p = vd_mul(vmath_gauss_factor_(ax, 0.5), vd_set1(0.39894228040143267794));
    p = vd_blend(vd_lt(vd_set1(37.5), ax), p, vd_set1(0.0));
    return vd_blend(vd_le(x, x), x, p);
}
#endif
