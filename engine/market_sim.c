/* SPDX-License-Identifier: BSD-3-Clause */
#include "engine/market_sim.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "engine/block_rng.h"
#include "engine/phase_clock.h"
#include "engine/row_stride.h"
#include "engine/scheduler.h"
#include "kernels/treasury.h"

enum { N_STATE = 6, N_EVENTS = 5 }; /* state: ln S, v, ln G, f, v2, ln E */

/* Paths per tile: a step draws and moves a block one tile at a time, so the
 * tile's draws (written by the fills, read once by the step) stay in L1. Any
 * value gives the same numbers: every path has its own streams. */
enum { TILE = 256 };

typedef struct {
    alvh_block_rng *rng;     /* main streams of the block's paths */
    alvh_block_rng *ev_rng;  /* their event streams */
    alvh_block_rng *pick;    /* event streams of one tile's eventful lanes, packed */
    uint32_t *idx;           /* those lanes' indices in the tile */
    double *mem;             /* state, previous state, events */
    double *draws;           /* one tile: normals, uniforms, packed event draws */
    alvh_market_state state, prev;
    alvh_market_events events;
    double *log_lr; /* each path's log likelihood ratio so far (importance sampling) */
    /* the token-drift tilt (only when on): the events' log likelihood ratio, the
     * drawn W~ of the token's own Brownian motion, each path's z_G shift, its
     * component uniform, and that uniform's stream (main jumped twice) */
    double *lr_ev, *w_g, *drift_shift, *drift_u;
    /* the variance-drift tilt (only when on): sum_k a_k z_v of each path, its component flag */
    double *w_v, *vflag;
    alvh_block_rng *mix_rng;
    double *normals, *uniforms, *packed;
    /* the treasury (only when on): its streams (main jumped three times), state, the step's uniforms */
    alvh_block_rng *tr_rng, *tr_tmp;
    double *tr_mem, *tr_u;
    alvh_treasury_state tr;
} worker_buf;

