/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Full-market simulation of one scenario: blocks of paths on OpenMP threads,
 * each block stepping SPX, variance, VIX, token, funding and events through the
 * dispatched market kernel, with the scenario's stress injections applied at
 * their steps. What happens to the paths is the observer's business (the hedge
 * book, a test, a benchmark): it sees every step of every block and keeps its
 * own per-block results, which it reduces in block order afterwards. Memory is
 * per worker (block size x state, a tile of 256 paths x draws), never paths x
 * steps. Each path draws from its main stream every step and from its event
 * stream only on steps with an event (draw layout: kernels/market_model.c), so
 * its numbers depend on (seed, scenario, path) alone.
 */
#ifndef ALVH_ENGINE_MARKET_SIM_H
#define ALVH_ENGINE_MARKET_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "engine/scheduler.h"
#include "common/status.h"
#include "kernels/isa.h"
#include "kernels/market_model.h"
#include "kernels/treasury.h"

typedef struct alvh_market_view {
    size_t block, first_path, n; /* paths [first_path, first_path + n) */
    size_t step;                 /* steps done: 0 at block_begin, k after step k */
    const alvh_market_consts *consts;
    const alvh_market_state *state;   /* after the step */
    const alvh_market_events *events; /* the step's VIX and event counts (at step 0: VIX0, zero counts) */
    const double *log_lr;             /* each path's log likelihood ratio of its drawn events so far (0 untilted) */
    const alvh_treasury_state *treasury; /* the protocol's treasury after the step (NULL: no treasury) */
} alvh_market_view;

typedef struct alvh_market_observer {
    void *ctx;
    /* each callback may be NULL; worker is in [0, threads) and owns its buffers */
    alvh_status (*block_begin)(void *ctx, int worker, const alvh_market_view *view);
    alvh_status (*step)(void *ctx, int worker, const alvh_market_view *view);
    alvh_status (*block_end)(void *ctx, int worker, const alvh_market_view *view);
} alvh_market_observer;

typedef struct alvh_market_sim_request {
    alvh_market_params params;
    double dt_years;
    size_t n_steps, n_paths, block_size;
    uint64_t seed;
    uint32_t scenario; /* index of the scenario in the run: selects the random streams */
    int threads;       /* <= 0: OpenMP default */
    int antithetic;    /* 1: path 2k + 1 draws path 2k's numbers with every normal negated (even block_size) */
    const alvh_market_injection *injections;
    size_t n_injections;
    const alvh_sched_plan *plan; /* NULL: every block; else a subset (checkpointed runs) */
} alvh_market_sim_request;

/* Validates the request (model, injections, sizes), then runs every block.
 * seconds (may be NULL) receives the wall time of the simulation. */
alvh_status alvh_market_sim_run(const alvh_market_sim_request *rq, const alvh_kernel_ops *ops,
                                const alvh_market_observer *obs, double *seconds, alvh_error *err);

/* Number of blocks of a request. */
size_t alvh_market_sim_blocks(const alvh_market_sim_request *rq);

#endif
