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
from .engine.solver import SolverOptions, resolve as _resolve_solver
from .protocol import Protocol, execute, sensitivity_selection
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
    if times is None or isinstance(times, (str, bytes)):
        raise ValidationError(f"times must be a sequence of numbers, got {times!r:.100}")
    try:
        t = np.asarray(times, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise ValidationError(f"times must be a sequence of numbers, got {times!r:.100}") from None
    if t.size == 0:
        raise ValidationError("times must contain at least one time point")
    if not np.all(np.isfinite(t)):
        raise ValidationError("times must be finite")
    if np.any(np.diff(t) < 0):
        raise ValidationError("times must be non-decreasing")
    return t


def _default_outputs(cm: CompiledModel) -> list[str]:
    cached = _DEFAULT_OUTPUTS.get(id(cm))
    if cached is not None and cached[0] is cm:
        return list(cached[1])
    m = cm.model
    varying = {r.variable for r in m.assignment_rules} | {r.variable for r in m.rate_rules}
    varying |= {v for e in m.events for v, _ in e.assignments}
    outs = []
    for ident, kind in zip(cm.output_ids, cm.output_kinds):
        if kind == "species" or (kind in ("parameter", "compartment") and ident in varying):
            outs.append(ident)
    _remember(_DEFAULT_OUTPUTS, id(cm), (cm, tuple(outs)))
    return outs


def _selection(cm: CompiledModel, outputs: Sequence[str] | None) -> tuple[list[str], np.ndarray]:
    if outputs is None:
        names = _default_outputs(cm)
    else:
        if isinstance(outputs, str):
            outputs = [outputs]
        try:
            names = list(outputs)
        except TypeError:
            raise ValidationError(f"outputs must be an id or a sequence of ids, got {outputs!r:.100}") from None
        for name in names:
            if not isinstance(name, str):
                raise ValidationError(f"outputs must be ids (strings), got {name!r:.100}")
    if "time" in names:
        # xarray holds one variable per name; the coordinate owns "time"
        raise ValidationError(
            "outputs: a model component named 'time' cannot be an output variable, because the "
            "result's time coordinate has that name; rename the component (e.g. to 'time_value')"
        )
    sel = np.asarray([cm.output_index(n) for n in names], dtype=np.int32)
    return names, sel


#: Per compiled model (keyed by id, holding the model so the id stays valid): default outputs
#: and output metadata. Small and cleared when full.
_DEFAULT_OUTPUTS: dict[int, tuple] = {}
_META: dict[tuple, tuple] = {}


def _remember(cache: dict, key, value) -> None:
    if len(cache) > 256:
        cache.clear()
    cache[key] = value


def _schedule_arrays(cm: CompiledModel, schedule: Schedule | None):
    """The schedule as the solver's arrays (times, parameter slots, values), sorted by time then entry."""
    items = _schedule_items(schedule)  # shape and numbers (a NaN time used to block every later entry)
    if not items:
        return None
    rows = [(t, n, cm.p_index(k, argument=f"schedule[{n}]"), v)
            for n, (t, changes) in enumerate(items) for k, v in changes.items()]
    rows.sort(key=lambda r: (r[0], r[1]))
    return (
        np.asarray([r[0] for r in rows]),
        np.asarray([r[2] for r in rows], dtype=np.int32),
        np.asarray([r[3] for r in rows]),
    )


def _finite_number(value: Any, argument: str) -> float:
    """``float(value)`` for a finite real number, else a ValidationError naming ``argument``."""
    if value is None or isinstance(value, (str, bytes)):
        raise ValidationError(f"{argument} must be a finite number, got {value!r}")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{argument} must be a finite number, got {value!r}") from None
    if not np.isfinite(x):
        raise ValidationError(f"{argument} must be a finite number, got {value!r}")
    return x


#: Largest ``max_steps``: the C solver counts steps in a 64-bit ``long``.
MAX_STEPS_LIMIT = 2**62


def _options(rtol, atol, max_steps, h_max, ss_rtol, ss_atol, ss_tmax) -> Options:
    for name, v in (("rtol", rtol), ("atol", atol), ("steady_state_rtol", ss_rtol), ("steady_state_atol", ss_atol),
                    ("steady_state_tmax", ss_tmax)):
        x = _finite_number(v, name)
        if not x > 0:
            raise ValidationError(f"{name} must be a positive finite number, got {v!r}")
    if rtol < 1e-14:
        raise ValidationError(f"rtol={rtol!r} is below what double precision supports (>= 1e-14)")
    if h_max is not None:
        try:
            hm = float(h_max)
        except (TypeError, ValueError):
            hm = float("nan")
        if isinstance(h_max, (bool, np.bool_)) or not hm > 0:  # NaN fails this test too
            raise ValidationError(f"h_max must be a positive number (or None for no limit), got {h_max!r}")
    if isinstance(max_steps, (bool, np.bool_)) or not isinstance(max_steps, (int, np.integer)):
        raise ValidationError(f"max_steps must be a positive integer, got {max_steps!r}")
    if not 1 <= int(max_steps) <= MAX_STEPS_LIMIT:
        raise ValidationError(f"max_steps must be between 1 and 2**62, got {max_steps!r}")
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


def _check_inputs(cm: CompiledModel, P: np.ndarray, argument: str = "parameters") -> None:
    """Compartment sizes must be positive and finite in every member (amounts are divided by
    them; a negative volume used to run and give negative concentrations)."""
    m = cm.model
    assigned = {a.symbol for a in m.initial_assignments} | {r.variable for r in m.assignment_rules}
    for c in m.compartments:
        if c.id not in cm._p_index or c.id in assigned or c.spatial_dimensions == 0:
            continue
        column = P[:, cm.p_index(c.id)]
        bad = np.flatnonzero((column <= 0) | np.isinf(column))
        if bad.size:
            where = f"{argument}[{c.id!r}]" + (f"[{int(bad[0])}]" if P.shape[0] > 1 else "")
            raise ValidationError(
                f"{where} = {float(column[bad[0]])!r}: the size of compartment {c.id!r} must be positive and finite "
                "(set it in parameters=, or fix the model's value)"
            )


def _blank_failed(out: np.ndarray, status: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Set every output of a failed member to NaN (in place) and return, per member, the last
    output time reached before the failure (``t[-1]`` for successes, NaN if none).

    The solver fills the output rows it reached before failing; they are kept out of the result
    so that no statistic over members mixes partial runs in silently.
    """
    reached = np.where(status == 0, t[-1], np.nan)
    for m in np.flatnonzero(status):
        finite = np.isfinite(out[m]).reshape(t.size, -1).all(axis=1)
        n_ok = t.size if finite.all() else int(np.argmin(finite))
        if n_ok:
            reached[m] = t[n_ok - 1]
        out[m] = np.nan
    return reached


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


def _attrs(cm: CompiledModel, *, solver: SolverOptions, protocol: Protocol, extra=None) -> dict[str, Any]:
    m = cm.model
    pre = protocol.preequilibrate
    attrs = {
        "her2sim_version": __version__,
        "model_id": m.id,
        "model_name": m.name,
        "model_sha256": m.fingerprint(),
        "solver": "her2sim BDF/NDF (orders 1-5, sparse LU), compiled C",
        "rtol": solver.rtol,
        "atol": solver.atol,
        "max_steps": solver.max_steps,
        "preequilibrate": str(pre if not isinstance(pre, Mapping) else dict(pre)),
        "schedule": str([(t, dict(c)) for t, c in protocol.schedule]),
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
            P_pre[:, cm.p_index(k, argument="preequilibrate")] = _finite_number(v, f"preequilibrate[{k!r}]")
    elif preequilibrate is not True:
        raise ValidationError(
            f"preequilibrate must be False, True or a mapping of parameter overrides, got {preequilibrate!r}"
        )
    return P_pre


def _output_meta(cm: CompiledModel, names: Sequence[str]) -> tuple[dict[str, str], ...]:
    """``units``, ``kind`` and ``long_name`` of each output (cached per model and selection)."""
    key = (id(cm), tuple(names))
    cached = _META.get(key)
    if cached is not None and cached[0] is cm:
        return cached[1]
    kinds = dict(zip(cm.output_ids, cm.output_kinds))
    meta = []
    for name in names:
        try:
            label = getattr(cm.model.component(name), "name", "") or name
        except UnknownNameError:
            label = name
        meta.append({"units": _units(cm, name, kinds[name]), "kind": kinds[name], "long_name": label})
    result = tuple(meta)
    _remember(_META, key, (cm, result))
    return result


def _dataset(cm, names, out, dims, coords, attrs, extra: Mapping[str, xr.Variable] | None = None) -> xr.Dataset:
    """One Dataset from the output array (last axis = ``names``), built from Variables in one go.

    ``coords`` maps a dimension name to its values (or a coordinate to ``(dims, values)``).
    """
    meta = _output_meta(cm, names)
    variables: dict[str, xr.Variable] = {
        name: xr.Variable(dims, out[..., k], dict(meta[k]), fastpath=True) for k, name in enumerate(names)}
    if extra:
        variables.update(extra)
    coord_vars: dict[str, xr.Variable] = {}
    for name, value in coords.items():
        cdims, cvalues = value if isinstance(value, tuple) else ((name,), value)
        cvalues = np.asarray(cvalues)
        attrs_c = {"units": cm.model.time_units} if name == "time" else {}
        coord_vars[name] = (xr.IndexVariable(cdims, cvalues, attrs_c) if cdims == (name,)
                            else xr.Variable(cdims, cvalues, attrs_c))
    return _assemble(variables, coord_vars, attrs)


def _assemble(variables: dict[str, xr.Variable], coords: dict[str, xr.Variable], attrs: dict) -> xr.Dataset:
    """``xr.Dataset(variables, coords, attrs)`` without re-checking what was built consistent here.

    The public constructor merges and aligns every variable (~20 µs each: 2 ms of a 2.3 ms
    flagship ``simulate`` for 110 outputs); ``Dataset._construct_direct`` takes the same
    variables, dimension sizes and indexes as they are (0.16 ms). It is xarray-internal, so any
    failure falls back to the public constructor, and a test checks both give identical
    Datasets.
    """
    try:
        import pandas as pd

        sizes: dict[str, int] = {}
        for var in (*variables.values(), *coords.values()):
            for dim, size in zip(var.dims, var.shape):
                if sizes.setdefault(dim, size) != size:
                    raise ValueError(f"dimension {dim!r} has sizes {sizes[dim]} and {size}")
        indexes = {name: xr.indexes.PandasIndex(pd.Index(var.values, name=name), name)
                   for name, var in coords.items() if var.dims == (name,)}
        return xr.Dataset._construct_direct({**variables, **coords}, set(coords), sizes, attrs, indexes)
    except (AttributeError, TypeError):  # xarray changed its internals: the public way
        return _assemble_public(variables, coords, attrs)


def _assemble_public(variables: dict[str, xr.Variable], coords: dict[str, xr.Variable], attrs: dict) -> xr.Dataset:
    return xr.Dataset(variables, coords=coords, attrs=attrs)


def _single_run_dataset(cm, names, out_1, times, status: int, attrs) -> xr.Dataset:
    """Dataset of one run (dimension ``time``, scalar ``status``)."""
    extra = {"status": xr.Variable((), np.int8(status), {"long_name": "solver status (0 = success)"})}
    return _dataset(cm, names, out_1, ("time",), {"time": times}, attrs, extra)


def _schedule_items(schedule: Schedule | None) -> tuple:
    """The schedule as a tuple of ``(time, changes)`` pairs, its shape and numbers checked (names are checked
    against the model later, in :func:`_schedule_arrays`)."""
    if schedule is None:
        return ()
    wrong = ValidationError(
        f"schedule must be a sequence of (time, {{parameter: value}}) pairs, got {type(schedule).__name__}"
    )
    if isinstance(schedule, (str, bytes, Mapping)):
        raise wrong
    try:
        items = list(schedule)
    except TypeError:
        raise wrong from None
    out = []
    for n, item in enumerate(items):
        try:
            t, changes = item
        except (TypeError, ValueError):
            raise ValidationError(f"schedule[{n}] must be a (time, {{parameter: value}}) pair, got {item!r}") from None
        t = _finite_number(t, f"schedule[{n}] time")
        if not isinstance(changes, Mapping):
            raise ValidationError(
                f"schedule[{n}] changes must be a mapping {{parameter: value}}, got {type(changes).__name__}"
            )
        out.append((t, {k: _finite_number(v, f"schedule[{n}][{k!r}]") for k, v in changes.items()}))
    return tuple(out)


def _protocol(protocol: Protocol | None, times, preequilibrate, schedule) -> Protocol:
    """The run's protocol: ``protocol`` if given (then the separate arguments must be unset)."""
    if protocol is None:
        return Protocol(times=tuple(_check_times(times)), preequilibrate=preequilibrate,
                        schedule=_schedule_items(schedule))
    if not isinstance(protocol, Protocol):
        raise ValidationError(f"protocol must be a her2sim Protocol, got {type(protocol).__name__}")
    if preequilibrate is not False or schedule:
        raise ValidationError("give either protocol= or preequilibrate=/schedule=, not both")
    if times is not None and len(np.atleast_1d(times)) and tuple(_check_times(times)) != protocol.times:
        raise ValidationError("times differ from protocol.times; give one of them")
    if not protocol.times:
        raise ValidationError("protocol.times must contain at least one time point")
    _check_times(protocol.times)
    return protocol


def simulate(
    model: Model | CompiledModel,
    times,
    *,
    parameters: Mapping[str, float] | None = None,
    initial: Mapping[str, float] | None = None,
    preequilibrate: bool | Mapping[str, float] = False,
    schedule: Schedule = (),
    outputs: Sequence[str] | None = None,
    solver: SolverOptions | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    max_steps: int | None = None,
    h_max: float | None = None,
    steady_state_rtol: float | None = None,
    steady_state_atol: float | None = None,
    steady_state_tmax: float | None = None,
    protocol: Protocol | None = None,
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
    solver : SolverOptions, optional
        Solver settings (default ``SolverOptions()``).
    rtol, atol, max_steps, h_max, steady_state_rtol, steady_state_atol, steady_state_tmax
        Shortcuts that override the corresponding field of ``solver`` when given.
    protocol : Protocol, optional
        The periods as one object (:class:`her2sim.protocol.Protocol`: pre-equilibration,
        species reset, schedule); instead of ``preequilibrate`` and ``schedule``.
    throw : bool
        Raise :class:`SolverError` on failure (default); otherwise return a status and NaN for
        every output (including times before the failure).

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
    proto = _protocol(protocol, times, preequilibrate, schedule)
    t = np.asarray(proto.times)
    P = cm.parameter_vector(parameters, initial)[None, :]
    _check_inputs(cm, P)
    names, sel = _selection(cm, outputs)
    solver = _resolve_solver(solver, rtol=rtol, atol=atol, max_steps=max_steps, h_max=h_max,
                             steady_state_rtol=steady_state_rtol, steady_state_atol=steady_state_atol,
                             steady_state_tmax=steady_state_tmax)
    P_pre = _pre_matrix(cm, P, proto.preequilibrate)
    res = execute(cm, P, t, sel, solver, P_pre=P_pre, schedule=_schedule_arrays(cm, list(proto.schedule)),
                  reset=_species_reset(cm, P, proto.reset), want_final_state=True)
    _blank_failed(res.out, res.status, t)
    status = SolveStatus(int(res.status[0]))
    if status != SolveStatus.SUCCESS and throw:
        raise SolverError(_failure_message(cm, status, res.x_final[0], P_pre[0] if P_pre is not None else P[0]),
                          int(status))
    stats = res.stats[0]
    attrs = _attrs(cm, solver=solver, protocol=proto, extra={
        "n_steps": int(stats[0]), "n_rhs": int(stats[1]), "n_jacobians": int(stats[2]),
        "n_factorisations": int(stats[3]), "message": status.message})
    return _single_run_dataset(cm, names, res.out[0], t, int(status), attrs)


def _species_reset(cm: CompiledModel, P: np.ndarray, reset: Mapping[str, float]):
    """``reset`` of a protocol as the executor's per-member callback (None if empty)."""
    if not reset:
        return None
    from .io.petab import _apply_species

    def apply(k: int, x: np.ndarray) -> None:
        _apply_species(cm, x, P[k], reset)

    return apply


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
    solver: SolverOptions | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    max_steps: int | None = None,
    h_max: float | None = None,
    steady_state_rtol: float | None = None,
    steady_state_atol: float | None = None,
    steady_state_tmax: float | None = None,
    n_threads: int | None = None,
    member_ids: Sequence[Any] | None = None,
    protocol: Protocol | None = None,
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
        Dims ``member × time``; ``status`` (member) and ``message`` (member) record failures.
        Every output of a failed member is NaN, including times before the failure (a partial
        trajectory is never mixed into statistics silently); ``time_reached`` (member) says how
        far it got. Nothing computed for other members is lost.
    """
    cm = _as_compiled(model)
    proto = _protocol(protocol, times, preequilibrate, schedule)
    t = np.asarray(proto.times)
    cols = _columns(parameters, "parameters")
    init_cols = _columns(initial or {}, "initial")
    n = _n_members(cols, init_cols)
    P = np.repeat(cm.p_default[None, :], n, axis=0)
    for k, v in cols.items():
        P[:, cm.p_index(k)] = v
    for k, v in init_cols.items():
        P[:, cm.init_index(k)] = v
    _check_inputs(cm, P)
    names, sel = _selection(cm, outputs)
    solver = _resolve_solver(solver, rtol=rtol, atol=atol, max_steps=max_steps, h_max=h_max,
                             steady_state_rtol=steady_state_rtol, steady_state_atol=steady_state_atol,
                             steady_state_tmax=steady_state_tmax)
    P_pre = _pre_matrix(cm, P, proto.preequilibrate)
    threads = n_threads or os.cpu_count() or 1
    res = execute(cm, P, t, sel, solver, P_pre=P_pre, schedule=_schedule_arrays(cm, list(proto.schedule)),
                  reset=_species_reset(cm, P, proto.reset), n_threads=threads)
    time_reached = _blank_failed(res.out, res.status, t)
    members = np.asarray(member_ids) if member_ids is not None else np.arange(n)
    status = res.status.astype(np.int8)
    member = ("member",)
    extra = {
        "status": xr.Variable(member, status, {"long_name": "solver status (0 = success)"}),
        "message": xr.Variable(member, np.asarray([_MESSAGES[SolveStatus(int(v))] for v in status], dtype=object)),
        "n_steps": xr.Variable(member, res.stats[:, 0].astype(np.int64)),
        "time_reached": xr.Variable(member, time_reached, {
            "units": cm.model.time_units,
            "long_name": "last output time integrated before a failure (NaN: none; the run's end for successes)"}),
    }
    for k, v in cols.items():
        extra[f"parameter:{k}"] = xr.Variable(member, v, {"long_name": f"input parameter {k}"})
    attrs = _attrs(cm, solver=solver, protocol=proto,
                   extra={"n_threads": int(threads), "n_failed": int(np.count_nonzero(status))})
    return _dataset(cm, names, res.out, ("member", "time"), {"member": members, "time": t}, attrs, extra)


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
    solver: SolverOptions | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    max_steps: int | None = None,
    steady_state_rtol: float | None = None,
    steady_state_atol: float | None = None,
    steady_state_tmax: float | None = None,
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
        For events whose sensitivity jump cannot be computed: a delayed event, a trigger that is
        not one inequality, or an event setting a parameter outside ``wrt`` to a value that
        depends on the state (other events are carried by the jump conditions, see
        :func:`her2sim.engine.codegen._event_sensitivity_code`).
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
    sel_arr = sensitivity_selection(cm.n_out_base, base_sel, n, n)
    solver = _resolve_solver(solver, rtol=rtol, atol=atol, max_steps=max_steps,
                             steady_state_rtol=steady_state_rtol, steady_state_atol=steady_state_atol,
                             steady_state_tmax=steady_state_tmax)
    P_pre = None
    if preequilibrate is not False:
        pre = cm0.parameter_vector({**(parameters or {}), **(preequilibrate if isinstance(preequilibrate, Mapping) else {})}, initial)
        P_pre = np.concatenate([pre, D.ravel()])[None, :]
    res = execute(cm, P, t, sel_arr, solver, P_pre=P_pre, want_final_state=True)
    status = SolveStatus(int(res.status[0]))
    if status != SolveStatus.SUCCESS and throw:
        raise SolverError(f"sensitivity run of model {cm0.model.id!r} failed: {status.name}: {status.message}", int(status))
    out = res.out[0]
    m = base_sel.size
    values = out[:, :m]
    sens = np.empty((n, t.size, m))
    for k in range(n):
        sens[k] = out[:, m * (1 + k): m * (2 + k)] + scale[k] * out[:, m * (1 + n + k): m * (2 + n + k)]
    if normalise:
        with np.errstate(divide="ignore", invalid="ignore"):
            sens = np.where(values[None, :, :] != 0, sens / values[None, :, :], np.nan)
    meta = _output_meta(cm0, names)
    extra = {}
    for j, name in enumerate(names):
        units = "1" if normalise else f"({meta[j]['units']}) per parameter unit"
        extra[f"sensitivity:{name}"] = xr.Variable(
            ("parameter", "time"), sens[:, :, j],
            {"units": units, "long_name": ("d ln y / d ln p" if normalise else "dy/dp") + f" of {name}"})
    extra["status"] = xr.Variable((), np.int8(status), {"long_name": "solver status (0 = success)"})
    proto = Protocol(times=tuple(t), preequilibrate=preequilibrate)
    attrs = _attrs(cm0, solver=solver, protocol=proto, extra={
        "sensitivity_method": "forward sensitivities (staggered corrector), error-controlled",
        "normalised": int(bool(normalise))})
    return _dataset(cm0, names, values, ("time",),
                    {"time": t, "parameter": (("parameter",), np.asarray(wrt, dtype=object))}, attrs, extra)


def _columns(values, argument: str) -> dict[str, np.ndarray]:
    if values is None:
        return {}
    if hasattr(values, "to_dict") and hasattr(values, "columns"):
        return {str(c): _float_column(values[c], f"{argument}[{str(c)!r}]") for c in values.columns}
    if not isinstance(values, Mapping):
        raise ValidationError(f"{argument} must be a mapping of id -> values or a pandas DataFrame")
    return {k: np.atleast_1d(_float_column(v, f"{argument}[{k!r}]")).reshape(-1) for k, v in values.items()}


def _float_column(values: Any, argument: str) -> np.ndarray:
    """Numbers as a float array; None, text or nested objects are refused (``np.asarray(None,
    dtype=float)`` would be a silent NaN)."""
    raw = np.asarray(values)
    if raw.dtype.kind not in "biuf":
        raise ValidationError(f"{argument} must be numbers, got {values!r:.200}")
    return raw.astype(float)


def _n_members(*groups: dict[str, np.ndarray]) -> int:
    sizes = {v.size for g in groups for v in g.values() if v.size != 1}
    if len(sizes) > 1:
        raise ValidationError(f"ensemble inputs have different lengths: {sorted(sizes)}")
    n = sizes.pop() if sizes else 1
    if n == 0:
        raise ValidationError("ensemble inputs are empty: give at least one value per parameter (zero members)")
    for g in groups:
        for k, v in g.items():
            if v.size == 1:
                g[k] = np.full(n, float(v.reshape(-1)[0]))
    return n
