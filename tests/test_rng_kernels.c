/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Vector RNG kernels against the scalar reference, on every ISA this CPU has.
 * Uniforms are integer arithmetic plus an exact conversion: bit-identical.
 * Normals: AVX2 and AVX-512 run the same fused operation sequence and must
 * agree bit for bit; the scalar reference rounds a*b+c twice where they fuse, so
 * it may differ by a few ulps (bound below, measured max is printed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/block_rng.h"
#include "kernels/isa.h"
#include "kernels/rng.h"

enum { NPATH = 37, LD = 40, NDRAW = 11 }; /* 37 = partial last group on every width */

/* |z_vec - z_ref| <= NORMAL_TOL * max(1, |z|): a few ulps at the magnitude of
 * the radius; the products r*cos and -2 ln u each carry a rounding that FMA
 * shifts by at most one ulp. Measured on AVX-512 hardware: 3.9e-16. */
#define NORMAL_TOL 2e-15

static void fill(alvh_isa isa, int normal, size_t ndraw, double *out, alvh_block_rng *b)
{
    const alvh_kernel_ops *ops = alvh_kernel_ops_for(isa);
    alvh_block_rng_seed(b, 99, 2, 5, NPATH, NPATH);
    for (size_t i = 0; i < (size_t)LD * ndraw; i++)
        out[i] = -777.0; /* sentinel: padding columns must stay untouched */
    if (normal)
        ops->normal_fill(&b->lanes, ndraw, LD, out);
    else
        ops->uniform_fill(&b->lanes, ndraw, LD, out);
}

static void test_uniform_matches_scalar_stream(void **state)
{
    (void)state;
    alvh_block_rng *b = alvh_block_rng_create(NPATH);
    double out[LD * NDRAW];
    for (int isa = 0; isa < ALVH_ISA_COUNT; isa++) {
        if (!alvh_isa_supported((alvh_isa)isa))
            continue;
        fill((alvh_isa)isa, 0, NDRAW, out, b);
        for (size_t p = 0; p < NPATH; p++) {
            alvh_pcg64 g;
            alvh_pcg64_for_path(&g, 99, 2, 5 * NPATH + p);
            for (size_t d = 0; d < NDRAW; d++) {
                double u = alvh_pcg64_next_double(&g);
                assert_memory_equal(&u, &out[d * LD + p], sizeof u);
            }
            /* generators advanced in place to where the scalar stream is */
            alvh_pcg64 after;
            alvh_pcg64_lanes_get(&b->lanes, p, &after);
            assert_memory_equal(&after, &g, sizeof g);
        }
        for (size_t d = 0; d < NDRAW; d++)
            for (size_t p = NPATH; p < LD; p++)
                assert_true(out[d * LD + p] == -777.0);
    }
    alvh_block_rng_free(b);
}

static void test_normals_agree_across_isas(void **state)
{
    (void)state;
    alvh_block_rng *b = alvh_block_rng_create(NPATH);
    enum { ND = 2001 }; /* odd: the last pair's second normal is dropped */
    double *ref = malloc(sizeof(double) * LD * ND), *out = malloc(sizeof(double) * LD * ND);
    uint64_t ref_lo[NPATH];
    fill(ALVH_ISA_SCALAR, 1, ND, ref, b);
    memcpy(ref_lo, b->lanes.state_lo, sizeof ref_lo);
    double *avx2 = NULL;
    for (int isa = 1; isa < ALVH_ISA_COUNT; isa++) {
        if (!alvh_isa_supported((alvh_isa)isa)) {
            printf("# %s not supported here: skipped\n", alvh_isa_name((alvh_isa)isa));
            continue;
        }
        fill((alvh_isa)isa, 1, ND, out, b);
        assert_memory_equal(b->lanes.state_lo, ref_lo, sizeof ref_lo);
        double worst = 0.0;
        for (size_t d = 0; d < ND; d++)
            for (size_t p = 0; p < LD; p++) {
                double r = ref[d * LD + p], v = out[d * LD + p];
                if (p >= NPATH) {
                    assert_true(v == -777.0);
                    continue;
                }
                double err = fabs(v - r) / fmax(1.0, fabs(r));
                if (err > worst)
                    worst = err;
            }
        printf("# %s vs scalar: max |diff|/max(1,|z|) = %.3g over %d normals\n",
               alvh_isa_name((alvh_isa)isa), worst, NPATH * ND);
        assert_true(worst <= NORMAL_TOL);
        if (isa == ALVH_ISA_AVX2) {
            avx2 = malloc(sizeof(double) * LD * ND);
            memcpy(avx2, out, sizeof(double) * LD * ND);
        } else if (avx2) {
            assert_memory_equal(avx2, out, sizeof(double) * LD * ND);
        }
    }
    free(avx2);
    free(ref);
    free(out);
    alvh_block_rng_free(b);
}

/* An odd count consumes the full pair, so n and n+1 normals leave the
 * generators in the same place and share their first n values. */
static void test_odd_count_consumes_pair(void **state)
{
    (void)state;
    alvh_block_rng *b = alvh_block_rng_create(NPATH);
    double a[LD * 5], c[LD * 6];
    uint64_t lo_a[NPATH];
    fill(alvh_isa_best(), 1, 5, a, b);
    memcpy(lo_a, b->lanes.state_lo, sizeof lo_a);
    fill(alvh_isa_best(), 1, 6, c, b);
    assert_memory_equal(lo_a, b->lanes.state_lo, sizeof lo_a);
    assert_memory_equal(a, c, sizeof a);
    assert_int_equal(alvh_rng_outputs_per_normals(5), 6);
    alvh_block_rng_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uniform_matches_scalar_stream),
        cmocka_unit_test(test_normals_agree_across_isas),
        cmocka_unit_test(test_odd_count_consumes_pair),
    };
    return cmocka_run_group_tests_name("rng_kernels", tests, NULL, NULL);
}
