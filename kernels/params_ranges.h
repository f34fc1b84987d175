/* SPDX-License-Identifier: BSD-3-Clause */
/* The range names of the parameter tables (params.h), for the files that
 * expand them; include it last and only in .c files. */
#ifndef ALVH_KERNELS_PARAMS_RANGES_H
#define ALVH_KERNELS_PARAMS_RANGES_H
#include "kernels/params.h"
#define CC(a, b) (a), (b), 0u
#define CO(a, b) (a), (b), (unsigned)ALVH_PARAM_HI_OPEN
#define OC(a, b) (a), (b), (unsigned)ALVH_PARAM_LO_OPEN
#define OO(a, b) (a), (b), (unsigned)(ALVH_PARAM_LO_OPEN | ALVH_PARAM_HI_OPEN)
#define ANY 0, 0, 0u
#endif
