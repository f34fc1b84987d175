/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `alvh bench --run-paths N`: the job users run, timed end to end. A whole
 * `alvh run` of the built-in default configuration at N paths (into a file
 * in a fresh temporary directory, removed afterwards), then the same
 * configuration's market and book kernels alone: the market simulator and
 * every variant of the book on the same requests, without fan charts,
 * outcomes, statistics or files. The ratio of the two is what everything
 * around the kernels costs.
 */
#define _GNU_SOURCE
#include "cli/bench_run.h"

#include <dirent.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alvh_default_config.h"
#include "cli/run.h"
#include "engine/book_run.h"
#include "engine/dispatch.h"
#include "io/config.h"

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* removes dir/run.h5, dir/run.h5.parts/ (if a failed run left it) and dir */
static void remove_tree(const char *dir)
{
    char p[4800], parts[4400];
    snprintf(parts, sizeof parts, "%s/run.h5.parts", dir);
    DIR *d = opendir(parts);
    for (struct dirent *e; d && (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", parts, e->d_name);
            unlink(p);
        }
    if (d)
        closedir(d);
    rmdir(parts);
    snprintf(p, sizeof p, "%s/run.h5", dir);
    unlink(p);
    rmdir(dir);
}

/* market + book kernels of every scenario of the default config, as `alvh run` requests them */
static int book_alone(double paths, int threads, const char *isa, double *seconds, double *cpu_seconds, char *why,
                      size_t n)
{
    alvh_config *cfg = NULL;
    alvh_error err = {0};
    const alvh_kernel_ops *ops;
    if (alvh_config_load_text("default.yaml (built in)", alvh_default_config, sizeof alvh_default_config - 1, &cfg,
                              &err) != ALVH_OK ||
        alvh_dispatch_select(isa, &ops, &err) != ALVH_OK) {
        snprintf(why, n, "%s", err.msg);
        alvh_config_free(cfg);
        return -1;
    }
    *seconds = 0.0;
    double c0 = cpu_now();
    alvh_status st = ALVH_OK;
    for (size_t k = 0; st == ALVH_OK && k < cfg->n_scenarios; k++) {
        const alvh_config_scenario *sc = &cfg->scenarios[k];
        alvh_book_run_request rq = {
            .market = {.params = sc->market, .dt_years = cfg->dt_years, .n_steps = cfg->n_steps,
                       .n_paths = (size_t)paths, .block_size = cfg->run.block_size, .seed = cfg->run.seed,
                       .scenario = (uint32_t)k, .threads = threads, .injections = sc->injections,
                       .n_injections = sc->n_injections},
            .book = alvh_config_book_for(cfg, sc), .variants = cfg->variants, .n_variants = cfg->n_variants,
        };
        double t0 = alvh_phase_now();
        st = alvh_book_run(&rq, ops, NULL, &err);
        *seconds += alvh_phase_now() - t0;
    }
    *cpu_seconds = cpu_now() - c0;
    alvh_config_free(cfg);
    if (st != ALVH_OK) {
        snprintf(why, n, "book run: %s", err.msg);
        return -1;
    }
    return 0;
}

int alvh_bench_run_default(double paths, int threads, const char *isa, alvh_bench_run_figures *out, char *why,
                           size_t n)
{
    memset(out, 0, sizeof *out);
    const char *tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char dir[4096], file[4200], paths_s[32], threads_s[16];
    snprintf(dir, sizeof dir, "%s/alvh-bench-XXXXXX", tmp);
    if (!mkdtemp(dir)) {
        snprintf(why, n, "cannot create a temporary directory under %s", tmp);
        return -1;
    }
    snprintf(file, sizeof file, "%s/run.h5", dir);
    snprintf(paths_s, sizeof paths_s, "%.0f", paths);
    snprintf(threads_s, sizeof threads_s, "%d", threads);
    char isa_s[32];
    snprintf(isa_s, sizeof isa_s, "%s", isa);
    char *argv[] = {"run", "-o", file, "--paths", paths_s, "--threads", threads_s, "--isa", isa_s, "--quiet", NULL};
    alvh_phase_reset();
    double t0 = alvh_phase_now(), c0 = cpu_now();
    int rc = alvh_cmd_run((int)(sizeof argv / sizeof argv[0]) - 1, argv);
    out->run_seconds = alvh_phase_now() - t0;
    out->run_cpu_seconds = cpu_now() - c0;
    alvh_phase_get(out->phase_seconds);
    remove_tree(dir);
    if (rc != 0) {
        snprintf(why, n, "alvh run of the default configuration at %s paths failed (exit %d)", paths_s, rc);
        return -1;
    }
    return book_alone(paths, threads, isa, &out->book_seconds, &out->book_cpu_seconds, why, n);
}
