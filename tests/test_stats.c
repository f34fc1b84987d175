/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Statistics library (engine/stats.h, histogram.h, fan_chart.h, hedge_eff.h):
 * hand-computed type-7 quantiles, moments and Wilson intervals; quantile, VaR
 * and ES estimators on 10^6 draws from laws with closed-form values (normal,
 * Student-t with 4 degrees of freedom, exponential), each within 4 standard
 * errors; NaN/Inf accounting; histogram merge-order independence and
 * within-one-bin estimates; weighted (LR-unit) histogram quantiles, VaR and
 * ES within their bounds of the exact weighted ones; fan chart; paired
 * hedge-effectiveness SEs; the
 * antithetic pairs' SE by hand and its cluster form in any order.
 *
 * `test_stats --json` prints a fixed seeded sample with every estimate as JSON
 * instead of running the suite; tests/stats_numpy_check.py recomputes them
 * with numpy.
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

#include "engine/antithetic.h"
#include "engine/block_rng.h"
#include "engine/fan_chart.h"
#include "engine/hedge_eff.h"
#include "engine/histogram.h"
#include "engine/stats.h"
#include "engine/wstats.h"
#include "kernels/isa.h"

enum { BIG_N = 1000000 };
static const double PI = 3.14159265358979323846;

/* ---- samples ------------------------------------------------------------ */

static double open_uniform(alvh_pcg64 *g) /* in (0, 1): no log(0), no 1/0 */
{
    return ((double)(alvh_pcg64_next_u64(g) >> 11) + 0.5) * 0x1.0p-53;
}

/* Standard normals from the engine's scalar normal kernel: 1000 paths x 1000 draws. */
static double *normal_sample(uint64_t seed)
{
    double *z = malloc(BIG_N * sizeof *z);
    alvh_block_rng *b = alvh_block_rng_create(1000);
    assert_non_null(z);
    assert_non_null(b);
    alvh_block_rng_seed(b, seed, 0, 0, 1000, 1000);
    alvh_kernel_ops_for(ALVH_ISA_SCALAR)->normal_fill(&b->lanes, 1000, 1000, z);
    alvh_block_rng_free(b);
    return z;
}

/* Student-t, nu = 4, by its closed-form inverse CDF (Shaw 2006):
 * alpha = 4u(1-u), t = sign(u - 1/2) 2 sqrt(cos(acos(sqrt(alpha)) / 3) / sqrt(alpha) - 1). */
static double t4_inv(double u)
{
    double al = 4.0 * u * (1.0 - u), sa = sqrt(al);
    double t = 2.0 * sqrt(cos(acos(sa) / 3.0) / sa - 1.0);
    return u < 0.5 ? -t : t;
}

static double *t4_sample(uint64_t seed)
{
    double *x = malloc(BIG_N * sizeof *x);
    assert_non_null(x);
    alvh_pcg64 g;
    alvh_pcg64_seed(&g, 0, seed, 0, 7);
    for (size_t i = 0; i < BIG_N; i++)
        x[i] = t4_inv(open_uniform(&g));
    return x;
}

static double *exp_sample(uint64_t seed)
{
    double *x = malloc(BIG_N * sizeof *x);
    assert_non_null(x);
    alvh_pcg64 g;
    alvh_pcg64_seed(&g, 0, seed, 0, 11);
    for (size_t i = 0; i < BIG_N; i++)
        x[i] = -log(open_uniform(&g));
    return x;
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* ---- hand-computed values ---------------------------------------------- */

static void test_type7_hand(void **state)
{
    (void)state;
    /* sorted: -0.4 0.1 0.2 0.3 0.7 1.3 2.9; h = 6p. Expected values are
     * np.quantile(x, p) (numpy 1.24); p = 0.1 has h = 0.6000000000000001,
     * g > 0.5, where numpy's b - d(1 - g) differs from a + d g in the last bit. */
    const double x[] = {0.1, 0.7, 0.2, 1.3, -0.4, 2.9, 0.3};
    const double p[] = {0.0, 0.1, 0.3, 0.45, 0.5, 0.62, 0.9, 0.95, 1.0};
    const double want[] = {-0.4, -0.09999999999999995, 0.18, 0.27, 0.3, 0.5879999999999999,
                           1.9400000000000006, 2.419999999999999, 2.9};
    double q[9];
    alvh_error err = {0};
    assert_int_equal(alvh_stats_quantiles(x, 7, p, 9, q, NULL, &err), ALVH_OK);
    for (int k = 0; k < 9; k++) {
        printf("# p = %-4g q = %.17g (numpy %.17g)\n", p[k], q[k], want[k]);
        assert_true(same_bits(q[k], want[k]));
    }
    /* by hand: p = 0.5 -> h = 3 -> 0.3; p = 0.45 -> h = 2.7 -> 0.2 + 0.7 * 0.1 */
    assert_true(fabs(q[3] - 0.27) < 1e-15);
    /* one value: every quantile is that value */
    double one = 42.0, q1;
    assert_int_equal(alvh_stats_quantiles(&one, 1, &p[6], 1, &q1, NULL, &err), ALVH_OK);
    assert_true(q1 == 42.0);
}

static void test_moments_hand(void **state)
{
    (void)state;
    alvh_moments m;
    alvh_error err = {0};
    const double a[] = {1, 2, 3, 4, 5};
    assert_int_equal(alvh_stats_moments(a, 5, &m, &err), ALVH_OK);
    assert_int_equal(m.n, 5);
    assert_true(m.mean == 3.0);
    assert_true(fabs(m.stdev - sqrt(2.5)) < 1e-15);
    assert_true(fabs(m.mean_se - sqrt(2.5 / 5)) < 1e-15);
    assert_true(fabs(m.skewness) < 1e-15);
    assert_true(fabs(m.excess_kurtosis - (-1.3)) < 1e-14); /* m4 = 6.8, m2 = 2 */
    assert_true(m.min == 1.0 && m.max == 5.0);

    /* {0,0,0,1}: mean 1/4, m2 = 3/16, m3 = 3/32, m4 = 21/256 -> g1 = 2/sqrt(3), g2 = -2/3 */
    const double b[] = {0, 0, 0, 1};
    assert_int_equal(alvh_stats_moments(b, 4, &m, &err), ALVH_OK);
    assert_true(fabs(m.stdev - sqrt(0.25)) < 1e-15);
    assert_true(fabs(m.skewness - 2.0 / sqrt(3.0)) < 1e-14);
    assert_true(fabs(m.excess_kurtosis - (-2.0 / 3.0)) < 1e-14);

    /* constant: no spread, shape undefined (NaN, documented), still OK */
    const double c[] = {7, 7, 7};
    assert_int_equal(alvh_stats_moments(c, 3, &m, &err), ALVH_OK);
    assert_true(m.stdev == 0.0 && isnan(m.skewness) && isnan(m.excess_kurtosis));
    /* one value: stdev undefined */
    assert_int_equal(alvh_stats_moments(c, 1, &m, &err), ALVH_OK);
    assert_true(m.mean == 7.0 && isnan(m.stdev) && isnan(m.mean_se));
}

static void test_wilson_hand(void **state)
{
    (void)state;
    /* references: the Wilson formula in 50-digit decimal arithmetic (Python),
     * z = 1.959963984540054 */
    const struct { uint64_t k, n; double lo, hi; } ref[] = {
        {1, 10, 0.017876213095072906, 0.40415002679523848},
        {0, 20, 0.0, 0.16112515805281935},
        {20, 20, 0.83887484194718065, 1.0},
        {37, 1000, 0.026961180875554734, 0.050582397482069309},
        {5, 1000000, 2.1357029684685586e-06, 1.1705702681035744e-05},
    };
    alvh_error err = {0};
    for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++) {
        alvh_proportion pr;
        assert_int_equal(alvh_stats_wilson(ref[i].k, ref[i].n, ALVH_STATS_Z95, &pr, &err), ALVH_OK);
        printf("# wilson %llu/%llu: [%.17g, %.17g]\n", (unsigned long long)ref[i].k,
               (unsigned long long)ref[i].n, pr.lo, pr.hi);
        assert_true(fabs(pr.lo - ref[i].lo) <= 1e-14 * ref[i].lo);
        assert_true(fabs(pr.hi - ref[i].hi) <= 1e-14 * ref[i].hi);
        assert_true(pr.p_hat == (double)ref[i].k / (double)ref[i].n);
    }
    alvh_proportion pr;
    assert_int_equal(alvh_stats_wilson(3, 2, ALVH_STATS_Z95, &pr, &err), ALVH_E_CONFIG);
    assert_int_equal(alvh_stats_wilson(0, 0, ALVH_STATS_Z95, &pr, &err), ALVH_E_CONFIG);
    assert_int_equal(alvh_stats_wilson(1, 2, -1.0, &pr, &err), ALVH_E_CONFIG);
}

