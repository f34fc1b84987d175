#!/usr/bin/env python3
"""Bit flips in a result file (tests/h5_sample_writer's, 200 paths): N seeded
single-bit flips anywhere in the file and N more inside the stored data
chunks. `alvh summary --format csv` must never crash, hang or exit with
anything but 0 or 2; a flip inside stored data (covered by Fletcher-32) must
never change the printed output silently. Flips elsewhere that change the
output without an error (metadata HDF5 does not checksum) are counted and
printed, not failed: docs/reliability.md gives the measured figure.
Usage: h5_bitflip.py H5_SAMPLE_WRITER ALVH [N]"""
import os
import random
import subprocess
import sys
import tempfile

import h5py


def summary(alvh, path):
    p = subprocess.run([alvh, "summary", path, "--format", "csv"], capture_output=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def main():
    writer, alvh = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    with tempfile.TemporaryDirectory() as d:
        good = os.path.join(d, "good.h5")
        subprocess.run([writer, good, "200"], check=True)
        rc, ref, _ = summary(alvh, good)
        assert rc == 0, "summary of the intact file failed"
        data = open(good, "rb").read()
        ranges = chunk_ranges(good)
        rng = random.Random(20261201)
        bad = os.path.join(d, "bad.h5")
        failed = 0
        for where in ("anywhere", "in stored data"):
            same = refused = silent = crashed = 0
            for _ in range(n):
                if where == "anywhere":
                    pos = rng.randrange(len(data))
                else:
                    start, size = rng.choice(ranges)
                    pos = start + rng.randrange(size)
                bit = rng.randrange(8)
                b = bytearray(data)
                b[pos] ^= 1 << bit
                open(bad, "wb").write(b)
                try:
                    rc, out, err = summary(alvh, bad)
                except subprocess.TimeoutExpired:
                    rc, out, err = -999, b"", b"timeout"
                if rc not in (0, 2):
                    crashed += 1
                    print("crash or hang: exit %d at byte %d bit %d: %s" % (rc, pos, bit, err[:200]))
                elif rc != 0:
                    refused += 1
                elif out == ref:
                    same += 1
                else:
                    silent += 1
                    print("%s: output changed without an error: byte %d bit %d" % (where, pos, bit))
            print("%d flips %s: %d unchanged output, %d refused with a message, %d silently changed, %d crashes"
                  % (n, where, same, refused, silent, crashed))
            failed += crashed + (silent if where != "anywhere" else 0)
        return 1 if failed else 0


def chunk_ranges(path):
    """(offset, size) of the stored data of every dataset (chunks, or the
    contiguous block of an unchunked one): the bytes Fletcher-32 covers."""
    out = []
    with h5py.File(path, "r") as f:
        def visit(_, obj):
            if isinstance(obj, h5py.Dataset) and obj.chunks:
                for i in range(obj.id.get_num_chunks()):
                    c = obj.id.get_chunk_info(i)
                    out.append((c.byte_offset, c.size))
            elif isinstance(obj, h5py.Dataset) and obj.id.get_offset() is not None:
                out.append((obj.id.get_offset(), obj.id.get_storage_size()))
        f.visititems(visit)
    return out


if __name__ == "__main__":
    sys.exit(main())
