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
from ..engine.adjoint import ADJOINT_MIN_PARAMETERS
from ..protocol import sensitivity_selection

__all__ = ["PetabObjective"]

_GRADIENTS = ("auto", "forward", "adjoint", "finite-differences")

#: The adjoint's backward pass runs at this multiple of the objective's rtol. The gradient's
#: error is set by the forward trajectory (the plain run at rtol, which forward sensitivities
#: refine through their own error control): on Raimundez 2020 at rtol 1e-8 the adjoint gradient
#: differs from the forward one by 1.07e-4 of its largest entry with the backward pass at 1e-7,
#: 1.08e-4 at 1e-8 and 1.06e-4 at 1e-10, while the backward pass at 1e-7 takes 40 % fewer steps.
ADJOINT_RTOL_FACTOR = 10.0


class PetabObjective:
    """Negative log-likelihood (plus objective priors) of a PEtab problem.

    Parameters
    ----------
    problem : PetabProblem or path of a PEtab yaml file
    rtol, atol : float
        Solver tolerances of every simulation.
    include_priors : bool
        Add the objective priors of the parameter table.
    gradient : {"auto", "forward", "adjoint", "finite-differences"}
        How :meth:`value_and_gradient` computes the gradient: compiled forward sensitivities,
        adjoint sensitivities (:mod:`her2sim.engine.adjoint`: one backward solve per member,
        whatever the number of parameters), or central differences. ``"auto"`` takes the
        adjoint when the problem has at least
        :data:`~her2sim.engine.adjoint.ADJOINT_MIN_PARAMETERS` sensitivity directions
        (estimated parameters that reach the state) and the adjoint supports it (no events),
        forward sensitivities otherwise.
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
        gradient: Literal["auto", "forward", "adjoint", "finite-differences"] = "auto",
        n_threads: int = 1,
        max_steps: int = DEFAULT_SOLVER.max_steps,
    ) -> None:
        if not isinstance(problem, PetabProblem):
            problem = load_petab(Path(problem))
        if gradient not in _GRADIENTS:
            import difflib

            close = difflib.get_close_matches(str(gradient), _GRADIENTS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ValidationError(f"gradient={gradient!r}; allowed: {_GRADIENTS}{hint}")
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
        system (see :func:`her2sim.engine.codegen.generate`); with ``"adjoint"`` from a plain
        run and one adjoint (backward) run per member (:mod:`her2sim.engine.adjoint`); with
        ``"finite-differences"`` from central differences (step 1e-5 on the parameter scale),
        2·dim + 1 evaluations; ``"auto"`` chooses (see the class). The gradient is NaN when the
        value is ``inf`` (a simulation failed).

        Raises
        ------
        UnsupportedFeatureError
            With ``gradient="adjoint"`` for a model with events; ``"auto"`` falls back to
            forward sensitivities there.
        """
        x = self._check(x)
        if self.gradient_method == "finite-differences":
            return self._fd_value_and_gradient(x)
        self.n_evaluations += 1
        try:
            if self.uses_adjoint:
                return _adjoint_value_and_gradient(self, x)
            return _forward_value_and_gradient(self, x)
        except (OverflowError, FloatingPointError):
            return math.inf, np.full(self.dim, np.nan)

    @property
    def uses_adjoint(self) -> bool:
        """Whether :meth:`value_and_gradient` uses adjoint sensitivities (decided on first use).

        Raises
        ------
        UnsupportedFeatureError
            With ``gradient="adjoint"`` when the model has events.
        """
        if self.gradient_method not in ("auto", "adjoint"):
            return False
        decided = getattr(self, "_use_adjoint", None)
        if decided is None:
            sp = _sens_plan(self)
            why = _adjoint_refusal(self, sp)
            if why is not None and self.gradient_method == "adjoint":
                raise UnsupportedFeatureError(f"gradient='adjoint': {why}; use gradient='forward'")
            decided = why is None and (self.gradient_method == "adjoint" or len(sp.dirs) >= ADJOINT_MIN_PARAMETERS)
            if decided:
                # the generator's own refusals (delays, parameters that initial assignments
                # overwrite or that move a time breakpoint) show when the library is built
                try:
                    _adjoint_library(self, sp)
                except UnsupportedFeatureError:
                    if self.gradient_method == "adjoint":
                        raise
                    decided = False
            self._use_adjoint = decided
        return decided

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
        from .censored import censored_rows

        if censored_rows(self.problem) is not None:
            raise UnsupportedFeatureError("residuals_and_jacobian: the problem has censored rows; use value_and_gradient")
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
        state.pop("_sens_plan", None)  # holds the compiled plan (and its library): rebuilt on demand
        state.pop("_adj", None)  # compiled adjoint library: rebuilt on demand
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
    """The structure of a problem's forward-sensitivity evaluation, built once per objective.

    From the problem's compiled plan (:func:`her2sim.io.petab_plan.compile_plan`): which input
    slots take an estimated parameter (the differentiated slots ``wrt``), which estimated
    parameters need a sensitivity direction (those reaching the state: dynamic slots or species
    resets), and, as index arrays, where each derivative lands. One evaluation then fills
    ``dP`` with the scale factors and gathers, with no per-member Python.
    """

    def __init__(self, obj: PetabObjective):
        from ..io.petab_plan import compile_plan

        cp = compile_plan(obj.problem)
        self.cp = cp
        cm0 = cp.cm
        self.cm0 = cm0
        n_m = cp.n_members
        theta_index = {k: i for i, k in enumerate(obj.x_ids)}
        self.theta_index = theta_index
        theta_of_v = np.asarray([theta_index.get(k, -1) for k in cp.parameter_ids], dtype=np.int64)
        self.theta_of_v = theta_of_v

        def estimated_links(src) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            theta = theta_of_v[src.src] if src.src.size else np.zeros(0, dtype=np.int64)
            keep = theta >= 0
            return src.rows[keep], src.cols[keep], theta[keep]

        main = estimated_links(cp.P)
        pre = estimated_links(cp.P_pre) if cp.pre_rows.size else (np.zeros(0, np.int64),) * 3
        self.wrt = tuple(int(j) for j in np.unique(np.concatenate([main[1], pre[1]])))
        q_of = {j: q for q, j in enumerate(self.wrt)}
        dyn = set(theta for j, theta in zip(np.concatenate([main[1], pre[1]]), np.concatenate([main[2], pre[2]]))
                  if cm0.p_dynamic[j])
        r_m, r_x, r_const, r_link, r_size_slot, r_size_const = cp.reset_sources
        reset_theta = theta_of_v[r_link[r_link >= 0]] if r_link.size else np.zeros(0, dtype=np.int64)
        dyn |= set(int(t) for t in reset_theta if t >= 0)
        self.dirs = tuple(pid for pid in obj.x_ids if theta_index[pid] in dyn)
        self.dir_theta = np.asarray([theta_index[pid] for pid in self.dirs], dtype=np.int64)
        self.main = (main[0], np.asarray([q_of[int(j)] for j in main[1]], dtype=np.int64), main[2])
        #: the estimated parameter (theta index) each (member, wrt slot) of the main run takes, or -1
        self.theta_mq = np.full((n_m, len(self.wrt)), -1, dtype=np.int64)
        self.theta_mq[self.main[0], self.main[1]] = self.main[2]
        self.pre = (pre[0], np.asarray([q_of[int(j)] for j in pre[1]], dtype=np.int64), pre[2])
        self.n_members = n_m
        self.n_theta = obj.dim
        # species resets: the direction (or -1) each reset entry's sensitivity belongs to
        dir_of_theta = {int(t): k for k, t in enumerate(self.dir_theta)}
        reset_dir = np.full(r_link.size, -1, dtype=np.int64)
        for n, link in enumerate(r_link):
            if link >= 0 and theta_of_v[link] >= 0:
                reset_dir[n] = dir_of_theta.get(int(theta_of_v[link]), -1)
        self.reset_dir = reset_dir
        self.reset_theta = np.where(r_link >= 0, theta_of_v[np.maximum(r_link, 0)], -1) if r_link.size else reset_dir

    def derivatives(self, scale_d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``dP`` and ``dP_pre`` (members × wrt × theta): d(input slot)/d(theta on its scale)."""
        shape = (self.n_members, len(self.wrt), self.n_theta)
        dP = np.zeros(shape)
        m, q, t = self.main
        dP[m, q, t] = scale_d[t]
        dP_pre = np.zeros(shape)
        m, q, t = self.pre
        dP_pre[m, q, t] = scale_d[t]
        return dP, dP_pre

    def augmented(self, P: np.ndarray, dP: np.ndarray) -> np.ndarray:
        """``[P, D]`` per member, with ``D[k, q] = dP[q, dirs[k]]`` (row-major)."""
        D = dP[:, :, self.dir_theta].transpose(0, 2, 1).reshape(P.shape[0], -1)
        return np.concatenate([P, D], axis=1)


def _sensitivity_model(obj: PetabObjective, sp: _SensPlan):
    from ..engine.compiler import compile_model

    spec = (len(sp.dirs), sp.wrt)
    cached = getattr(obj, "_sens", None)
    if cached is not None and cached.sensitivity == spec:
        return cached
    cm = compile_model(obj.problem.model, spec)
    obj._sens = cm
    return cm


def _sens_plan(obj: PetabObjective) -> _SensPlan:
    sp = getattr(obj, "_sens_plan", None)
    if sp is None:
        sp = _SensPlan(obj)
        obj._sens_plan = sp
    return sp


def _forward_rows(obj: PetabObjective, x: np.ndarray):
    """Per measurement row: (values, y, dy/dx, sigma, dsigma/dx), or None if a run failed."""
    sp = _sens_plan(obj)
    cp = sp.cp
    plan = cp.plan
    lin = obj.to_linear(x)
    v = cp.values(lin)
    values = dict(zip(cp.parameter_ids, v.tolist()))
    cm = _sensitivity_model(obj, sp)
    nb = cm.n_x_base
    n_dir = len(sp.dirs)
    n_wrt = len(sp.wrt)
    n_theta = obj.dim
    opts = DEFAULT_SOLVER.replace(rtol=obj.rtol, atol=obj.atol, max_steps=getattr(obj, "max_steps", None)).to_c()
    threads = max(1, obj.n_threads)

    scale_d = np.asarray([_scale_derivative(p.scale, values[p.id]) for p in obj._params], dtype=float)
    P0, P0_pre = cp.inputs(v)
    dP, dP_pre = sp.derivatives(scale_d)
    P = sp.augmented(P0, dP)
    P_pre = sp.augmented(P0_pre, dP_pre) if cp.pre_rows.size else P
    rows, states, reset_value, size = cp.reset_values(v, P0)

    def reset(xa: np.ndarray) -> None:
        # values, then their sensitivities: d(value * size)/d(theta) along the direction of the
        # parameter the value comes from (zero for constants and other directions)
        xa[rows, states] = reset_value * size
        for k in range(n_dir):
            xa[rows, nb * (k + 1) + states] = 0.0
        hit = sp.reset_dir >= 0
        if hit.any():
            k = sp.reset_dir[hit]
            xa[rows[hit], nb * (k + 1) + states[hit]] = scale_d[sp.reset_theta[hit]] * size[hit]

    base_sel = cp.sel.astype(np.int64)
    n_o = base_sel.size
    sel_arr = sensitivity_selection(cm.n_out_base, base_sel, n_dir, n_wrt)
    out, status, steady_out = cp.execute(cm, P, P_pre, sel_arr, opts, threads, reset)
    if np.any(status != 0):
        return None

    rows_m = plan.row_member
    rows_t = plan.row_time_index
    steady = plan.row_steady

    def gather(col_offset: int, col: np.ndarray) -> np.ndarray:
        c = col_offset + col
        if steady_out is None:
            return out[rows_m, rows_t, c]
        return np.where(steady, steady_out[rows_m, c], out[rows_m, rows_t, c])

    def value_and_derivative(col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        val = gather(0, col)
        d = np.zeros((val.size, n_theta))
        for k in range(n_dir):
            d[:, sp.dir_theta[k]] += gather(n_o * (1 + k), col)
        if n_wrt:
            # explicit partials: slot q of a row's member comes from at most one parameter
            parts = np.stack([gather(n_o * (1 + n_dir + q), col) for q in range(n_wrt)], axis=1)
            theta = sp.theta_mq[rows_m]
            hit = theta >= 0
            r = np.broadcast_to(np.arange(rows_m.size)[:, None], theta.shape)[hit]
            np.add.at(d, (r, theta[hit]), parts[hit] * scale_d[theta[hit]])
        return val, d

    y, dy = value_and_derivative(plan.row_output)
    sigma, dsigma = value_and_derivative(plan.row_sigma)
    _static_sigma_gradient(obj, sp, v, P0, scale_d, sigma, dsigma)
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


# ============================================================================ adjoint sensitivities


def _adjoint_refusal(obj: PetabObjective, sp: _SensPlan) -> str | None:
    """Why the adjoint cannot compute this problem's gradient, or None."""
    if obj.problem.model.events:
        return "the model has events (adjoint sensitivities through events are not implemented)"
    return None


def _adjoint_library(obj: PetabObjective, sp: _SensPlan):
    from ..engine.adjoint import adjoint_model

    cached = getattr(obj, "_adj", None)
    if cached is not None and tuple(cached.wrt) == sp.wrt:
        return cached
    cm = adjoint_model(obj.problem.model, sp.wrt)
    obj._adj = cm
    return cm


def _adjoint_value_and_gradient(obj: PetabObjective, x: np.ndarray):
    """``(value, gradient)`` from a plain run and one adjoint run per member.

    The objective is first evaluated (plain compiled runs, as :meth:`PetabObjective.__call__`);
    its derivatives with respect to each row's simulation and noise output become the adjoint's
    read-out weights. Main runs: :func:`~her2sim.engine.adjoint.run_adjoint` from the
    pre-equilibrated (and reset) states; ``dF/dx(t0)`` then flows to the reset values and,
    for the other states, through the pre-equilibration by
    :func:`~her2sim.engine.adjoint.run_steady_adjoint` (one backward run per distinct
    pre-equilibration: the adjoint is linear, so members sharing one add their ``dF/dx_ss``).
    """
    from ..engine.adjoint import output_weights_gradient, run_adjoint, run_steady_adjoint, steady_state_adjoint

    sp = _sens_plan(obj)
    cp = sp.cp
    plan = cp.plan
    lin = obj.to_linear(x)
    v = cp.values(lin)
    values = dict(zip(cp.parameter_ids, v.tolist()))
    solver = DEFAULT_SOLVER.replace(rtol=obj.rtol, atol=obj.atol, max_steps=getattr(obj, "max_steps", None))
    opts = solver.to_c()
    rtol_b = min(ADJOINT_RTOL_FACTOR * solver.rtol, 1e-3)
    threads = max(1, obj.n_threads)
    dim = obj.dim
    scale_d = np.asarray([_scale_derivative(p.scale, values[p.id]) for p in obj._params], dtype=float)
    P0, P0_pre = cp.inputs(v)
    rows, states, reset_value, size = cp.reset_values(v, P0)
    captured: dict[str, np.ndarray] = {}

    def reset(xa: np.ndarray) -> None:
        captured["x_steady"] = xa.copy()
        xa[rows, states] = reset_value * size
        captured["x_start"] = xa.copy()

    out, status, steady_out = cp.execute(cp.cm, P0, P0_pre, cp.sel, opts, threads, reset)
    if np.any(status != 0):
        return _failed(dim, False)
    rm, rt = plan.row_member, plan.row_time_index
    steady = np.asarray(plan.row_steady, dtype=bool)
    y = out[rm, rt, plan.row_output]
    sigma = out[rm, rt, plan.row_sigma]
    if steady_out is not None:
        y = np.where(steady, steady_out[rm, plan.row_output], y)
        sigma = np.where(steady, steady_out[rm, plan.row_sigma], sigma)
    dsigma = np.zeros((y.size, dim))
    _static_sigma_gradient(obj, sp, v, P0, scale_d, sigma, dsigma)
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(sigma))):
        return _failed(dim, False)
    total, d_y, d_s, _ = _row_derivatives(obj.problem, y, sigma)
    if not np.isfinite(total):
        return _failed(dim, False)
    grad = d_s @ dsigma  # noise from constants only (zero rows elsewhere)

    cm = _adjoint_library(obj, sp)
    n_t = cp.times.size
    W = np.zeros((cp.n_members, n_t, cm.n_out_base))
    timed = ~steady
    np.add.at(W, (rm[timed], rt[timed], cp.sel[plan.row_output[timed]]), d_y[timed])
    dyn = cp._sigma_dynamic & timed
    np.add.at(W, (rm[dyn], rt[dyn], cp.sel[plan.row_sigma[dyn]]), d_s[dyn])
    species_ids = {s_.id for s_ in obj.problem.model.species}
    p_assigned = any(a.symbol not in species_ids for a in obj.problem.model.initial_assignments)

    grad_main = np.zeros((cp.n_members, len(sp.wrt)))
    pre, fresh = cp.pre_rows, cp.fresh_rows
    lam_pre = None
    for subset, X0 in ((pre, captured.get("x_start")), (fresh, None)):
        if not subset.size:
            continue
        res = run_adjoint(cm, P0[subset], cp.times, W[subset], X0=X0, solver=solver, adjoint_rtol=rtol_b,
                          n_threads=threads)
        if np.any(res["status"] != 0):
            return _failed(dim, False)
        grad_main[subset] = res["gradient"]
        if X0 is not None:
            lam_pre = res["lambda0"]
    if steady.any():
        # read-outs at the steady state under the simulation condition (run from the start
        # state of the main period, as CompiledPlan.execute does): their weights at that state,
        # then the steady-state adjoint back to the start state
        W_ss = np.zeros((cp.n_members, cm.n_out_base))
        np.add.at(W_ss, (rm[steady], cp.sel[plan.row_output[steady]]), d_y[steady])
        dyn_ss = cp._sigma_dynamic & steady
        np.add.at(W_ss, (rm[dyn_ss], cp.sel[plan.row_sigma[dyn_ss]]), d_s[dyn_ss])
        for mem in np.unique(rm[steady]):
            is_pre = bool(cp.pre[mem])
            k_pre = int(np.searchsorted(pre, mem)) if is_pre else -1
            X0 = captured["x_start"][k_pre:k_pre + 1] if is_pre else None
            Pm = P0[mem:mem + 1]
            run = cp.cm.run(Pm, np.zeros(1), np.zeros(1, dtype=np.int32), opts, P_pre=Pm, X0=X0,
                            want_final_state=True)
            if int(run["status"][0]) != 0:
                return _failed(dim, False)
            x_ss2 = run["x_final"][0]
            gx, gp = output_weights_gradient(cm, 0.0, x_ss2, Pm[0], W_ss[mem])  # read at t = 0, as execute()
            lin = None if p_assigned else steady_state_adjoint(cm, Pm[0], x_ss2, gx, from_initial_state=not is_pre)
            if lin is None:
                res = run_steady_adjoint(cm, Pm, gx[None], X0=X0, solver=solver, adjoint_rtol=rtol_b)
                if np.any(res["status"] != 0):
                    return _failed(dim, False)
                lin = (res["gradient"][0], res["lambda0"][0])
            grad_main[mem] += gp + lin[0]
            if is_pre and lam_pre is not None:
                lam_pre[k_pre] += lin[1]
    m, q, t = sp.main
    np.add.at(grad, t, grad_main[m, q] * scale_d[t])

    if lam_pre is not None:
        # reset states take their value from the condition table: dF/dx(t0) goes there
        hit = sp.reset_theta >= 0
        if np.any(hit):
            th = sp.reset_theta[hit]
            np.add.at(grad, th, lam_pre[rows[hit], states[hit]] * size[hit] * scale_d[th])
        lam_ss = lam_pre.copy()
        lam_ss[rows, states] = 0.0
        # one backward run per distinct pre-equilibration (inputs and parameter links)
        theta_pre = np.full((cp.n_members, len(sp.wrt)), -1, dtype=np.int64)
        pm, pq, pt = sp.pre
        theta_pre[pm, pq] = pt
        key = np.concatenate([P0_pre[pre], theta_pre[pre].astype(float)], axis=1)
        unique, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
        inverse = np.asarray(inverse).reshape(-1)
        lam_sum = np.zeros((unique.shape[0], cm.n_x))
        np.add.at(lam_sum, inverse, lam_ss)
        P_u = P0_pre[pre][first]
        x_ss = captured["x_steady"][first]
        grad_pre = np.zeros((unique.shape[0], len(sp.wrt)))
        # one linear solve at the steady state where it applies; otherwise (no consistent
        # solution, or parameters that initial assignments change before pre-equilibration)
        # the adjoint integrated backward over the recorded pre-equilibration
        integrate = []
        for u in range(unique.shape[0]):
            lin = None if p_assigned else steady_state_adjoint(cm, P_u[u], x_ss[u], lam_sum[u])
            if lin is None:
                integrate.append(u)
            else:
                grad_pre[u] = lin[0]
        if integrate:
            res = run_steady_adjoint(cm, P_u[integrate], lam_sum[integrate], solver=solver, adjoint_rtol=rtol_b,
                                     n_threads=threads)
            if np.any(res["status"] != 0):
                return _failed(dim, False)
            grad_pre[integrate] = res["gradient"]
        tp = theta_pre[pre][first]
        hit = tp >= 0
        u_idx, q_idx = np.nonzero(hit)
        th = tp[hit]
        np.add.at(grad, th, grad_pre[u_idx, q_idx] * scale_d[th])

    if obj.include_priors:
        total += _pt.prior_nllh(obj.problem, values)
        grad += _prior_gradient(obj, values)
    if not (np.isfinite(total) and np.all(np.isfinite(grad))):
        return _failed(dim, False)
    return total, grad


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
    total, d_y, d_s, dt = _row_derivatives(problem, y, sigma)
    if not np.isfinite(total):
        return _failed(dim, fim)
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
    from . import censored as _censored  # censored rows: their own curvature, auxiliary rows none

    cens = _censored.fisher_information(problem, y, sigma, *_censored_scales(problem, y), dt, dy)
    if cens is not None:
        jm, js = jm * cens[0][:, None], js * cens[0][:, None]
    info = jm.T @ jm + js.T @ js + (cens[1] if cens is not None else 0.0)
    if not np.all(np.isfinite(info)):
        return _failed(dim, fim)
    return total, grad, info


