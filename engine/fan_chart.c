/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-step histogram sets for fan charts (see fan_chart.h). */
#include "engine/fan_chart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

alvh_fan_chart *alvh_fan_create(size_t n_steps, const double *lo, const double *hi, size_t n_bins,
                                alvh_error *err)
{
    if (n_steps == 0 || !lo || !hi) {
        alvh_error_set(err, ALVH_E_CONFIG, "fan chart: %zu steps%s", n_steps,
                       (!lo || !hi) ? ", NULL ranges" : "");
        return NULL;
    }
    if (n_bins == 0 || n_bins > SIZE_MAX / sizeof(uint64_t) / n_steps) {
        alvh_error_set(err, ALVH_E_CONFIG, "fan chart: %zu steps x %zu bins", n_steps, n_bins);
        return NULL;
    }
    alvh_fan_chart *f = calloc(1, sizeof *f);
    if (f) {
        f->step = malloc(n_steps * sizeof *f->step);
        f->storage = malloc(n_steps * n_bins * sizeof *f->storage);
    }
    if (!f || !f->step || !f->storage) {
        alvh_fan_free(f);
        alvh_error_set(err, ALVH_E_NOMEM, "fan chart: %zu steps x %zu bins", n_steps, n_bins);
        return NULL;
    }
    f->n_steps = n_steps;
    f->n_bins = n_bins;
    f->bin = alvh_hist_bin_scalar;
    for (size_t t = 0; t < n_steps; t++) {
        if (alvh_hist_init(&f->step[t], lo[t], hi[t], n_bins, f->storage + t * n_bins, err) != ALVH_OK) {
            char why[sizeof err->msg];
            if (err) {
                snprintf(why, sizeof why, "%s", err->msg);
                alvh_error_set(err, err->code, "fan chart step %zu: %s", t, why);
            }
            alvh_fan_free(f);
            return NULL;
        }
    }
    return f;
}

void alvh_fan_free(alvh_fan_chart *f)
{
    if (!f)
        return;
    free(f->step);
    free(f->storage);
    free(f->stage);
    free(f->stage_n);
    free(f);
}

alvh_status alvh_fan_set_staging(alvh_fan_chart *f, alvh_hist_bin16_fn *bin16, alvh_error *err)
{
    if (!f || !bin16)
        return alvh_error_set(err, ALVH_E_INTERNAL, "fan chart staging: NULL argument");
    if (!f->stage) {
        f->stage = calloc(f->n_steps * f->n_bins, sizeof *f->stage);
        f->stage_n = calloc(f->n_steps, sizeof *f->stage_n);
        if (!f->stage || !f->stage_n) {
            free(f->stage), free(f->stage_n);
            f->stage = NULL, f->stage_n = NULL;
            return alvh_error_set(err, ALVH_E_NOMEM, "fan chart staging: %zu steps x %zu bins", f->n_steps,
                                  f->n_bins);
        }
    }
    f->bin16 = bin16;
    return ALVH_OK;
}

static void flush_step(alvh_fan_chart *f, size_t t)
{
    uint64_t *c = f->step[t].counts;
    uint16_t *g = f->stage + t * f->n_bins;
    for (size_t j = 0; j < f->n_bins; j++)
        c[j] += g[j];
    memset(g, 0, f->n_bins * sizeof *g);
    f->stage_n[t] = 0;
}

void alvh_fan_flush(alvh_fan_chart *f)
{
    for (size_t t = 0; f && f->stage && t < f->n_steps; t++)
        if (f->stage_n[t])
            flush_step(f, t);
}

void alvh_fan_reset(alvh_fan_chart *f)
{
    for (size_t t = 0; t < f->n_steps; t++)
        alvh_hist_reset(&f->step[t]);
    if (f->stage) {
        memset(f->stage, 0, f->n_steps * f->n_bins * sizeof *f->stage);
        memset(f->stage_n, 0, f->n_steps * sizeof *f->stage_n);
    }
}

void alvh_fan_prefetch_step(const alvh_fan_chart *f, size_t step)
{
    if (!f || step >= f->n_steps)
        return;
    if (f->stage) {
        const uint16_t *g = f->stage + step * f->n_bins;
        for (size_t b = 0; b < f->n_bins; b += 64 / sizeof *g)
            __builtin_prefetch(g + b, 1, 3);
        return;
    }
    const uint64_t *c = f->step[step].counts;
    for (size_t b = 0; b < f->n_bins; b += 64 / sizeof *c)
        __builtin_prefetch(c + b, 1, 3);
}

void alvh_fan_set_binning(alvh_fan_chart *f, alvh_hist_bin_fn *bin) { f->bin = bin ? bin : alvh_hist_bin_scalar; }

