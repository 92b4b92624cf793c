"""SBML algebraic rules (L3V2 section 4.11.5) and rapid-equilibrium (fast) reactions.

An algebraic rule determines the one variable the specification's matching leaves to it; her2sim
solves the constraints in closed form (sympy) into assignment rules, and refuses what it cannot
solve, naming the rule. Oracles: analytic solutions of the reduced ODE (stated per test);
tolerance rtol 1e-7 at solver rtol 1e-10. The suite's AlgebraicRule and FastReaction cases run in
test_sbml_test_suite.py.
"""

from __future__ import annotations

import libsbml
import numpy as np
import pytest

import her2sim as hs
from her2sim.errors import ModelError, UnsupportedFeatureError

TIGHT = dict(rtol=1e-10, atol=1e-14)
T = np.linspace(0.0, 5.0, 11)


def _names(node):
    for i in range(node.getNumChildren()):
        child = node.getChild(i)
        yield child
        yield from _names(child)


def sbml(*, species=(), params=(), reactions=(), algebraic=(), assignment=()) -> str:
    """A one-compartment (size 1) SBML L3V2 model (L3V1 with fast reactions).

    species: (id, initial amount, boundary); params: (id, value or None, constant);
    reactions: (id, {reactant: stoich}, {product: stoich}, rate formula, fast).
    """
    # L3V2 has no fast attribute: models with fast reactions are written as L3V1
    doc = libsbml.SBMLDocument(3, 1 if any(r[4] for r in reactions) else 2)
    m = doc.createModel()
    m.setId("m")
    c = m.createCompartment()
    c.setId("c"), c.setSize(1.0), c.setConstant(True)
    for sid, amount, boundary in species:
        s = m.createSpecies()
        s.setId(sid), s.setCompartment("c"), s.setInitialAmount(amount)
        s.setHasOnlySubstanceUnits(False), s.setBoundaryCondition(boundary), s.setConstant(False)
    for pid, value, constant in params:
        p = m.createParameter()
        p.setId(pid), p.setConstant(constant)
        if value is not None:
            p.setValue(value)
    for rid, reactants, products, rate, fast in reactions:
        r = m.createReaction()
        r.setId(rid), r.setReversible(True)
        if doc.getVersion() == 1:
            r.setFast(fast)
        for sid, st in reactants.items():
            ref = r.createReactant()
            ref.setSpecies(sid), ref.setStoichiometry(st), ref.setConstant(True)
        for sid, st in products.items():
            ref = r.createProduct()
            ref.setSpecies(sid), ref.setStoichiometry(st), ref.setConstant(True)
        law = libsbml.parseL3Formula(rate)
        names = {law.getName()} | {n.getName() for n in _names(law)}
        for sid, _, _ in species:
            if sid in names and sid not in reactants and sid not in products:
                r.createModifier().setSpecies(sid)
        r.createKineticLaw().setMath(law)
    for formula in algebraic:
        m.createAlgebraicRule().setMath(libsbml.parseL3Formula(formula))
    for var, formula in assignment:
        rule = m.createAssignmentRule()
        rule.setVariable(var), rule.setMath(libsbml.parseL3Formula(formula))
    return libsbml.writeSBMLToString(doc)


def test_algebraic_rule_determines_the_species_no_reaction_changes():
    """S1 + S2 = k1 with S1 made at rate k2 S2: S2 = k1 - S1 and dS1/dt = k2 (k1 - S1), so
    S1 = k1 - (k1 - S1(0)) exp(-k2 t) (SBML Test Suite case 00039's model)."""
    text = sbml(
        species=[("S1", 0.5, False), ("S2", 0.5, False)],
        params=[("k1", 1.0, True), ("k2", 1.0, True)],
        reactions=[("r", {}, {"S1": 1}, "c*k2*S2", False)],
        algebraic=["S1 + S2 - k1"],
    )
    ds = hs.simulate(hs.read_sbml(text), T, outputs=["S1", "S2"], **TIGHT)
    s1 = 1.0 - 0.5 * np.exp(-T)
    np.testing.assert_allclose(ds["S1"].values, s1, rtol=1e-7)
    # S2 = k1 - S1 inherits S1's absolute error (~1e-10 here), not a relative one
    np.testing.assert_allclose(ds["S2"].values, 1.0 - s1, rtol=0, atol=1e-8)


