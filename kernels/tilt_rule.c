/* SPDX-License-Identifier: BSD-3-Clause */
/* The automatic importance-sampling tilt of a rare event type (importance.auto_rare). */
#include <math.h>

#include "kernels/market_model.h"

double alvh_tilt_for_rare(double a, double t_max)
{
    if (!(a > 0.0) || a >= 0.5 || !(t_max > 1.0))
        return 1.0;
    /* the variance is unimodal in t: golden-section search on [1, t_max] in ln t */
    double lo = 0.0, hi = log(t_max);
    const double g = 0.6180339887498949;
    for (int it = 0; it < 80; it++) {
        double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
        double t1 = exp(x1), t2 = exp(x2);
        double v1 = exp((t1 - 2.0) * a) * expm1(a / t1), v2 = exp((t2 - 2.0) * a) * expm1(a / t2);
        if (v1 < v2)
            hi = x2;
        else
            lo = x1;
    }
    return exp(0.5 * (lo + hi));
}

int alvh_tilt_active(const alvh_tilt_params *t)
{
    const double f[3] = {t->spx_jump, t->gov, t->exploit};
    int any = 0;
    for (int k = 0; k < 3; k++)
        any |= f[k] > 0.0 && f[k] != 1.0;
    return any || (t->token_drift != 0.0 && t->token_drift_share > 0.0) ||
           (t->variance_drift != 0.0 && t->variance_drift_share > 0.0);
}