alvh_status alvh_fan_add_step(alvh_fan_chart *f, size_t step, const double *values, size_t n_paths,
                              alvh_error *err)
{
    if (!f || (n_paths > 0 && !values))
        return alvh_error_set(err, ALVH_E_INTERNAL, "fan chart add: NULL argument");
    if (step >= f->n_steps)
        return alvh_error_set(err, ALVH_E_INTERNAL, "fan chart add: step %zu of %zu", step, f->n_steps);
    if (f->stage && n_paths <= UINT16_MAX) {
        if (f->stage_n[step] + n_paths > UINT16_MAX) /* a bin could pass 65535: add them up first */
            flush_step(f, step);
        alvh_hist_add_binned16(&f->step[step], f->bin16, values, n_paths, f->stage + step * f->n_bins);
        f->stage_n[step] += n_paths;
        return ALVH_OK;
    }
    alvh_hist_add_binned(&f->step[step], f->bin, values, n_paths);
    return ALVH_OK;
}

alvh_status alvh_fan_add_step_weighted(alvh_fan_chart *f, size_t step, const double *values, const uint64_t *qw,
                                       size_t n_paths, alvh_error *err)
{
    if (!f || (n_paths > 0 && (!values || !qw)))
        return alvh_error_set(err, ALVH_E_INTERNAL, "fan chart add: NULL argument");
    if (step >= f->n_steps)
        return alvh_error_set(err, ALVH_E_INTERNAL, "fan chart add: step %zu of %zu", step, f->n_steps);
    alvh_hist_add_binned_weighted(&f->step[step], f->bin, values, qw, n_paths);
    return ALVH_OK;
}

alvh_status alvh_fan_add_block(alvh_fan_chart *f, const double *values, size_t n_paths, size_t ld,
                               alvh_error *err)
{
    if (!f || (n_paths > 0 && !values))
        return alvh_error_set(err, ALVH_E_INTERNAL, "fan chart add: NULL argument");
    if (ld < n_paths)
        return alvh_error_set(err, ALVH_E_INTERNAL, "fan chart add: ld %zu < %zu paths", ld, n_paths);
    for (size_t t = 0; t < f->n_steps; t++)
        alvh_hist_add_binned(&f->step[t], f->bin, values + t * ld, n_paths);
    return ALVH_OK;
}

/* 1 when some step holds staged counts not yet in its histogram */
static int staged(const alvh_fan_chart *f)
{
    for (size_t t = 0; f->stage && t < f->n_steps; t++)
        if (f->stage_n[t])
            return 1;
    return 0;
}

alvh_status alvh_fan_merge(alvh_fan_chart *into, const alvh_fan_chart *from, alvh_error *err)
{
    if (!into || !from)
        return alvh_error_set(err, ALVH_E_INTERNAL, "fan chart merge: NULL argument");
    if (into->n_steps != from->n_steps)
        return alvh_error_set(err, ALVH_E_INTERNAL, "fan chart merge: %zu vs %zu steps", into->n_steps,
                              from->n_steps);
    if (staged(from) || staged(into))
        return alvh_error_set(err, ALVH_E_INTERNAL, "fan chart merge: staged counts not flushed");
    for (size_t t = 0; t < into->n_steps; t++) {
        alvh_status st = alvh_hist_merge(&into->step[t], &from->step[t], err);
        if (st)
            return st;
    }
    return ALVH_OK;
}

alvh_status alvh_fan_quantiles(const alvh_fan_chart *f, const double *p, size_t n_p, double *q,
                               double *bound, alvh_error *err)
{
    if (!f || (n_p > 0 && (!p || !q)))
        return alvh_error_set(err, ALVH_E_INTERNAL, "fan chart quantiles: NULL argument");
    if (staged(f))
        return alvh_error_set(err, ALVH_E_INTERNAL, "fan chart quantiles: staged counts not flushed");
    for (size_t k = 0; k < n_p; k++)
        if (!(p[k] >= 0.0 && p[k] <= 1.0))
            return alvh_error_set(err, ALVH_E_CONFIG, "fan chart quantiles: probability %g outside [0, 1]", p[k]);
    int ascending = n_p <= 64;
    for (size_t k = 1; k < n_p; k++)
        ascending &= p[k] >= p[k - 1];
    for (size_t t = 0; t < f->n_steps; t++) {
        double *qt = &q[t * n_p], *bt = bound ? &bound[t * n_p] : NULL;
        if (f->step[t].n == 0) {
            for (size_t k = 0; k < n_p; k++) {
                qt[k] = NAN;
                if (bt)
                    bt[k] = NAN;
            }
            continue;
        }
        /* ascending probabilities (alvh_fan_probs): one pass over the bins per step */
        if (ascending) {
            alvh_status st = alvh_hist_quantiles(&f->step[t], p, n_p, qt, bt, err);
            if (st)
                return st;
            continue;
        }
        for (size_t k = 0; k < n_p; k++) {
            alvh_status st = alvh_hist_quantile(&f->step[t], p[k], &qt[k], bt ? &bt[k] : NULL, err);
            if (st)
                return st;
        }
    }
    return ALVH_OK;
}
