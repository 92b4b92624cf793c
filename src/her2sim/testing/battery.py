"""The standard model battery (as PyBaMM's ``StandardModelTest``): checks every library model passes.

Each check takes a :class:`~her2sim.family.ModelFamily` and returns a :class:`CheckResult`
(``passed``, a measured ``value`` against its ``tolerance``, a ``detail``); a check whose subject the
family does not declare (no conserved moieties, no logical twin) is ``skipped``. The protocol is the
family's untreated one (drugs and protocol switches at 0 before ``t = 0``, from the parameter
roles), then a treatment with every drug of the family at 100 nM, so drug terms are exercised.

* :func:`check_conservation` — declared moieties keep their sum (relative 1e-6, 100 × rtol);
* :func:`check_nonnegative` — no species below ``-1e-9 ×`` its maximum;
* :func:`check_steady_state` — pre-equilibration succeeds and the weighted RMS of ``dx/dt`` there
  is below ``1e-6`` per time unit relative to the state;
* :func:`check_jacobian` — the compiled sparse Jacobian against central differences of the
  compiled right-hand side (relative 1e-4; measured 4e-6 on the flagship with steps of ``6e-6``
  relative), at the steady state;
* :func:`check_sbml_round_trip` — ``write_sbml`` read by libRoadRunner reproduces the trajectory
  (relative 1e-4, both at rtol 1e-10; skipped without libRoadRunner);
* :func:`check_logical_twin` — the twin loads and every node-map node and observable exists.

Examples
--------
>>> from her2sim.testing import TOY_FAMILY
>>> check_conservation(TOY_FAMILY).passed
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..family import ModelFamily

__all__ = [
    "CheckResult",
    "CHECKS",
    "run_battery",
    "check_conservation",
    "check_nonnegative",
    "check_steady_state",
    "check_jacobian",
    "check_sbml_round_trip",
    "check_logical_twin",
]

_TIMES = (0.0, 1.0, 8.0, 24.0, 72.0)
_RTOL = 1e-8


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one battery check."""

    name: str
    passed: bool
    value: float = float("nan")
    tolerance: float = float("nan")
    detail: str = ""
    skipped: bool = False


def _treatment(family: ModelFamily) -> dict[str, float]:
    from ..model.roles import drug_parameters

    return {pid: 100.0 for pid in drug_parameters(family.model())}


def _run(family: ModelFamily, outputs: list[str], rtol: float = _RTOL) -> Any:
    from ..protocol import Protocol
    from ..simulation import simulate

    model = family.model()
    protocol = Protocol.untreated(model, _TIMES)
    return simulate(model, None, parameters=_treatment(family), protocol=protocol, outputs=outputs, rtol=rtol,
                    atol=1e-14)


def check_conservation(family: ModelFamily) -> CheckResult:
    """Declared conserved moieties keep their total during the untreated-then-treated protocol."""
    if not family.conserved:
        return CheckResult("conservation", True, detail="no conserved moiety declared", skipped=True)
    outputs = sorted({s for group in family.conserved.values() for s in group})
    ds = _run(family, outputs)
    worst, where = 0.0, ""
    for name, group in family.conserved.items():
        sums = sum(ds[s].values for s in group)
        error = float(np.max(np.abs(sums / sums[0] - 1.0)))
        if error >= worst:
            worst, where = error, name
    tol = 100 * _RTOL
    return CheckResult("conservation", worst < tol, worst, tol, f"largest relative drift in moiety {where!r}")


def check_nonnegative(family: ModelFamily) -> CheckResult:
    """No species goes below ``-1e-9`` of its largest value."""
    model = family.model()
    species = [s.id for s in model.species]
    ds = _run(family, species)
    worst, where = 0.0, ""
    for s in species:
        values = ds[s].values
        scale = max(float(np.max(np.abs(values))), 1e-300)
        low = float(-np.min(values) / scale)
        if low > worst:
            worst, where = low, s
    tol = 1e-9
    return CheckResult("non-negativity", worst <= tol, worst, tol, f"most negative: {where or 'none'}")


def _steady_state(family: ModelFamily) -> tuple[Any, np.ndarray, np.ndarray, int]:
    from ..engine.compiler import compile_model
    from ..model.roles import untreated_overrides
    from ..protocol import execute

    model = family.model()
    cm = compile_model(model)
    P = cm.p_default[None, :].copy()
    P_pre = P.copy()
    for pid, value in untreated_overrides(model).items():
        P_pre[0, cm.p_index(pid)] = value
    outcome = execute(cm, P_pre, np.zeros(1), np.zeros(1, dtype=np.int32), P_pre=P_pre, want_final_state=True)
    assert outcome.x_final is not None  # asked for
    return cm, outcome.x_final[0], P_pre[0], int(outcome.status[0])


