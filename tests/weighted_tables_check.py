"""Under an importance-sampling tilt every exact-mode table is weighted by the
paths' likelihood ratios: `effectiveness`, `tail_effectiveness`, `attribution`
(Euler and incremental), `tail_composition` and the total-P&L histogram are
recomputed here with numpy from the stored per-path rows (pnl, metrics) and
compared with the file; the weighted Euler ES and VaR contributions sum to the
book's weighted ES and VaR, whose totals are the `summary` table's bit for bit.
The weighted tables of a tilted run also agree within 3 combined SE with a
plain run of 10x the paths (ES99 reduction, tail share of exploits), and a
tilt of 1 writes every table bit for bit as no tilt.

usage: weighted_tables_check.py ALVH_BINARY
"""
import math
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

CONFIG = """run: {paths: %(paths)d, horizon_years: 0.25, store_paths: true, seed: %(seed)d, block_size: 256}
scenarios:
  - name: s
    %(tilt)s
book:
  variants:
    - {name: core, layers: [condor, farm]}
    - {name: full, layers: [condor, vix, farm, perp, puts, calls, borrow], attribution: leave_one_out}
"""
TILT = "importance: {exploit: 10, spx_jump: 3}"
Z95 = 1.959963984540054
FAILS = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILS.append(what)


def strs(x):
    return [s.decode() if isinstance(s, bytes) else str(s) for s in x]


def table(ds):
    return dict(zip(strs(ds.attrs["rows"]), range(len(ds.attrs["rows"])))), strs(ds.attrs["columns"]), ds[()]


def close(a, b, rel=1e-9, atol=1e-9):
    return abs(a - b) <= rel * max(abs(a), abs(b)) + atol


def run(alvh, d, name, paths, seed, tilt):
    cfg = os.path.join(d, name + ".yaml")
    with open(cfg, "w") as f:
        f.write(CONFIG % {"paths": paths, "seed": seed, "tilt": tilt})
    out = os.path.join(d, name + ".h5")
    subprocess.run([alvh, "run", cfg, "-o", out, "--threads", "2", "--quiet"], check=True)
    return out


def walk(pnl, w, level):
    """engine/wstats.h: P&L ascending (ties by path), walk from the worst path while the weight
    passed stays <= (1 - a) n; returns the order, the stop rank k and the weight passed"""
    n = len(pnl)
    order = np.lexsort((np.arange(n), pnl))
    ws = w[order]
    target = (1 - level) * n
    c = np.cumsum(ws)
    k = min(int(np.searchsorted(c, target, side="right")), n - 1)
    return order, k, (c[k - 1] if k > 0 else 0.0), target


def wtail(pnl, w, level):
    order, k, _, _ = walk(pnl, w, level)
    var = -pnl[order[k]]
    ex = w * np.maximum(-pnl - var, 0.0) / (1 - level)
    return var, var + ex.mean(), ex


def wvar(x, w):
    mu = (w * x).sum() / w.sum()
    return mu, (w * (x - mu) ** 2).sum() / w.sum() * len(x) / (len(x) - 1)


def effectiveness(h, b, w, level):
    """alvh_hedge_eff_compute_w: weighted variances and ES with paired delta-method SEs"""
    n = len(h)
    mh, vh = wvar(h, w)
    mb, vb = wvar(b, w)
    r = vh / vb
    psi = w * ((h - mh) ** 2 - vh) / vb - w * r / vb * ((b - mb) ** 2 - vb)
    out = {"var_h": vh, "var_b": vb, "var_red": 1 - r, "var_red_se": psi.std(ddof=1) / math.sqrt(n)}
    vah, esh, exh = wtail(h, w, level)
    vab, esb, exb = wtail(b, w, level)
    r = esh / esb
    psi = exh / esb - r / esb * exb
    out.update({"es_h": esh, "es_b": esb, "es_red": 1 - r, "es_red_se": psi.std(ddof=1) / math.sqrt(n)})
    return out


def batch_rows(x, w, capital):
    mu = (w * x).sum() / w.sum()
    semi = math.sqrt((w * np.minimum(x - mu, 0.0) ** 2).sum() / w.sum())
    out = {"semideviation": semi, "var_99": wtail(x, w, 0.99)[0], "var_99.9": wtail(x, w, 0.999)[0]}
    for c in (5, 10, 20):
        out["p_loss_gt_%dpct" % c] = (w * (-x > c / 100 * capital)).mean()
    return out


