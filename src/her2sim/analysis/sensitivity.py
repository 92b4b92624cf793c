"""Parameter sensitivity of scalar read-outs: local (normalised) and global (Morris, Sobol).

Which kinetic parameters decide pAKT at 24 h, or how much a drug inhibits growth at 72 h, in a
given genotype? Three methods answer it, on the flagship model or on any her2sim model:

* :func:`local_sensitivities` — normalised sensitivities ``d ln y / d ln p`` at the nominal
  parameters by central differences in ``ln p`` (all ``4k + 1`` members in one ensemble call:
  the nominal point, steps ``±h`` and ``±h/2``), with the difference between the two step
  sizes reported as a check of the estimate;
* :func:`morris` — elementary effects (Morris 1991; Campolongo et al. 2007 ``μ*``) with SALib;
* :func:`sobol` — first-order and total Sobol indices (Saltelli 2002/2010 estimators) with SALib.

Sampling space (global methods)
-------------------------------
Every varied parameter ``p`` is scaled by a multiplier ``m`` that is **log-uniform** on
``[1/f, f]`` around its nominal value in each context (default ``f = 3``: ×/÷ 3). SALib samples
``u = ln m`` uniformly on ``[−ln f, ln f]``, so Morris elementary effects are read-out changes per
unit change of ``ln p`` (the same units as ``semi_sensitivity`` of the local method).

Read-outs and contexts
----------------------
A :class:`Readout` is a declarative scalar: a model output at a time after treatment start,
under given drug doses, as the value itself, the fold change against the untreated control, the
% growth inhibition ``100·(1 − x/x_ctrl)`` or the GR value (Hafner et al. 2016). Contexts are
genotypes or cell-line presets resolved by :func:`her2sim.analysis._runs.resolve_contexts`.
On the flagship model every member follows :func:`her2sim.library.protocols.treat`:
pre-equilibrated untreated (drugs 0, cell number frozen), then treated from ``t = 0``. A varied
parameter also acts during pre-equilibration (it is a property of the tumour).

Failures are data
-----------------
A member whose solver fails gives NaN outputs; a read-out can also be undefined (GR of a
non-growing control, log of a non-positive value). Such sample rows are counted per read-out and
context (``n_nonfinite``) and the global estimators use only complete blocks (whole Morris
trajectories, whole Saltelli blocks), whose number is reported (``n_used``). Nothing is dropped
silently.

Resumable runs
--------------
With ``store=`` (a folder), the sample is evaluated in chunks of rows; each finished chunk is
written atomically (``chunks/chunk-NNNNN.npz``) beside a ``manifest.json`` of the settings. A
rerun with the same settings reuses finished chunks; different settings raise
:class:`~her2sim.errors.ValidationError` rather than mixing results.

References
----------
Morris MD 1991, Technometrics 33:161-74; Campolongo F, Cariboni J, Saltelli A 2007, Environ
Model Softw 22:1509-18; Saltelli A 2002, Comput Phys Commun 145:280-97; Saltelli A et al. 2010,
Comput Phys Commun 181:259-70; Herman J, Usher W 2017, J Open Source Softw 2:97 (SALib).
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import re
import time as _time
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, final

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import UnknownNameError, ValidationError
from ._runs import PARENTAL, provenance, resolve_contexts

__all__ = [
    "QUANTITIES",
    "PARAMETER_GROUPS",
    "METHODS",
    "Readout",
    "parse_readout",
    "parse_doses",
    "parameter_groups",
    "local_sensitivities",
    "morris",
    "sobol",
    "run_sensitivity",
    "rank_drivers",
    "plot_morris",
    "plot_sobol",
    "plot_local",
    "plot_sensitivity",
    "plot_ranking_heatmap",
]

#: How a read-out is formed from a model output ``y`` (treated) and ``y_ctrl`` (untreated control).
QUANTITIES: dict[str, str] = {
    "value": "the output itself under the treatment",
    "fold_change": "y / y_ctrl at the same time",
    "inhibition_percent": "100·(1 − y/y_ctrl): % growth inhibition when the output is 'cells'",
    "gr": "GR value 2^(log2(y/y0)/log2(y_ctrl/y0)) − 1 (Hafner et al. 2016, Nat Methods 13:521)",
}
#: Parameter groups of the flagship model (see :func:`parameter_groups`).
PARAMETER_GROUPS: dict[str, str] = {
    "kinetic": "tumour biology: rate constants, totals, Michaelis and feedback constants, growth law",
    "pharmacology": "drug potencies (IC50, Kd), cellular shifts and drug-mechanism constants",
    "input": "genotype switches, expression levels, ligands and the cell-growth switch",
    "treatment": "drug concentrations (set by read-outs, never varied)",
}
METHODS: tuple[str, ...] = ("local", "morris", "sobol")

Dose = float | tuple[float, str]
ContextSpec = str | Sequence[Any] | Mapping[str, Any] | None
Progress = Callable[[int, int], None]

_HAFNER = "Hafner M et al. 2016, Nat Methods 13:521-7 (GR metrics)"
_MORRIS_REF = "Morris 1991 Technometrics 33:161; Campolongo et al. 2007 Environ Model Softw 22:1509 (mu*)"
_SOBOL_REF = "Saltelli 2002 Comput Phys Commun 145:280; Saltelli et al. 2010 Comput Phys Commun 181:259"
_SALIB_REF = "Herman J, Usher W 2017, J Open Source Softw 2:97 (SALib)"
_STORE_FORMAT = "her2sim-sensitivity-chunks/1"


# ------------------------------------------------------------------------------------------------
# read-outs


def _normalise_drugs(drugs: Mapping[str, Dose] | Sequence[tuple[str, float, str]] | None
                     ) -> tuple[tuple[str, float, str], ...]:
    if not drugs:
        return ()
    items: list[tuple[str, float, str]] = []
    if isinstance(drugs, Mapping):
        for name, dose in drugs.items():
            if isinstance(dose, tuple):
                value, unit = dose
            else:
                value, unit = dose, "nM"
            items.append((str(name), float(value), str(unit)))
    else:
        for entry in drugs:
            name, value, unit = entry
            items.append((str(name), float(value), str(unit)))
    for name, value, _ in items:
        if not (np.isfinite(value) and value >= 0):
            raise ValidationError(f"drugs: the dose of {name!r} must be a finite number >= 0, got {value!r}")
    names = [n for n, _, _ in items]
    if len(set(names)) != len(names):
        raise ValidationError(f"drugs: a drug is listed twice in {names}")
    return tuple(sorted(items))


@final
@dataclass(frozen=True)
class Readout:
    """A scalar read-out: ``output`` at ``time`` hours after treatment start under ``drugs``.

    Parameters
    ----------
    output
        A model output id (``"pAKT_S473"``, ``"cells"``, any species or observable).
    time
        Hours after treatment start (``0`` is the untreated steady state).
    drugs
        ``{drug: dose}``; a dose is nM or ``(value, unit)``, e.g. ``(10, "ug/mL")``. Stored as a
        sorted tuple of ``(name, value, unit)`` so that the read-out is hashable and picklable.
    quantity
        One of :data:`QUANTITIES`: ``"value"`` (default), ``"fold_change"``,
        ``"inhibition_percent"`` or ``"gr"``; the last three compare with the untreated control
        of the same context and parameters, so they need at least one drug.

    Examples
    --------
    >>> Readout("pAKT_S473", 24).label
    'pAKT_S473 at 24 h'
    >>> Readout.growth_inhibition({"lapatinib": 1000}).label
    'growth inhibition at 72 h under lapatinib 1000 nM'
    """

    output: str
    time: float
    drugs: tuple[tuple[str, float, str], ...] = field(default=())
    quantity: str = "value"

    def __post_init__(self) -> None:
        if not isinstance(self.output, str) or not self.output:
            raise ValidationError(f"output must be a non-empty model output id, got {self.output!r}")
        t = float(self.time)
        if not (np.isfinite(t) and t >= 0):
            raise ValidationError(f"time must be a finite number of hours >= 0, got {self.time!r}")
        object.__setattr__(self, "time", t)
        object.__setattr__(self, "drugs", _normalise_drugs(self.drugs))  # type: ignore[arg-type]
        if self.quantity not in QUANTITIES:
            raise UnknownNameError("quantity", str(self.quantity), QUANTITIES)
        if self.quantity != "value" and not self.drugs:
            raise ValidationError(
                f"quantity={self.quantity!r} compares treated with untreated, so drugs must name at least "
                "one drug (e.g. drugs={'lapatinib': 1000})")
        if self.quantity == "gr" and t <= 0:
            raise ValidationError(f"quantity='gr' needs time > 0 (growth since treatment start), got {t!r}")

    # -------------------------------------------------------------- constructors
    @classmethod
    def level(cls, output: str, time: float, drugs: Mapping[str, Dose] | None = None) -> Readout:
        """The output's value at ``time`` (e.g. pAKT at 24 h), optionally under drugs."""
        return cls(output, time, _normalise_drugs(drugs), "value")

    @classmethod
    def fold_change(cls, output: str, time: float, drugs: Mapping[str, Dose]) -> Readout:
        """Treated over untreated value of ``output`` at ``time``."""
        return cls(output, time, _normalise_drugs(drugs), "fold_change")

    @classmethod
    def growth_inhibition(cls, drugs: Mapping[str, Dose], time: float = 72.0) -> Readout:
        """% growth inhibition of the relative cell number at ``time`` (``100·(1 − x/x_ctrl)``)."""
        return cls("cells", time, _normalise_drugs(drugs), "inhibition_percent")

    @classmethod
    def gr(cls, drugs: Mapping[str, Dose], time: float = 72.0) -> Readout:
        """GR value of the relative cell number at ``time`` (Hafner et al. 2016)."""
        return cls("cells", time, _normalise_drugs(drugs), "gr")

    # ---------------------------------------------------------------- properties
    @property
    def needs_control(self) -> bool:
        """Whether the untreated control of the same member is needed."""
        return self.quantity != "value"

    @property
    def label(self) -> str:
        """Display label, unique per read-out (used as the ``readout`` coordinate)."""
        if self.quantity == "value":
            what = self.output
        elif self.quantity == "fold_change":
            what = f"{self.output} fold change"
        elif self.quantity == "inhibition_percent":
            what = "growth inhibition" if self.output == "cells" else f"{self.output} inhibition"
        else:
            what = "GR" if self.output == "cells" else f"GR of {self.output}"
        under = " + ".join(f"{n} {v:g} {u}" for n, v, u in self.drugs)
        return f"{what} at {self.time:g} h" + (f" under {under}" if under else "")

    def units(self, output_units: str = "") -> str:
        """Units of the read-out given the units of its output."""
        return {"value": output_units, "fold_change": "1", "inhibition_percent": "%", "gr": "1"}[self.quantity]

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly description (also used in result attrs and the store manifest)."""
        return {"output": self.output, "time_h": self.time, "quantity": self.quantity,
                "drugs": [[n, v, u] for n, v, u in self.drugs]}


_READOUT_TEXT = re.compile(r"^\s*(?:(?P<prefix>[A-Za-z_ ]+):)?\s*(?P<output>[^@:]+?)?\s*@\s*"
                           r"(?P<time>[0-9.eE+-]+)\s*(?:h|hr|hours?)?\s*$")
_SHORTHANDS = {"gi": "inhibition_percent", "growth_inhibition": "inhibition_percent",
               "inhibition": "inhibition_percent", "gr": "gr"}
_PREFIXES = {"value": "value", "fold": "fold_change", "fold_change": "fold_change",
             "inhibition": "inhibition_percent", "inhibition_percent": "inhibition_percent", "gr": "gr"}


def parse_readout(text: str, *, drugs: Mapping[str, Dose] | None = None) -> Readout:
    """A :class:`Readout` from short text, as used by the command line.

    Forms: ``"pAKT_S473@24h"`` (value), ``"fold:pAKT_S473@24h"`` (fold change),
    ``"gi@72h"`` (% growth inhibition of ``cells``), ``"gr@72h"`` (GR value of ``cells``),
    ``"inhibition:pERK@24h"``.

    Raises
    ------
    ValidationError
        Text that does not match ``[quantity:]output@<hours>h``.

    Examples
    --------
    >>> parse_readout("gi@72h", drugs={"lapatinib": 1000}).quantity
    'inhibition_percent'
    >>> parse_readout("pAKT_S473@24h").time
    24.0
    """
    match = _READOUT_TEXT.match(text or "")
    if match is None:
        raise ValidationError(
            f"readout={text!r} is not understood; use [quantity:]output@<hours>h, e.g. 'pAKT_S473@24h', "
            "'fold:pAKT_S473@24h', 'gi@72h' or 'gr@72h'")
    prefix, output, hours = match.group("prefix"), (match.group("output") or "").strip(), match.group("time")
    try:
        t = float(hours)
    except ValueError:
        raise ValidationError(f"readout={text!r}: {hours!r} is not a number of hours") from None
    if prefix is None and output.lower() in _SHORTHANDS:
        return Readout("cells", t, _normalise_drugs(drugs), _SHORTHANDS[output.lower()])
    quantity = "value"
    if prefix is not None:
        key = prefix.strip().lower()
        if key not in _PREFIXES:
            raise UnknownNameError("readout quantity", key, _PREFIXES)
        quantity = _PREFIXES[key]
    if not output:
        raise ValidationError(f"readout={text!r} names no output before '@'")
    return Readout(output, t, _normalise_drugs(drugs), quantity)


_DOSE_TEXT = re.compile(r"^\s*(?P<name>[^=]+?)\s*=\s*(?P<value>[0-9.eE+-]+)\s*(?P<unit>[^\s0-9][^\s]*)?\s*$")


def parse_doses(text: str) -> dict[str, Dose]:
    """``"lapatinib=1000nM, trastuzumab=10ug/mL"`` → ``{"lapatinib": (1000.0, "nM"), ...}``.

    A dose without a unit is nM. An empty text gives ``{}``.

    Examples
    --------
    >>> parse_doses("trastuzumab=10ug/mL")
    {'trastuzumab': (10.0, 'ug/mL')}
    """
    out: dict[str, Dose] = {}
    for part in (p for p in (text or "").split(",") if p.strip()):
        match = _DOSE_TEXT.match(part)
        if match is None:
            raise ValidationError(f"drugs: {part.strip()!r} is not understood; use name=value[unit], "
                                  "e.g. 'lapatinib=1000nM' or 'trastuzumab=10ug/mL'")
        try:
            value = float(match.group("value"))
        except ValueError:
            raise ValidationError(f"drugs: {match.group('value')!r} is not a number in {part.strip()!r}") from None
        out[match.group("name")] = (value, match.group("unit") or "nM")
    return out


# ------------------------------------------------------------------------------------------------
# parameters


def _default_model():
    from ..library.her2_model import build

    return build()


def _is_flagship(model) -> bool:
    from ..library.her2_model import MODEL_ID

    return getattr(model, "id", None) == MODEL_ID


def _flagship_group(pid: str, value: float, drug_keys: Sequence[str], inputs: set[str]) -> str:
    if pid.endswith("_nM") and pid[:-3] in drug_keys:
        return "treatment"
    if pid in inputs:
        return "input"
    lowered = pid.lower()
    if (re.match(r"^(ic50|kd)_", lowered) and any(f"_{k.lower()}_" in lowered for k in drug_keys)) \
            or lowered.endswith("_cellular_shift") or lowered.startswith("rapalog_") \
            or any(lowered.startswith(f"{k.lower()}_") for k in drug_keys):
        return "pharmacology"
    return "kinetic"


def parameter_groups(model=None) -> pd.DataFrame:
    """Every settable parameter with its group (:data:`PARAMETER_GROUPS`) and whether it is varied by default.

    On the flagship model: drug concentrations are ``treatment``; genotype switches, expression
    levels, ligands and ``cell_growth_switch`` are ``input`` (a context sets them); drug
    potencies (``IC50_*``, ``Kd_<drug>_*``), the cellular potency shifts and drug-mechanism
    constants (``trastuzumab_*``, ``rapalog_*``) are ``pharmacology``; the rest is ``kinetic``.
    On any other model every parameter is ``kinetic``. Assignment-rule variables are computed,
    not set, and are left out. The default set varied is the ``kinetic`` group with a non-zero
    value (a multiplier cannot move a zero).

    Returns
    -------
    pandas.DataFrame
        Columns ``id, value, units, group, kind, default`` (``kind``: provenance kind).
    """
    model = model if model is not None else _default_model()
    ruled = {r.variable for r in model.assignment_rules} | {r.variable for r in model.rate_rules}
    ruled |= {ia.symbol for ia in getattr(model, "initial_assignments", ())}
    flagship = _is_flagship(model)
    drug_keys: list[str] = []
    inputs: set[str] = set()
    if flagship:
        from ..library.her2_model import GENOTYPES, drug_parameter, modelled_drugs
        from ..library.protocols import untreated_parameters

        drug_keys = [drug_parameter(name)[:-3] for name in modelled_drugs()]
        inputs = {pid for values, _ in GENOTYPES.values() for pid in values}
        inputs |= {"HRG_nM", "EGF_nM", "IGF1_nM", "cell_growth_switch"}
        inputs |= {pid for pid in untreated_parameters(model) if not pid.endswith("_nM")}
        inputs |= {p.id for p in model.parameters if p.id.endswith(("_expression", "_level", "_masking", "_mut"))}
    rows = []
    for p in model.parameters:
        if p.id in ruled:
            continue
        group = _flagship_group(p.id, p.value, drug_keys, inputs) if flagship else "kinetic"
        kind = p.provenance.kind if getattr(p, "provenance", None) is not None else ""
        rows.append({"id": p.id, "value": float(p.value), "units": p.units, "group": group, "kind": kind,
                     "default": group == "kinetic" and float(p.value) != 0.0})
    return pd.DataFrame(rows, columns=["id", "value", "units", "group", "kind", "default"])


def _select_parameters(model, parameters: str | Sequence[str] | None) -> tuple[list[str], pd.DataFrame]:
    table = parameter_groups(model)
    settable = table.set_index("id")
    if parameters is None:
        parameters = "kinetic"
    if isinstance(parameters, str):
        key = parameters.strip()
        if key in PARAMETER_GROUPS or key == "all":
            groups = [g for g in PARAMETER_GROUPS if g != "treatment"] if key == "all" else [key]
            if key == "treatment":
                raise ValidationError("parameters='treatment': drug concentrations are set by the read-outs, "
                                      "not varied; choose 'kinetic', 'pharmacology', 'input', 'all' or ids")
            chosen = table[table["group"].isin(groups) & (table["value"] != 0.0)]["id"].tolist()
            if not chosen:
                raise ValidationError(f"parameters={key!r} selects no parameter with a non-zero value")
            return chosen, settable
        parameters = [key]
    ids = [str(p) for p in parameters]
    if not ids:
        raise ValidationError("parameters must name at least one parameter (or a group such as 'kinetic')")
    if len(set(ids)) != len(ids):
        raise ValidationError(f"parameters: a parameter is listed twice in {ids}")
    allowed = list(settable.index) + list(PARAMETER_GROUPS) + ["all"]
    for pid in ids:
        if pid not in settable.index:
            known = {p.id for p in model.parameters}
            if pid in known:
                raise ValidationError(f"parameters: {pid!r} is computed by a rule, not set; it cannot be varied")
            raise UnknownNameError("parameters", pid, allowed)
        if settable.loc[pid, "group"] == "treatment":
            raise ValidationError(f"parameters: {pid!r} is a drug concentration, set by the read-outs' drugs; "
                                  "vary a potency (IC50/Kd) instead")
    return ids, settable


def _factors(ids: Sequence[str], factor: float | Mapping[str, float]) -> np.ndarray:
    if isinstance(factor, Mapping):
        unknown = [k for k in factor if k not in ids]
        if unknown:
            raise UnknownNameError("factor", unknown[0], ids)
        values = [float(factor.get(pid, 3.0)) for pid in ids]
    else:
        values = [float(factor)] * len(ids)
    for pid, f in zip(ids, values):
        if not (np.isfinite(f) and f > 1.0):
            raise ValidationError(f"factor for {pid!r} must be a finite number > 1 (×/÷ range), got {f!r}")
    return np.asarray(values)


# ------------------------------------------------------------------------------------------------
# the plan: which members to simulate and how to form the read-outs


@dataclass(frozen=True)
class _Plan:
    model: Any
    parameters: tuple[str, ...]
    factors: np.ndarray
    readouts: tuple[Readout, ...]
    contexts: dict[str, dict[str, float]]
    arms: tuple[dict[str, float], ...]
    readout_arms: tuple[tuple[int, int], ...]
    times: tuple[float, ...]
    outputs: tuple[str, ...]
    output_units: dict[str, str]
    preequilibrate: Any
    nominal: np.ndarray          # (parameter, context)
    groups: tuple[str, ...]
    rtol: float
    atol: float

    def settings(self) -> dict[str, Any]:
        """Everything that determines the model outputs of a sample row (for the store manifest)."""
        pre = self.preequilibrate
        return {
            "model_id": self.model.id,
            "model_sha256": self.model.fingerprint(),
            "parameters": list(self.parameters),
            "factors": [float(f) for f in self.factors],
            "readouts": [r.as_dict() for r in self.readouts],
            "contexts": {k: dict(sorted(v.items())) for k, v in self.contexts.items()},
            "preequilibrate": dict(sorted(pre.items())) if isinstance(pre, Mapping) else bool(pre),
            "rtol": self.rtol,
            "atol": self.atol,
        }


def _as_readouts(readouts: Readout | Sequence[Readout]) -> tuple[Readout, ...]:
    items = (readouts,) if isinstance(readouts, Readout) else tuple(readouts)
    if not items:
        raise ValidationError("readouts must hold at least one Readout")
    for r in items:
        if not isinstance(r, Readout):
            raise ValidationError(f"readouts must be Readout objects (see parse_readout), got {r!r}")
    labels = [r.label for r in items]
    if len(set(labels)) != len(labels):
        raise ValidationError(f"readouts: a read-out is listed twice in {labels}")
    return items


def _resolve(model, contexts: ContextSpec) -> dict[str, dict[str, float]]:
    if contexts is None:
        return {PARENTAL: {}} if _is_flagship(model) else {"nominal": {}}
    if not _is_flagship(model):
        if not isinstance(contexts, Mapping):
            raise ValidationError("contexts: on a model other than the flagship, give a mapping "
                                  "{label: {parameter id: value}}")
        return {str(k): {str(p): float(v) for p, v in dict(s).items()} for k, s in contexts.items()}
    return resolve_contexts(contexts)  # type: ignore[arg-type]


def _plan(readouts, *, contexts, parameters, factor, model, preequilibrate, rtol, atol) -> _Plan:
    from ..engine.compiler import compile_model

    model = model if model is not None else _default_model()
    items = _as_readouts(readouts)
    ctx = _resolve(model, contexts)
    ids, table = _select_parameters(model, parameters)
    factors = _factors(ids, factor)
    cm = compile_model(model)
    outputs = sorted({r.output for r in items})
    for name in outputs:
        if name not in cm.output_ids:
            raise UnknownNameError("readout output", name, cm.output_ids)
    # treatment arms (distinct drug settings); the untreated control ({}) only where a read-out needs it
    arms: list[dict[str, float]] = []
    readout_arms: list[tuple[int, int]] = []

    def arm_index(settings: dict[str, float]) -> int:
        if settings not in arms:
            arms.append(settings)
        return arms.index(settings)

    for r in items:
        settings = _drug_settings(r, model)
        clash = sorted(set(settings) & set(ids))
        if clash:
            raise ValidationError(f"parameters: {clash} are set by the drugs of read-out {r.label!r}; "
                                  "they cannot also be varied")
        readout_arms.append((arm_index(settings), arm_index({}) if r.needs_control else -1))
    for label, settings in ctx.items():
        for key in settings:
            cm.p_index(key, argument=f"contexts[{label!r}]")
    defaults = {p.id: float(p.value) for p in model.parameters}
    nominal = np.asarray([[float(ctx[c].get(pid, defaults[pid])) for c in ctx] for pid in ids])
    zero = [pid for pid, row in zip(ids, nominal) if np.all(row == 0.0)]
    if zero:
        raise ValidationError(f"parameters: {zero} are 0 in every context, so a multiplier cannot vary them; "
                              "leave them out or set a non-zero value through contexts")
    if preequilibrate is None:
        if _is_flagship(model):
            from ..library.protocols import untreated_parameters

            preequilibrate = untreated_parameters(model)
        else:
            preequilibrate = False
    times = tuple(sorted({0.0, *(r.time for r in items)}))
    units: dict[str, str] = {}
    for name in outputs:
        try:
            units[name] = getattr(model.component(name), "units", "") or ""
        except UnknownNameError:
            units[name] = ""
    return _Plan(model=model, parameters=tuple(ids), factors=factors, readouts=items, contexts=ctx,
                 arms=tuple(arms), readout_arms=tuple(readout_arms), times=times, outputs=tuple(outputs),
                 output_units=units, preequilibrate=preequilibrate, nominal=nominal,
                 groups=tuple(str(table.loc[pid, "group"]) for pid in ids), rtol=float(rtol), atol=float(atol))


def _drug_settings(readout: Readout, model) -> dict[str, float]:
    if not readout.drugs:
        return {}
    if not _is_flagship(model):
        raise ValidationError(f"readout {readout.label!r}: drugs need the flagship model (drug catalogue)")
    from ..library.her2_model import drug_settings

    return drug_settings({n: (v, u) for n, v, u in readout.drugs})


def _evaluate(plan: _Plan, log_multipliers: np.ndarray, n_threads: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Read-outs ``(row, readout, context)`` and solver status ``(row, context, arm)`` of sample rows.

    All members (rows × contexts × arms) run in one :func:`her2sim.simulate_ensemble` call.
    """
    from ..simulation import simulate_ensemble

    u = np.asarray(log_multipliers, dtype=float)
    n, n_ctx, n_arm = u.shape[0], len(plan.contexts), len(plan.arms)
    defaults = {p.id: float(p.value) for p in plan.model.parameters}
    keys = set(plan.parameters) | {k for s in plan.contexts.values() for k in s} | {k for a in plan.arms for k in a}
    columns: dict[str, np.ndarray] = {}
    for key in sorted(keys):
        col = np.empty((n_ctx, n_arm, n))
        for ci, settings in enumerate(plan.contexts.values()):
            for ai, arm in enumerate(plan.arms):
                col[ci, ai, :] = arm.get(key, settings.get(key, defaults[key]))
        columns[key] = col
    for j, pid in enumerate(plan.parameters):
        columns[pid] = columns[pid] * np.exp(u[:, j])[None, None, :]
    ds = simulate_ensemble(plan.model, np.asarray(plan.times), {k: v.reshape(-1) for k, v in columns.items()},
                           preequilibrate=plan.preequilibrate, outputs=list(plan.outputs), rtol=plan.rtol,
                           atol=plan.atol, n_threads=n_threads)
    status = ds["status"].values.reshape(n_ctx, n_arm, n)
    out = {name: ds[name].values.reshape(n_ctx, n_arm, n, len(plan.times)) for name in plan.outputs}
    values = np.empty((n, len(plan.readouts), n_ctx))
    for r, (readout, (arm, control)) in enumerate(zip(plan.readouts, plan.readout_arms)):
        ti = plan.times.index(readout.time)
        y = out[readout.output][:, arm, :, ti]
        yc = out[readout.output][:, control, :, ti] if control >= 0 else None
        y0 = out[readout.output][:, control, :, 0] if control >= 0 else None
        values[:, r, :] = _form(readout.quantity, y, yc, y0).T
    return values, np.transpose(status, (2, 0, 1)).astype(np.int8)


