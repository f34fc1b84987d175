/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The full market of one scenario (DESIGN.md section 4): SPX and its variance
 * (spx_model.h), VIX from the variance, a DeFi governance token G and the
 * annualized perpetual funding rate f of G. One step of length dt:
 *
 *   sigma_G = min(sigma_G0 (VIX_t / VIX_ref)^gamma, sigma_max)      (VIX at the start of the step)
 *   d ln G  = (mu_G - sigma_G^2/2) dt - comp + sigma_G dW_G
 *             + [contagion: beta_J Y + N(0, N delta_c^2) when SPX jumps N times by Y in total]
 *             + [governance: N_gov ~ Poisson(lambda_gov dt) jumps, each up N(mu_up, d_up^2)
 *                with probability p_up, else down N(mu_dn, d_dn^2)]
 *             + [exploit: N_hack ~ Poisson(lambda_hack dt) jumps N(mu_hack, d_hack^2)]
 *   df      = kappa_f (f_bar - f) dt + sigma_f dW_f                  (sampled exactly)
 *
 * comp is the log of the step's expected jump factor, so E[G_{t+dt} | F_t] =
 * G_t e^{mu_G dt} exactly per step: mu_G = r gives the pricing measure, another
 * mu_G a real-world drift. Drivers (W_v, W_S, W_G, W_f) are correlated through
 *
 *        v      S       G       f
 *   v    1      rho     rho_vG  0
 *   S    rho    1       rho_SG  0
 *   G    rho_vG rho_SG  1       rho_Gf
 *   f    0      0       rho_Gf  1
 *
 * validated positive definite and Cholesky-factorized once per scenario.
 */
#ifndef ALVH_KERNELS_MARKET_MODEL_H
#define ALVH_KERNELS_MARKET_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/pcg64.h"
#include "kernels/spx_model.h"
#include "kernels/vix.h"

typedef struct alvh_token_params {
    double g0_usd;          /* initial token price */
    double mu_ann;          /* expected return of G per year (r: pricing measure) */
    double sigma0_ann;      /* sigma_G0: token vol when VIX = VIX_ref */
    double vix_ref;         /* VIX level (points) at which the vol is sigma_G0 */
    double gamma;           /* elasticity of token vol to VIX (0: constant vol) */
    double sigma_max_ann;   /* cap on sigma_G */
    double rho_sg, rho_vg;  /* corr of dW_G with dW_S and with dW_v */
    double beta_j;          /* contagion: token log-jump per unit of SPX log-jump */
    double delta_c;         /* contagion: extra token log-jump stdev per SPX jump */
    double lambda_gov_ann;  /* governance shocks per year */
    double p_up;            /* probability a governance shock is an up move */
    double mu_up, d_up;     /* up shock log-jump mean and stdev */
    double mu_dn, d_dn;     /* down shock log-jump mean and stdev */
    double lambda_hack_ann; /* exploits per year */
    double hack_loss_frac;  /* fraction of the staked position lost per exploit (used by the book) */
    double mu_hack, d_hack; /* token log-jump on an exploit: mean and stdev */
    double sigma_total_ann; /* NaN: sigma0_ann is the diffusion vol; else the total (jumps included) at VIX_ref */
    double beta_eth;        /* regression beta of the token's diffusion on ETH's (needs eth.sigma0_ann > 0) */
    double dilution_ann;    /* emission dilution: a real-world drift of -dilution_ann on ln G (0: none) */
    double staking_yield_ann; /* staking yield: the token's dividend yield under Q (drift r - yield) */
} alvh_token_params;

/* Premia from the pricing set (Q) to the real-world set (P); see market_params.def. */
typedef struct alvh_premia_params {
    double lambda_v, lambda_v2;  /* kappa_Q = kappa_P + lambda_v per variance factor */
    double jump_intensity_premium; /* lambda_Q - lambda_P */
    double jump_mean_premium;    /* mu_J^P - mu_J^Q */
} alvh_premia_params;

/* The measure the paths follow; marks and VIX are under Q either way. */
enum { ALVH_MEASURE_P = 0, ALVH_MEASURE_Q = 1 };

