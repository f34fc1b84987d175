/* SPDX-License-Identifier: BSD-3-Clause */
/* Benchmarks: `alvh bench` and the standalone alvh-bench share this entry point. */
#ifndef ALVH_BENCH_H
#define ALVH_BENCH_H

#include <stddef.h>

#include "engine/phase_clock.h"

/* argv[0] is the command name; returns a process exit code. */
int alvh_bench_cli(int argc, char **argv);

/* What `--run-paths N` measures: one whole `alvh run` of the built-in default
 * configuration, and the same configuration's market and book kernels alone. */
typedef struct alvh_bench_run_figures {
    double run_seconds;                      /* wall time of the whole run, output file included */
    double book_seconds;                     /* market + book kernels alone (no hooks, no outputs) */
    double run_cpu_seconds, book_cpu_seconds; /* the same in CPU seconds of the process */
    double phase_seconds[ALVH_PHASE_COUNT];  /* engine/phase_clock.h counters of the run */
} alvh_bench_run_figures;

/* Runs on `isa` (an alvh_isa_name). Returns 0, or -1 with a reason in why. */
typedef int (*alvh_bench_run_fn)(double paths, int threads, const char *isa, alvh_bench_run_figures *out, char *why,
                                 size_t n);

/* The `alvh` binary registers its runner (cli/bench_run.c); without one
 * (the standalone alvh-bench) --run-paths is refused. */
void alvh_bench_set_run_fn(alvh_bench_run_fn fn);

#endif
