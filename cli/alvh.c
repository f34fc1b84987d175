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
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "engine/dispatch.h"
#include "engine/driver_run.h"
#include "io/libinfo.h"
#include "io/report.h"

enum { EXIT_RUN_FAILED = 1, EXIT_USAGE = 2, EXIT_UNAVAILABLE = 3 };

static void usage_main(FILE *f)
{
    fprintf(f,
            "usage: alvh <command> [options]\n"
            "       alvh --version | --help\n"
            "commands:\n"
            "  run       simulate (no CONFIG: the built-in default)\n"
            "  validate  check a configuration file without simulating\n"
            "  summary   print the tables stored in a result file\n"
            "  bench     measure kernel throughput (JSON with --json)\n"
            "Run 'alvh <command> --help' for the options of a command.\n");
}

static void usage_run(FILE *f)
{
    fprintf(f,
            "usage: alvh run [CONFIG] [--paths N] [--steps N] [--drivers K] [--seed S]\n"
            "                [--threads T] [--block-size B] [--isa ISA] [-o FILE]\n"
            "  --paths N       paths to simulate (default 100000)\n"
            "  --steps N       time steps per path (default 252, one year daily)\n"
            "  --drivers K     normal drivers per step (default 4: SPX, variance, token, funding)\n"
            "  --seed S        run seed, 0..2^64-1 (default 1)\n"
            "  --threads T     OpenMP threads (default: all)\n"
            "  --block-size B  paths per block, 8..1048576 (default 1024); results depend on it\n"
            "  --isa ISA       auto|scalar|avx2|avx512 (default auto, or $ALVH_ISA)\n"
            "  -o FILE         HDF5 output (not available in this build yet)\n"
            "This build runs the random drivers of the market model and reports their\n"
            "statistics; configuration files and HDF5 output are not available yet.\n");
}

static void usage_validate(FILE *f) { fprintf(f, "usage: alvh validate CONFIG\n  check CONFIG and exit (not available in this build yet)\n"); }
static void usage_summary(FILE *f)
{
    fprintf(f, "usage: alvh summary FILE.h5 [--scenario NAME] [--format table|csv|json]\n"
               "  print the stored tables of a result file (not available in this build yet)\n");
}

static int bad_usage(const char *cmd, void (*usage)(FILE *), const char *fmt, const char *arg)
{
    fprintf(stderr, "alvh %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    usage(stderr);
    return EXIT_USAGE;
}

/* Whole decimal number in [lo, hi], nothing else. */
static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return -1;
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
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
    printf(")\nhdf5 %s, openmp %d, %d threads\n", h5, _OPENMP, omp_get_max_threads());
}

