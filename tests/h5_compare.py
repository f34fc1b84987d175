#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Compare every dataset of two alvh result files bit for bit (attributes such
as timestamps may differ). Usage: h5_compare.py A.h5 B.h5. Exit 0 when equal."""
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


def main():
    with h5py.File(sys.argv[1], "r") as a, h5py.File(sys.argv[2], "r") as b:
        da, db = datasets(a), datasets(b)
    if sorted(da) != sorted(db):
        print("dataset names differ:", sorted(set(da) ^ set(db)))
        return 1
    bad = [k for k in da if not same(da[k], db[k])]
    for k in bad:
        print("differs:", k)
    print("%d datasets compared, %d differ" % (len(da), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
