/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The book's price tables of one scenario: the condor's Q table, the token's
 * and ETH's (kernels/q_table.h, q_asset.h) and the VIX calls' (kernels/
 * vix_table.h). Built once per scenario (a run of many checkpoint rounds
 * reuses them), on nt threads, for the layers some variant holds; a table
 * whose model the kernels do not price, or whose option period is too long,
 * is not built and its layer keeps the flat marks (docs/pricing.md).
 */
#ifndef ALVH_ENGINE_BOOK_TABLES_H
#define ALVH_ENGINE_BOOK_TABLES_H

#include "common/status.h"
#include "kernels/book_model.h"
#include "kernels/market_model.h"
#include "kernels/q_table.h"
#include "kernels/vix_table.h"

typedef struct alvh_book_tables {
    int built;
    alvh_qtab qtab[3];     /* condor, token, ETH */
    double *qtab_mem[3];
    alvh_vtab vtab;        /* VIX calls */
    double *vtab_mem;
    double build_seconds;  /* wall time of the build */
} alvh_book_tables;

/* Builds the tables of k's book (its consts, before binding) under the
 * scenario's market mp for the union of the variants' layers. */
alvh_status alvh_book_tables_build(alvh_book_tables *t, const alvh_book_consts *k, const alvh_market_params *mp,
                                   unsigned layers, int nt, alvh_error *err);

/* points k's table pointers at t's built tables (NULL where none) */
void alvh_book_tables_bind(const alvh_book_tables *t, alvh_book_consts *k);

void alvh_book_tables_free(alvh_book_tables *t); /* and zeroes t */

#endif