def check_steady_state(family: ModelFamily) -> CheckResult:
    """Pre-equilibration under the untreated settings reaches a steady state."""
    cm, x, p, status = _steady_state(family)
    if status != 0:
        return CheckResult("steady state", False, detail=f"pre-equilibration failed with status {status}")
    dx = cm.rhs(0.0, x, p)
    weights = np.abs(x) + 1e-12 * max(float(np.max(np.abs(x))), 1.0)
    value = float(np.sqrt(np.mean((dx / weights) ** 2)))
    tol = 1e-6
    return CheckResult("steady state", value < tol, value, tol, "weighted RMS of dx/dt / x per time unit")


def check_jacobian(family: ModelFamily) -> CheckResult:
    """Compiled Jacobian against central differences of the compiled right-hand side."""
    cm, x, p, status = _steady_state(family)
    if status != 0:
        return CheckResult("jacobian", False, detail=f"no steady state to check at (status {status})")
    J = cm.jacobian(0.0, x, p)
    fd = np.empty_like(J)
    for j in range(x.size):
        h = 6e-6 * max(abs(x[j]), 1e-3)  # ~ eps^(1/3): balances truncation and round-off
        up, down = x.copy(), x.copy()
        up[j] += h
        down[j] -= h
        fd[:, j] = (cm.rhs(0.0, up, p) - cm.rhs(0.0, down, p)) / (2 * h)
    scale = np.maximum(np.abs(J), 1e-6 * max(float(np.max(np.abs(J))), 1e-300))
    value = float(np.max(np.abs(J - fd) / scale))
    tol = 1e-4  # measured: 4e-6 on the flagship (differences of large terms), 8e-12 on the toy

    return CheckResult("jacobian", value < tol, value, tol, "max relative deviation, central differences")


def check_sbml_round_trip(family: ModelFamily) -> CheckResult:
    """``write_sbml`` simulated by libRoadRunner against her2sim (no pre-equilibration, 24 h)."""
    try:
        import roadrunner
    except ImportError:
        return CheckResult("SBML round trip", True, detail="libRoadRunner not installed", skipped=True)
    from ..io.sbml import write_sbml
    from ..model.roles import untreated_overrides
    from ..simulation import simulate

    model = family.model()
    species = [s.id for s in model.species]
    settings = {**untreated_overrides(model), **_treatment(family)}
    times = np.linspace(0.0, 24.0, 25)
    ours = simulate(model, times, parameters=settings, outputs=species, rtol=1e-10, atol=1e-14)
    rr = roadrunner.RoadRunner(write_sbml(model))
    rr.integrator.relative_tolerance = 1e-10
    rr.integrator.absolute_tolerance = 1e-14
    rr.integrator.maximum_num_steps = 200000
    for key, value in settings.items():
        rr[key] = value
    rr.timeCourseSelections = ["time"] + [f"[{s}]" for s in species]
    reference = np.asarray(rr.simulate(times=list(times)))[:, 1:]
    mine = np.stack([ours[s].values for s in species], axis=1)
    scale = np.max(np.abs(reference), axis=0)
    # relative to each species' range, but never below 1e-12 concentration units (libRoadRunner
    # returns round-off such as -1e-29 for a species that stays 0)
    floor = np.maximum(1e-9 * scale, 1e-12)
    value = float(np.max(np.abs(mine - reference) / (np.abs(reference) + floor)))
    tol = 1e-4
    return CheckResult("SBML round trip", value < tol, value, tol, "max relative deviation from libRoadRunner")


def check_logical_twin(family: ModelFamily) -> CheckResult:
    """The logical twin loads; every node-map entry names a twin node and a kinetic output."""
    if family.logical is None:
        return CheckResult("logical twin", True, detail="no logical twin declared", skipped=True)
    twin = family.logical()
    model = family.model()
    kinetic = {p.id for p in model.parameters} | {s.id for s in model.species}
    node_map = family.node_map() if family.node_map is not None else ()
    missing = [m.node for m in node_map if m.node not in twin.nodes] + [
        m.observable for m in node_map if m.observable not in kinetic]
    return CheckResult("logical twin", not missing, float(len(missing)), 0.0,
                       f"{len(twin.nodes)} nodes, {len(node_map)} mapped; missing: {missing}")


CHECKS: dict[str, Callable[[ModelFamily], CheckResult]] = {
    "conservation": check_conservation,
    "non-negativity": check_nonnegative,
    "steady state": check_steady_state,
    "jacobian": check_jacobian,
    "SBML round trip": check_sbml_round_trip,
    "logical twin": check_logical_twin,
}


def run_battery(family: ModelFamily) -> list[CheckResult]:
    """Every check on ``family``."""
    return [check(family) for check in CHECKS.values()]
