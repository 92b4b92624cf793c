"""SBML ``rateOf`` (L3V2 section 3.4.6): the rate of change of a value, as it appears in math.

Oracles: analytic solutions of small linear models (exponential growth and decay), so
``rateOf(x)`` has a closed form; tolerance rtol 1e-7 at solver rtol 1e-10 (the engine's ladder,
see test_engine.py). The SBML Test Suite's rateOf cases (CSymbolRateOf) run in
test_sbml_test_suite.py.
"""

from __future__ import annotations

import numpy as np
import pytest

import her2sim as hs
from her2sim.errors import Her2simError, UnsupportedFeatureError
from her2sim.model import (
    AssignmentRule,
    Compartment,
    Model,
    Parameter,
    RateRule,
    Reaction,
    Species,
    parse,
)

TIGHT = dict(rtol=1e-10, atol=1e-14)
T = np.linspace(0.0, 10.0, 11)


def test_rate_of_a_rate_rule_target_is_the_rule():
    """dp1/dt = 0.01 p1, p2 = rateOf(p1): p2 = 0.01 exp(0.01 t)."""
    m = Model(
        "rate_rule",
        parameters=(Parameter("p1", 1.0, constant=False), Parameter("p2", 0.0, constant=False)),
        rate_rules=(RateRule("p1", parse("0.01*p1")),),
        assignment_rules=(AssignmentRule("p2", parse("rateOf(p1)")),),
    )
    ds = hs.simulate(m, T, outputs=["p2"], **TIGHT)
    np.testing.assert_allclose(ds["p2"].values, 0.01 * np.exp(0.01 * T), rtol=1e-7)


def decay(rule: str, *, volume_rate: float = 0.0) -> Model:
    """A -> (rate k [A] V) in compartment c of size 2 (growing at volume_rate if non-zero)."""
    comp = Compartment("c", 2.0, constant=volume_rate == 0.0)
    return Model(
        "decay",
        compartments=(comp,),
        species=(Species("A", "c", 3.0),),
        parameters=(Parameter("k", 0.3), Parameter("y", 0.0, constant=False)),
        reactions=(Reaction("r", (("A", 1),), (), parse("k*A*c")),),
        assignment_rules=(AssignmentRule("y", parse(rule)),),
        rate_rules=(RateRule("c", parse(str(volume_rate))),) if volume_rate else (),
    )


def test_rate_of_a_species_is_the_rate_of_its_concentration():
    """[A] = 3 exp(-0.3 t): rateOf(A) = -0.3 [A] (concentration, not amount)."""
    ds = hs.simulate(decay("rateOf(A)"), T, outputs=["y", "A"], **TIGHT)
    np.testing.assert_allclose(ds["A"].values, 3.0 * np.exp(-0.3 * T), rtol=1e-7)
    np.testing.assert_allclose(ds["y"].values, -0.9 * np.exp(-0.3 * T), rtol=1e-7)


def test_rate_of_a_species_in_a_growing_compartment_includes_dilution():
    """dV/dt = 0.5 with no reaction flux change in amount n: d[A]/dt = dn/dt / V - [A] dV/dt / V.
    With rate k [A] V: dn/dt = -k n, so n = 6 exp(-0.3 t), V = 2 + 0.5 t,
    rateOf(A) = (-0.3 n - 0.5 n / V) / V."""
    ds = hs.simulate(decay("rateOf(A)", volume_rate=0.5), T, outputs=["y"], **TIGHT)
    n = 6.0 * np.exp(-0.3 * T)
    v = 2.0 + 0.5 * T
    np.testing.assert_allclose(ds["y"].values, (-0.3 * n - 0.5 * n / v) / v, rtol=1e-7)


def test_rate_of_an_assignment_rule_target_follows_the_chain_rule():
    """z = A^2 + time: rateOf(z) = 2 [A] d[A]/dt + 1 = -0.6 [A]^2 + 1."""
    base = decay("0")
    m = Model(
        "chain",
        compartments=base.compartments,
        species=base.species,
        parameters=base.parameters + (Parameter("z", 0.0, constant=False),),
        reactions=base.reactions,
        assignment_rules=(AssignmentRule("y", parse("rateOf(z)")), AssignmentRule("z", parse("A^2 + time"))),
    )
    ds = hs.simulate(m, T, outputs=["y"], **TIGHT)
    a = 3.0 * np.exp(-0.3 * T)
    np.testing.assert_allclose(ds["y"].values, -0.6 * a**2 + 1.0, rtol=1e-7)


def test_rate_of_a_constant_is_zero():
    ds = hs.simulate(decay("rateOf(k)"), T, outputs=["y"], **TIGHT)
    assert np.all(ds["y"].values == 0.0)


def test_rate_of_in_a_kinetic_law():
    """B is made at rate -rateOf(A) (in amounts: -V d[A]/dt = 0.3 n): A + B is conserved."""
    m = decay("0")
    m = m.replace(
        species=m.species + (Species("B", "c", 0.0),),
        reactions=m.reactions + (Reaction("make_B", (), (("B", 1),), parse("-rateOf(A)*c")),),
    )
    ds = hs.simulate(m, T, outputs=["A", "B"], **TIGHT)
    np.testing.assert_allclose(ds["A"].values + ds["B"].values, 3.0, rtol=1e-8)


def test_rate_of_that_needs_itself_is_refused_with_the_loop():
    m = Model(
        "loop",
        parameters=(Parameter("x", 1.0, constant=False),),
        rate_rules=(RateRule("x", parse("1 + rateOf(x)")),),
    )
    with pytest.raises(UnsupportedFeatureError, match=r"rateOf\(x\).*algebraic loop"):
        hs.simulate(m, T)


def test_rate_of_needs_an_identifier():
    with pytest.raises(Her2simError, match="rateOf"):
        parse("rateOf(2*x)")


def test_rate_of_round_trips_through_sbml():
    """write_sbml writes the rateOf csymbol; read back, the model simulates the same (oracle:
    the analytic p2 = 0.01 exp(0.01 t) of the first test)."""
    m = Model(
        "rate_rule",
        parameters=(Parameter("p1", 1.0, constant=False), Parameter("p2", 0.0, constant=False)),
        rate_rules=(RateRule("p1", parse("0.01*p1")),),
        assignment_rules=(AssignmentRule("p2", parse("rateOf(p1)")),),
    )
    text = hs.write_sbml(m)
    assert "http://www.sbml.org/sbml/symbols/rateOf" in text
    ds = hs.simulate(hs.read_sbml(text), T, outputs=["p2"], **TIGHT)
    np.testing.assert_allclose(ds["p2"].values, 0.01 * np.exp(0.01 * T), rtol=1e-7)
