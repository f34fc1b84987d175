/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One time step of the SPX model for n paths, written once and compiled per ISA
 * (kernels/CMakeLists.txt). State (ln S, v) is updated in place;
 * `jumps` (may be NULL) accumulates the jump count of each path.
 */
#include "kernels/spx_step_core.h"

void ALVH_ISA_SUFFIX(alvh_spx_step)(const alvh_spx_consts *c, size_t n, double *restrict ln_s,
                                    double *restrict v, const alvh_spx_draws *d, double *restrict jumps)
{
    for (size_t i = 0; i < n; i += ALVH_W) {
        size_t m = n - i < ALVH_W ? n - i : ALVH_W;
        vd x = vd_load_n(ln_s + i, m), var = vd_load_n(v + i, m);
        vd zs = vd_load_n(d->z_s + i, m), zv = vd_load_n(d->z_v + i, m);
        if (c->scheme == ALVH_SCHEME_QE)
            qe_step(c, &x, &var, zs, zv, vd_load_n(d->u_v + i, m));
        else
            euler_step(c, &x, &var, zs, zv);
        if (c->has_jumps) {
            vd nj = jump_step(c, &x, &var, vd_load_n(d->u_n + i, m), vd_load_n(d->z_j + i, m),
                              vd_load_n(d->u_jv1 + i, m), vd_load_n(d->u_jv2 + i, m), &(vd){0});
            if (jumps)
                vd_store_n(jumps + i, m, vd_add(vd_load_n(jumps + i, m), nj));
        }
        vd_store_n(ln_s + i, m, x);
        vd_store_n(v + i, m, var);
    }
}
