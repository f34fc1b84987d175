/* SPDX-License-Identifier: BSD-3-Clause */
/* VIX index, futures and options from the Bates / SVCJ state. */
#include "kernels/vix.h"

#include <math.h>

void alvh_vix_coeffs_init_tau(alvh_vix_coeffs *c, const alvh_spx_params *p, double tau)
{
    double kt = p->kappa * tau;
    double a = (1.0 - exp(-kt)) / kt;
    double m_j = exp(p->mu_j + 0.5 * p->delta_j * p->delta_j) - 1.0;
    const int two = p->kappa2 > 0.0;
    c->kappa = p->kappa;
    c->theta_star = p->theta + (two ? 0.0 : p->lambda_ann * p->mu_v / p->kappa);
    c->xi = p->xi;
    c->lambda_ann = p->lambda_ann;
    c->mu_v = two ? 0.0 : p->mu_v;
    c->alpha = 1e4 * a;
    c->beta = 1e4 * ((1.0 - a) * c->theta_star + 2.0 * p->lambda_ann * (m_j - p->mu_j));
    c->alpha2 = c->kappa2 = c->theta2_star = c->xi2 = c->mu_v2 = c->v2_ref = 0.0;
    if (two) {
        double kt2 = p->kappa2 * tau, a2 = (1.0 - exp(-kt2)) / kt2;
        c->kappa2 = p->kappa2;
        c->theta2_star = p->theta2 + p->lambda_ann * p->mu_v / p->kappa2;
        c->xi2 = p->xi2;
        c->mu_v2 = p->mu_v;
        c->alpha2 = 1e4 * a2;
        c->beta += 1e4 * (1.0 - a2) * c->theta2_star;
        c->v2_ref = isnan(p->v2_0) ? p->theta2 : p->v2_0;
    }
}

void alvh_vix_coeffs_init(alvh_vix_coeffs *c, const alvh_spx_params *p)
{
    alvh_vix_coeffs_init_tau(c, p, ALVH_VIX_TAU_YEARS);
}

double alvh_vix_from_vars(const alvh_vix_coeffs *c, double v, double v2)
{
    return sqrt(fmax(c->alpha * fmax(v, 0.0) + c->alpha2 * fmax(v2, 0.0) + c->beta, 0.0));
}

double alvh_vix_from_var(const alvh_vix_coeffs *c, double v)
{
    if (c->alpha2 == 0.0) /* one factor: the historical expression, bit for bit */
        return sqrt(fmax(c->alpha * fmax(v, 0.0) + c->beta, 0.0));
    return alvh_vix_from_vars(c, v, c->v2_ref);
}

double alvh_vix_var_for_level(const alvh_vix_coeffs *c, double vix)
{
    double v = (vix * vix - c->beta - c->alpha2 * c->v2_ref) / c->alpha;
    /* a level at the floor sqrt(beta) may round to a tiny negative variance */
    if (v < 0.0 && vix * vix >= (c->beta + c->alpha2 * c->v2_ref) * (1.0 - 1e-12))
        return 0.0;
    return v >= 0.0 ? v : -1.0;
}

int alvh_vix_inject_reachable(const alvh_vix_coeffs *c, double vix)
{
    if (c->alpha2 == 0.0)
        return alvh_vix_var_for_level(c, vix) < 0.0 ? -1 : 0;
    return vix * vix >= c->beta * (1.0 - 1e-12) ? 0 : -1;
}

void alvh_vix_var_moments(const alvh_vix_coeffs *c, double v_t, double t, double *mean, double *var)
{
    double e = exp(-c->kappa * t), k = c->kappa, xi2 = c->xi * c->xi;
    *mean = c->theta_star + (v_t - c->theta_star) * e;
    /* CIR part with long-run level theta* (the jump compensator shifts the
     * level; the diffusion variance uses the mean path of v), plus the jump
     * part: compound Poisson with E[Z^2] = 2 mu_v^2, decaying at 2 kappa */
    double diff = v_t * xi2 * e * (1.0 - e) / k + c->theta_star * xi2 * (1.0 - e) * (1.0 - e) / (2.0 * k);
    double jump = c->lambda_ann * 2.0 * c->mu_v * c->mu_v * (1.0 - e * e) / (2.0 * k);
    *var = diff + jump;
}

/* CIR moments with jumps of one factor (kappa, long-run theta*, xi, jump mean mu_v) */
static void factor_moments(double k, double theta_star, double xi, double lambda, double mu_v, double v_t, double t,
                           double *mean, double *var)
{
    double e = exp(-k * t), xi2 = xi * xi;
    *mean = theta_star + (v_t - theta_star) * e;
    double diff = v_t * xi2 * e * (1.0 - e) / k + theta_star * xi2 * (1.0 - e) * (1.0 - e) / (2.0 * k);
    *var = diff + lambda * 2.0 * mu_v * mu_v * (1.0 - e * e) / (2.0 * k);
}

void alvh_vix_future_price2(const alvh_vix_coeffs *c, double v_t, double v2_t, double t, alvh_vix_future *f)
{
    double m, s2, m2 = 0.0, s22 = 0.0;
    alvh_vix_var_moments(c, v_t, t, &m, &s2);
    if (c->alpha2 > 0.0)
        factor_moments(c->kappa2, c->theta2_star, c->xi2, c->lambda_ann, c->mu_v2, v2_t, t, &m2, &s22);
    /* the factors are independent: their variances add (the shared jump
     * times would add a covariance only if both factors jumped; they do not) */
    double ev2 = c->alpha * m + c->beta, var_v2 = c->alpha * c->alpha * s2;
    if (c->alpha2 > 0.0) {
        ev2 += c->alpha2 * m2;
        var_v2 += c->alpha2 * c->alpha2 * s22;
    }
    f->e_vix2 = ev2;
    /* E[sqrt(X)] ~ sqrt(E X) - Var X / (8 (E X)^{3/2}): second-order Taylor */
    f->e_vix = sqrt(ev2) - var_v2 / (8.0 * ev2 * sqrt(ev2));
    /* lognormal VIX_T matching E[VIX] and E[VIX^2]: sigma^2 T = ln(E[VIX^2] / E[VIX]^2) */
    double r = ev2 / (f->e_vix * f->e_vix);
    f->sigma_black = t > 0.0 && r > 1.0 ? sqrt(log(r) / t) : 0.0;
}

void alvh_vix_future_price(const alvh_vix_coeffs *c, double v_t, double t, alvh_vix_future *f)
{
    alvh_vix_future_price2(c, v_t, c->v2_ref, t, f);
}

static double ncdf(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }

double alvh_vix_option_black76(const alvh_vix_future *f, double k, double t, double r_ann, int is_call)
{
    double df = exp(-r_ann * t), fwd = f->e_vix, sd = f->sigma_black * sqrt(t);
    if (!(sd > 0.0))
        return df * fmax(is_call ? fwd - k : k - fwd, 0.0);
    double d1 = (log(fwd / k) + 0.5 * sd * sd) / sd, d2 = d1 - sd;
    return is_call ? df * (fwd * ncdf(d1) - k * ncdf(d2)) : df * (k * ncdf(-d2) - fwd * ncdf(-d1));
}
