/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration reader (config.h): YAML tree -> alvh_config, driven by the
 * schema tables (config_schema.c). Order of work, so that every check knows
 * what it needs: top-level keys, then run (dt is needed by the scenario
 * checks), then each scenario resolved through its extends chain and checked
 * as a whole (config_check.c), then the book (its sections, its variants,
 * and the kernel's check of the book under every scenario).
 *
 * Every value remembers where it was written (file, line, column, key path),
 * so a check across keys (e.g. correlations that are not positive definite
 * only together) still points at a line the user wrote, possibly in a base
 * file of an extends chain.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "io/config.h"

#include <limits.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/variants.h"
#include "io/config_check.h"
#include "io/config_schema.h"
#include "io/yaml_tree.h"

#define MAX_DOCS 64 /* files in one extends graph */

typedef struct chain_link {
    const alvh_ydoc *doc;
    const char *name;
} chain_link;

typedef struct loader {
    alvh_error *err;
    alvh_ydoc *docs[MAX_DOCS];
    char *canon[MAX_DOCS]; /* realpath of each file; NULL for text given in memory */
    size_t n_docs;
    const alvh_ydoc *root;
    alvh_cfg_run_checked run; /* run settings with their origins */
    chain_link chain[ALVH_CFG_MAX_EXTENDS_DEPTH + 1];
    size_t chain_len;
} loader;

/* An error at node n of document d (the file's start when n is NULL). */
#define fail_node(L, d, n, kpath, ...)                                                                     \
    alvh_error_at((L)->err, alvh_ynode_file(d, n), (n) ? (n)->line : 1, (n) ? (n)->col : 1, kpath, __VA_ARGS__)

static void set_origin(alvh_cfg_origin *o, const alvh_ydoc *d, const alvh_ynode *n, const char *path)
{
    o->file = alvh_ynode_file(d, n);
    o->line = n->line;
    o->col = n->col;
    o->set = 1;
    alvh_cfg_fmt(o->path, sizeof o->path, "%s", path);
}

static void join(char *out, size_t size, const char *prefix, const char *key)
{
    alvh_cfg_fmt(out, size, "%s%s%s", prefix, *prefix ? "." : "", key);
}

/* ---- files ---------------------------------------------------------------------------------- */

static alvh_status doc_add(loader *L, alvh_ydoc *d, const char *canon)
{
    if (L->n_docs == MAX_DOCS) {
        /* the message names d's path: format it before freeing d */
        alvh_status st = alvh_error_set(L->err, ALVH_E_CONFIG, "%s: more than %d files in one extends graph",
                                        d->path, MAX_DOCS);
        alvh_ydoc_free(d);
        return st;
    }
    L->canon[L->n_docs] = canon ? strdup(canon) : NULL;
    L->docs[L->n_docs++] = d;
    return ALVH_OK;
}

/* The file an extends reference names, relative to the including file. */
static alvh_status doc_open(loader *L, const alvh_ydoc *from, const char *rel, alvh_ydoc **out)
{
    char path[PATH_MAX];
    const char *slash = strrchr(from->path, '/');
    if (rel[0] == '/' || !slash)
        alvh_cfg_fmt(path, sizeof path, "%s", rel);
    else
        alvh_cfg_fmt(path, sizeof path, "%.*s/%s", (int)(slash - from->path), from->path, rel);
    char canon[PATH_MAX];
    if (realpath(path, canon)) {
        for (size_t i = 0; i < L->n_docs; i++)
            if (L->canon[i] && !strcmp(L->canon[i], canon)) {
                *out = L->docs[i];
                return ALVH_OK;
            }
    }
    alvh_ydoc *d;
    alvh_status st = alvh_ydoc_load_file(path, &d, L->err);
    if (st != ALVH_OK)
        return st;
    st = doc_add(L, d, realpath(path, canon) ? canon : NULL);
    if (st == ALVH_OK)
        *out = d;
    return st;
}

/* The scenarios sequence of a file (the root file is checked in detail by load_top). */
static alvh_status scenarios_of(loader *L, const alvh_ydoc *d, const alvh_ynode **out)
{
    const alvh_ynode *s = alvh_ynode_get(d->root, "scenarios");
    if (!d->root || d->root->kind != ALVH_Y_MAP)
        return fail_node(L, d, d->root, "", "expected a mapping with a scenarios sequence at the top level");
    if (!s || s->kind != ALVH_Y_SEQ)
        return fail_node(L, d, s ? s : d->root, s ? "scenarios" : "", "expected a sequence of scenarios");
    *out = s;
    return ALVH_OK;
}

/* ---- one mapping onto its table ------------------------------------------------------------ */

typedef struct walk walk;

/* How apply_map reads one mapping: the table, where values go and where
 * their origins go, and hooks for what the table does not say. */
struct walk {
    const alvh_ctable *t;
    void *base;               /* the struct t's offsets point into */
    alvh_cfg_origin *origins; /* per row of t; NULL: slot (or nothing) */
    alvh_cfg_origin *(*slot)(const walk *w, const alvh_ckey *k); /* may return NULL: not kept */
    /* a key that is no row of t (a sub-section, a sequence): *done = 1 when it was one */
    alvh_status (*other)(loader *L, const alvh_ydoc *d, const alvh_ynode *key, const alvh_ynode *val,
                         const char *kpath, const walk *w, int *done);
    /* an unknown key; NULL: suggest among t's keys */
    alvh_status (*unknown)(loader *L, const alvh_ydoc *d, const alvh_ynode *key, const char *kpath, const walk *w);
    void *work; /* what the hooks fill */
    size_t sec; /* section index for the hooks */
};

static alvh_status expect_kind(loader *L, const alvh_ydoc *d, const alvh_ynode *n, alvh_ynode_kind kind,
                               const char *path)
{
    if (n->kind == kind)
        return ALVH_OK;
    char got[96];
    alvh_ynode_describe(n, got, sizeof got);
    return fail_node(L, d, n, path, "expected %s, got %s", kind == ALVH_Y_MAP ? "a mapping" : "a sequence", got);
}

static alvh_status unknown_own(loader *L, const alvh_ydoc *d, const alvh_ynode *key, const char *kpath,
                               const alvh_ctable *t)
{
    const char *cands[ALVH_CFG_MAX_SECTION_KEYS];
    for (size_t c = 0; c < t->n_keys; c++)
        cands[c] = t->keys[c].key;
    return alvh_cfg_unknown_key(alvh_ynode_file(d, key), key, kpath, key->text, cands, t->n_keys, L->err);
}

/* Every key of map (at path) through w: stored, range-checked, its origin
 * kept; then every required row must have been given. */
static alvh_status apply_map(loader *L, const alvh_ydoc *d, const alvh_ynode *map, const char *path, const walk *w)
{
    alvh_status st = expect_kind(L, d, map, ALVH_Y_MAP, path);
    for (size_t i = 0; st == ALVH_OK && i < map->n; i++) {
        const alvh_ynode *key = map->kids[2 * i], *val = map->kids[2 * i + 1];
        char kpath[192];
        join(kpath, sizeof kpath, path, key->text);
        int done = 0;
        if (w->other && ((st = w->other(L, d, key, val, kpath, w, &done)) != ALVH_OK || done))
            continue;
        const alvh_ckey *k = alvh_ctable_find(w->t, key->text);
        if (!k)
            return w->unknown ? w->unknown(L, d, key, kpath, w) : unknown_own(L, d, key, kpath, w->t);
        if (k->flags & ALVH_CK_SPECIAL)
            continue;
        if ((st = alvh_ckey_set(k, val, w->base, alvh_ynode_file(d, val), kpath, L->err)) != ALVH_OK)
            break;
        alvh_cfg_origin *o = w->origins ? &w->origins[k - w->t->keys] : w->slot ? w->slot(w, k) : NULL;
        if (o)
            set_origin(o, d, val, kpath);
    }
    for (size_t i = 0; st == ALVH_OK && i < w->t->n_keys; i++)
        if ((w->t->keys[i].flags & ALVH_CK_REQUIRED) && !alvh_ynode_get(map, w->t->keys[i].key))
            return fail_node(L, d, map, path, "missing required key '%s' (%s)", w->t->keys[i].key, w->t->keys[i].doc);
    return st;
}

/* ---- scenarios ------------------------------------------------------------------------------ */

static void work_defaults(alvh_cfg_scenario_work *w)
{
    memset(w, 0, sizeof *w);
    alvh_ctable_defaults(&alvh_cfg_scenario_table, &w->s);
    for (size_t i = 0; i < alvh_cfg_n_scenario_sections; i++)
        alvh_ctable_defaults(alvh_cfg_scenario_sections[i], &w->s);
}

static const char *const scenario_extra_keys[] = {"spx", "token", "funding", "eth", "premia", "treasury", "injections"};

/* Unknown key in a scenario or one of its sections: the section's keys first
 * (and the scenario's sub-sections), then "section.key" of every other section. */
static alvh_status unknown_in_scenario(loader *L, const alvh_ydoc *d, const alvh_ynode *key, const char *kpath,
                                       const walk *w)
{
    enum { MAX_CANDS = 128 };
    const char *cands[MAX_CANDS];
    char store[MAX_CANDS][80];
    size_t n = 0;
    for (size_t i = 0; i < w->t->n_keys && n < MAX_CANDS; i++)
        cands[n++] = w->t->keys[i].key;
    for (size_t i = 0; w->t == &alvh_cfg_scenario_table && i < sizeof scenario_extra_keys / sizeof *scenario_extra_keys;
         i++)
        cands[n++] = scenario_extra_keys[i];
    for (size_t s = 0; s < alvh_cfg_n_scenario_sections; s++) {
        const alvh_ctable *t = alvh_cfg_scenario_sections[s];
        for (size_t i = 0; t != w->t && i < t->n_keys && n < MAX_CANDS; i++) {
            alvh_cfg_fmt(store[n], sizeof store[n], "%s.%s", t->name, t->keys[i].key);
            cands[n] = store[n];
            n++;
        }
    }
    return alvh_cfg_unknown_key(alvh_ynode_file(d, key), key, kpath, key->text, cands, n, L->err);
}

/* One flat section (spx, token, funding) of a scenario node onto w. */
static alvh_status apply_section(loader *L, const alvh_ydoc *d, const alvh_ynode *map, const char *path, size_t sec,
                                 alvh_cfg_scenario_work *w)
{
    const alvh_ctable *t = alvh_cfg_scenario_sections[sec];
    walk wk = {.t = t, .base = &w->s, .origins = w->origin[sec], .unknown = unknown_in_scenario};
    alvh_status st = apply_map(L, d, map, path, &wk);
    if (st != ALVH_OK || t != &alvh_cfg_spx_table)
        return st;
    /* v0 and vix0 are two ways to set one state: one per mapping, and the
     * one given here replaces the other one inherited from a base */
    const alvh_ynode *v0 = alvh_ynode_get(map, "v0"), *vix0 = alvh_ynode_get(map, "vix0");
    int has_v0 = v0 && !alvh_ynode_is_null(v0), has_vix0 = vix0 && !alvh_ynode_is_null(vix0);
    if (has_v0 && has_vix0) {
        const alvh_ynode *later = (vix0->line > v0->line || (vix0->line == v0->line && vix0->col > v0->col)) ? vix0 : v0;
        char kpath[160];
        join(kpath, sizeof kpath, path, later == vix0 ? "vix0" : "v0");
        return fail_node(L, d, later, kpath, "expected v0 or vix0, not both (%s given at line %d, column %d)",
                         later == vix0 ? "v0" : "vix0", later == vix0 ? v0->line : vix0->line,
                         later == vix0 ? v0->col : vix0->col);
    }
    if (has_v0)
        w->s.vix0 = NAN;
    if (has_vix0)
        w->s.market.spx.v0 = NAN;
    return ALVH_OK;
}

/* An injection keeps the origins of its day and vix (config_check.c blames them). */
static alvh_cfg_origin *injection_slot(const walk *w, const alvh_ckey *k)
{
    alvh_cfg_inj_origin *o = w->work;
    return !strcmp(k->key, "day") ? &o->day : !strcmp(k->key, "vix") ? &o->vix : NULL;
}

static alvh_status apply_injections(loader *L, const alvh_ydoc *d, const alvh_ynode *seq, const char *path,
                                    alvh_cfg_scenario_work *w)
{
    alvh_status st = expect_kind(L, d, seq, ALVH_Y_SEQ, path);
    if (st != ALVH_OK)
        return st;
    if (seq->n > ALVH_CFG_MAX_INJECTIONS)
        return fail_node(L, d, seq, path, "expected at most %u injections, got %zu", ALVH_CFG_MAX_INJECTIONS, seq->n);
    /* a list given here replaces the inherited one */
    free(w->s.injections);
    free(w->inj_origins);
    w->s.injections = NULL;
    w->inj_origins = NULL;
    w->s.n_injections = 0;
    if (!seq->n)
        return ALVH_OK;
    /* each item as written (alvh_cfg_injection: the moves and their days), then one
     * single-step injection per day of its window (io/config_inject.c) */
    alvh_cfg_injection *items = calloc(seq->n, sizeof *items);
    alvh_cfg_inj_origin *item_origins = calloc(seq->n, sizeof *item_origins);
    if (!items || !item_origins) {
        free(items), free(item_origins);
        return alvh_error_set(L->err, ALVH_E_NOMEM, "out of memory");
    }
    size_t total = 0;
    for (size_t j = 0; st == ALVH_OK && j < seq->n; j++) {
        const alvh_ynode *item = seq->kids[j];
        char ipath[160];
        alvh_cfg_fmt(ipath, sizeof ipath, "%s[%zu]", path, j);
        const alvh_market_injection *inj = &items[j].inj;
        alvh_ctable_defaults(&alvh_cfg_injection_table, &items[j]);
        walk wk = {.t = &alvh_cfg_injection_table, .base = &items[j], .slot = injection_slot,
                   .work = &item_origins[j]};
        if ((st = apply_map(L, d, item, ipath, &wk)) != ALVH_OK)
            break;
        if (isnan(inj->spx_ret) && isnan(inj->vix_level) && isnan(inj->token_ret) && isnan(inj->funding_ann) &&
            !inj->gov_shock && !inj->hack)
            st = fail_node(L, d, item, ipath,
                           "injection forces nothing: expected at least one of spx_ret, vix, token_ret, "
                           "funding_ann, gov_shock, hack");
        total += items[j].days;
        if (st == ALVH_OK && total > ALVH_CFG_MAX_INJECTIONS)
            st = fail_node(L, d, item, ipath, "expected at most %u injected days, got %zu so far",
                           ALVH_CFG_MAX_INJECTIONS, total);
    }
    if (st == ALVH_OK) {
        w->s.injections = calloc(total, sizeof *w->s.injections);
        w->inj_origins = calloc(total, sizeof *w->inj_origins);
        if (!w->s.injections || !w->inj_origins)
            st = alvh_error_set(L->err, ALVH_E_NOMEM, "out of memory");
    }
    for (size_t j = 0; st == ALVH_OK && j < seq->n; j++) {
        size_t k = alvh_cfg_injection_expand(&items[j], w->s.injections + w->s.n_injections);
        for (size_t i = 0; i < k; i++)
            w->inj_origins[w->s.n_injections + i] = item_origins[j];
        w->s.n_injections += k;
    }
    free(items);
    free(item_origins);
    return st;
}

/* The scenario's sub-sections and its injections. */
static alvh_status scenario_other(loader *L, const alvh_ydoc *d, const alvh_ynode *key, const alvh_ynode *val,
                                  const char *kpath, const walk *wk, int *done)
{
    alvh_cfg_scenario_work *w = wk->work;
    *done = 1;
    for (size_t sec = 0; sec < alvh_cfg_n_scenario_sections; sec++)
        if (!strcmp(key->text, alvh_cfg_scenario_sections[sec]->name))
            return apply_section(L, d, val, kpath, sec, w);
    if (strcmp(key->text, "injections")) {
        *done = 0;
        return ALVH_OK;
    }
    alvh_status st = apply_injections(L, d, val, kpath, w);
    if (st == ALVH_OK)
        set_origin(&w->injections_origin, d, val, kpath);
    return st;
}

/* Keys of one scenario node over w (defaults or the resolved base). */
static alvh_status apply_scenario(loader *L, const alvh_ydoc *d, const alvh_ynode *node, const char *path,
                                  alvh_cfg_scenario_work *w)
{
    walk wk = {.t = &alvh_cfg_scenario_table, .base = &w->s, .other = scenario_other, .unknown = unknown_in_scenario,
               .work = w};
    return apply_map(L, d, node, path, &wk);
}

static void chain_text(const loader *L, char *buf, size_t size, const alvh_ydoc *last_doc, const char *last_name)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i <= L->chain_len && o < size; i++) {
        const alvh_ydoc *d = i < L->chain_len ? L->chain[i].doc : last_doc;
        const char *name = i < L->chain_len ? L->chain[i].name : last_name;
        if (!d)
            break;
        if (d == L->root)
            o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? " -> " : "", name);
        else
            o += (size_t)snprintf(buf + o, size - o, "%s%s#%s", i ? " -> " : "", d->path, name);
    }
}

