/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The condor's Q marks (kernels/q_table.h): the table's implied vols priced by
 * Black-Scholes against the Lewis prices of the model's characteristic
 * function on a grid of states, lives and 5- to 50-delta strikes
 * (tests/fixtures/qmark_prices.csv, gen_qmark_prices.py), within
 * max(0.5% of the price, 0.02 index points); every ISA's vector lookup
 * against the scalar reference; put-call parity of the marks.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "engine/book_run.h"
#include "engine/dispatch.h"
#include "kernels/bs.h"
#include "kernels/isa.h"
#include "kernels/q_table.h"

enum { MAXR = 4096 };
static const double S0 = 5000.0, R = 0.04, Q = 0.013, DT = 1.0 / 252;

typedef struct {
    double v1, v2, t, k, delta, price;
    int slot, is_call;
} qrow;

static size_t read_rows(qrow *rows)
{
    FILE *f = fopen(ALVH_FIXTURE_DIR "/qmark_prices.csv", "r");
    assert_non_null(f);
    char line[256];
    size_t n = 0;
    assert_non_null(fgets(line, sizeof line, f)); /* header */
    while (n < MAXR && fgets(line, sizeof line, f)) {
        qrow *r = &rows[n++];
        assert_int_equal(sscanf(line, "%lf,%lf,%d,%lf,%lf,%d,%lf,%lf", &r->v1, &r->v2, &r->slot, &r->t, &r->k,
                                &r->is_call, &r->delta, &r->price),
                         8);
    }
    fclose(f);
    return n;
}

/* the calm default's pricing set (configs/default.yaml, the fixture's MODEL) */
static alvh_spx_params calm_q(void)
{
    return (alvh_spx_params){.s0 = S0, .v0 = 0.02, .r_ann = R, .q_ann = Q, .kappa = 1.1, .theta = 0.026,
                             .xi = 0.5, .rho = -0.57, .lambda_ann = 0.7, .mu_j = -0.055, .delta_j = 0.07,
                             .kappa2 = 34.0, .theta2 = 0.017, .xi2 = 3.0, .rho2 = -0.8, .v2_0 = 0.016};
}

typedef struct {
    alvh_qtab_spec spec;
    alvh_qtab tab;
    double *mem, build_s;
} built;

static built build(void)
{
    built b;
    alvh_spx_params p = calm_q();
    char msg[200];
    assert_int_equal(alvh_qtab_spec_init(&b.spec, &p, DT, 45.0 / 365, 31, 1, msg, sizeof msg), 0);
    b.mem = malloc(alvh_qtab_doubles(&b.spec) * sizeof(double));
    assert_non_null(b.mem);
    clock_t c0 = clock();
    for (size_t l = 0; l < b.spec.n_life; l++)
        alvh_qtab_fill_life(&b.spec, l, b.mem);
    b.build_s = (double)(clock() - c0) / CLOCKS_PER_SEC;
    alvh_qtab_bind(&b.tab, &b.spec, b.mem);
    return b;
}

/* the fixture's rows and the table, read and built once for the group */
static qrow g_rows[MAXR];
static size_t g_n;
static built g_b;

static int group_setup(void **state)
{
    (void)state;
    g_n = read_rows(g_rows);
    assert_true(g_n >= 3000);
    g_b = build();
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    free(g_b.mem);
    return 0;
}

static double mark(const alvh_qtab *t, const qrow *r, int is_call)
{
    double fwd = S0 * exp((R - Q) * r->t);
    double sig = alvh_qtab_iv(t, (size_t)r->slot, r->v1, r->v2, log(r->k / fwd));
    return alvh_bs_price(S0, r->k, r->t, sig, R, Q, is_call, NULL);
}

/* region of a row for the accuracy map: life group x delta group x put/call */
static int life_group(int slot) { return slot == 0 ? 3 : slot <= 2 ? 0 : slot <= 10 ? 1 : 2; }
static int delta_group(double d) { return d < 0.12 ? 0 : d < 0.3 ? 1 : 2; }

