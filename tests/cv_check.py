"""Control variates (table control_variates, engine/control_variate.h):
the terminal SPX and token means of the simulated paths match their closed
forms within 3 SE, under the real-world and under the pricing measure (the
discretized levels are martingales after the drift); the table equals a numpy
regression estimator recomputed from the stored per-path rows; the
control-variate mean of a run agrees with the plain mean of a run with 10x
the paths (other seed) within 3 combined SE, and its variance reduction is
large for the farm (token-driven) and near 1 for the condor; a scenario with
forced events (injections) leaves the CV rows NaN. The variance-swap control
(the SPX's integrated variance, terminal column spx_integrated_var) has a
simulated mean within 3 SE of its closed form under P, Q and P with premia,
its rows (alone and with the two levels) equal the numpy regression, and the
CV mean with all three controls agrees with the 10x plain run.

usage: cv_check.py ALVH_BINARY CONFIG_DIR
"""
import math
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

FAILS = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILS.append(what)


def strs(x):
    return [s.decode() if isinstance(s, bytes) else str(s) for s in x]


def run(alvh, cfg, out, sets):
    args = [alvh, "run"] + ([cfg] if cfg else []) + ["-o", out, "--quiet", "--threads", "2"]
    for s in sets:
        args += ["--set", s]
    subprocess.run(args, check=True)


def table(f, scen, var, name="control_variates", col=0):
    ds = f["scenarios/%s/variants/%s/%s" % (scen, var, name)]
    return dict(zip(strs(ds.attrs["rows"]), ds[()][:, col]))


def column(f, path, name):
    ds = f[path]
    return ds[()][:, strs(ds.attrs["columns"]).index(name)]


def numpy_cv(y, xs, mu):
    """the regression estimator with the controls' sample covariance"""
    m = len(y)
    x = np.stack(xs, axis=1)
    mx, my = x.mean(axis=0), y.mean()
    sxx = np.cov(x, rowvar=False)
    sxy = np.array([np.cov(x[:, k], y)[0, 1] for k in range(x.shape[1])])
    b = np.linalg.solve(sxx, sxy)
    r = y - (x - mx) @ b
    var_r = r.var(ddof=1) * (m - 1) / (m - 1 - x.shape[1])
    out = {"mean_cv": my - b @ (mx - mu), "mean_cv_se": math.sqrt(var_r / m),
           "variance_reduction": y.var(ddof=1) / var_r, "beta_spx": b[0], "beta_token": b[1]}
    if len(b) > 2:
        out["beta_2"] = b[2]
    return out


def numpy_cv1(y, x, mu):
    """one control"""
    m = len(y)
    b = np.cov(x, y)[0, 1] / x.var(ddof=1)
    r = y - b * (x - x.mean())
    var_r = r.var(ddof=1) * (m - 1) / (m - 2)
    return {"mean_cv": y.mean() - b * (x.mean() - mu), "mean_cv_se": math.sqrt(var_r / m),
            "variance_reduction": y.var(ddof=1) / var_r}