static alvh_status resolve(loader *L, const alvh_ydoc *d, const alvh_ynode *node, const char *path,
                           alvh_cfg_scenario_work *w);

/* The base named by an extends value: "name" (this file) or "file.yaml#name". */
static alvh_status resolve_base(loader *L, const alvh_ydoc *d, const alvh_ynode *ext, const char *path,
                                alvh_cfg_scenario_work *w)
{
    char epath[160];
    join(epath, sizeof epath, path, "extends");
    char text[ALVH_CONFIG_TEXT_MAX];
    alvh_ckey k = *alvh_ctable_find(&alvh_cfg_scenario_table, "extends");
    k.offset = 0;
    k.flags = 0;
    alvh_status st = ext->kind == ALVH_Y_SCALAR ? alvh_ckey_set(&k, ext, text, alvh_ynode_file(d, ext), epath, L->err) : ALVH_E_CONFIG;
    const char *hash = st == ALVH_OK ? strrchr(text, '#') : NULL;
    const char *name = hash ? hash + 1 : text;
    if (st != ALVH_OK || !*name) {
        char got[96];
        alvh_ynode_describe(ext, got, sizeof got);
        return fail_node(L, d, ext, epath, "expected 'name' or 'file.yaml#name', got %s", got);
    }
    const alvh_ydoc *bd = d;
    char chain[300];
    if (hash && hash != text) {
        char rel[ALVH_CONFIG_TEXT_MAX];
        alvh_cfg_fmt(rel, sizeof rel, "%.*s", (int)(hash - text), text);
        alvh_ydoc *od;
        if (doc_open(L, d, rel, &od) != ALVH_OK) {
            char why[sizeof L->err->msg];
            alvh_cfg_fmt(why, sizeof why, "%s", L->err->msg);
            chain_text(L, chain, sizeof chain, NULL, NULL);
            return fail_node(L, d, ext, epath, "cannot read the base: %s (extends chain: %s -> %s)", why, chain, text);
        }
        bd = od;
    }
    /* cycle: the base is already on the chain */
    for (size_t i = 0; i < L->chain_len; i++)
        if (L->chain[i].doc == bd && !strcmp(L->chain[i].name, name)) {
            chain_text(L, chain, sizeof chain, bd, name);
            return fail_node(L, d, ext, epath, "cyclic extends chain: %s", chain);
        }
    if (L->chain_len >= ALVH_CFG_MAX_EXTENDS_DEPTH) {
        chain_text(L, chain, sizeof chain, bd, name);
        return fail_node(L, d, ext, epath, "extends chain longer than %u: %s", ALVH_CFG_MAX_EXTENDS_DEPTH, chain);
    }
    const alvh_ynode *seq = NULL;
    if ((st = scenarios_of(L, bd, &seq)) != ALVH_OK) {
        chain_text(L, chain, sizeof chain, bd, name);
        size_t o = strlen(L->err->msg);
        alvh_cfg_fmt(L->err->msg + o, sizeof L->err->msg - o, " (extends chain: %s)", chain);
        return st;
    }
    for (size_t j = 0; j < seq->n; j++) {
        const alvh_ynode *nm = alvh_ynode_get(seq->kids[j], "name");
        if (nm && nm->kind == ALVH_Y_SCALAR && !strcmp(nm->text, name)) {
            char bpath[64];
            alvh_cfg_fmt(bpath, sizeof bpath, "scenarios[%zu]", j);
            st = resolve(L, bd, seq->kids[j], bpath, w);
            if (st == ALVH_E_CONFIG && !strstr(L->err->msg, "extends chain")) {
                /* an error inside a base: say how the scenario got there */
                chain_text(L, chain, sizeof chain, bd, name);
                size_t o = strlen(L->err->msg);
                alvh_cfg_fmt(L->err->msg + o, sizeof L->err->msg - o, " (extends chain: %s)", chain);
            }
            return st;
        }
    }
    chain_text(L, chain, sizeof chain, bd, name);
    return fail_node(L, d, ext, epath, "no scenario named '%s' in %s (extends chain: %s)", name, bd->path, chain);
}

