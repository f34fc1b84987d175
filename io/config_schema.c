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
 * a percent typed as a fraction (e.g. a vol of 80 instead of 0.8). The book's
 * tables follow at the end.
 */
#include "io/config_schema.h"

#include <math.h>
#include <stddef.h>

#include "io/config.h"
#include "kernels/book_model.h"

#define NOMAX 18446744073709551616.0 /* 2^64: no upper bound for a count */

#define RUN(k) offsetof(alvh_config_run, k)
#define SCN(k) offsetof(alvh_config_scenario, k)
#define SPX(k) offsetof(alvh_config_scenario, market.spx.k)
#define TOK(k) offsetof(alvh_config_scenario, market.token.k)
#define FUN(k) offsetof(alvh_config_scenario, market.funding.k)
#define INJ(k) offsetof(alvh_cfg_injection, inj.k)

#define OPEN_LO ALVH_CK_MIN_OPEN
#define OPEN_HI ALVH_CK_MAX_OPEN

static const char *const summaries_names[] = {"exact", "histogram", NULL};
static const int summaries_values[] = {ALVH_SUMMARIES_EXACT, ALVH_SUMMARIES_HISTOGRAM};

static const alvh_ckey run_keys[] = {
    {"name", ALVH_CT_NAME, RUN(name), 0, 0, "run", 0, 0, "", "run name, recorded in outputs", NULL, NULL},
    {"paths", ALVH_CT_U64, RUN(paths), 0, 100000, NULL, 1, 1e10, "paths", "Monte Carlo paths per scenario", NULL, NULL},
    {"horizon_years", ALVH_CT_NUM, RUN(horizon_years), OPEN_LO, 1.0, NULL, 0, 50, "years", "simulated time", NULL,
     NULL},
    {"horizon_steps", ALVH_CT_U64, RUN(horizon_steps), 0, 0, NULL, 0, 1000000, "steps",
     "simulated steps; when not 0 it sets the horizon and horizon_years is not used (10 at 252 steps/yr: ten trading days)",
     NULL, NULL},
    {"steps_per_year", ALVH_CT_U64, RUN(steps_per_year), 0, 252, NULL, 1, 100000, "steps/yr",
     "time steps per year (dt = 1/steps_per_year; 252: trading days)", NULL, NULL},
    {"seed", ALVH_CT_U64, RUN(seed), 0, 1, NULL, 0, NOMAX, "",
     "run seed: the random streams derive from (seed, scenario, block)", NULL, NULL},
    {"block_size", ALVH_CT_U64, RUN(block_size), 0, 1024, NULL, 8, 1048576, "paths",
     "paths per block (memory and scheduling only: results are bit-identical for any block size)", NULL, NULL},
    {"threads", ALVH_CT_U64, RUN(threads), 0, 0, NULL, 0, 4096, "", "OpenMP threads, 0: all (results do not depend on it)",
     NULL, NULL},
    {"store_paths", ALVH_CT_BOOL, RUN(store_paths), 0, 0, NULL, 0, 1, "",
     "write per-path outcomes, not only the summaries", NULL, NULL},
    {"summaries", ALVH_CT_ENUM, RUN(summaries), 0, ALVH_SUMMARIES_EXACT, NULL, 0, 0, "",
     "summary tables: exact (from every path, kept in memory: 17 doubles per path and variant) or histogram "
     "(no per-path values: quantiles, VaR and ES from fixed-bin histograms with their error bounds, "
     "docs/statistics.md; needs store_paths: false)", summaries_names, summaries_values},
    {"sample_paths", ALVH_CT_U64, RUN(sample_paths), 0, 100, NULL, 0, 100000, "paths",
     "market paths kept per scenario for plots (at most paths)", NULL, NULL},
    {"histogram_bins", ALVH_CT_U64, RUN(histogram_bins), 0, 200, NULL, 10, 50000, "bins",
     "bins of the stored total P&L histogram of each variant", NULL, NULL},
    {"histogram_lo_capital", ALVH_CT_NUM_NULL, RUN(histogram_lo_capital), 0, NAN, "null", -1000, 1000, "capital",
     "lower end of that histogram in units of capital (-0.5: -50%); null: from the data's quantiles "
     "(exact summaries only; give both ends)", NULL, NULL},
    {"histogram_hi_capital", ALVH_CT_NUM_NULL, RUN(histogram_hi_capital), 0, NAN, "null", -1000, 1000, "capital",
     "upper end of that histogram in units of capital; null: from the data's quantiles", NULL, NULL},
    {"fan_quantiles", ALVH_CT_PROBS, RUN(fan_quantiles), 0, 0, "[0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]", 0, 1,
     "probability", "quantile levels of the equity and market fan charts", NULL, NULL},
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
     "0-based index of the forced step (a trading day at 252 steps_per_year); the first of days steps", NULL, NULL},
    {"days", ALVH_CT_SIZE, offsetof(alvh_cfg_injection, days), 0, 1, NULL, 1, 10000, "steps",
     "steps the move is spread over: returns as equal log returns, vix and funding_ann reached on the last, "
     "gov_shock and hack on the first", NULL, NULL},
    {"spx_ret", ALVH_CT_NUM_NULL, INJ(spx_ret), OPEN_LO, NAN, "null", -1, 10, "fraction",
     "SPX simple return over the step, or over all days (-0.12: -12%), null: not forced", NULL, NULL},
    {"vix", ALVH_CT_NUM_NULL, INJ(vix_level), OPEN_LO, NAN, "null", 0, 1000, "VIX points",
     "VIX at the end of the step (set through the variance), null: not forced", NULL, NULL},
    {"token_ret", ALVH_CT_NUM_NULL, INJ(token_ret), OPEN_LO, NAN, "null", -1, 1000, "fraction",
     "token simple return over the step, or over all days, null: not forced", NULL, NULL},
    {"funding_ann", ALVH_CT_NUM_NULL, INJ(funding_ann), 0, NAN, "null", -50, 50, "1/yr",
     "funding rate at the end of the step, null: not forced", NULL, NULL},
    {"gov_shock", ALVH_CT_ENUM, INJ(gov_shock), 0, 0, NULL, 0, 0, "",
     "count a governance shock this step: none, up or down", gov_names, gov_values},
    {"hack", ALVH_CT_BOOL_INT, INJ(hack), 0, 0, NULL, 0, 1, "", "count an exploit this step", NULL, NULL},
};

