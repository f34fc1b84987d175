/* SPDX-License-Identifier: BSD-3-Clause */
#include "kernels/q_table.h"

#include <complex.h>
#include <math.h>

#include "kernels/bs.h"
#include "kernels/cplx.h"
#include "kernels/grid_stencil.h"
#include "kernels/kmsg.h"

#define QT_PI 3.14159265358979323846

static int fail(char *msg, size_t size, const char *text) { return alvh_kmsg(msg, size, "%s", text); }

int alvh_qtab_spec_init(alvh_qtab_spec *s, const alvh_spx_params *p, double dt, double t_entry, size_t life_steps,
                        size_t first_life, char *msg, size_t size)
{
    if (p->mu_v != 0.0)
        return fail(msg, size, "spx.mu_v: the Q price table has no variance jumps (mu_v 0)");
    if (!(dt > 0.0) || !(t_entry > 0.0) || life_steps < 1)
        return fail(msg, size, "the Q price table needs dt > 0 and a life of at least one step");
    *s = (alvh_qtab_spec){.r_ann = p->r_ann, .q_ann = p->q_ann, .kappa = p->kappa, .theta = p->theta,
                          .xi = p->xi, .kappa2 = p->kappa2, .theta2 = p->theta2, .xi2 = p->xi2,
                          .a = {.c1 = 1.0, .c2 = 1.0, .rho1 = p->rho, .rho2 = p->rho2, .n_jump = 1,
                                .jump_lam_ann = {p->lambda_ann}, .jump_mu = {p->mu_j}, .jump_sd = {p->delta_j}},
                          .dt = dt, .t_entry = t_entry, .n_life = life_steps + 1,
                          .first_life = first_life < 1 ? 1 : first_life,
                          .n_s1 = ALVH_QTAB_NS1, .n_s2 = p->kappa2 > 0.0 ? ALVH_QTAB_NS2 : 2,
                          .n_z = ALVH_QTAB_NZ, .z_lo = ALVH_QTAB_Z_LO, .z_step = ALVH_QTAB_Z_STEP};
    alvh_grid_u_max(p, &s->u1_max, &s->u2_max);
    if (alvh_qtab_doubles(s) >= (size_t)1 << 31)
        return fail(msg, size, "the Q price table would exceed 2^31 entries (condor life in steps too long)");
    return 0;
}

int alvh_qtab_spec_init_asset(alvh_qtab_spec *s, const alvh_spx_params *p, const alvh_qtab_asset *a, double dt,
                              size_t life_steps, char *msg, size_t size)
{
    if (a->n_jump < 0 || a->n_jump > ALVH_QTAB_MAX_JUMPS)
        return fail(msg, size, "the Q price table takes at most 4 jump types");
    if (!(a->c1 >= 0.0 && a->c2 >= 0.0 && a->c0 >= 0.0 && fabs(a->rho1) < 1.0 && fabs(a->rho2) < 1.0))
        return fail(msg, size, "the Q price table needs loadings >= 0 and correlations in (-1, 1)");
    if (alvh_qtab_spec_init(s, p, dt, (double)life_steps * dt, life_steps, 1, msg, size) != 0)
        return -1;
    s->a = *a;
    /* the asset's smile changes slowly with the state next to the SPX's
     * (its jumps do not scale with it): a bilinear state stencil, 4 rows
     * per lookup instead of 16 (docs/pricing.md "Token marks": accuracy) */
    s->state_linear = 1;
    /* and 13 nodes per factor: 0.53 of the tolerance at 13, 0.40 at 17, for
     * 0.6 of the build */
    s->n_s1 = ALVH_QTAB_NS_ASSET;
    s->n_s2 = p->kappa2 > 0.0 ? ALVH_QTAB_NS_ASSET : 2;
    return 0;
}

size_t alvh_qtab_doubles(const alvh_qtab_spec *s)
{
    return s->n_life * (s->n_s1 * s->n_s2 * s->n_z + ALVH_QTAB_NCOEF);
}

