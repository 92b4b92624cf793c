"""SBML import/export (her2sim.io.sbml).

Oracles: libSBML's own element counts (import), libRoadRunner simulating the ORIGINAL file
(round trip through ``write_sbml(read_sbml(f))``), and structural/symbolic equality of the
model read back (``read_sbml(write_sbml(m))``).
"""

from __future__ import annotations

import dataclasses
import time
import warnings
from pathlib import Path

import libsbml
import numpy as np
import pytest
import sympy

from her2sim.errors import ModelError, UnsupportedFeatureError, UnsupportedFeatureWarning
from her2sim.io import read_sbml, write_sbml
from her2sim.model import (
    AssignmentRule,
    Compartment,
    Event,
    InitialAssignment,
    Model,
    Parameter,
    Provenance,
    RateRule,
    Reaction,
    Species,
    TIME,
    parse,
)

roadrunner = pytest.importorskip("roadrunner")

# Peer SBML models (relative to the peer-models folder) and the time span simulated in the
# round-trip test, in each model's own time unit (paper spans where known).
PEER_SBML: dict[str, float] = {
    "hatakeyama2003/BIOMD0000000146.xml": 1800.0,  # HRG response, 30 min (s)
    "faratian2009/BIOMD0000000424.xml": 3600.0,
    "chen2009/BIOMD0000000255.xml": 7200.0,  # A431 time courses to 120 min (s)
    "birtwistle2007/BIOMD0000000175.xml": 1800.0,  # 30 min (s)
    "borisov2009/BIOMD0000000223.xml": 3600.0,  # 60 min (s)
    "fujita2010/BIOMD0000000262.xml": 3600.0,  # EGF step, 60 min (s)
    "fujita2010/BIOMD0000000264.xml": 3600.0,
    "brannmark2013/BIOMD0000000448.xml": 60.0,  # insulin response (min)
    "brannmark2013/BIOMD0000000449.xml": 60.0,
    "kholodenko1999/BIOMD0000000048.xml": 120.0,  # short-term EGFR signalling (s)
    "yip2024-pi3k-network/Integrated_PI3K_Network_Model.xml": 1440.0,
    "petab/Fujita_SciSignal2010/model_Fujita_SciSignal2010.xml": 3600.0,  # last measurement
    "petab/Chen_MSB2009/model_Chen_MSB2009.xml": 9000.0,  # last measurement
    "petab/Raimundez_PCB2020/model_Raimundez_PCB2020.xml": 4320.0,  # last measurement
}
SLOW = {"chen2009/BIOMD0000000255.xml", "petab/Chen_MSB2009/model_Chen_MSB2009.xml"}
# libRoadRunner's dense linear algebra on Chen's 500 species makes rtol 1e-10 take tens of minutes;
# at 1e-8 the reference is still 100x tighter than the 1e-6 (round trip) comparison.
LARGE_SOLVER_RTOL = 1e-8
# libRoadRunner 2.10 (CVODE, and RK45 too) does not get through the 10 ms sinusoidal stimulus ramp at
# t = 1799.99-1800 s of the PEtab version of Chen 2009 within minutes, even at rtol 1e-8, so comparisons
# with it stop before the ramp. The whole span is checked against the collection's own simulation
# (simulatedData_Chen_MSB2009.tsv) in test_petab.py.
ROADRUNNER_SPAN_LIMIT = {"petab/Chen_MSB2009/model_Chen_MSB2009.xml": 1799.0}
FAST_REACTIONS = {"faratian2009/BIOMD0000000424.xml"}
QUAL_FILE = "helikar2013-erbb/model.sbml"

# Solver and comparison tolerances for the roadrunner round trip.
SOLVER_RTOL, SOLVER_ATOL = 1e-10, 1e-12
RTOL = 1e-6  # relative, per point
ATOL_SCALE = 1e-9  # absolute, times the species' largest |value| over the run
ATOL_FLOOR = 100 * SOLVER_ATOL  # values below the solver's absolute tolerance are noise


def _params():
    return [
        pytest.param(name, marks=pytest.mark.slow, id=name) if name in SLOW else pytest.param(name, id=name)
        for name in PEER_SBML
    ]


