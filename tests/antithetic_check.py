#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Antithetic paths (run.antithetic, engine/antithetic.h; docs/statistics.md,
"Antithetic paths"):

- with the option off (absent or false) the datasets are those of a plain run,
  bit for bit; with it on, every even path (the first of each pair) is the
  plain run's path of the same index, bit for bit (its streams are untouched),
  and the odd paths differ, their terminal log-SPX strongly anti-correlated
  with their partner's (the normals are negated); the pair shares its events
  (counts, exploits) and, under a tilt, its likelihood ratio;
- results are bit-identical across threads, block sizes, a kill -9 and
  resume, and MPI ranks (when built with MPI);
- the tables' pair-aware SEs equal a numpy recomputation from the stored
  per-path rows (mean, ES99 and P(loss > 10% C) of the summary, the antithetic
  table, the control-variate table from pair means, the tail composition's
  interval and the attribution's ES SE, whose influence values are in rank
  order and summed per pair);
- the antithetic means lie within 3 combined SE of a plain run with 10x the
  paths (another seed);
- the pair-aware SE is right: over independent replications (seeds) the spread
  of the mean matches the mean reported SE, where the independent-paths SE is
  too large (a market without jumps, where the pairing removes most of the
  farm's variance); the same for ES99's pair-aware SE;
- odd paths, an odd block size or histogram summaries are refused (exit 2).

usage: antithetic_check.py ALVH_BINARY
"""
import math
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

from run_checks import kill_then_resume, same_datasets

FAILS = []
Z95 = 1.959963984540054


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILS.append(what)


def strs(x):
    return [s.decode() if isinstance(s, bytes) else str(s) for s in x]


def run(alvh, out, sets, threads=2, expect=0):
    args = [alvh, "run", "-o", out, "--quiet", "--threads", str(threads)]
    for s in sets:
        args += ["--set", s]
    res = subprocess.run(args, capture_output=True, text=True)
    if res.returncode != expect:
        print(res.stderr)
    return res


def table(f, var, name, col=0):
    ds = f["scenarios/calm/variants/%s/%s" % (var, name)]
    return dict(zip(strs(ds.attrs["rows"]), ds[()][:, col]))


def cell(f, var, name, row, col):
    ds = f["scenarios/calm/variants/%s/%s" % (var, name)]
    return ds[()][strs(ds.attrs["rows"]).index(row), strs(ds.attrs["columns"]).index(col)]


def column(f, path, name):
    ds = f[path]
    return ds[()][:, strs(ds.attrs["columns"]).index(name)]


def pair_se(psi):
    q = 0.5 * (psi[0::2] + psi[1::2])
    return q.std(ddof=1) / math.sqrt(len(q))


def es_var(pnl, a):
    """the plain estimators of docs/statistics.md: type-7 VaR of the loss, ES over the k worst"""
    loss = np.sort(-pnl)
    n = len(loss)
    k = min(max(math.ceil(n * (1 - a) * (1 - 1e-9)), 1), n)
    return np.quantile(-pnl, a), loss[n - k:].mean()


def cluster_se(psi, path):
    """SE of mean(psi) with the pairs (path // 2) as samples, psi in any order"""
    g = np.zeros(path.max() // 2 + 1)
    seen = np.zeros(len(g), bool)
    np.add.at(g, path // 2, psi - psi.mean())
    seen[path // 2] = True
    G = seen.sum()
    return math.sqrt((g[seen] ** 2).sum() * G / (G - 1)) / len(psi)


def tail_comp_pairs(y, e, a):
    """tail composition's share and interval with pairs (engine/tail_comp.c, pair_share)"""
    m = len(y)
    order = np.lexsort((np.arange(m), -y))  # ascending loss, ties by path index
    k = min(max(math.ceil(m * (1 - a) * (1 - 1e-9)), 1), m)
    v, wn = m - k, math.ceil(math.sqrt(k))
    lo, hi = max(v - wn, 0), min(v + wn, m)
    er = e[order]
    share, sv, p = er[v:].mean(), er[lo:hi].mean(), k / m
    inn = (np.arange(m) >= v).astype(float)
    se = cluster_se((er * inn - sv * (inn - p)) / p, order)
    return share, max(share - Z95 * se, 0.0), min(share + Z95 * se, 1.0)


def es_euler_total_se(y, a):
    """attribution's ES99 SE of the total column with pairs (engine/attribution.c, euler_level)"""
    m = len(y)
    order = np.lexsort((np.arange(m), -y))
    loss = -y[order]
    k = min(max(math.ceil(m * (1 - a) * (1 - 1e-9)), 1), m)
    wn = math.ceil(math.sqrt(k))
    lo, hi = max(m - k - wn, 0), min(m - k + wn, m)
    mj, cj, p = loss[lo:hi].mean(), loss[m - k:].mean(), k / m
    inn = (np.arange(m) >= m - k).astype(float)
    return cluster_se((loss * inn - mj * (inn - p)) / p - cj, order)


def close(a, b, tol=1e-9):
    return abs(a - b) <= tol * (1 + abs(b))


def main():
    alvh = sys.argv[1]
    base = ["run.horizon_years=0.25", "run.sample_paths=0"]
    anti = ["run.antithetic=true"]
    with tempfile.TemporaryDirectory() as d:
        p = lambda n: os.path.join(d, n)
        # --- off is plain; on keeps the even paths -------------------------------------------------
        run(alvh, p("plain.h5"), base + ["run.paths=4000", "run.store_paths=true"])
        run(alvh, p("off.h5"), base + ["run.paths=4000", "run.store_paths=true", "run.antithetic=false"])
        run(alvh, p("anti.h5"), base + anti + ["run.paths=4000", "run.store_paths=true"])
        run(alvh, p("anti1.h5"), base + anti + ["run.paths=4000", "run.store_paths=true"], threads=1)
        run(alvh, p("anti_bs.h5"), base + anti + ["run.paths=4000", "run.store_paths=true", "run.block_size=200"])
        ok, msg = same_datasets(p("plain.h5"), p("off.h5"))
        check(ok, "antithetic: false == no key, every dataset bit for bit: %s" % msg)
        for other in ("anti1.h5", "anti_bs.h5"):
            ok, msg = same_datasets(p("anti.h5"), p(other))
            check(ok, "antithetic: 1 thread / block size 200 == 2 threads, block 1024: %s" % msg)
        with h5py.File(p("plain.h5")) as fp, h5py.File(p("anti.h5")) as fa:
            check(int(fa["scenarios/calm"].attrs["antithetic"]) == 1 and
                  int(fp["scenarios/calm"].attrs["antithetic"]) == 0, "scenario attribute antithetic 1 / 0")
            check("antithetic" not in fp["scenarios/calm/variants/full"], "no antithetic table with the option off")
            g = "scenarios/calm/"
            tp, ta = fp[g + "market/terminal"][()], fa[g + "market/terminal"][()]
            check(np.array_equal(tp[0::2], ta[0::2]), "even paths: terminal market values of the plain run, bit for bit")
            for var in ("full", "farm_only", "condor_only"):
                a, b = fa[g + "variants/%s/pnl" % var][()], fp[g + "variants/%s/pnl" % var][()]
                ma, mb = fa[g + "variants/%s/metrics" % var][()], fp[g + "variants/%s/metrics" % var][()]
                check(np.array_equal(a[0::2], b[0::2]) and np.array_equal(ma[0::2], mb[0::2]) and
                      not np.array_equal(a[1::2], b[1::2]),
                      "%s: even paths' P&L and metrics bit-identical to the plain run, odd paths differ" % var)
            # the funding rate is an OU process, linear in its normals: negated normals mirror it exactly
            fu, fp_ = column(fa, g + "market/terminal", "funding"), column(fp, g + "market/terminal", "funding")
            s_a, s_p = fu[0::2] + fu[1::2], fp_[0::2] + fp_[1::2]
            check(s_a.std() < 1e-12 * fu.std() and s_p.std() > 0.5 * fp_.std(),
                  "terminal funding: partners mirror each other (sd of the pair sums %.2g, plain %.2g)" %
                  (s_a.std(), s_p.std()))
            ls = np.log(column(fa, g + "market/terminal", "token"))
            rho = np.corrcoef(ls[0::2], ls[1::2])[0, 1]
            check(rho < -0.4, "terminal log token of the partners anti-correlated (%.3f)" % rho)
            mcols = strs(fa[g + "variants/full/metrics"].attrs["columns"])
            met = fa[g + "variants/full/metrics"][()]
            ev = [c for c in mcols if c.startswith("n_exploit") or c.startswith("n_gov_down")]
            same = all(np.array_equal(met[0::2, mcols.index(c)], met[1::2, mcols.index(c)]) for c in ev)
            check(ev and same, "the pair shares its drawn events %s" % ev)
            # --- the pair-aware SEs against numpy ------------------------------------------------
            cap = float(fa["scenarios/calm"].attrs["capital_usd"])
            for var in ("full", "farm_only", "condor_vix"):
                y = column(fa, g + "variants/%s/pnl" % var, "total")
                s = table(fa, var, "summary", col=strs(fa[g + "variants/%s/summary" % var].attrs["columns"]).index("total"))
                t = table(fa, var, "antithetic")
                var99, es99 = es_var(y, 0.99)
                psi_es = np.maximum(-y - var99, 0.0) / 0.01
                ind = (-y > 0.10 * cap).astype(float)
                p_hat = ind.mean()
                want = {"mean_se": pair_se(y), "es_99_se": pair_se(psi_es),
                        "p_loss_gt_10pct_lo95": max(0.0, p_hat - Z95 * pair_se(ind)),
                        "p_loss_gt_10pct_hi95": min(1.0, p_hat + Z95 * pair_se(ind))}
                bad = [k for k in want if not close(s[k], want[k], 1e-8)]
                check(not bad and close(s["mean"], y.mean(), 1e-12),
                      "%s: summary pair-aware SEs == numpy %s" % (var, bad))
                ind_se = y.std(ddof=1) / math.sqrt(len(y))
                want = {"pairs": len(y) // 2, "mean": y.mean(), "mean_se": pair_se(y), "mean_se_independent": ind_se,
                        "variance_reduction": (ind_se / pair_se(y)) ** 2,
                        "pair_correlation": np.corrcoef(y[0::2], y[1::2])[0, 1], "es_99": es99,
                        "es_99_se": pair_se(psi_es),
                        "es_99_se_independent": psi_es.std(ddof=1) / math.sqrt(len(y)), "paths_dropped": 0}
                var999, es999 = es_var(y, 0.999)
                psi9 = np.maximum(-y - var999, 0.0) / 0.001
                want.update({"es_99.9": es999, "es_99.9_se": pair_se(psi9),
                             "es_99.9_se_independent": psi9.std(ddof=1) / math.sqrt(len(y)),
                             "variance_reduction_es_99.9": (psi9.std(ddof=1) / math.sqrt(len(y)) / pair_se(psi9)) ** 2})
                bad = [k for k in want if not close(t[k], want[k], 1e-8)]
                check(not bad, "%s: antithetic table == numpy %s (variance reduction %.3f, pair corr %.3f)" %
                      (var, bad, t["variance_reduction"], t["pair_correlation"]))
                mc = strs(fa[g + "variants/%s/metrics" % var].attrs["columns"])
                ex = fa[g + "variants/%s/metrics" % var][()][:, mc.index("n_exploits")] > 0
                want = tail_comp_pairs(y, ex.astype(float), 0.99)
                got = [cell(fa, var, "tail_composition", "exploit", c) for c in
                       ("worst_1pct", "worst_1pct_lo95", "worst_1pct_hi95")]
                check(all(close(g_, w_, 1e-9) for g_, w_ in zip(got, want)),
                      "%s: tail composition's exploit share and interval by pair == numpy %s" %
                      (var, np.round(got, 4)))
                got = cell(fa, var, "attribution", "es_99_euler_se", "total")
                check(close(got, es_euler_total_se(y, 0.99), 1e-8),
                      "%s: attribution's ES99 SE by pair == numpy (%.0f)" % (var, got))
                cv = table(fa, var, "control_variates")
                yq = 0.5 * (y[0::2] + y[1::2])
                check(close(cv["mean_se"], yq.std(ddof=1) / math.sqrt(len(yq)), 1e-8),
                      "%s: control-variate table from the pair means (mean_se %.0f)" % (var, cv["mean_se"]))
                imp = table(fa, var, "importance")  # its VaR is the weighted walk's (one order statistic apart)
                psi_w = np.maximum(-y - imp["var_99"], 0.0) / 0.01
                check(close(imp["mean_se"], pair_se(y), 1e-8) and close(imp["es_99_se"], pair_se(psi_w), 1e-8),
                      "%s: importance table's SEs by pair" % var)
        # --- resume after kill -9, and MPI ranks: the same datasets --------------------------------------
        big = base + anti + ["run.paths=40000"]
        run(alvh, p("ref.h5"), big)
        args = [alvh, "run", "-o", p("k.h5"), "--quiet", "--threads", "2", "--checkpoint-blocks", "2",
                "--checkpoint-seconds", "0"] + sum((["--set", x] for x in big), [])
        interrupted, rc = kill_then_resume(args, p("k.h5"), args[:2] + ["-o", p("k.h5"), "--quiet", "--threads", "1",
                                                                       "--resume"] + sum((["--set", x] for x in big), []))
        ok, msg = same_datasets(p("ref.h5"), p("k.h5"))
        check(interrupted and rc == 0 and ok, "killed mid-scenario and resumed on 1 thread: %s" % msg)
        ver = subprocess.run([alvh, "--version"], capture_output=True, text=True).stdout
        if shutil.which("mpirun") and "mpi yes" in ver:
            for np_ in (2, 3):
                res = subprocess.run(["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", str(np_), alvh, "run",
                                      "-o", p("mpi.h5"), "--quiet", "--threads", "1"] +
                                     sum((["--set", x] for x in big), []), capture_output=True, text=True)
                ok, msg = same_datasets(p("ref.h5"), p("mpi.h5"))
                check(res.returncode == 0 and ok, "MPI %d ranks == one process: %s" % (np_, msg))
        else:
            print("skip MPI ranks: no mpirun or no MPI build")
        # --- unbiased: antithetic means vs a plain run with 10x the paths ----------------------------
        run(alvh, p("a1.h5"), base + anti + ["run.paths=4000", "run.seed=31"])
        run(alvh, p("p10.h5"), base + ["run.paths=40000", "run.seed=32"])
        with h5py.File(p("a1.h5")) as fa, h5py.File(p("p10.h5")) as f10:
            for var in strs(fa["scenarios/calm/variants"].keys()):
                a, b = table(fa, var, "antithetic"), table(f10, var, "importance")
                z = (a["mean"] - b["mean"]) / math.hypot(a["mean_se"], b["mean_se"])
                check(abs(z) <= 3, "%s: antithetic mean %.0f (SE %.0f, VR %.2f) vs plain 10x %.0f (SE %.0f): %.2f SE" %
                      (var, a["mean"], a["mean_se"], a["variance_reduction"], b["mean"], b["mean_se"], z))
        # --- the pair-aware SE is the spread over replications ---------------------------------------
        # no jumps, shocks or exploits, 20 steps: the farm's P&L is close to linear in the token's
        # normals (variance reduction about 7, so the independent-paths SE is about 2.6x too large)
        calm = ["scenarios.calm.spx.lambda_ann=0", "scenarios.calm.premia.jump_intensity_premium=0",
                "scenarios.calm.token.lambda_gov_ann=0",
                "scenarios.calm.token.lambda_hack_ann=0"]
        means, ses, ind, es, es_se = [], [], [], [], []
        K = 40
        for k in range(K):
            out = p("rep%d.h5" % k)
            run(alvh, out, base + anti + calm + ["run.paths=1000", "run.horizon_steps=20", "run.seed=%d" % (100 + k)])
            with h5py.File(out) as f:
                t = table(f, "farm_only", "antithetic")
            os.remove(out)
            means.append(t["mean"]), ses.append(t["mean_se"]), ind.append(t["mean_se_independent"])
            es.append(t["es_99"]), es_se.append(t["es_99_se"])
        spread = np.std(means, ddof=1)
        r_pair, r_ind = spread / np.mean(ses), spread / np.mean(ind)
        # the spread of K = 40 values is within about +-35% of the truth at 3 sigma (chi with 39 dof)
        check(0.65 < r_pair < 1.4 and r_ind < 0.6,
              "farm_only, %d replications of 1000 paths x 20 steps: spread of the mean / pair-aware SE %.3f, / independent "
              "SE %.3f (variance reduction %.1f)" % (K, r_pair, r_ind, np.mean(ind) ** 2 / np.mean(ses) ** 2))
        r_es = np.std(es, ddof=1) / np.mean(es_se)
        check(0.6 < r_es < 1.6, "farm_only: spread of ES99 / pair-aware ES99 SE %.3f" % r_es)
        # --- a tilt with pairs: the partners share the likelihood ratio ------------------------------
        run(alvh, p("tilt.h5"), base + anti + ["run.paths=2000", "run.store_paths=true",
                                               "scenarios.calm.importance.exploit=10"])
        with h5py.File(p("tilt.h5")) as f:
            g = "scenarios/calm/variants/full/"
            w = column(f, g + "metrics", "likelihood_ratio")
            y = column(f, g + "pnl", "total")
            t = table(f, "full", "antithetic")
            check(np.array_equal(w[0::2], w[1::2]) and np.any(w != 1.0), "tilt: the pair shares its likelihood ratio")
            check(close(t["mean"], np.mean(w * y), 1e-9) and close(t["mean_se"], pair_se(w * y), 1e-8),
                  "tilt: antithetic table's mean and SE from w x by pair")
        # --- refusals ---------------------------------------------------------------------------------
        for sets, what in ((["run.paths=1001"], "odd paths"), (["run.paths=1000", "run.block_size=1001"],
                                                                 "odd block size"),
                           (["run.paths=1000", "run.summaries=histogram"], "histogram summaries")):
            res = run(alvh, p("x.h5"), base + anti + sets, expect=2)
            check(res.returncode == 2 and "antithetic" in res.stderr and res.stderr.count("\n") == 1,
                  "refused with one message and exit 2: %s (%s)" % (what, res.stderr.strip()[:90]))
    if FAILS:
        print("%d failure(s)" % len(FAILS))
        sys.exit(1)


if __name__ == "__main__":
    main()
