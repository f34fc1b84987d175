#include "engine/book_run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/scheduler.h"

const char *const alvh_terminal_names[ALVH_TERM_COUNT] = {"spx", "vix", "token", "variance", "funding"};

enum { MAX_VARIANTS = 32 };

typedef struct {
    double *mem;       /* variant states, then spx and g levels */
    alvh_book_state st[MAX_VARIANTS];
    double *spx, *g;
    const double *equity[MAX_VARIANTS];
} worker_t;

typedef struct {
    const alvh_book_run_request *rq;
    const alvh_kernel_ops *ops;
    alvh_book_consts consts;
    worker_t *w;
    size_t ld;
} book_ctx;

static alvh_book_market market_of(worker_t *w, const alvh_market_view *view)
{
    const alvh_market_state *s = view->state;
    for (size_t i = 0; i < view->n; i++) {
        w->spx[i] = exp(s->ln_s[i]);
        w->g[i] = exp(s->ln_g[i]);
    }
    return (alvh_book_market){.spx = w->spx, .v = s->v, .vix = view->events->vix, .g = w->g, .f = s->f,
                              .n_gov_dn = view->events->n_gov_dn, .n_hack = view->events->n_hack};
}

static alvh_status hook(book_ctx *c, worker_t *w, int worker, const alvh_market_view *view,
                        const alvh_book_market *mk)
{
    if (!c->rq->on_step)
        return ALVH_OK;
    alvh_book_step_info info = {.block = view->block, .first_path = view->first_path, .n = view->n,
                                .step = view->step, .equity = w->equity, .market = mk};
    return c->rq->on_step(c->rq->hook_ctx, worker, &info);
}

static alvh_status on_begin(void *ctx, int worker, const alvh_market_view *view)
{
    book_ctx *c = ctx;
    worker_t *w = &c->w[worker];
    alvh_book_market mk = market_of(w, view);
    for (size_t v = 0; v < c->rq->n_variants; v++) {
        unsigned layers = c->rq->variants[v].layers;
        alvh_book_init(&c->consts, layers, view->n, &w->st[v], &mk);
        c->ops->book_step(&c->consts, layers, 0, view->n, &w->st[v], &mk);
    }
    return hook(c, w, worker, view, &mk);
}

static alvh_status on_step(void *ctx, int worker, const alvh_market_view *view)
{
    book_ctx *c = ctx;
    worker_t *w = &c->w[worker];
    alvh_book_market mk = market_of(w, view);
    for (size_t v = 0; v < c->rq->n_variants; v++)
        c->ops->book_step(&c->consts, c->rq->variants[v].layers, view->step, view->n, &w->st[v], &mk);
    return hook(c, w, worker, view, &mk);
}

static alvh_status on_end(void *ctx, int worker, const alvh_market_view *view)
{
    book_ctx *c = ctx;
    const alvh_book_run_request *rq = c->rq;
    worker_t *w = &c->w[worker];
    size_t np = rq->market.n_paths;
    if (rq->outcomes)
        for (size_t v = 0; v < rq->n_variants; v++)
            for (size_t i = 0; i < view->n; i++)
                alvh_book_outcome(&w->st[v], i, rq->outcomes + (v * np + view->first_path + i) * ALVH_OUT_COUNT);
    if (rq->terminal)
        for (size_t i = 0; i < view->n; i++) {
            double *t = rq->terminal + (view->first_path + i) * ALVH_TERM_COUNT;
            t[ALVH_TERM_SPX] = exp(view->state->ln_s[i]);
            t[ALVH_TERM_VIX] = view->events->vix[i];
            t[ALVH_TERM_TOKEN] = exp(view->state->ln_g[i]);
            t[ALVH_TERM_VARIANCE] = view->state->v[i];
            t[ALVH_TERM_FUNDING] = view->state->f[i];
        }
    return ALVH_OK;
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
    size_t ld = (rq->market.block_size + 7) & ~(size_t)7;
    size_t rows = alvh_book_state_rows();
    c.ld = ld;
    c.w = calloc((size_t)nt, sizeof *c.w);
    alvh_status st = c.w ? ALVH_OK : alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate %d workers", nt);
    for (int t = 0; st == ALVH_OK && t < nt; t++) {
        worker_t *w = &c.w[t];
        w->mem = aligned_alloc(64, (rows * rq->n_variants + 2) * ld * sizeof(double));
        if (!w->mem) {
            st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate the book state (%zu variants x block %zu)",
                                rq->n_variants, rq->market.block_size);
            break;
        }
        for (size_t v = 0; v < rq->n_variants; v++) {
            alvh_book_state_bind(&w->st[v], w->mem + v * rows * ld, ld);
            w->equity[v] = w->st[v].m_equity;
        }
        w->spx = w->mem + rows * rq->n_variants * ld;
        w->g = w->spx + ld;
    }
    if (st == ALVH_OK) {
        alvh_market_observer obs = {.ctx = &c, .block_begin = on_begin, .step = on_step, .block_end = on_end};
        st = alvh_market_sim_run(&rq->market, ops, &obs, seconds, err);
    }
    for (int t = 0; c.w && t < nt; t++)
        free(c.w[t].mem);
    free(c.w);
    return st;
}
