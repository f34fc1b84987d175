/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-scenario constants of the full market model, the driver correlation
 * factor, the draw layout and the stress injections (scalar, outside the hot
 * loop). docs/market_model.md describes the model and its speed.
 *
 * Draw layout. Every path has two PCG64 streams: its main stream
 * (alvh_pcg64_for_path(seed, scenario, path)) and its event stream, the main
 * stream jumped ahead by floor(2^128 phi) steps (alvh_market_event_streams).
 * One step of one path reads, each row one value per path:
 *
 *   main stream, every step, in this order:
 *     normals   z_s, z_v, z_g, z_f            two Box-Muller pairs
 *     uniform   u_e                           when any event type is on, or QE
 *   event stream, only on a step with an event (u_e > P0), in this order:
 *     normals   z_j      SPX jump size        (lambda > 0)
 *               z_c      contagion            (beta_J or delta_c, and delta_c > 0)
 *               z_gov    governance shocks    (lambda_gov > 0)
 *               z_hack   exploit jump         (lambda_hack > 0)
 *     uniforms  u_cj, u_cg, u_ch              the counts N_J, N_gov, N_hack (each when on)
 *               u_jv1, u_jv2                  variance jump sizes (lambda > 0, mu_v > 0)
 *
 * A step with an event draws all of the event rows the scenario uses, whatever
 * happened; an odd number of event normals drops the last pair's second one.
 *
 * Events. P0 = P(N_J = N_gov = N_hack = 0) = e^{-(lambda + lambda_gov +
 * lambda_hack) dt}; a step has an event iff u_e > P0 (about 2% of path-steps
 * in the default market). Given an event the counts are drawn from their joint
 * law given that one is >= 1 (each still capped at 2, exactly the law of three
 * independent capped counts): N_J from its conditional law; N_gov from its own
 * law when N_J >= 1, else given (N_gov, N_hack) != (0, 0); N_hack from its own
 * law when N_J + N_gov >= 1, else given N_hack >= 1. The up/down split of the
 * governance shocks uses the position of u_cg in its count's interval, a
 * fresh uniform given the count.
 *
 * Recycled uniform. Given "no event" u_e / P0, and given "event" (u_e - P0) /
 * (1 - P0), are uniform and independent of everything else the step uses: that
 * is QE's uniform (its exponential branch), so QE costs no draw of its own.
 *
 * Why: the payloads (jump sizes, shock sizes) are needed on ~2% of path-steps,
 * so drawing them for every path cost more than half of the step (8 normals
 * and 6 uniforms a step before, 4 normals and 1 uniform now). Results are a
 * pure function of (seed, scenario, path): the engine may group paths into
 * blocks and tiles of any size, on any number of threads.
 */
#include "kernels/market_model.h"
#include "kernels/kmsg.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define fail alvh_kmsg

void alvh_market_corr_matrix(const alvh_market_params *p, double a[16])
{
    const double rho = p->spx.rho, rvg = p->token.rho_vg, rsg = p->token.rho_sg, rgf = p->funding.rho_gf;
    const double m[16] = {
        1.0, rho, rvg, 0.0,
        rho, 1.0, rsg, 0.0,
        rvg, rsg, 1.0, rgf,
        0.0, 0.0, rgf, 1.0,
    };
    for (int i = 0; i < 16; i++)
        a[i] = m[i];
}

void alvh_market_corr_matrix5(const alvh_market_params *p, double sigma_g0, double a[25])
{
    double m4[16];
    alvh_market_corr_matrix(p, m4);
    for (int i = 0; i < 25; i++)
        a[i] = 0.0;
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            a[5 * i + j] = m4[4 * i + j];
    /* ETH moves with SPX (rho_es); with the variance only through SPX
     * (rho rho_es); with the token through the token's beta */
    double reg = sigma_g0 > 0.0 ? p->token.beta_eth * p->eth.sigma0_ann / sigma_g0 : 0.0;
    const double row[5] = {p->spx.rho * p->eth.rho_es, p->eth.rho_es, reg, 0.0, 1.0};
    for (int j = 0; j < 5; j++)
        a[5 * ALVH_DRV_E + j] = a[5 * j + ALVH_DRV_E] = row[j];
}

int alvh_cholesky_n(int n, const double *a, double *l)
{
    /* a pivot this small means the drivers are (numerically) collinear: the
     * scenario would silently lose a source of randomness */
    const double min_pivot = 1e-10;
    for (int i = 0; i < n * n; i++)
        l[i] = 0.0;
    for (int j = 0; j < n; j++) {
        double d = a[n * j + j];
        for (int k = 0; k < j; k++)
            d -= l[n * j + k] * l[n * j + k];
        if (!(d > min_pivot))
            return j + 1;
        l[n * j + j] = sqrt(d);
        for (int i = j + 1; i < n; i++) {
            double s = a[n * i + j];
            for (int k = 0; k < j; k++)
                s -= l[n * i + k] * l[n * j + k];
            l[n * i + j] = s / l[n * j + j];
        }
    }
    return 0;
}