double alvh_qtab_life_years(const alvh_qtab_spec *s, size_t l) { return l == 0 ? s->t_entry : (double)l * s->dt; }

static double avg_decay(double kappa, double t)
{
    double kt = kappa * t;
    return kt < 1e-8 ? 1.0 - 0.5 * kt : -expm1(-kt) / kt;
}

/* exponent of one Heston factor's E[exp(i u X)], X = -1/2 int v + int sqrt(v) dW,
 * as C + D v ("little trap" form, Albrecher et al. 2007) */
static void heston_cd(double u, double t, double kappa, double theta, double xi, double rho, double complex *c,
                      double complex *d)
{
    double complex iu = I * u, b = kappa - rho * xi * iu;
    double complex dd = csqrt(b * b + xi * xi * (iu + u * u));
    double complex g = cdivx(b - dd, b + dd), e = cexp(-dd * t);
    *c = kappa * theta / (xi * xi) * ((b - dd) * t - 2.0 * clogx(cdivx(1.0 - g * e, 1.0 - g)));
    *d = (b - dd) / (xi * xi) * cdivx(1.0 - e, 1.0 - g * e);
}

/* ln E[exp(i u y)], y = ln(S_T / F) */
static double complex log_cf(const alvh_qtab_spec *s, double u, double t, double v1, double v2)
{
    const alvh_qtab_asset *a = &s->a;
    double complex iu = I * u, c, d, x = 0.0;
    for (int j = 0; j < a->n_jump; j++) {
        double mu = a->jump_mu[j], sd = a->jump_sd[j], lam = a->jump_lam_ann[j];
        double m_j = exp(mu + 0.5 * sd * sd) - 1.0;
        x += -iu * lam * m_j * t + lam * t * (cexp(iu * mu - 0.5 * u * u * sd * sd) - 1.0);
    }
    /* factor f's loading sqrt(c_f v_f): a Heston factor in c_f v_f */
    heston_cd(u, t, s->kappa, a->c1 * s->theta, sqrt(a->c1) * s->xi, a->rho1, &c, &d);
    x += c + d * (a->c1 * v1);
    if (s->kappa2 > 0.0 && a->c2 > 0.0) {
        heston_cd(u, t, s->kappa2, a->c2 * s->theta2, sqrt(a->c2) * s->xi2, a->rho2, &c, &d);
        x += c + d * (a->c2 * v2);
    }
    if (a->c0 > 0.0)
        x += -0.5 * a->c0 * t * (iu + u * u);
    return x;
}

/* the expected average diffusive variance's coefficients of life t */
static void proxy_coef(const alvh_qtab_spec *s, double t, double *a1, double *a2, double *b)
{
    const alvh_qtab_asset *a = &s->a;
    double d1 = avg_decay(s->kappa, t), d2 = s->kappa2 > 0.0 ? avg_decay(s->kappa2, t) : 0.0;
    *a1 = a->c1 * d1;
    *a2 = a->c2 * d2;
    *b = a->c1 * (1.0 - d1) * s->theta + (s->kappa2 > 0.0 ? a->c2 * (1.0 - d2) * s->theta2 : 0.0) + a->c0;
}

/* COS range and terms for life t at (v1, v2): [a, b] from the cumulants (jumps'
 * fourth included), N resolving the diffusive core */
typedef struct {
    double a, b;
    int n;
} cos_range;

