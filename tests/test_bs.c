/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Option pricing (kernels/bs.h, kernels/simd/vmath_normal.h): prices and deltas
 * against QuantLib (tests/fixtures/bs_prices.csv, see gen_bs_prices.py), put-call
 * parity, the T -> 0 and sigma -> 0 limits, strike from delta round trips, every
 * vector ISA against the scalar build, the accuracy of the vector erfc / normal
 * CDF / density against glibc (long double where the double result itself is
 * judged), and the implied vol from the model state. Measured maxima are printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <float.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernels/bs.h"
#include "kernels/isa.h"
#include "kernels/simd/scalar.h"
#include "kernels/simd/vmath_normal.h"

/* Against QuantLib, per unit of spot: prices agree to 6e-16; QuantLib's own
 * deltas are off the erfc closed form by up to 4.8e-14 on this grid (its
 * CDF switches to an asymptotic series in the tail; gen_bs_prices.py prints
 * the figure), which bounds the delta comparison. */
#define TOL_QL_PRICE 2e-15
#define TOL_QL_DELTA 1e-13
/* Vector ISA vs the scalar build, per unit of spot (price) and absolute
 * (delta): the FMA paths differ by a few ulp in each exp, log and CDF
 * (measured 2.9e-16). */
#define TOL_VEC 2e-15
/* Scalar build of the batch kernel (vmath) vs the libm scalar API: the two
 * CDFs are independent implementations, each within 1e-15 relative
 * (measured 1.1e-15). */
#define TOL_API 5e-15
/* Relative, where the price is above 1e-8 of spot: the difference of the two
 * BS terms amplifies the CDF's relative error out of the money (measured
 * 4.8e-14). */
#define TOL_VEC_REL 5e-13

enum { MAX_ROWS = 2048 };

typedef struct {
    char model[16], kind[8];
    double s, k, t, r, q, sigma, price, delta;
} row_t;

static row_t rows[MAX_ROWS];
static int n_rows;

static int load(void **state)
{
    (void)state;
    FILE *f = fopen(ALVH_FIXTURE_DIR "/bs_prices.csv", "r");
    if (!f)
        return -1;
    char line[512];
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return -1;
    }
    while (n_rows < MAX_ROWS && fgets(line, sizeof line, f)) {
        row_t *r = &rows[n_rows];
        if (sscanf(line, "%15[^,],%7[^,],%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf", r->model, r->kind, &r->s, &r->k, &r->t,
                   &r->r, &r->q, &r->sigma, &r->price, &r->delta) != 10) {
            fprintf(stderr, "bad fixture line: %s", line);
            fclose(f);
            return -1;
        }
        n_rows++;
    }
    fclose(f);
    return n_rows > 1000 ? 0 : -1;
}

static int is_b76(const row_t *r) { return strcmp(r->model, "black76") == 0; }
static int is_call(const row_t *r) { return strcmp(r->kind, "call") == 0; }

static void test_scalar_api_matches_quantlib(void **state)
{
    (void)state;
    double wp = 0.0, wd = 0.0;
    for (int i = 0; i < n_rows; i++) {
        const row_t *r = &rows[i];
        double d, p = is_b76(r) ? alvh_black76_price(r->s, r->k, r->t, r->sigma, r->r, is_call(r), &d)
                                : alvh_bs_price(r->s, r->k, r->t, r->sigma, r->r, r->q, is_call(r), &d);
        wp = fmax(wp, fabs(p - r->price) / r->s);
        wd = fmax(wd, fabs(d - r->delta));
    }
    printf("# scalar API vs QuantLib, %d rows: price %.3g per unit spot, delta %.3g\n", n_rows, wp, wd);
    assert_true(wp <= TOL_QL_PRICE && wd <= TOL_QL_DELTA);
}

/* Every row of the fixture through one ISA's batch kernels, grouped by the
 * arguments the kernels take as scalars (model, kind, r, q). */