static void test_tail_count(void **state)
{
    (void)state;
    assert_int_equal(alvh_stats_tail_count(1000000, 0.99), 10000); /* 1 - 0.99 rounds up */
    assert_int_equal(alvh_stats_tail_count(1000000, 0.95), 50000);
    assert_int_equal(alvh_stats_tail_count(1000000, 0.995), 5000);
    assert_int_equal(alvh_stats_tail_count(1000000, 0.999), 1000);
    assert_int_equal(alvh_stats_tail_count(100, 0.99), 1);
    assert_int_equal(alvh_stats_tail_count(10, 0.95), 1);   /* 0.5 -> 1 */
    assert_int_equal(alvh_stats_tail_count(7, 0.5), 4);     /* 3.5 -> 4 */
    assert_int_equal(alvh_stats_tail_count(5, 1e-300), 5);

    /* by hand: losses 1..10, a = 0.8: k = 2, ES = 9.5, VaR = type 7 at h = 7.2 -> 8.2 */
    double loss[10];
    for (int i = 0; i < 10; i++)
        loss[i] = i + 1;
    alvh_tail_risk tr;
    alvh_error err = {0};
    assert_int_equal(alvh_stats_tail_risk_sorted(loss, 10, 0.8, &tr, &err), ALVH_OK);
    assert_int_equal(tr.tail_n, 2);
    assert_true(tr.es == 9.5);
    assert_true(fabs(tr.var - 8.2) < 1e-14);
    /* SE: Var(tail) = 0.5, gap = 1.3: sqrt((0.5 + 0.8 * 1.69) / (10 * 0.2)) */
    assert_true(fabs(tr.es_se - sqrt((0.5 + 0.8 * 1.69) / 2.0)) < 1e-14);
}

static void test_nonfinite(void **state)
{
    (void)state;
    const double clean[] = {3.0, -1.0, 2.5, 8.0, 0.25, -4.0};
    const double dirty[] = {NAN, 3.0, INFINITY, -1.0, 2.5, -INFINITY, 8.0, NAN, 0.25, -4.0, NAN};
    alvh_moments mc, md;
    alvh_error err = {0};
    assert_int_equal(alvh_stats_moments(clean, 6, &mc, &err), ALVH_OK);
    assert_int_equal(alvh_stats_moments(dirty, 11, &md, &err), ALVH_OK);
    assert_int_equal(md.n, 6);
    assert_int_equal(md.n_nan, 3);
    assert_int_equal(md.n_inf, 2);
    assert_true(same_bits(mc.mean, md.mean) && same_bits(mc.stdev, md.stdev));
    assert_true(same_bits(mc.skewness, md.skewness) && same_bits(mc.excess_kurtosis, md.excess_kurtosis));
    assert_true(md.min == -4.0 && md.max == 8.0);

    double qc[ALVH_STATS_N_PROBS], qd[ALVH_STATS_N_PROBS];
    size_t dropped = 0;
    assert_int_equal(alvh_stats_quantiles(clean, 6, alvh_stats_probs, ALVH_STATS_N_PROBS, qc, NULL, &err), ALVH_OK);
    assert_int_equal(alvh_stats_quantiles(dirty, 11, alvh_stats_probs, ALVH_STATS_N_PROBS, qd, &dropped, &err),
                     ALVH_OK);
    assert_int_equal(dropped, 5);
    assert_memory_equal(qc, qd, sizeof qc);

    alvh_tail_risk tc, td;
    assert_int_equal(alvh_stats_tail_risk(dirty, 11, &alvh_stats_levels[0], 1, &td, &dropped, &err), ALVH_OK);
    assert_int_equal(alvh_stats_tail_risk(clean, 6, &alvh_stats_levels[0], 1, &tc, NULL, &err), ALVH_OK);
    assert_int_equal(dropped, 5);
    assert_memory_equal(&tc, &td, sizeof tc);

    alvh_histogram *h = alvh_hist_create(-2.0, 2.0, 4, &err);
    assert_non_null(h);
    alvh_hist_add_array(h, dirty, 11);
    assert_int_equal(h->n, 6);
    assert_int_equal(h->n_nan, 3);
    assert_int_equal(h->n_inf, 2);
    assert_int_equal(h->underflow, 1);
    assert_int_equal(h->overflow, 3);
    alvh_hist_free(h);

    /* nothing finite: an error that says so, counts still reported */
    const double bad[] = {NAN, INFINITY, NAN};
    assert_int_equal(alvh_stats_moments(bad, 3, &md, &err), ALVH_E_NUMERIC);
    assert_int_equal(md.n_nan, 2);
    assert_int_equal(md.n_inf, 1);
    printf("# %s: %s\n", alvh_status_name(err.code), err.msg);
    assert_non_null(strstr(err.msg, "no finite value"));
    assert_int_equal(alvh_stats_quantiles(bad, 3, alvh_stats_probs, 1, qd, NULL, &err), ALVH_E_NUMERIC);

    /* paired effectiveness drops a path if either side is bad */
    const double hh[] = {1, 2, NAN, 4, 5, 6, -3, 0};
    const double bb[] = {2, INFINITY, 1, 3, 9, -8, -5, 1};
    alvh_hedge_eff eff;
    assert_int_equal(alvh_hedge_eff_compute(hh, bb, 8, 0.75, &eff, &err), ALVH_OK);
    assert_int_equal(eff.n, 6);
    assert_int_equal(eff.n_excluded, 2);
}

