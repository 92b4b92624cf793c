"""Protocols as data, and the one executor that runs them.

A :class:`Protocol` is the sequence of periods every experiment here follows (as PEtab v2
periods or PyBaMM's ``Experiment``):

1. **pre-equilibrate** (optional) to a steady state, with parameter overrides (e.g. every drug
   at 0 and cell growth frozen: :meth:`Protocol.untreated`);
2. **reset** species to given values (PEtab: a condition's species values after
   pre-equilibration);
3. **treat** from the first read-out time with the member's parameters, changed at given
   times by a **schedule** (dosing, wash-out, sequential therapy);
4. **read out** at the times, and/or at the steady state under the treatment.

:func:`execute` runs members (rows of runtime inputs) through those periods in compiled code and
is the only caller of :meth:`her2sim.engine.compiler.CompiledModel.run`: ``simulate``,
``simulate_ensemble``, ``simulate_sensitivities``, the analyses (through ``simulate_ensemble``),
the PEtab simulator and the calibration objective all go through it, so a failed member is
handled the same way everywhere (a status per member; its outputs NaN).

Examples
--------
>>> import her2sim as hs
>>> m = hs.Model("decay", compartments=(hs.Compartment("c"),), species=(hs.Species("A", "c", 1.0),),
...              parameters=(hs.Parameter("k", 0.5),),
...              reactions=(hs.Reaction("r", (("A", 1),), (), hs.model.parse("k*A")),))
>>> ds = hs.simulate(m, [0.0, 2.0], protocol=Protocol(times=(0.0, 2.0)))
>>> round(float(ds["A"][-1]), 6)
0.367879
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .engine.solver import DEFAULT_SOLVER, SolverOptions
from .errors import ValidationError

__all__ = ["Protocol", "Outcome", "execute", "sensitivity_selection"]

Schedule = Sequence[tuple[float, Mapping[str, float]]]


@dataclass(frozen=True)
class Protocol:
    """Periods of one experiment (see the module docstring); frozen and hashable by content.

    Parameters
    ----------
    times
        Read-out times of the treatment period (model time units); the period starts at
        ``times[0]``.
    preequilibrate
        ``False``: start from the model's initial state; ``True``: from the steady state under
        the member's parameters; a mapping: the same with these parameter overrides.
    reset
        ``{species id: value}`` set after pre-equilibration (in the species' initial unit).
    schedule
        ``[(time, {parameter: value}), ...]`` changes during treatment.
    steady_state
        Also read the outputs at the steady state reached under the treatment parameters.
    """

    times: tuple[float, ...] = ()
    preequilibrate: bool | Mapping[str, float] = False
    reset: Mapping[str, float] = field(default_factory=dict)
    schedule: tuple[tuple[float, Mapping[str, float]], ...] = ()
    steady_state: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "times", tuple(float(t) for t in np.asarray(self.times, dtype=float).reshape(-1)))
        pre = self.preequilibrate
        if not isinstance(pre, (bool, Mapping)):
            raise ValidationError(
                f"preequilibrate must be False, True or a mapping of parameter overrides, got {pre!r}")
        object.__setattr__(self, "schedule", tuple((float(t), dict(c)) for t, c in (self.schedule or ())))

    @classmethod
    def untreated(cls, model: Any, times: Sequence[float], *, schedule: Schedule = (), **kw: Any) -> Protocol:
        """Pre-equilibrate with the model's drug concentrations and protocol switches at 0
        (their parameter roles), then treat from ``times[0]``."""
        from .model.roles import untreated_overrides

        return cls(times=tuple(times), preequilibrate=untreated_overrides(model) or False,
                   schedule=tuple(schedule), **kw)

    def describe(self) -> str:
        """One line for Dataset attributes."""
        parts = []
        if isinstance(self.preequilibrate, Mapping):
            parts.append(f"pre-equilibrate with {dict(self.preequilibrate)}")
        elif self.preequilibrate:
            parts.append("pre-equilibrate")
        if self.reset:
            parts.append(f"reset {dict(self.reset)}")
        parts.append("treat" + (f" with schedule {list(self.schedule)}" if self.schedule else ""))
        parts.append("read out at times" + (" and at steady state" if self.steady_state else ""))
        return " -> ".join(parts)


@dataclass
class Outcome:
    """Arrays of one :func:`execute` call (members first).

    ``out`` (members × times × selected outputs), ``status`` (0 = success, see
    :class:`her2sim.simulation.SolveStatus`), ``stats`` (steps, right-hand sides, Jacobians,
    factorisations, ...), ``x_final`` (final state, if asked), ``steady`` (members × selected
    outputs at the treatment steady state, NaN where not asked or failed).
    """

    out: np.ndarray
    status: np.ndarray
    stats: np.ndarray
    x_final: np.ndarray | None = None
    steady: np.ndarray | None = None
    x_start: np.ndarray | None = None


def _c_options(solver: SolverOptions | Any) -> Any:
    if solver is None:
        return DEFAULT_SOLVER.to_c()
    if isinstance(solver, SolverOptions):
        return solver.to_c()
    return solver  # already the C structure


def execute(
    cm: Any,
    P: np.ndarray,
    times: np.ndarray,
    sel: np.ndarray,
    solver: SolverOptions | Any = None,
    *,
    P_pre: np.ndarray | None = None,
    preequilibrated: np.ndarray | None = None,
    X0: np.ndarray | None = None,
    reset: Callable[[int, np.ndarray], None] | None = None,
    staged: bool = False,
    steady_members: np.ndarray | None = None,
    schedule: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    n_threads: int = 1,
    want_final_state: bool = False,
) -> Outcome:
    """Run members through pre-equilibration, reset, treatment and read-out in compiled code.

    Parameters
    ----------
    cm : CompiledModel
        The compiled model (or sensitivity system).
    P, P_pre : ndarray (members × inputs)
        Treatment inputs and, for pre-equilibrated members, the pre-equilibration inputs.
    preequilibrated : bool array (members), optional
        Which members are pre-equilibrated (default: all, if ``P_pre`` is given). Staged only.
    times, sel
        Read-out times and the indices of the selected outputs.
    solver
        :class:`SolverOptions` (default ``SolverOptions()``), converted once here.
    X0 : ndarray (members × states), optional
        Start states (skip the model's initialisation).
    reset : callable ``(member, state) -> None``, optional
        Changes a member's start state in place after pre-equilibration (species resets).
    staged : bool
        Pre-equilibrate in a separate stage, once per distinct row of ``P_pre`` (PEtab shares
        pre-equilibrations between conditions), then ``reset`` and treat. Implied by ``reset``.
    steady_members : int array, optional
        Members also read out at the steady state under ``P`` (from their start state).
    schedule
        ``(times, input indices, values)`` changes during treatment.

    Returns
    -------
    Outcome
        A member that failed in any period keeps its status (the first failure) and NaN
        outputs; the others are unaffected.
    """
    opts = _c_options(solver)
    P = np.ascontiguousarray(P, dtype=float)
    times = np.ascontiguousarray(times, dtype=float)
    sel = np.ascontiguousarray(sel, dtype=np.int32)
    n = P.shape[0]
    threads = max(1, int(n_threads))
    staged = staged or reset is not None
    if not staged:
        res = cm.run(P, times, sel, opts, P_pre=P_pre, X0=X0, schedule=schedule, n_threads=threads,
                     want_final_state=want_final_state)
        outcome = Outcome(res["out"], res["status"].astype(np.int64), res["stats"], res.get("x_final"))
        x_start = X0
    else:
        status = np.zeros(n, dtype=np.int64)
        x_start = np.empty((n, cm.n_x)) if X0 is None else np.array(X0, dtype=float)
        if P_pre is None:
            pre_rows = np.zeros(n, dtype=bool)
        else:
            pre_rows = np.ones(n, dtype=bool) if preequilibrated is None else np.asarray(preequilibrated, dtype=bool)
        if P_pre is not None and np.any(pre_rows):
            members = np.flatnonzero(pre_rows)
            unique, inverse = np.unique(P_pre[members], axis=0, return_inverse=True)
            inverse = np.asarray(inverse).reshape(-1)
            res = cm.run(unique, np.zeros(1), np.zeros(1, dtype=np.int32), opts, P_pre=unique,
                         n_threads=threads, want_final_state=True)
            x_start[members] = res["x_final"][inverse]
            status[members] = res["status"][inverse]
        for k in range(n):
            if not pre_rows[k] and X0 is None:
                x_start[k] = cm.initial_state(P[k])
            if reset is not None:
                reset(k, x_start[k])
        x_start[status != 0] = np.nan
        res = cm.run(P, times, sel, opts, X0=x_start, schedule=schedule, n_threads=threads,
                     want_final_state=want_final_state)
        status = np.where(status != 0, status, res["status"])
        outcome = Outcome(res["out"], status, res["stats"], res.get("x_final"))
    outcome.x_start = x_start
    if steady_members is not None and len(steady_members):
        steady = np.full((n, sel.size), np.nan)
        members = np.asarray(steady_members, dtype=np.int64)
        members = members[outcome.status[members] == 0]
        if members.size:
            Ps = P[members]
            start = None if x_start is None else x_start[members]
            res_ss = cm.run(Ps, np.zeros(1), sel, opts, P_pre=Ps, X0=start, n_threads=threads)
            steady[members] = res_ss["out"][:, 0, :]
            outcome.status[members] = np.where(outcome.status[members] != 0, outcome.status[members],
                                               res_ss["status"])
        outcome.steady = steady
    return outcome


def sensitivity_selection(n_out_base: int, base_sel: np.ndarray, n_dir: int, n_wrt: int) -> np.ndarray:
    """Output indices of a sensitivity system: the outputs, then their sensitivities along each
    direction (chain rule through the state), then their explicit partials per parameter.

    The layout of :func:`her2sim.engine.codegen.generate`: block ``b`` of ``n_out_base`` outputs
    holds the values (``b = 0``), direction ``k`` (``b = 1 + k``) and parameter ``q``
    (``b = 1 + n_dir + q``); ``base_sel`` picks the same outputs in every block.
    """
    base = np.asarray(base_sel, dtype=np.int64)
    blocks = [base] + [n_out_base * (1 + k) + base for k in range(n_dir)]
    blocks += [n_out_base * (1 + n_dir + q) + base for q in range(n_wrt)]
    return np.concatenate(blocks).astype(np.int32)
