/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dataset writers. Each creates the dataset, writes it in one H5Dwrite, adds
 * its describing attributes and closes it at once (closing flushes chunk
 * caches, so a full disk is reported against this dataset, not later).
 */
#include "io/h5_datasets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5_internal.h"
#include "io/h5_trial.h"

enum { CHUNK_TARGET_BYTES = 1 << 20, CHUNK_MIN_ROWS = 1024, CHUNK_MAX_ROWS = 65536, DEFLATE_LEVEL = 4 };

size_t alvh_h5_chunk_rows(size_t cols)
{
    size_t want = CHUNK_TARGET_BYTES / (8 * (cols ? cols : 1)), r = CHUNK_MIN_ROWS;
    while (r * 2 <= want && r < CHUNK_MAX_ROWS)
        r *= 2;
    return r;
}

/* One open dataset and the group holding it. */
typedef struct {
    hid_t group, dset;
    char *path; /* group_path/name, for messages */
} dset_t;

static alvh_status dset_close(alvh_h5_writer *w, dset_t *d, alvh_status st, alvh_error *err)
{
    if (d->dset >= 0 && H5Dclose(d->dset) < 0 && st == ALVH_OK)
        st = alvh_h5w_fail(w, err, "finish writing dataset", d->path);
    if (d->group >= 0)
        H5Gclose(d->group);
    free(d->path);
    d->dset = d->group = H5I_INVALID_HID;
    d->path = NULL;
    return st;
}

static int all_positive(const hsize_t *dims, int rank)
{
    for (int i = 0; i < rank; i++)
        if (dims[i] == 0)
            return 0;
    return 1;
}

/* how a dataset is stored: small ones in one chunk, per-path tables in
 * chunks of alvh_h5_chunk_rows, compressed where it pays (io/h5_trial.h) */
enum { STORE_ONE_CHUNK = 0, STORE_CHUNKED_DEFLATE = 1, STORE_CHUNKED = 2 };

/* Create <group_path>/<name> with the given file type and shape. chunked:
 * split along the first dimension (alvh_h5_chunk_rows), shuffle + deflate
 * for STORE_CHUNKED_DEFLATE; every dataset with elements carries a
 * Fletcher-32 checksum. */
