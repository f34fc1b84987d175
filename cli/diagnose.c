/* SPDX-License-Identifier: BSD-3-Clause */
/* `alvh diagnose CONFIG [--scenario NAME] [--json]`: the stylized facts of a
 * scenario's simulated market next to their targets (engine/diagnose.h). */
#include "cli/diagnose.h"

#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/diagnose.h"
#include "engine/dispatch.h"
#include "io/config.h"

enum { EXIT_RUN_FAILED = 1, EXIT_USAGE = 2, EXIT_UNAVAILABLE = 3 };

void alvh_diagnose_usage(FILE *f)
{
    fprintf(f, "usage: alvh diagnose CONFIG [--scenario NAME] [--json] [--paths N] [--seed S] [--threads T]\n"
               "  Simulates one scenario's market (no book) and prints its stylized facts with Monte Carlo\n"
               "  standard errors (batch means over %d batches) next to their targets and tolerance bands\n"
               "  (sources: docs/market_model.md, \"Calibration targets\").\n"
               "  --scenario NAME  the scenario (default: the first of CONFIG)\n"
               "  --json           one JSON object instead of a table\n"
               "  --paths N        paths (default 20000; memory ~12 bytes per path-step)\n"
               "  --seed S         seed (default: the config's run.seed)\n"
               "  --threads T      threads (default: the config's run.threads)\n",
               ALVH_DIAG_BATCHES);
}

