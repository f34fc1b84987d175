/*
 * Attribution and tail tables (engine/attribution.h, tail_eff.h, tail_comp.h,
 * variants.h): a hand-built book whose Euler contributions are known in closed
 * form; contributions that sum to the book's VaR and ES on simulated paths;
 * incremental ES equal bit for bit to separate runs of the leave-one-out
 * variants; tail composition counted by hand.
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

#include "engine/attribution.h"
#include "engine/dispatch.h"
#include "engine/reverse_stress.h"
#include "engine/sweep.h"
#include "engine/scenario_run.h"
#include "engine/tail_comp.h"
#include "engine/tail_eff.h"
#include "engine/variants.h"

#define BIT(l) (1u << (l))
/* |a - b| <= tol (cmocka of this Debian release has no assert_double_equal) */
#define assert_double_equal(a, b, tol) assert_true(fabs((double)(a) - (double)(b)) <= (tol))

static double cell(const alvh_table *t, const char *row, size_t col)
{
    size_t r = alvh_table_row(t, row);
    assert_true(r < t->rows);
    return t->data[r * t->cols + col];
}

/* path i loses i/4 on the condor, 3i/4 on the farm and 100 more on the VIX
 * layer on the five worst paths: ES99 over the 10 worst of 1000 paths is
 * 994.5 + 50, split 248.625 / 745.875 / 50 */
static double *hand_book(size_t n)
{
    double *o = calloc(n * ALVH_OUT_COUNT, sizeof *o);
    assert_non_null(o);
    for (size_t i = 0; i < n; i++) {
        double *r = o + i * ALVH_OUT_COUNT;
        r[ALVH_LAYER_CONDOR] = -(double)i / 4.0;
        r[ALVH_LAYER_FARM] = -3.0 * (double)i / 4.0;
        r[ALVH_LAYER_VIX] = i >= n - 5 ? -100.0 : 0.0;
        r[ALVH_OUT_TOTAL] = r[ALVH_LAYER_CONDOR] + r[ALVH_LAYER_FARM] + r[ALVH_LAYER_VIX];
        r[ALVH_OUT_N_EXPLOIT] = i % 2 == 0; /* half the paths */
        r[ALVH_OUT_N_STOP] = i >= n - 3;    /* three of the ten worst */
    }
    return o;
}

static void test_closed_form(void **state)
{
    (void)state;
    const size_t n = 1000;
    double *o = hand_book(n);
    alvh_table t;
    alvh_error err;
    assert_int_equal(alvh_attribution_table(o, n, NULL, 0, &t, &err), ALVH_OK);
    assert_double_equal(cell(&t, "es_99_euler", ALVH_LAYER_CONDOR), 248.625, 1e-12);
    assert_double_equal(cell(&t, "es_99_euler", ALVH_LAYER_FARM), 745.875, 1e-12);
    assert_double_equal(cell(&t, "es_99_euler", ALVH_LAYER_VIX), 50.0, 1e-12);
    assert_double_equal(cell(&t, "es_99_euler", ALVH_OUT_TOTAL), 1044.5, 1e-12);
    assert_double_equal(cell(&t, "es_99_euler", ALVH_OUT_CASH), 0.0, 0.0);
    /* worst 0.1%: path 999 alone */
    assert_double_equal(cell(&t, "es_99.9_euler", ALVH_LAYER_VIX), 100.0, 1e-12);
    assert_double_equal(cell(&t, "es_99.9_euler", ALVH_LAYER_CONDOR), 999.0 / 4.0, 1e-12);
    /* VaR: the condor and the farm keep their 1:3 ratio, the layers sum to VaR */
    double vc = cell(&t, "var_99_euler", ALVH_LAYER_CONDOR), vf = cell(&t, "var_99_euler", ALVH_LAYER_FARM);
    double vx = cell(&t, "var_99_euler", ALVH_LAYER_VIX), var = cell(&t, "var_99_euler", ALVH_OUT_TOTAL);
    assert_double_equal(vf, 3.0 * vc, 1e-9);
    assert_double_equal(vc + vf + vx, var, 1e-9);
    /* the ES99 of every layer has a positive SE (the VIX layer's is not zero either: 5 of 10 tail paths) */
    assert_true(cell(&t, "es_99_euler_se", ALVH_LAYER_VIX) > 0.0);
    alvh_table_free(&t);

    alvh_table c;
    assert_int_equal(alvh_tail_composition(o, n, 0, &c, &err), ALVH_OK);
    assert_double_equal(cell(&c, "condor_stop", 0), 0.3, 1e-15);
    assert_double_equal(cell(&c, "exploit", 0), 0.5, 1e-15); /* 990..999: five even */
    assert_double_equal(cell(&c, "exploit", 3), 0.0, 0.0);   /* 999 is odd */
    assert_double_equal(cell(&c, "exploit", 6), 0.5, 1e-15);
    assert_true(cell(&c, "condor_stop", 1) < 0.3 && cell(&c, "condor_stop", 2) > 0.3);
    alvh_table_free(&c);
    free(o);
}

