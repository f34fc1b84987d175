/* SPDX-License-Identifier: BSD-3-Clause */
#include "io/report.h"

#include <inttypes.h>
#include <math.h>

void alvh_report_driver_run(FILE *f, const alvh_driver_params *p, const alvh_driver_result *r,
                            const char *isa)
{
    double n = (double)r->n_draws;
    /* standard errors of the sample moments of N(0,1) */
    double se_mean = sqrt(1.0 / n), se_var = sqrt(2.0 / n), se_skew = sqrt(6.0 / n), se_kurt = sqrt(24.0 / n);
    const double p3 = 2.6997960632601866e-3, p4 = 6.3342483666239957e-5;
    fprintf(f, "driver run: %zu paths x %zu steps x %zu normals, seed %" PRIu64 ", %zu blocks of %zu\n",
            p->n_paths, p->n_steps, p->n_drivers, p->seed, r->n_blocks, p->block_size);
    fprintf(f, "  %-18s %14s %14s %10s\n", "statistic", "value", "N(0,1)", "z-score");
    fprintf(f, "  %-18s %14.3e %14.3e %10.2f\n", "mean", r->mean, 0.0, r->mean / se_mean);
    fprintf(f, "  %-18s %14.6f %14.6f %10.2f\n", "variance", r->variance, 1.0, (r->variance - 1) / se_var);
    fprintf(f, "  %-18s %14.3e %14.3e %10.2f\n", "skewness", r->skewness, 0.0, r->skewness / se_skew);
    fprintf(f, "  %-18s %14.3e %14.3e %10.2f\n", "excess kurtosis", r->excess_kurtosis, 0.0,
            r->excess_kurtosis / se_kurt);
    fprintf(f, "  %-18s %14zu %14.0f %10.2f\n", "|z| > 3", r->beyond_3, n * p3,
            (r->beyond_3 - n * p3) / sqrt(n * p3));
    fprintf(f, "  %-18s %14zu %14.0f %10.2f\n", "|z| > 4", r->beyond_4, n * p4,
            (r->beyond_4 - n * p4) / sqrt(n * p4));
    fprintf(f, "  %-18s %14.4f %14.4f\n", "min / max", r->min, r->max);
    fprintf(f, "  %-18s %14zu\n", "non-finite", r->n_nonfinite);
    fprintf(f, "  digest %016" PRIx64 " (same for any thread count)\n", r->digest);
    fprintf(f, "  %.3f s on %d threads, isa %s: %.3g normals/s\n", r->seconds, r->threads, isa,
            r->seconds > 0 ? n / r->seconds : 0.0);
}
