"""Adjoint sensitivities: gradients of functionals of the outputs by one backward solve.

For an objective that is, after one simulation, a weighted sum of output values at read-out
times, ``F = Σ_k Σ_n W[k, n] y_n(t_k)`` (a likelihood's first-order expansion: ``W`` holds
``∂F/∂y``), the gradient with respect to any number of parameters costs one forward run and
one backward run of the ``n_x``-sized adjoint system, instead of ``n_x × (1 + n_directions)``
forward-sensitivity equations. The method is the continuous adjoint of CVODES/AMICI; the C
side is ``adjoint.c`` (forward pass with recorded dense output, TR-BDF2 backward pass with the
gradient quadrature, pre-equilibration by the simulation-based steady-state adjoint).

Models with events are refused (:class:`~her2sim.errors.UnsupportedFeatureError`); so are
derivatives with respect to parameters that initial assignments overwrite or that move a time
breakpoint (the same refusals as the forward-sensitivity system). Callers fall back to forward
sensitivities (:class:`~her2sim.calibration.PetabObjective` with ``gradient="auto"`` does).
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from ..errors import UnsupportedFeatureError, ValidationError
from ..model import Model
from .compiler import CompiledModel, Options, _P, _Structure, _ptr, compile_model
from .solver import DEFAULT_SOLVER, SolverOptions

__all__ = [
    "adjoint_model",
    "output_gradient",
    "run_adjoint",
    "run_steady_adjoint",
    "steady_state_adjoint",
    "output_weights_gradient",
    "ADJOINT_MIN_PARAMETERS",
]

#: ``gradient="auto"`` uses the adjoint when the problem has at least this many sensitivity
#: directions (estimated parameters that reach the state), forward sensitivities otherwise.
#: Measured with benchmarks/bench_gradient.py (one thread, value + gradient, rtol 1e-8, on a
#: shared 2-core machine, so single runs vary): Fujita 2010 (16 directions) forward / adjoint =
#: 1.0-2.0; Raimundez 2020 (57 directions) 5.5-11.6 (9.9 on the quietest run); the flagship
#: problem (133 directions) 97. The forward system's cost grows with (1 + directions) x states,
#: the adjoint's does not, so the crossing lies below 16 directions; the threshold stays above
#: Fujita because near the crossing the forward system is the better choice: more accurate at
#: equal rtol (at Fujita's optimum the two gradients differ by 4e-3 of the largest entry, the
#: forward one agreeing with tight finite differences), and it also gives the Fisher
#: information.
ADJOINT_MIN_PARAMETERS = 20


def adjoint_model(model: Model, wrt: Sequence[int]) -> CompiledModel:
    """``model`` compiled with the adjoint solver, differentiating the ``p`` slots ``wrt``.

    Raises
    ------
    UnsupportedFeatureError
        Models with events, delays, or ``wrt`` slots that initial assignments overwrite or that
        move a time breakpoint.
    """
    if model.events:
        raise UnsupportedFeatureError(
            f"model {model.id!r}: adjoint sensitivities of a model with events are not supported; use "
            "forward sensitivities"
        )
    return compile_model(model, (0, tuple(int(j) for j in wrt)), adjoint=True)


def _bind(cm: CompiledModel) -> ctypes.CDLL:
    if not getattr(cm, "adjoint", False):
        raise ValidationError("the compiled model has no adjoint solver; compile it with adjoint_model()")
    lib = cm._lib
    if not getattr(lib, "_h2_adjoint_bound", False):  # argument types set once per loaded library
        lib.adjoint_member.restype = ctypes.c_int
        lib.adjoint_member.argtypes = [
            ctypes.POINTER(_Structure), ctypes.POINTER(Options), ctypes.c_double, _P, _P, ctypes.c_int, _P, _P,
            _P, _P, _P,
        ]
        lib.adjoint_steady.restype = ctypes.c_int
        lib.adjoint_steady.argtypes = [
            ctypes.POINTER(_Structure), ctypes.POINTER(Options), ctypes.c_double, _P, _P, _P, _P, _P, _P, _P,
        ]
        lib.adjoint_fp_dense.restype = None
        lib.adjoint_fp_dense.argtypes = [ctypes.c_double, _P, _P, _P]
        lib.adjoint_init_gradient.restype = None
        lib.adjoint_init_gradient.argtypes = [ctypes.c_double, _P, _P, _P]
        lib.adjoint_output_gradient.restype = None
        lib.adjoint_output_gradient.argtypes = [ctypes.c_double, _P, _P, _P, _P, _P]
        setattr(lib, "_h2_adjoint_bound", True)
    return lib


def _options(cm: CompiledModel, solver: SolverOptions | None) -> Options:
    opts = (solver or DEFAULT_SOLVER).to_c()
    opts = Options.from_buffer_copy(opts)
    if not opts.atol_scale:
        opts.atol_scale = _ptr(cm.atol_scale)
    return opts


def _threads(n_members: int, n_threads: int, work: Callable[[int, int], None]) -> None:
    n_threads = max(1, min(int(n_threads), n_members))
    if n_threads == 1:
        work(0, n_members)
        return
    from concurrent.futures import ThreadPoolExecutor

    size = max(1, -(-n_members // (n_threads * 4)))
    bounds = [(a, min(a + size, n_members)) for a in range(0, n_members, size)]
    with ThreadPoolExecutor(max_workers=n_threads) as ex:
        list(ex.map(lambda ab: work(*ab), bounds))


def _prepare(
    cm: CompiledModel, P: np.ndarray, X0: np.ndarray | None, solver: SolverOptions | None,
    adjoint_rtol: float | None,
) -> tuple[np.ndarray, np.ndarray | None, float, Options, dict[str, np.ndarray]]:
    """The checks and result buffers shared by the adjoint runners: inputs, start states, tolerance."""
    P = np.array(P, dtype=float, ndmin=2, order="C")
    n_m = P.shape[0]
    if P.shape[1] != cm.n_p:
        raise ValidationError(f"P has {P.shape[1]} columns; the model has {cm.n_p} inputs")
    X0 = None if X0 is None else np.ascontiguousarray(X0, dtype=float)
    if X0 is not None and X0.shape != (n_m, cm.n_x):
        raise ValidationError(f"X0 has shape {X0.shape}; expected {(n_m, cm.n_x)}")
    solver = solver or DEFAULT_SOLVER
    rtol_b = float(adjoint_rtol if adjoint_rtol is not None else solver.rtol)
    if not (np.isfinite(rtol_b) and rtol_b >= 1e-14):
        raise ValidationError(f"adjoint_rtol must be a finite number >= 1e-14, got {adjoint_rtol!r}")
    out = {
        "gradient": np.zeros((n_m, max(len(cm.wrt), 1))),
        "lambda0": np.zeros((n_m, cm.n_x)),
        "status": np.zeros(n_m, dtype=np.int64),
        "stats": np.zeros((n_m, 3)),
    }
    return P, X0, rtol_b, _options(cm, solver), out


def _finish(cm: CompiledModel, out: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Trim the gradient to ``cm.wrt`` and mark failed members' gradients NaN."""
    grad = out["gradient"][:, : len(cm.wrt)]
    grad[out["status"] != 0] = np.nan
    out["gradient"] = grad
    return out


