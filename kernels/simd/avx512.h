/* SPDX-License-Identifier: BSD-3-Clause */
/* AVX-512 (F + DQ) backend of the vector vocabulary: 8 lanes of 64 bits.
 * DQ brings the 64-bit low multiply and the uint64 -> double conversion;
 * the high half of a 64x64 product is still assembled from 32-bit products. */
#ifndef ALVH_SIMD_BACKEND_H
#define ALVH_SIMD_BACKEND_H
#include <immintrin.h>
#include <stdint.h>

#define ALVH_W 8
#define ALVH_ISA_SUFFIX(name) name##_avx512

typedef __m512d vd;
typedef __m512i vu;

static inline vu vu_load(const uint64_t *p) { return _mm512_loadu_si512((const void *)p); }
static inline void vu_store(uint64_t *p, vu x) { _mm512_storeu_si512((void *)p, x); }
static inline vd vd_load(const double *p) { return _mm512_loadu_pd(p); }
static inline void vd_store(double *p, vd x) { _mm512_storeu_pd(p, x); }
static inline vu vu_set1(uint64_t x) { return _mm512_set1_epi64((long long)x); }
static inline vd vd_set1(double x) { return _mm512_set1_pd(x); }

static inline vu vu_add(vu a, vu b) { return _mm512_add_epi64(a, b); }
static inline vu vu_sub(vu a, vu b) { return _mm512_sub_epi64(a, b); }
static inline vu vu_xor(vu a, vu b) { return _mm512_xor_si512(a, b); }
static inline vu vu_and(vu a, vu b) { return _mm512_and_si512(a, b); }
static inline vu vu_or(vu a, vu b) { return _mm512_or_si512(a, b); }
#define vu_srli(x, n) _mm512_srli_epi64((x), (n))
#define vu_slli(x, n) _mm512_slli_epi64((x), (n))

static inline vd vd_add(vd a, vd b) { return _mm512_add_pd(a, b); }
static inline vd vd_sub(vd a, vd b) { return _mm512_sub_pd(a, b); }
static inline vd vd_mul(vd a, vd b) { return _mm512_mul_pd(a, b); }
static inline vd vd_div(vd a, vd b) { return _mm512_div_pd(a, b); }
static inline vd vd_fma(vd a, vd b, vd c) { return _mm512_fmadd_pd(a, b, c); }
static inline vd vd_sqrt(vd a) { return _mm512_sqrt_pd(a); }

static inline vu vd_as_vu(vd x) { return _mm512_castpd_si512(x); }
static inline vd vu_as_vd(vu u) { return _mm512_castsi512_pd(u); }
static inline vd vd_from_u53(vu x) { return _mm512_cvtepu64_pd(x); }

static inline vd vd_select_bit63(vu sel, vd a, vd b)
{
    return _mm512_mask_blend_pd(_mm512_movepi64_mask(sel), a, b);
}

/* 64x64-bit products: DQ has the low half; the high half comes from 32-bit products */
static inline vu vu_mul_lo(vu a, vu b) { return _mm512_mullo_epi64(a, b); }
static inline void vu_mul_wide(vu a, vu b, vu *hi, vu *lo)
{
    const vu m32 = vu_set1(0xFFFFFFFFu);
    vu a_hi = _mm512_srli_epi64(a, 32), b_hi = _mm512_srli_epi64(b, 32);
    vu p00 = _mm512_mul_epu32(a, b), p01 = _mm512_mul_epu32(a, b_hi);
    vu p10 = _mm512_mul_epu32(a_hi, b), p11 = _mm512_mul_epu32(a_hi, b_hi);
    vu mid = _mm512_add_epi64(_mm512_add_epi64(_mm512_srli_epi64(p00, 32), _mm512_and_si512(p01, m32)),
                              _mm512_and_si512(p10, m32));
    *hi = _mm512_add_epi64(_mm512_add_epi64(p11, _mm512_srli_epi64(p01, 32)),
                           _mm512_add_epi64(_mm512_srli_epi64(p10, 32), _mm512_srli_epi64(mid, 32)));
    *lo = _mm512_mullo_epi64(a, b);
}

/* all ones where a < b as unsigned */
static inline vu vu_ltu_mask(vu a, vu b) { return _mm512_movm_epi64(_mm512_cmplt_epu64_mask(a, b)); }

/* rotate each lane right by r */
static inline vu vu_rorv(vu x, vu r) { return _mm512_rorv_epi64(x, r); }
typedef __mmask8 vm;
static inline vm vd_lt(vd a, vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_LT_OQ); }
static inline vm vd_le(vd a, vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_LE_OQ); }
static inline vd vd_blend(vm m, vd a, vd b) { return _mm512_mask_blend_pd(m, a, b); }
static inline vd vd_max(vd a, vd b) { return _mm512_max_pd(a, b); }
static inline vd vd_min(vd a, vd b) { return _mm512_min_pd(a, b); }
static inline vm vm_and(vm a, vm b) { return (vm)(a & b); }
static inline vm vm_or(vm a, vm b) { return (vm)(a | b); }
static inline vm vm_not(vm a) { return (vm)~a; }
static inline int vm_any(vm a) { return a != 0; }
static inline vd vd_round(vd x) { return _mm512_roundscale_pd(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
static inline vd vd_abs(vd x) { return _mm512_abs_pd(x); }
/* round down; gather base[idx] per lane, idx whole numbers in [0, 2^31) held as doubles */
static inline vd vd_floor(vd x) { return _mm512_roundscale_pd(x, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC); }
static inline vd vd_gather(const double *base, vd idx) { return _mm512_i32gather_pd(_mm512_cvttpd_epi32(idx), base, 8); }
/* out[j] = base[idx + j], j = 0..3: one 4-double load per lane and a
 * transpose, in place of four gathers (the same values) */
static inline void vd_gather4(const double *base, vd idx, vd out[4])
{
    int32_t at[8];
    _mm256_storeu_si256((__m256i *)at, _mm512_cvttpd_epi32(idx));
    __m512d z[4];
    for (int k = 0; k < 4; k++) /* lane k in the low half, lane k + 4 in the high half */
        z[k] = _mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_loadu_pd(base + at[k])),
                                  _mm256_loadu_pd(base + at[k + 4]), 1);
    __m512d t0 = _mm512_unpacklo_pd(z[0], z[1]), t1 = _mm512_unpackhi_pd(z[0], z[1]);
    __m512d t2 = _mm512_unpacklo_pd(z[2], z[3]), t3 = _mm512_unpackhi_pd(z[2], z[3]);
    const __m512i even = _mm512_set_epi64(13, 12, 5, 4, 9, 8, 1, 0), odd = _mm512_set_epi64(15, 14, 7, 6, 11, 10, 3, 2);
    out[0] = _mm512_permutex2var_pd(t0, even, t2);
    out[1] = _mm512_permutex2var_pd(t1, even, t3);
    out[2] = _mm512_permutex2var_pd(t0, odd, t2);
    out[3] = _mm512_permutex2var_pd(t1, odd, t3);
}
#endif
