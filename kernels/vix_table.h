/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pricing-measure (Q) table of VIX futures and VIX options for the VIX-call
 * layer's marks (issue #14, docs/vix.md "Q marks of the VIX calls"). VIX_T^2 =
 * alpha1 v1_T + alpha2 v2_T + beta with two independent CIR factors under Q
 * (no variance jumps): v_f,T given v_f,0 is a scaled noncentral chi-square,
 * so the characteristic function of VIX_T^2 is closed form; its density,
 * recovered by the COS method (Fang-Oosterlee 2008) on a grid of VIX levels,
 * gives E[VIX_T] and every strike's call price.
 *
 * Layout: per life slot l (slot 0 the purchase life, slot l >= 1 the life of l
 * steps), per node (u1, u2) of u_f = v_f^(1/4) on the Q price table's grids
 * (kernels/q_table.h), n_m + 1 doubles: the future over sqrt(E[VIX_T^2]), then
 * the Black-76 total vol sd = sigma sqrt(T) at log-moneyness m = ln(K/F) on a
 * uniform grid. After the nodes, per life: the coefficients of E[VIX_T^2] =
 * A1 v1 + A2 v2 + B, and T. The caller owns the memory; nothing allocates.
 */
#ifndef ALVH_KERNELS_VIX_TABLE_H
#define ALVH_KERNELS_VIX_TABLE_H

#include <stddef.h>

#include "kernels/vix.h"

#define ALVH_VTAB_NS 17
#define ALVH_VTAB_NM 33
#define ALVH_VTAB_M_LO (-0.8)
#define ALVH_VTAB_M_STEP 0.075 /* m up to 1.6: strikes 0.45 to 5 times the future */
#define ALVH_VTAB_NCOEF 4      /* per life: A1, A2, B, T */
#define ALVH_VTAB_MAX_LIFE 126 /* the longest VIX-call tenor (steps) the engine tables */

typedef struct alvh_vtab_spec {
    alvh_vix_coeffs vx;    /* the pricing set's VIX coefficients and factors */
    double dt, t_entry;    /* slot 0: t_entry; slot l >= 1: l dt */
    size_t n_life, n_s1, n_s2, n_m, first_life;
    double u1_max, u2_max, m_lo, m_step;
} alvh_vtab_spec;

typedef struct alvh_vtab {
    alvh_vtab_spec g;
    double inv_h1, inv_h2, inv_hm;
    const double *val;  /* n_life x n_s1 x n_s2 x (n_m + 1) */
    const double *coef; /* n_life x ALVH_VTAB_NCOEF */
} alvh_vtab;

/* Spec for the pricing set p, step dt, purchase life t_entry, held lives of 1
 * .. life_steps steps of which only those of at least first_life are marked.
 * Returns 0, or -1 with a message (variance jumps: mu_v != 0). */
int alvh_vtab_spec_init(alvh_vtab_spec *s, const alvh_spx_params *p, double dt, double t_entry, size_t life_steps,
                        size_t first_life, char *msg, size_t msg_size);

size_t alvh_vtab_doubles(const alvh_vtab_spec *s);

double alvh_vtab_life_years(const alvh_vtab_spec *s, size_t l);

/* fills slot l (independent of the others: slots may be filled on several threads) */
void alvh_vtab_fill_life(const alvh_vtab_spec *s, size_t l, double *mem);

void alvh_vtab_bind(alvh_vtab *t, const alvh_vtab_spec *s, const double *mem);

/* The model's E[VIX_T] and undiscounted call price E[(VIX_T - K)^+] at
 * (v1, v2), life t, by COS on the density (what the table is built from). */
void alvh_vtab_cos_prices(const alvh_vtab_spec *s, double t_years, double v1, double v2, size_t n_k,
                          const double *strike, double *e_vix, double *call);

/* Scalar reference of the lookup (bilinear in (u1, u2), Catmull-Rom in m):
 * the future and the Black-76 total vol of strike k; the vector lookup
 * (vix_table_core.h) agrees with it. */
double alvh_vtab_future(const alvh_vtab *t, size_t l, double v1, double v2);
double alvh_vtab_sd(const alvh_vtab *t, size_t l, double v1, double v2, double k);

/* fwd[i], sd[i] of life slot life[i] at (v1[i], v2[i]) and strike k[i] by the
 * vector lookup of the VIX layer's marks (vix_table_core.h), one per ISA */
typedef void alvh_vtab_batch_fn(const alvh_vtab *t, size_t n, const double *restrict life,
                                const double *restrict v1, const double *restrict v2, const double *restrict k,
                                double *restrict fwd, double *restrict sd);
alvh_vtab_batch_fn alvh_vtab_batch_scalar, alvh_vtab_batch_avx2, alvh_vtab_batch_avx512;

#endif
