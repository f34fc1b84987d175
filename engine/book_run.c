/* SPDX-License-Identifier: BSD-3-Clause */
#include "engine/book_run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/block_rng.h"
#include "engine/book_tables.h"
#include "engine/phase_clock.h"
#include "engine/row_stride.h"
#include "engine/scheduler.h"

const char *const alvh_terminal_names[ALVH_TERM_COUNT] = {"spx", "vix", "token", "variance", "funding",
                                                          "spx_integrated_var"};

enum { MAX_VARIANTS = 32 };

/* Layers that read nothing but the market: their state evolves identically in
 * every variant that has them, so they are stepped once per block (shared[0]:
 * condor, shared[1]: vix) and their P&L is lent to the variants. Results are
 * bit-identical to stepping them inside each variant. Likewise two variants
 * whose other layers are the same (farm_only and core_unhedged, farm_hedged
 * and full in the default) step those layers once: the later one runs only
 * its cash account and equity on the first one's layer state. */
static const int shared_layer[2] = {ALVH_LAYER_CONDOR, ALVH_LAYER_VIX};
#define SHARED_MASK (1u << ALVH_LAYER_CONDOR | 1u << ALVH_LAYER_VIX)

typedef struct {
    double *mem;       /* variant states, shared states, ext rows, then spx and g levels */
    alvh_book_state st[MAX_VARIANTS];
    alvh_book_state shared[2];
    double *ext[MAX_VARIANTS], *ext_cash[MAX_VARIANTS];
    double *spx, *g, *n_tok_jump, *u_book, *v_eff, *eth;
    double *n_gov_dn; /* governance down-shocks of each path so far (injected ones included) */
    double *z_breadth; /* the step's breadth normals (condor signals) */
    double *iv, *v_prev; /* SPX integrated variance so far and the last step's variance (factors summed) */
    alvh_block_rng *book_rng; /* the block's book streams: main streams jumped twice */
    alvh_block_rng *tmp_rng;
    alvh_block_rng *br_rng;   /* breadth streams: main streams jumped four times (only with the breadth) */
    const double *equity[MAX_VARIANTS];
    double *block_out; /* n_variants x block_size x ALVH_OUT_COUNT, with on_block */
    double book_s, hook_s; /* this block's time in the observer and, of it, in the on_step hook */
} worker_t;

typedef struct {
    const alvh_book_run_request *rq;
    const alvh_kernel_ops *ops;
    alvh_book_consts consts;
    worker_t *w;
    size_t ld;
    int use_shared[2]; /* some variant has the layer */
    /* leader[v]: the first variant with v's own layers (those not shared
     * above); a variant led by another runs only its cash account and equity
     * on the leader's layer state (alvh_book_state_share) */
    size_t leader[MAX_VARIANTS];
} book_ctx;

void alvh_book_effective_var(const alvh_vix_coeffs *x, size_t n, const double *v, const double *v2, double *out)
{
    const double r = x->alpha2 / x->alpha;
    for (size_t i = 0; i < n; i++)
        out[i] = fmax(v[i], 0.0) + r * fmax(v2[i], 0.0);
}

