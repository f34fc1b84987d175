/* SPDX-License-Identifier: BSD-3-Clause */
/* The token and ETH as assets of the Q price table (kernels/q_asset.c). */
#ifndef ALVH_KERNELS_Q_ASSET_H
#define ALVH_KERNELS_Q_ASSET_H

#include <stddef.h>

#include "kernels/market_model.h"
#include "kernels/q_table.h"

/* The token's (eth 0) or ETH's (eth 1) Q law for the table, from the
 * scenario's parameters p (the pricing set) at step dt. Returns 0, or -1 with
 * a message when the table cannot price it (token.gamma other than 0 or 1). */
int alvh_qtab_asset_of(alvh_qtab_asset *a, const alvh_market_params *p, int eth, double dt, char *msg,
                       size_t msg_size);

#endif
