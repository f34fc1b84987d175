/* SPDX-License-Identifier: BSD-3-Clause */
/* Complex helpers of the table builders (kernels/q_table.c, kernels/vix_table.c). */
#ifndef ALVH_KERNELS_CPLX_H
#define ALVH_KERNELS_CPLX_H

#include <complex.h>
#include <math.h>

/* complex quotient and logarithm written out: the library's handle the
 * infinities of Annex G (and clog sorts), far slower, needed nowhere here */
/* re + i im (glibc's CMPLX needs a GCC builtin clang lacks; the values here are finite) */
static inline double complex cplx(double re, double im) { return re + im * I; }

static inline double complex cdivx(double complex a, double complex b)
{
    double br = creal(b), bi = cimag(b), d = 1.0 / (br * br + bi * bi);
    return cplx((creal(a) * br + cimag(a) * bi) * d, (cimag(a) * br - creal(a) * bi) * d);
}

static inline double complex clogx(double complex z) { return cplx(0.5 * log(creal(z) * creal(z) + cimag(z) * cimag(z)), atan2(cimag(z), creal(z))); }

#endif
