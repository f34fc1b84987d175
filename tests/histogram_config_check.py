#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The stored total P&L histogram and the fan charts as configured: by default
the range comes from the data's quantiles (the 1-99 % body gets most bins) and
the stored counts, underflow and overflow are exact against the per-path
values; run.histogram_bins / histogram_lo_capital / histogram_hi_capital and
run.fan_quantiles change them; bad values are refused. Usage: histogram_config_check.py ALVH"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL", what)


def run(alvh, out, *extra):
    subprocess.run([alvh, "run", "--paths", "2000", "--store-paths", "--set", "run.horizon_steps=60", "--quiet",
                    "-o", out] + list(extra), check=True)


def main():
    alvh = sys.argv[1]
    with tempfile.TemporaryDirectory() as d:
        a = os.path.join(d, "a.h5")
        run(alvh, a)
        with h5py.File(a, "r") as f:
            for name, v in f["scenarios/calm/variants"].items():
                h = v["histograms/total_pnl"]
                e, c = h["edges"][()], h["counts"][()]
                cols = list(v["pnl"].attrs["columns"])
                x = v["pnl"][:, cols.index("total")]
                rows = list(v["summary"].attrs["rows"])
                q1, q99 = (v["summary"][rows.index(r), cols.index("total")] for r in ("quantile_1", "quantile_99"))
                under, over = int(h.attrs["underflow"]), int(h.attrs["overflow"])
                check(len(c) == 200, "%s: 200 bins by default" % name)
                check(under == np.sum(x < e[0]) and over == np.sum(x >= e[-1]), "%s: underflow/overflow" % name)
                inside = (x >= e[0]) & (x < e[-1])
                check(np.array_equal(np.histogram(x[inside], bins=e)[0], c), "%s: counts equal numpy's" % name)
                check(c.sum() + under + over + int(h.attrs["n_nonfinite"]) == len(x), "%s: every path counted" % name)
                if q99 > q1:
                    body = np.sum((e[:-1] >= q1) & (e[1:] <= q99))
                    check(body >= 0.6 * len(c), "%s: the 1-99%% body gets %d of %d bins" % (name, body, len(c)))
        b = os.path.join(d, "b.h5")
        run(alvh, b, "--set", "run.histogram_bins=40", "--set", "run.histogram_lo_capital=-0.1", "--set",
            "run.histogram_hi_capital=0.1", "--set", "run.fan_quantiles=[0.1, 0.5, 0.9]")
        with h5py.File(b, "r") as f:
            cap = f["scenarios/calm"].attrs["capital_usd"]
            v = f["scenarios/calm/variants/full"]
            e = v["histograms/total_pnl/edges"][()]
            check(len(e) == 41 and np.isclose(e[0], -0.1 * cap) and np.isclose(e[-1], 0.1 * cap), "fixed range, 40 bins")
            fan = v["fan_charts/equity"]
            check(fan.shape == (61, 3) and list(fan.attrs["quantiles"]) == [0.1, 0.5, 0.9], "fan quantiles")
            check(list(f["scenarios/calm/market/fan_charts/quantile"][()]) == [0.1, 0.5, 0.9], "quantile scale")
        # histogram summaries: the same body rule on whole fine bins, counts exact against exact mode's paths
        hm = os.path.join(d, "h.h5")
        subprocess.run([alvh, "run", "--paths", "2000", "--summaries", "histogram", "--set", "run.horizon_steps=60",
                        "--quiet", "-o", hm], check=True)
        with h5py.File(a, "r") as fa, h5py.File(hm, "r") as fh:
            for name, v in fh["scenarios/calm/variants"].items():
                h = v["histograms/total_pnl"]
                e, c = h["edges"][()], h["counts"][()]
                pa = fa["scenarios/calm/variants"][name]["pnl"]
                x = pa[:, list(pa.attrs["columns"]).index("total")]
                under, over = int(h.attrs["underflow"]), int(h.attrs["overflow"])
                inside = (x >= e[0]) & (x < e[-1])
                check(under == np.sum(x < e[0]) and over == np.sum(x >= e[-1]) and
                      np.array_equal(np.histogram(x[inside], bins=e)[0], c), "%s: histogram mode counts" % name)
                rows = list(v["summary"].attrs["rows"])
                tcol = list(v["summary"].attrs["columns"]).index("total")
                q1, q99 = (v["summary"][rows.index(r), tcol] for r in ("quantile_1", "quantile_99"))
                if q99 > q1:
                    body = np.sum((e[:-1] >= q1) & (e[1:] <= q99))
                    check(body >= 0.6 * len(c), "%s: histogram mode body gets %d of %d bins" % (name, body, len(c)))
        for bad in (["--set", "run.fan_quantiles=[0.5, 0.2]"], ["--set", "run.histogram_lo_capital=-1"],
                    ["--set", "run.histogram_bins=5"],
                    ["--set", "run.histogram_lo_capital=-1", "--set", "run.histogram_hi_capital=1",
                     "--summaries", "histogram"]):
            r = subprocess.run([alvh, "run", "-o", os.path.join(d, "x.h5")] + bad, capture_output=True, text=True)
            check(r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, "refused: %s (%r)" % (bad, r.stderr))
    print("histogram_config_check: %d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
