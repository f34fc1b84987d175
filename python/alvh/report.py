# SPDX-License-Identifier: BSD-3-Clause
"""alvh report: PNG figures of a result file and one self-contained HTML page
(the images embedded as data URIs), for people who look at pictures.

Per scenario: the P&L distribution of every variant (log-scale counts, so the
tails show), the mean P&L per layer, equity fan charts, drawdown
distributions and sample market paths with the injection days marked. The
page opens with a scenario x variant table of ES99, VaR99, mean P&L and
P(liquidation) of the perp and the borrow layer. Every number comes from the stored tables; nothing is
re-simulated.
"""
import base64
import html
import math
import os

import numpy as np

from .summary import headline

FIG_DPI = 100


def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _safe(name):
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)


def _save(fig, out_dir, name):
    path = os.path.join(out_dir, name)
    fig.savefig(path, dpi=FIG_DPI, bbox_inches="tight")
    _plt().close(fig)
    return name


def fig_pnl(r, s, out_dir):
    plt = _plt()
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for v in r.variants(s):
        h = r.histogram(s, v)
        e, c = h["edges"], h["counts"].astype(float)
        c[c == 0] = np.nan  # empty bins leave gaps on a log axis instead of -inf
        out = h["underflow"] + h["overflow"]
        ax.step(e[:-1], c, where="post", label=v + (" (%d paths outside the range)" % out if out else ""))
    ax.set_yscale("log")
    ax.set_xlabel("total P&L at the horizon (USD)")
    ax.set_ylabel("paths per bin (log scale)")
    ax.set_title("%s: P&L distribution per variant" % s)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return _save(fig, out_dir, "pnl_%s.png" % _safe(s))


def fig_layers(r, s, out_dir):
    """Euler contributions to ES99 per layer (they sum to each variant's ES99) when the file has
    attribution tables (layout 3, exact summaries); else the mean P&L per layer."""
    plt = _plt()
    vs = r.variants(s)
    euler = all(r.table(s, v, "attribution") is not None for v in vs)
    t0 = r.table(s, vs[0], "attribution" if euler else "summary")
    layers = [c for c in t0.columns if c != "total"]
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.8 / max(len(vs), 1)
    x = np.arange(len(layers))
    for k, v in enumerate(vs):
        row = r.table(s, v, "attribution").row("es_99_euler") if euler else r.table(s, v, "summary").row("mean")
        ax.bar(x + k * width, [row[layer] for layer in layers], width, label=v)
    ax.set_xticks(x + 0.4 - width / 2)
    ax.set_xticklabels(layers)
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xlabel("layer of the book")
    if euler:
        ax.set_ylabel("contribution to ES99 (USD of loss)")
        ax.set_title("%s: layer attribution (Euler contributions to ES99, summing to each variant's ES99)" % s)
    else:
        ax.set_ylabel("mean P&L (USD)")
        ax.set_title("%s: layer attribution (mean P&L per layer)" % s)
    ax.legend(fontsize=8)
    return _save(fig, out_dir, "layers_%s.png" % _safe(s))