static void test_bad_input(void **state)
{
    (void)state;
    alvh_error err = {0};
    const double x[] = {1, 2, 3};
    double q;
    double p_bad[] = {1.5, -0.1, NAN};
    for (int i = 0; i < 3; i++)
        assert_int_equal(alvh_stats_quantiles(x, 3, &p_bad[i], 1, &q, NULL, &err), ALVH_E_CONFIG);
    printf("# %s\n", err.msg);
    alvh_tail_risk tr;
    double lv[] = {0.0, 1.0, NAN};
    for (int i = 0; i < 3; i++)
        assert_int_equal(alvh_stats_tail_risk(x, 3, &lv[i], 1, &tr, NULL, &err), ALVH_E_CONFIG);
    printf("# %s\n", err.msg);
    alvh_pnl_summary s;
    assert_int_equal(alvh_stats_pnl_summary(x, 3, 0.0, &s, &err), ALVH_E_CONFIG);
    assert_null(alvh_hist_create(1.0, 1.0, 10, &err));
    assert_int_equal(err.code, ALVH_E_CONFIG);
    assert_null(alvh_hist_create(0.0, NAN, 10, &err));
    assert_null(alvh_hist_create(0.0, 1.0, 0, &err));
    assert_null(alvh_hist_create(1e16, 1e16 + 4, 100, &err)); /* bins below double spacing */
    printf("# %s\n", err.msg);
    alvh_histogram *a = alvh_hist_create(0.0, 1.0, 10, &err), *b = alvh_hist_create(0.0, 1.0, 11, &err);
    assert_int_equal(alvh_hist_merge(a, b, &err), ALVH_E_INTERNAL);
    printf("# %s\n", err.msg);
    assert_int_equal(alvh_hist_quantile(a, 0.5, &q, NULL, &err), ALVH_E_NUMERIC); /* empty */
    alvh_hist_free(a);
    alvh_hist_free(b);
    alvh_hist_free(NULL);
    alvh_fan_free(NULL);
}

/* ---- known laws, 10^6 draws -------------------------------------------- */

typedef struct {
    const char *name;
    double q[ALVH_STATS_N_PROBS];  /* exact quantiles at alvh_stats_probs */
    double es[ALVH_STATS_N_LEVELS]; /* exact ES of the loss X at alvh_stats_levels */
    double (*pdf)(double);
} known_law;

static double pdf_normal(double x) { return exp(-0.5 * x * x) / sqrt(2.0 * PI); }
static double pdf_t4(double x) { return 0.375 * pow(1.0 + x * x / 4.0, -2.5); }
static double pdf_exp(double x) { return x >= 0 ? exp(-x) : 0.0; }

/* Values from Python: statistics.NormalDist; Shaw's t4 inverse; ES of t_nu:
 * f(q) (nu + q^2) / ((nu - 1)(1 - a)); exponential: q = -ln(1 - p), ES = 1 - ln(1 - a). */
static const known_law law_normal = {
    "normal",
    {-3.0902323061678132, -2.5758293035488999, -2.3263478740408408, -1.6448536269514726,
     -0.67448975019608171, 0.0, 0.67448975019608171, 1.6448536269514715, 2.3263478740408408,
     2.5758293035488999, 3.0902323061678132},
    {2.0627128075074288, 2.6652142203458058, 2.8919486053834844},
    pdf_normal,
};
static const known_law law_t4 = {
    "student-t(4)",
    {-7.1731822197823085, -4.604094871349993, -3.7469473879791968, -2.1318467863266508,
     -0.74069708411268287, 0.0, 0.74069708411268287, 2.1318467863266495, 3.7469473879791959,
     4.6040948713499921, 7.1731822197823067},
    {3.2028704020948733, 5.2205841944922167, 6.3248306967002215},
    pdf_t4,
};

/* Loss sample x (P&L = -x): quantiles of x within 4 SE (SE = sqrt(p(1-p)/n) / f(q)),
 * VaR and ES of the loss within 4 SE, and P(loss > t) inside a z = 4 Wilson interval. */
static void check_law(const known_law *law, const double *x)
{
    alvh_error err = {0};
    double q[ALVH_STATS_N_PROBS];
    assert_int_equal(alvh_stats_quantiles(x, BIG_N, alvh_stats_probs, ALVH_STATS_N_PROBS, q, NULL, &err), ALVH_OK);
    double worst = 0;
    for (int k = 0; k < ALVH_STATS_N_PROBS; k++) {
        double p = alvh_stats_probs[k];
        double se = sqrt(p * (1 - p) / BIG_N) / law->pdf(law->q[k]);
        double zs = (q[k] - law->q[k]) / se;
        worst = fmax(worst, fabs(zs));
        assert_true(fabs(zs) < 4.0);
    }
    printf("# %-13s quantiles: worst |error| = %.2f SE\n", law->name, worst);

    double *pnl = malloc(BIG_N * sizeof *pnl);
    for (size_t i = 0; i < BIG_N; i++)
        pnl[i] = -x[i];
    alvh_tail_risk tr[ALVH_STATS_N_LEVELS];
    assert_int_equal(alvh_stats_tail_risk(pnl, BIG_N, alvh_stats_levels, ALVH_STATS_N_LEVELS, tr, NULL, &err),
                     ALVH_OK);
    for (int k = 0; k < ALVH_STATS_N_LEVELS; k++) {
        double a = alvh_stats_levels[k], qa = law->q[7 + k]; /* probs[7..9] = 0.95, 0.99, 0.995 */
        double var_se = sqrt(a * (1 - a) / BIG_N) / law->pdf(qa);
        printf("# %-13s a = %.3f VaR %.5f (exact %.5f, %+.2f SE)  ES %.5f +- %.5f (exact %.5f, %+.2f SE), k = %zu\n",
               law->name, a, tr[k].var, qa, (tr[k].var - qa) / var_se, tr[k].es, tr[k].es_se, law->es[k],
               (tr[k].es - law->es[k]) / tr[k].es_se, tr[k].tail_n);
        assert_true(fabs(tr[k].var - qa) < 4 * var_se);
        assert_true(fabs(tr[k].es - law->es[k]) < 4 * tr[k].es_se);
        assert_true(tr[k].es >= tr[k].var);
    }
    free(pnl);
}

static void test_normal_law(void **state)
{
    (void)state;
    double *x = normal_sample(20260301);
    check_law(&law_normal, x);
    /* tail probabilities P(X > t): 1 - Phi(t) for t = 1, 2, 4 */
    const double t[] = {1.0, 2.0, 4.0}, pr[] = {0.15865525393145705, 0.022750131948179209, 3.1671241833119857e-05};
    alvh_error err = {0};
    for (int i = 0; i < 3; i++) {
        alvh_proportion p;
        assert_int_equal(alvh_stats_prob_above(x, BIG_N, t[i], 4.0, &p, &err), ALVH_OK);
        printf("# normal P(X > %g) = %.6g [%.6g, %.6g] (z = 4), exact %.6g\n", t[i], p.p_hat, p.lo, p.hi, pr[i]);
        assert_true(p.lo <= pr[i] && pr[i] <= p.hi);
    }
    free(x);
}

static void test_t4_law(void **state)
{
    (void)state;
    double *x = t4_sample(20260302);
    check_law(&law_t4, x);
    free(x);
}

static void test_exponential_law(void **state)
{
    (void)state;
    known_law law = {.name = "exponential", .pdf = pdf_exp};
    for (int k = 0; k < ALVH_STATS_N_PROBS; k++)
        law.q[k] = -log1p(-alvh_stats_probs[k]);
    for (int k = 0; k < ALVH_STATS_N_LEVELS; k++)
        law.es[k] = 1.0 - log1p(-alvh_stats_levels[k]); /* memoryless: VaR + mean */
    double *x = exp_sample(20260303);
    check_law(&law, x);
    alvh_moments m;
    alvh_error err = {0};
    assert_int_equal(alvh_stats_moments(x, BIG_N, &m, &err), ALVH_OK);
    /* Exp(1): mean 1, sd 1, skewness 2, excess kurtosis 6; SE of g1, g2 from
     * the 4th..8th moments are large, so only the first two are tight */
    printf("# exponential moments: mean %.5f +- %.5f, sd %.5f, skew %.4f, exkurt %.4f\n", m.mean, m.mean_se, m.stdev,
           m.skewness, m.excess_kurtosis);
    assert_true(fabs(m.mean - 1.0) < 4 * m.mean_se);
    assert_true(fabs(m.stdev - 1.0) < 4 * sqrt(8.0 / 4.0 / BIG_N)); /* Var(s) ~ (mu4 - s^4)/(4 s^2 n) = 8/(4n) */
    assert_true(fabs(m.skewness - 2.0) < 0.1);
    assert_true(fabs(m.excess_kurtosis - 6.0) < 1.0);
    free(x);
}