static void batch_fixture(const alvh_kernel_ops *ops, double *wp, double *wd)
{
    static double s[MAX_ROWS], k[MAX_ROWS], t[MAX_ROWS], sg[MAX_ROWS], p[MAX_ROWS], d[MAX_ROWS];
    static int idx[MAX_ROWS], done[MAX_ROWS];
    memset(done, 0, sizeof done);
    *wp = *wd = 0.0;
    for (int i = 0; i < n_rows; i++) {
        if (done[i])
            continue;
        const row_t *a = &rows[i];
        size_t n = 0;
        for (int j = i; j < n_rows; j++) {
            const row_t *b = &rows[j];
            if (done[j] || strcmp(a->model, b->model) || strcmp(a->kind, b->kind) || a->r != b->r || a->q != b->q)
                continue;
            done[j] = 1;
            idx[n] = j;
            s[n] = b->s, k[n] = b->k, t[n] = b->t, sg[n] = b->sigma;
            n++;
        }
        if (is_b76(a))
            ops->black76_batch(n, s, k, t, sg, a->r, is_call(a), p, d);
        else
            ops->bs_batch(n, s, k, t, sg, a->r, a->q, is_call(a), p, d);
        for (size_t m = 0; m < n; m++) {
            const row_t *b = &rows[idx[m]];
            *wp = fmax(*wp, fabs(p[m] - b->price) / b->s);
            *wd = fmax(*wd, fabs(d[m] - b->delta));
        }
    }
}

static void test_batch_matches_quantlib(void **state)
{
    (void)state;
    for (int isa = 0; isa < ALVH_ISA_COUNT; isa++) {
        if (!alvh_isa_supported((alvh_isa)isa))
            continue;
        double wp, wd;
        batch_fixture(alvh_kernel_ops_for((alvh_isa)isa), &wp, &wd);
        printf("# %-6s batch vs QuantLib: price %.3g per unit spot, delta %.3g\n", alvh_isa_name((alvh_isa)isa), wp,
               wd);
        assert_true(wp <= TOL_QL_PRICE && wd <= TOL_QL_DELTA);
    }
}

/* A grid that reaches far into and out of the money, short and long lives,
 * low and high vol, and the limit cases; n not a multiple of any lane count. */
enum { NG = 1003 };
static double gs[NG], gk[NG], gt[NG], gsig[NG];

static void fill_grid(void)
{
    for (int i = 0; i < NG; i++) {
        gs[i] = 100.0;
        gk[i] = 100.0 * exp(-1.5 + 3.0 * (i % 17) / 16.0); /* K/S from 0.22 to 4.5 */
        gt[i] = (i % 5 == 0) ? 0.0 : exp(-7.0 + 9.0 * ((i / 17) % 11) / 10.0); /* 0, 0.9 days .. 7.4 years */
        gsig[i] = (i % 13 == 0) ? 0.0 : 0.02 + 1.5 * ((i / 187) % 7) / 6.0;
    }
}

static void test_put_call_parity(void **state)
{
    (void)state;
    fill_grid();
    const double r = 0.04, q = 0.015;
    static double c[NG], p[NG];
    for (int isa = 0; isa < ALVH_ISA_COUNT; isa++) {
        if (!alvh_isa_supported((alvh_isa)isa))
            continue;
        const alvh_kernel_ops *ops = alvh_kernel_ops_for((alvh_isa)isa);
        ops->bs_batch(NG, gs, gk, gt, gsig, r, q, 1, c, NULL);
        ops->bs_batch(NG, gs, gk, gt, gsig, r, q, 0, p, NULL);
        double worst = 0.0, worst_api = 0.0;
        for (int i = 0; i < NG; i++) {
            double tt = fmax(gt[i], 0.0), fwd = gs[i] * exp(-q * tt) - gk[i] * exp(-r * tt);
            worst = fmax(worst, fabs(c[i] - p[i] - fwd) / gs[i]);
            double ca = alvh_bs_price(gs[i], gk[i], gt[i], gsig[i], r, q, 1, NULL);
            double pa = alvh_bs_price(gs[i], gk[i], gt[i], gsig[i], r, q, 0, NULL);
            worst_api = fmax(worst_api, fabs(ca - pa - fwd) / gs[i]);
        }
        printf("# %-6s put-call parity: max %.3g per unit spot (scalar API %.3g)\n", ops->name, worst, worst_api);
        assert_true(worst <= 5e-15 && worst_api <= 5e-15);
    }
}

