/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checks across keys, once a section is complete: whole steps over the
 * horizon, sizes, v0 from vix0, jump rates per step, the driver correlation
 * matrix positive definite, injections inside the horizon, and finally the
 * market model's own parameter check. Private to io/.
 */
#ifndef ALVH_IO_CONFIG_CHECK_H
#define ALVH_IO_CONFIG_CHECK_H

#include "common/status.h"
#include "io/config.h"

#include "kernels/book_params.def"
#include "kernels/market_params.def"

#define ALVH_CFG_MAX_SECTION_KEYS 32
#define ALVH_CFG_PLUS_ONE(...) +1
#define ALVH_CFG_N_SECTIONS (0 ALVH_MARKET_SECTIONS(ALVH_CFG_PLUS_ONE)) /* spx, token, funding */

/* Where a value was written; set == 0: a default. */
typedef struct alvh_cfg_origin {
    const char *file;
    int line, col;
    int set;
    char path[160];
} alvh_cfg_origin;

typedef struct alvh_cfg_run_checked {
    alvh_config_run run;
    alvh_cfg_origin origin[ALVH_CFG_MAX_SECTION_KEYS]; /* by row of alvh_cfg_run_table */
    alvh_cfg_origin node;                              /* the run mapping, or the file when absent */
    uint64_t n_steps;
    double dt_years;
} alvh_cfg_run_checked;

typedef struct alvh_cfg_inj_origin {
    alvh_cfg_origin day, vix;
} alvh_cfg_inj_origin;

typedef struct alvh_cfg_scenario_work {
    alvh_config_scenario s;
    alvh_cfg_origin origin[ALVH_CFG_N_SECTIONS][ALVH_CFG_MAX_SECTION_KEYS];
    alvh_cfg_origin node;              /* the scenario mapping */
    alvh_cfg_origin injections_origin; /* the injections sequence */
    alvh_cfg_inj_origin *inj_origins; /* per injection: where its day and vix were written */
} alvh_cfg_scenario_work;

#define ALVH_CFG_N_BOOK_SECTIONS (0 ALVH_BOOK_SECTIONS(ALVH_CFG_PLUS_ONE)) /* book, condor, ..., borrow */

typedef struct alvh_cfg_variant_origin {
    alvh_cfg_origin node, name, layers, baseline, attribution;
} alvh_cfg_variant_origin;

/* The book being read: values (every offset of the book tables is into
 * book) and where each was written. */
typedef struct alvh_cfg_book_work {
    alvh_book_params book;
    alvh_cfg_origin origin[ALVH_CFG_N_BOOK_SECTIONS][ALVH_CFG_MAX_SECTION_KEYS]; /* by alvh_cfg_book_sections row */
    alvh_cfg_origin node;          /* the book mapping, or the file when absent */
    alvh_cfg_origin variants_node; /* the variants sequence (unset: the default variants) */
    alvh_variant *variants;
    alvh_cfg_variant_origin *var_origins;
    alvh_config_sweep *sweeps;     /* book.sweeps */
    size_t n_sweeps;
    alvh_config_rstress *rstress;  /* book.reverse_stress */
    size_t n_rstress;
    size_t n_variants;
} alvh_cfg_book_work;

/* Run settings as a whole; fills n_steps and dt_years. */
alvh_status alvh_cfg_check_run(alvh_cfg_run_checked *r, alvh_error *err);

/* A fully resolved scenario: sets v0 (from vix0, or theta when neither was given), then checks. */
alvh_status alvh_cfg_check_scenario(alvh_cfg_scenario_work *w, const alvh_cfg_run_checked *r, alvh_error *err);

/* The complete book: rules between keys, then alvh_book_consts_init under
 * every scenario (farm.gov_cut from the scenario), then alvh_book_check_layers
 * for every variant. Errors point at the book key (or the variant) that is
 * wrong, and name the scenario when only its market makes the book fail. */
alvh_status alvh_cfg_check_book(const alvh_cfg_book_work *w, const alvh_cfg_run_checked *r,
                                const alvh_config_scenario *scenarios, size_t n_scenarios, alvh_error *err);

#endif
