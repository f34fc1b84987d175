/* SPDX-License-Identifier: BSD-3-Clause */
#include "engine/scheduler.h"

#include <omp.h>
#include <stdint.h>
#include <stdlib.h>

int alvh_sched_threads(int requested)
{
    return requested > 0 ? requested : omp_get_max_threads();
}

alvh_status alvh_sched_run(size_t n_blocks, int threads, alvh_block_fn fn, void *ctx)
{
    return alvh_sched_run_plan(n_blocks, threads, fn, ctx, NULL);
}

alvh_status alvh_sched_run_plan(size_t n_blocks, int threads, alvh_block_fn fn, void *ctx,
                                const alvh_sched_plan *plan)
{
    /* the blocks of this call, in increasing order */
    size_t *run_list = NULL, n_run = n_blocks;
    if (plan && (plan->skip || plan->max_blocks)) {
        run_list = malloc((n_blocks ? n_blocks : 1) * sizeof *run_list);
        if (!run_list)
            return ALVH_E_NOMEM;
        n_run = 0;
        for (size_t b = 0; b < n_blocks; b++) {
            if (plan->skip && plan->skip[b])
                continue;
            if (plan->max_blocks && n_run == plan->max_blocks)
                break;
            run_list[n_run++] = b;
        }
    }
    const atomic_int *stop = plan ? plan->stop : NULL;
    unsigned char *done = plan ? plan->done : NULL;
    int nt = alvh_sched_threads(threads);
    size_t first_bad = SIZE_MAX;
    alvh_status bad = ALVH_OK;
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
    for (size_t j = 0; j < n_run; j++) {
        size_t b = run_list ? run_list[j] : j;
        if (stop && atomic_load_explicit(stop, memory_order_relaxed))
            continue;
        alvh_status s = fn(ctx, b, omp_get_thread_num());
        if (s == ALVH_OK && done)
            done[b] = 1;
        if (s != ALVH_OK) {
#pragma omp critical(alvh_sched_error)
            if (b < first_bad) {
                first_bad = b;
                bad = s;
            }
        }
    }
    free(run_list);
    return bad;
}
