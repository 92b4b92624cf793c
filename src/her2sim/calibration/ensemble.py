"""Ensembles of plausible parameter sets: storage, the plausible-population procedure, analyses.

An :class:`Ensemble` is a table of parameter sets (members × estimated parameter ids, linear
values) together with a header that ties it to one model version:

``members.parquet``
    One row per member, one column per parameter (linear scale), plus ``objective`` (the
    negative log-likelihood of the calibration problem at that member, if known).
``header.json``
    ``format`` (:data:`FORMAT`), ``model_id``, ``model_fingerprint`` (:meth:`her2sim.model.Model.fingerprint`:
    any change of the model's structure or of a parameter value gives another fingerprint),
    ``procedure`` (how the members were drawn), ``created`` (UTC date), ``seed``, ``n_members``
    and free-form ``details`` (acceptance threshold, acceptance rate, calibration problem).

:func:`load_ensemble` refuses an ensemble whose fingerprint differs from the model it is loaded
for (:class:`~her2sim.errors.ValidationError` naming both): parameter sets fitted to one model
version say nothing about another.

Plausible populations
---------------------
:func:`plausible_population` follows Allen, Rieger & Musante 2016 (CPT Pharmacometrics Syst
Pharmacol 5:140): candidates are sampled around the fit and a candidate is *plausible* when the
model reproduces the data with it. Here

1. candidates are drawn from a multivariate normal on the optimiser's parameter scale, centred
   on the best fit, with covariance ``inflation² · FIM⁻¹`` (the objective's Fisher information at
   the fit; along an eigen-direction that the data hardly constrain, the variance is capped so
   the direction spans at most a quarter of the box; a diagonal of a tenth of each box width
   where the objective has no FIM), clipped to the bounds;
2. a candidate outside that region is moved into it by a few iterations of bounded L-BFGS-B,
   stopped at the first point inside (Allen et al. optimise candidates into the plausible
   region; stopping at the boundary keeps the spread instead of collapsing onto the optimum);
3. a candidate is accepted when its objective is within ``Δ = ½ χ²₀.₉₅(n_θ)`` of the best
   (the joint 95 % likelihood-ratio region of the data), and every constraint (a callable on the
   linear parameter values, e.g. a qualitative literature finding) holds.

The ensemble her2sim *ships* (``family.ensemble()``) is made by
:func:`her2sim.calibration.ensemble_population.build_population` instead: candidates from the
provenance priors around the adopted model, one verdict matrix, and a cross-validated scorecard.

This is a documented acceptance-sampling procedure, not a posterior sampler: the members are
spread over the data-consistent region but not weighted by the likelihood. For posterior
samples, :func:`posterior_ensemble` runs emcee's affine-invariant ensemble sampler (Foreman-Mackey
et al. 2013, PASP 125:306; the ``calibration`` extra) on the same objective (its PEtab priors
included, flat within the bounds otherwise).

Analyses on an ensemble
-----------------------
:func:`ensemble_time_course` and :func:`ensemble_dose_response` run every member through the
compiled executor in one call (:func:`her2sim.simulation.simulate_ensemble`) and return the
median and the 90 % band (5th/95th percentiles) per read-out as labelled variables
``<readout>_median``, ``<readout>_p05``, ``<readout>_p95``; :func:`plot_band` draws them.
:func:`over_ensemble` runs any analysis that takes ``model=`` (dose-response, synergy, atlas,
rescue, regimen) once per member — each run is itself one batched executor call — and adds the
same band variables to its numeric results.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import ValidationError
from ..model import Model

__all__ = [
    "FORMAT",
    "Ensemble",
    "load_ensemble",
    "plausible_population",
    "posterior_ensemble",
    "ensemble_time_course",
    "ensemble_dose_response",
    "over_ensemble",
    "band",
    "plot_band",
    "QUANTILES",
]

#: Storage format tag written into every header.
FORMAT = "her2sim-ensemble/1"
#: Lower, middle and upper quantile of the reported band (a 90 % band around the median).
QUANTILES = (0.05, 0.5, 0.95)
_MEMBERS = "members.parquet"
_HEADER = "header.json"
_RESERVED = ("objective",)


@dataclass(frozen=True, eq=False)
class Ensemble:
    """Parameter sets of one model version (see the module docstring).

    Attributes
    ----------
    parameters : pandas.DataFrame
        Members × parameter ids (linear values).
    header : dict
        ``model_id``, ``model_fingerprint``, ``procedure``, ``created``, ``seed``, ``details``.
    objective : numpy.ndarray or None
        Objective (negative log-likelihood) per member, if known.
    """

    parameters: pd.DataFrame
    header: Mapping[str, Any]
    objective: np.ndarray | None = field(default=None)

    def __post_init__(self) -> None:
        if self.parameters.empty or self.parameters.shape[1] == 0:
            raise ValidationError("an ensemble needs at least one member and one parameter")
        for key in ("model_id", "model_fingerprint", "procedure"):
            if not self.header.get(key):
                raise ValidationError(f"ensemble header lacks {key!r}")
        values = self.parameters.to_numpy(dtype=float)
        if not np.all(np.isfinite(values)):
            raise ValidationError("ensemble parameter values must be finite")

    @classmethod
    def create(cls, model: Model, parameters: pd.DataFrame | Mapping[str, Sequence[float]], *, procedure: str,
               seed: int | None = None, objective: Sequence[float] | None = None,
               details: Mapping[str, Any] | None = None) -> Ensemble:
        """An ensemble of ``model`` (header filled from the model); parameter ids are checked."""
        df = pd.DataFrame(parameters).reset_index(drop=True)
        unknown = [c for c in df.columns if c not in model.parameter_ids]
        if unknown:
            from ..errors import UnknownNameError

            raise UnknownNameError("ensemble parameter", str(unknown[0]), model.parameter_ids)
        header = {
            "format": FORMAT,
            "model_id": model.id,
            "model_fingerprint": model.fingerprint(),
            "procedure": procedure,
            "created": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d"),
            "seed": seed,
            "n_members": int(len(df)),
            "details": dict(details or {}),
        }
        obj = None if objective is None else np.asarray(objective, dtype=float)
        return cls(df.astype(float), header, obj)

    @property
    def n_members(self) -> int:
        return int(len(self.parameters))

    def check_model(self, model: Model) -> None:
        """Raise :class:`ValidationError` unless the ensemble was made for this model version."""
        if self.header["model_id"] != model.id or self.header["model_fingerprint"] != model.fingerprint():
            raise ValidationError(
                f"ensemble made for model {self.header['model_id']!r} version "
                f"{str(self.header['model_fingerprint'])[:12]}; the model is {model.id!r} version "
                f"{model.fingerprint()[:12]}: parameter sets fitted to one model version do not carry over. "
                f"Recalibrate (`her2sim calibrate-model run`) for this version"
            )

    def save(self, out_dir: str | os.PathLike[str]) -> Path:
        """Write ``members.parquet`` and ``header.json`` to ``out_dir``; return the folder."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        table = self.parameters.copy()
        if self.objective is not None:
            table["objective"] = self.objective
        table.to_parquet(out / _MEMBERS, index=False)
        (out / _HEADER).write_text(json.dumps(dict(self.header), indent=2, default=str) + "\n", encoding="utf-8")
        return out

    def member_parameters(self, extra: Mapping[str, float] | None = None) -> dict[str, np.ndarray]:
        """``{parameter id: values per member}`` with ``extra`` settings (contexts, drugs) on top."""
        cols = {c: self.parameters[c].to_numpy(dtype=float) for c in self.parameters.columns}
        for k, v in (extra or {}).items():
            cols[k] = np.full(self.n_members, float(v))
        return cols