/* Scenario node -> w: base first (extends), then this node's keys. */
static alvh_status resolve(loader *L, const alvh_ydoc *d, const alvh_ynode *node, const char *path,
                           alvh_cfg_scenario_work *w)
{
    alvh_status st = expect_kind(L, d, node, ALVH_Y_MAP, path);
    if (st != ALVH_OK)
        return st;
    const alvh_ynode *name = alvh_ynode_get(node, "name");
    if (!name)
        return fail_node(L, d, node, path, "missing required key 'name' (%s)", alvh_cfg_scenario_table.keys[0].doc);
    char npath[160];
    join(npath, sizeof npath, path, "name");
    alvh_config_scenario probe;
    if ((st = alvh_ckey_set(&alvh_cfg_scenario_table.keys[0], name, &probe, alvh_ynode_file(d, name), npath, L->err)) != ALVH_OK)
        return st;
    const alvh_ynode *ext = alvh_ynode_get(node, "extends");
    if (ext && !alvh_ynode_is_null(ext)) {
        L->chain[L->chain_len++] = (chain_link){d, name->text};
        st = resolve_base(L, d, ext, path, w);
        L->chain_len--;
        if (st != ALVH_OK)
            return st;
    } else {
        work_defaults(w);
    }
    set_origin(&w->node, d, node, path);
    return apply_scenario(L, d, node, path, w);
}

