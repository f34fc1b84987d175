/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Read side of the result files. Objects are checked for existence first so
 * that the common mistakes (wrong file, wrong scenario) get a plain message
 * instead of an HDF5 error-stack line.
 */
#define _POSIX_C_SOURCE 200809L
#include "io/h5_reader.h"

#include "io/h5_layout.h"

#include <errno.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/h5_diag.h"

struct alvh_h5_reader {
    hid_t file;
    char *path;
};

static alvh_status nomem(alvh_h5_reader *r, alvh_error *err)
{
    return alvh_error_set(err, ALVH_E_NOMEM, "%s: out of memory", r->path);
}

static alvh_status fail(alvh_h5_reader *r, alvh_error *err, const char *action, const char *object)
{
    return alvh_h5_fail(err, r->path, action, object);
}

const char *alvh_h5_reader_path(const alvh_h5_reader *r) { return r ? r->path : NULL; }

alvh_status alvh_h5_reader_open(const char *path, alvh_h5_reader **out, alvh_error *err)
{
    if (!out)
        return alvh_error_set(err, ALVH_E_INTERNAL, "alvh_h5_reader_open: NULL handle pointer");
    *out = NULL;
    if (!path || !*path)
        return alvh_error_set(err, ALVH_E_IO, "empty file name");
    alvh_h5_library_init();
    struct stat sb;
    if (stat(path, &sb) != 0)
        return alvh_error_set(err, ALVH_E_IO, "%s: %s", path, strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return alvh_error_set(err, ALVH_E_IO, "%s: is a directory, not an HDF5 file", path);
    htri_t is = H5Fis_hdf5(path);
    if (is < 0)
        return alvh_h5_fail(err, path, "open", NULL);
    if (is == 0)
        return alvh_error_set(err, ALVH_E_IO, "%s: not an HDF5 file", path);
    alvh_h5_reader *r = calloc(1, sizeof *r);
    if (!r || !(r->path = strdup(path))) {
        free(r);
        return alvh_error_set(err, ALVH_E_NOMEM, "%s: out of memory", path);
    }
    r->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (r->file < 0) {
        alvh_status st = alvh_h5_fail(err, path, "open", NULL);
        free(r->path);
        free(r);
        return st;
    }
    *out = r;
    return ALVH_OK;
}

void alvh_h5_reader_close(alvh_h5_reader *r)
{
    if (!r)
        return;
    if (r->file >= 0)
        H5Fclose(r->file);
    free(r->path);
    free(r);
}

int alvh_h5_reader_exists(alvh_h5_reader *r, const char *path)
{
    if (!r || !path || path[0] != '/')
        return -1;
    if (path[1] == '\0')
        return 1;
    size_t len = strlen(path);
    char *prefix = malloc(len + 1);
    if (!prefix)
        return -1;
    int result = 1;
    /* every prefix in turn: H5Lexists fails when a parent is missing */
    for (size_t i = 1; i <= len && result == 1; i++) {
        if (i < len && path[i] != '/')
            continue;
        memcpy(prefix, path, i);
        prefix[i] = '\0';
        htri_t ex = H5Lexists(r->file, prefix, H5P_DEFAULT);
        result = ex < 0 ? -1 : ex > 0;
    }
    free(prefix);
    return result;
}

static alvh_status need_object(alvh_h5_reader *r, const char *path, alvh_error *err)
{
    int ex = alvh_h5_reader_exists(r, path);
    if (ex < 0)
        return fail(r, err, "look up", path);
    if (ex == 0)
        return alvh_error_set(err, ALVH_E_IO, "%s: no object '%s'", r->path, path);
    return ALVH_OK;
}

void alvh_h5_strings_free(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* ---- groups -------------------------------------------------------------- */

typedef struct {
    char **names;
    size_t n, cap;
    int oom;
} name_list;

static herr_t collect_name(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)g;
    (void)info;
    name_list *l = data;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        char **v = realloc(l->names, cap * sizeof *v);
        if (!v) {
            l->oom = 1;
            return -1;
        }
        l->names = v;
        l->cap = cap;
    }
    if (!(l->names[l->n] = strdup(name))) {
        l->oom = 1;
        return -1;
    }
    l->n++;
    return 0;
}

