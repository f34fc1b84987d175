/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Expanding the parameter tables (market_params.def, book_params.def) in C.
 * A table row is P(key, TYPE, field, FLAGS, default, default_text, RANGE,
 * "units", "doc"); RANGE is CC(a, b) = [a, b], CO = [a, b), OC = (a, b],
 * OO = (a, b) or ANY. A row macro with these nine parameters passes them on
 * through ALVH_PARAM_CALL(m, #key, ..., range) (or through __VA_ARGS__, which
 * expands them alike): the range, expanded by then, arrives at m as three
 * arguments (low, high, open bits).
 * The range names themselves are in params_ranges.h, which only the .c files
 * that expand a table include, so the short names cannot leak elsewhere.
 */
#ifndef ALVH_KERNELS_PARAMS_H
#define ALVH_KERNELS_PARAMS_H

#include <stddef.h>

enum { ALVH_PARAM_LO_OPEN = 1u << 1, ALVH_PARAM_HI_OPEN = 1u << 2 };

#define ALVH_PARAM_CALL(m, ...) m(__VA_ARGS__)

/* 0 when x lies in the range (lo, hi, open bits), else -1 and
 * "section.key: expected a number in [lo, hi], got x" in msg (msg may be NULL). */
int alvh_param_check(double x, double lo, double hi, unsigned open, const char *section, const char *key, char *msg,
                     size_t size);

#endif