static alvh_book_market market_of(const book_ctx *c, worker_t *w, const alvh_market_view *view)
{
    const alvh_market_state *s = view->state;
    const alvh_market_events *e = view->events;
    c->ops->book_levels(view->n, s->ln_s, s->ln_g, w->spx, w->g);
    for (size_t i = 0; i < view->n; i++)
        w->n_tok_jump[i] = e->n_jump[i] + e->n_gov_up[i] + e->n_gov_dn[i] + e->n_hack[i];
    for (size_t i = 0; i < view->n; i++)
        w->n_gov_dn[i] = (view->step ? w->n_gov_dn[i] : 0.0) + e->n_gov_dn[i];
    /* one uniform per path and step, drawn whatever the variants use */
    c->ops->uniform_fill(&w->book_rng->lanes, 1, c->ld, w->u_book);
    /* two factors: the book's one-factor marks (VIX futures, SPX implied vols)
     * see the one-factor variance with the same VIX, v + (alpha2 / alpha) v2
     * (docs/market_model.md: what the model cannot do) */
    const double *v = s->v;
    if (view->consts->two_factor) {
        alvh_book_effective_var(&view->consts->vix, view->n, s->v, s->v2, w->v_eff);
        v = w->v_eff;
    }
    /* ETH levels for the cross-hedge (libm exp: the same on every ISA) */
    const double *eth = NULL;
    if (view->consts->has_eth && s->ln_e) {
        for (size_t i = 0; i < view->n; i++)
            w->eth[i] = exp(s->ln_e[i]);
        eth = w->eth;
    }
    /* the breadth line's normals, drawn every step whatever the variants use */
    if (c->consts.q_breadth)
        c->ops->normal_fill(&w->br_rng->lanes, 1, c->ld, w->z_breadth);
    for (size_t i = 1; c->consts.q_breadth && c->rq->market.antithetic && i < view->n; i += 2)
        w->z_breadth[i] = -w->z_breadth[i];
    return (alvh_book_market){.spx = w->spx, .v = v, .vix = e->vix, .g = w->g, .f = s->f,
                              .n_gov_dn = e->n_gov_dn, .n_hack = e->n_hack, .n_tok_jump = w->n_tok_jump,
                              .u_book = w->u_book, .eth = eth,
                              .runway = view->treasury ? view->treasury->runway : NULL,
                              .z_breadth = c->consts.q_breadth ? w->z_breadth : NULL, .v1 = s->v,
                              .v2 = view->consts->two_factor ? s->v2 : NULL};
}

/* Book streams of the block's paths: each path's main stream jumped by twice
 * the event streams' jump (alvh_market_event_streams applied twice), so the
 * book's draws never touch the market's and depend on (seed, scenario, path). */
static void seed_book_streams(const book_ctx *c, worker_t *w, size_t block, size_t n)
{
    const alvh_market_sim_request *m = &c->rq->market;
    alvh_block_rng_seed(w->book_rng, m->seed, m->scenario, block, m->block_size, n);
    if (m->antithetic) /* the pair shares the book's uniforms; the breadth normals are negated in market_of */
        alvh_block_rng_pair(w->book_rng);
    alvh_market_event_streams(&w->book_rng->lanes, &w->tmp_rng->lanes);
    alvh_market_event_streams(&w->tmp_rng->lanes, &w->book_rng->lanes);
    if (c->consts.q_breadth) { /* four jumps: past the treasury's stream (three, engine/market_sim.c) */
        alvh_market_event_streams(&w->book_rng->lanes, &w->tmp_rng->lanes);
        alvh_market_event_streams(&w->tmp_rng->lanes, &w->br_rng->lanes);
    }
}

static alvh_status hook(book_ctx *c, worker_t *w, int worker, const alvh_market_view *view,
                        const alvh_book_market *mk)
{
    if (!c->rq->on_step)
        return ALVH_OK;
    alvh_book_step_info info = {.block = view->block, .first_path = view->first_path, .n = view->n,
                                .step = view->step, .equity = w->equity, .market = mk,
                                .spx_integrated_var = w->iv, .log_lr = view->log_lr};
    double t0 = alvh_phase_now();
    alvh_status st = c->rq->on_step(c->rq->hook_ctx, worker, &info);
    w->hook_s += alvh_phase_now() - t0;
    return st;
}

/* steps the shared layers, then each variant's own layers with the shared P&L lent */
static void step_all(book_ctx *c, worker_t *w, size_t step, size_t n, const alvh_book_market *mk)
{
    for (int k = 0; k < 2; k++)
        if (c->use_shared[k])
            c->ops->book_step(&c->consts, 1u << shared_layer[k], step, n, &w->shared[k], mk);
    for (size_t v = 0; v < c->rq->n_variants; v++) {
        unsigned layers = c->rq->variants[v].layers;
        double *ext = w->ext[v], *ext_cash = w->ext_cash[v];
        for (size_t i = 0; i < n; i++)
            ext[i] = ext_cash[i] = 0.0;
        for (int k = 0; k < 2; k++)
            if (layers >> shared_layer[k] & 1) {
                const double *pl = w->shared[k].m_pnl + (size_t)shared_layer[k] * c->ld;
                const double *cash = shared_layer[k] == ALVH_LAYER_CONDOR ? w->shared[k].c_cash : w->shared[k].x_cash;
                for (size_t i = 0; i < n; i++) {
                    ext[i] += pl[i];
                    ext_cash[i] += cash[i];
                }
            }
        if (c->leader[v] == v)
            c->ops->book_step(&c->consts, layers & ~SHARED_MASK, step, n, &w->st[v], mk);
        else
            c->ops->book_metrics(&c->consts, layers & ~SHARED_MASK, step, n, &w->st[v]);
    }
}