static int cmd_run(int argc, char **argv)
{
    alvh_driver_params p = {.seed = 1, .n_paths = 100000, .n_steps = 252, .n_drivers = 4, .block_size = 1024};
    const char *isa_req = NULL;
    static const struct option longopts[] = {
        {"paths", required_argument, NULL, 'p'},   {"steps", required_argument, NULL, 'n'},
        {"drivers", required_argument, NULL, 'k'}, {"seed", required_argument, NULL, 's'},
        {"threads", required_argument, NULL, 't'}, {"block-size", required_argument, NULL, 'b'},
        {"isa", required_argument, NULL, 'i'},     {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    int c;
    uint64_t v;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        switch (c) {
        case 'p':
            if (parse_u64(optarg, 1, UINT64_C(1) << 40, &v))
                return bad_usage("run", usage_run, "--paths %s: expected a whole number from 1 to 2^40", optarg);
            p.n_paths = v;
            break;
        case 'n':
            if (parse_u64(optarg, 1, 1000000, &v))
                return bad_usage("run", usage_run, "--steps %s: expected a whole number from 1 to 1000000", optarg);
            p.n_steps = v;
            break;
        case 'k':
            if (parse_u64(optarg, 1, 64, &v))
                return bad_usage("run", usage_run, "--drivers %s: expected a whole number from 1 to 64", optarg);
            p.n_drivers = v;
            break;
        case 's':
            if (parse_u64(optarg, 0, UINT64_MAX, &v))
                return bad_usage("run", usage_run, "--seed %s: expected a whole number from 0 to 2^64-1", optarg);
            p.seed = v;
            break;
        case 't':
            if (parse_u64(optarg, 1, 4096, &v))
                return bad_usage("run", usage_run, "--threads %s: expected a whole number from 1 to 4096", optarg);
            p.threads = (int)v;
            break;
        case 'b':
            if (parse_u64(optarg, 8, 1 << 20, &v))
                return bad_usage("run", usage_run, "--block-size %s: expected a whole number from 8 to 1048576", optarg);
            p.block_size = v;
            break;
        case 'i': isa_req = optarg; break;
        case 'o':
            fprintf(stderr, "alvh run: -o %s: HDF5 output is not available in this build yet\n", optarg);
            return EXIT_UNAVAILABLE;
        case 'h': usage_run(stdout); return 0;
        case ':': return bad_usage("run", usage_run, "%s needs a value", argv[optind - 1]);
        default: return bad_usage("run", usage_run, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) {
        if (optind + 1 < argc)
            return bad_usage("run", usage_run, "unexpected argument '%s'", argv[optind + 1]);
        fprintf(stderr, "alvh run: %s: configuration files are not available in this build yet\n", argv[optind]);
        return EXIT_UNAVAILABLE;
    }
    if ((p.n_paths + p.block_size - 1) / p.block_size > (UINT64_C(1) << 32))
        return bad_usage("run", usage_run, "--paths %s: too many blocks for this block size", "");
    const alvh_kernel_ops *ops;
    alvh_error err = {0};
    if (alvh_dispatch_select(isa_req, &ops, &err) != ALVH_OK) {
        fprintf(stderr, "alvh run: %s\n", err.msg);
        return err.code == ALVH_E_USAGE ? EXIT_USAGE : EXIT_UNAVAILABLE;
    }
    alvh_driver_result r;
    if (alvh_driver_run(&p, ops, &r, &err) != ALVH_OK) {
        fprintf(stderr, "alvh run: %s (%s)\n", err.msg, alvh_status_name(err.code));
        return err.code == ALVH_E_CONFIG ? EXIT_USAGE : EXIT_RUN_FAILED;
    }
    alvh_report_driver_run(stdout, &p, &r, ops->name);
    return r.n_nonfinite ? EXIT_RUN_FAILED : 0;
}

/* validate and summary: arguments are checked now; the work arrives with the
 * YAML and HDF5 layers. */
static int cmd_unavailable(const char *cmd, void (*usage)(FILE *), int argc, char **argv, const char *what)
{
    static const struct option longopts[] = {
        {"scenario", required_argument, NULL, 's'}, {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
    };
    int is_summary = strcmp(cmd, "summary") == 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return 0;
        }
        if (c == ':')
            return bad_usage(cmd, usage, "%s needs a value", argv[optind - 1]);
        if (!is_summary || c == '?')
            return bad_usage(cmd, usage, "unknown option '%s'", argv[optind - 1]);
        if (c == 'f' && strcmp(optarg, "table") && strcmp(optarg, "csv") && strcmp(optarg, "json"))
            return bad_usage(cmd, usage, "--format %s: expected table, csv or json", optarg);
    }
    if (optind + 1 != argc)
        return bad_usage(cmd, usage, "%s", optind == argc ? "missing FILE argument" : "too many arguments");
    fprintf(stderr, "alvh %s: %s: %s are not available in this build yet\n", cmd, argv[optind], what);
    return EXIT_UNAVAILABLE;
}

int main(int argc, char **argv)
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
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "bench") == 0)
        return alvh_bench_cli(argc - 1, argv + 1);
    if (strcmp(cmd, "validate") == 0)
        return cmd_unavailable("validate", usage_validate, argc - 1, argv + 1, "configuration files");
    if (strcmp(cmd, "summary") == 0)
        return cmd_unavailable("summary", usage_summary, argc - 1, argv + 1, "result files");
    fprintf(stderr, "alvh: unknown command or option '%s'\n", cmd);
    usage_main(stderr);
    return EXIT_USAGE;
}