/* ---- top level ------------------------------------------------------------------------------ */

static alvh_status load_run(loader *L, const alvh_ydoc *d, const alvh_ynode *map)
{
    alvh_cfg_run_checked *r = &L->run;
    alvh_ctable_defaults(&alvh_cfg_run_table, &r->run);
    r->node = (alvh_cfg_origin){.file = d->path, .line = 1, .col = 1};
    alvh_cfg_fmt(r->node.path, sizeof r->node.path, "run");
    if (map) {
        walk wk = {.t = &alvh_cfg_run_table, .base = &r->run, .origins = r->origin};
        alvh_status st = apply_map(L, d, map, "run", &wk);
        if (st != ALVH_OK)
            return st;
        set_origin(&r->node, d, map, "run");
    }
    return alvh_cfg_check_run(r, L->err);
}

static alvh_status load_scenarios(loader *L, const alvh_ydoc *d, const alvh_ynode *seq, alvh_config *cfg)
{
    alvh_status st = expect_kind(L, d, seq, ALVH_Y_SEQ, "scenarios");
    if (st != ALVH_OK)
        return st;
    if (seq->n == 0)
        return fail_node(L, d, seq, "scenarios", "expected at least one scenario, got an empty sequence");
    if (seq->n > ALVH_CFG_MAX_SCENARIOS)
        return fail_node(L, d, seq, "scenarios", "expected at most %u scenarios, got %zu", ALVH_CFG_MAX_SCENARIOS,
                         seq->n);
    cfg->scenarios = calloc(seq->n, sizeof *cfg->scenarios);
    if (!cfg->scenarios)
        return alvh_error_set(L->err, ALVH_E_NOMEM, "out of memory");
    for (size_t j = 0; j < seq->n; j++) {
        char path[64];
        alvh_cfg_fmt(path, sizeof path, "scenarios[%zu]", j);
        alvh_cfg_scenario_work w;
        memset(&w, 0, sizeof w);
        L->chain_len = 0;
        st = resolve(L, d, seq->kids[j], path, &w);
        if (st == ALVH_OK)
            st = alvh_cfg_check_scenario(&w, &L->run, L->err);
        if (st == ALVH_OK)
            for (size_t i = 0; i < j; i++)
                if (!strcmp(cfg->scenarios[i].name, w.s.name)) {
                    char npath[80];
                    alvh_cfg_fmt(npath, sizeof npath, "%s.name", path);
                    st = fail_node(L, d, alvh_ynode_get(seq->kids[j], "name"), npath,
                                   "duplicate scenario name '%s' (also scenarios[%zu]): expected unique names", w.s.name,
                                   i);
                    break;
                }
        free(w.inj_origins);
        w.inj_origins = NULL;
        cfg->scenarios[j] = w.s; /* takes the injections */
        cfg->n_scenarios = j + 1;
        if (st != ALVH_OK)
            return st;
    }
    return ALVH_OK;
}

