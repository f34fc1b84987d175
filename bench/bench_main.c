/* SPDX-License-Identifier: BSD-3-Clause */
/* alvh-bench: the benchmarks without the rest of the CLI. */
#include "bench/bench.h"

int main(int argc, char **argv) { return alvh_bench_cli(argc, argv); }
