/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * YAML text -> positioned node tree (yaml_tree.h). libfyaml does the parsing;
 * this file checks that the input is text, turns the event stream into nodes
 * with 1-based line/column, resolves aliases by sharing nodes, and refuses the
 * YAML features a configuration has no use for, each with its position.
 */
#define _XOPEN_SOURCE 700 /* strdup, fileno, fstat */
#include "io/yaml_tree.h"

#include <errno.h>
#include <libfyaml.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_DEPTH 64        /* libfyaml's guaranteed minimum depth limit */
#define MAX_MAP_PAIRS 10000 /* the duplicate-key check is quadratic; no config mapping is this large */

typedef struct frame {
    alvh_ynode *node;
    size_t entries; /* mapping: keys and values so far (odd: a key waits for its value) */
} frame;

typedef struct anchor {
    char *name;
    alvh_ynode *node;
} anchor;

typedef struct builder {
    alvh_ydoc *doc;
    alvh_error *err;
    frame stack[MAX_DEPTH];
    int depth;
    anchor *anchors;
    size_t n_anchors, cap_anchors;
    int n_docs;
    size_t last_end; /* input offset where the last parsed event ended */
} builder;

/* every reader error names the file, line and column */
#define fail_at(b, line, col, ...) alvh_error_at((b)->err, (b)->doc->path, line, col, NULL, __VA_ARGS__)

static alvh_status nomem(builder *b)
{
    return alvh_error_set(b->err, ALVH_E_NOMEM, "%s: out of memory while reading", b->doc->path);
}

static alvh_ynode *node_new(builder *b, alvh_ynode_kind kind, const struct fy_mark *m)
{
    alvh_ydoc *d = b->doc;
    if (d->n_nodes == d->cap_nodes) {
        size_t cap = d->cap_nodes ? 2 * d->cap_nodes : 64;
        alvh_ynode **p = realloc(d->nodes, cap * sizeof *p);
        if (!p)
            return NULL;
        d->nodes = p;
        d->cap_nodes = cap;
    }
    alvh_ynode *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    d->nodes[d->n_nodes++] = n;
    n->kind = kind;
    n->line = m ? m->line + 1 : 1;
    n->col = m ? m->column + 1 : 1;
    n->expanded = 1.0;
    return n;
}

static int kids_reserve(alvh_ynode *p, size_t need)
{
    if (need <= p->cap)
        return 0;
    size_t cap = p->cap ? 2 * p->cap : 8;
    while (cap < need)
        cap *= 2;
    alvh_ynode **k = realloc(p->kids, cap * sizeof *k);
    if (!k)
        return -1;
    p->kids = k;
    p->cap = cap;
    return 0;
}

static int same_text(const alvh_ynode *a, const alvh_ynode *b)
{
    return a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
}

/* A finished node (scalar, alias target or closed collection) joins its parent;
 * (line, col) is where it appeared, which for an alias is the alias itself. */
static alvh_status attach(builder *b, alvh_ynode *n, int line, int col)
{
    if (b->depth == 0) {
        b->doc->root = n;
        return ALVH_OK;
    }
    frame *f = &b->stack[b->depth - 1];
    alvh_ynode *p = f->node;
    if (p->kind == ALVH_Y_MAP && f->entries % 2 == 0) {
        if (n->kind != ALVH_Y_SCALAR)
            return fail_at(b, line, col, "a mapping key must be a plain name, got %s",
                           n->kind == ALVH_Y_MAP ? "a mapping" : "a sequence");
        if (p->n >= MAX_MAP_PAIRS)
            return fail_at(b, line, col, "more than %d keys in one mapping", MAX_MAP_PAIRS);
        for (size_t i = 0; i < p->n; i++)
            if (same_text(p->kids[2 * i], n))
                return fail_at(b, line, col, "duplicate key '%s' (first given at line %d, column %d)", n->text,
                               p->kids[2 * i]->line, p->kids[2 * i]->col);
    }
    if (kids_reserve(p, f->entries + 1))
        return nomem(b);
    p->kids[f->entries++] = n;
    if (p->kind == ALVH_Y_SEQ)
        p->n = f->entries;
    else
        p->n = f->entries / 2;
    p->expanded += n->expanded;
    if (p->expanded > ALVH_YAML_MAX_NODES)
        return fail_at(b, line, col, "more than %d nodes once aliases are expanded", ALVH_YAML_MAX_NODES);
    return ALVH_OK;
}

/* Copies an anchor name out of its token (tokens die with their event). */
static alvh_status anchor_name(builder *b, struct fy_token *tok, char **out)
{
    *out = NULL;
    if (!tok)
        return ALVH_OK;
    size_t len = 0;
    const char *s = fy_token_get_text(tok, &len);
    if (!s || !(*out = malloc(len + 1)))
        return nomem(b);
    memcpy(*out, s, len);
    (*out)[len] = '\0';
    return ALVH_OK;
}