#define TABLE(var, nm, base_type, keys, text)                                                                         \
    const alvh_ctable var = {nm, base_type, keys, sizeof keys / sizeof keys[0], text}

TABLE(alvh_cfg_run_table, "run", "alvh_config_run", run_keys,
      "Run settings. Every key is optional; the command line may override paths, seed and threads, and any key with --set key.path=value.");
TABLE(alvh_cfg_scenario_table, "scenarios[]", "alvh_config_scenario", scenario_keys,
      "One entry of the scenarios sequence. Besides these keys: the mappings spx, token and funding, and the "
      "sequence injections.");
TABLE(alvh_cfg_spx_table, "spx", "alvh_spx_params", spx_keys,
      "SPX under Bates / SVCJ (DESIGN.md section 4). Defaults: Bakshi-Cao-Chen 1997 SVJ fit.");
TABLE(alvh_cfg_token_table, "token", "alvh_token_params", token_keys,
      "Governance token: VIX-coupled vol, contagion co-jumps, governance shocks, exploits.");
TABLE(alvh_cfg_funding_table, "funding", "alvh_funding_params", funding_keys,
      "Perpetual funding rate of the token: Ornstein-Uhlenbeck, annualized.");
TABLE(alvh_cfg_injection_table, "injections[]", "alvh_cfg_injection", injection_keys,
      "One deterministic stress injection: forces the given moves on every path at one step, then the paths "
      "evolve. At least one of the moves must be given.");

const alvh_ctable *const alvh_cfg_scenario_sections[] = {&alvh_cfg_spx_table, &alvh_cfg_token_table,
                                                         &alvh_cfg_funding_table};
const size_t alvh_cfg_n_scenario_sections = sizeof alvh_cfg_scenario_sections / sizeof alvh_cfg_scenario_sections[0];

