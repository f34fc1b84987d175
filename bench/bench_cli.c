/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `alvh bench`: measures the kernels and prints one JSON object (--json) or a
 * table. Peers (the scripts in bench/peers, run with the Python that has numpy) are
 * measured in the same run so the ratios compare like with like.
 */
#define _GNU_SOURCE
#include "bench/bench.h"

#include <getopt.h>

#include "alvh_gitinfo.h"
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench_bs.h"
#include "bench/bench_heston.h"
#include "bench/bench_book.h"
#include "bench/bench_market.h"
#include "bench/bench_rng.h"
#include "engine/dispatch.h"
#include "engine/scheduler.h"

#ifndef ALVH_PEERS_DIR
#define ALVH_PEERS_DIR "bench/peers"
#endif
#ifndef ALVH_PYTHON
#define ALVH_PYTHON "/usr/bin/python3"
#endif
#ifndef ALVH_VERSION
#define ALVH_VERSION "0.0.0"
#endif

static void usage(FILE *f)
{
    fprintf(f,
            "usage: alvh bench [--json] [--threads T] [--seconds S] [--isa ISA] [--no-peers] [--book-paths N]\n"
            "                  [--run-paths N] [--run-repeats K] [--layer-costs] [--run-only]\n"
            "  --json        print one JSON object instead of a table\n"
            "  --threads T   threads for the all-thread figures (default: all)\n"
            "  --seconds S   time per measurement (default 1.0)\n"
            "  --isa ISA     best ISA to report: auto|scalar|avx2|avx512 (default auto, or $ALVH_ISA)\n"
            "  --no-peers    skip the numpy and QuantLib peers (bench/peers/)\n"
            "  --book-paths N  also time one full-book run of N paths x 252 days x 4 variants on all\n"
            "                threads (key book_seconds_measured; e.g. 1e6 for the issue's target)\n"
            "  --run-paths N   time one whole `alvh run` of the built-in default configuration at N\n"
            "                paths (output to a temporary file, removed), the same configuration's\n"
            "                market + book kernels alone, and the share of each phase (keys run_*);\n"
            "                then book_seconds_measured is that kernels-alone time\n"
            "  --run-repeats K the run and the kernels alone K times, alternating (default 1): the\n"
            "                fastest run (its phases) and the fastest kernels-alone time are reported,\n"
            "                every repeat's times too (keys run_seconds_each, book_seconds_each)\n"
            "  --layer-costs   the CPU cost of each layer of the book in ns per path-day (1 thread; keys layer_*)\n"
            "  --run-only    only what --run-paths / --layer-costs ask for: no kernel benchmarks or peers\n"
            "Environment: ALVH_PEERS_DIR (peer scripts), ALVH_PYTHON (interpreter with numpy).\n");
}

static alvh_bench_run_fn g_run_fn;

enum { ALVH_BENCH_MAX_REPEATS = 10 };
static int g_repeats; /* of the last run_repeats_best: 0 without --run-paths */
static double g_run_each[ALVH_BENCH_MAX_REPEATS], g_book_each[ALVH_BENCH_MAX_REPEATS];

/* K runs, each the whole job then the kernels alone (g_run_fn): on a shared VM
 * one run of each swings by 10-25%, and noise only adds time, so the fastest
 * run (with its phases) and the fastest kernels-alone time are kept. */
static int run_repeats_best(double paths, int threads, const char *isa, int k, alvh_bench_run_figures *out)
{
    char why[512];
    double book_best = 0.0, book_cpu_best = 0.0;
    for (int r = 0; r < k; r++) {
        alvh_bench_run_figures f = {0};
        if (g_run_fn(paths, threads, isa, &f, why, sizeof why) != 0) {
            fprintf(stderr, "alvh bench: %s\n", why);
            return -1;
        }
        g_run_each[r] = f.run_seconds, g_book_each[r] = f.book_seconds;
        if (r == 0 || f.run_seconds < out->run_seconds)
            *out = f;
        if (r == 0 || f.book_seconds < book_best)
            book_best = f.book_seconds, book_cpu_best = f.book_cpu_seconds;
    }
    out->book_seconds = book_best, out->book_cpu_seconds = book_cpu_best;
    g_repeats = k;
    return 0;
}

