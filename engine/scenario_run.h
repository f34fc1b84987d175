/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One scenario of a run, end to end in memory: market paths and every variant
 * of the book (engine/book_run.h), per-path outcomes, the equity fan chart of
 * each variant, a sample of market paths, and the summary tables
 * (engine/summary.h). The caller writes the result (io/) and frees it.
 */
#ifndef ALVH_ENGINE_SCENARIO_RUN_H
#define ALVH_ENGINE_SCENARIO_RUN_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/book_run.h"
#include "engine/summary.h"

#define ALVH_FAN_N_PROBS 7   /* default quantile levels of the fan charts */
#define ALVH_FAN_MAX_PROBS 15
#define ALVH_PNL_HIST_BINS 200
#define ALVH_MKT_FANS 4
extern const char *const alvh_mkt_fan_names[ALVH_MKT_FANS];  /* spx, vix, token, funding */
extern const char *const alvh_mkt_fan_units[ALVH_MKT_FANS];
extern const double alvh_fan_probs[ALVH_FAN_N_PROBS]; /* 0.01 0.05 0.25 0.5 0.75 0.95 0.99 */

typedef struct alvh_scenario_request {
    alvh_market_sim_request market;
    alvh_book_params book;
    const alvh_variant *variants; /* each compared with its baseline (engine/variants.h) */
    size_t n_variants;
    size_t n_sample_paths;        /* market paths 0..n-1 kept at every step */
    size_t fan_bins;              /* equity histogram bins per step over [0, 2.5 C) */
    /* exact: keep every per-path outcome and terminal value (memory grows with
     * paths); histogram: keep neither, summaries from mergeable histograms
     * and block moment sums (engine/summary_hist.h; memory independent of paths) */
    alvh_summaries summaries;
    int rank, ranks;              /* MPI: this rank computes blocks alvh_mpi_block_range(rank, ranks) */
    /* stored total P&L histogram: bins (0: ALVH_PNL_HIST_BINS) and range in USD (NaN: from
     * the data's quantiles; exact summaries only) */
    size_t hist_bins;
    double hist_lo_usd, hist_hi_usd;
    /* fan-chart quantile levels, increasing in (0, 1) (NULL: alvh_fan_probs) */
    const double *fan_probs;
    size_t n_fan_probs;           /* at most ALVH_FAN_MAX_PROBS */
} alvh_scenario_request;

typedef struct alvh_scenario_result {
    size_t n_paths, n_steps, n_variants, n_sample;
    size_t hist_bins;                       /* bins of the total P&L histograms */
    size_t n_fan_probs;                     /* quantile levels of the fan charts */
    double fan_probs[ALVH_FAN_MAX_PROBS];
    alvh_summaries summaries;
    double *terminal;   /* n_paths x ALVH_TERM_COUNT; NULL in histogram mode */
    double *outcomes;   /* n_variants x n_paths x ALVH_OUT_COUNT; NULL in histogram mode */
    /* (n_variants + ALVH_MKT_FANS) x (n_steps + 1) x n_fan_probs: each
     * variant's equity quantiles (USD), then the market series of
     * alvh_mkt_fan_names; fan_bound: the error bound of each quantile */
    double *fan;
    double *fan_bound;
    double *sample;     /* n_sample x (n_steps + 1) x ALVH_TERM_COUNT */
    size_t *baseline;   /* n_variants: index of each variant's baseline (itself: no effectiveness) */
    alvh_table *pnl, *risk, *eff; /* n_variants each; eff[v] is empty where baseline[v] == v */
    /* exact mode only (NULL in histogram mode), n_variants each: the tail
     * effectiveness against the baseline (empty where there is none), the
     * Euler and incremental attribution per layer, the tail composition */
    alvh_table *tail_eff, *attr, *tail_comp;
    alvh_table *importance; /* per variant: LR-weighted mean, VaR, ES (engine/weighted_risk.h); exact mode */
    alvh_table *cv;         /* per variant: control-variate mean (engine/control_variate.h); exact mode */
    alvh_table *antithetic; /* per variant with run.antithetic, else NULL: pair-aware SEs and the
                             * variance-reduction factor of the mean (engine/antithetic.h) */
    /* histogram mode only (NULL in exact mode): per cell, a bound on
     * |estimate - exact value| (engine/summary_hist.h), plus bin widths */
    alvh_table *pnl_bound, *risk_bound, *eff_bound;
    /* histogram of the total P&L of each variant over the body of its finite
     * values (exact mode: the 1-99 % quantile span widened by a quarter
     * on each side, within [min, max]; values outside in hist_outside):
     * hist_bins counts and bins + 1 edges per variant, USD
     * (histogram mode: bins of whole fine bins, see alvh_shist_total_hist) */
    uint64_t *hist_counts;
    double *hist_edges;
    uint64_t *hist_nonfinite; /* n_variants */
    uint64_t *hist_outside;   /* n_variants x 2: finite values below edges[0], at or above the last edge */
    /* under an importance-sampling tilt (exact summaries), else NULL: per variant and bin the sum of
     * the paths' likelihood ratios and of their squares (n_variants x hist_bins each), and the LR
     * sums of the underflow and overflow paths (n_variants x 2) */
    double *hist_weight, *hist_weight_sq, *hist_outside_weight;
    /* paths whose market state or equity became NaN/Inf at some step, and the
     * first of them (lowest path index) with the step it happened at */
    uint64_t nonfinite_paths;
    int64_t first_nonfinite_path, first_nonfinite_step; /* -1: none */
    double seconds;     /* simulation wall time */
} alvh_scenario_result;

