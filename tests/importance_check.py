"""Importance sampling of the event intensities, end to end: on the
protocol_exploit and governance_attack scenarios, the likelihood-ratio-weighted
mean, ES99 and ES99.9 of a tilted run lie within 3 combined SE of a plain run
with 10x the paths (independent seed); its VaR99 has a plain tail probability
within 3 SE of 1%; E[LR] = 1 within 3 SE; the `importance` table equals a
numpy recomputation from the stored per-path rows; the `summary` and `risk`
tables of a tilted run are weighted too (summary equals a numpy weighted
recomputation, its P(loss > 10% C) and the risk table's P(exploit) agree with
the plain run within 3 combined SE); the same on calm under the token-drift
mixture tilt (docs/statistics.md, "Tilting the token's drift") and under the
variance-drift mixture tilt ("Tilting the variance"); under both drifts and an
event tilt at once (the three-component mixture) the file is bit-identical on
1 and 2 threads, after a kill -9 and resume, and on 2 MPI ranks; a tilt of 1
(and a token drift of 0) writes the same per-path rows and tables bit for bit
as no tilt.

usage: importance_check.py ALVH_BINARY CONFIG_DIR
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


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILS.append(what)


def strs(x):
    return [s.decode() if isinstance(s, bytes) else str(s) for s in x]


def run(alvh, cfg, out, sets):
    args = [alvh, "run", cfg, "-o", out, "--quiet", "--threads", "2"]
    for s in sets:
        args += ["--set", s]
    subprocess.run(args, check=True)


def reproducible(alvh, cfg_dir, d, base):
    """the three-component mixture with an exploit tilt: threads, resume after kill -9, MPI ranks"""
    cfg = os.path.join(cfg_dir, "calm.yaml")
    tilt = ["scenarios.calm.importance.%s=%g" % kv for kv in
            (("exploit", 2), ("token_drift", 1.5), ("token_drift_share", 0.3), ("variance_drift", 2.5),
             ("variance_drift_share", 0.4), ("variance_drift_token", 1.5))]
    sets = base + tilt + ["run.paths=12000"]
    flat = sum((["--set", x] for x in sets), [])
    p = lambda n: os.path.join(d, n)
    run(alvh, cfg, p("mix2.h5"), sets)
    subprocess.run([alvh, "run", cfg, "-o", p("mix1.h5"), "--quiet", "--threads", "1"] + flat, check=True)
    ok, msg = same_datasets(p("mix2.h5"), p("mix1.h5"))
    check(ok, "both drifts and an exploit tilt: 1 thread == 2 threads: %s" % msg)
    args = [alvh, "run", cfg, "-o", p("mixk.h5"), "--quiet", "--threads", "2", "--checkpoint-blocks", "2",
            "--checkpoint-seconds", "0"] + flat
    interrupted, rc = kill_then_resume(args, p("mixk.h5"),
                                       args[:3] + ["-o", p("mixk.h5"), "--quiet", "--threads", "1", "--resume"] + flat)
    ok, msg = same_datasets(p("mix2.h5"), p("mixk.h5"))
    check(interrupted and rc == 0 and ok, "both drifts: killed, resumed on 1 thread: %s" % msg)
    ver = subprocess.run([alvh, "--version"], capture_output=True, text=True).stdout
    if shutil.which("mpirun") and "mpi yes" in ver:
        res = subprocess.run(["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", "2", alvh, "run", cfg,
                              "-o", p("mixm.h5"), "--quiet", "--threads", "1"] + flat, capture_output=True, text=True)
        ok, msg = same_datasets(p("mix2.h5"), p("mixm.h5"))
        check(res.returncode == 0 and ok, "both drifts: 2 MPI ranks == one process: %s" % msg)
    else:
        print("skip MPI ranks: no mpirun or no MPI build")
    with h5py.File(p("mix2.h5")) as f:
        lr = rows(f, "calm", "farm_hedged")[1]
        # every weight below the events' largest times 1 / (1 - s - s_v) = 1 / 0.3
        check(lr.max() < math.exp(0.1 * 0.25) / 0.3, "both drifts: largest weight %.3f < e^{lambda T} / 0.3" %
              lr.max())


def table(f, scen, var):
    ds = f["scenarios/%s/variants/%s/importance" % (scen, var)]
    return dict(zip(strs(ds.attrs["rows"]), ds[()][:, 0]))


def labelled(f, scen, var, name, col):
    ds = f["scenarios/%s/variants/%s/%s" % (scen, var, name)]
    return dict(zip(strs(ds.attrs["rows"]), ds[()][:, strs(ds.attrs["columns"]).index(col)]))


def wquantile(x, w, p):
    """engine/wstats.h: walk the sorted values from the nearer end until the weight passed exceeds the level"""
    n = len(x)
    order = np.lexsort((np.arange(n), x))
    xs, ws = x[order], w[order]
    if p > 0.5:
        xs, ws, p = xs[::-1], ws[::-1], 1 - p
    k = int(np.searchsorted(np.cumsum(ws), p * n, side="right"))
    return xs[min(k, n - 1)]


def numpy_summary(pnl, w, capital):
    n = len(pnl)
    out = {"mean": (w * pnl).mean(), "mean_se": (w * pnl).std(ddof=1) / math.sqrt(n)}
    for p in (0.01, 0.05, 0.5, 0.95, 0.99):
        out["quantile_%g" % (100 * p)] = wquantile(pnl, w, p)
    for a, tag in ((0.95, "95"), (0.99, "99")):
        var = -wquantile(pnl, w, 1 - a)
        ex = w * np.maximum(-pnl - var, 0.0) / (1 - a)
        out["var_" + tag], out["es_" + tag] = var, var + ex.mean()
    for c in (0.05, 0.1, 0.2):
        out["p_loss_gt_%gpct" % (100 * c)] = (w * (-pnl > c * capital)).mean()
    return out


def rows(f, scen, var):
    g = f["scenarios/%s/variants/%s" % (scen, var)]
    pnl = g["pnl"][()][:, strs(g["pnl"].attrs["columns"]).index("total")]
    lr = g["metrics"][()][:, strs(g["metrics"].attrs["columns"]).index("likelihood_ratio")]
    return pnl, lr


def rows_metric(f, scen, var, name):
    g = f["scenarios/%s/variants/%s" % (scen, var)]
    return g["metrics"][()][:, strs(g["metrics"].attrs["columns"]).index(name)]


def numpy_table(pnl, w):
    n = len(pnl)
    loss = -pnl
    order = np.lexsort((np.arange(n), -loss))  # descending loss, ties by path
    ls, ws = loss[order], w[order]
    out = {"lr_mean": w.mean(), "mean": (w * pnl).mean()}
    for a, tag in ((0.99, "99"), (0.999, "99.9")):
        c = np.cumsum(ws)
        k = int(np.searchsorted(c, (1 - a) * n, side="right"))
        var = ls[min(k, n - 1)]
        ex = w * np.maximum(loss - var, 0.0) / (1 - a)
        out["var_" + tag], out["es_" + tag] = var, var + ex.mean()
        out["es_%s_se" % tag] = ex.std(ddof=1) / math.sqrt(n)
    return out


def main():
    alvh, cfg_dir = sys.argv[1], sys.argv[2]
    base = ["run.horizon_years=0.25", "run.store_paths=true", "run.sample_paths=10", "run.block_size=512"]
    # calm: the mixture drift tilt of the hedged farm's tail (a rally, then a crash: the drift turns at
    # 40% of the horizon) beside an exploit tilt
    cases = [("protocol_exploit", {"exploit": 4}, 8000), ("governance_attack", {"exploit": 10, "gov": 2}, 8000),
             ("calm", {"exploit": 3, "token_drift": 2, "token_drift_share": 0.5, "token_drift_turn_years": 0.1},
              20000),
             ("calm", {"exploit": 2, "variance_drift": 2.5, "variance_drift_share": 0.8, "variance_drift_token": 2},
              20000)]
    with tempfile.TemporaryDirectory() as d:
        for scen, tilt, n_is in cases:
            n_plain = 10 * n_is
            cfg = os.path.join(cfg_dir, scen + ".yaml")
            ts = ["scenarios.%s.importance.%s=%g" % (scen, k, v) for k, v in tilt.items()]
            p_is, p_pl = os.path.join(d, scen + "_is.h5"), os.path.join(d, scen + "_plain.h5")
            run(alvh, cfg, p_is, base + ts + ["run.paths=%d" % n_is, "run.seed=11"])
            if not os.path.exists(p_pl):  # one plain run per scenario
                run(alvh, cfg, p_pl, base + ["run.paths=%d" % n_plain, "run.seed=12"])
            with h5py.File(p_is) as fi, h5py.File(p_pl) as fp:
                a = fi["scenarios/" + scen].attrs
                check(a["estimator"] == "importance_sampling" and a["tilt_exploit"] == tilt["exploit"] and
                      a["tilt_token_drift"] == tilt.get("token_drift", 0) and
                      a["tilt_token_drift_share"] == tilt.get("token_drift_share", 0) and
                      a["tilt_token_drift_turn_years"] == tilt.get("token_drift_turn_years", 0) and
                      a["tilt_variance_drift"] == tilt.get("variance_drift", 0) and
                      a["tilt_variance_drift_share"] == tilt.get("variance_drift_share", 0) and
                      a["tilt_variance_drift_decay"] == (1 if "variance_drift" in tilt else 0) and
                      a["tilt_variance_drift_token"] == tilt.get("variance_drift_token", 0) and
                      a["tilt_variance_drift_token_cross"] == (0.5 if "variance_drift_token" in tilt else 0),
                      "%s: tilt and estimator recorded" % scen)
                check(fp["scenarios/" + scen].attrs["estimator"] == "plain", "%s: plain run says plain" % scen)
                for var in ("farm_hedged", "full"):
                    ti, tp = table(fi, scen, var), table(fp, scen, var)
                    pnl, lr = rows(fi, scen, var)
                    check(abs(ti["lr_mean"] - 1) <= 3 * ti["lr_mean_se"],
                          "%s/%s: E[LR] %.4f +- %.4f" % (scen, var, ti["lr_mean"], ti["lr_mean_se"]))
                    ref = numpy_table(pnl, lr)
                    check(all(abs(ti[k] - ref[k]) <= 1e-9 * (1 + abs(ref[k])) for k in ref),
                          "%s/%s: importance table == numpy from per-path rows" % (scen, var))
                    for k in ("mean", "es_99", "es_99.9"):
                        se = math.hypot(ti[k + "_se"], tp[k + "_se"])
                        z = (ti[k] - tp[k]) / se
                        check(abs(z) <= 3, "%s/%s: %s IS %.0f vs plain %.0f (%.2f combined SE; per-path SE ratio "
                              "%.2f)" % (scen, var, k, ti[k], tp[k], z,
                                         tp[k + "_se"] * math.sqrt(n_plain) / (ti[k + "_se"] * math.sqrt(n_is))))
                    # the summary and risk tables are weighted as well
                    si = labelled(fi, scen, var, "summary", "total")
                    sp = labelled(fp, scen, var, "summary", "total")
                    ref = numpy_summary(pnl, lr, 1e7)
                    bad_rows = [k for k in ref if not abs(si[k] - ref[k]) <= 1e-9 * (1 + abs(ref[k]))]
                    check(not bad_rows, "%s/%s: weighted summary == numpy from per-path rows %s" % (scen, var, bad_rows))
                    check(si["mean"] == ti["mean"] and si["es_99"] == ti["es_99"],
                          "%s/%s: summary mean and ES99 are the importance table's" % (scen, var))
                    k = "p_loss_gt_10pct"
                    se_i = (si[k + "_hi95"] - si[k + "_lo95"]) / (2 * 1.959963984540054)
                    se_p = math.sqrt(max(sp[k] * (1 - sp[k]), 1e-12) / n_plain)
                    check(abs(si[k] - sp[k]) <= 3 * math.hypot(se_i, se_p) + 1e-12,
                          "%s/%s: %s IS %.4f vs plain %.4f" % (scen, var, k, si[k], sp[k]))
                    ri, rp = labelled(fi, scen, var, "risk", "value"), labelled(fp, scen, var, "risk", "value")
                    m_i = lr * (rows_metric(fi, scen, var, "n_exploits") > 0.5)
                    se = math.hypot(m_i.std(ddof=1) / math.sqrt(n_is), math.sqrt(rp["p_exploit"] * (1 - rp["p_exploit"]) / n_plain))
                    check(abs(ri["p_exploit"] - m_i.mean()) <= 1e-12 and abs(ri["p_exploit"] - rp["p_exploit"]) <= 3 * se,
                          "%s/%s: P(exploit) IS %.4f vs plain %.4f (risk table, weighted)" % (scen, var, ri["p_exploit"],
                                                                                        rp["p_exploit"]))
                    # VaR99: the plain run's tail probability at the IS VaR, against 1%
                    pp, _ = rows(fp, scen, var)
                    q_plain = np.mean(-pp > ti["var_99"])
                    se_q = math.sqrt(0.01 * 0.99 / n_plain)
                    wi = lr * (-pnl > ti["var_99"])
                    se_q = math.hypot(se_q, wi.std(ddof=1) / math.sqrt(n_is))
                    check(abs(q_plain - 0.01) <= 3 * se_q,
                          "%s/%s: P_plain(L > VaR99_IS) = %.4f (1%% +- %.4f)" % (scen, var, q_plain, se_q))
        reproducible(alvh, cfg_dir, d, base)
        # importance.auto_rare: the rule's factors in the resolved config and in the file
        res = subprocess.run([alvh, "validate", os.path.join(cfg_dir, "calm.yaml"), "--resolved", "--set",
                              "scenarios.calm.importance.auto_rare=true"], capture_output=True, text=True, check=True)
        lines = [l.strip() for l in res.stdout.splitlines()]
        ex = [float(l.split(":")[1]) for l in lines if l.startswith("exploit:")]
        check(len(ex) == 1 and abs(ex[0] - 10.0498) < 1e-3, "auto_rare on calm: exploit tilt %s (1/a, a = 0.1)" % ex)
        pa = os.path.join(d, "auto.h5")
        sets = base + ["run.paths=2000", "scenarios.calm.importance.auto_rare=true"]
        res = subprocess.run([alvh, "validate", os.path.join(cfg_dir, "calm.yaml"), "--resolved"] +
                             [x for s_ in sets for x in ("--set", s_)], capture_output=True, text=True, check=True)
        lines = [x.strip() for x in res.stdout.splitlines()]
        want = {k: [float(l.split(":")[1]) for l in lines if l.startswith(k + ":")] for k in ("spx_jump", "gov", "exploit")}
        run(alvh, os.path.join(cfg_dir, "calm.yaml"), pa, sets)
        with h5py.File(pa) as f:
            a = f["scenarios/calm"].attrs
            # over a quarter year exploits (a = 0.025) and SPX jumps (a = 0.59 x 0.25) are rare, governance shocks not
            check(a["estimator"] == "importance_sampling" and all(len(v) == 1 for v in want.values()) and
                  all(a["tilt_" + k] == v[0] for k, v in want.items()) and want["exploit"][0] > 30 and
                  want["spx_jump"][0] > 1 and want["gov"][0] == 1,
                  "auto_rare run over a quarter year: tilts %s recorded" % want)
        # a tilt of 1 is plain Monte Carlo bit for bit
        cfg = os.path.join(cfg_dir, "protocol_exploit.yaml")
        p0, p1 = os.path.join(d, "t0.h5"), os.path.join(d, "t1.h5")
        small = base + ["run.paths=1000"]
        run(alvh, cfg, p0, small)
        run(alvh, cfg, p1, small + ["scenarios.protocol_exploit.importance.exploit=1",
                                    "scenarios.protocol_exploit.importance.gov=1",
                                    "scenarios.protocol_exploit.importance.spx_jump=1",
                                    "scenarios.protocol_exploit.importance.token_drift=0",
                                    "scenarios.protocol_exploit.importance.token_drift_share=0.6",
                                    "scenarios.protocol_exploit.importance.variance_drift=0",
                                    "scenarios.protocol_exploit.importance.variance_drift_share=0.4"])
        with h5py.File(p0) as f0, h5py.File(p1) as f1:
            g = "scenarios/protocol_exploit/variants/full/"
            check(np.array_equal(f0[g + "pnl"][()], f1[g + "pnl"][()]) and
                  np.array_equal(f0[g + "metrics"][()], f1[g + "metrics"][()]), "tilt 1: per-path rows bit-identical")
            check(all(np.array_equal(f0[g + t][()], f1[g + t][()], equal_nan=True) for t in ("summary", "risk")),
                  "tilt 1: summary and risk tables bit-identical")
            lr_col = strs(f1[g + "metrics"].attrs["columns"]).index("likelihood_ratio")
            check(np.all(f1[g + "metrics"][()][:, lr_col] == 1.0), "tilt 1: every likelihood ratio is 1")
    if FAILS:
        print("%d failure(s)" % len(FAILS))
        sys.exit(1)


if __name__ == "__main__":
    main()