/* ---- the hedge book ---------------------------------------------------------------------------
 * Defaults are alvh_book_defaults() (kernels/book_model.c; sources in
 * docs/book.md), which test_config checks row by row. Single-key ranges are
 * the ones alvh_book_consts_init enforces, with an upper bound where it has
 * none (to catch a percentage typed as a fraction, or days typed as years);
 * the rules between keys (roll_dte_cal < entry_dte_cal, h_min <= h_base <=
 * h_max, ...) are checked in config_check.c, and the book's own check runs
 * last with every scenario. farm.gov_cut is no key: each scenario's
 * token.gov_dn_emission_factor is copied into it (alvh_config_book_for). */

#define BK(k) offsetof(alvh_book_params, k)
#define VAR(k) offsetof(alvh_variant, k)

_Static_assert(sizeof(((alvh_variant *)0)->name) == ALVH_CONFIG_NAME_MAX, "variant names are config names");

static const alvh_ckey book_keys[] = {
    {"capital_usd", ALVH_CT_NUM, BK(capital_usd), OPEN_LO, 10e6, NULL, 0, 1e13, "USD",
     "starting capital C: every size of the book is a fraction of it", NULL, NULL},
};

static const alvh_ckey condor_keys[] = {
    {"entry_dte_cal", ALVH_CT_NUM, BK(condor.entry_dte_cal), OPEN_LO, 45, NULL, 0, 365, "calendar days",
     "days to expiry at entry", NULL, NULL},
    {"short_delta", ALVH_CT_NUM, BK(condor.short_delta), OPEN_LO | OPEN_HI, 0.16, NULL, 0, 0.5, "abs. delta",
     "delta of the short put and the short call (short_delta e^{q T} < 1)", NULL, NULL},
    {"wing_width_pts", ALVH_CT_NUM, BK(condor.wing_width_pts), OPEN_LO, 50, NULL, 0, 10000, "index points",
     "long strikes this far beyond the shorts", NULL, NULL},
    {"strike_grid_pts", ALVH_CT_NUM, BK(condor.strike_grid_pts), OPEN_LO, 5, NULL, 0, 1000, "index points",
     "strikes are multiples of this", NULL, NULL},
    {"max_loss_frac", ALVH_CT_NUM, BK(condor.max_loss_frac), 0, 0.05, NULL, 0, 1, "fraction of C",
     "contracts sized so (width - credit) x 100 x n = max_loss_frac x C", NULL, NULL},
    {"profit_take", ALVH_CT_NUM, BK(condor.profit_take), OPEN_LO, 0.5, NULL, 0, 1, "fraction of credit",
     "close when the cost to close < (1 - profit_take) x credit (1: never)", NULL, NULL},
    {"stop_mult", ALVH_CT_NUM, BK(condor.stop_mult), OPEN_LO, 2.0, NULL, 1, 100, "multiple of credit",
     "close when the cost to close >= stop_mult x credit", NULL, NULL},
    {"roll_dte_cal", ALVH_CT_NUM, BK(condor.roll_dte_cal), OPEN_HI, 21, NULL, 0, 365, "calendar days",
     "close (time roll) at this many days left (< entry_dte_cal)", NULL, NULL},
    {"vix_max", ALVH_CT_NUM, BK(condor.vix_max), OPEN_LO, 30, NULL, 0, 1000, "VIX points",
     "no new entry while the VIX is above this", NULL, NULL},
    {"commission_usd", ALVH_CT_NUM, BK(condor.commission_usd), 0, 1.0, NULL, 0, 1000, "USD",
     "per contract per leg, each way", NULL, NULL},
    {"slippage_pts", ALVH_CT_NUM, BK(condor.slippage_pts), 0, 0.10, NULL, 0, 1000, "index points",
     "per leg, against us, each way", NULL, NULL},
};

