"""Weeks of clinical dosing: PK-driven free concentrations fed to the signalling model.

:func:`simulate_regimen` turns one or more clinical regimens (:mod:`her2sim.library.pk`) into a
piecewise-constant hourly ``schedule`` of free concentrations and simulates the tumour contexts
under it in one ensemble call (plus one untreated call for the controls, since a schedule
applies to every member of a call). Growth inhibition is reported over time against the
untreated control of the same context.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import ValidationError
from ..family import family_of
from ._runs import default_model, default_readouts, growth_species, provenance, resolve_contexts, run_members

__all__ = ["simulate_regimen", "regimen_tables", "plot_regimen"]


def simulate_regimen(
    regimens: Sequence[str],
    *,
    contexts: Any = ("parental",),
    weeks: float = 3.0,
    step_h: float = 1.0,
    output_step_h: float = 6.0,
    readouts: Sequence[str] | None = None,
    model=None,
    n_threads: int | None = None,
    in_vivo: bool = True,
) -> xr.Dataset:
    """Simulate clinical regimens (given together) on tumour contexts for ``weeks``.

    Parameters
    ----------
    regimens
        Names of :data:`her2sim.library.pk.REGIMENS` (or drug names), all given together.
    contexts
        Tumour contexts.
    weeks
        Duration of therapy.
    step_h
        Resolution of the concentration schedule (hours; each step holds the mean free
        concentration over the step).
    output_step_h
        Spacing of the output times.
    in_vivo
        The tumour is in a patient (default): the model's ``in_vivo`` context switch is set to 1,
        adding trastuzumab's FcγR-dependent immune kill (ADCC). ``False`` gives the signalling
        block alone (as in a dish).

    Returns
    -------
    xarray.Dataset
        Dims ``context × time`` (hours): ``cells``, ``cells_control``, ``inhibition_percent``,
        read-outs; dims ``regimen × time``: ``free_nM`` (the plasma profile fed to the model).
    """
    from ..library import pk

    model = model or default_model()
    if not weeks > 0 or not output_step_h > 0:
        raise ValidationError("weeks and output_step_h must be > 0")
    regs = [pk.regimen(r) for r in regimens]
    if not regs:
        raise ValidationError("give at least one regimen")
    t_end = weeks * 168.0
    times = np.arange(0.0, t_end + output_step_h / 2, output_step_h)
    ctx = resolve_contexts(contexts)
    schedule = pk.regimen_schedule(regs, t_end_h=t_end, step_h=step_h)
    known = {p.id for p in model.parameters}
    family = family_of(model)
    switch = family.in_vivo_switch if family is not None else None
    if in_vivo and (switch is None or switch not in known):
        raise ValidationError(
            f"in_vivo=True needs a model whose family names an in-vivo context parameter (ModelFamily.in_vivo_switch); "
            f"model {model.id!r} has none (pass in_vivo=False)")
    if readouts is None:
        readouts = default_readouts("regimen", model)
    members = [{**({switch: 1.0} if in_vivo and switch else {}), **s} for s in ctx.values()]
    growth = growth_species(model)
    outputs = [growth, *readouts]
    treated = run_members(members, times=times, outputs=outputs, model=model, n_threads=n_threads, schedule=schedule)
    control = run_members(members, times=times, outputs=[growth], model=model, n_threads=n_threads)
    profile = pk.concentration_profile(regs, weeks=weeks, step_h=output_step_h)
    cells = treated[growth].values
    cells_ctrl = control[growth].values
    data = {
        "cells": (("context", "time"), cells, {"units": "1", "long_name": "relative cell number under therapy"}),
        "cells_control": (("context", "time"), cells_ctrl, {"units": "1", "long_name": "untreated relative cell number"}),
        "inhibition_percent": (("context", "time"), 100.0 * (1.0 - cells / cells_ctrl),
                               {"units": "%", "long_name": "growth inhibition vs untreated"}),
        "status": ("context", treated["status"].values),
    }
    for r in readouts:
        data[r] = (("context", "time"), treated[r].values, {"units": treated[r].attrs.get("units", ""),
                                                             "long_name": f"{r} under therapy"})
    ds = xr.Dataset(data, coords={"context": list(ctx), "time": ("time", times, {"units": "hour"})})
    ds["free_nM"] = (("regimen", "time"), profile["free_nM"].values,
                     {"units": "nM", "long_name": "unbound plasma concentration fed to the model"})
    ds = ds.assign_coords(regimen=[r.name for r in regs])
    ds.attrs.update(provenance(
        model, experiment="regimen", regimens=", ".join(r.name for r in regs), weeks=float(weeks),
        schedule_step_h=float(step_h), in_vivo=int(bool(in_vivo)), pk_sources=profile.attrs["pk_sources"],
        regimen_sources=profile.attrs["regimen_sources"],
        note="PK: see her2sim.library.pk for which values are sourced, derived or assumed",
    ))
    from .atlas import attach_notes, identical_context_notes, treatment_notes

    drugs = [r.drug for r in regs]
    return attach_notes(ds, treatment_notes(drugs) + identical_context_notes(ds["cells"], drugs_of={"": drugs}))


def regimen_tables(ds: xr.Dataset) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The regimen result as two tables with one row per time point and units in every column name.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        Tumour time courses (columns ``"<variable> [<unit>] | <context>"``) and the free plasma
        concentrations fed to the model (``"free <regimen> [nM]"``); both start with ``time [h]``.
    """
    time_h = ds["time"].values
    tumour = {"time [h]": time_h}
    for name in ds.data_vars:
        var = ds[name]
        if var.dims != ("context", "time"):
            continue
        unit = var.attrs.get("units") or "1"
        for context in ds["context"].values:
            tumour[f"{name} [{unit}] | {context}"] = var.sel(context=context).values
    plasma = {"time [h]": time_h}
    for reg in ds["regimen"].values:
        plasma[f"free {reg} [nM]"] = ds["free_nM"].sel(regimen=reg).values
    return pd.DataFrame(tumour), pd.DataFrame(plasma)


def plot_regimen(ds: xr.Dataset, *, readout: str | None = None, axes=None):
    """Three stacked panels: free concentrations, a read-out, and growth inhibition over time (hours).

    ``readout``: default the first regimen read-out of the default family (pAKT for the flagship).

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
    """
    from .dose_response import _pyplot

    plt = _pyplot()
    readout = readout or default_readouts("regimen")[0]
    if axes is None:
        _, axes = plt.subplots(3, 1, figsize=(6, 6.5), sharex=True)
    # hours, as in the exported tables; ticks every week
    days = ds["time"].values
    for r in ds["regimen"].values:
        axes[0].plot(days, ds["free_nM"].sel(regimen=r), label=str(r), lw=1)
    axes[0].set_yscale("log")
    axes[0].set_ylabel("free conc. [nM]")
    axes[0].legend(fontsize=6, frameon=False)
    for i, c in enumerate(ds["context"].values):
        axes[1].plot(days, ds[readout].sel(context=c), color=f"C{i}", label=str(c), lw=1)
        axes[2].plot(days, ds["inhibition_percent"].sel(context=c), color=f"C{i}", lw=1)
    axes[1].set_ylabel(readout)
    axes[1].legend(fontsize=6, frameon=False)
    axes[2].set_ylabel("GI [%]")
    axes[2].set_xlabel("time since the first dose [h] (ticks: weeks)")
    step = 168.0 if days[-1] >= 168.0 else 24.0
    axes[2].set_xticks(np.arange(0.0, days[-1] + step / 2, step))
    return axes