def _form(quantity: str, y: np.ndarray, yc: np.ndarray | None, y0: np.ndarray | None) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if quantity == "value":
            return y.copy()
        if yc is None or y0 is None:
            raise ValidationError(f"quantity={quantity!r} needs the untreated control")  # the plan pairs them
        if quantity == "fold_change":
            return np.where(yc != 0, y / yc, np.nan)
        if quantity == "inhibition_percent":
            return np.where(yc != 0, 100.0 * (1.0 - y / yc), np.nan)
        growing = (yc > y0) & (y > 0) & (y0 > 0)
        gr = np.power(2.0, np.log2(y / y0) / np.log2(yc / y0)) - 1.0
        return np.where(growing, gr, np.nan)


# ------------------------------------------------------------------------------------------------
# chunked, resumable evaluation


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, sort_keys=True, default=str))


class _ChunkStore:
    """Finished chunks of model outputs in a folder, beside a manifest of the settings."""

    def __init__(self, path: Path, settings: dict[str, Any]):
        self.path = Path(path)
        self.settings = _jsonable(settings)

    def open(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        (self.path / "chunks").mkdir(exist_ok=True)
        for tmp in (self.path / "chunks").glob(".chunk-*.tmp"):  # left by a killed run
            pid = tmp.name.rsplit(".", 2)[-2]
            try:
                os.kill(int(pid), 0)  # a live writer (another run on this store): leave it
            except ProcessLookupError:
                tmp.unlink(missing_ok=True)
            except (ValueError, OSError):
                pass
        manifest = self.path / "manifest.json"
        if manifest.exists():
            try:
                stored = json.loads(manifest.read_text())
            except (OSError, ValueError) as exc:
                raise ValidationError(f"store: {manifest.name} in {self.path} cannot be read ({exc}); "
                                      "delete the folder or choose another one") from None
            if stored.get("format") != _STORE_FORMAT or stored.get("settings") != self.settings:
                raise ValidationError(self._mismatch(stored.get("settings") or {}))
            return
        _atomic_write_bytes(manifest, json.dumps({"format": _STORE_FORMAT, "settings": self.settings},
                                                 indent=1, sort_keys=True).encode())

    def _mismatch(self, stored: Mapping[str, Any]) -> str:
        # the sample digest differs whenever a sampling setting does: show it only if nothing else explains it
        keys = sorted(set(stored) | set(self.settings), key=lambda k: (k == "sample_sha256", k))
        diffs = []
        for key in keys:
            old, new = stored.get(key), self.settings.get(key)
            if old != new and not (key == "sample_sha256" and diffs):
                show = (lambda v: (json.dumps(v)[:60] + "...") if len(json.dumps(v)) > 60 else json.dumps(v))
                diffs.append(f"{key} (stored {show(old)}, requested {show(new)})")
        return (f"store={str(self.path)!r} holds chunks computed with other settings: {'; '.join(diffs)}. "
                "Results of different settings are never mixed: choose a new output folder, or delete this "
                "one to start again")

    def chunk_path(self, index: int) -> Path:
        return self.path / "chunks" / f"chunk-{index:05d}.npz"

    def load(self, index: int, rows: tuple[int, int], shapes: tuple[tuple[int, ...], tuple[int, ...]]):
        path = self.chunk_path(index)
        if not path.exists():
            return None
        try:
            # from memory: numpy leaks the file handle when a damaged zip raises
            with np.load(io.BytesIO(path.read_bytes()), allow_pickle=False) as data:
                values, status, span = data["values"], data["status"], tuple(int(x) for x in data["rows"])
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            return None  # an unreadable (empty, truncated, damaged) chunk is recomputed
        if values.shape != shapes[0] or status.shape != shapes[1] or span != rows:
            return None
        return values, status

    def save(self, index: int, rows: tuple[int, int], values: np.ndarray, status: np.ndarray) -> None:
        import io

        buffer = io.BytesIO()
        np.savez(buffer, values=values, status=status, rows=np.asarray(rows, dtype=np.int64))
        _atomic_write_bytes(self.chunk_path(index), buffer.getvalue())


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _run_rows(plan: _Plan, log_multipliers: np.ndarray, *, method_settings: Mapping[str, Any],
              store: str | os.PathLike | None, chunk_size: int, n_threads: int | None,
              progress: Progress | None) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    n = log_multipliers.shape[0]
    if not (isinstance(chunk_size, (int, np.integer)) and chunk_size >= 1):
        raise ValidationError(f"chunk_size must be an integer >= 1, got {chunk_size!r}")
    bounds = [(i, min(i + int(chunk_size), n)) for i in range(0, n, int(chunk_size))]
    n_ctx, n_arm, n_ro = len(plan.contexts), len(plan.arms), len(plan.readouts)
    values = np.full((n, n_ro, n_ctx), np.nan)
    status = np.zeros((n, n_ctx, n_arm), dtype=np.int8)
    chunk_store = None
    if store is not None:
        settings = {**plan.settings(), **dict(method_settings), "chunk_size": int(chunk_size), "n_rows": int(n),
                    "sample_sha256": hashlib.sha256(np.ascontiguousarray(log_multipliers).tobytes()).hexdigest()}
        chunk_store = _ChunkStore(Path(store), settings)
        chunk_store.open()
    reused, computed = [], []
    start_time = _time.perf_counter()
    if progress is not None:
        progress(0, len(bounds))
    for index, (a, b) in enumerate(bounds):
        shapes = ((b - a, n_ro, n_ctx), (b - a, n_ctx, n_arm))
        hit = chunk_store.load(index, (a, b), shapes) if chunk_store is not None else None
        if hit is not None:
            values[a:b], status[a:b] = hit
            reused.append(index)
        else:
            values[a:b], status[a:b] = _evaluate(plan, log_multipliers[a:b], n_threads)
            if chunk_store is not None:
                chunk_store.save(index, (a, b), values[a:b], status[a:b])
            computed.append(index)
        if progress is not None:
            progress(index + 1, len(bounds))
    info = {"n_chunks": len(bounds), "chunks_computed": computed, "chunks_reused": reused,
            "wall_time_s": _time.perf_counter() - start_time}
    return values, status, info


# ------------------------------------------------------------------------------------------------
# result assembly


def _failure_summary(status: np.ndarray) -> str:
    from ..simulation import SolveStatus

    codes, counts = np.unique(status[status != 0], return_counts=True)
    return "; ".join(f"{SolveStatus(int(c)).name}: {int(k)}" for c, k in zip(codes, counts)) or "none"


def _arm_label(settings: Mapping[str, float]) -> str:
    return " + ".join(f"{k} = {v:g}" for k, v in sorted(settings.items())) or "untreated"


def _dataset(plan: _Plan, data_vars: dict[str, tuple[tuple[str, ...], np.ndarray, dict[str, str]]], *,
             method: str, sample: np.ndarray, status: np.ndarray, values: np.ndarray, info: Mapping[str, Any],
             extra: Mapping[str, Any]) -> xr.Dataset:
    labels = [r.label for r in plan.readouts]
    units = [r.units(plan.output_units.get(r.output, "")) for r in plan.readouts]
    coords = {
        "parameter": ("parameter", list(plan.parameters)),
        "readout": ("readout", labels),
        "context": ("context", list(plan.contexts)),
        "parameter_group": ("parameter", list(plan.groups)),
        "factor": ("parameter", plan.factors.astype(float), {"long_name": "×/÷ range of the multiplier"}),
        "readout_units": ("readout", units),
        "readout_quantity": ("readout", [r.quantity for r in plan.readouts]),
    }
    ds = xr.Dataset({k: xr.DataArray(v, dims=d, attrs=a) for k, (d, v, a) in data_vars.items()}, coords=coords)
    ds["parameter_nominal"] = xr.DataArray(plan.nominal, dims=("parameter", "context"),
                                           attrs={"long_name": "nominal parameter value in the context"})
    # the raw design and outputs stay in the result: failed members are data, not gaps
    ds = ds.assign_coords(row=np.arange(values.shape[0]), arm=[_arm_label(a) for a in plan.arms])
    ds["sample_log_multiplier"] = xr.DataArray(sample, dims=("row", "parameter"), attrs={
        "long_name": "ln of the multiplier applied to each parameter's nominal value", "units": "1"})
    ds["readout_value"] = xr.DataArray(values, dims=("row", "readout", "context"), attrs={
        "long_name": "read-out of each sample row (NaN: solver failure or undefined)"})
    ds["status"] = xr.DataArray(status, dims=("row", "context", "arm"), attrs={
        "long_name": "solver status of each member (0 = success; see her2sim.SolveStatus)"})
    nonfinite = np.sum(~np.isfinite(values), axis=0)
    ds["n_nonfinite"] = xr.DataArray(nonfinite.astype(np.int64), dims=("readout", "context"), attrs={
        "long_name": "sample rows whose read-out is NaN (solver failure or undefined read-out)"})
    n_members = int(status.size)
    n_failed = int(np.count_nonzero(status))
    ds.attrs.update(provenance(
        plan.model,
        method=method,
        readouts=json.dumps([r.as_dict() for r in plan.readouts]),
        contexts=json.dumps(plan.contexts, sort_keys=True),
        parameters_varied=len(plan.parameters),
        sampling=("multiplier m on the nominal value, ln m uniform on [-ln f, ln f] (log-uniform, x/÷ f); "
                  "the varied value also acts during pre-equilibration"),
        preequilibrate=json.dumps(plan.preequilibrate, sort_keys=True) if isinstance(plan.preequilibrate, Mapping)
        else str(bool(plan.preequilibrate)),
        rtol=plan.rtol, atol=plan.atol,
        n_rows=int(values.shape[0]),
        n_members=n_members,
        n_failed_members=n_failed,
        failures=_failure_summary(status),
        n_chunks=int(info["n_chunks"]),
        n_chunks_computed=len(info["chunks_computed"]),
        n_chunks_reused=len(info["chunks_reused"]),
        wall_time_s=float(info["wall_time_s"]),
        **dict(extra),
    ))
    if not _is_flagship(plan.model):
        ds.attrs["protocol"] = ("from the model's initial state at t = 0" if plan.preequilibrate is False
                                else "pre-equilibrated, then run from t = 0")
        ds.attrs["time_units"] = plan.model.time_units
        del ds.attrs["concentration_units"]
    ds.attrs["readout_units"] = json.dumps(dict(zip(labels, units)))
    return ds


def _problem(plan: _Plan) -> dict[str, Any]:
    return {"num_vars": len(plan.parameters), "names": list(plan.parameters),
            "bounds": [[-float(np.log(f)), float(np.log(f))] for f in plan.factors]}


def _salib_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("SALib")
    except PackageNotFoundError:  # pragma: no cover - SALib is a runtime dependency
        return "unknown"


def _import_salib():
    try:
        from SALib.analyze import morris as morris_analyze
        from SALib.analyze import sobol as sobol_analyze
        from SALib.sample import morris as morris_sample
        from SALib.sample import sobol as sobol_sample
    except ImportError as exc:  # pragma: no cover - SALib is a runtime dependency
        raise ImportError("global sensitivity needs SALib: pip install SALib (or her2sim's dependencies)") from exc
    return morris_sample, morris_analyze, sobol_sample, sobol_analyze


def _check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValidationError(f"seed must be an integer >= 0, got {seed!r}")
    return int(seed)


def _check_conf(conf_level: float, num_resamples: int) -> None:
    if not 0.0 < float(conf_level) < 1.0:
        raise ValidationError(f"conf_level must be in (0, 1), got {conf_level!r}")
    if not (isinstance(num_resamples, (int, np.integer)) and num_resamples >= 10):
        raise ValidationError(f"num_resamples must be an integer >= 10, got {num_resamples!r}")


# ------------------------------------------------------------------------------------------------
# local sensitivities


def local_sensitivities(
    readouts: Readout | Sequence[Readout],
    *,
    contexts: ContextSpec = None,
    parameters: str | Sequence[str] | None = None,
    step: float = 0.01,
    model=None,
    preequilibrate: bool | Mapping[str, float] | None = None,
    rtol: float = 1e-8,
    atol: float = 1e-12,
    n_threads: int | None = None,
    store: str | os.PathLike | None = None,
    progress: Progress | None = None,
) -> xr.Dataset:
    """Normalised local sensitivities ``d ln y / d ln p`` by central differences in ``ln p``.

    Main arguments
    --------------
    readouts
        One :class:`Readout` or several.
    contexts
        Flagship: genotype / cell-line names (default ``"parental"``), see
        :func:`her2sim.analysis._runs.resolve_context`. Other models: ``{label: {id: value}}``.
    parameters
        Parameter ids or a group of :data:`PARAMETER_GROUPS` (default ``"kinetic"``, see
        :func:`parameter_groups`).
    step
        ``h``: each parameter is multiplied by ``exp(±h)`` and by ``exp(±h/2)``; the central
        difference at ``h`` is ``sensitivity`` and the one at ``h/2`` checks it. The truncation
        error of a central difference is ``O(h²)`` and the solver error contributes about
        ``rtol/h``, so ``h = 0.01`` balances both at the default ``rtol = 1e-8``.

    Other arguments
    ---------------
    model
        Default: the flagship model.
    preequilibrate
        Default: on the flagship, the untreated steady state (drugs 0, cell number frozen); on
        other models none.
    rtol, atol
        Solver tolerances.
    n_threads, store, progress
        Threads of the ensemble; an optional folder making the run resumable; a callback
        ``progress(done, total)`` over chunks.

    Returns
    -------
    xarray.Dataset
        Dims ``parameter × readout × context``: ``sensitivity`` (``d ln y/d ln p`` at ``h``),
        ``sensitivity_half_step`` (at ``h/2``), ``step_halving_difference`` (the second minus the
        first), ``semi_sensitivity`` (``dy/d ln p`` at ``h``, in read-out units; defined where
        ``y`` changes sign), ``readout_nominal`` (readout × context). The log version is NaN where
        ``y ≤ 0`` at any of the three points.

    Raises
    ------
    ValidationError, UnknownNameError
        Bad arguments; messages name the argument and the allowed values.

    Examples
    --------
    >>> import her2sim as hs
    >>> m = hs.Model("decay", compartments=(hs.Compartment("c"),),
    ...              species=(hs.Species("A", "c", 1.0),), parameters=(hs.Parameter("k", 0.5),),
    ...              reactions=(hs.Reaction("r", (("A", 1),), (), hs.model.parse("k*A")),))
    >>> ds = local_sensitivities(Readout("A", 2.0), model=m)
    >>> round(float(ds["sensitivity"].sel(parameter="k").squeeze()), 4)  # exact: -k t = -1
    -1.0
    """
    if not (np.isfinite(step) and 0.0 < float(step) <= 0.5):
        raise ValidationError(f"step must be in (0, 0.5] (a change of ln p), got {step!r}")
    plan = _plan(readouts, contexts=contexts, parameters=parameters, factor=3.0, model=model,
                 preequilibrate=preequilibrate, rtol=rtol, atol=atol)
    d = len(plan.parameters)
    h = float(step)
    u = np.zeros((4 * d + 1, d))
    for j in range(d):
        u[1 + 4 * j: 5 + 4 * j, j] = (h, -h, h / 2, -h / 2)
    values, status, info = _run_rows(plan, u, method_settings={"method": "local", "step": h}, store=store,
                                     chunk_size=u.shape[0], n_threads=n_threads, progress=progress)
    y0 = values[0]                                        # (readout, context)
    blocks = values[1:].reshape(d, 4, *values.shape[1:])  # (parameter, ±h, ±h/2, readout, context)
    with np.errstate(divide="ignore", invalid="ignore"):
        positive = (blocks > 0).all(axis=1) & (y0 > 0)[None]
        logs = np.log(np.where(blocks > 0, blocks, np.nan))
        s_h = np.where(positive, (logs[:, 0] - logs[:, 1]) / (2 * h), np.nan)
        s_half = np.where(positive, (logs[:, 2] - logs[:, 3]) / h, np.nan)
        semi = (blocks[:, 0] - blocks[:, 1]) / (2 * h)
    diff = s_half - s_h
    finite = np.isfinite(diff)
    data = {
        "sensitivity": (("parameter", "readout", "context"), s_h,
                        {"long_name": "normalised sensitivity d ln y / d ln p", "units": "1"}),
        "sensitivity_half_step": (("parameter", "readout", "context"), s_half,
                                  {"long_name": "d ln y / d ln p with step h/2", "units": "1"}),
        "step_halving_difference": (("parameter", "readout", "context"), diff,
                                    {"long_name": "sensitivity(h/2) − sensitivity(h)", "units": "1"}),
        "semi_sensitivity": (("parameter", "readout", "context"), semi,
                             {"long_name": "semi-normalised sensitivity dy / d ln p",
                              "units": "readout units"}),
        "readout_nominal": (("readout", "context"), y0, {"long_name": "read-out at the nominal parameters"}),
    }
    return _dataset(plan, data, method="local", sample=u, status=status, values=values, info=info, extra={
        "step": h, "step_note": "central differences in ln p at steps h and h/2 (4k+1 members, one ensemble)",
        "max_abs_step_halving_difference": float(np.max(np.abs(diff[finite]))) if finite.any() else float("nan"),
    })


# ------------------------------------------------------------------------------------------------
# Morris


def morris(
    readouts: Readout | Sequence[Readout],
    *,
    contexts: ContextSpec = None,
    parameters: str | Sequence[str] | None = None,
    factor: float | Mapping[str, float] = 3.0,
    n_trajectories: int = 20,
    num_levels: int = 4,
    seed: int = 0,
    model=None,
    preequilibrate: bool | Mapping[str, float] | None = None,
    rtol: float = 1e-8,
    atol: float = 1e-12,
    conf_level: float = 0.95,
    num_resamples: int = 1000,
    chunk_size: int = 256,
    n_threads: int | None = None,
    store: str | os.PathLike | None = None,
    progress: Progress | None = None,
) -> xr.Dataset:
    """Morris elementary effects (μ, μ*, σ) with bootstrap confidence intervals of μ*.

    Main arguments
    --------------
    readouts, contexts, parameters
        As in :func:`local_sensitivities`.
    factor
        Each parameter varies log-uniformly within ×/÷ ``factor`` of its nominal value (a
        number, or ``{parameter: factor}`` with 3 for the others).
    n_trajectories
        Morris trajectories ``r``; the sample has ``r·(k + 1)`` rows (SALib ``morris.sample``).
    num_levels
        Grid levels per parameter (even; 4 is the classical choice).
    seed
        Seeds both the sample and the bootstrap.

    Other arguments
    ---------------
    model, preequilibrate, rtol, atol
        As in :func:`local_sensitivities`.
    conf_level, num_resamples
        Bootstrap of ``mu_star_conf`` (SALib).
    chunk_size, n_threads, store, progress
        Sample rows per ensemble call (and per stored chunk); threads; an optional folder making
        the run resumable; a callback ``progress(done, total)`` over chunks.

    Returns
    -------
    xarray.Dataset
        Dims ``parameter × readout × context``: ``mu``, ``mu_star``, ``sigma``, ``mu_star_conf``
        (read-out units per unit of ``ln p``); ``n_used`` (trajectories without a NaN, per
        readout × context), ``n_nonfinite``; provenance, seed and sample size in ``attrs``.
    """
    morris_sample, morris_analyze, _, _ = _import_salib()
    seed = _check_seed(seed)
    _check_conf(conf_level, num_resamples)
    if not (isinstance(n_trajectories, (int, np.integer)) and n_trajectories >= 2):
        raise ValidationError(f"n_trajectories must be an integer >= 2, got {n_trajectories!r}")
    if not (isinstance(num_levels, (int, np.integer)) and num_levels >= 2 and num_levels % 2 == 0):
        raise ValidationError(f"num_levels must be an even integer >= 2 (e.g. 4), got {num_levels!r}")
    plan = _plan(readouts, contexts=contexts, parameters=parameters, factor=factor, model=model,
                 preequilibrate=preequilibrate, rtol=rtol, atol=atol)
    problem = _problem(plan)
    d = problem["num_vars"]
    u = morris_sample.sample(problem, int(n_trajectories), num_levels=int(num_levels), seed=seed)
    settings = {"method": "morris", "n": int(n_trajectories), "num_levels": int(num_levels), "seed": seed,
                "salib": _salib_version()}
    values, status, info = _run_rows(plan, u, method_settings=settings, store=store, chunk_size=chunk_size,
                                     n_threads=n_threads, progress=progress)
    shape = (d, len(plan.readouts), len(plan.contexts))
    mu, mu_star, sigma, conf = (np.full(shape, np.nan) for _ in range(4))
    used = np.zeros(shape[1:], dtype=np.int64)
    traj_rows = u.reshape(int(n_trajectories), d + 1, d)
    for r in range(shape[1]):
        for c in range(shape[2]):
            y = values[:, r, c].reshape(int(n_trajectories), d + 1)
            keep = np.isfinite(y).all(axis=1)
            used[r, c] = int(keep.sum())
            if used[r, c] < 2:
                continue
            res = morris_analyze.analyze(problem, traj_rows[keep].reshape(-1, d), y[keep].reshape(-1),
                                         num_resamples=int(num_resamples), conf_level=float(conf_level),
                                         num_levels=int(num_levels), seed=seed)
            mu[:, r, c] = res["mu"]
            mu_star[:, r, c] = res["mu_star"]
            sigma[:, r, c] = res["sigma"]
            conf[:, r, c] = res["mu_star_conf"]
    dims = ("parameter", "readout", "context")
    data = {
        "mu": (dims, mu, {"long_name": "mean elementary effect μ", "units": "readout units per ln p"}),
        "mu_star": (dims, mu_star, {"long_name": "mean absolute elementary effect μ*",
                                    "units": "readout units per ln p"}),
        "sigma": (dims, sigma, {"long_name": "standard deviation of elementary effects σ",
                                "units": "readout units per ln p"}),
        "mu_star_conf": (dims, conf, {"long_name": f"half-width of the {100 * conf_level:g} % bootstrap "
                                                   "interval of μ*", "units": "readout units per ln p"}),
        "n_used": (("readout", "context"), used, {"long_name": "trajectories used (without NaN)"}),
    }
    return _dataset(plan, data, method="morris", sample=u, status=status, values=values, info=info, extra={
        "n_trajectories": int(n_trajectories), "num_levels": int(num_levels), "seed": seed,
        "conf_level": float(conf_level), "num_resamples": int(num_resamples), "salib_version": _salib_version(),
        "citation": f"{_MORRIS_REF}; {_SALIB_REF}",
    })


# ------------------------------------------------------------------------------------------------
# Sobol


def sobol(
    readouts: Readout | Sequence[Readout],
    *,
    contexts: ContextSpec = None,
    parameters: str | Sequence[str] | None = None,
    factor: float | Mapping[str, float] = 3.0,
    n_base: int = 64,
    seed: int = 0,
    model=None,
    preequilibrate: bool | Mapping[str, float] | None = None,
    rtol: float = 1e-8,
    atol: float = 1e-12,
    conf_level: float = 0.95,
    num_resamples: int = 1000,
    chunk_size: int = 256,
    n_threads: int | None = None,
    store: str | os.PathLike | None = None,
    progress: Progress | None = None,
) -> xr.Dataset:
    """First-order (S1) and total (ST) Sobol indices with bootstrap confidence intervals.

    Main arguments
    --------------
    readouts, contexts, parameters, factor, seed
        As in :func:`morris`.
    n_base
        Base samples ``N`` (a power of 2, as Sobol' sequences need); the Saltelli sample has
        ``N·(k + 2)`` rows (SALib ``sobol.sample`` with ``calc_second_order=False``, scrambled
        and seeded).

    Other arguments
    ---------------
    As in :func:`morris`.

    Returns
    -------
    xarray.Dataset
        Dims ``parameter × readout × context``: ``S1``, ``S1_conf``, ``ST``, ``ST_conf``
        (half-widths of the bootstrap intervals); ``n_used`` (Saltelli blocks without a NaN),
        ``readout_mean`` and ``readout_variance`` over those blocks, ``n_nonfinite``. A read-out
        that does not vary has NaN indices (they are 0/0), noted in ``attrs``.
    """
    _, _, sobol_sample, sobol_analyze = _import_salib()
    seed = _check_seed(seed)
    _check_conf(conf_level, num_resamples)
    if not (isinstance(n_base, (int, np.integer)) and n_base >= 2 and (int(n_base) & (int(n_base) - 1)) == 0):
        near = 1 << max(1, round(math.log2(n_base))) if isinstance(n_base, (int, np.integer)) and n_base > 0 else 64
        raise ValidationError(f"n_base must be a power of 2 >= 2 (Sobol' sequences), got {n_base!r}; "
                              f"the closest is {near}")
    plan = _plan(readouts, contexts=contexts, parameters=parameters, factor=factor, model=model,
                 preequilibrate=preequilibrate, rtol=rtol, atol=atol)
    problem = _problem(plan)
    d = problem["num_vars"]
    u = sobol_sample.sample(problem, int(n_base), calc_second_order=False, scramble=True, seed=seed)
    settings = {"method": "sobol", "n": int(n_base), "seed": seed, "calc_second_order": False,
                "salib": _salib_version()}
    values, status, info = _run_rows(plan, u, method_settings=settings, store=store, chunk_size=chunk_size,
                                     n_threads=n_threads, progress=progress)
    shape = (d, len(plan.readouts), len(plan.contexts))
    s1, s1c, st, stc = (np.full(shape, np.nan) for _ in range(4))
    used = np.zeros(shape[1:], dtype=np.int64)
    mean = np.full(shape[1:], np.nan)
    var = np.full(shape[1:], np.nan)
    constant: list[str] = []
    for r in range(shape[1]):
        for c in range(shape[2]):
            y = values[:, r, c].reshape(int(n_base), d + 2)
            keep = np.isfinite(y).all(axis=1)
            used[r, c] = int(keep.sum())
            if used[r, c] < 2:
                continue
            y_kept = y[keep]
            mean[r, c], var[r, c] = float(np.mean(y_kept)), float(np.var(y_kept))
            if np.ptp(y_kept) == 0.0:
                constant.append(f"{plan.readouts[r].label} in {list(plan.contexts)[c]}")
                continue
            res = sobol_analyze.analyze(problem, y_kept.reshape(-1), calc_second_order=False,
                                        num_resamples=int(num_resamples), conf_level=float(conf_level), seed=seed)
            s1[:, r, c], s1c[:, r, c] = res["S1"], res["S1_conf"]
            st[:, r, c], stc[:, r, c] = res["ST"], res["ST_conf"]
    dims = ("parameter", "readout", "context")
    half = f"half-width of the {100 * conf_level:g} % bootstrap interval"
    data = {
        "S1": (dims, s1, {"long_name": "first-order Sobol index", "units": "1"}),
        "S1_conf": (dims, s1c, {"long_name": f"{half} of S1", "units": "1"}),
        "ST": (dims, st, {"long_name": "total Sobol index", "units": "1"}),
        "ST_conf": (dims, stc, {"long_name": f"{half} of ST", "units": "1"}),
        "n_used": (("readout", "context"), used, {"long_name": "Saltelli blocks used (without NaN)"}),
        "readout_mean": (("readout", "context"), mean, {"long_name": "mean of the read-out over the sample"}),
        "readout_variance": (("readout", "context"), var, {"long_name": "variance of the read-out over the sample"}),
    }
    return _dataset(plan, data, method="sobol", sample=u, status=status, values=values, info=info, extra={
        "n_base": int(n_base), "seed": seed, "calc_second_order": "False", "conf_level": float(conf_level),
        "num_resamples": int(num_resamples), "salib_version": _salib_version(),
        "constant_readouts": "; ".join(constant) or "none",
        "citation": f"{_SOBOL_REF}; {_SALIB_REF}",
    })


def run_sensitivity(
    method: str,
    readouts: Readout | Sequence[Readout],
    *,
    n: int | None = None,
    **kwargs: Any,
) -> xr.Dataset:
    """Dispatch to :func:`local_sensitivities`, :func:`morris` or :func:`sobol` by name.

    ``n`` is the number of trajectories (Morris) or base samples (Sobol) and must be left out
    for ``"local"``; other keyword arguments are passed on unchanged.
    """
    if method not in METHODS:
        raise UnknownNameError("method", str(method), METHODS)
    if method == "local":
        if n is not None:
            raise ValidationError("n: the local method has no sample size (it uses 4k+1 fixed members)")
        return local_sensitivities(readouts, **kwargs)
    if method == "morris":
        return morris(readouts, **({"n_trajectories": n} if n is not None else {}), **kwargs)
    return sobol(readouts, **({"n_base": n} if n is not None else {}), **kwargs)


# ------------------------------------------------------------------------------------------------
# ranking


_DEFAULT_METRIC = {"local": "sensitivity", "morris": "mu_star", "sobol": "ST"}
_CONF = {"mu_star": "mu_star_conf", "ST": "ST_conf", "S1": "S1_conf"}
_SIGNED = {"local": ("sensitivity", "semi_sensitivity"), "morris": ("mu",)}
#: Scores below this fraction of the strongest in their group get no direction: at that size they are
#: solver round-off (rtol 1e-8 over finite differences), not an effect.
_NEGLIGIBLE = 1e-6


def rank_drivers(
    ds: xr.Dataset,
    *,
    metric: str | None = None,
    readout: str | Sequence[str] | None = None,
    top: int | None = None,
) -> pd.DataFrame:
    """Rank parameters by influence per read-out and context (genotype): a tidy table.

    Parameters
    ----------
    ds
        A result of :func:`local_sensitivities`, :func:`morris` or :func:`sobol`.
    metric
        Default ``|sensitivity|`` (local), ``mu_star`` (Morris) or ``ST`` (Sobol); also
        ``semi_sensitivity`` (local), ``sigma`` (Morris), ``S1`` (Sobol).
    readout
        Read-out label(s) to keep (default all).
    top
        Keep the ``top`` strongest per read-out and context.

    Returns
    -------
    pandas.DataFrame
        ``readout, context, rank, parameter, parameter_group, metric, value, conf, score,
        relative, effect, towards``. ``score`` is ``|value|``; ``relative`` is score over the
        largest score in that read-out and context; ``effect`` says whether raising the
        parameter raises or lowers the read-out (from the sign of ``mu`` or of the local
        sensitivity; empty for Sobol and for scores below 1e-6 of the strongest, which are
        round-off); ``towards`` translates that for drug-response read-outs: lower growth
        inhibition or higher GR under the drug is ``"resistance"``.
    """
    method = ds.attrs.get("method")
    if method not in _DEFAULT_METRIC:
        raise ValidationError("ds must be a result of local_sensitivities, morris or sobol (attrs['method'])")
    metric = metric or _DEFAULT_METRIC[method]
    allowed = [v for v in ds.data_vars if ds[v].dims == ("parameter", "readout", "context")]
    if metric not in allowed:
        raise UnknownNameError("metric", metric, allowed)
    labels = list(ds["readout"].values)
    if readout is not None:
        wanted = [readout] if isinstance(readout, str) else list(readout)
        for w in wanted:
            if w not in labels:
                raise UnknownNameError("readout", w, labels)
        labels = wanted
    if top is not None and not (isinstance(top, int) and top >= 1):
        raise ValidationError(f"top must be an integer >= 1, got {top!r}")
    sign_var = next((v for v in _SIGNED.get(method, ()) if v in ds.data_vars), None)
    if method == "local" and metric in ds.data_vars and metric in _SIGNED["local"]:
        sign_var = metric
    rows = []
    for label in labels:
        quantity = str(ds["readout_quantity"].sel(readout=label).values)
        for context in ds["context"].values:
            values = ds[metric].sel(readout=label, context=context).values
            conf = (ds[_CONF[metric]].sel(readout=label, context=context).values if metric in _CONF
                    else np.full_like(values, np.nan))
            signs = (np.sign(ds[sign_var].sel(readout=label, context=context).values) if sign_var
                     else np.full_like(values, np.nan))
            score = np.abs(values)
            order = np.argsort(np.where(np.isfinite(score), -score, np.inf), kind="stable")
            best = np.nanmax(score) if np.isfinite(score).any() else np.nan
            for rank, i in enumerate(order[: top or len(order)], start=1):
                relative = float(score[i] / best) if np.isfinite(best) and best > 0 else float("nan")
                negligible = not relative > _NEGLIGIBLE
                effect = "" if negligible or not np.isfinite(signs[i]) or signs[i] == 0 else (
                    "raises" if signs[i] > 0 else "lowers")
                towards = ""
                if effect and quantity in ("inhibition_percent", "gr"):
                    # resistance: less growth inhibition, or a higher GR value, under the drug
                    raises_resistance = effect == ("lowers" if quantity == "inhibition_percent" else "raises")
                    towards = "resistance" if raises_resistance else "sensitivity"
                rows.append({
                    "readout": label, "context": str(context), "rank": rank,
                    "parameter": str(ds["parameter"].values[i]),
                    "parameter_group": str(ds["parameter_group"].values[i]),
                    "metric": metric, "value": float(values[i]), "conf": float(conf[i]),
                    "score": float(score[i]),
                    "relative": relative,
                    "effect": effect, "towards": towards,
                })
    columns = ["readout", "context", "rank", "parameter", "parameter_group", "metric", "value", "conf", "score",
               "relative", "effect", "towards"]
    return pd.DataFrame(rows, columns=columns)


# ------------------------------------------------------------------------------------------------
# figures (matplotlib imported lazily)


def _pyplot():
    import matplotlib

    if matplotlib.get_backend().lower() != "agg":
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


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