/* Registers name (owned from now on; NULL: no anchor) for node n. */
static alvh_status add_anchor(builder *b, char *name, alvh_ynode *n)
{
    if (!name)
        return ALVH_OK;
    if (b->n_anchors == b->cap_anchors) {
        size_t cap = b->cap_anchors ? 2 * b->cap_anchors : 16;
        anchor *a = realloc(b->anchors, cap * sizeof *a);
        if (!a) {
            free(name);
            return nomem(b);
        }
        b->anchors = a;
        b->cap_anchors = cap;
    }
    b->anchors[b->n_anchors++] = (anchor){name, n};
    return ALVH_OK;
}

static alvh_ynode *find_anchor(const builder *b, const char *s, size_t len)
{
    for (size_t i = b->n_anchors; i-- > 0;) /* a redefined anchor: the latest wins */
        if (strlen(b->anchors[i].name) == len && memcmp(b->anchors[i].name, s, len) == 0)
            return b->anchors[i].node;
    return NULL;
}

/* The anchor of a collection is registered when it closes (open_anchor holds
 * it meanwhile), so an alias inside its own node is reported as unknown. */
static alvh_status on_event(builder *b, struct fy_event *e, char **open_anchor)
{
    const struct fy_mark *m = fy_event_start_mark(e);
    int line = m ? m->line + 1 : 1, col = m ? m->column + 1 : 1;
    switch (e->type) {
    case FYET_DOCUMENT_START:
        if (++b->n_docs > 1)
            return fail_at(b, line, col, "a second YAML document: expected one document per file");
        return ALVH_OK;
    case FYET_SCALAR: {
        if (e->scalar.tag)
            return fail_at(b, line, col, "explicit YAML tags are not supported: write the value without a tag");
        alvh_ynode *n = node_new(b, ALVH_Y_SCALAR, m);
        if (!n)
            return nomem(b);
        size_t len = 0;
        const char *s = fy_token_get_text(e->scalar.value, &len);
        if (!s && len)
            return nomem(b);
        n->text = malloc(len + 1);
        if (!n->text)
            return nomem(b);
        if (len)
            memcpy(n->text, s, len);
        n->text[len] = '\0';
        n->len = len;
        enum fy_scalar_style style = fy_token_scalar_style(e->scalar.value);
        n->plain = style == FYSS_PLAIN;
        if ((style == FYSS_SINGLE_QUOTED || style == FYSS_DOUBLE_QUOTED) && n->col > 1)
            n->col--; /* libfyaml marks the first character inside the quotes: point at the quote */
        if (!len && n->plain && b->depth > 0 && b->stack[b->depth - 1].node->kind == ALVH_Y_MAP &&
            b->stack[b->depth - 1].entries % 2 == 1) {
            /* an empty value ("key:" and nothing): libfyaml's mark is not on its line; point after the key */
            const alvh_ynode *key = b->stack[b->depth - 1].node->kids[b->stack[b->depth - 1].entries - 1];
            n->line = key->line;
            n->col = key->col + (int)key->len + 1;
        }
        if (memchr(n->text, '\0', len))
            return fail_at(b, line, col, "a NUL character in a string");
        char *name;
        alvh_status st = anchor_name(b, e->scalar.anchor, &name);
        if (st == ALVH_OK)
            st = add_anchor(b, name, n);
        return st ? st : attach(b, n, line, col);
    }
    case FYET_ALIAS: {
        size_t len = 0;
        const char *s = fy_token_get_text(e->alias.anchor, &len);
        alvh_ynode *n = s ? find_anchor(b, s, len) : NULL;
        if (col > 1)
            col--; /* libfyaml marks the name: point at the '*' */
        if (!n)
            return fail_at(b, line, col, "alias *%.*s refers to no complete anchored node before it", (int)(s ? len : 0),
                           s ? s : "");
        return attach(b, n, line, col);
    }
    case FYET_SEQUENCE_START:
    case FYET_MAPPING_START: {
        int is_map = e->type == FYET_MAPPING_START;
        struct fy_token *tag = is_map ? e->mapping_start.tag : e->sequence_start.tag;
        if (tag)
            return fail_at(b, line, col, "explicit YAML tags are not supported: write the value without a tag");
        if (b->depth > 0) {
            frame *f = &b->stack[b->depth - 1];
            if (f->node->kind == ALVH_Y_MAP && f->entries % 2 == 0)
                return fail_at(b, line, col, "a mapping key must be a plain name, got %s",
                               is_map ? "a mapping" : "a sequence");
        }
        if (b->depth == MAX_DEPTH)
            return fail_at(b, line, col, "nesting deeper than %d levels", MAX_DEPTH);
        alvh_ynode *n = node_new(b, is_map ? ALVH_Y_MAP : ALVH_Y_SEQ, m);
        if (!n)
            return nomem(b);
        alvh_status st = anchor_name(b, is_map ? e->mapping_start.anchor : e->sequence_start.anchor,
                                     &open_anchor[b->depth]);
        b->stack[b->depth++] = (frame){n, 0};
        return st;
    }
    case FYET_SEQUENCE_END:
    case FYET_MAPPING_END: {
        if (b->depth == 0)
            return fail_at(b, line, col, "unbalanced end of a collection");
        alvh_ynode *n = b->stack[--b->depth].node;
        alvh_status st = add_anchor(b, open_anchor[b->depth], n);
        open_anchor[b->depth] = NULL;
        return st ? st : attach(b, n, n->line, n->col);
    }
    default:
        return ALVH_OK;
    }
}

