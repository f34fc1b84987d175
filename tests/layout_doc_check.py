#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""docs/hdf5_layout.md against real files: every group and dataset of an
exact-mode run (with --store-paths) and of a histogram-mode run matches a
line of the documented tree, every line of the tree occurs in one of them,
and the root and scenario attribute tables list exactly the attributes the
files have. Usage: layout_doc_check.py ALVH SOURCE_DIR"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import h5py

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL", what)


def doc_parts(path):
    text = open(path, encoding="utf-8").read()
    tree = text[text.index("## Tree"):]
    tree = tree[tree.index("```\n") + 4:]
    tree = tree[:tree.index("```")]
    patterns = []
    for line in tree.splitlines():
        if not line.startswith("/"):
            continue
        p = line.split()[0].rstrip("/") or "/"
        rx = re.escape(p)
        for ph in ("<s>", "<v>", "<q>", "<series>", "<table>", "<param>", "<k>"):
            rx = rx.replace(re.escape(ph), "[^/]+")
        patterns.append((p, re.compile("^" + rx + "$")))

    def table_names(heading):
        sec = text[text.index(heading):]
        sec = sec[:sec.index("\n\n", sec.index("|---"))]
        names = set()
        for row in sec.splitlines()[2:]:
            names.update(re.findall(r"`([a-z_0-9]+)`", row.split("|")[1]))
        return names
    return patterns, table_names("## Root attributes"), table_names("Scenario attributes (")


def is_parent(obj, pattern):
    """obj is a group on the way to the documented pattern (placeholders match one component)."""
    oc, pc = obj.strip("/").split("/"), pattern.strip("/").split("/")
    return len(oc) < len(pc) and all(
        q == c or re.fullmatch(re.escape(q).replace(re.escape("<s>"), "[^/]+").replace(re.escape("<v>"), "[^/]+")
                               .replace(re.escape("<q>"), "[^/]+"), c) for c, q in zip(oc, pc))


def objects(path):
    out = []
    with h5py.File(path, "r") as f:
        f.visit(lambda name: out.append("/" + name))
        root = set(f.attrs)
        scen = set(f["scenarios"][list(f["scenarios"])[0]].attrs)
    return out, root, scen


def main():
    alvh, src = sys.argv[1], sys.argv[2]
    patterns, root_doc, scen_doc = doc_parts(os.path.join(src, "docs", "hdf5_layout.md"))
    d = tempfile.mkdtemp()
    try:
        exact, hist = os.path.join(d, "e.h5"), os.path.join(d, "h.h5")
        subprocess.run([alvh, "run", "--paths", "1500", "--store-paths", "--set", "run.horizon_steps=30", "--quiet",
                        "-o", exact], check=True)
        subprocess.run([alvh, "run", "--paths", "1500", "--summaries", "histogram", "--set", "run.horizon_steps=30",
                        "--quiet", "-o", hist], check=True)
        # a tilt adds the weighted histogram counts, antithetic pairs the antithetic tables
        tilted = os.path.join(d, "t.h5")
        subprocess.run([alvh, "run", "--paths", "600", "--set", "run.horizon_steps=30", "--set",
                        "scenarios.calm.importance.exploit=10", "--set", "run.antithetic=true", "--quiet", "-o",
                        tilted], check=True)
        # the studies' tables (sweep_<param>, reverse_stress_<k>) come from configs/studies.yaml
        studies = os.path.join(d, "s.h5")
        subprocess.run([alvh, "run", os.path.join(src, "configs", "studies.yaml"), "--paths", "300", "--quiet",
                        "-o", studies], check=True)
        seen = set()
        for path in (exact, hist, studies, tilted):
            objs, root, scen = objects(path)
            for o in objs:
                hits = [p for p, rx in patterns if rx.match(o)]
                prefix = any(is_parent(o, p) for p, _ in patterns)
                check(hits or prefix, "%s: %s is not in the documented tree" % (os.path.basename(path), o))
                seen.update(hits)
            check(root == root_doc, "root attributes: file %s, doc %s" % (sorted(root), sorted(root_doc)))
            check(scen == scen_doc, "scenario attributes: file %s, doc %s" % (sorted(scen), sorted(scen_doc)))
        for p, _ in patterns:
            check(p == "/" or p in seen, "documented %s occurs in neither file" % p)
    finally:
        shutil.rmtree(d)
    print("layout_doc_check: %d patterns, %d failures" % (len(patterns), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