static cos_range cos_range_of(const alvh_qtab_spec *s, double t, double v1, double v2)
{
    double a1, a2, b0;
    proxy_coef(s, t, &a1, &a2, &b0);
    double w = (a1 * v1 + a2 * v2 + b0) * t;
    double c1 = -0.5 * w, c2 = w, c4 = 0.0;
    for (int j = 0; j < s->a.n_jump; j++) {
        double lt = s->a.jump_lam_ann[j] * t, mj = s->a.jump_mu[j], dj = s->a.jump_sd[j];
        double m_j = exp(mj + 0.5 * dj * dj) - 1.0;
        c1 += lt * (mj - m_j);
        c2 += lt * (mj * mj + dj * dj);
        c4 += lt * (mj * mj * mj * mj + 6.0 * mj * mj * dj * dj + 3.0 * dj * dj * dj * dj);
    }
    double half = 12.0 * sqrt(c2 + sqrt(c4));
    double sd = sqrt(fmax(w, 1e-14));
    /* 12 terms per standard deviation of the range for the SPX; the asset
     * tables' ranges are wide for their jumps, and 4 gave the same accuracy
     * as 12 at a third of the build (docs/pricing.md "Token marks") */
    double n = ceil((s->state_linear ? 4.0 : 12.0) * 2.0 * half / (QT_PI * sd));
    cos_range r = {c1 - half, c1 + half, (int)fmin(fmax(n, 128.0), 4096.0)};
    return r;
}

/* the density's cosine coefficients f[0..n) on [a, b] and the payoff terms'
 * strike-free factors 1 / (1 + w_j^2), 1 / w_j */
typedef struct {
    double f[4096], rw[4096], iw[4096];
} cos_terms;

/* Undiscounted per-forward put (is_call 0) or call at ln(K/F) = k */
static double cos_price(const cos_range *r, const cos_terms *c, double k, int is_call)
{
    double a = r->a, b = r->b, bma = b - a;
    double kc = fmin(fmax(k, a), b), ek = exp(k), ekc = exp(kc), ea = exp(a), eb = exp(b);
    double th = QT_PI * (kc - a) / bma, ct = cos(th), st = sin(th), step = QT_PI / bma;
    /* j = 0 */
    double sum = is_call ? 0.5 * c->f[0] * ((eb - ekc) - ek * (b - kc)) : 0.5 * c->f[0] * (ek * (kc - a) - (ekc - ea));
    double cr = ct, sr = st, sgn = -1.0; /* cos, sin of j th by rotation; (-1)^j */
    for (int j = 1; j < r->n; j++) {
        double wj = (double)j * step, v;
        if (!is_call) /* (e^k - e^y) on [a, kc] */
            v = ek * sr * c->iw[j] - (cr * ekc - ea + wj * sr * ekc) * c->rw[j];
        else /* (e^y - e^k) on [kc, b] */
            v = (sgn * eb - cr * ekc - wj * sr * ekc) * c->rw[j] + ek * sr * c->iw[j];
        sum += c->f[j] * v;
        double c2 = cr * ct - sr * st;
        sr = sr * ct + cr * st;
        cr = c2;
        sgn = -sgn;
    }
    return 2.0 / bma * sum;
}

static void cos_coeffs(const alvh_qtab_spec *s, const cos_range *r, double t, double v1, double v2, cos_terms *c)
{
    double step = QT_PI / (r->b - r->a);
    for (int j = 0; j < r->n; j++) {
        double wj = (double)j * step;
        c->f[j] = creal(cexp(log_cf(s, wj, t, v1, v2) - I * wj * r->a));
        c->rw[j] = 1.0 / (1.0 + wj * wj);
        c->iw[j] = j ? 1.0 / wj : 0.0;
    }
}

double alvh_qtab_cos_put(const alvh_qtab_spec *s, double t, double v1, double v2, double k)
{
    cos_terms c; /* 96 kB of stack: the kernels allocate nothing */
    cos_range r = cos_range_of(s, t, v1, v2);
    cos_coeffs(s, &r, t, v1, v2, &c);
    return fmax(cos_price(&r, &c, k, 0), 0.0);
}

/* undiscounted Black price per unit forward, total vol sd, ek = e^k */
static double black_norm(double k, double ek, double sd, int is_call)
{
    double d1 = -k / sd + 0.5 * sd, d2 = d1 - sd;
    return is_call ? alvh_norm_cdf(d1) - ek * alvh_norm_cdf(d2) : ek * alvh_norm_cdf(-d2) - alvh_norm_cdf(-d1);
}

static double implied_sd_from(double p, double k, int is_call, double x0);