/* The crypto market factor ETH (sigma0_ann = 0: off):
 *   d ln E = (mu_E - sigma_E^2/2) dt - comp_E + sigma_E dW_E + beta_JE Y   (Y: the step's SPX log-jump)
 *   sigma_E = sigma_E0 (sigma_G / sigma_G0): the token's VIX coupling,
 * corr(dW_E, dW_S) = rho_es, corr(dW_E, dW_v) = rho rho_es, corr(dW_E, dW_G)
 * = beta_eth sigma_E0 / sigma_G0 (the token's diffusion is beta_eth x ETH's
 * plus an idiosyncratic part). */
typedef struct alvh_eth_params {
    double e0_usd;     /* initial ETH price */
    double mu_ann;     /* expected ETH return per year */
    double sigma0_ann; /* ETH vol when VIX = token.vix_ref (0: no ETH factor) */
    double rho_es;     /* corr of ETH and SPX shocks */
    double beta_j;     /* ETH log-jump per unit of SPX log-jump */
} alvh_eth_params;

/* The protocol's treasury (kernels/treasury.h, docs/market_model.md
 * "Treasury"): stables and its own tokens pay a net burn; the runway sets
 * the intensity of extra governance down-shocks. burn_usd_ann = 0: no treasury. */
typedef struct alvh_treasury_params {
    double stables_usd;      /* stablecoins held at t = 0 */
    double token_usd;        /* own tokens held at t = 0, valued at token.g0_usd */
    double burn_usd_ann;     /* net spending per year (opex and grants less revenue); 0: off */
    double token_haircut;    /* fraction of the token holdings' value the runway does not count */
    double threshold_years;  /* the feedback starts when the runway falls below this */
    double fb_mult;          /* down-shock intensity x (1 + fb_mult s), s = clamp(1 - runway/threshold, 0, 1) */
    double depth_usd;        /* market depth the token sales hit (constant-product USD reserve); 0: no impact */
} alvh_treasury_params;

typedef struct alvh_funding_params {
    double f0_ann;      /* initial funding rate, per year (shorts receive it when > 0) */
    double kappa_f;     /* mean reversion per year */
    double fbar_ann;    /* long-run funding rate per year */
    double sigma_f_ann; /* OU vol per sqrt(year) */
    double rho_gf;      /* corr of dW_f with dW_G */
} alvh_funding_params;

/* Importance-sampling tilts: paths are drawn with lambda~ = tilt x lambda per
 * event type; the likelihood ratio of the counts reweights them. */
typedef struct alvh_tilt_params {
    double spx_jump, gov, exploit;
    int auto_rare; /* resolved by the configuration (alvh_tilt_for_rare): the kernels read only the factors */
    /* token-drift tilt: a share of the paths draws the token's own normal z_G
     * from N(token_drift sqrt(dt), 1), a drift of token_drift per year on its
     * Brownian motion; the rest draw it from N(0, 1) (a two-component mixture,
     * weighted by the balance heuristic; none when token_drift or the share is 0) */
    double token_drift, token_drift_share;
    double token_drift_turn_years; /* the drift is -token_drift from this time on (0: never) */
    /* variance-drift tilt, a mixture component of its own: a share of the
     * paths draws the slow variance factor's normal z_v from N(a_k, 1), a_k =
     * variance_drift sqrt(dt) (1 - decay (k + 1/2) / n) at step k of n (a
     * drift that fades to the horizon with decay 1, flat with 0) */
    double variance_drift, variance_drift_share, variance_drift_decay;
    /* the same paths' token drift: z_G ~ N(b_k, 1), b_k = variance_drift_token
     * sqrt(dt) (1 - (k + 1/2) / (cross n)): a rally that turns into a fall at
     * the fraction cross of the horizon (0: none) */
    double variance_drift_token, variance_drift_token_cross;
} alvh_tilt_params;

/* The tilt t in [1, t_max] minimizing the variance e^{(t-2)a} (e^{a/t} - 1) - p^2 of
 * the importance-sampling estimate of P(N >= 1), N Poisson with mean a (1 when
 * a >= 0.5: not rare; t_max caps the tilted intensity per step). */
double alvh_tilt_for_rare(double a, double t_max);

/* 1 when some factor tilts its intensity (a factor of 0 or 1 means none). */
int alvh_tilt_active(const alvh_tilt_params *t);