int alvh_cholesky4(const double a[16], double l[16]) { return alvh_cholesky_n(4, a, l); }

double alvh_token_jump_var_ann(const alvh_market_params *p)
{
    const alvh_token_params *tk = &p->token;
    const alvh_spx_params *sp = &p->spx;
    double gov = tk->p_up * (tk->mu_up * tk->mu_up + tk->d_up * tk->d_up) +
                 (1.0 - tk->p_up) * (tk->mu_dn * tk->mu_dn + tk->d_dn * tk->d_dn);
    double hack = tk->mu_hack * tk->mu_hack + tk->d_hack * tk->d_hack;
    /* contagion beta_J Y + N(0, delta_c^2) per SPX jump, Y ~ N(mu_J, delta_J^2) */
    double cont = tk->beta_j * tk->beta_j * (sp->mu_j * sp->mu_j + sp->delta_j * sp->delta_j) + tk->delta_c * tk->delta_c;
    return tk->lambda_gov_ann * gov + tk->lambda_hack_ann * hack + sp->lambda_ann * cont;
}

int alvh_token_diffusion_vol(const alvh_market_params *p, double *sigma0, char *msg, size_t size)
{
    const alvh_token_params *tk = &p->token;
    *sigma0 = tk->sigma0_ann;
    if (!(tk->sigma_total_ann > 0.0)) /* NaN (or 0 from a zeroed struct): not set */
        return 0;
    double jv = alvh_token_jump_var_ann(p), d = tk->sigma_total_ann * tk->sigma_total_ann - jv;
    if (!(d > 0.0))
        return fail(msg, size,
                    "token.sigma_total_ann = %g is below the vol of the token's jumps alone (%g: lambda E[J^2] of "
                    "contagion, governance shocks and exploits); raise it or make the jumps smaller",
                    tk->sigma_total_ann, sqrt(jv));
    *sigma0 = sqrt(d);
    return 0;
}

/* Probabilities of N <= 0 and N <= 1 for a Poisson count with mean ld; counts
 * are capped at 2 per step, so ld is bounded by the caller. */
static void poisson_cuts(double ld, double *p_le0, double *p_le1)
{
    *p_le0 = exp(-ld);
    *p_le1 = *p_le0 * (1.0 + ld);
}

/* P(N >= 2) for N ~ Poisson(ld): -expm1(-ld) - ld e^{-ld}, by its series
 * below 0.1 (ld is at most 0.05 a step) */
static double p_ge2(double ld)
{
    if (ld >= 0.1)
        return -expm1(-ld) - ld * exp(-ld);
    double term = ld * ld / 2.0, sum = 0.0;
    for (int k = 2; k < 30 && term > 0.0; k++) {
        sum += term;
        term *= ld / (double)(k + 1);
    }
    return exp(-ld) * sum;
}

/* log E[factor of one step] when each of N <= 2 jumps multiplies by a factor
 * with mean m: exact for the capped count the kernel samples. */
static double log_step_factor(double p_le0, double p_le1, double m)
{
    return log(p_le0 + (p_le1 - p_le0) * m + (1.0 - p_le1) * m * m);
}

/* log P(N = k) / P~(N = k), k = 0, 1, 2, of a count capped at 2 with means
 * ld (the model) and ldt (the tilted law the paths are drawn from): the
 * likelihood ratio of one event type over one step (docs/statistics.md). */
static void lr_table(alvh_market_consts *c, double ld, double ldt, int type)
{
    double *r = c->lr_log[type];
    r[0] = r[1] = r[2] = 0.0;
    if (ld == ldt || !(ldt > 0.0))
        return;
    c->has_tilt = 1;
    r[0] = ldt - ld;
    r[1] = log(ld / ldt) + ldt - ld;
    /* P(N >= 2) = 1 - e^{-ld} (1 + ld), computed without cancellation */
    r[2] = log(p_ge2(ld) / p_ge2(ldt));
}

/* The second variance factor: its own QE constants (no drift, no jumps of
 * its own: the step adds them), the variance jumps moved to it. */
static int second_factor_init(alvh_market_consts *c, const alvh_market_params *p, double dt, char *msg, size_t size)
{
    const alvh_spx_params *sp = &p->spx;
    c->two_factor = sp->kappa2 > 0.0;
    c->jv_mean = c->spx.mu_v;
    if (!c->two_factor)
        return 0;
    if (sp->scheme != ALVH_SCHEME_QE)
        return fail(msg, size, "spx.kappa2 > 0 (a second variance factor) needs spx.scheme: qe (got euler)");
    if (!(sp->xi2 > 0.0) || !(sp->theta2 >= 0.0))
        return fail(msg, size, "spx.kappa2 > 0 needs xi2 > 0 and theta2 >= 0 (got xi2 %g, theta2 %g)", sp->xi2,
                    sp->theta2);
    alvh_spx_params f2 = {.kappa = sp->kappa2, .theta = sp->theta2, .xi = sp->xi2, .rho = sp->rho2,
                          .v0 = isnan(sp->v2_0) ? sp->theta2 : sp->v2_0, .scheme = ALVH_SCHEME_QE};
    if (alvh_spx_consts_init(&c->spx2, &f2, dt) != 0)
        return fail(msg, size, "second variance factor out of range (kappa2 %g, theta2 %g, xi2 %g, rho2 %g, v2_0 %g)",
                    sp->kappa2, sp->theta2, sp->xi2, sp->rho2, f2.v0);
    c->jv_mean = sp->mu_v * alvh_jump_decay_factor(sp->kappa2, dt);
    return 0;
}

