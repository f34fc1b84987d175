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

/* Assumption: how fast the first checkpoint of a scenario is expected to be
 * written, before one was measured. Measured 2026-12-03 on the project's 2-vCPU
 * VM: 1.24 GB in 5.3 s (234 MB/s), the kernel filling fresh page-cache pages
 * being the cost (docs/batch.md). Later checkpoints use the measured rate. */
#define CKPT_ASSUMED_BYTES_PER_S 250e6

/* A checkpoint's expected write time: its bytes at `done` paths times seconds per byte. */
typedef struct {
    double fixed_bytes, bytes_per_path, s_per_byte;
} ckpt_cost_model;

static ckpt_cost_model ckpt_model(const rounds_ctx *c)
{
    alvh_job_buffer bufs[ALVH_JOB_MAX_BUFFERS];
    uint64_t fixed, per_block;
    alvh_ckpt_size(bufs, alvh_scenario_job_buffers(c->job, bufs), &fixed, &per_block);
    return (ckpt_cost_model){.fixed_bytes = (double)fixed,
                             .bytes_per_path = (double)per_block / (double)c->h->block_size,
                             .s_per_byte = 1.0 / CKPT_ASSUMED_BYTES_PER_S};
}

static double ckpt_bytes(const ckpt_cost_model *m, size_t done)
{
    return m->fixed_bytes + m->bytes_per_path * (double)done;
}

/* Rounds of --checkpoint-blocks blocks per rank until every rank's blocks are
 * done. The checkpoint holds every finished block's rows, so its cost grows
 * with the paths done: written at most every ckpt_seconds, and (unless that is
 * 0) no sooner than 20 times what the next one is expected to take (its bytes
 * at the rate of the last one, or CKPT_ASSUMED_BYTES_PER_S before the first),
 * so writing them stays below ~5% of the run; on SIGINT, SIGTERM or
 * SIGUSR1 (to any rank: the flags are agreed each round) every rank finishes
 * its round, the checkpoint is written and *rc becomes EXIT_INTERRUPTED.
 * Progress and ETA count all ranks' paths. */
