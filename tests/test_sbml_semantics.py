"""SBML semantics that the SBML Test Suite exercises, each on a minimal model with a hand-derived
oracle (the SBML L3V2 specification; sections cited per test).

Solver tolerances rtol 1e-10 / atol 1e-14; event results are exact assignments, compared at 1e-12.
"""

from __future__ import annotations

import numpy as np
import pytest

import her2sim as hs
from her2sim.errors import UnsupportedFeatureError, UnsupportedFeatureWarning, ValidationError

RTOL, ATOL = 1e-10, 1e-14
EXACT = 1e-12  # relative; event assignments are exact arithmetic


def _doc(body: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">
  <model id="m">
    {body}
  </model>
</sbml>"""


def _math(inner: str) -> str:
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML">{inner}</math>'


TIME = '<csymbol encoding="text" definitionURL="http://www.sbml.org/sbml/symbols/time">time</csymbol>'


def _params(**values: float) -> str:
    return "<listOfParameters>" + "".join(
        f'<parameter id="{k}" value="{v}" constant="false"/>' for k, v in values.items()
    ) + "</listOfParameters>"


def _event(eid: str, trigger: str, assignments: dict[str, str], *, priority: str | None = None,
           persistent: bool = True, trigger_time_values: bool = True) -> str:
    prio = f"<priority>{_math(priority)}</priority>" if priority is not None else ""
    assigns = "".join(
        f'<eventAssignment variable="{v}">{_math(m)}</eventAssignment>' for v, m in assignments.items()
    )
    return (
        f'<event id="{eid}" useValuesFromTriggerTime="{str(trigger_time_values).lower()}">'
        f'<trigger initialValue="true" persistent="{str(persistent).lower()}">{_math(trigger)}</trigger>'
        f"{prio}<listOfEventAssignments>{assigns}</listOfEventAssignments></event>"
    )


AT_1 = f"<apply><geq/>{TIME}<cn>1</cn></apply>"


def _final(text: str, *names: str) -> list[float]:
    model = hs.read_sbml(text)
    ds = hs.simulate(model, [0.0, 0.5, 2.0], outputs=list(names), rtol=RTOL, atol=ATOL)
    return [float(ds[n].values[-1]) for n in names]


def test_avogadro_is_the_sbml_value() -> None:
    # SBML L3V2 section 3.4.6: avogadro = 6.02214179e23 (not the 2019 SI 6.02214076e23)
    text = _doc(
        _params(N=0)
        + '<listOfInitialAssignments><initialAssignment symbol="N">'
        + _math('<csymbol encoding="text" definitionURL="http://www.sbml.org/sbml/symbols/avogadro">a</csymbol>')
        + "</initialAssignment></listOfInitialAssignments>"
    )
    (n,) = _final(text, "N")
    assert n == pytest.approx(6.02214179e23, rel=EXACT)


def test_local_parameter_shadows_species_reference_id() -> None:
    # Section 3.3.1: a local parameter shadows every other id in its kinetic law, also a species
    # reference of the same id. Rate 1/k0 with the local k0 = 3 (not the stoichiometry 1):
    # S2(t) = t / 3 in a unit compartment.
    text = _doc(
        '<listOfCompartments><compartment id="c" size="1" constant="true"/></listOfCompartments>'
        '<listOfSpecies>'
        '<species id="S1" compartment="c" initialAmount="10" hasOnlySubstanceUnits="true" boundaryCondition="true" constant="false"/>'
        '<species id="S2" compartment="c" initialAmount="0" hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false"/>'
        '</listOfSpecies><listOfReactions><reaction id="J0" reversible="false">'
        '<listOfReactants><speciesReference id="k0" species="S1" stoichiometry="1" constant="true"/></listOfReactants>'
        '<listOfProducts><speciesReference species="S2" stoichiometry="1" constant="true"/></listOfProducts>'
        '<kineticLaw>' + _math("<apply><divide/><cn>1</cn><ci>k0</ci></apply>")
        + '<listOfLocalParameters><localParameter id="k0" value="3"/></listOfLocalParameters>'
        '</kineticLaw></reaction></listOfReactions>'
    )
    (s2,) = _final(text, "S2")
    assert s2 == pytest.approx(2.0 / 3.0, rel=1e-8)


FAST = _doc(
    '<listOfCompartments><compartment id="c" size="1" constant="true"/></listOfCompartments>'
    '<listOfSpecies>'
    '<species id="A" compartment="c" initialAmount="1" hasOnlySubstanceUnits="false" boundaryCondition="false" constant="false"/>'
    '</listOfSpecies><listOfReactions><reaction id="Rfast" reversible="false" fast="true">'
    '<listOfReactants><speciesReference species="A" stoichiometry="1" constant="true"/></listOfReactants>'
    '<kineticLaw>' + _math("<ci>A</ci>") + '</kineticLaw></reaction></listOfReactions>'
).replace("level3/version2/core\" level=\"3\" version=\"2\"", "level3/version1/core\" level=\"3\" version=\"1\"")


def test_fast_reaction_is_equilibrium_refused_or_kinetic_by_explicit_choice() -> None:
    # fast="true" means rapid equilibrium (L3V1 section 4.11.4): by default A -> (rate A) is at
    # equilibrium, A = 0, from t0 on (oracle: the constraint itself). Running it as ordinary
    # kinetics is a different model, so it is an explicit choice, with a warning.
    ds = hs.simulate(hs.read_sbml(FAST), [0.0, 1.0], outputs=["A"], rtol=RTOL, atol=ATOL)
    assert np.all(ds["A"].values == 0.0)
    with pytest.raises(UnsupportedFeatureError, match="reaction 'Rfast' has fast"):
        hs.read_sbml(FAST, fast_reactions="refuse")
    with pytest.warns(UnsupportedFeatureWarning, match='1 of 1 reactions have fast="true"'):
        model = hs.read_sbml(FAST, fast_reactions="kinetic")
    assert model.reactions[0].id == "Rfast" and not model.reactions[0].fast
    with pytest.raises(ValidationError, match="fast_reactions must be 'equilibrium', 'refuse' or 'kinetic'"):
        hs.read_sbml(FAST, fast_reactions="rapid")


def test_priorities_order_simultaneous_events() -> None:
    # Section 4.12.5: simultaneous events execute highest priority first. Both use values from
    # the time of execution: x = 1 -> (x + 1 = 2, priority 2) -> (2 x = 4, priority 1). In file
    # order it would be 3.
    events = (
        _event("double", AT_1, {"x": "<apply><times/><cn>2</cn><ci>x</ci></apply>"}, priority="<cn>1</cn>",
               trigger_time_values=False)
        + _event("inc", AT_1, {"x": "<apply><plus/><ci>x</ci><cn>1</cn></apply>"}, priority="<cn>2</cn>",
                 trigger_time_values=False)
    )
    (x,) = _final(_doc(_params(x=1) + f"<listOfEvents>{events}</listOfEvents>"), "x")
    assert x == pytest.approx(4.0, rel=EXACT)


def test_simultaneous_events_use_values_from_trigger_time() -> None:
    # Section 4.12.4: with useValuesFromTriggerTime the assignment values are computed when the
    # event triggers, before any simultaneous event executes: inc computes 2, double computes 2;
    # double executes last -> x = 2.
    events = (
        _event("double", AT_1, {"x": "<apply><times/><cn>2</cn><ci>x</ci></apply>"}, priority="<cn>1</cn>")
        + _event("inc", AT_1, {"x": "<apply><plus/><ci>x</ci><cn>1</cn></apply>"}, priority="<cn>2</cn>")
    )
    (x,) = _final(_doc(_params(x=1) + f"<listOfEvents>{events}</listOfEvents>"), "x")
    assert x == pytest.approx(2.0, rel=EXACT)


def test_state_dependent_priority() -> None:
    # Priorities are evaluated when the choice is made (section 4.12.5): "a" has priority x
    # (= 5 at the time), "b" a constant 3, so "a" goes first: y = 10 then y = y + 1 = 11.
    events = (
        _event("b", AT_1, {"y": "<apply><plus/><ci>y</ci><cn>1</cn></apply>"}, priority="<cn>3</cn>",
               trigger_time_values=False)
        + _event("a", AT_1, {"y": "<cn>10</cn>"}, priority="<ci>x</ci>", trigger_time_values=False)
    )
    (y,) = _final(_doc(_params(x=5, y=0) + f"<listOfEvents>{events}</listOfEvents>"), "y")
    assert y == pytest.approx(11.0, rel=EXACT)


def test_event_cascade_fires_at_the_same_time() -> None:
    # An execution that makes another trigger true makes that event pending at the same time
    # (section 4.12.5): flag = 1 at t = 1 triggers y = 7.
    events = _event("set", AT_1, {"flag": "<cn>1</cn>"}) + _event(
        "follow", "<apply><gt/><ci>flag</ci><cn>0.5</cn></apply>", {"y": "<cn>7</cn>"}
    )
    flag, y = _final(_doc(_params(flag=0, y=0) + f"<listOfEvents>{events}</listOfEvents>"), "flag", "y")
    assert (flag, y) == (1.0, 7.0)


@pytest.mark.parametrize(("persistent", "expected"), [(False, 0.0), (True, 7.0)])
def test_non_persistent_event_is_dropped_when_its_trigger_turns_false(persistent: bool, expected: float) -> None:
    # "set" (priority 3) raises flag, which triggers "watch" (priority 1); "reset" (priority 2)
    # lowers flag before "watch" executes. A non-persistent "watch" is then dropped (section
    # 4.12.2); a persistent one still executes.
    events = (
        _event("set", AT_1, {"flag": "<cn>1</cn>"}, priority="<cn>3</cn>")
        + _event("reset", AT_1, {"flag": "<cn>0</cn>"}, priority="<cn>2</cn>")
        + _event("watch", "<apply><gt/><ci>flag</ci><cn>0.5</cn></apply>", {"y": "<cn>7</cn>"},
                 priority="<cn>1</cn>", persistent=persistent)
    )
    (y,) = _final(_doc(_params(flag=0, y=0) + f"<listOfEvents>{events}</listOfEvents>"), "y")
    assert y == expected


def test_event_semantics_survive_write_and_read() -> None:
    events = _event("a", AT_1, {"y": "<cn>10</cn>"}, priority="<ci>x</ci>", persistent=False,
                    trigger_time_values=False)
    model = hs.read_sbml(_doc(_params(x=5, y=0) + f"<listOfEvents>{events}</listOfEvents>"))
    again = hs.read_sbml(hs.write_sbml(model))
    (ev,) = again.events
    assert (ev.persistent, ev.use_values_from_trigger_time, str(ev.priority)) == (False, False, "x")


def test_conversion_factors_scale_reaction_contributions() -> None:
    # SBML L3V2 section 4.11.7: a species changes by its conversion factor (its own, else the
    # model's) times the reactions' contributions. A -> B at rate k A (amounts), A with the model
    # factor 0.5, B with its own factor 2: A = A0 exp(-0.5 k t), B = 2 (A0 - A) / 0.5.
    text = _doc(
        '<listOfCompartments><compartment id="c" size="1" constant="true"/></listOfCompartments>'
        '<listOfSpecies>'
        '<species id="A" compartment="c" initialAmount="10" hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false"/>'
        '<species id="B" compartment="c" initialAmount="0" hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false" conversionFactor="fb"/>'
        '</listOfSpecies><listOfParameters>'
        '<parameter id="k" value="0.3" constant="true"/><parameter id="fm" value="0.5" constant="true"/>'
        '<parameter id="fb" value="2" constant="true"/></listOfParameters>'
        '<listOfReactions><reaction id="R" reversible="false">'
        '<listOfReactants><speciesReference species="A" stoichiometry="1" constant="true"/></listOfReactants>'
        '<listOfProducts><speciesReference species="B" stoichiometry="1" constant="true"/></listOfProducts>'
        '<kineticLaw>' + _math("<apply><times/><ci>k</ci><ci>A</ci></apply>") + '</kineticLaw></reaction></listOfReactions>'
    ).replace('<model id="m">', '<model id="m" conversionFactor="fm">')
    model = hs.read_sbml(text)
    assert [s.conversion_factor for s in model.species] == ["fm", "fb"]
    t = np.array([0.0, 1.0, 5.0])
    ds = hs.simulate(model, t, outputs=["A", "B"], rtol=RTOL, atol=ATOL)
    a = 10 * np.exp(-0.5 * 0.3 * t)
    np.testing.assert_allclose(ds["A"].values, a, rtol=1e-8)
    np.testing.assert_allclose(ds["B"].values, 2 * (10 - a) / 0.5, rtol=1e-8)
    again = hs.read_sbml(hs.write_sbml(model))
    assert [s.conversion_factor for s in again.species] == ["fm", "fb"]


def _stoichiometry_model(rules: str) -> str:
    return _doc(
        '<listOfCompartments><compartment id="c" size="1" constant="true"/></listOfCompartments>'
        '<listOfSpecies>'
        '<species id="B" compartment="c" initialAmount="0" hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false"/>'
        '</listOfSpecies><listOfParameters><parameter id="k" value="0.5" constant="true"/></listOfParameters>'
        + rules
        + '<listOfReactions><reaction id="R" reversible="false">'
        '<listOfProducts><speciesReference id="nB" species="B" stoichiometry="1" constant="false"/></listOfProducts>'
        '<kineticLaw>' + _math("<ci>k</ci>") + '</kineticLaw></reaction></listOfReactions>'
    )


def test_stoichiometry_set_by_an_assignment_rule() -> None:
    # SBML L3V2 section 4.11.3: a species reference id is a variable; here nB = 1 + t, so
    # dB/dt = k (1 + t) and B(t) = k (t + t^2 / 2).
    rule = (
        '<listOfRules><assignmentRule variable="nB">'
        + _math(f"<apply><plus/><cn>1</cn>{TIME}</apply>")
        + "</assignmentRule></listOfRules>"
    )
    model = hs.read_sbml(_stoichiometry_model(rule))
    assert model.reactions[0].variable_stoichiometry == (("product", 0, "nB"),)
    t = np.array([0.0, 1.0, 3.0])
    ds = hs.simulate(model, t, outputs=["B", "nB"], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(ds["B"].values, 0.5 * (t + t**2 / 2), rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(ds["nB"].values, 1 + t, rtol=EXACT)
    with pytest.raises(UnsupportedFeatureError, match="variable stoichiometry"):
        hs.write_sbml(model)


def test_stoichiometry_set_by_an_initial_assignment() -> None:
    # nB = 3 from t0 on: B(t) = 3 k t.
    ia = '<listOfInitialAssignments><initialAssignment symbol="nB">' + _math("<cn>3</cn>") + (
        "</initialAssignment></listOfInitialAssignments>"
    )
    ds = hs.simulate(hs.read_sbml(_stoichiometry_model(ia)), [0.0, 2.0], outputs=["B"], rtol=RTOL, atol=ATOL)
    assert float(ds["B"].values[-1]) == pytest.approx(3 * 0.5 * 2.0, rel=1e-8)


def _delayed(event: str, delay: str) -> str:
    return event.replace("<trigger", f"<delay>{_math(delay)}</delay><trigger", 1)


def test_delayed_event_queues_every_trigger() -> None:
    # SBML L3V2 section 4.12.3: each trigger of a delayed event queues one execution, delay later.
    # sin(10 t) < 0 rises at t = k pi / 10 for odd k (0.314, 0.942, 1.571, 2.199, 2.827); with
    # delay 1 the increments x = x + 1 (values at execution) land at 1.314, 1.942, 2.571, 3.199,
    # 3.827: x(3) = 3, x(4) = 5 -- even though the trigger rises and falls inside solver steps.
    trigger = f"<apply><lt/><apply><sin/><apply><times/><cn>10</cn>{TIME}</apply></apply><cn>0</cn></apply>"
    event = _delayed(
        _event("e", trigger, {"x": "<apply><plus/><ci>x</ci><cn>1</cn></apply>"}, trigger_time_values=False),
        "<cn>1</cn>",
    )
    model = hs.read_sbml(_doc(_params(x=0) + f"<listOfEvents>{event}</listOfEvents>"))
    ds = hs.simulate(model, [0.0, 1.3, 1.33, 3.0, 4.0], outputs=["x"], rtol=RTOL, atol=ATOL)
    np.testing.assert_array_equal(ds["x"].values, [0.0, 0.0, 1.0, 3.0, 5.0])


def test_delayed_event_uses_values_from_trigger_time() -> None:
    # At t = 1, y := x with delay 2, values from trigger time: x = t (rate rule) is 1 then, so
    # y(3) = 1; with values from execution time y(3) = 3.
    out = []
    for at_trigger in (True, False):
        event = _delayed(
            _event("e", AT_1, {"y": "<ci>x</ci>"}, trigger_time_values=at_trigger), "<cn>2</cn>"
        )
        rule = '<listOfRules><rateRule variable="x">' + _math("<cn>1</cn>") + "</rateRule></listOfRules>"
        model = hs.read_sbml(_doc(_params(x=0, y=0) + rule + f"<listOfEvents>{event}</listOfEvents>"))
        ds = hs.simulate(model, [0.0, 2.9, 3.5], outputs=["y"], rtol=RTOL, atol=ATOL)
        out.append(ds["y"].values)
    np.testing.assert_allclose(out[0], [0.0, 0.0, 1.0], rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(out[1], [0.0, 0.0, 3.0], rtol=1e-8, atol=1e-12)


def test_rate_rule_on_a_species_in_a_growing_compartment() -> None:
    # A rate rule on a species (hasOnlySubstanceUnits false) sets d[S]/dt (SBML L3V2 section
    # 4.9.4). d[S]/dt = 0 while dV/dt = 1: the concentration stays 2 and the amount is 2 (1 + t).
    text = _doc(
        '<listOfCompartments><compartment id="V" size="1" constant="false"/></listOfCompartments>'
        '<listOfSpecies><species id="S" compartment="V" initialConcentration="2" '
        'hasOnlySubstanceUnits="false" boundaryCondition="false" constant="false"/></listOfSpecies>'
        '<listOfRules><rateRule variable="S">' + _math("<cn>0</cn>") + "</rateRule>"
        '<rateRule variable="V">' + _math("<cn>1</cn>") + "</rateRule></listOfRules>"
    )
    ds = hs.simulate(hs.read_sbml(text), [0.0, 1.0, 4.0], outputs=["S", "V"], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(ds["S"].values, [2.0, 2.0, 2.0], rtol=1e-8)
    np.testing.assert_allclose(ds["V"].values, [1.0, 2.0, 5.0], rtol=1e-8)


def test_jacobian_of_a_hill_term_is_finite_at_a_zero_state() -> None:
    # d/dp (p/K)^h must be generated as h (p/K)^(h-1) / K, not h (p/K)^h / p (0/0 at p = 0, a
    # NaN Jacobian that made the solver fail). p' = 1 from p = 0 and A' = (p/K)^2.5 give
    # A(t) = t^3.5 / (3.5 K^2.5).
    m = hs.Model(
        "hill0",
        compartments=(hs.Compartment("c"),),
        species=(hs.Species("p", "c", 0.0), hs.Species("A", "c", 0.0)),
        parameters=(hs.Parameter("K", 2.0), hs.Parameter("h", 2.5)),
        reactions=(
            hs.Reaction("make_p", (), (("p", 1),), hs.model.parse("1")),
            hs.Reaction("make_A", (), (("A", 1),), hs.model.parse("(p/K)^h")),
        ),
    )
    t = np.array([0.0, 1.0, 3.0])
    ds = hs.simulate(m, t, outputs=["A"], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(ds["A"].values, t**3.5 / (3.5 * 2.0**2.5), rtol=1e-6, atol=1e-12)


def test_event_without_trigger_never_fires() -> None:
    # L3V2 section 4.12.2: the trigger is optional; an event without one never executes.
    text = _doc(
        _params(p=3)
        + '<listOfEvents><event id="E0" useValuesFromTriggerTime="true"><listOfEventAssignments>'
        '<eventAssignment variable="p">' + _math("<cn>2</cn>") + "</eventAssignment>"
        "</listOfEventAssignments></event></listOfEvents>"
    )
    model = hs.read_sbml(text)
    assert model.events == ()
    assert any("E0" in item and "no trigger" in item for item in model.metadata["sbml_ignored"])
    assert _final(text, "p") == [3.0]
    # before L3V2 the trigger is required: an error, not a silent no-op
    l3v1 = text.replace("level3/version2/core\" level=\"3\" version=\"2\"", "level3/version1/core\" level=\"3\" version=\"1\"")
    with pytest.raises(hs.errors.ModelError, match="E0"):
        hs.read_sbml(l3v1)


def test_constraint_without_math_is_ignored_and_one_with_math_refused() -> None:
    # L3V2 section 4.1: an element whose math is missing imposes nothing. A constraint with math
    # does not change the dynamics either, but her2sim does not check it: refused, by id.
    empty = _doc(_params(p=3) + "<listOfConstraints><constraint/></listOfConstraints>")
    assert _final(empty, "p") == [3.0]
    checked = _doc(
        _params(p=3) + '<listOfConstraints><constraint id="positive">'
        + _math("<apply><gt/><ci>p</ci><cn>0</cn></apply>") + "</constraint></listOfConstraints>"
    )
    with pytest.raises(UnsupportedFeatureError, match=r"constraint 'positive' \(p > 0\)"):
        hs.read_sbml(checked)


def test_dangling_unit_reference_is_a_warning_not_an_error() -> None:
    # An L3 model keeping L2's built-in "area" as areaUnits (SBML Test Suite 00959): libSBML
    # reports a dangling unit reference (rule 10313). Units are labels to her2sim, so the math is
    # unchanged; the reference is reported as a warning naming the unit.
    text = _doc(_params(p=3)).replace('<model id="m">', '<model id="m" areaUnits="area">')
    with pytest.warns(hs.errors.Her2simWarning, match="areaUnits 'area'"):
        assert _final(text, "p") == [3.0]


def test_a_component_named_time_is_read_under_another_id() -> None:
    # SBML allows the id "time" (it is not the time csymbol); a result cannot hold a variable of
    # that name next to its time coordinate, so read_sbml(rename=...) gives it another id, with
    # every reference. Oracle: a = <ci>time</ci> is the parameter (10), d = <csymbol time> is t0 (0).
    text = _doc(
        '<listOfParameters><parameter id="time" value="10" constant="true"/>'
        '<parameter id="a" constant="true"/><parameter id="d" constant="true"/></listOfParameters>'
        '<listOfInitialAssignments><initialAssignment symbol="a">' + _math("<ci>time</ci>")
        + '</initialAssignment><initialAssignment symbol="d">' + _math(TIME)
        + "</initialAssignment></listOfInitialAssignments>"
    )
    with pytest.raises(ValidationError, match="named 'time'"):
        hs.simulate(hs.read_sbml(text), [0.0, 1.0], outputs=["time"])
    model = hs.read_sbml(text, rename={"time": "time_value"})
    ds = hs.simulate(model, [0.0, 1.0], outputs=["time_value", "a", "d"], rtol=RTOL, atol=ATOL)
    assert ds["time_value"].values.tolist() == [10.0, 10.0]
    assert ds["a"].values.tolist() == [10.0, 10.0]
    assert ds["d"].values.tolist() == [0.0, 0.0]
    with pytest.raises(hs.errors.UnknownNameError, match="Did you mean 'time'"):
        hs.read_sbml(text, rename={"tme": "x"})
    with pytest.raises(ValidationError, match="'a' is taken"):
        hs.read_sbml(text, rename={"time": "a"})
    with pytest.raises(ValidationError, match="not an SBML id"):
        hs.read_sbml(text, rename={"time": "2x"})
    with pytest.raises(ValidationError, match="same new id"):
        hs.read_sbml(text, rename={"time": "x", "a": "x"})
