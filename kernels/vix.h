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
/* VIX3M: the same construction over 93 calendar days (Cboe VIX3M). */
#define ALVH_VIX3M_TAU_YEARS (93.0 / 365.0)

/* With a second factor (kappa2 > 0) every factor adds its own term:
 * VIX^2 = 100^2 [ sum_i a_i v_i + (1 - a_i) theta_i* + 2 lambda (m_J - mu_J) ],
 * a_i = (1 - e^{-kappa_i tau}) / (kappa_i tau); the variance jumps feed the
 * second factor then (theta_2* = theta_2 + lambda mu_v / kappa_2). */
typedef struct alvh_vix_coeffs {
    double alpha, beta;    /* VIX^2 = alpha v + alpha2 v2 + beta, in VIX points squared */
    double kappa, theta_star, xi, lambda_ann, mu_v; /* factor 1 (mu_v: its jumps, 0 when they go to v2) */
    double alpha2, kappa2, theta2_star, xi2, mu_v2; /* factor 2 (alpha2 = 0: one factor) */
    double v2_ref;         /* v2 at which alvh_vix_var_for_level solves for v (the start v2_0) */
} alvh_vix_coeffs;

void alvh_vix_coeffs_init(alvh_vix_coeffs *c, const alvh_spx_params *p);

/* The same over another horizon tau (ALVH_VIX3M_TAU_YEARS for VIX3M). */
void alvh_vix_coeffs_init_tau(alvh_vix_coeffs *c, const alvh_spx_params *p, double tau_years);

/* VIX level (points) of the two-factor state (v, v2), each clamped at 0. */
double alvh_vix_from_vars(const alvh_vix_coeffs *c, double v, double v2);

/* VIX level (points) for variance v, the second factor at v2_ref (clamped at 0: full-truncation Euler lets v dip below). */
double alvh_vix_from_var(const alvh_vix_coeffs *c, double v);

/* 0 when a VIX injection at level vix can be reached (one factor: by v; two
 * factors: by v2 with v kept, or v alone), i.e. vix is not below the VIX of
 * zero variance; else -1. */
int alvh_vix_inject_reachable(const alvh_vix_coeffs *c, double vix);

/* Variance that gives VIX level vix (for setting v0 from a quoted VIX); -1 if unreachable. */
double alvh_vix_var_for_level(const alvh_vix_coeffs *c, double vix);

/* E_t[v_T] and Var_t[v_T] of factor 1 given v_t, horizon t_years (including SVCJ variance jumps). */
void alvh_vix_var_moments(const alvh_vix_coeffs *c, double v_t, double t_years, double *mean, double *var);

typedef struct alvh_vix_future {
    double e_vix2;      /* E_t[VIX_T^2], exact */
    double e_vix;       /* E_t[VIX_T], with the second-order convexity adjustment */
    double sigma_black; /* model-implied Black-76 vol of VIX_T (annualized) */
} alvh_vix_future;

/* E_t[VIX_T^2] and the future (convexity-adjusted) from the two-factor state. */
void alvh_vix_future_price2(const alvh_vix_coeffs *c, double v_t, double v2_t, double t_years, alvh_vix_future *f);

/* One-factor state (v2 = v2_ref). */
void alvh_vix_future_price(const alvh_vix_coeffs *c, double v_t, double t_years, alvh_vix_future *f);

/* Black-76 call/put on VIX, discounted at r_ann, with the model-implied vol. */
double alvh_vix_option_black76(const alvh_vix_future *f, double strike, double t_years, double r_ann, int is_call);

#endif
