/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The text that identifies a run for --resume (docs/batch.md): the resolved
 * configuration without its comment lines (they name the file as it was
 * spelled on the command line) and with run.threads at 0 (results do not
 * depend on it), and the first setting in which two such texts differ.
 */
#ifndef ALVH_IO_RUN_IDENTITY_H
#define ALVH_IO_RUN_IDENTITY_H

#include <stddef.h>

/* A malloc'ed copy of the resolved text without comment-only lines; NULL when
 * out of memory. */
char *alvh_identity_text(const char *resolved);

/* The first differing setting of two identity texts, as
 * "KEY.PATH (interrupted: OLD, now: NEW)", written into what. Returns 0 when
 * the texts are equal, 1 otherwise. */
int alvh_identity_difference(const char *was, const char *now, char *what, size_t n);

#endif
