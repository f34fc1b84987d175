/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RNG throughput: uniforms and normals per second on one core for each ISA the
 * CPU has, and on all threads for the best ISA. The workload is the engine's:
 * a block of 1024 paths, 64 draws per path per call, written structure-of-arrays.
 */
#include "bench/bench_rng.h"

#include <omp.h>
#include <stdlib.h>

#include "bench/timer.h"
#include "engine/block_rng.h"

enum { BLOCK = 1024, DRAWS = 64 };

typedef void (*fill_fn)(alvh_pcg64_lanes *, size_t, size_t, double *restrict);

static fill_fn pick(const alvh_kernel_ops *ops, int normal)
{
    return normal ? ops->normal_fill : ops->uniform_fill;
}

double alvh_bench_rng_core(const alvh_kernel_ops *ops, int normal, double seconds)
{
    alvh_block_rng *r = alvh_block_rng_create(BLOCK);
    double *out = aligned_alloc(64, sizeof(double) * BLOCK * DRAWS);
    if (!r || !out) {
        alvh_block_rng_free(r);
        free(out);
        return 0.0;
    }
    alvh_block_rng_seed(r, 1, 0, 0, BLOCK, BLOCK);
    fill_fn fill = pick(ops, normal);
    fill(&r->lanes, DRAWS, BLOCK, out); /* warm up */
    double best = 0.0;
    for (int trial = 0; trial < 3; trial++) {
        double t0 = alvh_bench_now(), t;
        size_t calls = 0;
        do {
            fill(&r->lanes, DRAWS, BLOCK, out);
            calls++;
            t = alvh_bench_now() - t0;
        } while (t < seconds / 3);
        double rate = (double)calls * BLOCK * DRAWS / t;
        best = rate > best ? rate : best;
    }
    alvh_block_rng_free(r);
    free(out);
    return best;
}

double alvh_bench_rng_all(const alvh_kernel_ops *ops, int normal, int threads, double seconds,
                          double core_rate)
{
    fill_fn fill = pick(ops, normal);
    /* a fixed amount of work per thread, sized from the one-core rate */
    size_t calls = (size_t)(core_rate * seconds / 3 / (BLOCK * DRAWS)) + 1;
    double t0 = 0.0, t1 = 0.0, best = 0.0;
    int failed = 0;
#pragma omp parallel num_threads(threads) reduction(| : failed)
    {
        alvh_block_rng *r = alvh_block_rng_create(BLOCK);
        double *out = aligned_alloc(64, sizeof(double) * BLOCK * DRAWS);
        if (!r || !out) {
            failed = 1;
        } else {
            alvh_block_rng_seed(r, 1, 0, (uint64_t)omp_get_thread_num(), BLOCK, BLOCK);
            fill(&r->lanes, DRAWS, BLOCK, out);
        }
        /* best of 3 trials, like the one-core figure: a shared VM has noisy neighbours */
        for (int trial = 0; trial < 3; trial++) {
#pragma omp barrier
#pragma omp master
            t0 = alvh_bench_now();
            if (!failed)
                for (size_t i = 0; i < calls; i++)
                    fill(&r->lanes, DRAWS, BLOCK, out);
#pragma omp barrier
#pragma omp master
            {
                t1 = alvh_bench_now();
                double rate = (double)calls * threads * BLOCK * DRAWS / (t1 - t0);
                best = rate > best ? rate : best;
            }
        }
        alvh_block_rng_free(r);
        free(out);
    }
    return failed ? 0.0 : best;
}