def load_ensemble(path: str | os.PathLike[str], model: Model | None = None) -> Ensemble:
    """Read an ensemble folder; with ``model``, refuse it unless made for that model version."""
    folder = Path(path)
    if not (folder / _HEADER).is_file() or not (folder / _MEMBERS).is_file():
        raise ValidationError(f"{folder}: not an ensemble folder (needs {_HEADER} and {_MEMBERS})")
    header = json.loads((folder / _HEADER).read_text(encoding="utf-8"))
    if header.get("format") != FORMAT:
        raise ValidationError(f"{folder / _HEADER}: format={header.get('format')!r}; this her2sim reads {FORMAT!r}")
    table = pd.read_parquet(folder / _MEMBERS)
    objective = table.pop("objective").to_numpy(dtype=float) if "objective" in table else None
    ens = Ensemble(table, header, objective)
    if model is not None:
        ens.check_model(model)
    return ens


# ============================================================================ plausible population


def plausible_population(
    objective,
    x_best: Sequence[float],
    n_members: int,
    *,
    seed: int,
    model: Model,
    constraints: Mapping[str, Callable[[Mapping[str, float]], bool]] | None = None,
    threshold: float | None = None,
    inflation: float = 1.0,
    max_candidates: int | None = None,
    refine: int = 30,
    progress: Callable[[int, int], None] | None = None,
) -> Ensemble:
    """Accepted parameter sets around a fit (Allen et al. 2016; see the module docstring).

    Parameters
    ----------
    objective : PetabObjective or compatible
        ``objective(x)`` on the parameter scale, ``lb``/``ub``, ``x_ids``, ``to_linear``; the
        FIM is taken from ``value_gradient_fim`` if it has one.
    x_best : array
        The best fit (parameter scale).
    n_members : int
        Plausible sets wanted.
    model : Model
        The model the objective's parameters belong to (the ensemble's version).
    constraints : mapping, optional
        ``{name: callable(linear parameter values) -> bool}``; all must hold for acceptance.
    threshold : float, optional
        Acceptance ``Δ`` above the best objective (default ``½ χ²₀.₉₅(n_θ)``).
    inflation : float
        Scale of the proposal's standard deviations relative to ``FIM⁻¹``.
    max_candidates : int, optional
        Give up after this many candidates (default ``50 · n_members``); fewer members are
        returned then and ``details["exhausted"]`` says so.
    refine : int
        A candidate outside the data-consistent region is moved by at most this many iterations
        of bounded L-BFGS-B, stopped at the first point inside it (Allen et al. 2016 optimise
        candidates into the plausible region); ``0``: plain acceptance sampling.
    """
    from scipy.stats import chi2

    if n_members < 1:
        raise ValidationError(f"n_members must be >= 1, got {n_members}")
    x0 = np.asarray(x_best, dtype=float)
    lb, ub = np.asarray(objective.lb, dtype=float), np.asarray(objective.ub, dtype=float)
    n = x0.size
    f_best = float(objective(x0))
    if not math.isfinite(f_best):
        raise ValidationError("the objective is not finite at x_best")
    delta = 0.5 * float(chi2.ppf(0.95, n)) if threshold is None else float(threshold)
    cov = _proposal_covariance(objective, x0, lb, ub) * inflation ** 2
    rng = np.random.default_rng(seed)
    limit = int(max_candidates or 50 * n_members)
    accepted: list[np.ndarray] = []
    fvals: list[float] = []
    rejected = {"objective": 0, **{name: 0 for name in (constraints or {})}}
    tried = 0
    refined = 0
    while len(accepted) < n_members and tried < limit:
        tried += 1
        x = np.clip(rng.multivariate_normal(x0, cov), lb, ub)
        f = float(objective(x))
        if not (math.isfinite(f) and f <= f_best + delta) and refine > 0:
            x, f = _refine(objective, x, f_best + delta, lb, ub, refine)
            refined += 1
        if not (math.isfinite(f) and f <= f_best + delta):
            rejected["objective"] += 1
            continue
        values = objective.to_linear(x)
        failed = [name for name, check in (constraints or {}).items() if not check(values)]
        if failed:
            rejected[failed[0]] += 1
            continue
        accepted.append(x)
        fvals.append(f)
        if progress is not None:
            progress(len(accepted), n_members)
    if not accepted:
        raise ValidationError(f"no plausible parameter set among {tried} candidates (Δ = {delta:.3g})")
    rows = [objective.to_linear(x) for x in accepted]
    df = pd.DataFrame(rows, columns=list(objective.x_ids))
    model_ids = set(model.parameter_ids)
    observation_only = [c for c in df.columns if c not in model_ids]
    details = {
        "method": "Allen, Rieger & Musante 2016 (CPT Pharmacometrics Syst Pharmacol 5:140): Gaussian proposals "
                  "around the fit (covariance inflation^2 * FIM^-1), accept objective <= best + delta and all "
                  "constraints",
        "best_objective": f_best, "delta": delta, "inflation": inflation, "candidates": tried,
        "accepted": len(accepted), "acceptance_rate": len(accepted) / tried, "refined": refined, "refine": refine, "rejected_by": rejected,
        "constraints": sorted(constraints or {}), "exhausted": len(accepted) < n_members,
        "observation_parameters": {c: df[c].tolist() for c in observation_only},
    }
    return Ensemble.create(model, df.drop(columns=observation_only), procedure="plausible-population",
                           seed=seed, objective=fvals, details=details)


