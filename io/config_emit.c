/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The resolved configuration as YAML (alvh_config_resolved_text): every key of
 * every table written explicitly, defaults and extends applied, numbers in the
 * shortest form that reads back to the same double. Loading this text gives
 * the same alvh_config values, which is what outputs record.
 */
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "io/config.h"
#include "io/config_schema.h"
#include "io/strbuf.h"
#include "io/yaml_tree.h"
#include "kernels/book_model.h"

static void emit_double(alvh_strbuf *b, double x)
{
    char num[40];
    if (isnan(x)) {
        alvh_strbuf_printf(b, "null");
        return;
    }
    alvh_format_double(x, num, sizeof num);
    alvh_strbuf_printf(b, "%s", num);
}

static void emit_value(alvh_strbuf *b, const alvh_ckey *k, const void *base)
{
    const void *p = (const char *)base + k->offset;
    switch (k->type) {
    case ALVH_CT_NUM:
    case ALVH_CT_NUM_NULL: emit_double(b, *(const double *)p); break;
    case ALVH_CT_U64: alvh_strbuf_printf(b, "%" PRIu64, *(const uint64_t *)p); break;
    case ALVH_CT_SIZE: alvh_strbuf_printf(b, "%zu", *(const size_t *)p); break;
    case ALVH_CT_BOOL: alvh_strbuf_printf(b, "%s", *(const bool *)p ? "true" : "false"); break;
    case ALVH_CT_BOOL_INT: alvh_strbuf_printf(b, "%s", *(const int *)p ? "true" : "false"); break;
    case ALVH_CT_ENUM: {
        int v = *(const int *)p;
        for (size_t i = 0; k->enum_names[i]; i++)
            if (k->enum_values[i] == v)
                alvh_strbuf_printf(b, "%s", k->enum_names[i]);
        break;
    }
    case ALVH_CT_NAME:
    case ALVH_CT_TEXT: alvh_yaml_emit_quoted(b, p, strlen(p)); break;
    case ALVH_CT_PROBS: {
        const alvh_cfg_probs *q = p;
        alvh_strbuf_printf(b, "[");
        for (size_t i = 0; i < q->n; i++) {
            alvh_strbuf_printf(b, "%s", i ? ", " : "");
            emit_double(b, q->p[i]);
        }
        alvh_strbuf_printf(b, "]");
        break;
    }
    case ALVH_CT_LAYERS: {
        unsigned mask = *(const unsigned *)p;
        int first = 1;
        alvh_strbuf_printf(b, "[");
        for (int l = 0; l < ALVH_LAYER_COUNT; l++)
            if (mask >> l & 1) {
                alvh_strbuf_printf(b, "%s%s", first ? "" : ", ", alvh_layer_names[l]);
                first = 0;
            }
        alvh_strbuf_printf(b, "]");
        break;
    }
    }
}

/* Every emitted row of t at indent; first_prefix replaces the first line's indentation ("- "). */
static void emit_table(alvh_strbuf *b, const alvh_ctable *t, const void *base, int indent, const char *first_prefix)
{
    int first = 1;
    for (size_t i = 0; i < t->n_keys; i++) {
        const alvh_ckey *k = &t->keys[i];
        if (k->flags & ALVH_CK_NO_EMIT)
            continue;
        if (first && first_prefix)
            alvh_strbuf_printf(b, "%*s%s", indent - (int)strlen(first_prefix), "", first_prefix);
        else
            alvh_strbuf_printf(b, "%*s", indent, "");
        first = 0;
        alvh_strbuf_printf(b, "%s: ", k->key);
        emit_value(b, k, base);
        alvh_strbuf_printf(b, "\n");
    }
}

