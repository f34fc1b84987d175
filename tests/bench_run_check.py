#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""`alvh bench --run-paths N`: a whole run of the default configuration is
timed, its phases add up to its wall time, the kernels-alone time is reported,
and the temporary output is gone afterwards. Usage: bench_run_check.py ALVH ALVH_BENCH"""
import json
import os
import subprocess
import sys
import tempfile

PHASES = ["market", "book", "fans", "stats", "hdf5", "checkpoint", "other"]


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def main():
    alvh, alvh_bench = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, TMPDIR=tmp)
        p = subprocess.run([alvh, "bench", "--json", "--run-paths", "3000", "--run-only", "--threads", "2"],
                           capture_output=True, text=True, env=env)
        if p.returncode != 0:
            fail("bench exited %d: %s" % (p.returncode, p.stderr))
        r = json.loads(p.stdout)
        if os.listdir(tmp):
            fail("temporary output left behind: %s" % os.listdir(tmp))
    if r["run_paths_measured"] != 3000 or r["book_paths_measured"] != 3000:
        fail("paths not reported: %s" % r)
    run, book = r["run_seconds_measured"], r["book_seconds_measured"]
    if not (run > 0 and book > 0):
        fail("times not positive: run %s, book %s" % (run, book))
    if abs(r["run_vs_book"] - run / book) > 1e-3 * run / book:
        fail("run_vs_book %s != %s / %s" % (r["run_vs_book"], run, book))
    secs = {k: r["run_phase_seconds_" + k] for k in PHASES}
    shares = {k: r["run_phase_share_" + k] for k in PHASES}
    if abs(sum(secs.values()) - run) > 1e-3 * run + 1e-4:
        fail("phase seconds %s do not add up to the run's %s s" % (secs, run))
    if abs(sum(shares.values()) - 1.0) > 2e-3:
        fail("phase shares %s do not add up to 1" % shares)
    # every phase the default run has took time; no checkpoint is written in a short run
    for k in ["market", "book", "fans", "stats", "hdf5"]:
        if not secs[k] > 0:
            fail("phase %s has no time: %s" % (k, secs))
    if secs["checkpoint"] != 0:
        fail("a checkpoint phase in a run too short to checkpoint: %s" % secs)
    if not secs["book"] > secs["stats"]:
        fail("book kernels cheaper than the statistics of 3000 paths? %s" % secs)
    if r["run_repeats"] != 1 or r["run_seconds_each"] != [run] or r["book_seconds_each"] != [book]:
        fail("one repeat by default: %s" % {k: r[k] for k in ("run_repeats", "run_seconds_each", "book_seconds_each")})
    # --run-repeats K: the fastest run (its phases) and the fastest kernels alone of K alternating pairs
    with tempfile.TemporaryDirectory() as tmp:
        p = subprocess.run([alvh, "bench", "--json", "--run-paths", "2000", "--run-only", "--run-repeats", "3"],
                           capture_output=True, text=True, env=dict(os.environ, TMPDIR=tmp))
        if p.returncode != 0:
            fail("bench --run-repeats 3 exited %d: %s" % (p.returncode, p.stderr))
        k = json.loads(p.stdout)
        if os.listdir(tmp):
            fail("temporary output left behind by the repeats: %s" % os.listdir(tmp))
    runs, books = k["run_seconds_each"], k["book_seconds_each"]
    if k["run_repeats"] != 3 or len(runs) != 3 or len(books) != 3 or not all(x > 0 for x in runs + books):
        fail("three repeats expected: %s" % k)
    if k["run_seconds_measured"] != min(runs) or k["book_seconds_measured"] != min(books):
        fail("not the fastest of the repeats: run %s of %s, book %s of %s"
             % (k["run_seconds_measured"], runs, k["book_seconds_measured"], books))
    ksecs = sum(k["run_phase_seconds_" + x] for x in PHASES)
    if abs(ksecs - min(runs)) > 1e-3 * min(runs) + 1e-4:
        fail("the phases are not those of the fastest run: %s vs %s" % (ksecs, min(runs)))
    # the misuse paths: one message, exit 2
    for cmd in ([alvh, "bench", "--run-only"], [alvh, "bench", "--run-paths", "1.5"],
                [alvh, "bench", "--run-paths", "0"], [alvh_bench, "--run-paths", "10", "--run-only"],
                [alvh, "bench", "--run-paths", "10", "--run-only", "--run-repeats", "0"],
                [alvh, "bench", "--run-paths", "10", "--run-only", "--run-repeats", "11"]):
        q = subprocess.run(cmd, capture_output=True, text=True)
        if q.returncode != 2 or "alvh bench:" not in q.stderr:
            fail("%s: exit %d, stderr %r" % (" ".join(cmd[1:]), q.returncode, q.stderr[:200]))
    print("bench --run-paths: run %.3f s, book alone %.3f s, shares %s" % (run, book, shares))
    return 0


if __name__ == "__main__":
    sys.exit(main())
