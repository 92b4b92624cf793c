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

import json
import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from ..engine.solver import DEFAULT_SOLVER
from ..errors import UnknownNameError, ValidationError
from ._runs import provenance
from ._sens_base import (  # noqa: F401  (public, re-exported)
    _MORRIS_REF,
    _SALIB_REF,
    _SOBOL_REF,
    METHODS,
    PARAMETER_GROUPS,
    QUANTITIES,
    ContextSpec,
    Progress,
)
from ._sens_plan import (
    _Plan,
    _plan,
    parameter_groups,  # noqa: F401  (public, re-exported)
)
from ._sens_plots import plot_local, plot_morris, plot_ranking_heatmap, plot_sensitivity, plot_sobol  # noqa: F401  (public, re-exported)
from ._sens_readouts import Readout, parse_doses, parse_readout  # noqa: F401  (public, re-exported)
from ._sens_store import _run_rows

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
    from ..family import family_of

    if family_of(plan.model) is None:
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
    rtol: float = DEFAULT_SOLVER.rtol,
    atol: float = DEFAULT_SOLVER.atol,
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
    rtol: float = DEFAULT_SOLVER.rtol,
    atol: float = DEFAULT_SOLVER.atol,
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
    rtol: float = DEFAULT_SOLVER.rtol,
    atol: float = DEFAULT_SOLVER.atol,
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


