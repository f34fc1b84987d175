/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The condor's pricing-measure (Q) marks: implied vols read from the table of
 * kernels/q_table.h (built once per scenario by the engine), per lane, at the
 * lane's life slot and variance factors. Included by book_step_impl.h after
 * its LD/ST macros; the scalar reference is alvh_qtab_iv (tests/test_qmark.c
 * checks that every ISA agrees with it).
 */
#include "kernels/q_table_core.h"

/* the variances a strip is marked from: the one-factor effective variance
 * (the old marks) and the two Q factors (the table; v2 = 0 with one factor) */
typedef struct {
    vd v, v1, v2;
} spx_var;

static inline spx_var spx_var_lanes(const alvh_book_consts *c, const alvh_book_market *mk, vd v_eff, size_t i, size_t m)
{
    spx_var sv = {v_eff, v_eff, vd_set1(0.0)};
    if (c->qtab && mk->v1) {
        sv.v1 = LD(mk->v1);
        if (mk->v2)
            sv.v2 = LD(mk->v2);
    }
    return sv;
}

/* a leg's total vol: the table's, plus the optional skew overlay (0 by
 * default) in vol per unit ln(K/F), within the floor and cap */
static inline vd qleg_sd(const alvh_qtab *q, const alvh_iv_skew *sk, const qcell *c, vd lm, vd sqt)
{
    vd sd = qcell_sd(q, c, lm);
    if (sk->skew_slope != 0.0 || sk->skew_curv != 0.0)
        sd = vd_fma(vd_mul(lm, vd_fma(vd_set1(sk->skew_curv), lm, vd_set1(sk->skew_slope))), sqt, sd);
    return vd_min(vd_max(sd, vd_mul(vd_set1(sk->sigma_floor), sqt)), vd_mul(vd_set1(sk->sigma_cap), sqt));
}

/* total vols of a strip's four legs by the table */
static inline void qstrip_sd(const alvh_book_consts *c, const spx_var *sv, vd life, vd sqt, const vd lm[4], vd sd[4])
{
    qcell q;
    qcell_fill(&q, c->qtab, life, sv->v1, sv->v2, sqt);
    for (int l = 0; l < 4; l++)
        sd[l] = qleg_sd(c->qtab, &c->p.condor.skew, &q, lm[l], sqt);
}

/* strike of d1 at the entry life (slot 0) by the table: two passes from the
 * at-the-money vol, as the one-factor strike_for_d1; lm = -d1 sd + sd^2 / 2 */
static inline vd qstrike_for_d1(const alvh_book_consts *c, vd s, const spx_var *sv, double t, double d1)
{
    vd sqt = vd_set1(sqrt(t)), fwd = vd_mul(s, vd_set1(exp((c->r_ann - c->q_ann) * t)));
    qcell q;
    qcell_fill(&q, c->qtab, vd_set1(0.0), sv->v1, sv->v2, sqt);
    vd lm = vd_set1(0.0);
    for (int it = 0; it < 2; it++) {
        vd sd = qleg_sd(c->qtab, &c->p.condor.skew, &q, lm, sqt);
        lm = vd_fma(vd_set1(-d1), sd, vd_mul(vd_set1(0.5), vd_mul(sd, sd)));
    }
    return vd_mul(fwd, vmath_exp(lm));
}
