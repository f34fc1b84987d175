# SPDX-License-Identifier: BSD-3-Clause
"""alvh: read the HDF5 result files of the alvh engine (docs/hdf5_layout.md).

    import alvh
    with alvh.open("default.h5") as r:
        r.scenarios, r.variants(r.scenarios[0])
        r.summary_frame()          # tidy pandas DataFrame of every labelled table
        r.pnl_frame()              # per-path P&L (runs with --store-paths)
        r.dataset(s, v)            # xarray Dataset with named dimensions

Command line: python3 -m alvh summary FILE.h5, python3 -m alvh report FILE.h5 -o DIR.
"""
from .results import FORMAT_NAME, LAYOUT_VERSIONS, FormatError, ResultFile, Table, open  # noqa: F401

__version__ = "0.1.0"
