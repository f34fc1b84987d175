# SPDX-License-Identifier: BSD-3-Clause
"""Reading alvh result files (docs/hdf5_layout.md) with h5py and numpy.

pandas and xarray are imported only by the methods that return their types,
so the module works with h5py and numpy alone.
"""
import h5py
import numpy as np

FORMAT_NAME = "alvh-result"
LAYOUT_VERSIONS = (1, 2, 3, 4, 5, 6, 7, 8, 9)  # what this package reads
TABLES = ("summary", "risk", "effectiveness", "summary_bound", "risk_bound", "effectiveness_bound",
          "tail_effectiveness", "attribution", "tail_composition", "importance",
          "control_variates", "antithetic")  # from tail_effectiveness on: layouts 3-8, exact summaries


class FormatError(ValueError):
    """The file is not an alvh result file of a layout version this package reads."""


def _text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def _children(group):
    """Link names in creation order (alvh files track it), else by name."""
    names = []
    try:
        group.id.links.iterate(lambda n: names.append(n.decode()), idx_type=h5py.h5.INDEX_CRT_ORDER)
    except (ValueError, RuntimeError, KeyError):
        names = list(group)
    return names


class Table:
    """A labelled table: data[r, c] is statistic rows[r] of column columns[c]."""

    def __init__(self, dset):
        self.name = dset.name.rsplit("/", 1)[-1]
        self.data = dset[()]
        self.rows = [_text(r) for r in dset.attrs["rows"]]
        self.columns = [_text(c) for c in dset.attrs["columns"]]
        self.units = [_text(u) for u in dset.attrs["units"]]
        self.attrs = {k: v for k, v in dset.attrs.items() if k not in ("rows", "columns", "units")}

    def value(self, row, column):
        return float(self.data[self.rows.index(row), self.columns.index(column)])

    def row(self, row):
        return dict(zip(self.columns, self.data[self.rows.index(row)].tolist()))