def euler(loss_cols, pnl, w, level):
    """weighted Euler ES and VaR contributions of every column (docs/statistics.md, Attribution)"""
    n = len(pnl)
    order, k, wpassed, target = walk(pnl, w, level)
    rem = target - wpassed
    tail = order[:k]
    es = ((w[tail, None] * loss_cols[tail]).sum(axis=0) + rem * loss_cols[order[k]]) / target
    wn = math.ceil(math.sqrt(max(k, 1)))
    win = order[max(k - wn, 0):min(k + wn, n)]
    ww = w[win]
    m = (ww[:, None] * loss_cols[win]).sum(axis=0) / ww.sum()
    var_total = -pnl[order[k]]
    scale = var_total / m[-1]
    var = m * scale
    var[-1] = var_total
    ind = np.zeros(n)
    ind[tail] = w[tail]
    pr = 1 - level
    es_se = np.array([((loss_cols[:, j] * ind - m[j] * (ind - pr)) / pr).std(ddof=1) / math.sqrt(n)
                      for j in range(loss_cols.shape[1])])
    return es, var, es_se


def shares(ev, pnl, w, level):
    n = len(pnl)
    order, k, wpassed, target = walk(pnl, w, level)
    s = ((w[order[:k]] * ev[order[:k]]).sum() + (target - wpassed) * ev[order[k]]) / target
    wn = math.ceil(math.sqrt(max(k, 1)))
    win = order[max(k - wn, 0):min(k + wn, n)]
    sv = (w[win] * ev[win]).sum() / w[win].sum()
    ind = np.zeros(n)
    ind[order[:k]] = w[order[:k]]
    se = ((ev * ind - sv * (ind - (1 - level))) / (1 - level)).std(ddof=1) / math.sqrt(n)
    return s, max(s - Z95 * se, 0.0), min(s + Z95 * se, 1.0)