static void test_marks_against_lewis(void **state)
{
    (void)state;
    const qrow *rows = g_rows;
    const size_t n = g_n;
    const built b = g_b;
    printf("# Q table: %zu lives x %zu x %zu x %zu, build %.3f CPU s\n", b.spec.n_life, b.spec.n_s1, b.spec.n_s2,
           b.spec.n_z, b.build_s);
    double worst[4][3][2] = {{{0}}}, worst_abs[4][3][2] = {{{0}}}, worst_rel[4][3][2] = {{{0}}};
    double all = 0.0;
    for (size_t i = 0; i < n; i++) {
        const qrow *r = &rows[i];
        double m = mark(&b.tab, r, r->is_call), err = fabs(m - r->price);
        double tol = fmax(0.005 * r->price, 0.02), x = err / tol;
        int lg = life_group(r->slot), dg = delta_group(r->delta);
        if (x > worst[lg][dg][r->is_call]) {
            worst[lg][dg][r->is_call] = x;
            worst_abs[lg][dg][r->is_call] = err;
            worst_rel[lg][dg][r->is_call] = err / r->price;
        }
        all = fmax(all, x);
    }
    static const char *const lives[4] = {"1-2 days", "5-10 days", "21-31 days", "entry (45 cal. days)"};
    static const char *const deltas[3] = {"5-10", "16-25", "35-50"};
    printf("# | life | delta | put: max err / tol (abs pts, rel) | call: max err / tol (abs pts, rel) |\n");
    for (int lg = 0; lg < 4; lg++)
        for (int dg = 0; dg < 3; dg++)
            printf("# | %s | %s | %.2f (%.4f, %.2f%%) | %.2f (%.4f, %.2f%%) |\n", lives[lg], deltas[dg], worst[lg][dg][0],
                   worst_abs[lg][dg][0], 100 * worst_rel[lg][dg][0], worst[lg][dg][1], worst_abs[lg][dg][1],
                   100 * worst_rel[lg][dg][1]);
    printf("# worst error / tolerance over %zu options: %.3f\n", n, all);
    assert_true(all <= 1.0);
}

/* each ISA's lookup (the book's code) against the scalar reference, on the
 * fixture's states and on states off the grid (beyond its maxima, z clamped) */
static void test_vector_lookup(void **state)
{
    (void)state;
    const qrow *rows = g_rows;
    const size_t n = g_n;
    const built b = g_b;
    enum { EXTRA = 64 };
    static double life[MAXR + EXTRA], v1[MAXR + EXTRA], v2[MAXR + EXTRA], lm[MAXR + EXTRA], ref[MAXR + EXTRA],
        out[MAXR + EXTRA];
    for (size_t i = 0; i < n; i++) {
        life[i] = rows[i].slot;
        v1[i] = rows[i].v1, v2[i] = rows[i].v2;
        lm[i] = log(rows[i].k / (S0 * exp((R - Q) * rows[i].t)));
    }
    for (size_t j = 0; j < EXTRA; j++) { /* off the grid: huge variances, far strikes, a negative variance */
        life[n + j] = (double)(j % 32);
        v1[n + j] = j % 3 == 0 ? 2.0 : j % 3 == 1 ? -1e-4 : 0.04;
        v2[n + j] = j % 4 == 0 ? 9.0 : 0.0;
        lm[n + j] = (double)((int)j - 32) * 0.05;
    }
    size_t m = n + EXTRA;
    for (size_t i = 0; i < m; i++)
        ref[i] = alvh_qtab_iv(&b.tab, (size_t)life[i], v1[i], v2[i], lm[i]) * sqrt(alvh_qtab_life_years(&b.spec, (size_t)life[i]));
    alvh_qtab_sd_batch_fn *fns[3] = {alvh_qtab_sd_batch_scalar, alvh_qtab_sd_batch_avx2, alvh_qtab_sd_batch_avx512};
    for (int isa = 0; isa < 3; isa++) {
        if (!alvh_isa_supported((alvh_isa)isa))
            continue;
        fns[isa](&b.tab, m, life, v1, v2, lm, out);
        double worst = 0.0;
        for (size_t i = 0; i < m; i++)
            worst = fmax(worst, fabs(out[i] - ref[i]) / ref[i]);
        printf("# %-6s lookup vs scalar reference: max relative difference %.2e\n", alvh_isa_name((alvh_isa)isa), worst);
        assert_true(worst < 1e-12);
    }
}

