/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A scenario end to end in memory (engine/scenario_run.h): results are
 * bit-identical for 1, 2 and 3 threads, for a run split into rounds of blocks,
 * and for a run interrupted, checkpointed (state copied out), restored into a
 * fresh job and finished — the contract `alvh run --resume` relies on.
 * Histogram mode (no per-path storage): every estimate within its reported
 * bound of the exact value, moments to ~1e-12, counts identical; the same
 * bit-identity over threads and an interrupted, restored job.
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

#include "engine/dispatch.h"
#include "engine/block_rng.h"
#include "engine/fan_chart.h"
#include "engine/histogram.h"
#include "engine/scenario_run.h"
#include "engine/summary_hist.h"

#define BIT(l) (1u << (l))

static const alvh_variant variants[3] = {
    {.name = "farm_only", .layers = BIT(ALVH_LAYER_FARM)},
    {.name = "condor_vix", .layers = BIT(ALVH_LAYER_CONDOR) | BIT(ALVH_LAYER_VIX)},
    {.name = "full", .layers = (1u << ALVH_LAYER_COUNT) - 1},
};

static alvh_scenario_request request(int threads)
{
    alvh_scenario_request rq = {0};
    rq.market = (alvh_market_sim_request){
        .params = {.spx = {.s0 = 5000, .v0 = 0.04, .r_ann = 0.04, .q_ann = 0.013, .kappa = 2.03, .theta = 0.04,
                           .xi = 0.38, .rho = -0.57, .lambda_ann = 0.59, .mu_j = -0.05, .delta_j = 0.07},
                   .token = {.g0_usd = 10, .mu_ann = 0.04, .sigma0_ann = 1.0, .vix_ref = 20, .gamma = 1.0,
                             .sigma_max_ann = 5.0, .rho_sg = 0.25, .beta_j = 2.0, .delta_c = 0.1,
                             .lambda_gov_ann = 4.0, .p_up = 0.3, .mu_up = 0.3, .d_up = 0.1, .mu_dn = -0.25,
                             .d_dn = 0.15, .lambda_hack_ann = 0.5, .hack_loss_frac = 0.5, .mu_hack = -0.3,
                             .beta_eth = 0.8},
                   .eth = {.e0_usd = 2000, .mu_ann = 0.04, .sigma0_ann = 0.7, .rho_es = 0.4},
                   .funding = {.f0_ann = 0.11, .kappa_f = 20, .fbar_ann = 0.11, .sigma_f_ann = 0.8},
                   /* importance sampling on: the likelihood ratios and the weighted table
                    * must be as reproducible as everything else */
                   .tilt = {.spx_jump = 1.5, .gov = 1.2, .exploit = 4.0}},
        .dt_years = 1.0 / 252, .n_steps = 63, .n_paths = 1500, .block_size = 128, .seed = 99, .scenario = 2,
        .threads = threads};
    rq.book = alvh_book_defaults();
    rq.variants = variants;
    rq.n_variants = 3;
    rq.n_sample_paths = 5;
    rq.fan_bins = 400;
    return rq;
}

static const alvh_kernel_ops *ops(void)
{
    const alvh_kernel_ops *o;
    alvh_error err;
    assert_int_equal(alvh_dispatch_select(NULL, &o, &err), ALVH_OK);
    return o;
}

static int same(const void *a, const void *b, size_t n) { return memcmp(a, b, n) == 0; }

static void assert_same_results(const alvh_scenario_result *a, const alvh_scenario_result *b)
{
    size_t np = a->n_paths, nv = a->n_variants, ns1 = a->n_steps + 1;
    assert_true(same(a->terminal, b->terminal, np * ALVH_TERM_COUNT * sizeof(double)));
    assert_true(same(a->outcomes, b->outcomes, nv * np * ALVH_OUT_COUNT * sizeof(double)));
    assert_true(same(a->fan, b->fan, nv * ns1 * ALVH_FAN_N_PROBS * sizeof(double)));
    assert_true(same(a->sample, b->sample, a->n_sample * ns1 * ALVH_TERM_COUNT * sizeof(double)));
    /* the weighted histogram counts under the tilt (exact mode) */
    assert_true(!a->hist_weight == !b->hist_weight);
    if (a->hist_weight) {
        assert_true(same(a->hist_weight, b->hist_weight, nv * a->hist_bins * sizeof(double)));
        assert_true(same(a->hist_weight_sq, b->hist_weight_sq, nv * a->hist_bins * sizeof(double)));
        assert_true(same(a->hist_outside_weight, b->hist_outside_weight, 2 * nv * sizeof(double)));
    }
    for (size_t v = 0; v < nv; v++) {
        assert_true(same(a->pnl[v].data, b->pnl[v].data, a->pnl[v].rows * a->pnl[v].cols * sizeof(double)));
        assert_true(same(a->risk[v].data, b->risk[v].data, a->risk[v].rows * sizeof(double)));
        if (a->baseline[v] != v)
            assert_true(same(a->eff[v].data, b->eff[v].data, a->eff[v].rows * sizeof(double)));
        /* exact mode: tail effectiveness, attribution, tail composition, weighted risk */
        const alvh_table *ta[5] = {a->tail_eff, a->attr, a->tail_comp, a->importance, a->cv},
                         *tb[5] = {b->tail_eff, b->attr, b->tail_comp, b->importance, b->cv};
        for (int k = 0; k < 5; k++) {
            assert_true(!ta[k] == !tb[k]);
            if (ta[k] && ta[k][v].rows)
                assert_true(same(ta[k][v].data, tb[k][v].data, ta[k][v].rows * ta[k][v].cols * sizeof(double)));
        }
    }
}

