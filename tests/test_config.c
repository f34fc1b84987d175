/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration reader (io/config.h): a table of bad configurations, each
 * refused with ALVH_E_CONFIG and its specific message (file:line:column, key
 * path, what was expected); good configurations read to the expected values;
 * extends across files; the hedge book (defaults = alvh_book_defaults(),
 * overrides, variants, the kernel's check under every scenario); the kernels'
 * range checks refuse what the parameter tables refuse; the resolved text reads back to the same values and the same
 * text; mutated files never crash the reader; docs/config.md carries the
 * generated key tables.
 * Files are written to a fresh temporary directory.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "io/config.h"
#include "io/config_schema.h"
#include "kernels/vix.h"

static char tmpdir[64];

static void write_file(const char *name, const char *text, size_t len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    char *slash = strrchr(path, '/');
    if (slash > path + strlen(tmpdir)) { /* one level of sub-directory */
        *slash = '\0';
        char cmd[300];
        snprintf(cmd, sizeof cmd, "mkdir -p '%s'", path);
        assert_int_equal(system(cmd), 0);
        *slash = '/';
    }
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
}

static alvh_status load(const char *name, alvh_config **cfg, alvh_error *err)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    memset(err, 0, sizeof *err);
    return alvh_config_load_file(path, cfg, err);
}

/* ---- bad configurations --------------------------------------------------------------------- */

typedef struct bad_case {
    const char *what;
    const char *text;     /* bad.yaml */
    size_t len;           /* 0: strlen(text) (binary cases give it) */
    const char *other;    /* optional second file ... */
    const char *other_text;
    const char *expect;   /* fragment of the message, after the temp dir */
} bad_case;

#define SC "scenarios:\n  - name: a\n" /* a valid scenario list to put keys under */

