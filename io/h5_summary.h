/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `alvh summary`: print the summary and hedge-effectiveness tables stored in
 * a result file, as an aligned terminal table, CSV (long form: one value per
 * line, for pandas) or JSON. Reads only; never recomputes a statistic.
 */
#ifndef ALVH_IO_H5_SUMMARY_H
#define ALVH_IO_H5_SUMMARY_H

#include <stdio.h>

#include "common/status.h"

typedef enum alvh_summary_format {
    ALVH_SUMMARY_TABLE,
    ALVH_SUMMARY_CSV,
    ALVH_SUMMARY_JSON,
} alvh_summary_format;

/* "table", "csv" or "json"; -1 for anything else. */
int alvh_summary_format_parse(const char *s, alvh_summary_format *out);

/* Print every scenario's tables, or only scenario's (NULL: all). Everything
 * is read before anything is printed, so a failure prints nothing.
 * ALVH_E_IO: missing file, not HDF5, not an alvh result file, unreadable
 * table; ALVH_E_USAGE: no such scenario; ALVH_E_NOMEM. */
alvh_status alvh_h5_summary_print(FILE *out, const char *path, const char *scenario, alvh_summary_format fmt,
                                  alvh_error *err);

#endif
