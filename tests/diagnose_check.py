#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Runs `alvh diagnose --json` on the calm market and two spike scenarios and checks that every
fact with a target lies inside its stated tolerance band, that each scenario has the facts it is
calibrated to, that standard errors are finite and small next to the band, and that bad input
exits 2 with one message. Usage: diagnose_check.py path/to/alvh configs_dir"""
import json
import math
import os
import subprocess
import sys

alvh, configs = sys.argv[1], sys.argv[2]
# the facts each scenario must carry a target for (docs/market_model.md, "Calibration targets")
required = {
    "calm": {"vix_median", "vix_p05", "vix_p95", "vix_vix3m_median", "spx_realized_vol",
             "token_realized_vol", "token_excess_kurtosis", "token_worst_day", "corr_token_eth",
             "corr_eth_spx", "token_p_minus90_year"},
    "yen_carry_aug_2024": {"vix_vix3m_spike", "vix_6d_after_spike", "corr_token_eth"},
    "aug_2015": {"vix_vix3m_spike", "days_to_vix_below_20", "corr_token_eth"},
}
failures = 0


def fail(msg):
    global failures
    failures += 1
    print("FAIL", msg)


for name, need in required.items():
    path = os.path.join(configs, "scenarios", name + ".yaml")
    out = subprocess.run([alvh, "diagnose", path, "--json", "--paths", "6000", "--threads", "2"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        fail(f"{name}: exit {out.returncode}: {out.stderr.strip()}")
        continue
    res = json.loads(out.stdout)
    facts = {f["name"]: f for f in res["facts"]}
    have = {n for n, f in facts.items() if "target" in f}
    if have != need:
        fail(f"{name}: facts with targets {sorted(have)}, expected {sorted(need)}")
    for n in sorted(have):
        f = facts[n]
        v, se, lo, hi = f["value"], f["se"], f["lo"], f["hi"]
        inside = v is not None and lo <= v <= hi
        # the band must be wider than the Monte Carlo noise, else the check is a coin toss
        noisy = se is None or not math.isfinite(se) or se > (hi - lo) / 8
        print(f"# {name:20s} {n:24s} {v!s:>10.8} se {se!s:>9.3} in [{lo}, {hi}] {'ok' if inside else 'OUT'}")
        if not inside:
            fail(f"{name}: {n} = {v} outside [{lo}, {hi}] ({f['source']})")
        if noisy and n != "days_to_vix_below_20":
            fail(f"{name}: {n} standard error {se} is not small next to its band")

# bad input: exit 2, one message, nothing on stdout
for args in (["diagnose"], ["diagnose", os.path.join(configs, "scenarios", "calm.yaml"), "--scenario", "nope"],
             ["diagnose", os.path.join(configs, "scenarios", "calm.yaml"), "--paths", "3"]):
    out = subprocess.run([alvh] + args, capture_output=True, text=True)
    if out.returncode != 2 or out.stdout or "alvh diagnose:" not in out.stderr:
        fail(f"{' '.join(args)}: exit {out.returncode}, stdout {out.stdout[:60]!r}")
print("diagnose checks:", "all passed" if failures == 0 else f"{failures} failed")
sys.exit(1 if failures else 0)
