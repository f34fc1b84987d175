/* SPDX-License-Identifier: BSD-3-Clause */
/* Scalar option pricing (libm): normal distribution, BSM, Black-76, strike
 * from delta, implied vol from the model state. The batch kernels in bs_impl.h
 * follow the same formulas lane by lane and are tested against these. */
#include "kernels/bs.h"

#include <math.h>

/* 1/sqrt(2) as hi + lo (lo = 1/sqrt(2) - hi, rounded) */
#define INV_SQRT2_HI 0.70710678118654757
#define INV_SQRT2_LO (-4.833646656726457e-17)
#define TWO_OVER_SQRT_PI 1.1283791670955126
#define INV_SQRT_2PI 0.3989422804014327

double alvh_norm_cdf(double x)
{
    if (isnan(x))
        return x;
    if (isinf(x))
        return x < 0.0 ? 0.0 : 1.0;
    /* Phi(x) = erfc(y) / 2, y = -x / sqrt(2). Rounding y costs a relative
     * error of about 2 y^2 ulp in the tail (3e-13 at x = -37), so the
     * rounding residual dy is put back to first order:
     * erfc(y + dy) ~ erfc(y) - dy 2/sqrt(pi) e^{-y^2}. */
    double y = -x * INV_SQRT2_HI;
    double dy = fma(-x, INV_SQRT2_HI, -y) - x * INV_SQRT2_LO;
    return 0.5 * (erfc(y) - dy * TWO_OVER_SQRT_PI * exp(-y * y));
}

double alvh_norm_pdf(double x)
{
    /* e^{-(h + l)/2} with h + l = x^2 exactly: the tail keeps full relative
     * accuracy where e^{-h/2} alone would be off by |x|^2 ulp */
    if (!(fabs(x) < 40.0)) /* the density is below 1e-348 there */
        return isnan(x) ? x : 0.0;
    double h = x * x, l = fma(x, x, -h);
    return INV_SQRT_2PI * exp(-0.5 * h) * (1.0 - 0.5 * l);
}

/* Wichura's AS241 (PPND16), Applied Statistics 37 (1988) 477-484: rational
 * approximations of degree 7/7 in three regions, relative accuracy about 1e-16. */
double alvh_norm_inv(double p)
{
    if (isnan(p))
        return p;
    if (p <= 0.0)
        return -INFINITY;
    if (p >= 1.0)
        return INFINITY;
    double q = p - 0.5;
    if (fabs(q) <= 0.425) {
        double r = 0.180625 - q * q;
        double num = ((((((2.5090809287301226727e+3 * r + 3.3430575583588128105e+4) * r +
                          6.7265770927008700853e+4) * r + 4.5921953931549871457e+4) * r +
                        1.3731693765509461125e+4) * r + 1.9715909503065514427e+3) * r +
                      1.3314166789178437745e+2) * r + 3.3871328727963666080e+0;
        double den = ((((((5.2264952788528545610e+3 * r + 2.8729085735721942674e+4) * r +
                          3.9307895800092710610e+4) * r + 2.1213794301586595867e+4) * r +
                        5.3941960214247511077e+3) * r + 6.8718700749205790830e+2) * r +
                      4.2313330701600911252e+1) * r + 1.0;
        return q * num / den;
    }
    /* tails: polynomials in r = sqrt(-ln(min(p, 1 - p))) */
    double r = sqrt(-log(q < 0.0 ? p : 1.0 - p)), x;
    if (r <= 5.0) {
        r -= 1.6;
        double num = ((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r +
                          2.41780725177450611770e-1) * r + 1.27045825245236838258e+0) * r +
                        3.64784832476320460504e+0) * r + 5.76949722146069140550e+0) * r +
                      4.63033784615654529590e+0) * r + 1.42343711074968357734e+0;
        double den = ((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r +
                          1.51986665636164571966e-2) * r + 1.48103976427480074590e-1) * r +
                        6.89767334985100004550e-1) * r + 1.67638483018380384940e+0) * r +
                      2.05319162663775882187e+0) * r + 1.0;
        x = num / den;
    } else {
        r -= 5.0;
        double num = ((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r +
                          1.24266094738807843860e-3) * r + 2.65321895265761230930e-2) * r +
                        2.96560571828504891230e-1) * r + 1.78482653991729133580e+0) * r +
                      5.46378491116411436990e+0) * r + 6.65790464350110377720e+0;
        double den = ((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r +
                          1.84631831751005468180e-5) * r + 7.86869131145613259100e-4) * r +
                        1.48753612908506148525e-2) * r + 1.36929880922735805310e-1) * r +
                      5.99832206555887937690e-1) * r + 1.0;
        x = num / den;
    }
    return q < 0.0 ? -x : x;
}