/* ---- the hedge book ------------------------------------------------------------------------- */

/* Book section whose name is parent + "." + key, or -1. */
static int book_child(size_t parent, const char *key)
{
    const char *pn = alvh_cfg_book_sections[parent]->name;
    size_t n = strlen(pn);
    for (size_t s = 0; s < alvh_cfg_n_book_sections; s++) {
        const char *sn = alvh_cfg_book_sections[s]->name;
        if (!strncmp(sn, pn, n) && sn[n] == '.' && !strcmp(sn + n + 1, key))
            return (int)s;
    }
    return -1;
}

/* Unknown key in book section w->sec: its keys and sub-sections first, then
 * "section.key" of every other book section (relative to book). */
static alvh_status unknown_in_book(loader *L, const alvh_ydoc *d, const alvh_ynode *key, const char *path,
                                   const walk *w)
{
    enum { MAX_CANDS = 160 };
    const char *cands[MAX_CANDS];
    char store[MAX_CANDS][80];
    size_t n = 0;
    const alvh_ctable *own = w->t;
    const char *pn = own->name;
    size_t pl = strlen(pn);
    for (size_t i = 0; i < own->n_keys && n < MAX_CANDS; i++)
        cands[n++] = own->keys[i].key;
    for (size_t s = 0; s < alvh_cfg_n_book_sections && n < MAX_CANDS; s++) {
        const char *sn = alvh_cfg_book_sections[s]->name;
        if (!strncmp(sn, pn, pl) && sn[pl] == '.' && !strchr(sn + pl + 1, '.'))
            cands[n++] = sn + pl + 1;
    }
    if (w->sec == 0 && n + 3 <= MAX_CANDS) {
        cands[n++] = "variants";
        cands[n++] = "sweeps";
        cands[n++] = "reverse_stress";
    }
    for (size_t s = 1; s < alvh_cfg_n_book_sections; s++) {
        const alvh_ctable *t = alvh_cfg_book_sections[s];
        for (size_t i = 0; t != own && i < t->n_keys && n < MAX_CANDS; i++) {
            alvh_cfg_fmt(store[n], sizeof store[n], "%s.%s", t->name + 5, t->keys[i].key);
            cands[n] = store[n];
            n++;
        }
    }
    return alvh_cfg_unknown_key(alvh_ynode_file(d, key), key, path, key->text, cands, n, L->err);
}

static alvh_cfg_origin *variant_slot(const walk *w, const alvh_ckey *k)
{
    alvh_cfg_variant_origin *o = w->work;
    alvh_cfg_origin *slots[] = {&o->name, &o->layers, &o->baseline, &o->attribution};
    return slots[k - w->t->keys];
}

