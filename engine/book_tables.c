/* SPDX-License-Identifier: BSD-3-Clause */
#include "engine/book_tables.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/phase_clock.h"
#include "kernels/q_asset.h"

/* One Q price table: its life slots on nt threads (each slot is filled alone:
 * the same table on any thread count). */
static alvh_status qtab_fill(const alvh_qtab_spec *spec, int nt, alvh_qtab *tab, double **mem_out, alvh_error *err)
{
    double *mem = malloc(alvh_qtab_doubles(spec) * sizeof(double));
    if (!mem)
        return alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate a Q price table (%zu doubles)",
                              alvh_qtab_doubles(spec));
    long n_life = (long)spec->n_life;
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
    for (long l = 0; l < n_life; l++)
        alvh_qtab_fill_life(spec, (size_t)l, mem);
    alvh_qtab_bind(tab, spec, mem);
    *mem_out = mem;
    return ALVH_OK;
}

/* The condor's table. A model the table does not price (variance jumps,
 * refused with the option layers at validation) builds none. */
static alvh_status build_condor(alvh_book_tables *t, const alvh_book_consts *k, const alvh_market_params *mp, int nt,
                                alvh_error *err)
{
    alvh_qtab_spec spec;
    char msg[200];
    /* the shortest life the condor is marked at: the first with steps left <= the roll
     * threshold (with MACD-timed rolls, the hard limit further into the window) */
    double roll_left = k->p.condor_signals.macd_roll ? fmin(k->c_roll_steps_left, k->q_hard_left) : k->c_roll_steps_left;
    size_t first = (size_t)floor(fmax(roll_left, 0.0));
    if (alvh_qtab_spec_init(&spec, &mp->spx, k->dt, k->c_t_entry, k->c_life_steps, first, msg, sizeof msg) != 0)
        return ALVH_OK;
    return qtab_fill(&spec, nt, &t->qtab[0], &t->qtab_mem[0], err);
}

/* The token's (eth 0: puts and calls, lives up to the longer period) or
 * ETH's (eth 1: eth_puts) table. A law the table does not price, or a period
 * longer than ALVH_QTAB_MAX_ASSET_LIFE steps, builds none (flat marks). */
static alvh_status build_asset(alvh_book_tables *t, const alvh_book_consts *k, const alvh_market_params *mp, int eth,
                               size_t life_steps, int nt, alvh_error *err)
{
    alvh_qtab_asset a;
    alvh_qtab_spec spec;
    char msg[200];
    if (life_steps > ALVH_QTAB_MAX_ASSET_LIFE || alvh_qtab_asset_of(&a, mp, eth, k->dt, msg, sizeof msg) != 0 ||
        alvh_qtab_spec_init_asset(&spec, &mp->spx, &a, k->dt, life_steps, msg, sizeof msg) != 0)
        return ALVH_OK;
    return qtab_fill(&spec, nt, &t->qtab[1 + eth], &t->qtab_mem[1 + eth], err);
}

/* The VIX calls' table: the purchase life and the held lives down to the
 * roll (shorter ones are never marked). A tenor longer than
 * ALVH_VTAB_MAX_LIFE steps builds none (the one-factor marks). */
static alvh_status build_vix(alvh_book_tables *t, const alvh_book_consts *k, const alvh_market_params *mp, int nt,
                             alvh_error *err)
{
    alvh_vtab_spec spec;
    char msg[200];
    if (k->x_life_steps > ALVH_VTAB_MAX_LIFE ||
        alvh_vtab_spec_init(&spec, &mp->spx, k->dt, k->x_t_life, k->x_life_steps, k->x_roll_steps, msg, sizeof msg) != 0)
        return ALVH_OK;
    double *mem = malloc(alvh_vtab_doubles(&spec) * sizeof(double));
    if (!mem)
        return alvh_error_set(err, ALVH_E_NOMEM, "cannot allocate the VIX option table (%zu doubles)",
                              alvh_vtab_doubles(&spec));
    long n_life = (long)spec.n_life;
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
    for (long l = 0; l < n_life; l++)
        alvh_vtab_fill_life(&spec, (size_t)l, mem);
    alvh_vtab_bind(&t->vtab, &spec, mem);
    t->vtab_mem = mem;
    return ALVH_OK;
}

alvh_status alvh_book_tables_build(alvh_book_tables *t, const alvh_book_consts *k, const alvh_market_params *mp,
                                   unsigned layers, int nt, alvh_error *err)
{
    double t0 = alvh_phase_now();
    alvh_status st = layers >> ALVH_LAYER_CONDOR & 1 ? build_condor(t, k, mp, nt, err) : ALVH_OK;
    size_t tok_steps = 0;
    if (layers >> ALVH_LAYER_PUTS & 1)
        tok_steps = k->u_every;
    if ((layers >> ALVH_LAYER_CALLS & 1) && k->k_every > tok_steps)
        tok_steps = k->k_every;
    if (st == ALVH_OK && tok_steps > 0)
        st = build_asset(t, k, mp, 0, tok_steps, nt, err);
    if (st == ALVH_OK && (layers >> ALVH_LAYER_ETH_PUTS & 1))
        st = build_asset(t, k, mp, 1, k->e_every, nt, err);
    if (st == ALVH_OK && (layers >> ALVH_LAYER_VIX & 1))
        st = build_vix(t, k, mp, nt, err);
    t->build_seconds = alvh_phase_now() - t0;
    t->built = st == ALVH_OK;
    return st;
}

void alvh_book_tables_bind(const alvh_book_tables *t, alvh_book_consts *k)
{
    k->qtab = t->qtab_mem[0] ? &t->qtab[0] : NULL;
    k->qtab_tok = t->qtab_mem[1] ? &t->qtab[1] : NULL;
    k->qtab_eth = t->qtab_mem[2] ? &t->qtab[2] : NULL;
    k->vtab = t->vtab_mem ? &t->vtab : NULL;
}

void alvh_book_tables_free(alvh_book_tables *t)
{
    for (int i = 0; i < 3; i++)
        free(t->qtab_mem[i]);
    free(t->vtab_mem);
    memset(t, 0, sizeof *t);
}
