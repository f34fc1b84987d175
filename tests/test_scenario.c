/*
 * A scenario end to end in memory (engine/scenario_run.h): results are
 * bit-identical for 1, 2 and 3 threads, for a run split into rounds of blocks,
 * and for a run interrupted, checkpointed (state copied out), restored into a
 * fresh job and finished — the contract `alvh run --resume` relies on.
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
#include "engine/scenario_run.h"

#define BIT(l) (1u << (l))

static const alvh_variant variants[3] = {
    {"farm_only", BIT(ALVH_LAYER_FARM)},
    {"condor_vix", BIT(ALVH_LAYER_CONDOR) | BIT(ALVH_LAYER_VIX)},
    {"full", (1u << ALVH_LAYER_COUNT) - 1},
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
                             .d_dn = 0.15, .lambda_hack_ann = 0.5, .hack_loss_frac = 0.5, .mu_hack = -0.3},
                   .funding = {.f0_ann = 0.11, .kappa_f = 20, .fbar_ann = 0.11, .sigma_f_ann = 0.8}},
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
    for (size_t v = 0; v < nv; v++) {
        assert_true(same(a->pnl[v].data, b->pnl[v].data, a->pnl[v].rows * a->pnl[v].cols * sizeof(double)));
        assert_true(same(a->risk[v].data, b->risk[v].data, a->risk[v].rows * sizeof(double)));
        if (v > 0)
            assert_true(same(a->eff[v].data, b->eff[v].data, a->eff[v].rows * sizeof(double)));
    }
}

static void test_threads_bit_identical(void **state)
{
    (void)state;
    alvh_scenario_result ref, r;
    alvh_error err = {0};
    alvh_scenario_request rq = request(1);
    assert_int_equal(alvh_scenario_run(&rq, ops(), &ref, &err), ALVH_OK);
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
    volatile int stop = 1;
    assert_int_equal(alvh_scenario_job_round(j, 0, &stop, &err), ALVH_OK);
    size_t done = alvh_scenario_job_blocks_done(j);
    printf("# %zu of %zu blocks done before the stop\n", done, nb);
    assert_int_equal(done, 6);
    alvh_job_buffer saved[ALVH_JOB_MAX_BUFFERS];
    size_t nbuf = alvh_scenario_job_buffers(j, saved);
    void *copies[ALVH_JOB_MAX_BUFFERS];
    for (size_t k = 0; k < nbuf; k++) {
        copies[k] = malloc(saved[k].bytes);
        memcpy(copies[k], saved[k].data, saved[k].bytes);
    }
    alvh_scenario_job_free(j);

    /* second life: a fresh job restored from the copies */
    assert_int_equal(alvh_scenario_job_create(&rq, ops(), &j, &err), ALVH_OK);
    alvh_job_buffer bufs[ALVH_JOB_MAX_BUFFERS];
    assert_int_equal(alvh_scenario_job_buffers(j, bufs), nbuf);
    for (size_t k = 0; k < nbuf; k++) {
        assert_string_equal(bufs[k].name, saved[k].name);
        assert_int_equal(bufs[k].bytes, saved[k].bytes);
        memcpy(bufs[k].data, copies[k], bufs[k].bytes);
        free(copies[k]);
    }
    alvh_scenario_job_restored(j);
    assert_int_equal(alvh_scenario_job_blocks_done(j), 6);
    while (alvh_scenario_job_blocks_done(j) < nb)
        assert_int_equal(alvh_scenario_job_round(j, 4, NULL, &err), ALVH_OK);
    assert_int_equal(alvh_scenario_job_finish(j, &r, &err), ALVH_OK);
    alvh_scenario_job_free(j);
    assert_same_results(&ref, &r);
    alvh_scenario_result_free(&r);
    alvh_scenario_result_free(&ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_bit_identical),
        cmocka_unit_test(test_interrupt_and_resume),
    };
    return cmocka_run_group_tests_name("scenario", tests, NULL, NULL);
}
