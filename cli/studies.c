#include "cli/studies.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/reverse_stress.h"
#include "engine/sweep.h"
#include "engine/variants.h"
#include "io/h5_datasets.h"
#include "io/h5_layout.h"

static alvh_status write_table(alvh_h5_writer *w, const char *scenario, const char *variant, const char *name,
                               const alvh_table *t, alvh_error *err)
{
    char path[ALVH_H5_PATH_MAX];
    alvh_status st = alvh_h5_variant_path(path, sizeof path, scenario, variant, err);
    const char **rows = malloc(t->rows * sizeof *rows), **units = malloc(t->rows * sizeof *units);
    const char **cols = malloc(t->cols * sizeof *cols);
    if (st == ALVH_OK && (!rows || !units || !cols))
        st = alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate table names");
    for (size_t r = 0; st == ALVH_OK && r < t->rows; r++)
        rows[r] = t->row_names[r], units[r] = t->row_units[r];
    for (size_t c = 0; st == ALVH_OK && c < t->cols; c++)
        cols[c] = t->col_names[c];
    if (st == ALVH_OK)
        st = alvh_h5_write_labelled(w, path, name, t->rows, t->cols, t->data, rows, cols, units, err);
    free(rows), free(units), free(cols);
    return st;
}

static alvh_status one_sweep(alvh_h5_writer *w, const char *scenario, const alvh_config_sweep *s,
                             const alvh_config *cfg, const alvh_scenario_request *rq, const alvh_kernel_ops *ops,
                             int quiet, alvh_error *err)
{
    double values[64];
    for (size_t k = 0; k < s->points; k++)
        values[k] = k + 1 == s->points ? s->to : s->from + (s->to - s->from) * (double)k / (double)(s->points - 1);
    alvh_sweep_spec sp = {.variant = alvh_variant_find(cfg->variants, cfg->n_variants, s->variant),
                          .param_offset = s->param_offset, .param = s->param, .values = values,
                          .n_values = s->points};
    alvh_table t;
    alvh_status st = alvh_sweep_run(rq, &sp, ops, &t, err);
    if (st != ALVH_OK)
        return st;
    char name[ALVH_CONFIG_TEXT_MAX + 8];
    snprintf(name, sizeof name, "sweep_%s", s->param);
    st = write_table(w, scenario, s->variant, name, &t, err);
    if (st == ALVH_OK && !quiet) {
        printf("  sweep %s of %s (same paths; diff = against the first point, paired SE):\n", s->param, s->variant);
        printf("    %12s %12s %12s %12s %16s %10s %10s\n", "value", "mean", "ES99", "ES99 SE", "ES99 diff (SE)",
               "P(liq.p)", "P(liq.b)");
        const size_t n = t.cols;
        for (size_t c = 0; c < n; c++) {
            char dd[40];
            snprintf(dd, sizeof dd, "%+.0f (%.0f)", t.data[9 * n + c], t.data[10 * n + c]);
            printf("    %12.6g %12.0f %12.0f %12.0f %16s %10.4f %10.4f\n", t.data[c], t.data[n + c],
                   t.data[3 * n + c], t.data[4 * n + c], dd, t.data[5 * n + c], t.data[6 * n + c]);
        }
    }
    alvh_table_free(&t);
    return st;
}

static alvh_status one_rstress(alvh_h5_writer *w, const char *scenario, size_t k, const alvh_config_rstress *r,
                               const alvh_config *cfg, const alvh_scenario_request *rq, const alvh_kernel_ops *ops,
                               int quiet, alvh_error *err)
{
    alvh_rs_spec sp = {.variant = alvh_variant_find(cfg->variants, cfg->n_variants, r->variant),
                       .kind = (alvh_rs_kind)r->stress, .injection = r->injection, .size_lo = r->size_lo,
                       .size_hi = r->size_hi, .limit_frac = r->limit_es99_frac, .tol = r->tol, .max_iter = 60};
    alvh_rs_result res;
    alvh_status st = alvh_reverse_stress(rq, &sp, ops, &res, err);
    if (st != ALVH_OK)
        return st;
    static const char *rows[] = {"size_lo", "size_hi", "es_99_lo", "es_99_hi", "limit_usd", "iterations"};
    static const char *units[] = {"1", "1", "USD", "USD", "USD", "count"};
    double data[6] = {res.lo, res.hi, res.es_lo, res.es_hi, r->limit_es99_frac * rq->book.capital_usd,
                      (double)res.iterations};
    const char *cols[1] = {alvh_rs_kind_names[sp.kind]};
    char path[ALVH_H5_PATH_MAX], name[48];
    snprintf(name, sizeof name, "reverse_stress_%zu", k);
    st = alvh_h5_variant_path(path, sizeof path, scenario, r->variant, err);
    if (st == ALVH_OK)
        st = alvh_h5_write_labelled(w, path, name, 6, 1, data, rows, cols, units, err);
    if (st == ALVH_OK && !quiet)
        printf("  reverse stress %s of %s: ES99 > %.3g x capital from a size in (%.6g, %.6g] (ES99 %.0f -> %.0f USD, "
               "%zu bisections, same paths)\n",
               cols[0], r->variant, r->limit_es99_frac, res.lo, res.hi, res.es_lo, res.es_hi, res.iterations);
    return st;
}

alvh_status alvh_run_studies(alvh_h5_writer *w, const char *scenario, const alvh_config *cfg,
                             const alvh_scenario_request *rq0, const alvh_kernel_ops *ops, int quiet, alvh_error *err)
{
    alvh_scenario_request rq = *rq0;
    rq.rank = 0, rq.ranks = 1; /* the studies run on rank 0 alone */
    alvh_status st = ALVH_OK;
    for (size_t k = 0; st == ALVH_OK && k < cfg->n_sweeps; k++)
        st = one_sweep(w, scenario, &cfg->sweeps[k], cfg, &rq, ops, quiet, err);
    for (size_t k = 0; st == ALVH_OK && k < cfg->n_rstress; k++)
        st = one_rstress(w, scenario, k, &cfg->rstress[k], cfg, &rq, ops, quiet, err);
    return st;
}