static int bad(const char *fmt, const char *arg)
{
    fprintf(stderr, "alvh diagnose: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    alvh_diagnose_usage(stderr);
    return EXIT_USAGE;
}

static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    char *end;
    if (!s || !*s || *s == '-')
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static const alvh_diag_target *find_target(const alvh_diag_target *t, size_t n, alvh_diag_fact f)
{
    for (size_t k = 0; k < n; k++)
        if (t[k].fact == f)
            return &t[k];
    return NULL;
}

static void print_num(FILE *o, double x)
{
    if (isfinite(x))
        fprintf(o, "%.6g", x);
    else
        fprintf(o, "null");
}

static void print_json(FILE *o, const char *scn, const alvh_diag_result *r, const alvh_diag_target *t, size_t nt,
                       int *n_out)
{
    fprintf(o, "{\n  \"scenario\": \"%s\",\n  \"paths\": %zu,\n  \"steps\": %zu,\n  \"spike_day\": %ld,\n", scn,
            r->n_paths, r->n_steps, r->spike_day);
    fprintf(o, "  \"facts\": [\n");
    for (int f = 0; f < ALVH_FACT_COUNT; f++) {
        const alvh_diag_target *g = find_target(t, nt, (alvh_diag_fact)f);
        const alvh_diag_value *v = &r->fact[f];
        fprintf(o, "    {\"name\": \"%s\", \"value\": ", alvh_diag_fact_name((alvh_diag_fact)f));
        print_num(o, v->value);
        fprintf(o, ", \"se\": ");
        print_num(o, v->se);
        if (g) {
            int ok = v->value >= g->lo && v->value <= g->hi;
            *n_out += !ok;
            fprintf(o, ", \"target\": %.6g, \"lo\": %.6g, \"hi\": %.6g, \"within\": %s, \"source\": \"%s\"", g->target,
                    g->lo, g->hi, ok ? "true" : "false", g->source);
        }
        fprintf(o, "}%s\n", f + 1 < ALVH_FACT_COUNT ? "," : "");
    }
    fprintf(o, "  ]\n}\n");
}

static void print_table(FILE *o, const char *scn, const alvh_diag_result *r, const alvh_diag_target *t, size_t nt,
                        int *n_out)
{
    fprintf(o, "scenario %s: %zu paths x %zu steps", scn, r->n_paths, r->n_steps);
    if (r->spike_day >= 0)
        fprintf(o, ", last injected VIX on day %ld", r->spike_day);
    fprintf(o, "\n%-24s %10s %9s %9s %19s  %s\n", "fact", "value", "MC se", "target", "tolerance", "source");
    for (int f = 0; f < ALVH_FACT_COUNT; f++) {
        const alvh_diag_value *v = &r->fact[f];
        if (!isfinite(v->value))
            continue; /* not defined here: no spike, no ETH factor */
        const alvh_diag_target *g = find_target(t, nt, (alvh_diag_fact)f);
        fprintf(o, "%-24s %10.4g %9.2g", alvh_diag_fact_name((alvh_diag_fact)f), v->value, v->se);
        if (g) {
            int ok = v->value >= g->lo && v->value <= g->hi;
            *n_out += !ok;
            fprintf(o, " %9.4g [%7.4g, %7.4g] %s  %s\n", g->target, g->lo, g->hi, ok ? "ok " : "OUT", g->source);
        } else {
            fprintf(o, " %9s %19s  %s\n", "-", "", alvh_diag_fact_doc((alvh_diag_fact)f));
        }
    }
}

static const alvh_config_scenario *pick(const alvh_config *cfg, const char *name)
{
    if (!name)
        return &cfg->scenarios[0];
    for (size_t i = 0; i < cfg->n_scenarios; i++)
        if (strcmp(cfg->scenarios[i].name, name) == 0)
            return &cfg->scenarios[i];
    return NULL;
}

int alvh_cmd_diagnose(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"scenario", required_argument, NULL, 'n'}, {"json", no_argument, NULL, 'j'},
        {"paths", required_argument, NULL, 'p'},    {"seed", required_argument, NULL, 's'},
        {"threads", required_argument, NULL, 't'},  {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *scn_name = NULL;
    int json = 0, c, seed_set = 0, threads_set = 0;
    uint64_t paths = 20000, seed = 0, threads = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': alvh_diagnose_usage(stdout); return 0;
        case 'n': scn_name = optarg; break;
        case 'j': json = 1; break;
        case 'p':
            if (parse_u64(optarg, ALVH_DIAG_BATCHES, UINT64_C(10000000), &paths) != 0)
                return bad("--paths %s: expected a whole number from 20 to 10000000", optarg);
            break;
        case 's':
            if (parse_u64(optarg, 0, UINT64_MAX, &seed) != 0)
                return bad("--seed %s: expected a whole number from 0 to 2^64-1", optarg);
            seed_set = 1;
            break;
        case 't':
            if (parse_u64(optarg, 1, 4096, &threads) != 0)
                return bad("--threads %s: expected a whole number from 1 to 4096", optarg);
            threads_set = 1;
            break;
        case ':': return bad("%s needs a value", argv[optind - 1]);
        default: return bad("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind + 1 != argc)
        return bad("%s", optind == argc ? "missing CONFIG argument" : "too many arguments");
    alvh_config *cfg = NULL;
    alvh_error err = {0};
    alvh_status st = alvh_config_load_file(argv[optind], &cfg, &err);
    if (st != ALVH_OK) {
        fprintf(stderr, "alvh diagnose: %s\n", err.msg);
        return st == ALVH_E_CONFIG || st == ALVH_E_IO ? EXIT_USAGE : EXIT_RUN_FAILED;
    }
    const alvh_config_scenario *sc = pick(cfg, scn_name);
    if (!sc) {
        fprintf(stderr, "alvh diagnose: %s: no scenario named '%s'\n", cfg->source_path, scn_name);
        alvh_config_free(cfg);
        return EXIT_USAGE;
    }
    const alvh_kernel_ops *ops;
    if ((st = alvh_dispatch_select(NULL, &ops, &err)) != ALVH_OK) {
        fprintf(stderr, "alvh diagnose: %s\n", err.msg);
        alvh_config_free(cfg);
        return EXIT_UNAVAILABLE;
    }
    alvh_market_sim_request rq = {
        .params = sc->market, .dt_years = cfg->dt_years, .n_steps = cfg->n_steps, .n_paths = paths,
        .block_size = cfg->run.block_size, .seed = seed_set ? seed : cfg->run.seed,
        .threads = (int)(threads_set ? threads : cfg->run.threads), .injections = sc->injections,
        .n_injections = sc->n_injections,
    };
    alvh_diag_result res;
    st = alvh_diagnose_run(&rq, (double)cfg->run.steps_per_year, ops, &res, &err);
    if (st != ALVH_OK) {
        fprintf(stderr, "alvh diagnose: %s\n", err.msg);
        alvh_config_free(cfg);
        return st == ALVH_E_CONFIG ? EXIT_USAGE : EXIT_RUN_FAILED;
    }
    const alvh_diag_target *t;
    size_t nt = alvh_diag_targets(sc->name, sc->n_injections > 0, &t);
    int n_out = 0;
    if (json)
        print_json(stdout, sc->name, &res, t, nt, &n_out);
    else
        print_table(stdout, sc->name, &res, t, nt, &n_out);
    if (!json)
        printf("%d of %zu facts with a target outside their tolerance\n", n_out, nt);
    alvh_config_free(cfg);
    return 0;
}
