/* SPDX-License-Identifier: BSD-3-Clause */
/* Accuracy of the hand-written vector math (scalar build of the same source)
 * against glibc's libm, which is correctly rounded or within 1 ulp here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>

#include <cmocka.h>

#include "kernels/simd/scalar.h"
#include "kernels/simd/vmath.h"

static double ulps(double got, double want)
{
    if (got == want)
        return 0.0;
    double spacing = nextafter(fabs(want), INFINITY) - fabs(want);
    return fabs(got - want) / spacing;
}

static void test_log_within_one_ulp(void **state)
{
    (void)state;
    double worst = 0.0, worst_x = 0.0;
    /* the Box-Muller inputs: k 2^-53 for k in [1, 2^53], log-spaced sweep plus
     * the exact ends and values around 1 where log is small */
    for (int i = 0; i <= 2000000; i++) {
        double x = exp2(-53.0 * i / 2000000.0);
        double e = ulps(vmath_log(x), log(x));
        if (e > worst) {
            worst = e;
            worst_x = x;
        }
    }
    for (int i = 1; i < 100000; i++) {
        double x = 1.0 - i * 0x1p-53, e = ulps(vmath_log(x), log(x));
        if (e > worst) {
            worst = e;
            worst_x = x;
        }
    }
    assert_true(vmath_log(1.0) == 0.0);
    assert_true(ulps(vmath_log(0x1p-53), log(0x1p-53)) <= 1.0);
    printf("# log: max error %.3f ulp at x = %a\n", worst, worst_x);
    assert_true(worst <= 1.0);
}

static void test_sincos_within_two_ulp(void **state)
{
    (void)state;
    double ws = 0.0, wc = 0.0;
    for (int i = -1000000; i <= 1000000; i++) {
        double a = (0.78539816339744830962) * i / 1000000.0, s, c;
        vmath_sincos_small(a, &s, &c);
        /* sin near 0 is judged by relative error, cos against 1 ulp of ~0.7..1 */
        double es = ulps(s, sin(a)), ec = ulps(c, cos(a));
        ws = es > ws ? es : ws;
        wc = ec > wc ? ec : wc;
    }
    printf("# sin: max %.3f ulp, cos: max %.3f ulp on [-pi/4, pi/4]\n", ws, wc);
    assert_true(ws <= 2.0);
    assert_true(wc <= 2.0);
}

static void test_exp_within_one_ulp(void **state)
{
    (void)state;
    double worst = 0.0, worst_x = 0.0;
    for (int i = -2000000; i <= 2000000; i++) {
        double x = 708.0 * i / 2000000.0, e = ulps(vmath_exp(x), exp(x));
        if (e > worst) {
            worst = e;
            worst_x = x;
        }
    }
    /* small arguments, where e^x - 1 carries the information */
    for (int i = 1; i < 200000; i++) {
        double x = ldexp((double)i, -40), e = fmax(ulps(vmath_exp(x), exp(x)), ulps(vmath_exp(-x), exp(-x)));
        if (e > worst) {
            worst = e;
            worst_x = x;
        }
    }
    printf("# exp: max error %.3f ulp at x = %a\n", worst, worst_x);
    assert_true(worst <= 1.0);
    assert_true(vmath_exp(0.0) == 1.0);
    assert_true(vmath_exp(-800.0) == 0.0);
    assert_true(isinf(vmath_exp(710.0)) && vmath_exp(710.0) > 0.0);
    assert_true(isinf(vmath_exp(INFINITY)));
    assert_true(vmath_exp(-INFINITY) == 0.0);
    assert_true(isnan(vmath_exp(NAN)));
    assert_true(ulps(vmath_exp(709.7), exp(709.7)) <= 1.0);
    assert_true(ulps(vmath_exp(-708.3), exp(-708.3)) <= 1.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_within_one_ulp),
        cmocka_unit_test(test_sincos_within_two_ulp),
        cmocka_unit_test(test_exp_within_one_ulp),
    };
    return cmocka_run_group_tests_name("vmath", tests, NULL, NULL);
}
