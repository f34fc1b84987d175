#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""h5py interop test of the alvh HDF5 layout (docs/hdf5_layout.md).

usage: h5_interop.py H5_SAMPLE_WRITER [ALVH]

Runs tests/h5_sample_writer to write a small result file, opens it with h5py
and checks names, shapes, dtypes, storage (chunks; shuffle and gzip 4 where deflate halves the first chunk) and the
describing attributes (columns, units, rows, quantiles, ...) of every kind of
dataset. The summary, effectiveness, histogram and fan-chart tables the writer
stored are recomputed here with numpy from the per-path data in the same file.
With ALVH, also checks that `alvh summary --format json|csv` prints exactly
the stored numbers. Exit 0 when every check passes.
"""
import csv
import io
import json
import math
import os
import subprocess
import zlib
import sys
import tempfile

import h5py
import numpy as np

N_PATHS = 5000
LAYERS = ["condor", "vix", "farm", "perp", "puts", "calls", "borrow", "lp", "cover", "eth_puts"]
PNL_COLUMNS = LAYERS + ["cash", "total"]
METRIC_COLUMNS = ["max_drawdown", "min_health_factor", "n_liquidations_perp", "n_liquidations_borrow",
                  "first_liquidation_step", "bad_debt", "n_exploits", "first_exploit_step", "n_stop_outs",
                  "first_stop_out_step", "n_rolls", "excess_over_cash", "perp_margin_peak",
                  "lp_onchain_costs", "n_lp_recentres", "n_cover_claims_paid", "n_cover_claims_denied",
                  "n_irr_scale_downs", "n_irr_scale_ups", "n_gov_down_shocks", "likelihood_ratio",
                  "n_runway_cuts", "treasury_runway_end_years", "treasury_runway_min_years", "treasury_quick_end",
                  "n_treasury_feedback_shocks", "farm_onchain_costs", "borrow_onchain_costs",
                  "puts_onchain_costs", "calls_onchain_costs"]
TERMINAL_COLUMNS = ["spx", "vix", "token", "variance", "funding", "spx_integrated_var"]
STAT_ROWS = ["n", "mean", "stdev", "min", "q_0.01", "q_0.05", "q_0.5", "q_0.95", "q_0.99", "max", "p_loss"]
FAN_Q = [0.05, 0.25, 0.5, 0.75, 0.95]

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL", what)


def strs(attr):
    """A string-array attribute as a list of str (h5py gives an object array)."""
    return [a.decode() if isinstance(a, bytes) else str(a) for a in np.asarray(attr).ravel()]


def close(a, b, rtol=1e-12, what=""):
    try:
        np.testing.assert_allclose(a, b, rtol=rtol, atol=0, equal_nan=True)
        return True
    except AssertionError as e:
        print("FAIL", what, str(e).splitlines()[:6])
        failures.append(what)
        return False


def deflate_pays(ds):
    """io/h5_trial.h's rule, recomputed: the first chunk byte-shuffled (HDF5's shuffle of
    8-byte elements) shrinks under zlib level 4 to at most half."""
    first = np.ascontiguousarray(ds[: ds.chunks[0]], dtype="<f8")
    shuffled = first.view(np.uint8).reshape(-1, 8).T.tobytes()
    return len(zlib.compress(shuffled, 4)) <= 0.5 * first.nbytes


def check_table(ds, shape, columns, units=None, chunked=True):
    name = ds.name
    check(ds.shape == shape, f"{name}: shape {ds.shape} != {shape}")
    check(ds.dtype == np.dtype("<f8"), f"{name}: dtype {ds.dtype}")
    check(strs(ds.attrs["columns"]) == columns, f"{name}: columns {strs(ds.attrs['columns'])}")
    u = strs(ds.attrs["units"])
    check(len(u) == len(columns), f"{name}: {len(u)} units for {len(columns)} columns")
    if units is not None:
        check(u == units, f"{name}: units {u}")
    if chunked:
        check(ds.chunks is not None and ds.chunks[1] == shape[1], f"{name}: chunks {ds.chunks}")
        if deflate_pays(ds):
            check(ds.compression == "gzip" and ds.compression_opts == 4, f"{name}: compression {ds.compression}")
            check(ds.shuffle, f"{name}: shuffle off")
        else:
            check(ds.compression is None and not ds.shuffle, f"{name}: compressed though deflate does not pay")
    else:
        check(ds.chunks == ds.shape and ds.compression is None, f"{name}: not one uncompressed chunk")
    check(ds.fletcher32, f"{name}: no Fletcher-32 checksum")


def summary_of(pnl):
    """What h5_sample_writer computes: numpy's definitions."""
    out = np.empty((len(STAT_ROWS), pnl.shape[1]))
    for c in range(pnl.shape[1]):
        x = pnl[:, c]
        out[:, c] = [len(x), x.mean(), x.std(ddof=1), x.min(), *np.quantile(x, [0.01, 0.05, 0.5, 0.95, 0.99]),
                     x.max(), np.mean(x < 0)]
    return out


