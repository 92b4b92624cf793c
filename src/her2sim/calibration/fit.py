"""Multi-start local optimisation of a PEtab objective, resumable on disk.

:func:`multistart` draws ``n_starts`` starting points within the bounds (on the parameter
scales), runs one bounded local optimisation (:func:`scipy.optimize.minimize`) from each, in
parallel over processes, and returns a :class:`MultistartResult` (one :class:`StartResult` per
start, failed starts included: a failure is data).

Reproducibility. Start ``i`` draws its point from ``SeedSequence(seed, spawn_key=(i,))``, so a
start's point and its result depend on ``(seed, i)`` only, not on the number of starts or of
workers. (Latin hypercube sampling stratifies over all starts, so its points depend on
``n_starts`` too; such a store cannot be extended.)

Resumability. With ``store=<folder>``, the settings are written to ``manifest.json`` and every
finished start to ``starts/start_<i>.json`` atomically (temporary file, fsync, rename), as soon as
it finishes. Re-running with the same folder skips finished starts, so a killed fit keeps its
finished starts, and asking for more starts only runs the new ones. A store made with other
settings (seed, method, options, sampling, bounds, parameter ids or the problem's content) is
refused with a :class:`~her2sim.errors.ValidationError` naming what differs.

The objective is any object with the interface of :class:`~her2sim.calibration.PetabObjective`
(``x_ids``, ``lb``, ``ub``, ``__call__``, ``value_and_gradient``; it must pickle for
``n_workers > 1``). Whether the gradient is analytic or by finite differences is the objective's
business; the counts reported here are optimiser calls (``n_fev`` value-only, ``n_grad``
value-and-gradient) and, where the objective counts them (``n_evaluations``), simulations.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import Her2simWarning, UnknownNameError, UnsupportedFeatureError, ValidationError

__all__ = [
    "METHODS",
    "SAMPLINGS",
    "StartResult",
    "MultistartResult",
    "multistart",
    "load_multistart",
    "sample_starts",
    "fraction_reaching",
    "plot_waterfall",
    "write_parameter_table",
    "read_parameter_values",
    "problem_fingerprint",
    "DEFAULT_TOLERANCE",
]

#: Local optimisers: scipy.optimize.minimize methods that honour bounds (the first four use the
#: gradient), and ``fides``, the interior trust-region optimiser for ODE models of Fröhlich &
#: Sorger (2022, PLoS Comput Biol 18:e1010322) with the Fisher information as Hessian
#: (``objective.value_gradient_fim``).
METHODS: tuple[str, ...] = ("L-BFGS-B", "TNC", "SLSQP", "trust-constr", "Powell", "Nelder-Mead", "fides")
_GRADIENT_METHODS = frozenset({"L-BFGS-B", "TNC", "SLSQP", "trust-constr"})
#: Hessians of ``fides`` (option ``hessian``): the Fisher information, the Fisher information for
#: the first ``switch_iteration`` iterations and BFGS after, or BFGS throughout.
_FIDES_HESSIANS: tuple[str, ...] = ("fim", "hybrid", "bfgs")
SAMPLINGS: tuple[str, ...] = ("uniform", "latin-hypercube", "nominal-jitter")

#: Default tolerance (absolute, in negative log-likelihood units) for "reached the optimum".
#: 0.1 is ~5 % of the 95 % likelihood-ratio threshold ½χ²₁(0.95) = 1.92, so two values closer
#: than this are statistically indistinguishable, yet it is ten times the integration
#: difference between her2sim and the reference tools on Fujita 2010 (0.008).
DEFAULT_TOLERANCE = 0.1

_DEFAULT_OPTIONS: dict[str, dict[str, Any]] = {
    "L-BFGS-B": {"maxiter": 1000},
    "TNC": {"maxfun": 3000},
    "SLSQP": {"maxiter": 1000},
    "trust-constr": {"maxiter": 1000},
    "Powell": {"maxfev": 20000},
    "Nelder-Mead": {"maxfev": 20000},
    "fides": {"maxiter": 1000},
}
_STORE_KIND = "her2sim.multistart"
_STORE_VERSION = 1


# ============================================================================ results


@dataclass(frozen=True)
class StartResult:
    """The outcome of one start.

    Attributes
    ----------
    start : int
        Index of the start (its point depends on ``seed`` and ``start`` only).
    seed : int
        The run's seed.
    x0, x : tuple of float
        Starting point and best point found, on the parameter scales.
    fval0, fval : float
        Objective at ``x0`` and at ``x`` (``inf`` if no finite value was found).
    n_fev, n_grad : int
        Value-only and value-and-gradient calls made by the optimiser.
    n_simulations : int
        Objective evaluations counted by the objective itself (``-1`` if it does not count);
        with a finite-difference gradient this includes the difference quotients.
    time : float
        Wall time of the start in seconds.
    status : {"converged", "not-converged", "failed", "error"}
        ``converged``: the optimiser's convergence test passed; ``not-converged``: it stopped
        otherwise (iteration limit, line-search failure); ``failed``: no finite objective value
        at the starting point, or no finite gradient anywhere (gradient methods); ``error``: an
        exception (its text is in ``message``).
    message : str
        The optimiser's exit message, or the exception.
    """

    start: int
    seed: int
    x0: tuple[float, ...]
    fval0: float
    x: tuple[float, ...]
    fval: float
    n_fev: int
    n_grad: int
    n_simulations: int
    time: float
    status: Literal["converged", "not-converged", "failed", "error"]
    message: str

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("fval0", "fval"):
            d[k] = _float_to_json(d[k])
        d["x0"] = [_float_to_json(v) for v in self.x0]
        d["x"] = [_float_to_json(v) for v in self.x]
        return d

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> StartResult:
        return cls(
            start=int(d["start"]), seed=int(d["seed"]),
            x0=tuple(_float_from_json(v) for v in d["x0"]), fval0=_float_from_json(d["fval0"]),
            x=tuple(_float_from_json(v) for v in d["x"]), fval=_float_from_json(d["fval"]),
            n_fev=int(d["n_fev"]), n_grad=int(d["n_grad"]), n_simulations=int(d["n_simulations"]),
            time=float(d["time"]), status=d["status"], message=str(d["message"]),
        )


@dataclass(frozen=True)
class MultistartResult:
    """All starts of a multi-start optimisation.

    Attributes
    ----------
    x_ids, x_scales : tuple of str
        Estimated parameters and their scales, in the order of every ``x``.
    lb, ub : numpy.ndarray
        Bounds on the parameter scales.
    settings : dict
        What the run was made with (method, options, seed, sampling, problem hash ...).
    starts : tuple of StartResult
        In start order.
    fval_nominal : float
        Objective at the problem's nominal parameters (``nan`` if unknown): the reference line
        of a benchmark problem whose nominal values are the published optimum.
    """

    x_ids: tuple[str, ...]
    x_scales: tuple[str, ...]
    lb: np.ndarray
    ub: np.ndarray
    settings: dict[str, Any]
    starts: tuple[StartResult, ...]
    fval_nominal: float = math.nan
    resumed: tuple[int, ...] = field(default=(), compare=False)

    @property
    def n_starts(self) -> int:
        return len(self.starts)

    @property
    def best(self) -> StartResult:
        """The start with the lowest objective value (the first such one on ties)."""
        if not self.starts:
            raise ValidationError("the result has no starts")
        return min(self.starts, key=lambda s: (_sort_key(s.fval), s.start))

    @property
    def x_best(self) -> np.ndarray:
        """Best parameters on the parameter scales."""
        return np.asarray(self.best.x, dtype=float)

    @property
    def fval_best(self) -> float:
        return self.best.fval

    @property
    def fvals(self) -> np.ndarray:
        """Final objective values in start order (``inf`` for failed starts)."""
        return np.array([s.fval for s in self.starts], dtype=float)

    def to_frame(self, *, parameters: bool = True) -> pd.DataFrame:
        """One row per start (tidy): scalars, then ``x0_<id>`` and ``x_<id>`` columns.

        Parameters
        ----------
        parameters : bool
            Include the starting and final parameter values (parameter scales).
        """
        rows = []
        for s in self.starts:
            row: dict[str, Any] = {
                "start": s.start, "seed": s.seed, "fval": s.fval, "fval0": s.fval0, "status": s.status,
                "n_fev": s.n_fev, "n_grad": s.n_grad, "n_simulations": s.n_simulations, "time_s": s.time,
                "message": s.message,
            }
            if parameters:
                row.update({f"x0_{k}": v for k, v in zip(self.x_ids, s.x0)})
                row.update({f"x_{k}": v for k, v in zip(self.x_ids, s.x)})
            rows.append(row)
        columns = ["start", "seed", "fval", "fval0", "status", "n_fev", "n_grad", "n_simulations", "time_s", "message"]
        return pd.DataFrame(rows, columns=None if rows else columns)

    def fraction_reaching(self, target: float, tolerance: float = DEFAULT_TOLERANCE) -> float:
        """Fraction of all starts (failed ones included) with ``fval <= target + tolerance``."""
        return fraction_reaching(self.fvals, target, tolerance)

    def n_within(self, tolerance: float = DEFAULT_TOLERANCE) -> int:
        """Number of starts within ``tolerance`` of the best value."""
        f = self.fvals
        return int(np.sum(f <= self.fval_best + tolerance)) if np.isfinite(self.fval_best) else 0

    def __repr__(self) -> str:
        return (
            f"MultistartResult(n_starts={self.n_starts}, best={self.fval_best:.6g}, "
            f"within {DEFAULT_TOLERANCE} of best: {self.n_within()}, method={self.settings.get('method')!r})"
        )


def fraction_reaching(fvals: Sequence[float] | np.ndarray, target: float, tolerance: float = DEFAULT_TOLERANCE) -> float:
    """Fraction of values with ``f <= target + tolerance`` (non-finite values count as misses).

    Parameters
    ----------
    fvals : sequence of float
        Final objective values of all starts.
    target : float
        The value to reach, e.g. the objective at a benchmark's published optimum.
    tolerance : float
        Absolute slack in objective (negative log-likelihood) units; see
        :data:`DEFAULT_TOLERANCE` for why 0.1 is the default.
    """
    f = np.asarray(fvals, dtype=float)
    if tolerance < 0 or not np.isfinite(tolerance):
        raise ValidationError(f"tolerance={tolerance!r}; allowed: a finite number >= 0")
    if f.size == 0:
        return math.nan
    return float(np.mean(np.isfinite(f) & (f <= target + tolerance)))


# ============================================================================ sampling


def _validate_choice(argument: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise UnknownNameError(argument, value, allowed)


def _finite_bounds(objective) -> tuple[np.ndarray, np.ndarray]:
    lb = np.asarray(objective.lb, dtype=float)
    ub = np.asarray(objective.ub, dtype=float)
    bad = [k for k, lo, hi in zip(objective.x_ids, lb, ub) if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi)]
    if bad:
        raise ValidationError(
            f"start points are drawn within the bounds, which must be finite with lower < upper; not so for {bad}"
        )
    return lb, ub


def sample_starts(
    lb: np.ndarray, ub: np.ndarray, starts: Sequence[int], *, seed: int, sampling: str = "uniform",
    n_starts: int | None = None, center: np.ndarray | None = None, jitter: float = 0.1,
) -> np.ndarray:
    """Starting points (rows) for the given start indices, on the parameter scales.

    Parameters
    ----------
    lb, ub : numpy.ndarray
        Finite bounds.
    starts : sequence of int
        Start indices.
    seed : int
        The run's seed.
    sampling : {"uniform", "latin-hypercube"}
        ``uniform``: start ``i`` is drawn from ``SeedSequence(seed, spawn_key=(i,))``, independent
        of all other starts. ``latin-hypercube``: one design of ``n_starts`` points (scipy's
        :class:`~scipy.stats.qmc.LatinHypercube`, seeded by ``seed``), row ``i`` for start ``i``.
    n_starts : int, optional
        Size of the Latin hypercube design (required for it).
    center, jitter : optional
        ``nominal-jitter``: start 0 is ``center`` (the nominal values); start ``i ≥ 1`` is
        ``center + jitter · N(0, 1)`` per coordinate on the parameter scales (drawn from
        ``SeedSequence(seed, spawn_key=(i,))``), clipped into ``[lb, ub]``: a local multistart
        around a model whose values are sourced, where starts from the whole box do not converge.
    """
    _validate_choice("sampling", sampling, SAMPLINGS)
    lb = np.asarray(lb, dtype=float)
    ub = np.asarray(ub, dtype=float)
    starts = [int(i) for i in starts]
    if sampling == "nominal-jitter":
        c = np.asarray(center if center is not None else [], dtype=float).reshape(-1)
        if c.shape != lb.shape or not np.all(np.isfinite(c)):
            raise ValidationError(f"sampling='nominal-jitter' needs a finite center of {lb.size} values "
                                  "(the objective's x_nominal)")
        if not (math.isfinite(jitter) and jitter >= 0):
            raise ValidationError(f"jitter={jitter!r}; allowed: a finite number >= 0")
        rows = [c if i == 0 else c + jitter * np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(i,)))
                .standard_normal(lb.size) for i in starts]
        return np.clip(np.asarray(rows, dtype=float).reshape(len(starts), lb.size), lb, ub)
    if sampling == "uniform":
        rows = [np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(i,))).uniform(lb, ub) for i in starts]
        return np.asarray(rows, dtype=float).reshape(len(starts), lb.size)
    from scipy.stats import qmc

    if n_starts is None or any(i >= n_starts for i in starts):
        raise ValidationError("latin-hypercube sampling needs n_starts larger than every start index")
    design = qmc.LatinHypercube(d=lb.size, rng=np.random.default_rng(seed)).random(n_starts)
    return qmc.scale(design[starts], lb, ub).reshape(len(starts), lb.size)


# ============================================================================ one start


class _Counted:
    """Objective wrapper for one start: counts calls and keeps the best finite point seen."""

    def __init__(self, objective, fixed: Mapping[int, float] | None = None, x_full: np.ndarray | None = None):
        self.objective = objective
        self.n_fev = 0
        self.n_grad = 0
        self.n_grad_failed = 0
        self.best_f = math.inf
        self.best_x: np.ndarray | None = None
        # profile support: optimise a sub-vector with some coordinates fixed
        self.fixed = dict(fixed or {})
        self.free = np.array([i for i in range(len(objective.x_ids)) if i not in self.fixed], dtype=int)
        self.x_full = None if x_full is None else np.array(x_full, dtype=float)

    def full(self, z: np.ndarray) -> np.ndarray:
        if not self.fixed:
            return np.asarray(z, dtype=float)
        x = self.x_full.copy()
        x[self.free] = z
        for i, v in self.fixed.items():
            x[i] = v
        return x

    def _keep(self, f: float, z: np.ndarray) -> None:
        if np.isfinite(f) and f < self.best_f:
            self.best_f = float(f)
            self.best_x = np.array(z, dtype=float)

    def value(self, z: np.ndarray) -> float:
        self.n_fev += 1
        f = float(self.objective(self.full(z)))
        self._keep(f, z)
        return f if np.isfinite(f) else self._penalty()

    def value_and_gradient(self, z: np.ndarray, *, failure: str = "penalty") -> tuple[float, np.ndarray]:
        """Value and gradient; a failure is :meth:`_penalty` (scipy) or ``inf`` (``failure="inf"``, fides)."""
        self.n_grad += 1
        f, g = self.objective.value_and_gradient(self.full(z))
        f = float(f)
        g = np.asarray(g, dtype=float)
        if self.fixed:
            g = g[self.free]
        if not np.isfinite(f) or not np.all(np.isfinite(g)):
            self.n_grad_failed += 1
            return (math.inf if failure == "inf" else self._penalty()), np.zeros_like(g)
        self._keep(f, z)
        return f, g

    def value_gradient_fim(self, z: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        self.n_grad += 1
        f, g, h = self.objective.value_gradient_fim(self.full(z))
        f = float(f)
        g = np.asarray(g, dtype=float)
        h = np.asarray(h, dtype=float)
        if self.fixed:
            g = g[self.free]
            h = h[np.ix_(self.free, self.free)]
        if not np.isfinite(f) or not np.all(np.isfinite(g)) or not np.all(np.isfinite(h)):
            # fides rejects a non-finite value and shrinks its trust region
            self.n_grad_failed += 1
            return math.inf, np.zeros_like(g), np.zeros_like(h)
        self._keep(f, z)
        return f, g, h

    def _penalty(self) -> float:
        """Stand-in for a failed evaluation inside an optimiser.

        scipy's L-BFGS-B stops ("relative reduction") when handed ``inf``, and a finite value
        with an unknown slope could be accepted by its line search. A finite value far above
        the best one seen fails the sufficient-decrease test, so the line search backtracks
        towards the last good point; with the zero slope the cubic step lands near it. A point
        whose gradient failed is never kept as the best point (its slope is unknown).
        """
        base = self.best_f if np.isfinite(self.best_f) else 0.0
        return float(base + 1e3 * (1.0 + abs(base)))


def _minimize(counted: _Counted, z0: np.ndarray, lb: np.ndarray, ub: np.ndarray, method: str,
              options: Mapping[str, Any]):
    options = dict(options)
    polish = options.pop("polish", None)
    res = _minimize_once(counted, z0, lb, ub, method, options)
    if polish is None or counted.best_x is None:
        return res
    # a second local optimiser from the best point of the first: a trust region with the Fisher
    # information finds the basin from far away, but on problems with non-zero residuals its
    # Gauss-Newton model converges slowly near the optimum, where quasi-Newton is fast
    second = _minimize_once(counted, counted.best_x.copy(), lb, ub, str(polish), dict(_DEFAULT_OPTIONS[str(polish)]))
    from types import SimpleNamespace

    return SimpleNamespace(success=bool(second.success), message=f"{res.message}; then {polish}: {second.message}")


def _minimize_once(counted: _Counted, z0: np.ndarray, lb: np.ndarray, ub: np.ndarray, method: str,
                   options: Mapping[str, Any]):
    if method == "fides":
        return _fides(counted, z0, lb, ub, options)
    from scipy.optimize import Bounds, minimize

    bounds = Bounds(lb, ub)
    with warnings.catch_warnings():
        # infinite values in line searches and bound-clipping notices are expected, not news
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)
        warnings.filterwarnings("ignore", module=r"scipy\.optimize")
        if method in _GRADIENT_METHODS:
            return minimize(counted.value_and_gradient, z0, jac=True, method=method, bounds=bounds,
                            options=dict(options))
        return minimize(counted.value, z0, method=method, bounds=bounds, options=dict(options))


def _fides(counted: _Counted, z0: np.ndarray, lb: np.ndarray, ub: np.ndarray, options: Mapping[str, Any]):
    import logging
    from types import SimpleNamespace

    import fides

    opts = dict(options)
    hessian = opts.pop("hessian", "fim")
    _validate_choice("options['hessian']", hessian, _FIDES_HESSIANS)
    update = None
    if hessian == "hybrid":
        # the Fisher information first, then BFGS updates (better for non-zero residuals)
        update = fides.HybridFixed(happ=fides.BFGS(), switch_iteration=int(opts.pop("switch_iteration", 20)))
    elif hessian == "bfgs":
        update = fides.BFGS()
    fun = counted.value_gradient_fim
    if hessian == "bfgs":
        # fides builds the whole Hessian itself and takes (value, gradient): the objective's own
        # gradient (adjoint where it chooses one), not a forward-sensitivity run for a Fisher
        # information that would be thrown away (on the flagship problem 1.3 s against 128 s)
        def fun(z):
            # fides rejects a non-finite value and shrinks its trust region
            return counted.value_and_gradient(z, failure="inf")

    opt = fides.Optimizer(fun, ub=np.asarray(ub, float), lb=np.asarray(lb, float),
                          verbose=logging.ERROR, options=opts, hessian_update=update)
    with warnings.catch_warnings():
        # square roots of negative discriminants in its step computations are handled by fides
        warnings.simplefilter("ignore", RuntimeWarning)
        opt.minimize(np.asarray(z0, dtype=float))
    flag = opt.exitflag
    ok = flag in (fides.ExitFlag.FTOL, fides.ExitFlag.XTOL, fides.ExitFlag.GTOL)
    return SimpleNamespace(success=ok, message=f"fides: {flag.name}")


def _run_start(objective, start: int, seed: int, x0: np.ndarray, method: str, options: Mapping[str, Any]) -> StartResult:
    t0 = time.perf_counter()
    # parameters an objective optimises itself (HierarchicalObjective.analytic_index) are held
    # fixed for the optimiser and resolved at the end
    analytic = getattr(objective, "analytic_index", None)
    fixed = {int(i): float(x0[i]) for i in analytic} if analytic is not None and len(analytic) else None
    counted = _Counted(objective, fixed=fixed, x_full=np.asarray(x0, float) if fixed else None)
    n_sim0 = getattr(objective, "n_evaluations", None)
    lb, ub = np.asarray(objective.lb, float), np.asarray(objective.ub, float)
    free = counted.free
    fval0 = math.nan
    try:
        fval0 = float(objective(x0))
        counted.n_fev += 1
        if not np.isfinite(fval0):
            x, f, status, message = x0, math.inf, "failed", "the objective is not finite at the starting point"
        else:
            z0 = np.asarray(x0, float)[free]
            counted._keep(fval0, z0)
            res = _minimize(counted, z0, lb[free], ub[free], method, options)
            x = counted.full(counted.best_x) if counted.best_x is not None else x0
            resolve = getattr(objective, "resolve", None)
            if resolve is not None:
                x = resolve(x)
            # the reported value comes from objective(x) (value-only), the same evaluation as
            # the nominal/reference value it is compared with; a gradient evaluation may use
            # another solver path (sensitivities in the error test) and differ in the last digits
            f = float(objective(x))
            if not np.isfinite(f):
                f = counted.best_f
            status = "converged" if bool(res.success) else "not-converged"
            message = str(res.message)
            if counted.n_grad_failed:
                message += f" ({counted.n_grad_failed} of {counted.n_grad} gradient evaluations not finite)"
                if counted.n_grad_failed == counted.n_grad:
                    # the optimiser never saw a slope: it stopped where it started
                    status = "failed"
    except Exception as exc:  # a failed start is data: keep the best point seen and the reason
        x = counted.full(counted.best_x) if counted.best_x is not None else x0
        f = counted.best_f
        status, message = "error", f"{type(exc).__name__}: {exc}"
        resolve = getattr(objective, "resolve", None)
        if resolve is not None and np.isfinite(f):
            try:
                x = resolve(x)
            except Exception:  # noqa: BLE001 - the error being reported is the one above
                pass
    n_sim1 = getattr(objective, "n_evaluations", None)
    n_sim = int(n_sim1 - n_sim0) if isinstance(n_sim0, int) and isinstance(n_sim1, int) else -1
    return StartResult(
        start=int(start), seed=int(seed), x0=tuple(float(v) for v in x0), fval0=fval0,
        x=tuple(float(v) for v in x), fval=float(f), n_fev=counted.n_fev, n_grad=counted.n_grad,
        n_simulations=n_sim, time=time.perf_counter() - t0, status=status, message=message,
    )


# ============================================================================ worker processes

_WORKER_OBJECTIVE = None


def _init_worker(objective) -> None:
    global _WORKER_OBJECTIVE
    _WORKER_OBJECTIVE = objective


def _worker_task(job: Callable[..., Any], *args):
    """``job(objective, *args)`` with the worker's objective; ``job`` is a module-level function
    (pickled by reference), so this module needs to know no caller (no fit <-> profile cycle)."""
    return job(_WORKER_OBJECTIVE, *args)


def _run_tasks(objective, tasks: Sequence[tuple], n_workers: int, on_done: Callable[[Any], None]) -> None:
    """Run ``_worker_task(*task)`` (``task = (job, *args)``) for every task, serially or over a process pool.

    ``on_done`` is called in this process, in completion order, as each task finishes (it writes
    the store), so a killed run keeps every finished task.
    """
    if n_workers < 1:
        raise ValidationError(f"n_workers={n_workers!r}; allowed: an integer >= 1")
    if n_workers == 1 or len(tasks) <= 1:
        _init_worker(objective)
        try:
            for task in tasks:
                on_done(_worker_task(*task))
        finally:
            _init_worker(None)
        return
    import multiprocessing

    # spawn, not fork: the compiled engine and BLAS may hold threads, which fork does not copy
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(n_workers, len(tasks)), mp_context=context,
                             initializer=_init_worker, initargs=(objective,)) as pool:
        pending: set[Future] = {pool.submit(_worker_task, *task) for task in tasks}
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    on_done(fut.result())
        except BaseException:
            # interrupted (Ctrl-C, a kill of this process, an error in on_done): stop the workers
            # now instead of waiting for their running tasks; finished tasks are already stored
            for fut in pending:
                fut.cancel()
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.terminate()
            pool.shutdown(wait=False, cancel_futures=True)
            raise


# ============================================================================ store


def _float_to_json(v: float) -> float | str:
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def _float_from_json(v: float | str) -> float:
    return float(v)


def _sort_key(v: float) -> float:
    return v if np.isfinite(v) else math.inf


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON so that ``path`` holds either the old or the complete new content.

    Temporary file in the same folder, flush + fsync, atomic rename, fsync of the folder.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, sort_keys=True, allow_nan=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    try:
        fd = os.open(path.parent, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def problem_fingerprint(problem) -> str:
    """SHA-256 of a :class:`~her2sim.io.petab.PetabProblem`'s content.

    Covers the (extended) model, observables, parameter table, conditions and measurements, not
    the file location: a copied problem has the same fingerprint, an edited one another.
    """
    h = hashlib.sha256()

    def put(text: str) -> None:
        h.update(text.encode())
        h.update(b"\x1f")

    put(problem.model.fingerprint())
    put(repr(problem.observables))
    put(repr(problem.parameters))
    put(problem.conditions.to_csv())
    put(problem.measurements.to_csv())
    return h.hexdigest()


def objective_settings(objective) -> dict[str, Any]:
    """The settings of an objective that change its values (recorded in a store's manifest)."""
    problem = getattr(objective, "problem", None)
    return {
        "x_ids": list(objective.x_ids),
        "x_scales": list(getattr(objective, "x_scales", ["lin"] * len(objective.x_ids))),
        "lb": [_float_to_json(v) for v in np.asarray(objective.lb, float)],
        "ub": [_float_to_json(v) for v in np.asarray(objective.ub, float)],
        "problem_sha256": problem_fingerprint(problem) if problem is not None else None,
        "problem_file": Path(str(getattr(problem, "source", "") or "")).name if problem is not None else None,
        "rtol": getattr(objective, "rtol", None),
        "atol": getattr(objective, "atol", None),
        "include_priors": getattr(objective, "include_priors", None),
        "gradient": getattr(objective, "gradient_method", None),
        "max_steps": getattr(objective, "max_steps", None),
        "analytic_parameters": list(getattr(objective, "analytic_ids", ())),
    }


# settings that may differ between runs sharing a store (they do not change any result)
_INFORMATIONAL = frozenset({"problem_file", "n_starts_requested", "created", "her2sim_version"})


def open_store(store: Path, kind: str, settings: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> dict:
    """Create ``store/manifest.json`` or check that an existing one has the same settings.

    Returns the manifest. Raises :class:`ValidationError` naming every differing setting.
    """
    store = Path(store)
    manifest_path = store / "manifest.json"
    settings = json.loads(json.dumps(dict(settings), allow_nan=False))  # normalised as stored
    if manifest_path.is_file():
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValidationError(f"{manifest_path} is not valid JSON ({exc}); remove the folder or choose another") from None
        if manifest.get("kind") != kind:
            raise ValidationError(
                f"store {store} holds {manifest.get('kind')!r} results, not {kind!r}; choose another folder"
            )
        old = manifest.get("settings", {})
        keys = sorted((set(old) | set(settings)) - _INFORMATIONAL)
        differ = [k for k in keys if old.get(k) != settings.get(k)]
        if differ:
            shown = "; ".join(f"{k}: stored {_short(old.get(k))}, now {_short(settings.get(k))}" for k in differ)
            raise ValidationError(
                f"store {store} was made with other settings and results would mix ({shown}). "
                "Use the original settings to resume, or another output folder."
            )
        return manifest
    from .. import __version__ as version  # noqa: PLC0415 - light import

    manifest = {"kind": kind, "format_version": _STORE_VERSION, "her2sim_version": str(version),
                "settings": settings, **dict(extra or {})}
    write_json_atomic(manifest_path, manifest)
    return manifest


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _start_path(store: Path, start: int) -> Path:
    return Path(store) / "starts" / f"start_{start:06d}.json"


def _remove_stale_temporaries(folder: Path) -> None:
    """Delete ``.<name>.<pid>.tmp`` files left by a killed writer (its process is gone); files
    of a live process (another fit writing to the same store) are left alone."""
    for tmp in folder.glob(".*.tmp"):
        try:
            pid = int(tmp.name.rsplit(".", 2)[-2])
        except (ValueError, IndexError):
            continue
        if pid != os.getpid() and _pid_alive(pid):
            continue
        try:
            tmp.unlink()
        except OSError:
            pass


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _read_starts(store: Path) -> dict[int, StartResult]:
    out: dict[int, StartResult] = {}
    folder = Path(store) / "starts"
    if not folder.is_dir():
        return out
    _remove_stale_temporaries(folder)
    for path in sorted(folder.glob("start_*.json")):
        try:
            record = StartResult.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            warnings.warn(f"{path.name} is unreadable ({exc}); that start is run again", Her2simWarning, stacklevel=3)
            continue
        out[record.start] = record
    return out


# ============================================================================ multistart


def multistart(
    objective,
    n_starts: int,
    *,
    seed: int,
    method: str = "L-BFGS-B",
    sampling: str = "uniform",
    options: Mapping[str, Any] | None = None,
    n_workers: int = 1,
    store: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int, StartResult | None], None] | None = None,
    start_bounds: tuple[Sequence[float], Sequence[float]] | None = None,
    indices: Sequence[int] | None = None,
    jitter: float = 0.1,
) -> MultistartResult:
    """Multi-start bounded local optimisation of ``objective``.

    Parameters
    ----------
    objective : PetabObjective or compatible
        Minimised on the parameter scales within ``[objective.lb, objective.ub]``.
    n_starts : int
        Number of starts (indices ``0 .. n_starts-1``).
    seed : int
        Seed of the starting points (start ``i`` depends on ``seed`` and ``i`` only).
    method : str
        One of :data:`METHODS` (:func:`scipy.optimize.minimize` methods that honour bounds).
        Gradient methods call ``objective.value_and_gradient`` (``jac=True``).
    sampling : {"uniform", "latin-hypercube", "nominal-jitter"}
        Distribution of the starting points on the parameter scales (see :func:`sample_starts`);
        ``nominal-jitter``: start 0 at ``objective.x_nominal``, the others ``jitter`` around it.
    options : mapping, optional
        Passed to :func:`scipy.optimize.minimize` or :class:`fides.Optimizer` (default: an
        iteration cap, see ``_DEFAULT_OPTIONS``). Two keys are ours: ``hessian`` (fides:
        ``"fim"``, ``"hybrid"`` or ``"bfgs"``) and ``polish`` (a gradient method run, with its
        default options, from the best point of the first: e.g. fides to find the basin, then
        L-BFGS-B to converge in it).
    n_workers : int
        Processes over starts (``1``: in this process). Results do not depend on it. Workers
        are spawned (not forked), so a script calling this with ``n_workers > 1`` needs the
        usual ``if __name__ == "__main__":`` guard.
    store : path, optional
        Folder for resumable results (see the module docstring).
    progress : callable, optional
        ``progress(n_done, n_total, start_result)`` (``n_total``: starts to run, ``n_starts`` or
        ``len(indices)``): called once before running with
        ``start_result=None`` (``n_done`` = starts found in the store) and after every newly
        finished start.
    start_bounds : (lower, upper), optional
        Box (parameter scales) from which starting points are drawn, if not the objective's
        bounds; it must lie within them. The optimisation is always bounded by the objective's
        bounds. For checks from a neighbourhood of known values; a calibration from scratch
        draws from the full bounds.
    indices : sequence of int, optional
        Run (and return) only these start indices of ``range(n_starts)``: a part of one design,
        to split a fit over machines or to rerun a start of interest. Their points and results
        are those of the whole run.

    Returns
    -------
    MultistartResult

    Raises
    ------
    UnknownNameError
        For an unknown ``method`` or ``sampling`` (with the closest valid name).
    ValidationError
        For non-finite bounds, ``n_starts < 1``, or a store made with other settings.

    Examples
    --------
    >>> obj = PetabObjective("Fujita_SciSignal2010.yaml")  # doctest: +SKIP
    >>> result = multistart(obj, 50, seed=1, n_workers=2, store="fit-fujita")  # doctest: +SKIP
    >>> result.fraction_reaching(obj(obj.x_nominal), tolerance=0.1)  # doctest: +SKIP
    """
    _validate_choice("method", method, METHODS)
    _validate_choice("sampling", sampling, SAMPLINGS)
    if isinstance(n_starts, bool) or not isinstance(n_starts, (int, np.integer)) or n_starts < 1:
        raise ValidationError(f"n_starts={n_starts!r}; allowed: an integer >= 1")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValidationError(f"seed={seed!r}; allowed: an integer >= 0")
    if isinstance(n_workers, bool) or not isinstance(n_workers, (int, np.integer)) or n_workers < 1:
        raise ValidationError(f"n_workers={n_workers!r}; allowed: an integer >= 1")
    lb, ub = _finite_bounds(objective)
    slb, sub = lb, ub
    if start_bounds is not None:
        slb, sub = (np.asarray(b, dtype=float).reshape(-1) for b in start_bounds)
        if slb.shape != lb.shape or sub.shape != ub.shape or not (np.all(slb >= lb) and np.all(sub <= ub)
                                                                   and np.all(slb < sub)):
            raise ValidationError(
                f"start_bounds must be two vectors of {lb.size} values with lower < upper, within the "
                "objective's bounds"
            )
    opts = dict(_DEFAULT_OPTIONS[method])
    opts.update(dict(options or {}))
    if "polish" in opts:
        _validate_choice("options['polish']", str(opts["polish"]), sorted(_GRADIENT_METHODS | {"fides"}))
    if method == "fides":
        _validate_choice("options['hessian']", str(opts.get("hessian", "fim")), _FIDES_HESSIANS)
        if opts.get("hessian", "fim") != "bfgs" and not callable(getattr(objective, "value_gradient_fim", None)):
            raise ValidationError("method='fides' needs an objective with value_gradient_fim (the Fisher information)")
    settings: dict[str, Any] = {
        "method": method, "options": opts, "seed": int(seed), "sampling": sampling,
        **objective_settings(objective),
    }
    if sampling == "latin-hypercube":
        settings["n_starts"] = int(n_starts)  # the design depends on it
    if sampling == "nominal-jitter":
        settings["jitter"] = float(jitter)
    if start_bounds is not None:
        settings["start_bounds"] = [[_float_to_json(v) for v in slb], [_float_to_json(v) for v in sub]]
    done: dict[int, StartResult] = {}
    store_path = Path(store) if store is not None else None
    if store_path is not None:
        # the nominal value is computed once per store (a resumed run recomputes nothing finished)
        known = _stored_nominal(store_path)
        fval_nominal = _nominal_value(objective) if known is None else known
        manifest = open_store(store_path, _STORE_KIND, settings, {"fval_nominal": _float_to_json(fval_nominal)})
        fval_nominal = _float_from_json(manifest.get("fval_nominal", fval_nominal))
        done = {k: v for k, v in _read_starts(store_path).items() if k < n_starts}
    else:
        fval_nominal = _nominal_value(objective)
    selected = list(range(int(n_starts)))
    if indices is not None:
        chosen = sorted({int(i) for i in indices})
        if not chosen or any(i < 0 or i >= n_starts for i in chosen):
            raise ValidationError(f"indices={list(indices)!r}; allowed: start indices in 0 .. {int(n_starts) - 1}")
        selected = chosen
    done = {k: v for k, v in done.items() if k in set(selected)}
    resumed = tuple(sorted(done))
    todo = [i for i in selected if i not in done]
    x0s = sample_starts(slb, sub, todo, seed=int(seed), sampling=sampling, n_starts=int(n_starts),
                        center=getattr(objective, "x_nominal", None), jitter=float(jitter))
    if progress is not None:
        progress(len(done), len(selected), None)

    def on_done(record: StartResult) -> None:
        if store_path is not None:
            write_json_atomic(_start_path(store_path, record.start), record.to_json())
        done[record.start] = record
        if progress is not None:
            progress(len(done), len(selected), record)

    tasks = [(_run_start, i, int(seed), x0s[k], method, opts) for k, i in enumerate(todo)]
    _run_tasks(objective, tasks, int(n_workers), on_done)
    return MultistartResult(
        x_ids=tuple(objective.x_ids), x_scales=tuple(settings["x_scales"]), lb=lb, ub=ub, settings=settings,
        starts=tuple(done[i] for i in selected), fval_nominal=fval_nominal, resumed=resumed,
    )


