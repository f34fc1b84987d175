/* SPDX-License-Identifier: BSD-3-Clause */
#include "engine/mpi_dist.h"

#ifdef ALVH_HAVE_MPI
#include <mpi.h>
#endif

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
void alvh_mpi_abort(int code) { (void)code; }
#endif