alvh_status alvh_h5_read_children(alvh_h5_reader *r, const char *group_path, char ***names, size_t *n,
                                  alvh_error *err)
{
    *names = NULL;
    *n = 0;
    alvh_status st = need_object(r, group_path, err);
    if (st)
        return st;
    hid_t g = H5Gopen2(r->file, group_path, H5P_DEFAULT);
    if (g < 0)
        return fail(r, err, "open group", group_path);
    name_list l = {0};
    hsize_t idx = 0;
    /* creation order is only indexed when the writer tracked it: fall back to names */
    herr_t rc = H5Literate(g, H5_INDEX_CRT_ORDER, H5_ITER_INC, &idx, collect_name, &l);
    if (rc < 0 && !l.oom && l.n == 0) {
        idx = 0;
        rc = H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_name, &l);
    }
    if (rc < 0)
        st = l.oom ? nomem(r, err) : fail(r, err, "list group", group_path);
    H5Gclose(g);
    if (st) {
        alvh_h5_strings_free(l.names, l.n);
        return st;
    }
    *names = l.names;
    *n = l.n;
    return ALVH_OK;
}

/* ---- datasets ------------------------------------------------------------ */

/* Open a dataset of a numeric class; fill rank, dims and n. */
static hid_t open_numeric(alvh_h5_reader *r, const char *path, int *rank, size_t dims[3], size_t *n,
                          alvh_error *err)
{
    if (need_object(r, path, err))
        return H5I_INVALID_HID;
    hid_t d = H5Dopen2(r->file, path, H5P_DEFAULT);
    if (d < 0) {
        fail(r, err, "open dataset", path);
        return H5I_INVALID_HID;
    }
    hid_t t = H5Dget_type(d), s = H5Dget_space(d);
    H5T_class_t cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    int rk = s >= 0 ? H5Sget_simple_extent_ndims(s) : -1;
    hsize_t hd[H5S_MAX_RANK];
    int ok = 1;
    if (t < 0 || s < 0 || rk < 0 || H5Sget_simple_extent_dims(s, hd, NULL) < 0) {
        fail(r, err, "inspect dataset", path);
        ok = 0;
    } else if (cls != H5T_FLOAT && cls != H5T_INTEGER) {
        alvh_error_set(err, ALVH_E_IO, "%s: dataset '%s' is not numeric", r->path, path);
        ok = 0;
    } else if (rk > 3) {
        alvh_error_set(err, ALVH_E_IO, "%s: dataset '%s' has rank %d, at most 3 expected", r->path, path, rk);
        ok = 0;
    } else {
        *rank = rk;
        *n = 1;
        for (int i = 0; i < 3; i++) {
            dims[i] = i < rk ? (size_t)hd[i] : 1;
            *n *= dims[i];
        }
    }
    if (t >= 0)
        H5Tclose(t);
    if (s >= 0)
        H5Sclose(s);
    if (!ok) {
        H5Dclose(d);
        return H5I_INVALID_HID;
    }
    return d;
}

