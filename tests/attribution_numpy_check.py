"""Euler attribution, incremental ES and tail composition of a real run,
recomputed with numpy from the per-path rows the file stores (pnl, metrics).

usage: attribution_numpy_check.py ALVH_BINARY
"""
import math
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

CONFIG = """run: {paths: 4000, horizon_years: 0.25, store_paths: true, seed: 3, block_size: 256}
scenarios:
  - name: s
book:
  variants:
    - {name: core, layers: [condor, farm]}
    - {name: full, layers: [condor, vix, farm, perp, puts, calls, borrow], attribution: leave_one_out}
"""


def strs(x):
    return [s.decode() if isinstance(s, bytes) else str(s) for s in x]


def table(ds):
    return dict(zip(strs(ds.attrs["rows"]), range(len(ds.attrs["rows"])))), strs(ds.attrs["columns"]), ds[()]


def es_numpy(loss, level):
    k = max(1, math.ceil(len(loss) * (1 - level) - 1e-9))
    return np.sort(loss)[-k:].mean()


def check(cond, what):
    if not cond:
        print("FAIL:", what)
        sys.exit(1)


def main():
    alvh = sys.argv[1]
    with tempfile.TemporaryDirectory() as d:
        cfg = os.path.join(d, "c.yaml")
        with open(cfg, "w") as f:
            f.write(CONFIG)
        out = os.path.join(d, "r.h5")
        subprocess.run([alvh, "run", cfg, "-o", out, "--threads", "2"], check=True, stdout=subprocess.DEVNULL)
        with h5py.File(out, "r") as f:
            vg = f["scenarios/s/variants"]
            names = sorted(vg.keys())
            check("full-no-vix" in names and "full-no-farm" in names, f"leave-one-out variants written: {names}")
            g = vg["full"]
            pnl = g["pnl"][()]
            loss = -pnl
            n = len(loss)
            rows, cols, a = table(g["attribution"])
            check(cols[-1] == "total" and len(cols) == pnl.shape[1], "attribution columns: layers, cash, total")
            order = np.lexsort((np.arange(n), loss[:, -1]))  # by total loss, ties by path index
            for lv, tag in ((0.99, "99"), (0.999, "99.9")):
                k = max(1, math.ceil(n * (1 - lv) - 1e-9))
                tail = order[-k:]
                want = loss[tail].mean(axis=0)
                got = a[rows[f"es_{tag}_euler"]]
                check(np.allclose(got, want, rtol=1e-12, atol=1e-6), f"es_{tag}_euler vs numpy: {got} {want}")
                check(abs(got[:-1].sum() - got[-1]) <= 1e-9 * abs(got[-1]), f"es_{tag}_euler sums to the total")
                check(abs(got[-1] - es_numpy(loss[:, -1], lv)) <= 1e-9 * abs(got[-1]), "total = the book's ES")
                var = a[rows[f"var_{tag}_euler"]]
                check(abs(var[:-1].sum() - var[-1]) <= 1e-9 * abs(var[-1]), f"var_{tag}_euler sums to VaR")
                check(abs(var[-1] - np.quantile(loss[:, -1], lv)) <= 1e-9 * abs(var[-1]), "VaR as np.quantile")
                for j, layer in enumerate(cols[:7]):
                    other = vg[f"full-no-{layer}"]["pnl"][()]
                    inc = es_numpy(loss[:, -1], lv) - es_numpy(-other[:, -1], lv)
                    check(abs(a[rows[f"es_{tag}_incremental"], j] - inc) <= 1e-9 * max(1.0, abs(inc)),
                          f"es_{tag}_incremental of {layer}")
            # tail composition from the metrics rows
            crow, ccols, c = table(g["tail_composition"])
            met = g["metrics"][()]
            mcols = strs(g["metrics"].attrs["columns"])
            k = max(1, math.ceil(n * 0.01 - 1e-9))
            tail = order[-k:]
            for ev, col in (("exploit", "n_exploits"), ("perp_liquidation", "n_liquidations_perp"),
                            ("borrow_liquidation", "n_liquidations_borrow"), ("condor_stop", "n_stop_outs")):
                share = (met[tail, mcols.index(col)] > 0).mean()
                check(abs(c[crow[ev], ccols.index("worst_1pct")] - share) <= 1e-15, f"tail share of {ev}")
            # tail effectiveness against the baseline (core)
            trow, tcols, t = table(g["tail_effectiveness"])
            base = -vg["core"]["pnl"][()][:, -1]
            red = 1 - es_numpy(loss[:, -1], 0.99) / es_numpy(base, 0.99)
            check(abs(t[trow["es_99"], tcols.index("reduction")] - red) <= 1e-12, "ES99 reduction vs numpy")
            check(strs([g["effectiveness"].attrs["baseline"]])[0] == "core", "effectiveness names its baseline")
    print("attribution numpy check: ok")


if __name__ == "__main__":
    main()