static const bad_case bad_cases[] = {
    {"syntax error", "run:\n  paths: [1, 2\nscenarios:\n  - name: a\n", 0, NULL, NULL,
     "bad.yaml:4:3: YAML syntax error: did not find expected node content"},
    {"tab indentation", "scenarios:\n\t- name: a\n", 0, NULL, NULL, "bad.yaml:2:1: YAML syntax error: tab character"},
    /* libfyaml collects no position for these: the reader names where parsing stopped */
    {"bad block scalar header", SC "    spx:\n      s0: |000\n", 0, NULL, NULL,
     "bad.yaml:4:11: YAML syntax error: indentation indicator 0"},
    {"multi-line plain key", "a: b\n  c: d\n", 0, NULL, NULL, "bad.yaml:1:4: YAML syntax error: invalid multiline"},
    {"empty file", "", 0, NULL, NULL, "bad.yaml:1:1: empty configuration"},
    {"only comments", "# nothing here\n\n", 0, NULL, NULL, "bad.yaml:1:1: empty configuration"},
    {"binary garbage", "scen\0\x01\x02\xff", 9, NULL, NULL, "bad.yaml:1:5: binary data (a NUL byte)"},
    {"not UTF-8", "scenarios:\n  - name: caf\xe9\n", 0, NULL, NULL,
     "bad.yaml:2:14: binary data or a non-UTF-8 encoding (byte 0xe9)"},
    {"two documents", SC "---\nrun: {}\n", 0, NULL, NULL, "bad.yaml:3:1: a second YAML document"},
    {"top level a sequence", "- a\n- b\n", 0, NULL, NULL,
     "bad.yaml:1:1: expected a mapping with the keys run, scenarios and book, got a sequence"},
    {"wrong type: word for a count", "run:\n  paths: many\n" SC, 0, NULL, NULL,
     "bad.yaml:2:10: run.paths: expected a whole number in [1, 10000000000], got many"},
    {"wrong type: quoted number", SC "    spx:\n      kappa: \"2\"\n", 0, NULL, NULL,
     "bad.yaml:4:14: scenarios[0].spx.kappa: expected a number in [0.001, 100], got the string \"2\""},
    {"wrong type: sequence for a section", SC "    spx: [1, 2]\n", 0, NULL, NULL,
     "bad.yaml:3:10: scenarios[0].spx: expected a mapping, got a sequence"},
    {"wrong type: yes for a bool", "run:\n  store_paths: yes\n" SC, 0, NULL, NULL,
     "bad.yaml:2:16: run.store_paths: expected true or false, got yes"},
    {"wrong choice", SC "    spx:\n      scheme: milstein\n", 0, NULL, NULL,
     "bad.yaml:4:15: scenarios[0].spx.scheme: expected one of qe, euler, got milstein"},
    {"probability out of range", SC "  - name: b\n    token:\n      p_up: 1.5\n", 0, NULL, NULL,
     "bad.yaml:5:13: scenarios[1].token.p_up: expected a number in [0, 1], got 1.5"},
    {"negative vol", SC "    token:\n      sigma0_ann: -0.5\n", 0, NULL, NULL,
     "bad.yaml:4:19: scenarios[0].token.sigma0_ann: expected a number in (0, 10], got -0.5"},
    {"correlation beyond 1", SC "    spx:\n      rho: -1.2\n", 0, NULL, NULL,
     "bad.yaml:4:12: scenarios[0].spx.rho: expected a number in [-1, 1], got -1.2"},
    {"infinity", SC "    funding:\n      kappa_f: .inf\n", 0, NULL, NULL,
     "bad.yaml:4:16: scenarios[0].funding.kappa_f: expected a number in [0, 1000], got .inf"},
    {"unknown key with suggestion", SC "    token:\n      sigma0_anual: 1\n", 0, NULL, NULL,
     "bad.yaml:4:7: scenarios[0].token.sigma0_anual: unknown key; did you mean 'sigma0_ann'?"},
    {"key in the wrong section", SC "    spx:\n      rho_sg: 0.3\n", 0, NULL, NULL,
     "bad.yaml:4:7: scenarios[0].spx.rho_sg: unknown key; did you mean 'token.rho_sg'?"},
    {"unknown top-level key", "scenario:\n  - name: a\n", 0, NULL, NULL,
     "bad.yaml:1:1: scenario: unknown key; did you mean 'scenarios'?"},
    {"unknown key, nothing close", "run:\n  zzzz: 1\n" SC, 0, NULL, NULL,
     "bad.yaml:2:3: run.zzzz: unknown key; expected one of: name, paths, horizon_years"},
    {"missing scenarios", "run:\n  paths: 10\n", 0, NULL, NULL, "bad.yaml:1:1: missing required key 'scenarios'"},
    {"empty scenarios", "scenarios: []\n", 0, NULL, NULL,
     "bad.yaml:1:12: scenarios: expected at least one scenario, got an empty sequence"},
    {"missing scenario name", "scenarios:\n  - spx: {kappa: 1}\n", 0, NULL, NULL,
     "bad.yaml:2:5: scenarios[0]: missing required key 'name'"},
    {"missing injection day", SC "    injections:\n      - spx_ret: -0.1\n", 0, NULL, NULL,
     "bad.yaml:4:9: scenarios[0].injections[0]: missing required key 'day'"},
    {"injection forcing nothing", SC "    injections:\n      - day: 3\n", 0, NULL, NULL,
     "bad.yaml:4:9: scenarios[0].injections[0]: injection forces nothing"},
    {"injection beyond the horizon", SC "    injections:\n      - {day: 252, spx_ret: -0.1}\n", 0, NULL, NULL,
     "bad.yaml:4:15: scenarios[0].injections[0].day: expected a step before the horizon (0 to 251), got 252"},
    {"two injections on one day", SC "    injections:\n      - {day: 4, spx_ret: -0.1}\n      - {day: 4, hack: true}\n",
     0, NULL, NULL, "bad.yaml:5:15: scenarios[0].injections[1].day: day 4 is already forced by"},
    {"injected VIX below the floor", SC "    injections:\n      - {day: 4, vix: 5}\n", 0, NULL, NULL,
     "bad.yaml:4:23: scenarios[0].injections[0].vix: expected a VIX of at least 8.58"},
    {"correlations not positive definite", SC "    token:\n      rho_sg: 0.9\n      rho_vg: 0.9\n", 0, NULL, NULL,
     "bad.yaml:4:15: scenarios[0].token.rho_sg: the driver correlations spx.rho = -0.57, token.rho_vg = 0.9, "
     "token.rho_sg = 0.9, funding.rho_gf = 0.3 do not form a positive definite matrix (leading minor 3"},
    {"funding correlation breaks positive definiteness",
     SC "    spx: {rho: 0}\n    token: {rho_sg: 0.7, rho_vg: 0.7}\n    funding: {rho_gf: 0.5}\n", 0, NULL, NULL,
     "bad.yaml:5:23: scenarios[0].funding.rho_gf: the driver correlations"},
    {"v0 and vix0 both", SC "    spx:\n      v0: 0.04\n      vix0: 20\n", 0, NULL, NULL,
     "bad.yaml:5:13: scenarios[0].spx.vix0: expected v0 or vix0, not both (v0 given at line 4, column 11)"},
    {"vix0 below the floor", SC "    spx:\n      vix0: 3\n", 0, NULL, NULL,
     "bad.yaml:4:13: scenarios[0].spx.vix0: expected at least 8.58"},
    {"jumps too frequent for dt", SC "    spx:\n      lambda_ann: 20\n", 0, NULL, NULL,
     "bad.yaml:4:19: scenarios[0].spx.lambda_ann: 20 per year at 252 steps_per_year is 0.0794 per step: expected at "
     "most 0.05 per step"},
    {"vol cap below the vol", SC "    token:\n      sigma0_ann: 2\n      sigma_max_ann: 1.5\n", 0, NULL, NULL,
     "bad.yaml:5:22: scenarios[0].token.sigma_max_ann: expected token.sigma_max_ann (1.5) >= token.sigma0_ann (2)"},
    {"duplicate key", SC "    spx:\n      kappa: 1\n      kappa: 2\n", 0, NULL, NULL,
     "bad.yaml:5:7: duplicate key 'kappa' (first given at line 4, column 7)"},
    {"duplicate scenario name", SC "  - name: a\n", 0, NULL, NULL,
     "bad.yaml:3:11: scenarios[1].name: duplicate scenario name 'a'"},
    {"bad scenario name", "scenarios:\n  - name: \"a b\"\n", 0, NULL, NULL,
     "bad.yaml:2:11: scenarios[0].name: expected a name of 1 to 63 letters, digits, '_', '-' or '.' (not only dots), "
     "got the string \"a b\""},
    {"scenario name of dots only", "scenarios:\n  - name: ..\n", 0, NULL, NULL,
     "bad.yaml:2:11: scenarios[0].name: expected a name of 1 to 63 letters"},
    {"absurd paths", "run:\n  paths: 2e10\n" SC, 0, NULL, NULL,
     "bad.yaml:2:10: run.paths: expected a whole number in [1, 10000000000], got 2e10"},
    {"absurd horizon", "run:\n  horizon_years: 60\n" SC, 0, NULL, NULL,
     "bad.yaml:2:18: run.horizon_years: expected a number in (0, 50], got 60"},
    {"absurd step count", "run:\n  horizon_years: 20\n  steps_per_year: 100000\n" SC, 0, NULL, NULL,
     "bad.yaml:2:18: run.horizon_years: 20 years at 100000 steps_per_year is 2000000 steps: expected 1 to 1000000"},
    {"absurd block size", "run:\n  block_size: 4\n" SC, 0, NULL, NULL,
     "bad.yaml:2:15: run.block_size: expected a whole number in [8, 1048576], got 4"},
    {"horizon not a whole number of steps", "run:\n  horizon_years: 1.3\n" SC, 0, NULL, NULL,
     "bad.yaml:2:18: run.horizon_years: 1.3 years at 252 steps_per_year is 327.6 steps: expected a whole number"},
    {"more sample paths than paths", "run:\n  paths: 50\n" SC, 0, NULL, NULL,
     "bad.yaml:2:3: run.sample_paths: expected at most run.paths = 50, got 100"},
    {"histogram summaries with stored paths", "run:\n  store_paths: true\n  summaries: histogram\n" SC, 0, NULL, NULL,
     "bad.yaml:3:14: run.summaries: summaries: histogram keeps no per-path values, so it cannot store them: expected "
     "store_paths: false (or summaries: exact)"},
    {"unknown summaries mode", "run:\n  summaries: approximate\n" SC, 0, NULL, NULL,
     "bad.yaml:2:14: run.summaries: expected one of exact, histogram, got approximate"},
    {"negative seed", "run:\n  seed: -1\n" SC, 0, NULL, NULL,
     "bad.yaml:2:9: run.seed: expected a whole number in [0, 18446744073709551615], got -1"},
    {"book not a mapping", SC "book: 5\n", 0, NULL, NULL, "bad.yaml:3:7: book: expected a mapping, got 5"},
    /* the hedge book */
    {"stake above the farm cap", SC "book:\n  farm:\n    stake_frac: 0.5\n", 0, NULL, NULL,
     "bad.yaml:5:17: book.farm.stake_frac: expected a number in [0, 0.4], got 0.5 (the farm cap: at most 40% of "
     "capital is staked)"},
    {"unknown layer with suggestion", SC "book:\n  variants:\n    - {name: x, layers: [condor, vixx]}\n", 0, NULL,
     NULL, "bad.yaml:5:34: book.variants[0].layers[1]: unknown layer 'vixx'; did you mean 'vix'?"},
    {"unknown layer, nothing close", SC "book:\n  variants:\n    - {name: x, layers: [straddle]}\n", 0, NULL, NULL,
     "bad.yaml:5:26: book.variants[0].layers[0]: unknown layer 'straddle'; expected (condor, vix, farm, perp, puts, "
     "calls, borrow, lp, cover, eth_puts)"},
    {"variant needing the farm without it", SC "book:\n  variants:\n    - {name: f, layers: [farm]}\n"
     "    - {name: x, layers: [condor, perp]}\n", 0, NULL, NULL,
     "bad.yaml:6:25: book.variants[1].layers: variant 'x': layer 'perp' hedges or borrows against the farm's stake: "
     "add 'farm' to the variant"},
    {"calls without restaked rewards", SC "book:\n  farm: {restake: false}\n  variants:\n"
     "    - {name: x, layers: [farm, calls]}\n", 0, NULL, NULL,
     "bad.yaml:6:25: book.variants[0].layers: variant 'x': layer 'calls' writes on harvested rewards kept in the "
     "stake: needs farm.restake = true"},
    {"no restake with the default variants", SC "book:\n  farm:\n    restake: false\n", 0, NULL, NULL,
     "bad.yaml:5:14: book.farm.restake: default variant 'farm_hedged': layer 'calls'"},
    {"unknown baseline", SC "book:\n  variants:\n    - {name: x, layers: [condor]}\n"
     "    - {name: y, layers: [condor, vix], baseline: z}\n", 0, NULL, NULL,
     "bad.yaml:6:50: book.variants[1].baseline: expected the name of a variant of the book, got 'z'"},
    {"unknown attribution", SC "book:\n  variants:\n    - {name: x, layers: [condor], attribution: shapley}\n", 0,
     NULL, NULL, "book.variants[0].attribution"},
    {"sweep of an unknown parameter", SC "book:\n  variants:\n    - {name: x, layers: [farm, perp]}\n"
     "  sweeps:\n    - {variant: x, param: perp.leverag, from: 1, to: 3}\n", 0, NULL, NULL,
     "book.sweeps[0]: param: expected section.key of a number of the book (e.g. perp.leverage), got 'perp.leverag'"},
    {"sweep of an unknown variant", SC "book:\n  sweeps:\n    - {variant: y, param: perp.leverage, from: 1, to: 3}\n",
     0, NULL, NULL, "book.sweeps[0]: variant: expected the name of a variant of the book, got 'y'"},
    {"reverse stress with an unknown stress", SC "book:\n  reverse_stress:\n    - {variant: full, stress: vix_spike}\n",
     0, NULL, NULL, "book.reverse_stress[0].stress"},
    {"duplicate variant names", SC "book:\n  variants:\n    - {name: x, layers: [condor]}\n"
     "    - {name: x, layers: [vix]}\n", 0, NULL, NULL,
     "bad.yaml:6:14: book.variants[1].name: duplicate variant name 'x' (also book.variants[0]): expected unique "
     "names"},
    {"layer listed twice", SC "book:\n  variants:\n    - {name: x, layers: [vix, condor, vix]}\n", 0, NULL, NULL,
     "bad.yaml:5:39: book.variants[0].layers[2]: layer 'vix' is listed twice"},
    {"empty layer list", SC "book:\n  variants:\n    - {name: x, layers: []}\n", 0, NULL, NULL,
     "bad.yaml:5:25: book.variants[0].layers: expected at least one layer, got an empty sequence"},
    {"layers not a sequence", SC "book:\n  variants:\n    - {name: x, layers: condor}\n", 0, NULL, NULL,
     "bad.yaml:5:25: book.variants[0].layers: expected a sequence of layer names (condor, vix, farm, perp, puts, "
     "calls, borrow, lp, cover, eth_puts), got condor"},
    {"variant without layers", SC "book:\n  variants:\n    - name: x\n", 0, NULL, NULL,
     "bad.yaml:5:7: book.variants[0]: missing required key 'layers'"},
    {"variant unknown key", SC "book:\n  variants:\n    - {name: x, layer: [vix]}\n", 0, NULL, NULL,
     "bad.yaml:5:17: book.variants[0].layer: unknown key; did you mean 'layers'?"},
    {"variant name not a group name", SC "book:\n  variants:\n    - {name: \"a/b\", layers: [vix]}\n", 0, NULL, NULL,
     "bad.yaml:5:14: book.variants[0].name: expected a name of 1 to 63 letters"},
    {"no variants", SC "book:\n  variants: []\n", 0, NULL, NULL,
     "bad.yaml:4:13: book.variants: expected at least one variant, got an empty sequence"},
    {"too many variants", SC "book:\n  variants: [{name: v0, layers: [vix]}, {name: v1, layers: [vix]}, "
     "{name: v2, layers: [vix]}, {name: v3, layers: [vix]}, {name: v4, layers: [vix]}, {name: v5, layers: [vix]}, "
     "{name: v6, layers: [vix]}, {name: v7, layers: [vix]}, {name: v8, layers: [vix]}, {name: v9, layers: [vix]}, "
     "{name: v10, layers: [vix]}, {name: v11, layers: [vix]}, {name: v12, layers: [vix]}, {name: v13, layers: [vix]}, "
     "{name: v14, layers: [vix]}, {name: v15, layers: [vix]}, {name: v16, layers: [vix]}, {name: v17, layers: [vix]}, "
     "{name: v18, layers: [vix]}, {name: v19, layers: [vix]}, {name: v20, layers: [vix]}, {name: v21, layers: [vix]}, "
     "{name: v22, layers: [vix]}, {name: v23, layers: [vix]}, {name: v24, layers: [vix]}, {name: v25, layers: [vix]}, "
     "{name: v26, layers: [vix]}, {name: v27, layers: [vix]}, {name: v28, layers: [vix]}, {name: v29, layers: [vix]}, "
     "{name: v30, layers: [vix]}, {name: v31, layers: [vix]}, {name: v32, layers: [vix]}]\n", 0, NULL, NULL,
     "bad.yaml:4:13: book.variants: expected at most 32 variants, got 33"},
    {"book key in the wrong layer", SC "book:\n  condor:\n    stake_frac: 0.1\n", 0, NULL, NULL,
     "bad.yaml:5:5: book.condor.stake_frac: unknown key; did you mean 'farm.stake_frac'?"},
    {"misspelt layer section", SC "book:\n  condr: {}\n", 0, NULL, NULL,
     "bad.yaml:4:3: book.condr: unknown key; did you mean 'condor'?"},
    {"gov_cut is the scenario's", SC "book:\n  farm:\n    gov_cut: 0.5\n", 0, NULL, NULL,
     "bad.yaml:5:5: book.farm.gov_cut: not a book key: the farm's emission cut at each down governance shock is the "
     "scenario's token.gov_dn_emission_factor"},
    {"book range: delta beyond 0.5", SC "book:\n  condor:\n    short_delta: 0.5\n", 0, NULL, NULL,
     "bad.yaml:5:18: book.condor.short_delta: expected a number in (0, 0.5), got 0.5"},
    {"book range: stop inside the credit", SC "book:\n  condor: {stop_mult: 1}\n", 0, NULL, NULL,
     "bad.yaml:4:23: book.condor.stop_mult: expected a number in (1, 100], got 1"},
    {"book range: nested skew", SC "book:\n  condor:\n    skew: {sigma_cap: 0}\n", 0, NULL, NULL,
     "bad.yaml:5:23: book.condor.skew.sigma_cap: expected a number in (0, 10], got 0"},
    {"book range: percent for a fraction", SC "book:\n  borrow: {liq_threshold: 77}\n", 0, NULL, NULL,
     "bad.yaml:4:27: book.borrow.liq_threshold: expected a number in (0, 1], got 77"},
    {"book range: timelock too long", SC "book:\n  perp: {timelock_days: 17}\n", 0, NULL, NULL,
     "bad.yaml:4:25: book.perp.timelock_days: expected a number in [0, 16], got 17"},
    {"book wrong type: string capital", SC "book:\n  capital_usd: \"1e7\"\n", 0, NULL, NULL,
     "bad.yaml:4:16: book.capital_usd: expected a number in [1000, 10000000000000], got the string \"1e7\""},
    {"book wrong type: yes for restake", SC "book:\n  farm: {restake: yes}\n", 0, NULL, NULL,
     "bad.yaml:4:19: book.farm.restake: expected true or false, got yes"},
    {"book wrong type: layer section a number", SC "book:\n  vix: 3\n", 0, NULL, NULL,
     "bad.yaml:4:8: book.vix: expected a mapping, got 3"},
    {"book rule: roll after entry", SC "book:\n  condor:\n    entry_dte_cal: 14\n", 0, NULL, NULL,
     "bad.yaml:5:20: book.condor.entry_dte_cal: expected book.condor.roll_dte_cal (21) < book.condor.entry_dte_cal "
     "(14)"},
    {"book rule: hedge ratio above its cap", SC "book:\n  perp: {h_base: 0.8, h_max: 0.6}\n", 0, NULL, NULL,
     "bad.yaml:4:30: book.perp.h_max: expected book.perp.h_base (0.8) <= book.perp.h_max (0.6)"},
    {"book rule: VXTH regimes out of order", SC "book:\n  vix:\n    regime_mid: 60\n", 0, NULL, NULL,
     "bad.yaml:5:17: book.vix.regime_mid: expected book.vix.regime_mid (60) <= book.vix.regime_hi (50)"},
    {"book rule: maintenance above the initial margin", SC "book:\n  perp: {leverage: 25}\n", 0, NULL, NULL,
     "bad.yaml:4:20: book.perp.leverage: expected book.perp.maint_margin (0.05) < 1 / book.perp.leverage (0.04)"},
    {"book rule: ltv at the liquidation threshold", SC "book:\n  borrow: {ltv_target: 0.8}\n", 0, NULL, NULL,
     "bad.yaml:4:24: book.borrow.ltv_target: expected book.borrow.ltv_target (0.8) < book.borrow.liq_threshold "
     "(0.77)"},
    {"book rule: deleverage below 1", SC "book:\n  borrow: {adl_hf: 0.9}\n", 0, NULL, NULL,
     "bad.yaml:4:20: book.borrow.adl_hf: expected 0 (off) or a health factor > 1, got 0.9"},
    {"book kernel: VIX roll beyond the option's life", SC "book:\n  vix:\n    roll_days: 25\n", 0, NULL, NULL,
     "bad.yaml:5:16: book.vix.roll_days: expected fewer steps than the option's life (21), got 25"},
    {"VIX roll on a weekly grid, default variants", "run: {steps_per_year: 52}\n" SC, 0, NULL, NULL,
     "bad.yaml:1:1: book.vix.roll_days: expected fewer steps than the option's life (4), got 5 (default variant "
     "'condor_vix' holds the vix layer; give book.variants to choose the layers)"},
    {"VIX roll on a weekly grid, named variant",
     "run: {steps_per_year: 52}\n" SC "book:\n  vix: {roll_days: 4}\n  variants:\n    - {name: farm, layers: [farm]}\n"
     "    - {name: crash_hedge, layers: [condor, vix]}\n", 0, NULL, NULL,
     "bad.yaml:5:20: book.vix.roll_days: expected fewer steps than the option's life (4), got 4 (variant "
     "'crash_hedge' holds the vix layer)"},
    {"book kernel: VIX delta unreachable under a scenario's rate",
     SC "    spx: {r_ann: 0.5}\nbook:\n  vix: {call_delta: 0.7, tenor_cal: 365}\n", 0, NULL, NULL,
     "bad.yaml:5:21: book.vix.call_delta: 0.7 is unreachable with rate 0.5 (under scenario 'a': spx.r_ann = 0.5, "
     "spx.q_ann = 0.013)"},
    {"error in the book after a base file", "scenarios:\n  - name: top\n    extends: base.yaml#x\nbook:\n  farm: "
     "{apr0: -1}\n", 0, "base.yaml", "scenarios:\n  - name: x\n",
     "bad.yaml:5:16: book.farm.apr0: expected a number in [0, 10], got -1"},
    {"merge key", SC "    spx:\n      <<: {kappa: 1}\n", 0, NULL, NULL,
     "bad.yaml:4:7: scenarios[0].spx.<<: YAML merge keys are not supported: use extends:"},
    {"unknown alias", SC "    spx: *nope\n", 0, NULL, NULL,
     "bad.yaml:3:10: alias *nope refers to no complete anchored node before it"},
    {"cyclic extends", "scenarios:\n  - name: a\n    extends: b\n  - name: b\n    extends: a\n", 0, NULL, NULL,
     "bad.yaml:5:14: scenarios[1].extends: cyclic extends chain: a -> b -> a"},
    {"extends itself", "scenarios:\n  - name: a\n    extends: a\n", 0, NULL, NULL,
     "bad.yaml:3:14: scenarios[0].extends: cyclic extends chain: a -> a"},
    {"cyclic extends across files", "scenarios:\n  - name: p\n    extends: sub/base.yaml#q\n", 0, "sub/base.yaml",
     "scenarios:\n  - name: q\n    extends: ../bad.yaml#p\n",
     "sub/base.yaml:3:14: scenarios[0].extends: cyclic extends chain: p -> "},
    {"missing base scenario", "scenarios:\n  - name: a\n    extends: nope\n", 0, NULL, NULL,
     "bad.yaml:3:14: scenarios[0].extends: no scenario named 'nope' in "},
    {"missing base file", "scenarios:\n  - name: a\n    extends: none.yaml#calm\n", 0, NULL, NULL,
     "bad.yaml:3:14: scenarios[0].extends: cannot read the base: "},
    {"error inside a base file", "scenarios:\n  - name: top\n    extends: base.yaml#x\n", 0, "base.yaml",
     "scenarios:\n  - name: x\n    token:\n      p_up: 2\n",
     "base.yaml:4:13: scenarios[0].token.p_up: expected a number in [0, 1], got 2 (extends chain: top -> "},
};

