#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Peer benchmark: numpy's Generator(PCG64) standard normals and uniforms.

One thread, into a preallocated buffer (out=), best of several repetitions, the
way a competent numpy user would generate them. Prints one JSON object.
Run with Debian's interpreter (/usr/bin/python3), which sees python3-numpy.
"""
import argparse
import json
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402


def rate(fill, buf, min_seconds):
    """Best numbers/s over repetitions that together last at least min_seconds."""
    best, spent = 0.0, 0.0
    while spent < min_seconds:
        t0 = time.perf_counter()
        fill(out=buf)
        dt = time.perf_counter() - t0
        spent += dt
        best = max(best, buf.size / dt)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=1 << 20, help="numbers per call")
    ap.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    args = ap.parse_args()
    gen = np.random.Generator(np.random.PCG64(12345))
    buf = np.empty(args.n)
    gen.standard_normal(out=buf)  # warm up pages and caches
    result = {
        "peer": "numpy",
        "numpy": np.__version__,
        "bit_generator": "PCG64",
        "n_per_call": args.n,
        "normals_per_s": rate(gen.standard_normal, buf, args.seconds),
        "uniforms_per_s": rate(gen.random, buf, args.seconds),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