static void json_each(const char *key, const double *v, int n)
{
    printf("  \"%s\": [", key);
    for (int r = 0; r < n; r++)
        printf("%s%.6g", r ? ", " : "", v[r]);
    printf("],\n");
}

void alvh_bench_set_run_fn(alvh_bench_run_fn fn) { g_run_fn = fn; }

static void cpu_name(char *buf, size_t n)
{
    snprintf(buf, n, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) == 0) {
            char *colon = strchr(line, ':');
            if (colon) {
                colon += 1 + (colon[1] == ' ');
                colon[strcspn(colon, "\n")] = '\0';
                snprintf(buf, n, "%s", colon);
            }
            break;
        }
    }
    fclose(f);
}

/* Runs bench/peers/<script> with args; on success out holds its JSON line. */
static int run_peer(const char *script, const char *args, char *out, size_t n, char *why, size_t whylen)
{
    const char *dir = getenv("ALVH_PEERS_DIR") ? getenv("ALVH_PEERS_DIR") : ALVH_PEERS_DIR;
    const char *py = getenv("ALVH_PYTHON") ? getenv("ALVH_PYTHON") : ALVH_PYTHON;
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' '%s/%s' %s 2>&1", py, dir, script, args);
    FILE *p = popen(cmd, "r");
    if (!p) {
        snprintf(why, whylen, "%s: cannot start %s", script, py);
        return -1;
    }
    size_t len = fread(out, 1, n - 1, p);
    out[len] = '\0';
    int rc = pclose(p);
    if (rc != 0 || out[0] != '{') {
        out[strcspn(out, "\n")] = '\0';
        snprintf(why, whylen, "%s failed (exit %d): %.200s", script, rc, out);
        return -1;
    }
    return 0;
}

/* Number stored under "key" in a flat JSON object, or 0. */
static double json_get(const char *json, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *k = strstr(json, pat);
    double v = 0.0;
    if (!k || sscanf(k + strlen(pat), "%lf", &v) != 1)
        return 0.0;
    return v;
}

static void json_str(const char *key, const char *val, int last)
{
    printf("  \"%s\": \"", key);
    for (const char *c = val; *c; c++)
        if (*c == '"' || *c == '\\')
            printf("\\%c", *c);
        else if ((unsigned char)*c >= 0x20)
            putchar(*c);
    printf("\"%s\n", last ? "" : ",");
}

static void json_num(const char *key, double val, int last)
{
    if (val > 0.0)
        printf("  \"%s\": %.6g%s\n", key, val, last ? "" : ",");
    else
        printf("  \"%s\": null%s\n", key, last ? "" : ",");
}

/* Wall seconds of each phase of a run: the threaded phases' thread seconds
 * over the thread count (what they add to the wall time when the threads are
 * busy), the serial ones as measured; "other" is the rest of the wall time
 * (setup, idle threads at round ends, freeing memory). */
static void run_phase_wall(int threads, const alvh_bench_run_figures *r, double wall[ALVH_PHASE_COUNT + 1])
{
    double sum = 0.0;
    for (int p = 0; p < ALVH_PHASE_COUNT; p++) {
        int threaded = p == ALVH_PHASE_MARKET || p == ALVH_PHASE_BOOK || p == ALVH_PHASE_FANS;
        wall[p] = r->phase_seconds[p] / (threaded ? (double)threads : 1.0);
        sum += wall[p];
    }
    wall[ALVH_PHASE_COUNT] = r->run_seconds - sum;
}

