/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Option pricing for the hedge book (DESIGN.md section 5): Black-Scholes-Merton
 * and Black-76 prices and deltas, strike from delta, and the implied vol the
 * book marks SPX options with (expected average variance from the model state,
 * plus jump variance, plus a skew). See docs/pricing.md for the formulas, the
 * limits and the measured accuracy.
 *
 * The scalar functions here use libm; the batch kernels (structure of arrays,
 * one implementation in bs_impl.h compiled per ISA) use the vector math of
 * kernels/simd/vmath_normal.h and are reached through alvh_kernel_ops.
 *
 * Units: spot, strike and forward in index points (any currency unit, prices
 * come out in the same unit); t_years in years; r_ann, q_ann continuously
 * compounded per year; sigma_ann annualized volatility (0.2 = 20%). Spot,
 * strike and forward must be > 0.
 */
#ifndef ALVH_KERNELS_BS_H
#define ALVH_KERNELS_BS_H

#include <math.h>
#include <stddef.h>

#include "kernels/spx_model.h"

/* Standard normal CDF, density and inverse CDF (Wichura's AS241). The CDF is
 * relatively accurate in the lower tail (it corrects the rounding of x/sqrt(2)
 * fed to erfc); alvh_norm_inv returns -inf for p <= 0 and +inf for p >= 1. */
double alvh_norm_cdf(double x);
double alvh_norm_pdf(double x);
double alvh_norm_inv(double p);

/* Black-Scholes-Merton price of a European call (is_call != 0) or put, and
 * its spot delta e^{-qT} N(d1) (call) or -e^{-qT} N(-d1) (put) in *delta when
 * delta is not NULL. T <= 0 gives intrinsic value; sigma <= 0 (or T <= 0)
 * gives the discounted forward intrinsic max(w (S e^{-qT} - K e^{-rT}), 0),
 * w = +1 call / -1 put, with delta w e^{-qT} in the money, 0 out of it and
 * half that at the money (the limit of N(d1)). Never NaN for finite inputs. */
double alvh_bs_price(double s, double k, double t_years, double sigma_ann, double r_ann, double q_ann,
                     int is_call, double *delta);

/* Black-76 on a forward f, discounted at r_ann: e^{-rT} (w F N(w d1) - w K N(w d2)).
 * *delta (if not NULL) is dV/dF = w e^{-rT} N(w d1). Same limits as above. */
double alvh_black76_price(double f, double k, double t_years, double sigma_ann, double r_ann, int is_call,
                          double *delta);

/* The strike whose Black-Scholes-Merton spot delta is `delta` (call: in
 * (0, e^{-qT}); put: in (-e^{-qT}, 0)), in closed form through the inverse
 * normal CDF. NaN when no strike has that delta or T <= 0 or sigma <= 0. */
double alvh_bs_strike_from_delta(double s, double t_years, double sigma_ann, double r_ann, double q_ann,
                                 double delta, int is_call);

/* Skew added to the at-the-money vol, in log-moneyness m = ln(K/F):
 *   sigma(K) = clamp(sigma_atm + skew_slope m + skew_curv m^2, sigma_floor, sigma_cap).
 * All in annualized vol as a decimal (0.01 = one vol point): skew_slope per unit
 * of m (SPX: negative, e.g. -0.3 adds 3 vol points 10% below the forward),
 * skew_curv per unit of m^2 (smile, >= 0). If sigma_floor > sigma_cap the cap
 * wins. ALVH_IV_SKEW_FLAT leaves the vol unchanged. */
typedef struct alvh_iv_skew {
    double skew_slope;  /* vol per unit ln(K/F) */
    double skew_curv;   /* vol per unit ln(K/F)^2 */
    double sigma_floor; /* annualized vol, >= 0 */
    double sigma_cap;   /* annualized vol; INFINITY for none */
} alvh_iv_skew;

#define ALVH_IV_SKEW_FLAT ((alvh_iv_skew){0.0, 0.0, 0.0, INFINITY})

/* What the implied vol needs from alvh_spx_params, precomputed. */
typedef struct alvh_iv_model {
    double kappa;        /* mean reversion per year */
    double theta_star;   /* long-run variance with variance jumps: theta + lambda mu_v / kappa */
    double jump_var_ann; /* variance per year from log-price jumps: lambda (mu_J^2 + delta_J^2) */
    double r_ann, q_ann; /* for the forward F = S e^{(r-q)T} */
} alvh_iv_model;

void alvh_iv_model_init(alvh_iv_model *m, const alvh_spx_params *p);

/* At-the-money implied variance for an option of life t_years given the
 * current variance v (clamped at 0):
 *   sigma_atm^2 = theta* + (v - theta*) (1 - e^{-kappa T}) / (kappa T) + lambda (mu_J^2 + delta_J^2),
 * the expected average variance over the life plus the jump variance.
 * T -> 0 gives v + jump variance, T -> inf theta* + jump variance. */
double alvh_iv_atm_var(const alvh_iv_model *m, double v, double t_years);

/* sigma(K) from an at-the-money vol and log-moneyness ln(K/F). */
double alvh_iv_skewed(const alvh_iv_skew *sk, double sigma_atm, double log_moneyness);

/* Implied vol (annualized) of strike k on spot s for life t_years, variance v. */
double alvh_iv_from_state(const alvh_iv_model *m, const alvh_iv_skew *sk, double v, double s, double k,
                          double t_years);

/* Batch kernels, one per ISA (bs_impl.h compiled per ISA); n options
 * in structure-of-arrays form, no allocation. Prices agree with the scalar
 * functions above to about 1e-15 of spot (docs/pricing.md). */

/* price[i], delta[i] of BSM options (delta may be NULL). */
typedef void alvh_bs_batch_fn(size_t n, const double *restrict s, const double *restrict k,
                              const double *restrict t_years, const double *restrict sigma, double r_ann,
                              double q_ann, int is_call, double *restrict price, double *restrict delta);
/* price[i], delta[i] = dV/dF of Black-76 options on forwards f (delta may be NULL). */
typedef void alvh_black76_batch_fn(size_t n, const double *restrict f, const double *restrict k,
                                   const double *restrict t_years, const double *restrict sigma, double r_ann,
                                   int is_call, double *restrict price, double *restrict delta);
/* sigma[i] = alvh_iv_from_state(m, sk, v[i], s[i], k[i], t_years): one life, many paths. */
typedef void alvh_iv_batch_fn(const alvh_iv_model *m, const alvh_iv_skew *sk, size_t n,
                              const double *restrict v, const double *restrict s, const double *restrict k,
                              double t_years, double *restrict sigma);
/* out[i] = Phi(x[i]) by the vector CDF (for tests and callers with their own layout). */
typedef void alvh_norm_cdf_batch_fn(size_t n, const double *restrict x, double *restrict out);

#define ALVH_BS_DECLARE(isa)                                                                     \
    alvh_bs_batch_fn alvh_bs_batch_##isa;                                                        \
    alvh_black76_batch_fn alvh_black76_batch_##isa;                                              \
    alvh_iv_batch_fn alvh_iv_batch_##isa;                                                        \
    alvh_norm_cdf_batch_fn alvh_norm_cdf_batch_##isa;
ALVH_BS_DECLARE(scalar)
ALVH_BS_DECLARE(avx2)
ALVH_BS_DECLARE(avx512)

#endif
