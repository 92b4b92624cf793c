"""Simulation entry points: one run or an ensemble, returning labelled xarray Datasets.

``simulate`` runs one parameter set and raises :class:`~her2sim.errors.SolverError` if it
fails. ``simulate_ensemble`` runs many parameter sets in compiled code on every core; a failed
member is data (NaN outputs, a ``status`` code and a ``message`` saying what to try).
"""

from __future__ import annotations

import datetime as _dt
import enum
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from . import __version__
from .engine.compiler import CompiledModel, Options, compile_model
from .errors import SolverError, UnknownNameError, ValidationError
from .model import Model

__all__ = ["simulate", "simulate_ensemble", "simulate_sensitivities", "SolveStatus", "Schedule"]

Schedule = Sequence[tuple[float, Mapping[str, float]]]


class SolveStatus(enum.IntEnum):
    """Outcome of one run, with a message that says what to try."""

    SUCCESS = 0
    MAX_STEPS = 1
    STEP_TOO_SMALL = 2
    NONFINITE = 3
    NO_STEADY_STATE = 4
    SINGULAR = 5
    BAD_INPUT = 6
    EVENT_LIMIT = 7

    @property
    def message(self) -> str:
        return _MESSAGES[self]


_MESSAGES = {
    SolveStatus.SUCCESS: "success",
    SolveStatus.MAX_STEPS: "the step limit was reached: raise max_steps, loosen rtol/atol, or check for fast oscillations",
    SolveStatus.STEP_TOO_SMALL: (
        "the step size fell below round-off: the solution may blow up or cross a discontinuity; "
        "check for extreme parameter values or loosen the tolerances"
    ),
    SolveStatus.NONFINITE: (
        "the right-hand side returned NaN or Inf: look for division by zero, log or power of a "
        "non-positive value, or overflow at these parameters"
    ),
    SolveStatus.NO_STEADY_STATE: (
        "pre-equilibration did not reach a steady state: a quantity keeps changing (e.g. a growing cell "
        "number). Freeze it during pre-equilibration with preequilibrate={...} overrides, raise "
        "steady_state_tmax, or loosen steady_state_rtol"
    ),
    SolveStatus.SINGULAR: "the iteration matrix was singular even with a fresh Jacobian: check the model for degenerate rates",
    SolveStatus.BAD_INPUT: "bad input or out of memory",
    SolveStatus.EVENT_LIMIT: "too many events fired (a trigger may flip back and forth): check event triggers",
}


def _as_compiled(model: Model | CompiledModel) -> CompiledModel:
    if isinstance(model, CompiledModel):
        return model
    if isinstance(model, Model):
        return compile_model(model)
    raise ValidationError(f"model must be a her2sim Model or CompiledModel, got {type(model).__name__}")


def _check_times(times) -> np.ndarray:
    t = np.asarray(times, dtype=float).reshape(-1)
    if t.size == 0:
        raise ValidationError("times must contain at least one time point")
    if not np.all(np.isfinite(t)):
        raise ValidationError("times must be finite")
    if np.any(np.diff(t) < 0):
        raise ValidationError("times must be non-decreasing")
    return t


def _default_outputs(cm: CompiledModel) -> list[str]:
    m = cm.model
    varying = {r.variable for r in m.assignment_rules} | {r.variable for r in m.rate_rules}
    varying |= {v for e in m.events for v, _ in e.assignments}
    outs = []
    for ident, kind in zip(cm.output_ids, cm.output_kinds):
        if kind == "species" or (kind in ("parameter", "compartment") and ident in varying):
            outs.append(ident)
    return outs


def _selection(cm: CompiledModel, outputs: Sequence[str] | None) -> tuple[list[str], np.ndarray]:
    if outputs is None:
        names = _default_outputs(cm)
    else:
        if isinstance(outputs, str):
            outputs = [outputs]
        names = list(outputs)
    if "time" in names:
        # xarray holds one variable per name; the coordinate owns "time"
        raise ValidationError(
            "outputs: a model component named 'time' cannot be an output variable, because the "
            "result's time coordinate has that name; rename the component (e.g. to 'time_value')"
        )
    sel = np.asarray([cm.output_index(n) for n in names], dtype=np.int32)
    return names, sel


