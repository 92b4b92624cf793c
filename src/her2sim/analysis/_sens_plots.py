"""Figures of :mod:`her2sim.analysis.sensitivity` results (matplotlib imported lazily; listed in :mod:`her2sim.plotting`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import UnknownNameError, ValidationError

# ------------------------------------------------------------------------------------------------
# figures (matplotlib imported lazily)


def _pyplot():
    from ..plotting import pyplot

    return pyplot()


def _select(ds: xr.Dataset, readout: str | None, context: str | None) -> tuple[str, str]:
    labels = [str(v) for v in ds["readout"].values]
    contexts = [str(v) for v in ds["context"].values]
    readout = labels[0] if readout is None else readout
    context = contexts[0] if context is None else context
    if readout not in labels:
        raise UnknownNameError("readout", readout, labels)
    if context not in contexts:
        raise UnknownNameError("context", context, contexts)
    return readout, context


def _readout_units(ds: xr.Dataset, readout: str) -> str:
    units = str(ds["readout_units"].sel(readout=readout).values)
    return units if units and units != "1" else ""


def _check_method(ds: xr.Dataset, method: str) -> None:
    if ds.attrs.get("method") != method:
        raise ValidationError(f"ds must be a {method} result, got method={ds.attrs.get('method')!r}")


def plot_morris(ds: xr.Dataset, *, readout: str | None = None, context: str | None = None, top: int = 10,
                ax=None):
    """Morris μ*–σ plane for one read-out and context, with μ* intervals and the top labels.

    Points near the σ = μ* line act non-linearly or through interactions; points near σ = 0
    act linearly. Returns the matplotlib Axes.
    """
    _check_method(ds, "morris")
    readout, context = _select(ds, readout, context)
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(5.2, 4.0))
    sel = ds.sel(readout=readout, context=context)
    mu_star, sigma, conf = sel["mu_star"].values, sel["sigma"].values, sel["mu_star_conf"].values
    ax.errorbar(mu_star, sigma, xerr=conf, fmt="o", ms=4, lw=0.8, color="C0", ecolor="0.6")
    finite = np.isfinite(mu_star)
    if finite.any():
        limit = float(np.nanmax(np.r_[mu_star[finite] + np.nan_to_num(conf[finite]), sigma[finite]])) * 1.05 or 1.0
        ax.plot([0, limit], [0, limit], ls="--", lw=0.8, color="0.5", label="σ = μ*")
        order = np.argsort(np.where(finite, -mu_star, np.inf))[:top]
        for i in order:
            ax.annotate(str(ds["parameter"].values[i]), (mu_star[i], sigma[i]), fontsize=7,
                        xytext=(3, 2), textcoords="offset points")
        ax.legend(fontsize=7, frameon=False, loc="upper left")
    units = _readout_units(ds, readout)
    per = f" [{units} per ln p]" if units else " [per ln p]"
    ax.set_xlabel("μ*" + per)
    ax.set_ylabel("σ" + per)
    ax.set_title(f"{readout}\n{context}", fontsize=8)
    return ax


def plot_sobol(ds: xr.Dataset, *, readout: str | None = None, context: str | None = None, top: int = 12,
               ax=None):
    """First-order and total Sobol indices (bars with bootstrap intervals), strongest ``top`` by ST."""
    _check_method(ds, "sobol")
    readout, context = _select(ds, readout, context)
    plt = _pyplot()
    sel = ds.sel(readout=readout, context=context)
    st = sel["ST"].values
    order = np.argsort(np.where(np.isfinite(st), -st, np.inf))[:top][::-1]
    if ax is None:
        _, ax = plt.subplots(figsize=(5.2, 0.28 * len(order) + 1.2))
    y = np.arange(len(order))
    ax.barh(y + 0.2, sel["ST"].values[order], height=0.4, xerr=sel["ST_conf"].values[order], color="C1",
            label="ST (total)", error_kw={"lw": 0.8})
    ax.barh(y - 0.2, sel["S1"].values[order], height=0.4, xerr=sel["S1_conf"].values[order], color="C0",
            label="S1 (first order)", error_kw={"lw": 0.8})
    ax.set_yticks(y, [str(ds["parameter"].values[i]) for i in order], fontsize=7)
    ax.axvline(0.0, color="0.3", lw=0.6)
    ax.set_xlabel("Sobol index")
    ax.set_title(f"{readout}\n{context}", fontsize=8)
    ax.legend(fontsize=7, frameon=False, loc="lower right")
    return ax


def plot_local(ds: xr.Dataset, *, readout: str | None = None, context: str | None = None, top: int = 12,
               metric: str = "sensitivity", ax=None):
    """Local normalised sensitivities as signed bars, strongest ``top`` by magnitude."""
    _check_method(ds, "local")
    if metric not in ("sensitivity", "semi_sensitivity"):
        raise UnknownNameError("metric", metric, ("sensitivity", "semi_sensitivity"))
    readout, context = _select(ds, readout, context)
    plt = _pyplot()
    values = ds[metric].sel(readout=readout, context=context).values
    order = np.argsort(np.where(np.isfinite(values), -np.abs(values), np.inf))[:top][::-1]
    if ax is None:
        _, ax = plt.subplots(figsize=(5.2, 0.28 * len(order) + 1.2))
    colors = ["C3" if v < 0 else "C0" for v in values[order]]
    ax.barh(np.arange(len(order)), values[order], color=colors)
    ax.set_yticks(np.arange(len(order)), [str(ds["parameter"].values[i]) for i in order], fontsize=7)
    ax.axvline(0.0, color="0.3", lw=0.6)
    ax.set_xlabel("d ln y / d ln p" if metric == "sensitivity" else "dy / d ln p")
    ax.set_title(f"{readout}\n{context}", fontsize=8)
    return ax


def plot_sensitivity(ds: xr.Dataset, *, readout: str | None = None, top: int = 12):
    """One panel per context for one read-out (Morris plane, Sobol bars or local bars).

    Returns
    -------
    matplotlib.figure.Figure
    """
    method = ds.attrs.get("method")
    plot = {"morris": plot_morris, "sobol": plot_sobol, "local": plot_local}.get(str(method))
    if plot is None:
        raise ValidationError("ds must be a result of local_sensitivities, morris or sobol (attrs['method'])")
    readout, _ = _select(ds, readout, None)
    plt = _pyplot()
    contexts = [str(c) for c in ds["context"].values]
    fig, axes = plt.subplots(1, len(contexts), figsize=(4.6 * len(contexts), 4.2 if method == "morris"
                                                        else 0.28 * top + 1.6), squeeze=False)
    for ax, context in zip(axes[0], contexts):
        plot(ds, readout=readout, context=context, top=top, ax=ax)
    fig.tight_layout()
    return fig


def plot_ranking_heatmap(ranking: pd.DataFrame, *, readout: str | None = None, top: int = 15, ax=None):
    """Context (genotype) × parameter heatmap of relative influence from :func:`rank_drivers`.

    Columns are the ``top`` parameters by their largest relative score in any context; each row
    is scaled to its own strongest parameter (1), so genotypes with different read-out spreads
    compare by rank structure.
    """
    needed = {"readout", "context", "parameter", "relative"}
    if not needed <= set(ranking.columns):
        raise ValidationError(f"ranking must be a rank_drivers table with columns {sorted(needed)}")
    labels = list(dict.fromkeys(ranking["readout"]))
    if not labels:
        raise ValidationError("ranking is empty")
    readout = labels[0] if readout is None else readout
    if readout not in labels:
        raise UnknownNameError("readout", readout, labels)
    table = ranking[ranking["readout"] == readout]
    grid = table.pivot_table(index="context", columns="parameter", values="relative", aggfunc="max", sort=False)
    columns = grid.max(axis=0).sort_values(ascending=False).index[:top]
    grid = grid[columns]
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(0.42 * len(columns) + 2.5, 0.42 * len(grid) + 1.8))
    image = ax.imshow(grid.values.astype(float), aspect="auto", cmap="viridis", vmin=0.0, vmax=1.0)
    ax.set_xticks(np.arange(len(columns)), list(columns), rotation=60, ha="right", fontsize=7)
    ax.set_yticks(np.arange(len(grid)), list(grid.index), fontsize=8)
    metric = str(table["metric"].iloc[0]) if len(table) else ""
    ax.figure.colorbar(image, ax=ax, label=f"{metric} relative to the strongest", shrink=0.8)
    ax.set_title(readout, fontsize=8)
    return ax