/* the SPX's instantaneous variance of path i, both factors */
static double var_now(const alvh_market_view *view, size_t i)
{
    return view->state->v[i] + (view->consts->two_factor ? view->state->v2[i] : 0.0);
}

static alvh_status on_begin(void *ctx, int worker, const alvh_market_view *view)
{
    book_ctx *c = ctx;
    worker_t *w = &c->w[worker];
    double t0 = alvh_phase_now();
    w->book_s = w->hook_s = 0.0;
    seed_book_streams(c, w, view->block, view->n);
    alvh_book_market mk = market_of(c, w, view);
    for (size_t i = 0; i < view->n; i++)
        w->iv[i] = 0.0, w->v_prev[i] = var_now(view, i);
    for (int k = 0; k < 2; k++)
        if (c->use_shared[k])
            alvh_book_init(&c->consts, 1u << shared_layer[k], view->n, &w->shared[k], &mk);
    for (size_t v = 0; v < c->rq->n_variants; v++) {
        alvh_book_init(&c->consts, c->rq->variants[v].layers & ~SHARED_MASK, view->n, &w->st[v], &mk);
        w->st[v].ext_pnl = w->ext[v];
        w->st[v].ext_cash = w->ext_cash[v];
    }
    step_all(c, w, 0, view->n, &mk);
    alvh_status st = hook(c, w, worker, view, &mk);
    w->book_s += alvh_phase_now() - t0;
    return st;
}

static alvh_status on_step(void *ctx, int worker, const alvh_market_view *view)
{
    book_ctx *c = ctx;
    worker_t *w = &c->w[worker];
    double t0 = alvh_phase_now();
    alvh_book_market mk = market_of(c, w, view);
    const alvh_spx_consts *sc = &view->consts->spx;
    const double dj2 = sc->delta_j * sc->delta_j, mj2 = sc->mu_j * sc->mu_j;
    for (size_t i = 0; i < view->n; i++) {
        const double v = var_now(view, i), nj = view->events->n_jump[i];
        w->iv[i] += 0.5 * sc->dt * (w->v_prev[i] + v) + nj * dj2 + nj * nj * mj2;
        w->v_prev[i] = v;
    }
    step_all(c, w, view->step, view->n, &mk);
    alvh_status st = hook(c, w, worker, view, &mk);
    w->book_s += alvh_phase_now() - t0;
    return st;
}

