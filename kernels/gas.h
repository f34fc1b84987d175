/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cost of acting on-chain (docs/book.md "Gas and MEV"): one transaction costs
 * usd_per_tx (VIX / vix_ref)^vix_power (congestion bids gas up in sell-offs),
 * and a swap loses mev_bps of its notional to sandwiching on top of the pool
 * fee. The vector form is in book_lp_impl.h (same formula).
 */
#ifndef ALVH_KERNELS_GAS_H
#define ALVH_KERNELS_GAS_H

#include <math.h>

#include "kernels/book_model.h"

static inline double alvh_gas_tx_usd(const alvh_gas_params *g, double vix)
{
    return g->usd_per_tx * exp(g->vix_power * log(fmax(vix, 1e-6) / g->vix_ref));
}

/* cost of swapping notional_usd: pool fee plus MEV slippage */
static inline double alvh_swap_cost_usd(const alvh_gas_params *g, double pool_fee_frac, double notional_usd)
{
    return notional_usd * (pool_fee_frac + 1e-4 * g->mev_bps);
}

#endif
