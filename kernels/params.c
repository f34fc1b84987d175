/* SPDX-License-Identifier: BSD-3-Clause */
/* The range check of one parameter table row (params.h). */
#include "kernels/params.h"
#include "kernels/kmsg.h"

int alvh_param_check(double x, double lo, double hi, unsigned open, const char *section, const char *key, char *msg,
                     size_t size)
{
    int lo_ok = (open & ALVH_PARAM_LO_OPEN) ? x > lo : x >= lo; /* NaN fails both */
    int hi_ok = (open & ALVH_PARAM_HI_OPEN) ? x < hi : x <= hi;
    if (lo_ok && hi_ok)
        return 0;
    return alvh_kmsg(msg, size, "%s.%s: expected a number in %c%g, %g%c, got %g", section, key,
                     (open & ALVH_PARAM_LO_OPEN) ? '(' : '[', lo, hi, (open & ALVH_PARAM_HI_OPEN) ? ')' : ']', x);
}
