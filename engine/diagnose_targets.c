/* SPDX-License-Identifier: BSD-3-Clause */
/* Targets of alvh diagnose, per scenario, with their sources (the facts of docs/sources.md,
 * figures copied into docs/market_model.md, "Calibration targets"). The
 * tolerance band [lo, hi] is what the calibration promises; it is wider than
 * the historical range where the model cannot do better (docs say why). */
#include "engine/diagnose.h"

#include <string.h>

/* facts of the calm market: unconditional, one year without injections */
static const alvh_diag_target calm_targets[] = {
    {ALVH_FACT_VIX_MEDIAN, 17.61, 15.5, 19.5, "VIX 1990-2026 median 17.61"},
    {ALVH_FACT_VIX_P05, 11.43, 9.5, 13.5, "VIX 1990-2026 5th percentile 11.43"},
    {ALVH_FACT_VIX_P95, 32.94, 27.0, 39.0, "VIX 1990-2026 95th percentile 32.94"},
    {ALVH_FACT_RATIO_CALM, 0.885, 0.84, 0.96, "median VIX/VIX3M 0.885 (VIX < VIX3M on 92.4% of days)"},
    {ALVH_FACT_SPX_VOL, 0.16, 0.15, 0.19, "realized ~16%/yr below implied ~19%/yr (Eraker 2009): real-world paths, VIX under Q"},
    {ALVH_FACT_TOKEN_VOL, 1.20, 1.05, 1.40, "AAVE 140%, COMP 133%, MKR 126%/yr (Oct 2020-Feb 2022), later 80-110%"},
    {ALVH_FACT_TOKEN_KURT, 8.0, 3.0, 30.0, "assumption: no figure in the facts; worst days of 4-7 daily sds need fat tails"},
    {ALVH_FACT_TOKEN_WORST, -0.35, -0.57, -0.20, "worst day Oct 2020-Feb 2022: MKR -28%, COMP -33%, AAVE -41%, SUSHI -48%, CRV -57%"},
    {ALVH_FACT_CORR_TOKEN_ETH, 0.71, 0.62, 0.80, "token-ETH correlation: AAVE 0.71, COMP 0.71, MKR 0.72"},
    {ALVH_FACT_CORR_ETH_SPX, 0.35, 0.15, 0.55, "ETH-SPY correlation by year 2020-2025: 0.47 0.25 0.55 0.15 0.41 0.43"},
    {ALVH_FACT_TOKEN_M90, 0.088, 0.03, 0.15, "no figure: a lognormal token at 120% vol and drift r loses 90% in a year with p = 8.8%"},
};

/* Yen-carry unwind, 5 Aug 2024: one spike day from an elevated start */
static const alvh_diag_target yen_targets[] = {
    {ALVH_FACT_RATIO_SPIKE, 1.27, 1.15, 1.45, "VIX/VIX3M on each spike day 1.22-1.33"},
    {ALVH_FACT_VIX_AFTER_6, 19.0, 14.0, 30.0, "VIX < 20 six days later"},
    {ALVH_FACT_CORR_TOKEN_ETH, 0.71, 0.60, 0.80, "token-ETH correlation 0.71-0.72 (AAVE, COMP, MKR)"},
};

/* August 2015: two spike days, VIX < 20 again after 29 trading days */
static const alvh_diag_target aug2015_targets[] = {
    {ALVH_FACT_RATIO_SPIKE, 1.27, 1.15, 1.45, "VIX/VIX3M on each spike day 1.22-1.33"},
    {ALVH_FACT_DAYS_TO_20, 29.0, 8.0, 45.0, "VIX < 20 again after 29 trading days"},
    {ALVH_FACT_CORR_TOKEN_ETH, 0.71, 0.60, 0.80, "token-ETH correlation 0.71-0.72 (AAVE, COMP, MKR)"},
};

static const struct {
    const char *name;
    const alvh_diag_target *t;
    size_t n;
} tables[] = {
    {"yen_carry_aug_2024", yen_targets, sizeof yen_targets / sizeof yen_targets[0]},
    {"aug_2015", aug2015_targets, sizeof aug2015_targets / sizeof aug2015_targets[0]},
};

size_t alvh_diag_targets(const char *scenario, int has_injections, const alvh_diag_target **t)
{
    for (size_t k = 0; k < sizeof tables / sizeof tables[0]; k++)
        if (strcmp(scenario, tables[k].name) == 0) {
            *t = tables[k].t;
            return tables[k].n;
        }
    *t = calm_targets;
    return has_injections ? 0 : sizeof calm_targets / sizeof calm_targets[0];
}
