/* SPDX-License-Identifier: BSD-3-Clause */
#include "bench/bench_market.h"

#include <math.h>
#include <stdlib.h>

#include "engine/market_sim.h"

enum { STEPS = 252, BLOCK = 1024 };

/* the observer does what any consumer must: read the terminal state */
typedef struct {
    double *per_block;
} sink_t;

static alvh_status on_end(void *ctx, int worker, const alvh_market_view *w)
{
    (void)worker;
    sink_t *s = ctx;
    double acc = 0.0;
    for (size_t i = 0; i < w->n; i++)
        acc += w->state->ln_g[i] + w->state->ln_s[i] + w->state->f[i];
    s->per_block[w->block] = acc;
    return ALVH_OK;
}

static double one_run(const alvh_kernel_ops *ops, int threads, size_t paths, int full)
{
    alvh_market_sim_request rq = {
        .params = {
            .spx = {.s0 = 5000, .v0 = 0.04, .r_ann = 0.04, .q_ann = 0.013, .kappa = 2.03, .theta = 0.04, .xi = 0.38,
                    .rho = -0.57, .lambda_ann = 0.59, .mu_j = -0.05, .delta_j = 0.07, .mu_v = 0.01,
                    .scheme = ALVH_SCHEME_QE},
            .token = {.g0_usd = 10, .mu_ann = 0.04, .sigma0_ann = 1.0, .vix_ref = 20, .gamma = 1.0,
                      .sigma_max_ann = 5.0, .rho_sg = 0.25, .rho_vg = 0.15, .beta_j = 2.0, .delta_c = 0.1,
                      .lambda_gov_ann = 4.0, .p_up = 0.3, .mu_up = 0.3, .d_up = 0.1, .mu_dn = -0.25, .d_dn = 0.15,
                      .lambda_hack_ann = 0.5, .hack_loss_frac = 0.5, .mu_hack = -0.3, .d_hack = 0.1},
            .funding = {.f0_ann = 0.11, .kappa_f = 20, .fbar_ann = 0.11, .sigma_f_ann = 0.8, .rho_gf = 0.3},
        },
        .dt_years = 1.0 / 252, .n_steps = STEPS, .n_paths = paths, .block_size = BLOCK, .seed = 42,
        .threads = threads,
    };
    if (full) {
        /* the calibrated default's second variance factor and the ETH factor */
        rq.params.spx.kappa2 = 40, rq.params.spx.theta2 = 0.016, rq.params.spx.xi2 = 3.0, rq.params.spx.rho2 = -0.8;
        rq.params.spx.v2_0 = 0.016;
        rq.params.eth = (alvh_eth_params){.e0_usd = 3000, .mu_ann = 0.04, .sigma0_ann = 1.0, .rho_es = 0.35,
                                          .beta_j = 2.0};
        rq.params.token.beta_eth = 0.6, rq.params.token.rho_vg = -0.1;
    }
    sink_t sink = {.per_block = calloc(alvh_market_sim_blocks(&rq), sizeof(double))};
    alvh_market_observer obs = {.ctx = &sink, .block_end = on_end};
    double secs = 0.0;
    alvh_error err = {0};
    alvh_status st = sink.per_block ? alvh_market_sim_run(&rq, ops, &obs, &secs, &err) : ALVH_E_NOMEM;
    free(sink.per_block);
    return st == ALVH_OK && secs > 0.0 ? (double)paths * STEPS / secs : 0.0;
}

static double bench(const alvh_kernel_ops *ops, int threads, double seconds, int full)
{
    double rate = one_run(ops, threads, 8192, full); /* warm-up and sizing */
    if (rate <= 0.0)
        return 0.0;
    size_t paths = (size_t)(rate * seconds / 3 / STEPS);
    paths = paths < 8192 ? 8192 : paths;
    double best = 0.0;
    for (int trial = 0; trial < 3; trial++) {
        double r = one_run(ops, threads, paths, full);
        best = r > best ? r : best;
    }
    return best;
}

double alvh_bench_market(const alvh_kernel_ops *ops, int threads, double seconds)
{
    return bench(ops, threads, seconds, 0);
}

double alvh_bench_market_full(const alvh_kernel_ops *ops, int threads, double seconds)
{
    return bench(ops, threads, seconds, 1);
}
