/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stride of the structure-of-arrays rows the engine hands the kernels.
 * A lane vector touches the same offset of every row it reads (the book step
 * reads ~100 rows per vector). With rows a multiple of 4 KiB apart all those
 * lines fall in one L1 set (8-12 ways) and evict each other on every vector;
 * an odd number of cache lines per row spreads them over all sets. Only the
 * layout changes: every value is the same.
 */
#ifndef ALVH_ENGINE_ROW_STRIDE_H
#define ALVH_ENGINE_ROW_STRIDE_H
#include <stddef.h>

/* doubles per row for rows of n values: whole 64-byte lines, an odd count */
static inline size_t alvh_row_stride(size_t n)
{
    size_t lines = (n + 7) / 8;
    return 8 * (lines | 1);
}

#endif
