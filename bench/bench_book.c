/* SPDX-License-Identifier: BSD-3-Clause */
#define _POSIX_C_SOURCE 200809L /* clock_gettime (bench/timer.h) under ISO C */
#include "bench/bench_book.h"

#include "engine/book_run.h"

#include "bench/timer.h"

enum { STEPS = 252 };

static alvh_market_params bench_market(void)
{
    return (alvh_market_params){
        .spx = {.s0 = 5000, .v0 = 0.04, .r_ann = 0.04, .q_ann = 0.013, .kappa = 2.03, .theta = 0.04, .xi = 0.38,
                .rho = -0.57, .lambda_ann = 0.59, .mu_j = -0.05, .delta_j = 0.07, .mu_v = 0.0,
                .scheme = ALVH_SCHEME_QE}, /* Bates (mu_v 0, was 0.01): the condor's Q table prices it */
        .token = {.g0_usd = 10, .mu_ann = 0.04, .sigma0_ann = 1.0, .vix_ref = 20, .gamma = 1.0, .sigma_max_ann = 5.0,
                  .rho_sg = 0.25, .rho_vg = 0.15, .beta_j = 2.0, .delta_c = 0.1, .lambda_gov_ann = 4.0, .p_up = 0.3,
                  .mu_up = 0.3, .d_up = 0.1, .mu_dn = -0.25, .d_dn = 0.15, .lambda_hack_ann = 0.5,
                  .hack_loss_frac = 0.5, .mu_hack = -0.3, .d_hack = 0.1},
        .funding = {.f0_ann = 0.11, .kappa_f = 20, .fbar_ann = 0.11, .sigma_f_ann = 0.8, .rho_gf = 0.3},
    };
}

double alvh_bench_book_seconds(const alvh_kernel_ops *ops, int threads, size_t paths)
{
    /* the seven layers of the hedge book (the figure's book since it was first measured); the
     * opt-in layers (lp, cover, eth_puts) are timed by alvh_bench_layer_costs */
    const unsigned all = (1u << (ALVH_LAYER_BORROW + 1)) - 1;
    const alvh_variant vars[4] = {
        {.name = "farm_only", .layers = 1u << ALVH_LAYER_FARM},
        {.name = "condor_only", .layers = 1u << ALVH_LAYER_CONDOR},
        {.name = "condor_vix", .layers = 1u << ALVH_LAYER_CONDOR | 1u << ALVH_LAYER_VIX},
        {.name = "full", .layers = all},
    };
    alvh_book_run_request rq = {
        .market = {.params = bench_market(), .dt_years = 1.0 / 252, .n_steps = STEPS, .n_paths = paths,
                   .block_size = 256, .seed = 42, .threads = threads},
        .book = alvh_book_defaults(), .variants = vars, .n_variants = 4,
    };
    double secs = 0.0;
    alvh_error err = {0};
    return alvh_book_run(&rq, ops, &secs, &err) == ALVH_OK ? secs : -1.0;
}

double alvh_bench_qtab_seconds(const alvh_kernel_ops *ops, int threads)
{
    /* the calm default's two factors (configs/default.yaml): the table of a shipped scenario */
    alvh_market_params mp = bench_market();
    mp.spx.kappa = 1.1, mp.spx.theta = 0.026, mp.spx.xi = 0.5, mp.spx.v0 = 0.02;
    mp.spx.kappa2 = 34.0, mp.spx.theta2 = 0.017, mp.spx.xi2 = 3.0, mp.spx.rho2 = -0.8, mp.spx.v2_0 = 0.016;
    /* the tables of the default book: the condor's, the token's (puts and calls) and the VIX calls' */
    const alvh_variant var = {.name = "full", .layers = 1u << ALVH_LAYER_CONDOR | 1u << ALVH_LAYER_VIX |
                                                         1u << ALVH_LAYER_FARM | 1u << ALVH_LAYER_PUTS |
                                                         1u << ALVH_LAYER_CALLS};
    double best = 0.0;
    for (int trial = 0; trial < 3; trial++) {
        double qs = 0.0;
        alvh_book_run_request rq = {
            .market = {.params = mp, .dt_years = 1.0 / 252, .n_steps = 1, .n_paths = 256, .block_size = 256,
                       .seed = 42, .threads = threads},
            .book = alvh_book_defaults(), .variants = &var, .n_variants = 1, .qtab_seconds = &qs,
        };
        alvh_error err = {0};
        if (alvh_book_run(&rq, ops, NULL, &err) != ALVH_OK)
            return -1.0;
        best = trial == 0 || qs < best ? qs : best;
    }
    return best;
}

