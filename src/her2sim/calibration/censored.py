"""Censored (one-sided) measurements: qualitative findings as inequality data in a PEtab likelihood.

A qualitative finding ("the combination inhibits growth at least 10 points more than either drug
alone", "HER3 rises at least 1.5-fold by 24 h") says that a quantity lies on one side of a
threshold, not what its value is. Statistically that is a *censored* observation (Tobit 1958,
Econometrica 26:24): its likelihood is the probability that a normally distributed read-out with
mean ``F`` (the simulated quantity) and standard deviation ``σ`` (the source's uncertainty) lies
beyond the threshold ``c``::

    lower bound (F ≥ c):   −log L = −log Φ((F − c) / σ)
    upper bound (F ≤ c):   −log L = −log Φ((c − F) / σ)

with Φ the standard normal distribution function (evaluated as ``scipy.special.log_ndtr``, stable
far in both tails). The term is smooth and differentiable everywhere, ≈ 0 once the inequality
holds by a few σ and ≈ ``z²/2`` when it is violated by ``z`` σ, so a gradient-based optimiser sees
a violated finding as a soft quadratic wall and a satisfied one as (nearly) free. This is the
"documented smooth penalty" option of issue #14 (Schmiester et al. 2020, Bioinformatics 36:2598,
is the optimal-scaling alternative; it needs an inner problem per evaluation, which the probit
term does not).

**Declaration in PEtab (a her2sim extension of the measurement table).** Three optional columns:

``her2simCensoring``
    empty (an ordinary PEtab measurement), ``auxiliary`` (the row is simulated and read by
    constraints, with no likelihood term of its own), ``lower`` (the row states ``F ≥
    measurement``), ``upper`` (``F ≤ measurement``).
``her2simRowId``
    a name for the row, by which constraint formulas read its simulated value.
``her2simConstraint``
    for ``lower``/``upper`` rows: ``F`` as a formula of row names and numbers (SBML L3 infix,
    parsed by libSBML, never ``eval``: ``+ - * / ^``, ``ln``, ``exp``, ``min``, ``max``). Empty:
    ``F`` is the row's own simulated observable, on its transformation's scale. With a formula
    the row's own observable, condition and time only make it a valid PEtab row (they name the
    first row the formula reads) and ``F`` is on the linear scale of the formula.

``σ`` is the row's noise (``noiseParameters``/``noiseFormula`` as for any row). PEtab lint passes
on such a table (extra measurement columns are allowed) and a plain PEtab reader loads it; such a
reader, which does not know the columns, would take the censored and auxiliary rows for ordinary
Gaussian measurements, so drop the rows with a non-empty ``her2simCensoring`` before using the
problem with another tool.

**Gradients.** :func:`apply` rewrites the per-row negative log-likelihood and its derivatives
with respect to each row's simulation ``y`` and noise ``σ``; both gradient paths of
:class:`~her2sim.calibration.objective.PetabObjective` (forward sensitivities, ``dJ/dθ = Σ dJ/dy
· dy/dθ``, and the adjoint, whose read-out weights are those ``dJ/dy``) then stay exact, since
``dJ/dy_k = −φ(z)/Φ(z) · s · ∂F/∂y_k / σ`` with ``s = ±1``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy
from scipy.special import log_ndtr

from ..errors import UnknownNameError, ValidationError

__all__ = [
    "COLUMN_CENSORING",
    "COLUMN_ROW_ID",
    "COLUMN_CONSTRAINT",
    "CENSORING_KINDS",
    "CensoredRows",
    "censored_rows",
    "probit_nllh",
    "apply",
    "constraint_values",
    "fisher_information",
]

COLUMN_CENSORING = "her2simCensoring"
COLUMN_ROW_ID = "her2simRowId"
COLUMN_CONSTRAINT = "her2simConstraint"
#: Values of the ``her2simCensoring`` column (empty: an ordinary measurement).
CENSORING_KINDS = ("", "auxiliary", "lower", "upper")
_MAX_FORMULA = 4000
_FUNCTIONS: dict[Any, Callable[[float], float]] = {sympy.exp: math.exp, sympy.log: math.log, sympy.Abs: abs}


def probit_nllh(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(−log Φ(z), d/dz)`` elementwise; stable for large ``|z|`` (log-space ratio φ/Φ)."""
    z = np.asarray(z, dtype=float)
    log_cdf = log_ndtr(z)
    log_pdf = -0.5 * z * z - 0.5 * math.log(2.0 * math.pi)
    return -log_cdf, -np.exp(log_pdf - log_cdf)


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


@dataclass(frozen=True)
class _Formula:
    expr: Any
    rows: tuple[int, ...]  # measurement rows of the formula's symbols, in `symbols` order
    symbols: tuple[Any, ...]
    derivatives: tuple[Any, ...]  # ∂expr/∂symbol