def _read(path: Path):
    """read_sbml; Faratian 2009 (fast="true" on every reaction, a BioModels export artefact) is
    refused by default (its fast subsystem is too large for a closed-form equilibrium) and read with the
    opt-in kinetic approximation, which warns."""
    if any(str(path).endswith(f) for f in FAST_REACTIONS):
        with pytest.raises(UnsupportedFeatureError, match=r"fast reaction.*fast_reactions='kinetic'"):
            read_sbml(path)
        with pytest.warns(UnsupportedFeatureWarning, match=r'58 of 58 reactions have fast="true"'):
            return read_sbml(path, fast_reactions="kinetic")
    return read_sbml(path)


def test_peer_folder_lists_every_sbml_file(peer_models: Path) -> None:
    # Oracle: the folder itself. Every kinetic SBML file there is covered by PEER_SBML.
    found = {str(p.relative_to(peer_models)) for p in peer_models.glob("**/*.xml")}
    assert found == set(PEER_SBML), f"uncovered or missing files: {found ^ set(PEER_SBML)}"


# ------------------------------------------------------------------------------ 1. import


@pytest.mark.parametrize("name", list(PEER_SBML))
def test_peer_model_imports_with_libsbml_counts(peer_models: Path, name: str) -> None:
    path = peer_models / name
    model = _read(path)
    # Oracle: libSBML's counts of the original document.
    doc = libsbml.readSBMLFromFile(str(path))
    m = doc.getModel()
    n_local = sum(
        (r.getKineticLaw().getNumLocalParameters() if doc.getLevel() >= 3 else r.getKineticLaw().getNumParameters())
        for r in m.getListOfReactions()
        if r.isSetKineticLaw()
    )
    assert len(model.species) == m.getNumSpecies()
    assert len(model.reactions) == m.getNumReactions()
    assert len(model.compartments) == m.getNumCompartments()
    assert len(model.parameters) == m.getNumParameters() + n_local, "local parameters are promoted"
    n_rules = m.getNumRules()
    assert len(model.assignment_rules) + len(model.rate_rules) == n_rules
    assert len(model.initial_assignments) == m.getNumInitialAssignments()
    assert len(model.events) == m.getNumEvents()
    assert [s.id for s in model.species] == [s.getId() for s in m.getListOfSpecies()]


def test_local_parameters_are_promoted(peer_models: Path) -> None:
    model = read_sbml(peer_models / "kholodenko1999/BIOMD0000000048.xml")
    promoted = model.metadata["promoted_local_parameters"]
    doc = libsbml.readSBMLFromFile(str(peer_models / "kholodenko1999/BIOMD0000000048.xml"))
    law = doc.getModel().getReaction(0)
    rid = law.getId()
    for lp in law.getKineticLaw().getListOfParameters():
        new_id = promoted[rid][lp.getId()]
        assert new_id == f"{rid}_{lp.getId()}"
        assert model.get_parameter(new_id).value == lp.getValue()
        assert new_id in {s.name for s in model.reactions[0].rate.free_symbols}


def test_peer_annotations_units_and_time(peer_models: Path) -> None:
    model = read_sbml(peer_models / "hatakeyama2003/BIOMD0000000146.xml")
    akt = model.get_species("Akt")
    assert "https://identifiers.org/interpro:IPR015744" in akt.annotations
    assert model.metadata["annotation_qualifiers"]["Akt"]["https://identifiers.org/interpro:IPR015744"] == "isVersionOf"
    assert "pubmed:12691603" in model.citation
    assert model.get_parameter("k1").provenance == Provenance("imported", source="BIOMD0000000146.xml")
    # time unit definition "time" = 60 s -> "minute"
    assert read_sbml(peer_models / "petab/Fujita_SciSignal2010/model_Fujita_SciSignal2010.xml").time_units == "minute"
    borisov = read_sbml(peer_models / "borisov2009/BIOMD0000000223.xml")
    assert {p.units for p in borisov.parameters} >= {"per_sec", "nM_per_s"}


def test_qual_file_is_refused(peer_models: Path) -> None:
    with pytest.raises(UnsupportedFeatureError, match=r"SBML-qual .*not a kinetic model.*logical"):
        read_sbml(peer_models / QUAL_FILE)


# ------------------------------------------------------------------------------ helpers


