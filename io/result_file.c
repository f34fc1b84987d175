/* SPDX-License-Identifier: BSD-3-Clause */
#include "io/result_file.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>

#include "io/h5_datasets.h"
#include "io/h5_diag.h"
#include "io/h5_dims.h"
#include "io/h5_internal.h"
#include "io/h5_layout.h"

/* a table's row and column names as string arrays */
static alvh_status names_of(const alvh_table *t, const char ***rows, const char ***cols, const char ***units,
                            alvh_error *err)
{
    *rows = malloc(t->rows * sizeof **rows);
    *cols = malloc(t->cols * sizeof **cols);
    *units = malloc(t->rows * sizeof **units);
    if (!*rows || !*cols || !*units) {
        free(*rows), free(*cols), free(*units);
        return alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate table names");
    }
    for (size_t r = 0; r < t->rows; r++) {
        (*rows)[r] = t->row_names[r];
        (*units)[r] = t->row_units[r];
    }
    for (size_t c = 0; c < t->cols; c++)
        (*cols)[c] = t->col_names[c];
    return ALVH_OK;
}

static alvh_status write_labelled(alvh_h5_writer *w, const char *scenario, const char *variant, const char *name,
                                  const alvh_table *t, const char *baseline, alvh_error *err)
{
    const char **rows, **cols, **units;
    alvh_status st = names_of(t, &rows, &cols, &units, err);
    if (st != ALVH_OK)
        return st;
    if (baseline)
        st = alvh_h5_write_effectiveness(w, scenario, variant, baseline, t->rows, t->cols, t->data, rows, cols, units,
                                         err);
    else if (!name)
        st = alvh_h5_write_summary(w, scenario, variant, t->rows, t->cols, t->data, rows, cols, units, err);
    else {
        char path[ALVH_H5_PATH_MAX];
        st = alvh_h5_variant_path(path, sizeof path, scenario, variant, err);
        if (st == ALVH_OK)
            st = alvh_h5_write_labelled(w, path, name, t->rows, t->cols, t->data, rows, cols, units, err);
    }
    free(rows), free(cols), free(units);
    return st;
}

