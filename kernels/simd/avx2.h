/* SPDX-License-Identifier: BSD-3-Clause */
/* AVX2 + FMA backend of the vector vocabulary: 4 lanes of 64 bits.
 * AVX2 has no 64x64-bit multiply, no unsigned 64-bit compare and no 64-bit
 * integer-to-double conversion: each is built from 32-bit pieces below. */
#ifndef ALVH_SIMD_BACKEND_H
#define ALVH_SIMD_BACKEND_H
#include <immintrin.h>
#include <stdint.h>

#define ALVH_W 4
#define ALVH_ISA_SUFFIX(name) name##_avx2

typedef __m256d vd;
typedef __m256i vu;

static inline vu vu_load(const uint64_t *p) { return _mm256_loadu_si256((const __m256i *)p); }
static inline void vu_store(uint64_t *p, vu x) { _mm256_storeu_si256((__m256i *)p, x); }
static inline vd vd_load(const double *p) { return _mm256_loadu_pd(p); }
static inline void vd_store(double *p, vd x) { _mm256_storeu_pd(p, x); }
static inline vu vu_set1(uint64_t x) { return _mm256_set1_epi64x((long long)x); }
static inline vd vd_set1(double x) { return _mm256_set1_pd(x); }

static inline vu vu_add(vu a, vu b) { return _mm256_add_epi64(a, b); }
static inline vu vu_sub(vu a, vu b) { return _mm256_sub_epi64(a, b); }
static inline vu vu_xor(vu a, vu b) { return _mm256_xor_si256(a, b); }
static inline vu vu_and(vu a, vu b) { return _mm256_and_si256(a, b); }
static inline vu vu_or(vu a, vu b) { return _mm256_or_si256(a, b); }
#define vu_srli(x, n) _mm256_srli_epi64((x), (n))
#define vu_slli(x, n) _mm256_slli_epi64((x), (n))

static inline vd vd_add(vd a, vd b) { return _mm256_add_pd(a, b); }
static inline vd vd_sub(vd a, vd b) { return _mm256_sub_pd(a, b); }
static inline vd vd_mul(vd a, vd b) { return _mm256_mul_pd(a, b); }
static inline vd vd_div(vd a, vd b) { return _mm256_div_pd(a, b); }
static inline vd vd_fma(vd a, vd b, vd c) { return _mm256_fmadd_pd(a, b, c); }
static inline vd vd_sqrt(vd a) { return _mm256_sqrt_pd(a); }

static inline vu vd_as_vu(vd x) { return _mm256_castpd_si256(x); }
static inline vd vu_as_vd(vu u) { return _mm256_castsi256_pd(u); }

/* exact for x < 2^53: both 32-bit halves go through the 2^52 / 2^84 magic
 * exponents, and their sum needs no rounding */
static inline vd vd_from_u53(vu x)
{
    vu lo = _mm256_or_si256(_mm256_and_si256(x, vu_set1(0xFFFFFFFFu)),
                            vu_set1(UINT64_C(0x4330000000000000)));
    vu hi = _mm256_or_si256(_mm256_srli_epi64(x, 32), vu_set1(UINT64_C(0x4530000000000000)));
    vd dhi = _mm256_sub_pd(_mm256_castsi256_pd(hi), vd_set1(0x1p84 + 0x1p52));
    return _mm256_add_pd(dhi, _mm256_castsi256_pd(lo));
}

static inline vd vd_select_bit63(vu sel, vd a, vd b)
{
    return _mm256_blendv_pd(a, b, _mm256_castsi256_pd(sel));
}

/* 64x64-bit products from 32-bit ones: the low half ... */
static inline vu vu_mul_lo(vu a, vu b)
{
    vu cross = _mm256_add_epi64(_mm256_mul_epu32(a, _mm256_srli_epi64(b, 32)),
                                _mm256_mul_epu32(_mm256_srli_epi64(a, 32), b));
    return _mm256_add_epi64(_mm256_mul_epu32(a, b), _mm256_slli_epi64(cross, 32));
}

