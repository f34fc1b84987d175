/* SPDX-License-Identifier: BSD-3-Clause */
/* Scalar PCG64: seeding, stepping, O(log n) advance and per-path stream derivation. */
#include "pcg64.h"

__extension__ typedef unsigned __int128 u128;

static inline u128 join(uint64_t hi, uint64_t lo) { return ((u128)hi << 64) | lo; }
static inline u128 state_of(const alvh_pcg64 *g) { return join(g->state_hi, g->state_lo); }
static inline void set_state(alvh_pcg64 *g, u128 s)
{
    g->state_hi = (uint64_t)(s >> 64);
    g->state_lo = (uint64_t)s;
}

static inline u128 mult(void) { return join(ALVH_PCG64_MULT_HI, ALVH_PCG64_MULT_LO); }

static inline void step(alvh_pcg64 *g)
{
    set_state(g, state_of(g) * mult() + join(g->inc_hi, g->inc_lo));
}

static inline uint64_t output_xsl_rr(uint64_t hi, uint64_t lo)
{
    uint64_t x = hi ^ lo;
    unsigned rot = (unsigned)(hi >> 58);
    return (x >> rot) | (x << ((64u - rot) & 63u));
}

void alvh_pcg64_seed(alvh_pcg64 *g, uint64_t initstate_hi, uint64_t initstate_lo,
                     uint64_t initseq_hi, uint64_t initseq_lo)
{
    u128 inc = (join(initseq_hi, initseq_lo) << 1) | 1u;
    g->inc_hi = (uint64_t)(inc >> 64);
    g->inc_lo = (uint64_t)inc;
    set_state(g, 0);
    step(g);
    set_state(g, state_of(g) + join(initstate_hi, initstate_lo));
    step(g);
}

uint64_t alvh_pcg64_next_u64(alvh_pcg64 *g)
{
    step(g);
    return output_xsl_rr(g->state_hi, g->state_lo);
}

double alvh_pcg64_next_double(alvh_pcg64 *g)
{
    return (double)(alvh_pcg64_next_u64(g) >> 11) * 0x1.0p-53;
}

void alvh_pcg64_advance(alvh_pcg64 *g, uint64_t delta_hi, uint64_t delta_lo)
{
    /* Compose the affine map x -> m x + c with itself by repeated squaring:
     * after processing all bits, (acc_mult, acc_plus) is the map for delta steps. */
    u128 delta = join(delta_hi, delta_lo);
    u128 cur_mult = mult(), cur_plus = join(g->inc_hi, g->inc_lo);
    u128 acc_mult = 1, acc_plus = 0;
    while (delta > 0) {
        if (delta & 1u) {
            acc_mult *= cur_mult;
            acc_plus = acc_plus * cur_mult + cur_plus;
        }
        cur_plus = (cur_mult + 1) * cur_plus;
        cur_mult *= cur_mult;
        delta >>= 1;
    }
    set_state(g, acc_mult * state_of(g) + acc_plus);
}

/* SplitMix64's finalizer (Stafford variant 13): a bijection on 64-bit words with
 * full avalanche, so distinct keys stay distinct. */
static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

#define GOLDEN UINT64_C(0x9E3779B97F4A7C15)

void alvh_pcg64_for_path(alvh_pcg64 *g, uint64_t seed, uint32_t scenario, uint64_t path)
{
    /* key is injective in (scenario, path) within the documented limits */
    uint64_t key = ((uint64_t)(scenario & 0xFFFFu) << 48) | (path & UINT64_C(0xFFFFFFFFFFFF));
    uint64_t s1 = mix64(seed + 1 * GOLDEN), s2 = mix64(seed + 2 * GOLDEN);
    uint64_t s3 = mix64(seed + 3 * GOLDEN), s4 = mix64(seed + 4 * GOLDEN);
    /* mix64(key ^ s) is a bijection of key for fixed s: distinct paths get
     * distinct stream increments. The state words hash key a second time. */
    uint64_t seq_hi = mix64(key ^ s1);
    uint64_t seq_lo = mix64(mix64(key ^ s2) + GOLDEN);
    uint64_t st_hi = mix64(mix64(key ^ s3) ^ seq_lo);
    uint64_t st_lo = mix64(mix64(key ^ s4) ^ seq_hi);
    alvh_pcg64_seed(g, st_hi, st_lo, seq_hi, seq_lo);
}

void alvh_pcg64_lanes_get(const alvh_pcg64_lanes *lanes, size_t i, alvh_pcg64 *g)
{
    g->state_hi = lanes->state_hi[i];
    g->state_lo = lanes->state_lo[i];
    g->inc_hi = lanes->inc_hi[i];
    g->inc_lo = lanes->inc_lo[i];
}

void alvh_pcg64_lanes_set(alvh_pcg64_lanes *lanes, size_t i, const alvh_pcg64 *g)
{
    lanes->state_hi[i] = g->state_hi;
    lanes->state_lo[i] = g->state_lo;
    lanes->inc_hi[i] = g->inc_hi;
    lanes->inc_lo[i] = g->inc_lo;
}

void alvh_pcg64_lanes_for_paths(alvh_pcg64_lanes *lanes, uint64_t seed, uint32_t scenario,
                                uint64_t first_path)
{
    for (size_t i = 0; i < lanes->n; i++) {
        alvh_pcg64 g;
        alvh_pcg64_for_path(&g, seed, scenario, first_path + i);
        alvh_pcg64_lanes_set(lanes, i, &g);
    }
}