@dataclass(frozen=True)
class CensoredRows:
    """The censored structure of a problem's measurement table (see the module docstring).

    ``plain``: rows with an ordinary PEtab likelihood; ``censored``: indices of ``lower``/``upper``
    rows, ``sign`` (+1 lower, −1 upper), ``formulas`` (None: the row's own simulation).
    """

    plain: np.ndarray
    censored: np.ndarray
    sign: np.ndarray
    formulas: tuple[_Formula | None, ...]

    @property
    def n_constraints(self) -> int:
        return int(self.censored.size)


def _evaluate(expr: Any, values: Mapping[Any, float]) -> float:
    """A parsed formula's value (a tree walk over sympy nodes; no code generation)."""
    if expr.is_Number:
        return float(expr)
    if expr.is_Symbol:
        return float(values[expr])
    args = [_evaluate(a, values) for a in expr.args]
    if expr.is_Add:
        return math.fsum(args)
    if expr.is_Mul:
        out = 1.0
        for a in args:
            out *= a
        return out
    if expr.is_Pow:
        return float(args[0] ** args[1])
    if isinstance(expr, sympy.Min):
        return min(args)
    if isinstance(expr, sympy.Max):
        return max(args)
    if isinstance(expr, sympy.Heaviside):
        x = args[0]
        return 1.0 if x > 0 else 0.0 if x < 0 else 0.5
    if isinstance(expr, sympy.sign):
        return math.copysign(1.0, args[0]) if args[0] != 0 else 0.0
    for kind, fn in _FUNCTIONS.items():
        if isinstance(expr, kind):
            return float(fn(*args))
    raise ValidationError(f"{COLUMN_CONSTRAINT}: unsupported operation {type(expr).__name__} in {expr}")


def _parse_constraint(text: str, row: int, names: Mapping[str, int]) -> _Formula:
    from ..model.math import parse

    if len(text) > _MAX_FORMULA:
        raise ValidationError(f"measurement row {row}: {COLUMN_CONSTRAINT} longer than {_MAX_FORMULA} characters")
    try:
        expr = parse(text)
    except Exception as exc:  # noqa: BLE001 - libSBML's parser errors become a her2sim error naming the row
        raise ValidationError(f"measurement row {row}: {COLUMN_CONSTRAINT} {text!r}: {exc}") from None
    symbols = tuple(sorted(expr.free_symbols, key=lambda s: s.name))
    rows = []
    for s in symbols:
        if s.name not in names:
            raise UnknownNameError(f"measurement row {row} {COLUMN_CONSTRAINT} row name", s.name, names)
        rows.append(names[s.name])
    derivatives = tuple(sympy.diff(expr, s) for s in symbols)
    _evaluate(expr, {s: 1.0 for s in symbols})  # refuses unsupported operations at load time
    return _Formula(expr, tuple(rows), symbols, derivatives)


def censored_rows(problem: Any) -> CensoredRows | None:
    """The problem's :class:`CensoredRows`, or None when its table has no ``her2simCensoring``
    column or only empty entries (cached on the problem).

    Raises
    ------
    ValidationError, UnknownNameError
        For an unknown censoring kind, a duplicate or unknown row name or a bad formula, naming
        the row and the allowed values.
    """
    cache = problem._cache
    if "her2sim_censored" in cache:
        cached: CensoredRows | None = cache["her2sim_censored"]
        return cached
    m = problem.measurements
    result = None
    if COLUMN_CENSORING in m.columns:
        kinds = ["" if _missing(v) else str(v).strip() for v in m[COLUMN_CENSORING]]
        if any(kinds):
            for i, k in enumerate(kinds):
                if k not in CENSORING_KINDS:
                    raise UnknownNameError(f"measurement row {i} {COLUMN_CENSORING}", k, CENSORING_KINDS)
            names: dict[str, int] = {}
            if COLUMN_ROW_ID in m.columns:
                for i, v in enumerate(m[COLUMN_ROW_ID]):
                    if _missing(v):
                        continue
                    name = str(v).strip()
                    if name in names:
                        raise ValidationError(f"measurement row {i}: {COLUMN_ROW_ID} {name!r} also names row "
                                              f"{names[name]}")
                    names[name] = i
            texts = list(m[COLUMN_CONSTRAINT]) if COLUMN_CONSTRAINT in m.columns else [None] * len(m)
            from ..io.petab_plan import row_arrays

            scales = row_arrays(problem)[1]
            censored, sign, formulas = [], [], []
            for i, k in enumerate(kinds):
                if k in ("lower", "upper"):
                    censored.append(i)
                    sign.append(1.0 if k == "lower" else -1.0)
                    if not _missing(texts[i]) and scales[i] != "lin":
                        raise ValidationError(f"measurement row {i}: a {COLUMN_CONSTRAINT} row must be on a 'lin' "
                                              f"observable (its threshold is on the formula's scale), got "
                                              f"{scales[i]!r}")
                    formulas.append(None if _missing(texts[i]) else _parse_constraint(str(texts[i]), i, names))
                elif not _missing(texts[i]):
                    raise ValidationError(f"measurement row {i}: {COLUMN_CONSTRAINT} needs {COLUMN_CENSORING} "
                                          f"'lower' or 'upper', got {k!r}")
            result = CensoredRows(np.asarray([k == "" for k in kinds], dtype=bool),
                                  np.asarray(censored, dtype=np.int64), np.asarray(sign, dtype=float),
                                  tuple(formulas))
    cache["her2sim_censored"] = result
    return result


