/*
 * The variants of a book as a set: which one each is compared with (its
 * baseline) and the leave-one-out variants that attribution adds (the
 * variant without one layer, run on the same paths).
 */
#ifndef ALVH_ENGINE_VARIANTS_H
#define ALVH_ENGINE_VARIANTS_H

#include <stddef.h>

#include "common/status.h"
#include "engine/book_run.h"

/* Index of the variant called name, n when absent. */
size_t alvh_variant_find(const alvh_variant *v, size_t n, const char *name);

/* Index of variant i's baseline: its baseline name, the first variant when
 * the name is empty or unknown (the config reader refuses unknown names). */
size_t alvh_variant_baseline(const alvh_variant *v, size_t n, size_t i);

/* The layers without layer l and the layers that need it (perp, puts, calls
 * and borrow need the farm), so the result is a valid layer set. */
unsigned alvh_layers_without(unsigned layers, int l);

/* "NAME-no-LAYER" into buf; -1 if it does not fit. */
int alvh_loo_name(char *buf, size_t size, const char *variant, int layer);

/* Appends to v[0..*n) (capacity max) the leave-one-out variants of every
 * variant with attribution leave_one_out holding more than one layer: one per
 * held layer, with that variant's baseline and attribution euler. Skips a name
 * already present (a variant given by hand) and a layer whose removal leaves
 * no layer (its increment stays NaN). Error naming the variant when
 * the capacity or the name length is exceeded. */
alvh_status alvh_variants_expand_loo(alvh_variant *v, size_t *n, size_t max, alvh_error *err);

#endif