/* A checkpoint kept in memory: copies of the job's buffers ... */
static void keep_copies(const alvh_job_buffer *saved, size_t nbuf, void **copies)
{
    for (size_t k = 0; k < nbuf; k++) {
        copies[k] = malloc(saved[k].bytes);
        memcpy(copies[k], saved[k].data, saved[k].bytes);
    }
}

/* ... loaded into a fresh job (same names and sizes), then freed */
static void restore_copies(alvh_scenario_job *j, const alvh_job_buffer *saved, size_t nbuf, void **copies)
{
    alvh_job_buffer bufs[ALVH_JOB_MAX_BUFFERS];
    assert_int_equal(alvh_scenario_job_buffers(j, bufs), nbuf);
    for (size_t k = 0; k < nbuf; k++) {
        assert_string_equal(bufs[k].name, saved[k].name);
        assert_int_equal(bufs[k].bytes, saved[k].bytes);
        memcpy(bufs[k].data, copies[k], bufs[k].bytes);
        free(copies[k]);
    }
    alvh_scenario_job_restored(j);
}

static void test_threads_bit_identical(void **state)
{
    (void)state;
    alvh_scenario_result ref, r;
    alvh_error err = {0};
    alvh_scenario_request rq = request(1);
    assert_int_equal(alvh_scenario_run(&rq, ops(), &ref, &err), ALVH_OK);
    assert_non_null(ref.hist_weight); /* the tilt weights every exact table and the histogram */
    for (int threads = 2; threads <= 3; threads++) {
        rq = request(threads);
        assert_int_equal(alvh_scenario_run(&rq, ops(), &r, &err), ALVH_OK);
        assert_same_results(&ref, &r);
        alvh_scenario_result_free(&r);
    }
    /* the total column of the summary: mean of the full book */
    printf("# full book: mean total P&L %.0f USD, ES99 %.0f USD over %zu paths; bit-identical on 1, 2, 3 threads\n",
           ref.pnl[2].data[3 * ref.pnl[2].cols + ALVH_OUT_TOTAL],
           ref.pnl[2].data[(8 + 11 + 4) * ref.pnl[2].cols + ALVH_OUT_TOTAL], ref.n_paths);
    alvh_scenario_result_free(&ref);
}

static void test_interrupt_and_resume(void **state)
{
    (void)state;
    alvh_error err = {0};
    alvh_scenario_request rq = request(2);
    alvh_scenario_result ref, r;
    assert_int_equal(alvh_scenario_run(&rq, ops(), &ref, &err), ALVH_OK);

    /* first life: two rounds of 3 blocks, then a stop request mid-round */
    alvh_scenario_job *j;
    assert_int_equal(alvh_scenario_job_create(&rq, ops(), &j, &err), ALVH_OK);
    size_t nb = alvh_scenario_job_blocks(j);
    assert_int_equal(alvh_scenario_job_round(j, 3, NULL, &err), ALVH_OK);
    assert_int_equal(alvh_scenario_job_round(j, 3, NULL, &err), ALVH_OK);
    atomic_int stop = 1;
    assert_int_equal(alvh_scenario_job_round(j, 0, &stop, &err), ALVH_OK);
    size_t done = alvh_scenario_job_blocks_done(j);
    printf("# %zu of %zu blocks done before the stop\n", done, nb);
    assert_int_equal(done, 6);
    alvh_job_buffer saved[ALVH_JOB_MAX_BUFFERS];
    size_t nbuf = alvh_scenario_job_buffers(j, saved);
    void *copies[ALVH_JOB_MAX_BUFFERS];
    keep_copies(saved, nbuf, copies);
    alvh_scenario_job_free(j);

    /* second life: a fresh job restored from the copies */
    assert_int_equal(alvh_scenario_job_create(&rq, ops(), &j, &err), ALVH_OK);
    restore_copies(j, saved, nbuf, copies);
    assert_int_equal(alvh_scenario_job_blocks_done(j), 6);
    while (alvh_scenario_job_blocks_done(j) < nb)
        assert_int_equal(alvh_scenario_job_round(j, 4, NULL, &err), ALVH_OK);
    assert_int_equal(alvh_scenario_job_finish(j, &r, &err), ALVH_OK);
    alvh_scenario_job_free(j);
    assert_same_results(&ref, &r);
    alvh_scenario_result_free(&r);
    alvh_scenario_result_free(&ref);
}

