/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Histogram binning (hist_bin.h), written once and compiled per ISA (the
 * hist_bin family of kernels/CMakeLists.txt). The build is ISO C, which keeps
 * -ffp-contract=off: the edges j w + lo round exactly as the engine's
 * reference (engine/histogram.c) rounds them. Include a backend header first.
 */
#include <math.h>

#include "kernels/hist_bin.h"

static inline vd hb1(double x) { return vd_set1(x); }

/* In bin units, the rounding of q = fl(fl(x - lo) fl(1/w)) is below 3 ulp of
 * n_bins and that of an edge fl(fl(j w) + lo) below 2^-51 (|lo| + |hi|) / w;
 * the margin is 16 times their sum. Away from the edges by more than this,
 * floor(q) is the bin the edges define. */
static inline double hist_bin_margin(double lo, double hi, double w, size_t n_bins)
{
    return 0x1p-46 * ((double)n_bins + (fabs(lo) + fabs(hi)) / w + 1.0);
}

/* One value of weight u, exactly as alvh_hist_add (engine/histogram.c): the
 * quotient's bin, settled on the reported edges. */
/* counts of 64 bits, or of 16 (c16: a fan chart's staging counts, flushed
 * before any can pass 65535, engine/fan_chart.h) */
static inline __attribute__((always_inline)) void count_add(void *restrict counts, int c16, size_t j, uint64_t u)
{
    if (c16)
        ((uint16_t *)counts)[j] = (uint16_t)(((uint16_t *)counts)[j] + u);
    else
        ((uint64_t *)counts)[j] += u;
}

static inline __attribute__((always_inline)) void bin_one(double lo, double hi, size_t n_bins, double w, double x,
                                                          uint64_t u, void *restrict counts, int c16,
                                                          alvh_bin_tally *restrict t)
{
    if (isnan(x)) {
        t->n_nan += u;
        return;
    }
    if (isinf(x)) {
        t->n_inf += u;
        return;
    }
    t->n += u;
    t->min = x < t->min ? x : t->min;
    t->max = x > t->max ? x : t->max;
    if (x < lo) {
        t->underflow += u;
        return;
    }
    if (x >= hi) {
        t->overflow += u;
        return;
    }
    double q = (x - lo) / w;
    size_t j = q < (double)n_bins ? (size_t)q : n_bins - 1;
    while (j > 0 && x < (double)j * w + lo)
        j--;
    while (j + 1 < n_bins && x >= (double)(j + 1) * w + lo)
        j++;
    count_add(counts, c16, j, u);
}

/* the loop, inlined twice: qw NULL (every value counts 1) and weighted */
static inline __attribute__((always_inline)) void bin_all(double lo, double hi, size_t n_bins, size_t n,
                                                          const double *restrict x, const uint64_t *restrict qw,
                                                          void *restrict counts, int c16, alvh_bin_tally *restrict t)
{
    const double w = (hi - lo) / (double)n_bins;
    const vd vlo = hb1(lo), vhi = hb1(hi), vinv = hb1(1.0 / w), vmargin = hb1(hist_bin_margin(lo, hi, w, n_bins));
    const vd one = hb1(1.0), shifter = hb1(0x1p52);
    const vu low32 = vu_set1(0xffffffffu);
    vd mn = hb1(t->min), mx = hb1(t->max);
    uint64_t n_fast = 0, code[ALVH_W]; /* n_fast: the fast lanes' weight */
    /* A fan chart keeps a histogram per step: by the time a block comes back
     * to this step, its counts have left the caches, and increments that miss
     * one by one cost ~4x a cached one. Requesting every line first lets the
     * misses overlap. */
    const size_t line = c16 ? 32 : 8; /* counts per 64-byte line */
    for (size_t b = 0; n >= 64 && b < n_bins; b += line)
        __builtin_prefetch(c16 ? (void *)((uint16_t *)counts + b) : (void *)((uint64_t *)counts + b), 1, 3);
    size_t i = 0;
    for (; i + ALVH_W <= n; i += ALVH_W) {
        vd xv = vd_load(x + i);
        vd q = vd_mul(vd_sub(xv, vlo), vinv);
        vd r = vd_round(q);
        /* fast lanes: inside [lo, hi) (so finite) and not next to an edge */
        vm ok = vm_and(vm_and(vd_le(vlo, xv), vd_lt(xv, vhi)), vd_le(vmargin, vd_abs(vd_sub(q, r))));
        if (vm_any(vm_not(ok))) {
            for (size_t l = 0; l < ALVH_W; l++)
                bin_one(lo, hi, n_bins, w, x[i + l], qw ? qw[i + l] : 1, counts, c16, t);
            continue;
        }
        vd j = vd_blend(vd_lt(q, r), r, vd_sub(r, one)); /* floor: a whole number in [0, n_bins) */
        mn = vd_min(xv, mn);
        mx = vd_max(xv, mx);
        /* j + 2^52 carries j in its low mantissa bits */
        vu_store(code, vu_and(vd_as_vu(vd_add(j, shifter)), low32));
        if (qw) {
            for (size_t l = 0; l < ALVH_W; l++) {
                count_add(counts, c16, code[l], qw[i + l]);
                n_fast += qw[i + l];
            }
        } else {
            n_fast += ALVH_W;
            for (size_t l = 0; l < ALVH_W; l++)
                count_add(counts, c16, code[l], 1);
        }
    }
    for (; i < n; i++)
        bin_one(lo, hi, n_bins, w, x[i], qw ? qw[i] : 1, counts, c16, t);
    double a[2][ALVH_W];
    vd_store(a[0], mn), vd_store(a[1], mx);
    for (size_t l = 0; l < ALVH_W; l++) {
        t->min = a[0][l] < t->min ? a[0][l] : t->min;
        t->max = a[1][l] > t->max ? a[1][l] : t->max;
    }
    t->n += n_fast;
}

void ALVH_ISA_SUFFIX(alvh_hist_bin)(double lo, double hi, size_t n_bins, size_t n, const double *restrict x,
                                    const uint64_t *restrict qw, uint64_t *restrict counts,
                                    alvh_bin_tally *restrict t)
{
    if (qw)
        bin_all(lo, hi, n_bins, n, x, qw, counts, 0, t);
    else
        bin_all(lo, hi, n_bins, n, x, NULL, counts, 0, t);
}

void ALVH_ISA_SUFFIX(alvh_hist_bin16)(double lo, double hi, size_t n_bins, size_t n, const double *restrict x,
                                      uint16_t *restrict counts, alvh_bin_tally *restrict t)
{
    bin_all(lo, hi, n_bins, n, x, NULL, counts, 1, t);
}