def _original_for_roadrunner(path: Path) -> str:
    """The original file as a string; fast="true" stripped (roadrunner refuses it)."""
    doc = libsbml.readSBMLFromFile(str(path))
    for r in doc.getModel().getListOfReactions():
        if r.isSetFast():
            r.unsetFast()
    return libsbml.writeSBMLToString(doc)


def _time_breakpoints(model: Model, t_end: float) -> list[float]:
    """Times where piecewise/relational math switches (t = value), to restart the integrator."""
    values = {sympy.Symbol(p.id, real=True): p.value for p in model.parameters if p.constant}
    # see through assignment rules that are functions of time alone (Chen 2009: model_time = time)
    for rule in model.assignment_rules:
        if rule.math.free_symbols == {TIME}:
            values[sympy.Symbol(rule.variable, real=True)] = rule.math
    exprs = [r.rate for r in model.reactions] + [a.math for a in model.assignment_rules]
    exprs += [a.math for a in model.rate_rules]
    out: set[float] = set()
    for expr in exprs:
        for rel in expr.atoms(sympy.core.relational.Relational):
            rel = rel.xreplace(values)
            if not isinstance(rel, sympy.core.relational.Relational) or TIME not in rel.free_symbols:
                continue
            difference = rel.lhs - rel.rhs
            if difference.free_symbols == {TIME} and sympy.degree(difference, TIME) == 1:
                root = float(sympy.solve(difference, TIME)[0])
                if 0 < root < t_end:
                    out.add(root)
    return sorted(out)


def _simulate_roadrunner(
    sbml: str, species: list[str], t_end: float, breaks: list[float], rtol: float = SOLVER_RTOL
) -> np.ndarray:
    rr = roadrunner.RoadRunner(sbml)
    rr.integrator.relative_tolerance = rtol
    rr.integrator.absolute_tolerance = SOLVER_ATOL
    rr.integrator.maximum_num_steps = 200_000
    rr.timeCourseSelections = ["time"] + [f"[{s}]" for s in species]
    # Piecewise switches in time are not root-found by roadrunner: integrate in segments.
    edges = [0.0, *breaks, t_end]
    pieces = []
    for i, (a, b) in enumerate(zip(edges[:-1], edges[1:])):
        result = np.asarray(rr.simulate(a, b, 51))
        pieces.append(result if i == 0 else result[1:])
    return np.vstack(pieces)


def _assert_trajectories_close(reference: np.ndarray, candidate: np.ndarray, labels: list[str], what: str) -> None:
    assert reference.shape == candidate.shape
    scale = np.max(np.abs(reference), axis=0)
    bound = RTOL * np.abs(reference) + ATOL_SCALE * scale + ATOL_FLOOR
    excess = np.abs(candidate - reference) / bound
    i, j = np.unravel_index(np.argmax(excess), excess.shape)
    assert excess[i, j] <= 1.0, (
        f"{what}: {labels[j]} at t={reference[i, 0]:g} is {candidate[i, j]!r}, oracle (roadrunner on the "
        f"original) gives {reference[i, j]!r}; tolerance rtol={RTOL}, atol={ATOL_SCALE}*scale+{ATOL_FLOOR}"
    )


def _round_floats(expr: sympy.Basic) -> sympy.Basic:
    return expr.xreplace({f: sympy.Float(float(f"{float(f):.14g}"), 17) for f in expr.atoms(sympy.Float)})


def _math_equal(a: sympy.Basic, b: sympy.Basic) -> bool:
    """Structural equality, else simplify(a-b)==0.

    Floats are compared to 14 significant digits first: libSBML writes reals with 15
    significant digits, so a constant sympy folded at full precision (e.g. 1/7.6) comes back
    a few ulps off.
    """
    if a == b:
        return True
    a, b = _round_floats(a), _round_floats(b)
    if a == b:
        return True
    if isinstance(a, sympy.logic.boolalg.Boolean) or isinstance(b, sympy.logic.boolalg.Boolean):
        return sympy.simplify(sympy.Equivalent(a, b)) is sympy.true
    return sympy.simplify(a - b) == 0