/* The leave-one-out variants appended after the given ones (engine/variants.h). */
static alvh_status expand_loo(loader *L, const alvh_ydoc *d, const alvh_ynode *seq, alvh_cfg_book_work *w)
{
    alvh_variant *v = realloc(w->variants, ALVH_CFG_MAX_VARIANTS * sizeof *v);
    alvh_cfg_variant_origin *o = realloc(w->var_origins, ALVH_CFG_MAX_VARIANTS * sizeof *o);
    if (v)
        w->variants = v;
    if (o)
        w->var_origins = o;
    if (!v || !o)
        return alvh_error_set(L->err, ALVH_E_NOMEM, "out of memory");
    size_t n = w->n_variants;
    alvh_error e = {0};
    if (alvh_variants_expand_loo(v, &n, ALVH_CFG_MAX_VARIANTS, &e) != ALVH_OK)
        return fail_node(L, d, seq, "book.variants", "%s", e.msg);
    for (size_t j = w->n_variants; j < n; j++)
        o[j] = o[0]; /* reported where the sequence is */
    w->n_variants = n;
    return ALVH_OK;
}

static alvh_status apply_variants(loader *L, const alvh_ydoc *d, const alvh_ynode *seq, alvh_cfg_book_work *w)
{
    const char *path = "book.variants";
    alvh_status st = expect_kind(L, d, seq, ALVH_Y_SEQ, path);
    if (st != ALVH_OK)
        return st;
    if (seq->n == 0)
        return fail_node(L, d, seq, path, "expected at least one variant, got an empty sequence");
    if (seq->n > ALVH_CFG_MAX_VARIANTS)
        return fail_node(L, d, seq, path, "expected at most %u variants, got %zu", ALVH_CFG_MAX_VARIANTS, seq->n);
    w->variants = calloc(seq->n, sizeof *w->variants);
    w->var_origins = calloc(seq->n, sizeof *w->var_origins);
    if (!w->variants || !w->var_origins)
        return alvh_error_set(L->err, ALVH_E_NOMEM, "out of memory");
    set_origin(&w->variants_node, d, seq, path);
    for (size_t j = 0; j < seq->n; j++) {
        const alvh_ynode *item = seq->kids[j];
        char ipath[64];
        alvh_cfg_fmt(ipath, sizeof ipath, "%s[%zu]", path, j);
        alvh_variant *v = &w->variants[j];
        alvh_cfg_variant_origin *o = &w->var_origins[j];
        walk wk = {.t = &alvh_cfg_variant_table, .base = v, .slot = variant_slot, .work = o};
        if ((st = apply_map(L, d, item, ipath, &wk)) != ALVH_OK)
            return st;
        set_origin(&o->node, d, item, ipath);
        for (size_t i = 0; i < j; i++)
            if (!strcmp(w->variants[i].name, v->name))
                return fail_node(L, d, alvh_ynode_get(item, "name"), o->name.path,
                                 "duplicate variant name '%s' (also book.variants[%zu]): expected unique names",
                                 v->name, i);
        w->n_variants = j + 1;
    }
    /* baselines name variants of the book; empty: the first */
    for (size_t j = 0; j < seq->n; j++) {
        alvh_variant *v = &w->variants[j];
        if (!v->baseline[0])
            memcpy(v->baseline, w->variants[0].name, sizeof v->baseline);
        else if (alvh_variant_find(w->variants, seq->n, v->baseline) == seq->n)
            return fail_node(L, d, alvh_ynode_get(seq->kids[j], "baseline"), w->var_origins[j].baseline.path,
                             "expected the name of a variant of the book, got '%s'", v->baseline);
    }
    return expand_loo(L, d, seq, w);
}

static alvh_status apply_book_section(loader *L, const alvh_ydoc *d, const alvh_ynode *map, size_t sec,
                                      alvh_cfg_book_work *w);

/* "section.key" of a number of the book: its offset into alvh_book_params, or 0 with *ok = 0 */
static size_t book_param_offset(const char *param, int *ok)
{
    char want[80];
    *ok = 0;
    for (size_t s = 0; s < alvh_cfg_n_book_sections; s++) {
        const alvh_ctable *t = alvh_cfg_book_sections[s];
        for (size_t k = 0; k < t->n_keys; k++) {
            const char *sec = strchr(t->name, '.') ? strchr(t->name, '.') + 1 : "";
            snprintf(want, sizeof want, "%s%s%s", sec, *sec ? "." : "", t->keys[k].key);
            if (!strcmp(want, param) && t->keys[k].type == ALVH_CT_NUM) {
                *ok = 1;
                return t->keys[k].offset; /* book rows are offsets into alvh_book_params */
            }
        }
    }
    return 0;
}

/* book.sweeps or book.reverse_stress: a sequence of mappings of table t, elem bytes each */
static alvh_status apply_entries(loader *L, const alvh_ydoc *d, const alvh_ynode *seq, const char *path,
                                 const alvh_ctable *t, size_t elem, void **out, size_t *n)
{
    alvh_status st = expect_kind(L, d, seq, ALVH_Y_SEQ, path);
    if (st != ALVH_OK)
        return st;
    if (seq->n > 64)
        return fail_node(L, d, seq, path, "expected at most 64 entries, got %zu", seq->n);
    char *a = calloc(seq->n ? seq->n : 1, elem);
    if (!a)
        return alvh_error_set(L->err, ALVH_E_NOMEM, "out of memory");
    free(*out);
    *out = a;
    for (size_t j = 0; j < seq->n; j++) {
        char ipath[64];
        alvh_cfg_fmt(ipath, sizeof ipath, "%s[%zu]", path, j);
        alvh_ctable_defaults(t, a + j * elem);
        walk wk = {.t = t, .base = a + j * elem};
        if ((st = apply_map(L, d, seq->kids[j], ipath, &wk)) != ALVH_OK)
            return st;
        *n = j + 1;
    }
    return ALVH_OK;
}

