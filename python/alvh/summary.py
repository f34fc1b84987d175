# SPDX-License-Identifier: BSD-3-Clause
"""The headline numbers of every scenario and variant, from the stored tables."""
import math

HEADLINE = [("mean", "summary", "mean", "total"), ("VaR99", "summary", "var_99", "total"),
            ("ES99", "summary", "es_99", "total"), ("P(L>10%)", "summary", "p_loss_gt_10pct", "total"),
            ("P(liq perp)", "risk", "p_liquidation_perp", "value"),
            ("P(liq borrow)", "risk", "p_liquidation_borrow", "value")]


def headline(result, scenario, variant):
    """{label: value} of HEADLINE for one variant (NaN where the row is absent)."""
    out = {}
    for label, table, row, col in HEADLINE:
        t = result.table(scenario, variant, table)
        try:
            out[label] = t.value(row, col)
        except (AttributeError, ValueError):
            out[label] = math.nan
    return out


def _fmt(label, x):
    if label.startswith("P("):
        return "%14.4f" % x
    return "%14.0f" % x


def print_summary(result, out):
    run = result.run
    out.write("%s: alvh %s, seed %s, isa %s, layout %d\n" % (result.path, run.get("engine_version", "?"),
                                                           run.get("seed", "?"), run.get("isa", "?"),
                                                           result.layout_version))
    for s in result.scenarios:
        a = result.scenario_attrs(s)
        extra = ""
        if "capital_usd" in a:
            extra = ": %d paths, %g years, capital %.0f USD, %s" % (
                int(a["paths"]), float(a["horizon_years"]), float(a["capital_usd"]),
                a["measure"] if isinstance(a["measure"], str) else a["measure"].decode())
        out.write("\nscenario %s%s (P&L in USD; loss = -P&L)\n" % (s, extra))
        out.write("  %-16s" % "variant" + "".join(
            "%14s" % l for l, *_ in HEADLINE) + "\n")
        for v in result.variants(s):
            h = headline(result, s, v)
            out.write("  %-16s" % v + "".join(_fmt(l, h[l]) for l, *_ in HEADLINE) + "\n")
