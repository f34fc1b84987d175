/* SPDX-License-Identifier: BSD-3-Clause */
#include "common/status.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const names[ALVH_STATUS_COUNT] = {
    "ok", "usage error", "configuration error", "unsupported", "out of memory",
    "I/O error", "numerical error", "internal error",
};

const char *alvh_status_name(alvh_status s)
{
    return (s >= 0 && s < ALVH_STATUS_COUNT) ? names[s] : "unknown status";
}

alvh_status alvh_error_set(alvh_error *err, alvh_status code, const char *fmt, ...)
{
    if (err) {
        err->code = code;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

alvh_status alvh_error_at(alvh_error *err, const char *file, int line, int col, const char *path, const char *fmt,
                          ...)
{
    if (!err)
        return ALVH_E_CONFIG;
    char what[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    int has_path = path && *path;
    return alvh_error_set(err, ALVH_E_CONFIG, "%s:%d:%d: %s%s%s", file, line < 1 ? 1 : line, col < 1 ? 1 : col,
                          has_path ? path : "", has_path ? ": " : "", what);
}
