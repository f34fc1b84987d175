/* SPDX-License-Identifier: BSD-3-Clause */
/* Injections over several days (io/config_schema.h): the spreading rule. */
#include <math.h>

#include "io/config_schema.h"

size_t alvh_cfg_injection_expand(const alvh_cfg_injection *ci, alvh_market_injection *out)
{
    const size_t n = ci->days ? ci->days : 1;
    /* equal log returns: compounding the n daily returns gives the total exactly up to rounding */
    const double spx_day = isnan(ci->inj.spx_ret) ? NAN : expm1(log1p(ci->inj.spx_ret) / (double)n);
    const double tok_day = isnan(ci->inj.token_ret) ? NAN : expm1(log1p(ci->inj.token_ret) / (double)n);
    size_t k = 0;
    for (size_t d = 0; d < n; d++) {
        alvh_market_injection *o = &out[k];
        *o = ci->inj;
        o->step = ci->inj.step + d;
        o->spx_ret = spx_day;
        o->token_ret = tok_day;
        if (d + 1 < n) { /* levels only on the last day */
            o->vix_level = NAN;
            o->funding_ann = NAN;
        }
        if (d > 0) { /* events once, on the first day */
            o->gov_shock = 0;
            o->hack = 0;
        }
        /* a day that would force nothing (only a level on the last day) is left out */
        if (!isnan(o->spx_ret) || !isnan(o->token_ret) || !isnan(o->vix_level) || !isnan(o->funding_ann) ||
            o->gov_shock || o->hack)
            k++;
    }
    return k;
}