static void json_run(int threads, double paths, const alvh_bench_run_figures *r)
{
    double wall[ALVH_PHASE_COUNT + 1];
    run_phase_wall(threads, r, wall);
    printf("  \"run_config\": \"default.yaml (built in)\",\n");
    printf("  \"run_paths_measured\": %.0f,\n", paths);
    json_num("run_seconds_measured", r->run_seconds, 0);
    json_num("run_book_seconds_measured", r->book_seconds, 0);
    json_num("run_vs_book", r->book_seconds > 0 ? r->run_seconds / r->book_seconds : 0, 0);
    json_num("run_cpu_seconds_measured", r->run_cpu_seconds, 0);
    json_num("book_cpu_seconds_measured", r->book_cpu_seconds, 0);
    json_num("run_vs_book_cpu", r->book_cpu_seconds > 0 ? r->run_cpu_seconds / r->book_cpu_seconds : 0, 0);
    printf("  \"run_repeats\": %d,\n", g_repeats);
    json_each("run_seconds_each", g_run_each, g_repeats);
    json_each("book_seconds_each", g_book_each, g_repeats);
    char key[64];
    for (int p = 0; p <= ALVH_PHASE_COUNT; p++) {
        const char *nm = p < ALVH_PHASE_COUNT ? alvh_phase_names[p] : "other";
        snprintf(key, sizeof key, "run_phase_seconds_%s", nm);
        printf("  \"%s\": %.4g,\n", key, wall[p]);
        snprintf(key, sizeof key, "run_phase_share_%s", nm);
        printf("  \"%s\": %.4f,\n", key, r->run_seconds > 0 ? wall[p] / r->run_seconds : 0.0);
    }
}

static double g_layer_ns[ALVH_LAYER_COUNT + 1];
static int g_have_layers;

static void json_layers(void)
{
    if (!g_have_layers)
        return;
    printf("  \"layer_ns_per_path_day_market_and_bookkeeping\": %.4g,\n", g_layer_ns[ALVH_LAYER_COUNT]);
    for (int l = 0; l < ALVH_LAYER_COUNT; l++)
        printf("  \"layer_ns_per_path_day_%s\": %.4g,\n", alvh_layer_names[l], g_layer_ns[l]);
}

static void table_layers(void)
{
    if (!g_have_layers)
        return;
    printf("CPU ns per path-day, 1 thread: market + bookkeeping %.1f", g_layer_ns[ALVH_LAYER_COUNT]);
    for (int l = 0; l < ALVH_LAYER_COUNT; l++)
        printf(", %s %.1f", alvh_layer_names[l], g_layer_ns[l]);
    printf("\n");
}

static void table_run(int threads, double paths, const alvh_bench_run_figures *r)
{
    double wall[ALVH_PHASE_COUNT + 1];
    run_phase_wall(threads, r, wall);
    printf("alvh run, default config, %.0f paths, %d threads: %.2f s wall; market + book alone %.2f s (%.2fx)\n",
           paths, threads, r->run_seconds, r->book_seconds, r->book_seconds > 0 ? r->run_seconds / r->book_seconds : 0);
    printf("  CPU: run %.2f s, market + book alone %.2f s (%.2fx)\n", r->run_cpu_seconds, r->book_cpu_seconds,
           r->book_cpu_seconds > 0 ? r->run_cpu_seconds / r->book_cpu_seconds : 0);
    for (int p = 0; p <= ALVH_PHASE_COUNT; p++)
        printf("  %-12s %9.2f s %6.1f%%\n", p < ALVH_PHASE_COUNT ? alvh_phase_names[p] : "other", wall[p],
               r->run_seconds > 0 ? 100.0 * wall[p] / r->run_seconds : 0.0);
}

static int print_run_only(int json, int threads, double paths, const alvh_bench_run_figures *r, const char *isa)
{
    char cpu[256], date[32];
    cpu_name(cpu, sizeof cpu);
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    if (!json) {
        printf("alvh %s (%s) on %s, %s, %s\n", ALVH_VERSION, ALVH_GIT_DESCRIBE, cpu, isa, date);
        if (paths > 0)
            table_run(threads, paths, r);
        table_layers();
        return 0;
    }
    printf("{\n");
    json_str("version", ALVH_VERSION, 0);
    json_str("git", ALVH_GIT_DESCRIBE, 0);
    json_str("date", date, 0);
    json_str("cpu", cpu, 0);
    json_str("isa", isa, 0);
    printf("  \"threads\": %d,\n", threads);
    if (paths > 0)
        json_run(threads, paths, r);
    json_layers();
    printf("  \"book_paths_measured\": %.0f,\n", paths);
    json_num("book_seconds_measured", r->book_seconds, 1);
    printf("}\n");
    return 0;
}

