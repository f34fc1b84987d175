/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scale-out over MPI ranks. A scenario's blocks are split into one contiguous
 * range per rank; each rank computes its blocks exactly as a single process
 * would (a path's numbers depend only on seed, scenario and path), then the
 * per-path rows are gathered and the histogram counts summed on rank 0, which
 * computes the statistics and writes the file. Results are therefore
 * bit-identical for any number of ranks (and threads per rank).
 *
 * Built without MPI (or run without mpirun) everything here reduces to one
 * rank of rank 0.
 */
#ifndef ALVH_ENGINE_MPI_DIST_H
#define ALVH_ENGINE_MPI_DIST_H

#include <stddef.h>

#include "common/status.h"

/* 1 when a process manager started this process as an MPI task (mpirun,
 * mpiexec, srun with PMI or PMIx: their environment variables), or when
 * ALVH_MPI=1; 0 without one (a plain start, `srun --mpi=none`) or ALVH_MPI=0. */
int alvh_mpi_launched(void);
/* MPI_Init_thread (funneled) when built with MPI and alvh_mpi_launched();
 * otherwise one process of rank 0, with no MPI call at all. */
void alvh_mpi_init(int *argc, char ***argv);
void alvh_mpi_finalize(void);
int alvh_mpi_rank(void);
int alvh_mpi_size(void);
int alvh_mpi_enabled(void); /* built with MPI */
/* Every rank's flag ORed (collective; a plain copy on one rank). */
int alvh_mpi_any(int flag);
/* Sum of every rank's v (collective; v itself on one rank). */
size_t alvh_mpi_sum_size(size_t v);
/* n bytes at p from rank 0 to every rank, in messages below 1 GiB (collective). */
alvh_status alvh_mpi_bcast_bytes(void *p, size_t n, alvh_error *err);
/* Rows [lo[r], hi[r]) of a row-major array of row_bytes-byte rows, sent by
 * each rank r to the same place in rank 0's array (collective; lo, hi per rank). */
alvh_status alvh_mpi_gather_rows(void *a, size_t row_bytes, const size_t *lo, const size_t *hi, alvh_error *err);

/* a[0..n) of every rank combined element-wise into rank 0's a (collective) */
typedef enum { ALVH_MPI_SUM_U64, ALVH_MPI_MIN_F64, ALVH_MPI_MAX_F64 } alvh_mpi_op;
alvh_status alvh_mpi_reduce_root(void *a, size_t n, alvh_mpi_op op, alvh_error *err);

/* Ends every rank (after an error on one of them). */
void alvh_mpi_abort(int code);

/* Blocks [*first, *last) of n_blocks owned by rank of ranks. */
void alvh_mpi_block_range(size_t n_blocks, int rank, int ranks, size_t *first, size_t *last);

#endif
