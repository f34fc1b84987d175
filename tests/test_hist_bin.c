/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Histogram binning kernels (kernels/hist_bin.h): every ISA gives exactly the
 * counts, underflow/overflow/NaN/Inf tallies and extremes of the engine's
 * reference alvh_hist_add, on values placed exactly on edges, one ulp either
 * side of them, outside the range, non-finite, and on random data in every
 * tail length (n mod the vector width).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/fan_chart.h"
#include "engine/histogram.h"
#include "kernels/isa.h"

/* reference: one value at a time through alvh_hist_add */
static alvh_histogram *reference(double lo, double hi, size_t bins, const double *x, size_t n)
{
    alvh_histogram *h = alvh_hist_create(lo, hi, bins, NULL);
    assert_non_null(h);
    for (size_t i = 0; i < n; i++)
        alvh_hist_add(h, x[i]);
    return h;
}

static void assert_same(const alvh_histogram *a, const alvh_histogram *b)
{
    assert_int_equal(a->n_bins, b->n_bins);
    assert_memory_equal(a->counts, b->counts, a->n_bins * sizeof(uint64_t));
    assert_int_equal(a->underflow, b->underflow);
    assert_int_equal(a->overflow, b->overflow);
    assert_int_equal(a->n, b->n);
    assert_int_equal(a->n_nan, b->n_nan);
    assert_int_equal(a->n_inf, b->n_inf);
    assert_true(a->min == b->min);
    assert_true(a->max == b->max);
}

/* every supported ISA, fed in chunks of `chunk` values (tails of every length) */
static void check_all_isas(double lo, double hi, size_t bins, const double *x, size_t n, size_t chunk)
{
    alvh_histogram *ref = reference(lo, hi, bins, x, n);
    for (int isa = 0; isa < ALVH_ISA_COUNT; isa++) {
        if (!alvh_isa_supported((alvh_isa)isa))
            continue;
        const alvh_kernel_ops *ops = alvh_kernel_ops_for((alvh_isa)isa);
        alvh_histogram *h = alvh_hist_create(lo, hi, bins, NULL);
        for (size_t i = 0; i < n; i += chunk)
            alvh_hist_add_binned(h, ops->hist_bin, x + i, n - i < chunk ? n - i : chunk);
        assert_same(ref, h);
        /* the 16-bit variant: the same counts (n < 65536 here) and tallies */
        alvh_histogram *h16 = alvh_hist_create(lo, hi, bins, NULL);
        uint16_t *c16 = calloc(bins, sizeof *c16);
        assert_non_null(c16);
        assert_true(n < 65536);
        alvh_bin_tally t = {.min = INFINITY, .max = -INFINITY};
        for (size_t i = 0; i < n; i += chunk)
            ops->hist_bin16(lo, hi, bins, n - i < chunk ? n - i : chunk, x + i, c16, &t);
        for (size_t j = 0; j < bins; j++)
            h16->counts[j] = c16[j];
        h16->underflow = t.underflow, h16->overflow = t.overflow, h16->n = t.n, h16->n_nan = t.n_nan;
        h16->n_inf = t.n_inf, h16->min = t.min, h16->max = t.max;
        assert_same(ref, h16);
        free(c16);
        alvh_hist_free(h16);
        alvh_hist_free(h);
    }
    alvh_hist_free(ref);
}

static void test_edges_and_neighbours(void **state)
{
    (void)state;
    /* ranges whose bin width is not exact in binary: the quotient rounds across edges */
    const double los[] = {0.0, -3.0, 0.1, -1e7};
    const double his[] = {2.5e7, 3.0, 0.7, 3.3e7};
    const size_t bins[] = {1250, 7, 1000, 333};
    for (size_t r = 0; r < 4; r++) {
        alvh_histogram *h = alvh_hist_create(los[r], his[r], bins[r], NULL);
        size_t n = 0, cap = 4 * (bins[r] + 1) + 16;
        double *x = malloc(cap * sizeof *x);
        for (size_t j = 0; j <= bins[r]; j++) {
            double e = alvh_hist_edge(h, j);
            x[n++] = e;
            x[n++] = nextafter(e, -INFINITY);
            x[n++] = nextafter(e, INFINITY);
            x[n++] = e + 0.37 * (his[r] - los[r]) / (double)bins[r];
        }
        const double odd[] = {NAN, INFINITY, -INFINITY, los[r] - 1.0, his[r] + 1.0, -0.0, 0.0, 1e300, -1e300};
        for (size_t k = 0; k < sizeof odd / sizeof odd[0]; k++)
            x[n++] = odd[k];
        for (size_t chunk = 1; chunk <= 17; chunk++)
            check_all_isas(los[r], his[r], bins[r], x, n, chunk);
        check_all_isas(los[r], his[r], bins[r], x, n, n);
        free(x);
        alvh_hist_free(h);
    }
}

