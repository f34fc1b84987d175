/* SPDX-License-Identifier: BSD-3-Clause */
/* Terminal reports of finished runs. */
#ifndef ALVH_IO_REPORT_H
#define ALVH_IO_REPORT_H

#include <stdio.h>

#include "engine/driver_run.h"

void alvh_report_driver_run(FILE *f, const alvh_driver_params *p, const alvh_driver_result *r,
                            const char *isa);

#endif
