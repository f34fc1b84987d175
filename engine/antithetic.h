/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Standard errors for antithetic pairs (run.antithetic; docs/statistics.md,
 * "Antithetic paths"). Path 2k + 1 is path 2k with every Gaussian normal
 * negated, so the two are dependent and the pair, not the path, is the
 * independent sample: an estimator (1/n) sum psi_i of influence values psi
 * has the SE of the mean of the n/2 pair means (psi_2k + psi_2k+1) / 2.
 * Inputs are the values of the finite paths in path order with the partners
 * adjacent: engine/scenario_run.c drops a pair whole when one of its paths is
 * not finite, so compacting the finite paths keeps them adjacent.
 */
#ifndef ALVH_ENGINE_ANTITHETIC_H
#define ALVH_ENGINE_ANTITHETIC_H

#include <stddef.h>

#include "common/status.h"
#include "engine/stats.h"
#include "engine/summary.h"

/* out[k] = (v[2k] + v[2k + 1]) / 2 for k < m / 2 (out may be v); returns m / 2. */
size_t alvh_pairs_average(const double *v, size_t m, double *out);

/* The SE of mean(psi[0..m)) with the pairs as samples: sd of the pair means
 * (divisor m/2 - 1) / sqrt(m/2); NaN below two pairs. */
double alvh_pairs_se(const double *psi, size_t m);

/* Values in any order (rank order, a window of ranks): e[r] belongs to path path[r] < n_paths. The
 * sum over the pairs present of (sum of the pair's e)^2, the cluster form of sum e^2 (Liang & Zeger
 * 1986); *groups (may be NULL) receives the number of pairs present. NaN without memory. */
double alvh_pairs_cluster_ss(const double *e, const size_t *path, size_t m, size_t n_paths, size_t *groups);

/* SE of mean(psi[0..m)) for psi in any order (path[r] as above) with the pairs as samples:
 * sqrt(G / (G - 1) sum_g (sum_{r in g} (psi_r - mean))^2) / m over the G pairs present (equal to
 * alvh_pairs_se when every pair is complete); NaN below two pairs. */
double alvh_pairs_se_scattered(const double *psi, const size_t *path, size_t m, size_t n_paths);

/* Pair-aware SEs of a P&L summary made from x[0..n) in path order (w: the
 * likelihood ratios, NULL for 1): mean_se from w x, es_se from the ES influence
 * values w (L - VaR)^+ / (1 - a) at the summary's VaR, and P(loss > t C) with
 * the interval p +- z SE from w 1{L > t C} in [0, 1] (Wilson's interval
 * assumes independent paths). The estimates themselves are not touched.
 * tmp: n doubles. */
void alvh_pairs_fix_pnl_summary(const double *x, const double *w, size_t n, double capital_usd, double *tmp,
                                alvh_pnl_summary *s);

/* p's interval as p +- z SE, SE from w 1{x > threshold} over the finite (x, w) with pairs as samples. tmp: n doubles. */
void alvh_pairs_fix_proportion(const double *x, const double *w, size_t n, double threshold, double z, double *tmp,
                               alvh_proportion *p);

/* ES influence values (1/(1 - a)) w (L - VaR)^+ of the finite (x, w) in path order into psi; their count. */
size_t alvh_pairs_es_psi(const double *x, const double *w, size_t n, double var, double level, double *psi);

/* Table `antithetic`, one column `total` of the total P&L (weighted: by the
 * likelihood ratios): rows pairs, mean, mean_se (pairs as samples),
 * mean_se_independent (the same paths taken as independent, sd(w x) / sqrt(n)),
 * variance_reduction = (mean_se_independent / mean_se)^2, pair_correlation
 * (of w x over the pairs), es_99, es_99_se, es_99_se_independent,
 * variance_reduction_es_99 (the same for ES99's influence values), the same
 * four for ES99.9, and paths_dropped (a pair with a non-finite path). */
alvh_status alvh_antithetic_table(const double *outcomes, size_t n, int weighted, alvh_table *t, alvh_error *err);

#endif