static void test_random_values(void **state)
{
    (void)state;
    enum { N = 20011 };
    double *x = malloc(N * sizeof *x);
    uint64_t s = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < N; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        double u = (double)(s >> 11) * 0x1.0p-53;
        x[i] = 1e7 * (1.0 + 0.4 * tan(3.0 * (u - 0.5))); /* heavy tails beyond both ends */
    }
    check_all_isas(0.0, 2.5e7, 1250, x, N, 1024);
    check_all_isas(0.0, 2.5e7, 1250, x, N, 1021);
    free(x);
}

/* counts add: binning into a histogram that already holds values keeps them */
static void test_accumulates(void **state)
{
    (void)state;
    const double x[] = {0.5, 1.5, 2.5, -1.0, 9.0, NAN};
    for (int isa = 0; isa < ALVH_ISA_COUNT; isa++) {
        if (!alvh_isa_supported((alvh_isa)isa))
            continue;
        alvh_histogram *h = alvh_hist_create(0.0, 3.0, 3, NULL);
        alvh_hist_add_binned(h, alvh_kernel_ops_for((alvh_isa)isa)->hist_bin, x, 6);
        alvh_hist_add_binned(h, alvh_kernel_ops_for((alvh_isa)isa)->hist_bin, x, 3);
        assert_int_equal(h->counts[0], 2);
        assert_int_equal(h->counts[1], 2);
        assert_int_equal(h->counts[2], 2);
        assert_int_equal(h->underflow, 1);
        assert_int_equal(h->overflow, 1);
        assert_int_equal(h->n, 8);
        assert_int_equal(h->n_nan, 1);
        assert_true(h->min == -1.0 && h->max == 9.0);
        alvh_hist_free(h);
    }
}

/* weighted binning (the LR-weighted fan charts): every ISA gives the sums of
 * alvh_hist_add_weighted exactly, values on and next to the edges, outside
 * the range and not finite included, in chunks of any size */
static void test_weighted_matches_reference(void **state)
{
    (void)state;
    enum { N = 5003 };
    double *x = malloc(N * sizeof *x);
    uint64_t *qw = malloc(N * sizeof *qw);
    assert_non_null(x);
    assert_non_null(qw);
    const double lo = -3.0, hi = 5.0;
    const size_t nb = 800;
    for (size_t i = 0; i < N; i++) {
        double u = (double)((i * 2654435761u) % 100003) / 100003.0;
        x[i] = i % 7 == 0 ? lo + (double)(i % nb) * ((hi - lo) / (double)nb) : -5.0 + 12.0 * u;
        qw[i] = alvh_hist_weight_units(0.01 + 3.0 * u * u);
    }
    x[11] = NAN, x[12] = INFINITY, x[13] = -INFINITY, x[14] = hi, x[15] = lo;
    alvh_histogram *ref = alvh_hist_create(lo, hi, nb, NULL);
    alvh_hist_add_weighted(ref, x, qw, N);
    for (int isa = 0; isa < ALVH_ISA_COUNT; isa++) {
        if (!alvh_isa_supported((alvh_isa)isa))
            continue;
        for (size_t chunk = 1; chunk <= 1024; chunk *= 32) {
            alvh_histogram *h = alvh_hist_create(lo, hi, nb, NULL);
            for (size_t i = 0; i < N; i += chunk)
                alvh_hist_add_binned_weighted(h, alvh_kernel_ops_for((alvh_isa)isa)->hist_bin, x + i, qw + i,
                                              N - i < chunk ? N - i : chunk);
            assert_memory_equal(h->counts, ref->counts, nb * sizeof *h->counts);
            assert_true(h->underflow == ref->underflow && h->overflow == ref->overflow && h->n == ref->n);
            assert_true(h->n_nan == ref->n_nan && h->n_inf == ref->n_inf);
            assert_true(h->min == ref->min && h->max == ref->max);
            alvh_hist_free(h);
        }
    }
    alvh_hist_free(ref);
    free(x);
    free(qw);
}