typedef struct {
    const alvh_market_sim_request *rq;
    const alvh_kernel_ops *ops;
    const alvh_market_observer *obs;
    alvh_market_consts consts;
    alvh_treasury_consts treasury;
    size_t *inj_first; /* injections sorted by step: [inj_first[t], inj_first[t+1]) act at step t */
    alvh_market_injection *inj_sorted;
    worker_buf *w;
    size_t ld;  /* row stride of every per-worker block array */
    size_t ldt; /* row stride of the tile's draws */
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

/* Event rows of the tile's lanes that have an event this step, drawn from
 * their event streams: the streams are packed, filled by the ISA's fill
 * kernels, unpacked, and the draws scattered into the event rows. Lanes
 * without an event consume nothing from their event stream. */
static void draw_events(const sim_ctx *c, worker_buf *w, size_t t0, size_t nt)
{
    const alvh_market_consts *mc = &c->consts;
    size_t ldt = c->ldt;
    size_t k = alvh_market_event_lanes(mc, nt, w->uniforms, ldt, w->idx);
    if (k == 0)
        return;
    size_t nn0 = (size_t)mc->n_normals_dense, nn = (size_t)mc->n_normals - nn0;
    size_t nu0 = (size_t)mc->n_uniforms_dense, nu = (size_t)mc->n_uniforms - nu0;
    alvh_pcg64_lanes *ev = &w->ev_rng->lanes, *pk = &w->pick->lanes;
    const uint32_t *idx = w->idx;
    for (size_t j = 0; j < k; j++) {
        size_t i = t0 + idx[j];
        pk->state_hi[j] = ev->state_hi[i];
        pk->state_lo[j] = ev->state_lo[i];
        pk->inc_hi[j] = ev->inc_hi[i];
        pk->inc_lo[j] = ev->inc_lo[i];
    }
    pk->n = k;
    if (nn)
        c->ops->normal_fill(pk, nn, ldt, w->packed);
    if (nu)
        c->ops->uniform_fill(pk, nu, ldt, w->packed + nn * ldt);
    for (size_t j = 0; j < k; j++) {
        size_t i = t0 + idx[j];
        ev->state_hi[i] = pk->state_hi[j];
        ev->state_lo[i] = pk->state_lo[j];
    }
    /* antithetic: an odd lane (tiles start at even paths) negates its partner's jump and shock normals */
    const double odd_sign = c->rq->antithetic ? -1.0 : 1.0;
    for (size_t r = 0; r < nn; r++)
        for (size_t j = 0; j < k; j++) {
            const double z = w->packed[r * ldt + j];
            w->normals[(nn0 + r) * ldt + idx[j]] = idx[j] & 1 ? odd_sign * z : z;
        }
    for (size_t r = 0; r < nu; r++)
        for (size_t j = 0; j < k; j++)
            w->uniforms[(nu0 + r) * ldt + idx[j]] = w->packed[(nn + r) * ldt + j];
}

/* One step of paths [t0, t0 + nt) of the block. */
static void step_tile(const sim_ctx *c, worker_buf *w, size_t t0, size_t nt, double drift_sign, double vshift,
                      double vtoken)
{
    const alvh_market_consts *mc = &c->consts;
    alvh_pcg64_lanes main = w->rng->lanes;
    main.state_hi += t0, main.state_lo += t0, main.inc_hi += t0, main.inc_lo += t0;
    main.n = nt;
    c->ops->normal_fill(&main, (size_t)mc->n_normals_dense, c->ldt, w->normals);
    if (c->rq->antithetic) /* the odd lane of each pair: its partner's diffusion normals, negated */
        for (size_t r = 0; r < (size_t)mc->n_normals_dense; r++)
            for (size_t i = 1; i < nt; i += 2)
                w->normals[r * c->ldt + i] = -w->normals[r * c->ldt + i];
    if (mc->n_uniforms_dense)
        c->ops->uniform_fill(&main, (size_t)mc->n_uniforms_dense, c->ldt, w->uniforms);
    double *z_g = w->normals + (size_t)mc->r_zg * c->ldt;
    /* after the antithetic sign: a pair shares its component and its shift;
     * every shift of z_G before either drift reads it */
    if (vtoken != 0.0)
        alvh_market_vdrift_shift_row(nt, vtoken, w->vflag + t0, z_g);
    if (mc->has_drift)
        alvh_market_drift_step(mc, nt, drift_sign, w->drift_shift + t0, z_g, w->w_g + t0);
    if (mc->has_vdrift)
        alvh_market_vdrift_step(nt, vshift, w->vflag + t0, w->normals + (size_t)mc->r_zv * c->ldt, w->w_v + t0);
    if (vtoken != 0.0)
        alvh_market_vdrift_accumulate(nt, vtoken, z_g, w->w_v + t0);
    draw_events(c, w, t0, nt);
    const alvh_market_state *s = &w->state;
    const alvh_market_events *e = &w->events;
    alvh_market_state st = {s->ln_s + t0, s->v + t0, s->ln_g + t0, s->f + t0, s->v2 + t0, s->ln_e + t0};
    alvh_market_events ev = {e->vix + t0, e->n_jump + t0, e->n_gov_up + t0, e->n_gov_dn + t0, e->n_hack + t0};
    c->ops->market_step(mc, nt, &st, w->normals, w->uniforms, c->ldt, &ev);
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
    if (rq->antithetic) /* every stream below derives from the main one: the pair shares them all */
        alvh_block_rng_pair(w->rng);
    alvh_market_event_streams(&w->rng->lanes, &w->ev_rng->lanes);
    const alvh_treasury_consts *tc = &c->treasury;
    if (tc->on) {
        alvh_market_event_streams(&w->ev_rng->lanes, &w->tr_tmp->lanes);
        alvh_market_event_streams(&w->tr_tmp->lanes, &w->tr_rng->lanes);
        alvh_treasury_init(tc, n, &w->tr, p->token.g0_usd);
    }
    const int drift = c->consts.has_drift, vdrift = c->consts.has_vdrift, mix = c->consts.has_mix;
    if (mix) { /* one uniform per path from its main stream jumped twice (drawn nowhere else) */
        alvh_market_event_streams(&w->ev_rng->lanes, &w->mix_rng->lanes);
        alvh_market_event_streams(&w->mix_rng->lanes, &w->mix_rng->lanes);
        c->ops->uniform_fill(&w->mix_rng->lanes, 1, c->ld, w->drift_u);
        if (drift)
            alvh_market_drift_pick(&c->consts, n, w->drift_u, w->drift_shift);
        if (vdrift)
            alvh_market_vdrift_pick(&c->consts, n, w->drift_u, w->vflag);
    }

    const double x0 = log(p->spx.s0), g0 = log(p->token.g0_usd), e0 = log(p->eth.e0_usd);
    const double v2_0 = isnan(p->spx.v2_0) ? p->spx.theta2 : p->spx.v2_0;
    const double vix0 = alvh_vix_from_var(&c->consts.vix, p->spx.v0);
    for (size_t i = 0; i < n; i++) {
        w->state.ln_s[i] = x0;
        w->state.v[i] = p->spx.v0;
        w->state.ln_g[i] = g0;
        w->state.f[i] = p->funding.f0_ann;
        w->state.v2[i] = c->consts.two_factor ? v2_0 : 0.0;
        w->state.ln_e[i] = c->consts.has_eth ? e0 : 0.0;
        w->events.vix[i] = vix0;
        w->events.n_jump[i] = w->events.n_gov_up[i] = w->events.n_gov_dn[i] = w->events.n_hack[i] = 0.0;
        w->log_lr[i] = w->lr_ev[i] = w->w_g[i] = w->w_v[i] = 0.0;
    }
    alvh_market_view view = {.block = b, .first_path = first, .n = n, .step = 0, .consts = &c->consts,
                             .state = &w->state, .events = &w->events, .log_lr = w->log_lr,
                             .treasury = tc->on ? &w->tr : NULL};
    alvh_status st = notify(c->obs->block_begin, c->obs->ctx, worker, &view);
    double market_s = 0.0; /* this block's kernel time (engine/phase_clock.h) */
    double comp_v = 0.0;   /* sum_k (a_k^2 + b_k^2) / 2 of the variance component so far */
    for (size_t t = 0; st == ALVH_OK && t < rq->n_steps; t++) {
        double t0s = alvh_phase_now();
        size_t i0 = c->inj_first[t], i1 = c->inj_first[t + 1];
        if (i1 > i0)
            for (size_t k = 0; k < N_STATE; k++)
                memcpy((&w->prev.ln_s)[k], (&w->state.ln_s)[k], n * sizeof(double));
        const double sign = drift ? alvh_market_drift_sign(&c->consts, (double)(t + 1) * rq->dt_years) : 1.0;
        const double vshift = vdrift ? alvh_market_vdrift_shift(&c->consts, t, rq->n_steps) : 0.0;
        const double vtoken = vdrift ? alvh_market_vdrift_token_shift(&c->consts, t, rq->n_steps) : 0.0;
        for (size_t t0 = 0; t0 < n; t0 += TILE)
            step_tile(c, w, t0, n - t0 < TILE ? n - t0 : TILE, sign, vshift, vtoken);
        comp_v += 0.5 * vshift * vshift;
        if (vtoken != 0.0)
            comp_v += 0.5 * vtoken * vtoken;
        alvh_market_lr_step(&c->consts, n, &w->events, mix ? w->lr_ev : w->log_lr);
        if (vdrift)
            alvh_market_mix_lr(&c->consts, n, (double)(t + 1) * rq->dt_years, comp_v, w->w_g, w->w_v, w->lr_ev,
                               w->log_lr);
        else if (drift)
            alvh_market_drift_lr(&c->consts, n, (double)(t + 1) * rq->dt_years, w->w_g, w->lr_ev, w->log_lr);
        for (size_t k = i0; k < i1; k++)
            alvh_market_inject(&c->consts, &c->inj_sorted[k], n, &w->prev, &w->state, &w->events);
        if (tc->on) { /* after the step's own and injected events; not in the likelihood ratio (untilted) */
            c->ops->uniform_fill(&w->tr_rng->lanes, ALVH_TREASURY_UNIFORMS, c->ld, w->tr_u);
            alvh_treasury_step(tc, n, &w->tr, w->tr_u, w->tr_u + c->ld, w->state.ln_g, w->events.n_gov_dn);
        }
        market_s += alvh_phase_now() - t0s;
        view.step = t + 1;
        st = notify(c->obs->step, c->obs->ctx, worker, &view);
    }
    alvh_phase_add(ALVH_PHASE_MARKET, market_s);
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
        alvh_block_rng_free(c->w[t].ev_rng);
        alvh_block_rng_free(c->w[t].pick);
        free(c->w[t].idx);
        free(c->w[t].mem);
        free(c->w[t].draws);
        alvh_block_rng_free(c->w[t].tr_rng);
        alvh_block_rng_free(c->w[t].tr_tmp);
        alvh_block_rng_free(c->w[t].mix_rng);
        free(c->w[t].tr_mem);
    }
    free(c->w);
}