/* ---- histogram mode (run.summaries: histogram) ---------------------------------------------- */

static alvh_scenario_request hist_request(int threads)
{
    alvh_scenario_request rq = request(threads);
    rq.summaries = ALVH_SUMMARIES_HISTOGRAM;
    /* untilted: compared with plain_request (the weighted mode has tests of its own) */
    rq.market.params.tilt = (alvh_tilt_params){0};
    return rq;
}

/* the exact request without a tilt: what the histogram summaries are compared with */
static alvh_scenario_request plain_request(int threads)
{
    alvh_scenario_request rq = request(threads);
    rq.market.params.tilt = (alvh_tilt_params){0};
    return rq;
}

static double cell(const alvh_table *t, const char *row, size_t col)
{
    size_t r = alvh_table_row(t, row);
    if (r >= t->rows)
        fprintf(stderr, "no row %s in a table of %zu rows starting %s\n", row, t->rows, t->rows ? t->row_names[0] : "-");
    assert_true(r < t->rows);
    return t->data[r * t->cols + col];
}

static int prefix(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

static int ends(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static double g_moment_rel, g_var_se_rel, g_es_se_rel; /* largest relative differences seen */

static double rel_diff(double a, double b)
{
    double s = fmax(fabs(a), fabs(b));
    return s > 0 && isfinite(a) && isfinite(b) ? fabs(a - b) / s : 0.0;
}

/* |a - b| <= rel max(|a|, |b|, floor) */
static int near(double a, double b, double rel, double floor)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    if (isinf(a) || isinf(b))
        return a == b;
    double s = fmax(fmax(fabs(a), fabs(b)), floor);
    return fabs(a - b) <= rel * s;
}

static void assert_tables_equal(const alvh_table *a, const alvh_table *b)
{
    assert_int_equal(a->rows, b->rows);
    assert_int_equal(a->cols, b->cols);
    assert_true(same(a->data, b->data, a->rows * a->cols * sizeof(double)));
}

static void assert_same_hist_results(const alvh_scenario_result *a, const alvh_scenario_result *b)
{
    size_t nv = a->n_variants, ns1 = a->n_steps + 1;
    assert_null(a->outcomes);
    assert_null(a->terminal);
    assert_true(same(a->fan, b->fan, nv * ns1 * ALVH_FAN_N_PROBS * sizeof(double)));
    assert_true(same(a->sample, b->sample, a->n_sample * ns1 * ALVH_TERM_COUNT * sizeof(double)));
    assert_true(same(a->hist_counts, b->hist_counts, nv * ALVH_PNL_HIST_BINS * sizeof(uint64_t)));
    assert_true(same(a->hist_edges, b->hist_edges, nv * (ALVH_PNL_HIST_BINS + 1) * sizeof(double)));
    for (size_t v = 0; v < nv; v++) {
        assert_tables_equal(&a->pnl[v], &b->pnl[v]);
        assert_tables_equal(&a->risk[v], &b->risk[v]);
        assert_tables_equal(&a->pnl_bound[v], &b->pnl_bound[v]);
        assert_tables_equal(&a->risk_bound[v], &b->risk_bound[v]);
        if (v > 0) {
            assert_tables_equal(&a->eff[v], &b->eff[v]);
            assert_tables_equal(&a->eff_bound[v], &b->eff_bound[v]);
        }
        assert_true(!a->importance == !b->importance);
        if (a->importance)
            assert_tables_equal(&a->importance[v], &b->importance[v]);
    }
    assert_true(!a->hist_weight == !b->hist_weight);
    if (a->hist_weight) {
        assert_true(same(a->hist_weight, b->hist_weight, nv * ALVH_PNL_HIST_BINS * sizeof(double)));
        assert_true(same(a->hist_weight_sq, b->hist_weight_sq, nv * ALVH_PNL_HIST_BINS * sizeof(double)));
        assert_true(same(a->hist_outside_weight, b->hist_outside_weight, 2 * nv * sizeof(double)));
    }
}

/* Every estimate of t (histogram mode) against the exact table e: quantiles,
 * VaR and ES within their bound; moments to ~1e-12; counts and probabilities
 * identical. Returns the largest |error| / bound seen over estimated cells. */
static int g_weighted; /* compare_table under a tilt: the weighted sums agree to rounding, not bit for bit */

static double compare_table(const alvh_table *e, const alvh_table *t, const alvh_table *tb, const char *what)
{
    double worst = 0.0;
    assert_int_equal(e->rows, t->rows);
    assert_int_equal(e->cols, t->cols);
    for (size_t r = 0; r < e->rows; r++) {
        const char *n = e->row_names[r];
        assert_string_equal(n, t->row_names[r]);
        assert_string_equal(e->row_units[r], t->row_units[r]);
        for (size_t c = 0; c < e->cols; c++) {
            double x = e->data[r * e->cols + c], y = t->data[r * t->cols + c], b = cell(tb, n, c);
            int ok;
            if (!strcmp(n, "mean") || !strcmp(n, "stdev") || !strcmp(n, "max_drawdown_mean"))
                g_moment_rel = fmax(g_moment_rel, rel_diff(x, y));
            if (prefix(n, "var_reduction_se"))
                g_var_se_rel = fmax(g_var_se_rel, rel_diff(x, y));
            if (prefix(n, "es_") && ends(n, "_se") && c == ALVH_OUT_TOTAL)
                g_es_se_rel = fmax(g_es_se_rel, rel_diff(x, y));
            if (ends(n, "_se") || ends(n, "_se_unpaired")) {
                /* standard errors: the paired ES SE needs per-path values (NaN);
                 * the others are estimates from the histogram or the moments */
                if (strstr(n, "es99_reduction_se") && !strstr(n, "unpaired"))
                    ok = isnan(y);
                else if (prefix(n, "es_"))
                    /* estimated from values known to a bin width: 5% or a bin */
                    ok = fabs(x - y) <= 0.05 * fabs(x) + cell(tb, "bin_width", c);
                else if (strstr(n, "es99"))
                    ok = near(x, y, 0.05, 0.0);
                else
                    ok = near(x, y, 1e-9, 0.0);
            } else if (prefix(n, "quantile_") || prefix(n, "var_") || prefix(n, "es_") ||
                       prefix(n, "es99_") || strstr(n, "_q")) {
                if (!strcmp(n, "var_total") || !strcmp(n, "var_baseline") || !strcmp(n, "var_reduction"))
                    ok = near(x, y, 1e-11, 0.0);
                else {
                    ok = isfinite(b) && fabs(x - y) <= b * (1 + 1e-12) + 1e-9 * fabs(x);
                    if (!isfinite(x))
                        ok = x == y;
                    else if (b > 0)
                        worst = fmax(worst, fabs(x - y) / b);
                }
            } else if (!strcmp(n, "mean") || !strcmp(n, "stdev") || !strcmp(n, "mean_se") ||
                       !strcmp(n, "max_drawdown_mean")) {
                ok = near(x, y, 1e-12, 0.0) || (c < ALVH_OUT_TOTAL && fabs(x - y) <= 1e-12 * cell(e, "stdev", c));
                /* weighted: a constant column's stdev is rounding noise about its mean */
                if (g_weighted && prefix(what, "weighted pnl"))
                    ok = ok || fabs(x - y) <= 1e-12 * (fabs(cell(e, "mean", c)) + 1.0);
            } else if (!strcmp(n, "skewness") || !strcmp(n, "excess_kurtosis")) {
                ok = near(x, y, 1e-10, 1e-6);
                /* a constant column (its stdev rounding noise): its shape is noise in both */
                if (g_weighted && cell(e, "stdev", c) <= 1e-9 * (fabs(cell(e, "mean", c)) + 1.0))
                    ok = 1;
            } else {
                ok = same(&x, &y, sizeof x); /* n, counts, probabilities, Wilson bounds, event means */
                if (g_weighted) /* sums of w in block order against path order */
                    ok = ok || near(x, y, 1e-11, 1e-15);
            }
            if (!ok)
                fprintf(stderr, "%s: %s[%zu]: exact %.17g, histogram %.17g, bound %.3g\n", what, n, c, x, y, b);
            assert_true(ok);
        }
    }
    return worst;
}

static void test_histogram_vs_exact(void **state)
{
    (void)state;
    alvh_error err = {0};
    alvh_scenario_request rq = plain_request(2), hq = hist_request(2);
    alvh_scenario_result ex, hi;
    assert_int_equal(alvh_scenario_run(&rq, ops(), &ex, &err), ALVH_OK);
    assert_int_equal(alvh_scenario_run(&hq, ops(), &hi, &err), ALVH_OK);
    assert_int_equal(hi.summaries, ALVH_SUMMARIES_HISTOGRAM);
    assert_null(hi.outcomes);
    assert_null(ex.pnl_bound);
    /* the paths are the same: fan charts and samples agree bit for bit */
    size_t ns1 = ex.n_steps + 1;
    assert_true(same(ex.fan, hi.fan, ex.n_variants * ns1 * ALVH_FAN_N_PROBS * sizeof(double)));
    assert_true(same(ex.sample, hi.sample, ex.n_sample * ns1 * ALVH_TERM_COUNT * sizeof(double)));
    double worst = 0.0;
    for (size_t v = 0; v < ex.n_variants; v++) {
        worst = fmax(worst, compare_table(&ex.pnl[v], &hi.pnl[v], &hi.pnl_bound[v], "pnl"));
        worst = fmax(worst, compare_table(&ex.risk[v], &hi.risk[v], &hi.risk_bound[v], "risk"));
        if (v > 0)
            worst = fmax(worst, compare_table(&ex.eff[v], &hi.eff[v], &hi.eff_bound[v], "effectiveness"));
        /* the resolution rows */
        double c = rq.book.capital_usd;
        assert_true(near(cell(&hi.pnl_bound[v], "bin_width", ALVH_OUT_TOTAL), 1e-4 * c, 1e-12, 0));
        assert_true(cell(&hi.pnl_bound[v], "range_lo", 0) == -2 * c);
        /* the stored total P&L histogram counts every path: in a bin, below or above it */
        uint64_t k = hi.hist_nonfinite[v] + hi.hist_outside[2 * v] + hi.hist_outside[2 * v + 1];
        for (size_t b = 0; b < ALVH_PNL_HIST_BINS; b++)
            k += hi.hist_counts[v * ALVH_PNL_HIST_BINS + b];
        assert_int_equal(k, hi.n_paths);
        const double *e = hi.hist_edges + v * (ALVH_PNL_HIST_BINS + 1);
        for (size_t b = 0; b < ALVH_PNL_HIST_BINS; b++)
            assert_true(e[b] < e[b + 1]);
        /* ... and each count (and those below and above) matches the exact per-path values */
        uint64_t below = 0, above = 0;
        for (size_t i = 0; i < ex.n_paths; i++) {
            double x = ex.outcomes[(v * ex.n_paths + i) * ALVH_OUT_COUNT + ALVH_OUT_TOTAL];
            below += x < e[0];
            above += x >= e[ALVH_PNL_HIST_BINS];
        }
        assert_int_equal(below, hi.hist_outside[2 * v]);
        assert_int_equal(above, hi.hist_outside[2 * v + 1]);
        for (size_t b = 0; b < ALVH_PNL_HIST_BINS; b++) {
            uint64_t m = 0;
            for (size_t i = 0; i < ex.n_paths; i++) {
                double x = ex.outcomes[(v * ex.n_paths + i) * ALVH_OUT_COUNT + ALVH_OUT_TOTAL];
                m += x >= e[b] && x < e[b + 1];
            }
            assert_int_equal(m, hi.hist_counts[v * ALVH_PNL_HIST_BINS + b]);
        }
    }
    printf("# histogram vs exact: every estimate within its bound (worst error %.2f of the bound); "
           "full book VaR99 %.0f vs %.0f USD (bound %.0f)\n",
           worst, cell(&ex.pnl[2], "var_99", ALVH_OUT_TOTAL), cell(&hi.pnl[2], "var_99", ALVH_OUT_TOTAL),
           cell(&hi.pnl_bound[2], "var_99", ALVH_OUT_TOTAL));
    printf("# largest relative differences: mean/stdev %.1e, variance-reduction SEs %.1e, total ES SEs %.1e\n",
           g_moment_rel, g_var_se_rel, g_es_se_rel);
    alvh_scenario_result_free(&ex);
    alvh_scenario_result_free(&hi);
}

/* Under importance-sampling tilts (the event intensities, the token-drift
 * mixture, and both drifts' three-component mixture), histogram mode against exact mode on the same paths: every
 * weighted estimate within its bound or to rounding (compare_table), the
 * importance table, and the weighted counts of the stored P&L histogram
 * against the per-path likelihood ratios in each of its bins. */
static void test_weighted_histogram_vs_exact(void **state)
{
    (void)state;
    for (int drift = 0; drift < 3; drift++) {
        alvh_error err = {0};
        alvh_scenario_request rq = request(2), hq = request(2);
        if (drift)
            rq.market.params.tilt.token_drift = hq.market.params.tilt.token_drift = 1.5,
            rq.market.params.tilt.token_drift_share = hq.market.params.tilt.token_drift_share = 0.6;
        if (drift == 2)
            rq.market.params.tilt.variance_drift = hq.market.params.tilt.variance_drift = 2.5,
            rq.market.params.tilt.variance_drift_share = hq.market.params.tilt.variance_drift_share = 0.3,
            rq.market.params.tilt.variance_drift_decay = hq.market.params.tilt.variance_drift_decay = 1.0;
        hq.summaries = ALVH_SUMMARIES_HISTOGRAM;
        alvh_scenario_result ex, hi;
        assert_int_equal(alvh_scenario_run(&rq, ops(), &ex, &err), ALVH_OK);
        assert_int_equal(alvh_scenario_run(&hq, ops(), &hi, &err), ALVH_OK);
        assert_null(hi.outcomes);
        g_weighted = 1;
        double worst = 0.0;
        const double unit = 1.0 / (double)(UINT64_C(1) << ALVH_HIST_WEIGHT_BITS);
        for (size_t v = 0; v < ex.n_variants; v++) {
            worst = fmax(worst, compare_table(&ex.pnl[v], &hi.pnl[v], &hi.pnl_bound[v], "weighted pnl"));
            worst = fmax(worst, compare_table(&ex.risk[v], &hi.risk[v], &hi.risk_bound[v], "weighted risk"));
            if (v > 0)
                worst = fmax(worst, compare_table(&ex.eff[v], &hi.eff[v], &hi.eff_bound[v], "weighted eff"));
            const alvh_table *ie = &ex.importance[v], *ih = &hi.importance[v];
            const double tail_w = cell(&hi.pnl_bound[v], "tail_bin_width", ALVH_OUT_TOTAL);
            for (size_t r = 0; r < ie->rows; r++) {
                const char *n = ie->row_names[r];
                double x = ie->data[r], y = ih->data[r];
                int ok = prefix(n, "var_") || !strcmp(n, "es_99") || !strcmp(n, "es_99.9")
                             ? fabs(x - y) <= tail_w                    /* within a tail bin (any bound is smaller) */
                             : ends(n, "_se") && prefix(n, "es_") ? near(x, y, 0.05, tail_w)
                                                                  : near(x, y, 1e-10, 1e-12);
                if (!ok)
                    fprintf(stderr, "importance %s: exact %.17g, histogram %.17g\n", n, x, y);
                assert_true(ok);
            }
            /* the stored histogram's weights: the per-path LRs of each bin's paths */
            const double *e = hi.hist_edges + v * (ALVH_PNL_HIST_BINS + 1);
            for (size_t b = 0; b < ALVH_PNL_HIST_BINS; b++) {
                double w = 0.0, w2 = 0.0;
                size_t k = 0;
                for (size_t i = 0; i < ex.n_paths; i++) {
                    const double *o = ex.outcomes + (v * ex.n_paths + i) * ALVH_OUT_COUNT;
                    if (o[ALVH_OUT_TOTAL] >= e[b] && o[ALVH_OUT_TOTAL] < e[b + 1])
                        w += o[ALVH_OUT_LR], w2 += o[ALVH_OUT_LR] * o[ALVH_OUT_LR], k++;
                }
                assert_true(fabs(hi.hist_weight[v * ALVH_PNL_HIST_BINS + b] - w) <= (double)k * unit + 1e-9 * w);
                assert_true(fabs(hi.hist_weight_sq[v * ALVH_PNL_HIST_BINS + b] - w2) <= (double)k * unit + 1e-9 * w2);
            }
        }
        g_weighted = 0;
        printf("# weighted histogram vs exact (%s): every estimate within its bound (worst %.2f of the bound); "
               "farm ES99 %.0f vs %.0f USD (bound %.0f), E[LR] %.4f vs %.4f\n",
               drift ? "event and drift tilts" : "event tilts", worst, cell(&ex.pnl[1], "es_99", ALVH_OUT_TOTAL),
               cell(&hi.pnl[1], "es_99", ALVH_OUT_TOTAL), cell(&hi.pnl_bound[1], "es_99", ALVH_OUT_TOTAL),
               cell(&ex.importance[1], "lr_mean", 0), cell(&hi.importance[1], "lr_mean", 0));
        alvh_scenario_result_free(&ex);
        alvh_scenario_result_free(&hi);
    }
}

/* Weighted histogram mode is bit-identical for any thread count (both drifts on). */
static void test_weighted_histogram_threads(void **state)
{
    (void)state;
    alvh_error err = {0};
    alvh_scenario_request rq = request(1);
    rq.summaries = ALVH_SUMMARIES_HISTOGRAM;
    rq.market.params.tilt.token_drift = 1.5, rq.market.params.tilt.token_drift_share = 0.6;
    rq.market.params.tilt.variance_drift = 2.5, rq.market.params.tilt.variance_drift_share = 0.3;
    rq.market.params.tilt.variance_drift_decay = 1.0;
    alvh_scenario_result ref, r;
    assert_int_equal(alvh_scenario_run(&rq, ops(), &ref, &err), ALVH_OK);
    rq.market.threads = 3;
    assert_int_equal(alvh_scenario_run(&rq, ops(), &r, &err), ALVH_OK);
    assert_same_hist_results(&ref, &r);
    alvh_scenario_result_free(&r);
    alvh_scenario_result_free(&ref);
}

static void test_histogram_threads_bit_identical(void **state)
{
    (void)state;
    alvh_scenario_result ref, r;
    alvh_error err = {0};
    alvh_scenario_request rq = hist_request(1);
    assert_int_equal(alvh_scenario_run(&rq, ops(), &ref, &err), ALVH_OK);
    for (int threads = 2; threads <= 3; threads++) {
        rq = hist_request(threads);
        assert_int_equal(alvh_scenario_run(&rq, ops(), &r, &err), ALVH_OK);
        assert_same_hist_results(&ref, &r);
        alvh_scenario_result_free(&r);
    }
    alvh_scenario_result_free(&ref);
}

static void test_histogram_interrupt_and_resume(void **state)
{
    (void)state;
    alvh_error err = {0};
    alvh_scenario_request rq = hist_request(2);
    alvh_scenario_result ref, r;
    assert_int_equal(alvh_scenario_run(&rq, ops(), &ref, &err), ALVH_OK);
    alvh_scenario_job *j;
    assert_int_equal(alvh_scenario_job_create(&rq, ops(), &j, &err), ALVH_OK);
    size_t nb = alvh_scenario_job_blocks(j);
    assert_int_equal(alvh_scenario_job_round(j, 2, NULL, &err), ALVH_OK);
    assert_int_equal(alvh_scenario_job_round(j, 3, NULL, &err), ALVH_OK);
    alvh_job_buffer saved[ALVH_JOB_MAX_BUFFERS];
    size_t nbuf = alvh_scenario_job_buffers(j, saved);
    int has_outcomes = 0;
    size_t bytes = 0;
    for (size_t k = 0; k < nbuf; k++) {
        has_outcomes |= !strcmp(saved[k].name, "outcomes") || !strcmp(saved[k].name, "terminal");
        bytes += saved[k].bytes;
    }
    assert_false(has_outcomes);
    printf("# histogram-mode checkpoint: %zu buffers, %.1f MB\n", nbuf, (double)bytes / 1e6);
    void *copies[ALVH_JOB_MAX_BUFFERS];
    keep_copies(saved, nbuf, copies);
    alvh_scenario_job_free(j);
    rq = hist_request(3); /* another thread count in the second life */
    assert_int_equal(alvh_scenario_job_create(&rq, ops(), &j, &err), ALVH_OK);
    restore_copies(j, saved, nbuf, copies);
    assert_int_equal(alvh_scenario_job_blocks_done(j), 5);
    while (alvh_scenario_job_blocks_done(j) < nb)
        assert_int_equal(alvh_scenario_job_round(j, 4, NULL, &err), ALVH_OK);
    assert_int_equal(alvh_scenario_job_finish(j, &r, &err), ALVH_OK);
    alvh_scenario_job_free(j);
    assert_same_hist_results(&ref, &r);
    alvh_scenario_result_free(&r);
    alvh_scenario_result_free(&ref);
}

/* NaN/Inf state is counted with its first path and step (issue: spx.xi 1e-20 gave infinite SPX
 * paths with every n_nan = n_inf = 0 and exit 0). The ranges now keep a validated model finite, so
 * the market kernel is wrapped to poison every lane of its g_poison_call-th call (one thread). */
static const alvh_kernel_ops *g_real_ops;
static size_t g_calls, g_poison_call, g_poisoned;

static void poisoning_market_step(const alvh_market_consts *c, size_t n, const alvh_market_state *s,
                                  const double *restrict normals, const double *restrict uniforms, size_t ld,
                                  const alvh_market_events *ev)
{
    g_real_ops->market_step(c, n, s, normals, uniforms, ld, ev);
    if (++g_calls == g_poison_call) {
        for (size_t i = 0; i < n; i++)
            s->ln_s[i] = i % 2 ? INFINITY : NAN;
        g_poisoned = n;
    }
}

static void test_nonfinite_counted(void **state)
{
    (void)state;
    alvh_scenario_request rq = request(1);
    alvh_scenario_result r;
    alvh_error err = {0};
    assert_int_equal(alvh_scenario_run(&rq, ops(), &r, &err), ALVH_OK);
    assert_int_equal(r.nonfinite_paths, 0);
    assert_int_equal(r.first_nonfinite_path, -1);
    assert_int_equal(r.first_nonfinite_step, -1);
    alvh_scenario_result_free(&r);
    g_real_ops = ops();
    alvh_kernel_ops poisoned = *g_real_ops;
    poisoned.market_step = poisoning_market_step;
    g_calls = 0;
    g_poison_call = 300; /* a step of a block in the middle of the run (12 blocks x 63 steps) */
    assert_int_equal(alvh_scenario_run(&rq, &poisoned, &r, &err), ALVH_OK);
    printf("# poisoned %zu lanes at kernel call %zu: %llu paths counted, first path %lld at step %lld\n",
           g_poisoned, g_poison_call, (unsigned long long)r.nonfinite_paths, (long long)r.first_nonfinite_path,
           (long long)r.first_nonfinite_step);
    assert_true(g_poisoned > 0);
    assert_int_equal(r.nonfinite_paths, g_poisoned);
    /* one thread, one tile per block of 128: call k is block (k-1) / 63, step (k-1) % 63 + 1 */
    assert_int_equal(r.first_nonfinite_path, (g_poison_call - 1) / rq.market.n_steps * rq.market.block_size);
    assert_int_equal(r.first_nonfinite_step, (g_poison_call - 1) % rq.market.n_steps + 1);
    /* and the tables count them: every variant holding an SPX layer has their total P&L non-finite */
    for (size_t v = 1; v < rq.n_variants; v++) {
        double nn = cell(&r.pnl[v], "n_nan", ALVH_OUT_TOTAL), ni = cell(&r.pnl[v], "n_inf", ALVH_OUT_TOTAL);
        printf("# variant %s: n_nan %.0f, n_inf %.0f of the total P&L\n", rq.variants[v].name, nn, ni);
        assert_true(nn + ni == (double)g_poisoned);
        assert_true(cell(&r.pnl[v], "n", ALVH_OUT_TOTAL) == (double)(rq.market.n_paths - g_poisoned));
    }
    alvh_scenario_result_free(&r);
    /* the histogram summaries count them alike */
    alvh_scenario_request hq = hist_request(1);
    g_calls = 0;
    assert_int_equal(alvh_scenario_run(&hq, &poisoned, &r, &err), ALVH_OK);
    assert_int_equal(r.nonfinite_paths, g_poisoned);
    for (size_t v = 1; v < hq.n_variants; v++)
        assert_true(cell(&r.pnl[v], "n_nan", ALVH_OUT_TOTAL) + cell(&r.pnl[v], "n_inf", ALVH_OUT_TOTAL) ==
                    (double)g_poisoned);
    alvh_scenario_result_free(&r);
}

/* Every free of the engine accepts NULL (and a zeroed record), as free() does. */
static void test_frees_accept_null(void **state)
{
    (void)state;
    alvh_scenario_result_free(NULL);
    alvh_scenario_result zero;
    memset(&zero, 0, sizeof zero);
    alvh_scenario_result_free(&zero);
    alvh_scenario_job_free(NULL);
    alvh_fan_free(NULL);
    alvh_hist_free(NULL);
    alvh_shist_acc_free(NULL);
    alvh_block_rng_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_bit_identical),
        cmocka_unit_test(test_interrupt_and_resume),
        cmocka_unit_test(test_histogram_vs_exact),
        cmocka_unit_test(test_weighted_histogram_vs_exact),
        cmocka_unit_test(test_weighted_histogram_threads),
        cmocka_unit_test(test_histogram_threads_bit_identical),
        cmocka_unit_test(test_histogram_interrupt_and_resume),
        cmocka_unit_test(test_nonfinite_counted),
        cmocka_unit_test(test_frees_accept_null),
    };
    return cmocka_run_group_tests_name("scenario", tests, NULL, NULL);
}
