/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The protocol's treasury per path (docs/market_model.md "Treasury"): stables
 * T_s and own tokens T_n pay the net burn B (USD a year), stables first, then
 * tokens sold at the step's price G. With h the token haircut,
 *   runway = (T_s + (1 - h) T_n G) / B   (years),   quick = T_s / B
 * (the share of a year's burn the stables alone pay: a quick ratio against a
 * year of spending). The feedback: extra governance down-shocks arrive with
 * the intensity
 *   lambda_fb = lambda_gov (1 - p_up) fb_mult s,  s = clamp(1 - R / R_thr, 0, 1),
 * R the runway at the end of the previous step (a predictable intensity), at
 * most one per step with probability 1 - e^{-lambda_fb dt}, decided by a
 * uniform drawn every step for every path (thinning; the treasury stream),
 * the log-jump N(mu_dn, d_dn^2) from a second uniform. Such a shock is a
 * governance down-shock like the drawn ones: the token jumps and the farm's
 * emissions are cut. With a market depth D the token sales are swaps into a
 * constant-product pool of USD reserve D: raising q USD costs q / (G (1 - q/D))
 * tokens and leaves the price at G (1 - q/D)^2 (q at most D/2 a step), a
 * permanent move of ln G that every layer sees. Plain C, the same on every ISA (its own scalar reference,
 * like alvh_market_lr_step); libm only.
 */
#ifndef ALVH_KERNELS_TREASURY_H
#define ALVH_KERNELS_TREASURY_H

#include <stddef.h>

#include "kernels/market_model.h"

typedef struct alvh_treasury_consts {
    int on;                   /* burn_usd_ann > 0 */
    double stables0, tokens0; /* holdings at t = 0 (tokens: token_usd / g0_usd) */
    double burn_dt, inv_burn, keep; /* burn per step, 1 / burn per year, 1 - haircut */
    double inv_thr;           /* 1 / threshold_years */
    double lam_dt;            /* lambda_gov (1 - p_up) fb_mult dt: the extra intensity at s = 1, per step */
    double mu_dn, d_dn;       /* the down-shock's log-jump */
    double depth;             /* the market depth of the sales (USD); 0: sales at G, no impact */
} alvh_treasury_consts;

/* Per-path state, structure of arrays. */
typedef struct alvh_treasury_state {
    double *stables, *tokens; /* holdings */
    double *runway, *runway_min, *quick; /* years, years, ratio */
    double *n_fb;             /* feedback down-shocks so far */
} alvh_treasury_state;

enum { ALVH_TREASURY_ROWS = 6, ALVH_TREASURY_UNIFORMS = 2 };

/* From the paths' parameters; never fails (the ranges are the table's). */
void alvh_treasury_consts_init(alvh_treasury_consts *c, const alvh_market_params *p, double dt_years);

/* Holdings at t = 0, runway at g0. */
void alvh_treasury_init(const alvh_treasury_consts *c, size_t n, const alvh_treasury_state *s, double g0);

/* The extra intensity per step at runway r (0 above the threshold). */
double alvh_treasury_fb_rate_dt(const alvh_treasury_consts *c, double runway);

/* One step after the market's (and its injections): the feedback draw on the
 * previous runway (u_fb, u_size: one uniform each per path), then the burn at
 * the new price and the new runway. ln_g and n_gov_dn are the market's. */
void alvh_treasury_step(const alvh_treasury_consts *c, size_t n, const alvh_treasury_state *s,
                        const double *restrict u_fb, const double *restrict u_size, double *restrict ln_g,
                        double *restrict n_gov_dn);

#endif
