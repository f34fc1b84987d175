/* SPDX-License-Identifier: BSD-3-Clause */
/* Formatting of parameter-check messages in the kernels' scalar set-up code
 * (never in hot loops): returns -1 so a check can `return alvh_kmsg(...)`. */
#ifndef ALVH_KERNELS_KMSG_H
#define ALVH_KERNELS_KMSG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

static inline int alvh_kmsg(char *msg, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static inline int alvh_kmsg(char *msg, size_t size, const char *fmt, ...)
{
    if (msg && size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, size, fmt, ap);
        va_end(ap);
    }
    return -1;
}
#endif