static alvh_status read_numeric(alvh_h5_reader *r, const char *path, hid_t mem_type, size_t elem_size,
                                void **data, int *rank, size_t dims[3], size_t *n, alvh_error *err)
{
    *data = NULL;
    hid_t d = open_numeric(r, path, rank, dims, n, err);
    if (d < 0)
        return err ? err->code : ALVH_E_IO;
    alvh_status st = ALVH_OK;
    void *buf = malloc((*n ? *n : 1) * elem_size);
    if (!buf)
        st = nomem(r, err);
    else if (*n && H5Dread(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
        st = fail(r, err, "read dataset", path);
    H5Dclose(d);
    if (st) {
        free(buf);
        return st;
    }
    *data = buf;
    return ALVH_OK;
}

alvh_status alvh_h5_read_f64(alvh_h5_reader *r, const char *path, alvh_h5_array *out, alvh_error *err)
{
    memset(out, 0, sizeof *out);
    void *data;
    alvh_status st = read_numeric(r, path, H5T_NATIVE_DOUBLE, sizeof(double), &data, &out->rank, out->dims,
                                  &out->n, err);
    out->data = data;
    return st;
}

alvh_status alvh_h5_read_u64(alvh_h5_reader *r, const char *path, uint64_t **data, size_t *n, alvh_error *err)
{
    int rank;
    size_t dims[3];
    void *buf;
    alvh_status st = read_numeric(r, path, H5T_NATIVE_UINT64, sizeof(uint64_t), &buf, &rank, dims, n, err);
    *data = buf;
    return st;
}

/* ---- attributes ---------------------------------------------------------- */

int alvh_h5_attr_exists(alvh_h5_reader *r, const char *obj_path, const char *name)
{
    if (alvh_h5_reader_exists(r, obj_path) != 1)
        return 0;
    return H5Aexists_by_name(r->file, obj_path, name, H5P_DEFAULT) > 0;
}

/* Open attribute name of obj_path with its type and element count. */
static hid_t open_attr(alvh_h5_reader *r, const char *obj_path, const char *name, hid_t *type, size_t *n,
                       alvh_error *err)
{
    char what[640];
    snprintf(what, sizeof what, "%s@%s", obj_path, name);
    if (need_object(r, obj_path, err))
        return H5I_INVALID_HID;
    htri_t ex = H5Aexists_by_name(r->file, obj_path, name, H5P_DEFAULT);
    if (ex <= 0) {
        if (ex < 0)
            fail(r, err, "look up attribute", what);
        else
            alvh_error_set(err, ALVH_E_IO, "%s: '%s' has no attribute '%s'", r->path, obj_path, name);
        return H5I_INVALID_HID;
    }
    hid_t a = H5Aopen_by_name(r->file, obj_path, name, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) {
        fail(r, err, "open attribute", what);
        return H5I_INVALID_HID;
    }
    hid_t s = H5Aget_space(a);
    hssize_t np = s >= 0 ? H5Sget_simple_extent_npoints(s) : -1;
    *type = H5Aget_type(a);
    if (s >= 0)
        H5Sclose(s);
    if (np < 0 || *type < 0) {
        fail(r, err, "inspect attribute", what);
        if (*type >= 0)
            H5Tclose(*type);
        H5Aclose(a);
        return H5I_INVALID_HID;
    }
    *n = (size_t)np;
    return a;
}

alvh_status alvh_h5_read_attr_strings(alvh_h5_reader *r, const char *obj_path, const char *name, char ***values,
                                      size_t *n, alvh_error *err)
{
    *values = NULL;
    *n = 0;
    hid_t ft;
    size_t np;
    hid_t a = open_attr(r, obj_path, name, &ft, &np, err);
    if (a < 0)
        return err ? err->code : ALVH_E_IO;
    alvh_status st = ALVH_OK;
    char **out = calloc(np ? np : 1, sizeof *out);
    hid_t mt = H5I_INVALID_HID;
    if (!out) {
        st = nomem(r, err);
    } else if (H5Tget_class(ft) != H5T_STRING) {
        st = alvh_error_set(err, ALVH_E_IO, "%s: attribute '%s' of '%s' is not a string", r->path, name, obj_path);
    } else if (H5Tis_variable_str(ft) > 0) {
        char **raw = calloc(np ? np : 1, sizeof *raw);
        mt = H5Tcopy(H5T_C_S1);
        if (!raw)
            st = nomem(r, err);
        else if (mt < 0 || H5Tset_size(mt, H5T_VARIABLE) < 0 || H5Tset_cset(mt, H5Tget_cset(ft)) < 0 ||
                 H5Aread(a, mt, raw) < 0)
            st = fail(r, err, "read attribute", name);
        for (size_t i = 0; st == ALVH_OK && i < np; i++)
            if (!(out[i] = strdup(raw[i] ? raw[i] : "")))
                st = nomem(r, err);
        if (raw) {
            /* give HDF5 back the strings it allocated */
            for (size_t i = 0; i < np; i++)
                H5free_memory(raw[i]);
            free(raw);
        }
    } else {
        size_t sz = H5Tget_size(ft);
        H5T_str_t pad = H5Tget_strpad(ft);
        char *raw = malloc(np * sz + 1);
        mt = H5Tcopy(ft);
        if (!raw)
            st = nomem(r, err);
        else if (mt < 0 || (np && H5Aread(a, mt, raw) < 0))
            st = fail(r, err, "read attribute", name);
        for (size_t i = 0; st == ALVH_OK && i < np; i++) {
            const char *s = raw + i * sz;
            size_t len = strnlen(s, sz);
            while (pad == H5T_STR_SPACEPAD && len && s[len - 1] == ' ')
                len--;
            if (!(out[i] = strndup(s, len)))
                st = nomem(r, err);
        }
        free(raw);
    }
    if (mt >= 0)
        H5Tclose(mt);
    H5Tclose(ft);
    H5Aclose(a);
    if (st) {
        alvh_h5_strings_free(out, np);
        return st;
    }
    *values = out;
    *n = np;
    return ALVH_OK;
}

alvh_status alvh_h5_read_attr_string(alvh_h5_reader *r, const char *obj_path, const char *name, char **value,
                                     alvh_error *err)
{
    *value = NULL;
    char **v;
    size_t n;
    alvh_status st = alvh_h5_read_attr_strings(r, obj_path, name, &v, &n, err);
    if (st)
        return st;
    if (n != 1) {
        alvh_h5_strings_free(v, n);
        return alvh_error_set(err, ALVH_E_IO, "%s: attribute '%s' of '%s' holds %zu strings, 1 expected", r->path,
                              name, obj_path, n);
    }
    *value = v[0];
    free(v);
    return ALVH_OK;
}

static alvh_status read_attr_numbers(alvh_h5_reader *r, const char *obj_path, const char *name, hid_t mem_type,
                                     size_t elem_size, void **values, size_t *n, alvh_error *err)
{
    *values = NULL;
    *n = 0;
    hid_t ft;
    size_t np;
    hid_t a = open_attr(r, obj_path, name, &ft, &np, err);
    if (a < 0)
        return err ? err->code : ALVH_E_IO;
    alvh_status st = ALVH_OK;
    H5T_class_t cls = H5Tget_class(ft);
    void *buf = malloc((np ? np : 1) * elem_size);
    if (!buf)
        st = nomem(r, err);
    else if (cls != H5T_INTEGER && cls != H5T_FLOAT)
        st = alvh_error_set(err, ALVH_E_IO, "%s: attribute '%s' of '%s' is not numeric", r->path, name, obj_path);
    else if (np && H5Aread(a, mem_type, buf) < 0)
        st = fail(r, err, "read attribute", name);
    H5Tclose(ft);
    H5Aclose(a);
    if (st) {
        free(buf);
        return st;
    }
    *values = buf;
    *n = np;
    return ALVH_OK;
}

static alvh_status read_attr_scalar(alvh_h5_reader *r, const char *obj_path, const char *name, hid_t mem_type,
                                    size_t elem_size, void *value, alvh_error *err)
{
    void *buf;
    size_t n;
    alvh_status st = read_attr_numbers(r, obj_path, name, mem_type, elem_size, &buf, &n, err);
    if (st)
        return st;
    if (n != 1)
        st = alvh_error_set(err, ALVH_E_IO, "%s: attribute '%s' of '%s' holds %zu values, 1 expected", r->path,
                            name, obj_path, n);
    else
        memcpy(value, buf, elem_size);
    free(buf);
    return st;
}

alvh_status alvh_h5_read_attr_i64(alvh_h5_reader *r, const char *obj_path, const char *name, int64_t *value,
                                  alvh_error *err)
{
    return read_attr_scalar(r, obj_path, name, H5T_NATIVE_INT64, sizeof *value, value, err);
}

alvh_status alvh_h5_read_attr_u64(alvh_h5_reader *r, const char *obj_path, const char *name, uint64_t *value,
                                  alvh_error *err)
{
    return read_attr_scalar(r, obj_path, name, H5T_NATIVE_UINT64, sizeof *value, value, err);
}

alvh_status alvh_h5_read_attr_f64s(alvh_h5_reader *r, const char *obj_path, const char *name, double **values,
                                   size_t *n, alvh_error *err)
{
    void *buf;
    alvh_status st = read_attr_numbers(r, obj_path, name, H5T_NATIVE_DOUBLE, sizeof(double), &buf, n, err);
    *values = buf;
    return st;
}

/* ---- labelled tables ---------------------------------------------------------- */

void alvh_h5_labelled_free(alvh_h5_labelled *t)
{
    if (!t)
        return;
    free(t->data);
    alvh_h5_strings_free(t->row_names, t->rows);
    alvh_h5_strings_free(t->column_names, t->cols);
    alvh_h5_strings_free(t->units, t->rows);
    memset(t, 0, sizeof *t);
}

alvh_status alvh_h5_read_labelled(alvh_h5_reader *r, const char *path, alvh_h5_labelled *t, alvh_error *err)
{
    memset(t, 0, sizeof *t);
    alvh_h5_array a;
    alvh_status st = alvh_h5_read_f64(r, path, &a, err);
    if (st)
        return st;
    if (a.rank != 2) {
        free(a.data);
        return alvh_error_set(err, ALVH_E_IO, "%s: '%s' has rank %d, a labelled table has rank 2", r->path, path,
                              a.rank);
    }
    t->rows = a.dims[0];
    t->cols = a.dims[1];
    t->data = a.data;
    size_t nr = 0, nc = 0, nu = 0;
    if ((st = alvh_h5_read_attr_strings(r, path, "rows", &t->row_names, &nr, err)) == ALVH_OK &&
        (st = alvh_h5_read_attr_strings(r, path, "columns", &t->column_names, &nc, err)) == ALVH_OK &&
        (st = alvh_h5_read_attr_strings(r, path, "units", &t->units, &nu, err)) == ALVH_OK &&
        (nr != t->rows || nc != t->cols || nu != t->rows))
        st = alvh_error_set(err, ALVH_E_IO,
                            "%s: '%s' is %zu x %zu but has %zu row names, %zu column names and %zu units", r->path,
                            path, t->rows, t->cols, nr, nc, nu);
    if (st) {
        /* free with the counts actually read */
        free(t->data);
        alvh_h5_strings_free(t->row_names, nr);
        alvh_h5_strings_free(t->column_names, nc);
        alvh_h5_strings_free(t->units, nu);
        memset(t, 0, sizeof *t);
    }
    return st;
}

alvh_status alvh_h5_reader_check_format(alvh_h5_reader *r, alvh_error *err)
{
    if (!alvh_h5_attr_exists(r, "/", "alvh_format"))
        return alvh_error_set(err, ALVH_E_IO, "%s: not an alvh result file (no root attribute alvh_format)", r->path);
    char *fmt = NULL;
    alvh_status st = alvh_h5_read_attr_string(r, "/", "alvh_format", &fmt, err);
    if (st == ALVH_OK && strcmp(fmt, ALVH_H5_FORMAT_NAME) != 0)
        st = alvh_error_set(err, ALVH_E_IO, "%s: not an alvh result file (alvh_format is '%.100s', expected '%s')",
                            r->path, fmt, ALVH_H5_FORMAT_NAME);
    free(fmt);
    int64_t v = 0;
    if (st == ALVH_OK)
        st = alvh_h5_read_attr_i64(r, "/", "alvh_layout_version", &v, err);
    if (st == ALVH_OK && (v < 1 || v > ALVH_H5_LAYOUT_VERSION))
        st = alvh_error_set(err, ALVH_E_IO,
                            "%s: alvh_layout_version %lld is not one this alvh reads (1 to %d); a newer alvh wrote it?",
                            r->path, (long long)v, ALVH_H5_LAYOUT_VERSION);
    return st;
}
