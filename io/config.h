/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Run configuration: a YAML file (docs/config.md) read into alvh_config and
 * validated before any simulation. Every value is range-checked, the driver
 * correlation matrix of every scenario is checked positive definite, unknown
 * keys are refused with a suggestion, and each error names
 * file:line:column, the key path and what was expected, e.g.
 *   configs/x.yaml:12:5: scenarios[1].token.p_up: expected a number in [0, 1], got 1.5
 * A scenario may extend another one in the same file (extends: calm) or in
 * another file (extends: base.yaml#calm, relative to the including file).
 *
 * Layout of the file:
 *   run:        run settings (paths, horizon, steps, seed, ...), all optional
 *   scenarios:  a sequence of scenarios (name, spx, token, funding, injections)
 *   book:       the hedge book (capital_usd, one mapping per layer, variants),
 *               optional: alvh_book_defaults() and the default variants
 * The book is checked with the kernel's own check (alvh_book_consts_init)
 * under every scenario, so a configuration that validates also runs.
 */
#ifndef ALVH_IO_CONFIG_H
#define ALVH_IO_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/book_run.h"
#include "common/status.h"
#include "engine/summary.h"
#include "kernels/book_model.h"
#include "kernels/market_model.h"

#define ALVH_CONFIG_NAME_MAX 64   /* names: letters, digits, '_', '-', '.'; used as HDF5 group names */
#define ALVH_CONFIG_TEXT_MAX 256  /* descriptions */

#define ALVH_CFG_MAX_PROBS 15 /* quantile levels of a fan chart */
typedef struct alvh_cfg_probs {
    size_t n;
    double p[ALVH_CFG_MAX_PROBS]; /* increasing, in (0, 1) */
} alvh_cfg_probs;

typedef struct alvh_config_run {
    char name[ALVH_CONFIG_NAME_MAX]; /* run name, recorded in outputs */
    uint64_t paths;                  /* Monte Carlo paths per scenario */
    double horizon_years;            /* simulated time */
    uint64_t horizon_steps;          /* alternative to horizon_years: steps (0: from horizon_years) */
    uint64_t steps_per_year;         /* dt = 1 / steps_per_year */
    uint64_t seed;                   /* run seed: streams derive from (seed, scenario, block) */
    uint64_t block_size;             /* paths per block (results do not depend on it) */
    uint64_t threads;                /* OpenMP threads, 0: all */
    bool store_paths;                /* write per-path outcomes, not only summaries */
    int summaries;                   /* alvh_summaries: exact (per-path values kept) or histogram */
    bool antithetic;                 /* antithetic pairs of paths (2k, 2k + 1) */
    uint64_t sample_paths;           /* market paths kept per scenario for plots */
    uint64_t histogram_bins;         /* bins of the stored total P&L histogram */
    double histogram_lo_capital;     /* its range in units of capital (NaN: from the data's quantiles) */
    double histogram_hi_capital;
    alvh_cfg_probs fan_quantiles;    /* quantile levels of the fan charts */
} alvh_config_run;

typedef struct alvh_config_scenario {
    char name[ALVH_CONFIG_NAME_MAX];
    char description[ALVH_CONFIG_TEXT_MAX];
    alvh_market_params market;          /* spx.v0 final (from vix0 when given) */
    double vix0;                        /* starting VIX (points) when v0 was set from it, else NaN */
    int v2_from_vix0;                   /* spx.v2_0 was split off vix0 (two factors, v2_0 not given) */
    double gov_dn_emission_factor;      /* farm emission rate multiplier at each down governance shock */
    alvh_market_injection *injections;  /* deterministic stress injections, in file order */
    size_t n_injections;
} alvh_config_scenario;

/* book.sweeps[]: one variant over a grid of one book parameter (engine/sweep.h) */
typedef struct alvh_config_sweep {
    char variant[ALVH_CONFIG_NAME_MAX];
    char param[ALVH_CONFIG_TEXT_MAX]; /* "section.key" of a number of the book, e.g. perp.leverage */
    double from, to;
    size_t points;                    /* from, ..., to in points equal steps */
    size_t param_offset;              /* resolved by the reader: into alvh_book_params */
} alvh_config_sweep;

/* book.reverse_stress[]: the smallest stress size breaking an ES99 limit (engine/reverse_stress.h) */
typedef struct alvh_config_rstress {
    char variant[ALVH_CONFIG_NAME_MAX];
    int stress;                       /* alvh_rs_kind */
    size_t injection;                 /* index in each scenario's injections (token_drop, spx_gap) */
    double size_lo, size_hi, limit_es99_frac, tol;
} alvh_config_rstress;

typedef struct alvh_config {
    char *source_path;  /* file it was read from */
    alvh_config_run run;
    uint64_t n_steps;   /* horizon_years * steps_per_year (a whole number) */
    double dt_years;    /* 1 / steps_per_year */
    alvh_config_scenario *scenarios;
    size_t n_scenarios;
    /* the hedge book; book.farm.gov_cut is NaN here: it is per scenario
     * (token.gov_dn_emission_factor), see alvh_config_book_for */
    alvh_book_params book;
    alvh_variant *variants; /* 1 to 32, unique names, each with its baseline */
    size_t n_variants;
    alvh_config_sweep *sweeps; /* run per scenario after its variants */
    size_t n_sweeps;
    alvh_config_rstress *rstress;
    size_t n_rstress;
} alvh_config;

/* Reads and validates path. ALVH_OK and *out, or ALVH_E_CONFIG (bad file, the
 * message in err names file:line:column and key), ALVH_E_IO, ALVH_E_NOMEM. */
alvh_status alvh_config_load_file(const char *path, alvh_config **out, alvh_error *err);

/* Same for text in memory; name is used in messages and extends paths are
 * relative to its directory. */
alvh_status alvh_config_load_text(const char *name, const char *text, size_t len, alvh_config **out,
                                  alvh_error *err);

/* Either loader with command-line assignments ("run.paths=1e5", see
 * alvh_ydoc_set in io/yaml_tree.h) merged in first: path NULL reads the text
 * (name, text, len) instead of a file. Every value is then validated as if
 * the file held it; messages about a set value name "--set key=value". */
alvh_status alvh_config_load_set(const char *path, const char *name, const char *text, size_t len,
                                 const char *const *sets, size_t n_sets, alvh_config **out, alvh_error *err);

void alvh_config_free(alvh_config *cfg);

/* The configuration with every value explicit (defaults and extends applied),
 * as YAML that loads back to the same values: recorded in outputs. Caller
 * frees; NULL when out of memory. */
char *alvh_config_resolved_text(const alvh_config *cfg);

/* The book as scenario s runs it: cfg->book with farm.gov_cut set to the
 * scenario's token.gov_dn_emission_factor. */
alvh_book_params alvh_config_book_for(const alvh_config *cfg, const alvh_config_scenario *s);

/* Scenario by name, NULL when absent. */
const alvh_config_scenario *alvh_config_find_scenario(const alvh_config *cfg, const char *name);

#endif
