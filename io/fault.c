#define _POSIX_C_SOURCE 200809L
#include "io/fault.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static long g_kill_at = -1; /* -1: not read yet; 0: off */
static long g_count;

void alvh_fault_point(const char *where)
{
    if (g_kill_at < 0) {
        const char *e = getenv("ALVH_FAULT_KILL_AT");
        g_kill_at = e ? strtol(e, NULL, 10) : 0;
        if (g_kill_at < 0)
            g_kill_at = 0;
    }
    if (g_kill_at == 0)
        return;
    ++g_count;
    if (getenv("ALVH_FAULT_VERBOSE")) /* lists the points, so a test can pick one by name */
        fprintf(stderr, "alvh: fault point %ld (%s)%s\n", g_count, where, g_count == g_kill_at ? ": SIGKILL" : "");
    if (g_count == g_kill_at)
        raise(SIGKILL);
}
