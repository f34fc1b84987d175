/*
 * The configuration schema tables (config_schema.h). Defaults are a calm
 * market (sources in docs/config.md and configs/default.yaml):
 *   SPX: Bakshi-Cao-Chen 1997 SVJ fit (kappa 2.03, theta 0.04, xi 0.38,
 *        rho -0.57, lambda 0.59/yr, mu_J -0.05, delta_J 0.07).
 *   token: governance-token vol 126-140%/yr (AAVE, COMP, MKR, Oct 2020-Feb 2022),
 *        corr to SPX 0.20-0.24; the event rates and sizes are assumptions.
 *   funding: BTC perpetual, mean +12.4%/yr, exchange baseline 10.95%/yr,
 *        5th/95th pct -4%/+52%/yr.
 * Ranges are wide enough for every stress scenario and narrow enough to catch
 * a percent typed as a fraction (e.g. a vol of 80 instead of 0.8).
 */
#include "io/config_schema.h"

#include <math.h>
#include <stddef.h>

#include "io/config.h"

#define NOMAX 18446744073709551616.0 /* 2^64: no upper bound for a count */

#define RUN(k) offsetof(alvh_config_run, k)
#define SCN(k) offsetof(alvh_config_scenario, k)
#define SPX(k) offsetof(alvh_config_scenario, market.spx.k)
#define TOK(k) offsetof(alvh_config_scenario, market.token.k)
#define FUN(k) offsetof(alvh_config_scenario, market.funding.k)
#define INJ(k) offsetof(alvh_market_injection, k)

#define OPEN_LO ALVH_CK_MIN_OPEN
#define OPEN_HI ALVH_CK_MAX_OPEN

static const alvh_ckey run_keys[] = {
    {"name", ALVH_CT_NAME, RUN(name), 0, 0, "run", 0, 0, "", "run name, recorded in outputs", NULL, NULL},
    {"paths", ALVH_CT_U64, RUN(paths), 0, 100000, NULL, 1, 1e10, "paths", "Monte Carlo paths per scenario", NULL, NULL},
    {"horizon_years", ALVH_CT_NUM, RUN(horizon_years), OPEN_LO, 1.0, NULL, 0, 50, "years", "simulated time", NULL,
     NULL},
    {"steps_per_year", ALVH_CT_U64, RUN(steps_per_year), 0, 252, NULL, 1, 100000, "steps/yr",
     "time steps per year (dt = 1/steps_per_year; 252: trading days)", NULL, NULL},
    {"seed", ALVH_CT_U64, RUN(seed), 0, 1, NULL, 0, NOMAX, "",
     "run seed: the random streams derive from (seed, scenario, block)", NULL, NULL},
    {"block_size", ALVH_CT_U64, RUN(block_size), 0, 1024, NULL, 8, 1048576, "paths",
     "paths per block (part of the reproducibility contract: results depend on it)", NULL, NULL},
    {"threads", ALVH_CT_U64, RUN(threads), 0, 0, NULL, 0, 4096, "", "OpenMP threads, 0: all (results do not depend on it)",
     NULL, NULL},
    {"store_paths", ALVH_CT_BOOL, RUN(store_paths), 0, 0, NULL, 0, 1, "",
     "write per-path outcomes, not only the summaries", NULL, NULL},
    {"sample_paths", ALVH_CT_U64, RUN(sample_paths), 0, 100, NULL, 0, 100000, "paths",
     "market paths kept per scenario for plots (at most paths)", NULL, NULL},
};

static const alvh_ckey scenario_keys[] = {
    {"name", ALVH_CT_NAME, SCN(name), ALVH_CK_REQUIRED, 0, NULL, 0, 0, "",
     "scenario name, unique in the file (HDF5 group name)", NULL, NULL},
    {"description", ALVH_CT_TEXT, SCN(description), 0, 0, "", 0, 0, "", "one line recorded with the results", NULL,
     NULL},
    {"extends", ALVH_CT_TEXT, 0, ALVH_CK_SPECIAL | ALVH_CK_NO_EMIT, 0, "none", 0, 0, "",
     "base scenario: 'name' in this file or 'file.yaml#name' (relative to this file); keys given here override it",
     NULL, NULL},
};

