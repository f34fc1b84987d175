#include "engine/reverse_stress.h"

#include <stdlib.h>
#include <string.h>

const char *const alvh_rs_kind_names[3] = {"token_drop", "spx_gap", "exploit_loss"};

/* ES99 of the variant's total with the stress at size s */
static alvh_status es_at(const alvh_scenario_request *base, const alvh_rs_spec *sp, const alvh_kernel_ops *ops,
                         double s, double *es, alvh_error *err)
{
    alvh_scenario_request rq = *base;
    rq.variants = &base->variants[sp->variant];
    rq.n_variants = 1;
    rq.summaries = ALVH_SUMMARIES_EXACT;
    rq.n_sample_paths = 0;
    alvh_market_injection *inj = NULL;
    if (sp->kind == ALVH_RS_EXPLOIT_LOSS) {
        rq.market.params.token.hack_loss_frac = s;
    } else {
        size_t ni = base->market.n_injections;
        inj = malloc((ni ? ni : 1) * sizeof *inj);
        if (!inj)
            return alvh_error_set(err, ALVH_E_NOMEM, "reverse stress: %zu injections", ni);
        memcpy(inj, base->market.injections, ni * sizeof *inj);
        if (sp->kind == ALVH_RS_TOKEN_DROP)
            inj[sp->injection].token_ret = -s;
        else
            inj[sp->injection].spx_ret = -s;
        rq.market.injections = inj;
    }
    alvh_scenario_result r;
    alvh_status st = alvh_scenario_run(&rq, ops, &r, err);
    free(inj);
    if (st)
        return st;
    size_t row = alvh_table_row(&r.pnl[0], "es_99");
    *es = r.pnl[0].data[row * r.pnl[0].cols + ALVH_OUT_TOTAL];
    alvh_scenario_result_free(&r);
    return ALVH_OK;
}

alvh_status alvh_reverse_stress(const alvh_scenario_request *base, const alvh_rs_spec *sp,
                                const alvh_kernel_ops *ops, alvh_rs_result *out, alvh_error *err)
{
    if (sp->variant >= base->n_variants || sp->kind > ALVH_RS_EXPLOIT_LOSS ||
        (sp->kind != ALVH_RS_EXPLOIT_LOSS && sp->injection >= base->market.n_injections) ||
        !(sp->size_lo >= 0.0 && sp->size_lo < sp->size_hi && sp->size_hi <= 1.0) || !(sp->tol > 0.0))
        return alvh_error_set(err, ALVH_E_CONFIG,
                              "reverse stress %s: variant %zu, injection %zu of %zu, bracket [%g, %g], tol %g: "
                              "expected an injection of the scenario and 0 <= lo < hi <= 1, tol > 0",
                              alvh_rs_kind_names[sp->kind <= 2 ? sp->kind : 0], sp->variant, sp->injection,
                              base->market.n_injections, sp->size_lo, sp->size_hi, sp->tol);
    const double limit = sp->limit_frac * base->book.capital_usd;
    alvh_rs_result r = {.lo = sp->size_lo, .hi = sp->size_hi};
    alvh_status st = es_at(base, sp, ops, r.lo, &r.es_lo, err);
    if (!st)
        st = es_at(base, sp, ops, r.hi, &r.es_hi, err);
    if (st)
        return st;
    if (r.es_lo > limit || !(r.es_hi > limit))
        return alvh_error_set(err, ALVH_E_CONFIG,
                              "reverse stress %s: ES99 %.6g USD at size %g and %.6g USD at %g; the limit %.6g USD "
                              "must hold at the low end and break at the high end",
                              alvh_rs_kind_names[sp->kind], r.es_lo, r.lo, r.es_hi, r.hi, limit);
    while (r.hi - r.lo > sp->tol && r.iterations < sp->max_iter) {
        double mid = 0.5 * (r.lo + r.hi), es;
        if ((st = es_at(base, sp, ops, mid, &es, err)) != ALVH_OK)
            return st;
        if (es > limit)
            r.hi = mid, r.es_hi = es;
        else
            r.lo = mid, r.es_lo = es;
        r.iterations++;
    }
    *out = r;
    return ALVH_OK;
}