static void test_tail_eff_known(void **state)
{
    (void)state;
    const size_t n = 2000;
    double *h = calloc(n * ALVH_OUT_COUNT, sizeof *h), *b = calloc(n * ALVH_OUT_COUNT, sizeof *b);
    assert_non_null(h);
    assert_non_null(b);
    /* the variant loses half of what the baseline loses on every path */
    for (size_t i = 0; i < n; i++) {
        double x = (double)((i * 7919) % n) - 1000.0;
        b[i * ALVH_OUT_COUNT + ALVH_OUT_TOTAL] = x;
        h[i * ALVH_OUT_COUNT + ALVH_OUT_TOTAL] = x / 2.0;
    }
    alvh_table t;
    alvh_error err;
    assert_int_equal(alvh_tail_eff_table(h, b, n, 1000.0, 0, &t, &err), ALVH_OK);
    assert_double_equal(cell(&t, "es_99", 2), 0.5, 1e-12);
    assert_double_equal(cell(&t, "var_99.9", 2), 0.5, 1e-12);
    assert_double_equal(cell(&t, "semideviation", 2), 0.5, 1e-12);
    assert_double_equal(cell(&t, "variance", 2), 0.75, 1e-12);
    /* a scaled copy: the reduction is the same on every batch, its SE 0 */
    assert_double_equal(cell(&t, "semideviation", 3), 0.0, 1e-12);
    assert_double_equal(cell(&t, "es_99", 3), 0.0, 1e-9);
    alvh_table_free(&t);
    free(h), free(b);
}

static alvh_scenario_request request(const alvh_variant *v, size_t nv)
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
                   .funding = {.f0_ann = 0.11, .kappa_f = 20, .fbar_ann = 0.11, .sigma_f_ann = 0.8}},
        .dt_years = 1.0 / 252, .n_steps = 63, .n_paths = 2000, .block_size = 128, .seed = 5, .scenario = 1,
        .threads = 2};
    rq.book = alvh_book_defaults();
    rq.variants = v;
    rq.n_variants = nv;
    rq.fan_bins = 100;
    return rq;
}

static const alvh_kernel_ops *ops(void)
{
    const alvh_kernel_ops *o;
    alvh_error err;
    assert_int_equal(alvh_dispatch_select(NULL, &o, &err), ALVH_OK);
    return o;
}

