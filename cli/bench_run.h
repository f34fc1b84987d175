/* SPDX-License-Identifier: BSD-3-Clause */
/* The runner behind `alvh bench --run-paths N` (see bench/bench.h). */
#ifndef ALVH_CLI_BENCH_RUN_H
#define ALVH_CLI_BENCH_RUN_H

#include "bench/bench.h"

int alvh_bench_run_default(double paths, int threads, const char *isa, alvh_bench_run_figures *out, char *why,
                           size_t n);

#endif
