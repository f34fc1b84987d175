/* SPDX-License-Identifier: BSD-3-Clause */
/* `alvh report`: figures and an HTML page of a result file (cli/report_cmd.c). */
#ifndef ALVH_CLI_REPORT_CMD_H
#define ALVH_CLI_REPORT_CMD_H

#include <stdio.h>

void alvh_report_usage(FILE *f);
int alvh_cmd_report(int argc, char **argv);

#endif
