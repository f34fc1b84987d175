/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration schema tables (config_schema.h), expanded from the
 * parameter tables: kernels/market_params.def (spx, token, funding,
 * injections), kernels/book_params.def (the book) and io/config_params.def
 * (run, scenario, variant). Nothing here is written per key: a new row in a
 * .def file is a new key of the reader, the resolved text and the docs.
 */
#include "io/config_schema.h"

#include <math.h>
#include <stddef.h>

#include "io/config.h"
#include "io/config_check.h"
#include "io/config_params.def"
#include "kernels/book_model.h"
#include "kernels/book_params.def"
#include "kernels/market_params.def"
#include "kernels/params_ranges.h"

#define NOMAX 18446744073709551616.0 /* 2^64: no upper bound for a count */

static const char *const scheme_names[] = {"qe", "euler", NULL};
static const int scheme_values[] = {ALVH_SCHEME_QE, ALVH_SCHEME_EULER};
static const char *const measure_names[] = {"p", "q", NULL};
static const int measure_values[] = {ALVH_MEASURE_P, ALVH_MEASURE_Q};
static const char *const gov_names[] = {"none", "up", "down", NULL};
static const int gov_values[] = {0, 1, -1};
static const char *const summaries_names[] = {"exact", "histogram", NULL};
static const int summaries_values[] = {ALVH_SUMMARIES_EXACT, ALVH_SUMMARIES_HISTOGRAM};
static const char *const attribution_names[] = {"euler", "leave_one_out", NULL};
static const char *const stress_names[] = {"token_drop", "spx_gap", "exploit_loss", NULL};
static const int stress_values[] = {0, 1, 2};
static const int attribution_values[] = {ALVH_ATTR_EULER, ALVH_ATTR_LEAVE_ONE_OUT};

#define TY_NUM .type = ALVH_CT_NUM
#define TY_NUM_NULL .type = ALVH_CT_NUM_NULL
#define TY_U64 .type = ALVH_CT_U64
#define TY_SIZE .type = ALVH_CT_SIZE
#define TY_BOOL .type = ALVH_CT_BOOL
#define TY_BOOL_INT .type = ALVH_CT_BOOL_INT
#define TY_NAME .type = ALVH_CT_NAME
#define TY_TEXT .type = ALVH_CT_TEXT
#define TY_LAYERS .type = ALVH_CT_LAYERS
#define TY_PROBS .type = ALVH_CT_PROBS
#define TY_ENUM_scheme .type = ALVH_CT_ENUM, .enum_names = scheme_names, .enum_values = scheme_values
#define TY_ENUM_measure .type = ALVH_CT_ENUM, .enum_names = measure_names, .enum_values = measure_values
#define TY_ENUM_gov .type = ALVH_CT_ENUM, .enum_names = gov_names, .enum_values = gov_values
#define TY_ENUM_summaries .type = ALVH_CT_ENUM, .enum_names = summaries_names, .enum_values = summaries_values
#define TY_ENUM_stress .type = ALVH_CT_ENUM, .enum_names = stress_names, .enum_values = stress_values
#define TY_ENUM_attribution .type = ALVH_CT_ENUM, .enum_names = attribution_names, .enum_values = attribution_values

#define FL_0 0u
#define FL_REQ ALVH_CK_REQUIRED
#define FL_NOEMIT ALVH_CK_NO_EMIT
#define FL_SPECIAL (ALVH_CK_SPECIAL | ALVH_CK_NO_EMIT)

/* One schema row; upper-case parameters, so that none is also a member name.
 * The row macros below receive a table row with its range already expanded
 * into (low, high, open bits). */
#define CKEY(OFF, K, T, FL, D, DT, LO, HI, OP, U, DOC)                                                        \
    {.key = K, TY_##T, .offset = OFF, .flags = FL_##FL | (OP), .def = (D), .def_text = DT, .min = LO, .max = HI, \
     .units = U, .doc = DOC},
