/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * alvh: command-line entry point. Parses arguments and glues io/ (terminal,
 * files) to engine/ (runs). Exit codes: 0 success, 1 run failed, 2 bad usage or
 * input, 3 not available in this build or on this CPU.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>

#include "alvh_gitinfo.h"
#include <inttypes.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "cli/args.h"
#include "cli/bench_run.h"
#include "cli/diagnose.h"
#include "cli/report_cmd.h"
#include "cli/run.h"
#include "cli/run_memory.h"
#include "engine/dispatch.h"
#include "engine/mpi_dist.h"
#include "engine/driver_run.h"
#include "engine/scenario_run.h"
#include "io/config.h"
#include "io/contained.h"
#include "io/h5_summary.h"
#include "io/libinfo.h"
#include "io/report.h"
#include "io/result_file.h"
#include "io/result_merge.h"

enum { EXIT_RUN_FAILED = 1, EXIT_USAGE = 2, EXIT_UNAVAILABLE = 3 };

static void usage_main(FILE *f)
{
    fprintf(f,
            "usage: alvh <command> [options]\n"
            "       alvh --version | --help\n"
            "commands:\n"
            "  run       simulate every scenario and book variant into an HDF5 file\n"
            "            (no CONFIG: the built-in default)\n"
            "  validate  check a configuration file without simulating\n"
            "  summary   print the tables stored in a result file\n"
            "  merge     combine result files of one configuration (job-array tasks) into one\n"
            "  diagnose  a scenario's simulated stylized facts next to their targets\n"
            "  report    PNG figures and one HTML page of a result file\n"
            "  bench     measure kernel throughput (JSON with --json)\n"
            "  drivers   the random drivers alone: moments and a digest (a quick self-check)\n"
            "Run 'alvh <command> --help' for the options of a command.\n");
}

static void usage_drivers(FILE *f)
{
    fprintf(f,
            "usage: alvh drivers [--paths N] [--steps N] [--drivers K] [--seed S]\n"
            "                    [--threads T] [--block-size B] [--isa ISA]\n"
            "  the random drivers alone: moments and a digest of K standard normals per step\n"
            "  --paths N       paths to simulate (default 100000)\n"
            "  --steps N       time steps per path (default 252, one year daily)\n"
            "  --drivers K     normal drivers per step (default 4: SPX, variance, token, funding)\n"
            "  --seed S        run seed, 0..2^64-1 (default 1)\n"
            "  --threads T     OpenMP threads (default: all); the digest does not depend on it\n"
            "  --block-size B  paths per block, 8..1048576 (default 1024)\n"
            "  --isa ISA       auto|scalar|avx2|avx512 (default auto, or $ALVH_ISA)\n");
}

static void usage_validate(FILE *f)
{
    fprintf(f, "usage: alvh validate CONFIG [--set KEY=VALUE ...] [--memory-budget BYTES] [--resolved]\n"
               "  read and check CONFIG (YAML, see docs/config.md) without simulating: exit 0 and a\n"
               "  summary when valid, exit 2 and the first problem (file:line:column: key: ...) when not.\n"
               "  Every scenario is checked as `alvh run` checks it before simulating, memory included\n"
               "  --set KEY=VALUE      a configuration value as if the file held it (as for alvh run)\n"
               "  --memory-budget B    refuse a scenario whose estimated memory exceeds B bytes (suffix\n"
               "                       K, M, G, T; default: the memory available now)\n"
               "  --resolved  print only the configuration with every default and extends applied (YAML)\n");
}
static void usage_summary(FILE *f)
{
    fprintf(f, "usage: alvh summary FILE.h5 [--scenario NAME] [--format table|csv|json]\n"
               "  print the summary and hedge-effectiveness tables stored in a result file\n"
               "  (docs/hdf5_layout.md); nothing is recomputed\n"
               "  --scenario NAME  only this scenario (default: all)\n"
               "  --format F       table (aligned, default), csv (one value per line) or json\n"
               "exit 2 when FILE is missing, not HDF5, not an alvh result, or lacks the scenario\n");
}