static const alvh_ckey skew_keys[] = {
    {"skew_slope", ALVH_CT_NUM, BK(condor.skew.skew_slope), 0, -0.3, NULL, -10, 10, "vol per unit ln(K/F)",
     "implied-vol slope in log-moneyness (SPX: negative)", NULL, NULL},
    {"skew_curv", ALVH_CT_NUM, BK(condor.skew.skew_curv), 0, 0.4, NULL, 0, 100, "vol per unit ln(K/F)^2",
     "implied-vol curvature (smile)", NULL, NULL},
    {"sigma_floor", ALVH_CT_NUM, BK(condor.skew.sigma_floor), 0, 0.05, NULL, 0, 5, "1/sqrt(yr)",
     "lowest implied vol", NULL, NULL},
    {"sigma_cap", ALVH_CT_NUM, BK(condor.skew.sigma_cap), OPEN_LO, 2.0, NULL, 0, 10, "1/sqrt(yr)",
     "highest implied vol (wins over sigma_floor)", NULL, NULL},
};

static const alvh_ckey vixhedge_keys[] = {
    {"buy_every_days", ALVH_CT_NUM, BK(vix.buy_every_days), 0, 21, NULL, 1, 10000, "steps",
     "a purchase is considered every this many steps (rounded)", NULL, NULL},
    {"tenor_cal", ALVH_CT_NUM, BK(vix.tenor_cal), OPEN_LO, 30, NULL, 0, 365, "calendar days",
     "days to expiry at purchase", NULL, NULL},
    {"call_delta", ALVH_CT_NUM, BK(vix.call_delta), OPEN_LO | OPEN_HI, 0.30, NULL, 0, 1, "Black-76 delta",
     "delta of the bought call (call_delta e^{r T} < 1)", NULL, NULL},
    {"regime_lo", ALVH_CT_NUM, BK(vix.regime_lo), OPEN_LO, 15, NULL, 0, 1000, "VIX points",
     "VXTH table: budget_lo while the model VIX future <= regime_lo (<= regime_mid)", NULL, NULL},
    {"regime_mid", ALVH_CT_NUM, BK(vix.regime_mid), OPEN_LO, 30, NULL, 0, 1000, "VIX points",
     "budget_mid up to regime_mid (<= regime_hi)", NULL, NULL},
    {"regime_hi", ALVH_CT_NUM, BK(vix.regime_hi), OPEN_LO, 50, NULL, 0, 1000, "VIX points",
     "budget_hi up to regime_hi, budget_top above", NULL, NULL},
    {"budget_lo", ALVH_CT_NUM, BK(vix.budget_lo), 0, 0.0, NULL, 0, 0.1, "fraction of C",
     "premium per purchase in the lowest regime", NULL, NULL},
    {"budget_mid", ALVH_CT_NUM, BK(vix.budget_mid), 0, 0.01, NULL, 0, 0.1, "fraction of C",
     "premium per purchase in (regime_lo, regime_mid]", NULL, NULL},
    {"budget_hi", ALVH_CT_NUM, BK(vix.budget_hi), 0, 0.005, NULL, 0, 0.1, "fraction of C",
     "premium per purchase in (regime_mid, regime_hi]", NULL, NULL},
    {"budget_top", ALVH_CT_NUM, BK(vix.budget_top), 0, 0.0, NULL, 0, 0.1, "fraction of C",
     "premium per purchase above regime_hi", NULL, NULL},
    {"monetize_vix", ALVH_CT_NUM, BK(vix.monetize_vix), OPEN_LO, 40, NULL, 0, 1000, "VIX points",
     "sell everything when the spot VIX >= this", NULL, NULL},
    {"monetize_mult", ALVH_CT_NUM, BK(vix.monetize_mult), OPEN_LO, 5, NULL, 1, 1000, "multiple of cost",
     "or when the position is worth >= this x its cost", NULL, NULL},
    {"roll_days", ALVH_CT_NUM, BK(vix.roll_days), 0, 5, NULL, 0, 1000, "steps",
     "sell this many steps before expiry (rounded; fewer than the option's life in steps)", NULL, NULL},
    {"slippage_frac", ALVH_CT_NUM, BK(vix.slippage_frac), OPEN_HI, 0.05, NULL, 0, 1, "fraction of premium",
     "paid each way", NULL, NULL},
};

