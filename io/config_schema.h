/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration schema as data: one table per section, one row per key
 * with its type, where it is stored, default, inclusive/exclusive range, units
 * and a one-line doc, expanded from the parameter tables (.def files). The
 * reader (config.c), the resolved-text writer (config_emit.c) and the docs
 * generator (config_doc.c) all walk these tables. Private to io/.
 */
#ifndef ALVH_IO_CONFIG_SCHEMA_H
#define ALVH_IO_CONFIG_SCHEMA_H

#include <stddef.h>

#include "engine/book_run.h"
#include "common/status.h"
#include "io/yaml_tree.h"
#include "kernels/market_params.def"
#include "kernels/params.h"

typedef enum alvh_ctype {
    ALVH_CT_NUM,      /* double, finite */
    ALVH_CT_NUM_NULL, /* double; null stores NaN ("not set") */
    ALVH_CT_U64,      /* uint64_t, a whole number */
    ALVH_CT_SIZE,     /* size_t, a whole number */
    ALVH_CT_BOOL,     /* bool */
    ALVH_CT_BOOL_INT, /* int 0 / 1 */
    ALVH_CT_ENUM,     /* int, one of enum_names (stored as enum_values) */
    ALVH_CT_NAME,     /* char[ALVH_CONFIG_NAME_MAX]: letters, digits, '_', '-', '.' */
    ALVH_CT_TEXT,     /* char[ALVH_CONFIG_TEXT_MAX]: one line */
    ALVH_CT_LAYERS,   /* unsigned layer bit mask, from a sequence of layer names (alvh_layer_names) */
    ALVH_CT_PROBS,    /* alvh_cfg_probs: a sequence of increasing numbers in (0, 1) */
} alvh_ctype;

enum {
    ALVH_CK_REQUIRED = 1u << 0, /* no default: the key must be given */
    ALVH_CK_MIN_OPEN = ALVH_PARAM_LO_OPEN, /* value > min (else >= min): the tables' open bits */
    ALVH_CK_MAX_OPEN = ALVH_PARAM_HI_OPEN, /* value < max (else <= max) */
    ALVH_CK_NO_EMIT = 1u << 3,  /* written specially (or not at all) in the resolved text */
    ALVH_CK_SPECIAL = 1u << 4,  /* read by config.c itself, not stored through offset (extends) */
};

typedef struct alvh_ckey {
    const char *key;
    alvh_ctype type;
    size_t offset;        /* into the section's base struct */
    unsigned flags;
    double def;           /* numbers, counts, bools (0/1), enums (the stored value) */
    const char *def_text; /* names and texts; also overrides the docs' default column when set */
    double min, max;      /* numbers and counts; a max >= 2^64 means none */
    const char *units;
    const char *doc;
    const char *const *enum_names; /* ALVH_CT_ENUM: NULL-terminated */
    const int *enum_values;
} alvh_ckey;

typedef struct alvh_ctable {
    const char *name; /* section name in key paths and docs ("run", "spx", ...) */
    const char *base; /* C struct the offsets refer to (docs only) */
    const alvh_ckey *keys;
    size_t n_keys;
    const char *doc;
} alvh_ctable;

/* One injection as written: the forced moves and the days they are spread
 * over (io/config_inject.c expands it into days single-step injections). */
typedef struct alvh_cfg_injection {
    alvh_market_injection inj;
    size_t days;
} alvh_cfg_injection;

/* Expands ci into ci->days injections of one step each (out has room for
 * them): spx_ret and token_ret are total simple returns over the window,
 * spread as equal log returns, (1 + R)^(1/days) - 1 per day; vix and
 * funding_ann are the levels at the end of the last day (earlier days evolve
 * as the model says); gov_shock and hack count once, on the first day.
 * Days that would force nothing are left out; returns the number written. */
size_t alvh_cfg_injection_expand(const alvh_cfg_injection *ci, alvh_market_injection *out);

/* The sections, expanded from the parameter tables (config_schema.c). Offsets:
 * run -> alvh_config_run; scenario, spx, token, funding -> alvh_config_scenario;
 * injection -> alvh_cfg_injection; every book section -> alvh_book_params;
 * variant -> alvh_variant. */