double alvh_bench_book(const alvh_kernel_ops *ops, int threads, double seconds)
{
    double s = alvh_bench_book_seconds(ops, threads, 2048); /* warm-up and sizing */
    if (!(s > 0.0))
        return 0.0;
    size_t paths = (size_t)(2048.0 / s * seconds / 3);
    paths = paths < 2048 ? 2048 : paths;
    double best = 0.0;
    for (int trial = 0; trial < 3; trial++) {
        double t = alvh_bench_book_seconds(ops, threads, paths);
        double r = t > 0.0 ? (double)paths * STEPS / t : 0.0;
        best = r > best ? r : best;
    }
    return best;
}

/* CPU seconds of the market and one variant with `layers`, 1 thread, best of 3 */
static double one_variant_seconds(const alvh_kernel_ops *ops, unsigned layers, size_t paths, int eth)
{
    const alvh_variant var = {.name = "probe", .layers = layers};
    alvh_market_params mp = bench_market();
    if (eth) { /* the ETH factor, for the cross-hedge */
        mp.eth = (alvh_eth_params){.e0_usd = 2000, .mu_ann = 0.04, .sigma0_ann = 0.7, .rho_es = 0.4};
        mp.token.beta_eth = 0.8;
    }
    alvh_book_run_request rq = {
        .market = {.params = mp, .dt_years = 1.0 / 252, .n_steps = STEPS, .n_paths = paths,
                   .block_size = 1024, .seed = 42, .threads = 1},
        .book = alvh_book_defaults(), .variants = &var, .n_variants = 1,
    };
    double best = 0.0;
    for (int trial = 0; trial < 3; trial++) {
        alvh_error err = {0};
        double t0 = alvh_bench_cpu_now();
        if (alvh_book_run(&rq, ops, NULL, &err) != ALVH_OK)
            return -1.0;
        double t = alvh_bench_cpu_now() - t0;
        best = trial == 0 || t < best ? t : best;
    }
    return best;
}

int alvh_bench_layer_costs(const alvh_kernel_ops *ops, size_t paths, double ns[ALVH_LAYER_COUNT + 1])
{
    const unsigned farm = 1u << ALVH_LAYER_FARM;
    const double path_days = (double)paths * STEPS;
    double base = one_variant_seconds(ops, 0, paths, 0), with_farm = one_variant_seconds(ops, farm, paths, 0);
    if (!(base > 0.0) || !(with_farm > 0.0))
        return -1;
    ns[ALVH_LAYER_COUNT] = base / path_days * 1e9;
    for (int l = 0; l < ALVH_LAYER_COUNT; l++) {
        /* layers that hedge the farm are measured on top of it; the ETH cross-hedge on a market with ETH */
        int on_farm = l != ALVH_LAYER_CONDOR && l != ALVH_LAYER_VIX && l != ALVH_LAYER_FARM && l != ALVH_LAYER_LP;
        int eth = l == ALVH_LAYER_ETH_PUTS;
        double ref = eth ? one_variant_seconds(ops, farm, paths, 1) : on_farm ? with_farm : base;
        double t = l == ALVH_LAYER_FARM ? with_farm : one_variant_seconds(ops, 1u << l | (on_farm ? farm : 0), paths, eth);
        if (!(t > 0.0) || !(ref > 0.0))
            return -1;
        ns[l] = (t - ref) / path_days * 1e9;
    }
    return 0;
}