static const alvh_ckey farm_keys[] = {
    {"stake_frac", ALVH_CT_NUM, BK(farm.stake_frac), 0, 0.30, NULL, 0, 0.4, "fraction of C",
     "staked in the token at t = 0 (the farm cap: at most 40% of capital)", NULL, NULL},
    {"apr0", ALVH_CT_NUM, BK(farm.apr0), 0, 0.20, NULL, 0, 10, "1/yr",
     "reward APR at t = 0, in tokens per staked token per year", NULL, NULL},
    {"apr_decay_ann", ALVH_CT_NUM, BK(farm.apr_decay_ann), 0, 0.173, NULL, 0, 100, "1/yr",
     "APR(t) = apr0 e^{-apr_decay_ann t} x emission cuts", NULL, NULL},
    {"harvest_days", ALVH_CT_NUM, BK(farm.harvest_days), 0, 7, NULL, 1, 10000, "steps",
     "rewards are harvested every this many steps (rounded)", NULL, NULL},
    {"restake", ALVH_CT_BOOL_INT, BK(farm.restake), 0, 1, NULL, 0, 1, "",
     "harvested rewards are staked (true) or sold at market (false); the calls layer needs true", NULL, NULL},
};

static const alvh_ckey perp_keys[] = {
    {"h_base", ALVH_CT_NUM, BK(perp.h_base), 0, 0.5, NULL, 0, 3, "ratio",
     "hedge ratio: short notional / stake value (h_min <= h_base <= h_max)", NULL, NULL},
    {"h_min", ALVH_CT_NUM, BK(perp.h_min), 0, 0.0, NULL, 0, 3, "ratio", "lower clamp of the adapted ratio", NULL,
     NULL},
    {"h_max", ALVH_CT_NUM, BK(perp.h_max), 0, 1.0, NULL, 0, 3, "ratio", "upper clamp of the adapted ratio", NULL,
     NULL},
    {"w_rsi", ALVH_CT_NUM, BK(perp.w_rsi), 0, 0.3, NULL, -10, 10, "ratio",
     "+ w_rsi (RSI - 50) / 50: short more when overbought", NULL, NULL},
    {"w_macd", ALVH_CT_NUM, BK(perp.w_macd), 0, 0.1, NULL, -10, 10, "ratio",
     "- w_macd while MACD is above its signal (uptrend)", NULL, NULL},
    {"w_funding", ALVH_CT_NUM, BK(perp.w_funding), 0, 0.5, NULL, -100, 100, "ratio x yr",
     "+ w_funding (f - f_bar): short more when funding is rich", NULL, NULL},
    {"band", ALVH_CT_NUM, BK(perp.band), 0, 0.05, NULL, 0, 3, "ratio",
     "hysteresis: a new ratio is decided only if it moves this much", NULL, NULL},
    {"timelock_days", ALVH_CT_NUM, BK(perp.timelock_days), 0, 2, NULL, 0, ALVH_PERP_MAX_DELAY, "steps",
     "decided at t, executed at t + d (multisig timelock; rounded)", NULL, NULL},
    {"leverage", ALVH_CT_NUM, BK(perp.leverage), 0, 3, NULL, 1, 100, "",
     "isolated margin posted = notional / leverage", NULL, NULL},
    {"maint_margin", ALVH_CT_NUM, BK(perp.maint_margin), OPEN_LO | OPEN_HI, 0.05, NULL, 0, 1,
     "fraction of notional", "liquidated when margin + P&L < maint_margin x notional (< 1/leverage)", NULL, NULL},
    {"liq_penalty", ALVH_CT_NUM, BK(perp.liq_penalty), 0, 0.01, NULL, 0, 1, "fraction of notional",
     "lost on a liquidation", NULL, NULL},
    {"fee_frac", ALVH_CT_NUM, BK(perp.fee_frac), 0, 0.0005, NULL, 0, 0.05, "fraction of traded notional",
     "trading fee", NULL, NULL},
};

