"""Profile likelihoods, confidence intervals and identifiability per parameter.

For parameter ``θ_i`` the profile is ``PL(θ_i) = min over the other parameters of f`` (``f`` the
negative log-likelihood), traced from an optimum ``x̂`` in both directions:

* steps along ``θ_i`` on its parameter scale, adaptively: a step is halved and retried when the
  profile rises by more than ``max_jump`` (default ½ of the threshold) and doubled after a rise
  below ``grow_below`` (default 1/10 of it), within ``[min_step, max_step]``;
* at every step the other parameters are re-optimised with bounds (L-BFGS-B on
  ``value_and_gradient``), warm-started from the previous profile point extrapolated linearly;
* a side stops when ``PL - f(x̂)`` exceeds ``Δ = ½·χ²₁(confidence)`` (1.92 for 95 %; the crossing
  is then located by regula falsi to ``ci_tolerance`` in objective units), at the parameter's
  bound, or after ``max_points`` points.

The pointwise likelihood-ratio confidence interval is ``{θ_i : PL(θ_i) - f(x̂) ≤ Δ}``. Each
parameter is classified:

``identifiable``
    the profile crosses ``Δ`` on both sides (finite interval);
``practically non-identifiable``
    at least one side reaches its bound without crossing, and the profile is not flat;
``structurally non-identifiable (flat)``
    both sides reach their bounds and the profile stays within ``flat_tolerance`` of the
    optimum throughout. A flat numerical profile is the signature of structural
    non-identifiability; it is evidence, not a proof (that needs a symbolic analysis);
``undetermined``
    a side stopped after ``max_points`` points or by failing simulations, without crossing.

If a profile finds a value below ``f(x̂) - better_tolerance``, ``x̂`` was not the optimum; the
parameter is marked ``better_optimum=True`` (its interval is then relative to the wrong optimum:
re-fit from the better point).

Resumable and parallel like :func:`~her2sim.calibration.fit.multistart`: one file per parameter
in ``store/parameters/``, settings in ``store/manifest.json``; parameters run in parallel
processes.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import UnknownNameError, ValidationError
from .fit import (
    MultistartResult,
    _Counted,
    _float_from_json,
    _float_to_json,
    _minimize,
    _run_tasks,
    objective_settings,
    open_store,
    write_json_atomic,
)

__all__ = [
    "IDENTIFIABILITY",
    "ParameterProfile",
    "ProfileResult",
    "profile_likelihood",
    "profile_from_fit",
    "load_profiles",
    "plot_profiles",
    "profile_threshold",
]

IDENTIFIABILITY: tuple[str, ...] = (
    "identifiable",
    "practically non-identifiable",
    "structurally non-identifiable (flat)",
    "undetermined",
)
_STORE_KIND = "her2sim.profile"
SideEnd = Literal["crossed", "bound", "max-points", "failed"]


def profile_threshold(confidence: float = 0.95) -> float:
    """``Δ = ½·χ²₁(confidence)``: the rise of the negative log-likelihood bounding the interval."""
    from scipy.stats import chi2

    if not 0.0 < confidence < 1.0:
        raise ValidationError(f"confidence={confidence!r}; allowed: a number strictly between 0 and 1")
    return 0.5 * float(chi2.ppf(confidence, df=1))


# ============================================================================ results


@dataclass(frozen=True)
class ParameterProfile:
    """The profile of one parameter.

    Attributes
    ----------
    parameter : str
    index : int
        Position in the objective's ``x``.
    scale : str
        Parameter scale of ``values`` and the interval.
    estimate : float
        The optimum's value (parameter scale).
    values, fvals : numpy.ndarray
        Profile points sorted by value (parameter scale) and the re-optimised objective.
    xs : numpy.ndarray
        Full parameter vectors of the points (rows).
    lower_end, upper_end : {"crossed", "bound", "max-points", "failed"}
        How each side ended.
    ci_lower, ci_upper : float
        Interval ends on the parameter scale (at the crossing; at the last point reached when
        the side did not cross, with the end kind saying so).
    identifiability : str
        One of :data:`IDENTIFIABILITY`.
    better_optimum : bool
        The profile went below ``f_opt - better_tolerance``.
    n_fev, n_grad : int
        Objective calls over the whole profile.
    time : float
        Wall time in seconds.
    """

    parameter: str
    index: int
    scale: str
    estimate: float
    f_opt: float
    threshold: float
    values: np.ndarray
    fvals: np.ndarray
    xs: np.ndarray
    lower_end: SideEnd
    upper_end: SideEnd
    ci_lower: float
    ci_upper: float
    identifiability: str
    better_optimum: bool
    n_fev: int
    n_grad: int
    time: float

    @property
    def ratio(self) -> np.ndarray:
        """``PL - f_opt`` at the points."""
        return self.fvals - self.f_opt

    def to_json(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in ("parameter", "index", "scale", "lower_end", "upper_end",
                                            "identifiability", "better_optimum", "n_fev", "n_grad", "time")}
        for k in ("estimate", "f_opt", "threshold", "ci_lower", "ci_upper"):
            d[k] = _float_to_json(getattr(self, k))
        d["values"] = [_float_to_json(v) for v in self.values]
        d["fvals"] = [_float_to_json(v) for v in self.fvals]
        d["xs"] = [[_float_to_json(v) for v in row] for row in self.xs]
        return d

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> ParameterProfile:
        arr = lambda v: np.array([_float_from_json(u) for u in v], dtype=float)  # noqa: E731
        xs = [arr(r) for r in d["xs"]]
        return cls(
            parameter=d["parameter"], index=int(d["index"]), scale=d["scale"],
            estimate=_float_from_json(d["estimate"]), f_opt=_float_from_json(d["f_opt"]),
            threshold=_float_from_json(d["threshold"]), values=arr(d["values"]), fvals=arr(d["fvals"]),
            xs=np.array(xs, dtype=float) if xs else np.empty((0, 0)), lower_end=d["lower_end"],
            upper_end=d["upper_end"], ci_lower=_float_from_json(d["ci_lower"]),
            ci_upper=_float_from_json(d["ci_upper"]), identifiability=d["identifiability"],
            better_optimum=bool(d["better_optimum"]), n_fev=int(d["n_fev"]), n_grad=int(d["n_grad"]),
            time=float(d["time"]),
        )


def _to_linear(scale: str, v: float) -> float:
    if not np.isfinite(v):
        return v
    return {"lin": v, "log": math.exp(v), "log10": 10.0**v}[scale]


@dataclass(frozen=True)
class ProfileResult:
    """Profiles of several parameters from one optimum.

    Attributes
    ----------
    x_opt : numpy.ndarray
        The optimum (parameter scales).
    f_opt : float
    threshold : float
        ``Δ = ½·χ²₁(confidence)``.
    confidence : float
    profiles : dict
        ``{parameter id: ParameterProfile}`` in the order asked for.
    settings : dict
    """

    x_ids: tuple[str, ...]
    x_opt: np.ndarray
    f_opt: float
    threshold: float
    confidence: float
    profiles: dict[str, ParameterProfile]
    settings: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, parameter: str) -> ParameterProfile:
        try:
            return self.profiles[parameter]
        except KeyError:
            raise UnknownNameError("parameter", parameter, self.profiles) from None

    def summary(self) -> pd.DataFrame:
        """One row per parameter: estimate, interval (parameter and linear scale), how each side
        ended, identifiability."""
        rows = []
        for p in self.profiles.values():
            rows.append({
                "parameter": p.parameter, "scale": p.scale, "estimate": p.estimate,
                "ci_lower": p.ci_lower if p.lower_end == "crossed" else math.nan,
                "ci_upper": p.ci_upper if p.upper_end == "crossed" else math.nan,
                "lower_end": p.lower_end, "upper_end": p.upper_end,
                "reached_lower": p.ci_lower, "reached_upper": p.ci_upper,
                "estimate_linear": _to_linear(p.scale, p.estimate),
                "ci_lower_linear": _to_linear(p.scale, p.ci_lower) if p.lower_end == "crossed" else math.nan,
                "ci_upper_linear": _to_linear(p.scale, p.ci_upper) if p.upper_end == "crossed" else math.nan,
                "identifiability": p.identifiability, "better_optimum": p.better_optimum,
                "n_points": int(p.values.size), "n_fev": p.n_fev, "n_grad": p.n_grad, "time_s": p.time,
            })
        return pd.DataFrame(rows)

    def points(self) -> pd.DataFrame:
        """All profile points (tidy): parameter, value (parameter scale), fval, ratio."""
        frames = [
            pd.DataFrame({"parameter": p.parameter, "value": p.values, "fval": p.fvals, "ratio": p.ratio})
            for p in self.profiles.values()
        ]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["parameter", "value", "fval", "ratio"])


# ============================================================================ one parameter


@dataclass(frozen=True)
class _Settings:
    threshold: float
    initial_step: float
    min_step: float
    max_step: float
    max_points: int
    max_jump: float
    grow_below: float
    ci_tolerance: float
    flat_tolerance: float
    better_tolerance: float
    options: dict[str, Any]


def _optimise_others(objective, i: int, theta: float, guess: np.ndarray, lb, ub, options, totals) -> tuple[np.ndarray, float]:
    """Minimise over all parameters but ``i`` (fixed at ``theta``), from ``guess``."""
    x_guess = np.clip(np.array(guess, dtype=float), lb, ub)
    x_guess[i] = theta
    counted = _Counted(objective, fixed={i: theta}, x_full=x_guess)
    z0 = x_guess[counted.free]
    counted.value(z0)  # records a finite value as the best point; inf leaves best_x unset
    if z0.size and counted.best_x is not None:
        _minimize(counted, z0, lb[counted.free], ub[counted.free], "L-BFGS-B", options)
    f = counted.best_f
    totals[0] += counted.n_fev
    totals[1] += counted.n_grad
    if counted.best_x is None:
        return x_guess, math.inf
    return counted.full(counted.best_x), float(f)


def _walk(objective, i: int, x_opt: np.ndarray, f_opt: float, direction: int, s: _Settings, lb, ub, totals):
    """One side of a profile: points (value, f, x) in walking order and how it ended."""
    limit = ub[i] if direction > 0 else lb[i]
    points: list[tuple[float, float, np.ndarray]] = []
    theta, f_prev, x_prev = float(x_opt[i]), float(f_opt), np.array(x_opt, dtype=float)
    x_before: np.ndarray | None = None
    h_before = 0.0
    h = s.initial_step
    end: SideEnd = "max-points"
    while len(points) < s.max_points:
        room = abs(limit - theta)
        if room <= 1e-12 * max(1.0, abs(limit)):
            end = "bound"
            break
        step = min(h, room)
        theta_new = limit if step >= room else theta + direction * step
        guess = x_prev.copy()
        if x_before is not None and h_before > 0:  # first-order extrapolation of the path
            guess = guess + (x_prev - x_before) * (step / h_before)
        x_new, f_new = _optimise_others(objective, i, theta_new, guess, lb, ub, s.options, totals)
        if not np.isfinite(f_new):
            if step > s.min_step:
                h = step / 2
                continue
            end = "failed"
            break
        jump = f_new - f_prev
        if jump > s.max_jump and step > s.min_step:
            h = max(step / 2, s.min_step)
            continue
        points.append((theta_new, f_new, x_new))
        x_before, h_before = x_prev, step
        theta, f_prev, x_prev = theta_new, f_new, x_new
        if f_new - f_opt >= s.threshold:
            end = "crossed"
            break
        if jump < s.grow_below:
            h = min(2 * step, s.max_step)
    if end == "crossed":
        inner = points[-2] if len(points) >= 2 else (float(x_opt[i]), float(f_opt), np.array(x_opt, dtype=float))
        points.extend(_refine(objective, i, inner, points[-1], f_opt, s, lb, ub, totals))
    return points, end


def _refine(objective, i, a, b, f_opt, s: _Settings, lb, ub, totals, max_iter: int = 12):
    """Regula falsi (Illinois) for PL - f_opt = Δ between a (below) and b (above)."""
    out = []
    ga, gb = a[1] - f_opt - s.threshold, b[1] - f_opt - s.threshold
    side = 0
    for _ in range(max_iter):
        if abs(gb) <= s.ci_tolerance or abs(ga) <= s.ci_tolerance or gb == ga:
            break
        theta = (a[0] * gb - b[0] * ga) / (gb - ga)
        guess = a[2] + (b[2] - a[2]) * ((theta - a[0]) / (b[0] - a[0]) if b[0] != a[0] else 0.0)
        x, f = _optimise_others(objective, i, theta, guess, lb, ub, s.options, totals)
        if not np.isfinite(f):
            break
        out.append((theta, f, x))
        g = f - f_opt - s.threshold
        if g < 0:
            a, ga = (theta, f, x), g
            if side == -1:
                gb /= 2
            side = -1
        else:
            b, gb = (theta, f, x), g
            if side == 1:
                ga /= 2
            side = 1
    return out


def _crossing(points: list[tuple[float, float, np.ndarray]], x_hat: float, f_opt: float, threshold: float) -> float:
    """The value where the piecewise-linear profile first crosses ``f_opt + threshold``."""
    ordered = sorted(points, key=lambda p: abs(p[0] - x_hat))
    prev_t, prev_g = x_hat, -threshold
    for t, f, _ in ordered:
        g = f - f_opt - threshold
        if g >= 0:
            return prev_t + (t - prev_t) * (0 - prev_g) / (g - prev_g) if g != prev_g else t
        prev_t, prev_g = t, g
    return ordered[-1][0] if ordered else x_hat


def _classify(lower: SideEnd, upper: SideEnd, ratios: np.ndarray, flat_tolerance: float) -> str:
    if lower == "crossed" and upper == "crossed":
        return "identifiable"
    if lower == "bound" and upper == "bound" and ratios.size and np.nanmax(np.abs(ratios)) <= flat_tolerance:
        return "structurally non-identifiable (flat)"
    if "bound" in (lower, upper) and all(e in ("crossed", "bound") for e in (lower, upper)):
        return "practically non-identifiable"
    return "undetermined"


def _profile_parameter(objective, i: int, x_opt: np.ndarray, f_opt: float, s: _Settings) -> ParameterProfile:
    t0 = time.perf_counter()
    lb, ub = np.asarray(objective.lb, float), np.asarray(objective.ub, float)
    totals = [0, 0]
    sides = {}
    for direction in (-1, +1):
        sides[direction] = _walk(objective, i, x_opt, f_opt, direction, s, lb, ub, totals)
    (lo_pts, lo_end), (hi_pts, hi_end) = sides[-1], sides[+1]
    x_hat = float(x_opt[i])
    all_pts = [(x_hat, float(f_opt), np.array(x_opt, dtype=float))] + lo_pts + hi_pts
    all_pts.sort(key=lambda p: p[0])
    values = np.array([p[0] for p in all_pts])
    fvals = np.array([p[1] for p in all_pts])
    xs = np.array([p[2] for p in all_pts])
    ci_lower = _crossing(lo_pts, x_hat, f_opt, s.threshold) if lo_end == "crossed" else (
        min((p[0] for p in lo_pts), default=x_hat))
    ci_upper = _crossing(hi_pts, x_hat, f_opt, s.threshold) if hi_end == "crossed" else (
        max((p[0] for p in hi_pts), default=x_hat))
    ratios = fvals - f_opt
    return ParameterProfile(
        parameter=str(objective.x_ids[i]), index=int(i),
        scale=str(getattr(objective, "x_scales", ["lin"] * len(objective.x_ids))[i]),
        estimate=x_hat, f_opt=float(f_opt), threshold=s.threshold, values=values, fvals=fvals, xs=xs,
        lower_end=lo_end, upper_end=hi_end, ci_lower=float(ci_lower), ci_upper=float(ci_upper),
        identifiability=_classify(lo_end, hi_end, ratios, s.flat_tolerance),
        better_optimum=bool(np.nanmin(ratios) < -s.better_tolerance), n_fev=totals[0], n_grad=totals[1],
        time=time.perf_counter() - t0,
    )


# ============================================================================ driver


def _parameter_path(store: Path, parameter: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", parameter)
    return Path(store) / "parameters" / f"{safe}.json"


def _resolve_parameters(objective, parameters: Sequence[str | int] | None) -> list[int]:
    ids = list(objective.x_ids)
    if parameters is None:
        return list(range(len(ids)))
    out = []
    for p in parameters:
        if isinstance(p, (int, np.integer)) and not isinstance(p, bool):
            if not 0 <= int(p) < len(ids):
                raise ValidationError(f"parameters: index {p} out of range 0..{len(ids) - 1}")
            out.append(int(p))
        elif p in ids:
            out.append(ids.index(p))
        else:
            raise UnknownNameError("parameters", str(p), ids)
    return list(dict.fromkeys(out))


def profile_likelihood(
    objective,
    x_opt: Sequence[float] | np.ndarray,
    *,
    f_opt: float | None = None,
    parameters: Sequence[str | int] | None = None,
    confidence: float = 0.95,
    initial_step: float = 0.05,
    min_step: float = 1e-4,
    max_step: float = 1.0,
    max_points: int = 100,
    ci_tolerance: float = 1e-3,
    flat_tolerance: float = 1e-2,
    better_tolerance: float = 1e-3,
    options: Mapping[str, Any] | None = None,
    n_workers: int = 1,
    store: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int, ParameterProfile | None], None] | None = None,
) -> ProfileResult:
    """Profile likelihoods of ``parameters`` from the optimum ``x_opt``.

    Parameters
    ----------
    objective : PetabObjective or compatible
    x_opt : array-like
        The optimum on the parameter scales (e.g. ``MultistartResult.x_best``).
    f_opt : float, optional
        Objective at ``x_opt`` (evaluated if not given).
    parameters : sequence of str or int, optional
        Ids (or indices) to profile; default all.
    confidence : float
        Level of the pointwise likelihood-ratio interval; threshold ``Δ = ½·χ²₁(confidence)``.
    initial_step, min_step, max_step : float
        Step sizes on the parameter scale (see the module docstring).
    max_points : int
        Points per side before giving up (``undetermined``).
    ci_tolerance : float
        The interval end is located to ``|PL - f_opt - Δ| ≤ ci_tolerance``.
    flat_tolerance : float
        A profile within this of ``f_opt`` between both bounds is flat.
    better_tolerance : float
        A profile value below ``f_opt - better_tolerance`` sets ``better_optimum``.
    options : mapping, optional
        Options of the inner L-BFGS-B optimisations.
    n_workers : int
        Processes over parameters.
    store : path, optional
        Folder for resumable results (one file per parameter).
    progress : callable, optional
        ``progress(n_done, n_total, parameter_profile)``, once with ``None`` before running.

    Returns
    -------
    ProfileResult
    """
    x_opt = np.asarray(x_opt, dtype=float).reshape(-1)
    if x_opt.size != len(objective.x_ids):
        raise ValidationError(f"x_opt has {x_opt.size} values; the objective has {len(objective.x_ids)}")
    lb, ub = np.asarray(objective.lb, float), np.asarray(objective.ub, float)
    if np.any(x_opt < lb) or np.any(x_opt > ub):
        raise ValidationError("x_opt lies outside the objective's bounds")
    for name, value in (("initial_step", initial_step), ("min_step", min_step), ("max_step", max_step),
                        ("ci_tolerance", ci_tolerance), ("flat_tolerance", flat_tolerance)):
        if not (np.isfinite(value) and value > 0):
            raise ValidationError(f"{name}={value!r}; allowed: a finite number > 0")
    if not min_step <= initial_step <= max_step:
        raise ValidationError(f"need min_step <= initial_step <= max_step; got {min_step}, {initial_step}, {max_step}")
    if isinstance(max_points, bool) or not isinstance(max_points, (int, np.integer)) or max_points < 1:
        raise ValidationError(f"max_points={max_points!r}; allowed: an integer >= 1")
    threshold = profile_threshold(confidence)
    indices = _resolve_parameters(objective, parameters)
    store_path = Path(store) if store is not None else None
    if f_opt is None and store_path is not None:
        f_opt = _stored_f_opt(store_path, x_opt)  # a resumed run evaluates nothing it has
    if f_opt is None:
        f_opt = float(objective(x_opt))
    if not np.isfinite(f_opt):
        raise ValidationError("the objective is not finite at x_opt")
    s = _Settings(
        threshold=threshold, initial_step=float(initial_step), min_step=float(min_step), max_step=float(max_step),
        max_points=int(max_points), max_jump=0.5 * threshold, grow_below=0.1 * threshold,
        ci_tolerance=float(ci_tolerance), flat_tolerance=float(flat_tolerance),
        better_tolerance=float(better_tolerance), options={"maxiter": 1000, **dict(options or {})},
    )
    settings = {
        "x_opt": [_float_to_json(v) for v in x_opt], "f_opt": _float_to_json(f_opt), "confidence": confidence,
        "initial_step": s.initial_step, "min_step": s.min_step, "max_step": s.max_step, "max_points": s.max_points,
        "ci_tolerance": s.ci_tolerance, "flat_tolerance": s.flat_tolerance, "better_tolerance": s.better_tolerance,
        "options": s.options, **objective_settings(objective),
    }
    done: dict[int, ParameterProfile] = {}
    if store_path is not None:
        open_store(store_path, _STORE_KIND, settings)
        for i in indices:
            path = _parameter_path(store_path, objective.x_ids[i])
            if path.is_file():
                try:
                    done[i] = ParameterProfile.from_json(json.loads(path.read_text(encoding="utf-8")))
                except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                    pass  # unreadable: profile again
    todo = [i for i in indices if i not in done]
    if progress is not None:
        progress(len(done), len(indices), None)

    def on_done(p: ParameterProfile) -> None:
        if store_path is not None:
            write_json_atomic(_parameter_path(store_path, p.parameter), p.to_json())
        done[p.index] = p
        if progress is not None:
            progress(len(done), len(indices), p)

    _run_tasks(objective, [(_profile_parameter, i, x_opt, float(f_opt), s) for i in todo], int(n_workers), on_done)
    return ProfileResult(
        x_ids=tuple(objective.x_ids), x_opt=x_opt, f_opt=float(f_opt), threshold=threshold,
        confidence=float(confidence), profiles={objective.x_ids[i]: done[i] for i in indices}, settings=settings,
    )


def _stored_f_opt(store: Path, x_opt: np.ndarray) -> float | None:
    path = store / "manifest.json"
    if not path.is_file():
        return None
    try:
        s = json.loads(path.read_text(encoding="utf-8")).get("settings", {})
    except json.JSONDecodeError:
        return None  # open_store reports it
    if s.get("x_opt") != [_float_to_json(v) for v in x_opt] or "f_opt" not in s:
        return None
    return _float_from_json(s["f_opt"])


def profile_from_fit(objective, fit: MultistartResult, **kwargs) -> ProfileResult:
    """:func:`profile_likelihood` from the best start of a multi-start (its parameter ids must match)."""
    if tuple(fit.x_ids) != tuple(objective.x_ids):
        raise ValidationError("the fit's parameter ids differ from the objective's; was it made for this problem?")
    return profile_likelihood(objective, fit.x_best, f_opt=fit.fval_best, **kwargs)


def load_profiles(store: str | os.PathLike[str]) -> ProfileResult:
    """Read the finished profiles of a profile store."""
    store = Path(store)
    manifest_path = store / "manifest.json"
    if not manifest_path.is_file():
        raise FileNotFoundError(f"no profile results in {store} (manifest.json missing)")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("kind") != _STORE_KIND:
        raise ValidationError(f"{store} holds {manifest.get('kind')!r} results, not profiles")
    s = manifest["settings"]
    profiles = {}
    for path in sorted((store / "parameters").glob("*.json")):
        p = ParameterProfile.from_json(json.loads(path.read_text(encoding="utf-8")))
        profiles[p.parameter] = p
    ordered = {k: profiles[k] for k in s["x_ids"] if k in profiles}
    return ProfileResult(
        x_ids=tuple(s["x_ids"]), x_opt=np.array([_float_from_json(v) for v in s["x_opt"]]),
        f_opt=_float_from_json(s["f_opt"]), threshold=profile_threshold(float(s["confidence"])),
        confidence=float(s["confidence"]), profiles=ordered, settings=s,
    )


def plot_profiles(result: ProfileResult, *, parameters: Sequence[str] | None = None, ncols: int = 4, axes=None):
    """Profiles ``PL - f_opt`` against each parameter (parameter scale), with the threshold line.

    Returns the array of Axes (one per parameter).
    """
    import matplotlib.pyplot as plt

    names = list(result.profiles) if parameters is None else [result[p].parameter for p in parameters]
    n = max(len(names), 1)
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    if axes is None:
        _, axes = plt.subplots(nrows, ncols, figsize=(3.0 * ncols, 2.4 * nrows), squeeze=False)
    flat = np.asarray(axes).reshape(-1)
    for ax, name in zip(flat, names):
        p = result.profiles[name]
        ratio = p.ratio
        ax.plot(p.values, ratio, "-o", ms=2.5, lw=1, color="tab:blue")
        ax.axhline(result.threshold, color="tab:red", ls="--", lw=1)
        ax.axvline(p.estimate, color="0.5", lw=0.8)
        if p.lower_end == "crossed" and p.upper_end == "crossed":
            ax.axvspan(p.ci_lower, p.ci_upper, color="tab:blue", alpha=0.08)
        top = 2.5 * result.threshold
        ax.set_ylim(min(-0.1 * result.threshold, float(np.nanmin(ratio)) if ratio.size else 0.0), top)
        ax.set_title(f"{name}\n{p.identifiability}", fontsize=8)
        ax.set_xlabel(f"{p.scale}({name})" if p.scale != "lin" else name, fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in flat[len(names):]:
        ax.set_visible(False)
    if flat.size:
        flat[0].set_ylabel("profile − optimum")
        flat[0].figure.tight_layout()
    return flat[: len(names)]
