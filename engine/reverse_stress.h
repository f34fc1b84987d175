/*
 * Reverse stress test: the smallest size of one stress at which a limit
 * breaks, found by bisection on fixed paths (the same seed and blocks at every
 * trial, so the only change between trials is the stress size). The limit is
 * ES99 of one variant's total P&L above limit_frac x capital. ES99 is assumed
 * nondecreasing in the size; the ends of the bracket are checked.
 */
#ifndef ALVH_ENGINE_REVERSE_STRESS_H
#define ALVH_ENGINE_REVERSE_STRESS_H

#include <stddef.h>

#include "engine/scenario_run.h"

typedef enum alvh_rs_kind {
    ALVH_RS_TOKEN_DROP = 0,   /* injection's token_ret = -size */
    ALVH_RS_SPX_GAP = 1,      /* injection's spx_ret = -size */
    ALVH_RS_EXPLOIT_LOSS = 2, /* market token.hack_loss_frac = size */
} alvh_rs_kind;
extern const char *const alvh_rs_kind_names[3]; /* token_drop, spx_gap, exploit_loss */

typedef struct alvh_rs_spec {
    size_t variant;
    alvh_rs_kind kind;
    size_t injection;      /* index of the injection resized (token_drop, spx_gap) */
    double size_lo, size_hi; /* initial bracket, 0 <= lo < hi (<= 1) */
    double limit_frac;     /* the limit breaks when ES99 > limit_frac x capital */
    double tol;            /* stop when hi - lo <= tol */
    size_t max_iter;       /* and after at most this many bisections */
} alvh_rs_spec;

typedef struct alvh_rs_result {
    double lo, hi;         /* the limit holds at lo and breaks at hi */
    double es_lo, es_hi;   /* ES99 at each, USD */
    size_t iterations;     /* bisections done (runs: iterations + 2) */
} alvh_rs_result;

/* ALVH_E_CONFIG naming the bracket when the limit already breaks at size_lo
 * or still holds at size_hi. */
alvh_status alvh_reverse_stress(const alvh_scenario_request *base, const alvh_rs_spec *sp,
                                const alvh_kernel_ops *ops, alvh_rs_result *out, alvh_error *err);

#endif
