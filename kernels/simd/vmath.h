/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Vector math written once against the backend vocabulary (include a backend
 * header first). Each function is the same sequence of IEEE operations on every
 * backend; only vd_fma differs (fused on AVX2/AVX-512, two roundings in the
 * scalar reference), which is why vector and scalar results may differ in the
 * last bit or two while AVX2 and AVX-512 agree exactly.
 */
#ifndef ALVH_SIMD_VMATH_H
#define ALVH_SIMD_VMATH_H

#include <math.h>

/* Natural log of a positive normal double, fdlibm's reduction and minimax
 * coefficients (Sun Microsystems, e_log.c): error below 1 ulp. */
static inline vd vmath_log(vd x)
{
    const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    vu ix = vd_as_vu(x);
    /* m = x * 2^-k in [sqrt(1/2), sqrt(2)): subtract the exponent of sqrt(1/2),
     * the floor of the difference's exponent field is k (musl's trick). The
     * bias of 1024 keeps the shift logical, AVX2 has no 64-bit arithmetic shift. */
    vu tmp = vu_sub(ix, vu_set1(UINT64_C(0x3FE6A09E667F3BCD)));
    vu k_biased = vu_srli(vu_add(tmp, vu_set1(UINT64_C(1024) << 52)), 52);
    vd m = vu_as_vd(vu_sub(ix, vu_and(tmp, vu_set1(UINT64_C(0xFFF0000000000000)))));
    vd k = vd_sub(vu_as_vd(vu_or(k_biased, vu_set1(UINT64_C(0x4330000000000000)))),
                  vd_set1(0x1p52 + 1024.0));

    vd f = vd_sub(m, vd_set1(1.0));
    vd s = vd_div(f, vd_add(f, vd_set1(2.0)));
    vd z = vd_mul(s, s), w = vd_mul(z, z);
    vd t1 = vd_mul(w, vd_fma(w, vd_fma(w, vd_set1(1.531383769920937332e-01), vd_set1(2.222219843214978396e-01)),
                             vd_set1(3.999999999940941908e-01)));
    vd t2 = vd_mul(z, vd_fma(w, vd_fma(w, vd_fma(w, vd_set1(1.479819860511658591e-01),
                                                 vd_set1(1.818357216161805012e-01)),
                                       vd_set1(2.857142874366239149e-01)),
                             vd_set1(6.666666666666735130e-01)));
    vd r = vd_add(t1, t2);
    vd hfsq = vd_mul(vd_set1(0.5), vd_mul(f, f));
    vd inner = vd_fma(k, vd_set1(ln2_lo), vd_mul(s, vd_add(hfsq, r)));
    return vd_fma(k, vd_set1(ln2_hi), vd_sub(f, vd_sub(hfsq, inner)));
}

/* sin and cos of |a| <= pi/4 by their Taylor series to a^15 and a^16: the first
 * omitted terms are below 5e-17 there. */
static inline void vmath_sincos_small(vd a, vd *s, vd *c)
{
    vd z = vd_mul(a, a);
    vd ps = vd_set1(-1.0 / 1307674368000.0);
    ps = vd_fma(ps, z, vd_set1(1.0 / 6227020800.0));
    ps = vd_fma(ps, z, vd_set1(-1.0 / 39916800.0));
    ps = vd_fma(ps, z, vd_set1(1.0 / 362880.0));
    ps = vd_fma(ps, z, vd_set1(-1.0 / 5040.0));
    ps = vd_fma(ps, z, vd_set1(1.0 / 120.0));
    ps = vd_fma(ps, z, vd_set1(-1.0 / 6.0));
    *s = vd_fma(vd_mul(a, z), ps, a);
    vd pc = vd_set1(1.0 / 20922789888000.0);
    pc = vd_fma(pc, z, vd_set1(-1.0 / 87178291200.0));
    pc = vd_fma(pc, z, vd_set1(1.0 / 479001600.0));
    pc = vd_fma(pc, z, vd_set1(-1.0 / 3628800.0));
    pc = vd_fma(pc, z, vd_set1(1.0 / 40320.0));
    pc = vd_fma(pc, z, vd_set1(-1.0 / 720.0));
    pc = vd_fma(pc, z, vd_set1(1.0 / 24.0));
    pc = vd_fma(pc, z, vd_set1(-0.5));
    *c = vd_fma(z, pc, vd_set1(1.0));
}

/* e^x: x = k ln2 + r with |r| <= ln2/2 (Cody-Waite, two-part ln2), e^r by its
 * Taylor series to r^13 (first omitted term below 5e-18), times 2^k built in
 * the exponent field. Below -708.39 the result is flushed to 0 (no subnormals),
 * above 709.78 it is +inf; NaN passes through. Error about 1 ulp. */
static inline vd vmath_exp(vd x)
{
    const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    const double shifter = 0x1.8p52;
    vd xc = vd_min(vd_max(x, vd_set1(-708.39)), vd_set1(709.78));
    vd t = vd_fma(xc, vd_set1(1.44269504088896338700e+00), vd_set1(shifter));
    vd k = vd_sub(t, vd_set1(shifter));
    vd r = vd_fma(k, vd_set1(-ln2_hi), xc);
    r = vd_fma(k, vd_set1(-ln2_lo), r);
    vd p = vd_set1(1.0 / 6227020800.0);
    p = vd_fma(p, r, vd_set1(1.0 / 479001600.0));
    p = vd_fma(p, r, vd_set1(1.0 / 39916800.0));
    p = vd_fma(p, r, vd_set1(1.0 / 3628800.0));
    p = vd_fma(p, r, vd_set1(1.0 / 362880.0));
    p = vd_fma(p, r, vd_set1(1.0 / 40320.0));
    p = vd_fma(p, r, vd_set1(1.0 / 5040.0));
    p = vd_fma(p, r, vd_set1(1.0 / 720.0));
    p = vd_fma(p, r, vd_set1(1.0 / 120.0));
    p = vd_fma(p, r, vd_set1(1.0 / 24.0));
    p = vd_fma(p, r, vd_set1(1.0 / 6.0));
    p = vd_fma(p, r, vd_set1(0.5));
    vd er = vd_fma(vd_mul(r, r), p, vd_add(r, vd_set1(1.0)));
    /* the low bits of t hold k + 2^51; shifted into the exponent field the
     * 2^51 falls off the top, leaving (k + 1023) << 52 = 2^k */
    vd two_k = vu_as_vd(vu_slli(vu_add(vd_as_vu(t), vu_set1(1023)), 52));
    vd y = vd_mul(er, two_k);
    /* k = 1024 (x above 709.09) has no exponent field: scale by 2^(k-1), then 2 */
    vd two_km1 = vu_as_vd(vu_slli(vu_add(vd_as_vu(t), vu_set1(1022)), 52));
    y = vd_blend(vd_lt(vd_set1(1023.5), k), y, vd_mul(vd_mul(er, two_km1), vd_set1(2.0)));
    y = vd_blend(vd_lt(x, vd_set1(-708.39)), y, vd_set1(0.0));
    y = vd_blend(vd_lt(vd_set1(709.78), x), y, vd_set1(INFINITY));
    return vd_blend(vd_le(x, x), x, y);
}
#endif
