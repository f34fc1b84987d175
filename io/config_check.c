/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checks across keys (config_check.h). A failing check points at the line of
 * the key that is most likely wrong, or at the scenario (or the book) when
 * every value involved is a default. The model's and the book's own checks run
 * last, so nothing they refuse gets through.
 */
#include "io/config_check.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "io/config_schema.h"
#include "kernels/book_model.h"
#include "kernels/market_model.h"
#include "kernels/vix.h"

/* An error at the place o was written. */
#define fail_at(err, o, ...) alvh_error_at(err, (o)->file, (o)->line, (o)->col, (o)->path, __VA_ARGS__)

static size_t row(const alvh_ctable *t, const char *key)
{
    const alvh_ckey *k = alvh_ctable_find(t, key);
    return k ? (size_t)(k - t->keys) : 0;
}

/* Where a run key was written; a default points at the run mapping (or the file). */
static alvh_cfg_origin run_origin(const alvh_cfg_run_checked *r, const char *key)
{
    alvh_cfg_origin o = r->origin[row(&alvh_cfg_run_table, key)];
    if (!o.set) {
        o = r->node;
        alvh_cfg_fmt(o.path, sizeof o.path, "run.%s", key);
    }
    return o;
}

/* horizon_steps, when not 0, sets the horizon and horizon_years follows from
 * it (what a resolved config records); a horizon_years also written is then
 * not used. */
static alvh_status horizon_from_steps(alvh_cfg_run_checked *r, alvh_error *err)
{
    (void)err;
    alvh_config_run *c = &r->run;
    if (c->horizon_steps > 0)
        c->horizon_years = (double)c->horizon_steps / (double)c->steps_per_year;
    return ALVH_OK;
}

