#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""alvh report end to end: a small run, then `alvh report FILE -o DIR`. Every
image is a valid PNG that matplotlib decodes, the HTML embeds each of them
(data URI equal to the file's bytes) and has the headline table, and headless
Chromium renders the page to a screenshot that is not blank. A file that is
not an alvh result is refused with exit 2 and one line.
Usage: report_check.py ALVH [CHROMIUM]"""
import base64
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL", what)


def png_ok(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return False
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.image as mpimg
    img = mpimg.imread(path)
    return img.ndim == 3 and img.shape[0] > 50 and img.shape[1] > 50


def main():
    alvh = sys.argv[1]
    chromium = sys.argv[2] if len(sys.argv) > 2 and not sys.argv[2].endswith("NOTFOUND") else shutil.which("chromium")
    d = tempfile.mkdtemp()
    try:
        h5 = os.path.join(d, "r.h5")
        subprocess.run([alvh, "run", "--paths", "1500", "--quiet", "-o", h5], check=True)
        out = os.path.join(d, "rep")
        subprocess.run([alvh, "report", h5, "-o", out], check=True, stdout=subprocess.DEVNULL)
        pngs = sorted(f for f in os.listdir(out) if f.endswith(".png"))
        check(len(pngs) == 5, "5 figures for one scenario, got %s" % pngs)
        for kind in ("pnl_", "layers_", "equity_fan_", "drawdown_", "market_"):
            check(any(p.startswith(kind) for p in pngs), "a %s figure" % kind)
        html = open(os.path.join(out, "report.html"), encoding="utf-8").read()
        for p in pngs:
            check(png_ok(os.path.join(out, p)), "valid PNG " + p)
            m = re.search(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="[^"]*" data-file="%s">'
                          % re.escape(p), html)
            check(m is not None, "HTML embeds " + p)
            if m:
                with open(os.path.join(out, p), "rb") as f:
                    check(base64.b64decode(m.group(1)) == f.read(), "embedded bytes of %s equal the file" % p)
        check(html.count("<img ") == len(pngs), "one image per figure, nothing else")
        check("ES99 (USD)" in html and "P(liquidation), perp" in html and "P(liquidation), borrow" in html,
              "headline table")
        check("<td>nan</td>" not in html, "every headline number found in the file")
        check("src=\"http" not in html and "src=\"file" not in html, "self-contained (no external images)")

        # not an alvh file: exit 2, one line
        bad = os.path.join(d, "bad.h5")
        open(bad, "w").write("not hdf5")
        r = subprocess.run([alvh, "report", bad, "-o", os.path.join(d, "x")], capture_output=True, text=True)
        check(r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and not os.path.exists(
            os.path.join(d, "x")), "bad file refused with one line: %r" % r.stderr)

        if chromium:
            shot = os.path.join(d, "shot.png")
            subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                            "--window-size=1200,1600", "--screenshot=" + shot, "file://" + os.path.join(out, "report.html")],
                           check=True, capture_output=True, timeout=180)
            import matplotlib.image as mpimg
            img = mpimg.imread(shot)[..., :3]
            dark = float(np.mean(img.mean(axis=2) < 0.5))  # text, axes, lines
            check(img.std() > 0.05 and 0.005 < dark < 0.9, "screenshot not blank (std %.3f, dark %.3f)"
                  % (img.std(), dark))
        else:
            check(False, "chromium not found (Debian package chromium, scripts/deps.sh)")
    finally:
        shutil.rmtree(d)
    print("report_check: %d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