/* The ETH factor: drift with its compensator, vol ratio to the token, its
 * row of the 5x5 Cholesky factor (the first four rows are the 4x4 factor's). */
static int eth_init(alvh_market_consts *c, const alvh_market_params *p, double sigma_g0, double dt, char *msg,
                    size_t size)
{
    const alvh_eth_params *e = &p->eth;
    c->has_eth = e->sigma0_ann > 0.0;
    c->e_mu_dt = c->e_ratio = c->e_beta_j = 0.0;
    for (int k = 0; k < 5; k++)
        c->l_e[k] = 0.0;
    if (!c->has_eth) {
        if (p->token.beta_eth != 0.0)
            return fail(msg, size, "token.beta_eth = %g needs the ETH factor (eth.sigma0_ann > 0)", p->token.beta_eth);
        return 0;
    }
    if (!(sigma_g0 > 0.0) || !(e->e0_usd > 0.0))
        return fail(msg, size, "the ETH factor needs eth.e0_usd > 0 and a token diffusion vol > 0 (got %g, %g)",
                    e->e0_usd, sigma_g0);
    double a[25], l[25];
    alvh_market_corr_matrix5(p, sigma_g0, a);
    double reg = a[5 * ALVH_DRV_E + ALVH_DRV_G];
    if (!(fabs(reg) < 1.0))
        return fail(msg, size,
                    "token.beta_eth = %g with eth.sigma0_ann = %g and a token diffusion vol of %g gives a token-ETH "
                    "correlation of %g (need |beta_eth sigma_E / sigma_G| < 1)",
                    p->token.beta_eth, e->sigma0_ann, sigma_g0, reg);
    if (alvh_cholesky_n(5, a, l) != 0)
        return fail(msg, size,
                    "driver correlation matrix with ETH is not positive definite: eth.rho_es = %g and a token-ETH "
                    "correlation of %g are inconsistent with token.rho_sg = %g, token.rho_vg = %g, spx.rho = %g",
                    e->rho_es, reg, p->token.rho_sg, p->token.rho_vg, p->spx.rho);
    for (int k = 0; k < 5; k++)
        c->l_e[k] = l[5 * ALVH_DRV_E + k];
    c->e_ratio = e->sigma0_ann / sigma_g0;
    c->e_beta_j = c->spx.has_jumps ? e->beta_j : 0.0;
    double comp = 0.0;
    if (c->e_beta_j != 0.0) {
        double m = exp(e->beta_j * p->spx.mu_j + 0.5 * e->beta_j * e->beta_j * p->spx.delta_j * p->spx.delta_j);
        comp = log_step_factor(c->spx.p_le0, c->spx.p_le1, m);
    }
    c->e_mu_dt = e->mu_ann * dt - comp;
    return 0;
}

