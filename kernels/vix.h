/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VIX from the SPX model state (DESIGN.md section 4): no separate process.
 *   VIX_t^2 = 100^2 [ a v_t + (1 - a) theta* + 2 lambda (m_J - mu_J) ],
 *   a = (1 - e^{-kappa tau}) / (kappa tau), tau = 30/365, theta* = theta + lambda mu_v / kappa,
 * i.e. VIX^2 = alpha v + beta, affine in the variance. Futures and options on VIX
 * use E_t[v_T] and Var_t[v_T] in closed form; see docs/vix.md for the
 * convexity adjustment and the option approximation and their measured errors.
 */
#ifndef ALVH_KERNELS_VIX_H
#define ALVH_KERNELS_VIX_H

#include "kernels/spx_model.h"

#define ALVH_VIX_TAU_YEARS (30.0 / 365.0)

typedef struct alvh_vix_coeffs {
    double alpha, beta;    /* VIX^2 = alpha v + beta, in VIX points squared */
    double kappa, theta_star, xi, lambda_ann, mu_v;
} alvh_vix_coeffs;

void alvh_vix_coeffs_init(alvh_vix_coeffs *c, const alvh_spx_params *p);

/* VIX level (points) for variance v (clamped at 0: full-truncation Euler lets v dip below). */
double alvh_vix_from_var(const alvh_vix_coeffs *c, double v);

/* Variance that gives VIX level vix (for setting v0 from a quoted VIX); -1 if unreachable. */
double alvh_vix_var_for_level(const alvh_vix_coeffs *c, double vix);

/* E_t[v_T] and Var_t[v_T] given v_t, horizon t_years (including SVCJ variance jumps). */
void alvh_vix_var_moments(const alvh_vix_coeffs *c, double v_t, double t_years, double *mean, double *var);

typedef struct alvh_vix_future {
    double e_vix2;      /* E_t[VIX_T^2], exact */
    double e_vix;       /* E_t[VIX_T], with the second-order convexity adjustment */
    double sigma_black; /* model-implied Black-76 vol of VIX_T (annualized) */
} alvh_vix_future;

void alvh_vix_future_price(const alvh_vix_coeffs *c, double v_t, double t_years, alvh_vix_future *f);

/* Black-76 call/put on VIX, discounted at r_ann, with the model-implied vol. */
double alvh_vix_option_black76(const alvh_vix_future *f, double strike, double t_years, double r_ann, int is_call);

#endif