def _stored_nominal(store: Path) -> float | None:
    path = Path(store) / "manifest.json"
    if not path.is_file():
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8")).get("fval_nominal")
    except json.JSONDecodeError:
        return None  # open_store reports the broken manifest
    return None if value is None else _float_from_json(value)


def _nominal_value(objective) -> float:
    x = np.asarray(getattr(objective, "x_nominal", np.full(len(objective.x_ids), np.nan)), dtype=float)
    if not np.all(np.isfinite(x)):
        return math.nan
    try:
        return float(objective(x))
    except Exception:  # noqa: BLE001 - the nominal value is informational
        return math.nan


def load_multistart(store: str | os.PathLike[str]) -> MultistartResult:
    """Read a multi-start store (finished starts only, in start order).

    Raises
    ------
    FileNotFoundError
        If ``store`` has no ``manifest.json``.
    ValidationError
        If the folder holds another kind of result.
    """
    store = Path(store)
    manifest_path = store / "manifest.json"
    if not manifest_path.is_file():
        raise FileNotFoundError(f"no multi-start results in {store} (manifest.json missing)")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("kind") != _STORE_KIND:
        raise ValidationError(f"{store} holds {manifest.get('kind')!r} results, not multi-start results")
    s = manifest["settings"]
    starts = _read_starts(store)
    return MultistartResult(
        x_ids=tuple(s["x_ids"]), x_scales=tuple(s["x_scales"]),
        lb=np.array([_float_from_json(v) for v in s["lb"]]), ub=np.array([_float_from_json(v) for v in s["ub"]]),
        settings=s, starts=tuple(starts[i] for i in sorted(starts)),
        fval_nominal=_float_from_json(manifest.get("fval_nominal", "nan")), resumed=tuple(sorted(starts)),
    )