#define ROW_IN(base, path, key, type, field, flags, def, dtext, lo, hi, open, units, doc)                   \
    CKEY(offsetof(base, path), #key, type, flags, def, dtext, lo, hi, open, units, doc)

/* the market's rows are stored in the scenario: model fields under market, the config's own beside it */
#define MARKET_ROW(key, type, field, ...) ROW_IN(alvh_config_scenario, market.field, key, type, field, __VA_ARGS__)
#define SCN_ROW(key, type, field, ...) ROW_IN(alvh_config_scenario, field, key, type, field, __VA_ARGS__)
#define BOOK_ROW(key, type, field, ...) ROW_IN(alvh_book_params, field, key, type, field, __VA_ARGS__)
/* injections are read into alvh_cfg_injection: the kernel's moves (inj) and the config's days */
#define INJ_ROW(key, type, field, ...) ROW_IN(alvh_cfg_injection, inj.field, key, type, field, __VA_ARGS__)
#define INJC_ROW(key, type, field, ...) ROW_IN(alvh_cfg_injection, field, key, type, field, __VA_ARGS__)
#define RUN_ROW(key, type, field, ...) ROW_IN(alvh_config_run, field, key, type, field, __VA_ARGS__)
#define VAR_ROW(key, type, field, ...) ROW_IN(alvh_variant, field, key, type, field, __VA_ARGS__)
#define SWEEP_ROW(key, type, field, ...) ROW_IN(alvh_config_sweep, field, key, type, field, __VA_ARGS__)
#define RS_ROW(key, type, field, ...) ROW_IN(alvh_config_rstress, field, key, type, field, __VA_ARGS__)
/* extends is read by config.c itself: no field */
#define SCN_KEY(key, type, field, flags, ...) SCN_KEY_##flags(key, type, field, flags, __VA_ARGS__)
#define SCN_KEY_0 SCN_ROW
#define SCN_KEY_REQ SCN_ROW
#define SCN_KEY_SPECIAL(key, type, field, flags, def, dtext, lo, hi, open, units, doc)                        \
    CKEY(0, #key, type, flags, def, dtext, lo, hi, open, units, doc)

#define TABLE(var, nm, base_type, keys, text)                                                                 \
    _Static_assert(sizeof keys / sizeof keys[0] <= ALVH_CFG_MAX_SECTION_KEYS, "origins are kept per row");      \
    const alvh_ctable var = {nm, base_type, keys, sizeof keys / sizeof keys[0], text}

static const alvh_ckey run_keys[] = {ALVH_RUN_PARAMS(RUN_ROW, RUN_ROW)};
static const alvh_ckey scenario_keys[] = {ALVH_SCENARIO_PARAMS(SCN_KEY, SCN_KEY)};
static const alvh_ckey injection_keys[] = {ALVH_INJECTION_PARAMS(INJ_ROW, INJ_ROW)
                                               ALVH_INJECTION_CONFIG_PARAMS(INJC_ROW, INJC_ROW)};
static const alvh_ckey variant_keys[] = {ALVH_VARIANT_PARAMS(VAR_ROW, VAR_ROW)};
static const alvh_ckey sweep_keys[] = {ALVH_SWEEP_PARAMS(SWEEP_ROW, SWEEP_ROW)};
static const alvh_ckey rstress_keys[] = {ALVH_RSTRESS_PARAMS(RS_ROW, RS_ROW)};

TABLE(alvh_cfg_run_table, "run", "alvh_config_run", run_keys,
      "Run settings. Every key is optional; the command line may override paths, seed and threads, and any key "
      "with --set key.path=value.");
TABLE(alvh_cfg_scenario_table, "scenarios[]", "alvh_config_scenario", scenario_keys,
      "One entry of the scenarios sequence. Besides these keys: the mappings spx, token and funding, and the "
      "sequence injections.");
TABLE(alvh_cfg_injection_table, "injections[]", "alvh_cfg_injection", injection_keys,
      "One deterministic stress injection: forces the given moves on every path at one step, then the paths "
      "evolve. At least one of the moves must be given.");
TABLE(alvh_cfg_sweep_table, "book.sweeps[]", "alvh_config_sweep", sweep_keys,
      "One sweep: the variant re-run for each value of one book parameter on the scenario's paths (common random "
      "numbers); the file stores ES99, mean and P(liquidation) against the value with paired SEs "
      "(docs/statistics.md, \"Sweeps and reverse stress\").");
TABLE(alvh_cfg_rstress_table, "book.reverse_stress[]", "alvh_config_rstress", rstress_keys,
      "One reverse stress test: bisection on the scenario's fixed paths for the smallest stress size at which the "
      "variant's ES99 exceeds limit_es99_frac x capital; stored with its bracket.");
TABLE(alvh_cfg_variant_table, "book.variants[]", "alvh_variant", variant_keys,
      "One variant of the book: a name and the layers it holds. Every variant runs on the same paths (common "
      "random numbers); each is compared with its baseline (default the first variant) in the effectiveness tables.");

#define MARKET_KEYS(id, name, base, rows, doc) static const alvh_ckey id##_keys[] = {rows(MARKET_ROW, SCN_ROW)};
#define BOOK_KEYS(id, name, base, rows, doc) static const alvh_ckey id##_keys[] = {rows(BOOK_ROW, BOOK_ROW)};
#define SECTION_TABLE(id, name, base, rows, doc) TABLE(alvh_cfg_##id##_table, name, #base, id##_keys, doc);
#define SECTION_PTR(id, ...) &alvh_cfg_##id##_table,
ALVH_MARKET_SECTIONS(MARKET_KEYS)
ALVH_MARKET_SECTIONS(SECTION_TABLE)
ALVH_BOOK_SECTIONS(BOOK_KEYS)
ALVH_BOOK_SECTIONS(SECTION_TABLE)

const alvh_ctable *const alvh_cfg_scenario_sections[] = {ALVH_MARKET_SECTIONS(SECTION_PTR)};
const size_t alvh_cfg_n_scenario_sections = sizeof alvh_cfg_scenario_sections / sizeof alvh_cfg_scenario_sections[0];
const alvh_ctable *const alvh_cfg_book_sections[] = {ALVH_BOOK_SECTIONS(SECTION_PTR)};
const size_t alvh_cfg_n_book_sections = sizeof alvh_cfg_book_sections / sizeof alvh_cfg_book_sections[0];
_Static_assert(sizeof alvh_cfg_scenario_sections / sizeof alvh_cfg_scenario_sections[0] == ALVH_CFG_N_SECTIONS,
               "origins are kept per section");
_Static_assert(sizeof alvh_cfg_book_sections / sizeof alvh_cfg_book_sections[0] == ALVH_CFG_N_BOOK_SECTIONS,
               "origins are kept per section");
_Static_assert(sizeof(((alvh_variant *)0)->name) == ALVH_CONFIG_NAME_MAX, "variant names are config names");

#define LAYER(x) (1u << ALVH_LAYER_##x)
#define FARM_HEDGES (LAYER(PERP) | LAYER(PUTS) | LAYER(CALLS) | LAYER(BORROW))
/* Each comparison answers one question (docs/book.md, "Default variants"):
 * what the farm's hedges do to the farm, what the VIX layer does to the
 * condor, what the whole book does to the unhedged core (condor + farm). */
const alvh_variant alvh_cfg_default_variants[] = {
    {"core_unhedged", LAYER(CONDOR) | LAYER(FARM), "core_unhedged", ALVH_ATTR_EULER},
    {"farm_only", LAYER(FARM), "farm_only", ALVH_ATTR_EULER},
    {"farm_hedged", LAYER(FARM) | FARM_HEDGES, "farm_only", ALVH_ATTR_EULER},
    {"condor_only", LAYER(CONDOR), "condor_only", ALVH_ATTR_EULER},
    {"condor_vix", LAYER(CONDOR) | LAYER(VIX), "condor_only", ALVH_ATTR_EULER},
    {"full", LAYER(CONDOR) | LAYER(VIX) | LAYER(FARM) | FARM_HEDGES, "core_unhedged", ALVH_ATTR_EULER},
};
#undef FARM_HEDGES
#undef LAYER
const size_t alvh_cfg_n_default_variants = sizeof alvh_cfg_default_variants / sizeof alvh_cfg_default_variants[0];
