/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lane-parallel lookup of the VIX option table (kernels/vix_table.h): the cell
 * of the lanes' (v1, v2) at one life slot, the future, and the Black-76 total
 * vol of a strike. Include a backend header first. The scalar references are
 * alvh_vtab_future and alvh_vtab_sd; alvh_vtab_batch (bs_impl.h) exposes this
 * code per ISA for the tests.
 */
#ifndef ALVH_KERNELS_VIX_TABLE_CORE_H
#define ALVH_KERNELS_VIX_TABLE_CORE_H
#include "kernels/q_table_core.h"
#include "kernels/vix_table.h"

/* what one life's marks share: the 2 x 2 rows (offsets of their first vol
 * column; the future sits just before), their weights and the future */
typedef struct {
    vd base[4], wc[4], fwd;
} vcell;

/* the cell of the lanes' life slots (whole steps, slot 0 the purchase life) at (v1, v2) */
static inline vcell vcell_of(const alvh_vtab *t, vd life, vd v1, vd v2)
{
    const alvh_vtab_spec *g = &t->g;
    const vd zero = vd_set1(0.0), one = vd_set1(1.0);
    vd l = qlife_slot(life, g->n_life);
    vd n1[2], w1[2], n2[2], w2[2];
    qfactor_linear(v1, t->inv_h1, g->n_s1, n1, w1);
    qfactor_linear(v2, t->inv_h2, g->n_s2, n2, w2);
    const vd row = vd_set1((double)(g->n_m + 1)), ns1 = vd_set1((double)g->n_s1), ns2 = vd_set1((double)g->n_s2);
    vcell vc;
    vd ratio = zero;
    for (int a = 0; a < 2; a++)
        for (int k = 0; k < 2; k++) {
            vd node = vd_fma(vd_fma(l, ns1, n1[a]), ns2, n2[k]); /* (l n1 + i1) n2 + i2 */
            vd at = vd_mul(node, row);
            vc.base[2 * a + k] = vd_add(at, one);
            vc.wc[2 * a + k] = vd_mul(w1[a], w2[k]);
            ratio = vd_fma(vc.wc[2 * a + k], vd_gather(t->val, at), ratio);
        }
    vc.fwd = vd_mul(ratio, vd_sqrt(qlife_affine(t->coef, ALVH_VTAB_NCOEF, l, v1, v2)));
    return vc;
}

/* Black-76 total vol of strike k: Catmull-Rom in ln(k / fwd), bilinear in the state */
static inline vd vcell_sd(const alvh_vtab *t, const vcell *vc, vd k)
{
    vd x = vd_mul(vd_sub(vmath_log(vd_div(k, vc->fwd)), vd_set1(t->g.m_lo)), vd_set1(t->inv_hm));
    return qrows_cr(t->val, vc->base, vc->wc, 4, x, t->g.n_m);
}

#endif
