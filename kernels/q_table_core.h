/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lane-parallel lookup of the Q price table (kernels/q_table.h): the cell of a
 * strip (life slot, variance factors) and the total implied vol of a leg in
 * it. Include a backend header first. The scalar reference is alvh_qtab_iv;
 * alvh_qtab_sd_batch (bs_impl.h) exposes this code per ISA for the tests.
 */
#ifndef ALVH_KERNELS_Q_TABLE_CORE_H
#define ALVH_KERNELS_Q_TABLE_CORE_H
#include "kernels/q_table.h"

/* what the legs of one strip share in the table: the offsets of the 4 x 4
 * (u1, u2) stencil's rows and their bicubic weights, sqrt(w T) and 1/it */
typedef struct {
    vd base[16], wc[16], sdp, inv_sdp;
} qcell;

/* Catmull-Rom weights of the nodes i - 1 .. i + 2 at fraction f */
static inline void qcr_weights(vd f, vd w[4])
{
    const vd half = vd_set1(0.5), one = vd_set1(1.0), ff = vd_mul(f, f);
    w[0] = vd_mul(vd_mul(half, f), vd_fma(f, vd_sub(vd_set1(2.0), f), vd_set1(-1.0)));
    w[1] = vd_mul(half, vd_fma(ff, vd_fma(vd_set1(3.0), f, vd_set1(-5.0)), vd_set1(2.0)));
    w[2] = vd_mul(vd_mul(half, f), vd_fma(f, vd_fma(vd_set1(-3.0), f, vd_set1(4.0)), one));
    w[3] = vd_mul(vd_mul(half, ff), vd_sub(f, one));
}

/* x on a grid of n >= 4 nodes for a four-node stencil: index in [1, n - 3]
 * (NaN -> 1), fraction of the clamped x in [0, 1] (alvh_qtab_iv's cell4) */
static inline vd qgrid_cell4(vd x, size_t n, vd *frac)
{
    x = vd_min(vd_max(x, vd_set1(1.0)), vd_set1((double)(n - 2)));
    vd i = vd_min(vd_floor(x), vd_set1((double)(n - 3)));
    *frac = vd_sub(x, i);
    return i;
}

/* stencil nodes of a factor grid that starts at u = 0 with one mirrored ghost
 * cell below (node |i + a - 2|, a = 0..3) and their weights */
static inline void qfactor_stencil(vd v, double inv_h, size_t n, vd node[4], vd w[4])
{
    const vd zero = vd_set1(0.0);
    if (n <= 2) { /* one factor: the single row */
        for (int a = 0; a < 4; a++)
            node[a] = zero, w[a] = a == 1 ? vd_set1(1.0) : zero;
        return;
    }
    vd f, i = qgrid_cell4(vd_fma(vd_sqrt(vd_sqrt(vd_max(v, zero))), vd_set1(inv_h), vd_set1(1.0)), n + 1, &f);
    qcr_weights(f, w);
    for (int a = 0; a < 4; a++)
        node[a] = vd_abs(vd_add(i, vd_set1((double)(a - 2))));
}

/* a life slot of the lanes (whole steps, clamped to the table) */
static inline vd qlife_slot(vd life, size_t n_life)
{
    return vd_min(vd_max(vd_round(life), vd_set1(0.0)), vd_set1((double)(n_life - 1)));
}

/* c0 v1+ + c1 v2+ + c2 from the first three of a slot's ncoef coefficients
 * (w of the Q price tables, E[VIX_T^2] of the VIX option table) */
static inline vd qlife_affine(const double *coef, size_t ncoef, vd l, vd v1, vd v2)
{
    const vd zero = vd_set1(0.0);
    vd lc = vd_mul(l, vd_set1((double)ncoef));
    vd c0 = vd_gather(coef, lc), c1 = vd_gather(coef, vd_add(lc, vd_set1(1.0)));
    vd c2 = vd_gather(coef, vd_add(lc, vd_set1(2.0)));
    return vd_fma(c0, vd_max(v1, zero), vd_fma(c1, vd_max(v2, zero), c2));
}

/* fills *c in place: the cell is 2 KB at AVX-512, and a returned copy of it
 * cost a block move per strip and day */
static inline void qcell_fill(qcell *c, const alvh_qtab *q, vd life, vd v1, vd v2, vd sqt)
{
    const alvh_qtab_spec *g = &q->g;
    const vd one = vd_set1(1.0);
    vd l = qlife_slot(life, g->n_life);
    vd w = vd_max(qlife_affine(q->coef, ALVH_QTAB_NCOEF, l, v1, v2), vd_set1(ALVH_QTAB_W_FLOOR));
    vd n1[4], w1[4], n2[4], w2[4];
    qfactor_stencil(v1, q->inv_h1, g->n_s1, n1, w1);
    qfactor_stencil(v2, q->inv_h2, g->n_s2, n2, w2);
    const vd ns1 = vd_set1((double)g->n_s1), ns2 = vd_set1((double)g->n_s2), nz = vd_set1((double)g->n_z);
    for (int a = 0; a < 4; a++) {
        vd r1 = vd_mul(vd_fma(l, ns1, n1[a]), ns2); /* (l n1 + i1) n2 */
        for (int k = 0; k < 4; k++) {
            c->base[4 * a + k] = vd_mul(vd_add(r1, n2[k]), nz);
            c->wc[4 * a + k] = vd_mul(w1[a], w2[k]);
        }
    }
    c->sdp = vd_mul(vd_sqrt(w), sqt);
    c->inv_sdp = vd_div(one, vd_max(c->sdp, vd_set1(1e-300)));
}

