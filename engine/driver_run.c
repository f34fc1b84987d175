/* SPDX-License-Identifier: BSD-3-Clause */
#include "engine/driver_run.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "engine/block_rng.h"
#include "engine/scheduler.h"

typedef struct {
    double s1, s2, s3, s4, min, max;
    size_t n, nonfinite, b3, b4;
} block_sums;

typedef struct {
    const alvh_driver_params *p;
    const alvh_kernel_ops *ops;
    block_sums *sums;        /* one slot per block */
    alvh_block_rng **rng;    /* one per worker */
    double **buf;            /* one per worker: n_drivers x block_size */
} run_ctx;

static alvh_status run_block(void *vctx, size_t b, int worker)
{
    run_ctx *c = vctx;
    const alvh_driver_params *p = c->p;
    size_t first = b * p->block_size;
    size_t n = p->n_paths - first < p->block_size ? p->n_paths - first : p->block_size;
    alvh_block_rng *rng = c->rng[worker];
    double *z = c->buf[worker];
    alvh_block_rng_seed(rng, p->seed, p->scenario, b, p->block_size, n);
    block_sums s = {.min = INFINITY, .max = -INFINITY};
    for (size_t t = 0; t < p->n_steps; t++) {
        c->ops->normal_fill(&rng->lanes, p->n_drivers, p->block_size, z);
        for (size_t d = 0; d < p->n_drivers; d++) {
            const double *row = z + d * p->block_size;
            for (size_t i = 0; i < n; i++) {
                double x = row[i];
                if (!isfinite(x)) {
                    s.nonfinite++;
                    continue;
                }
                double x2 = x * x;
                s.s1 += x;
                s.s2 += x2;
                s.s3 += x2 * x;
                s.s4 += x2 * x2;
                s.min = x < s.min ? x : s.min;
                s.max = x > s.max ? x : s.max;
                s.b3 += fabs(x) > 3.0;
                s.b4 += fabs(x) > 4.0;
                s.n++;
            }
        }
    }
    c->sums[b] = s;
    return ALVH_OK;
}

static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * UINT64_C(0x100000001B3);
    return h;
}

alvh_status alvh_driver_run(const alvh_driver_params *p, const alvh_kernel_ops *ops,
                            alvh_driver_result *res, alvh_error *err)
{
    if (p->n_paths == 0 || p->n_steps == 0 || p->n_drivers == 0 || p->block_size == 0)
        return alvh_error_set(err, ALVH_E_CONFIG, "paths, steps, drivers and block size must be positive");
    size_t n_blocks = (p->n_paths + p->block_size - 1) / p->block_size;
    int nt = alvh_sched_threads(p->threads);
    run_ctx c = {.p = p, .ops = ops};
    c.sums = calloc(n_blocks, sizeof *c.sums);
    c.rng = calloc((size_t)nt, sizeof *c.rng);
    c.buf = calloc((size_t)nt, sizeof *c.buf);
    alvh_status st = ALVH_OK;
    if (!c.sums || !c.rng || !c.buf)
        st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate %zu block slots", n_blocks);
    for (int t = 0; st == ALVH_OK && t < nt; t++) {
        c.rng[t] = alvh_block_rng_create(p->block_size);
        c.buf[t] = malloc(sizeof(double) * p->n_drivers * p->block_size);
        if (!c.rng[t] || !c.buf[t])
            st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate buffers for block size %zu",
                                p->block_size);
    }
    if (st == ALVH_OK) {
        double t0 = omp_get_wtime();
        st = alvh_sched_run(n_blocks, nt, run_block, &c);
        double t1 = omp_get_wtime();
        if (st != ALVH_OK)
            alvh_error_set(err, st, "driver run failed");
        /* ordered reduction: block 0, 1, 2, ... whatever thread ran them */
        block_sums tot = {.min = INFINITY, .max = -INFINITY};
        uint64_t h = UINT64_C(0xCBF29CE484222325);
        for (size_t b = 0; b < n_blocks; b++) {
            const block_sums *s = &c.sums[b];
            tot.s1 += s->s1;
            tot.s2 += s->s2;
            tot.s3 += s->s3;
            tot.s4 += s->s4;
            tot.n += s->n;
            tot.nonfinite += s->nonfinite;
            tot.b3 += s->b3;
            tot.b4 += s->b4;
            tot.min = s->min < tot.min ? s->min : tot.min;
            tot.max = s->max > tot.max ? s->max : tot.max;
            h = fnv1a(h, s, sizeof *s);
        }
        memset(res, 0, sizeof *res);
        double n = (double)tot.n, mean = tot.s1 / n;
        double m2 = tot.s2 / n - mean * mean;
        double m3 = tot.s3 / n - 3 * mean * tot.s2 / n + 2 * mean * mean * mean;
        double m4 = tot.s4 / n - 4 * mean * tot.s3 / n + 6 * mean * mean * tot.s2 / n - 3 * pow(mean, 4);
        res->n_draws = tot.n;
        res->n_blocks = n_blocks;
        res->n_nonfinite = tot.nonfinite;
        res->mean = mean;
        res->variance = m2;
        res->skewness = m3 / pow(m2, 1.5);
        res->excess_kurtosis = m4 / (m2 * m2) - 3.0;
        res->min = tot.min;
        res->max = tot.max;
        res->beyond_3 = tot.b3;
        res->beyond_4 = tot.b4;
        res->digest = h;
        res->seconds = t1 - t0;
        res->threads = nt;
    }
    for (int t = 0; c.rng && c.buf && t < nt; t++) {
        alvh_block_rng_free(c.rng[t]);
        free(c.buf[t]);
    }
    free(c.rng);
    free(c.buf);
    free(c.sums);
    return st;
}
