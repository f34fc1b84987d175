/* The memory budget of `alvh run` and `alvh validate`: checked before anything is simulated. */
#ifndef ALVH_CLI_RUN_MEMORY_H
#define ALVH_CLI_RUN_MEMORY_H

#include "engine/scenario_run.h"

/* "8G", "512M", "1.5T", "1000000" (bytes); -1 when not a size. */
double alvh_parse_bytes(const char *s);

/* MemAvailable of /proc/meminfo in bytes; 0 when unknown. */
double alvh_available_memory(void);

/* 0 when the estimate fits budget (bytes); else prints the refusal ("alvh CMD: ...") and returns -1. */
int alvh_check_memory(const char *cmd, const char *scenario, const alvh_memory_estimate *m, double budget, int budget_given);

#endif