static void check_limit(double s, double k, double t, double sigma, double r, double q, double want_call,
                        double want_put, double want_dc, double want_dp)
{
    double dc, dp, c = alvh_bs_price(s, k, t, sigma, r, q, 1, &dc), p = alvh_bs_price(s, k, t, sigma, r, q, 0, &dp);
    assert_true(fabs(c - want_call) <= 1e-13 * s && fabs(p - want_put) <= 1e-13 * s);
    assert_true(fabs(dc - want_dc) <= 1e-15 && fabs(dp - want_dp) <= 1e-15);
    for (int isa = 0; isa < ALVH_ISA_COUNT; isa++) {
        if (!alvh_isa_supported((alvh_isa)isa))
            continue;
        const alvh_kernel_ops *ops = alvh_kernel_ops_for((alvh_isa)isa);
        double vc, vp, vdc, vdp;
        ops->bs_batch(1, &s, &k, &t, &sigma, r, q, 1, &vc, &vdc);
        ops->bs_batch(1, &s, &k, &t, &sigma, r, q, 0, &vp, &vdp);
        assert_true(fabs(vc - want_call) <= 1e-13 * s && fabs(vp - want_put) <= 1e-13 * s);
        assert_true(fabs(vdc - want_dc) <= 1e-15 && fabs(vdp - want_dp) <= 1e-15);
    }
}

static void test_expiry_gives_intrinsic(void **state)
{
    (void)state;
    const double r = 0.05, q = 0.02;
    for (int j = 0; j < 3; j++) {
        double t = (double[]){0.0, -0.5, -0.0}[j];
        /* T <= 0: intrinsic, delta 1 / 0 / 1/2 (call) whatever sigma is */
        check_limit(100.0, 90.0, t, 0.2, r, q, 10.0, 0.0, 1.0, 0.0);
        check_limit(100.0, 110.0, t, 0.2, r, q, 0.0, 10.0, 0.0, -1.0);
        check_limit(100.0, 100.0, t, 0.2, r, q, 0.0, 0.0, 0.5, -0.5);
        check_limit(100.0, 90.0, t, 0.0, r, q, 10.0, 0.0, 1.0, 0.0);
    }
    /* approaching expiry: the price converges to intrinsic */
    double c = alvh_bs_price(100.0, 90.0, 1e-12, 0.2, r, q, 1, NULL);
    double atm = alvh_bs_price(100.0, 100.0, 1e-12, 0.2, r, q, 1, NULL);
    assert_true(fabs(c - 10.0) < 1e-9 && atm > 0.0 && atm < 1e-5);
}

static void test_zero_vol_gives_discounted_forward_intrinsic(void **state)
{
    (void)state;
    const double r = 0.05, q = 0.02, t = 0.75;
    double eq = exp(-q * t), er = exp(-r * t);
    for (int j = 0; j < 2; j++) {
        double sigma = j ? -0.1 : 0.0;
        /* K = 100 is in the money on the forward (F = S e^{(r-q)T} > 100) */
        check_limit(100.0, 100.0, t, sigma, r, q, 100.0 * (eq - er), 0.0, eq, 0.0);
        check_limit(100.0, 105.0, t, sigma, r, q, 0.0, 105.0 * er - 100.0 * eq, 0.0, -eq);
    }
    /* exactly at the forward (r = q, K = S): 0, delta e^{-qT}/2 */
    check_limit(100.0, 100.0, t, 0.0, 0.03, 0.03, 0.0, 0.0, 0.5 * exp(-0.03 * t), -0.5 * exp(-0.03 * t));
    /* sigma -> 0 converges to the limit */
    double c = alvh_bs_price(100.0, 100.0, t, 1e-9, r, q, 1, NULL);
    assert_true(fabs(c - 100.0 * (eq - er)) < 1e-9);
    /* Black-76 shares the rule: e^{-rT} max(F - K, 0) */
    double d, b = alvh_black76_price(20.0, 18.0, t, 0.0, r, 1, &d);
    assert_true(fabs(b - 2.0 * er) < 1e-14 && fabs(d - er) < 1e-15);
}

