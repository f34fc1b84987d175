#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The Python package (python/alvh) against a real run: used in place
(PYTHONPATH) and installed with `pip install --no-deps --target`; tidy
DataFrames agree with `alvh summary --format csv`, per-path P&L has one row
per path and variant, and xarray (h5netcdf) names every dimension of every
group of the file (no phony_dim_*), with time coordinates in years and days.
Usage: python_check.py ALVH SOURCE_DIR"""
import csv
import io
import os
import shutil
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


def groups_with_datasets(path):
    out = []
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Group) and any(isinstance(v, h5py.Dataset) for v in obj.values()):
                out.append(name)
        f.visititems(visit)
    return out


def main():
    alvh, src = sys.argv[1], sys.argv[2]
    d = tempfile.mkdtemp()
    try:
        h5 = os.path.join(d, "p.h5")
        subprocess.run([alvh, "run", "--paths", "1200", "--store-paths", "--set", "run.horizon_steps=20",
                        "--quiet", "-o", h5], check=True)
        env = dict(os.environ, PYTHONPATH=os.path.join(src, "python"))
        r = subprocess.run([sys.executable, "-m", "alvh", "summary", h5], env=env, capture_output=True, text=True)
        check(r.returncode == 0 and "core_unhedged" in r.stdout, "in place: python3 -m alvh summary")
        bad = os.path.join(d, "bad.h5")
        open(bad, "w").write("x")
        r2 = subprocess.run([sys.executable, "-m", "alvh", "summary", bad], env=env, capture_output=True, text=True)
        check(r2.returncode == 2 and len(r2.stderr.strip().splitlines()) == 1, "bad file: exit 2, one line")

        # unknown layout versions and formats are refused with one message by every reader
        for attr, value, words in (("alvh_layout_version", 99, "alvh_layout_version 99"),
                                   ("alvh_format", "other-result", "not an alvh result")):
            odd = os.path.join(d, "odd.h5")
            shutil.copy(h5, odd)
            with h5py.File(odd, "r+") as f:
                f.attrs[attr] = value
            for cmd in ([alvh, "summary", odd], [alvh, "report", odd, "-o", os.path.join(d, "odd_rep")],
                        [sys.executable, "-m", "alvh", "summary", odd]):
                rr = subprocess.run(cmd, env=env, capture_output=True, text=True)
                check(rr.returncode == 2 and len(rr.stderr.strip().splitlines()) == 1 and words in rr.stderr
                      and not rr.stdout, "%s refuses %s=%r: %r" % (os.path.basename(cmd[0]) + " " + cmd[1 + (
                          cmd[0] == sys.executable)], attr, value, rr.stderr))

        target = os.path.join(d, "site")
        p = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--target", target,
                            os.path.join(src, "python")], capture_output=True, text=True)
        check(p.returncode == 0, "pip install --no-deps: " + p.stderr[-300:])
        env2 = dict(os.environ, PYTHONPATH=target)
        code = "import alvh, sys; print(alvh.__file__)"
        where = subprocess.run([sys.executable, "-c", code], env=env2, capture_output=True, text=True).stdout
        check(where.startswith(target), "the installed package is the one imported: " + where)
        r3 = subprocess.run([sys.executable, "-m", "alvh", "summary", h5], env=env2, capture_output=True, text=True)
        check(r3.returncode == 0 and r3.stdout == r.stdout, "installed package prints the same summary")

        # the README's way: a virtual environment that sees Debian's h5py and numpy
        venv = os.path.join(d, "venv")
        v = subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", venv], capture_output=True,
                           text=True)
        vpy = os.path.join(venv, "bin", "python")
        if v.returncode == 0:
            p2 = subprocess.run([vpy, "-m", "pip", "install", "--no-deps", "--no-index", os.path.join(src, "python")],
                                capture_output=True, text=True)
            check(p2.returncode == 0, "pip install --no-deps ./python in a venv: " + p2.stderr[-300:])
            r4 = subprocess.run([vpy, "-m", "alvh", "summary", h5], capture_output=True, text=True, cwd=d)
            check(r4.returncode == 0 and r4.stdout == r.stdout, "venv-installed package prints the same summary")
        else:
            check(False, "python3 -m venv failed: " + v.stderr[-300:])

        sys.path.insert(0, os.path.join(src, "python"))
        import alvh as A
        csv_text = subprocess.run([alvh, "summary", h5, "--format", "csv"], capture_output=True, text=True,
                                  check=True).stdout
        want = {(row["scenario"], row["variant"], row["table"], row["statistic"], row["column"]): float(row["value"])
                for row in csv.DictReader(io.StringIO(csv_text))}
        with A.open(h5) as res:
            df = res.summary_frame()
            check(list(df.columns) == ["scenario", "variant", "table", "statistic", "column", "unit", "value"],
                  "summary_frame columns")
            got = {(a, b, c, e, f): v for a, b, c, e, f, v in
                   df[["scenario", "variant", "table", "statistic", "column", "value"]].itertuples(index=False)}
            same = len(got) == len(want) and all(
                (np.isnan(want[k]) and np.isnan(got[k])) or want[k] == got[k] for k in want)
            check(same, "summary_frame equals alvh summary --format csv (%d vs %d values)" % (len(got), len(want)))
            pf = res.pnl_frame()
            nv = len(res.variants(res.scenarios[0]))
            check(len(pf) == 1200 * nv, "pnl_frame: one row per path and variant")
            parts = [c for c in pf.columns if c not in ("scenario", "variant", "path", "total")]
            check(np.allclose(pf[parts].sum(axis=1), pf["total"], rtol=1e-12, atol=1e-6),
                  "total = sum of the other columns (%s)" % parts)
            a = res.scenario_attrs("calm")
            check(int(a["horizon_steps"]) == 20 and int(a["paths"]) == 1200 and float(a["capital_usd"]) > 0,
                  "scenario attributes")
            ds = res.dataset("calm", "full", "fan_charts")
            check(np.allclose(ds["time_years"].values, np.arange(21) / 252.0), "time_years coordinate")
            check(np.allclose(ds["time_days"].values, np.arange(21)), "time_days coordinate (trading days)")

        import xarray as xr
        for g in groups_with_datasets(h5):
            ds = xr.open_dataset(h5, group=g, engine="h5netcdf")
            phony = [dim for dim in ds.dims if str(dim).startswith("phony_dim")]
            check(not phony, "%s: every dimension named (got %s)" % (g, list(ds.dims)))
            ds.close()
        ds = xr.open_dataset(h5, group="scenarios/calm/variants/full", engine="h5netcdf")
        check(ds["pnl"].dims == ("path", "pnl_column") and list(ds["pnl_column"].values)[-1] == "total",
              "pnl dims (path, pnl_column)")
        check(ds["summary"].sel(summary_statistic="es_99", summary_column="total").item() ==
              want[("calm", "full", "summary", "es_99", "total")], "xarray label lookup")
    finally:
        shutil.rmtree(d)
    print("python_check: %d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