static alvh_status on_end(void *ctx, int worker, const alvh_market_view *view)
{
    book_ctx *c = ctx;
    const alvh_book_run_request *rq = c->rq;
    worker_t *w = &c->w[worker];
    double t0 = alvh_phase_now();
    size_t np = rq->market.n_paths;
    if (rq->outcomes || rq->on_block)
        for (size_t v = 0; v < rq->n_variants; v++) {
            unsigned layers = rq->variants[v].layers;
            for (size_t i = 0; i < view->n; i++) {
                double *out = rq->on_block ? w->block_out + (v * view->n + i) * ALVH_OUT_COUNT
                                           : rq->outcomes + (v * np + view->first_path + i) * ALVH_OUT_COUNT;
                alvh_book_outcome(&w->st[v], i, out);
                for (int k = 0; k < 2; k++) { /* the shared layer's columns (as alvh_book_outcome reads them) */
                    int l = shared_layer[k];
                    const alvh_book_state *sh = &w->shared[k];
                    if (!(layers >> l & 1))
                        continue;
                    out[l] = sh->m_pnl[(size_t)l * sh->ld + i];
                    out[ALVH_OUT_N_ROLL] += sh->m_n_roll[i];
                    if (l == ALVH_LAYER_CONDOR) {
                        out[ALVH_OUT_N_STOP] = sh->m_n_stop[i];
                        out[ALVH_OUT_T_STOP] = sh->m_t_stop[i];
                    }
                }
                /* the total with the shared layers' columns in place; excess over cash follows it */
                double total = 0.0;
                for (int l = 0; l < ALVH_LAYER_COUNT; l++)
                    total += out[l];
                total += out[ALVH_OUT_CASH];
                out[ALVH_OUT_EXCESS] += total - out[ALVH_OUT_TOTAL];
                out[ALVH_OUT_TOTAL] = total;
                out[ALVH_OUT_N_GOV_DN] = w->n_gov_dn[i];
                out[ALVH_OUT_LR] = exp(view->log_lr[i]); /* exp(0) = 1 exactly without a tilt */
                if (view->treasury) {
                    out[ALVH_OUT_RUNWAY_END] = view->treasury->runway[i];
                    out[ALVH_OUT_RUNWAY_MIN] = view->treasury->runway_min[i];
                    out[ALVH_OUT_QUICK_END] = view->treasury->quick[i];
                    out[ALVH_OUT_N_TREASURY_FB] = view->treasury->n_fb[i];
                }
                if (rq->on_block && rq->outcomes)
                    memcpy(rq->outcomes + (v * np + view->first_path + i) * ALVH_OUT_COUNT, out,
                           ALVH_OUT_COUNT * sizeof *out);
            }
        }
    if (rq->terminal)
        for (size_t i = 0; i < view->n; i++) {
            double *t = rq->terminal + (view->first_path + i) * ALVH_TERM_COUNT;
            /* the levels the book saw at the last step (same exp as every step) */
            t[ALVH_TERM_SPX] = w->spx[i];
            t[ALVH_TERM_VIX] = view->events->vix[i];
            t[ALVH_TERM_TOKEN] = w->g[i];
            /* the variance the book saw (two factors: v + (alpha2 / alpha) v2) */
            t[ALVH_TERM_VARIANCE] = view->consts->two_factor ? w->v_eff[i] : view->state->v[i];
            t[ALVH_TERM_FUNDING] = view->state->f[i];
            t[ALVH_TERM_IV] = w->iv[i];
        }
    w->book_s += alvh_phase_now() - t0;
    alvh_phase_add(ALVH_PHASE_BOOK, w->book_s - w->hook_s);
    alvh_phase_add(ALVH_PHASE_FANS, w->hook_s);
    if (!rq->on_block)
        return ALVH_OK;
    t0 = alvh_phase_now();
    alvh_status st = rq->on_block(rq->hook_ctx, worker, view->block, view->first_path, view->n, w->block_out);
    alvh_phase_add(ALVH_PHASE_STATS, alvh_phase_now() - t0);
    return st;
}