static alvh_status dset_create(alvh_h5_writer *w, const char *group_path, const char *name, hid_t file_type,
                               int rank, const hsize_t *dims, int chunked, dset_t *d, alvh_error *err)
{
    d->group = d->dset = H5I_INVALID_HID;
    d->path = NULL;
    if (!w)
        return alvh_error_set(err, ALVH_E_INTERNAL, "HDF5 dataset: NULL writer");
    if (!alvh_h5_path_ok(group_path))
        return alvh_h5w_bad_arg(w, err, group_path ? group_path : "(null)", "not an absolute HDF5 path");
    if (!alvh_h5_name_ok(name))
        return alvh_h5w_bad_arg(w, err, name ? name : "(null)", "dataset name must be non-empty without '/'");
    d->path = alvh_h5_join(group_path, name);
    if (!d->path)
        return alvh_error_set(err, ALVH_E_NOMEM, "%s: out of memory", w->path);
    d->group = alvh_h5w_group(w, group_path, err);
    if (d->group < 0)
        return dset_close(w, d, err ? err->code : ALVH_E_IO, err);

    alvh_status st = ALVH_OK;
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (space < 0 || dcpl < 0) {
        st = alvh_h5w_fail(w, err, "set up dataset", d->path);
        goto done;
    }
    if (chunked) {
        hsize_t chunk[3], row_elems = 1;
        for (int i = 1; i < rank; i++) {
            chunk[i] = dims[i] ? dims[i] : 1;
            row_elems *= chunk[i];
        }
        hsize_t rows = alvh_h5_chunk_rows((size_t)row_elems);
        chunk[0] = dims[0] < rows ? (dims[0] ? dims[0] : 1) : rows;
        /* shuffle groups the bytes of equal significance: P&L doubles compress far better */
        /* Fletcher-32 last: the checksum covers the stored (compressed) bytes and HDF5
         * verifies it on every read, so a flipped bit is an error instead of a number */
        const int deflate = chunked == STORE_CHUNKED_DEFLATE;
        if (H5Pset_chunk(dcpl, rank, chunk) < 0 || (deflate && H5Pset_shuffle(dcpl) < 0) ||
            (deflate && H5Pset_deflate(dcpl, DEFLATE_LEVEL) < 0) || H5Pset_fletcher32(dcpl) < 0) {
            st = alvh_h5w_fail(w, err, "set up compression for", d->path);
            goto done;
        }
    } else if (rank > 0 && all_positive(dims, rank)) {
        /* small tables: one chunk, for the checksum alone (filters need chunks) */
        if (H5Pset_chunk(dcpl, rank, dims) < 0 || H5Pset_fletcher32(dcpl) < 0) {
            st = alvh_h5w_fail(w, err, "set up the checksum of", d->path);
            goto done;
        }
    }
    d->dset = H5Dcreate2(d->group, name, file_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (d->dset < 0)
        st = alvh_h5w_fail(w, err, "create dataset", d->path);
done:
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    return st == ALVH_OK ? ALVH_OK : dset_close(w, d, st, err);
}

/* Write all of d from memory; mem_ld > cols selects the first cols of each
 * row of a wider 2-D array (rank 2 only). */
static alvh_status dset_write(alvh_h5_writer *w, dset_t *d, hid_t mem_type, const void *data, hsize_t n_elems,
                              hsize_t rows, hsize_t cols, hsize_t mem_ld, alvh_error *err)
{
    if (n_elems == 0)
        return ALVH_OK; /* nothing to write; H5Dwrite would need a NULL-safe buffer */
    hid_t mem_space = H5S_ALL;
    if (mem_ld > cols) {
        hsize_t mdims[2] = {rows, mem_ld}, start[2] = {0, 0}, count[2] = {rows, cols};
        mem_space = H5Screate_simple(2, mdims, NULL);
        if (mem_space < 0 || H5Sselect_hyperslab(mem_space, H5S_SELECT_SET, start, NULL, count, NULL) < 0) {
            alvh_status st = alvh_h5w_fail(w, err, "select the columns of", d->path);
            if (mem_space >= 0)
                H5Sclose(mem_space);
            return st;
        }
    }
    alvh_status st = ALVH_OK;
    if (H5Dwrite(d->dset, mem_type, mem_space, H5S_ALL, H5P_DEFAULT, data) < 0)
        st = alvh_h5w_fail(w, err, "write dataset", d->path);
    if (mem_space != H5S_ALL)
        H5Sclose(mem_space);
    return st;
}

static alvh_status attr_strings(alvh_h5_writer *w, dset_t *d, const char *name, const char *const *v, size_t n,
                                alvh_error *err)
{
    return alvh_h5w_attr_strings(w, d->dset, d->path, name, v, n, 0, err);
}

static alvh_status attr_string(alvh_h5_writer *w, hid_t obj, const char *obj_path, const char *name,
                               const char *v, alvh_error *err)
{
    return alvh_h5w_attr_strings(w, obj, obj_path, name, &v, 1, 1, err);
}

static int strings_ok(const char *const *v, size_t n)
{
    if (!v)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!v[i])
            return 0;
    return 1;
}

/* ---- tables -------------------------------------------------------------- */

alvh_status alvh_h5_write_table_strided(alvh_h5_writer *w, const char *group_path, const char *name,
                                        size_t rows, size_t cols, const double *data, size_t ld,
                                        const char *const *column_names, const char *const *units,
                                        int chunked_compressed, alvh_error *err)
{
    if (w && (cols == 0 || ld < cols || (rows && !data) || !strings_ok(column_names, cols) ||
              !strings_ok(units, cols)))
        return alvh_h5w_bad_arg(w, err, name, "table needs cols >= 1, ld >= cols, data, and cols names and units");
    hsize_t dims[2] = {rows, cols};
    dset_t d;
    int store = STORE_ONE_CHUNK;
    if (chunked_compressed)
        store = alvh_h5_deflate_pays(data, rows, cols, ld, alvh_h5_chunk_rows(cols), DEFLATE_LEVEL)
                    ? STORE_CHUNKED_DEFLATE
                    : STORE_CHUNKED;
    alvh_status st = dset_create(w, group_path, name, H5T_IEEE_F64LE, 2, dims, store, &d, err);
    if (st != ALVH_OK)
        return st;
    if ((st = dset_write(w, &d, H5T_NATIVE_DOUBLE, data, (hsize_t)rows * cols, rows, cols, ld, err)) == ALVH_OK &&
        (st = attr_strings(w, &d, "columns", column_names, cols, err)) == ALVH_OK)
        st = attr_strings(w, &d, "units", units, cols, err);
    return dset_close(w, &d, st, err);
}

