#include "engine/scheduler.h"

#include <omp.h>
#include <stdint.h>

int alvh_sched_threads(int requested)
{
    return requested > 0 ? requested : omp_get_max_threads();
}

alvh_status alvh_sched_run(size_t n_blocks, int threads, alvh_block_fn fn, void *ctx)
{
    int nt = alvh_sched_threads(threads);
    size_t first_bad = SIZE_MAX;
    alvh_status bad = ALVH_OK;
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
    for (size_t b = 0; b < n_blocks; b++) {
        alvh_status s = fn(ctx, b, omp_get_thread_num());
        if (s != ALVH_OK) {
#pragma omp critical(alvh_sched_error)
            if (b < first_bad) {
                first_bad = b;
                bad = s;
            }
        }
    }
    return bad;
}