alvh_status alvh_cfg_check_run(alvh_cfg_run_checked *r, alvh_error *err)
{
    alvh_status hst = horizon_from_steps(r, err);
    if (hst != ALVH_OK)
        return hst;
    const alvh_config_run *c = &r->run;
    double steps = c->horizon_years * (double)c->steps_per_year;
    double whole = nearbyint(steps);
    if (fabs(steps - whole) > 1e-9 * (whole > 1.0 ? whole : 1.0)) {
        alvh_cfg_origin o = run_origin(r, "horizon_years");
        return fail_at(err, &o, "%g years at %llu steps_per_year is %.6g steps: expected a whole number of steps",
                       c->horizon_years, (unsigned long long)c->steps_per_year, steps);
    }
    if (whole < 1.0 || whole > ALVH_CFG_MAX_STEPS) {
        alvh_cfg_origin o = run_origin(r, "horizon_years");
        return fail_at(err, &o,
                       "%g years at %llu steps_per_year is %.0f steps: expected 1 to %u steps (horizon_years x "
                       "steps_per_year)",
                       c->horizon_years, (unsigned long long)c->steps_per_year, whole, ALVH_CFG_MAX_STEPS);
    }
    if (isnan(c->histogram_lo_capital) != isnan(c->histogram_hi_capital) ||
        (!isnan(c->histogram_lo_capital) && !(c->histogram_lo_capital < c->histogram_hi_capital))) {
        alvh_cfg_origin o = run_origin(r, isnan(c->histogram_hi_capital) ? "histogram_lo_capital" : "histogram_hi_capital");
        return fail_at(err, &o, "expected histogram_lo_capital < histogram_hi_capital, both given or both null, got "
                       "%g and %g", c->histogram_lo_capital, c->histogram_hi_capital);
    }
    if (!isnan(c->histogram_lo_capital) && c->summaries == ALVH_SUMMARIES_HISTOGRAM) {
        alvh_cfg_origin o = run_origin(r, "histogram_lo_capital");
        return fail_at(err, &o, "a fixed histogram range needs summaries: exact (histogram summaries store whole "
                       "fine bins over the data's range)");
    }
    if (c->sample_paths > c->paths) {
        alvh_cfg_origin o = run_origin(r, "sample_paths");
        return fail_at(err, &o, "expected at most run.paths = %llu, got %llu", (unsigned long long)c->paths,
                       (unsigned long long)c->sample_paths);
    }
    if ((c->paths + c->block_size - 1) / c->block_size > (UINT64_C(1) << 32)) {
        alvh_cfg_origin o = run_origin(r, "paths");
        return fail_at(err, &o, "%llu paths in blocks of %llu is more than 2^32 blocks: raise run.block_size",
                       (unsigned long long)c->paths, (unsigned long long)c->block_size);
    }
    if (c->store_paths && (double)c->paths > ALVH_CFG_MAX_STORED_PATHS) {
        alvh_cfg_origin o = run_origin(r, "store_paths");
        return fail_at(err, &o,
                       "per-path outcomes of %llu paths would take many GB per variant: expected at most %.0f paths "
                       "with store_paths: true",
                       (unsigned long long)c->paths, ALVH_CFG_MAX_STORED_PATHS);
    }
    if (c->summaries == ALVH_SUMMARIES_HISTOGRAM && c->store_paths) {
        /* blame the key the user wrote last in the pair: whichever is set here */
        alvh_cfg_origin o = run_origin(r, r->origin[row(&alvh_cfg_run_table, "summaries")].set ? "summaries"
                                                                                              : "store_paths");
        return fail_at(err, &o,
                       "summaries: histogram keeps no per-path values, so it cannot store them: expected "
                       "store_paths: false (or summaries: exact)");
    }
    if (c->antithetic && (c->paths % 2 || c->block_size % 2 || c->summaries != ALVH_SUMMARIES_EXACT)) {
        /* a pair is one sample: it must never straddle two blocks (nor ranks, which own whole blocks) */
        alvh_cfg_origin o = run_origin(r, c->paths % 2 ? "paths" : c->block_size % 2 ? "block_size" : "summaries");
        return fail_at(err, &o,
                       "antithetic: true pairs path 2k + 1 with path 2k: expected an even paths and block_size and "
                       "summaries: exact (got %llu, %llu, %s)",
                       (unsigned long long)c->paths, (unsigned long long)c->block_size,
                       c->summaries == ALVH_SUMMARIES_HISTOGRAM ? "histogram" : "exact");
    }
    r->n_steps = (uint64_t)whole;
    r->dt_years = 1.0 / (double)c->steps_per_year;
    return ALVH_OK;
}

/* A check of a whole scenario that blames a key written in a base (another
 * scenario, maybe another file): also name the scenario being checked. */
