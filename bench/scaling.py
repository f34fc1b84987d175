#!/usr/bin/env python3
"""Strong and weak scaling of `alvh run` over OpenMP threads and MPI ranks.

usage: scaling.py ALVH [--paths N] [--workers 1,2] [--config FILE] [--repeat R]

Strong scaling: the same run (N paths of the configuration) on w workers;
weak scaling: N x w paths on w workers. A worker is a thread of one process
(--threads w) or a rank of one thread each (mpirun -np w --threads 1, when
alvh is built with MPI and mpirun is on PATH). Each point is the best wall
time of R runs (the noise of a shared machine only adds time); efficiency is
t(1) / (w t(w)) for strong scaling and t(1) / t(w) for weak. Prints one JSON
object. On a cluster, run it inside an allocation with --workers up to the
cores of a node (threads) and the ranks of the allocation.
"""
import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time


def alvh_has_mpi(alvh):
    out = subprocess.run([alvh, "--version"], capture_output=True, text=True).stdout
    return "mpi yes" in out and shutil.which("mpirun") is not None


def run_once(alvh, cfg, paths, workers, mode, out):
    base = [alvh, "run"] + ([cfg] if cfg else []) + ["--paths", str(paths), "-o", out, "--quiet"]
    if mode == "threads":
        cmd = base + ["--threads", str(workers)]
    else:
        cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", str(workers)] + base + ["--threads", "1"]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def series(alvh, cfg, paths, workers, mode, repeat, weak, tmp):
    points = []
    for w in workers:
        n = paths * w if weak else paths
        best = min(run_once(alvh, cfg, n, w, mode, os.path.join(tmp, "s.h5")) for _ in range(repeat))
        points.append({"workers": w, "paths": n, "wall_seconds": round(best, 3)})
    t1 = points[0]["wall_seconds"]
    for p in points:
        w = p["workers"] / points[0]["workers"]
        p["efficiency"] = round(t1 / p["wall_seconds"] if weak else t1 / (w * p["wall_seconds"]), 3)
    return points


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("alvh")
    ap.add_argument("--paths", type=int, default=20000)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--config", default=None, help="default: the built-in default configuration")
    ap.add_argument("--repeat", type=int, default=2)
    a = ap.parse_args()
    workers = [int(w) for w in a.workers.split(",")]
    modes = ["threads"] + (["ranks"] if alvh_has_mpi(a.alvh) else [])
    res = {"machine": platform.processor() or platform.machine(), "cpus": os.cpu_count(),
           "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "config": a.config or "built-in default",
           "paths": a.paths, "repeat": a.repeat}
    with tempfile.TemporaryDirectory() as tmp:
        for mode in modes:
            res["strong_" + mode] = series(a.alvh, a.config, a.paths, workers, mode, a.repeat, False, tmp)
            res["weak_" + mode] = series(a.alvh, a.config, a.paths, workers, mode, a.repeat, True, tmp)
    json.dump(res, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
