/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The token and ETH as assets of the Q price table (kernels/q_table.h): their
 * pricing-measure law given the SPX variance factors, for the marks of the
 * puts, calls and ETH puts (issue #14, docs/pricing.md "Token marks").
 *
 * The token's diffusion variance is sigma_G0^2 VIX^2 / VIX_ref^2 (gamma 1), and
 * VIX^2 = alpha v1 + alpha2 v2 + beta is affine in the factors, so the loadings
 * are c_f = sigma_G0^2 alpha_f / VIX_ref^2 and c0 = sigma_G0^2 beta / VIX_ref^2
 * (gamma 0: constant variance c0 = sigma_G0^2). ETH's vol is the token's times
 * e_ratio. Two approximations, measured in docs/pricing.md: the correlation of
 * the token's shock with factor 1's (rho_vG, on the whole diffusion) is carried
 * by the factor-1 component alone, scaled to give the same covariance at the
 * factors' long-run means (an affine projection); the vol cap sigma_max_ann is
 * not seen (it binds at VIX above VIX_ref sigma_max / sigma_G0, 65 with the
 * defaults). Jumps under Q: contagion co-jumps at the SPX jump intensity,
 * N(beta_J mu_J, beta_J^2 delta_J^2 + delta_c^2) each; governance up and down
 * shocks; exploits. The treasury's runway feedback is not priced.
 */
#include "kernels/q_asset.h"

#include <math.h>

#include "kernels/kmsg.h"
#include "kernels/market_model.h"

static void add_jump(alvh_qtab_asset *a, double lam_ann, double mu, double sd)
{
    if (!(lam_ann > 0.0) || (mu == 0.0 && sd == 0.0))
        return;
    a->jump_lam_ann[a->n_jump] = lam_ann;
    a->jump_mu[a->n_jump] = mu;
    a->jump_sd[a->n_jump] = sd;
    a->n_jump++;
}

/* the factor-1 component's correlation that keeps cov(dX, dv1) at the long-run means */
static double projected_rho(double rho, double c1, double c2, double c0, const alvh_spx_params *sp)
{
    double th2 = sp->kappa2 > 0.0 ? sp->theta2 : 0.0, part = c1 * sp->theta;
    if (!(part > 0.0) || rho == 0.0)
        return 0.0;
    double r = rho * sqrt((part + c2 * th2 + c0) / part);
    return fmax(fmin(r, 0.95), -0.95);
}

int alvh_qtab_asset_of(alvh_qtab_asset *a, const alvh_market_params *p, int eth, double dt, char *msg, size_t size)
{
    alvh_market_consts mc;
    if (alvh_market_consts_init(&mc, p, dt, msg, size) != 0)
        return -1;
    if (mc.vol_coupled == 2)
        return alvh_kmsg(msg, size, "token.gamma = %g: the Q price table prices gamma 0 or 1 only", p->token.gamma);
    const alvh_spx_params *sp = &p->spx;
    double s0 = mc.sigma0 * (eth ? mc.e_ratio : 1.0), s2 = s0 * s0;
    *a = (alvh_qtab_asset){0};
    if (mc.vol_coupled == 1) {
        a->c1 = s2 * mc.vix.alpha * mc.inv_vix_ref2;
        a->c2 = sp->kappa2 > 0.0 ? s2 * mc.vix.alpha2 * mc.inv_vix_ref2 : 0.0;
        a->c0 = s2 * mc.vix.beta * mc.inv_vix_ref2;
    } else {
        a->c0 = s2;
    }
    a->rho1 = projected_rho(eth ? mc.l_e[0] : mc.l_gv, a->c1, a->c2, a->c0, sp);
    const alvh_token_params *tk = &p->token;
    if (eth) {
        add_jump(a, sp->lambda_ann, p->eth.beta_j * sp->mu_j, fabs(p->eth.beta_j) * sp->delta_j);
        return 0;
    }
    add_jump(a, sp->lambda_ann, tk->beta_j * sp->mu_j,
             sqrt(tk->beta_j * tk->beta_j * sp->delta_j * sp->delta_j + tk->delta_c * tk->delta_c));
    add_jump(a, tk->lambda_gov_ann * tk->p_up, tk->mu_up, tk->d_up);
    add_jump(a, tk->lambda_gov_ann * (1.0 - tk->p_up), tk->mu_dn, tk->d_dn);
    add_jump(a, tk->lambda_hack_ann, tk->mu_hack, tk->d_hack);
    return 0;
}
