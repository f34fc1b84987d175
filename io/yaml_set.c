/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `--set key.path=value`: one command-line assignment merged into a parsed
 * configuration before it is read (io/yaml_tree.h), so that every value is
 * validated by the same code, with the same messages, as if the file held it.
 */
#define _XOPEN_SOURCE 700 /* strndup */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/yaml_tree.h"

static alvh_status set_fail(alvh_error *err, const char *origin, const char *what, const char *step)
{
    return alvh_error_set(err, ALVH_E_CONFIG, "%s: %s '%s'", origin, what, step);
}

/* A new node of d written by the assignment origin. */
static alvh_ynode *node_add(alvh_ydoc *d, alvh_ynode_kind kind, const char *text, const char *origin)
{
    if (d->n_nodes == d->cap_nodes) {
        size_t cap = d->cap_nodes * 2 + 8;
        alvh_ynode **p = realloc(d->nodes, cap * sizeof *p);
        if (!p)
            return NULL;
        d->nodes = p;
        d->cap_nodes = cap;
    }
    alvh_ynode *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->kind = kind;
    n->line = n->col = 1;
    n->plain = 1;
    n->expanded = 1.0;
    n->file = origin;
    n->len = text ? strlen(text) : 0;
    n->text = malloc(n->len + 1);
    if (!n->text) {
        free(n);
        return NULL;
    }
    memcpy(n->text, text ? text : "", n->len + 1);
    d->nodes[d->n_nodes++] = n;
    return n;
}

static int kids_push(alvh_ynode *p, alvh_ynode *a, alvh_ynode *b)
{
    size_t per = p->kind == ALVH_Y_MAP ? 2 : 1, need = (p->n + 1) * per;
    if (need > p->cap) {
        alvh_ynode **k = realloc(p->kids, (need + 8) * sizeof *k);
        if (!k)
            return -1;
        p->kids = k;
        p->cap = need + 8;
    }
    p->kids[p->n * per] = a;
    if (per == 2)
        p->kids[p->n * per + 1] = b;
    p->n++;
    return 0;
}

/* The child of n for one path step: a mapping key, or a sequence item by index or by its name. */
static alvh_ynode **child_slot(alvh_ynode *n, const char *step)
{
    if (n->kind == ALVH_Y_MAP) {
        for (size_t i = 0; i < n->n; i++)
            if (strcmp(n->kids[2 * i]->text, step) == 0)
                return &n->kids[2 * i + 1];
        return NULL;
    }
    char *end;
    unsigned long idx = strtoul(step, &end, 10);
    if (*step >= '0' && *step <= '9' && !*end)
        return idx < n->n ? &n->kids[idx] : NULL;
    for (size_t i = 0; i < n->n; i++) {
        const alvh_ynode *name = alvh_ynode_get(n->kids[i], "name");
        if (name && name->kind == ALVH_Y_SCALAR && strcmp(name->text, step) == 0)
            return &n->kids[i];
    }
    return NULL;
}

/* Moves every node of v into d (d frees them), marked as written by origin. */
static alvh_status adopt(alvh_ydoc *d, alvh_ydoc *v, const char *origin, alvh_error *err)
{
    alvh_ynode **p = realloc(d->nodes, (d->n_nodes + v->n_nodes + 1) * sizeof *p);
    if (!p)
        return alvh_error_set(err, ALVH_E_NOMEM, "%s: out of memory", origin);
    d->nodes = p;
    for (size_t i = 0; i < v->n_nodes; i++) {
        v->nodes[i]->file = origin;
        d->nodes[d->n_nodes++] = v->nodes[i];
    }
    d->cap_nodes = d->n_nodes + 1;
    v->n_nodes = 0;
    return ALVH_OK;
}

static alvh_status walk_and_set(alvh_ydoc *d, char *path, alvh_ynode *value, const char *origin, alvh_error *err)
{
    if (!d->root && !(d->root = node_add(d, ALVH_Y_MAP, NULL, origin)))
        return alvh_error_set(err, ALVH_E_NOMEM, "%s: out of memory", origin);
    alvh_ynode *cur = d->root;
    for (char *step = path, *next; step; step = next) {
        next = strchr(step, '.');
        if (next)
            *next++ = '\0';
        if (!*step)
            return set_fail(err, origin, "empty step in the key path", path);
        if (cur->kind == ALVH_Y_SCALAR)
            return set_fail(err, origin, "a plain value has no key", step);
        alvh_ynode **slot = child_slot(cur, step);
        if (!next && slot) {
            *slot = value;
            return ALVH_OK;
        }
        if (!slot && cur->kind == ALVH_Y_SEQ)
            return set_fail(err, origin, "no item (index or name) in the sequence for", step);
        if (!slot) {
            /* a new key: the value, or a mapping for the rest of the path */
            alvh_ynode *key = node_add(d, ALVH_Y_SCALAR, step, origin);
            alvh_ynode *val = next ? node_add(d, ALVH_Y_MAP, NULL, origin) : value;
            if (!key || !val || kids_push(cur, key, val) != 0)
                return alvh_error_set(err, ALVH_E_NOMEM, "%s: out of memory", origin);
            if (!next)
                return ALVH_OK;
            cur = val;
        } else {
            cur = *slot;
        }
    }
    return ALVH_OK;
}

alvh_status alvh_ydoc_set(alvh_ydoc *d, const char *assignment, alvh_error *err)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment)
        return alvh_error_set(err, ALVH_E_USAGE, "--set expects key.path=value, got '%s'", assignment);
    char *origin = malloc(strlen(assignment) + 8), *path = strndup(assignment, (size_t)(eq - assignment));
    char **o = realloc(d->origins, (d->n_origins + 1) * sizeof *o);
    if (!origin || !path || !o) {
        free(origin), free(path);
        return alvh_error_set(err, ALVH_E_NOMEM, "out of memory for --set");
    }
    d->origins = o;
    sprintf(origin, "--set %s", assignment);
    d->origins[d->n_origins++] = origin; /* freed with d */
    alvh_ydoc *v = NULL;
    alvh_status st = alvh_ydoc_load_text(origin, eq + 1, strlen(eq + 1), &v, err);
    alvh_ynode *value = NULL;
    if (st == ALVH_OK)
        st = adopt(d, v, origin, err);
    if (st == ALVH_OK)
        value = v->root ? v->root : node_add(d, ALVH_Y_SCALAR, "", origin); /* "key=": null */
    if (st == ALVH_OK && !value)
        st = alvh_error_set(err, ALVH_E_NOMEM, "out of memory for --set");
    if (st == ALVH_OK)
        st = walk_and_set(d, path, value, origin, err);
    free(path);
    alvh_ydoc_free(v);
    return st;
}