typedef struct alvh_market_params {
    alvh_spx_params spx;
    alvh_token_params token;
    alvh_funding_params funding;
    alvh_eth_params eth;
    alvh_premia_params premia;
    alvh_treasury_params treasury;
    int paths_measure;     /* ALVH_MEASURE_P or ALVH_MEASURE_Q */
    alvh_tilt_params tilt;
} alvh_market_params;

/* The parameters the paths follow, from the pricing set m (spx, token: Q)
 * (docs/market_model.md, "P and Q"). Under ALVH_MEASURE_Q: m without the
 * real-world terms (no equity premium, no dilution, token drift r - staking
 * yield, ETH drift r). Under ALVH_MEASURE_P: per variance factor kappa_P =
 * kappa_Q - lambda_v, theta_P = kappa_Q theta_Q / kappa_P; lambda_P =
 * lambda_Q - premium, mu_J^P = mu_J^Q + premium; equity premium and dilution kept.
 * Returns 0, or -1 and a message when a real-world kappa is not > 0. */
int alvh_market_paths_params(const alvh_market_params *m, alvh_market_params *paths, char *msg, size_t msg_size);

/* The token's diffusion vol at VIX = vix_ref: sigma0_ann, or with
 * sigma_total_ann set sqrt(sigma_total^2 - jump variance per year) (the
 * contagion, governance and exploit jumps' lambda E[J^2]). Returns 0, or -1
 * and a message when the jumps alone exceed the total. */
int alvh_token_diffusion_vol(const alvh_market_params *p, double *sigma0, char *msg, size_t msg_size);

/* Jump variance of ln G per year: sum over the jump types of lambda E[J^2]. */
double alvh_token_jump_var_ann(const alvh_market_params *p);

/* Every parameter at its documented default (market_params.def; v0 is NaN:
 * "not set", the configuration starts it at theta or from vix0). */
alvh_market_params alvh_market_defaults(void);

/* 0 when every parameter lies in its range of market_params.def; else -1 and
 * "section.key: expected a number in ..., got x" in msg. */
int alvh_market_check_ranges(const alvh_market_params *p, char *msg, size_t msg_size);

/* Driver order of the correlation matrix and its Cholesky factor. */
enum { ALVH_DRV_V = 0, ALVH_DRV_S = 1, ALVH_DRV_G = 2, ALVH_DRV_F = 3, ALVH_DRV_COUNT = 4 };
/* With the ETH factor the matrix has a fifth row and column, ETH. */
enum { ALVH_DRV_E = 4, ALVH_DRV_MAX = 5 };

/* Builds the 4x4 driver correlation matrix (row-major) of p. */
void alvh_market_corr_matrix(const alvh_market_params *p, double corr[16]);

/* The 5x5 matrix with ETH (row-major); corr(E, G) = beta_eth sigma_E0 / sigma_g0
 * with sigma_g0 the token's diffusion vol (alvh_token_diffusion_vol). */
void alvh_market_corr_matrix5(const alvh_market_params *p, double sigma_g0, double corr[25]);

/* Lower Cholesky factor of a symmetric matrix. Returns 0, or the 1-based order
 * k of the first leading minor that is not positive definite (the matrix is then
 * not a valid correlation matrix). */
int alvh_cholesky4(const double a[16], double l[16]);
int alvh_cholesky_n(int n, const double *a, double *l);

