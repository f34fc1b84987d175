/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One key of the schema against one YAML value: type, syntax, range, storage
 * (config_schema.h). Numbers follow the YAML 1.2 core schema: plain decimal
 * scalars only, so "0.5" in quotes is a string and .inf/.nan are refused;
 * counts may be written 1e6. Unknown keys get the closest valid key.
 */
#include "io/config_schema.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/config.h"
#include "kernels/book_model.h"

#define TWO64 18446744073709551616.0

const alvh_ckey *alvh_ctable_find(const alvh_ctable *t, const char *key)
{
    for (size_t i = 0; i < t->n_keys; i++)
        if (!strcmp(t->keys[i].key, key))
            return &t->keys[i];
    return NULL;
}

static void put_text(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

void alvh_ctable_defaults(const alvh_ctable *t, void *base)
{
    char *b = base;
    for (size_t i = 0; i < t->n_keys; i++) {
        const alvh_ckey *k = &t->keys[i];
        if (k->flags & ALVH_CK_SPECIAL)
            continue;
        void *p = b + k->offset;
        switch (k->type) {
        case ALVH_CT_NUM:
        case ALVH_CT_NUM_NULL: *(double *)p = k->def; break;
        case ALVH_CT_U64: *(uint64_t *)p = (uint64_t)k->def; break;
        case ALVH_CT_SIZE: *(size_t *)p = (size_t)k->def; break;
        case ALVH_CT_BOOL: *(bool *)p = k->def != 0.0; break;
        case ALVH_CT_BOOL_INT:
        case ALVH_CT_ENUM: *(int *)p = (int)k->def; break;
        case ALVH_CT_NAME: put_text(p, ALVH_CONFIG_NAME_MAX, k->def_text); break;
        case ALVH_CT_TEXT: put_text(p, ALVH_CONFIG_TEXT_MAX, k->def_text); break;
        case ALVH_CT_LAYERS: *(unsigned *)p = (unsigned)k->def; break;
        case ALVH_CT_PROBS: {
            /* def_text is the default list, "[a, b, ...]" */
            alvh_cfg_probs *q = p;
            const char *s = k->def_text ? k->def_text + 1 : "]";
            char *end;
            for (q->n = 0; q->n < ALVH_CFG_MAX_PROBS && *s && *s != ']'; s = end + (*end == ',')) {
                q->p[q->n++] = strtod(s, &end);
                if (end == s)
                    break;
            }
            break;
        }
        }
    }
}

void alvh_cfg_fmt(char *dst, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, size, fmt, ap);
    va_end(ap);
}

void alvh_format_double(double x, char *buf, size_t size)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

static void format_bound(double x, char *buf, size_t size)
{
    if (x >= TWO64)
        snprintf(buf, size, "18446744073709551615");
    else
        alvh_format_double(x, buf, size);
}

void alvh_ckey_expected(const alvh_ckey *k, char *buf, size_t size)
{
    char lo[40], hi[40];
    format_bound(k->min, lo, sizeof lo);
    format_bound(k->max, hi, sizeof hi);
    const char *open = (k->flags & ALVH_CK_MIN_OPEN) ? "(" : "[", *close = (k->flags & ALVH_CK_MAX_OPEN) ? ")" : "]";
    switch (k->type) {
    case ALVH_CT_NUM: snprintf(buf, size, "a number in %s%s, %s%s", open, lo, hi, close); break;
    case ALVH_CT_NUM_NULL: snprintf(buf, size, "a number in %s%s, %s%s or null", open, lo, hi, close); break;
    case ALVH_CT_U64:
    case ALVH_CT_SIZE: snprintf(buf, size, "a whole number in %s%s, %s%s", open, lo, hi, close); break;
    case ALVH_CT_BOOL:
    case ALVH_CT_BOOL_INT: snprintf(buf, size, "true or false"); break;
    case ALVH_CT_ENUM: {
        size_t o = (size_t)snprintf(buf, size, "one of");
        for (size_t i = 0; k->enum_names[i] && o < size; i++)
            o += (size_t)snprintf(buf + o, size - o, "%s %s", i ? "," : "", k->enum_names[i]);
        break;
    }
    case ALVH_CT_NAME:
        snprintf(buf, size, "a name of 1 to %d letters, digits, '_', '-' or '.' (not only dots)",
                 ALVH_CONFIG_NAME_MAX - 1);
        break;
    case ALVH_CT_TEXT: snprintf(buf, size, "one line of at most %d bytes", ALVH_CONFIG_TEXT_MAX - 1); break;
    case ALVH_CT_PROBS:
        snprintf(buf, size, "a sequence of 1 to %d increasing numbers in (0, 1)", ALVH_CFG_MAX_PROBS);
        break;
    case ALVH_CT_LAYERS: {
        size_t o = (size_t)snprintf(buf, size, "a sequence of layer names (");
        for (int l = 0; l < ALVH_LAYER_COUNT && o < size; l++)
            o += (size_t)snprintf(buf + o, size - o, "%s%s", l ? ", " : "", alvh_layer_names[l]);
        if (o < size)
            snprintf(buf + o, size - o, ")");
        break;
    }
    }
}