def main():
    alvh, cfg_dir = sys.argv[1], sys.argv[2]
    base = ["run.horizon_years=0.25", "run.store_paths=true", "run.sample_paths=4"]
    with tempfile.TemporaryDirectory() as d:
        p1, p10, pq, pd = (os.path.join(d, n) for n in ("cv.h5", "cv10.h5", "q.h5", "drift.h5"))
        run(alvh, None, p1, base + ["run.paths=4000", "run.seed=21"])
        run(alvh, None, p10, base + ["run.paths=40000", "run.seed=22"])
        run(alvh, None, pq, base + ["run.paths=4000", "run.seed=23", "scenarios.calm.paths_measure=q"])
        # a real-world set with an equity premium and emission dilution (the calm default has neither)
        run(alvh, None, pd, base + ["run.paths=4000", "run.seed=24", "scenarios.calm.spx.drift_ann=0.06",
                                    "scenarios.calm.token.dilution_ann=0.3"])
        with h5py.File(p1) as f, h5py.File(p10) as f10, h5py.File(pq) as fq, h5py.File(pd) as fd:
            td = table(fd, "calm", "full")
            check(td["spx_terminal_exact"] > table(f, "calm", "full")["spx_terminal_exact"] * 1.01 and
                  td["token_terminal_exact"] < table(f, "calm", "full")["token_terminal_exact"] * 0.95,
                  "the closed forms carry the equity premium and the dilution")
            for tag, ff in (("P", f10), ("Q", fq), ("P with premium and dilution", fd)):
                t = table(ff, "calm", "full")
                for c in ("spx", "token"):
                    z = (t[c + "_terminal_mean"] - t[c + "_terminal_exact"]) / t[c + "_terminal_mean_se"]
                    check(abs(z) <= 3, "%s paths: E[%s_T] simulated %.4f vs closed form %.4f (%.2f SE)" %
                          (tag, c, t[c + "_terminal_mean"], t[c + "_terminal_exact"], z))
                # the variance swap: E[integrated variance] of the discretized affine variance model
                z = (t["integrated_var_mean"] - t["integrated_var_exact"]) / t["integrated_var_mean_se"]
                check(abs(z) <= 3, "%s paths: E[integrated var] simulated %.6f vs closed form %.6f (%.2f SE)" %
                      (tag, t["integrated_var_mean"], t["integrated_var_exact"], z))
            g = "scenarios/calm/"
            s_t, g_t = column(f, g + "market/terminal", "spx"), column(f, g + "market/terminal", "token")
            rv_t = column(f, g + "market/terminal", "spx_integrated_var")
            sp = f[g + "market/sample_paths"]
            iv_s = sp[()][:, :, strs(sp.attrs["columns"]).index("spx_integrated_var")]
            rv2 = (np.diff(np.log(sp[()][:, :, 0]), axis=1) ** 2).sum(axis=1)
            check(np.array_equal(iv_s[:, -1], rv_t[:len(iv_s)]) and np.all(np.diff(iv_s, axis=1) >= 0) and
                  iv_s[0, 0] == 0, "spx_integrated_var: 0 at the start, nondecreasing, the terminal value at the end")
            check(abs(np.log(rv2.mean() / iv_s[:, -1].mean())) < 1.0,
                  "integrated variance of the sample paths near their realized variance (%.4f vs %.4f)" %
                  (iv_s[:, -1].mean(), rv2.mean()))
            for var in ("farm_only", "condor_only", "full"):
                t, t10 = table(f, "calm", var), table(f10, "calm", var)
                y = column(f, g + "variants/%s/pnl" % var, "total")
                ref = numpy_cv(y, [s_t, g_t], np.array([t["spx_terminal_exact"], t["token_terminal_exact"]]))
                bad = [k for k in ref if not abs(t[k] - ref[k]) <= 1e-8 * (1 + abs(ref[k]))]
                check(not bad, "%s: table == numpy regression estimator %s" % (var, bad))
                mu3 = np.array([t["spx_terminal_exact"], t["token_terminal_exact"], t["integrated_var_exact"]])
                r1, r3 = numpy_cv1(y, rv_t, mu3[2]), numpy_cv(y, [s_t, g_t, rv_t], mu3)
                want = {"mean_cv_iv": r1["mean_cv"], "mean_cv_iv_se": r1["mean_cv_se"],
                        "variance_reduction_iv": r1["variance_reduction"], "mean_cv_all": r3["mean_cv"],
                        "mean_cv_all_se": r3["mean_cv_se"], "variance_reduction_all": r3["variance_reduction"],
                        "beta_integrated_var": r3["beta_2"], "integrated_var_mean": rv_t.mean()}
                bad = [k for k in want if not abs(t[k] - want[k]) <= 1e-8 * (1 + abs(want[k]))]
                check(not bad, "%s: variance-swap rows == numpy regression estimator %s" % (var, bad))
                z = (t["mean_cv_all"] - t10["mean"]) / math.hypot(t["mean_cv_all_se"], t10["mean_se"])
                check(abs(z) <= 3, "%s: CV mean with the variance swap %.0f vs plain 10x %.0f: %.2f SE; VR %.2f "
                      "(variance swap alone %.3f)" % (var, t["mean_cv_all"], t10["mean"], z,
                                                      t["variance_reduction_all"], t["variance_reduction_iv"]))
                z = (t["mean_cv"] - t10["mean"]) / math.hypot(t["mean_cv_se"], t10["mean_se"])
                check(abs(z) <= 3, "%s: CV mean %.0f (SE %.0f) vs plain 10x %.0f (SE %.0f): %.2f SE; VR %.1f" %
                      (var, t["mean_cv"], t["mean_cv_se"], t10["mean"], t10["mean_se"], z, t["variance_reduction"]))
            check(table(f, "calm", "farm_only")["variance_reduction"] > 10, "farm_only: variance reduction > 10")
            check(table(f, "calm", "condor_only")["variance_reduction"] < 2, "condor_only: variance reduction < 2")
            check(table(f, "calm", "condor_only")["variance_reduction_iv"] > 1.05,
                  "condor_only: the variance swap reduces the short-vol condor's variance (> 1.05)")
        # forced events: the exact means do not hold, the CV rows are NaN
        pi = os.path.join(d, "inj.h5")
        run(alvh, os.path.join(cfg_dir, "aug_2015.yaml"), pi, ["run.paths=1000", "run.horizon_steps=40"])
        with h5py.File(pi) as f:
            t = table(f, "aug_2015", "full")
            check(math.isnan(t["mean_cv"]) and math.isnan(t["spx_terminal_exact"]) and math.isfinite(t["mean"]) and
                  math.isnan(t["mean_cv_all"]) and math.isnan(t["integrated_var_exact"]),
                  "injections: CV rows NaN, plain mean kept")
    if FAILS:
        print("%d failure(s)" % len(FAILS))
        sys.exit(1)


if __name__ == "__main__":
    main()