static void test_summary_consistent(void **state)
{
    (void)state;
    double *x = normal_sample(7);
    for (size_t i = 0; i < BIG_N; i++)
        x[i] = 1000.0 * x[i] + 50.0; /* P&L in USD, capital 10^4: thresholds 500, 1000, 2000 */
    alvh_pnl_summary s, s2;
    alvh_error err = {0};
    assert_int_equal(alvh_stats_pnl_summary(x, BIG_N, 1e4, &s, &err), ALVH_OK);
    assert_int_equal(alvh_stats_pnl_summary(x, BIG_N, 1e4, &s2, &err), ALVH_OK);
    assert_memory_equal(&s, &s2, sizeof s); /* deterministic */

    alvh_moments m;
    double q[ALVH_STATS_N_PROBS];
    alvh_tail_risk tr[ALVH_STATS_N_LEVELS];
    assert_int_equal(alvh_stats_moments(x, BIG_N, &m, &err), ALVH_OK);
    assert_int_equal(alvh_stats_quantiles(x, BIG_N, alvh_stats_probs, ALVH_STATS_N_PROBS, q, NULL, &err), ALVH_OK);
    assert_int_equal(alvh_stats_tail_risk(x, BIG_N, alvh_stats_levels, ALVH_STATS_N_LEVELS, tr, NULL, &err), ALVH_OK);
    assert_memory_equal(&m, &s.moments, sizeof m);
    assert_memory_equal(q, s.quantile_usd, sizeof q);
    assert_memory_equal(tr, s.tail, sizeof tr);
    for (int k = 0; k < ALVH_STATS_N_THRESHOLDS; k++) {
        /* loss > x C  <=>  P&L < -x C */
        uint64_t cnt = 0;
        for (size_t i = 0; i < BIG_N; i++)
            cnt += -x[i] > alvh_stats_loss_thresholds[k] * 1e4;
        assert_int_equal(s.p_loss_above[k].successes, cnt);
        assert_int_equal(s.p_loss_above[k].trials, BIG_N);
        double exact = 0.5 * erfc((alvh_stats_loss_thresholds[k] * 1e4 + 50.0) / 1000.0 / sqrt(2.0));
        printf("# P(loss > %.2f C) = %.5f [%.5f, %.5f], exact %.5f\n", alvh_stats_loss_thresholds[k],
               s.p_loss_above[k].p_hat, s.p_loss_above[k].lo, s.p_loss_above[k].hi, exact);
    }
    free(x);
}

/* ---- histograms -------------------------------------------------------- */

enum { HBLOCKS = 16 };

static void fill_blocks(alvh_histogram **hb, const double *x, size_t n)
{
    size_t per = n / HBLOCKS;
    for (int b = 0; b < HBLOCKS; b++)
        alvh_hist_add_array(hb[b], x + b * per, b == HBLOCKS - 1 ? n - b * per : per);
}

static void assert_hist_equal(const alvh_histogram *a, const alvh_histogram *b)
{
    assert_memory_equal(a->counts, b->counts, a->n_bins * sizeof *a->counts);
    assert_true(a->underflow == b->underflow && a->overflow == b->overflow && a->n == b->n);
    assert_true(a->n_nan == b->n_nan && a->n_inf == b->n_inf);
    assert_true(same_bits(a->min, b->min) && same_bits(a->max, b->max));
}

/* Histogram estimates against exact values, within the bound each returns. */
static void check_hist_estimates(const char *name, const alvh_histogram *h, const double *x, size_t n)
{
    alvh_error err = {0};
    double w = (h->hi - h->lo) / (double)h->n_bins, worst = 0;
    double qe[ALVH_STATS_N_PROBS];
    assert_int_equal(alvh_stats_quantiles(x, n, alvh_stats_probs, ALVH_STATS_N_PROBS, qe, NULL, &err), ALVH_OK);
    for (int k = 0; k < ALVH_STATS_N_PROBS; k++) {
        double q, bound;
        assert_int_equal(alvh_hist_quantile(h, alvh_stats_probs[k], &q, &bound, &err), ALVH_OK);
        int inside = qe[k] > h->lo + w && qe[k] < h->hi - w;
        if (inside)
            worst = fmax(worst, fabs(q - qe[k]) / w);
        else
            printf("# %s p = %g outside the bins: |error| %.3g, bound %.3g (bin width %.3g)\n", name,
                   alvh_stats_probs[k], fabs(q - qe[k]), bound, w);
        assert_true(fabs(q - qe[k]) <= bound * (1 + 1e-12) + 1e-15);
        if (inside)
            assert_true(bound <= w * (1 + 1e-12));
    }
    double q0, q1;
    assert_int_equal(alvh_hist_quantile(h, 0.0, &q0, NULL, &err), ALVH_OK);
    assert_int_equal(alvh_hist_quantile(h, 1.0, &q1, NULL, &err), ALVH_OK);
    assert_true(q0 == h->min && q1 == h->max);

    /* x is a P&L sample here; VaR / ES of its loss */
    alvh_tail_risk tr[ALVH_STATS_N_LEVELS];
    assert_int_equal(alvh_stats_tail_risk(x, n, alvh_stats_levels, ALVH_STATS_N_LEVELS, tr, NULL, &err), ALVH_OK);
    for (int k = 0; k < ALVH_STATS_N_LEVELS; k++) {
        double var, vb, es, eb;
        assert_int_equal(alvh_hist_loss_tail_risk(h, alvh_stats_levels[k], &var, &vb, &es, &eb, &err), ALVH_OK);
        printf("# %s a = %.3f VaR %.5f vs %.5f (bound %.3g)  ES %.5f vs %.5f (bound %.3g)\n", name,
               alvh_stats_levels[k], var, tr[k].var, vb, es, tr[k].es, eb);
        assert_true(fabs(var - tr[k].var) <= vb * (1 + 1e-12) + 1e-15);
        assert_true(fabs(es - tr[k].es) <= eb * (1 + 1e-12) + 1e-12);
    }
    printf("# %s: worst in-range quantile error %.3f bin widths\n", name, worst);
}

