#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The configurations cite docs/sources.md, which is in the repository: every
`docs/sources.md, "Section"` cited in configs/ and kernels/ names a section of
it, and no file points at facts outside the repository. Usage: sources_check.py SOURCE_DIR"""
import os
import re
import sys

src = sys.argv[1]
sources = open(os.path.join(src, "docs", "sources.md"), encoding="utf-8").read()
sections = set(re.findall(r"^## (.+)$", sources, re.M))
bad = 0
n = 0
for top in ("configs", "kernels", "docs", "tests"):
    for dirpath, _, files in os.walk(os.path.join(src, top)):
        for name in files:
            if not name.endswith((".yaml", ".c", ".h", ".md", ".py", ".sh")):
                continue
            text = open(os.path.join(dirpath, name), encoding="utf-8", errors="replace").read()
            if name == "sources_check.py":
                continue
            for sec in re.findall(r'docs/sources\.md[,:]? "([^"]+)"', text):
                sec = re.sub(r"\s*\n#?\s*", " ", sec)  # a citation wrapped over comment lines
                n += 1
                if sec not in sections:
                    bad += 1
                    print("FAIL %s cites a section docs/sources.md does not have: %r" % (name, sec))
            if re.search(r"\.\./shared/|SCENARIOS\.md", text):
                bad += 1
                print("FAIL %s points at facts outside the repository (../shared, SCENARIOS.md)" % name)
print("sources_check: %d citations, %d problems" % (n, bad))
sys.exit(1 if bad or n < 10 else 0)
