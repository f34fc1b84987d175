/*
 * Risk attribution of one variant to its layers (docs/statistics.md,
 * "Attribution"), from the per-path outcomes of exact mode.
 *
 * Euler (tail-conditional) contributions, Tasche (2008), "Capital allocation
 * to business units and sub-portfolios: the Euler principle":
 *   ES_a contribution of column j  = mean of L_j over the k worst paths of the
 *                                    book (k = alvh_stats_tail_count(n, a)),
 *   VaR_a contribution of column j = VaR_a x (mean L_j / mean L) over the
 *                                    w = ceil(sqrt(k)) paths each side of the
 *                                    VaR order statistic,
 * with L = -P&L. The columns (layers, cash) sum to the book per path, so the
 * contributions sum to the book's ES (the same k paths) and VaR.
 *
 * Incremental ES of layer l: ES_a(book) - ES_a(book without l), from the
 * leave-one-out variants run on the same paths, with a paired SE.
 */
#ifndef ALVH_ENGINE_ATTRIBUTION_H
#define ALVH_ENGINE_ATTRIBUTION_H

#include <stddef.h>

#include "common/status.h"
#include "engine/summary.h"
#include "kernels/book_model.h"

#define ALVH_ATTR_N_LEVELS 2
extern const double alvh_attr_levels[ALVH_ATTR_N_LEVELS]; /* 0.99, 0.999 */

/* Table `attribution`: columns the layers, cash and total (alvh_book_out_names
 * 0..ALVH_OUT_TOTAL); per level L (99, 99.9) rows var_L_euler, var_L_euler_se,
 * es_L_euler, es_L_euler_se, and with loo (loo[l]: outcomes of the variant
 * without layer l, NULL where not run) es_L_incremental, es_L_incremental_se.
 * outcomes: n x ALVH_OUT_COUNT. Paths with a non-finite total are left out. */
/* est (engine/summary.h flags): ALVH_EST_WEIGHTED, paths weighted by their likelihood ratio (ALVH_OUT_LR;
 * importance sampling); ALVH_EST_PAIRS, antithetic pairs, every SE with a pair as one sample */
alvh_status alvh_attribution_table(const double *outcomes, size_t n, const double *const *loo, int est,
                                   alvh_table *t, alvh_error *err);

#endif