static void test_histogram(void **state)
{
    (void)state;
    alvh_error err = {0};
    double *x = normal_sample(99);
    alvh_histogram *hb[HBLOCKS], *all = alvh_hist_create(-4.0, 4.0, 400, &err);
    for (int b = 0; b < HBLOCKS; b++) {
        hb[b] = alvh_hist_create(-4.0, 4.0, 400, &err);
        assert_non_null(hb[b]);
    }
    fill_blocks(hb, x, BIG_N);
    alvh_hist_add_array(all, x, BIG_N);

    /* three merge orders: block order, reverse, pairwise tree */
    alvh_histogram *fwd = alvh_hist_create(-4.0, 4.0, 400, &err), *rev = alvh_hist_create(-4.0, 4.0, 400, &err);
    for (int b = 0; b < HBLOCKS; b++) {
        assert_int_equal(alvh_hist_merge(fwd, hb[b], &err), ALVH_OK);
        assert_int_equal(alvh_hist_merge(rev, hb[HBLOCKS - 1 - b], &err), ALVH_OK);
    }
    for (int step = 1; step < HBLOCKS; step *= 2)
        for (int b = 0; b + step < HBLOCKS; b += 2 * step)
            assert_int_equal(alvh_hist_merge(hb[b], hb[b + step], &err), ALVH_OK);
    assert_hist_equal(fwd, rev);
    assert_hist_equal(fwd, hb[0]);
    assert_hist_equal(fwd, all);
    assert_int_equal(all->n, BIG_N);

    /* every value in the bin its edges say */
    for (size_t i = 0; i < 1000; i++) {
        double v = x[i];
        if (v < -4.0 || v >= 4.0)
            continue;
        alvh_histogram *one = alvh_hist_create(-4.0, 4.0, 400, &err);
        alvh_hist_add(one, v);
        size_t j = 0;
        while (one->counts[j] == 0)
            j++;
        assert_true(alvh_hist_edge(one, j) <= v && v < alvh_hist_edge(one, j + 1));
        alvh_hist_free(one);
    }
    check_hist_estimates("normal [-4,4)x400", all, x, BIG_N);

    /* a range that cuts the tails: estimates fall back on [min, lo) / [hi, max] */
    alvh_histogram *narrow = alvh_hist_create(-2.0, 2.0, 200, &err);
    alvh_hist_add_array(narrow, x, BIG_N);
    check_hist_estimates("normal [-2,2)x200", narrow, x, BIG_N);
    alvh_hist_free(narrow);

    /* heavy tails */
    double *t = t4_sample(5);
    alvh_histogram *ht = alvh_hist_create(-10.0, 10.0, 2000, &err);
    alvh_hist_add_array(ht, t, BIG_N);
    check_hist_estimates("t4 [-10,10)x2000", ht, t, BIG_N);
    alvh_hist_free(ht);
    free(t);

    for (int b = 0; b < HBLOCKS; b++)
        alvh_hist_free(hb[b]);
    alvh_hist_free(fwd);
    alvh_hist_free(rev);
    alvh_hist_free(all);
    free(x);
}

/* ---- fan chart --------------------------------------------------------- */

static void test_fan_chart(void **state)
{
    (void)state;
    enum { STEPS = 40, PATHS = 20000, BLOCK = 2000, NB = 200 };
    alvh_error err = {0};
    /* random walk of normal increments, step-major like the RNG kernels */
    double *z = normal_sample(314), *eq = malloc(sizeof(double) * STEPS * PATHS);
    for (size_t p = 0; p < PATHS; p++) {
        double s = 100.0;
        for (size_t t = 0; t < STEPS; t++) {
            s += z[t * PATHS + p];
            eq[t * PATHS + p] = s;
        }
    }
    double lo[STEPS], hi[STEPS];
    for (int t = 0; t < STEPS; t++) { /* range widens like sqrt(t) */
        lo[t] = 100.0 - 4.5 * sqrt(t + 1.0);
        hi[t] = 100.0 + 4.5 * sqrt(t + 1.0);
    }
    alvh_fan_chart *blk[PATHS / BLOCK], *fwd = alvh_fan_create(STEPS, lo, hi, NB, &err),
                                         *rev = alvh_fan_create(STEPS, lo, hi, NB, &err);
    assert_non_null(fwd);
    double *tmp = malloc(sizeof(double) * STEPS * BLOCK);
    for (int b = 0; b < PATHS / BLOCK; b++) {
        blk[b] = alvh_fan_create(STEPS, lo, hi, NB, &err);
        for (int t = 0; t < STEPS; t++) /* a block's own step-major array, ld = BLOCK */
            memcpy(tmp + t * BLOCK, eq + t * PATHS + b * BLOCK, BLOCK * sizeof *tmp);
        assert_int_equal(alvh_fan_add_block(blk[b], tmp, BLOCK, BLOCK, &err), ALVH_OK);
    }
    for (int b = 0; b < PATHS / BLOCK; b++) {
        assert_int_equal(alvh_fan_merge(fwd, blk[b], &err), ALVH_OK);
        assert_int_equal(alvh_fan_merge(rev, blk[PATHS / BLOCK - 1 - b], &err), ALVH_OK);
    }
    assert_memory_equal(fwd->storage, rev->storage, sizeof(uint64_t) * STEPS * NB);
    double q[STEPS * ALVH_STATS_N_PROBS], bd[STEPS * ALVH_STATS_N_PROBS], q2[STEPS * ALVH_STATS_N_PROBS];
    assert_int_equal(alvh_fan_quantiles(fwd, alvh_stats_probs, ALVH_STATS_N_PROBS, q, bd, &err), ALVH_OK);
    assert_int_equal(alvh_fan_quantiles(rev, alvh_stats_probs, ALVH_STATS_N_PROBS, q2, NULL, &err), ALVH_OK);
    assert_memory_equal(q, q2, sizeof q);
    double worst = 0;
    for (int t = 0; t < STEPS; t++) {
        double qe[ALVH_STATS_N_PROBS], w = (hi[t] - lo[t]) / NB;
        assert_int_equal(alvh_stats_quantiles(eq + t * PATHS, PATHS, alvh_stats_probs, ALVH_STATS_N_PROBS, qe,
                                              NULL, &err), ALVH_OK);
        for (int k = 0; k < ALVH_STATS_N_PROBS; k++) {
            double e = fabs(q[t * ALVH_STATS_N_PROBS + k] - qe[k]), b = bd[t * ALVH_STATS_N_PROBS + k];
            assert_true(e <= b * (1 + 1e-12) + 1e-12);
            if (qe[k] > lo[t] + w && qe[k] < hi[t] - w) {
                assert_true(b <= w * (1 + 1e-12));
                worst = fmax(worst, e / w);
            }
        }
    }
    printf("# fan chart %d steps x %d bins: worst in-range error %.3f bin widths\n", STEPS, NB, worst);
    assert_int_equal(alvh_fan_add_step(fwd, STEPS, eq, 1, &err), ALVH_E_INTERNAL);
    for (int b = 0; b < PATHS / BLOCK; b++)
        alvh_fan_free(blk[b]);
    alvh_fan_free(fwd);
    alvh_fan_free(rev);
    free(tmp);
    free(eq);
    free(z);
}

/* ---- hedge effectiveness ----------------------------------------------- */

/* baseline b ~ N(0, 100^2) P&L; the hedged variant keeps 30% of b's risk plus
 * independent noise: h = 0.3 b + 3 e, Var(h) = 909, corr(h, b) = 30 / sqrt(909) = 0.995.
 * Exact: VR = 1 - 0.0909; ES ratio = sd ratio = sqrt(0.0909). */
static void crn_pair(alvh_pcg64 *g, size_t n, double *h, double *b)
{
    for (size_t i = 0; i < n; i++) {
        /* Box-Muller from two open uniforms */
        double u1 = open_uniform(g), u2 = open_uniform(g);
        double r = sqrt(-2.0 * log(u1)), z1 = r * cos(2 * PI * u2), z2 = r * sin(2 * PI * u2);
        b[i] = 100.0 * z1;
        h[i] = 0.3 * b[i] + 3.0 * z2;
    }
}

