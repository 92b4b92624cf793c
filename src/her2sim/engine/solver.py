"""Solver settings: one frozen object holding every option of the compiled BDF/NDF solver.

:class:`SolverOptions` is what every entry point takes (``simulate``, ``simulate_ensemble``,
``simulate_sensitivities``, the PEtab simulator and objective, the analyses and the CLI); its
defaults are the only place the solver's defaults are written. It is converted once, at the C
boundary, into the ``Options`` structure of ``solver.c`` (:meth:`SolverOptions.to_c`).

Examples
--------
>>> from her2sim import SolverOptions
>>> SolverOptions().max_steps
500000
>>> SolverOptions(rtol=1e-6).replace(max_steps=1000).rtol
1e-06
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from dataclasses import dataclass
from typing import Any

from ..errors import ValidationError

__all__ = ["SolverOptions", "DEFAULT_SOLVER"]


#: Largest ``max_steps`` / ``max_events``: the C solver counts in a 64-bit ``long``.
MAX_STEPS_LIMIT = 2**62


@dataclass(frozen=True)
class SolverOptions:
    """Every setting of the compiled solver, with its default.

    Parameters
    ----------
    rtol, atol : float
        Relative and absolute error tolerances (``atol`` applies to species amounts and is
        scaled per state by the model's compiled atol scale).
    max_steps : int
        Steps per integration (and per pre-equilibration) before the run counts as failed
        (status ``MAX_STEPS``).
    h_max : float or None
        Largest step size in model time units; ``None``: unbounded.
    steady_state_rtol, steady_state_atol : float
        Weighted-RMS test of ``dx/dt`` that ends a pre-equilibration.
    steady_state_tmax : float
        Model time after which a pre-equilibration that has not settled fails
        (status ``NO_STEADY_STATE``).
    max_events : int
        Events per run before the run fails (status ``EVENT_LIMIT``).
    """

    rtol: float = 1e-8
    atol: float = 1e-12
    max_steps: int = 500_000
    h_max: float | None = None
    steady_state_rtol: float = 1e-10
    steady_state_atol: float = 1e-14
    steady_state_tmax: float = 1e10
    max_events: int = 100_000

    def __post_init__(self) -> None:
        for name in ("rtol", "atol", "steady_state_rtol", "steady_state_atol", "steady_state_tmax"):
            value = getattr(self, name)
            number = float(value) if isinstance(value, numbers.Real) and not isinstance(value, bool) else math.nan
            if not (math.isfinite(number) and number > 0):
                raise ValidationError(f"{name} must be a positive finite number, got {value!r}")
            object.__setattr__(self, name, number)
        if self.rtol < 1e-14:
            raise ValidationError(f"rtol={self.rtol!r} is below what double precision supports (>= 1e-14)")
        for name in ("max_steps", "max_events"):
            value = getattr(self, name)
            number = float(value) if isinstance(value, numbers.Real) and not isinstance(value, bool) else math.nan
            if not (math.isfinite(number) and number.is_integer()):
                raise ValidationError(f"{name} must be a positive integer, got {value!r}")
            # the C solver counts in a 64-bit long: 2**63 used to wrap to a negative limit
            if not 1 <= int(value) <= MAX_STEPS_LIMIT:
                raise ValidationError(f"{name} must be between 1 and 2**62, got {value!r}")
            object.__setattr__(self, name, int(value))
        if self.h_max is not None:
            h = self.h_max
            number = float(h) if isinstance(h, numbers.Real) and not isinstance(h, bool) else math.nan
            if not number > 0:
                raise ValidationError(f"h_max must be a positive number or None, got {h!r}")
            object.__setattr__(self, "h_max", number)

    def replace(self, **changes: Any) -> SolverOptions:
        """A copy with some settings changed; ``None`` values are ignored (keep the setting).

        Raises
        ------
        UnknownNameError
            A name that is not a setting (the message names the closest one).
        """
        names = [f.name for f in dataclasses.fields(self)]
        for key in changes:
            if key not in names:
                from ..errors import UnknownNameError

                raise UnknownNameError("solver option", key, names)
        given = {k: v for k, v in changes.items() if v is not None}
        return dataclasses.replace(self, **given) if given else self

    def to_c(self) -> Any:
        """The ``Options`` structure passed to ``solver.c`` (the one conversion)."""
        from .compiler import Options

        return Options(
            rtol=self.rtol,
            atol=self.atol,
            h_max=float("inf") if self.h_max is None else self.h_max,
            max_steps=self.max_steps,
            ss_rtol=self.steady_state_rtol,
            ss_atol=self.steady_state_atol,
            ss_tmax=self.steady_state_tmax,
            ss_max_steps=self.max_steps,
            max_events=self.max_events,
        )

    def as_attrs(self) -> dict[str, float | int | str]:
        """Settings as Dataset attributes (``h_max`` None written as ``"inf"``)."""
        out: dict[str, float | int | str] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            out[f.name] = "inf" if value is None else value
        return out


#: The defaults, as one shared instance.
DEFAULT_SOLVER = SolverOptions()


def resolve(solver: SolverOptions | None, **overrides: Any) -> SolverOptions:
    """``solver`` (default :data:`DEFAULT_SOLVER`) with the keyword overrides that are not None."""
    if solver is None:
        solver = DEFAULT_SOLVER
    elif not isinstance(solver, SolverOptions):
        raise ValidationError(f"solver must be a her2sim SolverOptions, got {type(solver).__name__}")
    return solver.replace(**overrides)


#: The steady-state settings of :data:`DEFAULT_SOLVER` as keyword arguments of the PEtab
#: simulator, for callers that fix them.
STEADY_STATE_DEFAULTS: dict[str, Any] = {
    "steady_state_rtol": DEFAULT_SOLVER.steady_state_rtol,
    "steady_state_atol": DEFAULT_SOLVER.steady_state_atol,
    "steady_state_tmax": DEFAULT_SOLVER.steady_state_tmax,
}