alvh_status alvh_h5_write_table(alvh_h5_writer *w, const char *group_path, const char *name, size_t rows,
                                size_t cols, const double *data, const char *const *column_names,
                                const char *const *units, int chunked_compressed, alvh_error *err)
{
    return alvh_h5_write_table_strided(w, group_path, name, rows, cols, data, cols, column_names, units,
                                       chunked_compressed, err);
}

alvh_status alvh_h5_write_labelled(alvh_h5_writer *w, const char *group_path, const char *name, size_t rows,
                                   size_t cols, const double *data, const char *const *row_names,
                                   const char *const *column_names, const char *const *row_units,
                                   alvh_error *err)
{
    if (w && (rows == 0 || cols == 0 || !data || !strings_ok(row_names, rows) || !strings_ok(column_names, cols) ||
              !strings_ok(row_units, rows)))
        return alvh_h5w_bad_arg(w, err, name, "labelled table needs rows, cols >= 1, data, names and units");
    hsize_t dims[2] = {rows, cols};
    dset_t d;
    alvh_status st = dset_create(w, group_path, name, H5T_IEEE_F64LE, 2, dims, 0, &d, err);
    if (st != ALVH_OK)
        return st;
    if ((st = dset_write(w, &d, H5T_NATIVE_DOUBLE, data, (hsize_t)rows * cols, rows, cols, cols, err)) == ALVH_OK &&
        (st = attr_strings(w, &d, "rows", row_names, rows, err)) == ALVH_OK &&
        (st = attr_strings(w, &d, "columns", column_names, cols, err)) == ALVH_OK)
        st = attr_strings(w, &d, "units", row_units, rows, err);
    return dset_close(w, &d, st, err);
}

/* ---- histograms ------------------------------------------------------------ */

alvh_status alvh_h5_write_histogram(alvh_h5_writer *w, const char *group_path, const char *name,
                                    const alvh_h5_histogram *h, alvh_error *err)
{
    if (!w)
        return alvh_error_set(err, ALVH_E_INTERNAL, "HDF5 histogram: NULL writer");
    if (!h || h->n_bins == 0 || !h->counts || !h->edges || !alvh_h5_name_ok(name) || !alvh_h5_path_ok(group_path))
        return alvh_h5w_bad_arg(w, err, name, "histogram needs a name, n_bins >= 1, counts and edges");
    char *hpath = alvh_h5_join(group_path, name);
    if (!hpath)
        return alvh_error_set(err, ALVH_E_NOMEM, "%s: out of memory", w->path);
    alvh_status st = ALVH_OK;
    hid_t g = alvh_h5w_group(w, hpath, err);
    if (g < 0) {
        free(hpath);
        return err ? err->code : ALVH_E_IO;
    }
    hsize_t nb = h->n_bins, ne = h->n_bins + 1;
    dset_t d;
    if ((st = dset_create(w, hpath, "counts", H5T_STD_U64LE, 1, &nb, 0, &d, err)) == ALVH_OK) {
        st = dset_write(w, &d, H5T_NATIVE_UINT64, h->counts, nb, nb, 1, 1, err);
        st = dset_close(w, &d, st, err);
    }
    if (st == ALVH_OK && (st = dset_create(w, hpath, "edges", H5T_IEEE_F64LE, 1, &ne, 0, &d, err)) == ALVH_OK) {
        st = dset_write(w, &d, H5T_NATIVE_DOUBLE, h->edges, ne, ne, 1, 1, err);
        if (st == ALVH_OK)
            st = attr_string(w, d.dset, d.path, "units", h->units, err);
        st = dset_close(w, &d, st, err);
    }
    const struct {
        const char *name;
        const double *v;
    } wsets[] = {{"weights", h->weights}, {"weights_sq", h->weights_sq}};
    for (size_t i = 0; st == ALVH_OK && h->weights && h->weights_sq && i < 2; i++)
        if ((st = dset_create(w, hpath, wsets[i].name, H5T_IEEE_F64LE, 1, &nb, 0, &d, err)) == ALVH_OK) {
            st = dset_write(w, &d, H5T_NATIVE_DOUBLE, wsets[i].v, nb, nb, 1, 1, err);
            if (st == ALVH_OK)
                st = attr_string(w, d.dset, d.path, "units", "1", err);
            st = dset_close(w, &d, st, err);
        }
    const double ow[2] = {h->underflow_weight, h->overflow_weight};
    const char *const ow_names[2] = {"underflow_weight", "overflow_weight"};
    for (size_t i = 0; st == ALVH_OK && h->weights && i < 2; i++)
        st = alvh_h5w_attr_num(w, g, hpath, ow_names[i], H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &ow[i], 1, 1, err);
    const struct {
        const char *name;
        uint64_t v;
    } counts[] = {{"underflow", h->underflow}, {"overflow", h->overflow}, {"n_nonfinite", h->n_nonfinite}};
    for (size_t i = 0; st == ALVH_OK && i < sizeof counts / sizeof counts[0]; i++)
        st = alvh_h5w_attr_num(w, g, hpath, counts[i].name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &counts[i].v, 1, 1,
                               err);
    if (st == ALVH_OK)
        st = attr_string(w, g, hpath, "units", h->units, err);
    H5Gclose(g);
    free(hpath);
    return st;
}