def run_adjoint(
    cm: CompiledModel,
    P: np.ndarray,
    t_out: np.ndarray,
    weights: np.ndarray,
    *,
    X0: np.ndarray | None = None,
    solver: SolverOptions | None = None,
    adjoint_rtol: float | None = None,
    n_threads: int = 1,
) -> dict[str, np.ndarray]:
    """Gradient of ``F = Σ_k Σ_n weights[m, k, n] y_n(t_k)`` for every member ``m``.

    Parameters
    ----------
    cm : CompiledModel
        From :func:`adjoint_model`.
    P : array (members × n_p)
        Inputs of each member (as for :meth:`CompiledModel.run`).
    t_out : array (times)
        Read-out times, increasing; the run starts at ``t_out[0]``.
    weights : array (members × times × base outputs)
        ``∂F/∂y`` at each read-out.
    X0 : array (members × n_x), optional
        Start states; without them the model's initial state, and ``λ(t0)ᵀ ∂x0/∂p`` is part of
        the gradient.
    solver : SolverOptions, optional
        Forward solver settings (the forward pass takes the same steps as a plain run).
    adjoint_rtol : float, optional
        Relative tolerance of the backward pass (default: the solver's ``rtol``).
    n_threads : int
        Threads over members.

    Returns
    -------
    dict
        ``gradient`` (members × len(wrt)): ``dF/dp`` for the slots ``cm.wrt``; ``lambda0``
        (members × n_x): ``dF/dx(t0)``; ``status`` (members); ``stats`` (members × 3: forward
        steps, backward steps, rejected backward steps).
    """
    lib = _bind(cm)
    P, X0, rtol_b, opts, out = _prepare(cm, P, X0, solver, adjoint_rtol)
    n_m = P.shape[0]
    grad, lam0, status, stats = out["gradient"], out["lambda0"], out["status"], out["stats"]
    t_out = np.ascontiguousarray(t_out, dtype=float)
    if t_out.ndim != 1 or t_out.size == 0 or np.any(np.diff(t_out) < 0) or not np.all(np.isfinite(t_out)):
        raise ValidationError("t_out must be a non-empty, finite, non-decreasing 1-d array")
    weights = np.ascontiguousarray(weights, dtype=float)
    if weights.shape != (n_m, t_out.size, cm.n_out_base):
        raise ValidationError(
            f"weights has shape {weights.shape}; expected (members, times, outputs) = {(n_m, t_out.size, cm.n_out_base)}"
        )
    sref = ctypes.byref(cm._struct)
    oref = ctypes.byref(opts)

    def work(a: int, b: int) -> None:
        for m in range(a, b):
            p = P[m].copy()
            status[m] = lib.adjoint_member(
                sref, oref, rtol_b, _ptr(p), None if X0 is None else _ptr(X0[m]), t_out.size, _ptr(t_out),
                _ptr(weights[m]), _ptr(grad[m]), _ptr(lam0[m]), _ptr(stats[m]),
            )

    _threads(n_m, n_threads, work)
    return _finish(cm, out)


