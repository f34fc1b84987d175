/* SPDX-License-Identifier: BSD-3-Clause */
/* `alvh diagnose`: see cli/diagnose.c. */
#ifndef ALVH_CLI_DIAGNOSE_H
#define ALVH_CLI_DIAGNOSE_H

#include <stdio.h>

/* argv[0] is "diagnose"; returns the process exit code. */
int alvh_cmd_diagnose(int argc, char **argv);
void alvh_diagnose_usage(FILE *f);

#endif
