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
    """A one-compartment (size 1) SBML L3V2 model.

    species: (id, initial amount, boundary); params: (id, value or None, constant);
    reactions: (id, {reactant: stoich}, {product: stoich}, rate formula, fast).
    """
    doc = libsbml.SBMLDocument(3, 2)
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
        if fast:
            r.setFast(True)
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