static void test_hedge_eff(void **state)
{
    (void)state;
    enum { N = 200000 };
    alvh_error err = {0};
    double *h = malloc(N * sizeof *h), *b = malloc(N * sizeof *b);
    alvh_pcg64 g;
    alvh_pcg64_seed(&g, 0, 2718, 0, 3);
    crn_pair(&g, N, h, b);
    alvh_hedge_eff e;
    assert_int_equal(alvh_hedge_eff_compute(h, b, N, 0.99, &e, &err), ALVH_OK);
    double vr = 1.0 - 0.0909, er = 1.0 - sqrt(0.0909);
    printf("# VR %.5f +- %.5f (unpaired %.5f), exact %.5f\n", e.var_reduction, e.var_reduction_se,
           e.var_reduction_se_unpaired, vr);
    printf("# ES99 reduction %.5f +- %.5f (unpaired %.5f), exact %.5f\n", e.es_reduction, e.es_reduction_se,
           e.es_reduction_se_unpaired, er);
    assert_true(fabs(e.var_reduction - vr) < 4 * e.var_reduction_se);
    assert_true(fabs(e.es_reduction - er) < 4 * e.es_reduction_se);
    /* the pairing is worth a lot at corr 0.95 */
    assert_true(e.var_reduction_se < e.var_reduction_se_unpaired / 3);
    assert_true(e.es_reduction_se < e.es_reduction_se_unpaired / 3);
    alvh_hedge_eff e2;
    assert_int_equal(alvh_hedge_eff_compute(h, b, N, 0.99, &e2, &err), ALVH_OK);
    assert_memory_equal(&e, &e2, sizeof e);

    /* calibration: across independent replications, the spread of the
     * estimates matches the SEs the estimator reports (ES at 95%, n = 4000) */
    enum { REPS = 400, NR = 4000 };
    double s_vr = 0, s2_vr = 0, s_er = 0, s2_er = 0, se2_vr = 0, se2_er = 0;
    for (int r = 0; r < REPS; r++) {
        crn_pair(&g, NR, h, b);
        assert_int_equal(alvh_hedge_eff_compute(h, b, NR, 0.95, &e, &err), ALVH_OK);
        s_vr += e.var_reduction;
        s2_vr += e.var_reduction * e.var_reduction;
        s_er += e.es_reduction;
        s2_er += e.es_reduction * e.es_reduction;
        se2_vr += e.var_reduction_se * e.var_reduction_se;
        se2_er += e.es_reduction_se * e.es_reduction_se;
    }
    double sd_vr = sqrt((s2_vr - s_vr * s_vr / REPS) / (REPS - 1)), sd_er = sqrt((s2_er - s_er * s_er / REPS) / (REPS - 1));
    double rse_vr = sqrt(se2_vr / REPS), rse_er = sqrt(se2_er / REPS);
    printf("# %d replications of n = %d: VR sd %.5f vs rms SE %.5f (ratio %.3f); ES95 red. sd %.5f vs rms SE %.5f "
           "(ratio %.3f)\n", REPS, NR, sd_vr, rse_vr, sd_vr / rse_vr, sd_er, rse_er, sd_er / rse_er);
    /* sd of an sd estimate over 400 reps is ~3.5%: allow 15% */
    assert_true(fabs(sd_vr / rse_vr - 1.0) < 0.15);
    assert_true(fabs(sd_er / rse_er - 1.0) < 0.15);
    free(h);
    free(b);
}

/* ---- JSON dump for tests/stats_numpy_check.py -------------------------- */

static void jnum(double v)
{
    if (isnan(v))
        printf("NaN");
    else if (isinf(v))
        printf(v > 0 ? "Infinity" : "-Infinity");
    else
        printf("%.17g", v);
}

static void jlist(const double *v, size_t n)
{
    printf("[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            printf(", ");
        jnum(v[i]);
    }
    printf("]");
}

static void jarr(const char *key, const double *v, size_t n)
{
    printf("\"%s\": ", key);
    jlist(v, n);
}

static int dump_json(void)
{
    enum { N = 20011, NB = 64 };
    const double capital = 1e5, lo = -4000.0, hi = 300.0;
    double *b = malloc(N * sizeof *b), *h = malloc(N * sizeof *h);
    alvh_pcg64 g;
    alvh_pcg64_seed(&g, 0, 424242, 0, 5);
    crn_pair(&g, N, h, b);
    for (size_t i = 0; i < N; i++) {
        if (open_uniform(&g) < 0.01) /* occasional crash on the baseline */
            b[i] -= 6000.0 * open_uniform(&g);
        b[i] *= 10.0;
        h[i] *= 10.0;
    }
    b[17] = NAN;
    b[1001] = INFINITY;
    h[2002] = -INFINITY;
    alvh_error err = {0};
    alvh_pnl_summary s;
    alvh_hedge_eff e;
    alvh_histogram *hist = alvh_hist_create(lo, hi, NB, &err);
    if (alvh_stats_pnl_summary(b, N, capital, &s, &err) || alvh_hedge_eff_compute(h, b, N, 0.99, &e, &err) || !hist) {
        fprintf(stderr, "test_stats --json: %s\n", err.msg);
        return 1;
    }
    for (size_t i = 0; i < N; i++) /* histogram of a rescaled copy: crashes underflow, the top overflows */
        alvh_hist_add(hist, b[i] / 10.0);
    printf("{\n");
    jarr("pnl_b", b, N);
    printf(",\n");
    jarr("pnl_h", h, N);
    printf(",\n\"capital\": %.17g,\n", capital);
    const alvh_moments *m = &s.moments;
    printf("\"moments\": {\"n\": %zu, \"n_nan\": %zu, \"n_inf\": %zu, ", m->n, m->n_nan, m->n_inf);
    double mv[] = {m->mean, m->stdev, m->mean_se, m->skewness, m->excess_kurtosis, m->min, m->max};
    jarr("values", mv, 7);
    printf("},\n");
    jarr("probs", alvh_stats_probs, ALVH_STATS_N_PROBS);
    printf(",\n");
    jarr("quantiles", s.quantile_usd, ALVH_STATS_N_PROBS);
    printf(",\n\"tail\": [");
    for (int k = 0; k < ALVH_STATS_N_LEVELS; k++) {
        double tv[] = {s.tail[k].level, s.tail[k].var, s.tail[k].es, s.tail[k].es_se, (double)s.tail[k].tail_n};
        printf(k ? ", " : "");
        jlist(tv, 5);
        printf("\n");
    }
    printf("],\n\"p_loss_above\": [");
    for (int k = 0; k < ALVH_STATS_N_THRESHOLDS; k++) {
        const alvh_proportion *p = &s.p_loss_above[k];
        double pv[] = {alvh_stats_loss_thresholds[k], (double)p->successes, (double)p->trials, p->p_hat, p->lo, p->hi};
        printf(k ? ", " : "");
        jlist(pv, 6);
    }
    printf("],\n\"hist\": {\"lo\": %.17g, \"hi\": %.17g, \"n_bins\": %d, \"underflow\": %llu, \"overflow\": %llu, "
           "\"n\": %llu, \"min\": %.17g, \"max\": %.17g, \"counts\": [", lo, hi, NB,
           (unsigned long long)hist->underflow, (unsigned long long)hist->overflow, (unsigned long long)hist->n,
           hist->min, hist->max);
    for (int j = 0; j < NB; j++)
        printf("%s%llu", j ? ", " : "", (unsigned long long)hist->counts[j]);
    printf("], \"edges\": [");
    for (int j = 0; j <= NB; j++) {
        printf(j ? ", " : "");
        jnum(alvh_hist_edge(hist, (size_t)j));
    }
    printf("], \"quantiles\": [");
    for (int k = 0; k < ALVH_STATS_N_PROBS; k++) {
        double q, bd;
        alvh_hist_quantile(hist, alvh_stats_probs[k], &q, &bd, &err);
        printf("%s[%.17g, %.17g]", k ? ", " : "", q, bd);
    }
    printf("]},\n\"eff\": {\"n\": %zu, \"n_excluded\": %zu, ", e.n, e.n_excluded);
    double ev[] = {e.var_h, e.var_b, e.var_reduction, e.var_reduction_se, e.var_reduction_se_unpaired, e.level,
                   e.es_h, e.es_b, e.es_reduction, e.es_reduction_se, e.es_reduction_se_unpaired};
    jarr("values", ev, 11);
    printf("}\n}\n");
    alvh_hist_free(hist);
    free(b);
    free(h);
    return 0;
}