static int bad_usage(const char *cmd, void (*usage)(FILE *), const char *fmt, const char *arg)
{
    fprintf(stderr, "alvh %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    usage(stderr);
    return EXIT_USAGE;
}

static void usage_merge(FILE *f)
{
    fprintf(f, "usage: alvh merge OUT.h5 IN.h5 [IN.h5 ...]\n"
               "  the result files of runs of one configuration (same config, overrides, seed and\n"
               "  binary; e.g. the tasks of a job array, each with its --scenario) combined into the\n"
               "  file one run of all their scenarios writes: scenario groups copied byte for byte\n"
               "  in the configuration's order (docs/cluster.md)\n"
               "exit 2 when an input is unreadable, of another run, or repeats a scenario\n");
}

static int cmd_merge(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage_merge(stdout);
        return 0;
    }
    for (int i = 1; i < argc; i++)
        if (argv[i][0] == '-')
            return bad_usage("merge", usage_merge, "unknown option '%s'", argv[i]);
    if (argc < 3)
        return bad_usage("merge", usage_merge, "%s", argc < 2 ? "missing OUT and IN arguments" : "missing IN arguments");
    alvh_error err = {0};
    alvh_status st = alvh_result_merge(argv[1], (const char *const *)argv + 2, (size_t)argc - 2, &err);
    if (st != ALVH_OK) {
        fprintf(stderr, "alvh merge: %s\n", err.msg);
        return st == ALVH_E_CONFIG || st == ALVH_E_USAGE ? EXIT_USAGE : EXIT_RUN_FAILED;
    }
    printf("wrote %s from %d file%s\n", argv[1], argc - 2, argc == 3 ? "" : "s");
    return 0;
}

/* Whole number in [lo, hi], also as 1e5 (cli/args.h). */
static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    return alvh_arg_whole(s, lo, hi, out);
}

static void print_version(void)
{
    char h5[32];
    alvh_io_hdf5_version(h5, sizeof h5);
    const alvh_kernel_ops *ops = NULL;
    alvh_error err = {0};
    const char *isa = alvh_dispatch_select(NULL, &ops, &err) == ALVH_OK ? ops->name : "invalid ALVH_ISA";
    printf("alvh %s (git %s)\n", ALVH_VERSION, ALVH_GIT_DESCRIBE);
    printf("isa: %s (this CPU supports:", isa);
    for (int i = 0; i < ALVH_ISA_COUNT; i++)
        if (alvh_isa_supported((alvh_isa)i))
            printf(" %s", alvh_isa_name((alvh_isa)i));
    printf(")\nhdf5 %s, openmp %d, %d threads, mpi %s\n", h5, _OPENMP, omp_get_max_threads(),
           alvh_mpi_enabled() ? "yes (alvh run under mpirun/srun splits the blocks over ranks)" : "no");
}

