"""The negative log-likelihood of a PEtab problem as a function of its estimated parameters.

Parameters are handled on their PEtab ``parameterScale`` (``lin``, ``log``, ``log10``): ``x``
vectors, bounds and gradients are all on that scale, in the order of :attr:`PetabObjective.x_ids`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import numpy as np

from ..errors import UnknownNameError, UnsupportedFeatureError, ValidationError
from ..io import petab_plan as _pt
from ..io.petab import PetabProblem, load_petab, negative_log_likelihood
from ..engine.solver import DEFAULT_SOLVER
from ..protocol import execute, sensitivity_selection

__all__ = ["PetabObjective"]


class PetabObjective:
    """Negative log-likelihood (plus objective priors) of a PEtab problem.

    Parameters
    ----------
    problem : PetabProblem or path of a PEtab yaml file
    rtol, atol : float
        Solver tolerances of every simulation.
    include_priors : bool
        Add the objective priors of the parameter table.
    gradient : {"forward", "finite-differences"}
        How :meth:`value_and_gradient` computes the gradient.
    n_threads : int
        Threads over the ensemble members of one evaluation.
    max_steps : int
        Solver steps allowed per simulation. A run that needs more counts as failed (the value
        is ``inf``). Multi-starts from the corners of wide boxes meet parameter sets on which one
        simulation takes minutes; a cap of a few times the steps needed near the optimum turns
        them into failed evaluations, from which the optimisers back off.

    Notes
    -----
    The object pickles (it holds the problem, not a compiled library), so it travels to worker
    processes of a multi-start.
    """

    def __init__(
        self,
        problem: PetabProblem | str | os.PathLike[str],
        *,
        rtol: float = DEFAULT_SOLVER.rtol,
        atol: float = DEFAULT_SOLVER.atol,
        include_priors: bool = True,
        gradient: Literal["forward", "finite-differences"] = "forward",
        n_threads: int = 1,
        max_steps: int = DEFAULT_SOLVER.max_steps,
    ) -> None:
        if not isinstance(problem, PetabProblem):
            problem = load_petab(Path(problem))
        if gradient not in ("forward", "finite-differences"):
            raise ValidationError(f"gradient={gradient!r}; allowed: ('forward', 'finite-differences')")
        self.problem = problem
        self.rtol = float(rtol)
        self.atol = float(atol)
        self.include_priors = bool(include_priors)
        self.gradient_method = gradient
        self.n_threads = int(n_threads)
        if isinstance(max_steps, bool) or int(max_steps) != max_steps or max_steps < 1:
            raise ValidationError(f"max_steps={max_steps!r}; allowed: an integer >= 1")
        self.max_steps = int(max_steps)
        est = [p for p in problem.parameters if p.estimate]
        self._params = est
        self.x_ids: tuple[str, ...] = tuple(p.id for p in est)
        self.x_scales: tuple[str, ...] = tuple(p.scale for p in est)
        self.lb = np.array([p.to_scale(p.lower) for p in est], dtype=float)
        self.ub = np.array([p.to_scale(p.upper) for p in est], dtype=float)
        self.x_nominal = np.array(
            [p.to_scale(p.nominal) if np.isfinite(p.nominal) else np.nan for p in est], dtype=float
        )
        self.n_evaluations = 0

    # ---------------------------------------------------------------- conversions
    @property
    def dim(self) -> int:
        return len(self.x_ids)

    def _check(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=float).reshape(-1)
        if x.size != self.dim:
            raise ValidationError(f"x has {x.size} entries; the problem estimates {self.dim}: {list(self.x_ids)}")
        return x

    def to_linear(self, x) -> dict[str, float]:
        """``x`` (on the parameter scales) as ``{parameter id: linear value}``."""
        x = self._check(x)
        return {p.id: p.from_scale(float(v)) for p, v in zip(self._params, x)}

    def from_linear(self, values: Mapping[str, float]) -> np.ndarray:
        """Linear values by id → ``x`` on the parameter scales (missing ids take the nominal)."""
        x = self.x_nominal.copy()
        index = {k: i for i, k in enumerate(self.x_ids)}
        for k, v in values.items():
            i = index.get(k)
            if i is None:
                raise UnknownNameError("values", k, self.x_ids)
            x[i] = self._params[i].to_scale(float(v))
        return x

    # ---------------------------------------------------------------- evaluation
    def __call__(self, x) -> float:
        """Objective value at ``x``; ``inf`` if a simulation failed."""
        values = self.to_linear(x)
        self.n_evaluations += 1
        try:
            return negative_log_likelihood(
                self.problem, values, include_priors=self.include_priors, rtol=self.rtol, atol=self.atol,
                n_threads=self.n_threads, max_steps=self.max_steps,
            )
        except (OverflowError, ValueError):
            return math.inf

    def value_and_gradient(self, x) -> tuple[float, np.ndarray]:
        """Objective value and its gradient on the parameter scales.

        With ``gradient="forward"`` both come from one run of the compiled forward-sensitivity
        system (see :func:`her2sim.engine.codegen.generate`); with ``"finite-differences"``
        from central differences (step 1e-5 on the parameter scale), 2·dim + 1 evaluations.
        The gradient is NaN when the value is ``inf`` (a simulation failed).
        """
        x = self._check(x)
        if self.gradient_method == "finite-differences":
            return self._fd_value_and_gradient(x)
        self.n_evaluations += 1
        try:
            return _forward_value_and_gradient(self, x)
        except (OverflowError, FloatingPointError):
            return math.inf, np.full(self.dim, np.nan)

    def value_gradient_fim(self, x) -> tuple[float, np.ndarray, np.ndarray]:
        """Objective value, gradient and Fisher information matrix, from one forward run.

        The Fisher information of the noise model at the current parameters (on the parameter
        scales): for normal noise ``Σ_i (∂μ_i ∂μ_iᵀ + 2 ∂σ_i ∂σ_iᵀ) / σ_i²`` with ``μ_i`` the
        (transformed) simulation, the Gauss-Newton approximation of the Hessian that trust-region
        optimisers for ODE models use (fides, Fröhlich & Sorger 2022, PLoS Comput Biol
        18:e1010322). Laplace rows use the normal form with ``σ`` their scale (an
        approximation). Priors add their gradient but no curvature. Non-finite on failure.
        """
        x = self._check(x)
        self.n_evaluations += 1
        try:
            return _forward_value_and_gradient(self, x, fim=True)
        except (OverflowError, FloatingPointError):
            return math.inf, np.full(self.dim, np.nan), np.full((self.dim, self.dim), np.nan)

    def residuals_and_jacobian(self, x) -> tuple[np.ndarray, np.ndarray, float]:
        """Weighted residuals, their Jacobian and the constant of the objective.

        For problems whose noise is normal with standard deviations that do not depend on
        the estimated parameters, the objective is ``0.5 * sum(r**2) + c`` with
        ``r = (t(m) - t(y)) / sigma``; this returns ``(r, dr/dx, c)`` from one forward-
        sensitivity run (priors are not included), for least-squares optimisers (Gauss-Newton,
        trust-region reflective) and Fisher-information intervals. Failed runs give NaN.

        Raises
        ------
        UnsupportedFeatureError
            For Laplace noise or noise that depends on estimated parameters.
        """
        x = self._check(x)
        meas, scales, dists = _pt.row_arrays(self.problem, None)
        if np.any(dists != "normal"):
            raise UnsupportedFeatureError("residuals_and_jacobian: the problem has Laplace noise; use value_and_gradient")
        self.n_evaluations += 1
        rows = _forward_rows(self, x)
        n = meas.size
        if rows is None:
            return np.full(n, np.nan), np.full((n, self.dim), np.nan), math.nan
        _, y, dy, sigma, dsigma = rows
        if np.any(dsigma != 0):
            raise UnsupportedFeatureError(
                "residuals_and_jacobian: a noise standard deviation depends on estimated parameters; "
                "the objective is not a sum of squares (use value_and_gradient)"
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            ty = _pt.transform(y, scales)
            tm = _pt.transform(meas, scales)
            r = (tm - ty) / sigma
            dt = np.where(scales == "log", 1.0 / y, np.where(scales == "log10", 1.0 / (y * math.log(10.0)), 1.0))
            jac = -(dt / sigma)[:, None] * dy
            change = np.where(scales == "log", np.log(meas), np.where(scales == "log10", np.log(meas * math.log(10.0)), 0.0))
            const = float(np.sum(0.5 * np.log(2.0 * np.pi * sigma**2) + change))
        return r, jac, const

    def _fd_value_and_gradient(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        f0 = self(x)
        g = np.full(self.dim, np.nan)
        if not np.isfinite(f0):
            return f0, g
        for i in range(self.dim):
            h = 1e-5 * max(1.0, abs(x[i]))
            xp = x.copy()
            xm = x.copy()
            xp[i] += h
            xm[i] -= h
            g[i] = (self(xp) - self(xm)) / (2 * h)
        return f0, g

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_sens", None)  # compiled library handle: rebuilt (from the disk cache) on demand
        return state


# ============================================================================ forward sensitivities


def _scale_derivative(scale: str, linear: float) -> float:
    """d(linear value)/d(value on its scale)."""
    if scale == "log10":
        return linear * math.log(10.0)
    if scale == "log":
        return linear
    return 1.0


class _SensPlan:
    """Per problem and parameter set: member vectors with the parameter each slot comes from."""

    def __init__(self, obj: PetabObjective, values: dict[str, float]):
        from ..engine.compiler import compile_model

        problem = obj.problem
        plan = _pt.plan(problem)
        cm0 = compile_model(problem.model)
        self.plan = plan
        self.cm0 = cm0
        theta_index = {k: i for i, k in enumerate(obj.x_ids)}
        inputs = set(cm0.param_ids)
        n_members = len(plan.member_cond)
        base = cm0.p_default.copy()
        base_src: dict[int, str] = {}
        for ident, v in values.items():
            if ident in inputs and np.isfinite(v):
                j = cm0.p_index(ident)
                base[j] = v
                base_src[j] = ident

        def raw_condition(c: str):
            row = problem.conditions.loc[c]
            inp: dict[str, tuple[float, str | None]] = {}
            spc: dict[str, tuple[float, str | None]] = {}
            for col, (kind, ident) in plan.condition_targets.items():
                raw = row[col]
                if _pt.is_missing(raw):
                    continue
                src = None
                if isinstance(raw, str):
                    try:
                        raw = float(raw)
                    except ValueError:
                        src = raw if raw in values else None
                v = _pt.resolve(raw, values, problem.model, f"condition {c!r} column {col!r}")
                override = problem.ia_overrides.get(ident)
                if override is not None:
                    # the rewritten initial assignment reads the value input (see load_petab); the
                    # target's own slot is overwritten by it, so it carries no derivative
                    inp[override[0]] = (1.0, None)
                    inp[override[1]] = (v, src)
                    if kind != "species":
                        src = None
                (spc if kind == "species" else inp)[ident] = (v, src)
            return inp, spc

        cond_cache: dict[str, tuple] = {}

        def condition(c: str):
            if c not in cond_cache:
                cond_cache[c] = raw_condition(c)
            return cond_cache[c]

        def vector(c: str, holders) -> tuple[np.ndarray, dict[int, str]]:
            p = base.copy()
            src = dict(base_src)
            for ident, (v, s) in condition(c)[0].items():
                j = cm0.p_index(ident)
                p[j] = v
                src.pop(j, None)
                if s is not None:
                    src[j] = s
            for ident, v in holders.items():
                j = cm0.p_index(ident)
                p[j] = _pt.resolve(v, values, problem.model, f"placeholder {ident!r}")
                src.pop(j, None)
                if isinstance(v, str) and v in values:
                    src[j] = v
            return p, src

        self.P = np.empty((n_members, cm0.n_p_base))
        self.src: list[dict[int, str]] = []
        self.P_pre: dict[int, np.ndarray] = {}
        self.src_pre: dict[int, dict[int, str]] = {}
        for k in range(n_members):
            self.P[k], s = vector(plan.member_cond[k], plan.member_placeholders[k])
            self.src.append(s)
            if plan.member_pre[k]:
                self.P_pre[k], self.src_pre[k] = vector(plan.member_pre[k], plan.member_placeholders[k])
        self.species = [condition(c)[1] for c in plan.member_cond]

        # which slots and directions the sensitivity system needs (structure of the problem)
        est = set(obj.x_ids)
        slots: set[int] = set()
        for s in self.src + list(self.src_pre.values()):
            slots |= {j for j, pid in s.items() if pid in est}
        self.wrt = tuple(sorted(slots))
        dyn_theta: set[str] = set()
        for s in self.src + list(self.src_pre.values()):
            dyn_theta |= {pid for j, pid in s.items() if pid in est and cm0.p_dynamic[j]}
        for spc in self.species:
            dyn_theta |= {src for _, src in spc.values() if src in est}
        self.dirs = tuple(pid for pid in obj.x_ids if pid in dyn_theta)
        self.theta_index = theta_index
        scale_d = {
            p.id: _scale_derivative(p.scale, values[p.id]) for p in obj._params
        }
        self.scale_d = scale_d
        n_theta = obj.dim
        q_of = {j: q for q, j in enumerate(self.wrt)}
        # dP[member, q, theta]: derivative of p slot wrt[q] w.r.t. theta (on its scale)
        self.dP = np.zeros((n_members, len(self.wrt), n_theta))
        for m, s in enumerate(self.src):
            for j, pid in s.items():
                if pid in est:
                    self.dP[m, q_of[j], theta_index[pid]] = scale_d[pid]
        self.dP_pre: dict[int, np.ndarray] = {}
        for m, s in self.src_pre.items():
            d = np.zeros((len(self.wrt), n_theta))
            for j, pid in s.items():
                if pid in est:
                    d[q_of[j], theta_index[pid]] = scale_d[pid]
            self.dP_pre[m] = d
        self.dir_theta = np.asarray([theta_index[pid] for pid in self.dirs], dtype=int)

    def augmented(self, P: np.ndarray, dP: np.ndarray) -> np.ndarray:
        """[p, D] with D[k, q] = dP[q, dirs[k]]."""
        D = dP[:, self.dir_theta].T if len(self.dirs) else np.zeros((0, len(self.wrt)))
        return np.concatenate([P, D.reshape(-1)])


def _sensitivity_model(obj: PetabObjective, sp: _SensPlan):
    from ..engine.compiler import compile_model

    spec = (len(sp.dirs), sp.wrt)
    cached = getattr(obj, "_sens", None)
    if cached is not None and cached.sensitivity == spec:
        return cached
    cm = compile_model(obj.problem.model, spec)
    obj._sens = cm
    return cm


def _forward_rows(obj: PetabObjective, x: np.ndarray):
    """Per measurement row: (values, y, dy/dx, sigma, dsigma/dx), or None if a run failed."""
    problem = obj.problem
    lin = obj.to_linear(x)
    values = _pt.parameter_values(problem, lin)
    sp = _SensPlan(obj, values)
    plan = sp.plan
    cm = _sensitivity_model(obj, sp)
    nb = cm.n_x_base
    n_dir = len(sp.dirs)
    n_wrt = len(sp.wrt)
    n_theta = obj.dim
    n_members = len(plan.member_cond)
    opts = DEFAULT_SOLVER.replace(rtol=obj.rtol, atol=obj.atol, max_steps=getattr(obj, "max_steps", None)).to_c()
    threads = max(1, obj.n_threads)

    P = np.stack([sp.augmented(sp.P[m], sp.dP[m]) for m in range(n_members)])

    def apply_species(m: int, xa: np.ndarray) -> None:
        for sid, (v, src) in sp.species[m].items():
            s = problem.model.get_species(sid)
            i = cm.state_ids.index(sid)
            size = 1.0
            if not s.initial_is_amount:
                try:
                    size = float(sp.P[m][sp.cm0.p_index(s.compartment)])
                except UnknownNameError:
                    size = float(problem.model.component(s.compartment).size)
            xa[i] = v * size
            for k in range(n_dir):
                d = sp.scale_d[src] * size if src is not None and src == sp.dirs[k] else 0.0
                xa[nb * (k + 1) + i] = d

    pre = np.asarray([bool(p) for p in plan.member_pre])
    P_pre = P.copy()
    for m in np.flatnonzero(pre):
        P_pre[m] = sp.augmented(sp.P_pre[m], sp.dP_pre[m])
    base_sel = np.asarray([sp.cm0.output_index(o) for o in plan.outputs], dtype=np.int64)
    n_o = base_sel.size
    sel_arr = sensitivity_selection(cm.n_out_base, base_sel, n_dir, n_wrt)
    # the same protocol as the PEtab simulator, on the sensitivity system (one executor)
    outcome = execute(cm, P, plan.times, sel_arr, opts, P_pre=P_pre, preequilibrated=pre, reset=apply_species,
                      steady_members=np.unique(plan.row_member[plan.row_steady]), n_threads=threads)
    if np.any(outcome.status != 0):
        return None
    out = outcome.out  # members x times x sel
    steady_out = outcome.steady if outcome.steady is not None else np.full((n_members, sel_arr.size), np.nan)

    rows_m = plan.row_member
    rows_t = plan.row_time_index
    steady = plan.row_steady

    def gather(col_offset: int, col: np.ndarray) -> np.ndarray:
        c = col_offset + col
        return np.where(steady, steady_out[rows_m, c], out[rows_m, rows_t, c])

    def value_and_derivative(col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        v = gather(0, col)
        d = np.zeros((v.size, n_theta))
        for k in range(n_dir):
            d[:, sp.dir_theta[k]] += gather(n_o * (1 + k), col)
        for q in range(n_wrt):
            part = gather(n_o * (1 + n_dir + q), col)
            d += part[:, None] * sp.dP[rows_m, q, :]
        return v, d

    y, dy = value_and_derivative(plan.row_output)
    sigma, dsigma = value_and_derivative(plan.row_sigma)
    _static_sigma_gradient(obj, sp, values, sigma, dsigma)
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(sigma))):
        return None
    return values, y, dy, sigma, dsigma


def _forward_value_and_gradient(obj: PetabObjective, x: np.ndarray, fim: bool = False):
    """``(value, gradient)``, or ``(value, gradient, fisher information)`` with ``fim=True``."""
    rows = _forward_rows(obj, x)
    if rows is None:
        return _failed(obj.dim, fim)
    values, y, dy, sigma, dsigma = rows
    return likelihood_derivatives(obj, values, y, dy, sigma, dsigma, fim=fim)


def _failed(dim: int, fim: bool):
    g = np.full(dim, np.nan)
    return (math.inf, g, np.full((dim, dim), np.nan)) if fim else (math.inf, g)


def likelihood_derivatives(obj, values: Mapping[str, float], y: np.ndarray, dy: np.ndarray, sigma: np.ndarray,
                           dsigma: np.ndarray, *, fim: bool = False):
    """Objective, gradient (and Fisher information) from per-row simulations and derivatives.

    ``y``/``sigma`` hold each measurement row's simulation (linear) and noise parameter,
    ``dy``/``dsigma`` their derivatives (rows × parameters on their scales). Priors of
    ``obj.problem`` are added when ``obj.include_priors``.
    """
    problem = obj.problem
    dim = dy.shape[1]
    meas, scales, dists = _pt.row_arrays(problem, None)
    nll = _pt.noise_negative_log_likelihood(meas, y, sigma, transformation=scales, distribution=dists)
    total = float(np.sum(nll))
    if not np.isfinite(total):
        return _failed(dim, fim)
    # derivatives of each row's term w.r.t. y and sigma
    with np.errstate(divide="ignore", invalid="ignore"):
        ty = _pt.transform(y, scales)
        tm = _pt.transform(meas, scales)
        r = (tm - ty) / sigma
        dt = np.where(scales == "log", 1.0 / y, np.where(scales == "log10", 1.0 / (y * math.log(10.0)), 1.0))
        normal = dists == "normal"
        d_y = np.where(normal, -r / sigma, -np.sign(r) / sigma) * dt
        d_s = np.where(normal, 1.0 / sigma - r * r / sigma, 1.0 / sigma - np.abs(r) / sigma)
    grad = d_y @ dy + d_s @ dsigma
    if obj.include_priors:
        total += _pt.prior_nllh(problem, values)
        grad += _prior_gradient(obj, values)
    if not (np.isfinite(total) and np.all(np.isfinite(grad))):
        return _failed(dim, fim)
    if not fim:
        return total, grad
    with np.errstate(divide="ignore", invalid="ignore"):
        jm = (dt / sigma)[:, None] * dy
        js = (math.sqrt(2.0) / sigma)[:, None] * dsigma
    info = jm.T @ jm + js.T @ js
    if not np.all(np.isfinite(info)):
        return _failed(dim, fim)
    return total, grad, info


def _static_sigma_gradient(obj, sp: _SensPlan, values, sigma: np.ndarray, dsigma: np.ndarray) -> None:
    """Values and gradients of noise formulas that depend on constants only (in place)."""
    import sympy

    problem = obj.problem
    plan = sp.plan
    rules = {r.variable: r.math for r in problem.model.assignment_rules}
    obs = {o.id: o for o in problem.observables}
    cache: dict[tuple, tuple[float, np.ndarray]] = {}
    for i, oid in enumerate(plan.row_observable):
        o = obs[oid]
        if not o.static_noise:
            continue
        expr = rules[o.sigma_id]
        holders = dict(plan.row_noise[i])
        m = plan.row_member[i]
        subs: dict = {}
        source: dict = {}
        for sym in expr.free_symbols:
            if sym.name in holders:
                h = holders[sym.name]
                subs[sym] = _pt.resolve(h, values, problem.model, f"noise placeholder {sym.name!r}")
                source[sym] = h if isinstance(h, str) and h in sp.theta_index else None
            else:
                j = sp.cm0.p_index(sym.name, argument="noise formula")
                subs[sym] = float(sp.P[m, j])
                pid = sp.src[m].get(j)
                source[sym] = pid if pid in sp.theta_index else None
        key = (oid, tuple(sorted((s.name, v, source[s]) for s, v in subs.items())))
        hit = cache.get(key)
        if hit is None:
            value = float(expr.xreplace(subs)) if subs else float(expr)
            g = np.zeros(obj.dim)
            for sym, pid in source.items():
                if pid is None:
                    continue
                d = sympy.diff(expr, sym).xreplace(subs)
                g[sp.theta_index[pid]] += float(d) * sp.scale_d[pid]
            hit = (value, g)
            cache[key] = hit
        sigma[i] = hit[0]
        dsigma[i] = hit[1]


def _prior_gradient(obj: PetabObjective, values: Mapping[str, float]) -> np.ndarray:
    """Gradient (on the parameter scales) of the objective priors' negative log-density."""
    g = np.zeros(obj.dim)
    for i, p in enumerate(obj._params):
        if p.prior_type is None:
            continue
        a, b = p.prior_parameters[:2]
        lin = values[p.id]
        kind = p.prior_type
        if kind.startswith("parameterScale"):
            z = p.to_scale(lin)
            kind = kind[len("parameterScale"):].lower()
            chain = 1.0
        else:
            z = lin
            chain = _scale_derivative(p.scale, lin)
        kind = kind.lower()
        if kind == "uniform":
            d = 0.0
        elif kind == "normal":
            d = (z - a) / b**2
        elif kind == "laplace":
            d = math.copysign(1.0, z - a) / b if z != a else 0.0
        elif kind == "lognormal":
            d = 1.0 / z + (math.log(z) - a) / (b**2 * z)
        elif kind == "loglaplace":
            d = 1.0 / z + (math.copysign(1.0, math.log(z) - a) / (b * z) if math.log(z) != a else 0.0)
        else:  # pragma: no cover - PetabParameter validates the prior type
            raise UnsupportedFeatureError(f"prior type {p.prior_type!r}")
        g[i] = d * chain
    return g
