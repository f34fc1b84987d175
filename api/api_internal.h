/* SPDX-License-Identifier: BSD-3-Clause */
/* Private to api/: the status-to-code mapping the public functions share. */
#ifndef ALVH_API_INTERNAL_H
#define ALVH_API_INTERNAL_H

#include "alvh.h"
#include "common/status.h"

/* The public code of an internal status (as the alvh command's exit codes). */
static inline alvh_code alvh_api_code(alvh_status st)
{
    switch (st) {
    case ALVH_OK:
        return ALVH_CODE_OK;
    case ALVH_E_USAGE:
    case ALVH_E_CONFIG:
        return ALVH_CODE_BAD_INPUT;
    case ALVH_E_UNSUPPORTED:
        return ALVH_CODE_UNAVAILABLE;
    default:
        return ALVH_CODE_FAILED;
    }
}

/* Records a bad argument on err and returns ALVH_CODE_BAD_INPUT. */
alvh_code alvh_api_bad_arg(alvh_error *err, const char *fn, const char *what);

struct alvh_config;
/* The internal configuration of c (NULL when none is loaded). */
const struct alvh_config *alvh_api_config_of(const alvh_run_config *c);

#endif