static int cmd_drivers(int argc, char **argv)
{
    alvh_driver_params p = {.seed = 1, .n_paths = 100000, .n_steps = 252, .n_drivers = 4, .block_size = 1024};
    const char *isa_req = NULL;
    static const struct option longopts[] = {
        {"paths", required_argument, NULL, 'p'},   {"steps", required_argument, NULL, 'n'},
        {"drivers", required_argument, NULL, 'k'}, {"seed", required_argument, NULL, 's'},
        {"threads", required_argument, NULL, 't'}, {"block-size", required_argument, NULL, 'b'},
        {"isa", required_argument, NULL, 'i'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    int c;
    uint64_t v;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'p':
            if (parse_u64(optarg, 1, UINT64_C(1) << 40, &v))
                return bad_usage("drivers", usage_drivers, "--paths %s: expected a whole number from 1 to 2^40", optarg);
            p.n_paths = v;
            break;
        case 'n':
            if (parse_u64(optarg, 1, 1000000, &v))
                return bad_usage("drivers", usage_drivers, "--steps %s: expected a whole number from 1 to 1000000", optarg);
            p.n_steps = v;
            break;
        case 'k':
            if (parse_u64(optarg, 1, 64, &v))
                return bad_usage("drivers", usage_drivers, "--drivers %s: expected a whole number from 1 to 64", optarg);
            p.n_drivers = v;
            break;
        case 's':
            if (parse_u64(optarg, 0, UINT64_MAX, &v))
                return bad_usage("drivers", usage_drivers, "--seed %s: expected a whole number from 0 to 2^64-1", optarg);
            p.seed = v;
            break;
        case 't':
            if (parse_u64(optarg, 1, 4096, &v))
                return bad_usage("drivers", usage_drivers, "--threads %s: expected a whole number from 1 to 4096", optarg);
            p.threads = (int)v;
            break;
        case 'b':
            if (parse_u64(optarg, 8, 1 << 20, &v))
                return bad_usage("drivers", usage_drivers, "--block-size %s: expected a whole number from 8 to 1048576", optarg);
            p.block_size = v;
            break;
        case 'i': isa_req = optarg; break;
        case 'h': usage_drivers(stdout); return 0;
        case ':': return bad_usage("drivers", usage_drivers, "%s needs a value", argv[optind - 1]);
        default: return bad_usage("drivers", usage_drivers, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return bad_usage("drivers", usage_drivers, "unexpected argument '%s'", argv[optind]);
    if ((p.n_paths + p.block_size - 1) / p.block_size > (UINT64_C(1) << 32))
        return bad_usage("drivers", usage_drivers, "--paths %s: too many blocks for this block size", "");
    const alvh_kernel_ops *ops;
    alvh_error err = {0};
    if (alvh_dispatch_select(isa_req, &ops, &err) != ALVH_OK) {
        fprintf(stderr, "alvh drivers: %s\n", err.msg);
        return err.code == ALVH_E_USAGE ? EXIT_USAGE : EXIT_UNAVAILABLE;
    }
    alvh_driver_result r;
    if (alvh_driver_run(&p, ops, &r, &err) != ALVH_OK) {
        fprintf(stderr, "alvh drivers: %s (%s)\n", err.msg, alvh_status_name(err.code));
        return err.code == ALVH_E_CONFIG ? EXIT_USAGE : EXIT_RUN_FAILED;
    }
    alvh_report_driver_run(stdout, &p, &r, ops->name);
    return r.n_nonfinite ? EXIT_RUN_FAILED : 0;
}

/* What `alvh validate` prints of a valid configuration; each scenario with
 * its estimated memory, refused (-1) above the budget as `alvh run` would. */
static int validate_summary(const alvh_config *cfg, double budget, int budget_given)
{
    const alvh_config_run *r = &cfg->run;
    printf("%s: valid\n", cfg->source_path);
    printf("run %s: %zu scenario%s x %" PRIu64 " paths, %" PRIu64 " steps (horizon %g y at %" PRIu64
           " steps/y), seed %" PRIu64 ", blocks of %" PRIu64 "\n",
           r->name, cfg->n_scenarios, cfg->n_scenarios == 1 ? "" : "s", r->paths, cfg->n_steps, r->horizon_years,
           r->steps_per_year, r->seed, r->block_size);
    printf("book: capital %.0f USD, %zu variant%s (first %s; each compared with its baseline)\n",
           cfg->book.capital_usd, cfg->n_variants, cfg->n_variants == 1 ? "" : "s", cfg->variants[0].name);
    int refused = 0;
    for (size_t i = 0; i < cfg->n_scenarios; i++) {
        const alvh_config_scenario *sc = &cfg->scenarios[i];
        alvh_scenario_request rq = alvh_config_scenario_request(cfg, i, 0, 1);
        alvh_memory_estimate m = alvh_scenario_memory_estimate(&rq);
        printf("  %-20s v0 %.6g%s, token vol %g/yr, %zu injection%s, memory ~%.2f GB\n", sc->name,
               sc->market.spx.v0, isnan(sc->vix0) ? "" : " (from VIX)", sc->market.token.sigma0_ann,
               sc->n_injections, sc->n_injections == 1 ? "" : "s", m.total / 1e9);
        refused |= alvh_check_memory("validate", sc->name, &m, budget, budget_given) != 0;
    }
    return refused ? -1 : 0;
}

static int cmd_validate(int argc, char **argv)
{
    static const struct option longopts[] = {{"resolved", no_argument, NULL, 'r'},
                                             {"set", required_argument, NULL, 'E'},
                                             {"memory-budget", required_argument, NULL, 'B'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    enum { MAX_SETS = 256 };
    const char *sets[MAX_SETS];
    size_t n_sets = 0;
    double budget_given = 0;
    int c, resolved = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (c == 'h') {
            usage_validate(stdout);
            return 0;
        }
        if (c == 'r') {
            resolved = 1;
        } else if (c == 'E') {
            if (n_sets == MAX_SETS)
                return bad_usage("validate", usage_validate, "too many --set options (at most %s)", "256");
            if (!strchr(optarg, '=') || *optarg == '=')
                return bad_usage("validate", usage_validate, "--set expects KEY=VALUE, got '%s'", optarg);
            sets[n_sets++] = optarg;
        } else if (c == 'B') {
            if ((budget_given = alvh_parse_bytes(optarg)) < 0)
                return bad_usage("validate", usage_validate,
                                 "--memory-budget expects a size in bytes (suffix K, M, G or T), got '%s'", optarg);
        } else if (c == ':') {
            return bad_usage("validate", usage_validate, "option '%s' needs a value", argv[optind - 1]);
        } else {
            return bad_usage("validate", usage_validate, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind + 1 != argc)
        return bad_usage("validate", usage_validate, "%s", optind == argc ? "missing CONFIG argument" : "too many arguments");
    alvh_config *cfg = NULL;
    alvh_error err = {0};
    alvh_status st = alvh_config_load_set(argv[optind], NULL, NULL, 0, sets, n_sets, &cfg, &err);
    if (st != ALVH_OK) {
        fprintf(stderr, "alvh validate: %s\n", err.msg);
        /* a bad or unreadable file is bad input; only running out of memory is a failure of the run */
        return st == ALVH_E_CONFIG || st == ALVH_E_IO ? EXIT_USAGE : EXIT_RUN_FAILED;
    }
    int rc = 0;
    if (resolved) { /* only the YAML on stdout, so it can be saved and loaded again */
        char *text = alvh_config_resolved_text(cfg);
        rc = text ? 0 : EXIT_RUN_FAILED;
        if (text)
            fputs(text, stdout);
        else
            fprintf(stderr, "alvh validate: out of memory\n");
        free(text);
    } else {
        double budget = budget_given > 0 ? budget_given : alvh_available_memory();
        rc = validate_summary(cfg, budget, budget_given > 0) != 0 ? EXIT_USAGE : 0;
    }
    alvh_config_free(cfg);
    return rc;
}

typedef struct {
    const char *path, *scenario;
    alvh_summary_format fmt;
} summary_job;

static alvh_status summary_in_child(void *ctx, FILE *out, alvh_error *err)
{
    const summary_job *j = ctx;
    return alvh_h5_summary_print(out, j->path, j->scenario, j->fmt, err);
}

/* summary: print the tables stored in a result file (io/h5_summary.h). A file
 * that cannot be read as an alvh result, or a scenario it does not hold, is
 * bad input (exit 2). */
static int cmd_summary(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"scenario", required_argument, NULL, 's'}, {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
    };
    const char *scenario = NULL;
    alvh_summary_format fmt = ALVH_SUMMARY_TABLE;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': usage_summary(stdout); return 0;
        case 's': scenario = optarg; break;
        case 'f':
            if (alvh_summary_format_parse(optarg, &fmt))
                return bad_usage("summary", usage_summary, "--format %s: expected table, csv or json", optarg);
            break;
        case ':': return bad_usage("summary", usage_summary, "%s needs a value", argv[optind - 1]);
        default: return bad_usage("summary", usage_summary, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind + 1 != argc)
        return bad_usage("summary", usage_summary, "%s",
                         optind == argc ? "missing FILE argument" : "too many arguments");
    alvh_error err = {0};
    summary_job job = {.path = argv[optind], .scenario = scenario, .fmt = fmt};
    /* in a child process: HDF5 itself may crash on a corrupt file (io/contained.h) */
    if (alvh_run_contained(job.path, summary_in_child, &job, stdout, &err) != ALVH_OK) {
        fprintf(stderr, "alvh summary: %s\n", err.msg);
        return err.code == ALVH_E_NOMEM || err.code == ALVH_E_INTERNAL ? EXIT_RUN_FAILED : EXIT_USAGE;
    }
    return 0;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        usage_main(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        print_version();
        return 0;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage_main(stdout);
        return 0;
    }
    /* subcommands parse argv[1..]: their argv[0] is the command name */
    if (strcmp(cmd, "run") == 0)
        return alvh_cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "drivers") == 0)
        return cmd_drivers(argc - 1, argv + 1);
    if (strcmp(cmd, "bench") == 0) {
        alvh_bench_set_run_fn(alvh_bench_run_default);
        return alvh_bench_cli(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "merge") == 0)
        return cmd_merge(argc - 1, argv + 1);
    if (strcmp(cmd, "validate") == 0)
        return cmd_validate(argc - 1, argv + 1);
    if (strcmp(cmd, "summary") == 0)
        return cmd_summary(argc - 1, argv + 1);
    if (strcmp(cmd, "diagnose") == 0)
        return alvh_cmd_diagnose(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0)
        return alvh_cmd_report(argc - 1, argv + 1);
    fprintf(stderr, "alvh: unknown command or option '%s'\n", cmd);
    usage_main(stderr);
    return EXIT_USAGE;
}

/* Output that could not be written (a full disk, a closed pipe, /dev/full)
 * fails the command: a report the user never saw is not a success. */
/* The statistics allocate and free tens of buffers of 16-48 MB per scenario
 * (one per sort). Above glibc's mmap threshold each one is fresh pages from
 * the kernel, zeroed on first touch: at 1e6 paths ~1.3 GB of page faults,
 * 5 of a 10-step run's 8 CPU seconds in the kernel. Below 256 MiB they come
 * from the heap and are reused; the outcome rows (GBs) stay mmapped, and at
 * most 1 GiB of freed heap is kept. */
static void reuse_freed_buffers(void)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

int main(int argc, char **argv)
{
    reuse_freed_buffers();
    int rc = dispatch(argc, argv);
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "alvh: cannot write to standard output: %s\n", errno ? strerror(errno) : "write error");
        return rc == 0 ? EXIT_RUN_FAILED : rc;
    }
    return rc;
}
