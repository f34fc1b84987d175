/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lane-parallel option pricing, written once and compiled per ISA (after a
 * backend header: kernels/CMakeLists.txt). Same formulas and
 * limits as the scalar API in bs.c; the normal CDF is vmath_ncdf.
 */
#include "kernels/bs.h"
#include "kernels/simd/partial.h"
#include "kernels/bs_core.h"
#include "kernels/simd/vmath_normal.h"
#include "kernels/q_table_core.h"
#include "kernels/vix_table_core.h"

void ALVH_ISA_SUFFIX(alvh_bs_batch)(size_t n, const double *restrict s, const double *restrict k,
                                    const double *restrict t_years, const double *restrict sigma, double r_ann,
                                    double q_ann, int is_call, double *restrict price, double *restrict delta)
{
    const double w = is_call ? 1.0 : -1.0;
    for (size_t i = 0; i < n; i += ALVH_W) {
        size_t m = n - i < ALVH_W ? n - i : ALVH_W;
        vd p, d;
        /* lanes past m see zeros and compute NaNs that are never stored */
        bsm_lanes(vd_load_n(s + i, m), vd_load_n(k + i, m), vd_load_n(t_years + i, m), vd_load_n(sigma + i, m),
                  r_ann, q_ann, w, &p, &d);
        vd_store_n(price + i, m, p);
        if (delta)
            vd_store_n(delta + i, m, d);
    }
}

/* Black-76 is BSM on the forward with q = r */
void ALVH_ISA_SUFFIX(alvh_black76_batch)(size_t n, const double *restrict f, const double *restrict k,
                                         const double *restrict t_years, const double *restrict sigma,
                                         double r_ann, int is_call, double *restrict price, double *restrict delta)
{
    ALVH_ISA_SUFFIX(alvh_bs_batch)(n, f, k, t_years, sigma, r_ann, r_ann, is_call, price, delta);
}

void ALVH_ISA_SUFFIX(alvh_iv_batch)(const alvh_iv_model *mdl, const alvh_iv_skew *sk, size_t n,
                                    const double *restrict v, const double *restrict s, const double *restrict k,
                                    double t_years, double *restrict sigma)
{
    /* everything that depends on the life alone is computed once:
     * sigma_atm^2 = a v+ + b, a = (1 - e^{-kT}) / (kT), b = (1 - a) theta* + jump variance */
    double tt = t_years > 0.0 ? t_years : 0.0, kt = mdl->kappa * tt;
    double a = kt > 0.0 ? -expm1(-kt) / kt : 1.0;
    double b = (1.0 - a) * mdl->theta_star + mdl->jump_var_ann;
    double carry = (mdl->r_ann - mdl->q_ann) * tt; /* ln(F/S) */
    const vd zero = vd_set1(0.0);
    for (size_t i = 0; i < n; i += ALVH_W) {
        size_t m = n - i < ALVH_W ? n - i : ALVH_W;
        vd var = vd_fma(vd_set1(a), vd_max(vd_load_n(v + i, m), zero), vd_set1(b));
        vd atm = vd_sqrt(vd_max(var, zero));
        vd lm = vd_sub(vmath_log(vd_div(vd_load_n(k + i, m), vd_load_n(s + i, m))), vd_set1(carry));
        vd sg = vd_fma(lm, vd_fma(vd_set1(sk->skew_curv), lm, vd_set1(sk->skew_slope)), atm);
        sg = vd_min(vd_max(sg, vd_set1(sk->sigma_floor)), vd_set1(sk->sigma_cap));
        vd_store_n(sigma + i, m, sg);
    }
}

void ALVH_ISA_SUFFIX(alvh_norm_cdf_batch)(size_t n, const double *restrict x, double *restrict out)
{
    for (size_t i = 0; i < n; i += ALVH_W) {
        size_t m = n - i < ALVH_W ? n - i : ALVH_W;
        vd_store_n(out + i, m, vmath_ncdf(vd_load_n(x + i, m)));
    }
}

void ALVH_ISA_SUFFIX(alvh_qtab_sd_batch)(const alvh_qtab *q, size_t n, const double *restrict life,
                                         const double *restrict v1, const double *restrict v2,
                                         const double *restrict lm, double *restrict sd)
{
    for (size_t i = 0; i < n; i += ALVH_W) {
        size_t m = n - i < ALVH_W ? n - i : ALVH_W;
        vd l = vd_load_n(life + i, m);
        vd sqt = vd_sqrt(vd_gather(q->coef, vd_fma(vd_min(vd_max(vd_round(l), vd_set1(0.0)),
                                                                 vd_set1((double)(q->g.n_life - 1))),
                                                         vd_set1((double)ALVH_QTAB_NCOEF), vd_set1(3.0))));
        vd f1 = vd_load_n(v1 + i, m), f2 = vd_load_n(v2 + i, m), k = vd_load_n(lm + i, m);
        if (q->g.state_linear) {
            qcell_lin c = qcell_lin_of(q, l, f1, f2, sqt);
            vd_store_n(sd + i, m, qcell_lin_sd(q, &c, k));
        } else {
            qcell c;
            qcell_fill(&c, q, l, f1, f2, sqt);
            vd_store_n(sd + i, m, qcell_sd(q, &c, k));
        }
    }
}

void ALVH_ISA_SUFFIX(alvh_vtab_batch)(const alvh_vtab *t, size_t n, const double *restrict life,
                                     const double *restrict v1, const double *restrict v2, const double *restrict k,
                                     double *restrict fwd, double *restrict sd)
{
    for (size_t i = 0; i < n; i += ALVH_W) {
        size_t m = n - i < ALVH_W ? n - i : ALVH_W;
        vcell c = vcell_of(t, vd_load_n(life + i, m), vd_load_n(v1 + i, m), vd_load_n(v2 + i, m));
        vd_store_n(fwd + i, m, c.fwd);
        vd_store_n(sd + i, m, vcell_sd(t, &c, vd_load_n(k + i, m)));
    }
}
