/* SPDX-License-Identifier: BSD-3-Clause */
#include "engine/scenario_run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/antithetic.h"
#include "engine/attribution.h"
#include "engine/book_tables.h"
#include "engine/fan_chart.h"
#include "engine/histogram.h"
#include "engine/mpi_dist.h"
#include "engine/phase_clock.h"
#include "engine/summary_hist.h"
#include "engine/tail_comp.h"
#include "engine/weighted_risk.h"
#include "engine/control_variate.h"
#include "engine/tail_eff.h"
#include "engine/variants.h"

#include "engine/scheduler.h"

const double alvh_fan_probs[ALVH_FAN_N_PROBS] = {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99};
const char *const alvh_mkt_fan_names[ALVH_MKT_FANS] = {"spx", "vix", "token", "funding"};
const char *const alvh_mkt_fan_units[ALVH_MKT_FANS] = {"index points", "index points", "USD", "1/yr"};

/* per step of a fan chart: underflow, overflow, n, n_nan, n_inf, min bits, max bits */
enum { FAN_META = 7 };
_Static_assert(FAN_META == ALVH_SHIST_META, "fan and summary histograms share the meta layout");
_Static_assert(ALVH_SHIST_PNL_BINS >= 50000, "histogram_bins (at most 50000) groups whole fine bins");

struct alvh_scenario_job {
    alvh_book_tables tables; /* built by the first round, reused by the rest */
    alvh_scenario_request rq;
    const alvh_kernel_ops *ops;
    alvh_scenario_result res;
    size_t n_blocks, bins;
    unsigned char *done;
    /* fan charts of the variants' equity and the market series (nf = n_variants + ALVH_MKT_FANS);
     * under a tilt nfan = 2 nf: fans nf .. 2 nf - 1 are their LR-weighted twins (counts in LR units) */
    size_t nfan;
    alvh_fan_chart **fan;     /* nfan: blocks done so far */
    alvh_fan_chart **wfan;    /* threads x nfan: the current round */
    uint64_t *wq;             /* threads x block_size: the step's LR units of each path (tilt only) */
    int threads;
    size_t first_block, last_block; /* this rank's blocks */
    uint64_t *fan_meta;       /* nfan x (n_steps + 1) x FAN_META, filled by _buffers */
    uint64_t *fan_counts;     /* nfan x (n_steps + 1) x bins: copies for the buffers view */
    /* histogram mode (run.summaries: histogram) */
    alvh_shist_acc *sh;       /* blocks done so far */
    alvh_shist_acc **wsh;     /* threads: the current round */
    double *sh_rows;          /* n_blocks x alvh_shist_block_len(n_variants, tilted): block moments */
    uint64_t *sh_meta;        /* alvh_shist_n_hists x ALVH_SHIST_META, filled by _buffers */
    /* non-finite state: per block {paths, first path + 1, its step}; per worker, a flag per lane */
    uint64_t *bad;
    unsigned char *wbad;
};

static int hist_mode(const alvh_scenario_job *j) { return j->rq.summaries == ALVH_SUMMARIES_HISTOGRAM; }

/* 1 if any of x[0..n) is NaN or +-Inf: an all-ones exponent field. Branch
 * free over integers, so the compiler can vectorize it (the common case, every
 * value finite, is one pass per series). No simd pragma: clang cannot honour
 * it through the memcpy and -Werror turns its notice into a build failure. */
static int any_nonfinite(const double *x, size_t n)
{
    const uint64_t ex = UINT64_C(0x7ff0000000000000);
    uint64_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t u;
        memcpy(&u, x + i, sizeof u);
        bad |= ((u & ex) + (UINT64_C(1) << 52)) >> 63; /* carries into bit 63 only from 0x7ff */
    }
    return bad != 0;
}

static int block_nonfinite(const alvh_book_market *mk, const double *const *equity, size_t nv, size_t n)
{
    const double *series[] = {mk->spx, mk->vix, mk->g, mk->v, mk->f};
    int bad = 0;
    for (size_t k = 0; k < sizeof series / sizeof series[0]; k++)
        bad |= any_nonfinite(series[k], n);
    for (size_t v = 0; v < nv; v++)
        bad |= any_nonfinite(equity[v], n);
    return bad;
}

/* Paths of the block whose market state or equity is NaN/Inf at this step:
 * counted once each; the lowest path index is kept with its first such step. */
static void note_nonfinite(alvh_scenario_job *j, int worker, const alvh_book_step_info *info)
{
    const size_t nv = j->rq.n_variants;
    const alvh_book_market *mk = info->market;
    unsigned char *seen = j->wbad + (size_t)worker * j->rq.market.block_size;
    uint64_t *b = j->bad + info->block * 3;
    if (info->step == 0)
        memset(seen, 0, info->n);
    /* a step with every value finite marks no path: skip the per-path scan */
    if (!block_nonfinite(mk, info->equity, nv, info->n))
        return;
    for (size_t i = 0; i < info->n; i++) {
        if (seen[i])
            continue;
        int ok = isfinite(mk->spx[i]) && isfinite(mk->vix[i]) && isfinite(mk->g[i]) && isfinite(mk->v[i]) &&
                 isfinite(mk->f[i]);
        for (size_t v = 0; ok && v < nv; v++)
            ok = isfinite(info->equity[v][i]);
        if (ok)
            continue;
        seen[i] = 1;
        b[0]++;
        uint64_t p = info->first_path + i + 1;
        if (!b[1] || p < b[1]) {
            b[1] = p;
            b[2] = info->step;
        }
    }
}

static alvh_status on_step(void *vctx, int worker, const alvh_book_step_info *info)
{
    alvh_scenario_job *j = vctx;
    size_t nv = j->rq.n_variants, nf = nv + ALVH_MKT_FANS;
    alvh_error err = {0};
    const alvh_book_market *mk = info->market;
    alvh_fan_chart **wf = j->wfan + (size_t)worker * j->nfan;
    for (size_t v = 0; v < j->nfan; v++) /* the lines arrive while the scan below runs */
        alvh_fan_prefetch_step(wf[v], info->step);
    note_nonfinite(j, worker, info);
    const double *series[ALVH_MKT_FANS] = {mk->spx, mk->vix, mk->g, mk->f};
    uint64_t *qw = j->nfan > nf ? j->wq + (size_t)worker * j->rq.market.block_size : NULL;
    for (size_t i = 0; qw && i < info->n; i++) /* the LR so far is the weight of the path at this step */
        qw[i] = alvh_hist_weight_units(exp(info->log_lr[i]));
    for (size_t v = 0; v < nf; v++) {
        const double *x = v < nv ? info->equity[v] : series[v - nv];
        alvh_status st = alvh_fan_add_step(wf[v], info->step, x, info->n, &err);
        if (st == ALVH_OK && qw)
            st = alvh_fan_add_step_weighted(wf[nf + v], info->step, x, qw, info->n, &err);
        if (st != ALVH_OK)
            return st;
    }
    /* sample paths are the first paths of the run: each lives in one block */
    alvh_scenario_result *r = &j->res;
    for (size_t i = 0; i < info->n && info->first_path + i < r->n_sample; i++) {
        double *o = r->sample + ((info->first_path + i) * (r->n_steps + 1) + info->step) * ALVH_TERM_COUNT;
        const alvh_book_market *m = info->market;
        o[ALVH_TERM_SPX] = m->spx[i];
        o[ALVH_TERM_VIX] = m->vix[i];
        o[ALVH_TERM_TOKEN] = m->g[i];
        o[ALVH_TERM_VARIANCE] = m->v[i];
        o[ALVH_TERM_FUNDING] = m->f[i];
        o[ALVH_TERM_IV] = info->spx_integrated_var[i];
    }
    return ALVH_OK;
}

