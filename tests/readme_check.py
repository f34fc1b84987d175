#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Runs the code blocks of the README's "Reading the results" section and of
the "Reading" section of docs/hdf5_layout.md, in order, in an empty directory
(sh blocks with bash -e and `alvh` on PATH, python blocks with this
interpreter and the package in place). Fails when any block fails.
Usage: readme_check.py ALVH SOURCE_DIR"""
import os
import re
import shutil
import subprocess
import sys
import tempfile


def section_blocks(path, heading):
    text = open(path, encoding="utf-8").read()
    start = text.index(heading + "\n")
    end = text.find("\n## ", start + len(heading))
    body = text[start:end if end > 0 else len(text)]
    return re.findall(r"```(sh|python)\n(.*?)```", body, re.S)


def main():
    alvh, src = os.path.abspath(sys.argv[1]), sys.argv[2]
    blocks = section_blocks(os.path.join(src, "README.md"), "## Reading the results")
    blocks += section_blocks(os.path.join(src, "docs", "hdf5_layout.md"), "## Reading")
    d = tempfile.mkdtemp()
    failures = 0
    try:
        os.symlink(os.path.join(src, "python"), os.path.join(d, "python"))
        # python3 in the blocks is this interpreter (Debian packages are seen by /usr/bin/python3 only)
        path = os.pathsep.join([os.path.dirname(alvh), os.path.dirname(sys.executable), os.environ["PATH"]])
        env = dict(os.environ, PATH=path,
                   PYTHONPATH=os.path.join(src, "python"))
        for i, (lang, code) in enumerate(blocks):
            cmd = ["bash", "-e", "-o", "pipefail", "-c", code] if lang == "sh" else [sys.executable, "-c", code]
            r = subprocess.run(cmd, cwd=d, env=env, capture_output=True, text=True, timeout=600)
            # `| head` may close the pipe early: SIGPIPE of the writer is not a failure
            if r.returncode != 0 and not (lang == "sh" and r.returncode == 141):
                failures += 1
                print("FAIL block %d (%s):\n%s\n--- stderr:\n%s" % (i, lang, code, r.stderr[-2000:]))
        print("readme_check: %d blocks, %d failed" % (len(blocks), failures))
        return 1 if failures or len(blocks) < 5 else 0
    finally:
        shutil.rmtree(d)


if __name__ == "__main__":
    sys.exit(main())
