"""Analytic (hierarchical) estimation of observable scaling factors.

Relative data — Western blots, RPPA, fluorescence in arbitrary units — enter a PEtab problem
through observables ``y = s · h(x)`` with one unknown scaling ``s`` per antibody or experiment.
For fixed dynamic parameters ``θ`` the optimal ``s`` has a closed form (Weber et al. 2011,
Bioinformatics 27:2373; Loos et al. 2018, Bioinformatics 34:4266; Schmiester et al. 2020,
Bioinformatics 36:594), so the optimiser need only search ``θ`` and the objective becomes the
profile ``F(θ) = min_s f(θ, s)``. This removes the plateau that kills local optimisation from
random starts: where ``h`` is tiny, ``f`` is flat in ``θ`` for any bounded ``s``, but ``F`` still
sees the shape of ``h``.

Closed forms (normal noise, weights ``w = 1/σ²``, rows ``i`` using ``s``):

* untransformed observables: ``s* = Σ w h m / Σ w h²``;
* ``log``/``log10`` observables: ``t(s*) = Σ w (t(m) − t(h)) / Σ w``;

each clipped to the parameter's bounds (exact: ``f`` is convex in ``s``, resp. ``t(s)``). By the
envelope theorem ``∇F(θ) = ∂f/∂θ`` at ``s*``, and ``∂F/∂s = 0``.

:class:`HierarchicalObjective` keeps the interface (and the parameter vector) of
:class:`~her2sim.calibration.PetabObjective`: the entries of the analytic parameters in ``x`` are
ignored and their gradient entries are 0. :meth:`HierarchicalObjective.resolve` writes their
optimal values into ``x``; :func:`~her2sim.calibration.multistart` optimises only the other
entries and reports resolved points, so results are full parameter vectors of the original
problem whose values equal :class:`PetabObjective`'s at the same point.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from ..errors import UnknownNameError, UnsupportedFeatureError, ValidationError
from ..io import petab_plan as _pt
from .objective import PetabObjective, _failed, _forward_rows, likelihood_derivatives
from ..engine.solver import STEADY_STATE_DEFAULTS as _SS_DEFAULTS

__all__ = ["HierarchicalObjective", "analytic_scalings"]


def analytic_scalings(problem) -> dict[str, str]:
    """Estimated parameters of ``problem`` that are pure observable scalings.

    A parameter qualifies when it is estimated, has no prior, is not a parameter of the SBML
    model or a value of the condition table, is never a noise parameter, and every measurement
    row that uses it fills one observable placeholder ``ph`` of a formula ``ph · g`` (``g`` free of
    ``ph``), no other analytic parameter on that row, with normal noise and the same
    transformation on all its rows.

    Returns
    -------
    dict
        ``{parameter id: transformation of its rows}`` in parameter-table order.
    """
    est = {p.id: p for p in problem.parameters if p.estimate}
    model_inputs = set(problem.sbml_model.parameter_ids) | {c.id for c in problem.sbml_model.compartments}
    in_conditions: set[str] = set()
    for col in problem.conditions.columns:
        for v in problem.conditions[col]:
            if isinstance(v, str):
                in_conditions.add(v.strip())
    rules = {r.variable: r.math for r in problem.model.assignment_rules}
    obs = {o.id: o for o in problem.observables}
    meas, scales, dists = _pt.row_arrays(problem, None)
    plan = _pt.plan(problem)
    m = problem.measurements
    op_col = m["observableParameters"] if "observableParameters" in m else [None] * len(m)
    np_col = m["noiseParameters"] if "noiseParameters" in m else [None] * len(m)

    candidates = {
        k for k, p in est.items()
        if p.prior_type is None and k not in model_inputs and k not in in_conditions
    }
    bad: set[str] = set()
    transform: dict[str, str] = {}
    factor_cache: dict[tuple[str, str], bool] = {}

    def pure_factor(oid: str, holder: str) -> bool:
        key = (oid, holder)
        if key not in factor_cache:
            o = obs[oid]
            expr = rules[o.output_id]
            noise = rules[o.sigma_id]
            syms = [v for v in expr.free_symbols if v.name == holder]
            if len(syms) != 1:
                factor_cache[key] = False
            else:
                _, dep = expr.as_independent(syms[0], as_Add=False)
                factor_cache[key] = dep == syms[0] and holder not in {v.name for v in noise.free_symbols}
        return factor_cache[key]

    for i in range(len(m)):
        oid = plan.row_observable[i]
        o = obs[oid]
        for v in _pt.split_overrides(np_col[i]):
            if isinstance(v, str):
                bad.add(v)
        used = []
        for holder, v in zip(o.observable_placeholders, _pt.split_overrides(op_col[i])):
            if isinstance(v, str) and v in candidates:
                used.append(v)
                if not pure_factor(oid, holder):
                    bad.add(v)
        if len(used) > 1:
            bad.update(used)
        for v in used:
            if dists[i] != "normal":
                bad.add(v)
            t = str(scales[i])
            if transform.setdefault(v, t) != t:
                bad.add(v)
    return {k: transform[k] for k in est if k in transform and k not in bad}


class HierarchicalObjective:
    """A :class:`PetabObjective` with its scaling parameters optimised analytically.

    Parameters
    ----------
    objective : PetabObjective or path of a PEtab yaml file
        The full objective (a path is loaded with default settings).
    analytic : sequence of str, optional
        Parameters to optimise analytically (default: all of :func:`analytic_scalings`).

    Raises
    ------
    UnknownNameError
        For an id in ``analytic`` that is not a qualifying scaling parameter.
    ValidationError
        When no parameter qualifies.

    Examples
    --------
    >>> obj = HierarchicalObjective(PetabObjective("Fujita_SciSignal2010.yaml"))  # doctest: +SKIP
    >>> obj.analytic_ids  # doctest: +SKIP
    ('scaling_pAkt_tot', 'scaling_pEGFR_tot', 'scaling_pS6_tot')
    """

    def __init__(self, objective: PetabObjective | str, analytic: Sequence[str] | None = None) -> None:
        if not isinstance(objective, PetabObjective):
            objective = PetabObjective(objective)
        self.objective = objective
        qualified = analytic_scalings(objective.problem)
        if analytic is None:
            chosen = list(qualified)
        else:
            chosen = []
            for k in analytic:
                if k not in qualified:
                    raise UnknownNameError("analytic", k, qualified)
                chosen.append(k)
        if not chosen:
            raise ValidationError(
                "analytic: no estimated parameter of this problem is a pure observable scaling "
                "(see her2sim.calibration.hierarchical.analytic_scalings)"
            )
        index = {k: i for i, k in enumerate(objective.x_ids)}
        self.analytic_ids: tuple[str, ...] = tuple(k for k in objective.x_ids if k in chosen)
        self.analytic_index = np.asarray([index[k] for k in self.analytic_ids], dtype=int)
        self._transform = {k: qualified[k] for k in self.analytic_ids}
        params = {p.id: p for p in objective._params}
        self._param = [params[k] for k in self.analytic_ids]
        # rows of each analytic parameter
        m = objective.problem.measurements
        op_col = m["observableParameters"] if "observableParameters" in m else [None] * len(m)
        which = np.full(len(m), -1, dtype=int)
        pos = {k: j for j, k in enumerate(self.analytic_ids)}
        for i, v in enumerate(op_col):
            for item in _pt.split_overrides(v):
                if isinstance(item, str) and item in pos:
                    which[i] = pos[item]
        self._row_param = which
        self._unit = np.asarray([p.to_scale(1.0) for p in self._param], dtype=float)

    # ------------------------------------------------------------- PetabObjective interface
    @property
    def problem(self):
        return self.objective.problem

    @property
    def x_ids(self) -> tuple[str, ...]:
        return self.objective.x_ids

    @property
    def x_scales(self) -> tuple[str, ...]:
        return self.objective.x_scales

    @property
    def lb(self) -> np.ndarray:
        return self.objective.lb

    @property
    def ub(self) -> np.ndarray:
        return self.objective.ub

    @property
    def x_nominal(self) -> np.ndarray:
        return self.objective.x_nominal

    @property
    def dim(self) -> int:
        return self.objective.dim

    @property
    def rtol(self) -> float:
        return self.objective.rtol

    @property
    def atol(self) -> float:
        return self.objective.atol

    @property
    def include_priors(self) -> bool:
        return self.objective.include_priors

    @property
    def gradient_method(self) -> str:
        return self.objective.gradient_method

    @property
    def max_steps(self) -> int:
        return self.objective.max_steps

    @property
    def n_evaluations(self) -> int:
        return self.objective.n_evaluations

    def to_linear(self, x) -> dict[str, float]:
        return self.objective.to_linear(x)

    def from_linear(self, values: Mapping[str, float]) -> np.ndarray:
        return self.objective.from_linear(values)

    # ------------------------------------------------------------- evaluation
    def _unit_x(self, x) -> np.ndarray:
        x = self.objective._check(x).copy()
        x[self.analytic_index] = self._unit
        return x

    def optimal_scalings(self, h: np.ndarray, sigma: np.ndarray) -> np.ndarray:
        """Optimal linear values of the analytic parameters for unscaled simulations ``h``."""
        meas, _, _ = _pt.row_arrays(self.problem, None)
        out = np.empty(len(self.analytic_ids))
        for j, (k, p) in enumerate(zip(self.analytic_ids, self._param)):
            rows = self._row_param == j
            w = 1.0 / sigma[rows] ** 2
            hj, mj = h[rows], meas[rows]
            t = self._transform[k]
            lo, hi = p.lower, p.upper
            if t == "lin":
                den = float(np.sum(w * hj * hj))
                if den > 0 and np.isfinite(den):
                    s = float(np.sum(w * hj * mj)) / den
                else:  # h == 0 on every row: f does not depend on s
                    s = p.nominal if np.isfinite(p.nominal) else 1.0
                out[j] = min(max(s, lo), hi)
            else:
                log = np.log if t == "log" else np.log10
                with np.errstate(divide="ignore", invalid="ignore"):
                    ts = float(np.sum(w * (log(mj) - log(hj))) / np.sum(w))
                base = math.e if t == "log" else 10.0
                lo_t = log(lo) if lo > 0 else -math.inf
                hi_t = log(hi) if hi > 0 else -math.inf
                if math.isnan(ts):  # h <= 0 on some row: the likelihood is 0 for any s
                    ts = log(p.nominal) if np.isfinite(p.nominal) and p.nominal > 0 else 0.0
                out[j] = base ** min(max(ts, lo_t), hi_t)
        return out

    def _scaled(self, x, h: np.ndarray, sigma: np.ndarray, dh: np.ndarray | None = None):
        s = self.optimal_scalings(h, sigma)
        factor = np.where(self._row_param >= 0, s[np.maximum(self._row_param, 0)], 1.0)
        full = np.array(self.objective._check(x), dtype=float)
        full[self.analytic_index] = [p.to_scale(v) for p, v in zip(self._param, s)]
        y = factor * h
        dy = None if dh is None else factor[:, None] * dh
        if dy is not None:
            dy[:, self.analytic_index] = 0.0
        return full, y, dy

    def resolve(self, x) -> np.ndarray:
        """``x`` with its analytic entries replaced by their optimal values (one simulation)."""
        x = self.objective._check(x)
        values = _pt.parameter_values(self.problem, self.objective.to_linear(self._unit_x(x)))
        try:
            result = self._run(values)
        except (OverflowError, ValueError):
            return x.copy()
        if not np.all(np.isfinite(result.simulation)):
            return x.copy()
        full, _, _ = self._scaled(x, result.simulation, result.sigma)
        return full if np.all(np.isfinite(full)) else x.copy()

    def _run(self, values):
        return _pt.run(
            self.problem, values, rtol=self.rtol, atol=self.atol, max_steps=self.max_steps,
            **_SS_DEFAULTS,
            n_threads=self.objective.n_threads,
        )

    def __call__(self, x) -> float:
        """``min`` over the analytic parameters of the objective at ``x``; ``inf`` on failure."""
        xu = self._unit_x(x)
        values = _pt.parameter_values(self.problem, self.objective.to_linear(xu))
        self.objective.n_evaluations += 1
        try:
            result = self._run(values)
        except (OverflowError, ValueError):
            return math.inf
        if not np.all(np.isfinite(result.simulation)):
            return math.inf
        full, y, _ = self._scaled(x, result.simulation, result.sigma)
        meas, scales, dists = _pt.row_arrays(self.problem, None)
        total = float(np.sum(_pt.noise_negative_log_likelihood(meas, y, result.sigma, transformation=scales,
                                                               distribution=dists)))
        if self.include_priors:
            total += _pt.prior_nllh(self.problem, _pt.parameter_values(self.problem, self.objective.to_linear(full)))
        return total if np.isfinite(total) else math.inf

    def _derivatives(self, x, fim: bool):
        xu = self._unit_x(x)
        self.objective.n_evaluations += 1
        dim = self.dim
        try:
            rows = _forward_rows(self.objective, xu)
        except (OverflowError, FloatingPointError):
            rows = None
        if rows is None:
            return _failed(dim, fim)
        _, h, dh, sigma, dsigma = rows
        full, y, dy = self._scaled(x, h, sigma, dh)
        values = _pt.parameter_values(self.problem, self.objective.to_linear(full))
        return likelihood_derivatives(self.objective, values, y, dy, sigma, dsigma, fim=fim)

    def value_and_gradient(self, x) -> tuple[float, np.ndarray]:
        """Value and gradient (0 in the analytic entries) from one forward-sensitivity run."""
        return self._derivatives(x, fim=False)

    def value_gradient_fim(self, x) -> tuple[float, np.ndarray, np.ndarray]:
        """As :meth:`PetabObjective.value_gradient_fim`, analytic rows and columns 0."""
        return self._derivatives(x, fim=True)

    def residuals_and_jacobian(self, x):
        raise UnsupportedFeatureError(
            "HierarchicalObjective.residuals_and_jacobian: use value_gradient_fim (the Fisher information)"
        )

    def __repr__(self) -> str:
        return f"HierarchicalObjective({self.problem!r}, analytic={list(self.analytic_ids)})"