class ResultFile:
    """An alvh result file opened read-only. Use as a context manager or call close()."""

    def __init__(self, path):
        self.path = str(path)
        try:
            self._f = h5py.File(self.path, "r")
        except OSError as e:
            raise FormatError("%s: cannot open as HDF5 (%s)" % (self.path, e)) from None
        a = self._f.attrs
        fmt = _text(a["alvh_format"]) if "alvh_format" in a else None
        if fmt != FORMAT_NAME:
            self._f.close()
            raise FormatError("%s: not an alvh result file (alvh_format %r)" % (self.path, fmt))
        version = int(a.get("alvh_layout_version", -1))
        if version not in LAYOUT_VERSIONS:
            self._f.close()
            raise FormatError("%s: alvh_layout_version %d is not one this package reads (%s)"
                              % (self.path, version, ", ".join(map(str, LAYOUT_VERSIONS))))
        self.layout_version = version

    def close(self):
        self._f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def h5(self):
        """The underlying h5py.File."""
        return self._f

    @property
    def run(self):
        """Root attributes: seed, config, engine_version, isa, threads, ranks, times."""
        return {k: (_text(v) if isinstance(v, (bytes, str)) else v.item() if hasattr(v, "item") else v)
                for k, v in self._f.attrs.items()}

    @property
    def scenarios(self):
        return _children(self._f["scenarios"])

    def scenario_attrs(self, scenario):
        """capital_usd, steps_per_year, paths, horizon_years, measure, description, ... (layout 2)."""
        return dict(self._f["scenarios"][scenario].attrs)

    def variants(self, scenario):
        return _children(self._f["scenarios"][scenario]["variants"])

    def _variant(self, scenario, variant):
        return self._f["scenarios"][scenario]["variants"][variant]

    def table(self, scenario, variant, name="summary"):
        """A labelled table (summary, risk, effectiveness, *_bound, tail_effectiveness, attribution,
        tail_composition, sweep_<param>, reverse_stress_<k>), or None when absent."""
        g = self._variant(scenario, variant)
        return Table(g[name]) if name in g else None

    def pnl(self, scenario, variant):
        """Per-path P&L (paths x columns) and the column names; None without store_paths."""
        g = self._variant(scenario, variant)
        if "pnl" not in g:
            return None
        d = g["pnl"]
        return d[()], [_text(c) for c in d.attrs["columns"]]

    def histogram(self, scenario, variant, quantity="total_pnl"):
        g = self._variant(scenario, variant)["histograms"][quantity]
        return {"counts": g["counts"][()], "edges": g["edges"][()], "underflow": int(g.attrs["underflow"]),
                "overflow": int(g.attrs["overflow"]), "n_nonfinite": int(g.attrs["n_nonfinite"])}

    def fan_chart(self, scenario, variant=None, series="equity"):
        """(values steps x quantiles, quantile levels); variant None: a market series."""
        base = self._f["scenarios"][scenario]
        g = base["market"] if variant is None else base["variants"][variant]
        d = g["fan_charts"][series]
        return d[()], np.asarray(d.attrs["quantiles"], dtype=float)

    def sample_paths(self, scenario):
        """(n_sample x steps+1 x columns array, column names, units)."""
        d = self._f["scenarios"][scenario]["market"]["sample_paths"]
        return d[()], [_text(c) for c in d.attrs["columns"]], [_text(u) for u in d.attrs["units"]]

    def times(self, scenario, n_times):
        """Time of each step in years and in trading days (from steps_per_year)."""
        spy = float(self.scenario_attrs(scenario).get("steps_per_year", 252))
        t = np.arange(n_times, dtype=float)
        return t / spy, t * 252.0 / spy

    # ---- pandas ----

    def labelled_tables(self, scenario, variant):
        """Names of the variant's labelled tables (datasets with rows and columns attributes), sorted."""
        g = self._variant(scenario, variant)
        return sorted(k for k in g if isinstance(g[k], h5py.Dataset) and "rows" in g[k].attrs
                      and "columns" in g[k].attrs)

    def summary_frame(self, tables=None):
        """Tidy DataFrame: one row per scenario x variant x table x statistic x column; tables=None:
        every labelled table of each variant (summary, risk, effectiveness, attribution, ...)."""
        import pandas as pd
        recs = []
        for s in self.scenarios:
            for v in self.variants(s):
                for name in (tables if tables is not None else self.labelled_tables(s, v)):
                    t = self.table(s, v, name)
                    if t is None:
                        continue
                    for r, (stat, unit) in enumerate(zip(t.rows, t.units)):
                        for c, col in enumerate(t.columns):
                            recs.append((s, v, name, stat, col, unit, float(t.data[r, c])))
        return pd.DataFrame.from_records(
            recs, columns=["scenario", "variant", "table", "statistic", "column", "unit", "value"])

    def pnl_frame(self, scenario=None):
        """Per-path P&L: one row per scenario x variant x path, one column per layer and total (USD).
        Empty when the run did not store per-path values (run.store_paths / --store-paths)."""
        import pandas as pd
        frames = []
        for s in [scenario] if scenario else self.scenarios:
            for v in self.variants(s):
                got = self.pnl(s, v)
                if got is None:
                    continue
                data, cols = got
                df = pd.DataFrame(data, columns=cols)
                df.insert(0, "path", np.arange(len(df), dtype=np.int64))
                df.insert(0, "variant", v)
                df.insert(0, "scenario", s)
                frames.append(df)
        if not frames:
            return pd.DataFrame(columns=["scenario", "variant", "path"])
        return pd.concat(frames, ignore_index=True)

    # ---- xarray ----

    def dataset(self, scenario, variant=None, group=None):
        """An xarray Dataset of one group with named dimensions (layout 2: dimension scales),
        with time_years and time_days as coordinates of the step dimension.
        variant None: the scenario's market group; group: a subgroup such as "fan_charts"."""
        import xarray as xr
        if self.layout_version < 2:
            raise FormatError("%s: layout version 1 has no dimension scales" % self.path)
        path = "scenarios/%s/%s" % (scenario, "market" if variant is None else "variants/" + variant)
        if group:
            path += "/" + group
        ds = xr.open_dataset(self.path, group=path, engine="h5netcdf", decode_timedelta=False)
        if "step" in ds.dims:
            ty, td = self.times(scenario, ds.sizes["step"])
            ds = ds.assign_coords(step=np.arange(ds.sizes["step"]), time_years=("step", ty),
                                  time_days=("step", td))
        return ds


def open(path):  # noqa: A001 (mirrors h5py.File / xarray.open_dataset)
    """Open an alvh result file."""
    return ResultFile(path)
