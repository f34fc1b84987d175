/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writes a small alvh result file with every kind of dataset, for the h5py
 * interop test (tests/h5_interop.py), the h5dump check and the `alvh summary`
 * CLI tests. The data are synthetic (seeded, deterministic) and the summary
 * tables are computed here with plain formulas that numpy reproduces: mean,
 * sample stdev (ddof = 1), type-7 quantiles (np.quantile's default), the
 * fraction of losing paths, and a variance reduction against the baseline.
 * The real statistics live in engine/stats.h; this tool only feeds the I/O
 * tests.
 *
 * usage: h5_sample_writer OUT.h5 [N_PATHS]   (default 5000)
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/book_run.h"
#include "io/h5_datasets.h"
#include "io/h5_layout.h"
#include "io/h5_writer.h"

enum { N_SAMPLE = 64, N_TIMES = 11, N_BINS = 20, N_PNL = ALVH_OUT_TOTAL + 1 };

static uint64_t rng_state = 0x5eed5eed5eedULL;

static uint64_t splitmix64(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double normal(void) /* Box-Muller; plenty for test data */
{
    double u1 = ((double)(splitmix64() >> 11) + 0.5) * 0x1.0p-53;
    double u2 = (double)(splitmix64() >> 11) * 0x1.0p-53;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* numpy's type-7 quantile of sorted[0..n): the same lerp as np.quantile's
 * default ("linear") method, including its switch at g >= 0.5. */
static double quantile_sorted(const double *s, size_t n, double p)
{
    double h = (double)(n - 1) * p, j = floor(h), g = h - j;
    size_t i = (size_t)j;
    if (i + 1 >= n)
        return s[n - 1];
    double a = s[i], b = s[i + 1], d = b - a;
    return g >= 0.5 ? b - d * (1.0 - g) : a + d * g;
}

/* column c of a row-major n x ld array */
static void column(const double *x, size_t n, size_t ld, size_t c, double *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = x[i * ld + c];
}

static double mean_of(const double *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    return s / (double)n;
}

static double var_of(const double *x, size_t n) /* divisor n - 1 */
{
    double m = mean_of(x, n), s = 0;
    for (size_t i = 0; i < n; i++)
        s += (x[i] - m) * (x[i] - m);
    return s / (double)(n - 1);
}

#define N_STATS 11
static const char *const stat_names[N_STATS] = {
    "n", "mean", "stdev", "min", "q_0.01", "q_0.05", "q_0.5", "q_0.95", "q_0.99", "max", "p_loss",
};
static const char *const stat_units[N_STATS] = {
    "count", "USD", "USD", "USD", "USD", "USD", "USD", "USD", "USD", "USD", "1",
};
static const double stat_probs[5] = {0.01, 0.05, 0.5, 0.95, 0.99};

/* summary[r * N_PNL + c] for the pnl columns of outcomes */
static void summarize(const double *outcomes, size_t n, double *summary, double *tmp)
{
    for (size_t c = 0; c < N_PNL; c++) {
        column(outcomes, n, ALVH_OUT_COUNT, c, tmp);
        double *row = summary + c;
        size_t losses = 0;
        for (size_t i = 0; i < n; i++)
            losses += tmp[i] < 0;
        row[0 * N_PNL] = (double)n;
        row[1 * N_PNL] = mean_of(tmp, n);
        row[2 * N_PNL] = sqrt(var_of(tmp, n));
        row[10 * N_PNL] = (double)losses / (double)n;
        qsort(tmp, n, sizeof *tmp, cmp_double);
        row[3 * N_PNL] = tmp[0];
        for (int k = 0; k < 5; k++)
            row[(4 + k) * N_PNL] = quantile_sorted(tmp, n, stat_probs[k]);
        row[9 * N_PNL] = tmp[n - 1];
    }
}

static void make_outcomes(double *out, size_t n, const double *z, unsigned layers)
{
    for (size_t i = 0; i < n; i++) {
        double *o = out + i * ALVH_OUT_COUNT, total = 0;
        for (int l = 0; l < ALVH_LAYER_COUNT; l++) {
            /* common random numbers: both variants see z; hedges offset the condor's tail */
            double v = (layers >> l & 1) ? 1e4 * (1.0 + 0.5 * l) * z[i * ALVH_LAYER_COUNT + l] : 0.0;
            if (l == ALVH_LAYER_VIX && (layers >> l & 1))
                v -= 0.6 * 1e4 * z[i * ALVH_LAYER_COUNT];
            o[l] = v;
            total += v;
        }
        o[ALVH_OUT_CASH] = 100.0 + z[i * ALVH_LAYER_COUNT + 1]; /* interest of the cash account */
        total += o[ALVH_OUT_CASH];
        o[ALVH_OUT_TOTAL] = total;
        o[ALVH_OUT_EXCESS] = total - 400.0;
        o[ALVH_OUT_MAX_DD] = total < 0 ? -1.5 * total : 0.1 * total;
        o[ALVH_OUT_MIN_HF] = (layers >> ALVH_LAYER_BORROW & 1) ? 1.5 + 0.2 * z[i * ALVH_LAYER_COUNT + 6] : INFINITY;
        o[ALVH_OUT_N_LIQ_PERP] = (double)(i % 3 == 0);
        o[ALVH_OUT_N_LIQ_BORROW] = (double)(i % 7 == 0);
        o[ALVH_OUT_BAD_DEBT] = i % 11 == 0 ? 50.0 : 0.0;
        o[ALVH_OUT_MARGIN_PEAK] = 1e3 * (double)(i % 4);
        o[ALVH_OUT_T_LIQ] = i % 3 == 0 ? (double)(i % 252) : -1.0;
        o[ALVH_OUT_N_EXPLOIT] = 0;
        o[ALVH_OUT_T_EXPLOIT] = -1;
        o[ALVH_OUT_N_STOP] = (double)(i % 5);
        o[ALVH_OUT_T_STOP] = i % 5 ? 10.0 : -1.0;
        o[ALVH_OUT_N_ROLL] = 12;
        o[ALVH_OUT_N_GOV_DN] = (double)(i % 2);
        o[ALVH_OUT_LR] = 1.0;
    }
}

#define CHECK(call)                                                                                              \
    do {                                                                                                         \
        if ((call) != ALVH_OK) {                                                                                 \
            fprintf(stderr, "h5_sample_writer: %s\n", err.msg);                                                  \
            alvh_h5_close(w, 0, NULL);                                                                           \
            return 1;                                                                                            \
        }                                                                                                        \
    } while (0)

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: h5_sample_writer OUT.h5 [N_PATHS]\n");
        return 2;
    }
    size_t n = argc == 3 ? (size_t)strtoull(argv[2], NULL, 10) : 5000;
    if (n < 2) {
        fprintf(stderr, "h5_sample_writer: N_PATHS must be at least 2\n");
        return 2;
    }
    double *z = malloc(n * ALVH_LAYER_COUNT * sizeof *z);
    double *terminal = malloc(n * ALVH_TERM_COUNT * sizeof *terminal);
    double *outc[2] = {malloc(n * ALVH_OUT_COUNT * sizeof(double)), malloc(n * ALVH_OUT_COUNT * sizeof(double))};
    double *tmp = malloc(n * sizeof *tmp), *tmp2 = malloc(n * sizeof *tmp2);
    static double samples[N_SAMPLE * N_TIMES * ALVH_TERM_COUNT], fan[N_TIMES * 5], spx_t[N_SAMPLE];
    if (!z || !terminal || !outc[0] || !outc[1] || !tmp || !tmp2) {
        fprintf(stderr, "h5_sample_writer: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < n * ALVH_LAYER_COUNT; i++)
        z[i] = normal();
    for (size_t i = 0; i < n; i++) {
        double *t = terminal + i * ALVH_TERM_COUNT;
        t[ALVH_TERM_SPX] = 4500.0 * exp(0.2 * normal());
        t[ALVH_TERM_VIX] = 20.0 * exp(0.3 * normal());
        t[ALVH_TERM_TOKEN] = 5.0 * exp(0.8 * normal());
        t[ALVH_TERM_VARIANCE] = 0.04 * exp(0.5 * normal());
        t[ALVH_TERM_FUNDING] = 0.1 + 0.05 * normal();
        t[ALVH_TERM_IV] = 0.04 * exp(0.3 * normal());
    }
    uint64_t path_index[N_SAMPLE];
    for (size_t s = 0; s < N_SAMPLE; s++) {
        path_index[s] = s * 7;
        double lvl[ALVH_TERM_COUNT] = {4500, 20, 5, 0.04, 0.1, 0.01};
        for (size_t t = 0; t < N_TIMES; t++) {
            for (int k = 0; k < ALVH_TERM_COUNT; k++) {
                if (t)
                    lvl[k] *= exp(0.05 * normal());
                samples[(s * N_TIMES + t) * ALVH_TERM_COUNT + k] = lvl[k];
            }
        }
    }
    /* fan chart: type-7 quantiles of the sample SPX paths at each time */
    static const double fan_q[5] = {0.05, 0.25, 0.5, 0.75, 0.95};
    for (size_t t = 0; t < N_TIMES; t++) {
        for (size_t s = 0; s < N_SAMPLE; s++)
            spx_t[s] = samples[(s * N_TIMES + t) * ALVH_TERM_COUNT + ALVH_TERM_SPX];
        qsort(spx_t, N_SAMPLE, sizeof *spx_t, cmp_double);
        for (int k = 0; k < 5; k++)
            fan[t * 5 + k] = quantile_sorted(spx_t, N_SAMPLE, fan_q[k]);
    }

    const char *variants[2] = {"unhedged", "full_alvh"};
    unsigned layer_sets[2] = {1u << ALVH_LAYER_CONDOR | 1u << ALVH_LAYER_FARM, (1u << ALVH_LAYER_COUNT) - 1};
    make_outcomes(outc[0], n, z, layer_sets[0]);
    make_outcomes(outc[1], n, z, layer_sets[1]);

    alvh_error err = {0};
    alvh_h5_writer *w = NULL;
    if (alvh_h5_open(argv[1], &w, &err) != ALVH_OK) {
        fprintf(stderr, "h5_sample_writer: %s\n", err.msg);
        return 1;
    }
    alvh_h5_run_info info = {
        .seed = 12345,
        .config_text = "# sample\nscenarios:\n  base: {paths: 5000}\n  crash: {inject: 'day 5: spx -12%'}\n",
        .engine_version = "0.1.0",
        .git_describe = "sample-writer",
        .isa = "scalar",
        .threads = 2,
        .ranks = 1,
        .start_utc = 1700000000,
        .end_utc = 1700000061,
    };
    CHECK(alvh_h5_write_run_info(w, &info, &err));
    CHECK(alvh_h5_write_terminal(w, "base", n, terminal, &err));
    CHECK(alvh_h5_write_market_samples(w, "base", N_SAMPLE, N_TIMES, samples, path_index, &err));
    CHECK(alvh_h5_attr_string(w, "/scenarios/base", "description", "calm year", &err));
    CHECK(alvh_h5_write_fan_chart(w, "/scenarios/base/market/" ALVH_H5_FAN_CHARTS, "spx", N_TIMES, 5, fan, fan_q,
                                  NULL, "index points", &err));

    static double summary[N_STATS * N_PNL], eff[2 * N_PNL];
    for (int v = 0; v < 2; v++) {
        char g[ALVH_H5_PATH_MAX];
        CHECK(alvh_h5_variant_path(g, sizeof g, "base", variants[v], &err));
        CHECK(alvh_h5_write_outcomes(w, "base", variants[v], n, outc[v], &err));
        summarize(outc[v], n, summary, tmp);
        CHECK(alvh_h5_write_summary(w, "base", variants[v], N_STATS, N_PNL, summary, stat_names,
                                    alvh_book_out_names, stat_units, &err));
        /* histogram of the total P&L over a range just wider than the data */
        column(outc[v], n, ALVH_OUT_COUNT, ALVH_OUT_TOTAL, tmp);
        double lo = floor(summary[3 * N_PNL + ALVH_OUT_TOTAL]) - 1, hi = ceil(summary[9 * N_PNL + ALVH_OUT_TOTAL]) + 1;
        double edges[N_BINS + 1], wd = (hi - lo) / N_BINS;
        uint64_t counts[N_BINS] = {0};
        for (int j = 0; j < N_BINS; j++)
            edges[j] = j * wd + lo;
        edges[N_BINS] = hi;
        for (size_t i = 0; i < n; i++) {
            int j = (int)((tmp[i] - lo) / wd);
            j = j < 0 ? 0 : j >= N_BINS ? N_BINS - 1 : j;
            while (j > 0 && tmp[i] < edges[j])
                j--;
            while (j < N_BINS - 1 && tmp[i] >= edges[j + 1])
                j++;
            counts[j]++;
        }
        alvh_h5_histogram h = {.n_bins = N_BINS, .counts = counts, .edges = edges, .units = "USD"};
        char hg[ALVH_H5_PATH_MAX + 16], fg[ALVH_H5_PATH_MAX + 16];
        snprintf(hg, sizeof hg, "%s/" ALVH_H5_HISTOGRAMS, g);
        snprintf(fg, sizeof fg, "%s/" ALVH_H5_FAN_CHARTS, g);
        CHECK(alvh_h5_write_histogram(w, hg, "total", &h, &err));
        /* equity fan chart: starting capital times the SPX sample quantiles relative to 4500,
         * with a constant error bound to exercise <name>_bound */
        double eq[N_TIMES * 5], bound[N_TIMES * 5];
        for (size_t k = 0; k < N_TIMES * 5; k++) {
            eq[k] = 1e7 * (fan[k] / 4500.0);
            bound[k] = 1.0;
        }
        CHECK(alvh_h5_write_fan_chart(w, fg, "equity", N_TIMES, 5, eq, fan_q, bound, "USD", &err));
    }
    /* effectiveness of full_alvh against unhedged, per pnl column */
    for (size_t c = 0; c < N_PNL; c++) {
        column(outc[1], n, ALVH_OUT_COUNT, c, tmp);
        column(outc[0], n, ALVH_OUT_COUNT, c, tmp2);
        eff[c] = 1.0 - var_of(tmp, n) / var_of(tmp2, n); /* -inf where the baseline lacks the layer */
        eff[N_PNL + c] = mean_of(tmp, n) - mean_of(tmp2, n);
    }
    static const char *const eff_rows[2] = {"var_reduction", "mean_difference"};
    static const char *const eff_units[2] = {"1", "USD"};
    CHECK(alvh_h5_write_effectiveness(w, "base", "full_alvh", "unhedged", 2, N_PNL, eff, eff_rows,
                                      alvh_book_out_names, eff_units, &err));

    /* a second scenario: market only plus one variant, to select with --scenario */
    CHECK(alvh_h5_write_terminal(w, "crash", n, terminal, &err));
    CHECK(alvh_h5_write_outcomes(w, "crash", "unhedged", n, outc[0], &err));
    summarize(outc[0], n, summary, tmp);
    CHECK(alvh_h5_write_summary(w, "crash", "unhedged", N_STATS, N_PNL, summary, stat_names, alvh_book_out_names,
                                stat_units, &err));

    if (alvh_h5_close(w, 1, &err) != ALVH_OK) {
        fprintf(stderr, "h5_sample_writer: %s\n", err.msg);
        return 1;
    }
    free(z);
    free(terminal);
    free(outc[0]);
    free(outc[1]);
    free(tmp);
    free(tmp2);
    return 0;
}
