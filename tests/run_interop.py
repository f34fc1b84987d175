#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""h5py interop of a real `alvh run` result file: runs a small config with
per-path tables stored, then checks the layout of docs/hdf5_layout.md (names,
shapes, dtypes, `columns` and `units` attributes, run attributes) and
recomputes the stored summaries with numpy from the per-path P&L: moments,
quantiles (numpy's default linear method), VaR/ES (docs/statistics.md),
P(loss > x capital), the histogram counts and the fan chart's last step.

With a second config (HIST_CONFIG: the same run in histogram mode, run.summaries:
histogram) it also checks the histogram-mode file against the first run's per-path
values: the same table names, rows and columns; every quantile, VaR and ES within
its bound from the `*_bound` tables; moments to 1e-12; counts and probabilities
identical; no per-path datasets; the `summaries` attributes; `alvh summary` prints
it; `--summaries histogram` with store_paths: true is refused (exit 2); and,
when alvh has MPI ("mpi yes" in `alvh --version`) and mpirun exists, 2 ranks give
the same datasets as one process (tests/h5_compare.py).

Usage: run_interop.py ALVH_BINARY CONFIG [HIST_CONFIG]
"""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

LAYERS = ["condor", "vix", "farm", "perp", "puts", "calls", "borrow", "lp", "cover", "eth_puts"]
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
    hist_config = sys.argv[3] if len(sys.argv) > 3 else None
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "small.h5")
        subprocess.run([alvh, "run", config, "-o", out, "--quiet"], check=True)
        with h5py.File(out, "r") as f:
            verify(f)
            check(attr_str(f["scenarios/calm"], "summaries") == "exact", "exact run: summaries attribute")
        if hist_config:
            verify_histogram_run(alvh, config, hist_config, out, d)
    print("%d checks, %d failures" % (checks[0], len(failures)))
    return 1 if failures else 0


def attr_str(obj, name):
    v = obj.attrs.get(name)
    return v.decode() if isinstance(v, bytes) else v


def verify_histogram_run(alvh, config, hist_config, exact_out, d):
    hist_out = os.path.join(d, "hist.h5")
    subprocess.run([alvh, "run", hist_config, "-o", hist_out, "--quiet"], check=True)
    # refused: histogram summaries with store_paths: true (exit 2, nothing written)
    bad = os.path.join(d, "bad.h5")
    r = subprocess.run([alvh, "run", config, "--summaries", "histogram", "-o", bad, "--quiet"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check(r.returncode == 2 and b"store_paths" in r.stderr and not os.path.exists(bad),
          "--summaries histogram with store_paths: true refused (exit %d)" % r.returncode)
    # alvh summary prints it, as a table and as JSON
    r = subprocess.run([alvh, "summary", hist_out], stdout=subprocess.PIPE)
    check(r.returncode == 0 and b"summary_bound" in r.stdout and b"quantile_99" in r.stdout, "alvh summary (table)")
    r = subprocess.run([alvh, "summary", hist_out, "--format", "json"], stdout=subprocess.PIPE)
    check(r.returncode == 0 and json.loads(r.stdout.decode())["scenarios"][0]["name"] == "calm", "alvh summary json")
    with h5py.File(exact_out, "r") as fe, h5py.File(hist_out, "r") as fh:
        verify_histogram(fe, fh)
    # MPI: 2 ranks give the same datasets as one process
    ver = subprocess.run([alvh, "--version"], stdout=subprocess.PIPE).stdout.decode()
    if "mpi yes" in ver and shutil.which("mpirun"):
        mpi_out = os.path.join(d, "hist_mpi2.h5")
        r = subprocess.run(["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", "2", alvh, "run", hist_config,
                            "-o", mpi_out, "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        check(r.returncode == 0, "histogram mode under mpirun -np 2 (exit %d)" % r.returncode)
        cmp = os.path.join(os.path.dirname(os.path.abspath(__file__)), "h5_compare.py")
        r = subprocess.run([sys.executable, cmp, hist_out, mpi_out], stdout=subprocess.PIPE)
        check(r.returncode == 0, "histogram mode: 2 MPI ranks give the same datasets as one process: %s"
              % r.stdout.decode().strip())
    else:
        print("# MPI not built or mpirun missing: histogram-mode MPI check skipped")


def verify_histogram(fe, fh):
    scen = fh["scenarios/calm"]
    check(attr_str(scen, "summaries") == "histogram", "histogram run: summaries attribute on the scenario")
    check("terminal" not in scen["market"], "histogram run: no per-path terminal table")
    check("sample_paths" in scen["market"], "histogram run: sample paths kept")
    check(np.array_equal(scen["market/sample_paths"][()], fe["scenarios/calm/market/sample_paths"][()]),
          "histogram run: the same paths as the exact run")
    worst = 0.0
    for name, var in scen["variants"].items():
        ve = fe["scenarios/calm/variants/" + name]
        check("pnl" not in var and "metrics" not in var, "%s: no per-path tables" % name)
        pnl = ve["pnl"][()]
        for table in ("summary", "risk", "effectiveness"):
            if table not in ve:
                check(table not in var, "%s: no %s on the baseline" % (name, table))
                continue
            te, th, tb = ve[table], var[table], var[table + "_bound"]
            check(attr_str(th, "summaries") == "histogram" and attr_str(te, "summaries") == "exact",
                  "%s %s: summaries attributes" % (name, table))
            rows, cols = strs(th.attrs["rows"]), strs(th.attrs["columns"])
            check(rows == strs(te.attrs["rows"]) and cols == strs(te.attrs["columns"]),
                  "%s %s: same rows and columns as exact mode" % (name, table))
            check(strs(th.attrs["units"]) == strs(te.attrs["units"]), "%s %s: same units" % (name, table))
            brows = strs(tb.attrs["rows"])
            check(brows[:len(rows)] == rows, "%s %s_bound rows" % (name, table))
            e, h, b = te[()], th[()], tb[()]
            for i, r in enumerate(rows):
                for c in range(len(cols)):
                    x, y, bd = e[i, c], h[i, c], b[i, c]
                    if r.endswith("_se") or r.endswith("_unpaired"):
                        continue  # estimates (docs/statistics.md); NaN for the paired ES SE
                    if r.startswith(("quantile_", "var_9", "es_", "es99_total", "es99_baseline")) or "_q" in r:
                        if math.isinf(x):
                            check(x == y, "%s %s %s[%d] infinite" % (name, table, r, c))
                            continue
                        ok = abs(x - y) <= bd * (1 + 1e-12) + 1e-9 * abs(x)
                        check(ok, "%s %s %s[%s]: exact %r, histogram %r, bound %r" % (name, table, r, cols[c], x, y, bd))
                        if bd > 0:
                            worst = max(worst, abs(x - y) / bd)
                    elif r in ("mean", "stdev", "mean_se", "max_drawdown_mean", "var_total", "var_baseline",
                               "var_reduction", "skewness", "excess_kurtosis", "bad_debt_mean",
                               "excess_over_cash_mean", "perp_margin_peak_mean"):
                        check(close(x, y, 1e-10 if "kurt" in r or "skew" in r else 1e-12, 1e-9),
                              "%s %s %s[%s]: %r vs %r" % (name, table, r, cols[c], x, y))
                    elif r == "es99_reduction":
                        check(abs(x - y) <= bd * (1 + 1e-12) + 1e-12, "%s es99_reduction within bound" % name)
                    else:
                        check(x == y or (math.isnan(x) and math.isnan(y)),
                              "%s %s %s[%s] identical: %r vs %r" % (name, table, r, cols[c], x, y))
        # the resolution: 1e-4 of capital for P&L columns
        sb = var["summary_bound"]
        brows = strs(sb.attrs["rows"])
        check(abs(sb[()][brows.index("bin_width"), 8] - 1e-4 * CAPITAL) < 1e-6, "%s P&L bin width" % name)
        # the stored total P&L histogram: exact counts over its edges
        hg = var["histograms/total_pnl"]
        counts, edges = hg["counts"][()], hg["edges"][()]
        x = pnl[:, -1]
        under, over = int(hg.attrs["underflow"]), int(hg.attrs["overflow"])
        check(counts.sum() + under + over == len(pnl) and np.all(np.diff(edges) > 0),
              "%s histogram: every path in a bin, below or above" % name)
        check(under == np.sum(x < edges[0]) and over == np.sum(x >= edges[-1]), "%s underflow, overflow" % name)
        inside = (x >= edges[0]) & (x < edges[-1])
        check(np.array_equal(np.histogram(x[inside], bins=edges)[0], counts), "%s histogram counts exact" % name)
        check(np.array_equal(var["fan_charts/equity"][()], ve["fan_charts/equity"][()]), "%s fan chart" % name)
    print("# histogram mode vs per-path values: worst estimate error %.2f of its bound" % worst)


def verify(f):
    for key in ("seed", "config", "engine_version", "git_describe", "isa", "threads", "ranks"):
        check(any(k.startswith(key) for k in f.attrs), "root attribute %s" % key)
    scen = f["scenarios/calm"]
    term = scen["market/terminal"]
    check(term.shape == (3000, 6) and term.dtype == np.float64, "terminal shape/dtype %s" % (term.shape,))
    check(strs(term.attrs["columns"]) == ["spx", "vix", "token", "variance", "funding", "spx_integrated_var"],
          "terminal columns")
    check(len(strs(term.attrs["units"])) == 6, "terminal units")
    # random doubles do not halve under deflate: chunked with the checksum alone (io/h5_trial.h)
    check(term.chunks is not None and term.fletcher32 and term.compression is None, "terminal chunked+checksum")
    sp = scen["market/sample_paths"]
    check(sp.shape == (4, 64, 6), "sample_paths shape %s" % (sp.shape,))
    check(np.array_equal(sp[:, -1, :], term[:4, :]), "sample paths end at the terminal values")
    for name, var in scen["variants"].items():
        pnl = var["pnl"][()]
        check(pnl.shape == (3000, len(LAYERS) + 2), "%s pnl shape" % name)
        cols = strs(var["pnl"].attrs["columns"])
        check(cols == LAYERS + ["cash", "total"], "%s pnl columns %s" % (name, cols))
        check(np.allclose(pnl[:, :-1].sum(axis=1), pnl[:, -1], rtol=1e-12, atol=1e-6), "%s layers and cash sum to total" % name)
        summ = var["summary"]
        rows, scols = strs(summ.attrs["rows"]), strs(summ.attrs["columns"])
        check(scols == LAYERS + ["cash", "total"], "%s summary columns" % name)
        t = summ[()]
        get = lambda r, c: t[rows.index(r), scols.index(c)]
        x = pnl[:, -1]
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
        # over the body of the distribution (docs/hdf5_layout.md): paths outside are underflow / overflow
        under, over = int(h.attrs["underflow"]), int(h.attrs["overflow"])
        check(counts.sum() + under + over == n and len(edges) == len(counts) + 1, "%s histogram counts" % name)
        check(under == np.sum(x < edges[0]) and over == np.sum(x >= edges[-1]), "%s underflow, overflow" % name)
        inside = (x >= edges[0]) & (x < edges[-1])
        check(np.array_equal(np.histogram(x[inside], bins=edges)[0], counts), "%s histogram equals numpy's" % name)
        fan = var["fan_charts/equity"]
        check(fan.shape == (64, 7), "%s fan shape" % name)
        bound = var["fan_charts/equity_bound"][()]
        eq_end = CAPITAL + x
        for j, q in enumerate(fan.attrs["quantiles"]):
            exact = np.quantile(eq_end, q)
            check(abs(fan[-1, j] - exact) <= bound[-1, j] + 1e-6, "%s fan q%.2f within its bound" % (name, q))


if __name__ == "__main__":
    sys.exit(main())
