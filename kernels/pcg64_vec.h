/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PCG64 (XSL-RR 128/64, pcg64.h) on ALVH_W lanes at once, written on the
 * backend's integer primitives (vu_mul_wide, vu_mul_lo, vu_ltu_mask, vu_rorv),
 * for the RNG fill kernels (rng_fill_impl.h). A 128-bit state is two vu,
 * high and low words. Integer arithmetic is exact, so every backend gives
 * every lane the same numbers as the scalar generator.
 */
#ifndef ALVH_KERNELS_PCG64_VEC_H
#define ALVH_KERNELS_PCG64_VEC_H

#include "kernels/pcg64.h"

/* s = s * M + inc (mod 2^128), M = ALVH_PCG64_MULT: the 128-bit product
 * keeps lo*M_lo in full and the low halves of the cross terms */
static inline void pcg_step(vu *hi, vu *lo, vu inc_hi, vu inc_lo)
{
    const vu m_lo = vu_set1(ALVH_PCG64_MULT_LO), m_hi = vu_set1(ALVH_PCG64_MULT_HI);
    vu ph, pl;
    vu_mul_wide(*lo, m_lo, &ph, &pl);
    ph = vu_add(ph, vu_add(vu_mul_lo(*lo, m_hi), vu_mul_lo(*hi, m_lo)));
    vu nl = vu_add(pl, inc_lo);
    /* carry out of the low word: nl < pl; subtracting the all-ones mask adds 1 */
    *hi = vu_sub(vu_add(ph, inc_hi), vu_ltu_mask(nl, pl));
    *lo = nl;
}

/* the output: (hi ^ lo) rotated right by the top 6 bits of hi */
static inline vu pcg_out(vu hi, vu lo) { return vu_rorv(vu_xor(hi, lo), vu_srli(hi, 58)); }

#endif