static int consts_init_paths(alvh_market_consts *c, const alvh_market_params *p, double dt, char *msg, size_t size)
{
    const alvh_spx_params *sp = &p->spx;
    const alvh_token_params *tk = &p->token;
    const alvh_funding_params *fu = &p->funding;
    const double max_ld = 0.05; /* keeps the cut mass P(N >= 3) per step below 2e-5 */
    if (alvh_market_check_ranges(p, msg, size) != 0)
        return -1;
    if (alvh_spx_consts_init(&c->spx, sp, dt) != 0)
        return fail(msg, size,
                    "SPX parameters out of range for dt = %g: need kappa > 0, theta >= 0, xi > 0 (QE), |rho| <= 1, "
                    "lambda >= 0 with lambda*dt <= 0.05, delta_J >= 0, mu_v >= 0, v0 >= 0 (got kappa %g, theta %g, "
                    "xi %g, rho %g, lambda %g, delta_J %g, mu_v %g, v0 %g)",
                    dt, sp->kappa, sp->theta, sp->xi, sp->rho, sp->lambda_ann, sp->delta_j, sp->mu_v, sp->v0);
    /* event counts are capped at 2 per step (the range of a rate alone cannot say) */
    if (tk->lambda_gov_ann * dt > max_ld)
        return fail(msg, size, "token.lambda_gov_ann must be >= 0 with lambda_gov*dt <= %g (got %g, dt %g)", max_ld,
                    tk->lambda_gov_ann, dt);
    if (tk->lambda_hack_ann * dt > max_ld)
        return fail(msg, size, "token.lambda_hack_ann must be >= 0 with lambda_hack*dt <= %g (got %g, dt %g)", max_ld,
                    tk->lambda_hack_ann, dt);

    double a[16], l[16];
    alvh_market_corr_matrix(p, a);
    int bad = alvh_cholesky4(a, l);
    if (bad == 2)
        return fail(msg, size,
                    "driver correlation matrix is not positive definite: |spx.rho| = %g leaves variance and SPX "
                    "collinear (need |rho| < 1)",
                    fabs(sp->rho));
    if (bad == 3)
        return fail(msg, size,
                    "driver correlation matrix is not positive definite: spx.rho = %g, token.rho_vg = %g and "
                    "token.rho_sg = %g are inconsistent (need 1 - rho^2 - rho_vG^2 - rho_SG^2 + 2 rho rho_vG rho_SG > 0)",
                    sp->rho, tk->rho_vg, tk->rho_sg);
    if (bad == 4)
        return fail(msg, size,
                    "driver correlation matrix is not positive definite: funding.rho_gf = %g is too large given "
                    "spx.rho = %g, token.rho_vg = %g, token.rho_sg = %g",
                    fu->rho_gf, sp->rho, tk->rho_vg, tk->rho_sg);

    if (second_factor_init(c, p, dt, msg, size) != 0)
        return -1;
    double sigma_g0;
    if (alvh_token_diffusion_vol(p, &sigma_g0, msg, size) != 0)
        return -1;
    if (eth_init(c, p, sigma_g0, dt, msg, size) != 0)
        return -1;
    alvh_vix_coeffs_init(&c->vix, sp);
    c->dt = dt;
    c->sqrt_dt = sqrt(dt);

    c->sigma0 = sigma_g0;
    c->sigma_max = tk->sigma_max_ann;
    c->inv_vix_ref2 = 1.0 / (tk->vix_ref * tk->vix_ref);
    c->half_gamma = 0.5 * tk->gamma;
    /* gamma = 1 is the common choice: a square root instead of exp(gamma/2 log) */
    c->vol_coupled = tk->gamma == 0.0 ? 0 : tk->gamma == 1.0 ? 1 : 2;
    c->g_half_dt = 0.5 * dt;
    c->l_gv = l[4 * ALVH_DRV_G + ALVH_DRV_V];
    c->l_gs = l[4 * ALVH_DRV_G + ALVH_DRV_S];
    c->l_gg = l[4 * ALVH_DRV_G + ALVH_DRV_G];
    c->l_fv = l[4 * ALVH_DRV_F + ALVH_DRV_V];
    c->l_fs = l[4 * ALVH_DRV_F + ALVH_DRV_S];
    c->l_fg = l[4 * ALVH_DRV_F + ALVH_DRV_G];
    c->l_ff = l[4 * ALVH_DRV_F + ALVH_DRV_F];

    c->beta_j = tk->beta_j;
    c->delta_c = tk->delta_c;
    c->has_contagion = c->spx.has_jumps && (tk->beta_j != 0.0 || tk->delta_c != 0.0);
    c->has_gov = tk->lambda_gov_ann > 0.0;
    c->has_hack = tk->lambda_hack_ann > 0.0;
    /* the compensators below use the model's own law; the cuts that draw the
     * counts use the tilted one (tilt_cuts) */
    poisson_cuts(tk->lambda_gov_ann * dt, &c->gov_p_le0, &c->gov_p_le1);
    poisson_cuts(tk->lambda_hack_ann * dt, &c->hack_p_le0, &c->hack_p_le1);
    c->p_up = tk->p_up;
    c->p_up2 = tk->p_up * tk->p_up;
    c->p_up_any = c->p_up2 + 2.0 * tk->p_up * (1.0 - tk->p_up);
    c->mu_up = tk->mu_up;
    c->d_up2 = tk->d_up * tk->d_up;
    c->mu_dn = tk->mu_dn;
    c->d_dn2 = tk->d_dn * tk->d_dn;
    c->mu_hack = tk->mu_hack;
    c->d_hack = tk->d_hack;

    /* compensators: E[G_{t+dt} / G_t] = e^{mu dt} given the past, per step */
    double comp = 0.0;
    if (c->has_contagion) {
        double m = exp(tk->beta_j * sp->mu_j +
                       0.5 * (tk->beta_j * tk->beta_j * sp->delta_j * sp->delta_j + tk->delta_c * tk->delta_c));
        comp += log_step_factor(c->spx.p_le0, c->spx.p_le1, m);
    }
    if (c->has_gov) {
        double m = tk->p_up * exp(tk->mu_up + 0.5 * c->d_up2) + (1.0 - tk->p_up) * exp(tk->mu_dn + 0.5 * c->d_dn2);
        comp += log_step_factor(c->gov_p_le0, c->gov_p_le1, m);
    }
    if (c->has_hack)
        comp += log_step_factor(c->hack_p_le0, c->hack_p_le1, exp(tk->mu_hack + 0.5 * tk->d_hack * tk->d_hack));
    /* emission dilution: new supply sold into the market lowers the
     * real-world drift (a P-measure term; 0 under the pricing measure) */
    c->g_mu_dt = (tk->mu_ann - tk->dilution_ann) * dt - comp;

    c->f_bar = fu->fbar_ann;
    c->f_e = exp(-fu->kappa_f * dt);
    c->f_sd = fu->kappa_f > 0.0 ? fu->sigma_f_ann * sqrt(-expm1(-2.0 * fu->kappa_f * dt) / (2.0 * fu->kappa_f))
                                : fu->sigma_f_ann * sqrt(dt);

    /* one uniform says whether anything happens: P0 = P(N_J = N_gov = N_hack = 0);
     * given that something does, the counts' thresholds below. Under a tilt
     * the counts are drawn with the tilted intensities (a tilt of 1 multiplies
     * by 1.0: the same cuts bit for bit). */
    const alvh_tilt_params *tl = &p->tilt;
    const double t_j = tl->spx_jump > 0.0 ? tl->spx_jump : 1.0, t_g = tl->gov > 0.0 ? tl->gov : 1.0;
    const double t_h = tl->exploit > 0.0 ? tl->exploit : 1.0;
    const double ld_j = c->spx.has_jumps ? sp->lambda_ann * t_j * dt : 0.0;
    const double ld_g = tk->lambda_gov_ann * t_g * dt, ld_h = tk->lambda_hack_ann * t_h * dt;
    if (ld_j > max_ld || ld_g > max_ld || ld_h > max_ld)
        return fail(msg, size,
                    "importance: a tilted intensity x dt must be <= %g (got spx_jump %g, gov %g, exploit %g per step, "
                    "dt %g): lower the tilt", max_ld, ld_j, ld_g, ld_h, dt);
    poisson_cuts(ld_g, &c->gov_p_le0, &c->gov_p_le1);
    poisson_cuts(ld_h, &c->hack_p_le0, &c->hack_p_le1);
    c->has_tilt = 0;
    lr_table(c, c->spx.has_jumps ? sp->lambda_ann * dt : 0.0, ld_j, 0);
    lr_table(c, tk->lambda_gov_ann * dt, ld_g, 1);
    lr_table(c, tk->lambda_hack_ann * dt, ld_h, 2);
    c->has_drift = tl->token_drift != 0.0 && tl->token_drift_share > 0.0;
    c->drift_theta = c->has_drift ? tl->token_drift : 0.0;
    c->drift_share = c->has_drift ? fmin(tl->token_drift_share, 1.0) : 0.0;
    c->drift_shift = c->drift_theta * sqrt(dt);
    c->drift_turn_years = c->has_drift ? tl->token_drift_turn_years : 0.0;
    c->has_vdrift = tl->variance_drift != 0.0 && tl->variance_drift_share > 0.0;
    c->vdrift_theta = c->has_vdrift ? tl->variance_drift : 0.0;
    c->vdrift_share = c->has_vdrift ? fmin(tl->variance_drift_share, 1.0) : 0.0;
    c->vdrift_decay = c->has_vdrift ? tl->variance_drift_decay : 0.0;
    c->vdrift_token = c->has_vdrift ? tl->variance_drift_token : 0.0;
    c->vdrift_cross = c->has_vdrift ? tl->variance_drift_token_cross : 0.0;
    c->has_mix = c->has_drift || c->has_vdrift;
    if (c->vdrift_token != 0.0 && !(c->vdrift_cross > 0.0))
        return fail(msg, size, "importance: variance_drift_token %g needs variance_drift_token_cross in (0, 1] (got %g)",
                    c->vdrift_token, c->vdrift_cross);
    if (c->drift_share + c->vdrift_share > 1.0 + 1e-12)
        return fail(msg, size,
                    "importance: token_drift_share %g and variance_drift_share %g sum to more than 1 (each is a "
                    "share of the paths, the rest drawn without a drift): lower one", c->drift_share, c->vdrift_share);
    c->has_events = ld_j + ld_g + ld_h > 0.0;
    c->p_quiet = exp(-(ld_j + ld_g + ld_h));
    c->inv_quiet = 1.0 / c->p_quiet;
    c->inv_loud = c->has_events ? -1.0 / expm1(-(ld_j + ld_g + ld_h)) : 0.0;
    c->cj_t0 = c->cj_t1 = c->cg_t0 = c->cg_t1 = c->ch_t1 = 0.0;
    if (c->has_events) {
        /* N_J: P(N_J = k | event) = P(N_J = k) P(event | N_J = k) / (1 - P0) */
        const double q_j = exp(-ld_j);
        c->cj_t0 = q_j * -expm1(-(ld_g + ld_h)) * c->inv_loud;
        c->cj_t1 = c->cj_t0 + q_j * ld_j * c->inv_loud;
        /* given N_J = 0, (N_gov, N_hack) != (0, 0): P(N_gov = k | .) = P(N_gov = k) P(. | k) / (1 - q_gov q_hack) */
        if (c->has_gov) {
            const double q_g = exp(-ld_g), inv = -1.0 / expm1(-(ld_g + ld_h));
            c->cg_t0 = q_g * -expm1(-ld_h) * inv;
            c->cg_t1 = c->cg_t0 + q_g * ld_g * inv;
        }
        /* given N_J = N_gov = 0, N_hack >= 1: P(N_hack = 1 | N_hack >= 1) */
        if (c->has_hack)
            c->ch_t1 = exp(-ld_h) * ld_h / -expm1(-ld_h);
    }

    /* draw rows (layout at the top of this file): only what the scenario uses
     * is drawn; dense rows first, event rows after them */
    int nn = 0, nu = 0;
    c->r_zs = nn++;
    c->r_zv = nn++;
    c->r_zg = nn++;
    c->r_zf = nn++;
    c->r_zv2 = c->two_factor ? nn++ : -1;
    c->r_ze = c->has_eth ? nn++ : -1;
    c->n_normals_dense = nn;
    c->r_zj = c->spx.has_jumps ? nn++ : -1;
    c->r_zc = c->has_contagion && tk->delta_c > 0.0 ? nn++ : -1;
    c->r_zgov = c->has_gov ? nn++ : -1;
    c->r_zhack = c->has_hack ? nn++ : -1;
    c->r_ue = c->has_events || c->spx.scheme == ALVH_SCHEME_QE ? nu++ : -1;
    c->n_uniforms_dense = nu;
    c->r_ucj = c->spx.has_jumps ? nu++ : -1;
    c->r_ucg = c->has_gov ? nu++ : -1;
    c->r_uch = c->has_hack ? nu++ : -1;
    c->r_ujv1 = c->spx.has_jumps && sp->mu_v > 0.0 ? nu++ : -1;
    c->r_ujv2 = c->spx.has_jumps && sp->mu_v > 0.0 ? nu++ : -1;
    c->n_normals = nn;
    c->n_uniforms = nu;
    return 0;
}

