/* SPDX-License-Identifier: BSD-3-Clause */
#include "engine/mpi_dist.h"

#ifdef ALVH_HAVE_MPI
#include <limits.h>
#include <mpi.h>
#endif
#include <stdlib.h>
#include <string.h>

int alvh_mpi_launched(void)
{
    const char *force = getenv("ALVH_MPI");
    if (force && (!strcmp(force, "0") || !strcmp(force, "1")))
        return force[0] == '1';
    /* what mpirun/mpiexec (Open MPI, MPICH Hydra) and srun's PMI/PMIx plugins set for their tasks */
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE", "PMI_FD"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (getenv(vars[i]))
            return 1;
    return 0;
}

void alvh_mpi_block_range(size_t n_blocks, int rank, int ranks, size_t *first, size_t *last)
{
    if (ranks < 1)
        ranks = 1;
    *first = n_blocks * (size_t)rank / (size_t)ranks;
    *last = n_blocks * (size_t)(rank + 1) / (size_t)ranks;
}

#ifdef ALVH_HAVE_MPI
static int g_inited;

void alvh_mpi_init(int *argc, char ***argv)
{
    int provided;
    /* without a process manager (a plain start, `srun --mpi=none`) MPI_Init
     * may abort looking for one: run as the one process it is */
    if (!alvh_mpi_launched())
        return;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) == MPI_SUCCESS)
        g_inited = 1;
}

void alvh_mpi_finalize(void)
{
    if (g_inited)
        MPI_Finalize();
    g_inited = 0;
}

int alvh_mpi_rank(void)
{
    int r = 0;
    if (g_inited)
        MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

int alvh_mpi_size(void)
{
    int n = 1;
    if (g_inited)
        MPI_Comm_size(MPI_COMM_WORLD, &n);
    return n;
}

int alvh_mpi_enabled(void) { return 1; }

int alvh_mpi_any(int flag)
{
    int out = flag != 0;
    if (g_inited && alvh_mpi_size() > 1)
        MPI_Allreduce(MPI_IN_PLACE, &out, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
    return out;
}

size_t alvh_mpi_sum_size(size_t v)
{
    unsigned long long x = v;
    if (g_inited && alvh_mpi_size() > 1)
        MPI_Allreduce(MPI_IN_PLACE, &x, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
    return (size_t)x;
}

alvh_status alvh_mpi_bcast_bytes(void *p, size_t n, alvh_error *err)
{
    if (!g_inited || alvh_mpi_size() == 1)
        return ALVH_OK;
    for (size_t off = 0; off < n;) {
        int c = n - off > ((size_t)1 << 30) ? 1 << 30 : (int)(n - off);
        if (MPI_Bcast((char *)p + off, c, MPI_BYTE, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
            return alvh_error_set(err, ALVH_E_IO, "MPI_Bcast of %zu bytes failed", n);
        off += (size_t)c;
    }
    return ALVH_OK;
}

alvh_status alvh_mpi_gather_rows(void *a, size_t row_bytes, const size_t *lo, const size_t *hi, alvh_error *err)
{
    int ranks = alvh_mpi_size(), rank = alvh_mpi_rank();
    if (ranks == 1)
        return ALVH_OK;
    if (row_bytes == 0 || row_bytes > INT_MAX)
        return alvh_error_set(err, ALVH_E_UNSUPPORTED, "MPI gather of rows of %zu bytes", row_bytes);
    int *counts = malloc((size_t)ranks * sizeof(int)), *displs = malloc((size_t)ranks * sizeof(int));
    alvh_status st = counts && displs ? ALVH_OK : alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate MPI counts");
    for (int r = 0; st == ALVH_OK && r < ranks; r++) {
        if (hi[r] > INT_MAX)
            st = alvh_error_set(err, ALVH_E_UNSUPPORTED, "MPI gather of %zu rows exceeds one message", hi[r]);
        else
            counts[r] = (int)(hi[r] - lo[r]), displs[r] = (int)lo[r];
    }
    MPI_Datatype row;
    if (st == ALVH_OK && (MPI_Type_contiguous((int)row_bytes, MPI_BYTE, &row) != MPI_SUCCESS ||
                          MPI_Type_commit(&row) != MPI_SUCCESS))
        st = alvh_error_set(err, ALVH_E_IO, "MPI_Type_contiguous failed");
    if (st == ALVH_OK) {
        void *send = rank == 0 ? MPI_IN_PLACE : (void *)((char *)a + lo[rank] * row_bytes);
        if (MPI_Gatherv(send, counts[rank], row, a, counts, displs, row, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
            st = alvh_error_set(err, ALVH_E_IO, "MPI_Gatherv failed");
        MPI_Type_free(&row);
    }
    free(counts);
    free(displs);
    return st;
}

alvh_status alvh_mpi_reduce_root(void *a, size_t n, alvh_mpi_op op, alvh_error *err)
{
    if (alvh_mpi_size() == 1)
        return ALVH_OK;
    MPI_Datatype type = op == ALVH_MPI_SUM_U64 ? MPI_UINT64_T : MPI_DOUBLE;
    MPI_Op mop = op == ALVH_MPI_SUM_U64 ? MPI_SUM : op == ALVH_MPI_MIN_F64 ? MPI_MIN : MPI_MAX;
    int rank = alvh_mpi_rank();
    for (size_t off = 0; off < n;) { /* both element types are 8 bytes */
        int c = n - off > (size_t)INT_MAX / 2 ? INT_MAX / 2 : (int)(n - off);
        char *p = (char *)a + off * 8;
        int rc = rank == 0 ? MPI_Reduce(MPI_IN_PLACE, p, c, type, mop, 0, MPI_COMM_WORLD)
                           : MPI_Reduce(p, NULL, c, type, mop, 0, MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS)
            return alvh_error_set(err, ALVH_E_IO, "MPI_Reduce failed");
        off += (size_t)c;
    }
    return ALVH_OK;
}

void alvh_mpi_abort(int code)
{
    if (g_inited)
        MPI_Abort(MPI_COMM_WORLD, code);
}
#else
void alvh_mpi_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
}
void alvh_mpi_finalize(void) {}
int alvh_mpi_rank(void) { return 0; }
int alvh_mpi_size(void) { return 1; }
int alvh_mpi_enabled(void) { return 0; }
int alvh_mpi_any(int flag) { return flag != 0; }
size_t alvh_mpi_sum_size(size_t v) { return v; }
alvh_status alvh_mpi_bcast_bytes(void *p, size_t n, alvh_error *err)
{
    (void)p, (void)n, (void)err;
    return ALVH_OK;
}
alvh_status alvh_mpi_gather_rows(void *a, size_t row_bytes, const size_t *lo, const size_t *hi, alvh_error *err)
{
    (void)a, (void)row_bytes, (void)lo, (void)hi, (void)err;
    return ALVH_OK;
}
alvh_status alvh_mpi_reduce_root(void *a, size_t n, alvh_mpi_op op, alvh_error *err)
{
    (void)a, (void)n, (void)op, (void)err;
    return ALVH_OK;
}
void alvh_mpi_abort(int code) { (void)code; }
#endif