int alvh_bench_cli(int argc, char **argv)
{
    int json = 0, threads = 0, peers = 1, run_only = 0, layer_costs = 0, run_repeats = 1;
    double seconds = 1.0, book_paths = 0.0, run_paths = 0.0;
    const char *isa_req = NULL;
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},      {"threads", required_argument, NULL, 't'},
        {"seconds", required_argument, NULL, 's'}, {"isa", required_argument, NULL, 'i'},
        {"no-peers", no_argument, NULL, 'n'},  {"help", no_argument, NULL, 'h'},
        {"book-paths", required_argument, NULL, 'b'},
        {"run-paths", required_argument, NULL, 'r'},   {"run-only", no_argument, NULL, 'o'},
        {"layer-costs", no_argument, NULL, 'L'},  {"run-repeats", required_argument, NULL, 'R'},
        {NULL, 0, NULL, 0},
    };
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 'j': json = 1; break;
        case 'n': peers = 0; break;
        case 'i': isa_req = optarg; break;
        case 't':
            threads = (int)strtol(optarg, &end, 10);
            if (!*optarg || *end || threads < 1 || threads > 4096) {
                fprintf(stderr, "alvh bench: --threads %s: expected a whole number from 1 to 4096\n", optarg);
                usage(stderr);
                return 2;
            }
            break;
        case 's':
            seconds = strtod(optarg, &end);
            if (!*optarg || *end || !(seconds >= 0.01 && seconds <= 3600)) {
                fprintf(stderr, "alvh bench: --seconds %s: expected a number from 0.01 to 3600\n", optarg);
                usage(stderr);
                return 2;
            }
            break;
        case 'b':
            book_paths = strtod(optarg, &end);
            if (!*optarg || *end || !(book_paths >= 1 && book_paths <= 1e9)) {
                fprintf(stderr, "alvh bench: --book-paths %s: expected a number of paths from 1 to 1e9\n", optarg);
                usage(stderr);
                return 2;
            }
            break;
        case 'r':
            run_paths = strtod(optarg, &end);
            if (!*optarg || *end || !(run_paths >= 1 && run_paths <= 1e10) || run_paths != floor(run_paths)) {
                fprintf(stderr, "alvh bench: --run-paths %s: expected a whole number of paths from 1 to 1e10\n",
                        optarg);
                usage(stderr);
                return 2;
            }
            break;
        case 'R':
            run_repeats = (int)strtol(optarg, &end, 10);
            if (!*optarg || *end || run_repeats < 1 || run_repeats > ALVH_BENCH_MAX_REPEATS) {
                fprintf(stderr, "alvh bench: --run-repeats %s: expected a whole number from 1 to %d\n", optarg,
                        ALVH_BENCH_MAX_REPEATS);
                usage(stderr);
                return 2;
            }
            break;
        case 'o': run_only = 1; break;
        case 'L': layer_costs = 1; break;
        case 'h': usage(stdout); return 0;
        case ':':
            fprintf(stderr, "alvh bench: %s needs a value\n", argv[optind - 1]);
            usage(stderr);
            return 2;
        default:
            fprintf(stderr, "alvh bench: unknown option '%s'\n", argv[optind - 1]);
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "alvh bench: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    if (run_only && run_paths == 0.0 && !layer_costs) {
        fprintf(stderr, "alvh bench: --run-only needs --run-paths N or --layer-costs\n");
        usage(stderr);
        return 2;
    }
    if (run_paths > 0 && !g_run_fn) {
        fprintf(stderr, "alvh bench: --run-paths needs the alvh binary ('alvh bench --run-paths N'): this program "
                        "cannot run a job\n");
        return 2;
    }
    const alvh_kernel_ops *best;
    alvh_error err = {0};
    if (alvh_dispatch_select(isa_req, &best, &err) != ALVH_OK) {
        fprintf(stderr, "alvh bench: %s\n", err.msg);
        return err.code == ALVH_E_USAGE ? 2 : 3;
    }
    threads = alvh_sched_threads(threads);

    /* the whole job first, while nothing else of this process has warmed the caches */
    alvh_bench_run_figures run = {0};
    if (run_paths > 0 && run_repeats_best(run_paths, threads, best->name, run_repeats, &run) != 0)
        return 1;
    if (layer_costs) {
        if (alvh_bench_layer_costs(best, 16384, g_layer_ns) != 0) {
            fprintf(stderr, "alvh bench: the layer-cost runs failed\n");
            return 1;
        }
        g_have_layers = 1;
    }
    if (run_only)
        return print_run_only(json, threads, run_paths, &run, best->name);

    double per_isa_u[ALVH_ISA_COUNT] = {0}, per_isa_n[ALVH_ISA_COUNT] = {0};
    for (int i = 0; i <= (int)best->isa; i++) {
        if (!alvh_isa_supported((alvh_isa)i))
            continue;
        const alvh_kernel_ops *ops = alvh_kernel_ops_for((alvh_isa)i);
        per_isa_u[i] = alvh_bench_rng_core(ops, 0, seconds);
        per_isa_n[i] = alvh_bench_rng_core(ops, 1, seconds);
    }
    double u_core = per_isa_u[best->isa], n_core = per_isa_n[best->isa];
    double n_scalar = per_isa_n[ALVH_ISA_SCALAR];
    double n_all = alvh_bench_rng_all(best, 1, threads, seconds, n_core);
    double n_one = alvh_bench_rng_all(best, 1, 1, seconds, n_core);

    /* Heston European call, 63 steps: QE-M (the engine's default) and
     * full-truncation Euler (the numpy and QuantLib peers' scheme) */
    const alvh_kernel_ops *scalar_ops = alvh_kernel_ops_for(ALVH_ISA_SCALAR);
    double hq_core = alvh_bench_heston(best, ALVH_SCHEME_QE, 1, seconds);
    double hq_scalar = alvh_bench_heston(scalar_ops, ALVH_SCHEME_QE, 1, seconds);
    double he_core = alvh_bench_heston(best, ALVH_SCHEME_EULER, 1, seconds);
    double he_scalar = alvh_bench_heston(scalar_ops, ALVH_SCHEME_EULER, 1, seconds);
    double hq_all = alvh_bench_heston(best, ALVH_SCHEME_QE, threads, seconds);

    /* full market model, every event type, 252 daily steps */
    double mk_core = alvh_bench_market(best, 1, seconds);
    double mk_scalar = alvh_bench_market(scalar_ops, 1, seconds);
    double mk_all = alvh_bench_market(best, threads, seconds);
    double mk2_core = alvh_bench_market_full(best, 1, seconds);

    /* option pricing kernel (Black-Scholes price + delta) and the full book:
     * market + 4 variants of the seven layers, 252 days */
    double bs_core = alvh_bench_bs(best, seconds), bs_scalar = alvh_bench_bs(scalar_ops, seconds);
    double bk_core = alvh_bench_book(best, 1, seconds), bk_scalar = alvh_bench_book(scalar_ops, 1, seconds);
    double bk_all = alvh_bench_book(best, threads, seconds);
    double qtab_s = alvh_bench_qtab_seconds(best, threads);
    double bk_measured = book_paths > 0 ? alvh_bench_book_seconds(best, threads, (size_t)book_paths) : 0.0;
    if (run_paths > 0) {
        book_paths = run_paths;
        bk_measured = run.book_seconds;
    }

    double np_n = 0.0, np_u = 0.0, np_h = 0.0, ql_h = 0.0;
    char why[512] = "", out[4096], args[64];
    int have_peer = 0;
    if (peers) {
        snprintf(args, sizeof args, "--seconds %.3f", seconds);
        if (run_peer("numpy_normals.py", args, out, sizeof out, why, sizeof why) == 0) {
            np_n = json_get(out, "normals_per_s");
            np_u = json_get(out, "uniforms_per_s");
            have_peer = np_n > 0 && np_u > 0;
        } else {
            fprintf(stderr, "alvh bench: %s\n", why);
        }
        if (run_peer("heston_numpy.py", "--paths 500000", out, sizeof out, why, sizeof why) == 0)
            np_h = json_get(out, "path_steps_per_s");
        else
            fprintf(stderr, "alvh bench: %s\n", why);
        if (run_peer("heston_quantlib.py", "--paths 20000", out, sizeof out, why, sizeof why) == 0)
            ql_h = json_get(out, "path_steps_per_s");
        else
            fprintf(stderr, "alvh bench: %s\n", why);
    }

    char cpu[256], date[32];
    cpu_name(cpu, sizeof cpu);
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));

    if (json) {
        printf("{\n");
        json_str("version", ALVH_VERSION, 0);
        json_str("git", ALVH_GIT_DESCRIBE, 0);
        json_str("date", date, 0);
        json_str("cpu", cpu, 0);
        json_str("isa", best->name, 0);
        printf("  \"threads\": %d,\n", threads);
        json_num("bs_prices_per_s_core", bs_core, 0);
        json_num("bs_prices_per_s_core_scalar", bs_scalar, 0);
        json_num("bs_vector_speedup", bs_scalar > 0 ? bs_core / bs_scalar : 0, 0);
        json_num("uniforms_per_s_core", u_core, 0);
        json_num("uniforms_per_s_core_scalar", per_isa_u[ALVH_ISA_SCALAR], 0);
        json_num("normals_per_s_core", n_core, 0);
        json_num("normals_per_s_core_scalar", n_scalar, 0);
        json_num("normals_per_s_core_avx2", per_isa_n[ALVH_ISA_AVX2], 0);
        json_num("normals_per_s_core_avx512", per_isa_n[ALVH_ISA_AVX512], 0);
        json_num("normals_per_s_all", n_all, 0);
        json_num("normals_simd_vs_scalar", n_scalar > 0 ? n_core / n_scalar : 0, 0);
        json_num("normals_thread_scaling", n_one > 0 ? n_all / n_one : 0, 0);
        json_num("numpy_normals_per_s", np_n, 0);
        json_num("numpy_uniforms_per_s", np_u, 0);
        json_num("normals_vs_numpy", np_n > 0 ? n_core / np_n : 0, 0);
        json_num("uniforms_vs_numpy", np_u > 0 ? u_core / np_u : 0, 0);
        json_num("heston_path_steps_per_s_core", hq_core, 0);
        json_num("heston_path_steps_per_s_core_scalar", hq_scalar, 0);
        json_num("heston_euler_path_steps_per_s_core", he_core, 0);
        json_num("heston_euler_path_steps_per_s_core_scalar", he_scalar, 0);
        json_num("heston_path_steps_per_s_all", hq_all, 0);
        json_num("numpy_heston_euler_path_steps_per_s", np_h, 0);
        json_num("quantlib_mc_heston_path_steps_per_s", ql_h, 0);
        json_num("heston_euler_vs_numpy", np_h > 0 ? he_core / np_h : 0, 0);
        json_num("heston_qe_vs_numpy_euler", np_h > 0 ? hq_core / np_h : 0, 0);
        json_num("heston_euler_vs_quantlib", ql_h > 0 ? he_core / ql_h : 0, 0);
        json_num("heston_simd_vs_scalar", hq_scalar > 0 ? hq_core / hq_scalar : 0, 0);
        json_num("heston_thread_scaling", hq_core > 0 ? hq_all / hq_core : 0, 0);
        json_num("market_path_steps_per_s_core", mk_core, 0);
        json_num("market_path_steps_per_s_core_scalar", mk_scalar, 0);
        json_num("market_path_steps_per_s_all", mk_all, 0);
        json_num("market2_path_steps_per_s_core", mk2_core, 0);
        json_num("market2_vs_market", mk2_core > 0 ? mk_core / mk2_core : 0, 0);
        json_num("market_simd_vs_scalar", mk_scalar > 0 ? mk_core / mk_scalar : 0, 0);
        json_num("market_thread_scaling", mk_core > 0 ? mk_all / mk_core : 0, 0);
        json_num("book_path_days_per_s_core", bk_core, 0);
        json_num("book_path_days_per_s_core_scalar", bk_scalar, 0);
        json_num("book_path_days_per_s_all", bk_all, 0);
        json_num("book_simd_vs_scalar", bk_scalar > 0 ? bk_core / bk_scalar : 0, 0);
        json_num("book_seconds_1e6_paths_est", bk_all > 0 ? 252e6 / bk_all : 0, 0);
        json_num("qtab_build_seconds", qtab_s, 0);
        json_num("qtab_vs_1e5_path_book", bk_all > 0 ? qtab_s / (252e5 / bk_all) : 0, 0);
        if (run_paths > 0)
            json_run(threads, run_paths, &run);
        json_layers();
        printf("  \"book_paths_measured\": %.0f,\n", book_paths);
        json_num("book_seconds_measured", bk_measured, 1);
        printf("}\n");
    } else {
        printf("alvh %s (%s) on %s, %d threads, %s\n", ALVH_VERSION, ALVH_GIT_DESCRIBE, cpu, threads, date);
        printf("%-28s %14s %14s\n", "measure", "per second", "ratio");
        for (int i = 0; i < ALVH_ISA_COUNT; i++)
            if (per_isa_n[i] > 0) {
                char label[64];
                snprintf(label, sizeof label, "normals, 1 core, %s", alvh_isa_name((alvh_isa)i));
                printf("%-28s %14.4g %13.2fx\n", label, per_isa_n[i], per_isa_n[i] / n_scalar);
            }
        printf("%-28s %14.4g %13.2fx\n", "normals, all threads", n_all, n_one > 0 ? n_all / n_one : 0);
        printf("%-28s %14.4g\n", "uniforms, 1 core", u_core);
        if (have_peer) {
            printf("%-28s %14.4g %13.2fx\n", "numpy standard_normal", np_n, n_core / np_n);
            printf("%-28s %14.4g %13.2fx\n", "numpy random", np_u, u_core / np_u);
        }
        printf("%-28s %14.4g %13.2fx\n", "heston QE path-steps, 1 core", hq_core, hq_scalar > 0 ? hq_core / hq_scalar : 0);
        printf("%-28s %14.4g\n", "heston QE, scalar", hq_scalar);
        printf("%-28s %14.4g %13.2fx\n", "heston Euler, 1 core", he_core, he_scalar > 0 ? he_core / he_scalar : 0);
        printf("%-28s %14.4g %13.2fx\n", "heston QE, all threads", hq_all, hq_core > 0 ? hq_all / hq_core : 0);
        if (np_h > 0)
            printf("%-28s %14.4g %13.2fx\n", "numpy heston Euler", np_h, he_core / np_h);
        if (ql_h > 0)
            printf("%-28s %14.4g %13.2fx\n", "QuantLib MC heston", ql_h, he_core / ql_h);
        printf("%-28s %14.4g %13.2fx\n", "market path-steps, 1 core", mk_core, mk_scalar > 0 ? mk_core / mk_scalar : 0);
        printf("%-28s %14.4g\n", "market, scalar", mk_scalar);
        printf("%-28s %14.4g %13.2fx\n", "market, all threads", mk_all, mk_core > 0 ? mk_all / mk_core : 0);
        printf("%-28s %14.4g %13.2fx\n", "market, 2 factors + ETH", mk2_core, mk2_core > 0 ? mk_core / mk2_core : 0);
        printf("%-28s %14.4g %13.2fx\n", "BS price+delta, 1 core", bs_core, bs_scalar > 0 ? bs_core / bs_scalar : 0);
        printf("%-28s %14.4g %13.2fx\n", "book path-days, 1 core", bk_core, bk_scalar > 0 ? bk_core / bk_scalar : 0);
        printf("%-28s %14.4g\n", "book, scalar", bk_scalar);
        printf("%-28s %14.4g %13.2fx\n", "book, all threads", bk_all, bk_core > 0 ? bk_all / bk_core : 0);
        printf("%-28s %14.1f\n", "book 1e6 paths x 252 d, s", bk_all > 0 ? 252e6 / bk_all : 0);
        if (book_paths > 0)
            printf("%-28s %14.1f  (%.0f paths, measured)\n", "book run, s", bk_measured, book_paths);
        if (run_paths > 0)
            table_run(threads, run_paths, &run);
        table_layers();
    }
    return 0;
}