size_t alvh_market_normals_per_step(const alvh_market_consts *c) { return (size_t)c->n_normals; }
size_t alvh_market_dense_normals(const alvh_market_consts *c) { return (size_t)c->n_normals_dense; }
size_t alvh_market_dense_uniforms(const alvh_market_consts *c) { return (size_t)c->n_uniforms_dense; }

/* two doubles and two 64-bit lanes: GCC's generic vectors, SSE2 on plain x86-64 */
typedef double v2d __attribute__((vector_size(16)));
typedef int64_t v2l __attribute__((vector_size(16)));

size_t alvh_market_event_lanes(const alvh_market_consts *c, size_t n, const double *restrict u, size_t ld,
                               uint32_t *restrict idx)
{
    if (!c->has_events)
        return 0;
    const double *restrict ue = u + (size_t)c->r_ue * ld;
    const double p0 = c->p_quiet;
    const v2d p0v = {p0, p0};
    size_t m = 0, i0 = 0;
    /* events are rare (a few % of path-steps): test 8 lanes at once, look at
     * single lanes only in a group that has one */
    for (; i0 + 8 <= n; i0 += 8) {
        v2l any = {0, 0};
        for (int k = 0; k < 4; k++) {
            v2d x;
            memcpy(&x, ue + i0 + 2 * k, sizeof x);
            any |= x > p0v;
        }
        if (!(any[0] | any[1]))
            continue;
        for (size_t i = i0; i < i0 + 8; i++) {
            idx[m] = (uint32_t)i; /* kept only if the lane has an event: m <= i, so the slot exists */
            m += (size_t)(ue[i] > p0);
        }
    }
    for (size_t i = i0; i < n; i++) {
        idx[m] = (uint32_t)i;
        m += (size_t)(ue[i] > p0);
    }
    return m;
}

