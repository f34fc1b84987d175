/* SPDX-License-Identifier: BSD-3-Clause */
#include "kernels/vix_table.h"

#include <complex.h>
#include <math.h>

#include "kernels/cplx.h"
#include "kernels/grid_stencil.h"
#include "kernels/kmsg.h"
#include "kernels/q_table.h"

#define VT_PI 3.14159265358979323846
#define VT_NY 256   /* VIX levels of the density's quadrature */
#define VT_NMAX 1024

int alvh_vtab_spec_init(alvh_vtab_spec *s, const alvh_spx_params *p, double dt, double t_entry, size_t life_steps,
                        size_t first_life, char *msg, size_t size)
{
    if (p->mu_v != 0.0)
        return alvh_kmsg(msg, size, "spx.mu_v: the VIX option table has no variance jumps (mu_v 0)");
    if (!(dt > 0.0) || !(t_entry > 0.0) || life_steps < 1)
        return alvh_kmsg(msg, size, "the VIX option table needs dt > 0 and a life of at least one step");
    *s = (alvh_vtab_spec){.dt = dt, .t_entry = t_entry, .n_life = life_steps + 1,
                          .first_life = first_life < 1 ? 1 : first_life, .n_s1 = ALVH_VTAB_NS,
                          .n_s2 = p->kappa2 > 0.0 ? ALVH_VTAB_NS : 2, .n_m = ALVH_VTAB_NM,
                          .m_lo = ALVH_VTAB_M_LO, .m_step = ALVH_VTAB_M_STEP};
    alvh_vix_coeffs_init(&s->vx, p);
    alvh_grid_u_max(p, &s->u1_max, &s->u2_max);
    return 0;
}

size_t alvh_vtab_doubles(const alvh_vtab_spec *s)
{
    return s->n_life * (s->n_s1 * s->n_s2 * (s->n_m + 1) + ALVH_VTAB_NCOEF);
}

double alvh_vtab_life_years(const alvh_vtab_spec *s, size_t l) { return l == 0 ? s->t_entry : (double)l * s->dt; }

/* E[v_T] = A v0 + B and Var[v_T] of a CIR factor */
static void cir_moments(double kappa, double theta, double xi, double t, double v0, double *mean, double *var)
{
    double e = exp(-kappa * t), ome = -expm1(-kappa * t);
    *mean = theta + (v0 - theta) * e;
    *var = v0 * xi * xi * e * ome / kappa + theta * xi * xi * ome * ome / (2.0 * kappa);
}

/* ln E[exp(i w v_T)]: v_T / c is noncentral chi-square with d = 4 kappa theta / xi^2
 * degrees of freedom, c = xi^2 (1 - e^{-kappa t}) / (4 kappa) */
static double complex cir_log_cf(double kappa, double theta, double xi, double t, double v0, double w)
{
    double c = xi * xi * -expm1(-kappa * t) / (4.0 * kappa), d = 4.0 * kappa * theta / (xi * xi);
    double complex den = cplx(1.0, -2.0 * w * c);
    return cdivx(cplx(0.0, w * v0 * exp(-kappa * t)), den) - 0.5 * d * clogx(den);
}

typedef struct {
    double mean, sd;
} x_moments;

/* moments of X = VIX_T^2 */
static x_moments x_moments_of(const alvh_vix_coeffs *x, double t, double v1, double v2)
{
    double m1, s1, m2 = 0.0, s2 = 0.0;
    cir_moments(x->kappa, x->theta_star, x->xi, t, fmax(v1, 0.0), &m1, &s1);
    if (x->alpha2 > 0.0)
        cir_moments(x->kappa2, x->theta2_star, x->xi2, t, fmax(v2, 0.0), &m2, &s2);
    return (x_moments){x->alpha * m1 + x->alpha2 * m2 + x->beta,
                       sqrt(x->alpha * x->alpha * s1 + x->alpha2 * x->alpha2 * s2)};
}

/* the density of VIX_T on a grid of VT_NY midpoints y_j from sqrt(a): g_j h
 * (normalized to sum 1); returns h */