/* names and parameters the entries refer to */
static alvh_status check_studies(loader *L, const alvh_ydoc *d, const alvh_ynode *book, alvh_cfg_book_work *w)
{
    for (size_t j = 0; j < w->n_sweeps; j++) {
        alvh_config_sweep *s = &w->sweeps[j];
        const alvh_ynode *item = alvh_ynode_get(book, "sweeps")->kids[j];
        char p[64];
        int ok;
        alvh_cfg_fmt(p, sizeof p, "book.sweeps[%zu]", j);
        if (alvh_variant_find(w->variants, w->n_variants, s->variant) == w->n_variants)
            return fail_node(L, d, alvh_ynode_get(item, "variant"), p,
                             "variant: expected the name of a variant of the book, got '%s'", s->variant);
        s->param_offset = book_param_offset(s->param, &ok);
        if (!ok)
            return fail_node(L, d, alvh_ynode_get(item, "param"), p,
                             "param: expected section.key of a number of the book (e.g. perp.leverage), got '%s'",
                             s->param);
    }
    for (size_t j = 0; j < w->n_rstress; j++) {
        alvh_config_rstress *r = &w->rstress[j];
        const alvh_ynode *item = alvh_ynode_get(book, "reverse_stress")->kids[j];
        char p[64];
        alvh_cfg_fmt(p, sizeof p, "book.reverse_stress[%zu]", j);
        if (alvh_variant_find(w->variants, w->n_variants, r->variant) == w->n_variants)
            return fail_node(L, d, alvh_ynode_get(item, "variant"), p,
                             "variant: expected the name of a variant of the book, got '%s'", r->variant);
        if (!(r->size_lo < r->size_hi))
            return fail_node(L, d, item, p, "expected lo < hi, got lo %g, hi %g", r->size_lo, r->size_hi);
    }
    return ALVH_OK;
}

/* A book section's sub-sections, the variants (in book) and farm.gov_cut, which is no key. */
static alvh_status book_other(loader *L, const alvh_ydoc *d, const alvh_ynode *key, const alvh_ynode *val,
                              const char *kpath, const walk *wk, int *done)
{
    int child = book_child(wk->sec, key->text);
    *done = 1;
    if (child >= 0)
        return apply_book_section(L, d, val, (size_t)child, wk->work);
    if (wk->sec == 0 && !strcmp(key->text, "variants"))
        return apply_variants(L, d, val, wk->work);
    alvh_cfg_book_work *bw = wk->work;
    if (wk->sec == 0 && !strcmp(key->text, "sweeps"))
        return apply_entries(L, d, val, "book.sweeps", &alvh_cfg_sweep_table, sizeof(alvh_config_sweep),
                             (void **)&bw->sweeps, &bw->n_sweeps);
    if (wk->sec == 0 && !strcmp(key->text, "reverse_stress"))
        return apply_entries(L, d, val, "book.reverse_stress", &alvh_cfg_rstress_table, sizeof(alvh_config_rstress),
                             (void **)&bw->rstress, &bw->n_rstress);
    if (wk->t == &alvh_cfg_farm_table && !strcmp(key->text, "gov_cut"))
        return fail_node(L, d, key, kpath,
                         "not a book key: the farm's emission cut at each down governance shock is the "
                         "scenario's token.gov_dn_emission_factor");
    *done = 0;
    return ALVH_OK;
}

/* One book section (a mapping) onto w; sub-sections and variants recurse. */
static alvh_status apply_book_section(loader *L, const alvh_ydoc *d, const alvh_ynode *map, size_t sec,
                                      alvh_cfg_book_work *w)
{
    const alvh_ctable *t = alvh_cfg_book_sections[sec];
    walk wk = {.t = t, .base = &w->book, .origins = w->origin[sec], .other = book_other, .unknown = unknown_in_book,
               .work = w, .sec = sec};
    alvh_status st = apply_map(L, d, map, t->name, &wk);
    if (st == ALVH_E_CONFIG && t == &alvh_cfg_farm_table && strstr(L->err->msg, ": book.farm.stake_frac: expected")) {
        size_t o = strlen(L->err->msg);
        alvh_cfg_fmt(L->err->msg + o, sizeof L->err->msg - o, " (the farm cap: at most 40%% of capital is staked)");
    }
    return st;
}

static alvh_status load_book(loader *L, const alvh_ydoc *d, const alvh_ynode *map, alvh_config *cfg)
{
    alvh_cfg_book_work *w = calloc(1, sizeof *w);
    if (!w)
        return alvh_error_set(L->err, ALVH_E_NOMEM, "out of memory");
    for (size_t s = 0; s < alvh_cfg_n_book_sections; s++)
        alvh_ctable_defaults(alvh_cfg_book_sections[s], &w->book);
    w->book.farm.gov_cut = NAN; /* per scenario: alvh_config_book_for */
    w->node = (alvh_cfg_origin){.file = d->path, .line = 1, .col = 1};
    alvh_cfg_fmt(w->node.path, sizeof w->node.path, "book");
    alvh_status st = ALVH_OK;
    if (map) {
        set_origin(&w->node, d, map, "book");
        st = apply_book_section(L, d, map, 0, w);
    }
    if (st == ALVH_OK && !w->variants) {
        w->variants = malloc(alvh_cfg_n_default_variants * sizeof *w->variants);
        if (!w->variants)
            st = alvh_error_set(L->err, ALVH_E_NOMEM, "out of memory");
        else
            memcpy(w->variants, alvh_cfg_default_variants, alvh_cfg_n_default_variants * sizeof *w->variants);
        w->n_variants = alvh_cfg_n_default_variants;
    }
    if (st == ALVH_OK)
        st = alvh_cfg_check_book(w, &L->run, cfg->scenarios, cfg->n_scenarios, L->err);
    if (st == ALVH_OK && map)
        st = check_studies(L, d, map, w);
    if (st == ALVH_OK) {
        cfg->book = w->book;
        cfg->variants = w->variants;
        cfg->n_variants = w->n_variants;
        cfg->sweeps = w->sweeps, cfg->n_sweeps = w->n_sweeps;
        cfg->rstress = w->rstress, cfg->n_rstress = w->n_rstress;
        w->variants = NULL, w->sweeps = NULL, w->rstress = NULL;
    }
    free(w->sweeps);
    free(w->rstress);
    free(w->variants);
    free(w->var_origins);
    free(w);
    return st;
}