static void test_bad_configs(void **state)
{
    (void)state;
    size_t n = sizeof bad_cases / sizeof bad_cases[0];
    assert_true(n >= 85);
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        const bad_case *c = &bad_cases[i];
        write_file("bad.yaml", c->text, c->len ? c->len : strlen(c->text));
        if (c->other)
            write_file(c->other, c->other_text, strlen(c->other_text));
        alvh_config *cfg = NULL;
        alvh_error err;
        alvh_status st = load("bad.yaml", &cfg, &err);
        if (st != ALVH_E_CONFIG || !strstr(err.msg, c->expect)) {
            fprintf(stderr, "case '%s': status %d\n  got:  %s\n  want: ...%s\n", c->what, (int)st, err.msg, c->expect);
            failures++;
            alvh_config_free(cfg);
            continue;
        }
        assert_null(cfg);
        /* the message starts with the file it names */
        assert_non_null(strstr(err.msg, tmpdir));
    }
    assert_int_equal(failures, 0);
}

static void test_missing_file(void **state)
{
    (void)state;
    alvh_config *cfg = NULL;
    alvh_error err;
    assert_int_equal(load("no_such.yaml", &cfg, &err), ALVH_E_CONFIG);
    assert_non_null(strstr(err.msg, "no_such.yaml: cannot open: No such file"));
    assert_int_equal(load("", &cfg, &err), ALVH_E_CONFIG); /* the directory itself */
    assert_non_null(strstr(err.msg, "not a regular file"));
}