alvh_status alvh_result_write_scenario(alvh_h5_writer *w, const char *scenario, const alvh_variant *variants,
                                       const alvh_scenario_result *r, int store_paths, alvh_error *err)
{
    const size_t np = r->n_paths, ns1 = r->n_steps + 1;
    const char *mode = alvh_summaries_names[r->summaries == ALVH_SUMMARIES_HISTOGRAM];
    /* histogram mode keeps no per-path values: no terminal or pnl/metrics tables */
    alvh_status st = r->terminal ? alvh_h5_write_terminal(w, scenario, np, r->terminal, err) : ALVH_OK;
    if (st == ALVH_OK && r->n_sample > 0)
        st = alvh_h5_write_market_samples(w, scenario, r->n_sample, ns1, r->sample, NULL, err);
    char mpath[ALVH_H5_PATH_MAX], mfan[ALVH_H5_PATH_MAX + 16];
    if (st == ALVH_OK)
        st = alvh_h5_market_path(mpath, sizeof mpath, scenario, err);
    snprintf(mfan, sizeof mfan, "%s/%s", mpath, ALVH_H5_FAN_CHARTS);
    for (size_t k = 0; st == ALVH_OK && k < ALVH_MKT_FANS; k++) {
        size_t off = (r->n_variants + k) * ns1 * r->n_fan_probs;
        st = alvh_h5_write_fan_chart(w, mfan, alvh_mkt_fan_names[k], ns1, r->n_fan_probs, r->fan + off,
                                     r->fan_probs, r->fan_bound + off, alvh_mkt_fan_units[k], err);
    }
    for (size_t v = 0; st == ALVH_OK && v < r->n_variants; v++) {
        const char *vn = variants[v].name;
        char path[ALVH_H5_PATH_MAX];
        st = alvh_h5_variant_path(path, sizeof path, scenario, vn, err);
        if (st == ALVH_OK) {
            /* the layers the variant holds, in layer order */
            const char *held[ALVH_LAYER_COUNT];
            size_t nh = 0;
            for (int l = 0; l < ALVH_LAYER_COUNT; l++)
                if (variants[v].layers >> l & 1)
                    held[nh++] = alvh_layer_names[l];
            st = alvh_h5_attr_strings(w, path, "layers", held, nh, err);
        }
        if (st == ALVH_OK && store_paths && r->outcomes)
            st = alvh_h5_write_outcomes(w, scenario, vn, np, r->outcomes + v * np * ALVH_OUT_COUNT, err);
        if (st == ALVH_OK)
            st = write_labelled(w, scenario, vn, NULL, &r->pnl[v], NULL, err);
        if (st == ALVH_OK)
            st = write_labelled(w, scenario, vn, "risk", &r->risk[v], NULL, err);
        const size_t bv = r->baseline[v];
        if (st == ALVH_OK && bv != v)
            st = write_labelled(w, scenario, vn, NULL, &r->eff[v], variants[bv].name, err);
        if (st == ALVH_OK && bv != v && r->tail_eff)
            st = write_labelled(w, scenario, vn, "tail_effectiveness", &r->tail_eff[v], NULL, err);
        if (st == ALVH_OK && r->attr)
            st = write_labelled(w, scenario, vn, "attribution", &r->attr[v], NULL, err);
        if (st == ALVH_OK && r->tail_comp)
            st = write_labelled(w, scenario, vn, "tail_composition", &r->tail_comp[v], NULL, err);
        if (st == ALVH_OK && r->importance)
            st = write_labelled(w, scenario, vn, "importance", &r->importance[v], NULL, err);
        if (st == ALVH_OK && r->cv)
            st = write_labelled(w, scenario, vn, "control_variates", &r->cv[v], NULL, err);
        if (st == ALVH_OK && r->antithetic)
            st = write_labelled(w, scenario, vn, "antithetic", &r->antithetic[v], NULL, err);
        /* histogram mode: the error bound of every estimate, and the bin widths */
        if (st == ALVH_OK && r->pnl_bound)
            st = write_labelled(w, scenario, vn, "summary_bound", &r->pnl_bound[v], NULL, err);
        if (st == ALVH_OK && r->risk_bound)
            st = write_labelled(w, scenario, vn, "risk_bound", &r->risk_bound[v], NULL, err);
        if (st == ALVH_OK && r->eff_bound && bv != v)
            st = write_labelled(w, scenario, vn, "effectiveness_bound", &r->eff_bound[v], NULL, err);
        /* how the tables were computed, on each of them */
        static const char *const tables[] = {ALVH_H5_SUMMARY, "risk", ALVH_H5_EFFECTIVENESS, "summary_bound",
                                             "risk_bound", "effectiveness_bound"};
        for (size_t k = 0; st == ALVH_OK && k < sizeof tables / sizeof tables[0]; k++) {
            if ((k == 2 || k == 5) && bv == v)
                continue; /* the baseline has no effectiveness tables */
            if (k >= 3 && !r->pnl_bound)
                continue;
            char tpath[ALVH_H5_PATH_MAX + 32];
            snprintf(tpath, sizeof tpath, "%s/%s", path, tables[k]);
            st = alvh_h5_attr_string(w, tpath, "summaries", mode, err);
        }
        if (st == ALVH_OK) {
            char hist_group[ALVH_H5_PATH_MAX + 16];
            snprintf(hist_group, sizeof hist_group, "%s/%s", path, ALVH_H5_HISTOGRAMS);
            alvh_h5_histogram h = {.n_bins = r->hist_bins,
                                   .counts = r->hist_counts + v * r->hist_bins,
                                   .edges = r->hist_edges + v * (r->hist_bins + 1),
                                   .n_nonfinite = r->hist_nonfinite[v], .units = "USD",
                                   .underflow = r->hist_outside ? r->hist_outside[2 * v] : 0,
                                   .overflow = r->hist_outside ? r->hist_outside[2 * v + 1] : 0};
            if (r->hist_weight) {
                h.weights = r->hist_weight + v * r->hist_bins;
                h.weights_sq = r->hist_weight_sq + v * r->hist_bins;
                h.underflow_weight = r->hist_outside_weight[2 * v];
                h.overflow_weight = r->hist_outside_weight[2 * v + 1];
            }
            st = alvh_h5_write_histogram(w, hist_group, "total_pnl", &h, err);
        }
        if (st == ALVH_OK) {
            char fan_group[ALVH_H5_PATH_MAX + 16];
            snprintf(fan_group, sizeof fan_group, "%s/%s", path, ALVH_H5_FAN_CHARTS);
            st = alvh_h5_write_fan_chart(w, fan_group, "equity", ns1, r->n_fan_probs,
                                         r->fan + v * ns1 * r->n_fan_probs, r->fan_probs,
                                         r->fan_bound + v * ns1 * r->n_fan_probs, "USD", err);
        }
    }
    char spath[ALVH_H5_PATH_MAX];
    if (st == ALVH_OK)
        st = alvh_h5_scenario_path(spath, sizeof spath, scenario, err);
    if (st == ALVH_OK)
        st = alvh_h5_attr_string(w, spath, "summaries", mode, err);
    /* paths whose state became NaN/Inf (docs/hdf5_layout.md): 0 and -1, -1 in a sound run */
    if (st == ALVH_OK)
        st = alvh_h5_attr_u64(w, spath, "nonfinite_paths", r->nonfinite_paths, err);
    if (st == ALVH_OK)
        st = alvh_h5_attr_int(w, spath, "first_nonfinite_path", r->first_nonfinite_path, err);
    if (st == ALVH_OK)
        st = alvh_h5_attr_int(w, spath, "first_nonfinite_step", r->first_nonfinite_step, err);
    return st;
}