/* The P&L of a path whose market state or equity became NaN/Inf is not a
 * number, whatever the arithmetic after that made of it (a max with 0 turns
 * NaN into 0): its P&L columns, excess and drawdown become NaN, so the
 * tables count it in n_nan and leave it out of every statistic. */
static void poison_nonfinite(alvh_scenario_job *j, int worker, size_t first_path, size_t n, double *block_out)
{
    const unsigned char *seen = j->wbad + (size_t)worker * j->rq.market.block_size;
    const size_t np = j->res.n_paths;
    const size_t pair = j->rq.market.antithetic ? 1 : 0; /* a pair is one sample: dropped whole */
    for (size_t i = 0; i < n; i++) {
        if (!seen[i] && !seen[i ^ pair])
            continue;
        for (size_t v = 0; v < j->rq.n_variants; v++) {
            double *o = hist_mode(j) ? block_out + (v * n + i) * ALVH_OUT_COUNT
                                     : j->res.outcomes + (v * np + first_path + i) * ALVH_OUT_COUNT;
            for (int k = 0; k <= ALVH_OUT_TOTAL; k++)
                o[k] = NAN;
            o[ALVH_OUT_EXCESS] = o[ALVH_OUT_MAX_DD] = NAN;
        }
    }
}

/* a finished block: non-finite paths marked; histogram mode: into this worker's accumulator and its moment row */
static alvh_status on_block(void *vctx, int worker, size_t block, size_t first_path, size_t n, double *out)
{
    alvh_scenario_job *j = vctx;
    if (j->bad[block * 3])
        poison_nonfinite(j, worker, first_path, n, out);
    if (!hist_mode(j))
        return ALVH_OK;
    alvh_shist_acc_add(j->wsh[worker], out, n);
    size_t len = alvh_shist_block_len(j->rq.n_variants, j->sh->weighted);
    alvh_shist_block_moments(j->wsh[worker], out, n, j->res.baseline, j->sh_rows + block * len);
    return ALVH_OK;
}

void alvh_scenario_result_free(alvh_scenario_result *r)
{
    if (!r)
        return;
    free(r->terminal);
    free(r->outcomes);
    free(r->fan);
    free(r->fan_bound);
    free(r->sample);
    free(r->hist_counts);
    free(r->hist_edges);
    free(r->hist_nonfinite);
    free(r->hist_outside);
    free(r->hist_weight);
    free(r->hist_weight_sq);
    free(r->hist_outside_weight);
    for (size_t v = 0; v < r->n_variants; v++) {
        if (r->pnl)
            alvh_table_free(&r->pnl[v]);
        if (r->risk)
            alvh_table_free(&r->risk[v]);
        if (r->eff)
            alvh_table_free(&r->eff[v]);
        if (r->pnl_bound)
            alvh_table_free(&r->pnl_bound[v]);
        if (r->risk_bound)
            alvh_table_free(&r->risk_bound[v]);
        if (r->eff_bound)
            alvh_table_free(&r->eff_bound[v]);
        alvh_table *extra[6] = {r->tail_eff, r->attr, r->tail_comp, r->importance, r->cv, r->antithetic};
        for (int k = 0; k < 6; k++)
            if (extra[k])
                alvh_table_free(&extra[k][v]);
    }
    free(r->baseline);
    free(r->tail_eff);
    free(r->attr);
    free(r->tail_comp);
    free(r->importance);
    free(r->cv);
    free(r->antithetic);
    free(r->pnl);
    free(r->risk);
    free(r->eff);
    free(r->pnl_bound);
    free(r->risk_bound);
    free(r->eff_bound);
    memset(r, 0, sizeof *r);
}

void alvh_scenario_job_free(alvh_scenario_job *j)
{
    if (!j)
        return;
    const size_t nf = j->nfan;
    alvh_book_tables_free(&j->tables);
    for (size_t k = 0; j->fan && k < nf; k++)
        alvh_fan_free(j->fan[k]);
    for (size_t k = 0; j->wfan && k < (size_t)j->threads * nf; k++)
        alvh_fan_free(j->wfan[k]);
    free(j->fan);
    free(j->wfan);
    free(j->wq);
    free(j->done);
    free(j->fan_meta);
    free(j->fan_counts);
    alvh_shist_acc_free(j->sh);
    for (int t = 0; j->wsh && t < j->threads; t++)
        alvh_shist_acc_free(j->wsh[t]);
    free(j->wsh);
    free(j->sh_rows);
    free(j->sh_meta);
    free(j->bad);
    free(j->wbad);
    alvh_scenario_result_free(&j->res);
    free(j);
}

static int tilted(const alvh_scenario_request *rq);

alvh_memory_estimate alvh_scenario_memory_estimate(const alvh_scenario_request *rq)
{
    /* doubles, not size_t: a hostile configuration must not wrap the estimate */
    const double np = (double)rq->market.n_paths, ns1 = (double)rq->market.n_steps + 1.0;
    const double nv = (double)rq->n_variants; /* a tilt adds the weighted twin of every fan chart */
    const double nf = (nv + ALVH_MKT_FANS) * (alvh_tilt_active(&rq->market.params.tilt) ? 2.0 : 1.0);
    const double th = (double)alvh_sched_threads(rq->market.threads), bins = rq->fan_bins ? rq->fan_bins : 1250;
    const double bs = (double)rq->market.block_size, nb = ceil(np / (bs > 0 ? bs : 1.0));
    const double n_sample = (double)rq->n_sample_paths < np ? (double)rq->n_sample_paths : np;
    alvh_memory_estimate m;
    if (rq->summaries == ALVH_SUMMARIES_HISTOGRAM)
        /* under a tilt the LR and squared-LR twins take 3x the histograms' memory */
        m.results = 8.0 * nb * (double)alvh_shist_block_len(rq->n_variants, tilted(rq)) +
                    (th + 1.0) * nv * 6.2e6 * (tilted(rq) ? 3.0 : 1.0);
    else /* outcomes, terminal values, and the sorted copies the statistics make at the end */
        m.results = 8.0 * np * (nv * ALVH_OUT_COUNT + ALVH_TERM_COUNT) + 8.0 * np * 3.0;
    m.fan_charts = nf * ns1 * (8.0 * bins * (th + 2.0) + 2.0 * 8.0 * ALVH_FAN_N_PROBS) +
                   8.0 * n_sample * ns1 * ALVH_TERM_COUNT;
    m.workers = th * bs * (425.0 + 831.0 * nv);
    m.total = m.results + m.fan_charts + m.workers + 32e6; /* + program, libraries, HDF5 caches */
    return m;
}

static void mark_foreign_done(alvh_scenario_job *j);

