/* SPDX-License-Identifier: BSD-3-Clause */
#include "kernels/treasury.h"

#include <math.h>

#include "kernels/bs.h"

void alvh_treasury_consts_init(alvh_treasury_consts *c, const alvh_market_params *p, double dt)
{
    const alvh_treasury_params *t = &p->treasury;
    *c = (alvh_treasury_consts){0};
    c->on = t->burn_usd_ann > 0.0;
    if (!c->on)
        return;
    c->stables0 = t->stables_usd;
    c->tokens0 = t->token_usd / p->token.g0_usd;
    c->burn_dt = t->burn_usd_ann * dt;
    c->inv_burn = 1.0 / t->burn_usd_ann;
    c->keep = 1.0 - t->token_haircut;
    /* a struct built without the section (threshold 0) has no feedback */
    c->inv_thr = t->threshold_years > 0.0 ? 1.0 / t->threshold_years : 0.0;
    c->lam_dt = t->threshold_years > 0.0 ? p->token.lambda_gov_ann * (1.0 - p->token.p_up) * t->fb_mult * dt : 0.0;
    c->mu_dn = p->token.mu_dn;
    c->d_dn = p->token.d_dn;
    c->depth = t->depth_usd;
}

/* Raises up to `need` USD by selling tokens into a constant-product pool of
 * USD reserve D at price g: with x = D/g tokens in the pool, selling dx raises
 * q = D dx/(x + dx); the price becomes g (1 - q/D)^2. The treasury sells at
 * most its tokens and at most q = D/2 in a step. Returns the log price move. */
static double sell_into_pool(double depth, double need, double g, double *tokens)
{
    double q = fmin(need, 0.5 * depth);
    double dx = q / (g * (1.0 - q / depth));
    if (dx > *tokens) { /* all that is left */
        dx = *tokens;
        q = depth * dx * g / (depth + dx * g);
    }
    *tokens -= dx;
    return 2.0 * log1p(-q / depth);
}

static void measure(const alvh_treasury_consts *c, const alvh_treasury_state *s, size_t i, double g)
{
    s->runway[i] = (s->stables[i] + c->keep * s->tokens[i] * g) * c->inv_burn;
    s->quick[i] = s->stables[i] * c->inv_burn;
    s->runway_min[i] = fmin(s->runway_min[i], s->runway[i]);
}

void alvh_treasury_init(const alvh_treasury_consts *c, size_t n, const alvh_treasury_state *s, double g0)
{
    for (size_t i = 0; i < n; i++) {
        s->stables[i] = c->stables0;
        s->tokens[i] = c->tokens0;
        s->runway_min[i] = INFINITY;
        s->n_fb[i] = 0.0;
        measure(c, s, i, g0);
    }
}

double alvh_treasury_fb_rate_dt(const alvh_treasury_consts *c, double runway)
{
    double stress = fmin(fmax(1.0 - runway * c->inv_thr, 0.0), 1.0);
    return c->lam_dt * stress;
}

void alvh_treasury_step(const alvh_treasury_consts *c, size_t n, const alvh_treasury_state *s,
                        const double *restrict u_fb, const double *restrict u_size, double *restrict ln_g,
                        double *restrict n_gov_dn)
{
    for (size_t i = 0; i < n; i++) {
        double rate = alvh_treasury_fb_rate_dt(c, s->runway[i]);
        if (rate > 0.0 && u_fb[i] < -expm1(-rate)) {
            /* a uniform of 53 bits may be 0: the size's quantile stays finite */
            ln_g[i] += c->mu_dn + c->d_dn * alvh_norm_inv(fmax(u_size[i], 0x1p-54));
            n_gov_dn[i] += 1.0;
            s->n_fb[i] += 1.0;
        }
        double g = exp(ln_g[i]);
        double from_stables = fmin(s->stables[i], c->burn_dt);
        s->stables[i] -= from_stables;
        if (c->depth > 0.0 && from_stables < c->burn_dt && s->tokens[i] > 0.0) {
            ln_g[i] += sell_into_pool(c->depth, c->burn_dt - from_stables, g, &s->tokens[i]);
            g = exp(ln_g[i]);
        } else {
            s->tokens[i] = fmax(s->tokens[i] - (c->burn_dt - from_stables) / g, 0.0);
        }
        measure(c, s, i, g);
    }
}