static alvh_status run_rounds(const rounds_ctx *c, int *rc, alvh_error *err)
{
    double last_ckpt = now_s();
    ckpt_cost_model cm = ckpt_model(c);
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
        double next_cost = ckpt_bytes(&cm, done) * cm.s_per_byte;
        double s = c->o->ckpt_seconds, every = s > 0 && 20.0 * next_cost > s ? 20.0 * next_cost : s;
        int due = alvh_mpi_any(c->rank == 0 && now_s() - last_ckpt >= every);
        if (left && (stop || due)) {
            double t_ck = now_s();
            st = checkpoint(c, err);
            last_ckpt = now_s();
            double ckpt_cost = last_ckpt - t_ck;
            cm.s_per_byte = ckpt_cost / ckpt_bytes(&cm, done); /* only rank 0's decides `due` */
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

/* Everything one `alvh run` holds; run_free releases it whatever stage was reached. */
typedef struct {
    run_opts o;
    int rank, ranks, argc;
    char **argv;
    alvh_config *cfg;
    size_t *sel, n_sel; /* the scenarios to run, indices into cfg->scenarios */
    const alvh_kernel_ops *ops;
    char out[4096];
    char *resolved;     /* the identity text (run.config of the batch directory) */
    uint64_t cfg_hash, bin_hash;
    alvh_batch *bp;
    progress pr;
    time_t start_utc;
    int nonfinite;      /* a scenario had NaN/Inf state: exit 1 once everything is written */
} run_t;

static void run_free(run_t *r)
{
    if (r->bp)
        alvh_batch_close(r->bp, 0);
    free(r->bp);
    free(r->resolved);
    free(r->sel);
    alvh_config_free(r->cfg);
}

/* what only --summaries can make inconsistent (the config check refuses each pair); rank 0 says why */
static int summaries_consistent(const run_t *r)
{
    const alvh_config *cfg = r->cfg;
    const char *why = NULL;
    char buf[600];
    if (cfg->run.antithetic && (cfg->run.paths % 2 || cfg->run.summaries != ALVH_SUMMARIES_EXACT)) {
        if (r->rank == 0)
            fprintf(stderr, "alvh run: run.antithetic pairs path 2k + 1 with path 2k: expected an even --paths and "
                    "exact summaries, got %llu paths and %s summaries\n", (unsigned long long)cfg->run.paths,
                    alvh_summaries_names[cfg->run.summaries == ALVH_SUMMARIES_HISTOGRAM]);
        return EXIT_USAGE;
    }
    if (cfg->run.summaries != ALVH_SUMMARIES_HISTOGRAM)
        return EXIT_OK;
    if (cfg->run.store_paths) {
        snprintf(buf, sizeof buf, "--summaries histogram keeps no per-path values, but %s sets run.store_paths: true; "
                 "use store_paths: false (no --store-paths) or --summaries exact",
                 r->o.store_paths ? "--store-paths" : r->o.config_path ? r->o.config_path : "the configuration");
        why = buf;
    } else if (!isnan(cfg->run.histogram_lo_capital)) {
        why = "--summaries histogram stores whole fine bins over the data's range, but the configuration sets "
              "run.histogram_lo_capital/hi_capital; drop them or use --summaries exact";
    }
    if (why && r->rank == 0)
        fprintf(stderr, "alvh run: %s\n", why);
    return why ? EXIT_USAGE : EXIT_OK;
}

/* The configuration with the command-line overrides. */
static int load_config(run_t *r)
{
    const run_opts *o = &r->o;
    alvh_error err = {0};
    alvh_status st = alvh_config_load_set(o->config_path, "default.yaml (built in)", alvh_default_config,
                                          sizeof alvh_default_config - 1, o->sets, o->n_sets, &r->cfg, &err);
    if (st != ALVH_OK) {
        fprintf(stderr, "alvh run: %s\n", err.msg);
        /* as alvh validate: a bad or unreadable file is bad input */
        return st == ALVH_E_CONFIG || st == ALVH_E_IO ? EXIT_USAGE : EXIT_RUN_FAILED;
    }
    alvh_config *cfg = r->cfg;
    if (o->paths > 0)
        cfg->run.paths = (uint64_t)o->paths;
    if (o->have_seed)
        cfg->run.seed = o->seed;
    if (o->threads >= 0)
        cfg->run.threads = (uint64_t)o->threads;
    if (o->summaries >= 0)
        cfg->run.summaries = o->summaries;
    if (o->store_paths)
        cfg->run.store_paths = true;
    if (o->n_variants > 0 && select_variants(cfg, o->variants, o->n_variants, o->config_path) != 0)
        return EXIT_USAGE;
    return summaries_consistent(r);
}

/* The scenarios of --scenario (each once), or all of them. */
static int select_scenarios(run_t *r)
{
    const alvh_config *cfg = r->cfg;
    const run_opts *o = &r->o;
    r->sel = calloc(cfg->n_scenarios + o->n_scenarios + 1, sizeof *r->sel);
    if (!r->sel) {
        fprintf(stderr, "alvh run: out of memory\n");
        return EXIT_RUN_FAILED;
    }
    for (size_t k = 0; o->n_scenarios == 0 && k < cfg->n_scenarios; k++)
        r->sel[r->n_sel++] = k;
    for (size_t j = 0; j < o->n_scenarios; j++) {
        const alvh_config_scenario *s = alvh_config_find_scenario(cfg, o->scenarios[j]);
        if (!s) {
            char names[1024];
            name_list(names, sizeof names, cfg->scenarios[0].name, sizeof cfg->scenarios[0], cfg->n_scenarios);
            fprintf(stderr, "alvh run: no scenario '%s' in %s (scenarios: %s)\n", o->scenarios[j],
                    o->config_path ? o->config_path : "the built-in default", names);
            return EXIT_USAGE;
        }
        size_t k = (size_t)(s - cfg->scenarios);
        for (size_t i = 0; i < r->n_sel; i++)
            if (r->sel[i] == k) {
                fprintf(stderr, "alvh run: --scenario %s given twice\n", o->scenarios[j]);
                return EXIT_USAGE;
            }
        r->sel[r->n_sel++] = k;
    }
    return EXIT_OK;
}

/* The kernels, the output name, and the run's identity: the resolved config
 * (overrides and scenario selection included, the thread count left out:
 * results do not depend on it) and the program. */
static int identify(run_t *r)
{
    alvh_error err = {0};
    alvh_status st = alvh_dispatch_select(r->o.isa, &r->ops, &err);
    if (st != ALVH_OK) {
        fprintf(stderr, "alvh run: %s\n", err.msg);
        return st == ALVH_E_USAGE ? EXIT_USAGE : EXIT_UNAVAILABLE;
    }
    alvh_config *cfg = r->cfg;
    if (r->o.output)
        snprintf(r->out, sizeof r->out, "%s", r->o.output);
    else
        snprintf(r->out, sizeof r->out, "%s.h5", cfg->run.name[0] ? cfg->run.name : "alvh");
    uint64_t threads_given = cfg->run.threads;
    cfg->run.threads = 0;
    char *full = alvh_config_resolved_text(cfg);
    cfg->run.threads = threads_given;
    r->resolved = full ? alvh_identity_text(full) : NULL;
    free(full);
    r->cfg_hash = ALVH_HASH_INIT;
    if (r->resolved)
        r->cfg_hash = alvh_hash_bytes(r->cfg_hash, r->resolved, strlen(r->resolved));
    r->cfg_hash = alvh_hash_bytes(r->cfg_hash, r->sel, r->n_sel * sizeof r->sel[0]);
    if (!r->resolved || alvh_hash_self(&r->bin_hash, &err) != ALVH_OK) {
        fprintf(stderr, "alvh run: %s\n", r->resolved ? err.msg : "out of memory");
        return EXIT_RUN_FAILED;
    }
    return EXIT_OK;
}

/* The batch directory (rank 0), locked; a resume verified against this run's identity. */
static int open_batch(run_t *r)
{
    int rc = EXIT_OK;
    r->bp = calloc(1, sizeof *r->bp);
    if (!r->bp) {
        fprintf(stderr, "alvh run: out of memory\n");
        rc = EXIT_RUN_FAILED;
    } else {
        r->bp->lock_fd = -1; /* files are rank 0's business */
    }
    alvh_run_identity id = {.config_hash = r->cfg_hash, .binary_hash = r->bin_hash, .seed = r->cfg->run.seed,
                            .n_scenarios = r->n_sel};
    alvh_error err = {0};
    alvh_status st = rc == EXIT_OK && r->rank == 0 ? alvh_batch_open(r->bp, r->out, &id, r->resolved, r->o.resume, &err)
                                                   : ALVH_OK;
    if (st != ALVH_OK) {
        fprintf(stderr, "alvh run: %s\n", err.msg);
        rc = st == ALVH_E_USAGE ? EXIT_USAGE : EXIT_RUN_FAILED;
    }
    if (alvh_mpi_any(rc != EXIT_OK))
        return rc != EXIT_OK ? rc : EXIT_RUN_FAILED;
    return EXIT_OK;
}

/* Rank 0: the finished scenario's tables into its part file, recorded in the batch state. */
static alvh_status write_part(run_t *r, size_t k, alvh_scenario_job *job, const alvh_scenario_request *rq,
                              alvh_error *err)
{
    const alvh_config *cfg = r->cfg;
    const alvh_config_scenario *sc = &cfg->scenarios[k];
    char part[8600];
    alvh_batch_part_path(r->bp, k, part, sizeof part);
    alvh_scenario_result res;
    memset(&res, 0, sizeof res);
    alvh_status st = alvh_scenario_job_finish(job, &res, err);
    alvh_h5_writer *w = NULL;
    double t_h5 = now_s();
    if (st == ALVH_OK)
        st = alvh_h5_open(part, &w, err);
    if (st == ALVH_OK)
        st = alvh_result_write_scenario(w, sc->name, cfg->variants, &res, cfg->run.store_paths, err);
    int studies = cfg->n_sweeps || cfg->n_rstress;
    if (st == ALVH_OK && !r->o.quiet && studies)
        print_summary(sc->name, cfg->variants, &res, cfg->book.capital_usd);
    if (st == ALVH_OK && studies)
        st = alvh_run_studies(w, sc->name, cfg, rq, r->ops, r->o.quiet, err);
    st = close_writer(w, st, err);
    alvh_fault_point("part file renamed, not recorded");
    if (st == ALVH_OK)
        st = alvh_batch_mark_done(r->bp, k, err);
    alvh_phase_add(ALVH_PHASE_HDF5, now_s() - t_h5);
    if (st == ALVH_OK) {
        if (!r->o.quiet && !studies)
            print_summary(sc->name, cfg->variants, &res, cfg->book.capital_usd);
        alvh_batch_drop_checkpoints(r->bp);
        if (res.nonfinite_paths) {
            fprintf(stderr, "alvh run: scenario %s: %" PRIu64 " path%s reached a NaN or infinite market state or "
                            "equity (first: path %" PRId64 " at step %" PRId64 "); the results are written, but the "
                            "run fails\n",
                    sc->name, res.nonfinite_paths, res.nonfinite_paths == 1 ? "" : "s", res.first_nonfinite_path,
                    res.first_nonfinite_step);
            r->nonfinite = 1;
        }
    }
    alvh_scenario_result_free(&res);
    return st;
}

/* Scenario j of the selection, start (or checkpoint) to part file; collective
 * under MPI, every rank taking the same branches. Returns the exit code so far. */
static int run_scenario(run_t *r, size_t j)
{
    const size_t k = r->sel[j];
    const alvh_config_scenario *sc = &r->cfg->scenarios[k];
    const int rank = r->rank;
    /* every rank skips what rank 0's batch record says is finished */
    if (alvh_mpi_any(rank == 0 && r->bp->resumed && alvh_batch_scenario_done(r->bp, k)))
        return EXIT_OK;
    int rc = EXIT_OK;
    alvh_error err = {0};
    alvh_scenario_request rq = alvh_config_scenario_request(r->cfg, k, rank, r->ranks);
    alvh_scenario_job *job = NULL;
    alvh_status st = alvh_scenario_job_create(&rq, r->ops, &job, &err);
    /* the identity a checkpoint of this scenario must carry: every block, whatever the rank count */
    alvh_ckpt_header h = {.config_hash = r->cfg_hash, .binary_hash = r->bin_hash, .seed = r->cfg->run.seed,
                          .scenario = (uint32_t)k, .block_first = 0,
                          .block_count = st == ALVH_OK ? alvh_scenario_job_blocks(job) : 0,
                          .block_size = r->cfg->run.block_size, .n_paths = r->cfg->run.paths};
    int resumed = alvh_mpi_any(rank == 0 && r->bp->resumed);
    if (!agree_failed(&st, &err) && resumed) {
        if (rank == 0)
            st = alvh_run_restore(r->bp, &h, &rq, r->ops, &job, &err);
        if (!agree_failed(&st, &err))
            st = alvh_scenario_job_share_restored(job, &err);
        agree_failed(&st, &err);
    }
    size_t total = st == ALVH_OK ? alvh_mpi_sum_size(alvh_scenario_job_paths_owned(job)) : 0;
    if (st == ALVH_OK) {
        rounds_ctx rx = {.job = job, .bp = r->bp, .h = &h, .o = &r->o, .pr = &r->pr, .rank = rank, .k = j,
                         .n = r->n_sel, .name = sc->name, .argc = r->argc, .argv = r->argv};
        st = run_rounds(&rx, &rc, &err);
    }
    /* the gather is collective: every rank has agreed on failures and stops in run_rounds */
    if (r->ranks > 1 && st == ALVH_OK && rc == EXIT_OK) {
        st = alvh_scenario_job_gather(job, &err);
        agree_failed(&st, &err);
    }
    if (st == ALVH_OK && rc == EXIT_OK && rank == 0) {
        progress_show(&r->pr, j + 1, r->n_sel, sc->name, total, total, r->pr.t_scenario, r->pr.base_done, 1);
        st = write_part(r, k, job, &rq, &err);
    }
    /* rank 0's write failing (a full disk, a file it cannot open) ends every rank */
    if (r->ranks > 1 && rc == EXIT_OK)
        agree_failed(&st, &err);
    alvh_scenario_job_free(job);
    if (st != ALVH_OK && (rank == 0 || strcmp(err.msg, OTHER_RANK_FAILED) != 0))
        fprintf(stderr, "%salvh run: scenario %s: %s\n", r->pr.tty ? "\n" : "", sc->name, err.msg);
    if (st != ALVH_OK)
        rc = st == ALVH_E_CONFIG || st == ALVH_E_USAGE ? EXIT_USAGE : EXIT_RUN_FAILED;
    return rc;
}

/* Rank 0, every scenario done: the final file from the parts (io/batch.h). */
static int assemble(run_t *r)
{
    const alvh_config *cfg = r->cfg;
    alvh_error err = {0};
    double t_h5 = now_s();
    alvh_h5_run_info info = {.seed = cfg->run.seed, .config_text = r->resolved, .engine_version = ALVH_VERSION,
                             .git_describe = ALVH_GIT_DESCRIBE, .isa = r->ops->name,
                             .threads = alvh_sched_threads((int)cfg->run.threads), .ranks = r->ranks,
                             .start_utc = r->start_utc, .end_utc = time(NULL)};
    alvh_status st = alvh_batch_assemble(r->bp, r->out, &info, cfg, r->sel, r->n_sel, &err);
    alvh_phase_add(ALVH_PHASE_HDF5, now_s() - t_h5);
    if (st != ALVH_OK) {
        fprintf(stderr, "alvh run: %s\n", err.msg);
        return EXIT_RUN_FAILED;
    }
    if (!r->o.quiet)
        printf("\nwrote %s (%zu scenario%s, %zu variants) in %.1f s; full tables: alvh summary %s\n", r->out,
               r->n_sel, r->n_sel == 1 ? "" : "s", cfg->n_variants, now_s() - r->pr.t0, r->out);
    return EXIT_OK;
}

/* The stages in order: options, configuration, selection, identity, memory
 * (all before anything is written), the batch directory, the scenarios, the
 * final file. Each returns an exit code; the first that is not 0 ends the run. */
static int run_main(int argc, char **argv, int rank, int ranks)
{
    run_t r = {.rank = rank, .ranks = ranks, .argc = argc, .argv = argv};
    int rc = parse(argc, argv, &r.o);
    if (rc != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    if (rank != 0)
        r.o.quiet = 1; /* rank 0 speaks and writes for all */
    if ((rc = load_config(&r)) == EXIT_OK && (rc = select_scenarios(&r)) == EXIT_OK && (rc = identify(&r)) == EXIT_OK &&
        (rc = check_memory(r.cfg, r.sel, r.n_sel, &r.o, rank, ranks) != 0 ? EXIT_USAGE : EXIT_OK) == EXIT_OK)
        rc = open_batch(&r);
    if (rc == EXIT_OK) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGUSR1, &sa, NULL); /* Slurm's --signal=USR1@T before the time limit; mpirun forwards it */
        r.pr = (progress){.tty = isatty(STDERR_FILENO), .quiet = r.o.quiet, .t0 = now_s()};
        r.start_utc = time(NULL);
    }
    for (size_t j = 0; rc == EXIT_OK && j < r.n_sel; j++)
        rc = run_scenario(&r, j);
    if (rc == EXIT_OK && rank == 0)
        rc = assemble(&r);
    if (rc == EXIT_OK && r.nonfinite)
        rc = EXIT_RUN_FAILED;
    run_free(&r);
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