def check_file(path):
    with h5py.File(path, "r") as f:
        check(f["scenarios/s"].attrs["estimator"] == "importance_sampling", "tilted run says importance_sampling")
        vg = f["scenarios/s/variants"]
        g, gb = vg["full"], vg["core"]
        pnl_cols = g["pnl"][()]
        pnl, pb = pnl_cols[:, -1], gb["pnl"][()][:, -1]
        mcols = strs(g["metrics"].attrs["columns"])
        met = g["metrics"][()]
        w = met[:, mcols.index("likelihood_ratio")]
        n = len(w)
        check(np.std(w) > 0.1, "the tilt spreads the weights (sd of LR %.3f)" % np.std(w))
        srow, scols, s = table(g["summary"])
        tot = scols.index("total")

        # effectiveness (ES99, variance)
        erow, _, e = table(g["effectiveness"])
        ref = effectiveness(pnl, pb, w, 0.99)
        pairs = [("var_total", "var_h"), ("var_baseline", "var_b"), ("var_reduction", "var_red"),
                 ("var_reduction_se", "var_red_se"), ("es99_total", "es_h"), ("es99_baseline", "es_b"),
                 ("es99_reduction", "es_red"), ("es99_reduction_se", "es_red_se")]
        bad = [a for a, b in pairs if not close(e[erow[a], 0], ref[b])]
        check(not bad, "effectiveness == numpy weighted %s" % bad)
        check(e[erow["es99_total"], 0] == s[srow["es_99"], tot], "effectiveness es99_total is the summary's ES99")

        # tail effectiveness: ratios with paired SEs, batch rows with batch-means SEs
        trow, tcols, t = table(g["tail_effectiveness"])
        bad = []
        for lv, tag in ((0.99, "es_99"), (0.999, "es_99.9")):
            ref = effectiveness(pnl, pb, w, lv)
            for col, key in (("variant", "es_h"), ("baseline", "es_b"), ("reduction", "es_red"),
                             ("reduction_se", "es_red_se")):
                if not close(t[trow[tag], tcols.index(col)], ref[key]):
                    bad.append(tag + "/" + col)
        fh, fb = batch_rows(pnl, w, 1e7), batch_rows(pb, w, 1e7)
        nb, ln = 20, n // 20
        for key in fh:
            red = 1 - fh[key] / fb[key] if fb[key] > 0 else float("nan")
            got = t[trow[key]]
            if not (close(got[0], fh[key]) and close(got[1], fb[key]) and
                    (close(got[2], red) or (math.isnan(red) and math.isnan(got[2])))):
                bad.append(key)
            rb = []
            for q in range(nb):
                sl = slice(q * ln, (q + 1) * ln)
                bh, bbs = batch_rows(pnl[sl], w[sl], 1e7), batch_rows(pb[sl], w[sl], 1e7)
                rb.append(1 - bh[key] / bbs[key] if bbs[key] > 0 else float("nan"))
            se = np.std(rb, ddof=1) / math.sqrt(nb)
            if not (close(got[3], se) or (math.isnan(se) and math.isnan(got[3]))):
                bad.append(key + "/se")
        check(not bad, "tail_effectiveness == numpy weighted %s" % bad)

        # attribution: Euler ES and VaR per column, their sums, SEs; incremental ES
        arow, acols, a = table(g["attribution"])
        loss_cols = -pnl_cols
        bad = []
        for lv, tag in ((0.99, "99"), (0.999, "99.9")):
            es, var, es_se = euler(loss_cols, pnl, w, lv)
            got_es, got_var = a[arow["es_%s_euler" % tag]], a[arow["var_%s_euler" % tag]]
            if not np.allclose(got_es, es, rtol=1e-9, atol=1e-6):
                bad.append("es_%s_euler" % tag)
            if not np.allclose(got_var, var, rtol=1e-9, atol=1e-6):
                bad.append("var_%s_euler" % tag)
            if not np.allclose(a[arow["es_%s_euler_se" % tag]], es_se, rtol=1e-9, atol=1e-6):
                bad.append("es_%s_euler_se" % tag)
            check(abs(got_es[:-1].sum() - got_es[-1]) <= 1e-9 * abs(got_es[-1]),
                  "weighted Euler ES%s sums to the book's (%.6g vs %.6g)" % (tag, got_es[:-1].sum(), got_es[-1]))
            check(abs(got_var[:-1].sum() - got_var[-1]) <= 1e-9 * abs(got_var[-1]),
                  "weighted Euler VaR%s sums to the book's" % tag)
            check(got_es[-1] == s[srow["es_%s" % tag], tot] if tag == "99" else True,
                  "Euler ES%s total is the summary's weighted ES bit for bit" % tag)
            check(got_var[-1] == s[srow["var_%s" % tag], tot] if tag == "99" else True,
                  "Euler VaR%s total is the summary's weighted VaR bit for bit" % tag)
            for j, layer in enumerate(acols[:7]):
                other = vg["full-no-%s" % layer]["pnl"][()][:, -1]
                inc = wtail(pnl, w, lv)[1] - wtail(other, w, lv)[1]
                if not close(a[arow["es_%s_incremental" % tag], j], inc, atol=1e-6):
                    bad.append("es_%s_incremental/%s" % (tag, layer))
        check(not bad, "attribution == numpy weighted %s" % bad)

        # tail composition: weighted shares and intervals, all-path probabilities
        crow, ccols, c = table(g["tail_composition"])
        bad = []
        for ev, col in (("exploit", "n_exploits"), ("perp_liquidation", "n_liquidations_perp"),
                        ("condor_stop", "n_stop_outs"), ("gov_down_shock", "n_gov_down_shocks")):
            e_ = (met[:, mcols.index(col)] > 0).astype(float)
            for lv, tag in ((0.99, "worst_1pct"), (0.999, "worst_0.1pct")):
                ref = shares(e_, pnl, w, lv)
                got = [c[crow[ev], ccols.index(tag + sfx)] for sfx in ("", "_lo95", "_hi95")]
                if not all(close(x, y, 1e-9, 1e-12) for x, y in zip(got, ref)):
                    bad.append("%s/%s %s %s" % (ev, tag, got, ref))
            if not close(c[crow[ev], ccols.index("all_paths")], (w * e_).mean(), 1e-9, 1e-15):
                bad.append(ev + "/all_paths")
        check(not bad, "tail_composition == numpy weighted %s" % bad)

        # total-P&L histogram: weighted counts (sum of LR, LR^2 per bin) beside the path counts
        hg = g["histograms/total_pnl"]
        edges, counts = hg["edges"][()], hg["counts"][()]
        j = np.searchsorted(edges, pnl, side="right") - 1  # bin j: e_j <= x < e_{j+1}
        inb = (j >= 0) & (j < len(counts))
        want = np.bincount(j[inb], weights=w[inb], minlength=len(counts))
        want2 = np.bincount(j[inb], weights=w[inb] ** 2, minlength=len(counts))
        check(np.array_equal(np.bincount(j[inb], minlength=len(counts)), counts), "histogram counts == numpy")
        check(np.allclose(hg["weights"][()], want, rtol=1e-12, atol=0) and
              np.allclose(hg["weights_sq"][()], want2, rtol=1e-12, atol=0), "histogram weights == numpy")
        check(close(hg.attrs["underflow_weight"], w[j < 0].sum(), 1e-12, 0) and
              close(hg.attrs["overflow_weight"], w[j >= len(counts)].sum(), 1e-12, 0),
              "histogram underflow/overflow weights == numpy")

        # fan charts: at the last step the weighted quantiles of the market series lie within their
        # bounds of the weighted quantile of the per-path terminal values (LR in units of 2^-24)
        term = f["scenarios/s/market/terminal"]
        tcols = strs(term.attrs["columns"])
        qw = np.floor(w * 2.0 ** 24 + 0.5)
        bad = []
        for series in ("spx", "vix", "token"):
            fan = f["scenarios/s/market/fan_charts/" + series]
            bound = f["scenarios/s/market/fan_charts/%s_bound" % series][()][-1]
            x = term[()][:, tcols.index(series)]
            order = np.argsort(x, kind="stable")
            cw = np.cumsum(qw[order])
            for k, p in enumerate(fan.attrs["quantiles"]):
                r = (cw[-1] - 1) * p  # the virtual rank of the type-7 rule, in weight units
                near = x[order[min(np.searchsorted(cw, r, side="right"), len(x) - 1)]]
                if not abs(fan[()][-1, k] - near) <= bound[k] * (1 + 1e-9) + 1e-9:
                    bad.append("%s q%g: fan %.6g vs weighted %.6g (bound %.3g)" % (series, p, fan[()][-1, k], near,
                                                                                 bound[k]))
        check(not bad, "weighted market fan charts at the horizon within their bounds of numpy %s" % bad)
        unw = np.quantile(term[()][:, tcols.index("spx")], 0.01)
        check(abs(f["scenarios/s/market/fan_charts/spx"][()][-1, 0] - unw) > 0,
              "the weighted SPX fan differs from the sampled paths' quantile (%.2f vs %.2f)" %
              (f["scenarios/s/market/fan_charts/spx"][()][-1, 0], unw))
        return {"es_red": e[erow["es99_reduction"], 0], "es_red_se": e[erow["es99_reduction_se"], 0],
                "exploit_share": c[crow["exploit"], ccols.index("worst_1pct")],
                "exploit_share_se": (c[crow["exploit"], ccols.index("worst_1pct_hi95")] -
                                     c[crow["exploit"], ccols.index("worst_1pct_lo95")]) / (2 * Z95)}


