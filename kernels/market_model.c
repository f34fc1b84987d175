/* Per-scenario constants of the full market model, the driver correlation
 * factor and the stress injections (scalar, outside the hot loop). */
#include "kernels/market_model.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

static int fail(char *msg, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *msg, size_t size, const char *fmt, ...)
{
    if (msg && size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, size, fmt, ap);
        va_end(ap);
    }
    return -1;
}

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

int alvh_cholesky4(const double a[16], double l[16])
{
    /* a pivot this small means the drivers are (numerically) collinear: the
     * scenario would silently lose a source of randomness */
    const double min_pivot = 1e-10;
    for (int i = 0; i < 16; i++)
        l[i] = 0.0;
    for (int j = 0; j < 4; j++) {
        double d = a[4 * j + j];
        for (int k = 0; k < j; k++)
            d -= l[4 * j + k] * l[4 * j + k];
        if (!(d > min_pivot))
            return j + 1;
        l[4 * j + j] = sqrt(d);
        for (int i = j + 1; i < 4; i++) {
            double s = a[4 * i + j];
            for (int k = 0; k < j; k++)
                s -= l[4 * i + k] * l[4 * j + k];
            l[4 * i + j] = s / l[4 * j + j];
        }
    }
    return 0;
}

/* Probabilities of N <= 0 and N <= 1 for a Poisson count with mean ld; counts
 * are capped at 2 per step, so ld is bounded by the caller. */
static void poisson_cuts(double ld, double *p_le0, double *p_le1)
{
    *p_le0 = exp(-ld);
    *p_le1 = *p_le0 * (1.0 + ld);
}

/* log E[factor of one step] when each of N <= 2 jumps multiplies by a factor
 * with mean m: exact for the capped count the kernel samples. */
static double log_step_factor(double p_le0, double p_le1, double m)
{
    return log(p_le0 + (p_le1 - p_le0) * m + (1.0 - p_le1) * m * m);
}

