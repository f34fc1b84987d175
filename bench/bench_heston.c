/* SPDX-License-Identifier: BSD-3-Clause */
#include "bench/bench_heston.h"

#include "engine/spx_mc.h"

static double one_run(const alvh_kernel_ops *ops, alvh_var_scheme scheme, int threads, size_t paths, double *secs)
{
    double k = 100, c, cse, p, pse;
    alvh_spx_mc_request rq = {
        .model = {.s0 = 100, .v0 = 0.04, .r_ann = 0.03, .q_ann = 0.01, .kappa = 1.15, .theta = 0.04, .xi = 0.39,
                  .rho = -0.64, .scheme = scheme},
        .t_years = 0.25, .n_steps = 63, .strikes = &k, .n_strikes = 1, .n_paths = paths, .block_size = 1024,
        .seed = 42, .threads = threads,
    };
    alvh_spx_mc_result res = {.call = &c, .call_se = &cse, .put = &p, .put_se = &pse};
    alvh_error err = {0};
    if (alvh_spx_mc_european(&rq, ops, &res, &err) != ALVH_OK || !(res.seconds > 0))
        return 0.0;
    *secs = res.seconds;
    return (double)paths * 63 / res.seconds;
}

double alvh_bench_heston(const alvh_kernel_ops *ops, alvh_var_scheme scheme, int threads, double seconds)
{
    double secs = 0.0;
    double rate = one_run(ops, scheme, threads, 16384, &secs); /* warm-up and sizing */
    if (rate <= 0.0)
        return 0.0;
    size_t paths = (size_t)(rate * seconds / 3 / 63);
    paths = paths < 16384 ? 16384 : paths;
    double best = 0.0;
    for (int trial = 0; trial < 3; trial++) {
        double r = one_run(ops, scheme, threads, paths, &secs);
        best = r > best ? r : best;
    }
    return best;
}