def plain_figures(path):
    with h5py.File(path, "r") as f:
        g = f["scenarios/s/variants/full"]
        erow, _, e = table(g["effectiveness"])
        crow, ccols, c = table(g["tail_composition"])
        k = c[crow["exploit"], ccols.index("worst_1pct")]
        n = g["pnl"].shape[0]
        check("weights" not in g["histograms/total_pnl"], "a plain run's histogram has no weights")
        return {"es_red": e[erow["es99_reduction"], 0], "es_red_se": e[erow["es99_reduction_se"], 0],
                "exploit_share": k, "exploit_share_se": math.sqrt(max(k * (1 - k), 1e-12) / math.ceil(0.01 * n))}


def same_tables(p1, p2):
    """every dataset under the scenario (tables, histograms, fan charts, per-path rows), bit for bit"""
    diff = []
    with h5py.File(p1, "r") as a, h5py.File(p2, "r") as b:
        def cmp(name, ds):
            if not isinstance(ds, h5py.Dataset):
                return
            x, y = ds[()], b["scenarios/s/" + name][()]
            if x.dtype.kind == "f" and x.dtype.itemsize == 8:
                same = x.shape == y.shape and np.array_equal(x.view(np.uint64), y.view(np.uint64))
            else:
                same = np.array_equal(x, y)
            if not same:
                diff.append(name)
        a["scenarios/s"].visititems(cmp)
    return diff


def main():
    alvh = sys.argv[1]
    with tempfile.TemporaryDirectory() as d:
        tilted = run(alvh, d, "is", 4000, 5, TILT)
        fig_is = check_file(tilted)
        plain = run(alvh, d, "plain", 40000, 6, "")
        fig_pl = plain_figures(plain)
        for k in ("es_red", "exploit_share"):
            se = math.hypot(fig_is[k + "_se"], fig_pl[k + "_se"])
            z = (fig_is[k] - fig_pl[k]) / se if se > 0 else 0.0
            check(abs(z) <= 3, "%s IS %.4f vs plain 10x %.4f (%.2f combined SE)" % (k, fig_is[k], fig_pl[k], z))
        one = run(alvh, d, "one", 2000, 5, "importance: {exploit: 1, spx_jump: 1, gov: 1}")
        none = run(alvh, d, "none", 2000, 5, "")
        diff = same_tables(one, none)
        check(not diff, "tilt 1 writes every variant dataset bit for bit as no tilt %s" % diff)
    if FAILS:
        print("%d check(s) failed" % len(FAILS))
        sys.exit(1)
    print("weighted tables check: ok")


if __name__ == "__main__":
    main()