static double vix_density(const alvh_vix_coeffs *x, double t, double v1, double v2, double *y0, double *g)
{
    x_moments xm = x_moments_of(x, t, v1, v2);
    double a = fmax(x->beta, xm.mean - 10.0 * xm.sd), b = xm.mean + 16.0 * xm.sd, bma = b - a;
    int n = (int)fmin(fmax(ceil(10.0 * bma / xm.sd), 64.0), VT_NMAX);
    double fk[VT_NMAX];
    for (int k = 0; k < n; k++) {
        double w = (double)k * VT_PI / bma;
        double complex l = cir_log_cf(x->kappa, x->theta_star, x->xi, t, fmax(v1, 0.0), x->alpha * w);
        if (x->alpha2 > 0.0)
            l += cir_log_cf(x->kappa2, x->theta2_star, x->xi2, t, fmax(v2, 0.0), x->alpha2 * w);
        fk[k] = 2.0 / bma * creal(cexp(l + I * w * (x->beta - a)));
    }
    fk[0] *= 0.5;
    double ya = sqrt(a), h = (sqrt(b) - ya) / VT_NY, mass = 0.0;
    /* the series at every level at once, cos(k th_j) by rotation: the loop over
     * levels is the inner one (independent, vectorizable) */
    double ct[VT_NY], st[VT_NY], cr[VT_NY], sr[VT_NY], f[VT_NY];
    for (int j = 0; j < VT_NY; j++) {
        double y = ya + ((double)j + 0.5) * h, th = VT_PI * (y * y - a) / bma;
        ct[j] = cos(th), st[j] = sin(th), cr[j] = 1.0, sr[j] = 0.0, f[j] = 0.0;
    }
    for (int k = 0; k < n; k++)
        for (int j = 0; j < VT_NY; j++) {
            f[j] += fk[k] * cr[j];
            double c2 = cr[j] * ct[j] - sr[j] * st[j];
            sr[j] = sr[j] * ct[j] + cr[j] * st[j];
            cr[j] = c2;
        }
    for (int j = 0; j < VT_NY; j++) {
        /* the density of y = sqrt(x); unclipped: the series' ripples cancel in the integrals */
        g[j] = f[j] * 2.0 * (ya + ((double)j + 0.5) * h) * h;
        mass += g[j];
    }
    for (int j = 0; j < VT_NY; j++)
        g[j] /= mass;
    *y0 = ya;
    return h;
}

/* E[VIX_T] and the calls of n_k strikes from the density: the tail sums
 * S0(j) = sum_{i >= j} g_i and S1(j) = sum_{i >= j} y_i g_i give every
 * strike's sum of (y_i - K) g_i over the levels above K */
static double prices_of(double y0, double h, const double *g, size_t n_k, const double *strike, double *call)
{
    double s0[VT_NY + 1], s1[VT_NY + 1];
    s0[VT_NY] = s1[VT_NY] = 0.0;
    for (int j = VT_NY - 1; j >= 0; j--) {
        s0[j] = s0[j + 1] + g[j];
        s1[j] = s1[j + 1] + (y0 + ((double)j + 0.5) * h) * g[j];
    }
    for (size_t i = 0; i < n_k; i++) {
        /* the first level above the strike */
        double x = ceil((strike[i] - y0) / h - 0.5);
        int j = x <= 0.0 ? 0 : x >= VT_NY ? VT_NY : (int)x;
        while (j > 0 && y0 + ((double)j - 0.5) * h > strike[i])
            j--;
        while (j < VT_NY && y0 + ((double)j + 0.5) * h <= strike[i])
            j++;
        call[i] = s1[j] - strike[i] * s0[j];
    }
    return s1[0];
}

void alvh_vtab_cos_prices(const alvh_vtab_spec *s, double t, double v1, double v2, size_t n_k, const double *strike,
                          double *e_vix, double *call)
{
    double g[VT_NY], y0;
    double h = vix_density(&s->vx, t, v1, v2, &y0, g);
    *e_vix = prices_of(y0, h, g, n_k, strike, call);
}

/* E[VIX_T^2] = A1 v1 + A2 v2 + B of life t */
static void x_mean_coef(const alvh_vix_coeffs *x, double t, double *a1, double *a2, double *b)
{
    double e1 = exp(-x->kappa * t), e2 = x->alpha2 > 0.0 ? exp(-x->kappa2 * t) : 0.0;
    *a1 = x->alpha * e1;
    *a2 = x->alpha2 * e2;
    *b = x->beta + x->alpha * x->theta_star * (1.0 - e1) + (x->alpha2 > 0.0 ? x->alpha2 * x->theta2_star * (1.0 - e2) : 0.0);
}