/* Everything the market step kernel needs, precomputed once per (params, dt). */
typedef struct alvh_market_consts {
    alvh_spx_consts spx;
    alvh_vix_coeffs vix;
    double dt, sqrt_dt;
    /* token */
    double g_mu_dt;               /* mu_G dt - comp (comp: log expected jump factor per step) */
    double g_half_dt;             /* dt / 2: ln G loses sigma^2 dt / 2 */
    double sigma0, inv_vix_ref2, half_gamma, sigma_max;
    int vol_coupled;              /* 0: gamma = 0, 1: gamma = 1 (a square root), 2: any other gamma */
    double l_gv, l_gs, l_gg;      /* W_G = l_gv z_v + l_gs z_s + l_gg z_g */
    double beta_j, delta_c;
    int has_contagion;            /* SPX jumps and (beta_J or delta_c) != 0 */
    int has_gov, has_hack;
    double gov_p_le0, gov_p_le1;  /* N_gov = [u > p_le0] + [u > p_le1] (its own law) */
    double p_up, p_up2, p_up_any; /* N=2: both up with p^2, one up with 2p(1-p) */
    double mu_up, d_up2, mu_dn, d_dn2;
    double hack_p_le0, hack_p_le1, mu_hack, d_hack; /* N_hack's own law as N_gov's */
    /* funding, exact OU step: f' = fbar + (f - fbar) e + sd W_f */
    double f_bar, f_e, f_sd;
    double l_fv, l_fs, l_fg, l_ff; /* W_f = l_fv z_v + l_fs z_s + l_fg z_g + l_ff z_f */
    /* events of a step: u_e > p_quiet (= P(no count >= 1)) says that something
     * happens; the counts then come from the event stream, drawn from their
     * law given that at least one is >= 1 (see "Draw layout" in market_model.c) */
    int has_events;
    double p_quiet, inv_quiet, inv_loud; /* P0, 1 / P0, 1 / (1 - P0) */
    double cj_t0, cj_t1;                 /* N_J = [u > t0] + [u > t1] given an event */
    double cg_t0, cg_t1;                 /* N_gov given an event and N_J = 0 */
    double ch_t1;                        /* N_hack = 1 + [u > t1] given an event and N_J = N_gov = 0 */
    /* rows of the draws (-1: not drawn). Rows [0, n_*_dense) are drawn for
     * every path from its main stream; rows [n_*_dense, n_*) are event rows,
     * valid only in lanes whose step has an event (u_e > p_quiet) and drawn
     * there from the path's event stream. */
    int r_zs, r_zv, r_zg, r_zf;      /* dense normals */
    int r_zj, r_zc, r_zgov, r_zhack; /* event normals */
    int r_ue;                        /* dense uniform: any event; recycled into QE's uniform */
    int r_ucj, r_ucg, r_uch;         /* event uniforms: jump, governance and exploit counts */
    int r_ujv1, r_ujv2;              /* event uniforms: variance jump sizes */
    /* second variance factor (two_factor): its QE constants, its normal; the
     * variance jumps then go to v2 with mean jv_mean (decay-compensated) */
    int two_factor, r_zv2;
    alvh_spx_consts spx2;
    double jv_mean;
    /* ETH (has_eth): ln E += e_mu_dt - (sigma_E^2/2) dt + sigma_E sqrt(dt) W_E,
     * sigma_E = e_ratio sigma_G, W_E = l_e[0..4] . (z_v, z_s, z_g, z_f, z_e) */
    int has_eth, r_ze;
    double e_mu_dt, e_ratio, l_e[5], e_beta_j;
    /* importance sampling: the counts are drawn with the tilted intensities;
     * lr_log[type][k] = log P(N = k) / P~(N = k), type 0 SPX jumps, 1
     * governance shocks, 2 exploits (all 0 and has_tilt 0 without a tilt) */
    int has_tilt;
    double lr_log[3][3];
    /* the token-drift tilt (has_drift): theta, its share s, the shift theta sqrt(dt) */
    int has_drift;
    double drift_theta, drift_share, drift_shift;
    double drift_turn_years; /* the sign of the drift is -1 from this time on (0: never) */
    /* the variance-drift tilt (has_vdrift): theta, its share (the paths whose
     * component uniform lies in [drift_share, drift_share + vdrift_share)),
     * the fade; has_mix: either drift is on (the paths draw a component) */
    int has_vdrift, has_mix;
    double vdrift_theta, vdrift_share, vdrift_decay;
    double vdrift_token, vdrift_cross; /* the component's token drift (0: none) and where it crosses 0 */
    int n_normals, n_uniforms;       /* all rows (the height of the draw buffers) */
    int n_normals_dense, n_uniforms_dense;
} alvh_market_consts;

/* Returns 0; otherwise -1 and a message in msg (names the offending parameters). */
int alvh_market_consts_init(alvh_market_consts *c, const alvh_market_params *p, double dt_years, char *msg,
                            size_t msg_size);

/* Rows of normals and uniforms one step reads (each row: one value per path),
 * dense rows and event rows together: the height of the draw buffers. */
size_t alvh_market_normals_per_step(const alvh_market_consts *c);
size_t alvh_market_uniforms_per_step(const alvh_market_consts *c);