/* Decodes one UTF-8 sequence at s (n bytes left); returns its length, 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    unsigned cp = c & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* Text check before parsing: binary files get one clear message. */
static alvh_status check_text(builder *b, const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    int line = 1, col = 1;
    for (size_t i = 0; i < len;) {
        unsigned char c = s[i];
        if (c == 0)
            return fail_at(b, line, col, "binary data (a NUL byte): expected a YAML text file");
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            return fail_at(b, line, col, "binary data (control byte 0x%02x): expected a YAML text file", c);
        if (c == 0x7F)
            return fail_at(b, line, col, "binary data (control byte 0x7f): expected a YAML text file");
        size_t l = utf8_len(s + i, len - i);
        if (!l)
            return fail_at(b, line, col, "binary data or a non-UTF-8 encoding (byte 0x%02x): expected UTF-8 YAML text", c);
        if (c == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
        i += l;
    }
    return ALVH_OK;
}

/* libfyaml reports some errors (a bad block scalar header, "s0: |000") only
 * as diagnostic text, without a collected position: keep the first line. */
static void diag_keep_first(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
    (void)diag;
    char *first = user;
    if (first[0])
        return;
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
        len--;
    snprintf(first, 200, "%.*s", (int)len, buf);
}

/* Where parsing stopped: the first token after the last complete event
 * (past blanks and one ':' ',' or '-' indicator), as a 1-based position. */
static void stop_position(const char *text, size_t len, size_t pos, int *line, int *col)
{
    size_t p = pos < len ? pos : len;
    while (p < len && (text[p] == ' ' || text[p] == '\t'))
        p++;
    if (p < len && text[p] && strchr(":,-", text[p])) {
        p++;
        while (p < len && (text[p] == ' ' || text[p] == '\t'))
            p++;
    }
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < p; i++) {
        if (text[i] == '\n') {
            ++*line;
            *col = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            ++*col;
        }
    }
}

static alvh_status parse(builder *b, const char *text, size_t len)
{
    struct fy_diag_cfg dcfg;
    fy_diag_cfg_default(&dcfg);
    char first[200] = "";
    dcfg.fp = NULL;
    dcfg.output_fn = diag_keep_first;
    dcfg.user = first;
    dcfg.level = FYET_ERROR;
    dcfg.colorize = dcfg.show_source = dcfg.show_position = dcfg.show_type = dcfg.show_module = false;
    struct fy_diag *diag = fy_diag_create(&dcfg);
    if (!diag)
        return nomem(b);
    fy_diag_set_collect_errors(diag, true);
    struct fy_parse_cfg pcfg = {.flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_2 | FYPCF_JSON_NONE, .diag = diag};
    struct fy_parser *fyp = fy_parser_create(&pcfg);
    alvh_status st = ALVH_OK;
    if (!fyp || fy_parser_set_string(fyp, text, len) != 0) {
        st = nomem(b);
    } else {
        char *open_anchor[MAX_DEPTH] = {0}; /* anchors of open collections, registered when they close */
        struct fy_event *e;
        while (st == ALVH_OK && (e = fy_parser_parse(fyp)) != NULL) {
            const struct fy_mark *end = fy_event_end_mark(e);
            if (end)
                b->last_end = end->input_pos;
            st = on_event(b, e, open_anchor);
            fy_parser_event_free(fyp, e);
        }
        for (int i = 0; i < MAX_DEPTH; i++)
            free(open_anchor[i]);
        if (st == ALVH_OK && fy_parser_get_stream_error(fyp)) {
            /* libfyaml's first error, with its 1-based position */
            void *it = NULL;
            struct fy_diag_error *de = fy_diag_errors_iterate(diag, &it);
            if (de && de->msg) {
                st = fail_at(b, de->line, de->column, "YAML syntax error: %s", de->msg);
            } else {
                int line, col;
                stop_position(text, len, b->last_end, &line, &col);
                st = fail_at(b, line, col, "YAML syntax error%s%s", first[0] ? ": " : "", first);
            }
        }
    }
    if (fyp)
        fy_parser_destroy(fyp);
    fy_diag_destroy(diag);
    return st;
}