/* ---- good configurations -------------------------------------------------------------------- */

/* The book of cfg is alvh_book_defaults() (gov_cut aside: per scenario) with the default variants. */
static void assert_default_book(const alvh_config *cfg)
{
    alvh_book_params want = alvh_book_defaults(), got = cfg->book;
    assert_true(isnan(got.farm.gov_cut));
    got.farm.gov_cut = want.farm.gov_cut;
    assert_memory_equal(&got, &want, sizeof want);
    assert_int_equal(cfg->n_variants, 6);
    static const char *const names[] = {"core_unhedged", "farm_only", "farm_hedged", "condor_only", "condor_vix", "full"};
    static const char *const bases[] = {"core_unhedged", "farm_only", "farm_only", "condor_only", "condor_only",
                                        "core_unhedged"};
    static const unsigned masks[] = {0x5, 0x4, 0x7c, 0x1, 0x3, 0x7f};
    for (size_t v = 0; v < 6; v++) {
        assert_string_equal(cfg->variants[v].name, names[v]);
        assert_string_equal(cfg->variants[v].baseline, bases[v]);
        assert_int_equal(cfg->variants[v].layers, masks[v]);
    }
}

static void test_minimal_gets_every_default(void **state)
{
    (void)state;
    write_file("min.yaml", "scenarios:\n  - name: a\n", strlen("scenarios:\n  - name: a\n"));
    alvh_config *cfg;
    alvh_error err;
    assert_int_equal(load("min.yaml", &cfg, &err), ALVH_OK);
    assert_int_equal(cfg->n_scenarios, 1);
    const alvh_config_scenario *s = &cfg->scenarios[0];
    assert_string_equal(s->name, "a");
    /* every numeric default of every table is what the table says */
    const alvh_ctable *tabs[] = {&alvh_cfg_spx_table, &alvh_cfg_token_table, &alvh_cfg_funding_table};
    for (size_t t = 0; t < 3; t++)
        for (size_t i = 0; i < tabs[t]->n_keys; i++) {
            const alvh_ckey *k = &tabs[t]->keys[i];
            if (k->type != ALVH_CT_NUM)
                continue;
            double got;
            memcpy(&got, (const char *)s + k->offset, sizeof got);
            assert_true(got == k->def);
        }
    assert_true(s->market.spx.v0 == s->market.spx.theta); /* neither v0 nor vix0: theta */
    assert_true(isnan(s->vix0));
    assert_int_equal(s->market.spx.scheme, ALVH_SCHEME_QE);
    assert_int_equal(s->n_injections, 0);
    assert_int_equal(cfg->run.paths, 100000);
    assert_int_equal(cfg->run.steps_per_year, 252);
    assert_int_equal(cfg->n_steps, 252);
    assert_true(cfg->dt_years == 1.0 / 252.0);
    assert_false(cfg->run.store_paths);
    assert_default_book(cfg);
    alvh_config_free(cfg);
}

