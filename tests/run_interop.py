#!/usr/bin/env python3
"""h5py interop of a real `alvh run` result file: runs a small config with
per-path tables stored, then checks the layout of docs/hdf5_layout.md (names,
shapes, dtypes, `columns` and `units` attributes, run attributes) and
recomputes the stored summaries with numpy from the per-path P&L: moments,
quantiles (numpy's default linear method), VaR/ES (docs/statistics.md),
P(loss > x capital), the histogram counts and the fan chart's last step.

Usage: run_interop.py ALVH_BINARY CONFIG
"""
import math
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

LAYERS = ["condor", "vix", "farm", "perp", "puts", "calls", "borrow"]
PROBS = [0.001, 0.005, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 0.995, 0.999]
LEVELS = [0.95, 0.99, 0.995]
CAPITAL = 10e6
failures = []
checks = [0]


def check(cond, what):
    checks[0] += 1
    if not cond:
        failures.append(what)
        print("FAIL", what)


def close(a, b, rel=1e-12, abs_=1e-9):
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= max(rel * max(abs(a), abs(b)), abs_)


def strs(x):
    return [s.decode() if isinstance(s, bytes) else str(s) for s in np.atleast_1d(x)]


def main():
    alvh, config = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "small.h5")
        subprocess.run([alvh, "run", config, "-o", out, "--quiet"], check=True)
        with h5py.File(out, "r") as f:
            verify(f)
    print("%d checks, %d failures" % (checks[0], len(failures)))
    return 1 if failures else 0


def verify(f):
    for key in ("seed", "config", "engine_version", "git_describe", "isa", "threads", "ranks"):
        check(any(k.startswith(key) for k in f.attrs), "root attribute %s" % key)
    scen = f["scenarios/calm"]
    term = scen["market/terminal"]
    check(term.shape == (3000, 5) and term.dtype == np.float64, "terminal shape/dtype %s" % (term.shape,))
    check(strs(term.attrs["columns"]) == ["spx", "vix", "token", "variance", "funding"], "terminal columns")
    check(len(strs(term.attrs["units"])) == 5, "terminal units")
    check(term.chunks is not None and term.compression == "gzip" and term.shuffle, "terminal chunked+deflate")
    sp = scen["market/sample_paths"]
    check(sp.shape == (4, 64, 5), "sample_paths shape %s" % (sp.shape,))
    check(np.array_equal(sp[:, -1, :], term[:4, :]), "sample paths end at the terminal values")
    for name, var in scen["variants"].items():
        pnl = var["pnl"][()]
        check(pnl.shape == (3000, 8), "%s pnl shape" % name)
        cols = strs(var["pnl"].attrs["columns"])
        check(cols == LAYERS + ["total"], "%s pnl columns %s" % (name, cols))
        check(np.allclose(pnl[:, :7].sum(axis=1), pnl[:, 7], rtol=1e-12, atol=1e-6), "%s layers sum to total" % name)
        summ = var["summary"]
        rows, scols = strs(summ.attrs["rows"]), strs(summ.attrs["columns"])
        check(scols == LAYERS + ["total"], "%s summary columns" % name)
        t = summ[()]
        get = lambda r, c: t[rows.index(r), scols.index(c)]
        x = pnl[:, 7]
        n = len(x)
        check(get("n", "total") == n, "%s n" % name)
        check(close(get("mean", "total"), x.mean(), 1e-12, 1e-6), "%s mean" % name)
        check(close(get("stdev", "total"), x.std(ddof=1), 1e-10), "%s stdev" % name)
        for p in PROBS:
            label = ("quantile_%.4f" % (100 * p)).rstrip("0").rstrip(".")
            check(close(get(label, "total"), np.quantile(x, p), 1e-12), "%s %s" % (name, label))
        loss = np.sort(-x)
        for a in LEVELS:
            lv = ("%.4f" % (100 * a)).rstrip("0").rstrip(".")
            k = math.ceil(n * (1 - a) * (1 - 1e-9))
            check(close(get("var_" + lv, "total"), np.quantile(-x, a), 1e-12), "%s VaR %s" % (name, lv))
            check(close(get("es_" + lv, "total"), loss[-k:].mean(), 1e-10), "%s ES %s" % (name, lv))
        for th in (5, 10, 20):
            check(close(get("p_loss_gt_%dpct" % th, "total"), np.mean(-x > th / 100 * CAPITAL), 1e-12),
                  "%s P(loss > %d%%)" % (name, th))
        h = var["histograms/total_pnl"]
        counts, edges = h["counts"][()], h["edges"][()]
        check(counts.sum() == n and len(edges) == len(counts) + 1, "%s histogram counts" % name)
        check(np.array_equal(np.histogram(x, bins=edges)[0], counts), "%s histogram equals numpy's" % name)
        fan = var["fan_charts/equity"]
        check(fan.shape == (64, 7), "%s fan shape" % name)
        bound = var["fan_charts/equity_bound"][()]
        eq_end = CAPITAL + x
        for j, q in enumerate(fan.attrs["quantiles"]):
            exact = np.quantile(eq_end, q)
            check(abs(fan[-1, j] - exact) <= bound[-1, j] + 1e-6, "%s fan q%.2f within its bound" % (name, q))


if __name__ == "__main__":
    sys.exit(main())