/* YAML 1.2 core float/int syntax: [-+]? ( .digits | digits [. digits*] ) ([eE] [-+]? digits)? */
static bool is_decimal(const char *s)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    size_t before = 0, after = 0;
    while (isdigit((unsigned char)*p)) {
        p++;
        before++;
    }
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p)) {
            p++;
            after++;
        }
    }
    if (!before && !after)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!isdigit((unsigned char)*p))
            return false;
        while (isdigit((unsigned char)*p))
            p++;
    }
    return *p == '\0';
}

static bool parse_number(const alvh_ynode *v, double *out)
{
    if (v->kind != ALVH_Y_SCALAR || !v->plain || !is_decimal(v->text))
        return false;
    errno = 0;
    double x = strtod(v->text, NULL);
    if (!isfinite(x))
        return false; /* 1e999 */
    *out = x;
    return true;
}

static bool in_range(const alvh_ckey *k, double x)
{
    bool lo = (k->flags & ALVH_CK_MIN_OPEN) ? x > k->min : x >= k->min;
    bool hi = k->max >= TWO64 || ((k->flags & ALVH_CK_MAX_OPEN) ? x < k->max : x <= k->max);
    return lo && hi;
}

/* A whole number: digits (exact up to 2^64-1) or a decimal with an integral value (1e6). */
static bool parse_count(const alvh_ynode *v, const alvh_ckey *k, uint64_t *out)
{
    if (v->kind != ALVH_Y_SCALAR || !v->plain)
        return false;
    const char *s = v->text[0] == '+' ? v->text + 1 : v->text;
    bool digits = *s != '\0';
    for (const char *p = s; *p; p++)
        digits = digits && isdigit((unsigned char)*p);
    if (digits) {
        errno = 0;
        unsigned long long u = strtoull(s, NULL, 10);
        if (errno == ERANGE)
            return false;
        if (!in_range(k, (double)u)) /* bounds are small integers: the rounding of (double)u cannot matter */
            return false;
        *out = u;
        return true;
    }
    double x;
    if (!parse_number(v, &x) || x != floor(x) || x < 0 || x >= 9007199254740992.0 || !in_range(k, x))
        return false;
    *out = (uint64_t)x;
    return true;
}

static int parse_bool(const alvh_ynode *v)
{
    if (v->kind != ALVH_Y_SCALAR || !v->plain)
        return -1;
    const char *t = v->text;
    if (!strcmp(t, "true") || !strcmp(t, "True") || !strcmp(t, "TRUE"))
        return 1;
    if (!strcmp(t, "false") || !strcmp(t, "False") || !strcmp(t, "FALSE"))
        return 0;
    return -1;
}

/* Names become HDF5 group names: "." and ".." would not be groups. */
static bool valid_name(const char *s, size_t len)
{
    if (len == 0 || len >= ALVH_CONFIG_NAME_MAX)
        return false;
    bool dots_only = true;
    for (size_t i = 0; i < len; i++) {
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
            return false;
        dots_only = dots_only && s[i] == '.';
    }
    return !dots_only;
}

