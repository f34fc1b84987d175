/* SPDX-License-Identifier: BSD-3-Clause */
#include "engine/spx_mc.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "engine/block_rng.h"
#include "engine/scheduler.h"

/* per-block sums: for each strike call sum, call sum sq, put sum, put sum sq;
 * then spot sum, spot sum sq, jumps, v_T, finite count, non-finite count */
enum { EXTRA = 6 };

typedef struct {
    alvh_block_rng *rng;
    double *ln_s, *v, *jumps, *normals, *uniforms;
} worker_buf;

typedef struct {
    const alvh_spx_mc_request *rq;
    const alvh_kernel_ops *ops;
    alvh_spx_consts consts;
    size_t n_norm, n_unif, stride;
    double *sums; /* n_blocks x stride */
    worker_buf *w;
} mc_ctx;

static alvh_status run_block(void *vctx, size_t b, int worker)
{
    mc_ctx *c = vctx;
    const alvh_spx_mc_request *rq = c->rq;
    size_t bs = rq->block_size, first = b * bs;
    size_t n = rq->n_paths - first < bs ? rq->n_paths - first : bs;
    worker_buf *w = &c->w[worker];
    alvh_block_rng_seed(w->rng, rq->seed, rq->scenario, b, bs, n);
    double x0 = log(rq->model.s0);
    for (size_t i = 0; i < n; i++) {
        w->ln_s[i] = x0;
        w->v[i] = rq->model.v0;
        w->jumps[i] = 0.0;
    }
    alvh_spx_draws d = {
        .z_s = w->normals, .z_v = w->normals + bs, .z_j = w->normals + 2 * bs,
        .u_v = w->uniforms, .u_n = w->uniforms + bs, .u_jv1 = w->uniforms + 2 * bs, .u_jv2 = w->uniforms + 3 * bs,
    };
    for (size_t t = 0; t < rq->n_steps; t++) {
        c->ops->normal_fill(&w->rng->lanes, c->n_norm, bs, w->normals);
        c->ops->uniform_fill(&w->rng->lanes, c->n_unif, bs, w->uniforms);
        c->ops->spx_step(&c->consts, n, w->ln_s, w->v, &d, w->jumps);
    }
    double *s = c->sums + b * c->stride;
    memset(s, 0, c->stride * sizeof *s);
    double disc = exp(-rq->model.r_ann * rq->t_years);
    double *tail = s + 4 * rq->n_strikes;
    for (size_t i = 0; i < n; i++) {
        double st = exp(w->ln_s[i]);
        if (!isfinite(st) || !isfinite(w->v[i])) {
            tail[5] += 1.0;
            continue;
        }
        for (size_t k = 0; k < rq->n_strikes; k++) {
            double call = disc * fmax(st - rq->strikes[k], 0.0), put = disc * fmax(rq->strikes[k] - st, 0.0);
            s[4 * k] += call;
            s[4 * k + 1] += call * call;
            s[4 * k + 2] += put;
            s[4 * k + 3] += put * put;
        }
        tail[0] += disc * st;
        tail[1] += disc * st * disc * st;
        tail[2] += w->jumps[i];
        tail[3] += w->v[i];
        tail[4] += 1.0;
    }
    return ALVH_OK;
}

static void mean_se(double sum, double sumsq, double n, double *mean, double *se)
{
    *mean = sum / n;
    double var = (sumsq - sum * sum / n) / (n - 1.0);
    *se = sqrt(fmax(var, 0.0) / n);
}

alvh_status alvh_spx_mc_european(const alvh_spx_mc_request *rq, const alvh_kernel_ops *ops,
                                 alvh_spx_mc_result *res, alvh_error *err)
{
    if (rq->n_paths < 2 || rq->n_steps == 0 || rq->block_size == 0 || !(rq->t_years > 0.0) || !(rq->model.s0 > 0.0))
        return alvh_error_set(err, ALVH_E_CONFIG, "need paths >= 2, steps >= 1, block size >= 1, T > 0, S0 > 0");
    mc_ctx c = {.rq = rq, .ops = ops};
    if (alvh_spx_consts_init(&c.consts, &rq->model, rq->t_years / (double)rq->n_steps) != 0)
        return alvh_error_set(err, ALVH_E_CONFIG,
                              "SPX model parameters out of range for dt = %g (kappa %g, theta %g, xi %g, rho %g, lambda %g)",
                              rq->t_years / (double)rq->n_steps, rq->model.kappa, rq->model.theta, rq->model.xi,
                              rq->model.rho, rq->model.lambda_ann);
    c.n_norm = alvh_spx_normals_per_step(&c.consts);
    c.n_unif = alvh_spx_uniforms_per_step(&c.consts);
    c.stride = 4 * rq->n_strikes + EXTRA;
    size_t n_blocks = (rq->n_paths + rq->block_size - 1) / rq->block_size;
    int nt = alvh_sched_threads(rq->threads);
    size_t bs = rq->block_size;
    c.sums = calloc(n_blocks * c.stride, sizeof(double));
    c.w = calloc((size_t)nt, sizeof *c.w);
    alvh_status st = ALVH_OK;
    if (!c.sums || !c.w)
        st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate %zu block sums", n_blocks);
    for (int t = 0; st == ALVH_OK && t < nt; t++) {
        worker_buf *w = &c.w[t];
        w->rng = alvh_block_rng_create(bs);
        w->ln_s = malloc(bs * sizeof(double));
        w->v = malloc(bs * sizeof(double));
        w->jumps = malloc(bs * sizeof(double));
        w->normals = malloc(4 * bs * sizeof(double));
        w->uniforms = malloc(4 * bs * sizeof(double));
        if (!w->rng || !w->ln_s || !w->v || !w->jumps || !w->normals || !w->uniforms)
            st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate buffers for block size %zu", bs);
    }
    if (st == ALVH_OK) {
        double t0 = omp_get_wtime();
        st = alvh_sched_run(n_blocks, nt, run_block, &c);
        res->seconds = omp_get_wtime() - t0;
    }
    if (st == ALVH_OK) {
        /* ordered reduction */
        double *tot = calloc(c.stride, sizeof(double));
        if (!tot) {
            st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate reduction");
        } else {
            for (size_t b = 0; b < n_blocks; b++)
                for (size_t j = 0; j < c.stride; j++)
                    tot[j] += c.sums[b * c.stride + j];
            const double *tail = tot + 4 * rq->n_strikes;
            double n = tail[4];
            for (size_t k = 0; k < rq->n_strikes; k++) {
                mean_se(tot[4 * k], tot[4 * k + 1], n, &res->call[k], &res->call_se[k]);
                mean_se(tot[4 * k + 2], tot[4 * k + 3], n, &res->put[k], &res->put_se[k]);
            }
            mean_se(tail[0], tail[1], n, &res->disc_spot, &res->disc_spot_se);
            res->mean_jumps = tail[2] / n;
            res->mean_v_t = tail[3] / n;
            res->n_nonfinite = (size_t)tail[5];
            free(tot);
        }
    }
    for (int t = 0; c.w && t < nt; t++) {
        worker_buf *w = &c.w[t];
        alvh_block_rng_free(w->rng);
        free(w->ln_s);
        free(w->v);
        free(w->jumps);
        free(w->normals);
        free(w->uniforms);
    }
    free(c.w);
    free(c.sums);
    return st;
}