static const char *const scheme_names[] = {"qe", "euler", NULL};
static const int scheme_values[] = {ALVH_SCHEME_QE, ALVH_SCHEME_EULER};

static const alvh_ckey spx_keys[] = {
    {"s0", ALVH_CT_NUM, SPX(s0), OPEN_LO, 5000, NULL, 0, 1e7, "index points", "initial SPX level", NULL, NULL},
    {"vix0", ALVH_CT_NUM_NULL, SCN(vix0), OPEN_LO | ALVH_CK_NO_EMIT, NAN, "none", 0, 200, "VIX points",
     "starting VIX: sets v0 through the model's VIX formula (give vix0 or v0, not both)", NULL, NULL},
    {"v0", ALVH_CT_NUM_NULL, SPX(v0), ALVH_CK_NO_EMIT, NAN, "theta", 0, 4, "variance (1/yr)",
     "initial variance (give v0 or vix0, not both; neither: v0 = theta)", NULL, NULL},
    {"r_ann", ALVH_CT_NUM, SPX(r_ann), 0, 0.04, NULL, -0.2, 0.5, "1/yr", "risk-free rate, continuously compounded",
     NULL, NULL},
    {"q_ann", ALVH_CT_NUM, SPX(q_ann), 0, 0.013, NULL, -0.2, 0.5, "1/yr", "SPX dividend yield, continuously compounded",
     NULL, NULL},
    {"kappa", ALVH_CT_NUM, SPX(kappa), OPEN_LO, 2.03, NULL, 0, 100, "1/yr", "variance mean reversion speed", NULL, NULL},
    {"theta", ALVH_CT_NUM, SPX(theta), 0, 0.04, NULL, 0, 4, "variance (1/yr)", "long-run variance", NULL, NULL},
    {"xi", ALVH_CT_NUM, SPX(xi), OPEN_LO, 0.38, NULL, 0, 10, "1/sqrt(yr)", "vol of variance", NULL, NULL},
    {"rho", ALVH_CT_NUM, SPX(rho), 0, -0.57, NULL, -1, 1, "", "correlation of SPX and variance shocks", NULL, NULL},
    {"lambda_ann", ALVH_CT_NUM, SPX(lambda_ann), 0, 0.59, NULL, 0, 1000, "1/yr",
     "SPX jump intensity (lambda * dt <= 0.05)", NULL, NULL},
    {"mu_j", ALVH_CT_NUM, SPX(mu_j), 0, -0.05, NULL, -2, 2, "log", "mean SPX log-jump", NULL, NULL},
    {"delta_j", ALVH_CT_NUM, SPX(delta_j), 0, 0.07, NULL, 0, 2, "log", "stdev of the SPX log-jump", NULL, NULL},
    {"mu_v", ALVH_CT_NUM, SPX(mu_v), 0, 0, NULL, 0, 4, "variance (1/yr)",
     "mean variance jump at SPX jumps (0: Bates, > 0: SVCJ)", NULL, NULL},
    {"drift_ann", ALVH_CT_NUM, SPX(drift_ann), 0, 0, NULL, -2, 2, "1/yr",
     "real-world extra drift of ln S (0: risk-neutral)", NULL, NULL},
    {"scheme", ALVH_CT_ENUM, SPX(scheme), 0, ALVH_SCHEME_QE, NULL, 0, 0, "",
     "variance scheme: qe (Andersen QE-M) or euler (full truncation)", scheme_names, scheme_values},
};

