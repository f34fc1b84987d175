/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pricing-measure (Q) implied-vol table of the SPX model for the condor's
 * marks, and of the token and ETH for their options (issue #14,
 * docs/pricing.md "Q marks"). The model is the market kernel's: two
 * independent Heston variance factors (Christoffersen-Heston-Jacobs 2009; the
 * second off when kappa2 = 0), the asset's diffusion loading on them and
 * normal log-price jumps, no variance jumps (mu_v = 0). Built once per scenario by the COS method
 * (Fang-Oosterlee 2008) from the affine characteristic function.
 *
 * Layout: per life slot l (slot 0 the entry life, slot l >= 1 the life of l
 * steps; the condor's lives are whole steps, so no interpolation in T), per
 * node (u1, u2) of u_f = v_f^(1/4) on uniform grids from 0 (dense at low variance),
 * per standardized log-moneyness z = ln(K/F) / sqrt(w T) on a uniform grid,
 * the ratio of the implied vol to sqrt(w), where w = A1 v1 + A2 v2 + B is the
 * expected average diffusive variance over the life (A_f = c_f a_f, a_f = (1 -
 * e^{-kappa_f T}) / (kappa_f T), B = c1 (1 - a1) theta + c2 (1 - a2) theta2 +
 * c0, with the asset's loadings c_f below; the per-life coefficients sit
 * after the ratios). The caller owns the memory
 * (alvh_qtab_doubles); nothing here allocates.
 */
#ifndef ALVH_KERNELS_Q_TABLE_H
#define ALVH_KERNELS_Q_TABLE_H

#include <stddef.h>

#include "kernels/spx_model.h"

/* grid sizes and range (docs/pricing.md: the accuracy they give) */
#define ALVH_QTAB_NS1 17
#define ALVH_QTAB_NS2 17
#define ALVH_QTAB_NS_ASSET 13 /* per factor in the asset tables (docs/pricing.md "Token marks") */
#define ALVH_QTAB_NZ 47
#define ALVH_QTAB_Z_LO (-7.0)
#define ALVH_QTAB_Z_STEP 0.25
#define ALVH_QTAB_W_FLOOR 1e-4 /* floor of w: a 1-vol-point standardization */
#define ALVH_QTAB_NCOEF 4      /* per life: a1, a2, b, T */
/* the longest option period (steps) the engine tables for the token and ETH:
 * half a year of daily steps, 3.7 MB and about 0.3 CPU s (docs/pricing.md) */
#define ALVH_QTAB_MAX_ASSET_LIFE 126

#define ALVH_QTAB_MAX_JUMPS 4

/* The priced asset's log-price under Q given the two variance factors: a
 * diffusion of variance rate c1 v1 + c2 v2 + c0, written as sqrt(c_f v_f) dB_f
 * + sqrt(c0) dB_0 with corr(dB_f, dW_f) = rho_f (W_f factor f's shock), plus
 * independent compound Poisson jumps with normal log-sizes, each compensated
 * (the forward is the asset's Q forward). The SPX: c1 = c2 = 1, c0 = 0, one
 * jump type; the token and ETH: alvh_qtab_asset_token. */
typedef struct alvh_qtab_asset {
    double c1, c2, c0;
    double rho1, rho2;
    int n_jump;
    double jump_lam_ann[ALVH_QTAB_MAX_JUMPS], jump_mu[ALVH_QTAB_MAX_JUMPS], jump_sd[ALVH_QTAB_MAX_JUMPS];
} alvh_qtab_asset;

typedef struct alvh_qtab_spec {
    double r_ann, q_ann;
    double kappa, theta, xi;
    double kappa2, theta2, xi2; /* kappa2 = 0: one factor */
    alvh_qtab_asset a;
    double dt, t_entry;               /* slot 0: t_entry; slot l >= 1: l dt */
    size_t n_life, n_s1, n_s2, n_z;
    size_t first_life;                /* slots 1 .. first_life - 1 hold ratio 1 (no one marks them) */
    int state_linear;                 /* 1: bilinear in (u1, u2) (the asset tables), 0: Catmull-Rom */
    double u1_max, u2_max, z_lo, z_step; /* grid maxima of v1^(1/4), v2^(1/4) */
} alvh_qtab_spec;

/* A bound table: the spec, the reciprocal steps and the data. */
typedef struct alvh_qtab {
    alvh_qtab_spec g;
    double inv_h1, inv_h2, inv_hz;
    const double *ratio; /* n_life x n_s1 x n_s2 x n_z, z fastest */
    const double *coef;  /* n_life x ALVH_QTAB_NCOEF */
} alvh_qtab;

/* Spec of the table for the SPX pricing set p, step dt, entry life t_entry
 * and life_steps whole-step lives, of which the caller marks only those of at
 * least first_life steps (the condor's time roll closes it at the first step
 * with at most roll_steps_left: shorter lives are never marked; 1: all).
 * Returns 0, or -1 with a message when the model is outside what the table
 * prices (variance jumps, mu_v != 0). */
int alvh_qtab_spec_init(alvh_qtab_spec *s, const alvh_spx_params *p, double dt, double t_entry, size_t life_steps,
                        size_t first_life, char *msg, size_t msg_size);

/* Spec of a table of the asset a (same factors, grids and layout as the
 * SPX's) for lives of 1 .. life_steps whole steps (slot 0: life_steps steps).
 * -1 with a message as alvh_qtab_spec_init. */
int alvh_qtab_spec_init_asset(alvh_qtab_spec *s, const alvh_spx_params *p, const alvh_qtab_asset *a, double dt,
                              size_t life_steps, char *msg, size_t msg_size);

/* doubles of memory the table needs (ratios and coefficients) */
size_t alvh_qtab_doubles(const alvh_qtab_spec *s);

/* life of slot l in years */
double alvh_qtab_life_years(const alvh_qtab_spec *s, size_t l);

/* Fills slot l of the table in mem (alvh_qtab_doubles long): independent of
 * the other slots, so a caller may fill slots on several threads. */
void alvh_qtab_fill_life(const alvh_qtab_spec *s, size_t l, double *mem);

void alvh_qtab_bind(alvh_qtab *t, const alvh_qtab_spec *s, const double *mem);

/* w of slot l at (v1, v2), floored at ALVH_QTAB_W_FLOOR */
double alvh_qtab_w(const alvh_qtab *t, size_t l, double v1, double v2);

/* Scalar reference of the table's implied vol (annualized) of slot l at state
 * (v1, v2) and lm = ln(K/F): Catmull-Rom in (v1^(1/4), v2^(1/4)) (bilinear
 * with state_linear) and in z;
 * beyond the grid the edge value (the state clamped to the grid's maxima, z
 * to its range). The vector kernels (book_qmark_impl.h) agree with it. */
double alvh_qtab_iv(const alvh_qtab *t, size_t l, double v1, double v2, double lm);

/* The model's undiscounted put price per unit forward, E[(e^k - e^y)^+] with
 * y = ln(S_T / F), k = ln(K / F), by COS: what the table is built from. */
double alvh_qtab_cos_put(const alvh_qtab_spec *s, double t_years, double v1, double v2, double k);

/* Black implied total vol sd = sigma sqrt(T) of an undiscounted per-forward
 * price p of a call (is_call) or put struck at e^k (bisection-safeguarded
 * Newton; the lower bound for a price at or below intrinsic). */
double alvh_qtab_implied_sd(double p, double k, int is_call);

/* sd[i] = alvh_qtab_iv(q, life[i], v1[i], v2[i], lm[i]) sqrt(T) by the vector
 * lookup of the book's marks (q_table_core.h), one per ISA (bs_impl.h) */
typedef void alvh_qtab_sd_batch_fn(const alvh_qtab *q, size_t n, const double *restrict life,
                                   const double *restrict v1, const double *restrict v2,
                                   const double *restrict lm, double *restrict sd);
alvh_qtab_sd_batch_fn alvh_qtab_sd_batch_scalar, alvh_qtab_sd_batch_avx2, alvh_qtab_sd_batch_avx512;

#endif