def _schedule_arrays(cm: CompiledModel, schedule: Schedule | None):
    if not schedule:
        return None
    rows = []
    for n, item in enumerate(schedule):
        try:
            t, changes = item
        except (TypeError, ValueError):
            raise ValidationError(
                f"schedule[{n}] must be a (time, {{parameter: value}}) pair, got {item!r}"
            ) from None
        for k, v in changes.items():
            rows.append((float(t), n, cm.p_index(k, argument=f"schedule[{n}]"), float(v)))
    rows.sort(key=lambda r: (r[0], r[1]))
    return (
        np.asarray([r[0] for r in rows]),
        np.asarray([r[2] for r in rows], dtype=np.int32),
        np.asarray([r[3] for r in rows]),
    )


def _options(rtol, atol, max_steps, h_max, ss_rtol, ss_atol, ss_tmax) -> Options:
    for name, v in (("rtol", rtol), ("atol", atol)):
        if not (np.isfinite(v) and v > 0):
            raise ValidationError(f"{name} must be a positive finite number, got {v!r}")
    if rtol < 1e-14:
        raise ValidationError(f"rtol={rtol!r} is below what double precision supports (>= 1e-14)")
    return Options(
        rtol=float(rtol),
        atol=float(atol),
        h_max=float(h_max) if h_max is not None else float("inf"),
        max_steps=int(max_steps),
        ss_rtol=float(ss_rtol),
        ss_atol=float(ss_atol),
        ss_tmax=float(ss_tmax),
        ss_max_steps=int(max_steps),
        max_events=100000,
    )


def _units(cm: CompiledModel, ident: str, kind: str) -> str:
    m = cm.model
    try:
        comp = m.component(ident)
    except UnknownNameError:
        return ""
    u = getattr(comp, "units", "") or ""
    if kind == "reaction":
        return f"{m.substance_units or 'substance'}/{m.time_units}"
    return u