def test_parameters_without_values_solved_together():
    """x + y = 3 and x - y = 1 (two rules, both variables undeclared): x = 2, y = 1."""
    text = sbml(params=[("x", None, False), ("y", None, False)], algebraic=["x + y - 3", "x - y - 1"])
    ds = hs.simulate(hs.read_sbml(text), T, outputs=["x", "y"], **TIGHT)
    np.testing.assert_allclose(ds["x"].values, 2.0, rtol=1e-12)
    np.testing.assert_allclose(ds["y"].values, 1.0, rtol=1e-12)


def test_overdetermined_model_is_refused():
    """S is changed by a reaction, k is constant: nothing is left for the rule to determine."""
    text = sbml(
        species=[("S", 1.0, False)],
        params=[("k", 1.0, True)],
        reactions=[("r", {"S": 1}, {}, "k*S", False)],
        algebraic=["S - k"],
    )
    with pytest.raises(ModelError, match="overdetermined"):
        hs.read_sbml(text)


def test_constraint_with_several_solutions_is_refused_naming_the_rule():
    text = sbml(params=[("x", 1.0, False)], algebraic=["x^2 - 4"])
    with pytest.raises(UnsupportedFeatureError, match=r"algebraic rule.*\['x'\].*2 solutions"):
        hs.read_sbml(text)


def test_rule_prefers_the_variable_without_a_declared_value():
    """0 = k - 2 p with p declared (1) and k undeclared: k is the one left undetermined, so the
    rule determines k = 2 p = 2 (and p keeps its value)."""
    text = sbml(params=[("p", 1.0, False), ("k", None, False)], algebraic=["k - 2*p"])
    ds = hs.simulate(hs.read_sbml(text), T, outputs=["k", "p"], **TIGHT)
    np.testing.assert_allclose(ds["k"].values, 2.0, rtol=1e-12)
    np.testing.assert_allclose(ds["p"].values, 1.0, rtol=1e-12)


# ------------------------------------------------------------------ fast reactions


def test_fast_reaction_equilibrium_with_slow_drain_matches_the_reduced_solution():
    """A <-> B fast (kf A - kr B), B -> C slow (k B). Rapid equilibrium: B = f P with P = A + B and
    f = kf / (kf + kr); dP/dt = -k f P, so P = P0 exp(-k f t), A = (1 - f) P, C = P0 - P.
    Declared A(0) = 1, B(0) = 0 (not at equilibrium): the model starts at the equilibrium of
    the pool, A(0) = 1 - f."""
    kf, kr, k = 2.0, 1.0, 0.5
    text = sbml(
        species=[("A", 1.0, False), ("B", 0.0, False), ("C", 0.0, False)],
        params=[("kf", kf, True), ("kr", kr, True), ("k", k, True)],
        reactions=[("fast", {"A": 1}, {"B": 1}, "kf*A - kr*B", True), ("slow", {"B": 1}, {"C": 1}, "k*B", False)],
    )
    ds = hs.simulate(hs.read_sbml(text), T, outputs=["A", "B", "C"], **TIGHT)
    f = kf / (kf + kr)
    pool = np.exp(-k * f * T)
    np.testing.assert_allclose(ds["A"].values, (1 - f) * pool, rtol=1e-7)
    np.testing.assert_allclose(ds["B"].values, f * pool, rtol=1e-7)
    np.testing.assert_allclose(ds["C"].values, 1 - pool, rtol=1e-7, atol=1e-12)


