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

from ..errors import UnknownNameError, ValidationError
from ..io.petab import PetabProblem, load_petab, negative_log_likelihood

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

    Notes
    -----
    The object pickles (it holds the problem, not a compiled library), so it travels to worker
    processes of a multi-start.
    """

    def __init__(
        self,
        problem: PetabProblem | str | os.PathLike[str],
        *,
        rtol: float = 1e-8,
        atol: float = 1e-12,
        include_priors: bool = True,
        gradient: Literal["forward", "finite-differences"] = "forward",
        n_threads: int = 1,
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
                n_threads=self.n_threads,
            )
        except (OverflowError, ValueError):
            return math.inf

    def value_and_gradient(self, x) -> tuple[float, np.ndarray]:
        """Objective value and its gradient on the parameter scales (NaN gradient if the value is inf)."""
        x = self._check(x)
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