def _attrs(cm: CompiledModel, *, rtol, atol, preequilibrate, schedule, extra=None) -> dict[str, Any]:
    m = cm.model
    attrs = {
        "her2sim_version": __version__,
        "model_id": m.id,
        "model_name": m.name,
        "model_sha256": m.fingerprint(),
        "solver": "her2sim BDF/NDF (orders 1-5, sparse LU), compiled C",
        "rtol": float(rtol),
        "atol": float(atol),
        "preequilibrate": str(preequilibrate if not isinstance(preequilibrate, Mapping) else dict(preequilibrate)),
        "schedule": str([(t, dict(c)) for t, c in (schedule or ())]),
        "time_units": m.time_units,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
    if m.citation:
        attrs["citation"] = m.citation
    if extra:
        attrs.update(extra)
    return attrs


def _pre_matrix(cm: CompiledModel, P: np.ndarray, preequilibrate) -> np.ndarray | None:
    if preequilibrate is False or preequilibrate is None:
        return None
    P_pre = P.copy()
    if isinstance(preequilibrate, Mapping):
        for k, v in preequilibrate.items():
            P_pre[:, cm.p_index(k, argument="preequilibrate")] = float(v)
    elif preequilibrate is not True:
        raise ValidationError(
            f"preequilibrate must be False, True or a mapping of parameter overrides, got {preequilibrate!r}"
        )
    return P_pre


def _dataset(cm, names, out, times, dims, coords, attrs) -> xr.Dataset:
    data_vars = {}
    kinds = dict(zip(cm.output_ids, cm.output_kinds))
    for k, name in enumerate(names):
        da = xr.DataArray(out[..., k], dims=dims)
        da.attrs["units"] = _units(cm, name, kinds[name])
        da.attrs["kind"] = kinds[name]
        try:
            label = getattr(cm.model.component(name), "name", "") or name
        except UnknownNameError:
            label = name
        da.attrs["long_name"] = label
        data_vars[name] = da
    ds = xr.Dataset(data_vars, coords=coords, attrs=attrs)
    ds["time"].attrs["units"] = cm.model.time_units
    return ds


def simulate(
    model: Model | CompiledModel,
    times,
    *,
    parameters: Mapping[str, float] | None = None,
    initial: Mapping[str, float] | None = None,
    preequilibrate: bool | Mapping[str, float] = False,
    schedule: Schedule = (),
    outputs: Sequence[str] | None = None,
    rtol: float = 1e-8,
    atol: float = 1e-12,
    max_steps: int = 500_000,
    h_max: float | None = None,
    steady_state_rtol: float = 1e-10,
    steady_state_atol: float = 1e-14,
    steady_state_tmax: float = 1e10,
    throw: bool = True,
) -> xr.Dataset:
    """Simulate one run of a model.

    Parameters
    ----------
    model : Model or CompiledModel
        Compiled on first use and cached by structure.
    times : array_like
        Output times in the model's time unit; the run starts at ``times[0]``.
    parameters, initial : mapping, optional
        Overrides of parameter / compartment values and of species initial values (in each
        species' declared initial unit). Runtime inputs: never trigger recompilation.
    preequilibrate : bool or mapping
        ``True``: start from the steady state reached under ``parameters``; a mapping: the
        same but with these parameter overrides during pre-equilibration only (e.g. drugs at 0).
    schedule : sequence of (time, {parameter: value})
        Parameter changes applied at those times (dosing, wash-out, sequential therapy); the
        solver stops and restarts there.
    outputs : sequence of str, optional
        Species (concentration unless ``has_only_substance_units``), parameters, compartments
        or reaction ids. Default: all species plus non-constant parameters.
    rtol, atol : float
        Error tolerances (atol applies to species amounts).
    throw : bool
        Raise :class:`SolverError` on failure (default); otherwise return NaNs and a status.

    Returns
    -------
    xarray.Dataset
        Dimension ``time``; one variable per output with ``units`` and ``long_name``;
        scalar ``status``; provenance in ``attrs``.

    Examples
    --------
    >>> import her2sim as hs
    >>> m = hs.Model("decay", compartments=(hs.Compartment("c"),),
    ...              species=(hs.Species("A", "c", 1.0),),
    ...              parameters=(hs.Parameter("k", 0.5),),
    ...              reactions=(hs.Reaction("r", (("A", 1),), (), hs.model.parse("k*A")),))
    >>> ds = hs.simulate(m, [0.0, 1.0, 2.0])
    >>> round(float(ds["A"][-1]), 6)
    0.367879
    """
    cm = _as_compiled(model)
    t = _check_times(times)
    P = cm.parameter_vector(parameters, initial)[None, :]
    names, sel = _selection(cm, outputs)
    opts = _options(rtol, atol, max_steps, h_max, steady_state_rtol, steady_state_atol, steady_state_tmax)
    P_pre = _pre_matrix(cm, P, preequilibrate)
    res = cm.run(P, t, sel, opts, P_pre=P_pre, schedule=_schedule_arrays(cm, schedule), want_final_state=True)
    status = SolveStatus(int(res["status"][0]))
    if status != SolveStatus.SUCCESS and throw:
        raise SolverError(_failure_message(cm, status, res["x_final"][0], P_pre[0] if P_pre is not None else P[0]), int(status))
    ds = _dataset(
        cm, names, res["out"][0], t, ("time",), {"time": t},
        _attrs(cm, rtol=rtol, atol=atol, preequilibrate=preequilibrate, schedule=schedule,
               extra={"n_steps": int(res["stats"][0, 0]), "n_rhs": int(res["stats"][0, 1]),
                      "n_jacobians": int(res["stats"][0, 2]), "n_factorisations": int(res["stats"][0, 3])}),
    )
    ds["status"] = xr.DataArray(np.int8(status), attrs={"long_name": "solver status (0 = success)"})
    ds.attrs["message"] = status.message
    return ds


def _failure_message(cm: CompiledModel, status: SolveStatus, x: np.ndarray, p: np.ndarray) -> str:
    msg = f"simulation of model {cm.model.id!r} failed: {status.name}: {status.message}"
    if status == SolveStatus.NO_STEADY_STATE and np.all(np.isfinite(x)):
        dx = cm.rhs(0.0, x, p)
        rel = np.abs(dx) / np.maximum(np.abs(x), 1e-300)
        worst = np.argsort(-rel)[:3]
        parts = [f"{cm.state_ids[i]} (d/dt / value = {rel[i]:.3g} per {cm.model.time_units})" for i in worst]
        msg += ". Still changing most: " + ", ".join(parts)
    return msg


def simulate_ensemble(
    model: Model | CompiledModel,
    times,
    parameters: Mapping[str, Any] | Any,
    *,
    initial: Mapping[str, Any] | None = None,
    preequilibrate: bool | Mapping[str, float] = False,
    schedule: Schedule = (),
    outputs: Sequence[str] | None = None,
    rtol: float = 1e-8,
    atol: float = 1e-12,
    max_steps: int = 500_000,
    h_max: float | None = None,
    steady_state_rtol: float = 1e-10,
    steady_state_atol: float = 1e-14,
    steady_state_tmax: float = 1e10,
    n_threads: int | None = None,
    member_ids: Sequence[Any] | None = None,
) -> xr.Dataset:
    """Simulate many parameter sets in compiled code, in parallel over members.

    Parameters
    ----------
    parameters : mapping of id → array (n_members,) or scalar, or a pandas DataFrame
        Per-member parameter values; ids not given keep the model's values.
    initial : mapping of species id → array or scalar, optional
    n_threads : int, optional
        Threads (default: every core). Results are identical for any thread count.
    Other arguments as in :func:`simulate`.

    Returns
    -------
    xarray.Dataset
        Dims ``member × time``; ``status`` (member) and ``message`` (member) record failures,
        whose outputs are NaN. Nothing computed for other members is lost.
    """
    cm = _as_compiled(model)
    t = _check_times(times)
    cols = _columns(parameters, "parameters")
    init_cols = _columns(initial or {}, "initial")
    n = _n_members(cols, init_cols)
    P = np.repeat(cm.p_default[None, :], n, axis=0)
    for k, v in cols.items():
        P[:, cm.p_index(k)] = v
    for k, v in init_cols.items():
        P[:, cm.init_index(k)] = v
    names, sel = _selection(cm, outputs)
    opts = _options(rtol, atol, max_steps, h_max, steady_state_rtol, steady_state_atol, steady_state_tmax)
    P_pre = _pre_matrix(cm, P, preequilibrate)
    threads = n_threads or os.cpu_count() or 1
    res = cm.run(P, t, sel, opts, P_pre=P_pre, schedule=_schedule_arrays(cm, schedule), n_threads=threads)
    members = np.asarray(member_ids) if member_ids is not None else np.arange(n)
    ds = _dataset(
        cm, names, res["out"], t, ("member", "time"), {"member": members, "time": t},
        _attrs(cm, rtol=rtol, atol=atol, preequilibrate=preequilibrate, schedule=schedule,
               extra={"n_threads": int(threads)}),
    )
    status = res["status"].astype(np.int8)
    ds["status"] = xr.DataArray(status, dims=("member",), attrs={"long_name": "solver status (0 = success)"})
    ds["message"] = xr.DataArray(
        np.asarray([SolveStatus(int(s)).message for s in status], dtype=object), dims=("member",)
    )
    ds["n_steps"] = xr.DataArray(res["stats"][:, 0].astype(np.int64), dims=("member",))
    for k, v in cols.items():
        ds[f"parameter:{k}"] = xr.DataArray(v, dims=("member",), attrs={"long_name": f"input parameter {k}"})
    n_failed = int(np.count_nonzero(status))
    ds.attrs["n_failed"] = n_failed
    return ds


def simulate_sensitivities(
    model: Model | CompiledModel,
    times,
    wrt: Sequence[str],
    *,
    parameters: Mapping[str, float] | None = None,
    initial: Mapping[str, float] | None = None,
    preequilibrate: bool | Mapping[str, float] = False,
    outputs: Sequence[str] | None = None,
    normalise: bool = True,
    rtol: float = 1e-8,
    atol: float = 1e-12,
    max_steps: int = 500_000,
    steady_state_rtol: float = 1e-10,
    steady_state_atol: float = 1e-14,
    steady_state_tmax: float = 1e10,
    throw: bool = True,
) -> xr.Dataset:
    """One run with forward sensitivities of the outputs w.r.t. parameters and initial values.

    The model's sensitivity system (state and one sensitivity vector per entry of ``wrt``) is
    compiled and integrated with error control on both (see
    :func:`her2sim.engine.codegen.generate`); with ``preequilibrate`` the sensitivities of the
    steady state are carried into the run.

    Parameters
    ----------
    wrt : sequence of str
        Parameter or compartment ids, or species ids (meaning their initial value).
    normalise : bool
        ``True``: ``∂ ln y / ∂ ln p`` (dimensionless, the normalised sensitivity of metabolic
        control analysis; NaN where ``y = 0``); ``False``: ``∂y/∂p`` in output units per
        parameter unit.
    Other arguments as in :func:`simulate` (schedules are not supported here: a scheduled
    change would reset a differentiated parameter).

    Returns
    -------
    xarray.Dataset
        One variable per output (dim ``time``) and ``sensitivity:<output>`` (dims
        ``parameter × time``).

    Raises
    ------
    UnknownNameError
        If an id of ``wrt`` is not a runtime input of the model.
    UnsupportedFeatureError
        For models with events.
    """
    cm0 = _as_compiled(model)
    t = _check_times(times)
    wrt = list(wrt)
    if not wrt:
        raise ValidationError("wrt: give at least one parameter or species id")
    allowed = list(cm0.param_ids) + list(cm0.init_ids)
    slots = []
    for ident in wrt:
        if ident in cm0.param_ids:
            slots.append(cm0.p_index(ident))
        elif ident in cm0.init_ids:
            slots.append(cm0.init_index(ident))
        else:
            raise UnknownNameError("wrt", ident, allowed)
    if len(set(slots)) != len(slots):
        raise ValidationError(f"wrt: duplicate ids in {wrt}")
    n = len(slots)
    cm = compile_model(cm0.model, (n, tuple(slots)))
    p0 = cm0.parameter_vector(parameters, initial)
    scale = np.asarray([p0[j] for j in slots]) if normalise else np.ones(n)
    D = np.diag(scale)
    P = np.concatenate([p0, D.ravel()])[None, :]
    names, base_sel = _selection(cm0, outputs)
    n_out0 = cm.n_out_base
    sel = [base_sel]
    sel += [n_out0 * (1 + k) + base_sel for k in range(n)]
    sel += [n_out0 * (1 + n + q) + base_sel for q in range(n)]
    sel_arr = np.concatenate(sel).astype(np.int32)
    opts = _options(rtol, atol, max_steps, None, steady_state_rtol, steady_state_atol, steady_state_tmax)
    P_pre = None
    if preequilibrate is not False:
        pre = cm0.parameter_vector({**(parameters or {}), **(preequilibrate if isinstance(preequilibrate, Mapping) else {})}, initial)
        P_pre = np.concatenate([pre, D.ravel()])[None, :]
    res = cm.run(P, t, sel_arr, opts, P_pre=P_pre, want_final_state=True)
    status = SolveStatus(int(res["status"][0]))
    if status != SolveStatus.SUCCESS and throw:
        raise SolverError(f"sensitivity run of model {cm0.model.id!r} failed: {status.name}: {status.message}", int(status))
    out = res["out"][0]
    m = base_sel.size
    values = out[:, :m]
    sens = np.empty((n, t.size, m))
    for k in range(n):
        sens[k] = out[:, m * (1 + k): m * (2 + k)] + scale[k] * out[:, m * (1 + n + k): m * (2 + n + k)]
    if normalise:
        with np.errstate(divide="ignore", invalid="ignore"):
            sens = np.where(values[None, :, :] != 0, sens / values[None, :, :], np.nan)
    ds = _dataset(cm0, names, values, t, ("time",), {"time": t},
                  _attrs(cm0, rtol=rtol, atol=atol, preequilibrate=preequilibrate, schedule=()))
    for j, name in enumerate(names):
        units = "1" if normalise else f"({ds[name].attrs.get('units', '')}) per parameter unit"
        ds[f"sensitivity:{name}"] = xr.DataArray(
            sens[:, :, j], dims=("parameter", "time"),
            attrs={"units": units, "long_name": ("d ln y / d ln p" if normalise else "dy/dp") + f" of {name}"},
        )
    ds = ds.assign_coords(parameter=np.asarray(wrt, dtype=object))
    ds["status"] = xr.DataArray(np.int8(status), attrs={"long_name": "solver status (0 = success)"})
    ds.attrs["sensitivity_method"] = "forward sensitivities (staggered corrector), error-controlled"
    ds.attrs["normalised"] = int(bool(normalise))
    return ds


def _columns(values, argument: str) -> dict[str, np.ndarray]:
    if values is None:
        return {}
    if hasattr(values, "to_dict") and hasattr(values, "columns"):
        return {str(c): np.asarray(values[c], dtype=float) for c in values.columns}
    if not isinstance(values, Mapping):
        raise ValidationError(f"{argument} must be a mapping of id -> values or a pandas DataFrame")
    return {k: np.atleast_1d(np.asarray(v, dtype=float)) for k, v in values.items()}


def _n_members(*groups: dict[str, np.ndarray]) -> int:
    sizes = {v.size for g in groups for v in g.values() if v.size != 1}
    if len(sizes) > 1:
        raise ValidationError(f"ensemble inputs have different lengths: {sorted(sizes)}")
    n = sizes.pop() if sizes else 1
    for g in groups:
        for k, v in g.items():
            if v.size == 1:
                g[k] = np.full(n, float(v.reshape(-1)[0]))
    return n
