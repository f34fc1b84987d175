/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Uniform and normal fill kernels, written once and compiled per ISA (the
 * build includes a backend header simd/<isa>.h, then this: kernels/CMakeLists.txt).
 *
 * Layout: lane p of `lanes` is the generator of path p; draw d of path p goes to
 * out[d * ld + p] (structure of arrays: one row per draw, one column per path),
 * so the step kernels read the draws of W consecutive paths with one load.
 * Every path consumes its own stream in order, whatever the ISA: the integers
 * are identical on all backends.
 */
#include "kernels/pcg64.h"
#include "kernels/pcg64_vec.h"
#include "kernels/rng.h"
#include "kernels/simd/partial.h"
#include "kernels/simd/vmath.h"

#include <stddef.h>
#include <string.h>

/* W paths' generators in registers. A short last group is padded with copies
 * of its first lane; padded lanes are computed and thrown away. */
typedef struct {
    vu hi, lo, inc_hi, inc_lo;
} lane_group;

static inline void group_load(const alvh_pcg64_lanes *s, size_t p, size_t m, lane_group *g)
{
    if (m == ALVH_W) {
        g->hi = vu_load(s->state_hi + p);
        g->lo = vu_load(s->state_lo + p);
        g->inc_hi = vu_load(s->inc_hi + p);
        g->inc_lo = vu_load(s->inc_lo + p);
        return;
    }
    uint64_t b[4][ALVH_W];
    for (size_t j = 0; j < ALVH_W; j++) {
        size_t src = p + (j < m ? j : 0);
        b[0][j] = s->state_hi[src];
        b[1][j] = s->state_lo[src];
        b[2][j] = s->inc_hi[src];
        b[3][j] = s->inc_lo[src];
    }
    g->hi = vu_load(b[0]);
    g->lo = vu_load(b[1]);
    g->inc_hi = vu_load(b[2]);
    g->inc_lo = vu_load(b[3]);
}

static inline void group_store(alvh_pcg64_lanes *s, size_t p, size_t m, const lane_group *g)
{
    if (m == ALVH_W) {
        vu_store(s->state_hi + p, g->hi);
        vu_store(s->state_lo + p, g->lo);
        return;
    }
    uint64_t hi[ALVH_W], lo[ALVH_W];
    vu_store(hi, g->hi);
    vu_store(lo, g->lo);
    memcpy(s->state_hi + p, hi, m * sizeof hi[0]);
    memcpy(s->state_lo + p, lo, m * sizeof lo[0]);
}

static inline vu group_next(lane_group *g)
{
    pcg_step(&g->hi, &g->lo, g->inc_hi, g->inc_lo);
    return pcg_out(g->hi, g->lo);
}

static inline vd u01_from_bits(vu x)
{
    return vd_mul(vd_from_u53(vu_srli(x, 11)), vd_set1(0x1p-53));
}

/*
 * Box-Muller from two 64-bit outputs. Radius: u = (x1 >> 11 + 1) 2^-53 in (0, 1],
 * r = sqrt(-2 ln u), so the largest |z| is sqrt(106 ln 2) = 8.57. Angle: the top
 * two bits of x2 pick a quadrant Q, the next 51 bits an offset a uniform in
 * [-pi/4, pi/4); Q*pi/2 + a is uniform on the circle, and (cos, sin) of it are
 * (cos a, sin a) rotated by Q quarter turns: a swap and two sign flips.
 */
static inline void normal_pair(vu x1, vu x2, vd *z0, vd *z1)
{
    vd u = vd_mul(vd_from_u53(vu_add(vu_srli(x1, 11), vu_set1(1))), vd_set1(0x1p-53));
    vd r = vd_sqrt(vd_mul(vd_set1(-2.0), vmath_log(u)));

    vd f = vd_mul(vd_from_u53(vu_and(vu_srli(x2, 11), vu_set1((UINT64_C(1) << 51) - 1))),
                  vd_set1(0x1p-51));
    vd a = vd_mul(vd_sub(f, vd_set1(0.5)), vd_set1(1.57079632679489661923));
    vd s, c;
    vmath_sincos_small(a, &s, &c);

    vu q = vu_srli(x2, 62);
    vu odd = vu_slli(q, 63);
    vd cx = vd_select_bit63(odd, c, s);
    vd sy = vd_select_bit63(odd, s, c);
    vu neg_c = vu_slli(vu_xor(q, vu_srli(q, 1)), 63); /* Q = 1, 2 */
    vu neg_s = vu_slli(vu_srli(q, 1), 63);             /* Q = 2, 3 */
    *z0 = vd_mul(r, vu_as_vd(vu_xor(vd_as_vu(cx), neg_c)));
    *z1 = vd_mul(r, vu_as_vd(vu_xor(vd_as_vu(sy), neg_s)));
}

/* Paths are processed in tiles of 8 (one 64-byte line of doubles per draw) on
 * every ISA, so each draw's row is written a whole cache line at a time and the
 * scalar reference is not penalized by column-wise strided stores. */
enum { TILE = 8, NG = TILE / ALVH_W };

static inline size_t tile_groups(size_t p, size_t n, lane_group *g, const alvh_pcg64_lanes *lanes,
                                 size_t *m)
{
    size_t ng = 0;
    for (size_t k = 0; k < NG && p + k * ALVH_W < n; k++, ng++) {
        size_t q = p + k * ALVH_W;
        m[k] = n - q < ALVH_W ? n - q : ALVH_W;
        group_load(lanes, q, m[k], &g[k]);
    }
    return ng;
}

void ALVH_ISA_SUFFIX(alvh_rng_uniform_fill)(alvh_pcg64_lanes *lanes, size_t n_draws, size_t ld,
                                            double *restrict out)
{
    for (size_t p = 0; p < lanes->n; p += TILE) {
        lane_group g[NG];
        size_t m[NG];
        size_t ng = tile_groups(p, lanes->n, g, lanes, m);
        for (size_t d = 0; d < n_draws; d++)
            for (size_t k = 0; k < ng; k++)
                vd_store_n(out + d * ld + p + k * ALVH_W, m[k], u01_from_bits(group_next(&g[k])));
        for (size_t k = 0; k < ng; k++)
            group_store(lanes, p + k * ALVH_W, m[k], &g[k]);
    }
}

void ALVH_ISA_SUFFIX(alvh_rng_normal_fill)(alvh_pcg64_lanes *lanes, size_t n_draws, size_t ld,
                                           double *restrict out)
{
    for (size_t p = 0; p < lanes->n; p += TILE) {
        lane_group g[NG];
        size_t m[NG];
        size_t ng = tile_groups(p, lanes->n, g, lanes, m);
        for (size_t d = 0; d < n_draws; d += 2)
            for (size_t k = 0; k < ng; k++) {
                vu x1 = group_next(&g[k]), x2 = group_next(&g[k]);
                vd z0, z1;
                normal_pair(x1, x2, &z0, &z1);
                double *row = out + d * ld + p + k * ALVH_W;
                vd_store_n(row, m[k], z0);
                if (d + 1 < n_draws) /* an odd count drops the pair's second normal */
                    vd_store_n(row + ld, m[k], z1);
            }
        for (size_t k = 0; k < ng; k++)
            group_store(lanes, p + k * ALVH_W, m[k], &g[k]);
    }
}
