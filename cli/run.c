/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `alvh run [CONFIG]`: every scenario of a configuration through the market
 * model and every variant of the hedge book, into one HDF5 result file.
 *
 * Batch life cycle (docs/batch.md): each finished scenario is written to its
 * own part file in "<output>.parts/"; the scenario in progress is checkpointed
 * there every --checkpoint-blocks blocks; SIGINT/SIGTERM/SIGUSR1 finish the blocks
 * being computed, checkpoint and exit with code 5; `--resume` continues from
 * the parts (refused when the configuration or the binary changed); when all
 * scenarios are done the parts are copied into "<output>" (written under a
 * temporary name, renamed when complete) and the parts directory is removed.
 */
#define _GNU_SOURCE
#include "cli/run.h"
#include "cli/studies.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alvh_default_config.h"
#include "alvh_gitinfo.h"
#include "cli/args.h"
#include "engine/dispatch.h"
#include "engine/mpi_dist.h"
#include "engine/phase_clock.h"
#include "engine/scenario_run.h"
#include "engine/scheduler.h"
#include "io/batch.h"
#include "io/run_identity.h"
#include "io/checkpoint.h"
#include "cli/run_ckpt.h"
#include "cli/run_memory.h"
#include "io/fault.h"
#include "io/config.h"
#include "io/h5_writer.h"
#include "io/result_file.h"

#ifndef ALVH_VERSION
#define ALVH_VERSION "0.0.0"
#endif

enum { EXIT_OK = 0, EXIT_RUN_FAILED = 1, EXIT_USAGE = 2, EXIT_UNAVAILABLE = 3, EXIT_INTERRUPTED = 5 };
enum { MAX_SELECTED = 256 };

/* shared with the OpenMP workers; lock-free, so the signal handler may store it (C11 7.14.1.1) */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the stop flag must be a lock-free atomic");
static atomic_int g_stop;

static void on_signal(int sig)
{
    (void)sig;
    atomic_store(&g_stop, 1);
}

void alvh_run_usage(FILE *f)
{
    fprintf(f,
            "usage: alvh run [CONFIG] [-o FILE] [--paths N] [--seed S] [--threads T] [--scenario NAME]...\n"
            "                [--variant NAME]... [--set KEY=VALUE]... [--store-paths] [--isa ISA]\n"
            "                [--summaries exact|histogram] [--resume] [--checkpoint-blocks N]\n"
            "                [--checkpoint-seconds S] [--memory-budget BYTES] [--quiet]\n"
            "  CONFIG               YAML configuration (docs/config.md); none: the built-in default\n"
            "                       (configs/default.yaml, compiled in)\n"
            "  -o FILE              result file (default: <run name>.h5 in the current directory)\n"
            "  --paths N            paths per scenario (overrides run.paths; 1e5 is 100000)\n"
            "  --seed S             run seed (overrides run.seed)\n"
            "  --threads T          OpenMP threads (overrides run.threads; results do not depend on it)\n"
            "  --scenario NAME      run only this scenario (repeatable; default: all)\n"
            "  --variant NAME       evaluate only this variant of the book (repeatable, config order; the\n"
            "                       first one kept is the baseline of the effectiveness tables)\n"
            "  --set KEY=VALUE      set a configuration value as if the file held it, validated the same\n"
            "                       way (repeatable): run.horizon_steps=10, book.capital_usd=5e6,\n"
            "                       scenarios.calm.spx.kappa=2 (a sequence item by name or index)\n"
            "  --store-paths        also write the per-path pnl and metrics tables (run.store_paths: true)\n"
            "  --isa ISA            auto|scalar|avx2|avx512 (default auto, or $ALVH_ISA)\n"
            "  --summaries MODE     exact|histogram (overrides run.summaries): histogram keeps no per-path\n"
            "                       values (memory independent of paths; needs run.store_paths: false)\n"
            "  --resume             continue an interrupted run from FILE.parts/\n"
            "  --checkpoint-blocks N  blocks per round: the scenario in progress is checkpointed after a\n"
            "                       round (default 64) ...\n"
            "  --checkpoint-seconds S ... once S seconds have passed since the last checkpoint (default 30;\n"
            "                       0: after every round), and 20x as long as the last one took;\n"
            "                       SIGINT/SIGTERM/SIGUSR1 always checkpoint\n"
            "  --memory-budget B    refuse, before simulating, a scenario whose estimated memory exceeds B\n"
            "                       bytes (suffix K, M, G, T; default: the memory available at the start)\n"
            "  --quiet              no progress output\n"
            "exit codes: 0 done, 1 run failed, 2 bad input (message names file:line and key),\n"
            "            3 ISA not available, 5 interrupted by SIGINT/SIGTERM/SIGUSR1 (checkpointed: --resume, any rank count)\n");
}

