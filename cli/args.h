/* SPDX-License-Identifier: BSD-3-Clause */
/* Command-line numbers, read the way YAML configs take them (cli/args.c). */
#ifndef ALVH_CLI_ARGS_H
#define ALVH_CLI_ARGS_H

#include <stdint.h>

/* A whole number in [lo, hi]: decimal digits, or a whole number written with
 * a fraction or an exponent (1e5, 2.5e6; exact up to 2^53). 0, or -1. */
int alvh_arg_whole(const char *s, uint64_t lo, uint64_t hi, uint64_t *out);

#endif