def _assert_equivalent(original: Model, again: Model) -> None:
    """Same ids, values and attributes; math equal structurally or under simplify(a-b)==0."""
    for attr in ("id", "name", "time_units", "substance_units", "volume_units", "notes", "citation"):
        assert getattr(again, attr) == getattr(original, attr), attr
    assert again.compartments == original.compartments
    assert again.species == original.species
    assert again.parameters == original.parameters
    assert [r.id for r in again.reactions] == [r.id for r in original.reactions]
    for r1, r2 in zip(original.reactions, again.reactions):
        assert dataclasses.replace(r2, rate=r1.rate) == r1, r1.id
        assert _math_equal(r1.rate, r2.rate), f"rate of {r1.id}: {r1.rate} != {r2.rate}"
    for group in ("assignment_rules", "rate_rules"):
        first, second = getattr(original, group), getattr(again, group)
        assert [x.variable for x in first] == [x.variable for x in second]
        for x, y in zip(first, second):
            assert _math_equal(x.math, y.math), f"{group} {x.variable}"
    assert [x.symbol for x in original.initial_assignments] == [x.symbol for x in again.initial_assignments]
    for x, y in zip(original.initial_assignments, again.initial_assignments):
        assert _math_equal(x.math, y.math), x.symbol
    assert [e.id for e in original.events] == [e.id for e in again.events]
    for e1, e2 in zip(original.events, again.events):
        assert (e1.initial_value, e1.priority, e1.name) == (e2.initial_value, e2.priority, e2.name)
        assert _math_equal(e1.trigger, e2.trigger), e1.id
        assert [v for v, _ in e1.assignments] == [v for v, _ in e2.assignments]
        for (_, m1), (_, m2) in zip(e1.assignments, e2.assignments):
            assert _math_equal(m1, m2), e1.id


def _export_is_valid(text: str) -> None:
    doc = libsbml.readSBMLFromString(text)
    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, False)
    doc.checkConsistency()
    errors = [
        doc.getError(i).getMessage()
        for i in range(doc.getNumErrors())
        if doc.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR
    ]
    assert not errors, errors[:5]
    assert (doc.getLevel(), doc.getVersion()) == (3, 2)


# ------------------------------------------------------------------------------ 2. round trip


@pytest.mark.roadrunner
@pytest.mark.parametrize("name", _params())
def test_peer_round_trip_matches_roadrunner(peer_models: Path, name: str) -> None:
    path = peer_models / name
    model = _read(path)
    text = write_sbml(model)
    _export_is_valid(text)
    again = read_sbml(text)
    _assert_equivalent(model, again)

    t_end = PEER_SBML[name]
    species = [s.id for s in model.species]
    t_end = min(t_end, ROADRUNNER_SPAN_LIMIT.get(name, t_end))
    breaks = _time_breakpoints(model, t_end)
    start = time.perf_counter()
    rtol = LARGE_SOLVER_RTOL if name in SLOW else SOLVER_RTOL
    reference = _simulate_roadrunner(_original_for_roadrunner(path), species, t_end, breaks, rtol)
    candidate = _simulate_roadrunner(text, species, t_end, breaks, rtol)
    elapsed = time.perf_counter() - start
    # Oracle: roadrunner on the ORIGINAL file; rtol 1e-6 plus atol scaled to each species.
    _assert_trajectories_close(reference, candidate, ["time", *species], f"{name} (took {elapsed:.1f} s)")


# ------------------------------------------------------------------------------ 3. errors

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">
  <model id="small">
    <listOfCompartments><compartment id="cell" size="1" constant="true"/></listOfCompartments>
    <listOfSpecies>
      <species id="A" compartment="cell" initialConcentration="1" hasOnlySubstanceUnits="false"
        boundaryCondition="false" constant="false"/>
    </listOfSpecies>
    <listOfParameters>
      <parameter id="x" value="1" constant="false"/>
      <parameter id="y" value="2" constant="false"/>
    </listOfParameters>
"""
_TAIL = "  </model>\n</sbml>\n"
_MATHML = 'xmlns="http://www.w3.org/1998/Math/MathML"'


def test_ambiguous_algebraic_rule_is_refused() -> None:
    """0 = x - y with x and y both free and declared: SBML does not say which one the rule
    determines, and the result differs (x = y = 1 or 2); refused, naming both."""
    text = _HEAD + f"""
    <listOfRules>
      <algebraicRule><math {_MATHML}><apply><minus/><ci>x</ci><ci>y</ci></apply></math></algebraicRule>
    </listOfRules>