alvh_status alvh_scenario_job_create(const alvh_scenario_request *rq, const alvh_kernel_ops *ops,
                                     alvh_scenario_job **out, alvh_error *err)
{
    *out = NULL;
    if (rq->n_variants < 1)
        return alvh_error_set(err, ALVH_E_CONFIG, "a scenario needs at least one variant");
    alvh_scenario_job *j = calloc(1, sizeof *j);
    if (!j)
        return alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate a scenario job");
    j->rq = *rq;
    j->ops = ops;
    alvh_scenario_result *r = &j->res;
    const size_t np = rq->market.n_paths, ns = rq->market.n_steps, nv = rq->n_variants, nf = nv + ALVH_MKT_FANS;
    r->n_paths = np;
    r->n_steps = ns;
    r->n_variants = nv;
    r->n_sample = rq->n_sample_paths < np ? rq->n_sample_paths : np;
    j->bins = rq->fan_bins ? rq->fan_bins : 1250;
    j->n_blocks = alvh_market_sim_blocks(&rq->market);
    j->threads = alvh_sched_threads(rq->market.threads);
    r->summaries = rq->summaries;
    alvh_status st = ALVH_OK;
    if (rq->summaries != ALVH_SUMMARIES_EXACT && rq->summaries != ALVH_SUMMARIES_HISTOGRAM)
        st = alvh_error_set(err, ALVH_E_CONFIG, "unknown summaries mode %d", (int)rq->summaries);
    else if (rq->summaries == ALVH_SUMMARIES_HISTOGRAM && rq->market.antithetic)
        st = alvh_error_set(err, ALVH_E_CONFIG, "histogram summaries cannot take antithetic pairs as samples (their "
                                                "block moments mix the pairs' paths): use exact summaries");
    if (st == ALVH_OK && hist_mode(j)) {
        /* no paths-sized array: accumulators, one moment row per block */
        j->wsh = calloc((size_t)j->threads, sizeof *j->wsh);
        const int w = tilted(rq); /* the weighted histograms and rows (summary_hist.h) */
        j->sh_rows = calloc((j->n_blocks ? j->n_blocks : 1) * alvh_shist_block_len(nv, w), sizeof(double));
        if (!j->wsh || !j->sh_rows)
            st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate the histogram summaries of %zu blocks",
                                j->n_blocks);
        if (st == ALVH_OK && !(j->sh = alvh_shist_acc_create(nv, rq->book.capital_usd, w, err)))
            st = err ? err->code : ALVH_E_NOMEM;
        if (st == ALVH_OK && !(j->sh_meta = malloc(alvh_shist_n_hists(j->sh) * ALVH_SHIST_META * sizeof(uint64_t))))
            st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate the histogram summaries' meta words");
        for (int t = 0; st == ALVH_OK && t < j->threads; t++)
            if (!(j->wsh[t] = alvh_shist_acc_create(nv, rq->book.capital_usd, w, err)))
                st = err ? err->code : ALVH_E_NOMEM;
    } else if (st == ALVH_OK) {
        r->terminal = calloc(np * ALVH_TERM_COUNT, sizeof(double));
        r->outcomes = calloc(nv * np * ALVH_OUT_COUNT, sizeof(double));
    }
    /* the stored shapes: fan-chart levels and P&L histogram bins */
    r->n_fan_probs = rq->fan_probs && rq->n_fan_probs ? rq->n_fan_probs : ALVH_FAN_N_PROBS;
    if (r->n_fan_probs > ALVH_FAN_MAX_PROBS)
        st = alvh_error_set(err, ALVH_E_CONFIG, "at most %d fan-chart quantile levels", ALVH_FAN_MAX_PROBS);
    else
        memcpy(r->fan_probs, rq->fan_probs && rq->n_fan_probs ? rq->fan_probs : alvh_fan_probs,
               r->n_fan_probs * sizeof(double));
    r->hist_bins = rq->hist_bins ? rq->hist_bins : ALVH_PNL_HIST_BINS;
    const size_t nq = r->n_fan_probs;
    r->fan = malloc(nf * (ns + 1) * nq * sizeof(double));
    r->fan_bound = malloc(nf * (ns + 1) * nq * sizeof(double));
    r->sample = calloc((r->n_sample ? r->n_sample : 1) * (ns + 1) * ALVH_TERM_COUNT, sizeof(double));
    r->pnl = calloc(nv, sizeof *r->pnl);
    r->risk = calloc(nv, sizeof *r->risk);
    r->eff = calloc(nv, sizeof *r->eff);
    r->baseline = malloc(nv * sizeof *r->baseline);
    for (size_t v = 0; r->baseline && v < nv; v++)
        r->baseline[v] = alvh_variant_baseline(rq->variants, nv, v);
    if (hist_mode(j) && tilted(rq) && !(r->importance = calloc(nv, sizeof *r->importance)))
        st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate the importance tables");
    if (!hist_mode(j)) {
        r->tail_eff = calloc(nv, sizeof *r->tail_eff);
        r->attr = calloc(nv, sizeof *r->attr);
        r->tail_comp = calloc(nv, sizeof *r->tail_comp);
        r->importance = calloc(nv, sizeof *r->importance);
        r->cv = calloc(nv, sizeof *r->cv);
        if (rq->market.antithetic && !(r->antithetic = calloc(nv, sizeof *r->antithetic)))
            st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate the antithetic tables");
    }
    j->done = calloc(j->n_blocks ? j->n_blocks : 1, 1);
    j->bad = calloc((j->n_blocks ? j->n_blocks : 1) * 3, sizeof(uint64_t));
    j->wbad = calloc((size_t)j->threads * (rq->market.block_size ? rq->market.block_size : 1), 1);
    j->nfan = tilted(rq) ? 2 * nf : nf;
    j->fan = calloc(j->nfan, sizeof *j->fan);
    j->wfan = calloc((size_t)j->threads * j->nfan, sizeof *j->wfan);
    j->fan_meta = malloc(j->nfan * (ns + 1) * FAN_META * sizeof(uint64_t));
    j->fan_counts = malloc(j->nfan * (ns + 1) * j->bins * sizeof(uint64_t));
    if (j->nfan > nf && !(j->wq = malloc((size_t)j->threads * (rq->market.block_size ? rq->market.block_size : 1) *
                                         sizeof(uint64_t))))
        st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate the weighted fan charts");
    double *lo = malloc((ns + 1) * sizeof(double)), *hi = malloc((ns + 1) * sizeof(double));
    if (st == ALVH_OK && hist_mode(j)) {
        r->pnl_bound = calloc(nv, sizeof *r->pnl_bound);
        r->risk_bound = calloc(nv, sizeof *r->risk_bound);
        r->eff_bound = calloc(nv, sizeof *r->eff_bound);
        if (!r->pnl_bound || !r->risk_bound || !r->eff_bound)
            st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate the bound tables");
    }
    if (st != ALVH_OK) {
        /* reported above */
    } else if ((!hist_mode(j) && (!r->terminal || !r->outcomes)) || !r->fan || !r->fan_bound || !r->sample ||
               !r->pnl || !r->risk || !r->eff || !r->baseline ||
               (!hist_mode(j) && (!r->tail_eff || !r->attr || !r->tail_comp || !r->importance || !r->cv)) || !j->done || !j->bad || !j->wbad ||
               !j->fan || !j->wfan || !j->fan_meta ||
               !j->fan_counts || !lo || !hi)
        st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate the results of %zu paths x %zu variants", np, nv);
    /* fixed ranges (a bin is range / bins wide): equity [0, 2.5 C); market
     * series SPX [0, 3 S0), VIX [0, 150), token [0, 10 G0), funding [-3, 3) per year */
    const double c = rq->book.capital_usd, s0 = rq->market.params.spx.s0, g0 = rq->market.params.token.g0_usd;
    const double range_lo[1 + ALVH_MKT_FANS] = {0.0, 0.0, 0.0, 0.0, -3.0};
    const double range_hi[1 + ALVH_MKT_FANS] = {2.5 * c, 3.0 * s0, 150.0, 10.0 * g0, 3.0};
    for (size_t k = 0; st == ALVH_OK && k < j->nfan; k++) {
        size_t which = k % nf < nv ? 0 : 1 + (k % nf - nv); /* a weighted twin has its series' range */
        for (size_t t = 0; t <= ns; t++) {
            lo[t] = range_lo[which];
            hi[t] = range_hi[which];
        }
        if (!(j->fan[k] = alvh_fan_create(ns + 1, lo, hi, j->bins, err)))
            st = err ? err->code : ALVH_E_NOMEM;
        for (int t = 0; st == ALVH_OK && t < j->threads; t++)
            if (!(j->wfan[(size_t)t * j->nfan + k] = alvh_fan_create(ns + 1, lo, hi, j->bins, err)))
                st = err ? err->code : ALVH_E_NOMEM;
            else {
                alvh_fan_set_binning(j->wfan[(size_t)t * j->nfan + k], ops->hist_bin);
                if (k < nf) /* unweighted: staged in 16-bit counts (engine/fan_chart.h) */
                    st = alvh_fan_set_staging(j->wfan[(size_t)t * j->nfan + k], ops->hist_bin16, err);
            }
    }
    free(lo);
    free(hi);
    if (st != ALVH_OK) {
        alvh_scenario_job_free(j);
        return st;
    }
    alvh_mpi_block_range(j->n_blocks, rq->rank, rq->ranks, &j->first_block, &j->last_block);
    mark_foreign_done(j);
    *out = j;
    return ALVH_OK;
}