/* A sequence of layer names -> bit mask: at least one, each known, none twice. */
/* A sequence of increasing probabilities, each checked as a number in (0, 1). */
static alvh_status parse_probs(const alvh_ckey *k, const alvh_ynode *v, alvh_cfg_probs *out, const char *file,
                               const char *path, alvh_error *err)
{
    char want[160], got[96];
    if (v->kind != ALVH_Y_SEQ || v->n == 0 || v->n > ALVH_CFG_MAX_PROBS) {
        alvh_ckey_expected(k, want, sizeof want);
        alvh_ynode_describe(v, got, sizeof got);
        if (v->kind == ALVH_Y_SEQ)
            snprintf(got, sizeof got, "%zu items", v->n);
        return alvh_error_set(err, ALVH_E_CONFIG, "%s:%d:%d: %s: expected %s, got %s", file, v->line, v->col, path,
                              want, got);
    }
    static const alvh_ckey elem = {"", ALVH_CT_NUM, 0, ALVH_CK_MIN_OPEN | ALVH_CK_MAX_OPEN, 0, NULL, 0, 1, "", "",
                                   NULL, NULL};
    alvh_cfg_probs q = {.n = v->n};
    for (size_t i = 0; i < v->n; i++) {
        char epath[200];
        alvh_cfg_fmt(epath, sizeof epath, "%s[%zu]", path, i);
        alvh_status st = alvh_ckey_set(&elem, v->kids[i], &q.p[i], file, epath, err);
        if (st != ALVH_OK)
            return st;
        if (i > 0 && !(q.p[i] > q.p[i - 1]))
            return alvh_error_set(err, ALVH_E_CONFIG, "%s:%d:%d: %s: expected a level above the previous one (%g), got %g",
                                  file, v->kids[i]->line, v->kids[i]->col, epath, q.p[i - 1], q.p[i]);
    }
    *out = q;
    return ALVH_OK;
}

static alvh_status parse_layers(const alvh_ckey *k, const alvh_ynode *v, unsigned *out, const char *file,
                                const char *path, alvh_error *err)
{
    char want[160], got[96];
    if (v->kind != ALVH_Y_SEQ) {
        alvh_ckey_expected(k, want, sizeof want);
        alvh_ynode_describe(v, got, sizeof got);
        return alvh_error_at(err, file, v->line, v->col, path, "expected %s, got %s", want, got);
    }
    if (v->n == 0)
        return alvh_error_at(err, file, v->line, v->col, path, "expected at least one layer, got an empty sequence");
    unsigned mask = 0;
    for (size_t i = 0; i < v->n; i++) {
        const alvh_ynode *e = v->kids[i];
        char epath[200];
        alvh_cfg_fmt(epath, sizeof epath, "%s[%zu]", path, i);
        if (e->kind != ALVH_Y_SCALAR || alvh_ynode_is_null(e)) {
            alvh_ynode_describe(e, got, sizeof got);
            return alvh_error_at(err, file, e->line, e->col, epath, "expected a layer name, got %s", got);
        }
        int l;
        for (l = 0; l < ALVH_LAYER_COUNT; l++)
            if (!strcmp(e->text, alvh_layer_names[l]))
                break;
        if (l == ALVH_LAYER_COUNT) {
            size_t best = SIZE_MAX;
            int pick = 0;
            for (int c = 0; c < ALVH_LAYER_COUNT; c++) {
                size_t d = alvh_edit_distance(e->text, alvh_layer_names[c]);
                if (d < best) {
                    best = d;
                    pick = c;
                }
            }
            size_t lk = strlen(e->text), limit = lk / 3 < 1 ? 1 : lk / 3 > 3 ? 3 : lk / 3;
            if (best <= limit)
                return alvh_error_at(err, file, e->line, e->col, epath, "unknown layer '%s'; did you mean '%s'?",
                                     e->text, alvh_layer_names[pick]);
            alvh_ckey_expected(k, want, sizeof want);
            return alvh_error_at(err, file, e->line, e->col, epath, "unknown layer '%s'; expected %s", e->text,
                                 strchr(want, '(') ? strchr(want, '(') : want);
        }
        if (mask >> l & 1)
            return alvh_error_at(err, file, e->line, e->col, epath, "layer '%s' is listed twice", e->text);
        mask |= 1u << l;
    }
    *out = mask;
    return ALVH_OK;
}

