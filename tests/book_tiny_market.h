/* SPDX-License-Identifier: BSD-3-Clause */
/* A small valid market for the book tests on hand-built paths (the lp, cover
 * and IRR rule read only the token price, the VIX, exploits and the uniform). */
#ifndef ALVH_TESTS_BOOK_TINY_MARKET_H
#define ALVH_TESTS_BOOK_TINY_MARKET_H

#include <stdlib.h>

#include "kernels/book_model.h"
#include "kernels/isa.h"
#include "kernels/market_model.h"

/* every ISA this CPU runs, the scalar reference first */
#define ALVH_TEST_FOR_EACH_ISA(isa)                                                                        \
    for (int isa = 0; isa < ALVH_ISA_COUNT; isa++)                                                         \
        if (alvh_isa_supported((alvh_isa)isa))

/* the state of `lanes` paths bound to st, in one allocation (free the result) */
static inline double *alvh_test_book_state(alvh_book_state *st, size_t lanes)
{
    /* aligned_alloc wants a size that is a multiple of the alignment */
    size_t bytes = (alvh_book_state_rows() * lanes * sizeof(double) + 63) & ~(size_t)63;
    double *mem = aligned_alloc(64, bytes);
    alvh_book_state_bind(st, mem, lanes);
    return mem;
}

static inline alvh_market_params alvh_test_tiny_market(void)
{
    alvh_market_params p = {0};
    p.spx = (alvh_spx_params){.s0 = 5000.0, .v0 = 0.04, .r_ann = 0.04, .q_ann = 0.013, .kappa = 2.0, .theta = 0.04,
                              .xi = 0.4, .rho = -0.7, .scheme = ALVH_SCHEME_QE};
    p.token = (alvh_token_params){.g0_usd = 100.0, .sigma0_ann = 0.8, .vix_ref = 20.0, .gamma = 1.0,
                                  .sigma_max_ann = 10.0, .hack_loss_frac = 0.5};
    p.funding = (alvh_funding_params){.f0_ann = 0.1, .kappa_f = 20.0, .fbar_ann = 0.1, .sigma_f_ann = 0.8};
    return p;
}

#endif
