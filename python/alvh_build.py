# SPDX-License-Identifier: BSD-3-Clause
"""A minimal PEP 517 build backend for the pure-Python package alvh: a wheel
is a zip of alvh/*.py plus the dist-info files (PEP 427). Kept in the tree so
that pip builds offline; the metadata is read from pyproject.toml."""
import base64
import hashlib
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def _project():
    import tomllib  # Python 3.11+
    with open(os.path.join(HERE, "pyproject.toml"), "rb") as f:
        return tomllib.load(f)["project"]


def _metadata(p):
    lines = ["Metadata-Version: 2.1", "Name: " + p["name"], "Version: " + p["version"],
             "Summary: " + p["description"], "License: " + p["license"]["text"],
             "Requires-Python: " + p["requires-python"]]
    lines += ["Requires-Dist: " + d for d in p.get("dependencies", [])]
    for extra, deps in p.get("optional-dependencies", {}).items():
        lines.append("Provides-Extra: " + extra)
        lines += ['Requires-Dist: %s; extra == "%s"' % (d, extra) for d in deps]
    return "\n".join(lines) + "\n"


def _record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (name, digest, len(data))


def get_requires_for_build_wheel(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    p = _project()
    dist = "%s-%s" % (p["name"], p["version"])
    files = {}
    pkg = os.path.join(HERE, "alvh")
    for name in sorted(os.listdir(pkg)):
        if name.endswith(".py"):
            with open(os.path.join(pkg, name), "rb") as f:
                files["alvh/" + name] = f.read()
    files[dist + ".dist-info/METADATA"] = _metadata(p).encode()
    files[dist + ".dist-info/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: alvh_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = dist + ".dist-info/RECORD"
    lines = [_record_line(n, d) for n, d in files.items()] + [record + ",,"]
    files[record] = ("\n".join(lines) + "\n").encode()
    wheel = dist + "-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel), "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in files.items():
            z.writestr(zipfile.ZipInfo(n, date_time=(2026, 1, 1, 0, 0, 0)), d)
    return wheel