static void emit_scenario(alvh_strbuf *b, const alvh_config_scenario *s)
{
    emit_table(b, &alvh_cfg_scenario_table, s, 4, "- ");
    for (size_t sec = 0; sec < alvh_cfg_n_scenario_sections; sec++) {
        const alvh_ctable *t = alvh_cfg_scenario_sections[sec];
        alvh_strbuf_printf(b, "    %s:\n", t->name);
        if (t == &alvh_cfg_spx_table) {
            /* one of the two ways v0 was set; v0 itself follows from vix0 */
            if (!isnan(s->vix0)) {
                alvh_strbuf_printf(b, "      vix0: ");
                emit_double(b, s->vix0);
                alvh_strbuf_printf(b, "  # v0 = ");
                emit_double(b, s->market.spx.v0);
                alvh_strbuf_printf(b, "\n");
            } else {
                alvh_strbuf_printf(b, "      v0: ");
                emit_double(b, s->market.spx.v0);
                alvh_strbuf_printf(b, "\n");
            }
            /* v2_0: given, or split off vix0 (then only a comment: it follows) */
            if (s->v2_from_vix0 || !isnan(s->market.spx.v2_0)) {
                alvh_strbuf_printf(b, s->v2_from_vix0 ? "      # v2_0 = " : "      v2_0: ");
                emit_double(b, s->market.spx.v2_0);
                alvh_strbuf_printf(b, "\n");
            }
        }
        emit_table(b, t, s, 6, NULL);
    }
    if (!s->n_injections) {
        alvh_strbuf_printf(b, "    injections: []\n");
        return;
    }
    alvh_strbuf_printf(b, "    injections:\n");
    for (size_t j = 0; j < s->n_injections; j++) {
        /* the expanded single steps: days 1 each */
        alvh_cfg_injection ci = {.inj = s->injections[j], .days = 1};
        emit_table(b, &alvh_cfg_injection_table, &ci, 8, "- ");
    }
}

/* Book sections nest by name (book.condor.skew inside book.condor): a
 * section's header is indented by its depth, its keys one level deeper. The
 * sections are listed parent first, children right after their parent's keys. */
static void emit_book(alvh_strbuf *b, const alvh_config *cfg)
{
    alvh_strbuf_printf(b, "book:\n");
    alvh_strbuf_printf(b, "  # farm.gov_cut: each scenario's token.gov_dn_emission_factor\n");
    for (size_t s = 0; s < alvh_cfg_n_book_sections; s++) {
        const alvh_ctable *t = alvh_cfg_book_sections[s];
        int depth = 0;
        for (const char *c = t->name; *c; c++)
            depth += *c == '.';
        if (depth > 0)
            alvh_strbuf_printf(b, "%*s%s:\n", 2 * depth, "", strrchr(t->name, '.') + 1);
        emit_table(b, t, &cfg->book, 2 * depth + 2, NULL);
    }
    alvh_strbuf_printf(b, "  variants:  # each compared with its baseline\n");
    for (size_t v = 0; v < cfg->n_variants; v++)
        emit_table(b, &alvh_cfg_variant_table, &cfg->variants[v], 6, "- ");
    if (cfg->n_sweeps)
        alvh_strbuf_printf(b, "  sweeps:\n");
    for (size_t k = 0; k < cfg->n_sweeps; k++)
        emit_table(b, &alvh_cfg_sweep_table, &cfg->sweeps[k], 6, "- ");
    if (cfg->n_rstress)
        alvh_strbuf_printf(b, "  reverse_stress:\n");
    for (size_t k = 0; k < cfg->n_rstress; k++)
        emit_table(b, &alvh_cfg_rstress_table, &cfg->rstress[k], 6, "- ");
}

char *alvh_config_resolved_text(const alvh_config *cfg)
{
    alvh_strbuf b = {0};
    alvh_strbuf_printf(&b, "# alvh resolved configuration: every value explicit, defaults and extends applied\n");
    alvh_strbuf_printf(&b, "# source: %s (%" PRIu64 " steps of %.17g years)\n", cfg->source_path ? cfg->source_path : "",
                       cfg->n_steps, cfg->dt_years);
    alvh_strbuf_printf(&b, "run:\n");
    emit_table(&b, &alvh_cfg_run_table, &cfg->run, 2, NULL);
    alvh_strbuf_printf(&b, "scenarios:\n");
    for (size_t i = 0; i < cfg->n_scenarios; i++)
        emit_scenario(&b, &cfg->scenarios[i]);
    emit_book(&b, cfg);
    return alvh_strbuf_take(&b);
}