static const alvh_ckey puts_keys[] = {
    {"cover_frac", ALVH_CT_NUM, BK(puts.cover_frac), 0, 0.5, NULL, 0, 1, "fraction",
     "of the staked tokens covered", NULL, NULL},
    {"otm_frac", ALVH_CT_NUM, BK(puts.otm_frac), OPEN_HI, 0.2, NULL, 0, 1, "fraction",
     "strike = G (1 - otm_frac)", NULL, NULL},
    {"roll_days", ALVH_CT_NUM, BK(puts.roll_days), 0, 21, NULL, 1, 10000, "steps",
     "bought every this many steps (rounded), expiring at the next roll", NULL, NULL},
    {"jump_var_ann", ALVH_CT_NUM, BK(puts.jump_var_ann), 0, 0.2, NULL, 0, 10, "variance (1/yr)",
     "token implied variance added to sigma_G^2 (jump risk premium; also used by the calls)", NULL, NULL},
    {"slippage_frac", ALVH_CT_NUM, BK(puts.slippage_frac), OPEN_HI, 0.05, NULL, 0, 1, "fraction of premium",
     "paid each way", NULL, NULL},
};

static const alvh_ckey calls_keys[] = {
    {"otm_frac", ALVH_CT_NUM, BK(calls.otm_frac), 0, 0.3, NULL, 0, 10, "fraction", "strike = G (1 + otm_frac)",
     NULL, NULL},
    {"cover_frac", ALVH_CT_NUM, BK(calls.cover_frac), 0, 1.0, NULL, 0, 1, "fraction",
     "of the harvested reward tokens written on", NULL, NULL},
    {"slippage_frac", ALVH_CT_NUM, BK(calls.slippage_frac), OPEN_HI, 0.05, NULL, 0, 1, "fraction of premium",
     "paid each way", NULL, NULL},
};

static const alvh_ckey borrow_keys[] = {
    {"ltv_target", ALVH_CT_NUM, BK(borrow.ltv_target), OPEN_HI, 0.40, NULL, 0, 1, "fraction",
     "debt at t = 0 = ltv_target x stake value (< liq_threshold)", NULL, NULL},
    {"liq_threshold", ALVH_CT_NUM, BK(borrow.liq_threshold), OPEN_LO, 0.77, NULL, 0, 1, "fraction",
     "health factor = collateral x liq_threshold / debt", NULL, NULL},
    {"liq_bonus", ALVH_CT_NUM, BK(borrow.liq_bonus), 0, 0.10, NULL, 0, 0.5, "fraction",
     "liquidator's bonus on seized collateral (the penalty)", NULL, NULL},
    {"close_factor", ALVH_CT_NUM, BK(borrow.close_factor), OPEN_LO, 0.5, NULL, 0, 1, "fraction",
     "of the debt repaid per liquidation", NULL, NULL},
    {"borrow_apr", ALVH_CT_NUM, BK(borrow.borrow_apr), 0, 0.05, NULL, 0, 5, "1/yr", "interest on the debt", NULL,
     NULL},
    {"stable_apr", ALVH_CT_NUM, BK(borrow.stable_apr), 0, 0.04, NULL, 0, 5, "1/yr",
     "yield on the unspent proceeds", NULL, NULL},
    {"redeploy", ALVH_CT_BOOL_INT, BK(borrow.redeploy), 0, 0, NULL, 0, 1, "",
     "proceeds buy tokens (true, collateral too) or stay in stablecoins (false)", NULL, NULL},
    {"adl_hf", ALVH_CT_NUM, BK(borrow.adl_hf), 0, 1.2, NULL, 0, 100, "health factor",
     "auto-deleverage below this health factor (0: off, else > 1)", NULL, NULL},
    {"adl_target_hf", ALVH_CT_NUM, BK(borrow.adl_target_hf), OPEN_LO, 1.5, NULL, 1, 100, "health factor",
     "... repaying from stables until the health factor is this (> adl_hf)", NULL, NULL},
};

static const alvh_ckey variant_keys[] = {
    {"name", ALVH_CT_NAME, VAR(name), ALVH_CK_REQUIRED, 0, NULL, 0, 0, "",
     "variant name, unique in the book (HDF5 group name)", NULL, NULL},
    {"layers", ALVH_CT_LAYERS, VAR(layers), ALVH_CK_REQUIRED, 0, NULL, 0, 0, "",
     "the layers switched on; perp, puts, calls and borrow need farm", NULL, NULL},
};

