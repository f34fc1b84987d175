/* SPDX-License-Identifier: BSD-3-Clause */
/* Benchmarks: `alvh bench` and the standalone alvh-bench share this entry point. */
#ifndef ALVH_BENCH_H
#define ALVH_BENCH_H

/* argv[0] is the command name; returns a process exit code. */
int alvh_bench_cli(int argc, char **argv);

#endif