# ============================================================================ outputs


def plot_waterfall(
    result: MultistartResult,
    *,
    reference: float | None = None,
    reference_label: str = "reference",
    tolerance: float = DEFAULT_TOLERANCE,
    ax=None,
):
    """Waterfall plot: final objective values sorted, as ``f - min(f_best, reference) + 1`` on a log axis.

    Parameters
    ----------
    result : MultistartResult
    reference : float, optional
        Objective value drawn as a horizontal line (default: ``result.fval_nominal`` if finite,
        labelled "nominal").
    reference_label : str
        Legend text of the reference line.
    tolerance : float
        Starts with ``f <= f_best + tolerance`` are drawn as filled markers and counted in the title.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.0, 4.0))
    f = np.sort(result.fvals)
    finite = np.isfinite(f)
    best = result.fval_best
    rank = np.arange(1, f.size + 1)
    if not np.any(finite):
        ax.text(0.5, 0.5, "no start reached a finite objective value", ha="center", transform=ax.transAxes)
        return ax
    if reference is None and np.isfinite(result.fval_nominal):
        reference, reference_label = result.fval_nominal, "nominal parameters"
    has_ref = reference is not None and np.isfinite(reference)
    # offset so that both the best start and the reference line are on the log axis
    base = min(best, float(reference)) if has_ref else best
    y = f - base + 1.0
    near = finite & (f <= best + tolerance)
    ax.plot(rank[finite], y[finite], "-", color="0.6", lw=1, zorder=1)
    ax.scatter(rank[near], y[near], s=22, color="tab:blue", zorder=3, label=f"within {tolerance:g} of best")
    ax.scatter(rank[finite & ~near], y[finite & ~near], s=22, facecolors="none", edgecolors="tab:blue", zorder=2,
               label="other starts")
    if np.any(~finite):
        top = float(np.nanmax(y[finite])) * 10.0
        ax.scatter(rank[~finite], np.full((~finite).sum(), top), marker="x", color="tab:red", zorder=2,
                   label="failed (no finite value)")
    if has_ref:
        ax.axhline(float(reference) - base + 1.0, color="tab:orange", ls="--", lw=1.2,
                   label=f"{reference_label} ({reference:.6g})")
    ax.set_yscale("log")
    ax.set_xlabel("start (sorted by final objective)")
    ax.set_ylabel("objective − min(best, reference) + 1" if has_ref else "objective − best + 1")
    ax.set_title(f"best {best:.6g}; {int(near.sum())} of {f.size} starts within {tolerance:g}", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    return ax


def write_parameter_table(
    problem,
    x_best: Sequence[float] | np.ndarray | Mapping[str, float],
    path: str | os.PathLike[str],
) -> pd.DataFrame:
    """Write the PEtab parameter table with ``nominalValue`` replaced by fitted values.

    Parameters
    ----------
    problem : PetabProblem
        The problem that was fitted. If it was read from a file (``problem.source``), its
        parameter table file is copied with every other column and row kept as written;
        otherwise the table is built from ``problem.parameters``.
    x_best : array-like or mapping
        Either values on the parameter scales, one per estimated parameter in the order of
        ``problem.estimated_parameter_ids`` (as :class:`PetabObjective` orders them), or a mapping
        ``{parameterId: linear value}``.
    path : path
        Output file (tab-separated).

    Returns
    -------
    pandas.DataFrame
        The table as written (string-valued, indexed by ``parameterId``).

    Notes
    -----
    ``nominalValue`` is on the linear scale (PEtab); values are written with ``repr`` so they
    round-trip exactly.
    """
    ids = tuple(p.id for p in problem.parameters if p.estimate)
    params = {p.id: p for p in problem.parameters}
    if isinstance(x_best, Mapping):
        linear = {}
        for k, v in x_best.items():
            if k not in params:
                raise UnknownNameError("x_best", k, params)
            linear[k] = float(v)
    else:
        x = np.asarray(x_best, dtype=float).reshape(-1)
        if x.size != len(ids):
            raise ValidationError(f"x_best has {x.size} values; the problem estimates {len(ids)}: {list(ids)}")
        linear = {k: params[k].from_scale(float(v)) for k, v in zip(ids, x)}
    table = _original_parameter_table(problem)
    if "nominalValue" not in table.columns:
        table["nominalValue"] = ""
    for k, v in linear.items():
        table.loc[k, "nominalValue"] = repr(float(v))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, sep="\t")
    return table


def read_parameter_values(path: str | os.PathLike[str], *, estimated_only: bool = True) -> dict[str, float]:
    """Read fitted values back from a PEtab parameter table (e.g. :func:`write_parameter_table`'s).

    Parameters
    ----------
    path : path
        Tab-separated table with columns ``parameterId`` and ``nominalValue`` (linear scale).
    estimated_only : bool
        Keep only the rows with ``estimate`` = 1 (the fitted ones) when the table has that
        column: the fixed rows of a problem (e.g. parameters its conditions set) are not fit
        results.

    Returns
    -------
    dict
        ``{parameterId: linear value}`` in table order.

    Raises
    ------
    ValidationError
        A missing column, a repeated id, or a value that is not a finite number.
    """
    path = Path(path)
    try:
        table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{path.name}: not a readable tab-separated parameter table ({exc})") from exc
    missing = [c for c in ("parameterId", "nominalValue") if c not in table.columns]
    if missing:
        raise ValidationError(f"{path.name}: missing column(s) {missing}; a PEtab parameter table needs "
                              "parameterId and nominalValue")
    if estimated_only and "estimate" in table.columns:
        table = table[table["estimate"].str.strip() == "1"]
    out: dict[str, float] = {}
    for pid, text in zip(table["parameterId"].str.strip(), table["nominalValue"].str.strip()):
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise ValidationError(f"{path.name}: nominalValue of {pid!r} is {text!r}; allowed: a finite number")
        if pid in out:
            raise ValidationError(f"{path.name}: parameterId {pid!r} appears twice")
        out[pid] = value
    return out


def _original_parameter_table(problem) -> pd.DataFrame:
    source = str(getattr(problem, "source", "") or "")
    if source and Path(source).is_file():
        import yaml  # petab depends on PyYAML

        config = yaml.safe_load(Path(source).read_text(encoding="utf-8"))
        files = config.get("parameter_file")
        files = [files] if isinstance(files, str) else list(files or [])
        if len(files) != 1:
            raise UnsupportedFeatureError(f"{Path(source).name}: {len(files)} parameter files; exactly one is supported")
        table = pd.read_csv(Path(source).parent / files[0], sep="\t", dtype=str, keep_default_na=False)
        return table.set_index("parameterId")
    rows = [
        {"parameterId": p.id, "parameterName": p.name, "parameterScale": p.scale, "lowerBound": repr(p.lower),
         "upperBound": repr(p.upper), "nominalValue": repr(p.nominal), "estimate": str(int(p.estimate))}
        for p in problem.parameters
    ]
    return pd.DataFrame(rows, dtype=str).set_index("parameterId")
