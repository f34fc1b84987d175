#include "engine/status.h"

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