double alvh_qtab_implied_sd(double p, double k, int is_call)
{
    return implied_sd_from(p, k, is_call, sqrt(2.0 * fabs(k)) + 0.2); /* near the inflection point */
}

/* from the start x0 (a neighbour's solution when filling the table) */
static double implied_sd_from(double p, double k, int is_call, double x0)
{
    double lo = 1e-8, hi = 10.0, ek = exp(k);
    double intr = is_call ? fmax(1.0 - ek, 0.0) : fmax(ek - 1.0, 0.0);
    if (!(p > intr))
        return lo;
    if (p >= black_norm(k, ek, hi, is_call))
        return hi;
    double x = fmin(fmax(x0, lo), hi);
    for (int it = 0; it < 100; it++) {
        double v = black_norm(k, ek, x, is_call) - p;
        if (v > 0.0)
            hi = x;
        else
            lo = x;
        double vega = alvh_norm_pdf(-k / x + 0.5 * x);
        double nx = x - v / fmax(vega, 1e-300);
        if (!(nx > lo && nx < hi))
            nx = 0.5 * (lo + hi);
        if (fabs(nx - x) < 1e-14 * x || hi - lo < 1e-14 * hi)
            return nx;
        x = nx;
    }
    return x;
}

void alvh_qtab_fill_life(const alvh_qtab_spec *s, size_t l, double *mem)
{
    cos_terms f;
    double t = alvh_qtab_life_years(s, l), a1, a2, b0;
    proxy_coef(s, t, &a1, &a2, &b0);
    const size_t nz = s->n_z, node = s->n_s1 * s->n_s2 * nz;
    double *coef = mem + s->n_life * node + l * ALVH_QTAB_NCOEF;
    coef[0] = a1, coef[1] = a2, coef[2] = b0, coef[3] = t;
    if (l > 0 && l < s->first_life) { /* a life nobody marks: the proxy vol (ratio 1) */
        for (size_t i = 0; i < node; i++)
            mem[l * node + i] = 1.0;
        return;
    }
    double h1 = s->u1_max / (double)(s->n_s1 - 1), h2 = s->u2_max / (double)(s->n_s2 - 1);
    for (size_t i1 = 0; i1 < s->n_s1; i1++)
        for (size_t i2 = 0; i2 < s->n_s2; i2++) {
            double u1 = (double)i1 * h1, u2 = (double)i2 * h2;
            double v1 = u1 * u1 * u1 * u1, v2 = s->kappa2 > 0.0 ? u2 * u2 * u2 * u2 : 0.0;
            double w = fmax(a1 * v1 + a2 * v2 + b0, ALVH_QTAB_W_FLOOR), sdp = sqrt(w * t);
            cos_range r = cos_range_of(s, t, v1, v2);
            cos_coeffs(s, &r, t, v1, v2, &f);
            double *out = mem + l * node + (i1 * s->n_s2 + i2) * nz;
            /* from the money outwards, each inversion starting at its neighbour's vol */
            size_t i0 = (size_t)llround(-s->z_lo / s->z_step);
            for (size_t j = 0; j < nz; j++) {
                size_t iz = j <= i0 ? i0 - j : j; /* i0, i0 - 1, ..., 0, then i0 + 1, ... */
                double k = (s->z_lo + (double)iz * s->z_step) * sdp;
                int call = k > 0.0; /* out of the money */
                double p = fmax(cos_price(&r, &f, k, call), 0.0);
                double x0 = j == 0 ? sdp : (iz < i0 ? out[iz + 1] : out[iz == i0 + 1 ? i0 : iz - 1]) * sdp;
                out[iz] = implied_sd_from(p, k, call, x0) / sdp;
            }
        }
}

void alvh_qtab_bind(alvh_qtab *t, const alvh_qtab_spec *s, const double *mem)
{
    t->g = *s;
    t->inv_h1 = (double)(s->n_s1 - 1) / s->u1_max;
    t->inv_h2 = s->kappa2 > 0.0 ? (double)(s->n_s2 - 1) / s->u2_max : 0.0;
    t->inv_hz = 1.0 / s->z_step;
    t->ratio = mem;
    t->coef = mem + s->n_life * s->n_s1 * s->n_s2 * s->n_z;
}

