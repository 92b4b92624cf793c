"""Experimental protocols on the flagship model: pre-equilibrate, treat, read out.

Every protocol starts from the untreated tumour at steady state (drugs at 0, cell number
frozen), then applies the treatment at ``t = 0`` (and any later ``schedule`` changes such as
wash-out or a second drug). Results are :class:`xarray.Dataset` objects with units and
provenance in ``attrs``.

Read-outs
---------
``pHER2, pHER3, HER3_total, pAKT_T308, pAKT_S473, pS6, p4EBP1, pERK, growth_rate, cells`` and
the end points computed from ``cells``:

* relative growth ``x(t)/x0`` and **% growth inhibition** ``100·(1 − x_treated(t)/x_control(t))``;
* **GR value** (Hafner et al. 2016, Nat Methods 13:521):
  ``GR = 2^(log2(x(c)/x0) / log2(x_ctrl/x0)) − 1``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from ..errors import ValidationError
from .her2_family import FAMILY as _FAMILY
from .her2_model import (
    build,
    drug_settings,
    genotype_settings,
)

__all__ = [
    "READOUTS",
    "Dose",
    "untreated_parameters",
    "treat",
    "endpoint",
    "growth_inhibition",
    "gr_value",
    "dose_response",
]

Dose = float | tuple[float, str]

#: Read-outs of the flagship family (:data:`her2sim.library.her2_family.FAMILY`).
READOUTS: tuple[str, ...] = _FAMILY.readouts

_HAFNER = "Hafner M et al. 2016, Nat Methods 13:521-7 (GR metrics)"


def untreated_parameters(model=None) -> dict[str, float]:
    """Overrides used during pre-equilibration: every drug at 0 and the cell number frozen.

    Asked of the model's parameter roles (:func:`her2sim.model.roles.untreated_overrides`).
    """
    from ..model.roles import untreated_overrides

    return untreated_overrides(model or build())


def _settings(
    drugs: Mapping[str, Dose] | None,
    genotype: Mapping[str, float] | Sequence[str] | None,
    parameters: Mapping[str, float] | None,
    in_vivo: bool = False,
    serum_percent: float = 10.0,
) -> dict[str, float]:
    out: dict[str, float] = {}
    if in_vivo:
        # immune effector context (trastuzumab ADCC); an explicit `parameters` entry still wins
        out["in_vivo"] = 1.0
    if genotype:
        out.update(genotype_settings(genotype))
    if parameters:
        out.update({k: float(v) for k, v in parameters.items()})
    if drugs:
        out.update(drug_settings(drugs, serum_percent=serum_percent))
    return out


def treat(
    drugs: Mapping[str, Dose] | None = None,
    *,
    times: Sequence[float] | np.ndarray = (0.0, 1.0, 2.0, 4.0, 8.0, 24.0, 48.0, 72.0),
    genotype: Mapping[str, float] | Sequence[str] | None = None,
    parameters: Mapping[str, float] | None = None,
    schedule: Sequence[tuple[float, Mapping[str, Dose]]] = (),
    outputs: Sequence[str] | None = READOUTS,
    model=None,
    in_vivo: bool = False,
    serum_percent: float = 10.0,
) -> xr.Dataset:
    """Pre-equilibrate the untreated tumour, then treat from ``t = 0``.

    Parameters
    ----------
    drugs
        ``{drug name: dose}``; a dose is nM or ``(value, unit)``, e.g. ``(10, "ug/mL")``.
    times
        Output times in hours (from treatment start).
    genotype
        Genotype names (full strength) or ``{name: strength}``.
    parameters
        Further parameter overrides (ligands such as ``HRG_nM``, expression levels), applied
        before and after treatment.
    schedule
        ``[(time_h, {drug: dose, ...}), ...]`` later changes, e.g. wash-out ``{"lapatinib": 0}``
        or adding a second drug. Plain parameter ids may be given too.
    outputs
        Read-outs to return (default :data:`READOUTS`).
    in_vivo
        ``True`` for a tumour in a patient or xenograft: sets the model's ``in_vivo`` context
        switch, which adds trastuzumab's FcγR-dependent immune kill (ADCC, Clynes 2000). The
        default (``False``) is a cell culture, where results are those of the signalling block.
        In vivo, doses are **free** concentrations at the tumour (e.g. free plasma levels from
        :mod:`her2sim.library.pk`) and ``serum_percent`` does not apply.
    serum_percent
        Serum in the medium, % (in vitro only): doses are nominal and become free concentrations
        with each drug's unbound fraction in that medium
        (:func:`her2sim.library.her2_model.drug_settings`).

    Returns
    -------
    xarray.Dataset
        Dimension ``time`` (hours); ``attrs`` record the treatment, genotype and model.

    Examples
    --------
    >>> ds = treat({"trastuzumab": (10, "ug/mL")}, times=[0, 24])
    >>> float(ds["pAKT_S473"][-1]) < float(ds["pAKT_S473"][0])
    True
    """
    from ..protocol import Protocol
    from ..simulation import simulate

    model = model or build()
    if in_vivo:
        serum_percent = 0.0  # doses are free concentrations at the tumour: no medium binding
    settings = _settings(drugs, genotype, parameters, in_vivo, serum_percent)
    pre = untreated_parameters(model)
    sched: list[tuple[float, dict[str, float]]] = []
    known = {p.id for p in model.parameters}
    for when, change in schedule:
        values: dict[str, float] = {}
        for key, dose in change.items():
            if key in known:
                values[key] = float(dose)  # type: ignore[arg-type]
            else:
                values.update(drug_settings({key: dose}, serum_percent=serum_percent))
        sched.append((float(when), values))
    protocol = Protocol(times=tuple(np.asarray(times, dtype=float)), preequilibrate=pre, schedule=tuple(sched))
    ds = simulate(model, None, parameters=settings, protocol=protocol,
                  outputs=list(outputs) if outputs is not None else None)
    ds.attrs.update({
        "protocol": "pre-equilibrate untreated (drugs 0, cells frozen), treat at t = 0",
        "drugs": repr(dict(drugs or {})),
        "serum_percent": float(serum_percent),
        "genotype": repr(genotype if genotype is not None else []),
        "parameter_overrides": repr(dict(parameters or {})),
        "schedule": repr(list(schedule)),
        "in_vivo": int(bool(in_vivo)),
        "time_units": "hour",
    })
    return ds


def endpoint(ds: xr.Dataset, time: float) -> dict[str, float]:
    """Read-outs at ``time`` (hours; must be one of the output times)."""
    sel = ds.sel(time=time)
    return {k: float(sel[k]) for k in ds.data_vars if "time" in ds[k].dims}


def gr_value(x_treated: float, x_control: float, x0: float = 1.0) -> float:
    """GR value (Hafner 2016): ``2^(log2(x/x0)/log2(x_ctrl/x0)) − 1``."""
    if x_control <= x0:
        raise ValidationError("gr_value needs a growing control (x_control > x0)")
    return float(2.0 ** (np.log2(x_treated / x0) / np.log2(x_control / x0)) - 1.0)


def growth_inhibition(
    drugs: Mapping[str, Dose],
    *,
    time: float = 72.0,
    genotype: Mapping[str, float] | Sequence[str] | None = None,
    parameters: Mapping[str, float] | None = None,
    control_parameters: Mapping[str, float] | None = None,
    model=None,
    in_vivo: bool = False,
) -> dict[str, Any]:
    """% growth inhibition and GR value at ``time`` against the untreated control.

    The control has the same genotype and medium (``parameters``), optionally changed by
    ``control_parameters``; ``in_vivo`` as in :func:`treat` (for both arms).

    Returns
    -------
    dict
        ``inhibition_percent``, ``gr``, ``x_treated``, ``x_control`` (relative cell numbers).
    """
    model = model or build()
    times = [0.0, float(time)]
    treated = treat(drugs, times=times, genotype=genotype, parameters=parameters,
                    outputs=("cells",), model=model, in_vivo=in_vivo)
    control_overrides = {**(parameters or {}), **(control_parameters or {})}
    control = treat({}, times=times, genotype=genotype, parameters=control_overrides,
                    outputs=("cells",), model=model, in_vivo=in_vivo)
    x = float(treated["cells"][-1])
    xc = float(control["cells"][-1])
    return {
        "inhibition_percent": 100.0 * (1.0 - x / xc),
        "gr": gr_value(x, xc),
        "x_treated": x,
        "x_control": xc,
        "citation": _HAFNER,
    }


def dose_response(
    drug: str,
    concentrations_nM: Sequence[float],
    *,
    time: float = 72.0,
    genotype: Mapping[str, float] | Sequence[str] | None = None,
    parameters: Mapping[str, float] | None = None,
    also: Mapping[str, Dose] | None = None,
    model=None,
    in_vivo: bool = False,
) -> xr.Dataset:
    """Relative growth, % inhibition and GR over a concentration grid (dimension ``concentration``).

    ``in_vivo`` as in :func:`treat`.
    """
    model = model or build()
    rows = []
    for c in concentrations_nM:
        res = growth_inhibition({**(also or {}), drug: float(c)}, time=time, genotype=genotype,
                                parameters=parameters, model=model, in_vivo=in_vivo)
        rows.append(res)
    conc = np.asarray(concentrations_nM, dtype=float)
    ds = xr.Dataset(
        {
            "inhibition_percent": ("concentration", [r["inhibition_percent"] for r in rows],
                                   {"units": "%", "long_name": f"growth inhibition at {time:g} h"}),
            "gr": ("concentration", [r["gr"] for r in rows],
                   {"units": "1", "long_name": "GR value (Hafner 2016)"}),
            "relative_growth": ("concentration", [r["x_treated"] for r in rows],
                                {"units": "1", "long_name": "x(t)/x0"}),
        },
        coords={"concentration": ("concentration", conc, {"units": "nM", "long_name": f"{drug} concentration"})},
        attrs={"drug": drug, "time_h": time, "genotype": repr(genotype), "citation": _HAFNER,
               "model": model.id, "in_vivo": int(bool(in_vivo))},
    )
    return ds
