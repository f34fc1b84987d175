/* SPDX-License-Identifier: BSD-3-Clause */
/* The real-world (P) parameters of the paths from the pricing (Q) set and the
 * premia (docs/market_model.md, "P and Q"). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "kernels/market_model.h"

static int fail(char *msg, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (msg && size)
        vsnprintf(msg, size, fmt, ap);
    va_end(ap);
    return -1;
}

/* Heston's market price of variance risk on one factor: kappa_Q = kappa_P +
 * lambda and kappa_Q theta_Q = kappa_P theta_P (the drift's constant term is
 * the same under both measures). */
static int factor_to_p(double kappa_q, double theta_q, double lambda, double *kappa_p, double *theta_p)
{
    double k = kappa_q - lambda;
    if (!(k > 0.0))
        return -1;
    *kappa_p = k;
    *theta_p = kappa_q * theta_q / k;
    return 0;
}

static void strip_real_world(alvh_market_params *m)
{
    m->spx.drift_ann = 0.0;
    m->token.dilution_ann = 0.0;
    m->token.mu_ann = m->spx.r_ann - m->token.staking_yield_ann;
    m->eth.mu_ann = m->spx.r_ann;
}

int alvh_market_paths_params(const alvh_market_params *m, alvh_market_params *paths, char *msg, size_t size)
{
    *paths = *m;
    if (m->paths_measure == ALVH_MEASURE_Q) {
        strip_real_world(paths);
        return 0;
    }
    const alvh_premia_params *pr = &m->premia;
    alvh_spx_params *s = &paths->spx;
    if (factor_to_p(m->spx.kappa, m->spx.theta, pr->lambda_v, &s->kappa, &s->theta) != 0)
        return fail(msg, size, "premia.lambda_v: %g leaves no real-world mean reversion (need lambda_v < spx.kappa = %g)",
                    pr->lambda_v, m->spx.kappa);
    if (m->spx.kappa2 > 0.0 &&
        factor_to_p(m->spx.kappa2, m->spx.theta2, pr->lambda_v2, &s->kappa2, &s->theta2) != 0)
        return fail(msg, size,
                    "premia.lambda_v2: %g leaves no real-world mean reversion (need lambda_v2 < spx.kappa2 = %g)",
                    pr->lambda_v2, m->spx.kappa2);
    s->lambda_ann = m->spx.lambda_ann - pr->jump_intensity_premium;
    if (!(s->lambda_ann >= 0.0))
        return fail(msg, size,
                    "premia.jump_intensity_premium: %g exceeds the pricing jump intensity spx.lambda_ann = %g",
                    pr->jump_intensity_premium, m->spx.lambda_ann);
    s->mu_j = m->spx.mu_j + pr->jump_mean_premium;
    return 0;
}
