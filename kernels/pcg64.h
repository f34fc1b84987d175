/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PCG64 (XSL-RR 128/64, O'Neill 2014): the engine's random bit generator.
 *
 * One generator is a 128-bit LCG state plus a 128-bit odd increment that selects
 * the stream. The output function and seeding procedure are those of numpy's
 * PCG64 and pcg-cpp's pcg64, so known-answer tests can compare against either.
 * 128-bit quantities cross the API as (hi, lo) pairs of uint64_t so callers do
 * not need a compiler extension.
 */
#ifndef ALVH_KERNELS_PCG64_H
#define ALVH_KERNELS_PCG64_H

#include <stddef.h>
#include <stdint.h>

/* The LCG multiplier of pcg64 (PCG_DEFAULT_MULTIPLIER_128). */
#define ALVH_PCG64_MULT_HI UINT64_C(0x2360ED051FC65DA4)
#define ALVH_PCG64_MULT_LO UINT64_C(0x4385DF649FCCF645)

typedef struct alvh_pcg64 {
    uint64_t state_hi, state_lo;
    uint64_t inc_hi, inc_lo; /* always odd */
} alvh_pcg64;

/* pcg "srandom": stream from initseq (inc = 2*initseq+1), position from initstate. */
void alvh_pcg64_seed(alvh_pcg64 *g, uint64_t initstate_hi, uint64_t initstate_lo,
                     uint64_t initseq_hi, uint64_t initseq_lo);

/* Next 64-bit output (step, then output of the new state, as numpy does). */
uint64_t alvh_pcg64_next_u64(alvh_pcg64 *g);

/* Uniform double in [0, 1) with 53 random bits: (x >> 11) * 2^-53. */
double alvh_pcg64_next_double(alvh_pcg64 *g);

/* Jump ahead by delta steps (mod 2^128; a negative jump is 2^128 - n) in
 * O(log delta) multiplications (Brown 1994, "Random number generation with
 * arbitrary strides"). */
void alvh_pcg64_advance(alvh_pcg64 *g, uint64_t delta_hi, uint64_t delta_lo);

/*
 * Reproducibility contract (DESIGN.md section 2): the stream of path `path` of
 * scenario `scenario` under run seed `seed` is a pure function of those three
 * numbers. The increment is a bijective mix of (scenario, path) keyed by the
 * seed, so two different paths of one run never share a stream; the starting
 * state is an independent hash. Limits: scenario < 2^16, path < 2^48.
 */
void alvh_pcg64_for_path(alvh_pcg64 *g, uint64_t seed, uint32_t scenario, uint64_t path);

/*
 * Lane arrays: one independent generator per path, structure of arrays so a
 * vector kernel loads W consecutive paths' states with one load each.
 * The arrays are caller-owned; n is the number of paths.
 */
typedef struct alvh_pcg64_lanes {
    uint64_t *state_hi, *state_lo, *inc_hi, *inc_lo;
    size_t n;
} alvh_pcg64_lanes;

/* Initialise lanes[i] as the stream of path first_path + i. */
void alvh_pcg64_lanes_for_paths(alvh_pcg64_lanes *lanes, uint64_t seed, uint32_t scenario,
                                uint64_t first_path);

void alvh_pcg64_lanes_get(const alvh_pcg64_lanes *lanes, size_t i, alvh_pcg64 *g);
void alvh_pcg64_lanes_set(alvh_pcg64_lanes *lanes, size_t i, const alvh_pcg64 *g);

#endif