def run_steady_adjoint(
    cm: CompiledModel,
    P: np.ndarray,
    lambda_ss: np.ndarray,
    *,
    X0: np.ndarray | None = None,
    solver: SolverOptions | None = None,
    adjoint_rtol: float | None = None,
    n_threads: int = 1,
) -> dict[str, np.ndarray]:
    """Pre-equilibration's adjoint: the gradient of ``F = λ_ssᵀ x_ss(p)`` per member.

    ``x_ss`` is the steady state reached from ``X0`` (or the model's initial state) under the
    inputs ``P``, by the same run as a pre-equilibration; ``lambda_ss`` (members × n_x) is
    ``dF/dx_ss``. Returns ``gradient`` (members × len(wrt)), ``lambda0`` (``dF/dx`` at the
    start of pre-equilibration), ``x_ss``, ``status``, ``stats``.
    """
    lib = _bind(cm)
    P, X0, rtol_b, opts, out = _prepare(cm, P, X0, solver, adjoint_rtol)
    n_m = P.shape[0]
    grad, lam0, status, stats = out["gradient"], out["lambda0"], out["status"], out["stats"]
    lam = np.ascontiguousarray(lambda_ss, dtype=float)
    if lam.shape != (n_m, cm.n_x):
        raise ValidationError(f"lambda_ss has shape {lam.shape}; expected {(n_m, cm.n_x)}")
    x_ss = out["x_ss"] = np.zeros((n_m, cm.n_x))
    sref = ctypes.byref(cm._struct)
    oref = ctypes.byref(opts)

    def work(a: int, b: int) -> None:
        for m in range(a, b):
            p = P[m].copy()
            status[m] = lib.adjoint_steady(
                sref, oref, rtol_b, _ptr(p), None if X0 is None else _ptr(X0[m]), _ptr(lam[m]),
                _ptr(grad[m]), _ptr(lam0[m]), _ptr(x_ss[m]), _ptr(stats[m]),
            )

    _threads(n_m, n_threads, work)
    return _finish(cm, out)


#: Singular values of the steady-state Jacobian below this fraction of the largest span its
#: left null space (conservation laws, states without dynamics). On Raimundez 2020 the gap is
#: 1e-19 (a state without reactions) against 4e-4 for the smallest dynamic mode.
NULL_SPACE_RTOL = 1e-10