alvh_status alvh_ydoc_load_text(const char *name, const char *text, size_t len, alvh_ydoc **out, alvh_error *err)
{
    *out = NULL;
    alvh_ydoc *d = calloc(1, sizeof *d);
    if (!d || !(d->path = strdup(name))) {
        free(d);
        return alvh_error_set(err, ALVH_E_NOMEM, "%s: out of memory while reading", name);
    }
    builder b = {.doc = d, .err = err};
    alvh_status st = check_text(&b, text, len);
    if (st == ALVH_OK)
        st = parse(&b, text, len);
    for (size_t i = 0; i < b.n_anchors; i++)
        free(b.anchors[i].name);
    free(b.anchors);
    if (st != ALVH_OK) {
        alvh_ydoc_free(d);
        return st;
    }
    *out = d;
    return ALVH_OK;
}

alvh_status alvh_ydoc_load_file(const char *path, alvh_ydoc **out, alvh_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return alvh_error_set(err, errno == ENOENT ? ALVH_E_CONFIG : ALVH_E_IO, "%s: cannot open: %s", path,
                              strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        return alvh_error_set(err, ALVH_E_CONFIG, "%s: not a regular file: expected a YAML configuration file", path);
    }
    if ((unsigned long long)sb.st_size > ALVH_YAML_MAX_FILE_BYTES) {
        fclose(f);
        return alvh_error_set(err, ALVH_E_CONFIG, "%s: %lld bytes: expected a configuration file of at most %zu bytes",
                              path, (long long)sb.st_size, ALVH_YAML_MAX_FILE_BYTES);
    }
    size_t size = (size_t)sb.st_size;
    char *text = malloc(size + 1);
    if (!text) {
        fclose(f);
        return alvh_error_set(err, ALVH_E_NOMEM, "%s: out of memory while reading", path);
    }
    size_t got = fread(text, 1, size, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || got != size) {
        free(text);
        return alvh_error_set(err, ALVH_E_IO, "%s: read error", path);
    }
    text[size] = '\0';
    alvh_status st = alvh_ydoc_load_text(path, text, size, out, err);
    free(text);
    return st;
}

void alvh_ydoc_free(alvh_ydoc *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n_nodes; i++) {
        free(d->nodes[i]->text);
        free(d->nodes[i]->kids);
        free(d->nodes[i]);
    }
    free(d->nodes);
    for (size_t i = 0; i < d->n_origins; i++)
        free(d->origins[i]);
    free(d->origins);
    free(d->path);
    free(d);
}

const char *alvh_ynode_file(const alvh_ydoc *d, const alvh_ynode *n)
{
    return n && n->file ? n->file : d->path;
}

int alvh_ynode_is_null(const alvh_ynode *n)
{
    if (!n || n->kind != ALVH_Y_SCALAR || !n->plain)
        return 0;
    const char *t = n->text;
    return !*t || !strcmp(t, "~") || !strcmp(t, "null") || !strcmp(t, "Null") || !strcmp(t, "NULL");
}

const alvh_ynode *alvh_ynode_get(const alvh_ynode *map, const char *key)
{
    if (!map || map->kind != ALVH_Y_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (!strcmp(map->kids[2 * i]->text, key))
            return map->kids[2 * i + 1];
    return NULL;
}

static void describe_text(const char *s, size_t len, char *buf, size_t size)
{
    /* at most ~40 bytes, cut on a UTF-8 boundary, newlines shown as \n */
    size_t o = 0, i = 0;
    for (; i < len && i < 40 && o + 8 < size; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n' || c == '\t') {
            buf[o++] = '\\';
            buf[o++] = c == '\n' ? 'n' : 't';
        } else {
            buf[o++] = (char)c;
        }
    }
    if (i < len) {
        while (o > 0 && ((unsigned char)buf[o - 1] & 0xC0) == 0x80)
            o--; /* continuation bytes of a cut character ... */
        if (o > 0 && ((unsigned char)buf[o - 1] & 0xC0) == 0xC0)
            o--; /* ... and its lead byte */
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = '\0';
}

void alvh_ynode_describe(const alvh_ynode *n, char *buf, size_t size)
{
    if (!size)
        return;
    if (!n) {
        snprintf(buf, size, "nothing");
    } else if (n->kind == ALVH_Y_MAP) {
        snprintf(buf, size, "a mapping");
    } else if (n->kind == ALVH_Y_SEQ) {
        snprintf(buf, size, "a sequence");
    } else if (alvh_ynode_is_null(n)) {
        snprintf(buf, size, "null");
    } else {
        char t[64];
        describe_text(n->text, n->len, t, sizeof t);
        snprintf(buf, size, n->plain ? "%s" : "the string \"%s\"", t);
    }
}
