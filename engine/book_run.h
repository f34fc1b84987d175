/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One scenario through the hedge book: the market simulator generates each
 * block's paths once and every variant of the book steps on them (common
 * random numbers). Per-path outcomes go to caller arrays; per-step hooks see
 * the equity of every variant (fan charts) and the market (sample paths).
 */
#ifndef ALVH_ENGINE_BOOK_RUN_H
#define ALVH_ENGINE_BOOK_RUN_H

#include <stddef.h>

#include "engine/market_sim.h"
#include "kernels/book_model.h"

/* How a variant's risk is attributed to its layers (engine/attribution.h):
 * Euler contributions always; leave_one_out adds the variants without each
 * held layer on the same paths, for incremental ES. */
enum { ALVH_ATTR_EULER = 0, ALVH_ATTR_LEAVE_ONE_OUT = 1 };

typedef struct alvh_variant {
    char name[64];
    unsigned layers;   /* bit l = layer l (ALVH_LAYER_*) */
    char baseline[64]; /* effectiveness is measured against this variant ("" : the first) */
    int attribution;   /* ALVH_ATTR_* */
} alvh_variant;

/* Columns of the per-path terminal market table (sample paths: the same, at every step).
 * ALVH_TERM_IV: the SPX's integrated variance so far, the trapezoid sum of dt (v_{t-1} + v_t) / 2
 * over the variance factors plus N delta_J^2 + N^2 mu_J^2 for the N jumps of each step, i.e. the
 * expected squared log return of each step given the variance path and the jump counts (the
 * variance-swap control variate, engine/control_variate.h). */
enum { ALVH_TERM_SPX, ALVH_TERM_VIX, ALVH_TERM_TOKEN, ALVH_TERM_VARIANCE, ALVH_TERM_FUNDING, ALVH_TERM_IV,
       ALVH_TERM_COUNT };
extern const char *const alvh_terminal_names[ALVH_TERM_COUNT];

typedef struct alvh_book_step_info {
    size_t block, first_path, n, step; /* step 0: after the opening trades */
    const double *const *equity;       /* equity[v][i]: total equity of variant v, path first_path + i (USD) */
    const alvh_book_market *market;    /* prices at this step (spx, g are levels) */
    const double *spx_integrated_var;  /* the SPX's integrated variance up to this step (ALVH_TERM_IV) */
    const double *log_lr;              /* each path's log likelihood ratio so far (0 without a tilt) */
} alvh_book_step_info;

typedef struct alvh_book_run_request {
    alvh_market_sim_request market;
    alvh_book_params book;
    const alvh_variant *variants;
    size_t n_variants;
    /* outputs, each may be NULL:
     * outcomes[(v * n_paths + i) * ALVH_OUT_COUNT + k], terminal[i * ALVH_TERM_COUNT + k] */
    double *outcomes;
    double *terminal;
    /* called after every step of every block, from the worker that runs it */
    alvh_status (*on_step)(void *ctx, int worker, const alvh_book_step_info *info);
    /* called once per block when its outcomes are final, from the worker that
     * ran it: out[(v * n + i) * ALVH_OUT_COUNT + k] for the block's n paths
     * (first_path + i), in a worker buffer valid during the call, which the hook
     * may change (the per-path outcomes, if kept, are already written). Lets a
     * caller summarize blocks without a paths-sized outcomes array. */
    alvh_status (*on_block)(void *ctx, int worker, size_t block, size_t first_path, size_t n, double *out);
    void *hook_ctx;
    /* out (may be NULL): wall seconds of building the price tables (0: none built) */
    double *qtab_seconds;
    /* the scenario's price tables (engine/book_tables.h), caller-owned: built
     * by the first run that finds them unbuilt, reused by later runs (the
     * rounds of one scenario); NULL: the run builds and frees its own */
    struct alvh_book_tables *tables;
} alvh_book_run_request;

alvh_status alvh_book_run(const alvh_book_run_request *rq, const alvh_kernel_ops *ops, double *seconds,
                          alvh_error *err);

/* The one-factor variance the book's marks use with two factors: v + (alpha2 /
 * alpha) v2, which gives the same VIX through the one-factor formula alpha v +
 * beta (each factor clamped at 0). */
void alvh_book_effective_var(const alvh_vix_coeffs *x, size_t n, const double *v, const double *v2, double *out);

#endif
