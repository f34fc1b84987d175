/* SPDX-License-Identifier: BSD-3-Clause */
#include "engine/block_rng.h"

#include <stdlib.h>

#include "engine/row_stride.h"

alvh_block_rng *alvh_block_rng_create(size_t capacity)
{
    alvh_block_rng *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    /* four arrays in one 64-byte aligned allocation, each of whole cache
     * lines, an odd count of them (engine/row_stride.h) */
    size_t cap = alvh_row_stride(capacity);
    b->storage = aligned_alloc(64, 4 * cap * sizeof(uint64_t));
    if (!b->storage) {
        free(b);
        return NULL;
    }
    b->capacity = capacity;
    b->lanes.state_hi = b->storage;
    b->lanes.state_lo = b->storage + cap;
    b->lanes.inc_hi = b->storage + 2 * cap;
    b->lanes.inc_lo = b->storage + 3 * cap;
    b->lanes.n = 0;
    return b;
}

void alvh_block_rng_free(alvh_block_rng *b)
{
    if (!b)
        return;
    free(b->storage);
    free(b);
}

void alvh_block_rng_seed(alvh_block_rng *b, uint64_t seed, uint32_t scenario, uint64_t block,
                         size_t block_size, size_t n_paths)
{
    b->lanes.n = n_paths <= b->capacity ? n_paths : b->capacity;
    alvh_pcg64_lanes_for_paths(&b->lanes, seed, scenario, block * (uint64_t)block_size);
}

void alvh_block_rng_pair(alvh_block_rng *b)
{
    alvh_pcg64_lanes *l = &b->lanes;
    for (size_t i = 1; i < l->n; i += 2) {
        l->state_hi[i] = l->state_hi[i - 1];
        l->state_lo[i] = l->state_lo[i - 1];
        l->inc_hi[i] = l->inc_hi[i - 1];
        l->inc_lo[i] = l->inc_lo[i - 1];
    }
}
