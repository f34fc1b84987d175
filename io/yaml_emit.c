/* SPDX-License-Identifier: BSD-3-Clause */
/* YAML double-quoted scalars for the resolved configuration text (config_emit.c). */
#include <stdio.h>

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