alvh_status alvh_book_run(const alvh_book_run_request *rq, const alvh_kernel_ops *ops, double *seconds,
                          alvh_error *err)
{
    if (rq->n_variants < 1 || rq->n_variants > MAX_VARIANTS)
        return alvh_error_set(err, ALVH_E_CONFIG, "a book needs 1 to %d variants (got %zu)", MAX_VARIANTS,
                              rq->n_variants);
    book_ctx c = {.rq = rq, .ops = ops};
    char msg[400];
    if (alvh_book_consts_init(&c.consts, &rq->book, &rq->market.params, rq->market.dt_years, msg, sizeof msg) != 0)
        return alvh_error_set(err, ALVH_E_CONFIG, "%s", msg);
    for (size_t v = 0; v < rq->n_variants; v++)
        if (alvh_book_check_layers(&c.consts, rq->variants[v].layers, msg, sizeof msg) != 0)
            return alvh_error_set(err, ALVH_E_CONFIG, "variant '%s': %s", rq->variants[v].name, msg);

    int nt = alvh_sched_threads(rq->market.threads);
    size_t ld = alvh_row_stride(rq->market.block_size);
    size_t rows = alvh_book_state_rows();
    c.ld = ld;
    for (size_t v = 0; v < rq->n_variants; v++) {
        for (int k = 0; k < 2; k++)
            c.use_shared[k] |= rq->variants[v].layers >> shared_layer[k] & 1;
        c.leader[v] = v;
        for (size_t u = 0; u < v && c.leader[v] == v; u++)
            if ((rq->variants[u].layers & ~SHARED_MASK) == (rq->variants[v].layers & ~SHARED_MASK))
                c.leader[v] = u;
    }
    unsigned all_layers = 0;
    for (size_t v = 0; v < rq->n_variants; v++)
        all_layers |= rq->variants[v].layers;
    /* the price tables: the caller's (built once per scenario, over its
     * rounds), or this run's own */
    alvh_book_tables own = {0}, *tabs = rq->tables ? rq->tables : &own;
    alvh_status st = tabs->built ? ALVH_OK
                                 : alvh_book_tables_build(tabs, &c.consts, &rq->market.params, all_layers, nt, err);
    if (st != ALVH_OK) {
        alvh_book_tables_free(&own);
        return st;
    }
    if (rq->qtab_seconds)
        *rq->qtab_seconds = tabs->build_seconds;
    alvh_book_tables_bind(tabs, &c.consts);
    c.w = calloc((size_t)nt, sizeof *c.w);
    st = c.w ? ALVH_OK : alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate %d workers", nt);
    for (int t = 0; st == ALVH_OK && t < nt; t++) {
        worker_t *w = &c.w[t];
        size_t nv = rq->n_variants;
        w->mem = aligned_alloc(64, ((nv + 2) * rows + 2 * nv + 10) * ld * sizeof(double));
        w->book_rng = alvh_block_rng_create(rq->market.block_size);
        w->tmp_rng = alvh_block_rng_create(rq->market.block_size);
        w->br_rng = c.consts.q_breadth ? alvh_block_rng_create(rq->market.block_size) : NULL;
        if (!w->book_rng || !w->tmp_rng || (c.consts.q_breadth && !w->br_rng)) {
            st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate the book streams (block %zu)",
                                rq->market.block_size);
            break;
        }
        if (!w->mem) {
            st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate the book state (%zu variants x block %zu)",
                                rq->n_variants, rq->market.block_size);
            break;
        }
        for (size_t v = 0; v < nv; v++) {
            alvh_book_state_bind(&w->st[v], w->mem + v * rows * ld, ld);
            w->equity[v] = w->st[v].m_equity;
        }
        for (size_t v = 0; v < nv; v++)
            if (c.leader[v] != v)
                alvh_book_state_share(&w->st[v], &w->st[c.leader[v]]);
        for (int k = 0; k < 2; k++)
            alvh_book_state_bind(&w->shared[k], w->mem + (nv + (size_t)k) * rows * ld, ld);
        double *tail = w->mem + (nv + 2) * rows * ld;
        for (size_t v = 0; v < nv; v++) {
            w->ext[v] = tail + v * ld;
            w->ext_cash[v] = tail + (nv + v) * ld;
        }
        w->spx = tail + 2 * nv * ld;
        w->g = w->spx + ld;
        w->n_tok_jump = w->g + ld;
        w->u_book = w->n_tok_jump + ld;
        w->v_eff = w->u_book + ld;
        w->eth = w->v_eff + ld;
        w->n_gov_dn = w->eth + ld;
        w->z_breadth = w->n_gov_dn + ld;
        w->iv = w->z_breadth + ld;
        w->v_prev = w->iv + ld;
        if (rq->on_block && !(w->block_out = malloc(nv * rq->market.block_size * ALVH_OUT_COUNT * sizeof(double)))) {
            st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate the block outcomes (%zu variants x block %zu)",
                                nv, rq->market.block_size);
            break;
        }
    }
    if (st == ALVH_OK) {
        alvh_market_observer obs = {.ctx = &c, .block_begin = on_begin, .step = on_step, .block_end = on_end};
        st = alvh_market_sim_run(&rq->market, ops, &obs, seconds, err);
    }
    for (int t = 0; c.w && t < nt; t++) {
        free(c.w[t].mem);
        free(c.w[t].block_out);
        alvh_block_rng_free(c.w[t].book_rng);
        alvh_block_rng_free(c.w[t].tmp_rng);
        alvh_block_rng_free(c.w[t].br_rng);
    }
    free(c.w);
    alvh_book_tables_free(&own);
    return st;
}