TABLE(alvh_cfg_book_table, "book", "alvh_book_params", book_keys,
      "The hedge book (DESIGN.md section 5, docs/book.md): capital_usd, one mapping per layer (below) and the "
      "variants sequence. Optional; every key has a default (alvh_book_defaults). The farm's emission cut per down "
      "governance shock is no book key: each scenario's token.gov_dn_emission_factor is used.");
TABLE(alvh_cfg_condor_table, "book.condor", "alvh_condor_params", condor_keys,
      "SPX iron condor: entry by delta, sized by a max-loss budget, profit take, stop, time roll, VIX filter.");
TABLE(alvh_cfg_skew_table, "book.condor.skew", "alvh_iv_skew", skew_keys,
      "Implied-vol skew over the model's expected variance, for pricing the condor: "
      "min(max(sigma_atm + skew_slope m + skew_curv m^2, sigma_floor), sigma_cap), m = ln(K/F).");
TABLE(alvh_cfg_vixhedge_table, "book.vix", "alvh_vixhedge_params", vixhedge_keys,
      "Long OTM VIX calls on a schedule, budget by the Cboe VXTH regime table, monetized or rolled.");
TABLE(alvh_cfg_farm_table, "book.farm", "alvh_farm_params", farm_keys,
      "Governance-token stake earning decaying rewards; exploits hit the stake. Each down governance shock "
      "multiplies emissions by the scenario's token.gov_dn_emission_factor.");
TABLE(alvh_cfg_perp_table, "book.perp", "alvh_perp_params", perp_keys,
      "Short perpetual on the token: RSI/MACD/funding-adapted hedge ratio, hysteresis, timelock, isolated margin.");
TABLE(alvh_cfg_puts_table, "book.puts", "alvh_puts_params", puts_keys,
      "OTM token puts on a fraction of the stake, rolled on a schedule.");
TABLE(alvh_cfg_calls_table, "book.calls", "alvh_calls_params", calls_keys,
      "Covered calls written on harvested reward tokens (needs farm.restake: true).");
TABLE(alvh_cfg_borrow_table, "book.borrow", "alvh_borrow_params", borrow_keys,
      "Stablecoins borrowed against the stake: interest, health factor, liquidation with bonus and close factor, "
      "auto-deleverage.");
TABLE(alvh_cfg_variant_table, "book.variants[]", "alvh_variant", variant_keys,
      "One variant of the book: a name and the layers it holds. Every variant runs on the same paths (common "
      "random numbers); the first one is the baseline of the hedge-effectiveness tables.");

const alvh_ctable *const alvh_cfg_book_sections[] = {
    &alvh_cfg_book_table, &alvh_cfg_condor_table, &alvh_cfg_skew_table,  &alvh_cfg_vixhedge_table,
    &alvh_cfg_farm_table, &alvh_cfg_perp_table,   &alvh_cfg_puts_table,  &alvh_cfg_calls_table,
    &alvh_cfg_borrow_table,
};
const size_t alvh_cfg_n_book_sections = sizeof alvh_cfg_book_sections / sizeof alvh_cfg_book_sections[0];

#define LAYER(x) (1u << ALVH_LAYER_##x)
/* the farm alone is the baseline: the other variants show what the hedges add */
const alvh_variant alvh_cfg_default_variants[] = {
    {"farm_only", LAYER(FARM)},
    {"condor_only", LAYER(CONDOR)},
    {"condor_vix", LAYER(CONDOR) | LAYER(VIX)},
    {"full", LAYER(CONDOR) | LAYER(VIX) | LAYER(FARM) | LAYER(PERP) | LAYER(PUTS) | LAYER(CALLS) | LAYER(BORROW)},
    {"full_no_borrow", LAYER(CONDOR) | LAYER(VIX) | LAYER(FARM) | LAYER(PERP) | LAYER(PUTS) | LAYER(CALLS)},
};
#undef LAYER
const size_t alvh_cfg_n_default_variants = sizeof alvh_cfg_default_variants / sizeof alvh_cfg_default_variants[0];
