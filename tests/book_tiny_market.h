/* SPDX-License-Identifier: BSD-3-Clause */
/* A small valid market for the book tests on hand-built paths (the lp, cover
 * and IRR rule read only the token price, the VIX, exploits and the uniform). */
#ifndef ALVH_TESTS_BOOK_TINY_MARKET_H
#define ALVH_TESTS_BOOK_TINY_MARKET_H

#include "kernels/market_model.h"

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
