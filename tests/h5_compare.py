#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Compare every dataset of two alvh result files bit for bit (attributes such
as timestamps may differ). Usage: h5_compare.py A.h5 B.h5 [C.h5 ...] (each against A). Exit 0 when all equal."""
import sys

import h5py
import numpy as np


def datasets(f):
    out = {}
    f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return out


def same(x, y):
    """Same type, shape and bits; strings (object arrays) by their text."""
    if x.dtype != y.dtype or x.shape != y.shape:
        return False
    if x.dtype.kind == "O":
        return x.tolist() == y.tolist()
    return x.tobytes() == y.tobytes()



def compare(path_a, path_b):
    with h5py.File(path_a, "r") as a, h5py.File(path_b, "r") as b:
        da, db = datasets(a), datasets(b)
    if sorted(da) != sorted(db):
        print("dataset names differ:", sorted(set(da) ^ set(db)))
        return 1
    bad = [k for k in da if not same(da[k], db[k])]
    for k in bad:
        print("differs:", k)
    print("%s: %d datasets compared, %d differ" % (path_b, len(da), len(bad)))
    return 1 if bad else 0


def main():
    # A.h5 B.h5 [C.h5 ...]: every later file against the first
    return max(compare(sys.argv[1], other) for other in sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