static void test_default_yaml(void **state)
{
    (void)state;
    alvh_config *cfg;
    alvh_error err = {0};
    assert_int_equal(alvh_config_load_file(ALVH_FIXTURE_DIR "/../../configs/default.yaml", &cfg, &err), ALVH_OK);
    assert_int_equal(cfg->n_scenarios, 1);
    const alvh_config_scenario *s = alvh_config_find_scenario(cfg, "calm");
    assert_non_null(s);
    assert_null(alvh_config_find_scenario(cfg, "nope"));
    /* the pricing set: two variance factors calibrated with alvh diagnose, and the
     * premia giving the real-world set (BCC 1997 SVJ jumps under P) */
    assert_true(s->market.spx.kappa == 1.1 && s->market.spx.theta == 0.026 && s->market.spx.xi == 0.5);
    assert_true(s->market.spx.kappa2 == 34 && s->market.spx.theta2 == 0.017 && s->market.spx.xi2 == 3.0);
    assert_true(s->market.spx.rho == -0.57 && s->market.spx.lambda_ann == 0.7);
    assert_true(s->market.spx.mu_j == -0.055 && s->market.spx.delta_j == 0.07);
    assert_true(s->market.paths_measure == ALVH_MEASURE_P && s->market.premia.lambda_v == -0.2 &&
                s->market.premia.lambda_v2 == -6);
    alvh_market_params pp;
    char pmsg[200];
    assert_int_equal(alvh_market_paths_params(&s->market, &pp, pmsg, sizeof pmsg), 0);
    assert_true(fabs(pp.spx.kappa - 1.3) < 1e-12 && fabs(pp.spx.kappa2 - 40.0) < 1e-12);
    assert_true(fabs(pp.spx.lambda_ann - 0.59) < 1e-12 && fabs(pp.spx.mu_j + 0.05) < 1e-12);
    /* the starting VIX: the slow factor at its mean and the fast one the rest;
     * 17.61 is below what the slow factor alone gives, so v2 = 0 and v0 < theta */
    assert_true(s->vix0 == 17.61 && s->v2_from_vix0);
    alvh_vix_coeffs vc;
    alvh_vix_coeffs_init(&vc, &s->market.spx);
    assert_true(s->market.spx.v0 < s->market.spx.theta && s->market.spx.v2_0 == 0.0);
    assert_true(fabs(alvh_vix_from_vars(&vc, s->market.spx.v0, s->market.spx.v2_0) - 17.61) < 1e-12);
    assert_true(s->market.token.rho_sg == 0.2 && s->market.funding.fbar_ann == 0.11);
    assert_int_equal(cfg->n_steps, 252);
    assert_int_equal(cfg->run.seed, 20240805);
    /* the book is written out with the documented defaults */
    assert_default_book(cfg);
    alvh_book_params b = alvh_config_book_for(cfg, s);
    assert_true(b.farm.gov_cut == 0.8); /* the scenario's token.gov_dn_emission_factor */
    alvh_config_free(cfg);
}

static const char base_yaml[] = "# base scenarios\n"
                                "scenarios:\n"
                                "  - name: calm\n"
                                "    description: calm base\n"
                                "    spx:\n"
                                "      vix0: 25\n"
                                "      kappa: 3\n"
                                "    injections:\n"
                                "      - {day: 1, hack: true}\n"
                                "  - name: stressed\n"
                                "    extends: calm\n"
                                "    spx: {lambda_ann: 3, mu_j: -0.1}\n"
                                "    token: {p_up: 0.1}\n";

static const char child_yaml[] = "run:\n"
                                 "  paths: 1e6\n"
                                 "  horizon_years: 0.5\n"
                                 "  steps_per_year: 504\n"
                                 "  seed: 18446744073709551615\n"
                                 "  store_paths: true\n"
                                 "  sample_paths: 0\n"
                                 "scenarios:\n"
                                 "  - name: crash\n"
                                 "    extends: lib/base.yaml#stressed\n"
                                 "    token:\n"
                                 "      sigma0_ann: 0.9\n"
                                 "    injections:\n"
                                 "      - {day: 5, spx_ret: -0.12, vix: 82, token_ret: -0.4, funding_ann: -0.8,\n"
                                 "         gov_shock: down, hack: true}\n"
                                 "      - day: 6\n"
                                 "        gov_shock: up\n"
                                 "  - name: direct_v0\n"
                                 "    extends: lib/base.yaml#calm\n"
                                 "    spx: {v0: 0.09}\n"
                                 "  - &plain\n"
                                 "    name: plain\n"
                                 "    token: &tok {p_up: 0.6, mu_up: 0.3}\n"
                                 "  - name: aliased\n"
                                 "    token: *tok\n"
                                 "book:\n"
                                 "  capital_usd: 2.5e7\n"
                                 "  condor: {short_delta: 0.1, skew: {skew_slope: -0.5}}\n"
                                 "  vix: {}\n"
                                 "  farm:\n"
                                 "    stake_frac: 0.4\n"
                                 "    restake: false\n"
                                 "  borrow: {redeploy: true, adl_hf: 0}\n"
                                 "  variants:\n"
                                 "    - name: farm\n"
                                 "      layers: [farm]\n"
                                 "    - {name: hedged.v2, layers: [borrow, farm, vix, perp, puts]}\n";