""" + _TAIL
    with pytest.raises(UnsupportedFeatureError, match=r"algebraic rule .* may determine 'x' or 'y'"):
        read_sbml(text)


def test_event_with_delay_is_read_and_written() -> None:
    text = _HEAD + f"""
    <listOfEvents>
      <event id="dose" useValuesFromTriggerTime="true">
        <trigger initialValue="true" persistent="true">
          <math {_MATHML}><apply><geq/><csymbol encoding="text"
            definitionURL="http://www.sbml.org/sbml/symbols/time">t</csymbol><cn>5</cn></apply></math>
        </trigger>
        <delay><math {_MATHML}><cn>2</cn></math></delay>
        <listOfEventAssignments>
          <eventAssignment variable="x"><math {_MATHML}><cn>3</cn></math></eventAssignment>
        </listOfEventAssignments>
      </event>
    </listOfEvents>
""" + _TAIL
    # Oracle: the file (delay 2), kept through write_sbml / read_sbml; the queue semantics are
    # tested in test_sbml_semantics.py.
    (event,) = read_sbml(text).events
    assert event.delay == 2
    (again,) = read_sbml(write_sbml(read_sbml(text))).events
    assert again.delay == 2


def test_undefined_function_is_a_model_error() -> None:
    text = _HEAD + f"""
    <listOfRules>
      <assignmentRule variable="x">
        <math {_MATHML}><apply><ci>hill</ci><ci>y</ci></apply></math>
      </assignmentRule>
    </listOfRules>