/* The sum over a cell's rows of weight wc[k] times the Catmull-Rom value
 * along row k (n nodes from offset base[k] of tab) at grid position x,
 * clamped to the grid: the one stencil of every table lookup (the Q price
 * tables here, the VIX option table in vix_table_core.h). */
static inline vd qrows_cr(const double *tab, const vd *base, const vd *wc, int rows, vd x, size_t n)
{
    vd f, w[4];
    vd i = qgrid_cell4(x, n, &f);
    qcr_weights(f, w);
    vd off = vd_sub(i, vd_set1(1.0)), r = vd_set1(0.0);
    for (int k = 0; k < rows; k++) {
        vd g[4];
        vd_gather4(tab, vd_add(base[k], off), g); /* the row's four nodes are adjacent */
        vd acc = vd_mul(w[0], g[0]);
        for (int j = 1; j < 4; j++)
            acc = vd_fma(w[j], g[j], acc);
        r = vd_fma(wc[k], acc, r);
    }
    return r;
}

/* a cell's position on the z grid of lm = ln(K/F) */
static inline vd qz_of(const alvh_qtab *q, vd inv_sdp, vd lm)
{
    return vd_mul(vd_sub(vd_mul(lm, inv_sdp), vd_set1(q->g.z_lo)), vd_set1(q->inv_hz));
}

/* the table's total implied vol sigma sqrt(T) at lm = ln(K/F): Catmull-Rom in
 * z, v1^(1/4) and v2^(1/4) (z clamped to the grid) */
static inline vd qcell_sd(const alvh_qtab *q, const qcell *c, vd lm)
{
    return vd_mul(qrows_cr(q->ratio, c->base, c->wc, 16, qz_of(q, c->inv_sdp, lm), q->g.n_z), c->sdp);
}

/* ---- the bilinear-in-state lookup (spec state_linear: the token and ETH) ---- */

/* what the options of one life share: the 2 x 2 (u1, u2) rows and weights */
typedef struct {
    vd base[4], wc[4], sdp, inv_sdp;
} qcell_lin;

/* the two nodes of a factor grid from u = 0 around v and their weights */
static inline void qfactor_linear(vd v, double inv_h, size_t n, vd node[2], vd w[2])
{
    const vd zero = vd_set1(0.0), one = vd_set1(1.0);
    if (n <= 2) { /* one factor: the single row */
        node[0] = node[1] = zero, w[0] = one, w[1] = zero;
        return;
    }
    vd x = vd_min(vd_mul(vd_sqrt(vd_sqrt(vd_max(v, zero))), vd_set1(inv_h)), vd_set1((double)(n - 1)));
    vd i = vd_min(vd_floor(x), vd_set1((double)(n - 2)));
    vd f = vd_sub(x, i);
    node[0] = i, node[1] = vd_add(i, one), w[0] = vd_sub(one, f), w[1] = f;
}

static inline qcell_lin qcell_lin_of(const alvh_qtab *q, vd life, vd v1, vd v2, vd sqt)
{
    const alvh_qtab_spec *g = &q->g;
    const vd one = vd_set1(1.0);
    vd l = qlife_slot(life, g->n_life);
    vd w = vd_max(qlife_affine(q->coef, ALVH_QTAB_NCOEF, l, v1, v2), vd_set1(ALVH_QTAB_W_FLOOR));
    vd n1[2], w1[2], n2[2], w2[2];
    qfactor_linear(v1, q->inv_h1, g->n_s1, n1, w1);
    qfactor_linear(v2, q->inv_h2, g->n_s2, n2, w2);
    const vd ns1 = vd_set1((double)g->n_s1), ns2 = vd_set1((double)g->n_s2), nz = vd_set1((double)g->n_z);
    qcell_lin c;
    for (int a = 0; a < 2; a++) {
        vd r1 = vd_mul(vd_fma(l, ns1, n1[a]), ns2);
        for (int k = 0; k < 2; k++) {
            c.base[2 * a + k] = vd_mul(vd_add(r1, n2[k]), nz);
            c.wc[2 * a + k] = vd_mul(w1[a], w2[k]);
        }
    }
    c.sdp = vd_mul(vd_sqrt(w), sqt);
    c.inv_sdp = vd_div(one, vd_max(c.sdp, vd_set1(1e-300)));
    return c;
}

/* total implied vol at lm = ln(K/F): Catmull-Rom in z, bilinear in (u1, u2) */
static inline vd qcell_lin_sd(const alvh_qtab *q, const qcell_lin *c, vd lm)
{
    return vd_mul(qrows_cr(q->ratio, c->base, c->wc, 4, qz_of(q, c->inv_sdp, lm), q->g.n_z), c->sdp);
}

#endif