/* ... and both halves */
static inline void vu_mul_wide(vu a, vu b, vu *hi, vu *lo)
{
    const vu m32 = vu_set1(0xFFFFFFFFu);
    vu a_hi = _mm256_srli_epi64(a, 32), b_hi = _mm256_srli_epi64(b, 32);
    vu p00 = _mm256_mul_epu32(a, b), p01 = _mm256_mul_epu32(a, b_hi);
    vu p10 = _mm256_mul_epu32(a_hi, b), p11 = _mm256_mul_epu32(a_hi, b_hi);
    vu mid = _mm256_add_epi64(_mm256_add_epi64(_mm256_srli_epi64(p00, 32), _mm256_and_si256(p01, m32)),
                              _mm256_and_si256(p10, m32));
    *hi = _mm256_add_epi64(_mm256_add_epi64(p11, _mm256_srli_epi64(p01, 32)),
                           _mm256_add_epi64(_mm256_srli_epi64(p10, 32), _mm256_srli_epi64(mid, 32)));
    *lo = _mm256_or_si256(_mm256_slli_epi64(mid, 32), _mm256_and_si256(p00, m32));
}

/* all ones where a < b as unsigned: the signed compare with both sign bits flipped */
static inline vu vu_ltu_mask(vu a, vu b)
{
    const vu sign = vu_set1(UINT64_C(0x8000000000000000));
    return _mm256_cmpgt_epi64(_mm256_xor_si256(b, sign), _mm256_xor_si256(a, sign));
}

/* rotate each lane right by r (0..63); a shift count of 64 yields 0, so r == 0 needs no special case */
static inline vu vu_rorv(vu x, vu r)
{
    return _mm256_or_si256(_mm256_srlv_epi64(x, r), _mm256_sllv_epi64(x, _mm256_sub_epi64(vu_set1(64), r)));
}
typedef __m256d vm;
static inline vm vd_lt(vd a, vd b) { return _mm256_cmp_pd(a, b, _CMP_LT_OQ); }
static inline vm vd_le(vd a, vd b) { return _mm256_cmp_pd(a, b, _CMP_LE_OQ); }
static inline vd vd_blend(vm m, vd a, vd b) { return _mm256_blendv_pd(a, b, m); }
/* MAXPD(a, b) is exactly a > b ? a : b, NaN and signed zeros included */
static inline vd vd_max(vd a, vd b) { return _mm256_max_pd(a, b); }
static inline vd vd_min(vd a, vd b) { return _mm256_min_pd(a, b); }
static inline vm vm_and(vm a, vm b) { return _mm256_and_pd(a, b); }
static inline vm vm_or(vm a, vm b) { return _mm256_or_pd(a, b); }
static inline vm vm_not(vm a) { return _mm256_xor_pd(a, _mm256_castsi256_pd(_mm256_set1_epi64x(-1))); }
static inline int vm_any(vm a) { return _mm256_movemask_pd(a) != 0; }
static inline vd vd_round(vd x) { return _mm256_round_pd(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
static inline vd vd_abs(vd x) { return _mm256_andnot_pd(_mm256_set1_pd(-0.0), x); }
/* round down; gather base[idx] per lane, idx whole numbers in [0, 2^31) held as doubles */
static inline vd vd_floor(vd x) { return _mm256_floor_pd(x); }
static inline vd vd_gather(const double *base, vd idx) { return _mm256_i32gather_pd(base, _mm256_cvttpd_epi32(idx), 8); }
/* out[j] = base[idx + j], j = 0..3: one 4-double load per lane and a 4 x 4
 * transpose, in place of four gathers (the same values) */
static inline void vd_gather4(const double *base, vd idx, vd out[4])
{
    int32_t at[4];
    _mm_storeu_si128((__m128i *)at, _mm256_cvttpd_epi32(idx));
    __m256d r0 = _mm256_loadu_pd(base + at[0]), r1 = _mm256_loadu_pd(base + at[1]);
    __m256d r2 = _mm256_loadu_pd(base + at[2]), r3 = _mm256_loadu_pd(base + at[3]);
    __m256d t0 = _mm256_unpacklo_pd(r0, r1), t1 = _mm256_unpackhi_pd(r0, r1);
    __m256d t2 = _mm256_unpacklo_pd(r2, r3), t3 = _mm256_unpackhi_pd(r2, r3);
    out[0] = _mm256_permute2f128_pd(t0, t2, 0x20);
    out[1] = _mm256_permute2f128_pd(t1, t3, 0x20);
    out[2] = _mm256_permute2f128_pd(t0, t2, 0x31);
    out[3] = _mm256_permute2f128_pd(t1, t3, 0x31);
}
#endif
