/* SPDX-License-Identifier: BSD-3-Clause */
/* The market model's defaults and single-parameter range checks, expanded
 * from market_params.def. */
#include "kernels/market_model.h"

#include <math.h>
#include <string.h>

#include "kernels/market_params.def"
#include "kernels/params_ranges.h"

#define SKIP(...)
#define DEF(key, type, field, flags, def, dtext, units, doc, lo, hi, open) p.field = def;
#define DEF_ROW(key, type, field, flags, def, dtext, range, units, doc)                                  \
    ALVH_PARAM_CALL(DEF, #key, type, field, flags, def, dtext, units, doc, range)
#define DEF_SECTION(id, name, base, rows, doc) rows(DEF_ROW, SKIP)

alvh_market_params alvh_market_defaults(void)
{
    alvh_market_params p;
    memset(&p, 0, sizeof p);
    ALVH_MARKET_SECTIONS(DEF_SECTION)
    return p;
}

/* enums are checked where they are used (alvh_spx_consts_init) */
#define CHECK_NUM(key, x, lo, hi, open)                                                                    \
    if (alvh_param_check(x, lo, hi, open, section, key, msg, size) != 0)                                  \
        return -1;
/* null (NaN): not set, nothing to check (v0 is resolved before the check) */
#define CHECK_NUM_NULL(key, x, lo, hi, open)                                                               \
    if (!isnan(x))                                                                                         \
        CHECK_NUM(key, x, lo, hi, open)
#define CHECK_BOOL_INT CHECK_NUM
#define CHECK_ENUM_scheme(...)
#define CHECK(key, type, field, flags, def, dtext, units, doc, lo, hi, open) CHECK_##type(key, p->field, lo, hi, open)
#define CHECK_ROW(key, type, field, flags, def, dtext, range, units, doc)                                \
    ALVH_PARAM_CALL(CHECK, #key, type, field, flags, def, dtext, units, doc, range)
#define CHECK_SECTION(id, name, base, rows, doc)                                                          \
    {                                                                                                      \
        const char *section = name;                                                                        \
        rows(CHECK_ROW, SKIP)                                                                              \
    }

int alvh_market_check_ranges(const alvh_market_params *p, char *msg, size_t size)
{
    ALVH_MARKET_SECTIONS(CHECK_SECTION)
    return 0;
}