/* Antithetic pairs (engine/antithetic.h): the SE of the mean with pairs as
 * samples by hand; the cluster form over values in any order equals it when
 * every pair is complete, and a pair of perfectly anti-correlated values has
 * no variance at all. */
static void test_pairs_se(void **state)
{
    (void)state;
    /* pairs (1, 3), (2, 6), (0, 4): pair means 2, 4, 2; mean 8/3; sd^2 = (4/9 + 16/9 + 4/9) / 2 = 4/3 */
    const double v[6] = {1, 3, 2, 6, 0, 4};
    assert_true(fabs(alvh_pairs_se(v, 6) - sqrt(4.0 / 3.0 / 3.0)) < 1e-15);
    double q[3];
    assert_int_equal(alvh_pairs_average(v, 6, q), 3);
    assert_true(q[0] == 2.0 && q[1] == 4.0 && q[2] == 2.0);
    /* the same values shuffled, each with its path: the cluster form gives the same SE */
    const double shuf[6] = {6, 0, 1, 4, 3, 2};
    const size_t path[6] = {3, 4, 0, 5, 1, 2};
    assert_true(fabs(alvh_pairs_se_scattered(shuf, path, 6, 6) - alvh_pairs_se(v, 6)) < 1e-14);
    /* x and -x around a constant: the pairs carry no variance, where independent paths would */
    alvh_pcg64 g;
    alvh_pcg64_for_path(&g, 5, 0, 7);
    enum { N = 2000 };
    double *x = malloc(N * sizeof *x);
    assert_non_null(x);
    for (int i = 0; i < N; i += 2) {
        double z = open_uniform(&g) - 0.5;
        x[i] = 10.0 + z, x[i + 1] = 10.0 - z;
    }
    double m, se;
    alvh_stats_mean_se(x, N, &m, &se);
    assert_true(se > 1e-3 && alvh_pairs_se(x, N) < 1e-14);
    /* an incomplete pair (path 6 alone) counts as one sample of its own */
    const double w[7] = {1, 3, 2, 6, 0, 4, 5};
    const size_t pw[7] = {0, 1, 2, 3, 4, 5, 6};
    double mean = 21.0 / 7.0, g0 = (1 - mean) + (3 - mean), g1 = (2 - mean) + (6 - mean), g2 = (0 - mean) + (4 - mean),
           g3 = 5 - mean;
    double want = sqrt((g0 * g0 + g1 * g1 + g2 * g2 + g3 * g3) * 4.0 / 3.0) / 7.0;
    assert_true(fabs(alvh_pairs_se_scattered(w, pw, 7, 7) - want) < 1e-14);
    free(x);
}

/* ---- weighted histogram estimates --------------------------------------- */

/* A weighted histogram of x[0..m) with LR weights w against the exact
 * weighted quantiles, VaR and ES of engine/wstats.h: every estimate within
 * its bound; in_range: the bounds stay within a few bin widths. */
static void check_weighted(const char *name, const double *x, const double *w, size_t m, double lo, double hi,
                           size_t bins, int in_range)
{
    alvh_error err = {0};
    alvh_histogram *h = alvh_hist_create(lo, hi, bins, &err);
    assert_non_null(h);
    uint64_t *qw = malloc(m * sizeof *qw);
    double *tmp = malloc(m * sizeof *tmp);
    assert_non_null(qw);
    assert_non_null(tmp);
    for (size_t i = 0; i < m; i++)
        qw[i] = alvh_hist_weight_units(w[i]);
    alvh_hist_add_weighted(h, x, qw, m);
    alvh_wpoint *s;
    size_t ms;
    assert_int_equal(alvh_wstats_sorted(x, w, m, &s, &ms, &err), ALVH_OK);
    assert_int_equal(ms, m);
    const double bw = (hi - lo) / (double)bins, scale = fmax(fabs(lo), fabs(hi));
    double worst = 0.0;
    const double ps[] = {0.0, 0.001, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 0.999, 1.0};
    for (size_t k = 0; k < sizeof ps / sizeof ps[0]; k++) {
        double q, b, qe = alvh_wstats_quantile_sorted(s, ms, ps[k]);
        assert_int_equal(alvh_hist_wquantile(h, m, ps[k], &q, &b, &err), ALVH_OK);
        assert_true(fabs(q - qe) <= b * (1 + 1e-12) + 1e-12 * scale);
        if (b > 0.0)
            worst = fmax(worst, fabs(q - qe) / b);
        if (in_range && ps[k] >= 0.01 && ps[k] <= 0.99)
            assert_true(b <= 2.0 * bw * (1 + 1e-12));
    }
    for (int k = 0; k < ALVH_STATS_N_LEVELS; k++) {
        alvh_tail_risk tr;
        double var, vb, es, eb;
        alvh_wstats_tail_sorted(s, ms, alvh_stats_levels[k], tmp, &tr);
        assert_int_equal(alvh_hist_loss_tail_risk_weighted(h, m, alvh_stats_levels[k], &var, &vb, &es, &eb, &err),
                         ALVH_OK);
        printf("# %s a = %.3f VaR %.5f vs %.5f (bound %.3g)  ES %.5f vs %.5f (bound %.3g)\n", name,
               alvh_stats_levels[k], var, tr.var, vb, es, tr.es, eb);
        assert_true(fabs(var - tr.var) <= vb * (1 + 1e-12) + 1e-12 * scale);
        assert_true(fabs(es - tr.es) <= eb * (1 + 1e-12) + 1e-12 * scale);
        if (in_range)
            assert_true(vb <= 2.0 * bw * (1 + 1e-12) && eb <= 4.0 * bw);
    }
    printf("# %s: worst quantile error %.3f of its bound\n", name, worst);
    free(s);
    free(tmp);
    free(qw);
    alvh_hist_free(h);
}