alvh_status alvh_result_copy_scenario(alvh_h5_writer *w, const char *part_path, const char *scenario,
                                      alvh_error *err)
{
    char path[ALVH_H5_PATH_MAX];
    alvh_status st = alvh_h5_scenario_path(path, sizeof path, scenario, err);
    if (st != ALVH_OK)
        return st;
    hid_t src = H5Fopen(part_path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (src < 0)
        return alvh_h5w_fail(w, err, "open the finished scenario file", part_path);
    hid_t parent = alvh_h5w_group(w, ALVH_H5_SCENARIOS, err);
    if (parent < 0) {
        H5Fclose(src);
        return err ? err->code : ALVH_E_IO;
    }
    herr_t rc = H5Ocopy(src, path, parent, scenario, H5P_DEFAULT, H5P_DEFAULT);
    H5Gclose(parent);
    H5Fclose(src);
    if (rc < 0)
        return alvh_h5w_fail(w, err, "copy the scenario group", path);
    return ALVH_OK;
}

static double tilt_or_1(double t) { return t > 0.0 ? t : 1.0; }

/* The importance-sampling tilt the paths were drawn with and the estimator
 * (docs/hdf5_layout.md, version 4). */
static alvh_status label_tilt(alvh_h5_writer *w, const char *scenario, const alvh_tilt_params *t, alvh_error *err)
{
    char spath[ALVH_H5_PATH_MAX];
    const double f[3] = {tilt_or_1(t->spx_jump), tilt_or_1(t->gov), tilt_or_1(t->exploit)};
    const char *names[3] = {"tilt_spx_jump", "tilt_gov", "tilt_exploit"};
    alvh_status st = alvh_h5_scenario_path(spath, sizeof spath, scenario, err);
    for (int k = 0; st == ALVH_OK && k < 3; k++)
        st = alvh_h5_attr_double(w, spath, names[k], f[k], err);
    const int drift = t->token_drift != 0.0 && t->token_drift_share > 0.0;
    if (st == ALVH_OK) /* the token-drift tilt: 0 and 0 when off */
        st = alvh_h5_attr_double(w, spath, "tilt_token_drift", drift ? t->token_drift : 0.0, err);
    if (st == ALVH_OK)
        st = alvh_h5_attr_double(w, spath, "tilt_token_drift_share", drift ? t->token_drift_share : 0.0, err);
    if (st == ALVH_OK)
        st = alvh_h5_attr_double(w, spath, "tilt_token_drift_turn_years", drift ? t->token_drift_turn_years : 0.0, err);
    const int vdrift = t->variance_drift != 0.0 && t->variance_drift_share > 0.0;
    if (st == ALVH_OK) /* the variance-drift tilt: 0, 0 and 0 when off */
        st = alvh_h5_attr_double(w, spath, "tilt_variance_drift", vdrift ? t->variance_drift : 0.0, err);
    if (st == ALVH_OK)
        st = alvh_h5_attr_double(w, spath, "tilt_variance_drift_share", vdrift ? t->variance_drift_share : 0.0, err);
    if (st == ALVH_OK)
        st = alvh_h5_attr_double(w, spath, "tilt_variance_drift_decay", vdrift ? t->variance_drift_decay : 0.0, err);
    if (st == ALVH_OK)
        st = alvh_h5_attr_double(w, spath, "tilt_variance_drift_token", vdrift ? t->variance_drift_token : 0.0, err);
    if (st == ALVH_OK)
        st = alvh_h5_attr_double(w, spath, "tilt_variance_drift_token_cross",
                                 vdrift && t->variance_drift_token != 0.0 ? t->variance_drift_token_cross : 0.0, err);
    int plain = f[0] == 1.0 && f[1] == 1.0 && f[2] == 1.0 && !drift && !vdrift;
    if (st == ALVH_OK)
        st = alvh_h5_attr_string(w, spath, "estimator", plain ? "plain" : "importance_sampling", err);
    return st;
}

/* The scenario's attributes and dimension names, in the final file. */
alvh_status alvh_result_label_scenario(alvh_h5_writer *w, const alvh_config *cfg, const alvh_config_scenario *sc,
                                       alvh_error *err)
{
    const alvh_market_params *m = &sc->market;
    const alvh_premia_params *pr = &m->premia;
    int no_premia = pr->lambda_v == 0.0 && pr->lambda_v2 == 0.0 && pr->jump_intensity_premium == 0.0 &&
                    pr->jump_mean_premium == 0.0 && m->spx.drift_ann == 0.0 && m->token.dilution_ann == 0.0 &&
                    m->token.mu_ann == m->spx.r_ann - m->token.staking_yield_ann;
    int risk_neutral = m->paths_measure == ALVH_MEASURE_Q || no_premia;
    alvh_h5_scenario_meta meta = {.capital_usd = cfg->book.capital_usd, .steps_per_year = cfg->run.steps_per_year,
                                  .n_steps = cfg->n_steps, .n_paths = cfg->run.paths,
                                  .measure = risk_neutral ? "risk-neutral" : "real-world",
                                  .description = sc->description, .n_injections = sc->n_injections};
    uint64_t *inj = calloc(sc->n_injections + 1, sizeof *inj);
    if (!inj)
        return alvh_error_set(err, ALVH_E_NOMEM, "out of memory labelling scenario %s", sc->name);
    for (size_t i = 0; i < sc->n_injections; i++)
        inj[i] = sc->injections[i].step;
    meta.injection_steps = inj;
    alvh_status st = alvh_h5_label_scenario(w, sc->name, &meta, err);
    free(inj);
    if (st == ALVH_OK)
        st = label_tilt(w, sc->name, &m->tilt, err);
    char spath[ALVH_H5_PATH_MAX];
    if (st == ALVH_OK) /* 1: paths 2k, 2k + 1 are antithetic pairs and the SEs take a pair as one sample */
        st = alvh_h5_scenario_path(spath, sizeof spath, sc->name, err);
    if (st == ALVH_OK)
        st = alvh_h5_attr_int(w, spath, "antithetic", cfg->run.antithetic ? 1 : 0, err);
    return st;
}


alvh_scenario_request alvh_config_scenario_request(const alvh_config *cfg, size_t k, int rank, int ranks)
{
    const alvh_config_scenario *sc = &cfg->scenarios[k];
    alvh_scenario_request rq = {
        .market = {.params = sc->market, .dt_years = cfg->dt_years, .n_steps = cfg->n_steps,
                   .n_paths = cfg->run.paths, .block_size = cfg->run.block_size, .seed = cfg->run.seed,
                   .scenario = (uint32_t)k, .threads = (int)cfg->run.threads, .injections = sc->injections,
                   .n_injections = sc->n_injections, .antithetic = cfg->run.antithetic},
        .book = alvh_config_book_for(cfg, sc), /* farm.gov_cut: the scenario's emission cut */
        .variants = cfg->variants, .n_variants = cfg->n_variants, .n_sample_paths = cfg->run.sample_paths,
        .summaries = (alvh_summaries)cfg->run.summaries, .rank = rank, .ranks = ranks,
        .hist_bins = (size_t)cfg->run.histogram_bins,
        .hist_lo_usd = cfg->run.histogram_lo_capital * cfg->book.capital_usd,
        .hist_hi_usd = cfg->run.histogram_hi_capital * cfg->book.capital_usd,
        .fan_probs = cfg->run.fan_quantiles.p, .n_fan_probs = cfg->run.fan_quantiles.n,
    };
    return rq;
}
