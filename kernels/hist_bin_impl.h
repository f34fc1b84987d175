/*
 * Histogram binning (hist_bin.h), written once and compiled per ISA
 * (hist_bin_scalar.c, _avx2.c, _avx512.c, each built with -ffp-contract=off
 * so the edges j w + lo round exactly as the scalar reference's). Include a
 * backend header first.
 */
#include <math.h>

#include "kernels/hist_bin.h"
#include "kernels/simd/partial.h"

static inline vd hb1(double x) { return vd_set1(x); }

/* bin of every lane of `in`: the quotient's floor, clamped, then moved down or
 * up until e_j <= x < e_{j+1} on the edges the reference reports */
static inline vd bin_of(vd x, vm in, double lo, double w, double last)
{
    const vd zero = hb1(0.0), one = hb1(1.0), vlo = hb1(lo), vw = hb1(w), vlast = hb1(last);
    vd q = vd_blend(in, zero, vd_div(vd_sub(x, vlo), vw));
    vd j = vd_round(q);
    j = vd_blend(vd_lt(q, j), j, vd_sub(j, one)); /* floor for q >= 0 */
    j = vd_min(vd_max(j, zero), vlast);
    for (;;) {
        vd e0 = vd_add(vd_mul(j, vw), vlo), e1 = vd_add(vd_mul(vd_add(j, one), vw), vlo);
        vm down = vm_and(in, vm_and(vd_lt(x, e0), vd_lt(zero, j)));
        vm up = vm_and(in, vm_and(vd_le(e1, x), vd_lt(j, vlast)));
        if (!vm_any(vm_or(down, up)))
            return j;
        j = vd_add(vd_sub(j, vd_blend(down, zero, one)), vd_blend(up, zero, one));
    }
}

void ALVH_ISA_SUFFIX(alvh_hist_bin)(double lo, double hi, size_t n_bins, size_t n, const double *restrict x,
                                    uint64_t *restrict counts, alvh_bin_tally *restrict t)
{
    const double w = (hi - lo) / (double)n_bins, last = (double)n_bins - 1.0;
    const vd zero = hb1(0.0), one = hb1(1.0), inf = hb1(INFINITY), vlo = hb1(lo), vhi = hb1(hi);
    double lane_no[ALVH_W];
    for (size_t l = 0; l < ALVH_W; l++)
        lane_no[l] = (double)l;
    const vd lanes = vd_load(lane_no);
    /* per-lane tallies: counts as doubles (exact below 2^53 per call) */
    vd mn = inf, mx = vd_sub(zero, inf), c_under = zero, c_over = zero, c_fin = zero, c_nan = zero, c_inf = zero;
    double code[ALVH_W];
    for (size_t i = 0; i < n; i += ALVH_W) {
        size_t m = n - i < ALVH_W ? n - i : ALVH_W;
        vd xv = vd_load_n(x + i, m);
        vm valid = vd_lt(lanes, hb1((double)m));
        vm num = vm_and(valid, vd_le(xv, xv)); /* not NaN */
        vm fin = vm_and(num, vd_lt(vd_abs(xv), inf));
        vm under = vm_and(fin, vd_lt(xv, vlo)), over = vm_and(fin, vd_le(vhi, xv));
        vm in = vm_and(fin, vm_not(vm_or(under, over)));
        c_nan = vd_add(c_nan, vd_blend(vm_and(valid, vm_not(num)), zero, one));
        c_inf = vd_add(c_inf, vd_blend(vm_and(num, vm_not(fin)), zero, one));
        c_fin = vd_add(c_fin, vd_blend(fin, zero, one));
        c_under = vd_add(c_under, vd_blend(under, zero, one));
        c_over = vd_add(c_over, vd_blend(over, zero, one));
        mn = vd_min(vd_blend(fin, inf, xv), mn);
        mx = vd_max(vd_blend(fin, vd_sub(zero, inf), xv), mx);
        vd_store(code, vd_blend(in, hb1(-1.0), bin_of(xv, in, lo, w, last)));
        for (size_t l = 0; l < m; l++)
            if (code[l] >= 0.0)
                counts[(size_t)code[l]]++;
    }
    double a[7][ALVH_W];
    vd_store(a[0], c_under), vd_store(a[1], c_over), vd_store(a[2], c_fin), vd_store(a[3], c_nan);
    vd_store(a[4], c_inf), vd_store(a[5], mn), vd_store(a[6], mx);
    for (size_t l = 0; l < ALVH_W; l++) {
        t->underflow += (uint64_t)a[0][l];
        t->overflow += (uint64_t)a[1][l];
        t->n += (uint64_t)a[2][l];
        t->n_nan += (uint64_t)a[3][l];
        t->n_inf += (uint64_t)a[4][l];
        t->min = a[5][l] < t->min ? a[5][l] : t->min;
        t->max = a[6][l] > t->max ? a[6][l] : t->max;
    }
}