static void test_no_nan_on_limit_grid(void **state)
{
    (void)state;
    fill_grid();
    static double p[NG], d[NG];
    for (int isa = 0; isa < ALVH_ISA_COUNT; isa++) {
        if (!alvh_isa_supported((alvh_isa)isa))
            continue;
        const alvh_kernel_ops *ops = alvh_kernel_ops_for((alvh_isa)isa);
        for (int call = 0; call < 2; call++) {
            ops->bs_batch(NG, gs, gk, gt, gsig, -0.01, 0.03, call, p, d);
            for (int i = 0; i < NG; i++)
                assert_true(isfinite(p[i]) && isfinite(d[i]) && p[i] >= 0.0);
            ops->black76_batch(NG, gs, gk, gt, gsig, 0.05, call, p, d);
            for (int i = 0; i < NG; i++)
                assert_true(isfinite(p[i]) && isfinite(d[i]) && p[i] >= 0.0);
        }
    }
}

static void test_strike_from_delta_round_trip(void **state)
{
    (void)state;
    double worst = 0.0;
    int n = 0;
    for (int it = 0; it < 6; it++) {
        double t = (double[]){1.0 / 365, 7.0 / 365, 45.0 / 365, 0.5, 2.0, 10.0}[it];
        for (int is = 0; is < 4; is++) {
            double sigma = (double[]){0.03, 0.15, 0.4, 1.5}[is];
            for (int ir = 0; ir < 3; ir++) {
                double r = (double[]){0.0, 0.05, -0.01}[ir], q = (double[]){0.0, 0.015, 0.03}[ir];
                double eq = exp(-q * t);
                for (int call = 0; call < 2; call++) {
                    double w = call ? 1.0 : -1.0;
                    for (int i = 1; i < 100; i++) {
                        /* |delta| from 1e-6 to 1 - 1e-6 of its range e^{-qT} */
                        double u = i < 50 ? pow(10.0, -6.0 + 5.0 * (i - 1) / 48.0) : i == 50 ? 0.5
                                                                                       : 1.0 - pow(10.0, -6.0 + 5.0 * (99 - i) / 48.0);
                        double target = w * eq * u;
                        double k = alvh_bs_strike_from_delta(100.0, t, sigma, r, q, target, call);
                        assert_true(isfinite(k) && k > 0.0);
                        double got;
                        alvh_bs_price(100.0, k, t, sigma, r, q, call, &got);
                        worst = fmax(worst, fabs(got - target));
                        n++;
                    }
                }
            }
        }
    }
    printf("# strike from delta: %d round trips, max |delta error| %.3g\n", n, worst);
    assert_true(worst <= 1e-10);
    /* a 16-delta put on SPX 45 days out lies below spot, its call twin above */
    double kp = alvh_bs_strike_from_delta(5000.0, 45.0 / 365, 0.18, 0.04, 0.013, -0.16, 0);
    double kc = alvh_bs_strike_from_delta(5000.0, 45.0 / 365, 0.18, 0.04, 0.013, 0.16, 1);
    assert_true(kp < 5000.0 && kc > 5000.0);
    /* no strike has these deltas */
    assert_true(isnan(alvh_bs_strike_from_delta(100.0, 1.0, 0.2, 0.0, 0.0, -0.2, 1)));
    assert_true(isnan(alvh_bs_strike_from_delta(100.0, 1.0, 0.2, 0.0, 0.0, 0.2, 0)));
    assert_true(isnan(alvh_bs_strike_from_delta(100.0, 1.0, 0.2, 0.0, 0.05, 0.99, 1))); /* > e^{-qT} */
    assert_true(isnan(alvh_bs_strike_from_delta(100.0, 0.0, 0.2, 0.0, 0.0, 0.5, 1)));
    assert_true(isnan(alvh_bs_strike_from_delta(100.0, 1.0, 0.0, 0.0, 0.0, 0.5, 1)));
}