static size_t block_paths(const alvh_scenario_job *j, size_t b)
{
    size_t bs = j->rq.market.block_size, np = j->rq.market.n_paths;
    return np - b * bs < bs ? np - b * bs : bs;
}

size_t alvh_scenario_job_paths_owned(const alvh_scenario_job *j)
{
    size_t k = 0;
    for (size_t b = j->first_block; b < j->last_block; b++)
        k += block_paths(j, b);
    return k;
}

size_t alvh_scenario_job_paths_owned_done(const alvh_scenario_job *j)
{
    size_t k = 0;
    for (size_t b = j->first_block; b < j->last_block; b++)
        if (j->done[b])
            k += block_paths(j, b);
    return k;
}

size_t alvh_scenario_job_blocks(const alvh_scenario_job *j) { return j->n_blocks; }

size_t alvh_scenario_job_blocks_done(const alvh_scenario_job *j)
{
    size_t k = 0;
    for (size_t b = 0; b < j->n_blocks; b++)
        k += j->done[b] != 0;
    return k;
}

alvh_status alvh_scenario_job_round(alvh_scenario_job *j, size_t max_blocks, const atomic_int *stop,
                                    alvh_error *err)
{
    size_t nv = j->rq.n_variants, nf = j->nfan;
    for (size_t k = 0; k < (size_t)j->threads * nf; k++)
        alvh_fan_reset(j->wfan[k]);
    for (int t = 0; hist_mode(j) && t < j->threads; t++)
        alvh_shist_acc_reset(j->wsh[t]);
    alvh_sched_plan plan = {.skip = j->done, .max_blocks = max_blocks, .stop = stop, .done = j->done};
    alvh_book_run_request brq = {.market = j->rq.market, .book = j->rq.book, .variants = j->rq.variants,
                                 .n_variants = nv, .outcomes = j->res.outcomes, .terminal = j->res.terminal,
                                 .on_step = on_step, .on_block = on_block, .hook_ctx = j, .tables = &j->tables};
    brq.market.plan = &plan;
    double secs = 0.0;
    alvh_status st = alvh_book_run(&brq, j->ops, &secs, err);
    j->res.seconds += secs;
    /* a failed round leaves partial blocks in the worker charts: they are
     * dropped, and the blocks that failed are not marked done */
    double t0 = alvh_phase_now();
    for (size_t v = 0; st == ALVH_OK && v < nf; v++)
        for (int t = 0; st == ALVH_OK && t < j->threads; t++) {
            alvh_fan_flush(j->wfan[(size_t)t * nf + v]);
            st = alvh_fan_merge(j->fan[v], j->wfan[(size_t)t * nf + v], err);
        }
    double t1 = alvh_phase_now();
    for (int t = 0; st == ALVH_OK && hist_mode(j) && t < j->threads; t++)
        st = alvh_shist_acc_merge(j->sh, j->wsh[t], err);
    alvh_phase_add(ALVH_PHASE_FANS, t1 - t0);
    alvh_phase_add(ALVH_PHASE_STATS, alvh_phase_now() - t1);
    return st;
}

size_t alvh_scenario_job_buffers(alvh_scenario_job *j, alvh_job_buffer *out)
{
    const size_t np = j->res.n_paths, nv = j->res.n_variants, ns1 = j->res.n_steps + 1, nf = j->nfan;
    for (size_t v = 0; v < nf; v++)
        for (size_t t = 0; t < ns1; t++) {
            const alvh_histogram *h = &j->fan[v]->step[t];
            uint64_t *m = j->fan_meta + (v * ns1 + t) * FAN_META;
            m[0] = h->underflow, m[1] = h->overflow, m[2] = h->n, m[3] = h->n_nan, m[4] = h->n_inf;
            memcpy(&m[5], &h->min, 8);
            memcpy(&m[6], &h->max, 8);
            memcpy(j->fan_counts + (v * ns1 + t) * j->bins, h->counts, j->bins * sizeof(uint64_t));
        }
    size_t k = 0;
    const size_t bs = j->rq.market.block_size;
#define BUF(nm, ptr, sz) (out[k] = (alvh_job_buffer){.data = (ptr), .bytes = (sz)}, \
                          snprintf(out[k].name, sizeof out[k].name, "%s", nm), k++)
    /* parts of rows of row_bytes, one row per path (or per block): only the done blocks' in a checkpoint */
