"""Discontinuities in time of the right-hand side (issue 15, "first step too large").

A model at an exact steady state before a short input has a right-hand side that is zero (or
round-off) up to the input, so the error control has nothing to stop a step that spans the
whole pulse: before this fix the solver stepped over a pulse at t in [1, 1.1] and reported
A = 0 everywhere with status 0. The engine now finds the times at which ``piecewise``
conditions on ``time`` change value (polynomials of degree 1 or 2 in time, with parameter
coefficients) and stops there.

Oracle: the analytic solution of dA/dt = kin u(t) - k A with u = 1 on [t_on, t_off], else 0,
A(0) = 0:  A = kin/k (1 - exp(-k (t - t_on))) in the pulse, then decay exp(-k (t - t_off)).
Tolerance rtol 1e-6 at solver rtol 1e-10 (the engine's ladder, see test_engine.py).
"""

from __future__ import annotations

import numpy as np
import pytest

import her2sim as hs
from her2sim.errors import UnsupportedFeatureError
from her2sim.model import AssignmentRule, Compartment, Model, Parameter, Reaction, Species, parse

TIGHT = dict(rtol=1e-10, atol=1e-14)
K, KIN, T_ON, T_OFF = 0.5, 10.0, 1.0, 1.1


def exact(t: np.ndarray, t_on: float = T_ON, t_off: float = T_OFF) -> np.ndarray:
    plateau = KIN / K
    during = plateau * (1 - np.exp(-K * (t - t_on)))
    after = plateau * (1 - np.exp(-K * (t_off - t_on))) * np.exp(-K * (t - t_off))
    return np.where(t < t_on, 0.0, np.where(t <= t_off, during, after))


def pulse_model(condition: str, *, via_rule: bool = False) -> Model:
    u = f"piecewise(1, {condition}, 0)"
    rules = (AssignmentRule("u", parse(u)),) if via_rule else ()
    return Model(
        "pulse",
        compartments=(Compartment("c"),),
        species=(Species("A", "c", 0.0),),
        parameters=(
            Parameter("k", K),
            Parameter("kin", KIN),
            Parameter("t_on", T_ON),
            Parameter("t_off", T_OFF),
        )
        + ((Parameter("u", 0.0, constant=False),) if via_rule else ()),
        assignment_rules=rules,
        reactions=(Reaction("r", (), (("A", 1),), parse(f"kin*{'u' if via_rule else u} - k*A")),),
    )


@pytest.mark.parametrize("times", [[0, 2, 10], [0, 10], [0, 5, 10], [0, 1.05, 1.1, 3]])
@pytest.mark.parametrize("via_rule", [False, True])
def test_pulse_after_steady_state_is_not_stepped_over(times, via_rule):
    """The pulse response matches the analytic solution whatever the output grid."""
    m = pulse_model("time >= t_on && time <= t_off", via_rule=via_rule)
    t = np.asarray(times, dtype=float)
    ds = hs.simulate(m, t, **TIGHT)
    assert int(ds["status"]) == 0
    np.testing.assert_allclose(ds["A"].values, exact(t), rtol=1e-6, atol=1e-10)
    assert ds["A"].values[-1] > 0  # the pulse was seen at all


def test_pulse_times_follow_parameter_values_without_recompiling():
    """The stop times are computed from the run's parameters, not frozen at compile time."""
    m = pulse_model("time >= t_on && time <= t_off")
    t = np.array([0.0, 10.0])
    ds = hs.simulate(m, t, parameters={"t_on": 4.0, "t_off": 4.2}, **TIGHT)
    np.testing.assert_allclose(ds["A"].values, exact(t, 4.0, 4.2), rtol=1e-6, atol=1e-10)


def test_pulse_given_by_a_quadratic_condition_in_time():
    """(t - t_on)(t - t_off) <= 0 is the same pulse; both roots are stops."""
    m = pulse_model("(time - t_on)*(time - t_off) <= 0")
    t = np.array([0.0, 1.05, 2.0, 10.0])
    ds = hs.simulate(m, t, **TIGHT)
    np.testing.assert_allclose(ds["A"].values, exact(t), rtol=1e-6, atol=1e-10)


def test_sensitivity_with_respect_to_a_switch_time_is_refused():
    """d/dt_on needs the jump of the right-hand side at t_on, which the sensitivity equations
    do not carry; refused naming the parameter (the other parameters are fine: oracle, the
    analytic derivative d A / d kin = A / kin)."""
    m = pulse_model("time >= t_on && time <= t_off")
    with pytest.raises(UnsupportedFeatureError, match=r"\['t_on'\]"):
        hs.simulate_sensitivities(m, [0.0, 2.0], ["t_on"])
    t = np.array([0.0, 2.0, 10.0])
    ds = hs.simulate_sensitivities(m, t, ["kin"], outputs=["A"], normalise=False, **TIGHT)
    np.testing.assert_allclose(ds["sensitivity:A"].sel(parameter="kin").values, exact(t) / KIN, rtol=1e-6, atol=1e-12)
