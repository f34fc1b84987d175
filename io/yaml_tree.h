/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A YAML file as a small read-only tree whose every node knows its line and
 * column, built from libfyaml's event stream. The config reader needs positions
 * of mappings and sequences too (for "missing key" and type errors), which
 * libfyaml's document API does not expose; events carry them.
 *
 * Before libfyaml sees the text it is checked to be text (no NUL bytes, valid
 * UTF-8), so binary files get a specific message instead of a parser error.
 * Refused with a message naming file:line:column: syntax errors (libfyaml's
 * position and wording), more than one document, non-scalar mapping keys,
 * duplicate keys, explicit tags, unknown or recursive aliases, alias expansion
 * beyond ALVH_YAML_MAX_NODES. Private to io/.
 */
#ifndef ALVH_IO_YAML_TREE_H
#define ALVH_IO_YAML_TREE_H

#include <stddef.h>

#include "common/status.h"

#define ALVH_YAML_MAX_FILE_BYTES ((size_t)16 << 20) /* a config is a few KB; 16 MiB is certainly a mistake */
#define ALVH_YAML_MAX_NODES 1000000                 /* after alias expansion ("billion laughs") */

typedef enum alvh_ynode_kind { ALVH_Y_SCALAR, ALVH_Y_SEQ, ALVH_Y_MAP } alvh_ynode_kind;

typedef struct alvh_ynode {
    alvh_ynode_kind kind;
    int line, col;            /* 1-based position of the node's first character */
    int plain;                /* scalar written without quotes (may be a number, bool or null) */
    char *text;               /* scalar text, NUL-terminated */
    size_t len;
    struct alvh_ynode **kids; /* sequence: n items; mapping: 2n entries, key then value */
    size_t n;                 /* items of a sequence, pairs of a mapping */
    size_t cap;
    double expanded;          /* nodes under this one, aliases counted every time they appear */
    const char *file;         /* where it was written when not the document's file (--set), else NULL */
} alvh_ynode;

typedef struct alvh_ydoc {
    char *path;           /* as given: used in messages */
    alvh_ynode *root;     /* NULL: the file holds no document (empty or only comments) */
    alvh_ynode **nodes;   /* every node allocated, for freeing (aliases share nodes) */
    size_t n_nodes, cap_nodes;
    char **origins;       /* names of the --set assignments merged in (alvh_ydoc_set) */
    size_t n_origins;
} alvh_ydoc;

/* Reads and parses path. On error returns ALVH_E_CONFIG (or ALVH_E_IO / ALVH_E_NOMEM)
 * with "path:line:col: what" in err and *out NULL. */
alvh_status alvh_ydoc_load_file(const char *path, alvh_ydoc **out, alvh_error *err);

/* Same for text already in memory; name is used in messages. */
alvh_status alvh_ydoc_load_text(const char *name, const char *text, size_t len, alvh_ydoc **out, alvh_error *err);

void alvh_ydoc_free(alvh_ydoc *d);

/* The file a node of d was written in, for messages: d->path, or the --set
 * assignment that put it there. */
const char *alvh_ynode_file(const alvh_ydoc *d, const alvh_ynode *n);

/* Merges one command-line assignment "key.path=value" into d (io/yaml_set.c):
 * value is read as YAML (a scalar, or a flow sequence or mapping) and replaces
 * or adds the key, creating mappings on the way; a path step into a sequence
 * is an index or the name of an item (scenarios.calm.spx.kappa=2). Messages
 * about the new nodes name "--set key.path=value" as their file. */
alvh_status alvh_ydoc_set(alvh_ydoc *d, const char *assignment, alvh_error *err);

/* Plain scalar null: empty, ~, null, Null or NULL (YAML 1.2 core schema). */
int alvh_ynode_is_null(const alvh_ynode *n);

/* Value of key in a mapping, NULL when absent or n is not a mapping. */
const alvh_ynode *alvh_ynode_get(const alvh_ynode *map, const char *key);

/* "a mapping", "a sequence", "null", "the string \"x\"", "1.5": for "got ..." in messages. */
void alvh_ynode_describe(const alvh_ynode *n, char *buf, size_t size);

struct alvh_strbuf;

/* Appends s (len bytes) double-quoted with YAML escapes. */
void alvh_yaml_emit_quoted(struct alvh_strbuf *b, const char *s, size_t len);

#endif
