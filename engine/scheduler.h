/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Block scheduler: runs fn(ctx, block, worker) for every block in [0, n_blocks)
 * on `threads` OpenMP threads, blocks handed out dynamically. The callback must
 * write its result into a per-block slot; the caller then reduces the slots in
 * block order, which is what makes results independent of the thread count.
 */
#ifndef ALVH_ENGINE_SCHEDULER_H
#define ALVH_ENGINE_SCHEDULER_H

#include <stdatomic.h>
#include <stddef.h>

#include "common/status.h"

typedef alvh_status (*alvh_block_fn)(void *ctx, size_t block, int worker);

/* threads <= 0: OpenMP's default. Returns the first failing block's status
 * (lowest block index), after all blocks have run or been skipped. */
alvh_status alvh_sched_run(size_t n_blocks, int threads, alvh_block_fn fn, void *ctx);

/* Which blocks to run and when to stop, for checkpointed runs (all optional). */
typedef struct alvh_sched_plan {
    const unsigned char *skip; /* skip[b] != 0: block b is already done, not run */
    size_t max_blocks;         /* run at most this many blocks this call (0: no limit), lowest first */
    const atomic_int *stop;  /* set asynchronously (a signal): blocks not yet started are not started */
    unsigned char *done;       /* done[b] = 1 once block b has run successfully */
} alvh_sched_plan;

/* alvh_sched_run restricted by plan (NULL: every block). Blocks that started
 * always finish; the caller sees in plan->done which ones ran. */
alvh_status alvh_sched_run_plan(size_t n_blocks, int threads, alvh_block_fn fn, void *ctx,
                                const alvh_sched_plan *plan);

/* Threads a run will use for a request (<= 0: OpenMP default). */
int alvh_sched_threads(int requested);

#endif
