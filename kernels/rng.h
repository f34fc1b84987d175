/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Random-number fill kernels: per path p (lane p of the generator arrays) and
 * draw d, out[d * ld + p] receives the path's next uniform in [0, 1) or standard
 * normal. Normals come in Box-Muller pairs: draws 2j and 2j+1 use outputs 2j and
 * 2j+1 of the path's stream; an odd n_draws still consumes the last pair.
 * Requires ld >= lanes->n. Generators are advanced in place.
 *
 * One function per ISA; callers go through alvh_kernel_ops (kernels/isa.h).
 */
#ifndef ALVH_KERNELS_RNG_H
#define ALVH_KERNELS_RNG_H

#include "kernels/pcg64.h"

#define ALVH_RNG_DECLARE(isa)                                                                   \
    void alvh_rng_uniform_fill_##isa(alvh_pcg64_lanes *lanes, size_t n_draws, size_t ld,        \
                                     double *restrict out);                                     \
    void alvh_rng_normal_fill_##isa(alvh_pcg64_lanes *lanes, size_t n_draws, size_t ld,         \
                                    double *restrict out);

ALVH_RNG_DECLARE(scalar)
ALVH_RNG_DECLARE(avx2)
ALVH_RNG_DECLARE(avx512)

/* Uniforms consumed per normal draw count (pairs round up). */
static inline size_t alvh_rng_outputs_per_normals(size_t n_draws) { return (n_draws + 1) & ~(size_t)1; }

#endif