void alvh_vtab_fill_life(const alvh_vtab_spec *s, size_t l, double *mem)
{
    const size_t nm = s->n_m, row = nm + 1, node = s->n_s1 * s->n_s2 * row;
    double t = alvh_vtab_life_years(s, l), a1, a2, b;
    x_mean_coef(&s->vx, t, &a1, &a2, &b);
    double *coef = mem + s->n_life * node + l * ALVH_VTAB_NCOEF;
    coef[0] = a1, coef[1] = a2, coef[2] = b, coef[3] = t;
    double h1 = s->u1_max / (double)(s->n_s1 - 1), h2 = s->u2_max / (double)(s->n_s2 - 1);
    for (size_t i1 = 0; i1 < s->n_s1; i1++)
        for (size_t i2 = 0; i2 < s->n_s2; i2++) {
            double *out = mem + l * node + (i1 * s->n_s2 + i2) * row;
            double u1 = (double)i1 * h1, u2 = (double)i2 * h2;
            double v1 = u1 * u1 * u1 * u1, v2 = s->n_s2 > 2 ? u2 * u2 * u2 * u2 : 0.0;
            if (l > 0 && l < s->first_life) { /* a life nobody marks */
                for (size_t j = 0; j < row; j++)
                    out[j] = j == 0 ? 1.0 : 0.5 * sqrt(t);
                continue;
            }
            double k[ALVH_VTAB_NM], c[ALVH_VTAB_NM], g[VT_NY], y0;
            double h = vix_density(&s->vx, t, v1, v2, &y0, g), f = prices_of(y0, h, g, 0, k, c);
            for (size_t j = 0; j < nm; j++)
                k[j] = f * exp(s->m_lo + (double)j * s->m_step);
            prices_of(y0, h, g, nm, k, c);
            out[0] = f / sqrt(a1 * v1 + a2 * v2 + b);
            for (size_t j = 0; j < nm; j++) {
                double km = s->m_lo + (double)j * s->m_step, p = c[j] / f;
                int otm_call = km >= 0.0;
                if (!otm_call) /* the out-of-the-money put by parity */
                    p = p - 1.0 + exp(km);
                out[1 + j] = alvh_qtab_implied_sd(p, km, otm_call);
            }
        }
}

void alvh_vtab_bind(alvh_vtab *t, const alvh_vtab_spec *s, const double *mem)
{
    t->g = *s;
    t->inv_h1 = (double)(s->n_s1 - 1) / s->u1_max;
    t->inv_h2 = s->n_s2 > 2 ? (double)(s->n_s2 - 1) / s->u2_max : 0.0;
    t->inv_hm = 1.0 / s->m_step;
    t->val = mem;
    t->coef = mem + s->n_life * s->n_s1 * s->n_s2 * (s->n_m + 1);
}

/* the bilinear cell of (v1, v2): the 4 rows' offsets and weights */
static void cell_of(const alvh_vtab *t, size_t l, double v1, double v2, size_t off[4], double w[4])
{
    const alvh_vtab_spec *s = &t->g;
    double f1, f2;
    size_t i1 = cell2(sqrt(sqrt(fmax(v1, 0.0))) * t->inv_h1, s->n_s1, &f1);
    size_t i2 = cell2(sqrt(sqrt(fmax(v2, 0.0))) * t->inv_h2, s->n_s2, &f2);
    const size_t row = s->n_m + 1, node = s->n_s1 * s->n_s2 * row;
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++) {
            off[2 * a + b] = l * node + ((i1 + (size_t)a) * s->n_s2 + i2 + (size_t)b) * row;
            w[2 * a + b] = (a ? f1 : 1.0 - f1) * (b ? f2 : 1.0 - f2);
        }
}

double alvh_vtab_future(const alvh_vtab *t, size_t l, double v1, double v2)
{
    size_t off[4];
    double w[4], r = 0.0;
    cell_of(t, l, v1, v2, off, w);
    for (int k = 0; k < 4; k++)
        r += w[k] * t->val[off[k]];
    const double *c = t->coef + l * ALVH_VTAB_NCOEF;
    return r * sqrt(c[0] * fmax(v1, 0.0) + (c[1] * fmax(v2, 0.0) + c[2]));
}

double alvh_vtab_sd(const alvh_vtab *t, size_t l, double v1, double v2, double k)
{
    size_t off[4];
    double w[4], fm, wm[4], r = 0.0;
    cell_of(t, l, v1, v2, off, w);
    double m = log(k / alvh_vtab_future(t, l, v1, v2));
    size_t im = cell4((m - t->g.m_lo) * t->inv_hm, t->g.n_m, &fm);
    cr_weights(fm, wm);
    for (int a = 0; a < 4; a++) {
        const double *row = t->val + off[a] + 1 + im - 1;
        double acc = 0.0;
        for (int j = 0; j < 4; j++)
            acc += wm[j] * row[j];
        r += w[a] * acc;
    }
    return r;
}
