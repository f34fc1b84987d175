/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Instruction-set dispatch. The CPU (and the OS, through XGETBV) is asked once
 * which vector extensions may be used; the engine then picks one table of kernel
 * entry points for the whole run and records its name in every output.
 */
#ifndef ALVH_KERNELS_ISA_H
#define ALVH_KERNELS_ISA_H

#include <stddef.h>

#include "kernels/bs.h"
#include "kernels/pcg64.h"
#include "kernels/book_model.h"
#include "kernels/hist_bin.h"
#include "kernels/market_model.h"
#include "kernels/spx_model.h"

typedef enum alvh_isa {
    ALVH_ISA_SCALAR = 0,
    ALVH_ISA_AVX2 = 1,   /* AVX2 + FMA, 4 doubles per vector */
    ALVH_ISA_AVX512 = 2, /* AVX-512 F + DQ, 8 doubles per vector */
    ALVH_ISA_COUNT
} alvh_isa;

typedef struct alvh_kernel_ops {
    alvh_isa isa;
    const char *name; /* "scalar", "avx2", "avx512" */
    size_t lanes;     /* doubles per vector */
    void (*uniform_fill)(alvh_pcg64_lanes *lanes, size_t n_draws, size_t ld, double *restrict out);
    void (*normal_fill)(alvh_pcg64_lanes *lanes, size_t n_draws, size_t ld, double *restrict out);
    void (*spx_step)(const alvh_spx_consts *c, size_t n, double *restrict ln_s, double *restrict v,
                     const alvh_spx_draws *d, double *restrict jumps);
    void (*market_step)(const alvh_market_consts *c, size_t n, const alvh_market_state *s,
                        const double *restrict normals, const double *restrict uniforms, size_t ld,
                        const alvh_market_events *ev);
    void (*book_step)(const alvh_book_consts *c, unsigned layers, size_t step, size_t n, const alvh_book_state *s,
                      const alvh_book_market *mk);
    /* the cash account and equity of a step alone (a variant whose layers another variant steps) */
    void (*book_metrics)(const alvh_book_consts *c, unsigned layers, size_t step, size_t n, const alvh_book_state *s);
    /* spx = e^{ln_s}, g = e^{ln_g}: the price levels the book reads */
    void (*book_levels)(size_t n, const double *restrict ln_s, const double *restrict ln_g, double *restrict spx,
                        double *restrict g);
    alvh_bs_batch_fn *bs_batch;           /* BSM price and delta (kernels/bs.h) */
    alvh_black76_batch_fn *black76_batch; /* Black-76 price and delta */
    alvh_iv_batch_fn *iv_batch;           /* implied vol from the model state and skew */
    alvh_hist_bin_fn *hist_bin;           /* fixed-bin histogram counts (fan charts) */
    alvh_hist_bin16_fn *hist_bin16;       /* the same into 16-bit staging counts */
} alvh_kernel_ops;

/* Whether this CPU and OS can run isa (scalar always can). */
int alvh_isa_supported(alvh_isa isa);

/* The widest supported ISA. */
alvh_isa alvh_isa_best(void);

/* "scalar" / "avx2" / "avx512" -> isa; returns -1 for an unknown name. */
int alvh_isa_from_name(const char *name);
const char *alvh_isa_name(alvh_isa isa);

/* Kernel table of an ISA (valid even if unsupported: calling it then faults). */
const alvh_kernel_ops *alvh_kernel_ops_for(alvh_isa isa);

#endif