static const alvh_ckey token_keys[] = {
    {"g0_usd", ALVH_CT_NUM, TOK(g0_usd), OPEN_LO, 10, NULL, 0, 1e9, "USD", "initial token price", NULL, NULL},
    {"mu_ann", ALVH_CT_NUM, TOK(mu_ann), 0, 0.04, NULL, -5, 5, "1/yr",
     "expected token return (= spx.r_ann: pricing measure)", NULL, NULL},
    {"sigma0_ann", ALVH_CT_NUM, TOK(sigma0_ann), OPEN_LO, 1.2, NULL, 0, 10, "1/sqrt(yr)",
     "token vol when VIX = vix_ref", NULL, NULL},
    {"vix_ref", ALVH_CT_NUM, TOK(vix_ref), OPEN_LO, 19.45, NULL, 0, 200, "VIX points",
     "VIX at which the token vol is sigma0_ann (default: VIX mean 1990-2026)", NULL, NULL},
    {"gamma", ALVH_CT_NUM, TOK(gamma), 0, 1.0, NULL, 0, 5, "",
     "elasticity of token vol to VIX (0: constant vol)", NULL, NULL},
    {"sigma_max_ann", ALVH_CT_NUM, TOK(sigma_max_ann), OPEN_LO, 4.0, NULL, 0, 20, "1/sqrt(yr)",
     "cap on the token vol (>= sigma0_ann)", NULL, NULL},
    {"rho_sg", ALVH_CT_NUM, TOK(rho_sg), 0, 0.2, NULL, -1, 1, "", "correlation of token and SPX shocks", NULL, NULL},
    {"rho_vg", ALVH_CT_NUM, TOK(rho_vg), 0, -0.1, NULL, -1, 1, "", "correlation of token and variance shocks", NULL,
     NULL},
    {"beta_j", ALVH_CT_NUM, TOK(beta_j), 0, 2.0, NULL, -20, 20, "",
     "contagion: token log-jump per unit of SPX log-jump", NULL, NULL},
    {"delta_c", ALVH_CT_NUM, TOK(delta_c), 0, 0.1, NULL, 0, 5, "log",
     "contagion: extra token log-jump stdev per SPX jump", NULL, NULL},
    {"lambda_gov_ann", ALVH_CT_NUM, TOK(lambda_gov_ann), 0, 2.0, NULL, 0, 1000, "1/yr",
     "governance shocks per year (lambda_gov * dt <= 0.05)", NULL, NULL},
    {"p_up", ALVH_CT_NUM, TOK(p_up), 0, 0.35, NULL, 0, 1, "probability",
     "probability that a governance shock is an up move", NULL, NULL},
    {"mu_up", ALVH_CT_NUM, TOK(mu_up), 0, 0.2, NULL, -5, 5, "log", "mean log-jump of an up shock", NULL, NULL},
    {"d_up", ALVH_CT_NUM, TOK(d_up), 0, 0.15, NULL, 0, 5, "log", "stdev of an up shock", NULL, NULL},
    {"mu_dn", ALVH_CT_NUM, TOK(mu_dn), 0, -0.3, NULL, -5, 5, "log", "mean log-jump of a down shock", NULL, NULL},
    {"d_dn", ALVH_CT_NUM, TOK(d_dn), 0, 0.2, NULL, 0, 5, "log", "stdev of a down shock", NULL, NULL},
    {"gov_dn_emission_factor", ALVH_CT_NUM, SCN(gov_dn_emission_factor), 0, 1.0, NULL, 0, 1, "fraction",
     "farm emission rate multiplier at each down governance shock (1: no cut)", NULL, NULL},
    {"lambda_hack_ann", ALVH_CT_NUM, TOK(lambda_hack_ann), 0, 0.1, NULL, 0, 1000, "1/yr",
     "exploits per year (lambda_hack * dt <= 0.05)", NULL, NULL},
    {"hack_loss_frac", ALVH_CT_NUM, TOK(hack_loss_frac), 0, 0.5, NULL, 0, 1, "fraction",
     "fraction of the staked position lost per exploit", NULL, NULL},
    {"mu_hack", ALVH_CT_NUM, TOK(mu_hack), 0, -0.3, NULL, -10, 5, "log", "mean token log-jump on an exploit", NULL,
     NULL},
    {"d_hack", ALVH_CT_NUM, TOK(d_hack), 0, 0.15, NULL, 0, 5, "log", "stdev of the token log-jump on an exploit",
     NULL, NULL},
};

