"""Arguments that used to give silently wrong results or raw exceptions (issue #19)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import her2sim as hs
from her2sim.errors import ModelError, UnsupportedFeatureError, ValidationError
from her2sim.model import parse


def decay(size: float = 1.0, rate=None, stoichiometry: float = 1.0, rules=()) -> hs.Model:
    return hs.Model(
        "decay", compartments=(hs.Compartment("c", size),), species=(hs.Species("A", "c", 2.0),),
        parameters=(hs.Parameter("k", 0.5), hs.Parameter("q", 1.0, constant=False)),
        reactions=(hs.Reaction("r", (("A", stoichiometry),), (), rate if rate is not None else parse("k*A")),),
        assignment_rules=rules,
    )


@pytest.fixture(scope="module")
def model() -> hs.Model:
    return decay()


@pytest.mark.parametrize("kwargs, match", [
    # one NaN schedule time used to block every later schedule entry (NaN <= t is never true)
    (dict(schedule=[(float("nan"), {"k": 1.0}), (0.5, {"k": 0.0})]), r"schedule\[0\] time must be a finite number"),
    (dict(schedule=[(0.5, {"k": None})]), r"schedule\[0\]\['k'\] must be a finite number"),
    (dict(schedule=[(0.5, "k")]), r"schedule\[0\] changes must be a mapping"),
    (dict(schedule={"k": 1.0}), "sequence of"),
    (dict(h_max=float("nan")), "h_max must be a positive number"),
    (dict(h_max=-1.0), "h_max must be a positive number"),
    (dict(max_steps=2**63), r"max_steps must be between 1 and 2\*\*62"),  # used to wrap to a negative long
    (dict(max_steps=0), "max_steps must be between"),
    (dict(max_steps=1.5), "max_steps must be a positive integer"),
    (dict(rtol=float("nan")), "rtol must be a (positive )?finite number"),
    (dict(steady_state_tmax=-1.0), "steady_state_tmax must be a positive"),
    (dict(parameters={"k": None}), r"parameters\['k'\] must be a number, got None"),  # was TypeError
    (dict(parameters={"k": "fast"}), r"parameters\['k'\] must be a number"),
    (dict(initial={"A": [1, 2]}), r"initial\['A'\] must be a number"),
    (dict(parameters={"c": -2.0}), r"parameters\['c'\] = -2.0: the size of compartment 'c' must be positive"),
])
def test_bad_simulate_arguments_are_refused(model, kwargs, match):
    with pytest.raises(ValidationError, match=match):
        hs.simulate(model, [0.0, 1.0], **kwargs)


def test_schedule_entries_after_each_other_all_apply(model):
    """Oracle: piecewise exponential decay, A(1) = 2 e^{-0.5·0.5} e^{-2·0.5}; rtol 1e-6 (solver rtol 1e-8)."""
    ds = hs.simulate(model, [0.0, 1.0], schedule=[(0.5, {"k": 2.0})])
    assert float(ds["A"][-1]) == pytest.approx(2 * np.exp(-0.25) * np.exp(-1.0), rel=1e-6)


def test_negative_compartment_in_the_model_is_refused():
    with pytest.raises(ValidationError, match="size of compartment 'c' must be positive"):
        hs.simulate(decay(size=-1.0), [0.0, 1.0])


def test_ensemble_arguments(model):
    with pytest.raises(ValidationError, match=r"parameters\['k'\] must be numbers"):
        hs.simulate_ensemble(model, [0.0, 1.0], {"k": [0.5, None]})
    with pytest.raises(ValidationError, match=r"parameters\['c'\]\[1\] = -1.0"):
        hs.simulate_ensemble(model, [0.0, 1.0], {"c": [1.0, -1.0]})


@pytest.mark.parametrize("make, error, match", [
    (lambda: decay(rate=parse("k*A*sqrt(-1)")), ModelError, "complex-valued"),
    (lambda: decay(stoichiometry=float("nan")), ModelError, "stoichiometry of reactant 'A' is nan"),
    (lambda: decay(stoichiometry=float("inf")), ModelError, "stoichiometry of reactant 'A' is inf"),
    (lambda: decay(rate=parse("k*A/0")), ModelError, "undefined everywhere"),
    (lambda: decay(rate=parse("k*A*ln(0)")), ModelError, "undefined everywhere"),
    (lambda: decay(rate=sympy.Pow(0, -1, evaluate=False) * sympy.Symbol("A")), ModelError, "undefined everywhere"),
    (lambda: decay(rules=(hs.AssignmentRule("q", sympy.zoo),)), ModelError, "<assignmentRule> 'q'"),
    (lambda: decay(rate=sympy.factorial(sympy.Symbol("A"))), UnsupportedFeatureError, r"factorial\(A\)"),
])
def test_math_that_would_reach_gcc_broken_is_refused_by_name(make, error, match):
    with pytest.raises(error, match=match) as info:
        hs.simulate(make(), [0.0, 1.0])
    assert "<reaction> 'r'" in str(info.value) or "<assignmentRule>" in str(info.value)
    assert "gcc" not in str(info.value) and "model.c" not in str(info.value)


def test_failed_member_is_all_nan_and_says_how_far_it_got():
    """dA/dt = k A² blows up at t* = 1/(k A0). Member k = 10 (t* = 0.05) fails; its outputs before
    the failure are *not* kept (docstring and README: a failed member is NaN). Member k = 0.1 runs;
    oracle A(t) = A0 / (1 - k A0 t) with A0 = 2; rtol 1e-6 (100x the solver rtol)."""
    m = hs.Model("blowup", compartments=(hs.Compartment("c"),), species=(hs.Species("A", "c", 2.0),),
                 parameters=(hs.Parameter("k", 0.1),),
                 reactions=(hs.Reaction("r", (), (("A", 1),), parse("k*A^2")),))
    t = np.linspace(0, 1, 41)
    ds = hs.simulate_ensemble(m, t, {"k": [0.1, 10.0]}, n_threads=1)
    status = ds["status"].values
    assert status[0] == 0 and status[1] != 0
    np.testing.assert_allclose(ds["A"].values[0], 2 / (1 - 0.1 * 2 * t), rtol=1e-6)
    assert np.all(np.isnan(ds["A"].values[1]))
    # it integrated the outputs up to t = 0.025 (the last grid time before t* = 0.05)
    assert ds["time_reached"].values[0] == 1.0
    assert 0.0 <= ds["time_reached"].values[1] < 0.05
    single = hs.simulate(m, t, parameters={"k": 10.0}, throw=False)
    assert int(single["status"]) != 0 and np.all(np.isnan(single["A"].values))