size_t alvh_market_uniforms_per_step(const alvh_market_consts *c) { return (size_t)c->n_uniforms; }

__extension__ typedef unsigned __int128 u128;

static u128 join128(uint64_t hi, uint64_t lo) { return ((u128)hi << 64) | lo; }

void alvh_market_event_streams(const alvh_pcg64_lanes *main, alvh_pcg64_lanes *ev)
{
    /* advancing an LCG by a fixed jump is an affine map s -> A s + K inc, A and K
     * independent of the stream: read them off two advances of simple states
     * (state 1 without increment gives A, state 0 with increment 1 gives K) */
    alvh_pcg64 ga = {.state_hi = 0, .state_lo = 1, .inc_hi = 0, .inc_lo = 0};
    alvh_pcg64 gk = {.state_hi = 0, .state_lo = 0, .inc_hi = 0, .inc_lo = 1};
    alvh_pcg64_advance(&ga, ALVH_MARKET_EVENT_JUMP_HI, ALVH_MARKET_EVENT_JUMP_LO);
    alvh_pcg64_advance(&gk, ALVH_MARKET_EVENT_JUMP_HI, ALVH_MARKET_EVENT_JUMP_LO);
    const u128 a = join128(ga.state_hi, ga.state_lo), k = join128(gk.state_hi, gk.state_lo);
    ev->n = main->n;
    for (size_t i = 0; i < main->n; i++) {
        u128 inc = join128(main->inc_hi[i], main->inc_lo[i]);
        u128 st = a * join128(main->state_hi[i], main->state_lo[i]) + k * inc;
        ev->state_hi[i] = (uint64_t)(st >> 64);
        ev->state_lo[i] = (uint64_t)st;
        ev->inc_hi[i] = main->inc_hi[i];
        ev->inc_lo[i] = main->inc_lo[i];
    }
}

