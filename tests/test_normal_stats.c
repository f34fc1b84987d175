/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Statistical quality of the normal generator, 10^7 draws per ISA tested
 * (best available and the scalar reference): moments against their sampling
 * errors, Kolmogorov-Smirnov and Anderson-Darling against the normal CDF, and
 * tail frequencies beyond 3, 4 and 5 sigma. Seeds are fixed, so a pass is
 * reproducible; bounds are 5 standard errors or the 0.1% critical values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "engine/block_rng.h"
#include "kernels/isa.h"

enum { BLOCK = 1000, DRAWS = 1000, BLOCKS = 10 }; /* 10^7 normals */
#define N ((double)BLOCK * DRAWS * BLOCKS)

static double *draw_all(alvh_isa isa)
{
    const alvh_kernel_ops *ops = alvh_kernel_ops_for(isa);
    double *z = malloc(sizeof(double) * BLOCK * DRAWS * BLOCKS);
    alvh_block_rng *b = alvh_block_rng_create(BLOCK);
    for (size_t k = 0; k < BLOCKS; k++) {
        alvh_block_rng_seed(b, 20261125, 0, k, BLOCK, BLOCK);
        ops->normal_fill(&b->lanes, DRAWS, BLOCK, z + k * BLOCK * DRAWS);
    }
    alvh_block_rng_free(b);
    return z;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double phi(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }

static void check_isa(alvh_isa isa)
{
    size_t n = (size_t)N;
    double *z = draw_all(isa);
    /* moments, compensated by accumulating in long double */
    long double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
    size_t t3 = 0, t4 = 0, t5 = 0, t4_lo = 0, t4_hi = 0;
    for (size_t i = 0; i < n; i++) {
        long double x = z[i], x2 = x * x;
        s1 += x;
        s2 += x2;
        s3 += x2 * x;
        s4 += x2 * x2;
        double a = fabs(z[i]);
        t3 += a > 3.0;
        t4 += a > 4.0;
        t5 += a > 5.0;
        t4_lo += z[i] < -4.0;
        t4_hi += z[i] > 4.0;
    }
    double mean = (double)(s1 / n), m2 = (double)(s2 / n) - mean * mean;
    double skew = (double)(s3 / n) / pow(m2, 1.5), kurt = (double)(s4 / n) / (m2 * m2) - 3.0;
    printf("# %s: mean %.2e var %.6f skew %.2e exkurt %.2e\n", alvh_isa_name(isa), mean, m2, skew, kurt);
    assert_true(fabs(mean) < 5 * sqrt(1.0 / N));
    assert_true(fabs(m2 - 1.0) < 5 * sqrt(2.0 / N));
    assert_true(fabs(skew) < 5 * sqrt(6.0 / N));
    assert_true(fabs(kurt) < 5 * sqrt(24.0 / N));

    /* tails: binomial counts within 5 sd of n p */
    const double p3 = 2.6997960632601866e-3, p4 = 6.3342483666239957e-5, p5 = 5.7330314375838e-7;
    double e3 = N * p3, e4 = N * p4, e5 = N * p5;
    printf("# %s: |z|>3 %zu (exp %.0f), |z|>4 %zu (exp %.0f; %zu low, %zu high), |z|>5 %zu (exp %.1f)\n",
           alvh_isa_name(isa), t3, e3, t4, e4, t4_lo, t4_hi, t5, e5);
    assert_true(fabs(t3 - e3) < 5 * sqrt(e3));
    assert_true(fabs(t4 - e4) < 5 * sqrt(e4));
    assert_true(fabs((double)t4_lo - e4 / 2) < 5 * sqrt(e4 / 2));
    assert_true(fabs((double)t4_hi - e4 / 2) < 5 * sqrt(e4 / 2));
    assert_true(t5 <= 20); /* Poisson(5.7): P(X > 20) < 1e-5 */

    /* KS and Anderson-Darling on the sorted sample */
    qsort(z, n, sizeof z[0], cmp_double);
    double d = 0.0, ad = 0.0;
    for (size_t i = 0; i < n; i++) {
        double f = phi(z[i]);
        double dp = (i + 1) / N - f, dm = f - i / N;
        d = fmax(d, fmax(dp, dm));
        double f_rev = phi(z[n - 1 - i]);
        ad += (2.0 * i + 1.0) * (log(f) + log1p(-f_rev));
    }
    ad = -N - ad / N;
    printf("# %s: KS sqrt(n) D = %.3f (0.1%% critical 1.949), AD A^2 = %.3f (0.1%% critical 5.97)\n",
           alvh_isa_name(isa), d * sqrt(N), ad);
    assert_true(d * sqrt(N) < 1.949);
    assert_true(ad < 5.97);
    /* the extremes are bounded by the 53-bit radius: sqrt(106 ln 2) */
    assert_true(fabs(z[0]) <= 8.5717 && z[n - 1] <= 8.5717);
    free(z);
}

static void test_best_isa(void **state)
{
    (void)state;
    check_isa(alvh_isa_best());
}

static void test_scalar_reference(void **state)
{
    (void)state;
    check_isa(ALVH_ISA_SCALAR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_best_isa),
        cmocka_unit_test(test_scalar_reference),
    };
    return cmocka_run_group_tests_name("normal_stats", tests, NULL, NULL);
}
