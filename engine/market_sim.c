#include "engine/market_sim.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "engine/block_rng.h"
#include "engine/scheduler.h"

enum { N_STATE = 4, N_EVENTS = 5 };

typedef struct {
    alvh_block_rng *rng;
    double *mem; /* state, previous state, events, normals, uniforms */
    alvh_market_state state, prev;
    alvh_market_events events;
    double *normals, *uniforms;
} worker_buf;

typedef struct {
    const alvh_market_sim_request *rq;
    const alvh_kernel_ops *ops;
    const alvh_market_observer *obs;
    alvh_market_consts consts;
    size_t *inj_first; /* injections sorted by step: [inj_first[t], inj_first[t+1]) act at step t */
    alvh_market_injection *inj_sorted;
    worker_buf *w;
    size_t ld; /* row stride of every per-worker array */
} sim_ctx;

size_t alvh_market_sim_blocks(const alvh_market_sim_request *rq)
{
    return rq->block_size ? (rq->n_paths + rq->block_size - 1) / rq->block_size : 0;
}

static alvh_status notify(alvh_status (*fn)(void *, int, const alvh_market_view *), void *ctx, int worker,
                          const alvh_market_view *view)
{
    return fn ? fn(ctx, worker, view) : ALVH_OK;
}

static alvh_status run_block(void *vctx, size_t b, int worker)
{
    sim_ctx *c = vctx;
    const alvh_market_sim_request *rq = c->rq;
    const alvh_market_params *p = &rq->params;
    size_t bs = rq->block_size, first = b * bs;
    size_t n = rq->n_paths - first < bs ? rq->n_paths - first : bs;
    worker_buf *w = &c->w[worker];
    alvh_block_rng_seed(w->rng, rq->seed, rq->scenario, b, bs, n);

    const double x0 = log(p->spx.s0), g0 = log(p->token.g0_usd);
    const double vix0 = alvh_vix_from_var(&c->consts.vix, p->spx.v0);
    for (size_t i = 0; i < n; i++) {
        w->state.ln_s[i] = x0;
        w->state.v[i] = p->spx.v0;
        w->state.ln_g[i] = g0;
        w->state.f[i] = p->funding.f0_ann;
        w->events.vix[i] = vix0;
        w->events.n_jump[i] = w->events.n_gov_up[i] = w->events.n_gov_dn[i] = w->events.n_hack[i] = 0.0;
    }
    alvh_market_view view = {.block = b, .first_path = first, .n = n, .step = 0, .consts = &c->consts,
                             .state = &w->state, .events = &w->events};
    alvh_status st = notify(c->obs->block_begin, c->obs->ctx, worker, &view);
    for (size_t t = 0; st == ALVH_OK && t < rq->n_steps; t++) {
        size_t i0 = c->inj_first[t], i1 = c->inj_first[t + 1];
        if (i1 > i0)
            for (size_t k = 0; k < N_STATE; k++)
                memcpy((&w->prev.ln_s)[k], (&w->state.ln_s)[k], n * sizeof(double));
        c->ops->normal_fill(&w->rng->lanes, (size_t)c->consts.n_normals, c->ld, w->normals);
        c->ops->uniform_fill(&w->rng->lanes, (size_t)c->consts.n_uniforms, c->ld, w->uniforms);
        c->ops->market_step(&c->consts, n, &w->state, w->normals, w->uniforms, c->ld, &w->events);
        for (size_t k = i0; k < i1; k++)
            alvh_market_inject(&c->consts, &c->inj_sorted[k], n, &w->prev, &w->state, &w->events);
        view.step = t + 1;
        st = notify(c->obs->step, c->obs->ctx, worker, &view);
    }
    if (st == ALVH_OK)
        st = notify(c->obs->block_end, c->obs->ctx, worker, &view);
    return st;
}

static int cmp_injection(const void *a, const void *b)
{
    const alvh_market_injection *x = a, *y = b;
    return (x->step > y->step) - (x->step < y->step);
}

static void free_workers(sim_ctx *c, int nt)
{
    for (int t = 0; c->w && t < nt; t++) {
        alvh_block_rng_free(c->w[t].rng);
        free(c->w[t].mem);
    }
    free(c->w);
}