/* ---- fan charts ---------------------------------------------------------------- */

alvh_status alvh_h5_write_fan_chart(alvh_h5_writer *w, const char *group_path, const char *name,
                                    size_t n_times, size_t n_q, const double *values, const double *quantiles,
                                    const double *bound, const char *units, alvh_error *err)
{
    if (w && (n_q == 0 || (n_times && !values) || !quantiles || !units || !name || strlen(name) > 200))
        return alvh_h5w_bad_arg(w, err, name, "fan chart needs n_q >= 1, values, quantiles and units");
    hsize_t dims[2] = {n_times, n_q};
    char bname[256];
    snprintf(bname, sizeof bname, "%s_bound", name ? name : "");
    alvh_status st = ALVH_OK;
    for (int pass = 0; pass < (bound ? 2 : 1) && st == ALVH_OK; pass++) {
        dset_t d;
        if ((st = dset_create(w, group_path, pass ? bname : name, H5T_IEEE_F64LE, 2, dims, 0, &d, err)) != ALVH_OK)
            break;
        st = dset_write(w, &d, H5T_NATIVE_DOUBLE, pass ? bound : values, dims[0] * n_q, n_times, n_q, n_q, err);
        if (st == ALVH_OK)
            st = alvh_h5w_attr_num(w, d.dset, d.path, "quantiles", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, quantiles,
                                   n_q, 0, err);
        if (st == ALVH_OK)
            st = attr_string(w, d.dset, d.path, "units", units, err);
        if (st == ALVH_OK && pass)
            st = attr_string(w, d.dset, d.path, "description",
                             "bound on |estimate - exact quantile| of the same cell of the fan chart", err);
        st = dset_close(w, &d, st, err);
    }
    return st;
}

/* ---- sample paths ---------------------------------------------------------------- */

alvh_status alvh_h5_write_sample_paths(alvh_h5_writer *w, const char *group_path, const char *name,
                                       size_t n_sample, size_t n_times, size_t k, const double *data,
                                       const char *const *column_names, const char *const *units,
                                       const uint64_t *path_index, alvh_error *err)
{
    if (w && (k == 0 || (n_sample && n_times && !data) || !strings_ok(column_names, k) || !strings_ok(units, k)))
        return alvh_h5w_bad_arg(w, err, name, "sample paths need k >= 1, data, and k column names and units");
    hsize_t dims[3] = {n_sample, n_times, k};
    dset_t d;
    alvh_status st = dset_create(w, group_path, name, H5T_IEEE_F64LE, 3, dims, 0, &d, err);
    if (st != ALVH_OK)
        return st;
    if ((st = dset_write(w, &d, H5T_NATIVE_DOUBLE, data, dims[0] * dims[1] * dims[2], 0, 0, 0, err)) == ALVH_OK &&
        (st = attr_strings(w, &d, "columns", column_names, k, err)) == ALVH_OK)
        st = attr_strings(w, &d, "units", units, k, err);
    if (st == ALVH_OK && path_index)
        st = alvh_h5w_attr_num(w, d.dset, d.path, "path_index", H5T_STD_U64LE, H5T_NATIVE_UINT64, path_index,
                               n_sample, 0, err);
    return dset_close(w, &d, st, err);
}
