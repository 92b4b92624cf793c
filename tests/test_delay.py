"""SBML ``delay(x, d)``: delay differential equations with a history of the state.

Oracle: the method of steps solved by hand for dx/dt = -k x(t - d), x(t <= 0) = 1:
x = 1 - k t on [0, d] and x = 1 - k t + k^2 (t - d)^2 / 2 on [d, 2d]. Tolerance rtol 1e-7 at
solver rtol 1e-10 (the solver's step is capped at d, so every delayed value comes from an
accepted step's dense output). The SBML Test Suite's CSymbolDelay cases run in
test_sbml_test_suite.py.
"""

from __future__ import annotations

import numpy as np
import pytest

import her2sim as hs
from her2sim.errors import UnsupportedFeatureError
from her2sim.model import AssignmentRule, Compartment, Model, Parameter, Reaction, Species, parse

TIGHT = dict(rtol=1e-10, atol=1e-14)
K, D = 0.8, 1.0


def dde(rate: str = "k*delay(x, d)") -> Model:
    return Model(
        "dde",
        compartments=(Compartment("c"),),
        species=(Species("x", "c", 1.0),),
        parameters=(Parameter("k", K), Parameter("d", D), Parameter("y", 0.0, constant=False)),
        reactions=(Reaction("r", (("x", 1),), (), parse(rate)),),
        assignment_rules=(AssignmentRule("y", parse("delay(x, d)")),),
    )


def exact(t: np.ndarray) -> np.ndarray:
    first = 1 - K * t
    second = 1 - K * t + K**2 * (t - D) ** 2 / 2
    return np.where(t <= D, first, second)


def test_delay_differential_equation_matches_the_method_of_steps():
    t = np.linspace(0.0, 2.0, 21)
    ds = hs.simulate(dde(), t, outputs=["x", "y"], **TIGHT)
    np.testing.assert_allclose(ds["x"].values, exact(t), rtol=1e-7)
    # y = x(t - d): the initial value before d, then the delayed trajectory
    np.testing.assert_allclose(ds["y"].values, np.where(t <= D, 1.0, exact(np.maximum(t - D, 0.0))), rtol=1e-7)


def test_delay_follows_the_delay_parameter_without_recompiling():
    t = np.linspace(0.0, 1.0, 11)
    ds = hs.simulate(dde(), t, parameters={"d": 0.5}, outputs=["x"], **TIGHT)
    exact_half = np.where(t <= 0.5, 1 - K * t, 1 - K * t + K**2 * (t - 0.5) ** 2 / 2)
    np.testing.assert_allclose(ds["x"].values, exact_half, rtol=1e-7)


def test_nested_delay_with_a_constant_inner_lag_is_the_summed_delay():
    """delay(delay(x, d/2), d/2) is x at t - d/2 - d/2 (the inner lag is constant), so the model
    is the DDE above: same method-of-steps oracle. An inner lag that changes during the run
    (here the time itself) stays nested and is refused, naming it."""
    t = np.linspace(0.0, 2.0, 21)
    ds = hs.simulate(dde("k*delay(delay(x, d/2), d/2)"), t, outputs=["x"], **TIGHT)
    np.testing.assert_allclose(ds["x"].values, exact(t), rtol=1e-7)
    with pytest.raises(UnsupportedFeatureError, match="nested delay"):
        hs.simulate(dde("k*delay(delay(x, time), d)"), [0.0, 1.0])
    # the inner delay through an assignment rule (SBML Test Suite 01142): h = delay(x, d/2)
    base = dde()
    m = Model(
        "dde_rule",
        compartments=base.compartments,
        species=base.species,
        parameters=base.parameters + (Parameter("h", 0.0, constant=False),),
        reactions=(Reaction("r", (("x", 1),), (), parse("k*delay(h, d/2)")),),
        assignment_rules=(AssignmentRule("h", parse("delay(x, d/2)")),),
    )
    ds = hs.simulate(m, t, outputs=["x"], **TIGHT)
    np.testing.assert_allclose(ds["x"].values, exact(t), rtol=1e-7)