#define BY_BLOCK(rows_per_block, row_bytes, parts)                                                           \
    (out[k - 1].by_block = j->done, out[k - 1].n_blocks = j->n_blocks,                                    \
     out[k - 1].block_bytes = (rows_per_block) * (row_bytes), out[k - 1].n_parts = (parts),                   \
     out[k - 1].part_bytes = out[k - 1].bytes / (parts))
    BUF("done", j->done, j->n_blocks); /* first: the mask of the buffers by block */
    BUF("nonfinite", j->bad, (j->n_blocks ? j->n_blocks : 1) * 3 * sizeof(uint64_t));
    if (!hist_mode(j)) {
        BUF("terminal", j->res.terminal, np * ALVH_TERM_COUNT * sizeof(double));
        BY_BLOCK(bs, ALVH_TERM_COUNT * sizeof(double), 1);
        BUF("outcomes", j->res.outcomes, nv * np * ALVH_OUT_COUNT * sizeof(double));
        BY_BLOCK(bs, ALVH_OUT_COUNT * sizeof(double), nv);
    }
    BUF("sample", j->res.sample, (j->res.n_sample ? j->res.n_sample : 1) * ns1 * ALVH_TERM_COUNT * sizeof(double));
    BUF("fan_meta", j->fan_meta, nf * ns1 * FAN_META * sizeof(uint64_t));
    BUF("fan_counts", j->fan_counts, nf * ns1 * j->bins * sizeof(uint64_t));
    if (hist_mode(j)) {
        alvh_shist_acc_get_meta(j->sh, j->sh_meta);
        BUF("shist_meta", j->sh_meta, alvh_shist_n_hists(j->sh) * ALVH_SHIST_META * sizeof(uint64_t));
        BUF("shist_counts", j->sh->counts, j->sh->n_counts * sizeof(uint64_t));
        BUF("shist_counters", j->sh->counters, nv * ALVH_SHIST_N_COUNTERS * sizeof(uint64_t));
        const size_t len = alvh_shist_block_len(nv, j->sh->weighted);
        BUF("shist_blocks", j->sh_rows, (j->n_blocks ? j->n_blocks : 1) * len * sizeof(double));
        if (j->n_blocks)
            BY_BLOCK(1, len * sizeof(double), 1);
    }
#undef BY_BLOCK
#undef BUF
    return k;
}

void alvh_scenario_job_restored(alvh_scenario_job *j)
{
    const size_t nf = j->nfan, ns1 = j->res.n_steps + 1;
    for (size_t v = 0; v < nf; v++)
        for (size_t t = 0; t < ns1; t++) {
            alvh_histogram *h = &j->fan[v]->step[t];
            const uint64_t *m = j->fan_meta + (v * ns1 + t) * FAN_META;
            h->underflow = m[0], h->overflow = m[1], h->n = m[2], h->n_nan = m[3], h->n_inf = m[4];
            memcpy(&h->min, &m[5], 8);
            memcpy(&h->max, &m[6], 8);
            memcpy(h->counts, j->fan_counts + (v * ns1 + t) * j->bins, j->bins * sizeof(uint64_t));
        }
    if (hist_mode(j))
        alvh_shist_acc_set_meta(j->sh, j->sh_meta); /* the counts and rows are the buffers themselves */
}

/* n_hist histograms on rank 0: counts and the first 5 meta words (underflow,
 * overflow, n, n_nan, n_inf) add, words 5 and 6 (min, max bits) take min and max */
static alvh_status reduce_hists(uint64_t *meta, size_t n_hist, uint64_t *counts, size_t n_counts, int rank,
                                alvh_error *err) /* collective */
{
    uint64_t *sums = malloc(n_hist * 5 * sizeof(uint64_t));
    double *mins = malloc(n_hist * sizeof(double)), *maxs = malloc(n_hist * sizeof(double));
    alvh_status st = ALVH_OK;
    if (!sums || !mins || !maxs)
        st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate the histogram reduction");
    for (size_t h = 0; st == ALVH_OK && h < n_hist; h++) {
        const uint64_t *m = meta + h * FAN_META;
        memcpy(sums + h * 5, m, 5 * sizeof(uint64_t));
        memcpy(&mins[h], &m[5], 8);
        memcpy(&maxs[h], &m[6], 8);
    }
    if (st == ALVH_OK)
        st = alvh_mpi_reduce_root(counts, n_counts, ALVH_MPI_SUM_U64, err);
    if (st == ALVH_OK)
        st = alvh_mpi_reduce_root(sums, n_hist * 5, ALVH_MPI_SUM_U64, err);
    if (st == ALVH_OK)
        st = alvh_mpi_reduce_root(mins, n_hist, ALVH_MPI_MIN_F64, err);
    if (st == ALVH_OK)
        st = alvh_mpi_reduce_root(maxs, n_hist, ALVH_MPI_MAX_F64, err);
    for (size_t h = 0; st == ALVH_OK && rank == 0 && h < n_hist; h++) {
        uint64_t *m = meta + h * FAN_META;
        memcpy(m, sums + h * 5, 5 * sizeof(uint64_t));
        memcpy(&m[5], &mins[h], 8);
        memcpy(&m[6], &maxs[h], 8);
    }
    free(sums), free(mins), free(maxs);
    return st;
}

alvh_status alvh_scenario_job_gather(alvh_scenario_job *j, alvh_error *err)
{
    int ranks = j->rq.ranks > 1 ? j->rq.ranks : 1;
    if (ranks == 1)
        return ALVH_OK;
    if (!alvh_mpi_enabled())
        return alvh_error_set(err, ALVH_E_UNSUPPORTED, "%d ranks requested but this build has no MPI", ranks);
    int rank = j->rq.rank;
    alvh_scenario_result *r = &j->res;
    const size_t np = r->n_paths, nv = r->n_variants, ns1 = r->n_steps + 1, nf = j->nfan;
    const size_t bs = j->rq.market.block_size;
    size_t *lo = malloc((size_t)ranks * sizeof *lo), *hi = malloc((size_t)ranks * sizeof *hi);
    size_t *slo = malloc((size_t)ranks * sizeof *slo), *shi = malloc((size_t)ranks * sizeof *shi);
    alvh_status st = lo && hi && slo && shi ? ALVH_OK : alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate ranges");
    for (int q = 0; st == ALVH_OK && q < ranks; q++) {
        size_t fb, lb;
        alvh_mpi_block_range(j->n_blocks, q, ranks, &fb, &lb);
        lo[q] = fb * bs < np ? fb * bs : np;
        hi[q] = lb * bs < np ? lb * bs : np;
        slo[q] = lo[q] < r->n_sample ? lo[q] : r->n_sample;
        shi[q] = hi[q] < r->n_sample ? hi[q] : r->n_sample;
    }
    if (st == ALVH_OK && !hist_mode(j))
        st = alvh_mpi_gather_rows(r->terminal, ALVH_TERM_COUNT * sizeof(double), lo, hi, err);
    for (size_t v = 0; st == ALVH_OK && !hist_mode(j) && v < nv; v++)
        st = alvh_mpi_gather_rows(r->outcomes + v * np * ALVH_OUT_COUNT, ALVH_OUT_COUNT * sizeof(double), lo, hi, err);
    if (st == ALVH_OK && r->n_sample)
        st = alvh_mpi_gather_rows(r->sample, ns1 * ALVH_TERM_COUNT * sizeof(double), slo, shi, err);
    /* histograms: counts add, the exact extremes take min and max */
    alvh_job_buffer bufs[ALVH_JOB_MAX_BUFFERS];
    if (st == ALVH_OK)
        alvh_scenario_job_buffers(j, bufs); /* fills fan_meta, fan_counts and shist_meta */
    if (st == ALVH_OK)
        st = reduce_hists(j->fan_meta, nf * ns1, j->fan_counts, nf * ns1 * j->bins, rank, err);
    /* a block's record is zero on every rank but its owner's: the sum is the owner's */
    if (st == ALVH_OK)
        st = alvh_mpi_reduce_root(j->bad, j->n_blocks * 3, ALVH_MPI_SUM_U64, err);
    if (st == ALVH_OK && hist_mode(j)) {
        /* block moment rows by block, like the per-path rows */
        size_t *blo = malloc((size_t)ranks * sizeof *blo), *bhi = malloc((size_t)ranks * sizeof *bhi);
        if (!blo || !bhi)
            st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate ranges");
        for (int q = 0; st == ALVH_OK && q < ranks; q++)
            alvh_mpi_block_range(j->n_blocks, q, ranks, &blo[q], &bhi[q]);
        if (st == ALVH_OK)
            st = alvh_mpi_gather_rows(j->sh_rows, alvh_shist_block_len(nv, j->sh->weighted) * sizeof(double), blo, bhi,
                                      err);
        free(blo), free(bhi);
        if (st == ALVH_OK)
            st = reduce_hists(j->sh_meta, alvh_shist_n_hists(j->sh), j->sh->counts, j->sh->n_counts, rank, err);
        if (st == ALVH_OK)
            st = alvh_mpi_reduce_root(j->sh->counters, nv * ALVH_SHIST_N_COUNTERS, ALVH_MPI_SUM_U64, err);
    }
    if (st == ALVH_OK && rank == 0)
        alvh_scenario_job_restored(j);
    free(lo), free(hi), free(slo), free(shi);
    return st;
}