static void test_leave_one_out_and_sums(void **state)
{
    (void)state;
    const unsigned all = (1u << ALVH_LAYER_COUNT) - 1;
    alvh_variant v[ALVH_LAYER_COUNT + 2] = {
        {.name = "full", .layers = all, .attribution = ALVH_ATTR_LEAVE_ONE_OUT},
    };
    size_t nv = 1;
    alvh_error err;
    assert_int_equal(alvh_variants_expand_loo(v, &nv, ALVH_LAYER_COUNT + 2, &err), ALVH_OK);
    assert_int_equal(nv, 1 + ALVH_LAYER_COUNT);
    assert_string_equal(v[1 + ALVH_LAYER_FARM].name, "full-no-farm");
    assert_int_equal(v[1 + ALVH_LAYER_FARM].layers, BIT(ALVH_LAYER_CONDOR) | BIT(ALVH_LAYER_VIX) | BIT(ALVH_LAYER_LP));
    assert_int_equal(alvh_variant_baseline(v, nv, 3), 0); /* the parent's baseline: the first */
    /* removing the farm from farm + perp leaves nothing: no variant for it */
    alvh_variant fp[4] = {{.name = "fp", .layers = BIT(ALVH_LAYER_FARM) | BIT(ALVH_LAYER_PERP),
                           .attribution = ALVH_ATTR_LEAVE_ONE_OUT}};
    size_t nfp = 1;
    assert_int_equal(alvh_variants_expand_loo(fp, &nfp, 4, &err), ALVH_OK);
    assert_int_equal(nfp, 2);
    assert_string_equal(fp[1].name, "fp-no-perp");
    alvh_scenario_request rq = request(v, nv);
    alvh_scenario_result r;
    assert_int_equal(alvh_scenario_run(&rq, ops(), &r, &err), ALVH_OK);
    const size_t np = r.n_paths;
    const alvh_table *a = &r.attr[0];
    for (int lv = 0; lv < 2; lv++) {
        const char *es = lv ? "es_99.9_euler" : "es_99_euler", *var = lv ? "var_99.9_euler" : "var_99_euler";
        double s = 0.0, sv = 0.0, tot = cell(a, es, ALVH_OUT_TOTAL), vt = cell(a, var, ALVH_OUT_TOTAL);
        for (int c = 0; c < ALVH_OUT_TOTAL; c++)
            s += cell(a, es, (size_t)c), sv += cell(a, var, (size_t)c);
        assert_double_equal(s, tot, 1e-9 * fabs(tot));
        assert_double_equal(sv, vt, 1e-9 * fabs(vt));
        /* the total is the book's ES and VaR of the summary table (99%), bit for bit */
        if (lv == 0) {
            assert_true(tot == cell(&r.pnl[0], "es_99", ALVH_OUT_TOTAL));
            assert_true(vt == cell(&r.pnl[0], "var_99", ALVH_OUT_TOTAL));
        }
    }
    /* each leave-one-out variant run alone gives the same paths and ES, bit for bit */
    for (int l = 0; l < ALVH_LAYER_COUNT; l++) {
        alvh_scenario_request one = request(&v[1 + l], 1);
        alvh_scenario_result s;
        assert_int_equal(alvh_scenario_run(&one, ops(), &s, &err), ALVH_OK);
        assert_memory_equal(s.outcomes, r.outcomes + (size_t)(1 + l) * np * ALVH_OUT_COUNT,
                            np * ALVH_OUT_COUNT * sizeof(double));
        double inc = cell(a, "es_99_incremental", (size_t)l);
        double want = cell(&r.pnl[0], "es_99", ALVH_OUT_TOTAL) - cell(&s.pnl[0], "es_99", ALVH_OUT_TOTAL);
        assert_true(inc == want);
        assert_true(cell(a, "es_99_incremental_se", (size_t)l) >= 0.0);
        alvh_scenario_result_free(&s);
    }
    assert_true(isnan(cell(a, "es_99_incremental", ALVH_OUT_CASH)));
    alvh_scenario_result_free(&r);
}