/* Top-level sections in the order they are read; a new section is one more row. */
typedef enum { TOP_RUN, TOP_SCENARIOS, TOP_BOOK, TOP_COUNT } top_id;
static const char *const top_keys[TOP_COUNT] = {"run", "scenarios", "book"};
static const int top_required[TOP_COUNT] = {0, 1, 0};

static alvh_status load_top(loader *L, const alvh_ydoc *d, alvh_config *cfg)
{
    const alvh_ynode *root = d->root;
    if (!root || alvh_ynode_is_null(root))
        return fail_node(L, d, root, "",
                         "empty configuration: expected a mapping with a scenarios sequence (see docs/config.md)");
    if (root->kind != ALVH_Y_MAP) {
        char got[96];
        alvh_ynode_describe(root, got, sizeof got);
        return fail_node(L, d, root, "", "expected a mapping with the keys run, scenarios and book, got %s", got);
    }
    const alvh_ynode *sec[TOP_COUNT] = {0};
    for (size_t i = 0; i < root->n; i++) {
        const alvh_ynode *key = root->kids[2 * i];
        size_t t;
        for (t = 0; t < TOP_COUNT; t++)
            if (!strcmp(key->text, top_keys[t]))
                break;
        if (t == TOP_COUNT)
            return alvh_cfg_unknown_key(alvh_ynode_file(d, key), key, key->text, key->text, top_keys, TOP_COUNT, L->err);
        sec[t] = root->kids[2 * i + 1];
    }
    for (size_t t = 0; t < TOP_COUNT; t++)
        if (top_required[t] && !sec[t])
            return fail_node(L, d, root, "", "missing required key '%s'", top_keys[t]);
    alvh_status st = load_run(L, d, sec[TOP_RUN]);
    if (st != ALVH_OK)
        return st;
    cfg->run = L->run.run;
    cfg->n_steps = L->run.n_steps;
    cfg->dt_years = L->run.dt_years;
    if ((st = load_scenarios(L, d, sec[TOP_SCENARIOS], cfg)) != ALVH_OK)
        return st;
    /* the book last: it is checked under every scenario */
    return load_book(L, d, sec[TOP_BOOK], cfg);
}

/* ---- public --------------------------------------------------------------------------------- */

static alvh_status load(alvh_ydoc *root, const char *canon, alvh_config **out, alvh_error *err)
{
    loader *L = calloc(1, sizeof *L);
    alvh_config *cfg = calloc(1, sizeof *cfg);
    if (!L || !cfg || !(cfg->source_path = strdup(root->path))) {
        free(L);
        alvh_config_free(cfg);
        alvh_ydoc_free(root);
        return alvh_error_set(err, ALVH_E_NOMEM, "out of memory");
    }
    L->err = err;
    L->root = root;
    alvh_status st = doc_add(L, root, canon);
    if (st == ALVH_OK)
        st = load_top(L, root, cfg);
    for (size_t i = 0; i < L->n_docs; i++) {
        alvh_ydoc_free(L->docs[i]);
        free(L->canon[i]);
    }
    free(L);
    if (st != ALVH_OK) {
        alvh_config_free(cfg);
        return st;
    }
    *out = cfg;
    return ALVH_OK;
}

alvh_status alvh_config_load_file(const char *path, alvh_config **out, alvh_error *err)
{
    *out = NULL;
    alvh_ydoc *d;
    alvh_status st = alvh_ydoc_load_file(path, &d, err);
    if (st != ALVH_OK)
        return st;
    char canon[PATH_MAX];
    return load(d, realpath(path, canon) ? canon : NULL, out, err);
}

alvh_status alvh_config_load_text(const char *name, const char *text, size_t len, alvh_config **out,
                                  alvh_error *err)
{
    *out = NULL;
    alvh_ydoc *d;
    alvh_status st = alvh_ydoc_load_text(name, text, len, &d, err);
    if (st != ALVH_OK)
        return st;
    return load(d, NULL, out, err);
}

alvh_status alvh_config_load_set(const char *path, const char *name, const char *text, size_t len,
                                 const char *const *sets, size_t n_sets, alvh_config **out, alvh_error *err)
{
    *out = NULL;
    alvh_ydoc *d;
    alvh_status st = path ? alvh_ydoc_load_file(path, &d, err) : alvh_ydoc_load_text(name, text, len, &d, err);
    for (size_t i = 0; st == ALVH_OK && i < n_sets; i++)
        if ((st = alvh_ydoc_set(d, sets[i], err)) != ALVH_OK)
            alvh_ydoc_free(d);
    if (st != ALVH_OK)
        return st;
    char canon[PATH_MAX];
    return load(d, path && realpath(path, canon) ? canon : NULL, out, err);
}

void alvh_config_free(alvh_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->n_scenarios; i++)
        free(cfg->scenarios[i].injections);
    free(cfg->scenarios);
    free(cfg->variants);
    free(cfg->sweeps);
    free(cfg->rstress);
    free(cfg->source_path);
    free(cfg);
}

alvh_book_params alvh_config_book_for(const alvh_config *cfg, const alvh_config_scenario *s)
{
    alvh_book_params b = cfg->book;
    b.farm.gov_cut = s->gov_dn_emission_factor;
    return b;
}

const alvh_config_scenario *alvh_config_find_scenario(const alvh_config *cfg, const char *name)
{
    for (size_t i = 0; cfg && i < cfg->n_scenarios; i++)
        if (!strcmp(cfg->scenarios[i].name, name))
            return &cfg->scenarios[i];
    return NULL;
}
