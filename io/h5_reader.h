/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reading alvh result files (and any HDF5 file laid out the same way):
 * groups in creation order, float64 and uint64 datasets, labelled tables and
 * attributes. Used by `alvh summary` and the tests; reads what was stored,
 * never recomputes.
 *
 * Errors: ALVH_E_IO with one message naming the file and the object (a
 * missing file, a file that is not HDF5, a missing object, a wrong type);
 * ALVH_E_NOMEM. HDF5 prints nothing itself (io/h5_diag.h).
 */
#ifndef ALVH_IO_H5_READER_H
#define ALVH_IO_H5_READER_H

#include <stddef.h>
#include <stdint.h>

#include "common/status.h"

typedef struct alvh_h5_reader alvh_h5_reader;

alvh_status alvh_h5_reader_open(const char *path, alvh_h5_reader **r, alvh_error *err);
void alvh_h5_reader_close(alvh_h5_reader *r); /* accepts NULL */
const char *alvh_h5_reader_path(const alvh_h5_reader *r);

/* ALVH_OK when the file says it is an alvh result (root attribute
 * alvh_format) of a layout version this build reads (1 to
 * ALVH_H5_LAYOUT_VERSION); else ALVH_E_IO with one message naming the file,
 * the attribute and what was found. */
alvh_status alvh_h5_reader_check_format(alvh_h5_reader *r, alvh_error *err);

/* 1 if every link of the absolute path exists, 0 if not, -1 on error. */
int alvh_h5_reader_exists(alvh_h5_reader *r, const char *path);

/* Names of the links in a group, in creation order when the file tracks it
 * (alvh files do), else in name order. Free with alvh_h5_strings_free. */
alvh_status alvh_h5_read_children(alvh_h5_reader *r, const char *group_path, char ***names, size_t *n,
                                  alvh_error *err);
void alvh_h5_strings_free(char **v, size_t n); /* accepts NULL */

/* A dataset of rank 0 to 3 read as float64 (converted by HDF5 if stored as
 * another numeric type). Free data with free(). */
typedef struct alvh_h5_array {
    int rank;
    size_t dims[3]; /* unused dimensions are 1 */
    size_t n;       /* product of the dimensions */
    double *data;   /* row-major */
} alvh_h5_array;
alvh_status alvh_h5_read_f64(alvh_h5_reader *r, const char *path, alvh_h5_array *out, alvh_error *err);

/* A dataset of any shape read as uint64 (histogram counts). */
alvh_status alvh_h5_read_u64(alvh_h5_reader *r, const char *path, uint64_t **data, size_t *n, alvh_error *err);

/* Attributes of the object at obj_path. Strings may be stored variable- or
 * fixed-length; a scalar attribute reads as one element. */
int alvh_h5_attr_exists(alvh_h5_reader *r, const char *obj_path, const char *name);
alvh_status alvh_h5_read_attr_string(alvh_h5_reader *r, const char *obj_path, const char *name, char **value,
                                     alvh_error *err); /* free() */
alvh_status alvh_h5_read_attr_strings(alvh_h5_reader *r, const char *obj_path, const char *name, char ***values,
                                      size_t *n, alvh_error *err); /* alvh_h5_strings_free */
alvh_status alvh_h5_read_attr_i64(alvh_h5_reader *r, const char *obj_path, const char *name, int64_t *value,
                                  alvh_error *err);
alvh_status alvh_h5_read_attr_u64(alvh_h5_reader *r, const char *obj_path, const char *name, uint64_t *value,
                                  alvh_error *err);
alvh_status alvh_h5_read_attr_f64s(alvh_h5_reader *r, const char *obj_path, const char *name, double **values,
                                   size_t *n, alvh_error *err); /* free() */

/* A labelled table (io/h5_datasets.h): data[r * cols + c]. */
typedef struct alvh_h5_labelled {
    size_t rows, cols;
    double *data;
    char **row_names, **column_names, **units; /* units: one per row */
} alvh_h5_labelled;
alvh_status alvh_h5_read_labelled(alvh_h5_reader *r, const char *path, alvh_h5_labelled *t, alvh_error *err);
void alvh_h5_labelled_free(alvh_h5_labelled *t); /* accepts NULL and zeroed tables */

#endif
