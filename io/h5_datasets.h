/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataset kinds of an alvh result file, all float64 unless stated, all
 * self-describing through attributes (docs/hdf5_layout.md):
 *
 *   table          rows x cols, `columns` and `units` (one per column);
 *                  per-path tables chunked + shuffle + deflate 4
 *   labelled table rows x cols with `rows`, `columns` and `units` (one per
 *                  row: rows are statistics, columns layers or variants)
 *   histogram      group with `counts` (uint64) and `edges` (n_bins + 1)
 *   fan chart      n_times x n_quantiles with a `quantiles` attribute
 *   sample paths   n_sample x n_times x k with `columns` and `units`
 *
 * group_path is absolute and created if missing; name is one link name.
 * Writing a dataset that already exists is an error. Status codes as in
 * io/h5_writer.h.
 */
#ifndef ALVH_IO_H5_DATASETS_H
#define ALVH_IO_H5_DATASETS_H

#include <stddef.h>
#include <stdint.h>

#include "io/h5_writer.h"

/* Rows per chunk of a chunked table: about 1 MiB of float64 per chunk (what
 * HDF5's default chunk cache holds), a power of two in [1024, 65536]. */
size_t alvh_h5_chunk_rows(size_t cols);

/* data[r * cols + c]. column_names and units: cols strings each. */
alvh_status alvh_h5_write_table(alvh_h5_writer *w, const char *group_path, const char *name, size_t rows,
                                size_t cols, const double *data, const char *const *column_names,
                                const char *const *units, int chunked_compressed, alvh_error *err);

/* Same from a wider row-major array: element (r, c) is data[r * ld + c],
 * ld >= cols; e.g. the first 8 of 17 outcome columns, without a copy. */
alvh_status alvh_h5_write_table_strided(alvh_h5_writer *w, const char *group_path, const char *name,
                                        size_t rows, size_t cols, const double *data, size_t ld,
                                        const char *const *column_names, const char *const *units,
                                        int chunked_compressed, alvh_error *err);

/* data[r * cols + c] is statistic r of column c; row_units[r] its unit. */
alvh_status alvh_h5_write_labelled(alvh_h5_writer *w, const char *group_path, const char *name, size_t rows,
                                   size_t cols, const double *data, const char *const *row_names,
                                   const char *const *column_names, const char *const *row_units,
                                   alvh_error *err);

typedef struct alvh_h5_histogram {
    size_t n_bins;
    const uint64_t *counts;        /* n_bins: bin j holds edges[j] <= x < edges[j + 1] */
    const double *edges;           /* n_bins + 1, increasing */
    uint64_t underflow, overflow;  /* finite values below edges[0], at or above edges[n_bins] */
    uint64_t n_nonfinite;          /* NaN and +-Inf, excluded */
    const char *units;             /* of the edges (the histogrammed quantity) */
    /* importance sampling (NULL: not written): per bin the sum of the paths' likelihood ratios and
     * of their squares, and the LR sums below and above the range */
    const double *weights, *weights_sq;
    double underflow_weight, overflow_weight;
} alvh_h5_histogram;

/* Group <group_path>/<name> with datasets counts and edges (and weights, weights_sq when given). */
alvh_status alvh_h5_write_histogram(alvh_h5_writer *w, const char *group_path, const char *name,
                                    const alvh_h5_histogram *h, alvh_error *err);

/* values[t * n_q + k]: quantile quantiles[k] of the series at time t.
 * bound (may be NULL): error bounds in the same layout, written as
 * <name>_bound. */
alvh_status alvh_h5_write_fan_chart(alvh_h5_writer *w, const char *group_path, const char *name,
                                    size_t n_times, size_t n_q, const double *values, const double *quantiles,
                                    const double *bound, const char *units, alvh_error *err);

/* data[(s * n_times + t) * k + c]: column c of sample s at time t.
 * path_index (may be NULL): the global index of each sample path. */
alvh_status alvh_h5_write_sample_paths(alvh_h5_writer *w, const char *group_path, const char *name,
                                       size_t n_sample, size_t n_times, size_t k, const double *data,
                                       const char *const *column_names, const char *const *units,
                                       const uint64_t *path_index, alvh_error *err);

#endif
