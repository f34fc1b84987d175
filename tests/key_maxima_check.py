#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Every model and book key with a closed numeric maximum, set alone to that
maximum on the built-in default (256 paths, a quarter year), must either run
to finite results (exit 0, every variant's total mean finite, no NaN/Inf
counted) or be refused up front (exit 2, one message, no result file and no
parts directory left). Exit 1, a crash, a hang or a non-finite result fails:
the documented range is then wider than what the model can take
(docs/reliability.md, "every key at its documented maximum").
Usage: key_maxima_check.py ALVH ALVH_CONFIG_DOC"""
import csv
import io
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

# sections whose keys are model or book parameters; run-level keys size the
# job (their maxima are the memory budget's business, tested in test_hostile)
PREFIX = {"spx": "scenarios.0.spx", "token": "scenarios.0.token", "funding": "scenarios.0.funding",
          "eth": "scenarios.0.eth"}
SKIP_SECTIONS = ("run", "scenarios[]", "injections[]", "book.variants[]", "book.sweeps[]",
                 "book.reverse_stress[]")
RANGE = re.compile(r"^[\[(]\s*([^,]+),\s*([^\])]+)\]")


def keys_at_maximum(doc):
    section, out = None, []
    for line in doc.splitlines():
        m = re.match(r"^### `([^`]+)`", line)
        if m:
            section = m.group(1)
            continue
        m = re.match(r"^\| `([^`]+)` \| ([^|]+) \| [^|]* \| ([^|]*) \|", line)
        if not m or section is None or section in SKIP_SECTIONS:
            continue
        key, typ, rng = m.group(1), m.group(2).strip(), m.group(3).strip()
        if not typ.startswith(("number", "whole number")):
            continue
        r = RANGE.match(rng)
        if not r:
            continue
        try:
            hi = float(r.group(2))
        except ValueError:
            continue
        if not math.isfinite(hi):
            continue
        prefix = PREFIX.get(section, section)
        out.append((f"{prefix}.{key}", r.group(2).strip()))
    return out


def check_result(alvh, path):
    s = subprocess.run([alvh, "summary", path, "--format", "csv"], capture_output=True, text=True, timeout=60)
    if s.returncode != 0:
        return f"summary exit {s.returncode}: {s.stderr.strip()}"
    bad = []
    for row in csv.DictReader(io.StringIO(s.stdout)):
        if row["table"] != "summary":
            continue
        if row["statistic"] in ("n_nan", "n_inf") and float(row["value"]) != 0.0:
            bad.append(f"{row['variant']} {row['statistic']} {row['column']} = {row['value']}")
        if row["statistic"] == "mean" and row["column"] == "total" and not math.isfinite(float(row["value"])):
            bad.append(f"{row['variant']} mean total = {row['value']}")
    return "; ".join(bad[:4])


def main():
    alvh, doc_bin = os.path.abspath(sys.argv[1]), sys.argv[2]
    doc = subprocess.run([doc_bin], capture_output=True, text=True, check=True).stdout
    keys = keys_at_maximum(doc)
    if len(keys) < 50:
        print(f"only {len(keys)} keys with a closed maximum found: the table format changed?")
        return 1
    d = tempfile.mkdtemp()
    failures, ran, refused = [], 0, 0
    try:
        for key, hi in keys:
            out = os.path.join(d, "k.h5")
            cmd = [alvh, "run", "--quiet", "--paths", "256", "--threads", "1", "--set", "run.horizon_steps=63",
                   "--set", f"{key}={hi}", "-o", out]
            try:
                p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
            except subprocess.TimeoutExpired:
                failures.append(f"{key}={hi}: no exit within 120 s")
                continue
            left = [f for f in os.listdir(d)]
            if p.returncode == 0:
                ran += 1
                why = check_result(alvh, out)
                if why:
                    failures.append(f"{key}={hi}: {why}")
            elif p.returncode == 2:
                refused += 1
                msg = p.stderr.strip().splitlines()
                if not msg or left:
                    failures.append(f"{key}={hi}: exit 2 with message {msg!r}, left {left}")
            else:
                failures.append(f"{key}={hi}: exit {p.returncode}: {p.stderr.strip()[-300:]}")
            for f in os.listdir(d):
                full = os.path.join(d, f)
                shutil.rmtree(full) if os.path.isdir(full) else os.remove(full)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    print(f"{len(keys)} keys at their maximum: {ran} ran finite, {refused} refused up front, {len(failures)} failed")
    for f in failures:
        print("  FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
