/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where the time of a run goes: a process-wide set of per-phase second
 * counters that the engine, the CLI and io callers add to. Reading the clock
 * changes no result; it costs two clock_gettime calls per phase interval
 * (a few per block step), which is noise next to the kernels.
 *
 * Phases run on worker threads (market, book, fans: per block) add thread
 * seconds; serial phases (statistics, HDF5, checkpoints) add wall seconds.
 * `alvh bench --run-paths` turns both into wall-time shares of a run.
 */
#ifndef ALVH_ENGINE_PHASE_CLOCK_H
#define ALVH_ENGINE_PHASE_CLOCK_H

typedef enum alvh_phase {
    ALVH_PHASE_MARKET,     /* market kernels: draws, SPX/variance/token/funding step, injections (threads) */
    ALVH_PHASE_BOOK,       /* the hedge-book kernels of every variant, outcomes (threads) */
    ALVH_PHASE_FANS,       /* fan-chart histograms and sample paths on every step, their merge and quantiles */
    ALVH_PHASE_STATS,      /* summary tables, sorting, P&L histograms, histogram-mode accumulators */
    ALVH_PHASE_HDF5,       /* writing the scenario part and assembling the result file */
    ALVH_PHASE_CHECKPOINT, /* checkpoint files of a batch */
    ALVH_PHASE_COUNT
} alvh_phase;

extern const char *const alvh_phase_names[ALVH_PHASE_COUNT]; /* market, book, fans, stats, hdf5, checkpoint */

/* Monotonic seconds. */
double alvh_phase_now(void);

/* counter[p] += seconds; safe from any thread. */
void alvh_phase_add(alvh_phase p, double seconds);

void alvh_phase_reset(void);

/* The counters as added (thread seconds for the threaded phases). */
void alvh_phase_get(double seconds[ALVH_PHASE_COUNT]);

#endif