alvh_status alvh_market_sim_run(const alvh_market_sim_request *rq, const alvh_kernel_ops *ops,
                                const alvh_market_observer *obs, double *seconds, alvh_error *err)
{
    if (rq->n_paths < 1 || rq->n_steps < 1 || rq->block_size < 1)
        return alvh_error_set(err, ALVH_E_CONFIG, "need paths >= 1, steps >= 1 and block size >= 1 (got %zu, %zu, %zu)",
                              rq->n_paths, rq->n_steps, rq->block_size);
    if (rq->antithetic && (rq->n_paths % 2 || rq->block_size % 2))
        return alvh_error_set(err, ALVH_E_CONFIG, "antithetic pairs need an even number of paths and block size (got "
                              "%zu, %zu)", rq->n_paths, rq->block_size);
    if (!(rq->params.spx.s0 > 0.0))
        return alvh_error_set(err, ALVH_E_CONFIG, "spx.s0 must be > 0 (got %g)", rq->params.spx.s0);
    sim_ctx c = {.rq = rq, .ops = ops, .obs = obs};
    char msg[400];
    if (alvh_market_consts_init(&c.consts, &rq->params, rq->dt_years, msg, sizeof msg) != 0)
        return alvh_error_set(err, ALVH_E_CONFIG, "%s", msg);
    alvh_treasury_consts_init(&c.treasury, &rq->params, rq->dt_years);
    for (size_t k = 0; k < rq->n_injections; k++) {
        if (rq->injections[k].step >= rq->n_steps)
            return alvh_error_set(err, ALVH_E_CONFIG, "injection %zu at step %zu is beyond the horizon (%zu steps)", k,
                                  rq->injections[k].step, rq->n_steps);
        if (alvh_market_injection_check(&c.consts, &rq->injections[k], msg, sizeof msg) != 0)
            return alvh_error_set(err, ALVH_E_CONFIG, "%s", msg);
    }

    int nt = alvh_sched_threads(rq->threads);
    size_t bs = rq->block_size, tile = bs < TILE ? bs : TILE;
    /* rows of whole cache lines, an odd count of them (engine/row_stride.h) */
    size_t ld = alvh_row_stride(bs), ldt = alvh_row_stride(tile);
    c.ld = ld;
    c.ldt = ldt;
    size_t nn = (size_t)c.consts.n_normals, nu = (size_t)c.consts.n_uniforms;
    size_t n_packed = nn + nu - (size_t)c.consts.n_normals_dense - (size_t)c.consts.n_uniforms_dense;
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
        size_t rows = 2 * N_STATE + N_EVENTS + 7, draw_rows = nn + nu + n_packed;
        w->rng = alvh_block_rng_create(bs);
        w->ev_rng = alvh_block_rng_create(bs);
        w->pick = alvh_block_rng_create(tile);
        w->idx = malloc(tile * sizeof *w->idx);
        w->mem = aligned_alloc(64, rows * ld * sizeof(double));
        w->draws = aligned_alloc(64, draw_rows * ldt * sizeof(double));
        if (!w->rng || !w->ev_rng || !w->pick || !w->idx || !w->mem || !w->draws) {
            st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate worker buffers (block size %zu, %zu rows)", bs,
                                rows + draw_rows);
            break;
        }
        /* event rows are written only where an event happens and read nowhere
         * else; zeroed once so the rest is never uninitialized memory */
        memset(w->draws, 0, draw_rows * ldt * sizeof(double));
        double *m = w->mem;
        w->state = (alvh_market_state){m, m + ld, m + 2 * ld, m + 3 * ld, m + 4 * ld, m + 5 * ld};
        m += N_STATE * ld;
        w->prev = (alvh_market_state){m, m + ld, m + 2 * ld, m + 3 * ld, m + 4 * ld, m + 5 * ld};
        m += N_STATE * ld;
        w->events = (alvh_market_events){m, m + ld, m + 2 * ld, m + 3 * ld, m + 4 * ld};
        w->log_lr = m + N_EVENTS * ld;
        w->lr_ev = w->log_lr + ld, w->w_g = w->lr_ev + ld, w->drift_shift = w->w_g + ld, w->drift_u = w->drift_shift + ld;
        w->w_v = w->drift_u + ld, w->vflag = w->w_v + ld;
        if (c.consts.has_mix && !(w->mix_rng = alvh_block_rng_create(bs))) {
            st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate the drift tilt's streams (block size %zu)", bs);
            break;
        }
        w->normals = w->draws;
        w->uniforms = w->normals + nn * ldt;
        w->packed = w->uniforms + nu * ldt;
        if (c.treasury.on) {
            size_t tr_rows = ALVH_TREASURY_ROWS + ALVH_TREASURY_UNIFORMS;
            w->tr_rng = alvh_block_rng_create(bs);
            w->tr_tmp = alvh_block_rng_create(bs);
            w->tr_mem = aligned_alloc(64, tr_rows * ld * sizeof(double));
            if (!w->tr_rng || !w->tr_tmp || !w->tr_mem) {
                st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate the treasury state (block size %zu)", bs);
                break;
            }
            double *q = w->tr_mem;
            w->tr = (alvh_treasury_state){q, q + ld, q + 2 * ld, q + 3 * ld, q + 4 * ld, q + 5 * ld};
            w->tr_u = q + ALVH_TREASURY_ROWS * ld;
        }
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
