/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to io/h5_*.c: the writer handle and the helpers the dataset
 * writers share. Not installed, not for other modules.
 */
#ifndef ALVH_IO_H5_INTERNAL_H
#define ALVH_IO_H5_INTERNAL_H

#include <hdf5.h>
#include <stddef.h>
#include <stdint.h>

#include "common/status.h"
#include "io/h5_writer.h"

struct alvh_h5_writer {
    hid_t file;
    char *path;     /* final name */
    char *tmp_path; /* "<path>.tmp-<pid>" */
    int failed;     /* a write failed: refuse to commit */
};

/* alvh_h5_fail against the final file name; marks the writer failed. */
alvh_status alvh_h5w_fail(alvh_h5_writer *w, alvh_error *err, const char *action, const char *object);

/* Argument errors (caller bugs): ALVH_E_INTERNAL naming the file and object. */
alvh_status alvh_h5w_bad_arg(alvh_h5_writer *w, alvh_error *err, const char *object, const char *why);

/* Absolute path check: "/" or "/a/b" (no empty, "." or ".." components). */
int alvh_h5_path_ok(const char *path);
/* One link name: non-empty, no '/', not "." or "..". */
int alvh_h5_name_ok(const char *name);

/* group_path + "/" + name, malloc'ed (NULL when out of memory). */
char *alvh_h5_join(const char *group_path, const char *name);

/* Open group_path, creating it and its parents if needed. Returns a group id
 * to close with H5Gclose, or H5I_INVALID_HID with err set. */
hid_t alvh_h5w_group(alvh_h5_writer *w, const char *group_path, alvh_error *err);

/* Attributes on an open object (obj_path only for messages). */
alvh_status alvh_h5w_attr_strings(alvh_h5_writer *w, hid_t obj, const char *obj_path, const char *name,
                                  const char *const *values, size_t n, int scalar, alvh_error *err);
alvh_status alvh_h5w_attr_num(alvh_h5_writer *w, hid_t obj, const char *obj_path, const char *name,
                              hid_t file_type, hid_t mem_type, const void *values, size_t n, int scalar,
                              alvh_error *err);

/* Variable-length UTF-8 string type (close with H5Tclose). */
hid_t alvh_h5_vlen_string_type(void);

#endif