""" + _TAIL
    with pytest.raises(ModelError, match=r"hill"):
        read_sbml(text)


def test_species_without_initial_value_is_a_model_error() -> None:
    text = _HEAD.replace('initialConcentration="1" ', "") + _TAIL
    with pytest.raises(ModelError, match=r"species 'A' has no initialAmount or initialConcentration"):
        read_sbml(text)


def test_missing_file_and_fast_export() -> None:
    with pytest.raises(FileNotFoundError, match="does-not-exist.xml"):
        read_sbml("does-not-exist.xml")
    model = Model(
        id="m",
        compartments=(Compartment("cell"),),
        species=(Species("A", "cell", 1.0),),
        reactions=(Reaction("R", (("A", 1.0),), (), parse("A"), fast=True),),
    )
    with pytest.raises(UnsupportedFeatureError, match="reaction 'R' is fast"):
        write_sbml(model)


# ------------------------------------------------------------------------------ 4. handcrafted

HANDCRAFTED = f"""<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version1/core" level="3" version="1">
  <model id="handcrafted" timeUnits="minute_unit">
    <listOfFunctionDefinitions>
      <functionDefinition id="hill">
        <math {_MATHML}><lambda><bvar><ci>s</ci></bvar><bvar><ci>k</ci></bvar><bvar><ci>n</ci></bvar>
          <apply><divide/><apply><power/><ci>s</ci><ci>n</ci></apply>
            <apply><plus/><apply><power/><ci>k</ci><ci>n</ci></apply><apply><power/><ci>s</ci><ci>n</ci></apply></apply>
          </apply></lambda></math>
      </functionDefinition>
      <functionDefinition id="double_hill">
        <math {_MATHML}><lambda><bvar><ci>s</ci></bvar>
          <apply><times/><cn>2</cn><apply><ci>hill</ci><ci>s</ci><cn>1</cn><cn>2</cn></apply></apply></lambda></math>
      </functionDefinition>
    </listOfFunctionDefinitions>
    <listOfUnitDefinitions>
      <unitDefinition id="minute_unit"><listOfUnits>
        <unit kind="second" exponent="1" scale="0" multiplier="60"/></listOfUnits></unitDefinition>
      <unitDefinition id="nM"><listOfUnits>
        <unit kind="mole" exponent="1" scale="-9" multiplier="1"/>
        <unit kind="litre" exponent="-1" scale="0" multiplier="1"/></listOfUnits></unitDefinition>
    </listOfUnitDefinitions>
    <listOfCompartments>
      <compartment id="cell" size="2" spatialDimensions="3" constant="true"/>
    </listOfCompartments>
    <listOfSpecies>
      <species metaid="m_A" id="A" name="AKT1" compartment="cell" initialConcentration="5" substanceUnits="nM"
        hasOnlySubstanceUnits="false" boundaryCondition="false" constant="false">
        <annotation><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
            xmlns:bqbiol="http://biomodels.net/biology-qualifiers/">
          <rdf:Description rdf:about="#m_A"><bqbiol:is><rdf:Bag>
            <rdf:li rdf:resource="http://identifiers.org/uniprot/P31749"/>
            <rdf:li rdf:resource="urn:miriam:hgnc.symbol:AKT1"/>
          </rdf:Bag></bqbiol:is></rdf:Description></rdf:RDF></annotation>
      </species>
      <species id="B" compartment="cell" initialAmount="0" hasOnlySubstanceUnits="true"
        boundaryCondition="false" constant="false"/>
      <species id="C" compartment="cell" hasOnlySubstanceUnits="false" boundaryCondition="false" constant="false"/>
    </listOfSpecies>
    <listOfParameters>
      <parameter id="kf" value="0.3" constant="true"/>
      <parameter id="growth" value="0" constant="false"/>
      <parameter id="stimulus" value="1" constant="false"/>
    </listOfParameters>
    <listOfInitialAssignments>
      <initialAssignment symbol="C"><math {_MATHML}><apply><times/><cn>2</cn><ci>A</ci></apply></math></initialAssignment>
    </listOfInitialAssignments>
    <listOfRules>
      <rateRule variable="growth"><math {_MATHML}><apply><times/><cn type="e-notation">1<sep/>-2</cn><ci>B</ci></apply></math></rateRule>
    </listOfRules>
    <listOfReactions>
      <reaction id="R1" reversible="false" fast="false">
        <listOfReactants><speciesReference species="A" stoichiometry="1" constant="true"/></listOfReactants>
        <listOfProducts><speciesReference species="B" stoichiometry="2" constant="true"/></listOfProducts>
        <listOfModifiers><modifierSpeciesReference species="C"/></listOfModifiers>
        <kineticLaw>
          <math {_MATHML}><apply><times/><ci>cell</ci><ci>kf</ci><ci>stimulus</ci>
            <apply><ci>double_hill</ci><ci>A</ci></apply>
            <piecewise><piece><cn>1</cn><apply><lt/><csymbol encoding="text"
              definitionURL="http://www.sbml.org/sbml/symbols/time">t</csymbol><cn>4</cn></apply></piece>
              <otherwise><cn>0.5</cn></otherwise></piecewise></apply></math>
        </kineticLaw>
      </reaction>
      <reaction id="R2" reversible="true" fast="false">
        <listOfReactants><speciesReference species="C" stoichiometry="1" constant="true"/></listOfReactants>
        <kineticLaw>
          <math {_MATHML}><apply><times/><ci>cell</ci><ci>kf</ci><ci>C</ci></apply></math>
          <listOfLocalParameters><localParameter id="kf" value="0.05"/></listOfLocalParameters>
        </kineticLaw>
      </reaction>
    </listOfReactions>
    <listOfEvents>
      <event id="stimulate" useValuesFromTriggerTime="true">
        <trigger initialValue="false" persistent="true">
          <math {_MATHML}><apply><geq/><csymbol encoding="text"
            definitionURL="http://www.sbml.org/sbml/symbols/time">t</csymbol><cn>6</cn></apply></math>
        </trigger>
        <listOfEventAssignments>
          <eventAssignment variable="stimulus"><math {_MATHML}><cn>3</cn></math></eventAssignment>
          <eventAssignment variable="A"><math {_MATHML}><apply><plus/><ci>A</ci><cn>1</cn></apply></math></eventAssignment>
        </listOfEventAssignments>
      </event>
    </listOfEvents>
  </model>