static void test_norm_inv(void **state)
{
    (void)state;
    /* Phi(Phi^-1(p)) = p relative, p from 1e-300 to 1 - 1e-16, both tails */
    double worst = 0.0, worst_p = 0.0;
    for (int i = 0; i <= 200000; i++) {
        double p = pow(10.0, -300.0 + 300.0 * i / 200000.0) * 0.5;
        for (int side = 0; side < 2; side++) {
            double pp = side ? 1.0 - p : p;
            if (pp <= 0.0 || pp >= 1.0)
                continue;
            double x = alvh_norm_inv(pp);
            /* judged against the smaller tail, where p carries its digits */
            double tail = side ? alvh_norm_cdf(-x) : alvh_norm_cdf(x), want = side ? 1.0 - pp : pp;
            /* the slope of Phi amplifies x's rounding: allow |x| phi(x) / Phi ulp */
            double e = fabs(tail - want) / want / (DBL_EPSILON * fmax(1.0, x * x));
            if (e > worst) {
                worst = e;
                worst_p = pp;
            }
        }
    }
    printf("# norm_inv: max |Phi(inv(p)) - p| / p = %.3g x eps x max(1, x^2) at p = %.3g\n", worst, worst_p);
    assert_true(worst <= 4.0);
    assert_true(alvh_norm_inv(0.5) == 0.0);
    assert_true(isinf(alvh_norm_inv(0.0)) && alvh_norm_inv(0.0) < 0 && isinf(alvh_norm_inv(1.0)));
    assert_true(fabs(alvh_norm_inv(0.975) - 1.959963984540054) < 1e-15);
}

/* relative error in units of 2^-53 */
static double rel_u(double got, long double want)
{
    if (want == 0.0L)
        return got == 0.0 ? 0.0 : INFINITY;
    return (double)(fabsl((got - want) / want) / 0x1p-53L);
}

static void test_vmath_erfc_vs_glibc(void **state)
{
    (void)state;
    double worst = 0.0, wy = 0.0;
    for (int i = 0; i <= 1000000; i++) {
        double y = -6.0 + 32.5 * i / 1000000.0; /* to 26.5: erfc ~ 1e-307 */
        double e = rel_u(vmath_erfc(y), erfc(y));
        if (e > worst) {
            worst = e;
            wy = y;
        }
    }
    printf("# vmath_erfc (scalar build) vs glibc erfc on [-6, 26.5]: max rel %.3g (%.2f x 2^-53) at %.4f\n",
           worst * 0x1p-53, worst, wy);
    assert_true(worst <= 12.0);
    assert_true(vmath_erfc(0.0) == 1.0 && vmath_erfc(30.0) == 0.0 && vmath_erfc(-30.0) == 2.0);
    assert_true(isnan(vmath_erfc(NAN)));
}

/* Phi to about 1e-19: long double erfc of a long double x / sqrt(2) */
static long double phi_ref(double x) { return 0.5L * erfcl(-(long double)x / sqrtl(2.0L)); }

static void test_normal_cdf_accuracy(void **state)
{
    (void)state;
    enum { NX = 400000 };
    static double x[NX], out[NX];
    for (int i = 0; i < NX; i++)
        x[i] = -37.5 + 46.5 * i / (NX - 1); /* [-37.5, 9] */
    for (int isa = -1; isa < ALVH_ISA_COUNT; isa++) {
        if (isa >= 0 && !alvh_isa_supported((alvh_isa)isa))
            continue;
        const char *name = isa < 0 ? "libm" : alvh_isa_name((alvh_isa)isa);
        alvh_norm_cdf_batch_fn *fn = isa == 0 ? alvh_norm_cdf_batch_scalar
                                   : isa == 1 ? alvh_norm_cdf_batch_avx2
                                              : alvh_norm_cdf_batch_avx512;
        if (isa < 0)
            for (int i = 0; i < NX; i++)
                out[i] = alvh_norm_cdf(x[i]);
        else
            fn(NX, x, out);
        double wrel = 0.0, wabs = 0.0, wx = 0.0;
        for (int i = 0; i < NX; i++) {
            long double ref = phi_ref(x[i]);
            if (x[i] <= 0.0) {
                double e = rel_u(out[i], ref);
                if (e > wrel) {
                    wrel = e;
                    wx = x[i];
                }
            }
            wabs = fmax(wabs, (double)fabsl(out[i] - ref));
        }
        printf("# Phi %-6s: lower tail [-37.5, 0] max rel %.3g (%.2f x 2^-53) at %.3f; max abs on [-37.5, 9] %.3g\n",
               name, wrel * 0x1p-53, wrel, wx, wabs);
        assert_true(wrel <= 12.0);
        assert_true(wabs <= 2.5e-16);
    }
    /* ends */
    double ends[6] = {-INFINITY, -40.0, 0.0, 10.0, INFINITY, NAN}, o[6];
    for (int isa = 0; isa < ALVH_ISA_COUNT; isa++) {
        if (!alvh_isa_supported((alvh_isa)isa))
            continue;
        (isa == 0 ? alvh_norm_cdf_batch_scalar : isa == 1 ? alvh_norm_cdf_batch_avx2 : alvh_norm_cdf_batch_avx512)(
            6, ends, o);
        assert_true(o[0] == 0.0 && o[1] == 0.0 && o[2] == 0.5 && o[3] == 1.0 && o[4] == 1.0 && isnan(o[5]));
    }
    assert_true(alvh_norm_cdf(-INFINITY) == 0.0 && alvh_norm_cdf(INFINITY) == 1.0 && alvh_norm_cdf(0.0) == 0.5);
}