/* call - put = S e^{-qT} - K e^{-rT} for the marks of both at one strike */
static void test_put_call_parity(void **state)
{
    (void)state;
    const qrow *rows = g_rows;
    const size_t n = g_n;
    const built b = g_b;
    double worst = 0.0;
    for (size_t i = 0; i < n; i++) {
        const qrow *r = &rows[i];
        double c = mark(&b.tab, r, 1), p = mark(&b.tab, r, 0);
        worst = fmax(worst, fabs(c - p - (S0 * exp(-Q * r->t) - r->k * exp(-R * r->t))));
    }
    printf("# put-call parity of the marks: max deviation %.2e index points\n", worst);
    assert_true(worst < 1e-8 * S0);
}

/* Paths under the pricing measure (paths_measure q), r = q = 0, no costs: one
 * 45-day condor opened at step 0 and held to expiry (no stop, profit take or
 * roll) has mean P&L 0 within 3 standard errors on 1e5 paths, its entry
 * mark (the table's) being the Q expectation of its payoff. */
static void test_condor_martingale(void **state)
{
    (void)state;
    enum { PATHS = 100000 };
    alvh_market_params mp = alvh_market_defaults();
    mp.spx = calm_q();
    mp.spx.r_ann = mp.spx.q_ann = 0.0;
    mp.spx.scheme = ALVH_SCHEME_QE;
    mp.premia = (alvh_premia_params){0};
    mp.paths_measure = ALVH_MEASURE_Q;
    alvh_book_params bp = alvh_book_defaults();
    bp.condor.commission_usd = bp.condor.slippage_pts = 0.0;
    bp.condor.profit_take = 1.0, bp.condor.stop_mult = 100.0, bp.condor.roll_dte_cal = 0.0;
    bp.condor.vix_max = 1000.0;
    bp.cash.market_rate = 0, bp.cash.rate_ann = 0.0;
    const alvh_variant var = {.name = "condor", .layers = 1u << ALVH_LAYER_CONDOR};
    static double out[PATHS * ALVH_OUT_COUNT];
    double qtab_s = 0.0;
    alvh_book_run_request rq = {
        .market = {.params = mp, .dt_years = DT, .n_steps = 31, .n_paths = PATHS, .block_size = 1024, .seed = 7,
                   .threads = 0},
        .book = bp, .variants = &var, .n_variants = 1, .outcomes = out, .qtab_seconds = &qtab_s,
    };
    alvh_error err = {0};
    assert_int_equal(alvh_book_run(&rq, alvh_kernel_ops_for(alvh_isa_best()), NULL, &err), ALVH_OK);
    assert_true(qtab_s > 0.0); /* the Q marks were in use */
    double sum = 0.0, sum2 = 0.0;
    for (size_t i = 0; i < PATHS; i++) {
        double x = out[i * ALVH_OUT_COUNT + ALVH_LAYER_CONDOR];
        sum += x, sum2 += x * x;
    }
    double mean = sum / PATHS, se = sqrt((sum2 / PATHS - mean * mean) / (PATHS - 1));
    printf("# condor held to expiry under Q: mean P&L %.0f USD, se %.0f (%.2f se); table %.3f s\n", mean, se,
           mean / se, qtab_s);
    assert_true(se > 0.0);
    assert_true(fabs(mean) < 3.0 * se);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_marks_against_lewis),
        cmocka_unit_test(test_vector_lookup),
        cmocka_unit_test(test_put_call_parity),
        cmocka_unit_test(test_condor_martingale),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