int alvh_market_injection_check(const alvh_market_consts *c, const alvh_market_injection *inj, char *msg,
                                size_t size)
{
    if (!isnan(inj->spx_ret) && !(inj->spx_ret > -1.0 && isfinite(inj->spx_ret)))
        return fail(msg, size, "injection at step %zu: spx_ret must be > -1 (got %g)", inj->step, inj->spx_ret);
    if (!isnan(inj->token_ret) && !(inj->token_ret > -1.0 && isfinite(inj->token_ret)))
        return fail(msg, size, "injection at step %zu: token_ret must be > -1 (got %g)", inj->step, inj->token_ret);
    if (!isnan(inj->vix_level) && alvh_vix_inject_reachable(&c->vix, inj->vix_level) != 0)
        return fail(msg, size,
                    "injection at step %zu: VIX %g is below the model's floor %g (the VIX of zero variance)",
                    inj->step, inj->vix_level, alvh_vix_from_vars(&c->vix, 0.0, 0.0));
    if (!isnan(inj->funding_ann) && !isfinite(inj->funding_ann))
        return fail(msg, size, "injection at step %zu: funding must be finite", inj->step);
    if (inj->gov_shock < -1 || inj->gov_shock > 1 || inj->hack < 0 || inj->hack > 1)
        return fail(msg, size, "injection at step %zu: gov_shock must be -1, 0 or 1 and hack 0 or 1", inj->step);
    return 0;
}

void alvh_market_inject(const alvh_market_consts *c, const alvh_market_injection *inj, size_t n,
                        const alvh_market_state *prev, const alvh_market_state *s, const alvh_market_events *ev)
{
    if (!isnan(inj->spx_ret)) {
        double dx = log1p(inj->spx_ret);
        for (size_t i = 0; i < n; i++)
            s->ln_s[i] = prev->ln_s[i] + dx;
    }
    if (!isnan(inj->vix_level) && !c->two_factor) {
        double v = alvh_vix_var_for_level(&c->vix, inj->vix_level);
        for (size_t i = 0; i < n; i++) {
            s->v[i] = v;
            ev->vix[i] = inj->vix_level;
        }
    } else if (!isnan(inj->vix_level)) {
        /* two factors: the spike goes to the fast factor v2, the slow one
         * keeps its path; only where the slow factor alone is above the level
         * does it come down too (v2 = 0) */
        const alvh_vix_coeffs *x = &c->vix;
        double target = inj->vix_level * inj->vix_level - x->beta;
        for (size_t i = 0; i < n; i++) {
            double v1 = fmax(s->v[i], 0.0), v2 = (target - x->alpha * v1) / x->alpha2;
            if (v2 < 0.0) {
                v2 = 0.0;
                s->v[i] = fmax(target / x->alpha, 0.0);
            }
            s->v2[i] = v2;
            ev->vix[i] = inj->vix_level;
        }
    }
    if (!isnan(inj->token_ret)) {
        double dg = log1p(inj->token_ret);
        for (size_t i = 0; i < n; i++)
            s->ln_g[i] = prev->ln_g[i] + dg;
    }
    if (!isnan(inj->funding_ann))
        for (size_t i = 0; i < n; i++)
            s->f[i] = inj->funding_ann;
    double *gov = inj->gov_shock > 0 ? ev->n_gov_up : inj->gov_shock < 0 ? ev->n_gov_dn : NULL;
    for (size_t i = 0; gov && i < n; i++)
        gov[i] += 1.0;
    for (size_t i = 0; inj->hack && i < n; i++)
        ev->n_hack[i] += 1.0;
}

/* The paths follow the set of paths_measure; the VIX read from their state is
 * the pricing measure's expectation (the spx section as given). */
int alvh_market_consts_init(alvh_market_consts *c, const alvh_market_params *p, double dt, char *msg, size_t size)
{
    alvh_market_params paths;
    if (alvh_market_check_ranges(p, msg, size) != 0 || alvh_market_paths_params(p, &paths, msg, size) != 0)
        return -1;
    if (consts_init_paths(c, &paths, dt, msg, size) != 0)
        return -1;
    alvh_vix_coeffs_init(&c->vix, &p->spx);
    return 0;
}

void alvh_market_drift_pick(const alvh_market_consts *c, size_t n, const double *restrict u, double *restrict shift)
{
    for (size_t i = 0; i < n; i++)
        shift[i] = u[i] < c->drift_share ? c->drift_shift : 0.0;
}