def _censored_scales(problem: PetabProblem, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Measurements and simulations on each row's transformed scale (for censored rows)."""
    meas, scales, _ = _pt.row_arrays(problem, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _pt.transform(meas, scales), _pt.transform(y, scales)


def _row_derivatives(problem: PetabProblem, y: np.ndarray, sigma: np.ndarray):
    """``(objective without priors, ∂/∂y, ∂/∂sigma per row, d(transformed y)/dy)``."""
    meas, scales, dists = _pt.row_arrays(problem, None)
    nll = _pt.noise_negative_log_likelihood(meas, y, sigma, transformation=scales, distribution=dists)
    with np.errstate(divide="ignore", invalid="ignore"):
        ty = _pt.transform(y, scales)
        tm = _pt.transform(meas, scales)
        r = (tm - ty) / sigma
        dt = np.where(scales == "log", 1.0 / y, np.where(scales == "log10", 1.0 / (y * math.log(10.0)), 1.0))
        normal = dists == "normal"
        d_y = np.where(normal, -r / sigma, -np.sign(r) / sigma) * dt
        d_s = np.where(normal, 1.0 / sigma - r * r / sigma, 1.0 / sigma - np.abs(r) / sigma)
    from . import censored as _censored  # her2sim censored rows (a no-op without them)

    nll = _censored.apply(problem, y, sigma, nll, tm, ty, dt, d_y, d_s)
    total = float(np.sum(nll))
    return total, d_y, d_s, dt


def _static_sigma_gradient(obj, sp: _SensPlan, v: np.ndarray, P: np.ndarray, scale_d: np.ndarray,
                           sigma: np.ndarray, dsigma: np.ndarray) -> None:
    """Values and gradients of noise formulas that depend on constants only (in place).

    A formula that is one placeholder or one input takes the value and the derivative of its
    source (arrays of the compiled plan); other formulas are differentiated by sympy once per
    distinct set of numbers.
    """
    import sympy

    cp = sp.cp
    plan = cp.plan
    cp.static_sigma(v, P, sigma)
    rows, const, link, slot = cp.sigma_sources
    if rows.size:
        dsigma[rows] = 0.0
        theta = np.where(link >= 0, sp.theta_of_v[np.maximum(link, 0)], -1)
        # an input slot's source: the parameter-table entry linked to (member, slot), if any
        links = {(int(m), int(j)): int(i) for m, j, i in zip(cp.P.rows, cp.P.cols, cp.P.src)}
        for n in np.flatnonzero(slot >= 0):
            i = links.get((int(plan.row_member[rows[n]]), int(slot[n])), -1)
            theta[n] = sp.theta_of_v[i] if i >= 0 else -1
        hit = theta >= 0
        dsigma[rows[hit], theta[hit]] = scale_d[theta[hit]]
    if not cp.sigma_formula_rows:
        return
    problem = obj.problem
    values = dict(zip(cp.parameter_ids, v.tolist()))
    rules = {r.variable: r.math for r in problem.model.assignment_rules}
    obs = {o.id: o for o in problem.observables}
    links = {(int(m), int(j)): int(i) for m, j, i in zip(cp.P.rows, cp.P.cols, cp.P.src)}
    cache: dict[tuple, tuple[float, np.ndarray]] = {}
    for i in cp.sigma_formula_rows:
        o = obs[plan.row_observable[i]]
        expr = rules[o.sigma_id]
        holders = dict(plan.row_noise[i])
        m = int(plan.row_member[i])
        subs: dict = {}
        source: dict = {}
        for sym in expr.free_symbols:
            if sym.name in holders:
                h = holders[sym.name]
                subs[sym] = _pt.resolve(h, values, problem.model, f"noise placeholder {sym.name!r}")
                source[sym] = h if isinstance(h, str) and h in sp.theta_index else None
            else:
                j = sp.cm0.p_index(sym.name, argument="noise formula")
                subs[sym] = float(P[m, j])
                link_i = links.get((m, j), -1)
                pid = cp.parameter_ids[link_i] if link_i >= 0 else None
                source[sym] = pid if pid in sp.theta_index else None
        key = (o.id, tuple(sorted((s.name, val, source[s]) for s, val in subs.items())))
        hit_ = cache.get(key)
        if hit_ is None:
            value = float(expr.xreplace(subs)) if subs else float(expr)
            g = np.zeros(obj.dim)
            for sym, pid in source.items():
                if pid is None:
                    continue
                d = sympy.diff(expr, sym).xreplace(subs)
                t = sp.theta_index[pid]
                g[t] += float(d) * scale_d[t]
            hit_ = (value, g)
            cache[key] = hit_
        sigma[i] = hit_[0]
        dsigma[i] = hit_[1]


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
