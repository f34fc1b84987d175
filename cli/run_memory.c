#define _POSIX_C_SOURCE 200809L
#include "cli/run_memory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double alvh_parse_bytes(const char *s)
{
    char *end;
    if (!s || *s < '0' || *s > '9')
        return -1;
    double v = strtod(s, &end);
    static const char units[] = "KMGT";
    const char *u = *end ? strchr(units, *end) : NULL;
    if (*end && (!u || end[1]))
        return -1;
    for (const char *p = units; u && p <= u; p++)
        v *= 1024.0;
    return v >= 1.0 && v < 1e18 ? v : -1;
}

double alvh_available_memory(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f)
        return 0;
    char line[256];
    double kb = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %lf kB", &kb) == 1)
            break;
    fclose(f);
    return kb * 1024.0;
}

int alvh_check_memory(const char *cmd, const char *scenario, const alvh_memory_estimate *m, double budget, int budget_given)
{
    if (budget <= 0 || m->total <= budget)
        return 0;
    fprintf(stderr,
            "alvh %s: scenario %s needs about %.2f GB (per-path results or summaries %.2f GB, fan charts and sample "
            "paths %.2f GB, worker buffers %.2f GB), more than the memory budget of %.2f GB (%s); use fewer paths, "
            "summaries: histogram, fewer steps, a smaller block_size or fewer threads, or --memory-budget\n",
            cmd, scenario, m->total / 1e9, m->results / 1e9, m->fan_charts / 1e9, m->workers / 1e9, budget / 1e9,
            budget_given ? "--memory-budget" : "the memory available now");
    return -1;
}
