/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HDF5 result files: the writer handle, its tmp-then-rename life cycle, groups
 * and attributes. Dataset kinds (tables, labelled tables, histograms, fan
 * charts, sample paths) are in io/h5_datasets.h; the fixed names of the alvh
 * layout in io/h5_layout.h; docs/hdf5_layout.md describes the whole file.
 *
 * A result file appears under its final name only when it is complete:
 * alvh_h5_open creates "<path>.tmp-<pid>", alvh_h5_close(commit = 1) flushes,
 * fsyncs and renames it to <path> (replacing an older file atomically); any
 * failure, or commit = 0, removes the temporary file instead.
 *
 * Every HDF5 failure becomes one ALVH_E_IO message naming the final file, the
 * object and the innermost cause from the HDF5 error stack (io/h5_diag.h);
 * HDF5 prints nothing itself. Invalid arguments (NULL data, a name with '/')
 * are ALVH_E_INTERNAL (a caller bug), bad names from configs ALVH_E_CONFIG.
 *
 * Object paths are absolute ("/scenarios/base/market"); missing groups on the
 * way are created, with link creation order tracked so that readers list
 * scenarios and variants in the order they were written.
 */
#ifndef ALVH_IO_H5_WRITER_H
#define ALVH_IO_H5_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/status.h"

typedef struct alvh_h5_writer alvh_h5_writer;

/* Create "<path>.tmp-<pid>" and write the format attributes on "/". */
alvh_status alvh_h5_open(const char *path, alvh_h5_writer **w, alvh_error *err);

/* Flush and close; commit != 0 renames the temporary file to the final name,
 * commit == 0 deletes it. Always frees w (NULL is accepted). On failure the
 * temporary file is deleted and no file appears under the final name. */
alvh_status alvh_h5_close(alvh_h5_writer *w, int commit, alvh_error *err);

const char *alvh_h5_writer_path(const alvh_h5_writer *w);     /* final name */
const char *alvh_h5_writer_tmp_path(const alvh_h5_writer *w); /* name while open */

/* What produced the file, written as attributes of "/". */
typedef struct alvh_h5_run_info {
    uint64_t seed;
    const char *config_text;    /* full resolved configuration (YAML) */
    const char *engine_version; /* "0.1.0" */
    const char *git_describe;
    const char *isa;            /* kernel ISA chosen at run time */
    int64_t threads, ranks;
    time_t start_utc, end_utc;  /* written as ISO 8601 UTC, "2025-01-31T23:59:59Z" */
    const char *units_note;     /* NULL: alvh_h5_default_units_note */
} alvh_h5_run_info;

extern const char alvh_h5_default_units_note[];

/* Write (or overwrite) the run attributes; NULL strings are written as "". */
alvh_status alvh_h5_write_run_info(alvh_h5_writer *w, const alvh_h5_run_info *info, alvh_error *err);

/* "2025-01-31T23:59:59Z" into buf (at least 21 bytes). */
void alvh_h5_iso8601_utc(time_t t, char *buf, size_t n);

/* Attributes on any object: obj_path names an existing group or dataset, or a
 * group that is created. An attribute of the same name is replaced. */
alvh_status alvh_h5_attr_string(alvh_h5_writer *w, const char *obj_path, const char *name,
                                const char *value, alvh_error *err);
alvh_status alvh_h5_attr_strings(alvh_h5_writer *w, const char *obj_path, const char *name,
                                 const char *const *values, size_t n, alvh_error *err);
alvh_status alvh_h5_attr_int(alvh_h5_writer *w, const char *obj_path, const char *name, int64_t value,
                             alvh_error *err);
alvh_status alvh_h5_attr_u64(alvh_h5_writer *w, const char *obj_path, const char *name, uint64_t value,
                             alvh_error *err);
alvh_status alvh_h5_attr_double(alvh_h5_writer *w, const char *obj_path, const char *name, double value,
                                alvh_error *err);
alvh_status alvh_h5_attr_doubles(alvh_h5_writer *w, const char *obj_path, const char *name,
                                 const double *values, size_t n, alvh_error *err);

/* Create the group (and missing parents) if needed. */
alvh_status alvh_h5_ensure_group(alvh_h5_writer *w, const char *group_path, alvh_error *err);

#endif