/* The dense rows (the first ones): drawn for every path from its main stream. */
size_t alvh_market_dense_normals(const alvh_market_consts *c);
size_t alvh_market_dense_uniforms(const alvh_market_consts *c);

/*
 * Lanes whose step has at least one event (SPX jump, governance shock or
 * exploit), read from the dense uniform u_e of the step: their indices are
 * written to idx in increasing order (idx holds n entries) and their number is
 * returned. These lanes, and only these, need the event rows (the market step
 * reads no event row of any other lane, whatever it holds).
 */
size_t alvh_market_event_lanes(const alvh_market_consts *c, size_t n, const double *restrict uniforms, size_t ld,
                               uint32_t *restrict idx);

/* How far a path's event stream lies ahead of its main stream: floor(2^128 phi)
 * steps with phi = (sqrt 5 - 1) / 2, the jump of numpy's PCG64.jumped(). A
 * path's main stream never gets near it (it draws 5 numbers a step). */
#define ALVH_MARKET_EVENT_JUMP_HI UINT64_C(0x9e3779b97f4a7c15)
#define ALVH_MARKET_EVENT_JUMP_LO UINT64_C(0xf39cc0605cedc835)

/* Sets ev (ev->n = main->n) to the event streams of main's lanes: lane i of ev
 * is lane i of main advanced by the jump above (same increment). Call it with
 * the main streams at their start, before any draw. */
void alvh_market_event_streams(const alvh_pcg64_lanes *main, alvh_pcg64_lanes *ev);

/* Path state, structure of arrays, updated in place. */
typedef struct alvh_market_state {
    double *ln_s, *v, *ln_g, *f;
    double *v2, *ln_e; /* second variance factor and ln ETH: read only when on (may be NULL otherwise) */
} alvh_market_state;

/* What one step produced besides the state: VIX at the end of the step and the
 * event counts of the step (doubles so they vectorize). */
typedef struct alvh_market_events {
    double *vix, *n_jump, *n_gov_up, *n_gov_dn, *n_hack;
} alvh_market_events;

/* normals: alvh_market_normals_per_step rows of ld; uniforms: alvh_market_uniforms_per_step
 * rows of ld (row order and which rows are read where: see market_model.c). */
#define ALVH_MARKET_STEP_DECLARE(isa)                                                                  \
    void alvh_market_step_##isa(const alvh_market_consts *c, size_t n, const alvh_market_state *s,      \
                                const double *restrict normals, const double *restrict uniforms, size_t ld, \
                                const alvh_market_events *ev);
ALVH_MARKET_STEP_DECLARE(scalar)
ALVH_MARKET_STEP_DECLARE(avx2)
ALVH_MARKET_STEP_DECLARE(avx512)

/* Likelihood-ratio step: log_lr[i] += sum over event types of lr_log[type][N]
 * with the step's counts of path i (read before any injection: forced events
 * are not drawn and carry no weight). Plain C for every ISA: it is its own
 * scalar reference. Does nothing without a tilt. */
void alvh_market_lr_step(const alvh_market_consts *c, size_t n, const alvh_market_events *ev, double *restrict log_lr);

/*
 * Token-drift tilt (importance.token_drift, docs/statistics.md "Tilting the
 * token's drift"). Under it a path is drawn with the drift (z_G ~ N(a, 1),
 * a = theta sqrt(dt), every step) with probability s, without it otherwise,
 * so the law of W~, the drawn path of the token's own Brownian motion
 * sqrt(dt) sum z_G, is the mixture (1 - s) P + s P_theta, and the likelihood
 * ratio after t years is 1 / ((1 - s) + s exp(theta W~_t - theta^2 t / 2))
 * (Owen & Zhou 2000: the mixture density as the proposal). Plain C for every
 * ISA: each function is its own scalar reference; none runs without the tilt.
 */
/* shift[i] = a when u[i] < s (path i draws with the drift), else 0. */
void alvh_market_drift_pick(const alvh_market_consts *c, size_t n, const double *restrict u, double *restrict shift);

/* A tile's z_G row after its draws, before its step: z_g[i] += sign shift[i],
 * and w_g[i] += sign sqrt(dt) z_g[i], sign = alvh_market_drift_sign: with a
 * turn the tilted drift is sign theta, and W~ = sqrt(dt) sum sign_k z_k keeps
 * the likelihood ratio's form (sign^2 = 1). */