/* vmath_ncdf_pair (the condor legs' two CDFs with one division), scalar
 * build: each result as accurate as vmath_ncdf's bound allows, pairs apart by
 * a leg's total vol (the vector builds are compared with it in test_book) */
static void test_normal_cdf_pair_accuracy(void **state)
{
    (void)state;
    enum { NX = 200000 };
    const double gaps[3] = {0.003, 0.3, 2.5};
    double wrel = 0.0, wabs = 0.0;
    for (int g = 0; g < 3; g++)
        for (int i = 0; i < NX; i++) {
            double x1 = -37.5 + 46.5 * i / (NX - 1), x2 = x1 - gaps[g], p1, p2;
            vmath_ncdf_pair(x1, x2, &p1, &p2);
            const double xs[2] = {x1, x2}, ps[2] = {p1, p2};
            for (int k = 0; k < 2; k++) {
                if (xs[k] < -37.5)
                    continue;
                long double ref = phi_ref(xs[k]);
                if (xs[k] <= 0.0)
                    wrel = fmax(wrel, rel_u(ps[k], ref));
                wabs = fmax(wabs, (double)fabsl(ps[k] - ref));
            }
        }
    printf("# Phi pair (scalar): lower tail max rel %.2f x 2^-53, max abs %.3g\n", wrel, wabs);
    assert_true(wrel <= 16.0);
    assert_true(wabs <= 4e-16);
    double p1, p2;
    vmath_ncdf_pair(NAN, -INFINITY, &p1, &p2);
    assert_true(isnan(p1) && p2 == 0.0);
    vmath_ncdf_pair(0.0, INFINITY, &p1, &p2);
    assert_true(p1 == 0.5 && p2 == 1.0);
}

static void test_normal_pdf_accuracy(void **state)
{
    (void)state;
    double wv = 0.0, ws = 0.0;
    const long double inv_sqrt_2pi = 0.398942280401432677939946059934381868L;
    for (int i = 0; i <= 400000; i++) {
        double x = -37.5 + 75.0 * i / 400000.0;
        long double ref = expl(-(long double)x * x / 2) * inv_sqrt_2pi;
        wv = fmax(wv, rel_u(vmath_npdf(x), ref));
        ws = fmax(ws, rel_u(alvh_norm_pdf(x), ref));
    }
    printf("# phi on [-37.5, 37.5]: vmath max rel %.2f x 2^-53, libm %.2f x 2^-53\n", wv, ws);
    assert_true(wv <= 8.0 && ws <= 8.0);
    assert_true(vmath_npdf(40.0) == 0.0 && alvh_norm_pdf(-INFINITY) == 0.0);
}