/* blocks of other ranks count as done here: they arrive by alvh_scenario_job_gather */
static void mark_foreign_done(alvh_scenario_job *j)
{
    for (size_t b = 0; b < j->n_blocks; b++)
        if (b < j->first_block || b >= j->last_block)
            j->done[b] = 1;
}

/* each rank's done flags of its own blocks, on rank 0 (collective) */
static alvh_status gather_done(alvh_scenario_job *j, int ranks, alvh_error *err)
{
    size_t *lo = malloc((size_t)ranks * sizeof *lo), *hi = malloc((size_t)ranks * sizeof *hi);
    alvh_status st = lo && hi ? ALVH_OK : alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate ranges");
    for (int q = 0; st == ALVH_OK && q < ranks; q++)
        alvh_mpi_block_range(j->n_blocks, q, ranks, &lo[q], &hi[q]);
    if (st == ALVH_OK)
        st = alvh_mpi_gather_rows(j->done, 1, lo, hi, err);
    free(lo), free(hi);
    return st;
}

alvh_status alvh_scenario_job_checkpoint_begin(alvh_scenario_job *j, alvh_error *err)
{
    if (j->rq.ranks <= 1)
        return ALVH_OK;
    alvh_status st = alvh_scenario_job_gather(j, err);
    if (st == ALVH_OK)
        st = gather_done(j, j->rq.ranks, err);
    if (st == ALVH_OK && j->rq.rank != 0) { /* the counts now live on rank 0 */
        for (size_t v = 0; v < j->nfan; v++)
            alvh_fan_reset(j->fan[v]);
        if (hist_mode(j))
            alvh_shist_acc_reset(j->sh);
        memset(j->bad, 0, (j->n_blocks ? j->n_blocks : 1) * 3 * sizeof(uint64_t));
    }
    return st;
}

void alvh_scenario_job_checkpoint_end(alvh_scenario_job *j)
{
    if (j->rq.ranks > 1)
        mark_foreign_done(j);
}

alvh_status alvh_scenario_job_share_restored(alvh_scenario_job *j, alvh_error *err)
{
    if (j->rq.ranks <= 1)
        return ALVH_OK;
    alvh_scenario_result *r = &j->res;
    const size_t np = r->n_paths, nv = r->n_variants, ns1 = r->n_steps + 1;
    alvh_status st = alvh_mpi_bcast_bytes(j->done, j->n_blocks, err);
    if (st == ALVH_OK && !hist_mode(j))
        st = alvh_mpi_bcast_bytes(r->terminal, np * ALVH_TERM_COUNT * sizeof(double), err);
    if (st == ALVH_OK && !hist_mode(j))
        st = alvh_mpi_bcast_bytes(r->outcomes, nv * np * ALVH_OUT_COUNT * sizeof(double), err);
    if (st == ALVH_OK && r->n_sample)
        st = alvh_mpi_bcast_bytes(r->sample, r->n_sample * ns1 * ALVH_TERM_COUNT * sizeof(double), err);
    if (st == ALVH_OK && hist_mode(j))
        st = alvh_mpi_bcast_bytes(j->sh_rows, j->n_blocks * alvh_shist_block_len(nv, j->sh->weighted) * sizeof(double),
                                  err);
    mark_foreign_done(j);
    return st;
}

/* histogram mode: tables from the merged accumulators and the block rows in block order */
/* Row `row`, column c of a summary table (NaN when absent). */
static double table_cell(const alvh_table *t, const char *row, size_t c)
{
    for (size_t r = 0; r < t->rows; r++)
        if (strcmp(t->row_names[r], row) == 0)
            return t->data[r * t->cols + c];
    return NAN;
}

/* Range of the stored P&L histogram: the 1 % to 99 % quantile span
 * widened by a quarter of itself on each side (so the body of the
 * distribution gets about two thirds of the bins), cut to [min, max] of the
 * finite values; values outside are counted as underflow / overflow. With no
 * spread between those quantiles: [min, max]. */
static void pnl_hist_range(const double *x, size_t n, double q_lo, double q_hi, double *lo, double *hi)
{
    double mn = INFINITY, mx = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i])) {
            mn = fmin(mn, x[i]);
            mx = fmax(mx, x[i]);
        }
    double scale = isfinite(mn) ? fmax(1.0, fmax(fabs(mn), fabs(mx))) : 1.0;
    if (!(mn < mx) || mx - mn < 1e-9 * scale) {
        /* one value, none, or values closer than the bins could tell apart (every
         * path lost the whole capital): a range of width max(1, 1e-6 |value|) around them */
        double mid = isfinite(mn) ? 0.5 * (mn + mx) : 0.0, w = fmax(1.0, 1e-6 * scale);
        *lo = mid - 0.5 * w;
        *hi = mid + 0.5 * w;
        return;
    }
    double span = q_hi - q_lo;
    *lo = mn;
    *hi = mx;
    if (span > 0 && isfinite(span)) {
        *lo = fmax(mn, q_lo - 0.25 * span);
        *hi = fmin(mx, q_hi + 0.25 * span);
    }
    if (*hi >= mx)
        *hi = nextafter(mx + (mx - *lo) * 1e-9, INFINITY); /* the maximum falls in the last bin */
}