void alvh_market_drift_step(const alvh_market_consts *c, size_t n, double sign, const double *restrict shift,
                            double *restrict z_g, double *restrict w_g)
{
    if (sign > 0.0) { /* the untilted form, bit for bit the tilt without a turn */
        for (size_t i = 0; i < n; i++) {
            z_g[i] += shift[i];
            w_g[i] += c->sqrt_dt * z_g[i];
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        z_g[i] -= shift[i];
        w_g[i] -= c->sqrt_dt * z_g[i];
    }
}

double alvh_market_drift_sign(const alvh_market_consts *c, double t_end_years)
{
    /* a step belongs after the turn when it starts at or after it (half a step of slack for rounding) */
    return c->drift_turn_years > 0.0 && t_end_years - c->dt >= c->drift_turn_years - 0.5 * c->dt ? -1.0 : 1.0;
}

void alvh_market_drift_lr(const alvh_market_consts *c, size_t n, double t_years, const double *restrict w_g,
                          const double *restrict lr_ev, double *restrict log_lr)
{
    const double th = c->drift_theta, s = c->drift_share, comp = 0.5 * th * th * t_years;
    if (s >= 1.0) {
        for (size_t i = 0; i < n; i++)
            log_lr[i] = lr_ev[i] - (th * w_g[i] - comp);
        return;
    }
    /* log((1 - s) + s e^x) as a log-sum-exp, finite for any W~ */
    const double log_plain = log1p(-s), log_s = log(s);
    for (size_t i = 0; i < n; i++) {
        double x = log_s + th * w_g[i] - comp, hi = fmax(x, log_plain);
        log_lr[i] = lr_ev[i] - (hi + log1p(exp(-fabs(x - log_plain))));
    }
}

void alvh_market_vdrift_pick(const alvh_market_consts *c, size_t n, const double *restrict u, double *restrict flag)
{
    const double lo = c->drift_share, hi = c->drift_share + c->vdrift_share;
    for (size_t i = 0; i < n; i++)
        flag[i] = lo <= u[i] && u[i] < hi ? 1.0 : 0.0;
}

double alvh_market_vdrift_shift(const alvh_market_consts *c, size_t k, size_t n_steps)
{
    double fade = n_steps ? 1.0 - c->vdrift_decay * ((double)k + 0.5) / (double)n_steps : 1.0;
    return c->vdrift_theta * c->sqrt_dt * fade;
}

double alvh_market_vdrift_token_shift(const alvh_market_consts *c, size_t k, size_t n_steps)
{
    if (c->vdrift_token == 0.0 || !n_steps)
        return 0.0;
    return c->vdrift_token * c->sqrt_dt * (1.0 - ((double)k + 0.5) / (c->vdrift_cross * (double)n_steps));
}

void alvh_market_vdrift_shift_row(size_t n, double b, const double *restrict flag, double *restrict z)
{
    for (size_t i = 0; i < n; i++)
        z[i] += b * flag[i];
}

void alvh_market_vdrift_accumulate(size_t n, double b, const double *restrict z, double *restrict w_v)
{
    for (size_t i = 0; i < n; i++)
        w_v[i] += b * z[i];
}

void alvh_market_vdrift_step(size_t n, double a, const double *restrict flag, double *restrict z_v,
                             double *restrict w_v)
{
    alvh_market_vdrift_shift_row(n, a, flag, z_v);
    alvh_market_vdrift_accumulate(n, a, z_v, w_v);
}

/* log(sum_j e^{x_j}) over the terms with x_j > -inf */
static double log_sum_exp3(double x0, double x1, double x2)
{
    double hi = fmax(x0, fmax(x1, x2));
    return hi + log(exp(x0 - hi) + exp(x1 - hi) + exp(x2 - hi));
}

void alvh_market_mix_lr(const alvh_market_consts *c, size_t n, double t_years, double comp_v,
                        const double *restrict w_g, const double *restrict w_v, const double *restrict lr_ev,
                        double *restrict log_lr)
{
    const double s_g = c->drift_share, s_v = c->vdrift_share, s_p = fmax(1.0 - s_g - s_v, 0.0);
    const double th = c->drift_theta, comp_g = 0.5 * th * th * t_years;
    /* log of each component's weight; -inf drops a component of share 0 */
    const double l_p = s_p > 0.0 ? log(s_p) : -INFINITY, l_g = s_g > 0.0 ? log(s_g) : -INFINITY, l_v = log(s_v);
    for (size_t i = 0; i < n; i++) {
        double x_g = s_g > 0.0 ? l_g + th * w_g[i] - comp_g : -INFINITY;
        log_lr[i] = lr_ev[i] - log_sum_exp3(l_p, x_g, l_v + w_v[i] - comp_v);
    }
}

void alvh_market_lr_step(const alvh_market_consts *c, size_t n, const alvh_market_events *ev, double *restrict log_lr)
{
    if (!c->has_tilt)
        return;
    const double(*r)[3] = c->lr_log;
    for (size_t i = 0; i < n; i++)
        log_lr[i] += r[0][(int)ev->n_jump[i]] + r[1][(int)(ev->n_gov_up[i] + ev->n_gov_dn[i])] + r[2][(int)ev->n_hack[i]];
}