double alvh_qtab_w(const alvh_qtab *t, size_t l, double v1, double v2)
{
    const double *c = t->coef + l * ALVH_QTAB_NCOEF;
    return fmax(c[0] * fmax(v1, 0.0) + (c[1] * fmax(v2, 0.0) + c[2]), ALVH_QTAB_W_FLOOR);
}

static double iv_linear(const alvh_qtab *t, size_t l, double v1, double v2, double lm)
{
    const alvh_qtab_spec *s = &t->g;
    double w = alvh_qtab_w(t, l, v1, v2), sqt = sqrt(t->coef[l * ALVH_QTAB_NCOEF + 3]);
    double f1, f2, fz, wz[4];
    size_t i1 = cell2(sqrt(sqrt(fmax(v1, 0.0))) * t->inv_h1, s->n_s1, &f1);
    size_t i2 = cell2(sqrt(sqrt(fmax(v2, 0.0))) * t->inv_h2, s->n_s2, &f2);
    size_t iz = cell4((lm / (sqrt(w) * sqt) - s->z_lo) * t->inv_hz, s->n_z, &fz);
    cr_weights(fz, wz);
    double w1[2] = {1.0 - f1, f1}, w2[2] = {1.0 - f2, f2};
    size_t node = s->n_s1 * s->n_s2 * s->n_z;
    double ratio = 0.0;
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++) {
            const double *row = t->ratio + l * node + ((i1 + (size_t)a) * s->n_s2 + i2 + (size_t)b) * s->n_z + iz - 1;
            double acc = 0.0;
            for (int j = 0; j < 4; j++)
                acc += wz[j] * row[j];
            ratio += w1[a] * w2[b] * acc;
        }
    return ratio * sqrt(w);
}

double alvh_qtab_iv(const alvh_qtab *t, size_t l, double v1, double v2, double lm)
{
    if (t->g.state_linear)
        return iv_linear(t, l, v1, v2, lm);
    const alvh_qtab_spec *s = &t->g;
    double w = alvh_qtab_w(t, l, v1, v2), sqt = sqrt(t->coef[l * ALVH_QTAB_NCOEF + 3]);
    double f1, f2, fz, w1[4], w2[4], wz[4];
    /* the grid's u = v^(1/4) starts at 0: one ghost cell below mirrors it (u -> -u) */
    size_t i1 = cell4(sqrt(sqrt(fmax(v1, 0.0))) * t->inv_h1 + 1.0, s->n_s1 + 1, &f1);
    size_t i2 = cell4(sqrt(sqrt(fmax(v2, 0.0))) * t->inv_h2 + 1.0, s->n_s2 + 1, &f2);
    size_t iz = cell4((lm / (sqrt(w) * sqt) - s->z_lo) * t->inv_hz, s->n_z, &fz);
    cr_weights(f1, w1), cr_weights(f2, w2), cr_weights(fz, wz);
    size_t node = s->n_s1 * s->n_s2 * s->n_z;
    double ratio = 0.0;
    for (int a = 0; a < 4; a++)
        for (int b = 0; b < 4; b++) {
            /* ghost index g maps to node |g - 1| */
            long g1 = (long)i1 + a - 2, g2 = (long)i2 + b - 2;
            size_t n1 = (size_t)(g1 < 0 ? -g1 : g1), n2 = s->n_s2 > 2 ? (size_t)(g2 < 0 ? -g2 : g2) : 0;
            if (n2 >= s->n_s2)
                n2 = s->n_s2 - 1;
            const double *row = t->ratio + l * node + (n1 * s->n_s2 + n2) * s->n_z + iz - 1;
            double acc = 0.0;
            for (int j = 0; j < 4; j++)
                acc += wz[j] * row[j];
            ratio += w1[a] * w2[b] * acc;
        }
    return ratio * sqrt(w);
}