static void test_vector_matches_scalar(void **state)
{
    (void)state;
    fill_grid();
    static double p0[NG], d0[NG], p1[NG], d1[NG];
    const double r = 0.045, q = 0.012;
    for (int b76 = 0; b76 < 2; b76++)
        for (int call = 0; call < 2; call++) {
            const alvh_kernel_ops *ref = alvh_kernel_ops_for(ALVH_ISA_SCALAR);
            if (b76)
                ref->black76_batch(NG, gs, gk, gt, gsig, r, call, p0, d0);
            else
                ref->bs_batch(NG, gs, gk, gt, gsig, r, q, call, p0, d0);
            /* the scalar build of the kernel against the libm scalar API */
            double wa = 0.0, wra = 0.0;
            for (int i = 0; i < NG; i++) {
                double da, pa = b76 ? alvh_black76_price(gs[i], gk[i], gt[i], gsig[i], r, call, &da)
                                    : alvh_bs_price(gs[i], gk[i], gt[i], gsig[i], r, q, call, &da);
                wa = fmax(wa, fmax(fabs(p0[i] - pa) / gs[i], fabs(d0[i] - da)));
                if (pa > 1e-8 * gs[i])
                    wra = fmax(wra, fabs(p0[i] - pa) / pa);
            }
            printf("# %s %s: scalar kernel vs libm API max %.3g per unit spot; relative %.3g where price > 1e-8 spot\n",
                   b76 ? "black76" : "bsm", call ? "call" : "put", wa, wra);
            assert_true(wa <= TOL_API && wra <= TOL_VEC_REL);
            for (int isa = 1; isa < ALVH_ISA_COUNT; isa++) {
                if (!alvh_isa_supported((alvh_isa)isa))
                    continue;
                const alvh_kernel_ops *ops = alvh_kernel_ops_for((alvh_isa)isa);
                if (b76)
                    ops->black76_batch(NG, gs, gk, gt, gsig, r, call, p1, d1);
                else
                    ops->bs_batch(NG, gs, gk, gt, gsig, r, q, call, p1, d1);
                double w = 0.0, wr = 0.0;
                for (int i = 0; i < NG; i++) {
                    w = fmax(w, fmax(fabs(p1[i] - p0[i]) / gs[i], fabs(d1[i] - d0[i])));
                    if (p0[i] > 1e-8 * gs[i])
                        wr = fmax(wr, fabs(p1[i] - p0[i]) / p0[i]);
                }
                printf("# %s %s: %s vs scalar max %.3g per unit spot; relative %.3g where price > 1e-8 spot\n",
                       b76 ? "black76" : "bsm", call ? "call" : "put", ops->name, w, wr);
                assert_true(w <= TOL_VEC && wr <= TOL_VEC_REL);
            }
        }
    /* delta NULL writes prices only, and a short n leaves the rest untouched */
    for (int isa = 0; isa < ALVH_ISA_COUNT; isa++) {
        if (!alvh_isa_supported((alvh_isa)isa))
            continue;
        double p[11], want[11];
        for (int i = 0; i < 11; i++)
            p[i] = -7.0;
        alvh_kernel_ops_for((alvh_isa)isa)->bs_batch(10, gs + 1, gk + 1, gt + 1, gsig + 1, r, q, 1, p, NULL);
        alvh_kernel_ops_for(ALVH_ISA_SCALAR)->bs_batch(10, gs + 1, gk + 1, gt + 1, gsig + 1, r, q, 1, want, NULL);
        for (int i = 0; i < 10; i++)
            assert_true(fabs(p[i] - want[i]) <= TOL_VEC * gs[1]);
        assert_true(p[10] == -7.0);
    }
}