alvh_status alvh_ckey_set(const alvh_ckey *k, const alvh_ynode *v, void *base, const char *file, const char *path,
                          alvh_error *err)
{
    void *p = (char *)base + k->offset;
    bool ok = false;
    switch (k->type) {
    case ALVH_CT_NUM:
    case ALVH_CT_NUM_NULL: {
        double x;
        if (k->type == ALVH_CT_NUM_NULL && alvh_ynode_is_null(v)) {
            *(double *)p = NAN;
            ok = true;
        } else if (parse_number(v, &x) && in_range(k, x)) {
            *(double *)p = x;
            ok = true;
        }
        break;
    }
    case ALVH_CT_U64:
    case ALVH_CT_SIZE: {
        uint64_t u;
        if (parse_count(v, k, &u)) {
            if (k->type == ALVH_CT_U64)
                *(uint64_t *)p = u;
            else
                *(size_t *)p = (size_t)u;
            ok = true;
        }
        break;
    }
    case ALVH_CT_BOOL:
    case ALVH_CT_BOOL_INT: {
        int b = parse_bool(v);
        if (b >= 0) {
            if (k->type == ALVH_CT_BOOL)
                *(bool *)p = b;
            else
                *(int *)p = b;
            ok = true;
        }
        break;
    }
    case ALVH_CT_ENUM:
        if (v->kind == ALVH_Y_SCALAR && !alvh_ynode_is_null(v))
            for (size_t i = 0; k->enum_names[i]; i++)
                if (!strcmp(v->text, k->enum_names[i])) {
                    *(int *)p = k->enum_values[i];
                    ok = true;
                }
        break;
    case ALVH_CT_NAME:
        if (v->kind == ALVH_Y_SCALAR && !alvh_ynode_is_null(v) && valid_name(v->text, v->len)) {
            put_text(p, ALVH_CONFIG_NAME_MAX, v->text);
            ok = true;
        }
        break;
    case ALVH_CT_TEXT:
        if (v->kind == ALVH_Y_SCALAR && !alvh_ynode_is_null(v) && v->len < ALVH_CONFIG_TEXT_MAX &&
            !strpbrk(v->text, "\n\r\t")) {
            put_text(p, ALVH_CONFIG_TEXT_MAX, v->text);
            ok = true;
        }
        break;
    case ALVH_CT_LAYERS: return parse_layers(k, v, (unsigned *)p, file, path, err);
    case ALVH_CT_PROBS: return parse_probs(k, v, (alvh_cfg_probs *)p, file, path, err);
    }
    if (ok)
        return ALVH_OK;
    char want[160], got[96];
    alvh_ckey_expected(k, want, sizeof want);
    alvh_ynode_describe(v, got, sizeof got);
    return alvh_error_at(err, file, v->line, v->col, path, "expected %s, got %s", want, got);
}

size_t alvh_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return la > lb ? la : lb; /* keys are short; anything longer is no typo of one */
    size_t d[64][64];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1; /* swapped neighbours */
            d[i][j] = best;
        }
    return d[la][lb];
}

/* How far key is from candidate c ("token.rho_sg" compares its last part). */
static size_t key_score(const char *key, const char *c)
{
    const char *dot = strrchr(c, '.');
    const char *tail = dot ? dot + 1 : c;
    size_t d = alvh_edit_distance(key, tail), lk = strlen(key);
    if (lk >= 3 && !strncmp(tail, key, lk) && d > 1)
        d = 1; /* "horizon" for "horizon_years" */
    return d;
}

alvh_status alvh_cfg_unknown_key(const char *file, const alvh_ynode *keynode, const char *path, const char *key,
                                 const char *const *cands, size_t n_cands, alvh_error *err)
{
    if (!strcmp(key, "<<"))
        return alvh_error_at(err, file, keynode->line, keynode->col, path,
                             "YAML merge keys are not supported: use extends:");
    size_t best = SIZE_MAX, lk = strlen(key);
    const char *pick = NULL;
    for (size_t i = 0; i < n_cands; i++) {
        size_t s = key_score(key, cands[i]);
        if (s < best) { /* strict: own keys come first and win ties */
            best = s;
            pick = cands[i];
        }
    }
    size_t limit = lk / 3 < 1 ? 1 : lk / 3 > 3 ? 3 : lk / 3;
    if (pick && best <= limit)
        return alvh_error_at(err, file, keynode->line, keynode->col, path, "unknown key; did you mean '%s'?", pick);
    char list[260];
    size_t o = 0;
    list[0] = '\0';
    for (size_t i = 0; i < n_cands && o < sizeof list; i++)
        if (!strchr(cands[i], '.'))
            o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", o ? ", " : "", cands[i]);
    if (o >= sizeof list)
        return alvh_error_at(err, file, keynode->line, keynode->col, path,
                             "unknown key (the keys are listed in docs/config.md)");
    return alvh_error_at(err, file, keynode->line, keynode->col, path, "unknown key; expected one of: %s", list);
}
