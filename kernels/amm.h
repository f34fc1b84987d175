/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A Uniswap v3 liquidity position in closed form (scalar): liquidity L on the
 * price range [p_lo, p_hi] of a token priced in USD. With sqrt prices
 * s, a = sqrt(p_lo), b = sqrt(p_hi) and c = min(max(s, a), b) the position
 * holds L (1/c - 1/b) tokens and L (c - a) USD (whitepaper eq. 6.29-6.30):
 * all tokens below the range, all USD above it. The full range (a = 0,
 * b = inf) is the constant-product pool: L/s tokens, L s USD, L^2 = x y.
 */
#ifndef ALVH_KERNELS_AMM_H
#define ALVH_KERNELS_AMM_H

/* tokens and USD of the position at sqrt price s (sqrt_hi may be INFINITY) */
void alvh_amm_amounts(double liq, double sqrt_p, double sqrt_lo, double sqrt_hi, double *tok, double *usd);

/* The range centred geometrically on P, [P/m, P m], as sqrt bounds from
 * inv_rs = 1/sqrt(m) (0: the full range), and the liquidity of a position
 * worth value_usd on it: at the centre half the value is in each asset, and
 * the value per unit of L is 2 s (1 - inv_rs). */
void alvh_amm_centred(double value_usd, double sqrt_p, double inv_rs, double *liq, double *sqrt_lo, double *sqrt_hi);

#endif