/* Generalized Black-Scholes, spot s paying yield q (Black-76: s = F, q = r);
 * see bs_core.h for the formulas and the limit rule. */
static double gbs(double s, double k, double t, double sigma, double r, double q, int is_call, double *delta)
{
    double w = is_call ? 1.0 : -1.0;
    double tt = t > 0.0 ? t : 0.0;
    double dq = exp(-q * tt), dr = exp(-r * tt);
    double sq = s * dq, kr = k * dr;
    double sd = (sigma > 0.0 ? sigma : 0.0) * sqrt(tt);
    double n1, n2;
    if (sd > 0.0) {
        double d1 = (log(s / k) + (r - q) * tt) / sd + 0.5 * sd;
        n1 = alvh_norm_cdf(w * d1);
        n2 = alvh_norm_cdf(w * (d1 - sd));
    } else {
        double wg = w * (sq - kr);
        n1 = n2 = wg > 0.0 ? 1.0 : wg < 0.0 ? 0.0 : 0.5;
    }
    if (delta)
        *delta = w * dq * n1;
    return fmax(w * (sq * n1 - kr * n2), 0.0);
}

double alvh_bs_price(double s, double k, double t_years, double sigma_ann, double r_ann, double q_ann, int is_call,
                     double *delta)
{
    return gbs(s, k, t_years, sigma_ann, r_ann, q_ann, is_call, delta);
}

double alvh_black76_price(double f, double k, double t_years, double sigma_ann, double r_ann, int is_call,
                          double *delta)
{
    return gbs(f, k, t_years, sigma_ann, r_ann, r_ann, is_call, delta);
}

double alvh_bs_strike_from_delta(double s, double t_years, double sigma_ann, double r_ann, double q_ann, double delta,
                                 int is_call)
{
    if (!(t_years > 0.0 && sigma_ann > 0.0 && s > 0.0))
        return NAN;
    double w = is_call ? 1.0 : -1.0;
    /* delta = w e^{-qT} N(w d1)  =>  N(w d1) = w delta e^{qT} must lie in (0, 1) */
    double p = w * delta * exp(q_ann * t_years);
    if (!(p > 0.0 && p < 1.0))
        return NAN;
    double d1 = w * alvh_norm_inv(p), sd = sigma_ann * sqrt(t_years);
    /* d1 = (ln(S/K) + (r - q) T) / sd + sd/2 solved for K */
    return s * exp((r_ann - q_ann) * t_years + 0.5 * sd * sd - d1 * sd);
}

void alvh_iv_model_init(alvh_iv_model *m, const alvh_spx_params *p)
{
    m->kappa = p->kappa;
    m->theta_star = p->theta + (p->kappa > 0.0 ? p->lambda_ann * p->mu_v / p->kappa : 0.0);
    m->jump_var_ann = p->lambda_ann * (p->mu_j * p->mu_j + p->delta_j * p->delta_j);
    m->r_ann = p->r_ann;
    m->q_ann = p->q_ann;
}

double alvh_iv_atm_var(const alvh_iv_model *m, double v, double t_years)
{
    double tt = t_years > 0.0 ? t_years : 0.0, kt = m->kappa * tt;
    /* (1 - e^{-kT}) / (kT) without cancellation, 1 at kT = 0 */
    double a = kt > 0.0 ? -expm1(-kt) / kt : 1.0;
    double var = a * fmax(v, 0.0) + ((1.0 - a) * m->theta_star + m->jump_var_ann);
    return fmax(var, 0.0);
}

double alvh_iv_skewed(const alvh_iv_skew *sk, double sigma_atm, double lm)
{
    double sg = sigma_atm + lm * (sk->skew_slope + sk->skew_curv * lm);
    return fmin(fmax(sg, sk->sigma_floor), sk->sigma_cap);
}

double alvh_iv_from_state(const alvh_iv_model *m, const alvh_iv_skew *sk, double v, double s, double k,
                          double t_years)
{
    double tt = t_years > 0.0 ? t_years : 0.0;
    double lm = log(k / s) - (m->r_ann - m->q_ann) * tt;
    return alvh_iv_skewed(sk, sqrt(alvh_iv_atm_var(m, v, t_years)), lm);
}