def fig_fans(r, s, out_dir):
    plt = _plt()
    vs = r.variants(s)
    ncol = min(3, len(vs))
    nrow = int(math.ceil(len(vs) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.2 * ncol, 3.2 * nrow), squeeze=False)
    for k, v in enumerate(vs):
        ax = axes[k // ncol][k % ncol]
        vals, q = r.fan_chart(s, v)
        _, days = r.times(s, vals.shape[0])
        for lo, hi, alpha in ((0, -1, 0.15), (1, -2, 0.25), (2, -3, 0.35)):
            if len(q) > 2 * lo + 1:
                ax.fill_between(days, vals[:, lo], vals[:, hi], alpha=alpha, color="tab:blue", lw=0,
                                label="%g-%g%%" % (100 * q[lo], 100 * q[hi]))
        mid = int(np.argmin(np.abs(q - 0.5)))
        ax.plot(days, vals[:, mid], color="tab:blue", lw=1.2, label="median")
        ax.set_title(v, fontsize=9)
        ax.set_xlabel("time (trading days)")
        ax.set_ylabel("equity (USD)")
        ax.grid(alpha=0.3)
        if k == 0:
            ax.legend(fontsize=7)
    for k in range(len(vs), nrow * ncol):
        axes[k // ncol][k % ncol].axis("off")
    fig.suptitle("%s: equity fan charts (quantiles over paths)" % s)
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    return _save(fig, out_dir, "equity_fan_%s.png" % _safe(s))


def fig_drawdowns(r, s, out_dir):
    plt = _plt()
    vs = r.variants(s)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    metrics = {v: r.h5["scenarios"][s]["variants"][v].get("metrics") for v in vs}
    if all(m is not None for m in metrics.values()):
        for v in vs:
            m = metrics[v]
            cols = [c.decode() if isinstance(c, bytes) else c for c in m.attrs["columns"]]
            dd = m[:, cols.index("max_drawdown")]
            ax.hist(dd[np.isfinite(dd)], bins=60, histtype="step", label=v)
        ax.set_yscale("log")
        ax.set_xlabel("maximum drawdown of total equity (USD)")
        ax.set_ylabel("paths per bin (log scale)")
    else:
        # summaries only: the stored drawdown quantiles
        stats = ["max_drawdown_q50", "max_drawdown_q95", "max_drawdown_q99"]
        width = 0.8 / max(len(vs), 1)
        x = np.arange(len(stats))
        for k, v in enumerate(vs):
            t = r.table(s, v, "risk")
            ax.bar(x + k * width, [t.value(st, "value") for st in stats], width, label=v)
        ax.set_xticks(x + 0.4 - width / 2)
        ax.set_xticklabels(["median", "95th percentile", "99th percentile"])
        ax.set_xlabel("quantile of the maximum drawdown over paths")
        ax.set_ylabel("maximum drawdown (USD)")
    ax.set_title("%s: drawdown distribution per variant" % s)
    ax.legend(fontsize=8)
    return _save(fig, out_dir, "drawdown_%s.png" % _safe(s))


def fig_market(r, s, out_dir, max_paths):
    plt = _plt()
    g = r.h5["scenarios"][s]["market"]
    if "sample_paths" not in g:
        return None
    data, cols, units = r.sample_paths(s)
    _, days = r.times(s, data.shape[1])
    inj = np.asarray(r.scenario_attrs(s).get("injection_steps", []), dtype=float)
    show = [("spx", "SPX"), ("vix", "VIX"), ("token", "governance token"), ("funding", "funding rate")]
    fig, axes = plt.subplots(2, 2, figsize=(11, 6.5))
    for ax, (col, title) in zip(axes.flat, show):
        k = cols.index(col)
        for p in range(min(max_paths, data.shape[0])):
            ax.plot(days, data[p, :, k], lw=0.6, alpha=0.7)
        for j, step in enumerate(inj):
            # an injection forces the move of step `step`: from time step to step + 1
            ax.axvline(days[min(int(step) + 1, len(days) - 1)], color="red", ls="--", lw=0.8,
                       label="injection" if j == 0 else None)
        unit = units[k] if units[k] != "1/yr" else "1/yr, annualized"
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("time (trading days)")
        ax.set_ylabel("%s (%s)" % (title, unit))
        ax.grid(alpha=0.3)
        if len(inj) and col == "spx":
            ax.legend(fontsize=8)
    fig.suptitle("%s: sample market paths" % s)
    fig.tight_layout()
    return _save(fig, out_dir, "market_%s.png" % _safe(s))


def _table_html(r):
    rows = []
    for s in r.scenarios:
        for v in r.variants(s):
            h = headline(r, s, v)
            rows.append("<tr><td>%s</td><td>%s</td><td>%.0f</td><td>%.0f</td><td>%.0f</td><td>%.4f</td><td>%.4f</td></tr>"
                        % (html.escape(s), html.escape(v), h["ES99"], h["VaR99"], h["mean"], h["P(liq perp)"],
                           h["P(liq borrow)"]))
    return ("<table><tr><th>scenario</th><th>variant</th><th>ES99 (USD)</th><th>VaR99 (USD)</th>"
            "<th>mean P&amp;L (USD)</th><th>P(liquidation), perp</th><th>P(liquidation), borrow</th></tr>\n%s\n"
            "</table>" % "\n".join(rows))


def _img(out_dir, name, caption):
    with open(os.path.join(out_dir, name), "rb") as f:
        b64 = base64.b64encode(f.read()).decode()
    return ('<figure><img src="data:image/png;base64,%s" alt="%s" data-file="%s">'
            "<figcaption>%s</figcaption></figure>" % (b64, html.escape(name), html.escape(name),
                                                      html.escape(caption)))


def write_report(r, out_dir, max_paths=20):
    """Writes the PNGs and report.html into out_dir; returns the HTML path."""
    os.makedirs(out_dir, exist_ok=True)
    run = r.run
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>alvh report: %s</title>"
             "<style>body{font-family:sans-serif;margin:2em;background:#fff;color:#111}"
             "table{border-collapse:collapse}td,th{border:1px solid #999;padding:3px 8px;text-align:right}"
             "img{max-width:100%%}figure{margin:1em 0}</style></head><body>" % html.escape(r.path),
             "<h1>alvh report</h1><p>%s</p>" % html.escape(
                 "%s: alvh %s, seed %s, ISA %s, %s threads x %s ranks, finished %s" % (
                     os.path.basename(r.path), run.get("engine_version", "?"), run.get("seed", "?"),
                     run.get("isa", "?"), run.get("threads", "?"), run.get("ranks", "?"),
                     run.get("end_time_utc", "?"))),
             "<h2>Scenarios and variants</h2>", _table_html(r)]
    for s in r.scenarios:
        a = r.scenario_attrs(s)
        desc = a.get("description", "")
        desc = desc.decode() if isinstance(desc, bytes) else str(desc)
        parts.append("<h2>Scenario %s</h2><p>%s</p>" % (html.escape(s), html.escape(desc)))
        figs = [(fig_pnl(r, s, out_dir), "P&L distributions (stored histograms)"),
                (fig_layers(r, s, out_dir), "layer attribution"),
                (fig_fans(r, s, out_dir), "equity fan charts"),
                (fig_drawdowns(r, s, out_dir), "drawdown distributions"),
                (fig_market(r, s, out_dir, max_paths), "sample market paths, injection days dashed")]
        parts += [_img(out_dir, name, cap) for name, cap in figs if name]
    parts.append("</body></html>\n")
    path = os.path.join(out_dir, "report.html")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(parts))
    return path
