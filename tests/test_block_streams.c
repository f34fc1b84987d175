/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reproducibility contract: the numbers of block b depend only on (seed,
 * scenario, b). Blocks drawn in a shuffled order by several OpenMP threads give
 * exactly the numbers of an in-order single-thread pass, and every path sees
 * the stream of its own index whatever the block size.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/block_rng.h"
#include "engine/scheduler.h"
#include "kernels/isa.h"

enum { BS = 100, NB = 64, ND = 9, NT_MAX = 8 };
#define NPATHS (BS * NB - 37) /* last block partial */

typedef struct {
    const alvh_kernel_ops *ops;
    size_t order[NB];
    alvh_block_rng *rng[NT_MAX];
    double *out; /* NB slots of ND x BS */
} ctx_t;

static size_t block_paths(size_t b) { return b == NB - 1 ? NPATHS - b * BS : BS; }

static alvh_status draw_block(void *vctx, size_t i, int worker)
{
    ctx_t *c = vctx;
    size_t b = c->order[i];
    alvh_block_rng *r = c->rng[worker];
    alvh_block_rng_seed(r, 4242, 3, b, BS, block_paths(b));
    c->ops->normal_fill(&r->lanes, ND, BS, c->out + b * ND * BS);
    return ALVH_OK;
}

static double *run(const alvh_kernel_ops *ops, int threads, int shuffle)
{
    ctx_t c = {.ops = ops};
    c.out = calloc((size_t)NB * ND * BS, sizeof(double));
    for (size_t i = 0; i < NB; i++)
        c.order[i] = i;
    if (shuffle) {
        uint64_t x = 88172645463325252u;
        for (size_t i = NB - 1; i > 0; i--) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            size_t j = x % (i + 1), t = c.order[i];
            c.order[i] = c.order[j];
            c.order[j] = t;
        }
    }
    for (int t = 0; t < NT_MAX; t++)
        c.rng[t] = alvh_block_rng_create(BS);
    assert_int_equal(alvh_sched_run(NB, threads, draw_block, &c), ALVH_OK);
    for (int t = 0; t < NT_MAX; t++)
        alvh_block_rng_free(c.rng[t]);
    return c.out;
}

static void test_shuffled_threads_same_numbers(void **state)
{
    (void)state;
    const alvh_kernel_ops *ops = alvh_kernel_ops_for(alvh_isa_best());
    double *ref = run(ops, 1, 0);
    for (int threads = 2; threads <= 4; threads++) {
        double *got = run(ops, threads, 1);
        assert_memory_equal(ref, got, sizeof(double) * NB * ND * BS);
        free(got);
    }
    free(ref);
}

/* Path p's uniforms are those of alvh_pcg64_for_path(seed, s, p): block size
 * 100 and block size 64 hand the same path the same numbers. */
static void test_path_stream_independent_of_block_size(void **state)
{
    (void)state;
    const alvh_kernel_ops *ops = alvh_kernel_ops_for(alvh_isa_best());
    alvh_block_rng *r = alvh_block_rng_create(BS);
    double a[ND * BS], b[ND * 64];
    alvh_block_rng_seed(r, 4242, 3, 16, 100, 100); /* paths 1600..1699 */
    ops->uniform_fill(&r->lanes, ND, BS, a);
    alvh_block_rng_seed(r, 4242, 3, 25, 64, 64); /* paths 1600..1663 */
    ops->uniform_fill(&r->lanes, ND, 64, b);
    for (size_t d = 0; d < ND; d++)
        for (size_t p = 0; p < 64; p++)
            assert_memory_equal(&a[d * BS + p], &b[d * 64 + p], sizeof(double));
    alvh_block_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shuffled_threads_same_numbers),
        cmocka_unit_test(test_path_stream_independent_of_block_size),
    };
    return cmocka_run_group_tests_name("block_streams", tests, NULL, NULL);
}
