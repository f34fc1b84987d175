#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The stress injections of alvh result files, read back from the sample paths.

For every scenario of every file given: the injections listed in the file's
resolved configuration (root attribute `config`) are on every sample path, i.e.
an injection at `day: d` forces the move from step d to step d + 1 (sample
column d + 1 against column d; engine/market_sim.c applies it after the step's
stochastic move): SPX and token simple returns, the VIX level and the funding
rate equal the injected values to 1e-9. Then, for the scenarios of the library
(configs/scenarios/), the historical day moves of docs/sources.md are found on
the sample paths in chronological order, and the starting VIX where the
episode gives it, so a config edit that drops or reorders a historical day
fails here.

Usage: scenario_injections.py FILE.h5... (exit 0 when every check passes).
"""
import sys

import h5py
import numpy as np
import yaml

TOL = 1e-9
COL = {"spx": 0, "vix": 1, "token": 2, "variance": 3, "funding": 4}

# docs/sources.md figures per library scenario, one dict per day in date order.
HISTORY = {
    "black_monday_1987": [{"spx": -0.0516}, {"spx": -0.2047, "vix": 150.19}, {"spx": 0.0910}],
    "aug_2015": [{"spx": -0.0319, "vix": 28.03}, {"spx": -0.0394, "vix": 40.74}],
    "volmageddon_feb_2018": [{"spx": -0.0410, "vix": 37.32}, {"spx": -0.0375}],
    "covid_mar_2020": [{"spx": -0.0760}, {"spx": -0.0951, "token": -0.559}, {"funding": -1.39},
                       {"spx": -0.1198, "vix": 82.69}],
    "crypto_winter_2022": [{"spx": -0.0432}, {"token": -0.150}, {"token": -0.175}],
    "yen_carry_aug_2024": [{"spx": -0.0300, "vix": 38.57, "token": -0.100}],
    "tariff_apr_2025": [{"vix": 21.51}, {"spx": -0.0484}, {"spx": -0.0597, "vix": 45.31}, {"vix": 52.33},
                        {"spx": 0.0952}],
    "governance_attack": [{"token": -0.577}],
    "contentious_vote": [{"token": -0.13}, {"token": -0.09}],
    "fee_switch_rally": [{"token": 0.65}, {"token": -0.09}],
    "protocol_exploit": [{"token": -0.175}],
    "funding_squeeze": [{"funding": -1.39}],
}
START_VIX = {"aug_2015": 19.14, "volmageddon_feb_2018": 17.31, "covid_mar_2020": 14.38, "yen_carry_aug_2024": 23.39}

failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL", what)


def moves(p, d):
    """The observable moves of step d on every sample path (arrays over paths)."""
    return {
        "spx": p[:, d + 1, COL["spx"]] / p[:, d, COL["spx"]] - 1.0,
        "token": p[:, d + 1, COL["token"]] / p[:, d, COL["token"]] - 1.0,
        "vix": p[:, d + 1, COL["vix"]],
        "funding": p[:, d + 1, COL["funding"]],
    }


def matches(p, d, want):
    m = moves(p, d)
    return all(np.all(np.abs(m[k] - v) <= TOL) for k, v in want.items())


KEYS = {"spx_ret": "spx", "token_ret": "token", "vix": "vix", "funding_ann": "funding"}


def check_file(path):
    with h5py.File(path, "r") as f:
        cfg = yaml.safe_load(f.attrs["config"])
        by_name = {s["name"]: s for s in cfg["scenarios"]}
        for name in f["scenarios"]:
            p = f[f"scenarios/{name}/market/sample_paths"][()]
            check(p.ndim == 3 and p.shape[0] > 0 and p.shape[2] == 6, f"{path}:{name}: sample paths {p.shape}")
            if p.ndim != 3 or p.shape[0] == 0:
                continue
            injections = by_name[name]["injections"]
            for inj in injections:
                d = inj["day"]
                want = {KEYS[k]: v for k, v in inj.items() if k in KEYS and v is not None}
                m = moves(p, d)
                for k, v in want.items():
                    err = float(np.max(np.abs(m[k] - v)))
                    check(err <= TOL, f"{path}:{name}: day {d} {k}: injected {v}, max error {err:.3g} "
                                      f"over {p.shape[0]} sample paths")
            # the historical days, in order, at strictly increasing steps
            n_steps = p.shape[1] - 1
            d = 0
            for day in HISTORY.get(name, []):
                d0 = d
                while d < n_steps and not matches(p, d, day):
                    d += 1
                check(d < n_steps, f"{path}:{name}: historical day {day} not found (in order) on the sample paths")
                d = d + 1 if d < n_steps else d0  # a missing day does not hide the later ones
            if name in START_VIX:
                check(np.all(np.abs(p[:, 0, COL["vix"]] - START_VIX[name]) <= TOL),
                      f"{path}:{name}: starting VIX {p[0, 0, COL['vix']]}, expected {START_VIX[name]}")
            n_inj = len(injections)
            print(f"{path}: {name}: {n_inj} injection{'s' if n_inj != 1 else ''} on {p.shape[0]} sample paths, "
                  f"{len(HISTORY.get(name, []))} historical days in order")


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    for path in sys.argv[1:]:
        check_file(path)
    print(f"{failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
