/* SPDX-License-Identifier: BSD-3-Clause */
/* Scalar backend of the vector vocabulary: one lane, plain C, no FMA.
 * This is the portable reference every vector backend is tested against. */
#ifndef ALVH_SIMD_BACKEND_H
#define ALVH_SIMD_BACKEND_H
#include <math.h>
#include <stdint.h>
#include <string.h>

#define ALVH_W 1
#define ALVH_ISA_SUFFIX(name) name##_scalar

typedef double vd;
typedef uint64_t vu;
__extension__ typedef unsigned __int128 alvh_u128_;

static inline vu vu_load(const uint64_t *p) { return *p; }
static inline void vu_store(uint64_t *p, vu x) { *p = x; }
static inline vd vd_load(const double *p) { return *p; }
static inline void vd_store(double *p, vd x) { *p = x; }
static inline vu vu_set1(uint64_t x) { return x; }
static inline vd vd_set1(double x) { return x; }

static inline vu vu_add(vu a, vu b) { return a + b; }
static inline vu vu_sub(vu a, vu b) { return a - b; }
static inline vu vu_xor(vu a, vu b) { return a ^ b; }
static inline vu vu_and(vu a, vu b) { return a & b; }
static inline vu vu_or(vu a, vu b) { return a | b; }
#define vu_srli(x, n) ((vu)(x) >> (n))
#define vu_slli(x, n) ((vu)(x) << (n))

static inline vd vd_add(vd a, vd b) { return a + b; }
static inline vd vd_sub(vd a, vd b) { return a - b; }
static inline vd vd_mul(vd a, vd b) { return a * b; }
static inline vd vd_div(vd a, vd b) { return a / b; }
/* Two roundings on purpose: the scalar path must run on any x86-64. */
static inline vd vd_fma(vd a, vd b, vd c) { return a * b + c; }
static inline vd vd_sqrt(vd a) { return sqrt(a); }

static inline vu vd_as_vu(vd x) { vu u; memcpy(&u, &x, sizeof u); return u; }
static inline vd vu_as_vd(vu u) { vd x; memcpy(&x, &u, sizeof x); return x; }
/* exact for x < 2^53 */
static inline vd vd_from_u53(vu x) { return (double)x; }
/* b where bit 63 of sel is set, else a */
static inline vd vd_select_bit63(vu sel, vd a, vd b) { return (sel >> 63) ? b : a; }

/* 64x64-bit products: the low half, and both halves */
static inline vu vu_mul_lo(vu a, vu b) { return a * b; }
static inline void vu_mul_wide(vu a, vu b, vu *hi, vu *lo)
{
    alvh_u128_ p = (alvh_u128_)a * b;
    *hi = (vu)(p >> 64);
    *lo = (vu)p;
}
/* all ones where a < b as unsigned, else 0 */
static inline vu vu_ltu_mask(vu a, vu b) { return -(vu)(a < b); }
/* rotate each lane right by r mod 64 */
static inline vu vu_rorv(vu x, vu r)
{
    unsigned k = (unsigned)(r & 63u);
    return (x >> k) | (x << ((64u - k) & 63u));
}
typedef int vm;
static inline vm vd_lt(vd a, vd b) { return a < b; }
static inline vm vd_le(vd a, vd b) { return a <= b; }
/* b where m, else a */
static inline vd vd_blend(vm m, vd a, vd b) { return m ? b : a; }
static inline vd vd_max(vd a, vd b) { return a > b ? a : b; }
static inline vd vd_min(vd a, vd b) { return a < b ? a : b; }
/* mask logic, rounding and |x| (the hedge-book kernels' vocabulary) */
static inline vm vm_and(vm a, vm b) { return a && b; }
static inline vm vm_or(vm a, vm b) { return a || b; }
static inline vm vm_not(vm a) { return !a; }
static inline int vm_any(vm a) { return a != 0; }
static inline vd vd_round(vd x) { return nearbyint(x); } /* to nearest, ties to even */
static inline vd vd_abs(vd x) { return fabs(x); }
/* round down; gather base[idx] with idx a whole number in [0, 2^31) held as a double */
static inline vd vd_floor(vd x) { return floor(x); }
static inline vd vd_gather(const double *base, vd idx) { return base[(size_t)idx]; }
/* out[j] = base[idx + j], j = 0..3 */
static inline void vd_gather4(const double *base, vd idx, vd out[4])
{
    for (int j = 0; j < 4; j++)
        out[j] = base[(size_t)idx + (size_t)j];
}
#endif