static alvh_status finish_hist(alvh_scenario_job *j, alvh_scenario_result *out, alvh_error *err)
{
    alvh_scenario_result *r = &j->res;
    const size_t nv = r->n_variants;
    alvh_shist_tables t = {.pnl = r->pnl, .risk = r->risk, .eff = r->eff, .pnl_bound = r->pnl_bound,
                           .risk_bound = r->risk_bound, .eff_bound = r->eff_bound, .importance = r->importance};
    alvh_status st = alvh_shist_tables_compute(j->sh, j->sh_rows, j->n_blocks, r->baseline, &t, err);
    const size_t nb = r->hist_bins;
    r->hist_counts = calloc(nv * nb, sizeof(uint64_t));
    r->hist_edges = malloc(nv * (nb + 1) * sizeof(double));
    r->hist_nonfinite = calloc(nv, sizeof(uint64_t));
    r->hist_outside = calloc(2 * nv, sizeof(uint64_t));
    if (st == ALVH_OK && (!r->hist_counts || !r->hist_edges || !r->hist_nonfinite || !r->hist_outside))
        st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate the P&L histograms");
    if (st == ALVH_OK && j->sh->weighted) { /* the weighted counts beside the path counts, as in exact mode */
        r->hist_weight = calloc(nv * nb, sizeof(double));
        r->hist_weight_sq = calloc(nv * nb, sizeof(double));
        r->hist_outside_weight = calloc(2 * nv, sizeof(double));
        if (!r->hist_weight || !r->hist_weight_sq || !r->hist_outside_weight)
            st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate the weighted P&L histograms");
    }
    for (size_t v = 0; st == ALVH_OK && v < nv; v++) {
        /* the body of the distribution, from the estimated quantiles (as in exact mode) */
        double q1 = table_cell(&r->pnl[v], "quantile_1", ALVH_OUT_TOTAL);
        double q99 = table_cell(&r->pnl[v], "quantile_99", ALVH_OUT_TOTAL), span = q99 - q1;
        alvh_shist_total_hist_range(j->sh, v, nb, q1 - 0.25 * span, q99 + 0.25 * span, r->hist_counts + v * nb,
                                    r->hist_edges + v * (nb + 1), &r->hist_nonfinite[v], &r->hist_outside[2 * v],
                                    &r->hist_outside[2 * v + 1]);
        if (r->hist_weight)
            st = alvh_shist_total_weights_range(j->sh, v, nb, q1 - 0.25 * span, q99 + 0.25 * span,
                                                r->hist_weight + v * nb, r->hist_weight_sq + v * nb,
                                                r->hist_outside_weight + 2 * v, err);
    }
    if (st == ALVH_OK) {
        *out = *r;
        memset(r, 0, sizeof *r);
    }
    return st;
}

/* paths drawn under an importance-sampling tilt: every exact-mode table weights them (a tilt <= 0 means none) */
static int tilted(const alvh_scenario_request *rq) { return alvh_tilt_active(&rq->market.params.tilt); }

/* the estimator flags of the tables (engine/summary.h): weights under a tilt, pairs when antithetic */
static int est_of(const alvh_scenario_request *rq)
{
    return (tilted(rq) ? ALVH_EST_WEIGHTED : 0) | (rq->market.antithetic ? ALVH_EST_PAIRS : 0);
}

/* Euler attribution of variant v, and incremental ES from its leave-one-out
 * variants when it asked for them (engine/variants.h names them). */
static alvh_status attribution_of(alvh_scenario_job *j, size_t v, alvh_error *err)
{
    const alvh_scenario_result *r = &j->res;
    const size_t np = r->n_paths, nv = r->n_variants;
    const alvh_variant *var = &j->rq.variants[v];
    const double *o = r->outcomes + v * np * ALVH_OUT_COUNT;
    const double *loo[ALVH_LAYER_COUNT] = {0};
    if (var->attribution == ALVH_ATTR_LEAVE_ONE_OUT) {
        for (int l = 0; l < ALVH_LAYER_COUNT; l++) {
            char name[sizeof var->name];
            if (!(var->layers >> l & 1) || alvh_loo_name(name, sizeof name, var->name, l) != 0)
                continue;
            size_t w = alvh_variant_find(j->rq.variants, nv, name);
            if (w < nv)
                loo[l] = r->outcomes + w * np * ALVH_OUT_COUNT;
        }
    }
    return alvh_attribution_table(o, np, var->attribution == ALVH_ATTR_LEAVE_ONE_OUT ? loo : NULL, est_of(&j->rq),
                                  &r->attr[v], err);
}

/* weighted counts of the total-P&L histogram h: per bin the sums of LR and LR^2 of its paths,
 * in path order (the finite values; a path with a non-finite LR adds nothing) */
static void hist_weights(const alvh_histogram *h, const double *o, size_t np, double *w, double *w2, double *out)
{
    const long nb = (long)h->n_bins;
    out[0] = out[1] = 0.0;
    for (size_t i = 0; i < np; i++) {
        const double lr = o[i * ALVH_OUT_COUNT + ALVH_OUT_LR];
        const long b = alvh_hist_bin_index(h, o[i * ALVH_OUT_COUNT + ALVH_OUT_TOTAL]);
        if (!isfinite(lr) || b == -2)
            continue;
        if (b < 0 || b == nb) {
            out[b < 0 ? 0 : 1] += lr;
            continue;
        }
        w[b] += lr;
        w2[b] += lr * lr;
    }
}

/* exact mode: the risk and effectiveness tables and the total-P&L histogram
 * of variant v (the P&L table is made before, its columns spread over the
 * threads; its quantiles give the histogram's default range) */
static alvh_status finish_variant(alvh_scenario_job *j, size_t v, alvh_error *err)
{
    alvh_scenario_result *r = &j->res;
    const size_t np = r->n_paths;
    const double *o = r->outcomes + v * np * ALVH_OUT_COUNT;
    const int est = est_of(&j->rq), pairs = j->rq.market.antithetic;
    alvh_status st = alvh_summary_risk(o, np, est, &r->risk[v], err);
    const size_t bv = r->baseline[v];
    const double *ob = r->outcomes + bv * np * ALVH_OUT_COUNT;
    if (st == ALVH_OK && bv != v)
        st = alvh_summary_effectiveness(o, ob, np, est, &r->eff[v], err);
    if (st == ALVH_OK && bv != v)
        st = alvh_tail_eff_table(o, ob, np, j->rq.book.capital_usd, est, &r->tail_eff[v], err);
    if (st == ALVH_OK)
        st = alvh_tail_composition(o, np, est, &r->tail_comp[v], err);
    if (st == ALVH_OK)
        st = alvh_weighted_risk(o, np, pairs, &r->importance[v], err);
    if (st == ALVH_OK && pairs)
        st = alvh_antithetic_table(o, np, tilted(&j->rq), &r->antithetic[v], err);
    if (st == ALVH_OK) {
        /* the controls' exact means hold without forced events */
        alvh_market_params pp;
        char msg[200];
        double mu[ALVH_CV_CONTROLS];
        int known = j->rq.market.n_injections == 0 &&
                    alvh_market_paths_params(&j->rq.market.params, &pp, msg, sizeof msg) == 0;
        if (known)
            alvh_cv_exact_means(&pp, j->rq.market.dt_years, j->rq.market.n_steps, mu);
        st = alvh_cv_table(o, r->terminal, np, known ? mu : NULL, pairs, &r->cv[v], err);
    }
    if (st == ALVH_OK)
        st = attribution_of(j, v, err);
    double *x = st == ALVH_OK ? malloc(np * sizeof(double)) : NULL;
    if (st == ALVH_OK && !x)
        st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate the P&L histogram of %zu paths", np);
    if (st != ALVH_OK)
        return st;
    for (size_t i = 0; i < np; i++)
        x[i] = o[i * ALVH_OUT_COUNT + ALVH_OUT_TOTAL];
    const size_t nb = r->hist_bins;
    double lo = j->rq.hist_lo_usd, hi = j->rq.hist_hi_usd;
    if (!(lo < hi)) /* not given (NaN): the body of the distribution */
        pnl_hist_range(x, np, table_cell(&r->pnl[v], "quantile_1", ALVH_OUT_TOTAL),
                       table_cell(&r->pnl[v], "quantile_99", ALVH_OUT_TOTAL), &lo, &hi);
    alvh_histogram *h = alvh_hist_create(lo, hi, nb, err);
    if (!h) {
        free(x);
        return err ? err->code : ALVH_E_NOMEM;
    }
    alvh_hist_add_array(h, x, np);
    memcpy(r->hist_counts + v * nb, h->counts, nb * sizeof(uint64_t));
    for (size_t b = 0; b <= nb; b++)
        r->hist_edges[v * (nb + 1) + b] = alvh_hist_edge(h, b);
    r->hist_outside[2 * v] = h->underflow;
    r->hist_outside[2 * v + 1] = h->overflow;
    r->hist_nonfinite[v] = h->n_nan + h->n_inf;
    if (r->hist_weight)
        hist_weights(h, o, np, r->hist_weight + v * nb, r->hist_weight_sq + v * nb, r->hist_outside_weight + 2 * v);
    alvh_hist_free(h);
    free(x);
    return ALVH_OK;
}