static void test_iv_from_state(void **state)
{
    (void)state;
    alvh_spx_params p = {.s0 = 5000, .v0 = 0.04, .r_ann = 0.04, .q_ann = 0.013, .kappa = 2.0, .theta = 0.03,
                         .xi = 0.5, .rho = -0.7, .lambda_ann = 0.5, .mu_j = -0.08, .delta_j = 0.1, .mu_v = 0.02};
    alvh_iv_model m;
    alvh_iv_model_init(&m, &p);
    double jv = 0.5 * (0.08 * 0.08 + 0.1 * 0.1), theta_star = 0.03 + 0.5 * 0.02 / 2.0;
    assert_true(fabs(m.jump_var_ann - jv) < 1e-17 && fabs(m.theta_star - theta_star) < 1e-17);
    /* T -> 0: current variance plus jump variance; T = 0 exactly and T < 0 too */
    assert_true(fabs(alvh_iv_atm_var(&m, 0.09, 1e-12) - (0.09 + jv)) < 1e-12);
    assert_true(alvh_iv_atm_var(&m, 0.09, 0.0) == 0.09 + jv && alvh_iv_atm_var(&m, 0.09, -1.0) == 0.09 + jv);
    /* T -> inf: theta* + jump variance */
    assert_true(fabs(alvh_iv_atm_var(&m, 0.09, 1e9) - (theta_star + jv)) < 1e-9);
    /* in between: the closed form */
    double t = 45.0 / 365, a = (1.0 - exp(-2.0 * t)) / (2.0 * t);
    assert_true(fabs(alvh_iv_atm_var(&m, 0.09, t) - (theta_star + (0.09 - theta_star) * a + jv)) < 1e-15);
    /* negative variance (full-truncation Euler) counts as 0 */
    assert_true(alvh_iv_atm_var(&m, -0.01, t) == alvh_iv_atm_var(&m, 0.0, t));
    /* no jumps: T -> 0 gives v itself */
    alvh_spx_params p0 = p;
    p0.lambda_ann = 0.0;
    alvh_iv_model m0;
    alvh_iv_model_init(&m0, &p0);
    assert_true(fabs(alvh_iv_atm_var(&m0, 0.09, 1e-12) - 0.09) < 1e-12);
    assert_true(fabs(alvh_iv_atm_var(&m0, 0.09, 1e9) - 0.03) < 1e-9);

    /* zero skew is flat in the strike */
    alvh_iv_skew flat = ALVH_IV_SKEW_FLAT;
    double atm = sqrt(alvh_iv_atm_var(&m, 0.05, t));
    for (int i = 0; i < 21; i++) {
        double k = 3000.0 + 200.0 * i;
        assert_true(fabs(alvh_iv_from_state(&m, &flat, 0.05, 5000.0, k, t) - atm) < 1e-16);
    }
    /* with skew: slope and curvature in ln(K/F), clamped */
    alvh_iv_skew sk = {.skew_slope = -0.3, .skew_curv = 0.5, .sigma_floor = 0.08, .sigma_cap = 0.6};
    double f = 5000.0 * exp((0.04 - 0.013) * t), k = 4500.0, lm = log(k / f);
    double want = atm - 0.3 * lm + 0.5 * lm * lm;
    assert_true(fabs(alvh_iv_from_state(&m, &sk, 0.05, 5000.0, k, t) - want) < 1e-15);
    assert_true(fabs(alvh_iv_from_state(&m, &sk, 0.05, 5000.0, f, t) - atm) < 1e-15);
    assert_true(alvh_iv_from_state(&m, &sk, 0.05, 5000.0, 20.0, t) == 0.6);    /* far put wing capped */
    assert_true(alvh_iv_from_state(&m, &sk, 0.0, 5000.0, 5400.0, 1e-6) >= 0.08); /* floored */

    /* the batch kernels match the scalar function on every ISA */
    enum { NV = 37 };
    double v[NV], s[NV], kk[NV], out[NV];
    for (int i = 0; i < NV; i++) {
        v[i] = -0.01 + 0.01 * i;
        s[i] = 4800.0 + 10.0 * i;
        kk[i] = 3500.0 + 60.0 * i;
    }
    for (int isa = 0; isa < ALVH_ISA_COUNT; isa++) {
        if (!alvh_isa_supported((alvh_isa)isa))
            continue;
        alvh_kernel_ops_for((alvh_isa)isa)->iv_batch(&m, &sk, NV, v, s, kk, t, out);
        for (int i = 0; i < NV; i++)
            assert_true(fabs(out[i] - alvh_iv_from_state(&m, &sk, v[i], s[i], kk[i], t)) < 1e-14);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalar_api_matches_quantlib),
        cmocka_unit_test(test_batch_matches_quantlib),
        cmocka_unit_test(test_put_call_parity),
        cmocka_unit_test(test_expiry_gives_intrinsic),
        cmocka_unit_test(test_zero_vol_gives_discounted_forward_intrinsic),
        cmocka_unit_test(test_no_nan_on_limit_grid),
        cmocka_unit_test(test_strike_from_delta_round_trip),
        cmocka_unit_test(test_norm_inv),
        cmocka_unit_test(test_vmath_erfc_vs_glibc),
        cmocka_unit_test(test_normal_cdf_accuracy),
        cmocka_unit_test(test_normal_cdf_pair_accuracy),
        cmocka_unit_test(test_normal_pdf_accuracy),
        cmocka_unit_test(test_vector_matches_scalar),
        cmocka_unit_test(test_iv_from_state),
    };
    return cmocka_run_group_tests(tests, load, NULL);
}