int alvh_market_consts_init(alvh_market_consts *c, const alvh_market_params *p, double dt, char *msg, size_t size)
{
    const alvh_spx_params *sp = &p->spx;
    const alvh_token_params *tk = &p->token;
    const alvh_funding_params *fu = &p->funding;
    const double max_ld = 0.05; /* keeps the cut mass P(N >= 3) per step below 2e-5 */
    if (alvh_spx_consts_init(&c->spx, sp, dt) != 0)
        return fail(msg, size,
                    "SPX parameters out of range for dt = %g: need kappa > 0, theta >= 0, xi > 0 (QE), |rho| <= 1, "
                    "lambda >= 0 with lambda*dt <= 0.05, delta_J >= 0, mu_v >= 0, v0 >= 0 (got kappa %g, theta %g, "
                    "xi %g, rho %g, lambda %g, delta_J %g, mu_v %g, v0 %g)",
                    dt, sp->kappa, sp->theta, sp->xi, sp->rho, sp->lambda_ann, sp->delta_j, sp->mu_v, sp->v0);
    if (!(tk->g0_usd > 0.0))
        return fail(msg, size, "token.g0_usd must be > 0 (got %g)", tk->g0_usd);
    if (!(tk->sigma0_ann >= 0.0) || !(tk->sigma_max_ann > 0.0))
        return fail(msg, size, "token.sigma0_ann must be >= 0 and token.sigma_max_ann > 0 (got %g, %g)", tk->sigma0_ann,
                    tk->sigma_max_ann);
    if (!(tk->vix_ref > 0.0) || !isfinite(tk->gamma))
        return fail(msg, size, "token.vix_ref must be > 0 and token.gamma finite (got %g, %g)", tk->vix_ref, tk->gamma);
    if (!(fabs(tk->rho_sg) <= 1.0) || !(fabs(tk->rho_vg) <= 1.0) || !(fabs(fu->rho_gf) <= 1.0))
        return fail(msg, size, "correlations must lie in [-1, 1] (rho_SG %g, rho_vG %g, rho_Gf %g)", tk->rho_sg,
                    tk->rho_vg, fu->rho_gf);
    if (!(tk->delta_c >= 0.0) || !isfinite(tk->beta_j))
        return fail(msg, size, "token.delta_c must be >= 0 and token.beta_j finite (got %g, %g)", tk->delta_c,
                    tk->beta_j);
    if (!(tk->lambda_gov_ann >= 0.0) || tk->lambda_gov_ann * dt > max_ld)
        return fail(msg, size, "token.lambda_gov_ann must be >= 0 with lambda_gov*dt <= %g (got %g, dt %g)", max_ld,
                    tk->lambda_gov_ann, dt);
    if (!(tk->p_up >= 0.0 && tk->p_up <= 1.0))
        return fail(msg, size, "token.p_up must lie in [0, 1] (got %g)", tk->p_up);
    if (!(tk->d_up >= 0.0) || !(tk->d_dn >= 0.0) || !isfinite(tk->mu_up) || !isfinite(tk->mu_dn))
        return fail(msg, size, "governance jump stdevs d_up, d_dn must be >= 0 and means finite (got %g, %g, %g, %g)",
                    tk->d_up, tk->d_dn, tk->mu_up, tk->mu_dn);
    if (!(tk->lambda_hack_ann >= 0.0) || tk->lambda_hack_ann * dt > max_ld)
        return fail(msg, size, "token.lambda_hack_ann must be >= 0 with lambda_hack*dt <= %g (got %g, dt %g)", max_ld,
                    tk->lambda_hack_ann, dt);
    if (!(tk->hack_loss_frac >= 0.0 && tk->hack_loss_frac <= 1.0) || !(tk->d_hack >= 0.0) || !isfinite(tk->mu_hack))
        return fail(msg, size, "token.hack_loss_frac must lie in [0, 1], d_hack >= 0, mu_hack finite (got %g, %g, %g)",
                    tk->hack_loss_frac, tk->d_hack, tk->mu_hack);
    if (!(fu->kappa_f >= 0.0) || !(fu->sigma_f_ann >= 0.0) || !isfinite(fu->f0_ann) || !isfinite(fu->fbar_ann))
        return fail(msg, size, "funding: need kappa_f >= 0, sigma_f_ann >= 0, finite f0 and fbar (got %g, %g, %g, %g)",
                    fu->kappa_f, fu->sigma_f_ann, fu->f0_ann, fu->fbar_ann);

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

    alvh_vix_coeffs_init(&c->vix, sp);
    c->dt = dt;
    c->sqrt_dt = sqrt(dt);

    c->sigma0 = tk->sigma0_ann;
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
    c->g_mu_dt = tk->mu_ann * dt - comp;

    c->f_bar = fu->fbar_ann;
    c->f_e = exp(-fu->kappa_f * dt);
    c->f_sd = fu->kappa_f > 0.0 ? fu->sigma_f_ann * sqrt(-expm1(-2.0 * fu->kappa_f * dt) / (2.0 * fu->kappa_f))
                                : fu->sigma_f_ann * sqrt(dt);

    /* draw rows: only what the scenario uses is drawn */
    int nn = 0, nu = 0;
    c->r_zs = nn++;
    c->r_zv = nn++;
    c->r_zj = c->spx.has_jumps ? nn++ : -1;
    c->r_zg = nn++;
    c->r_zf = nn++;
    c->r_zc = c->has_contagion && tk->delta_c > 0.0 ? nn++ : -1;
    c->r_zgov = c->has_gov ? nn++ : -1;
    c->r_zhack = c->has_hack ? nn++ : -1;
    c->r_uv = c->spx.scheme == ALVH_SCHEME_QE ? nu++ : -1;
    c->r_un = c->spx.has_jumps ? nu++ : -1;
    c->r_ujv1 = c->spx.has_jumps && sp->mu_v > 0.0 ? nu++ : -1;
    c->r_ujv2 = c->spx.has_jumps && sp->mu_v > 0.0 ? nu++ : -1;
    c->r_ugov = c->has_gov ? nu++ : -1;
    c->r_uhack = c->has_hack ? nu++ : -1;
    c->n_normals = nn;
    c->n_uniforms = nu;
    return 0;
}

size_t alvh_market_normals_per_step(const alvh_market_consts *c) { return (size_t)c->n_normals; }
size_t alvh_market_uniforms_per_step(const alvh_market_consts *c) { return (size_t)c->n_uniforms; }

int alvh_market_injection_check(const alvh_market_consts *c, const alvh_market_injection *inj, char *msg,
                                size_t size)
{
    if (!isnan(inj->spx_ret) && !(inj->spx_ret > -1.0 && isfinite(inj->spx_ret)))
        return fail(msg, size, "injection at step %zu: spx_ret must be > -1 (got %g)", inj->step, inj->spx_ret);
    if (!isnan(inj->token_ret) && !(inj->token_ret > -1.0 && isfinite(inj->token_ret)))
        return fail(msg, size, "injection at step %zu: token_ret must be > -1 (got %g)", inj->step, inj->token_ret);
    if (!isnan(inj->vix_level) && alvh_vix_var_for_level(&c->vix, inj->vix_level) < 0.0)
        return fail(msg, size,
                    "injection at step %zu: VIX %g is below the model's floor %g (the VIX of zero variance)",
                    inj->step, inj->vix_level, alvh_vix_from_var(&c->vix, 0.0));
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
    if (!isnan(inj->vix_level)) {
        double v = alvh_vix_var_for_level(&c->vix, inj->vix_level);
        for (size_t i = 0; i < n; i++) {
            s->v[i] = v;
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