static void test_extends_and_overrides(void **state)
{
    (void)state;
    write_file("lib/base.yaml", base_yaml, strlen(base_yaml));
    write_file("child.yaml", child_yaml, strlen(child_yaml));
    alvh_config *cfg;
    alvh_error err;
    alvh_status st = load("child.yaml", &cfg, &err);
    if (st != ALVH_OK)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(st, ALVH_OK);
    assert_int_equal(cfg->run.paths, 1000000);
    assert_true(cfg->run.seed == UINT64_MAX);
    assert_int_equal(cfg->n_steps, 252);
    assert_true(cfg->dt_years == 1.0 / 504.0);
    assert_true(cfg->run.store_paths);
    assert_int_equal(cfg->n_scenarios, 4);

    const alvh_config_scenario *c = alvh_config_find_scenario(cfg, "crash");
    assert_non_null(c);
    assert_string_equal(c->description, "calm base");       /* inherited over two levels */
    assert_true(c->market.spx.kappa == 3.0);                /* calm */
    assert_true(c->market.spx.lambda_ann == 3.0);           /* stressed */
    assert_true(c->market.spx.mu_j == -0.1);                /* stressed */
    assert_true(c->market.token.p_up == 0.1);               /* stressed */
    assert_true(c->market.token.sigma0_ann == 0.9);         /* crash */
    assert_true(c->market.token.mu_up == 0.2);              /* default */
    assert_true(c->vix0 == 25.0);                           /* calm's vix0, v0 from crash's own jumps */
    alvh_vix_coeffs vc;
    alvh_vix_coeffs_init(&vc, &c->market.spx);
    assert_true(c->market.spx.v0 == alvh_vix_var_for_level(&vc, 25.0));
    assert_int_equal(c->n_injections, 2);                   /* replaces calm's list */
    const alvh_market_injection *i0 = &c->injections[0], *i1 = &c->injections[1];
    assert_int_equal(i0->step, 5);
    assert_true(i0->spx_ret == -0.12 && i0->vix_level == 82 && i0->token_ret == -0.4 && i0->funding_ann == -0.8);
    assert_int_equal(i0->gov_shock, -1);
    assert_int_equal(i0->hack, 1);
    assert_int_equal(i1->step, 6);
    assert_int_equal(i1->gov_shock, 1);
    assert_int_equal(i1->hack, 0);
    assert_true(isnan(i1->spx_ret) && isnan(i1->vix_level) && isnan(i1->token_ret) && isnan(i1->funding_ann));

    const alvh_config_scenario *d = alvh_config_find_scenario(cfg, "direct_v0");
    assert_true(d->market.spx.v0 == 0.09 && isnan(d->vix0)); /* own v0 replaces the inherited vix0 */
    assert_int_equal(d->n_injections, 1);                     /* inherited list */
    assert_int_equal(d->injections[0].step, 1);

    const alvh_config_scenario *a = alvh_config_find_scenario(cfg, "aliased");
    assert_true(a->market.token.p_up == 0.6 && a->market.token.mu_up == 0.3);

    /* the book: given keys, nested skew, defaults elsewhere, variants in file order */
    alvh_book_params want = alvh_book_defaults();
    want.capital_usd = 2.5e7;
    want.condor.short_delta = 0.1;
    want.condor.skew.skew_slope = -0.5;
    want.farm.stake_frac = 0.4;
    want.farm.restake = 0;
    want.borrow.redeploy = 1;
    want.borrow.adl_hf = 0;
    alvh_book_params got = alvh_config_book_for(cfg, c);
    assert_true(got.farm.gov_cut == c->gov_dn_emission_factor);
    want.farm.gov_cut = got.farm.gov_cut;
    assert_memory_equal(&got, &want, sizeof want);
    assert_int_equal(cfg->n_variants, 2);
    assert_string_equal(cfg->variants[0].name, "farm");
    assert_int_equal(cfg->variants[0].layers, 1u << ALVH_LAYER_FARM);
    assert_string_equal(cfg->variants[1].name, "hedged.v2");
    assert_int_equal(cfg->variants[1].layers, 1u << ALVH_LAYER_FARM | 1u << ALVH_LAYER_VIX | 1u << ALVH_LAYER_PERP |
                                                  1u << ALVH_LAYER_PUTS | 1u << ALVH_LAYER_BORROW);
    alvh_config_free(cfg);
}

/* Every schema field, the injections and the book of two configs are equal. */
static void assert_same_config(const alvh_config *x, const alvh_config *y)
{
    for (size_t i = 0; i < alvh_cfg_run_table.n_keys; i++) {
        const alvh_ckey *k = &alvh_cfg_run_table.keys[i];
        size_t size = k->type == ALVH_CT_NAME ? ALVH_CONFIG_NAME_MAX : k->type == ALVH_CT_BOOL ? sizeof(bool) : 8;
        assert_memory_equal((const char *)&x->run + k->offset, (const char *)&y->run + k->offset, size);
    }
    assert_int_equal(x->n_steps, y->n_steps);
    assert_true(x->dt_years == y->dt_years);
    assert_int_equal(x->n_scenarios, y->n_scenarios);
    for (size_t s = 0; s < x->n_scenarios; s++) {
        const alvh_config_scenario *a = &x->scenarios[s], *b = &y->scenarios[s];
        assert_string_equal(a->name, b->name);
        assert_string_equal(a->description, b->description);
        /* the model parameters, bit for bit (NaN included) */
        assert_memory_equal(&a->market.spx, &b->market.spx, offsetof(alvh_spx_params, scheme));
        assert_int_equal(a->market.spx.scheme, b->market.spx.scheme);
        assert_memory_equal(&a->market.token, &b->market.token, sizeof a->market.token);
        assert_memory_equal(&a->market.funding, &b->market.funding, sizeof a->market.funding);
        assert_memory_equal(&a->vix0, &b->vix0, sizeof a->vix0);
        assert_true(a->gov_dn_emission_factor == b->gov_dn_emission_factor);
        assert_int_equal(a->n_injections, b->n_injections);
        for (size_t j = 0; j < a->n_injections; j++) {
            const alvh_market_injection *p = &a->injections[j], *q = &b->injections[j];
            assert_int_equal(p->step, q->step);
            assert_memory_equal(&p->spx_ret, &q->spx_ret, 4 * sizeof(double));
            assert_int_equal(p->gov_shock, q->gov_shock);
            assert_int_equal(p->hack, q->hack);
        }
    }
    assert_memory_equal(&x->book, &y->book, sizeof x->book); /* gov_cut NaN in both */
    assert_int_equal(x->n_variants, y->n_variants);
    for (size_t v = 0; v < x->n_variants; v++) {
        assert_string_equal(x->variants[v].name, y->variants[v].name);
        assert_int_equal(x->variants[v].layers, y->variants[v].layers);
    }
}

static void check_round_trip(const char *path)
{
    alvh_config *a, *b;
    alvh_error err = {0};
    assert_int_equal(alvh_config_load_file(path, &a, &err), ALVH_OK);
    char *text = alvh_config_resolved_text(a);
    assert_non_null(text);
    write_file("resolved.yaml", text, strlen(text));
    alvh_status st = load("resolved.yaml", &b, &err);
    if (st != ALVH_OK)
        fprintf(stderr, "%s\n%s\n", err.msg, text);
    assert_int_equal(st, ALVH_OK);
    assert_same_config(a, b);
    /* and the text itself is a fixed point, except the source line */
    char *text2 = alvh_config_resolved_text(b);
    assert_non_null(text2);
    const char *body1 = strstr(text, "\nrun:"), *body2 = strstr(text2, "\nrun:");
    assert_non_null(body1);
    assert_non_null(body2);
    assert_string_equal(body1, body2);
    free(text);
    free(text2);
    alvh_config_free(a);
    alvh_config_free(b);
}