extern const alvh_ctable alvh_cfg_run_table;
extern const alvh_ctable alvh_cfg_scenario_table;
extern const alvh_ctable alvh_cfg_spx_table;
extern const alvh_ctable alvh_cfg_token_table;
extern const alvh_ctable alvh_cfg_funding_table;
extern const alvh_ctable alvh_cfg_injection_table;
extern const alvh_ctable alvh_cfg_book_table; /* book: capital_usd */
extern const alvh_ctable alvh_cfg_condor_table, alvh_cfg_skew_table, alvh_cfg_vixhedge_table, alvh_cfg_farm_table,
    alvh_cfg_perp_table, alvh_cfg_puts_table, alvh_cfg_calls_table, alvh_cfg_borrow_table;
extern const alvh_ctable alvh_cfg_variant_table;
extern const alvh_ctable alvh_cfg_sweep_table, alvh_cfg_rstress_table;

/* Scenario sub-sections that are flat key tables, in file and output order. */
extern const alvh_ctable *const alvh_cfg_scenario_sections[];
extern const size_t alvh_cfg_n_scenario_sections;

/* The book's sections in file and output order: "book" first, then one per
 * layer; a section's parent is its name up to the last '.' (book.condor.skew
 * sits in book.condor). Every offset is into alvh_book_params. */
extern const alvh_ctable *const alvh_cfg_book_sections[];
extern const size_t alvh_cfg_n_book_sections;

/* The variants when the book gives none (variants[0] is the baseline). */
extern const alvh_variant alvh_cfg_default_variants[];
extern const size_t alvh_cfg_n_default_variants;

/* Hard limits that are not a single key's range. */
#define ALVH_CFG_MAX_STEPS ALVH_PARAMS_MAX_STEPS /* horizon_years * steps_per_year (market_params.def) */
#define ALVH_CFG_MAX_SCENARIOS 1000u
#define ALVH_CFG_MAX_INJECTIONS 10000u    /* per scenario */
#define ALVH_CFG_MAX_VARIANTS 32u         /* alvh_book_run's limit */
#define ALVH_CFG_MAX_EXTENDS_DEPTH 32u
#define ALVH_CFG_MAX_JUMPS_PER_STEP 0.05  /* lambda * dt: jump counts are capped at 2 per step */
#define ALVH_CFG_MAX_STORED_PATHS 100000000.0 /* store_paths: per-path rows beyond this are many GB */

/* Row of key in t, NULL when absent. */
const alvh_ckey *alvh_ctable_find(const alvh_ctable *t, const char *key);

/* Writes every default of t into base (required keys: zero / empty). */
void alvh_ctable_defaults(const alvh_ctable *t, void *base);

/* Parses v as k's type, range-checks it and stores it into base. On error the
 * message is "file:line:col: path: expected ..., got ..." at v's position. */
alvh_status alvh_ckey_set(const alvh_ckey *k, const alvh_ynode *v, void *base, const char *file, const char *path,
                          alvh_error *err);

/* "a number in [0, 1]", "a whole number in [1, 10000000000]", "true or false", ...: what k expects. */
void alvh_ckey_expected(const alvh_ckey *k, char *buf, size_t size);

/* Unknown key at keynode (path includes the key): refused with the closest
 * candidate ("did you mean 'x'?") by edit distance, or the list of valid keys. */
alvh_status alvh_cfg_unknown_key(const char *file, const alvh_ynode *keynode, const char *path, const char *key,
                                 const char *const *cands, size_t n_cands, alvh_error *err);

/* Optimal-string-alignment edit distance (insert, delete, substitute, swap neighbours). */
size_t alvh_edit_distance(const char *a, const char *b);

/* snprintf for key paths and messages: truncates silently (paths are short;
 * a cut path still locates the key). */
void alvh_cfg_fmt(char *dst, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Shortest "%.{15,16,17}g" text that reads back to x exactly. */
void alvh_format_double(double x, char *buf, size_t size);

/* The schema as Markdown tables (the generated part of docs/config.md). Caller frees. */
char *alvh_config_schema_markdown(void);

#endif
