/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SPX under Bates / SVCJ (DESIGN.md section 4), one time step of length dt:
 *   d ln S = (r - q - lambda m_J - v/2) dt + sqrt(v) dW_S + Y dN,  Y ~ N(mu_J, delta_J^2)
 *   dv     = kappa (theta - v) dt + xi sqrt(v) dW_v + Z_v dN,      Z_v ~ Exp(mean mu_v)
 *   corr(dW_S, dW_v) = rho,  m_J = E[e^Y] - 1.
 * Variance schemes: Andersen's QE with martingale correction (default) and
 * full-truncation Euler. All rates and variances are annualized.
 */
#ifndef ALVH_KERNELS_SPX_MODEL_H
#define ALVH_KERNELS_SPX_MODEL_H

#include <stddef.h>

typedef enum alvh_var_scheme { ALVH_SCHEME_QE = 0, ALVH_SCHEME_EULER = 1 } alvh_var_scheme;

typedef struct alvh_spx_params {
    double s0, v0;                     /* spot (index points), initial variance */
    double r_ann, q_ann;               /* continuously compounded rate and dividend yield */
    double kappa, theta, xi, rho;      /* Heston: mean reversion /yr, long-run variance, vol of variance, corr */
    double lambda_ann, mu_j, delta_j;  /* jump intensity /yr, log-jump mean and stdev */
    double mu_v;                       /* mean variance jump (0: Bates, > 0: SVCJ) */
    double drift_ann;                  /* real-world: extra drift of ln S per year (0: risk-neutral) */
    alvh_var_scheme scheme;
    /* second variance factor (double Heston; kappa2 = 0: off, one factor):
     * d ln S gains sqrt(v2) dW_S2 - v2/2 dt, dv2 = kappa2 (theta2 - v2) dt +
     * xi2 sqrt(v2) dW_v2, corr(dW_S2, dW_v2) = rho2, independent of factor 1;
     * the variance jumps then go to v2. Only the full market kernel uses it. */
    double kappa2, theta2, xi2, rho2, v2_0;
} alvh_spx_params;

/* Average decay (1 - e^{-kappa dt}) / (kappa dt) of a variance jump that
 * arrives uniformly inside a step of length dt (1 for kappa dt = 0). */
double alvh_jump_decay_factor(double kappa, double dt);

/* Everything the step kernel needs, precomputed once per (params, dt). */
typedef struct alvh_spx_consts {
    alvh_var_scheme scheme;
    int has_jumps;     /* lambda > 0: the step reads the jump draws */
    double dt, sqrt_dt;
    double drift_dt;   /* (r - q - lambda m_J + drift) dt */
    double kappa, theta, xi, rho, sqrt_1mr2;
    /* QE: m = theta + (v - theta) e, s^2 = v c1 + c2 */
    double e, c1, c2, psi_c;
    double k0, k1, k2, k3, k4, a_mart; /* Andersen's K0..K4, A = K2 + K4/2 */
    /* jumps: N = [u > p_le0] + [u > p_le1], capped at 2 (see docs) */
    double p_le0, p_le1, mu_j, delta_j, mu_v;
} alvh_spx_consts;

/* Returns 0, or -1 when dt or a parameter is outside what the scheme handles
 * (dt <= 0, kappa <= 0, xi <= 0 for QE, lambda*dt > 0.05, ...). */
int alvh_spx_consts_init(alvh_spx_consts *c, const alvh_spx_params *p, double dt_years);

/* Draws one step reads, each an array of n (one per path). Jump draws only
 * when has_jumps. */
typedef struct alvh_spx_draws {
    const double *z_s, *z_v; /* independent standard normals */
    const double *u_v;       /* uniform [0,1): QE exponential branch */
    const double *u_n;       /* uniform: jump count */
    const double *z_j;       /* normal: jump size */
    const double *u_jv1, *u_jv2; /* uniforms: variance jump sizes */
} alvh_spx_draws;

/* Number of normals and uniforms per step the kernel reads. */
size_t alvh_spx_normals_per_step(const alvh_spx_consts *c);
size_t alvh_spx_uniforms_per_step(const alvh_spx_consts *c);

#define ALVH_SPX_STEP_DECLARE(isa)                                                               \
    void alvh_spx_step_##isa(const alvh_spx_consts *c, size_t n, double *restrict ln_s,          \
                             double *restrict v, const alvh_spx_draws *d, double *restrict jumps);
ALVH_SPX_STEP_DECLARE(scalar)
ALVH_SPX_STEP_DECLARE(avx2)
ALVH_SPX_STEP_DECLARE(avx512)

#endif
