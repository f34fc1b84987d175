/* SPDX-License-Identifier: BSD-3-Clause */
#include "kernels/amm.h"

#include <math.h>

void alvh_amm_amounts(double liq, double sqrt_p, double sqrt_lo, double sqrt_hi, double *tok, double *usd)
{
    double c = fmin(fmax(sqrt_p, sqrt_lo), sqrt_hi);
    *tok = liq * (1.0 / c - 1.0 / sqrt_hi);
    *usd = liq * (c - sqrt_lo);
}

void alvh_amm_centred(double value_usd, double sqrt_p, double inv_rs, double *liq, double *sqrt_lo, double *sqrt_hi)
{
    *sqrt_lo = sqrt_p * inv_rs;
    *sqrt_hi = inv_rs > 0.0 ? sqrt_p / inv_rs : INFINITY;
    *liq = value_usd / (2.0 * sqrt_p * (1.0 - inv_rs));
}
