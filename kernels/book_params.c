/* SPDX-License-Identifier: BSD-3-Clause */
/* The hedge book's defaults and single-parameter range checks, expanded from
 * book_params.def. */
#include "kernels/book_model.h"

#include <string.h>

#include "kernels/book_params.def"
#include "kernels/params_ranges.h"

#define SKIP(...)
#define DEF(key, type, field, flags, def, dtext, units, doc, lo, hi, open) p.field = def;
#define DEF_ROW(key, type, field, flags, def, dtext, range, units, doc)                                  \
    ALVH_PARAM_CALL(DEF, #key, type, field, flags, def, dtext, units, doc, range)
#define DEF_SECTION(id, name, base, rows, doc) rows(DEF_ROW, SKIP)

alvh_book_params alvh_book_defaults(void)
{
    alvh_book_params p;
    memset(&p, 0, sizeof p);
    ALVH_BOOK_SECTIONS(DEF_SECTION)
    p.farm.gov_cut = 0.5; /* no key: each scenario's token.gov_dn_emission_factor replaces it */
    return p;
}

#define CHECK_NUM(key, x, lo, hi, open)                                                                    \
    if (alvh_param_check((double)(x), lo, hi, open, section, key, msg, size) != 0)                        \
        return -1;
#define CHECK_BOOL_INT CHECK_NUM
#define CHECK(key, type, field, flags, def, dtext, units, doc, lo, hi, open) CHECK_##type(key, p->field, lo, hi, open)
#define CHECK_ROW(key, type, field, flags, def, dtext, range, units, doc)                                \
    ALVH_PARAM_CALL(CHECK, #key, type, field, flags, def, dtext, units, doc, range)
#define CHECK_SECTION(id, name, base, rows, doc)                                                          \
    {                                                                                                      \
        const char *section = name;                                                                        \
        rows(CHECK_ROW, SKIP)                                                                              \
    }

int alvh_book_check_ranges(const alvh_book_params *p, char *msg, size_t size)
{
    ALVH_BOOK_SECTIONS(CHECK_SECTION)
    return 0;
}