static void test_resolved_text_round_trip(void **state)
{
    (void)state;
    check_round_trip(ALVH_FIXTURE_DIR "/../../configs/default.yaml");
    write_file("lib/base.yaml", base_yaml, strlen(base_yaml));
    write_file("child.yaml", child_yaml, strlen(child_yaml));
    char path[256];
    snprintf(path, sizeof path, "%s/child.yaml", tmpdir);
    check_round_trip(path);
    /* awkward numbers and text survive: shortest round-trip doubles, escapes */
    static const char odd[] = "run: {name: x.y-z_1}\n"
                              "scenarios:\n"
                              "  - name: \"odd\"\n"
                              "    description: 'quote \" and back\\slash: # not a comment'\n"
                              "    spx: {s0: 1.1, r_ann: 0.30000000000000004, theta: 1e-300, xi: 2.5e-3}\n"
                              "    funding: {f0_ann: -0.0}\n"
                              "book: {capital_usd: 1234567.8901234567, condor: {skew: {skew_slope: -1e-9}},\n"
                              "       perp: {w_funding: 0.30000000000000004},\n"
                              "       variants: [{name: \"only-vix\", layers: [vix]}]}\n";
    write_file("odd.yaml", odd, strlen(odd));
    snprintf(path, sizeof path, "%s/odd.yaml", tmpdir);
    check_round_trip(path);
}

/* One parameter table row, pushed just outside its range on each side. */
static void check_row_refused(const alvh_ckey *k, const char *section, void *params, double *field,
                              int (*check)(const void *, char *, size_t))
{
    char msg[300], want[120];
    snprintf(want, sizeof want, "%s.%s: expected", section, k->key);
    double keep = *field;
    double below = (k->flags & ALVH_CK_MIN_OPEN) ? k->min : k->min - fabs(k->min) * 1e-9 - 1e-9;
    double above = (k->flags & ALVH_CK_MAX_OPEN) ? k->max : k->max + fabs(k->max) * 1e-9 + 1e-9;
    *field = below;
    assert_int_equal(check(params, msg, sizeof msg), -1);
    if (!strstr(msg, want))
        fprintf(stderr, "%s below its range: %s\n", want, msg);
    assert_non_null(strstr(msg, want));
    *field = above;
    assert_int_equal(check(params, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, want));
    *field = keep;
    assert_int_equal(check(params, msg, sizeof msg), 0);
}

static int book_check(const void *p, char *msg, size_t size) { return alvh_book_check_ranges(p, msg, size); }
static int market_check(const void *p, char *msg, size_t size) { return alvh_market_check_ranges(p, msg, size); }

/* The kernels' range checks and defaults come from the same table rows as
 * the schema: every numeric default lies in its range, and the kernel refuses
 * each parameter just outside it, naming it. */
static void test_kernel_checks_follow_tables(void **state)
{
    (void)state;
    alvh_book_params book = alvh_book_defaults();
    assert_int_equal(alvh_book_check_ranges(&book, NULL, 0), 0);
    size_t n_rows = 0;
    for (size_t s = 0; s < alvh_cfg_n_book_sections; s++) {
        const alvh_ctable *t = alvh_cfg_book_sections[s];
        for (size_t i = 0; i < t->n_keys; i++, n_rows++) {
            const alvh_ckey *k = &t->keys[i];
            if (k->type != ALVH_CT_NUM)
                continue;
            double *field = (double *)((char *)&book + k->offset);
            assert_true(*field == k->def);
            check_row_refused(k, t->name, &book, field, book_check);
        }
    }
    assert_int_equal(n_rows, 125);
    alvh_market_params mk = alvh_market_defaults();
    assert_true(isnan(mk.spx.v0)); /* not set: the configuration starts it at theta or from vix0 */
    mk.spx.v0 = mk.spx.theta;
    assert_int_equal(alvh_market_check_ranges(&mk, NULL, 0), 0);
    const size_t base = offsetof(alvh_config_scenario, market);
    for (size_t s = 0; s < alvh_cfg_n_scenario_sections; s++) {
        const alvh_ctable *t = alvh_cfg_scenario_sections[s];
        for (size_t i = 0; i < t->n_keys; i++) {
            const alvh_ckey *k = &t->keys[i];
            if (k->offset < base || k->offset >= base + sizeof mk || k->type == ALVH_CT_ENUM)
                continue; /* vix0, gov_dn_emission_factor: the configuration's own */
            double *field = (double *)((char *)&mk + (k->offset - base));
            if (k->type == ALVH_CT_NUM)
                assert_true(*field == k->def);
            check_row_refused(k, t->name, &mk, field, market_check);
        }
    }
    /* the default variants pass the kernel's layer check */
    alvh_book_consts c;
    alvh_config *cfg;
    alvh_error err = {0};
    assert_int_equal(alvh_config_load_text("t.yaml", "scenarios: [{name: a}]\n", 23, &cfg, &err), ALVH_OK);
    alvh_book_params b = alvh_config_book_for(cfg, &cfg->scenarios[0]);
    assert_int_equal(alvh_book_consts_init(&c, &b, &cfg->scenarios[0].market, cfg->dt_years, NULL, 0), 0);
    assert_int_equal(cfg->n_variants, alvh_cfg_n_default_variants);
    for (size_t v = 0; v < alvh_cfg_n_default_variants; v++)
        assert_int_equal(alvh_book_check_layers(&c, alvh_cfg_default_variants[v].layers, NULL, 0), 0);
    alvh_config_free(cfg);
}

/* The book is checked under the scenarios it runs with: a VIX call delta that
 * the default 4% rate makes unreachable is fine when every scenario has r = 0. */
static void test_book_checked_per_scenario(void **state)
{
    (void)state;
    static const char text[] = "scenarios:\n  - name: a\n    spx: {r_ann: 0}\n"
                               "book:\n  vix: {call_delta: 0.97, tenor_cal: 365}\n";
    alvh_config *cfg = NULL;
    alvh_error err = {0};
    alvh_status st = alvh_config_load_text("ok.yaml", text, strlen(text), &cfg, &err);
    if (st != ALVH_OK)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(st, ALVH_OK);
    assert_true(cfg->book.vix.call_delta == 0.97);
    alvh_config_free(cfg);
    /* one more scenario at the default rate: refused, naming that scenario */
    static const char text2[] = "scenarios:\n  - name: a\n    spx: {r_ann: 0}\n  - name: b\n"
                                "book:\n  vix: {call_delta: 0.97, tenor_cal: 365}\n";
    assert_int_equal(alvh_config_load_text("bad.yaml", text2, strlen(text2), &cfg, &err), ALVH_E_CONFIG);
    assert_non_null(strstr(err.msg, "bad.yaml:6:21: book.vix.call_delta: 0.97 is unreachable with rate 0.04 "
                                    "(under scenario 'b'"));
}

/* What a layer needs of the time grid and the market is checked only when a
 * variant holds the layer: a weekly run without the VIX hedge keeps its daily
 * roll, and a VIX call delta the rate makes unreachable, without being refused. */