static const alvh_ckey funding_keys[] = {
    {"f0_ann", ALVH_CT_NUM, FUN(f0_ann), 0, 0.11, NULL, -50, 50, "1/yr",
     "initial funding rate (shorts receive it when > 0)", NULL, NULL},
    {"kappa_f", ALVH_CT_NUM, FUN(kappa_f), 0, 12, NULL, 0, 1000, "1/yr",
     "funding mean reversion (12: a half-life of about 3 weeks)", NULL, NULL},
    {"fbar_ann", ALVH_CT_NUM, FUN(fbar_ann), 0, 0.11, NULL, -50, 50, "1/yr", "long-run funding rate", NULL, NULL},
    {"sigma_f_ann", ALVH_CT_NUM, FUN(sigma_f_ann), 0, 0.8, NULL, 0, 100, "1/yr/sqrt(yr)",
     "funding OU vol (stationary stdev = sigma_f / sqrt(2 kappa_f))", NULL, NULL},
    {"rho_gf", ALVH_CT_NUM, FUN(rho_gf), 0, 0.3, NULL, -1, 1, "", "correlation of funding and token shocks", NULL,
     NULL},
};

static const char *const gov_names[] = {"none", "up", "down", NULL};
static const int gov_values[] = {0, 1, -1};

static const alvh_ckey injection_keys[] = {
    {"day", ALVH_CT_SIZE, INJ(step), ALVH_CK_REQUIRED, 0, NULL, 0, ALVH_CFG_MAX_STEPS - 1, "steps",
     "0-based index of the forced step (a trading day at 252 steps_per_year)", NULL, NULL},
    {"spx_ret", ALVH_CT_NUM_NULL, INJ(spx_ret), OPEN_LO, NAN, "null", -1, 10, "fraction",
     "SPX simple return over the step (-0.12: -12%), null: not forced", NULL, NULL},
    {"vix", ALVH_CT_NUM_NULL, INJ(vix_level), OPEN_LO, NAN, "null", 0, 1000, "VIX points",
     "VIX at the end of the step (set through the variance), null: not forced", NULL, NULL},
    {"token_ret", ALVH_CT_NUM_NULL, INJ(token_ret), OPEN_LO, NAN, "null", -1, 1000, "fraction",
     "token simple return over the step, null: not forced", NULL, NULL},
    {"funding_ann", ALVH_CT_NUM_NULL, INJ(funding_ann), 0, NAN, "null", -50, 50, "1/yr",
     "funding rate at the end of the step, null: not forced", NULL, NULL},
    {"gov_shock", ALVH_CT_ENUM, INJ(gov_shock), 0, 0, NULL, 0, 0, "",
     "count a governance shock this step: none, up or down", gov_names, gov_values},
    {"hack", ALVH_CT_BOOL_INT, INJ(hack), 0, 0, NULL, 0, 1, "", "count an exploit this step", NULL, NULL},
};

#define TABLE(var, nm, base_type, keys, text)                                                                         \
    const alvh_ctable var = {nm, base_type, keys, sizeof keys / sizeof keys[0], text}

TABLE(alvh_cfg_run_table, "run", "alvh_config_run", run_keys,
      "Run settings. Every key is optional; the command line may override paths, seed and threads.");
TABLE(alvh_cfg_scenario_table, "scenarios[]", "alvh_config_scenario", scenario_keys,
      "One entry of the scenarios sequence. Besides these keys: the mappings spx, token and funding, and the "
      "sequence injections.");
TABLE(alvh_cfg_spx_table, "spx", "alvh_spx_params", spx_keys,
      "SPX under Bates / SVCJ (DESIGN.md section 4). Defaults: Bakshi-Cao-Chen 1997 SVJ fit.");
TABLE(alvh_cfg_token_table, "token", "alvh_token_params", token_keys,
      "Governance token: VIX-coupled vol, contagion co-jumps, governance shocks, exploits.");
TABLE(alvh_cfg_funding_table, "funding", "alvh_funding_params", funding_keys,
      "Perpetual funding rate of the token: Ornstein-Uhlenbeck, annualized.");
TABLE(alvh_cfg_injection_table, "injections[]", "alvh_market_injection", injection_keys,
      "One deterministic stress injection: forces the given moves on every path at one step, then the paths "
      "evolve. At least one of the moves must be given.");

const alvh_ctable *const alvh_cfg_scenario_sections[] = {&alvh_cfg_spx_table, &alvh_cfg_token_table,
                                                         &alvh_cfg_funding_table};
const size_t alvh_cfg_n_scenario_sections = sizeof alvh_cfg_scenario_sections / sizeof alvh_cfg_scenario_sections[0];
