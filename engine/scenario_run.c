#include "engine/scenario_run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/fan_chart.h"
#include "engine/scheduler.h"

const double alvh_fan_probs[ALVH_FAN_N_PROBS] = {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99};

typedef struct {
    const alvh_scenario_request *rq;
    alvh_scenario_result *res;
    alvh_fan_chart **fans; /* workers x variants */
    size_t n_variants;
} hook_ctx;

static alvh_status on_step(void *vctx, int worker, const alvh_book_step_info *info)
{
    hook_ctx *h = vctx;
    alvh_error err = {0};
    for (size_t v = 0; v < h->n_variants; v++) {
        alvh_status st =
            alvh_fan_add_step(h->fans[(size_t)worker * h->n_variants + v], info->step, info->equity[v], info->n, &err);
        if (st != ALVH_OK)
            return st;
    }
    /* sample paths are the first paths of the run: each lives in one block */
    alvh_scenario_result *r = h->res;
    for (size_t i = 0; i < info->n && info->first_path + i < r->n_sample; i++) {
        double *o = r->sample + ((info->first_path + i) * (r->n_steps + 1) + info->step) * ALVH_TERM_COUNT;
        const alvh_book_market *m = info->market;
        o[ALVH_TERM_SPX] = m->spx[i];
        o[ALVH_TERM_VIX] = m->vix[i];
        o[ALVH_TERM_TOKEN] = m->g[i];
        o[ALVH_TERM_VARIANCE] = m->v[i];
        o[ALVH_TERM_FUNDING] = m->f[i];
    }
    return ALVH_OK;
}

void alvh_scenario_result_free(alvh_scenario_result *r)
{
    free(r->terminal);
    free(r->outcomes);
    free(r->fan);
    free(r->fan_bound);
    free(r->sample);
    for (size_t v = 0; v < r->n_variants; v++) {
        if (r->pnl)
            alvh_table_free(&r->pnl[v]);
        if (r->risk)
            alvh_table_free(&r->risk[v]);
        if (r->eff)
            alvh_table_free(&r->eff[v]);
    }
    free(r->pnl);
    free(r->risk);
    free(r->eff);
    memset(r, 0, sizeof *r);
}

alvh_status alvh_scenario_run(const alvh_scenario_request *rq, const alvh_kernel_ops *ops, alvh_scenario_result *r,
                              alvh_error *err)
{
    memset(r, 0, sizeof *r);
    const size_t np = rq->market.n_paths, ns = rq->market.n_steps, nv = rq->n_variants;
    r->n_paths = np;
    r->n_steps = ns;
    r->n_variants = nv;
    r->n_sample = rq->n_sample_paths < np ? rq->n_sample_paths : np;
    size_t bins = rq->fan_bins ? rq->fan_bins : 1250;
    r->terminal = malloc(np * ALVH_TERM_COUNT * sizeof(double));
    r->outcomes = malloc(nv * np * ALVH_OUT_COUNT * sizeof(double));
    r->fan = malloc(nv * (ns + 1) * ALVH_FAN_N_PROBS * sizeof(double));
    r->fan_bound = malloc(nv * (ns + 1) * ALVH_FAN_N_PROBS * sizeof(double));
    r->sample = malloc((r->n_sample ? r->n_sample : 1) * (ns + 1) * ALVH_TERM_COUNT * sizeof(double));
    r->pnl = calloc(nv, sizeof *r->pnl);
    r->risk = calloc(nv, sizeof *r->risk);
    r->eff = calloc(nv, sizeof *r->eff);
    int nt = alvh_sched_threads(rq->market.threads);
    alvh_fan_chart **fans = calloc((size_t)nt * nv, sizeof *fans);
    double *lo = malloc((ns + 1) * sizeof(double)), *hi = malloc((ns + 1) * sizeof(double));
    alvh_status st = ALVH_OK;
    if (!r->terminal || !r->outcomes || !r->fan || !r->fan_bound || !r->sample || !r->pnl || !r->risk || !r->eff ||
        !fans || !lo || !hi)
        st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate the results of %zu paths x %zu variants", np, nv);
    /* equity histograms over [0, 2.5 C): a bin is 2.5 C / bins wide */
    for (size_t t = 0; st == ALVH_OK && t <= ns; t++) {
        lo[t] = 0.0;
        hi[t] = 2.5 * rq->book.capital_usd;
    }
    for (size_t k = 0; st == ALVH_OK && k < (size_t)nt * nv; k++)
        if (!(fans[k] = alvh_fan_create(ns + 1, lo, hi, bins, err)))
            st = err ? err->code : ALVH_E_NOMEM;
    if (st == ALVH_OK) {
        hook_ctx h = {.rq = rq, .res = r, .fans = fans, .n_variants = nv};
        alvh_book_run_request brq = {.market = rq->market, .book = rq->book, .variants = rq->variants,
                                     .n_variants = nv, .outcomes = r->outcomes, .terminal = r->terminal,
                                     .on_step = on_step, .hook_ctx = &h};
        st = alvh_book_run(&brq, ops, &r->seconds, err);
    }
    /* histograms merge by integer addition: any worker order gives the same counts */
    for (size_t v = 0; st == ALVH_OK && v < nv; v++) {
        for (int t = 1; st == ALVH_OK && t < nt; t++)
            st = alvh_fan_merge(fans[v], fans[(size_t)t * nv + v], err);
        if (st == ALVH_OK)
            st = alvh_fan_quantiles(fans[v], alvh_fan_probs, ALVH_FAN_N_PROBS, r->fan + v * (ns + 1) * ALVH_FAN_N_PROBS,
                                    r->fan_bound + v * (ns + 1) * ALVH_FAN_N_PROBS, err);
    }
    for (size_t v = 0; st == ALVH_OK && v < nv; v++) {
        const double *o = r->outcomes + v * np * ALVH_OUT_COUNT;
        st = alvh_summary_pnl(o, np, rq->book.capital_usd, &r->pnl[v], err);
        if (st == ALVH_OK)
            st = alvh_summary_risk(o, np, &r->risk[v], err);
        if (st == ALVH_OK && v > 0)
            st = alvh_summary_effectiveness(o, r->outcomes, np, &r->eff[v], err);
    }
    for (size_t k = 0; fans && k < (size_t)nt * nv; k++)
        alvh_fan_free(fans[k]);
    free(fans);
    free(lo);
    free(hi);
    if (st != ALVH_OK)
        alvh_scenario_result_free(r);
    return st;
}