def check_file(path):
    with h5py.File(path, "r") as f:
        a = f.attrs
        check(a["alvh_format"] == "alvh-result", "alvh_format")
        check(int(a["alvh_layout_version"]) == 9, "alvh_layout_version")
        check(a["seed"].dtype == np.uint64 and int(a["seed"]) == 12345, f"seed {a['seed']!r}")
        check("scenarios:" in a["config"], "config text")
        for k in ["engine_version", "git_describe", "isa", "units", "hdf5_version"]:
            check(isinstance(a[k], str) and a[k] != "", f"root attribute {k}")
        check(int(a["threads"]) == 2 and int(a["ranks"]) == 1, "threads/ranks")
        check(a["start_time_utc"] == "2023-11-14T22:13:20Z", f"start_time_utc {a['start_time_utc']}")
        check(a["end_time_utc"] == "2023-11-14T22:14:21Z", f"end_time_utc {a['end_time_utc']}")
        check(sorted(f["scenarios"]) == ["base", "crash"], f"scenarios {list(f['scenarios'])}")
        check(list(f["scenarios/base/variants"]) == ["full_alvh", "unhedged"] or
              list(f["scenarios/base/variants"]) == ["unhedged", "full_alvh"], "variants")

        # market
        term = f["scenarios/base/market/terminal"]
        check_table(term, (N_PATHS, 6), TERMINAL_COLUMNS, ["index points", "index points", "USD", "1/yr", "1/yr", "1"])
        t = term[...]
        check(np.all(t[:, 0] > 0) and np.all(t[:, 3] > 0), "terminal spx and variance positive")
        sp = f["scenarios/base/market/sample_paths"]
        check(sp.shape == (64, 11, 6) and sp.dtype == np.dtype("<f8"), f"sample_paths {sp.shape} {sp.dtype}")
        check(strs(sp.attrs["columns"]) == TERMINAL_COLUMNS, "sample_paths columns")
        check(np.array_equal(sp.attrs["path_index"], np.arange(64, dtype=np.uint64) * 7), "sample path_index")
        paths = sp[...]
        check(np.all(paths[:, 0, 0] == 4500.0), "sample paths start at 4500")
        fan = f["scenarios/base/market/fan_charts/spx"]
        check(fan.shape == (11, 5), f"market fan chart shape {fan.shape}")
        check(np.array_equal(fan.attrs["quantiles"], FAN_Q), "fan chart quantiles attribute")
        check(fan.attrs["units"] == "index points", "fan chart units")
        spx_fan = np.quantile(paths[:, :, 0], FAN_Q, axis=0).T
        close(fan[...], spx_fan, 1e-13, "market fan chart == np.quantile of sample paths")

        pnls = {}
        for v in ["unhedged", "full_alvh"]:
            g = f[f"scenarios/base/variants/{v}"]
            check_table(g["pnl"], (N_PATHS, len(PNL_COLUMNS)), PNL_COLUMNS, ["USD"] * len(PNL_COLUMNS))
            check_table(g["metrics"], (N_PATHS, len(METRIC_COLUMNS)), METRIC_COLUMNS)
            pnl = g["pnl"][...]
            pnls[v] = pnl
            check(strs(g["pnl"].attrs["columns"])[-1] == "total", "last pnl column is total")
            close(pnl[:, :-1].sum(axis=1), pnl[:, -1], 1e-9, f"{v}: total = sum of layers and cash")

            s = g["summary"]
            check(s.shape == (len(STAT_ROWS), len(PNL_COLUMNS)) and s.dtype == np.dtype("<f8"), f"{v} summary shape {s.shape}")
            check(strs(s.attrs["rows"]) == STAT_ROWS, f"{v} summary rows")
            check(strs(s.attrs["columns"]) == PNL_COLUMNS, f"{v} summary columns")
            check(len(strs(s.attrs["units"])) == len(STAT_ROWS), f"{v} summary units per row")
            check(s.chunks == s.shape and s.fletcher32, f"{v} summary: one chunk with a Fletcher-32 checksum")
            close(s[...], summary_of(pnl), 1e-12, f"{v}: summary == numpy statistics of pnl")

            h = g["histograms/total"]
            counts, edges = h["counts"][...], h["edges"][...]
            check(h["counts"].dtype == np.dtype("<u8"), f"histogram counts dtype {h['counts'].dtype}")
            check(counts.shape == (20,) and edges.shape == (21,), "histogram shapes")
            check(h.attrs["units"] == "USD" and h["edges"].attrs["units"] == "USD", "histogram units")
            np_counts, _ = np.histogram(pnl[:, -1], bins=edges)
            check(np.array_equal(counts, np_counts), f"{v}: histogram counts == np.histogram")
            check(int(counts.sum() + h.attrs["underflow"] + h.attrs["overflow"]) == N_PATHS, "histogram total")

            eq = g["fan_charts/equity"]
            check(eq.shape == (11, 5) and np.array_equal(eq.attrs["quantiles"], FAN_Q), f"{v} equity fan")
            check(eq.attrs["units"] == "USD", "equity fan units")
            close(eq[...], 1e7 * spx_fan / 4500.0, 1e-12, f"{v}: equity fan chart")
            check(g["fan_charts/equity_bound"].shape == (11, 5), "equity fan bound")

        e = f["scenarios/base/variants/full_alvh/effectiveness"]
        check(e.attrs["baseline"] == "unhedged", "effectiveness baseline")
        check(strs(e.attrs["rows"]) == ["var_reduction", "mean_difference"], "effectiveness rows")
        check(strs(e.attrs["columns"]) == PNL_COLUMNS, "effectiveness columns")
        with np.errstate(divide="ignore", invalid="ignore"):
            vr = 1.0 - pnls["full_alvh"].var(axis=0, ddof=1) / pnls["unhedged"].var(axis=0, ddof=1)
        md = pnls["full_alvh"].mean(axis=0) - pnls["unhedged"].mean(axis=0)
        close(e[0], vr, 1e-10, "variance reduction == numpy")
        close(e[1], md, 1e-9, "mean difference == numpy")
        check("effectiveness" not in f["scenarios/base/variants/unhedged"], "baseline has no effectiveness")
        check("crash/variants/unhedged/summary" in f["scenarios"], "crash summary")