/* Everything at once (a job run to the end). */
alvh_status alvh_scenario_run(const alvh_scenario_request *rq, const alvh_kernel_ops *ops,
                              alvh_scenario_result *res, alvh_error *err);
void alvh_scenario_result_free(alvh_scenario_result *res); /* accepts NULL and a zeroed result */

/*
 * The same as a job that runs in rounds of blocks, so a batch can checkpoint
 * between rounds and resume after a crash: the per-path arrays of finished
 * blocks (histogram mode: the summary histograms, counters and block moment
 * rows instead), the done mask and the merged fan-chart counts are the whole
 * state, and finishing from a restored state gives bit-identical results
 * (per-path and block rows do not depend on which round ran them; histogram
 * counts add exactly).
 */
typedef struct alvh_scenario_job alvh_scenario_job;

/* Estimated peak memory of a job for rq (bytes), before anything is allocated:
 * per-path results (exact mode) or block rows and accumulators (histogram
 * mode), fan-chart histograms (one copy per thread and a merged one), sample
 * paths, and the worker buffers of the market and book kernels per thread
 * (measured: about 425 + 831 x variants bytes per path of a block, 2026-12-01). */
typedef struct alvh_memory_estimate {
    double results, fan_charts, workers, total; /* bytes */
} alvh_memory_estimate;
alvh_memory_estimate alvh_scenario_memory_estimate(const alvh_scenario_request *rq);

alvh_status alvh_scenario_job_create(const alvh_scenario_request *rq, const alvh_kernel_ops *ops,
                                     alvh_scenario_job **job, alvh_error *err);
void alvh_scenario_job_free(alvh_scenario_job *job); /* accepts NULL */

/* Runs up to max_blocks (0: all) of the blocks not yet done, lowest first;
 * stops starting new blocks once *stop is set (may be NULL). */
alvh_status alvh_scenario_job_round(alvh_scenario_job *job, size_t max_blocks, const atomic_int *stop,
                                    alvh_error *err);

size_t alvh_scenario_job_blocks(const alvh_scenario_job *job);
size_t alvh_scenario_job_blocks_done(const alvh_scenario_job *job);

/* This rank's share: paths it computes, and of those done. */
size_t alvh_scenario_job_paths_owned(const alvh_scenario_job *job);
size_t alvh_scenario_job_paths_owned_done(const alvh_scenario_job *job);

/* Collective over MPI ranks once every rank has done its blocks: the per-path
 * (or block moment) rows are gathered and the histogram counts summed on rank 0, which can then
 * finish; other ranks only free the job. A no-op for one rank. */
alvh_status alvh_scenario_job_gather(alvh_scenario_job *job, alvh_error *err);

/* Checkpoints under MPI (collective; no-ops for one rank). begin: rank 0
 * receives every rank's progress (done flags, per-path and block rows,
 * histogram counts) so that its alvh_scenario_job_buffers are the whole
 * scenario's, as one process would have them; the other ranks hand their
 * counts over (theirs restart at zero, so the final gather adds nothing
 * twice). end: back to computing, each rank its own blocks. A checkpoint is
 * written by rank 0 between the two. */
alvh_status alvh_scenario_job_checkpoint_begin(alvh_scenario_job *job, alvh_error *err);
void alvh_scenario_job_checkpoint_end(alvh_scenario_job *job);

/* Resume under MPI (collective): rank 0 has restored a checkpoint (of any
 * rank count); its done flags and rows go to every rank, its counts stay on
 * rank 0, and every rank goes on with the blocks of its own range not done. */
alvh_status alvh_scenario_job_share_restored(alvh_scenario_job *job, alvh_error *err);

/* Quantiles and summary tables; moves the arrays into res (the job is then
 * spent: only alvh_scenario_job_free remains). Every block must be done. */
alvh_status alvh_scenario_job_finish(alvh_scenario_job *job, alvh_scenario_result *res, alvh_error *err);

/* The job's state as named raw buffers, for checkpoint files. After the
 * buffers' contents have been replaced by a saved copy (same names and sizes),
 * alvh_scenario_job_restored must be called. */
typedef struct alvh_job_buffer {
    char name[32];
    void *data;
    size_t bytes;
    /* rows by block (by_block not NULL: the done mask of n_blocks blocks, an
     * earlier buffer's data): n_parts parts of part_bytes, block b's rows at
     * p * part_bytes + b * block_bytes (the last block's are shorter). A
     * checkpoint holds only the done blocks' rows, so it grows with the work. */
    const unsigned char *by_block;
    size_t n_blocks, block_bytes, part_bytes, n_parts;
} alvh_job_buffer;
#define ALVH_JOB_MAX_BUFFERS 12
size_t alvh_scenario_job_buffers(alvh_scenario_job *job, alvh_job_buffer *out);
void alvh_scenario_job_restored(alvh_scenario_job *job);

#endif