static void test_weighted_histogram(void **state)
{
    (void)state;
    alvh_error err = {0};
    enum { M = 200000 };
    double *z = normal_sample(41), *x = malloc(M * sizeof *x), *w = malloc(M * sizeof *w);
    assert_non_null(x);
    assert_non_null(w);
    alvh_pcg64 g;
    alvh_pcg64_seed(&g, 0, 43, 0, 5);
    /* a tilted event: drawn on 30% of the paths (model 3%), each such path
     * loses 2.5 and carries w = 0.03 / 0.3; the others 0.97 / 0.7 */
    for (size_t i = 0; i < M; i++) {
        int ev = open_uniform(&g) < 0.3;
        x[i] = z[i] - (ev ? 2.5 : 0.0);
        w[i] = ev ? 0.1 : 0.97 / 0.7;
    }
    check_weighted("tilt [-6,4)x1000", x, w, M, -6.0, 4.0, 1000, 1);
    check_weighted("tilt [-2,2)x40", x, w, M, -2.0, 2.0, 40, 0); /* tails in underflow / overflow */
    check_weighted("tilt 37 paths", x, w, 37, -6.0, 4.0, 100, 0);
    check_weighted("tilt 1 path", x, w, 1, -6.0, 4.0, 100, 0);
    /* heavy weights: lognormal LR of sigma 1.5, a few below 2^-25 (zero units) */
    for (size_t i = 0; i < M; i++)
        w[i] = exp(1.5 * z[(i * 7919 + 13) % BIG_N] - 1.125) * (i % 5000 == 17 ? 1e-9 : 1.0);
    check_weighted("lognormal LR [-6,4)x1000", x, w, M, -6.0, 4.0, 1000, 0);
    check_weighted("lognormal LR 500 paths [-3,3)x60", x, w, 500, -3.0, 3.0, 60, 0);
    /* weights 1: the integer-count estimate's segment holds the same value */
    for (size_t i = 0; i < M; i++)
        w[i] = 1.0;
    check_weighted("weights 1 [-6,4)x1000", x, w, M, -6.0, 4.0, 1000, 1);

    /* The normalization is by the path count: with every w = 0.45 55% of the
     * probability is missing, and the exact median (weight passed > m / 2)
     * is the largest value; the rank rule on the units (normalized by their
     * sum) puts it near the middle, far outside the weighted bound. */
    for (size_t i = 0; i < M; i++)
        w[i] = 0.45;
    alvh_histogram *h = alvh_hist_create(-6.0, 4.0, 1000, &err);
    uint64_t *qw = malloc(M * sizeof *qw);
    assert_non_null(qw);
    for (size_t i = 0; i < M; i++)
        qw[i] = alvh_hist_weight_units(w[i]);
    alvh_hist_add_weighted(h, x, qw, M);
    double qm, bm, q7, b7;
    assert_int_equal(alvh_hist_wquantile(h, M, 0.5, &qm, &bm, &err), ALVH_OK);
    assert_int_equal(alvh_hist_quantile(h, 0.5, &q7, &b7, &err), ALVH_OK);
    assert_true(qm == h->max && bm == 0.0);
    assert_true(fabs(q7 - qm) > 100.0 * (bm + b7));
    assert_int_equal(alvh_hist_wquantile(h, 0, 0.5, &qm, &bm, &err), ALVH_E_NUMERIC);
    assert_int_equal(alvh_hist_wquantile(h, M, 1.5, &qm, &bm, &err), ALVH_E_CONFIG);
    free(qw);
    alvh_hist_free(h);
    free(x);
    free(w);
    free(z);
}

/* alvh_wstats_sorted (a radix sort) gives the order of qsort by (x, then
 * path index): ties, -0 and +0 (equal, so by index), negative and positive
 * values, subnormals, huge magnitudes; non-finite values and weights dropped */
static int by_x_then_i(const void *a, const void *b)
{
    const alvh_wpoint *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    return p->i < q->i ? -1 : p->i > q->i;
}

static void test_wsorted_order(void **state)
{
    (void)state;
    enum { N = 20011 };
    double *x = malloc(N * sizeof *x), *w = malloc(N * sizeof *w);
    alvh_wpoint *ref = malloc(N * sizeof *ref);
    assert_true(x && w && ref);
    const double special[] = {0.0, -0.0, 1e-310, -1e-310, 1e300, -1e300, 3.5, -3.5, NAN, INFINITY};
    size_t k = 0;
    for (size_t i = 0; i < N; i++) {
        uint64_t h = (uint64_t)i * UINT64_C(0x9e3779b97f4a7c15);
        h ^= h >> 29;
        x[i] = i % 5 == 0 ? special[(h >> 7) % 10] : ((double)(h % 2001) - 1000.0) * (i % 3 ? 1e3 : 1e-3);
        w[i] = i % 97 == 0 ? NAN : 0.5 + (double)(h % 7);
        if (isfinite(x[i]) && isfinite(w[i]))
            ref[k++] = (alvh_wpoint){x[i], w[i], i};
    }
    qsort(ref, k, sizeof *ref, by_x_then_i);
    alvh_wpoint *p;
    size_t m;
    alvh_error err = {0};
    assert_int_equal(alvh_wstats_sorted(x, w, N, &p, &m, &err), ALVH_OK);
    assert_int_equal(m, k);
    for (size_t j = 0; j < k; j++)
        assert_true(p[j].i == ref[j].i && memcmp(&p[j].x, &ref[j].x, sizeof(double)) == 0 && p[j].w == ref[j].w);
    free(p), free(x), free(w), free(ref);
}

/* alvh_stats_rank gives qsort's (x, then i) order: ties, -0.0 against +0.0, both signs, huge and tiny values */
static int by_rank_then_i(const void *a, const void *b)
{
    const alvh_ranked *x = a, *y = b;
    if (x->x != y->x)
        return x->x < y->x ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static void test_rank_order(void **state)
{
    (void)state;
    const size_t n = 200003;
    alvh_ranked *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    uint64_t u = 12345;
    for (size_t i = 0; i < n; i++) {
        u = u * 6364136223846793005ULL + 1442695040888963407ULL;
        double x;
        switch ((u >> 60) & 7) {
        case 0: x = 0.0; break;
        case 1: x = -0.0; break;
        case 2: x = (double)((u >> 20) % 17) - 8.0; break; /* many ties */
        case 3: x = ldexp((double)(u >> 11), -300); break;
        case 4: x = -ldexp((double)(u >> 11), 200); break;
        default: x = ((double)(u >> 11) * 0x1p-53 - 0.5) * 1e7;
        }
        a[i] = b[i] = (alvh_ranked){x, i};
    }
    qsort(b, n, sizeof *b, by_rank_then_i);
    alvh_error err = {0};
    assert_int_equal(alvh_stats_rank(a, n, &err), ALVH_OK);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(a[i].i, b[i].i);
        assert_memory_equal(&a[i].x, &b[i].x, sizeof a[i].x);
    }
    /* all keys equal as (x, i) sees them: the index order stays */
    for (size_t i = 0; i < 100; i++)
        a[i] = (alvh_ranked){i % 2 ? 0.0 : -0.0, i};
    assert_int_equal(alvh_stats_rank(a, 100, &err), ALVH_OK);
    for (size_t i = 0; i < 100; i++)
        assert_int_equal(a[i].i, i);
    assert_int_equal(alvh_stats_rank(a, 0, &err), ALVH_OK);
    free(a);
    free(b);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--json") == 0)
        return dump_json();
    if (argc > 1) /* run only the tests matching a pattern, e.g. "test_hist*" */
        cmocka_set_test_filter(argv[1]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type7_hand),
        cmocka_unit_test(test_wsorted_order),
        cmocka_unit_test(test_moments_hand),
        cmocka_unit_test(test_wilson_hand),
        cmocka_unit_test(test_tail_count),
        cmocka_unit_test(test_nonfinite),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_normal_law),
        cmocka_unit_test(test_t4_law),
        cmocka_unit_test(test_exponential_law),
        cmocka_unit_test(test_summary_consistent),
        cmocka_unit_test(test_histogram),
        cmocka_unit_test(test_fan_chart),
        cmocka_unit_test(test_hedge_eff),
        cmocka_unit_test(test_pairs_se),
        cmocka_unit_test(test_weighted_histogram),
        cmocka_unit_test(test_rank_order),
    };
    return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
