#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Cross-check of alvh's statistics against numpy.

Usage: stats_numpy_check.py path/to/test_stats

`test_stats --json` prints a fixed seeded P&L sample (baseline b with crashes,
a hedged variant h, some NaN/Inf) with every estimate alvh computes for it;
this script recomputes each one with numpy from docs/statistics.md and checks:
quantiles and VaR bit for bit (np.quantile, default method 'linear'), sums and
moments within 1e-12 relative, standard errors within 1e-10 relative, counts
exactly, histogram edges/counts against np.linspace/np.histogram exactly and
histogram quantiles within their reported bound.
"""
import json
import math
import subprocess
import sys

import numpy as np

failures = []
worst = {"rel": 0.0, "name": ""}


def check(name, ok, detail=""):
    if not ok:
        failures.append(f"{name}: {detail}")


def close(name, got, want, rel):
    r = abs(got - want) / max(abs(want), 1e-300)
    if r > worst["rel"]:
        worst.update(rel=r, name=name)
    ok = got == want or abs(got - want) <= rel * max(abs(want), abs(got))
    check(name, ok, f"alvh {got!r} numpy {want!r} (rel {abs(got - want) / max(abs(want), 1e-300):.2e})")


def exact(name, got, want):
    check(name, got == want, f"alvh {got!r} numpy {want!r}")


def tail_count(n, a):
    k = math.ceil(n * (1.0 - a) * (1.0 - 1e-9))
    return min(max(k, 1), n)


def es_of(loss_sorted, a):
    n = len(loss_sorted)
    k = tail_count(n, a)
    return loss_sorted[n - k:].mean(), k


def main():
    out = subprocess.run([sys.argv[1], "--json"], check=True, capture_output=True, text=True).stdout
    d = json.loads(out)  # accepts NaN / Infinity tokens
    b = np.array(d["pnl_b"])
    h = np.array(d["pnl_h"])
    cap = d["capital"]
    x = b[np.isfinite(b)]
    n = len(x)

    # moments
    m = d["moments"]
    exact("n", m["n"], n)
    exact("n_nan", m["n_nan"], int(np.isnan(b).sum()))
    exact("n_inf", m["n_inf"], int(np.isinf(b).sum()))
    mean = x.mean()
    dev = x - mean
    m2 = np.mean(dev**2)
    want = [mean, x.std(ddof=1), x.std(ddof=1) / math.sqrt(n), np.mean(dev**3) / m2**1.5,
            np.mean(dev**4) / m2**2 - 3.0, x.min(), x.max()]
    for name, got, w in zip(["mean", "stdev", "mean_se", "skewness", "excess_kurtosis", "min", "max"],
                            m["values"], want):
        close(name, got, float(w), 1e-12)

    # type-7 quantiles: bit for bit
    probs = np.array(d["probs"])
    for p, got, w in zip(probs, d["quantiles"], np.quantile(x, probs)):
        exact(f"quantile {p}", got, float(w))

    # VaR / ES of the loss -P&L
    loss = np.sort(-x)
    for level, var, es, es_se, k in d["tail"]:
        exact(f"VaR {level}", var, float(np.quantile(-x, level)))
        w_es, w_k = es_of(loss, level)
        exact(f"ES tail count {level}", int(k), w_k)
        close(f"ES {level}", es, float(w_es), 1e-12)
        tail = loss[n - w_k:]
        v_tail = tail.var(ddof=1) if w_k > 1 else 0.0
        w_se = math.sqrt((v_tail + level * (w_es - var) ** 2) / (n * (1.0 - level)))
        close(f"ES SE {level}", es_se, w_se, 1e-10)

    # P(loss > x C), Wilson 95%
    z = 1.959963984540054
    for thr, succ, trials, p_hat, lo, hi in d["p_loss_above"]:
        k = int(np.sum(-x > thr * cap))
        exact(f"P(loss > {thr} C) count", int(succ), k)
        exact(f"P(loss > {thr} C) trials", int(trials), n)
        p = k / n
        den = 1 + z * z / n
        c = (p + z * z / (2 * n)) / den
        half = z / den * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        close(f"Wilson lo {thr}", lo, max(c - half, 0.0), 1e-12)
        close(f"Wilson hi {thr}", hi, min(c + half, 1.0), 1e-12)

    # histogram of b / 10 (computed in C the same way)
    hs = d["hist"]
    y = x / 10.0
    lo_, hi_, nb = hs["lo"], hs["hi"], hs["n_bins"]
    edges = np.linspace(lo_, hi_, nb + 1)
    check("hist edges", list(edges) == hs["edges"], "edges differ from np.linspace")
    inside = y[(y >= lo_) & (y < hi_)]  # numpy would also put y == hi in the last bin
    counts, _ = np.histogram(inside, bins=edges)
    check("hist counts", list(counts) == hs["counts"], "counts differ from np.histogram")
    exact("hist underflow", hs["underflow"], int(np.sum(y < lo_)))
    exact("hist overflow", hs["overflow"], int(np.sum(y >= hi_)))
    exact("hist n", hs["n"], n)
    exact("hist min", hs["min"], float(y.min()))
    exact("hist max", hs["max"], float(y.max()))
    for p, (q, bound), w in zip(probs, hs["quantiles"], np.quantile(y, probs)):
        check(f"hist quantile {p}", abs(q - w) <= bound * (1 + 1e-12) + 1e-12,
              f"estimate {q!r} exact {w!r} bound {bound!r}")

    # hedge effectiveness on paired finite paths
    e = d["eff"]
    ok = np.isfinite(h) & np.isfinite(b)
    hh, bb = h[ok], b[ok]
    mm = len(hh)
    exact("eff n", e["n"], mm)
    exact("eff excluded", e["n_excluded"], len(h) - mm)
    var_h, var_b, vr, vr_se, vr_se_u, level, es_h, es_b, er, er_se, er_se_u = e["values"]
    vh, vb = hh.var(ddof=1), bb.var(ddof=1)
    close("var_h", var_h, vh, 1e-12)
    close("var_b", var_b, vb, 1e-12)
    close("var reduction", vr, 1 - vh / vb, 1e-12)
    r = vh / vb
    u = ((hh - hh.mean()) ** 2 - vh) / vb
    w = r / vb * ((bb - bb.mean()) ** 2 - vb)
    close("var reduction SE", vr_se, math.sqrt((u - w).var(ddof=1) / mm), 1e-10)
    close("var reduction SE unpaired", vr_se_u, math.sqrt((u.var(ddof=1) + w.var(ddof=1)) / mm), 1e-10)
    lh, lb = -hh, -bb
    eh, _ = es_of(np.sort(lh), level)
    eb, _ = es_of(np.sort(lb), level)
    qh, qb = np.quantile(lh, level), np.quantile(lb, level)
    close("ES h", es_h, eh, 1e-12)
    close("ES b", es_b, eb, 1e-12)
    close("ES reduction", er, 1 - eh / eb, 1e-12)
    if_h = qh + np.maximum(lh - qh, 0) / (1 - level) - eh
    if_b = qb + np.maximum(lb - qb, 0) / (1 - level) - eb
    u = if_h / eb
    w = (eh / eb) / eb * if_b
    close("ES reduction SE", er_se, math.sqrt((u - w).var(ddof=1) / mm), 1e-10)
    close("ES reduction SE unpaired", er_se_u, math.sqrt((u.var(ddof=1) + w.var(ddof=1)) / mm), 1e-10)

    print(f"numpy {np.__version__}: {n} finite P&L values, {len(probs)} quantiles, {len(d['tail'])} VaR/ES levels, "
          f"{nb}-bin histogram, paired effectiveness on {mm} paths")
    if failures:
        for f in failures:
            print("FAIL", f)
        return 1
    print(f"all statistics agree with numpy; quantiles, VaR and counts bit for bit; "
          f"largest relative difference {worst['rel']:.2e} ({worst['name']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