static alvh_status fail_scn(alvh_error *err, const alvh_cfg_scenario_work *w, const alvh_cfg_origin *o,
                            const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static alvh_status fail_scn(alvh_error *err, const alvh_cfg_scenario_work *w, const alvh_cfg_origin *o,
                            const char *fmt, ...)
{
    char what[420];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    size_t n = strlen(w->node.path);
    if (o->file == w->node.file && !strncmp(o->path, w->node.path, n) && (o->path[n] == '.' || !o->path[n]))
        return fail_at(err, o, "%s", what);
    return fail_at(err, o, "%s (checking scenario '%s', %s:%d:%d)", what, w->s.name, w->node.file, w->node.line,
                   w->node.col);
}

/* Where a scenario key was written; a default points at the scenario mapping. */
static alvh_cfg_origin scn_origin(const alvh_cfg_scenario_work *w, size_t sec, const char *key)
{
    const alvh_ctable *t = alvh_cfg_scenario_sections[sec];
    alvh_cfg_origin o = w->origin[sec][row(t, key)];
    if (!o.set) {
        o = w->node;
        size_t n = strlen(o.path);
        alvh_cfg_fmt(o.path + n, sizeof o.path - n, ".%s.%s", t->name, key);
    }
    return o;
}

enum { SEC_SPX = 0, SEC_TOKEN = 1, SEC_FUNDING = 2 };

static alvh_status check_rate(const alvh_cfg_scenario_work *w, size_t sec, const char *key, double rate_ann,
                              const alvh_cfg_run_checked *r, alvh_error *err)
{
    double per_step = rate_ann * r->dt_years;
    if (per_step <= ALVH_CFG_MAX_JUMPS_PER_STEP)
        return ALVH_OK;
    alvh_cfg_origin o = scn_origin(w, sec, key);
    return fail_scn(err, w, &o,
                   "%g per year at %llu steps_per_year is %.3g per step: expected at most %g per step (event counts "
                   "are capped at 2 per step); lower it or raise run.steps_per_year",
                   rate_ann, (unsigned long long)r->run.steps_per_year, per_step, ALVH_CFG_MAX_JUMPS_PER_STEP);
}

static alvh_status check_correlations(const alvh_cfg_scenario_work *w, alvh_error *err)
{
    const alvh_market_params *p = &w->s.market;
    double a[16], l[16];
    alvh_market_corr_matrix(p, a);
    int k = alvh_cholesky4(a, l);
    if (k == 0)
        return ALVH_OK;
    /* blame the key that completes the failing leading minor, preferring one the user wrote */
    static const struct {
        size_t sec;
        const char *key;
    } blame[] = {{SEC_FUNDING, "rho_gf"}, {SEC_TOKEN, "rho_sg"}, {SEC_TOKEN, "rho_vg"}, {SEC_SPX, "rho"}};
    size_t first = k == 4 ? 0 : k == 3 ? 1 : 3;
    alvh_cfg_origin o = scn_origin(w, blame[first].sec, blame[first].key);
    for (size_t i = first; i < 4; i++)
        if (w->origin[blame[i].sec][row(alvh_cfg_scenario_sections[blame[i].sec], blame[i].key)].set) {
            o = scn_origin(w, blame[i].sec, blame[i].key);
            break;
        }
    return fail_scn(err, w, &o,
                   "the driver correlations spx.rho = %g, token.rho_vg = %g, token.rho_sg = %g, funding.rho_gf = %g "
                   "do not form a positive definite matrix (leading minor %d of the v, S, G, f matrix is not "
                   "positive): expected a positive definite correlation matrix",
                   p->spx.rho, p->token.rho_vg, p->token.rho_sg, p->funding.rho_gf, k);
}

static alvh_status check_injections(alvh_cfg_scenario_work *w, const alvh_cfg_run_checked *r,
                                    const alvh_vix_coeffs *vc, alvh_error *err)
{
    double vix_floor = alvh_vix_from_vars(vc, 0.0, 0.0);
    for (size_t j = 0; j < w->s.n_injections; j++) {
        const alvh_market_injection *inj = &w->s.injections[j];
        const alvh_cfg_inj_origin *o = &w->inj_origins[j];
        if (inj->step >= r->n_steps)
            return fail_scn(err, w, &o->day, "expected a step before the horizon (0 to %llu), got %zu",
                           (unsigned long long)(r->n_steps - 1), inj->step);
        for (size_t i = 0; i < j; i++)
            if (w->s.injections[i].step == inj->step)
                return fail_scn(err, w, &o->day, "day %zu is already forced by %s: expected one injection per day",
                               inj->step, w->inj_origins[i].day.path);
        if (!isnan(inj->vix_level) && alvh_vix_inject_reachable(vc, inj->vix_level) != 0)
            return fail_scn(err, w, &o->vix,
                           "expected a VIX of at least %.4g (the VIX of zero variance under this scenario's SPX "
                           "parameters), got %g",
                           vix_floor, inj->vix_level);
    }
    return ALVH_OK;
}

/* importance.auto_rare: each event type left at a tilt of 1 (or 0) whose
 * expected count over the horizon under the paths' measure is below 0.5 gets
 * alvh_tilt_for_rare, capped so the tilted intensity per step stays within the
 * model's limit; the resolved configuration then holds the chosen factors. */
static alvh_status resolve_auto_tilt(alvh_cfg_scenario_work *w, const alvh_cfg_run_checked *r, alvh_error *err)
{
    alvh_market_params *p = &w->s.market;
    if (!p->tilt.auto_rare)
        return ALVH_OK;
    alvh_market_params pp;
    char msg[300];
    if (alvh_market_paths_params(p, &pp, msg, sizeof msg) != 0)
        return fail_scn(err, w, &w->node, "the market model refuses these parameters: %s", msg);
    const double T = (double)r->n_steps * r->dt_years, dt = r->dt_years, max_ld = 0.05;
    const double lam[3] = {pp.spx.lambda_ann, pp.token.lambda_gov_ann, pp.token.lambda_hack_ann};
    double *f[3] = {&p->tilt.spx_jump, &p->tilt.gov, &p->tilt.exploit};
    for (int k = 0; k < 3; k++)
        if ((*f[k] == 1.0 || *f[k] == 0.0) && lam[k] > 0.0)
            *f[k] = alvh_tilt_for_rare(lam[k] * T, fmin(0.999 * max_ld / (lam[k] * dt), 1000.0));
    return ALVH_OK;
}

alvh_status alvh_cfg_check_scenario(alvh_cfg_scenario_work *w, const alvh_cfg_run_checked *r, alvh_error *err)
{
    alvh_market_params *p = &w->s.market;
    alvh_vix_coeffs vc;
    alvh_vix_coeffs_init(&vc, &p->spx);
    if (!isnan(w->s.vix0) && p->spx.kappa2 > 0.0 && isnan(p->spx.v2_0)) {
        /* two factors, v2_0 not given: the slow factor starts at its mean and
         * the fast one takes the rest (as an injected VIX does); a VIX below
         * what the slow factor alone gives lowers the slow one with v2 = 0 */
        double rest = w->s.vix0 * w->s.vix0 - vc.beta, v2 = (rest - vc.alpha * p->spx.theta) / vc.alpha2;
        if (rest < 0.0) {
            alvh_cfg_origin o = scn_origin(w, SEC_SPX, "vix0");
            return fail_scn(err, w, &o, "expected at least %.4g (the VIX of zero variance in both factors), got %g",
                            alvh_vix_from_vars(&vc, 0.0, 0.0), w->s.vix0);
        }
        p->spx.v0 = v2 >= 0.0 ? p->spx.theta : rest / vc.alpha;
        p->spx.v2_0 = v2 >= 0.0 ? v2 : 0.0;
        w->s.v2_from_vix0 = 1;
    } else if (!isnan(w->s.vix0)) {
        double v0 = alvh_vix_var_for_level(&vc, w->s.vix0);
        if (v0 < 0.0) {
            alvh_cfg_origin o = scn_origin(w, SEC_SPX, "vix0");
            return fail_scn(err, w, &o,
                           "expected at least %.4g (the VIX of zero variance under this scenario's theta, kappa and "
                           "jumps, the second factor at v2_0), got %g",
                           alvh_vix_from_var(&vc, 0.0), w->s.vix0);
        }
        p->spx.v0 = v0;
    } else if (isnan(p->spx.v0)) {
        p->spx.v0 = p->spx.theta; /* neither given: start at the long-run variance */
    }
    alvh_status st;
    if ((st = check_rate(w, SEC_SPX, "lambda_ann", p->spx.lambda_ann, r, err)) ||
        (st = check_rate(w, SEC_TOKEN, "lambda_gov_ann", p->token.lambda_gov_ann, r, err)) ||
        (st = check_rate(w, SEC_TOKEN, "lambda_hack_ann", p->token.lambda_hack_ann, r, err)))
        return st;
    if (p->token.sigma_max_ann < p->token.sigma0_ann) {
        const char *key = w->origin[SEC_TOKEN][row(&alvh_cfg_token_table, "sigma_max_ann")].set ? "sigma_max_ann"
                                                                                                 : "sigma0_ann";
        alvh_cfg_origin o = scn_origin(w, SEC_TOKEN, key);
        return fail_scn(err, w, &o, "expected token.sigma_max_ann (%g) >= token.sigma0_ann (%g)", p->token.sigma_max_ann,
                       p->token.sigma0_ann);
    }
    if ((st = check_correlations(w, err)) != ALVH_OK || (st = resolve_auto_tilt(w, r, err)) != ALVH_OK)
        return st;
    if ((st = check_injections(w, r, &vc, err)) != ALVH_OK)
        return st;
    /* last line of defence: the model's own check, so the config can never
     * accept what the simulation would refuse */
    alvh_market_consts mc;
    char msg[300];
    if (alvh_market_consts_init(&mc, p, r->dt_years, msg, sizeof msg) != 0)
        return fail_scn(err, w, &w->node, "the market model refuses these parameters: %s", msg);
    for (size_t j = 0; j < w->s.n_injections; j++)
        if (alvh_market_injection_check(&mc, &w->s.injections[j], msg, sizeof msg) != 0)
            return fail_scn(err, w, &w->inj_origins[j].day, "%s", msg);
    return ALVH_OK;
}

/* ---- the book ------------------------------------------------------------------------------- */

/* Section index of t in alvh_cfg_book_sections. */
static size_t book_sec(const alvh_ctable *t)
{
    for (size_t i = 0; i < alvh_cfg_n_book_sections; i++)
        if (alvh_cfg_book_sections[i] == t)
            return i;
    return 0;
}

/* Where a book key was written; a default points at the book mapping (or the file). */
static alvh_cfg_origin book_origin(const alvh_cfg_book_work *w, const alvh_ctable *t, const char *key)
{
    alvh_cfg_origin o = w->origin[book_sec(t)][row(t, key)];
    if (!o.set) {
        o = w->node;
        alvh_cfg_fmt(o.path, sizeof o.path, "%s.%s", t->name, key);
    }
    return o;
}

static int book_key_set(const alvh_cfg_book_work *w, const alvh_ctable *t, const char *key)
{
    return w->origin[book_sec(t)][row(t, key)].set;
}

static double book_value(const alvh_cfg_book_work *w, const alvh_ctable *t, const char *key)
{
    double x;
    memcpy(&x, (const char *)&w->book + alvh_ctable_find(t, key)->offset, sizeof x);
    return x;
}

/* a < b (strict) or a <= b between two keys of one section; blames the key the
 * user wrote (the later one when both were written). */
static alvh_status check_order(const alvh_cfg_book_work *w, const alvh_ctable *t, const char *a, const char *b,
                               int strict, alvh_error *err)
{
    double x = book_value(w, t, a), y = book_value(w, t, b);
    if (strict ? x < y : x <= y)
        return ALVH_OK;
    const char *blame = a;
    if (book_key_set(w, t, b)) {
        blame = b;
        if (book_key_set(w, t, a)) {
            alvh_cfg_origin oa = book_origin(w, t, a), ob = book_origin(w, t, b);
            if (oa.line > ob.line || (oa.line == ob.line && oa.col > ob.col))
                blame = a;
        }
    }
    alvh_cfg_origin o = book_origin(w, t, blame);
    return fail_at(err, &o, "expected %s.%s (%g) %s %s.%s (%g)", t->name, a, x, strict ? "<" : "<=", t->name, b, y);
}

/* A message of alvh_book_consts_init ("book.farm.stake_frac: expected ...") at
 * the key it names; suffix says under which scenario it failed. */
static alvh_status fail_kernel(const alvh_cfg_book_work *w, const char *msg, const char *suffix, alvh_error *err)
{
    const char *colon = strstr(msg, ": ");
    char key[96] = "";
    if (!strncmp(msg, "book.", 5) && colon && (size_t)(colon - msg) < sizeof key)
        alvh_cfg_fmt(key, sizeof key, "%.*s", (int)(colon - msg), msg);
    for (size_t s = 0; *key && s < alvh_cfg_n_book_sections; s++) {
        const alvh_ctable *t = alvh_cfg_book_sections[s];
        size_t n = strlen(t->name);
        if (strncmp(key, t->name, n) || key[n] != '.' || !alvh_ctable_find(t, key + n + 1))
            continue;
        alvh_cfg_origin o = book_origin(w, t, key + n + 1);
        return fail_at(err, &o, "%s%s", colon + 2, suffix);
    }
    alvh_cfg_origin o = w->node;
    return fail_at(err, &o, "the hedge book refuses these parameters: %s%s", msg, suffix);
}

/* The default market (market_params.def): what the book is checked against first. */
static void default_market(alvh_market_params *m, double *gov_cut)
{
    *m = alvh_market_defaults();
    m->spx.v0 = m->spx.theta; /* neither v0 nor vix0 given */
    *gov_cut = alvh_ctable_find(&alvh_cfg_token_table, "gov_dn_emission_factor")->def;
}

/* The kernel's checks of the book p under market m: alvh_book_consts_init,
 * then (var not NULL) alvh_book_check_layers for the variant's layers. */
static int kernel_check(const alvh_book_params *p, const alvh_market_params *m, double gov_cut, double dt,
                        const alvh_variant *var, char *msg, size_t size)
{
    alvh_book_params b = *p;
    b.farm.gov_cut = gov_cut;
    alvh_book_consts c;
    if (alvh_book_consts_init(&c, &b, m, dt, msg, size) != 0)
        return -1;
    return var ? alvh_book_check_layers(&c, var->layers, msg, size) : 0;
}

/* A variant whose layers do not go together (a hedge without the farm, calls
 * without restaking): at its layers, or at what makes a default variant fail. */
static alvh_status fail_layers(const alvh_cfg_book_work *w, const alvh_variant *var, const char *msg,
                               alvh_error *err)
{
    size_t v = (size_t)(var - w->variants);
    if (w->var_origins && w->variants_node.set)
        return fail_at(err, &w->var_origins[v].layers, "variant '%s': %s", var->name, msg);
    const char *key = book_key_set(w, &alvh_cfg_farm_table, "restake") ? "restake" : NULL;
    alvh_cfg_origin o = key ? book_origin(w, &alvh_cfg_farm_table, key) : w->node;
    if (!key)
        alvh_cfg_fmt(o.path, sizeof o.path, "book.variants");
    return fail_at(err, &o, "default variant '%s': %s (or give book.variants without it)", var->name, msg);
}

/* The kernel's own checks under every scenario (its rates and dividend yield
 * and the time grid matter); var: those of one variant's layers, so a layer no
 * variant holds is never refused for the grid or the market. A failure that the
 * default market and every scenario share is a problem of the book alone and is
 * reported without a scenario. */
static alvh_status check_book_kernel(const alvh_cfg_book_work *w, const alvh_cfg_run_checked *r,
                                     const alvh_config_scenario *scenarios, size_t n_scenarios,
                                     const alvh_variant *var, alvh_error *err)
{
    const alvh_book_params *p = &w->book;
    char msg[300], msg0[300], suffix[240];
    for (size_t s = 0; s < n_scenarios; s++) {
        const alvh_config_scenario *sc = &scenarios[s];
        if (kernel_check(p, &sc->market, sc->gov_dn_emission_factor, r->dt_years, var, msg, sizeof msg) == 0)
            continue;
        if (var && strncmp(msg, "book.", 5))
            return fail_layers(w, var, msg, err);
        alvh_market_params m;
        double gov_cut;
        default_market(&m, &gov_cut);
        int everywhere = kernel_check(p, &m, gov_cut, r->dt_years, var, msg0, sizeof msg0) != 0 && !strcmp(msg, msg0);
        for (size_t t = 0; everywhere && t < n_scenarios; t++)
            everywhere = kernel_check(p, &scenarios[t].market, scenarios[t].gov_dn_emission_factor, r->dt_years, var,
                                      msg0, sizeof msg0) != 0 && !strcmp(msg, msg0);
        size_t o = 0;
        suffix[0] = '\0';
        if (!everywhere)
            o = (size_t)snprintf(suffix, sizeof suffix, " (under scenario '%s': spx.r_ann = %g, spx.q_ann = %g)",
                                 sc->name, sc->market.spx.r_ann, sc->market.spx.q_ann);
        if (var && o < sizeof suffix) /* the layer is the section the message names: book.<layer>.key */
            snprintf(suffix + o, sizeof suffix - o, " (%svariant '%s' holds the %.*s layer%s)",
                     w->variants_node.set ? "" : "default ", var->name, (int)strcspn(msg + 5, "."), msg + 5,
                     w->variants_node.set ? "" : "; give book.variants to choose the layers");
        return fail_kernel(w, msg, suffix, err);
    }
    return ALVH_OK;
}

alvh_status alvh_cfg_check_book(const alvh_cfg_book_work *w, const alvh_cfg_run_checked *r,
                                const alvh_config_scenario *scenarios, size_t n_scenarios, alvh_error *err)
{
    const alvh_book_params *p = &w->book;
    alvh_status st;
    if ((st = check_order(w, &alvh_cfg_condor_table, "roll_dte_cal", "entry_dte_cal", 1, err)) ||
        (st = check_order(w, &alvh_cfg_vixhedge_table, "regime_lo", "regime_mid", 0, err)) ||
        (st = check_order(w, &alvh_cfg_vixhedge_table, "regime_mid", "regime_hi", 0, err)) ||
        (st = check_order(w, &alvh_cfg_perp_table, "h_min", "h_base", 0, err)) ||
        (st = check_order(w, &alvh_cfg_perp_table, "h_base", "h_max", 0, err)) ||
        (st = check_order(w, &alvh_cfg_borrow_table, "ltv_target", "liq_threshold", 1, err)))
        return st;
    if (!(p->perp.maint_margin < 1.0 / p->perp.leverage)) {
        const char *key = book_key_set(w, &alvh_cfg_perp_table, "maint_margin") ? "maint_margin" : "leverage";
        alvh_cfg_origin o = book_origin(w, &alvh_cfg_perp_table, key);
        return fail_at(err, &o,
                       "expected book.perp.maint_margin (%g) < 1 / book.perp.leverage (%g): the margin posted at "
                       "entry must exceed the maintenance margin",
                       p->perp.maint_margin, 1.0 / p->perp.leverage);
    }
    if (p->borrow.adl_hf != 0.0) {
        if (!(p->borrow.adl_hf > 1.0)) {
            alvh_cfg_origin o = book_origin(w, &alvh_cfg_borrow_table, "adl_hf");
            return fail_at(err, &o, "expected 0 (off) or a health factor > 1, got %g", p->borrow.adl_hf);
        }
        if ((st = check_order(w, &alvh_cfg_borrow_table, "adl_hf", "adl_target_hf", 1, err)) != ALVH_OK)
            return st;
    }

    if ((st = check_book_kernel(w, r, scenarios, n_scenarios, NULL, err)) != ALVH_OK)
        return st;
    for (size_t v = 0; v < w->n_variants; v++)
        if ((st = check_book_kernel(w, r, scenarios, n_scenarios, &w->variants[v], err)) != ALVH_OK)
            return st;
    return ALVH_OK;
}
