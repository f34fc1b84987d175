/* SPDX-License-Identifier: BSD-3-Clause */
/* `alvh run`: see cli/run.c. */
#ifndef ALVH_CLI_RUN_H
#define ALVH_CLI_RUN_H

#include <stdio.h>

/* argv[0] is "run"; returns the process exit code. */
int alvh_cmd_run(int argc, char **argv);
void alvh_run_usage(FILE *f);

#endif