def test_fast_binding_takes_the_non_negative_root():
    """A + B <-> AB fast (kf A B - kr AB), A0 = 2, B0 = 1, AB0 = 0: the equilibrium is the
    smaller root of AB^2 - (A0 + B0 + Kd) AB + A0 B0 = 0 (Kd = kr / kf), the one root at which
    every species is non-negative; constant in time (no slow reaction)."""
    kd = 0.5
    text = sbml(
        species=[("A", 2.0, False), ("B", 1.0, False), ("AB", 0.0, False)],
        params=[("kf", 1.0, True), ("kr", kd, True)],
        reactions=[("bind", {"A": 1, "B": 1}, {"AB": 1}, "kf*A*B - kr*AB", True)],
    )
    ds = hs.simulate(hs.read_sbml(text), T, outputs=["A", "B", "AB"], **TIGHT)
    s = 2.0 + 1.0 + kd
    ab = (s - np.sqrt(s * s - 4 * 2.0 * 1.0)) / 2
    np.testing.assert_allclose(ds["AB"].values, ab, rtol=1e-10)
    np.testing.assert_allclose(ds["A"].values, 2.0 - ab, rtol=1e-10)
    np.testing.assert_allclose(ds["B"].values, 1.0 - ab, rtol=1e-10)


@pytest.mark.parametrize("constant", [True, False])
@pytest.mark.parametrize("k", [1.0, -1.0])
def test_fast_reaction_with_two_non_negative_roots_takes_the_one_it_reaches(k, constant):
    """A -> B fast at k A B, B drained slowly at d B; A0 = B0 = 5. The equilibrium k A B = 0 has
    two non-negative roots for the pool P = A + B: A = 0 or B = 0. The fast reaction reaches the
    first root in the direction of its rate at t0 (L3V1 section 4.11.4; SBML Test Suite 01399):
    k > 0 drives A to 0, then B = P = 10 exp(-d t) drains; k < 0 drives B to 0, so nothing
    drains and A = 10 for ever. (Before: both roots qualified and the run failed.) A k declared
    constant="false" that nothing changes is as constant (SBML Test Suite 01569; before: refused
    as a switch)."""
    d = 0.3
    text = sbml(
        species=[("A", 5.0, False), ("B", 5.0, False)],
        params=[("k", k, constant), ("d", d, True)],
        reactions=[("fast", {"A": 1}, {"B": 1}, "k*A*B", True), ("drain", {"B": 1}, {}, "d*B", False)],
    )
    ds = hs.simulate(hs.read_sbml(text), T, outputs=["A", "B"], **TIGHT)
    pool = 10 * np.exp(-d * T) if k > 0 else np.full_like(T, 10.0)
    a, b = (np.zeros_like(T), pool) if k > 0 else (pool, np.zeros_like(T))
    np.testing.assert_allclose(ds["A"].values, a, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(ds["B"].values, b, rtol=1e-7, atol=1e-12)


def test_fast_stoichiometry_set_by_a_rule_of_constants_is_constant():
    """2 A -> B fast at A B (stoichiometry of A from an assignment rule s := 1 + 1, a constant),
    A0 = 3, B0 = 3: the pool A + 2 B = 9 and the forward reaction ends at A = 0, B = 4.5 (SBML
    Test Suite 01571). A rule of constants cannot change during the run, so it is no refusal."""
    doc = libsbml.readSBMLFromString(
        sbml(
            species=[("A", 3.0, False), ("B", 3.0, False)],
            reactions=[("fast", {"A": 1}, {"B": 1}, "A*B", True)],
        )
    )
    m = doc.getModel()
    ref = m.getReaction("fast").getReactant(0)
    ref.setId("s"), ref.setConstant(False)
    rule = m.createAssignmentRule()
    rule.setVariable("s"), rule.setMath(libsbml.parseL3Formula("1 + 1"))
    ds = hs.simulate(hs.read_sbml(libsbml.writeSBMLToString(doc)), T, outputs=["A", "B"], **TIGHT)
    np.testing.assert_allclose(ds["A"].values, 0.0, atol=1e-12)
    np.testing.assert_allclose(ds["B"].values, 4.5, rtol=1e-10)


def test_delay_of_fast_species_reads_the_declared_values_before_the_start():
    """A -> B fast at k A, declared A0 = 2, B0 = 3: from t0 on A = 0, B = 5 (the equilibrium of
    the pool). P = delay(A, 1.5) and Q = delay(B + 0, 1.5) through a rule read the history: before
    the start the declared initial values (SBML delay() before t0), so P = 2, Q = 3 until
    t = 1.5, then 0 and 5 (SBML Test Suite 01539). Before: refused."""
    text = sbml(
        species=[("A", 2.0, False), ("B", 3.0, False)],
        params=[("k", 1.0, True), ("P", None, False), ("Q", None, False), ("Bc", None, False)],
        reactions=[("fast", {"A": 1}, {"B": 1}, "k*A", True)],
        assignment=[("P", "delay(A, 1.5)"), ("Bc", "B + 0"), ("Q", "delay(Bc, 1.5)")],
    )
    t = np.array([0.0, 1.0, 1.4, 1.6, 3.0])
    ds = hs.simulate(hs.read_sbml(text), t, outputs=["A", "B", "P", "Q"], **TIGHT)
    np.testing.assert_allclose(ds["A"].values, 0.0, atol=1e-12)
    np.testing.assert_allclose(ds["B"].values, 5.0, rtol=1e-12)
    np.testing.assert_allclose(ds["P"].values, [2.0, 2.0, 2.0, 0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(ds["Q"].values, [3.0, 3.0, 3.0, 5.0, 5.0], rtol=1e-12)


def test_independent_fast_blocks_are_solved_one_by_one_and_a_zero_rate_constrains_nothing():
    """Seven independent fast pairs A_i <-> B_i (kf A_i - kr B_i; 14 species, more than the 12 of
    one closed-form block) from A_i(0) = i, B_i(0) = 0: each at its own equilibrium B_i = f i,
    f = kf / (kf + kr). A fast reaction C -> D whose rate law is 0 * C holds everywhere and so
    constrains nothing: C follows its slow decay, C = exp(-0.5 t), D stays 0 (SBML Test Suite 01565
    has 52 such pairs, two with a rate ln(1) = 0)."""
    kf, kr = 2.0, 1.0
    pairs = range(1, 8)
    text = sbml(
        species=[(f"{x}{i}", float(i) if x == "A" else 0.0, False) for i in pairs for x in "AB"]
        + [("C", 1.0, False), ("D", 0.0, False)],
        params=[("kf", kf, True), ("kr", kr, True)],
        reactions=[(f"fast{i}", {f"A{i}": 1}, {f"B{i}": 1}, f"kf*A{i} - kr*B{i}", True) for i in pairs]
        + [("nothing", {"C": 1}, {"D": 1}, "0*C", True), ("decay", {"C": 1}, {}, "0.5*C", False)],
    )
    outputs = [f"B{i}" for i in pairs] + ["C", "D"]
    ds = hs.simulate(hs.read_sbml(text), T, outputs=outputs, **TIGHT)
    f = kf / (kf + kr)
    for i in pairs:
        np.testing.assert_allclose(ds[f"B{i}"].values, f * i, rtol=1e-10)
    np.testing.assert_allclose(ds["C"].values, np.exp(-0.5 * T), rtol=1e-7)
    np.testing.assert_allclose(ds["D"].values, 0.0, atol=1e-14)


def test_events_on_fast_species_and_stoichiometry_reset_the_pool():
    """nu A -> B fast at rate A (so A = 0 and B = P / nu with the pool P = A + nu B), A0 = 5,
    B0 = 0, nu = 1: B = 5. At t = 1 an event sets A = 5 and nu = 5: the pool after it is
    5 + 5 * 5 = 30 and the reaction re-equilibrates at once, B = 30 / 5 = 6. At t = 2 an event
    sets A = 10 alone: P = 10 + 5 * 6 = 40, B = 8 (SBML L3V1 4.11.4 and 4.12; SBML Test Suite
    01398). Before: refused."""
    doc = libsbml.readSBMLFromString(
        sbml(species=[("A", 5.0, False), ("B", 0.0, False)], reactions=[("fast", {"A": 1}, {"B": 1}, "A", True)])
    )
    m = doc.getModel()
    ref = m.getReaction("fast").getReactant(0)
    ref.setId("nu"), ref.setConstant(False)
    for eid, at, assignments in (("first", 1, {"A": "5", "nu": "5"}), ("second", 2, {"A": "10"})):
        e = m.createEvent()
        e.setId(eid), e.setUseValuesFromTriggerTime(True)
        trig = e.createTrigger()
        trig.setMath(libsbml.parseL3Formula(f"time >= {at}")), trig.setInitialValue(False), trig.setPersistent(True)
        for var, formula in assignments.items():
            ea = e.createEventAssignment()
            ea.setVariable(var), ea.setMath(libsbml.parseL3Formula(formula))
    t = np.array([0.0, 0.5, 1.5, 2.5])
    ds = hs.simulate(hs.read_sbml(libsbml.writeSBMLToString(doc)), t, outputs=["A", "B"], **TIGHT)
    np.testing.assert_allclose(ds["A"].values, 0.0, atol=1e-12)
    np.testing.assert_allclose(ds["B"].values, [5.0, 5.0, 6.0, 8.0], rtol=1e-10)


def test_fast_rate_constant_changed_by_an_event_between_non_zero_values():
    """A <-> B fast at kf A - kr B, kf = 2 set to 4 at t = 1, kr = 1, A0 = 1: the equilibrium
    B = kf / (kf + kr) moves from 2/3 to 4/5 at once; the pool A + B = 1 does not jump. kf takes
    only the values 2 and 4, at both of which the equilibrium is regular, so it is no switch."""
    doc = libsbml.readSBMLFromString(
        sbml(
            species=[("A", 1.0, False), ("B", 0.0, False)],
            params=[("kf", 2.0, False), ("kr", 1.0, True)],
            reactions=[("fast", {"A": 1}, {"B": 1}, "kf*A - kr*B", True)],
        )
    )
    e = doc.getModel().createEvent()
    e.setId("up"), e.setUseValuesFromTriggerTime(True)
    trig = e.createTrigger()
    trig.setMath(libsbml.parseL3Formula("time >= 1")), trig.setInitialValue(False), trig.setPersistent(True)
    ea = e.createEventAssignment()
    ea.setVariable("kf"), ea.setMath(libsbml.parseL3Formula("4"))
    ds = hs.simulate(hs.read_sbml(libsbml.writeSBMLToString(doc)), [0.0, 0.5, 1.5], outputs=["B"], **TIGHT)
    np.testing.assert_allclose(ds["B"].values, [2 / 3, 2 / 3, 4 / 5], rtol=1e-10)


def test_fast_reaction_switched_by_an_event_is_refused():
    """k A = 0 determines A only while k != 0; an event may set k = 0 (the reaction is off and A
    free), where the closed-form A = 0 would be wrong: refused, naming k."""
    doc = libsbml.readSBMLFromString(
        sbml(
            species=[("A", 1.0, False), ("B", 0.0, False)],
            params=[("k", 1.0, False)],
            reactions=[("fast", {"A": 1}, {"B": 1}, "k*A", True)],
        )
    )
    e = doc.getModel().createEvent()
    e.setId("off"), e.setUseValuesFromTriggerTime(True)
    trig = e.createTrigger()
    trig.setMath(libsbml.parseL3Formula("time > 1")), trig.setInitialValue(False), trig.setPersistent(True)
    ea = e.createEventAssignment()
    ea.setVariable("k"), ea.setMath(libsbml.parseL3Formula("0"))
    with pytest.raises(UnsupportedFeatureError, match=r"singular for some values of \['k'\]"):
        hs.read_sbml(libsbml.writeSBMLToString(doc))