static void test_sweep_points_are_single_runs(void **state)
{
    (void)state;
    const alvh_variant v[2] = {{.name = "condor", .layers = BIT(ALVH_LAYER_CONDOR)},
                               {.name = "fp", .layers = BIT(ALVH_LAYER_FARM) | BIT(ALVH_LAYER_PERP)}};
    alvh_scenario_request rq = request(v, 2);
    rq.market.n_paths = 1000;
    const double lev[3] = {1.0, 2.0, 4.0};
    alvh_sweep_spec sp = {.variant = 1, .param_offset = offsetof(alvh_book_params, perp.leverage),
                          .param = "perp.leverage", .values = lev, .n_values = 3};
    alvh_table t;
    alvh_error err;
    assert_int_equal(alvh_sweep_run(&rq, &sp, ops(), &t, &err), ALVH_OK);
    assert_string_equal(t.col_names[2], "perp.leverage=4");
    for (size_t c = 0; c < 3; c++) {
        alvh_scenario_request one = request(&v[1], 1);
        one.market.n_paths = 1000;
        one.book.perp.leverage = lev[c];
        alvh_scenario_result r;
        assert_int_equal(alvh_scenario_run(&one, ops(), &r, &err), ALVH_OK);
        assert_true(cell(&t, "es_99", c) == cell(&r.pnl[0], "es_99", ALVH_OUT_TOTAL));
        assert_true(cell(&t, "mean", c) == cell(&r.pnl[0], "mean", ALVH_OUT_TOTAL));
        assert_true(cell(&t, "p_liquidation_perp", c) == cell(&r.risk[0], "p_liquidation_perp", 0));
        alvh_scenario_result_free(&r);
    }
    /* common random numbers: the paired SE of the ES difference is below the unpaired one */
    double se0 = cell(&t, "es_99_se", 0), se2 = cell(&t, "es_99_se", 2);
    assert_true(cell(&t, "es_99_diff_se", 2) < sqrt(se0 * se0 + se2 * se2));
    assert_true(cell(&t, "es_99_diff", 0) == 0.0);
    alvh_table_free(&t);
}

/* a farm on an almost deterministic token (no jumps, vol 1e-4) with a token
 * drop s at step 0: every path loses the same, linear in s, so the limit
 * breaks at the s where the line crosses it */
static void test_reverse_stress_known_threshold(void **state)
{
    (void)state;
    const alvh_variant v = {.name = "farm", .layers = BIT(ALVH_LAYER_FARM)};
    alvh_scenario_request rq = request(&v, 1);
    rq.market.n_paths = 256;
    rq.market.params.spx.lambda_ann = 0.0;
    rq.market.params.token.sigma0_ann = 1e-4;
    rq.market.params.eth.sigma0_ann = 0.0, rq.market.params.token.beta_eth = 0.0; /* no ETH factor */
    rq.market.params.token.lambda_gov_ann = 0.0;
    rq.market.params.token.lambda_hack_ann = 0.0;
    rq.market.params.token.beta_j = 0.0;
    alvh_market_injection inj = {.step = 0, .spx_ret = NAN, .vix_level = NAN, .token_ret = 0.0, .funding_ann = NAN};
    rq.market.injections = &inj;
    rq.market.n_injections = 1;
    alvh_error err;
    double loss[2];
    for (int k = 0; k < 2; k++) {
        inj.token_ret = -0.5 * k;
        alvh_scenario_result r;
        assert_int_equal(alvh_scenario_run(&rq, ops(), &r, &err), ALVH_OK);
        loss[k] = cell(&r.pnl[0], "es_99", ALVH_OUT_TOTAL);
        alvh_scenario_result_free(&r);
    }
    const double cap = rq.book.capital_usd, limit = 0.1 * cap;
    const double s_star = 0.5 * (limit - loss[0]) / (loss[1] - loss[0]);
    assert_true(s_star > 0.0 && s_star < 0.5);
    inj.token_ret = 0.0;
    alvh_rs_spec sp = {.variant = 0, .kind = ALVH_RS_TOKEN_DROP, .injection = 0, .size_lo = 0.0, .size_hi = 0.9,
                       .limit_frac = 0.1, .tol = 1e-5, .max_iter = 40};
    alvh_rs_result res;
    assert_int_equal(alvh_reverse_stress(&rq, &sp, ops(), &res, &err), ALVH_OK);
    assert_true(res.hi - res.lo <= 1e-5);
    assert_true(res.es_lo <= limit && res.es_hi > limit);
    assert_true(fabs(0.5 * (res.lo + res.hi) - s_star) < 1e-4);
    /* a bracket whose top does not break is refused with a message */
    sp.size_hi = 0.5 * s_star;
    assert_int_equal(alvh_reverse_stress(&rq, &sp, ops(), &res, &err), ALVH_E_CONFIG);
    assert_non_null(strstr(err.msg, "must hold at the low end and break at the high end"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_form),
        cmocka_unit_test(test_tail_eff_known),
        cmocka_unit_test(test_leave_one_out_and_sums),
        cmocka_unit_test(test_sweep_points_are_single_runs),
        cmocka_unit_test(test_reverse_stress_known_threshold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