def stored_tables(path):
    """(scenario, variant, table) -> (rows, columns, units, data) from the file."""
    out = {}
    with h5py.File(path, "r") as f:
        for s in f["scenarios"]:
            if "variants" not in f["scenarios"][s]:
                continue
            for v, g in f["scenarios"][s]["variants"].items():
                for t in ["summary", "effectiveness"]:
                    if t in g:
                        ds = g[t]
                        out[(s, v, t)] = (strs(ds.attrs["rows"]), strs(ds.attrs["columns"]),
                                          strs(ds.attrs["units"]), ds[...])
    return out


def same_number(printed, stored):
    if printed is None:
        return not math.isfinite(stored)
    return float(printed) == stored or (math.isnan(stored) and math.isnan(float(printed)))


def check_cli(alvh, path):
    tables = stored_tables(path)
    r = subprocess.run([alvh, "summary", path, "--format", "json"], capture_output=True, text=True)
    check(r.returncode == 0 and r.stderr == "", f"summary json exit {r.returncode}: {r.stderr}")
    doc = json.loads(r.stdout)
    check(doc["run"]["seed"] == 12345 and doc["run"]["isa"] == "scalar", "json run section")
    seen = 0
    for s in doc["scenarios"]:
        for v in s["variants"]:
            for t in ["summary", "effectiveness"]:
                if t not in v:
                    continue
                rows, cols, units, data = tables[(s["name"], v["name"], t)]
                j = v[t]
                check(j["rows"] == rows and j["columns"] == cols and j["units"] == units, f"json labels {t}")
                ok = all(same_number(j["data"][i][k], data[i, k]) for i in range(len(rows)) for k in range(len(cols)))
                check(ok, f"json numbers of {s['name']}/{v['name']}/{t} equal the stored ones")
                seen += 1
    check(seen == len(tables), f"json shows {seen} of {len(tables)} tables")

    r = subprocess.run([alvh, "summary", path, "--format", "csv"], capture_output=True, text=True)
    check(r.returncode == 0, f"summary csv exit {r.returncode}")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    n_values = sum(len(t[0]) * len(t[1]) for t in tables.values())
    check(len(rows) == n_values, f"csv has {len(rows)} values, expected {n_values}")
    for row in rows:
        names, cols, units, data = tables[(row["scenario"], row["variant"], row["table"])]
        i, k = names.index(row["statistic"]), cols.index(row["column"])
        if not (same_number(row["value"], data[i, k]) and row["unit"] == units[i]):
            check(False, f"csv value {row}")
            break

    r = subprocess.run([alvh, "summary", path, "--scenario", "crash", "--format", "json"],
                       capture_output=True, text=True)
    doc = json.loads(r.stdout)
    check([s["name"] for s in doc["scenarios"]] == ["crash"], "--scenario selects one scenario")


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__)
        return 2
    with tempfile.TemporaryDirectory(prefix="alvh_interop.") as d:
        path = os.path.join(d, "sample.h5")
        subprocess.run([sys.argv[1], path, str(N_PATHS)], check=True)
        check(os.listdir(d) == ["sample.h5"], f"only the final file remains: {os.listdir(d)}")
        check_file(path)
        if len(sys.argv) == 3:
            check_cli(sys.argv[2], path)
    print(f"h5_interop: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