void alvh_market_drift_step(const alvh_market_consts *c, size_t n, double sign, const double *restrict shift,
                            double *restrict z_g, double *restrict w_g);

/* +1 for the step that ends at t_end_years before the turn (or with none), -1 after */
double alvh_market_drift_sign(const alvh_market_consts *c, double t_end_years);

/*
 * Variance-drift tilt (importance.variance_drift, docs/statistics.md "Tilting
 * the variance"): a component of the mixture of its own. With probability s_v
 * a path draws z_v, the slow variance factor's own normal, from N(a_k, 1) at
 * step k, a_k = alvh_market_vdrift_shift; the density ratio of that component
 * to P after K steps is exp(w_v - sum_k a_k^2 / 2) with w_v = sum_k a_k z_k.
 * Plain C for every ISA, like the token's.
 */
/* flag[i] = 1 when drift_share <= u[i] < drift_share + vdrift_share, else 0 */
void alvh_market_vdrift_pick(const alvh_market_consts *c, size_t n, const double *restrict u, double *restrict flag);

/* a_k of step k (0-based) of n_steps */
double alvh_market_vdrift_shift(const alvh_market_consts *c, size_t k, size_t n_steps);

/* b_k of step k (0-based) of n_steps: the component's token drift */
double alvh_market_vdrift_token_shift(const alvh_market_consts *c, size_t k, size_t n_steps);

/* A tile's z_v row after its draws, before its step: z_v[i] += a flag[i],
 * then w_v[i] += a z_v[i]. */
void alvh_market_vdrift_step(size_t n, double a, const double *restrict flag, double *restrict z_v,
                             double *restrict w_v);

/* The component's token drift, in two parts around the token drift's own
 * step (which reads z_G as drawn): z_g[i] += b flag[i] before it, w_v[i] +=
 * b z_g[i] after it (the exponent is sum_k a_k z_v,k + b_k z_G,k). */
void alvh_market_vdrift_shift_row(size_t n, double b, const double *restrict flag, double *restrict z);
void alvh_market_vdrift_accumulate(size_t n, double b, const double *restrict z, double *restrict w_v);

/* log_lr[i] = lr_ev[i] - log((1 - s - s_v) + s exp(theta w_g[i] - theta^2 t / 2)
 * + s_v exp(w_v[i] - comp_v)), comp_v = sum_k (a_k^2 + b_k^2) / 2 over the steps so far
 * (s = 0 without the token's drift): the three-component mixture. */
void alvh_market_mix_lr(const alvh_market_consts *c, size_t n, double t_years, double comp_v,
                        const double *restrict w_g, const double *restrict w_v, const double *restrict lr_ev,
                        double *restrict log_lr);

/* log_lr[i] = lr_ev[i] - log((1 - s) + s exp(theta w_g[i] - theta^2 t / 2)) at
 * t = t_years: the events' log likelihood ratio and the drift's. */
void alvh_market_drift_lr(const alvh_market_consts *c, size_t n, double t_years, const double *restrict w_g,
                          const double *restrict lr_ev, double *restrict log_lr);

/* Deterministic stress injection at one step: the forced components replace
 * that step's stochastic move on every path (NaN: not forced). */
typedef struct alvh_market_injection {
    size_t step;          /* 0-based step whose move is forced */
    double spx_ret;       /* simple return of SPX over the step */
    double vix_level;     /* VIX at the end of the step (points), set through the variance */
    double token_ret;     /* simple return of G over the step */
    double funding_ann;   /* funding rate at the end of the step */
    int gov_shock;        /* +1 / -1: count an up / down governance shock this step, 0: none */
    int hack;             /* 1: count an exploit this step */
} alvh_market_injection;

/* 0 if the injection can be applied under c; else -1 and a message. */
int alvh_market_injection_check(const alvh_market_consts *c, const alvh_market_injection *inj, char *msg,
                                size_t msg_size);

/* Applies one injection: prev holds the state before the step, s after it. */
void alvh_market_inject(const alvh_market_consts *c, const alvh_market_injection *inj, size_t n,
                        const alvh_market_state *prev, const alvh_market_state *s, const alvh_market_events *ev);

#endif
