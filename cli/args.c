/* SPDX-License-Identifier: BSD-3-Clause */
#include "cli/args.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

int alvh_arg_whole(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end == '.' || *end == 'e' || *end == 'E') {
        errno = 0;
        double d = strtod(s, &end);
        if (errno || *end || !(d >= 0) || d != floor(d) || d > 9007199254740992.0)
            return -1;
        v = (unsigned long long)d;
    } else if (errno || *end) {
        return -1;
    }
    if (v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}
