/* SPDX-License-Identifier: BSD-3-Clause */
/* A growing text buffer for the writers in io/ (resolved config, canonical YAML). */
#ifndef ALVH_IO_STRBUF_H
#define ALVH_IO_STRBUF_H

#include <stddef.h>

typedef struct alvh_strbuf {
    char *p;
    size_t len, cap;
    int oom; /* set once an append failed; later appends do nothing */
} alvh_strbuf;

void alvh_strbuf_printf(alvh_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void alvh_strbuf_append(alvh_strbuf *b, const char *s, size_t len);

/* The text (caller frees), or NULL when an append ran out of memory (the buffer is freed). */
char *alvh_strbuf_take(alvh_strbuf *b);

#endif