</sbml>
"""


def test_handcrafted_import() -> None:
    model = read_sbml(HANDCRAFTED)
    assert model.time_units == "minute"
    assert model.get_parameter("R2_kf").value == 0.05
    assert model.get_parameter("kf").value == 0.3
    r2 = next(r for r in model.reactions if r.id == "R2")
    assert {s.name for s in r2.rate.free_symbols} == {"cell", "R2_kf", "C"}
    a = model.get_species("A")
    assert a.units == "nM" and a.genes == ("AKT1",)
    assert a.annotations == ("https://identifiers.org/uniprot:P31749", "https://identifiers.org/hgnc.symbol:AKT1")
    assert model.get_species("C").initial == 0.0  # defined by the initial assignment
    r1 = next(r for r in model.reactions if r.id == "R1")
    assert r1.rate.has(sympy.Piecewise) and not any(
        isinstance(f, sympy.Function) and not isinstance(f, sympy.Piecewise) for f in r1.rate.atoms(sympy.Function)
    ), "function definitions are inlined"
    (event,) = model.events
    assert event.initial_value is False and [v for v, _ in event.assignments] == ["stimulus", "A"]


@pytest.mark.roadrunner
def test_handcrafted_round_trip_matches_roadrunner() -> None:
    model = read_sbml(HANDCRAFTED)
    text = write_sbml(model)
    _export_is_valid(text)
    _assert_equivalent(model, read_sbml(text))
    species = ["A", "B", "C"]
    breaks = _time_breakpoints(model, 10.0)
    assert breaks == [4.0]
    reference = _simulate_roadrunner(HANDCRAFTED, species, 10.0, breaks)
    candidate = _simulate_roadrunner(text, species, 10.0, breaks)
    # A only decays, except when the event at t=6 adds 1: check the event fired in the oracle.
    assert np.any(np.diff(reference[:, 1]) > 0.5)
    _assert_trajectories_close(reference, candidate, ["time", *species], "handcrafted")


def test_native_model_round_trip_keeps_metadata(tmp_path: Path) -> None:
    model = Model(
        id="native",
        name="native test model",
        compartments=(Compartment("cytosol", size=1.5, units="pL", name="cytosol"),),
        species=(
            Species(
                "AKT1_pS473",
                "cytosol",
                initial=10.0,
                units="nM",
                genes=("AKT1",),
                annotations=("https://identifiers.org/uniprot:P31749",),
                provenance=Provenance("sourced", source="doi:10.1000/example"),
            ),
            Species("PTEN", "cytosol", initial=2.0, initial_is_amount=True, has_only_substance_units=True),
        ),
        parameters=(
            Parameter("k_dephos", 0.02, units="1/s", provenance=Provenance("fitted", note="fitted to L19")),
            Parameter("K_m", 50.0, units="nM", provenance=Provenance("assumed", note="typical Km")),
            Parameter("dose", 0.0, constant=False, units="nM"),
            Parameter("ramp", 0.0, constant=False, units="weird unit"),
        ),
        reactions=(
            Reaction(
                "dephos",
                (("AKT1_pS473", 1.0),),
                (),
                parse("k_dephos * PTEN * AKT1_pS473 / (K_m + AKT1_pS473) * cytosol"),
                modifiers=("PTEN",),
                provenance=Provenance("derived", source="Faratian2009", note="scaled"),
            ),
        ),
        rate_rules=(RateRule("ramp", parse("piecewise(1, time < 100, 0)")),),
        assignment_rules=(),
        initial_assignments=(InitialAssignment("K_m", parse("25 * 2")),),
        events=(Event("dose_event", parse("time >= 50"), (("dose", parse("5")),), priority=1.0),),
        time_units="minute",
        notes="Plain-text notes\nover two lines & <symbols>.",
        citation="Someone 2026",
    )
    path = tmp_path / "native.xml"
    text = write_sbml(model, path)
    assert path.read_text(encoding="utf-8") == text
    _export_is_valid(text)
    again = read_sbml(path)
    _assert_equivalent(model, again)
    doc = libsbml.readSBMLFromString(text)
    species = doc.getModel().getSpecies("AKT1_pS473")
    assert species.getCVTerm(0).getResourceURI(0) == "https://identifiers.org/uniprot:P31749"
    assert "AKT1" in species.getNotesString()
    assert "fitted to L19" in doc.getModel().getParameter("k_dephos").getNotesString()
    assert doc.getModel().getParameter("ramp").isSetUnits() is False  # not expressible: annotation only


def test_time_is_exported_as_csymbol() -> None:
    model = read_sbml(HANDCRAFTED)
    text = write_sbml(model)
    assert "http://www.sbml.org/sbml/symbols/time" in text
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_sbml(text)
