/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Random streams of one block of paths. Block b of scenario s holds paths
 * [b * block_size, b * block_size + n): its generators depend only on
 * (seed, s, b) and the block size, never on which thread or rank runs it.
 */
#ifndef ALVH_ENGINE_BLOCK_RNG_H
#define ALVH_ENGINE_BLOCK_RNG_H

#include <stdint.h>

#include "common/status.h"
#include "kernels/pcg64.h"

typedef struct alvh_block_rng {
    alvh_pcg64_lanes lanes; /* lanes.n = paths in the current block */
    size_t capacity;
    uint64_t *storage;
} alvh_block_rng;

alvh_block_rng *alvh_block_rng_create(size_t capacity);
void alvh_block_rng_free(alvh_block_rng *b); /* accepts NULL */

/* Point the generators at block `block` (n_paths of them, n <= capacity). */
void alvh_block_rng_seed(alvh_block_rng *b, uint64_t seed, uint32_t scenario, uint64_t block,
                         size_t block_size, size_t n_paths);

/* Antithetic pairs: lane 2k + 1 gets lane 2k's generator (state and stream),
 * so the pair reads the same numbers; the caller negates the odd lane's normals. */
void alvh_block_rng_pair(alvh_block_rng *b);

#endif