static void test_layer_checks_follow_variants(void **state)
{
    (void)state;
    static const char text[] = "run: {steps_per_year: 52}\n"
                               "scenarios:\n  - name: a\n    spx: {r_ann: 0.5}\n"
                               "book:\n  vix: {call_delta: 0.7, tenor_cal: 365}\n"
                               "  variants:\n    - {name: farm, layers: [farm]}\n    - {name: h, layers: [condor, farm]}\n";
    alvh_config *cfg = NULL;
    alvh_error err = {0};
    alvh_status st = alvh_config_load_text("ok.yaml", text, strlen(text), &cfg, &err);
    if (st != ALVH_OK)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(st, ALVH_OK);
    assert_true(cfg->book.vix.roll_days == 5 && cfg->n_steps == 52);
    alvh_config_free(cfg);
    /* the same book with a VIX variant: refused, naming the variant */
    static const char text2[] = "scenarios:\n  - name: a\n    spx: {r_ann: 0.5}\n"
                                "book:\n  vix: {call_delta: 0.7, tenor_cal: 365}\n"
                                "  variants:\n    - {name: farm, layers: [farm]}\n    - {name: x, layers: [vix]}\n";
    assert_int_equal(alvh_config_load_text("bad.yaml", text2, strlen(text2), &cfg, &err), ALVH_E_CONFIG);
    fprintf(stderr, "# %s\n", err.msg);
    assert_non_null(strstr(err.msg, "bad.yaml:5:21: book.vix.call_delta: 0.7 is unreachable with rate 0.5 (under "
                                    "scenario 'a'"));
    assert_non_null(strstr(err.msg, "(variant 'x' holds the vix layer)"));
}

/* Every prefix of default.yaml, and the file with one byte changed at every
 * position, either loads or is refused with "name:line:col: ..." (never a crash,
 * never another status). */
static void check_loads_or_located(const char *text, size_t len)
{
    alvh_config *cfg = NULL;
    alvh_error err = {0};
    alvh_status st = alvh_config_load_text("mut.yaml", text, len, &cfg, &err);
    if (st == ALVH_OK) {
        alvh_config_free(cfg);
        return;
    }
    int line = 0, col = 0;
    if (st != ALVH_E_CONFIG || sscanf(err.msg, "mut.yaml:%d:%d: ", &line, &col) != 2 || line < 1 || col < 1) {
        fprintf(stderr, "status %d: %s\n--- input:\n%.*s\n", (int)st, err.msg, (int)len, text);
        fail();
    }
    assert_null(cfg);
}

static void test_mutations_never_crash(void **state)
{
    (void)state;
    static char text[1 << 14], mut[1 << 14];
    FILE *f = fopen(ALVH_FIXTURE_DIR "/../../configs/default.yaml", "rb");
    assert_non_null(f);
    size_t n = fread(text, 1, sizeof text, f);
    fclose(f);
    assert_true(n > 100 && n < sizeof text);
    for (size_t len = 0; len <= n; len += 3)
        check_loads_or_located(text, len);
    static const char subst[] = {'\0', ':', '-', '[', '{', '"', '#', '\t', 'x', '9', '&', '*', '\n', (char)0xff};
    for (size_t i = 0; i < n; i += 2) {
        memcpy(mut, text, n);
        mut[i] = subst[i % sizeof subst];
        check_loads_or_located(mut, n);
    }
}

/* ---- helpers and docs ----------------------------------------------------------------------- */

static void test_edit_distance(void **state)
{
    (void)state;
    assert_int_equal(alvh_edit_distance("kappa", "kappa"), 0);
    assert_int_equal(alvh_edit_distance("kapa", "kappa"), 1);
    assert_int_equal(alvh_edit_distance("p_pu", "p_up"), 1); /* swapped neighbours */
    assert_int_equal(alvh_edit_distance("sigma0_anual", "sigma0_ann"), 3);
    assert_int_equal(alvh_edit_distance("", "abc"), 3);
    assert_int_equal(alvh_edit_distance("THETA", "theta"), 0);
}

static void test_docs_match_schema(void **state)
{
    (void)state;
    char *md = alvh_config_schema_markdown();
    assert_non_null(md);
    FILE *f = fopen(ALVH_FIXTURE_DIR "/../../docs/config.md", "rb");
    assert_non_null(f);
    static char doc[1 << 18];
    size_t n = fread(doc, 1, sizeof doc - 1, f);
    fclose(f);
    doc[n] = '\0';
    int found = strstr(doc, md) != NULL;
    free(md);
    if (!found)
        fprintf(stderr, "docs/config.md is out of date: regenerate its tables with alvh_config_doc\n");
    assert_true(found);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/alvh_test_config_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* --set assignments (io/yaml_set.c): new keys and mappings are created,
 * existing values replaced (by a flow sequence too), a sequence item found by
 * name or index, and every value validated with the file's messages but the
 * assignment as its origin. */
static void test_set_assignments(void **state)
{
    (void)state;
    const char *text = "run:\n  paths: 500\nscenarios:\n  - name: a\n  - name: b\n    spx: {kappa: 3}\n";
    const char *sets[] = {"run.paths=1e3", "run.fan_quantiles=[0.2, 0.8]", "scenarios.b.spx.kappa=1.5",
                          "scenarios.0.token.sigma0_ann=0.9", "book.capital_usd=2e6", "run.horizon_steps=21"};
    alvh_config *cfg = NULL;
    alvh_error err = {0};
    assert_int_equal(alvh_config_load_set(NULL, "s.yaml", text, strlen(text), sets, 6, &cfg, &err), ALVH_OK);
    assert_int_equal(cfg->run.paths, 1000);
    assert_int_equal(cfg->run.fan_quantiles.n, 2);
    assert_true(cfg->run.fan_quantiles.p[1] == 0.8);
    assert_true(cfg->scenarios[1].market.spx.kappa == 1.5);
    assert_true(cfg->scenarios[0].market.token.sigma0_ann == 0.9);
    assert_true(cfg->book.capital_usd == 2e6);
    assert_int_equal(cfg->n_steps, 21);
    assert_true(fabs(cfg->run.horizon_years - 21.0 / 252.0) < 1e-15);
    alvh_config_free(cfg);

    struct { const char *set, *msg; } bad[] = {
        {"run.paths=0", "--set run.paths=0:1:1: run.paths: expected a whole number in [1, 10000000000], got 0"},
        {"scenarios.c.spx.kappa=1", "--set scenarios.c.spx.kappa=1: no item (index or name) in the sequence for 'c'"},
        {"scenarios.5.spx.kappa=1", "no item (index or name) in the sequence for '5'"},
        {"run.paths.x=1", "--set run.paths.x=1: a plain value has no key 'x'"},
        {"run.fan_quantiles=[0.3, 0.2]", "run.fan_quantiles[1]: expected a level above the previous one (0.3), got 0.2"},
        {"scenarios.a.spx.kapa=1", "scenarios[0].spx.kapa: unknown key; did you mean 'kappa'?"},
        {"run..paths=1", "empty step in the key path"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&err, 0, sizeof err);
        alvh_status st = alvh_config_load_set(NULL, "s.yaml", text, strlen(text), &bad[i].set, 1, &cfg, &err);
        if (st == ALVH_OK || !strstr(err.msg, bad[i].msg))
            fprintf(stderr, "--set %s: got '%s'\n", bad[i].set, err.msg);
        assert_int_not_equal(st, ALVH_OK);
        assert_non_null(strstr(err.msg, bad[i].msg));
        assert_null(cfg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_configs),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_minimal_gets_every_default),
        cmocka_unit_test(test_default_yaml),
        cmocka_unit_test(test_extends_and_overrides),
        cmocka_unit_test(test_resolved_text_round_trip),
        cmocka_unit_test(test_kernel_checks_follow_tables),
        cmocka_unit_test(test_book_checked_per_scenario),
        cmocka_unit_test(test_layer_checks_follow_variants),
        cmocka_unit_test(test_mutations_never_crash),
        cmocka_unit_test(test_edit_distance),
        cmocka_unit_test(test_docs_match_schema),
        cmocka_unit_test(test_set_assignments),
    };
    return cmocka_run_group_tests_name("config", tests, setup, teardown);
}