def output_weights_gradient(
    cm: CompiledModel, t: float, x: np.ndarray, p: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``(Σ_n w_n ∂y_n/∂x, Σ_n w_n ∂y_n/∂p_wrt)`` at one point (explicit partials only in the
    second), for read-outs taken at a steady state."""
    lib = _bind(cm)
    w = np.ascontiguousarray(weights, dtype=float)
    if w.shape != (cm.n_out_base,):
        raise ValidationError(f"weights has shape {w.shape}; expected ({cm.n_out_base},)")
    gx = np.zeros(cm.n_x)
    gp = np.zeros(max(len(cm.wrt), 1))
    lib.adjoint_output_gradient(float(t), _ptr(np.ascontiguousarray(x, dtype=float)),
                                _ptr(np.array(p, dtype=float)), _ptr(w), _ptr(gx), _ptr(gp))
    return gx, gp[: len(cm.wrt)]


def steady_state_adjoint(
    cm: CompiledModel, p: np.ndarray, x_ss: np.ndarray, lambda_ss: np.ndarray, *, from_initial_state: bool = True
) -> tuple[np.ndarray, np.ndarray] | None:
    """Gradient of ``λ_ssᵀ x_ss(p, x0)`` by one linear solve at the steady state (AMICI's
    steady-state adjoint, extended to conservation laws), or None when it does not apply.

    At a steady state ``f(x_ss, p) = 0`` and ``Wᵀ x_ss = Wᵀ x0`` for the left null space ``W``
    of the Jacobian ``J`` (conserved moieties). Solving ``Jᵀ μ + W ν = λ_ss`` gives
    ``dF/dp = -μᵀ ∂f/∂p`` and ``dF/dx0 = W ν``; the latter is passed through the initial
    state's dependence on ``p``. Returns ``(gradient over cm.wrt, dF/dx0)``, or None if the
    system has no consistent solution (the caller then integrates the adjoint backward over
    the pre-equilibration, :func:`run_steady_adjoint`). With ``from_initial_state`` the run
    started from the model's initial state under ``p``, and ``dF/dx0`` is passed on to ``p``;
    otherwise (a given start state) only ``dF/dx0`` is returned for it.
    """
    lib = _bind(cm)
    x = np.ascontiguousarray(x_ss, dtype=float)
    p = np.ascontiguousarray(p, dtype=float)
    lam = np.asarray(lambda_ss, dtype=float)
    n = cm.n_x
    n_wrt = len(cm.wrt)
    J = cm.jacobian(0.0, x, p)
    # the rank from the singular values alone, the null space (if any) from a pivoted QR: a
    # full SVD with U took 40 ms on a 57-state model here (OpenBLAS), the values alone 0.1 ms
    sv = np.linalg.svd(J, compute_uv=False)
    smax = float(sv[0]) if sv.size else 0.0
    r = int(np.sum(sv <= NULL_SPACE_RTOL * smax))
    if r:
        import scipy.linalg

        Qm, _, _ = scipy.linalg.qr(J, pivoting=True)
        W = Qm[:, n - r:]
    else:
        W = np.zeros((n, 0))
    A = np.concatenate([J.T, W], axis=1)
    sol, *_ = np.linalg.lstsq(A, lam, rcond=None)
    scale = float(np.max(np.abs(lam))) if lam.size else 0.0
    if not np.all(np.isfinite(sol)) or np.max(np.abs(A @ sol - lam), initial=0.0) > 1e-9 * max(scale, 1e-300):
        return None
    mu, nu = sol[:n], sol[n:]
    fp = np.zeros((n, max(n_wrt, 1)))
    lib.adjoint_fp_dense(0.0, _ptr(x), _ptr(p), _ptr(fp))
    grad = -(mu @ fp)[:n_wrt]
    lam0 = np.ascontiguousarray(W @ nu)
    if not from_initial_state:
        return grad, lam0
    g0 = np.zeros(max(n_wrt, 1))
    lib.adjoint_init_gradient(0.0, _ptr(p.copy()), _ptr(lam0), _ptr(g0))
    return grad + g0[:n_wrt], lam0


def output_gradient(
    model: Model,
    times: Sequence[float],
    weights: Mapping[str, Sequence[float]],
    *,
    parameters: Mapping[str, float] | None = None,
    wrt: Sequence[str] | None = None,
    solver: SolverOptions | None = None,
    adjoint_rtol: float | None = None,
) -> dict[str, float]:
    """Gradient of ``F = Σ_k Σ_o weights[o][k] · o(t_k)`` with respect to parameters, by adjoint.

    Parameters
    ----------
    model : Model
    times : sequence of float
        Read-out times (the run starts at the first).
    weights : mapping output id → one weight per time
        Outputs are species, parameters, compartments and reaction rates (as in
        :meth:`CompiledModel.output_index`).
    parameters : mapping, optional
        Parameter values (defaults: the model's).
    wrt : sequence of str, optional
        Parameters (and ``init(<state id>)`` initial values) to differentiate by; default every
        model parameter.
    solver, adjoint_rtol
        Forward solver settings and backward relative tolerance.

    Returns
    -------
    dict
        ``{parameter id: dF/dparameter}``.

    Raises
    ------
    UnknownNameError
        An output or parameter that the model does not have (the message names the closest).
    UnsupportedFeatureError
        See :func:`adjoint_model`.
    SolverError
        The forward or backward run failed.
    """
    from ..errors import SolverError

    plain = compile_model(model)
    names = list(wrt) if wrt is not None else list(plain.param_ids)
    slots = []
    for name in names:
        if name.startswith("init(") and name.endswith(")"):
            slots.append(plain.init_index(name[5:-1], argument="wrt"))
        else:
            slots.append(plain.p_index(name, argument="wrt"))
    cm = adjoint_model(model, slots)
    t = np.asarray(times, dtype=float)
    W = np.zeros((1, t.size, cm.n_out_base))
    for oid, values in weights.items():
        w = np.asarray(values, dtype=float)
        if w.shape != t.shape:
            raise ValidationError(f"weights[{oid!r}] has {w.size} entries; there are {t.size} times")
        W[0, :, cm.output_index(oid, argument="weights")] += w
    P = cm.parameter_vector(parameters)[None, :]
    res = run_adjoint(cm, P, t, W, solver=solver, adjoint_rtol=adjoint_rtol)
    if res["status"][0] != 0:
        from ..simulation import SolveStatus

        raise SolverError(f"adjoint run failed: {SolveStatus(int(res['status'][0])).message}")
    return {name: float(g) for name, g in zip(names, res["gradient"][0])}