/* alvh_hist_quantiles (one pass, the fan charts' path) equals alvh_hist_quantile bit for bit */
static void test_quantiles_one_pass(void **state)
{
    (void)state;
    const double probs[] = {0.0, 0.001, 0.01, 0.05, 0.25, 0.5, 0.5, 0.75, 0.95, 0.99, 0.999, 1.0};
    const size_t np = sizeof probs / sizeof probs[0];
    const size_t sizes[] = {1, 2, 3, 10, 997, 20011};
    uint64_t s = 12345;
    for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
        for (int shape = 0; shape < 3; shape++) {
            alvh_histogram *h = alvh_hist_create(0.0, 2.5e7, 1250, NULL);
            for (size_t i = 0; i < sizes[z]; i++) {
                s = s * 6364136223846793005ull + 1442695040888963407ull;
                double u = (double)(s >> 11) * 0x1.0p-53;
                double x = shape == 0 ? 1e7 * (1.0 + 0.4 * tan(3.0 * (u - 0.5))) /* tails beyond both ends */
                         : shape == 1 ? 1e7                                    /* all equal */
                                      : 2e7 * u;                               /* spread */
                alvh_hist_add(h, x);
            }
            double q[16], b[16];
            assert_int_equal(alvh_hist_quantiles(h, probs, np, q, b, NULL), ALVH_OK);
            for (size_t k = 0; k < np; k++) {
                double q1, b1;
                assert_int_equal(alvh_hist_quantile(h, probs[k], &q1, &b1, NULL), ALVH_OK);
                assert_memory_equal(&q1, &q[k], sizeof q1);
                assert_memory_equal(&b1, &b[k], sizeof b1);
            }
            alvh_hist_free(h);
        }
    }
    alvh_histogram *h = alvh_hist_create(0.0, 1.0, 4, NULL);
    double q[2], pr[2] = {0.9, 0.1};
    assert_int_equal(alvh_hist_quantiles(h, pr, 2, q, NULL, NULL), ALVH_E_NUMERIC); /* empty */
    alvh_hist_add(h, 0.5);
    assert_int_equal(alvh_hist_quantiles(h, pr, 2, q, NULL, NULL), ALVH_E_CONFIG); /* not ascending */
    alvh_hist_free(h);
}

/* A fan chart staged in 16-bit counts (engine/fan_chart.h) holds the counts of an unstaged one once
 * flushed, also when one bin gets more than 65535 values (the staging flushes before it wraps), and
 * refuses to be read or merged with counts still staged. */
static void test_fan_staging(void **state)
{
    (void)state;
    enum { STEPS = 3, BINS = 50, BLOCK = 1024, BLOCKS = 70 };
    double lo[STEPS] = {0.0, -1.0, 10.0}, hi[STEPS] = {1.0, 1.0, 20.0};
    double *x = malloc(BLOCK * sizeof *x);
    assert_non_null(x);
    for (int isa = 0; isa < ALVH_ISA_COUNT; isa++) {
        if (!alvh_isa_supported((alvh_isa)isa))
            continue;
        const alvh_kernel_ops *ops = alvh_kernel_ops_for((alvh_isa)isa);
        alvh_fan_chart *plain = alvh_fan_create(STEPS, lo, hi, BINS, NULL), *st = alvh_fan_create(STEPS, lo, hi, BINS, NULL);
        assert_non_null(plain);
        assert_non_null(st);
        alvh_fan_set_binning(plain, ops->hist_bin);
        alvh_fan_set_binning(st, ops->hist_bin);
        assert_int_equal(alvh_fan_set_staging(st, ops->hist_bin16, NULL), ALVH_OK);
        uint64_t s = 12345;
        for (int b = 0; b < BLOCKS; b++)
            for (size_t t = 0; t < STEPS; t++) {
                for (size_t i = 0; i < BLOCK; i++) {
                    s = s * 6364136223846793005u + 1442695040888963407u;
                    double u = (double)(s >> 11) / 9007199254740992.0;
                    /* step 0: every value in one bin (70 x 1024 > 65535); step 1: spread, some outside;
                     * step 2: a NaN now and then */
                    x[i] = t == 0 ? 0.5101 : t == 1 ? 2.4 * u - 1.2 : (i % 97 == 0 ? NAN : 10.0 + 10.0 * u);
                }
                assert_int_equal(alvh_fan_add_step(plain, t, x, BLOCK, NULL), ALVH_OK);
                assert_int_equal(alvh_fan_add_step(st, t, x, BLOCK, NULL), ALVH_OK);
            }
        const double p[2] = {0.1, 0.9};
        double q[STEPS * 2];
        alvh_error err = {0};
        alvh_fan_chart *sum = alvh_fan_create(STEPS, lo, hi, BINS, NULL);
        assert_int_equal(alvh_fan_quantiles(st, p, 2, q, NULL, &err), ALVH_E_INTERNAL);
        assert_int_equal(alvh_fan_merge(sum, st, &err), ALVH_E_INTERNAL);
        alvh_fan_flush(st);
        for (size_t t = 0; t < STEPS; t++)
            assert_same(&plain->step[t], &st->step[t]);
        assert_int_equal(plain->step[0].counts[25], (uint64_t)BLOCKS * BLOCK);
        assert_int_equal(alvh_fan_merge(sum, st, &err), ALVH_OK);
        alvh_fan_reset(st);
        assert_int_equal(alvh_fan_add_step(st, 1, x, BLOCK, NULL), ALVH_OK);
        alvh_fan_flush(st);
        assert_int_equal(st->step[1].n + st->step[1].n_nan, BLOCK); /* x holds the last block of step 2 */
        alvh_fan_free(sum);
        alvh_fan_free(plain);
        alvh_fan_free(st);
    }
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges_and_neighbours),
        cmocka_unit_test(test_random_values),
        cmocka_unit_test(test_accumulates),
        cmocka_unit_test(test_weighted_matches_reference),
        cmocka_unit_test(test_quantiles_one_pass),
        cmocka_unit_test(test_fan_staging),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
