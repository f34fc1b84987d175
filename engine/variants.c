#include "engine/variants.h"

#include <stdio.h>
#include <string.h>

size_t alvh_variant_find(const alvh_variant *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i].name, name))
            return i;
    return n;
}

size_t alvh_variant_baseline(const alvh_variant *v, size_t n, size_t i)
{
    size_t b = v[i].baseline[0] ? alvh_variant_find(v, n, v[i].baseline) : 0;
    return b < n ? b : 0;
}

unsigned alvh_layers_without(unsigned layers, int l)
{
    unsigned out = layers & ~(1u << l);
    if (l == ALVH_LAYER_FARM) /* the farm's hedges hedge nothing without it */
        out &= ~(1u << ALVH_LAYER_PERP | 1u << ALVH_LAYER_PUTS | 1u << ALVH_LAYER_CALLS | 1u << ALVH_LAYER_BORROW |
                 1u << ALVH_LAYER_COVER | 1u << ALVH_LAYER_ETH_PUTS);
    return out;
}

int alvh_loo_name(char *buf, size_t size, const char *variant, int layer)
{
    int k = snprintf(buf, size, "%s-no-%s", variant, alvh_layer_names[layer]);
    return k < 0 || (size_t)k >= size ? -1 : 0;
}

alvh_status alvh_variants_expand_loo(alvh_variant *v, size_t *n, size_t max, alvh_error *err)
{
    const size_t n0 = *n;
    for (size_t i = 0; i < n0; i++) {
        if (v[i].attribution != ALVH_ATTR_LEAVE_ONE_OUT || __builtin_popcount(v[i].layers) < 2)
            continue;
        for (int l = 0; l < ALVH_LAYER_COUNT; l++) {
            if (!(v[i].layers >> l & 1))
                continue;
            alvh_variant w = {.layers = alvh_layers_without(v[i].layers, l), .attribution = ALVH_ATTR_EULER};
            if (!w.layers) /* nothing left (the farm of a farm-and-hedges variant): no variant, NaN increment */
                continue;
            if (alvh_loo_name(w.name, sizeof w.name, v[i].name, l) != 0)
                return alvh_error_set(err, ALVH_E_CONFIG,
                                      "variant '%s': leave-one-out name '%s-no-%s' longer than %zu bytes",
                                      v[i].name, v[i].name, alvh_layer_names[l], sizeof w.name - 1);
            if (alvh_variant_find(v, *n, w.name) < *n)
                continue;
            if (*n >= max)
                return alvh_error_set(err, ALVH_E_CONFIG,
                                      "variant '%s': attribution leave_one_out needs more than %zu variants in all",
                                      v[i].name, max);
            memcpy(w.baseline, v[i].baseline[0] ? v[i].baseline : v[0].name, sizeof w.baseline);
            v[(*n)++] = w;
        }
    }
    return ALVH_OK;
}
