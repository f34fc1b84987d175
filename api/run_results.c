/* SPDX-License-Identifier: BSD-3-Clause */
/* alvh_run_results: every scenario of a configuration run in memory, then
 * written as one result file (include/alvh.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alvh_gitinfo.h"
#include "api/api_internal.h"
#include "engine/dispatch.h"
#include "engine/scenario_run.h"
#include "engine/scheduler.h"
#include "io/config.h"
#include "io/h5_writer.h"
#include "io/result_file.h"

struct alvh_run_results {
    const alvh_config *cfg; /* the configuration that ran (owned by its handle) */
    alvh_scenario_result *res;
    size_t n;
    char *resolved;         /* resolved configuration text, recorded in the file */
    const char *isa;
    int threads;
    time_t start_utc, end_utc;
    alvh_error err;
};

alvh_run_results *alvh_run_results_create(void)
{
    return calloc(1, sizeof(alvh_run_results));
}

static void results_clear(alvh_run_results *r)
{
    for (size_t k = 0; k < r->n; k++)
        alvh_scenario_result_free(&r->res[k]);
    free(r->res);
    free(r->resolved);
    r->res = NULL;
    r->resolved = NULL;
    r->n = 0;
    r->cfg = NULL;
}

void alvh_run_results_free(alvh_run_results *r)
{
    if (!r)
        return;
    results_clear(r);
    free(r);
}

alvh_code alvh_run_execute(const alvh_run_config *c, alvh_run_results *r)
{
    if (!r)
        return ALVH_CODE_BAD_INPUT;
    results_clear(r);
    memset(&r->err, 0, sizeof r->err);
    const alvh_config *cfg = alvh_api_config_of(c);
    if (!cfg)
        return alvh_api_bad_arg(&r->err, "alvh_run_execute", "no configuration loaded");
    const alvh_kernel_ops *ops;
    alvh_status st = alvh_dispatch_select(NULL, &ops, &r->err);
    if (st != ALVH_OK)
        return alvh_api_code(st);
    r->res = calloc(cfg->n_scenarios, sizeof *r->res);
    r->resolved = alvh_config_resolved_text(cfg);
    if (!r->res || !r->resolved) {
        results_clear(r);
        alvh_error_set(&r->err, ALVH_E_NOMEM, "alvh_run_execute: out of memory");
        return ALVH_CODE_FAILED;
    }
    r->cfg = cfg;
    r->isa = ops->name;
    r->threads = alvh_sched_threads((int)cfg->run.threads);
    r->start_utc = time(NULL);
    for (size_t k = 0; st == ALVH_OK && k < cfg->n_scenarios; k++) {
        alvh_scenario_request rq = alvh_config_scenario_request(cfg, k, 0, 1);
        st = alvh_scenario_run(&rq, ops, &r->res[k], &r->err);
        if (st == ALVH_OK)
            r->n = k + 1;
    }
    r->end_utc = time(NULL);
    if (st != ALVH_OK) {
        alvh_error keep = r->err;
        results_clear(r);
        r->err = keep;
    }
    return alvh_api_code(st);
}

alvh_code alvh_run_results_write(alvh_run_results *r, const char *path)
{
    if (!r)
        return ALVH_CODE_BAD_INPUT;
    memset(&r->err, 0, sizeof r->err);
    if (!r->cfg)
        return alvh_api_bad_arg(&r->err, "alvh_run_results_write", "no results (call alvh_run_execute first)");
    if (!path || !*path)
        return alvh_api_bad_arg(&r->err, "alvh_run_results_write", "empty file name");
    alvh_h5_writer *w = NULL;
    alvh_status st = alvh_h5_open(path, &w, &r->err);
    alvh_h5_run_info info = {.seed = r->cfg->run.seed, .config_text = r->resolved, .engine_version = alvh_version(),
                             .git_describe = ALVH_GIT_DESCRIBE, .isa = r->isa, .threads = r->threads, .ranks = 1,
                             .start_utc = r->start_utc, .end_utc = r->end_utc};
    if (st == ALVH_OK)
        st = alvh_h5_write_run_info(w, &info, &r->err);
    for (size_t k = 0; st == ALVH_OK && k < r->n; k++) {
        const alvh_config_scenario *sc = &r->cfg->scenarios[k];
        st = alvh_result_write_scenario(w, sc->name, r->cfg->variants, &r->res[k], r->cfg->run.store_paths, &r->err);
        if (st == ALVH_OK)
            st = alvh_result_label_scenario(w, r->cfg, sc, &r->err);
    }
    if (w) {
        alvh_error cerr = {0};
        alvh_status cst = alvh_h5_close(w, st == ALVH_OK, &cerr);
        if (st == ALVH_OK && cst != ALVH_OK) {
            st = cst;
            r->err = cerr;
        }
    }
    return alvh_api_code(st);
}

/* Row `row`, column `column` of t into *value. */
static alvh_code table_value(const alvh_table *t, const char *row, const char *column, double *value,
                             alvh_error *err)
{
    for (size_t i = 0; i < t->rows; i++) {
        if (strcmp(t->row_names[i], row) != 0)
            continue;
        for (size_t j = 0; j < t->cols; j++)
            if (strcmp(t->col_names[j], column) == 0) {
                *value = t->data[i * t->cols + j];
                return ALVH_CODE_OK;
            }
        return alvh_api_bad_arg(err, "alvh_run_results_value", "no such column");
    }
    return alvh_api_bad_arg(err, "alvh_run_results_value", "no such row");
}

alvh_code alvh_run_results_value(alvh_run_results *r, const char *scenario, const char *variant, const char *table,
                                 const char *row, const char *column, double *value)
{
    if (!r)
        return ALVH_CODE_BAD_INPUT;
    memset(&r->err, 0, sizeof r->err);
    if (!scenario || !variant || !table || !row || !column || !value)
        return alvh_api_bad_arg(&r->err, "alvh_run_results_value", "NULL argument");
    for (size_t k = 0; k < r->n; k++) {
        if (strcmp(r->cfg->scenarios[k].name, scenario) != 0)
            continue;
        for (size_t v = 0; v < r->cfg->n_variants; v++) {
            if (strcmp(r->cfg->variants[v].name, variant) != 0)
                continue;
            const alvh_scenario_result *s = &r->res[k];
            const alvh_table *t = strcmp(table, "summary") == 0 ? &s->pnl[v]
                                  : strcmp(table, "risk") == 0  ? &s->risk[v]
                                  : strcmp(table, "effectiveness") == 0 && v > 0 ? &s->eff[v]
                                                                                 : NULL;
            if (!t)
                return alvh_api_bad_arg(&r->err, "alvh_run_results_value",
                                        "table must be summary, risk or effectiveness (not on the baseline)");
            return table_value(t, row, column, value, &r->err);
        }
        return alvh_api_bad_arg(&r->err, "alvh_run_results_value", "no such variant");
    }
    return alvh_api_bad_arg(&r->err, "alvh_run_results_value", "no such scenario");
}

const char *alvh_run_results_message(const alvh_run_results *r)
{
    return r ? r->err.msg : "NULL results handle";
}