typedef struct {
    const char *config_path, *output, *isa;
    int summaries; /* -1: the config's */
    const char *scenarios[MAX_SELECTED];
    size_t n_scenarios;
    const char *variants[MAX_SELECTED];
    size_t n_variants;
    const char *sets[MAX_SELECTED];
    size_t n_sets;
    int store_paths;
    long long paths, threads;
    unsigned long long seed;
    int have_seed, resume, quiet;
    size_t ckpt_blocks;
    double ckpt_seconds, memory_budget; /* memory_budget 0: the available memory */
} run_opts;

/* A whole number in [0, max] (1e5 too: cli/args.h). */
static int parse_u(const char *s, unsigned long long max, unsigned long long *out)
{
    uint64_t v;
    if (alvh_arg_whole(s, 0, max, &v) != 0)
        return -1;
    *out = v;
    return 0;
}

/* One line, then where the options are explained. */
static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "alvh run: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "; see alvh run --help\n");
    return EXIT_USAGE;
}

static int parse(int argc, char **argv, run_opts *o)
{
    static const struct option longs[] = {
        {"paths", required_argument, 0, 'p'},   {"seed", required_argument, 0, 's'},
        {"threads", required_argument, 0, 't'}, {"scenario", required_argument, 0, 'n'},
        {"isa", required_argument, 0, 'i'},     {"resume", no_argument, 0, 'r'},
        {"checkpoint-blocks", required_argument, 0, 'c'}, {"quiet", no_argument, 0, 'q'},
        {"checkpoint-seconds", required_argument, 0, 'S'},
        {"output", required_argument, 0, 'o'},  {"help", no_argument, 0, 'h'},
        {"summaries", required_argument, 0, 'M'}, {"variant", required_argument, 0, 'V'},
        {"set", required_argument, 0, 'E'},       {"store-paths", no_argument, 0, 'P'},
        {"memory-budget", required_argument, 0, 'B'},
        {0, 0, 0, 0},
    };
    memset(o, 0, sizeof *o);
    o->paths = -1;
    o->threads = -1;
    o->summaries = -1;
    o->ckpt_blocks = 64;
    o->ckpt_seconds = 30.0;
    optind = 1;
    opterr = 0;
    int c;
    unsigned long long v;
    while ((c = getopt_long(argc, argv, ":o:h", longs, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->output = optarg;
            break;
        case 'p':
            if (parse_u(optarg, 10000000000ull, &v) != 0 || v < 1)
                return usage_error("--paths expects a whole number in [1, 1e10], got '%s'", optarg);
            o->paths = (long long)v;
            break;
        case 's':
            if (parse_u(optarg, UINT64_MAX, &v) != 0)
                return usage_error("--seed expects a whole number in [0, 2^64-1], got '%s'", optarg);
            o->seed = v;
            o->have_seed = 1;
            break;
        case 't':
            if (parse_u(optarg, 1024, &v) != 0)
                return usage_error("--threads expects a whole number in [0, 1024] (0: all), got '%s'", optarg);
            o->threads = (long long)v;
            break;
        case 'n':
            if (o->n_scenarios == MAX_SELECTED)
                return usage_error("too many --scenario options (at most %s)", "256");
            o->scenarios[o->n_scenarios++] = optarg;
            break;
        case 'V':
            if (o->n_variants == MAX_SELECTED)
                return usage_error("too many --variant options (at most %s)", "256");
            o->variants[o->n_variants++] = optarg;
            break;
        case 'E':
            if (o->n_sets == MAX_SELECTED)
                return usage_error("too many --set options (at most %s)", "256");
            if (!strchr(optarg, '=') || *optarg == '=')
                return usage_error("--set expects KEY=VALUE (e.g. run.horizon_steps=10), got '%s'", optarg);
            o->sets[o->n_sets++] = optarg;
            break;
        case 'P':
            o->store_paths = 1;
            break;
        case 'i':
            o->isa = optarg;
            break;
        case 'M':
            if (strcmp(optarg, alvh_summaries_names[ALVH_SUMMARIES_EXACT]) == 0)
                o->summaries = ALVH_SUMMARIES_EXACT;
            else if (strcmp(optarg, alvh_summaries_names[ALVH_SUMMARIES_HISTOGRAM]) == 0)
                o->summaries = ALVH_SUMMARIES_HISTOGRAM;
            else
                return usage_error("--summaries expects exact or histogram, got '%s'", optarg);
            break;
        case 'r':
            o->resume = 1;
            break;
        case 'B':
            if ((o->memory_budget = alvh_parse_bytes(optarg)) < 0)
                return usage_error("--memory-budget expects a size in bytes (suffix K, M, G or T), got '%s'", optarg);
            break;
        case 'c':
            if (parse_u(optarg, 1000000, &v) != 0 || v < 1)
                return usage_error("--checkpoint-blocks expects a whole number in [1, 1000000], got '%s'", optarg);
            o->ckpt_blocks = (size_t)v;
            break;
        case 'q':
            o->quiet = 1;
            break;
        case 'S':
            if (parse_u(optarg, 86400, &v) != 0)
                return usage_error("--checkpoint-seconds expects a whole number in [0, 86400], got '%s'", optarg);
            o->ckpt_seconds = (double)v;
            break;
        case 'h':
            alvh_run_usage(stdout);
            return -1;
        case ':':
            return usage_error("option '%s' needs a value", argv[optind - 1]);
        default:
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        o->config_path = argv[optind++];
    if (optind < argc)
        return usage_error("unexpected argument '%s' (one CONFIG at most)", argv[optind]);
    return EXIT_OK;
}

/* "a, b, c" from n names found every stride bytes from first. */
static void name_list(char *buf, size_t n, const char *first, size_t stride, size_t count)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < count && used < n; k++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s", k ? ", " : "", first + k * stride);
}

/* Keeps only the named variants (config order); 0, or -1 after a message. */
static int select_variants(alvh_config *cfg, const char *const *names, size_t n, const char *config_path)
{
    for (size_t j = 0; j < n; j++) {
        size_t v = 0;
        while (v < cfg->n_variants && strcmp(cfg->variants[v].name, names[j]) != 0)
            v++;
        if (v == cfg->n_variants) {
            char list[1024];
            name_list(list, sizeof list, cfg->variants[0].name, sizeof cfg->variants[0], cfg->n_variants);
            fprintf(stderr, "alvh run: no variant '%s' in %s (variants: %s)\n", names[j],
                    config_path ? config_path : "the built-in default", list);
            return -1;
        }
    }
    size_t kept = 0;
    for (size_t v = 0; v < cfg->n_variants; v++)
        for (size_t j = 0; j < n; j++)
            if (strcmp(cfg->variants[v].name, names[j]) == 0) {
                cfg->variants[kept++] = cfg->variants[v];
                break;
            }
    cfg->n_variants = kept;
    return 0;
}

/* ---- progress ---- */

typedef struct {
    int tty, quiet;
    double t0, last_log;
    double t_scenario; /* start of the current scenario in this life */
    size_t base_done;  /* its paths done before (restored from a checkpoint), all ranks */
} progress;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The rate counts the paths computed in this life (not those restored from a
 * checkpoint), of every rank. The ETA is the batch's: the rest of this
 * scenario and the n - k scenarios after it (each of `total` paths; their
 * steps and variants are the run's, so the current rate is the estimate). */
static void progress_show(progress *p, size_t k, size_t n, const char *name, size_t done, size_t total, double t_start,
                          size_t base_done, int final)
{
    if (p->quiet)
        return;
    double el = now_s() - t_start, rate = el > 0 ? (double)(done - base_done) / el : 0.0;
    double left = (double)(total - done) + (double)(n - k) * (double)total;
    double eta = rate > 0 ? left / rate : 0.0;
    if (p->tty) {
        fprintf(stderr, "\r[%zu/%zu] %-20.20s %10zu/%zu paths  %9.0f paths/s  batch ETA %6.0f s%s", k, n, name, done,
                total, rate, eta, final ? "\n" : "");
        fflush(stderr);
    } else if (final || now_s() - p->last_log >= 10.0) {
        fprintf(stderr, "alvh run: scenario %zu/%zu %s: %zu/%zu paths, %.0f paths/s, batch ETA %.0f s\n", k, n, name,
                done, total, rate, eta);
        p->last_log = now_s();
    }
}

/* ---- the compact table printed at the end ---- */

static double cell(const alvh_table *t, const char *row, size_t col)
{
    for (size_t r = 0; r < t->rows; r++)
        if (strcmp(t->row_names[r], row) == 0)
            return t->data[r * t->cols + col];
    return NAN;
}

static void print_summary(const char *scenario, const alvh_variant *vars, const alvh_scenario_result *r,
                          double capital)
{
    printf("\nscenario %s: %zu paths x %zu steps, capital %.0f USD (P&L in USD; loss = -P&L)\n", scenario,
           r->n_paths, r->n_steps, capital);
    printf("  %-22s %12s %12s %12s %12s %10s %11s %11s %10s  %-18s %s\n", "variant", "mean", "excess/cash",
           "VaR99", "ES99", "P(L>10%)", "P(liq.perp)", "P(liq.borr)", "bad debt", "ES99 red. (SE)",
           "vs baseline");
    for (size_t v = 0; v < r->n_variants; v++) {
        const alvh_table *t = &r->pnl[v];
        size_t tc = ALVH_OUT_TOTAL, b = r->baseline[v];
        char er[40] = "-";
        if (b != v)
            snprintf(er, sizeof er, "%+.3f (%.3f)", cell(&r->eff[v], "es99_reduction", 0),
                     cell(&r->eff[v], "es99_reduction_se", 0));
        printf("  %-22s %12.0f %12.0f %12.0f %12.0f %10.4f %11.4f %11.4f %10.0f  %-18s %s\n", vars[v].name,
               cell(t, "mean", tc), cell(&r->risk[v], "excess_over_cash_mean", 0), cell(t, "var_99", tc),
               cell(t, "es_99", tc), cell(t, "p_loss_gt_10pct", tc), cell(&r->risk[v], "p_liquidation_perp", 0),
               cell(&r->risk[v], "p_liquidation_borrow", 0), cell(&r->risk[v], "bad_debt_mean", 0), er,
               b != v ? vars[b].name : "(baseline)");
    }
}

/* Closes w (may be NULL), committing it only when everything before went
 * well; a failed close becomes the run's error. */
static alvh_status close_writer(alvh_h5_writer *w, alvh_status st, alvh_error *err)
{
    if (!w)
        return st;
    alvh_error cerr = {0};
    alvh_status cst = alvh_h5_close(w, st == ALVH_OK, &cerr);
    if (st == ALVH_OK && cst != ALVH_OK) {
        *err = cerr;
        return cst;
    }
    return st;
}

/* Every scenario's memory against the budget, before the batch directory exists. */
static int check_memory(const alvh_config *cfg, const size_t *sel, size_t n_sel, const run_opts *o, int rank,
                        int ranks)
{
    double budget = o->memory_budget > 0 ? o->memory_budget : alvh_available_memory();
    for (size_t j = 0; j < n_sel; j++) {
        alvh_scenario_request rq = alvh_config_scenario_request(cfg, sel[j], rank, ranks);
        alvh_memory_estimate m = alvh_scenario_memory_estimate(&rq);
        if (alvh_check_memory("run", cfg->scenarios[sel[j]].name, &m, budget, o->memory_budget > 0) != 0)
            return -1;
    }
    return 0;
}

/* ---- the run ---- */

/* one argument for a POSIX shell: as is when plain, else in single quotes */
static size_t shell_quote(const char *a, char *buf, size_t n)
{
    int plain = *a != '\0';
    for (const char *p = a; *p && plain; p++)
        plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./=:,+-@%", *p) != NULL;
    if (plain)
        return (size_t)snprintf(buf, n, "%s", a);
    size_t w = (size_t)snprintf(buf, n, "'");
    for (const char *p = a; *p && w < n; p++)
        w += (size_t)(*p == '\'' ? snprintf(buf + w, n - w, "'\\''") : snprintf(buf + w, n - w, "%c", *p));
    return w < n ? w + (size_t)snprintf(buf + w, n - w, "'") : w;
}

/* the command that continues this run: every argument as given, plus --resume */
static void resume_command(int argc, char **argv, char *buf, size_t n)
{
    size_t w = (size_t)snprintf(buf, n, "alvh run");
    int has_resume = 0;
    for (int i = 1; i < argc && w + 1 < n; i++) {
        has_resume |= strcmp(argv[i], "--resume") == 0;
        w += (size_t)snprintf(buf + w, n - w, " ");
        if (w < n)
            w += shell_quote(argv[i], buf + w, n - w);
    }
    if (!has_resume && w < n)
        snprintf(buf + w, n - w, " --resume");
}

/* ---- the rounds of one scenario: checkpoints and signals, on every rank alike ---- */

#define OTHER_RANK_FAILED "another MPI rank failed"

/* Every rank's verdict (collective under MPI): 1 when any rank's st failed,
 * with st set on the ranks that did not fail themselves. */
static int agree_failed(alvh_status *st, alvh_error *err)
{
    if (!alvh_mpi_any(*st != ALVH_OK))
        return 0;
    if (*st == ALVH_OK)
        *st = alvh_error_set(err, ALVH_E_INTERNAL, OTHER_RANK_FAILED);
    return 1;
}

typedef struct {
    alvh_scenario_job *job;
    const alvh_batch *bp;
    const alvh_ckpt_header *h;
    const run_opts *o;
    progress *pr;
    int rank;
    size_t k, n; /* the scenario's place in the batch */
    const char *name;
    int argc;
    char **argv;
} rounds_ctx;

/* The whole scenario's progress into a checkpoint, written by rank 0 (collective). */
static alvh_status checkpoint(const rounds_ctx *c, alvh_error *err)
{
    alvh_job_buffer bufs[ALVH_JOB_MAX_BUFFERS];
    alvh_status st = alvh_scenario_job_checkpoint_begin(c->job, err);
    if (st == ALVH_OK && c->rank == 0) {
        size_t nb = alvh_scenario_job_buffers(c->job, bufs);
        st = alvh_ckpt_save(c->bp->ckpt, c->bp->prev_ckpt, c->h, bufs, nb, err);
    }
    alvh_scenario_job_checkpoint_end(c->job);
    return st;
}

/* Rounds of --checkpoint-blocks blocks per rank until every rank's blocks are
 * done. The checkpoint holds every finished block's rows: written at most
 * every ckpt_seconds, and (unless that is 0) no sooner than 20 times the last
 * one took, so writing them stays below ~5% of the run; on SIGINT, SIGTERM or
 * SIGUSR1 (to any rank: the flags are agreed each round) every rank finishes
 * its round, the checkpoint is written and *rc becomes EXIT_INTERRUPTED.
 * Progress and ETA count all ranks' paths. */
static alvh_status run_rounds(const rounds_ctx *c, int *rc, alvh_error *err)
{
    double last_ckpt = now_s(), ckpt_cost = 0.0;
    const size_t total = alvh_mpi_sum_size(alvh_scenario_job_paths_owned(c->job));
    c->pr->t_scenario = now_s();
    c->pr->base_done = alvh_mpi_sum_size(alvh_scenario_job_paths_owned_done(c->job));
    alvh_status st = ALVH_OK;
    while (alvh_mpi_any(alvh_scenario_job_blocks_done(c->job) < alvh_scenario_job_blocks(c->job))) {
        st = alvh_scenario_job_round(c->job, c->o->ckpt_blocks, &g_stop, err);
        if (agree_failed(&st, err))
            break;
        size_t done = alvh_mpi_sum_size(alvh_scenario_job_paths_owned_done(c->job));
        if (c->rank == 0)
            progress_show(c->pr, c->k + 1, c->n, c->name, done, total, c->pr->t_scenario, c->pr->base_done, 0);
        int left = alvh_mpi_any(alvh_scenario_job_blocks_done(c->job) < alvh_scenario_job_blocks(c->job));
        int stop = alvh_mpi_any(atomic_load(&g_stop));
        double s = c->o->ckpt_seconds, every = s > 0 && 20.0 * ckpt_cost > s ? 20.0 * ckpt_cost : s;
        int due = alvh_mpi_any(c->rank == 0 && now_s() - last_ckpt >= every);
        if (left && (stop || due)) {
            double t_ck = now_s();
            st = checkpoint(c, err);
            last_ckpt = now_s();
            ckpt_cost = last_ckpt - t_ck;
            alvh_phase_add(ALVH_PHASE_CHECKPOINT, ckpt_cost);
            if (agree_failed(&st, err))
                break;
        }
        if (left && stop) {
            if (c->rank == 0) {
                char again[8192];
                resume_command(c->argc, c->argv, again, sizeof again);
                fprintf(stderr, "%salvh run: interrupted: scenario %s checkpointed at %zu/%zu paths; continue with: "
                                "%s\n",
                        c->pr->tty ? "\n" : "", c->name, done, total, again);
            }
            *rc = EXIT_INTERRUPTED;
            break;
        }
    }
    return st;
}

static int run_main(int argc, char **argv, int rank, int ranks)
{
    run_opts o;
    int rc = parse(argc, argv, &o);
    if (rc != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    if (rank != 0)
        o.quiet = 1; /* rank 0 speaks and writes for all */
    alvh_error err = {0};
    alvh_config *cfg = NULL;
    alvh_status st = alvh_config_load_set(o.config_path, "default.yaml (built in)", alvh_default_config,
                                          sizeof alvh_default_config - 1, o.sets, o.n_sets, &cfg, &err);
    if (st != ALVH_OK) {
        fprintf(stderr, "alvh run: %s\n", err.msg);
        /* as alvh validate: a bad or unreadable file is bad input */
        return st == ALVH_E_CONFIG || st == ALVH_E_IO ? EXIT_USAGE : EXIT_RUN_FAILED;
    }
    if (o.paths > 0)
        cfg->run.paths = (uint64_t)o.paths;
    if (o.have_seed)
        cfg->run.seed = o.seed;
    if (o.threads >= 0)
        cfg->run.threads = (uint64_t)o.threads;
    if (o.summaries >= 0)
        cfg->run.summaries = o.summaries;
    if (o.store_paths)
        cfg->run.store_paths = true;
    if (o.n_variants > 0 && select_variants(cfg, o.variants, o.n_variants, o.config_path) != 0) {
        alvh_config_free(cfg);
        return EXIT_USAGE;
    }
    if (cfg->run.summaries == ALVH_SUMMARIES_HISTOGRAM && cfg->run.store_paths) {
        /* only reachable through --summaries: the config check refuses the pair */
        if (rank == 0)
            fprintf(stderr, "alvh run: --summaries histogram keeps no per-path values, but %s sets run.store_paths: "
                            "true; use store_paths: false (no --store-paths) or --summaries exact\n",
                    o.store_paths ? "--store-paths" : o.config_path ? o.config_path : "the configuration");
        alvh_config_free(cfg);
        return EXIT_USAGE;
    }

    if (cfg->run.summaries == ALVH_SUMMARIES_HISTOGRAM && !isnan(cfg->run.histogram_lo_capital)) {
        /* only reachable through --summaries: the config check refuses the pair */
        if (rank == 0)
            fprintf(stderr, "alvh run: --summaries histogram stores whole fine bins over the data's range, but the "
                            "configuration sets run.histogram_lo_capital/hi_capital; drop them or use --summaries "
                            "exact\n");
        alvh_config_free(cfg);
        return EXIT_USAGE;
    }

    for (size_t k = 0; cfg->run.summaries == ALVH_SUMMARIES_HISTOGRAM && k < cfg->n_scenarios; k++) {
        /* only reachable through --summaries: the config check refuses the pair */
        const alvh_tilt_params *t = &cfg->scenarios[k].market.tilt;
        if ((t->spx_jump > 0 && t->spx_jump != 1) || (t->gov > 0 && t->gov != 1) || (t->exploit > 0 && t->exploit != 1)) {
            if (rank == 0)
                fprintf(stderr, "alvh run: --summaries histogram counts paths and cannot weight them, but scenario "
                                "%s draws its paths under an importance-sampling tilt; use --summaries exact\n",
                        cfg->scenarios[k].name);
            alvh_config_free(cfg);
            return EXIT_USAGE;
        }
    }

    /* scenarios to run */
    size_t *sel = calloc(cfg->n_scenarios + o.n_scenarios + 1, sizeof *sel), n_sel = 0;
    if (!sel) {
        alvh_config_free(cfg);
        fprintf(stderr, "alvh run: out of memory\n");
        return EXIT_RUN_FAILED;
    }
    if (o.n_scenarios == 0) {
        for (size_t k = 0; k < cfg->n_scenarios; k++)
            sel[n_sel++] = k;
    } else {
        for (size_t j = 0; j < o.n_scenarios; j++) {
            const alvh_config_scenario *s = alvh_config_find_scenario(cfg, o.scenarios[j]);
            if (!s) {
                char names[1024];
                name_list(names, sizeof names, cfg->scenarios[0].name, sizeof cfg->scenarios[0], cfg->n_scenarios);
                fprintf(stderr, "alvh run: no scenario '%s' in %s (scenarios: %s)\n", o.scenarios[j],
                        o.config_path ? o.config_path : "the built-in default", names);
                free(sel);
                alvh_config_free(cfg);
                return EXIT_USAGE;
            }
            size_t k = (size_t)(s - cfg->scenarios);
            for (size_t i = 0; i < n_sel; i++)
                if (sel[i] == k) {
                    fprintf(stderr, "alvh run: --scenario %s given twice\n", o.scenarios[j]);
                    free(sel);
                    alvh_config_free(cfg);
                    return EXIT_USAGE;
                }
            sel[n_sel++] = k;
        }
    }

    const alvh_kernel_ops *ops;
    st = alvh_dispatch_select(o.isa, &ops, &err);
    if (st != ALVH_OK) {
        fprintf(stderr, "alvh run: %s\n", err.msg);
        free(sel);
        alvh_config_free(cfg);
        return st == ALVH_E_USAGE ? EXIT_USAGE : EXIT_UNAVAILABLE;
    }

    char out[4096];
    snprintf(out, sizeof out, "%s", o.output ? o.output : "");
    if (!o.output)
        snprintf(out, sizeof out, "%s.h5", cfg->run.name[0] ? cfg->run.name : "alvh");

    /* the identity of this run: resolved config (with the command-line
     * overrides and the scenario selection) and the program */
    uint64_t threads_given = cfg->run.threads;
    cfg->run.threads = 0; /* not part of the identity: results do not depend on it */
    char *full = alvh_config_resolved_text(cfg);
    cfg->run.threads = threads_given;
    char *resolved = full ? alvh_identity_text(full) : NULL;
    free(full);
    uint64_t cfg_hash = ALVH_HASH_INIT, bin_hash = 0;
    if (resolved)
        cfg_hash = alvh_hash_bytes(cfg_hash, resolved, strlen(resolved));
    cfg_hash = alvh_hash_bytes(cfg_hash, sel, n_sel * sizeof sel[0]);
    if (!resolved || alvh_hash_self(&bin_hash, &err) != ALVH_OK) {
        fprintf(stderr, "alvh run: %s\n", resolved ? err.msg : "out of memory");
        free(resolved);
        free(sel);
        alvh_config_free(cfg);
        return EXIT_RUN_FAILED;
    }

    if (check_memory(cfg, sel, n_sel, &o, rank, ranks) != 0) {
        free(resolved);
        free(sel);
        alvh_config_free(cfg);
        return EXIT_USAGE;
    }
    /* the batch directory, locked; a resume verified against this run's identity */
    alvh_batch *bp = calloc(1, sizeof *bp);
    alvh_run_identity id = {.config_hash = cfg_hash, .binary_hash = bin_hash, .seed = cfg->run.seed,
                            .n_scenarios = n_sel};
    if (!bp) {
        fprintf(stderr, "alvh run: out of memory\n");
        rc = EXIT_RUN_FAILED;
    } else if (rank == 0) {
        bp->lock_fd = -1;
        st = alvh_batch_open(bp, out, &id, resolved, o.resume, &err);
        if (st != ALVH_OK) {
            fprintf(stderr, "alvh run: %s\n", err.msg);
            rc = st == ALVH_E_USAGE ? EXIT_USAGE : EXIT_RUN_FAILED;
        }
    } else {
        bp->lock_fd = -1; /* files are rank 0's business */
    }
    if (alvh_mpi_any(rc != EXIT_OK)) {
        free(bp);
        free(resolved);
        free(sel);
        alvh_config_free(cfg);
        return rc != EXIT_OK ? rc : EXIT_RUN_FAILED;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL); /* Slurm's --signal=USR1@T before the time limit; mpirun forwards it */

    progress pr = {.tty = isatty(STDERR_FILENO), .quiet = o.quiet, .t0 = now_s()};
    time_t start_utc = time(NULL);
    /* the book and its variants: the config's (or the documented defaults it filled in) */
    const alvh_variant *vars = cfg->variants;
    size_t n_vars = cfg->n_variants;
    int threads = (int)cfg->run.threads;

    int nonfinite = 0; /* a scenario had NaN/Inf state: exit 1 once everything is written */
    for (size_t j = 0; j < n_sel && rc == EXIT_OK; j++) {
        size_t k = sel[j];
        const alvh_config_scenario *sc = &cfg->scenarios[k];
        char part[8600];
        alvh_batch_part_path(bp, k, part, sizeof part);
        /* every rank skips what rank 0's batch record says is finished */
        if (alvh_mpi_any(rank == 0 && bp->resumed && alvh_batch_scenario_done(bp, k)))
            continue;
        alvh_scenario_request rq = alvh_config_scenario_request(cfg, k, rank, ranks);
        alvh_scenario_job *job = NULL;
        st = alvh_scenario_job_create(&rq, ops, &job, &err);
        /* the identity a checkpoint of this scenario must carry: every block, whatever the rank count */
        alvh_ckpt_header h = {.config_hash = cfg_hash, .binary_hash = bin_hash, .seed = cfg->run.seed,
                              .scenario = (uint32_t)k, .block_first = 0,
                              .block_count = st == ALVH_OK ? alvh_scenario_job_blocks(job) : 0,
                              .block_size = cfg->run.block_size, .n_paths = cfg->run.paths};
        int resumed = alvh_mpi_any(rank == 0 && bp->resumed);
        if (!agree_failed(&st, &err) && resumed) {
            if (rank == 0)
                st = alvh_run_restore(bp, &h, &rq, ops, &job, &err);
            if (!agree_failed(&st, &err))
                st = alvh_scenario_job_share_restored(job, &err);
            agree_failed(&st, &err);
        }
        size_t total = st == ALVH_OK ? alvh_mpi_sum_size(alvh_scenario_job_paths_owned(job)) : 0;
        if (st == ALVH_OK) {
            rounds_ctx rx = {.job = job, .bp = bp, .h = &h, .o = &o, .pr = &pr, .rank = rank, .k = j, .n = n_sel,
                             .name = sc->name, .argc = argc, .argv = argv};
            st = run_rounds(&rx, &rc, &err);
        }
        /* the gather is collective: every rank has agreed on failures and stops in run_rounds */
        if (ranks > 1 && st == ALVH_OK && rc == EXIT_OK) {
            st = alvh_scenario_job_gather(job, &err);
            agree_failed(&st, &err);
        }
        if (st == ALVH_OK && rc == EXIT_OK && rank == 0) {
            progress_show(&pr, j + 1, n_sel, sc->name, total, total, pr.t_scenario, pr.base_done, 1);
            alvh_scenario_result res;
            st = alvh_scenario_job_finish(job, &res, &err);
            alvh_h5_writer *w = NULL;
            double t_h5 = now_s();
            if (st == ALVH_OK)
                st = alvh_h5_open(part, &w, &err);
            if (st == ALVH_OK)
                st = alvh_result_write_scenario(w, sc->name, vars, &res, cfg->run.store_paths, &err);
            if (st == ALVH_OK && !o.quiet && (cfg->n_sweeps || cfg->n_rstress))
                print_summary(sc->name, vars, &res, cfg->book.capital_usd);
            if (st == ALVH_OK && (cfg->n_sweeps || cfg->n_rstress))
                st = alvh_run_studies(w, sc->name, cfg, &rq, ops, o.quiet, &err);
            st = close_writer(w, st, &err);
            alvh_fault_point("part file renamed, not recorded");
            if (st == ALVH_OK)
                st = alvh_batch_mark_done(bp, k, &err);
            alvh_phase_add(ALVH_PHASE_HDF5, now_s() - t_h5);
            if (st == ALVH_OK) {
                if (!o.quiet && !cfg->n_sweeps && !cfg->n_rstress)
                    print_summary(sc->name, vars, &res, cfg->book.capital_usd);
                alvh_batch_drop_checkpoints(bp);
                if (res.nonfinite_paths) {
                    fprintf(stderr, "alvh run: scenario %s: %" PRIu64 " path%s reached a NaN or infinite market "
                                    "state or equity (first: path %" PRId64 " at step %" PRId64 "); the results "
                                    "are written, but the run fails\n",
                            sc->name, res.nonfinite_paths, res.nonfinite_paths == 1 ? "" : "s",
                            res.first_nonfinite_path, res.first_nonfinite_step);
                    nonfinite = 1;
                }
            }
            alvh_scenario_result_free(&res);
        }
        alvh_scenario_job_free(job);
        if (st != ALVH_OK && (rank == 0 || strcmp(err.msg, OTHER_RANK_FAILED) != 0)) {
            fprintf(stderr, "%salvh run: scenario %s: %s\n", pr.tty ? "\n" : "", sc->name, err.msg);
        }
        if (st != ALVH_OK) {
            rc = st == ALVH_E_CONFIG || st == ALVH_E_USAGE ? EXIT_USAGE : EXIT_RUN_FAILED;
        }
    }

    if (rc == EXIT_OK && rank == 0) {
        /* assemble: the run attributes, then every part's scenario group */
        alvh_h5_writer *w = NULL;
        double t_h5 = now_s();
        st = alvh_h5_open(out, &w, &err);
        alvh_h5_run_info info = {.seed = cfg->run.seed, .config_text = resolved, .engine_version = ALVH_VERSION,
                                 .git_describe = ALVH_GIT_DESCRIBE, .isa = ops->name,
                                 .threads = alvh_sched_threads(threads), .ranks = ranks, .start_utc = start_utc,
                                 .end_utc = time(NULL)};
        if (st == ALVH_OK)
            st = alvh_h5_write_run_info(w, &info, &err);
        for (size_t j = 0; st == ALVH_OK && j < n_sel; j++) {
            char part[8600];
            alvh_batch_part_path(bp, sel[j], part, sizeof part);
            st = alvh_batch_verify_part(bp, sel[j], &err);
            if (st == ALVH_OK)
                st = alvh_result_copy_scenario(w, part, cfg->scenarios[sel[j]].name, &err);
            if (st == ALVH_OK)
                st = alvh_result_label_scenario(w, cfg, &cfg->scenarios[sel[j]], &err);
            alvh_fault_point("final file: scenario copied");
        }
        st = close_writer(w, st, &err);
        alvh_phase_add(ALVH_PHASE_HDF5, now_s() - t_h5);
        alvh_fault_point("final file renamed, parts not removed");
        if (st == ALVH_OK) {
            alvh_batch_close(bp, 1);
            if (!o.quiet)
                printf("\nwrote %s (%zu scenario%s, %zu variants) in %.1f s; full tables: alvh summary %s\n", out,
                       n_sel, n_sel == 1 ? "" : "s", n_vars, now_s() - pr.t0, out);
        } else {
            fprintf(stderr, "alvh run: %s\n", err.msg);
            rc = EXIT_RUN_FAILED;
        }
    }
    if (rc == EXIT_OK && nonfinite)
        rc = EXIT_RUN_FAILED;
    alvh_batch_close(bp, 0);
    free(bp);
    free(resolved);
    free(sel);
    alvh_config_free(cfg);
    return rc;
}

int alvh_cmd_run(int argc, char **argv)
{
    alvh_mpi_init(NULL, NULL);
    int rank = alvh_mpi_rank(), ranks = alvh_mpi_size();
    int rc = run_main(argc, argv, rank, ranks);
    /* every rank leaves with rank 0's verdict on the run */
    rc = alvh_mpi_any(rc != 0) && rc == 0 ? EXIT_RUN_FAILED : rc;
    alvh_mpi_finalize();
    return rc;
}
