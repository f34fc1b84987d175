/*
 * Canonical block YAML from a node tree (yaml_tree.h): the hedge book is kept
 * as text until its schema exists, and this is the text recorded, so the same
 * book always records the same bytes whatever its source layout.
 */
#include <stdio.h>
#include <string.h>

#include "io/strbuf.h"
#include "io/yaml_tree.h"

void alvh_yaml_emit_quoted(alvh_strbuf *b, const char *s, size_t len)
{
    alvh_strbuf_append(b, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': alvh_strbuf_append(b, "\\\"", 2); break;
        case '\\': alvh_strbuf_append(b, "\\\\", 2); break;
        case '\n': alvh_strbuf_append(b, "\\n", 2); break;
        case '\t': alvh_strbuf_append(b, "\\t", 2); break;
        case '\r': alvh_strbuf_append(b, "\\r", 2); break;
        default:
            if (c < 0x20 || c == 0x7F)
                alvh_strbuf_printf(b, "\\x%02x", c);
            else
                alvh_strbuf_append(b, (const char *)&s[i], 1);
        }
    }
    alvh_strbuf_append(b, "\"", 1);
}

static void emit_scalar(alvh_strbuf *b, const alvh_ynode *n)
{
    if (alvh_ynode_is_null(n))
        alvh_strbuf_append(b, "null", 4);
    else if (n->plain)
        alvh_strbuf_append(b, n->text, n->len); /* was plain in its source: safe in block context */
    else
        alvh_yaml_emit_quoted(b, n->text, n->len);
}

static void pad(alvh_strbuf *b, int indent)
{
    for (int i = 0; i < indent; i++)
        alvh_strbuf_append(b, " ", 1);
}

/* inline_first: the caller already wrote the first line's indentation ("- "). */
static void emit(alvh_strbuf *b, const alvh_ynode *n, int indent, int inline_first)
{
    if (n->kind == ALVH_Y_SCALAR || n->n == 0) {
        if (!inline_first)
            pad(b, indent);
        if (n->kind == ALVH_Y_SCALAR)
            emit_scalar(b, n);
        else
            alvh_strbuf_append(b, n->kind == ALVH_Y_MAP ? "{}" : "[]", 2);
        alvh_strbuf_append(b, "\n", 1);
        return;
    }
    for (size_t i = 0; i < n->n; i++) {
        if (i > 0 || !inline_first)
            pad(b, indent);
        if (n->kind == ALVH_Y_SEQ) {
            alvh_strbuf_append(b, "- ", 2);
            emit(b, n->kids[i], indent + 2, 1);
            continue;
        }
        const alvh_ynode *k = n->kids[2 * i], *v = n->kids[2 * i + 1];
        emit_scalar(b, k);
        alvh_strbuf_append(b, ":", 1);
        if (v->kind == ALVH_Y_SCALAR || v->n == 0) {
            alvh_strbuf_append(b, " ", 1);
            emit(b, v, 0, 1);
        } else {
            alvh_strbuf_append(b, "\n", 1);
            emit(b, v, indent + 2, 0);
        }
    }
}

void alvh_ynode_emit(alvh_strbuf *b, const alvh_ynode *n, int indent)
{
    emit(b, n, indent, 0);
}