def posterior_ensemble(
    objective,
    x_best: Sequence[float],
    n_members: int,
    *,
    seed: int,
    model: Model,
    n_walkers: int | None = None,
    n_steps: int = 1000,
    burn: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Ensemble:
    """Posterior samples by emcee (``exp(−objective)`` within the bounds), started in a small ball at the fit.

    ``n_members`` sets are taken evenly from the chain after ``burn`` steps (default half);
    ``details`` records the mean acceptance fraction and, where the chain is long enough, the
    integrated autocorrelation time (``NaN`` otherwise: then the chain is too short to trust).
    """
    try:
        import emcee
    except ImportError as exc:  # pragma: no cover - the extra is in the test environment
        raise ValidationError("posterior_ensemble needs emcee: pip install 'her2sim[calibration]'") from exc
    x0 = np.asarray(x_best, dtype=float)
    lb, ub = np.asarray(objective.lb, dtype=float), np.asarray(objective.ub, dtype=float)
    n = x0.size
    walkers = int(n_walkers or max(2 * n + 2, 8))
    walkers += walkers % 2
    burn = n_steps // 2 if burn is None else int(burn)
    if not 0 <= burn < n_steps:
        raise ValidationError(f"burn={burn} must be in [0, n_steps={n_steps})")
    rng = np.random.default_rng(seed)
    start = np.clip(x0 + 1e-3 * (ub - lb) * rng.standard_normal((walkers, n)), lb, ub)

    def log_prob(x: np.ndarray) -> float:
        if np.any(x < lb) or np.any(x > ub):
            return -np.inf
        f = float(objective(x))
        return -f if math.isfinite(f) else -np.inf

    sampler = emcee.EnsembleSampler(walkers, n, log_prob)
    sampler.random_state = np.random.RandomState(seed).get_state()
    for k, _ in enumerate(sampler.sample(start, iterations=n_steps), start=1):
        if progress is not None and (k % 50 == 0 or k == n_steps):
            progress(k, n_steps)
    chain = sampler.get_chain(discard=burn, flat=True)
    logp = sampler.get_log_prob(discard=burn, flat=True)
    pick = np.linspace(0, chain.shape[0] - 1, n_members).round().astype(int)
    try:
        tau = [float(t) for t in sampler.get_autocorr_time(discard=burn, quiet=True)]
    except Exception:  # noqa: BLE001 - too short a chain: recorded as unknown
        tau = [math.nan] * n
    df = pd.DataFrame([objective.to_linear(x) for x in chain[pick]], columns=list(objective.x_ids))
    observation_only = [c for c in df.columns if c not in set(model.parameter_ids)]
    details = {
        "method": "emcee affine-invariant ensemble sampler (Foreman-Mackey et al. 2013, PASP 125:306), "
                  "log-probability = -objective within the bounds",
        "walkers": walkers, "steps": n_steps, "burn": burn,
        "acceptance_fraction": float(np.mean(sampler.acceptance_fraction)), "autocorrelation_time": tau,
        "observation_parameters": {c: df[c].tolist() for c in observation_only},
    }
    return Ensemble.create(model, df.drop(columns=observation_only), procedure="posterior-emcee", seed=seed,
                           objective=-logp[pick], details=details)


class _Reached(Exception):
    def __init__(self, x: np.ndarray, f: float) -> None:
        self.x, self.f = x, f


def _refine(objective, x: np.ndarray, target: float, lb: np.ndarray, ub: np.ndarray, maxiter: int):
    """Move ``x`` by bounded L-BFGS-B until the objective is <= ``target`` (first such point)."""
    from scipy.optimize import minimize

    has_grad = hasattr(objective, "value_and_gradient")

    def fun(z):
        if has_grad:
            f, g = objective.value_and_gradient(z)
        else:
            f, g = objective(z), None
        f = float(f)
        if math.isfinite(f) and f <= target:
            raise _Reached(np.array(z, dtype=float), f)
        if not math.isfinite(f):
            f = 1e300
            g = None if g is None else np.zeros_like(z)
        return (f, np.asarray(g, dtype=float)) if has_grad else f

    try:
        res = minimize(fun, x, jac=has_grad, method="L-BFGS-B", bounds=list(zip(lb, ub)),
                       options={"maxiter": int(maxiter)})
    except _Reached as hit:
        return hit.x, hit.f
    except Exception:  # noqa: BLE001 - a failed refinement is a rejected candidate
        return x, math.inf
    return np.asarray(res.x, dtype=float), float(res.fun)


def _proposal_covariance(objective, x0: np.ndarray, lb: np.ndarray, ub: np.ndarray) -> np.ndarray:
    fallback = np.diag(((ub - lb) / 10.0) ** 2)
    if not hasattr(objective, "value_gradient_fim"):
        return fallback
    try:
        _, _, fim = objective.value_gradient_fim(x0)
        fim = np.asarray(fim, dtype=float)
        w, v = np.linalg.eigh(0.5 * (fim + fim.T))
    except Exception:  # noqa: BLE001 - any failure of the FIM falls back to the box proposal
        return fallback
    if not np.all(np.isfinite(w)) or w.max() <= 0:
        return fallback
    # FIM⁻¹ per eigen-direction, but never wider along a direction than a quarter of the box
    # allows (sloppy, unidentifiable directions): the correlation structure is kept
    cap = (ub - lb) / 4.0
    var = np.empty_like(w)
    for k in range(w.size):
        vk = np.abs(v[:, k])
        t_max = float(np.min(cap[vk > 0] / vk[vk > 0]))
        var[k] = t_max ** 2 if w[k] <= 0 else min(1.0 / w[k], t_max ** 2)
    return (v * var) @ v.T


# ============================================================================ analyses on an ensemble


def band(values: xr.DataArray, dim: str = "member") -> dict[str, xr.DataArray]:
    """``{"median", "p05", "p95"}`` of ``values`` over ``dim`` (NaN members — failed runs — skipped)."""
    q = values.quantile(list(QUANTILES), dim=dim, skipna=True)
    return {"p05": q.sel(quantile=QUANTILES[0], drop=True), "median": q.sel(quantile=QUANTILES[1], drop=True),
            "p95": q.sel(quantile=QUANTILES[2], drop=True)}


def _family_and_model(family: Any):
    from ..family import ModelFamily, get_family

    fam = get_family(family) if isinstance(family, str) else family
    if not isinstance(fam, ModelFamily):
        raise ValidationError(f"family must be a ModelFamily or its name, got {type(family).__name__}")
    return fam, fam.model()


def _settings(fam, context: Any, drugs: Mapping[str, Any] | None) -> tuple[str, dict[str, float]]:
    label, ctx = ("nominal", {}) if context in (None, "nominal", "parental") else fam.resolve_context(context)
    out = dict(ctx)
    if drugs:
        if fam.drug_settings is None:
            raise ValidationError(f"family {fam.name!r} has no drug vocabulary")
        out.update(fam.drug_settings(dict(drugs)))
    return label, out


def _summarise(ds: xr.Dataset, readouts: Sequence[str], units: Mapping[str, str]) -> xr.Dataset:
    out = {}
    for r in readouts:
        for stat, arr in band(ds[r]).items():
            out[f"{r}_{stat}"] = arr.assign_attrs(
                units=units.get(r, ""), long_name=f"{r}: {'median' if stat == 'median' else stat[1:] + 'th percentile'} "
                                                    f"over ensemble members")
    return xr.Dataset(out)


def ensemble_time_course(
    family: Any,
    ensemble: Ensemble,
    times: Sequence[float],
    *,
    context: Any = None,
    drugs: Mapping[str, Any] | None = None,
    readouts: Sequence[str] | None = None,
    keep_members: bool = False,
) -> xr.Dataset:
    """Treatment time course of every member (pre-equilibrated untreated, then treated from ``times[0]``).

    Returns ``<readout>_median/_p05/_p95`` over ``time`` (and the member runs as ``<readout>``
    with a ``member`` dimension if ``keep_members``); ``n_failed`` counts members whose run failed
    (they are left out of the band, never mixed in).
    """
    from ..protocol import Protocol
    from ..simulation import simulate_ensemble

    fam, model = _family_and_model(family)
    ensemble.check_model(model)
    label, settings = _settings(fam, context, drugs)
    outs = list(readouts or fam.readouts)
    ds = simulate_ensemble(model, None, ensemble.member_parameters(settings), outputs=outs,
                           protocol=Protocol.untreated(model, list(times)))
    units = {r: str(ds[r].attrs.get("units", "")) for r in outs}
    res = _summarise(ds, outs, units)
    if keep_members:
        res = res.merge(ds[outs])
    return res.assign(n_failed=int((ds["status"] != 0).sum())).assign_attrs(
        model=model.id, model_fingerprint=model.fingerprint(), context=label, drugs=json.dumps(dict(drugs or {}),
                                                                                                default=str),
        ensemble_procedure=ensemble.header["procedure"], n_members=ensemble.n_members,
        band="5th-95th percentile over members (90 % band)")


def ensemble_dose_response(
    family: Any,
    ensemble: Ensemble,
    drug: str,
    concentrations_nM: Sequence[float],
    *,
    time: float = 72.0,
    context: Any = None,
    also: Mapping[str, Any] | None = None,
    keep_members: bool = False,
) -> xr.Dataset:
    """Relative growth (treated / untreated cell number at ``time``) of every member over a dose grid.

    Returns ``relative_growth_median/_p05/_p95`` over ``concentration`` (nM); the untreated run
    of each member is its own reference, so the band is that of the members' dose-response curves.
    """
    from ..protocol import Protocol
    from ..simulation import simulate_ensemble

    fam, model = _family_and_model(family)
    if fam.growth_species is None:
        raise ValidationError(f"family {fam.name!r} declares no growth species: no dose-response read-out")
    ensemble.check_model(model)
    conc = np.asarray(concentrations_nM, dtype=float)
    if conc.ndim != 1 or conc.size == 0 or np.any(~np.isfinite(conc)) or np.any(conc < 0):
        raise ValidationError(f"concentrations_nM must be finite and >= 0, got {concentrations_nM!r}")
    grid = np.concatenate([[0.0], conc])
    m = ensemble.n_members
    cols: dict[str, np.ndarray] = {}
    label = "nominal"
    for j, c in enumerate(grid):
        label, s = _settings(fam, context, {**dict(also or {}), drug: float(c)})
        block = ensemble.member_parameters(s)
        for k, v in block.items():
            cols.setdefault(k, np.empty(m * grid.size))[j * m:(j + 1) * m] = v
    for k in list(cols):  # context settings present in some blocks only keep the model value elsewhere
        if cols[k].size != m * grid.size:  # pragma: no cover - every block sets the same ids
            raise ValidationError(f"inconsistent settings for {k!r}")
    g = fam.growth_species
    ds = simulate_ensemble(model, None, cols, outputs=[g], protocol=Protocol.untreated(model, [0.0, float(time)]))
    cells = ds[g].isel(time=-1).to_numpy().reshape(grid.size, m)
    rel = cells[1:] / cells[0][None, :]
    arr = xr.DataArray(rel, dims=("concentration", "member"), coords={"concentration": conc})
    res = _summarise(xr.Dataset({"relative_growth": arr}), ["relative_growth"], {"relative_growth": "1"})
    res["concentration"].attrs.update(units="nM", long_name=f"{drug} concentration")
    if keep_members:
        res["relative_growth"] = arr.assign_attrs(units="1")
    failed = (ds["status"].to_numpy().reshape(grid.size, m) != 0).any(axis=0)
    return res.assign(n_failed=int(failed.sum())).assign_attrs(
        model=model.id, model_fingerprint=model.fingerprint(), drug=drug, context=label, time=float(time),
        n_members=m, ensemble_procedure=ensemble.header["procedure"],
        band="5th-95th percentile over members (90 % band)")


def over_ensemble(
    analysis: Callable[..., xr.Dataset],
    ensemble: Ensemble,
    *,
    family: Any = None,
    members: Sequence[int] | None = None,
    **kwargs: Any,
) -> xr.Dataset:
    """Run ``analysis(**kwargs, model=<member model>)`` for every member and add its 90 % band.

    Parameters
    ----------
    analysis : callable
        An analysis taking ``model=`` and returning an :class:`xarray.Dataset`, e.g.
        :func:`her2sim.analysis.simulate_dose_response`, :func:`her2sim.analysis.simulate_combination`,
        :func:`her2sim.analysis.resistance_atlas`.
    ensemble : Ensemble
        Checked against the family's model version.
    members : sequence of int, optional
        Member indices (default: all).

    Returns
    -------
    xarray.Dataset
        The analysis' variables with a leading ``member`` dimension, and for each floating-point
        variable ``<var>_median``, ``<var>_p05``, ``<var>_p95`` over members (failed runs, NaN,
        left out of the band). Attributes are those of the first member's result plus the
        ensemble's procedure and size.
    """
    from ..family import default_family, get_family

    if "model" in kwargs:
        raise ValidationError("over_ensemble sets model= per member; pass family= instead")
    fam = default_family() if family is None else get_family(family) if isinstance(family, str) else family
    base = fam.model()
    ensemble.check_model(base)
    idx = list(range(ensemble.n_members)) if members is None else [int(m) for m in members]
    bad = [m for m in idx if not 0 <= m < ensemble.n_members]
    if bad:
        raise ValidationError(f"members={bad[:3]}: allowed 0 .. {ensemble.n_members - 1}")
    runs = []
    for m in idx:
        values = {k: float(v) for k, v in ensemble.parameters.iloc[m].items()}
        runs.append(analysis(**kwargs, model=base.with_parameters(values)))
    stacked = xr.concat(runs, dim=xr.DataArray(idx, dims="member", name="member"), coords="minimal",
                        compat="override", combine_attrs="override")
    out = stacked.copy()
    for name, var in stacked.data_vars.items():
        if "member" in var.dims and np.issubdtype(var.dtype, np.floating):
            for stat, arr in band(var).items():
                out[f"{name}_{stat}"] = arr.assign_attrs(var.attrs)
    return out.assign_attrs(ensemble_procedure=ensemble.header["procedure"], n_members=len(idx),
                            model_fingerprint=base.fingerprint(),
                            band="5th-95th percentile over members (90 % band)")


def plot_band(ds: xr.Dataset, readout: str, *, ax=None, label: str | None = None, color: str | None = None,
              logx: bool | None = None):
    """Draw ``<readout>_median`` and the shaded 90 % band of an ensemble result; return the axes."""
    import matplotlib.pyplot as plt

    for stat in ("median", "p05", "p95"):
        if f"{readout}_{stat}" not in ds:
            from ..errors import UnknownNameError

            names = sorted({str(v).rsplit("_", 1)[0] for v in ds.data_vars if str(v).endswith("_median")})
            raise UnknownNameError("readout", readout, names)
    med = ds[f"{readout}_median"]
    xdim = med.dims[0]
    x = med[xdim].to_numpy()
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    line, = ax.plot(x, med.to_numpy(), color=color, label=label or f"{readout} (median)")
    ax.fill_between(x, ds[f"{readout}_p05"].to_numpy(), ds[f"{readout}_p95"].to_numpy(), color=line.get_color(),
                    alpha=0.25, label="90 % band")
    if logx if logx is not None else xdim == "concentration":
        ax.set_xscale("log")
    units = med[xdim].attrs.get("units", "")
    ax.set_xlabel(f"{xdim} ({units})" if units else xdim)
    ax.set_ylabel(readout)
    ax.legend(frameon=False)
    return ax