def constraint_values(rows: CensoredRows, y: np.ndarray, tm: np.ndarray, ty: np.ndarray) -> np.ndarray:
    """``F − c`` per censored row (``F`` on the row's transformed scale, or its formula's value)."""
    out = np.empty(rows.n_constraints)
    for n, (i, f) in enumerate(zip(rows.censored, rows.formulas)):
        if f is None:
            out[n] = ty[i] - tm[i]
        else:
            out[n] = _evaluate(f.expr, {s: float(y[r]) for s, r in zip(f.symbols, f.rows)}) - tm[i]
    return out


def apply(problem: Any, y: np.ndarray, sigma: np.ndarray, nll: np.ndarray, tm: np.ndarray, ty: np.ndarray,
          dt: np.ndarray | None = None, d_y: np.ndarray | None = None,
          d_s: np.ndarray | None = None) -> np.ndarray:
    """Rewrite per-row ``nll`` (and ``d_y``, ``d_s`` when given) for the problem's censored rows.

    ``y``/``sigma`` are the rows' simulations (linear) and noise, ``tm``/``ty`` measurement and
    simulation on each row's transformed scale, ``dt`` = d(ty)/dy. Auxiliary rows get 0; censored
    rows get ``−log Φ(s (F − c)/σ)``, and its derivatives land on the rows ``F`` reads. Returns
    ``nll`` (a new array); ``d_y``/``d_s`` are updated in place. Without censored rows, ``nll``
    is returned unchanged.
    """
    rows = censored_rows(problem)
    if rows is None:
        return nll
    nll = np.where(rows.plain, nll, 0.0)
    if d_y is not None:
        d_y[~rows.plain] = 0.0
    if d_s is not None:
        d_s[~rows.plain] = 0.0
    if not rows.n_constraints:
        return nll
    idx = rows.censored
    s = sigma[idx]
    with np.errstate(divide="ignore", invalid="ignore"):
        diff = constraint_values(rows, y, tm, ty)
        z = rows.sign * diff / s
    value, dz = probit_nllh(z)
    value = np.where(s > 0, value, np.inf)
    nll[idx] = value
    if d_s is not None:
        d_s[idx] = dz * (-z / s)
    if d_y is not None:
        for n, (i, f) in enumerate(zip(idx, rows.formulas)):
            w = dz[n] * rows.sign[n] / s[n]
            if f is None:
                d_y[i] += w * (1.0 if dt is None else dt[i])
                continue
            point = {sym: float(y[r]) for sym, r in zip(f.symbols, f.rows)}
            for r, der in zip(f.rows, f.derivatives):
                d_y[r] += w * _evaluate(der, point)
    return nll



def fisher_information(problem: Any, y: np.ndarray, sigma: np.ndarray, tm: np.ndarray, ty: np.ndarray,
                       dt: np.ndarray, dy: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """``(plain-row mask, information of the censored rows)`` for the Gauss-Newton Hessian, or None.

    A censored row contributes ``c(z) / σ² · ∇F ∇Fᵀ`` with ``∇F = Σ_k ∂F/∂y_k ∇y_k`` and
    ``c(z) = d²/dz² (−log Φ(z)) = λ(z) (λ(z) + z)``, ``λ = φ/Φ`` (in (0, 1): ≈ 0 where the
    inequality holds by several σ, → 1 where it is violated, the Gaussian limit). Auxiliary rows
    contribute nothing (the caller masks them with the returned ``plain``).
    """
    rows = censored_rows(problem)
    if rows is None:
        return None
    info = np.zeros((dy.shape[1], dy.shape[1]))
    if not rows.n_constraints:
        return rows.plain, info
    idx = rows.censored
    s = sigma[idx]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = rows.sign * constraint_values(rows, y, tm, ty) / s
    _, dz = probit_nllh(z)
    lam = -dz
    curvature = lam * (lam + z)
    for n, (i, f) in enumerate(zip(idx, rows.formulas)):
        if f is None:
            grad_f = dt[i] * dy[i]
        else:
            point = {sym: float(y[r]) for sym, r in zip(f.symbols, f.rows)}
            grad_f = sum((_evaluate(der, point) * dy[r] for r, der in zip(f.rows, f.derivatives)),
                         np.zeros(dy.shape[1]))
        info += (curvature[n] / s[n] ** 2) * np.outer(grad_f, grad_f)
    return rows.plain, info
