/* SPDX-License-Identifier: BSD-3-Clause */
/* Status codes and an error record that carries context up to the CLI. The
 * layer below engine and io: both report through it. */
#ifndef ALVH_COMMON_STATUS_H
#define ALVH_COMMON_STATUS_H

#include <stddef.h>

typedef enum alvh_status {
    ALVH_OK = 0,
    ALVH_E_USAGE,       /* bad command line */
    ALVH_E_CONFIG,      /* bad configuration value */
    ALVH_E_UNSUPPORTED, /* the request needs something this build or CPU lacks */
    ALVH_E_NOMEM,
    ALVH_E_IO,
    ALVH_E_NUMERIC,     /* NaN/Inf or an invalid model state */
    ALVH_E_INTERNAL,
    ALVH_STATUS_COUNT
} alvh_status;

typedef struct alvh_error {
    alvh_status code;
    char msg[512];
} alvh_error;

const char *alvh_status_name(alvh_status s);

/* Record code and a printf-style message on err (err may be NULL); returns code. */
alvh_status alvh_error_set(alvh_error *err, alvh_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* An error at a place in an input file: records ALVH_E_CONFIG and
 * "file:line:col: path: message" on err ("file:line:col: message" when path is
 * NULL or empty; a line or column below 1 is written as 1); returns
 * ALVH_E_CONFIG. Every message of the YAML and configuration readers has
 * this form, so tools and editors can jump to the spot. */
alvh_status alvh_error_at(alvh_error *err, const char *file, int line, int col, const char *path, const char *fmt,
                          ...) __attribute__((format(printf, 6, 7)));

#endif