alvh_status alvh_market_sim_run(const alvh_market_sim_request *rq, const alvh_kernel_ops *ops,
                                const alvh_market_observer *obs, double *seconds, alvh_error *err)
{
    if (rq->n_paths < 1 || rq->n_steps < 1 || rq->block_size < 1)
        return alvh_error_set(err, ALVH_E_CONFIG, "need paths >= 1, steps >= 1 and block size >= 1 (got %zu, %zu, %zu)",
                              rq->n_paths, rq->n_steps, rq->block_size);
    if (!(rq->params.spx.s0 > 0.0))
        return alvh_error_set(err, ALVH_E_CONFIG, "spx.s0 must be > 0 (got %g)", rq->params.spx.s0);
    sim_ctx c = {.rq = rq, .ops = ops, .obs = obs};
    char msg[400];
    if (alvh_market_consts_init(&c.consts, &rq->params, rq->dt_years, msg, sizeof msg) != 0)
        return alvh_error_set(err, ALVH_E_CONFIG, "%s", msg);
    for (size_t k = 0; k < rq->n_injections; k++) {
        if (rq->injections[k].step >= rq->n_steps)
            return alvh_error_set(err, ALVH_E_CONFIG, "injection %zu at step %zu is beyond the horizon (%zu steps)", k,
                                  rq->injections[k].step, rq->n_steps);
        if (alvh_market_injection_check(&c.consts, &rq->injections[k], msg, sizeof msg) != 0)
            return alvh_error_set(err, ALVH_E_CONFIG, "%s", msg);
    }

    int nt = alvh_sched_threads(rq->threads);
    size_t bs = rq->block_size;
    /* rows rounded up to a cache line of doubles so every row starts aligned */
    size_t ld = (bs + 7) & ~(size_t)7;
    c.ld = ld;
    size_t nn = (size_t)c.consts.n_normals, nu = (size_t)c.consts.n_uniforms;
    alvh_status st = ALVH_OK;
    c.inj_first = calloc(rq->n_steps + 1, sizeof *c.inj_first);
    c.inj_sorted = malloc((rq->n_injections ? rq->n_injections : 1) * sizeof *c.inj_sorted);
    c.w = calloc((size_t)nt, sizeof *c.w);
    if (!c.inj_first || !c.inj_sorted || !c.w)
        st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate the scheduler state for %d threads", nt);
    if (st == ALVH_OK) {
        if (rq->n_injections)
            memcpy(c.inj_sorted, rq->injections, rq->n_injections * sizeof *c.inj_sorted);
        /* stable order within a step: insertion sort keeps the config's order */
        for (size_t i = 1; i < rq->n_injections; i++)
            for (size_t j = i; j > 0 && cmp_injection(&c.inj_sorted[j - 1], &c.inj_sorted[j]) > 0; j--) {
                alvh_market_injection tmp = c.inj_sorted[j];
                c.inj_sorted[j] = c.inj_sorted[j - 1];
                c.inj_sorted[j - 1] = tmp;
            }
        size_t k = 0;
        for (size_t t = 0; t <= rq->n_steps; t++) {
            while (k < rq->n_injections && c.inj_sorted[k].step < t)
                k++;
            c.inj_first[t] = k;
        }
    }
    for (int t = 0; st == ALVH_OK && t < nt; t++) {
        worker_buf *w = &c.w[t];
        size_t rows = 2 * N_STATE + N_EVENTS + nn + nu;
        w->rng = alvh_block_rng_create(bs);
        w->mem = aligned_alloc(64, rows * ld * sizeof(double));
        if (!w->rng || !w->mem) {
            st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate worker buffers (block size %zu, %zu rows)", bs, rows);
            break;
        }
        double *m = w->mem;
        w->state = (alvh_market_state){m, m + ld, m + 2 * ld, m + 3 * ld};
        m += N_STATE * ld;
        w->prev = (alvh_market_state){m, m + ld, m + 2 * ld, m + 3 * ld};
        m += N_STATE * ld;
        w->events = (alvh_market_events){m, m + ld, m + 2 * ld, m + 3 * ld, m + 4 * ld};
        m += N_EVENTS * ld;
        w->normals = m;
        w->uniforms = m + nn * ld;
    }
    if (st == ALVH_OK) {
        double t0 = omp_get_wtime();
        st = alvh_sched_run_plan(alvh_market_sim_blocks(rq), nt, run_block, &c, rq->plan);
        if (seconds)
            *seconds = omp_get_wtime() - t0;
        if (st != ALVH_OK && err && err->msg[0] == '\0')
            alvh_error_set(err, st, "market simulation failed in a block observer");
    }
    free_workers(&c, nt);
    free(c.inj_first);
    free(c.inj_sorted);
    return st;
}