def test_delay_at_a_pre_equilibrated_steady_state():
    """dx/dt = ks - k x(t - d): the steady state is x* = ks / k (a constant history), and a run
    started there stays there (oracle: the steady-state condition)."""
    m = Model(
        "dde_ss",
        compartments=(Compartment("c"),),
        species=(Species("x", "c", 0.0),),
        parameters=(Parameter("k", K), Parameter("d", D), Parameter("ks", 2.0)),
        reactions=(Reaction("syn", (), (("x", 1),), parse("ks")), Reaction("deg", (("x", 1),), (), parse("k*delay(x, d)"))),
    )
    ds = hs.simulate(m, np.linspace(0.0, 3.0, 7), preequilibrate=True, outputs=["x"], **TIGHT)
    np.testing.assert_allclose(ds["x"].values, 2.0 / K, rtol=1e-7)


def test_delay_of_a_rate_reads_the_history_before_the_start():
    """P = delay(rateOf(S), 1) with dS/dt = -0.1 S, S(0) = 5: before t = 1 the delayed time is
    before the start, where S is its declared (constant) initial value, so the rate is 0; from
    t = 1 on it is -0.1 S(t - 1) = -0.5 exp(-0.1 (t - 1)) (SBML Test Suite case 01400's model)."""
    m = Model(
        "delayed_rate",
        compartments=(Compartment("c"),),
        species=(Species("S", "c", 5.0),),
        parameters=(Parameter("P", 0.0, constant=False),),
        reactions=(Reaction("r", (("S", 1),), (), parse("0.1*S")),),
        assignment_rules=(AssignmentRule("P", parse("delay(rateOf(S), 1)")),),
    )
    t = np.array([0.0, 0.5, 1.0, 2.0, 3.0])
    ds = hs.simulate(m, t, outputs=["P"], **TIGHT)
    expected = np.where(t < 1.0, 0.0, -0.5 * np.exp(-0.1 * (t - 1.0)))
    np.testing.assert_allclose(ds["P"].values, expected, rtol=1e-7, atol=1e-14)


def test_delay_of_a_value_that_events_change_reads_its_history():
    """q is 0 until an event at t = 1 sets it to 1 (then to 3 at t = 2); y = delay(2 q, 0.5)
    through the rule w = 2 q. Oracle: the piecewise-constant history, y = 2 q(t - 0.5): 0 before
    t = 1.5, 2 on [1.5, 2.5), 6 after (SBML Test Suite case 01593 uses delay() of such values).
    Before: refused, or -- through an assignment rule -- read at its current value."""
    from her2sim.model import Event

    time = parse("time")
    m = Model(
        "delayed_event_value",
        parameters=(Parameter("q", 0.0, constant=False), Parameter("w", 0.0, constant=False),
                    Parameter("y", 0.0, constant=False)),
        assignment_rules=(AssignmentRule("w", parse("2*q")), AssignmentRule("y", parse("delay(w, 0.5)"))),
        events=(
            Event("on", trigger=time >= 1, assignments=(("q", parse("1")),), initial_value=False),
            Event("up", trigger=time >= 2, assignments=(("q", parse("3")),), initial_value=False),
        ),
    )
    t = np.array([0.0, 1.2, 1.4, 1.6, 2.4, 2.6, 3.0])
    ds = hs.simulate(m, t, outputs=["q", "y"], **TIGHT)
    np.testing.assert_allclose(ds["y"].values, [0.0, 0.0, 0.0, 2.0, 2.0, 6.0, 6.0], atol=1e-9)
    np.testing.assert_allclose(ds["q"].values, [0.0, 1.0, 1.0, 1.0, 3.0, 3.0, 3.0], atol=1e-12)
