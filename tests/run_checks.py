# SPDX-License-Identifier: BSD-3-Clause
"""Helpers the end-to-end checks share: every dataset of two result files bit
for bit (tests/h5_compare.py), and a run killed with SIGKILL once its first
checkpoint exists, then resumed."""
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def same_datasets(a, b):
    """tests/h5_compare.py: every dataset bit for bit; (equal, its last line)"""
    res = subprocess.run([sys.executable, os.path.join(HERE, "h5_compare.py"), a, b], capture_output=True, text=True)
    return res.returncode == 0, res.stdout.strip().splitlines()[-1:] if res.stdout else res.stderr


def kill_then_resume(run_args, out, resume_args):
    """Starts run_args (an `alvh run ... -o out` writing checkpoints), kills it
    with SIGKILL as soon as out's checkpoint exists, then runs resume_args (the
    same run with --resume). Returns (interrupted before the file was written,
    the resume's return code)."""
    ckpt = out + ".parts/current.ckpt"
    proc = subprocess.Popen(run_args)
    for _ in range(400):
        if os.path.exists(ckpt):
            break
        time.sleep(0.02)
    proc.kill()
    proc.wait()
    interrupted = os.path.exists(ckpt) and not os.path.exists(out)
    res = subprocess.run(resume_args, capture_output=True, text=True)
    return interrupted, res.returncode
