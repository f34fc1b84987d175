#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Injections with `days: N` (io/config_inject.c): the total return is spread
as N equal log returns, levels are reached on the last day, and the resolved
configuration holds the single days. Usage: multiday_check.py ALVH CONFIG"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np
import yaml

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL", what)


def main():
    alvh, cfg = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "m.h5")
        subprocess.run([alvh, "run", cfg, "--quiet", "-o", out], check=True)
        with h5py.File(out, "r") as f:
            inj = yaml.safe_load(f.attrs["config"])["scenarios"][0]["injections"]
            x = f["scenarios/calm/market/sample_paths"][()]
            steps = list(f["scenarios/calm"].attrs["injection_steps"])
        check([i["day"] for i in inj] == [10, 11, 12, 13, 14, 22] and all(i["days"] == 1 for i in inj),
              "resolved config: single days 10-14 and 22 (the funding level on the last day only), got %s"
              % [(i["day"], i["days"]) for i in inj])
        check(steps == [10, 11, 12, 13, 14, 22], "injection_steps attribute %s" % steps)
        spx = x[:, 15, 0] / x[:, 10, 0]
        tok = x[:, 15, 2] / x[:, 10, 2]
        check(np.allclose(spx, 0.8, rtol=1e-12, atol=0), "SPX over the five days: %s" % spx)
        check(np.allclose(tok, 0.5, rtol=1e-12, atol=0), "token over the five days: %s" % tok)
        daily = x[:, 11:16, 0] / x[:, 10:15, 0]
        check(np.allclose(daily, 0.8 ** 0.2, rtol=1e-12, atol=0), "equal daily SPX returns")
        check(np.allclose(x[:, 15, 1], 40.0, rtol=1e-9), "VIX 40 at the end of the window")
        check(not np.allclose(x[:, 14, 1], 40.0, rtol=1e-9), "VIX not forced before the last day")
        check(np.allclose(x[:, 23, 4], -0.8, rtol=1e-12), "funding level at the end of its window")
        r = subprocess.run([alvh, "run", cfg, "--set", "scenarios.calm.injections.1.days=0", "-o",
                            os.path.join(d, "x.h5")], capture_output=True, text=True)
        check(r.returncode == 2 and "injections[1].days: expected a whole number in [1, 10000], got 0" in r.stderr,
              "days: 0 refused: %r" % r.stderr)
    print("multiday_check: %d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
