"""Self-contained HTML trial report: tables and matplotlib figures embedded as base64 PNG (no CDN)."""

from __future__ import annotations

import base64
import html
import io
import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .results import TrialResult

__all__ = ["comparison_plot", "forest_plot", "km_plot", "waterfall_plot", "write_report"]

_MAX_PLOTTED = 20000  # tumours per arm drawn in KM / waterfall figures (a seeded subsample beyond)


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return "<img alt='figure' src='data:image/png;base64," + base64.b64encode(buf.getvalue()).decode() + "'/>"


def _figure(width: float = 7.0, height: float = 4.0):
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(width, height))


def _sample(df: pd.DataFrame) -> pd.DataFrame:
    return df if len(df) <= _MAX_PLOTTED else df.sample(_MAX_PLOTTED, random_state=0)


def forest_plot(result: TrialResult, ax=None):
    """Odds ratios (log scale) of the binary read-out by subgroup and arm, with 95 % CIs."""
    sg = result.subgroups()
    if ax is None:
        _, ax = _figure(7, 0.3 * max(len(sg), 4) + 1)
    y = np.arange(len(sg))[::-1]
    ok = sg["odds_ratio"].to_numpy()
    ax.errorbar(ok, y, xerr=[ok - sg["or_ci_low"], sg["or_ci_high"] - ok], fmt="o", color="k", capsize=2)
    ax.axvline(1.0, color="grey", lw=0.8)
    ax.set_xscale("log")
    ax.set_yticks(y, [f"{a}: {s}" for a, s in zip(sg["arm"], sg["subgroup"])])
    ax.set_xlabel(f"odds ratio of {sg['endpoint'].iloc[0] if len(sg) else ''} (carriers vs others)")
    return ax


def waterfall_plot(result: TrialResult, ax=None):
    """Best change of the sum of diameters per tumour, sorted, per arm (RECIST lines at +20 % / −30 %)."""
    t = result.tumours
    if ax is None:
        _, ax = _figure()
    for arm in result.spec.arm_names():
        v = np.sort(_sample(t[(t["arm"] == arm) & (t["status"] == 0)])["best_change"].to_numpy())[::-1]
        ax.plot(np.linspace(0, 1, v.size), 100 * v, label=arm, drawstyle="steps-mid")
    ax.axhline(-30, color="grey", ls="--", lw=0.8)
    ax.axhline(20, color="grey", ls=":", lw=0.8)
    ax.set_xlabel("tumours (fraction, sorted)")
    ax.set_ylabel("best change of sum of diameters (%)")
    ax.legend()
    return ax


def km_plot(result: TrialResult, ax=None):
    """Kaplan-Meier PFS curves per arm (lifelines)."""
    from .stats import km_curve

    t = result.tumours
    if ax is None:
        _, ax = _figure()
    for arm in result.spec.arm_names():
        d = _sample(t[(t["arm"] == arm) & (t["status"] == 0)])
        s = km_curve(d["pfs_months"].to_numpy(), d["pfs_event"].to_numpy() > 0)
        ax.step(s.index, s.to_numpy(), where="post", label=arm)
    ax.set_xlabel("months")
    ax.set_ylabel("progression-free")
    ax.set_ylim(0, 1.02)
    ax.legend()
    return ax


def comparison_plot(result: TrialResult, ax=None):
    """Simulated vs published values with CIs (proportions), training arms marked."""
    c = result.comparison()
    c = c[c["endpoint"].isin(["pcr", "orr"])]
    if ax is None:
        _, ax = _figure(5, 5)
    for role, marker in (("training", "s"), ("predicted", "o")):
        d = c[c["role"] == role]
        if len(d):
            ax.errorbar(d["published"], d["simulated"], xerr=[d["published"] - d["pub_ci_low"], d["pub_ci_high"] - d["published"]],
                        fmt=marker, capsize=2, label=role)
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8)
    ax.set_xlabel("published (95 % CI)")
    ax.set_ylabel("simulated")
    ax.legend()
    return ax


def _table(df: pd.DataFrame) -> str:
    def fmt(v):
        if isinstance(v, float):
            return "" if math.isnan(v) else f"{v:.3g}"
        return html.escape(str(v))

    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = "".join("<tr>" + "".join(f"<td>{fmt(v)}</td>" for v in row) + "</tr>" for row in df.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def write_report(result: TrialResult, path: str | Path) -> Path:
    """Write the trial report (one self-contained HTML file) and return its path."""
    from .calibration import CALIBRATION_NOTE
    from .population import provenance_table
    from .tumour import TUMOUR_MODEL

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    spec = result.spec
    parts = [f"<h1>{html.escape(spec.title)}</h1>",
             (f"<p>Spec <code>{html.escape(spec.name)}</code> (digest {spec.digest()}), {spec.n} virtual patients, "
             f"seed {spec.seed}. Sources: {html.escape(spec.source)}.</p>"),
             "<h2>Arms: simulated vs published</h2>", _table(result.summary()),
             "<h2>Every published value (training arms were fitted; the others are predictions)</h2>",
             _table(result.comparison()), _png(comparison_plot(result).figure),
             "<h2>CONSORT-style flow</h2>", _table(result.consort()),
             "<h2>Subgroups (odds ratios, 95 % CI)</h2>", _table(result.subgroups()), _png(forest_plot(result).figure),
             "<h2>Waterfall of best tumour change</h2>", _png(waterfall_plot(result).figure)]
    if "pfs" in spec.readouts:
        parts += ["<h2>Progression-free survival</h2>", _png(km_plot(result).figure),
                  "<h3>Cox hazard ratios</h3>", _table(result.hazard_ratios())]
    tm = pd.DataFrame([(k, getattr(result.model, k), kind, src) for k, (_, kind, src) in TUMOUR_MODEL.items()],
                      columns=["parameter", "value", "kind", "source / reason"])
    parts += ["<h2>Tumour model</h2>", f"<p>{html.escape(CALIBRATION_NOTE)}</p>", _table(tm),
              "<h2>Population: every number and its source</h2>", _table(provenance_table())]
    css = ("body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse;font-size:12px}"
           "td,th{border:1px solid #ccc;padding:2px 5px}img{max-width:100%}")
    text = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(spec.title)}</title>"
            f"<style>{css}</style></head><body>{''.join(parts)}</body></html>")
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)
    return path
