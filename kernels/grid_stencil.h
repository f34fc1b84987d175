/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scalar stencils of the Q price tables' grids (kernels/q_table.c,
 * kernels/vix_table.c): the factor grids' range, the four-node Catmull-Rom
 * and the two-node linear cells. The vector lookups (q_table_core.h,
 * vix_table_core.h) follow them.
 */
#ifndef ALVH_KERNELS_GRID_STENCIL_H
#define ALVH_KERNELS_GRID_STENCIL_H

#include <math.h>
#include <stddef.h>

#include "kernels/spx_model.h"

/* Maxima of u_f = v_f^(1/4) on the factor grids: the variances the paths
 * visit (assumption: factor vols up to 80 and 160 vol points, beyond the
 * start if it is higher); past them the edge node. Uniform in v^(1/4): dense
 * at low variance, where the prices change fastest. */
static inline void alvh_grid_u_max(const alvh_spx_params *p, double *u1_max, double *u2_max)
{
    *u1_max = sqrt(fmax(0.8, 1.25 * sqrt(fmax(p->v0, 0.0))));
    *u2_max = sqrt(fmax(1.6, 1.25 * sqrt(fmax(p->v2_0, 0.0))));
}

/* cell position x on a grid of n >= 4 nodes for a four-node stencil: index
 * in [1, n - 3], fraction (clamped x minus index) in [0, 1] (the grid's ends
 * are clamped to the first and last interior cells: edge values beyond) */
static inline size_t cell4(double x, size_t n, double *frac)
{
    x = fmin(fmax(x, 1.0), (double)(n - 2));
    double i = fmin(floor(x), (double)(n - 3));
    *frac = x - i;
    return (size_t)i;
}

/* Catmull-Rom weights of the nodes i - 1 .. i + 2 at fraction f */
static inline void cr_weights(double f, double w[4])
{
    w[0] = 0.5 * f * (-1.0 + f * (2.0 - f));
    w[1] = 0.5 * (2.0 + f * f * (-5.0 + 3.0 * f));
    w[2] = 0.5 * f * (1.0 + f * (4.0 - 3.0 * f));
    w[3] = 0.5 * f * f * (f - 1.0);
}

/* the two-node stencil of a factor grid from u = 0 (qfactor_linear) */
static inline size_t cell2(double x, size_t n, double *frac)
{
    if (n <= 2) {
        *frac = 0.0;
        return 0;
    }
    x = fmin(x, (double)(n - 1));
    double i = fmin(floor(x), (double)(n - 2));
    *frac = x - i;
    return (size_t)i;
}

#endif