alvh_status alvh_scenario_job_finish(alvh_scenario_job *j, alvh_scenario_result *out, alvh_error *err)
{
    alvh_scenario_result *r = &j->res;
    const size_t ns = r->n_steps, nv = r->n_variants;
    if (alvh_scenario_job_blocks_done(j) != j->n_blocks)
        return alvh_error_set(err, ALVH_E_INTERNAL, "scenario finished with %zu of %zu blocks done",
                              alvh_scenario_job_blocks_done(j), j->n_blocks);
    /* blocks in order: the first block with a non-finite path holds the lowest path */
    r->nonfinite_paths = 0;
    r->first_nonfinite_path = r->first_nonfinite_step = -1;
    for (size_t b = 0; b < j->n_blocks; b++) {
        const uint64_t *e = j->bad + b * 3;
        r->nonfinite_paths += e[0];
        if (e[1] && r->first_nonfinite_path < 0) {
            r->first_nonfinite_path = (int64_t)(e[1] - 1);
            r->first_nonfinite_step = (int64_t)e[2];
        }
    }
    alvh_status st = ALVH_OK;
    double t0 = alvh_phase_now();
    /* under a tilt the stored quantiles are those of the weighted twins (the model's law) */
    const size_t wt = j->nfan > nv + ALVH_MKT_FANS ? nv + ALVH_MKT_FANS : 0;
    for (size_t v = 0; st == ALVH_OK && v < nv + ALVH_MKT_FANS; v++)
        st = alvh_fan_quantiles(j->fan[wt + v], r->fan_probs, r->n_fan_probs, r->fan + v * (ns + 1) * r->n_fan_probs,
                                r->fan_bound + v * (ns + 1) * r->n_fan_probs, err);
    double t1 = alvh_phase_now();
    alvh_phase_add(ALVH_PHASE_FANS, t1 - t0);
    if (st == ALVH_OK && hist_mode(j)) {
        st = finish_hist(j, out, err);
        alvh_phase_add(ALVH_PHASE_STATS, alvh_phase_now() - t1);
        return st;
    }
    const size_t nb = r->hist_bins;
    r->hist_counts = calloc(nv * nb, sizeof(uint64_t));
    r->hist_edges = malloc(nv * (nb + 1) * sizeof(double));
    r->hist_nonfinite = calloc(nv, sizeof(uint64_t));
    r->hist_outside = calloc(2 * nv, sizeof(uint64_t));
    if (tilted(&j->rq)) {
        r->hist_weight = calloc(nv * nb, sizeof(double));
        r->hist_weight_sq = calloc(nv * nb, sizeof(double));
        r->hist_outside_weight = calloc(2 * nv, sizeof(double));
        if (st == ALVH_OK && (!r->hist_weight || !r->hist_weight_sq || !r->hist_outside_weight))
            st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate the weighted P&L histograms");
    }
    alvh_status *vst = malloc(nv * sizeof *vst);
    alvh_error *verr = calloc(nv, sizeof *verr);
    if (st == ALVH_OK && (!r->hist_counts || !r->hist_edges || !r->hist_nonfinite || !r->hist_outside || !vst ||
                          !verr))
        st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate the P&L histograms");
    for (size_t v = 0; st == ALVH_OK && v < nv; v++)
        st = alvh_summary_pnl(r->outcomes + v * r->n_paths * ALVH_OUT_COUNT, r->n_paths, j->rq.book.capital_usd,
                              j->threads, est_of(&j->rq), &r->pnl[v], err);
    /* the rest of each variant is independent: one per thread, each computed as it would be alone;
     * the variants compared with a baseline (the effectiveness tables: about twice the work) are
     * handed out first, so no thread starts a long one while the others finish */
    size_t *order = st == ALVH_OK ? malloc(nv * sizeof *order) : NULL;
    if (st == ALVH_OK && !order)
        st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate the variants' order");
    size_t no = 0;
    for (int pass = 0; order && pass < 2; pass++)
        for (size_t v = 0; v < nv; v++)
            if ((r->baseline[v] != v) == (pass == 0))
                order[no++] = v;
    if (st == ALVH_OK) {
#pragma omp parallel for schedule(dynamic, 1) num_threads(j->threads)
        for (size_t k = 0; k < nv; k++)
            vst[order[k]] = finish_variant(j, order[k], &verr[order[k]]);
    }
    free(order);
    for (size_t v = 0; st == ALVH_OK && v < nv; v++)
        if (vst[v] != ALVH_OK) {
            st = vst[v];
            if (err)
                *err = verr[v];
        }
    free(vst);
    free(verr);
    if (st == ALVH_OK) {
        *out = *r;
        memset(r, 0, sizeof *r);
    }
    alvh_phase_add(ALVH_PHASE_STATS, alvh_phase_now() - t1);
    return st;
}

alvh_status alvh_scenario_run(const alvh_scenario_request *rq, const alvh_kernel_ops *ops, alvh_scenario_result *res,
                              alvh_error *err)
{
    memset(res, 0, sizeof *res);
    alvh_scenario_job *j;
    alvh_status st = alvh_scenario_job_create(rq, ops, &j, err);
    if (st != ALVH_OK)
        return st;
    st = alvh_scenario_job_round(j, 0, NULL, err);
    if (st == ALVH_OK)
        st = alvh_scenario_job_finish(j, res, err);
    alvh_scenario_job_free(j);
    return st;
}
