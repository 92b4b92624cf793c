"""Formats: every peer Boolean model imports from each of its formats with the same nodes, inputs and
rule semantics, and every writer round-trips.

Oracles: ``metadata.json`` of the Biodivine Boolean Models benchmark (variable and input counts),
truth tables of every rule (exact for rules of up to 20 variables, 2**14 random assignments above),
and fixed-point counts for whole models.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from _peers import ALL, FORMATS, LARGE, SMALL

from her2sim.errors import UnsupportedFeatureError
from her2sim.logical import (
    LogicalModel,
    count_fixed_points,
    parse_aeon,
    parse_bnet,
    parse_sbml_qual,
    read_logical,
    to_aeon,
    to_bnet,
    to_sbml_qual,
    truth_table,
    write_logical,
)


def assert_same_semantics(first: LogicalModel, second: LogicalModel) -> None:
    assert set(first.nodes) == set(second.nodes)
    assert set(first.inputs) == set(second.inputs)
    rng = np.random.default_rng(7)
    for rule in first.rules:
        other = second.rule(rule.target).expression
        names = tuple(sorted(rule.expression.variables() | other.variables()))
        if len(names) <= 20:
            left, right = truth_table(rule.expression, names), truth_table(other, names)
        else:
            values = {n: rng.random(2**14) < 0.5 for n in names}
            left = np.broadcast_to(rule.expression.evaluate(values), (2**14,))
            right = np.broadcast_to(other.evaluate(values), (2**14,))
        np.testing.assert_array_equal(left, right, err_msg=f"rule of {rule.target}")


@pytest.mark.parametrize("folder", ALL)
def test_peer_model_imports_from_every_format(peer_models: Path, folder: str) -> None:
    meta = json.loads((peer_models / folder / "metadata.json").read_text())
    models = {fmt: read_logical(peer_models / folder / f"model.{fmt}") for fmt in FORMATS}
    for fmt, model in models.items():
        assert len(model.internal_nodes) == meta["variables"], fmt
        assert len(model.inputs) == meta["inputs"], fmt
        assert set(model.inputs) == set(meta["input-names"]), fmt
        assert model.id == Path(folder).name
    assert_same_semantics(models["bnet"], models["aeon"])
    assert_same_semantics(models["bnet"], models["sbml"])


@pytest.mark.parametrize("folder", SMALL)
@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_small_models(peer_models: Path, folder: str, fmt: str, tmp_path: Path) -> None:
    original = read_logical(peer_models / folder / "model.bnet")
    written = write_logical(original, tmp_path / f"copy.{fmt}")
    again = read_logical(written, model_id=original.id)
    assert again.nodes == original.nodes or set(again.nodes) == set(original.nodes)
    assert again.inputs == original.inputs or set(again.inputs) == set(original.inputs)
    assert_same_semantics(original, again)


@pytest.mark.parametrize(
    "folder",
    [pytest.param(f, marks=pytest.mark.slow) if f == "helikar2013-erbb" else f for f in LARGE],
)
def test_round_trip_large_models_keep_fixed_points(peer_models: Path, folder: str) -> None:
    original = read_logical(peer_models / folder / "model.bnet")
    expected = count_fixed_points(original)
    for render, parse in ((to_bnet, parse_bnet), (to_aeon, parse_aeon), (to_sbml_qual, parse_sbml_qual)):
        again = parse(render(original), model_id=original.id)
        assert_same_semantics(original, again)
        assert count_fixed_points(again) == expected


def test_fixed_inputs_round_trip_through_sbml_qual() -> None:
    model = LogicalModel.from_rules("m", {"B": "A & !C", "C": "B"}).with_inputs({"A": 1})
    again = parse_sbml_qual(to_sbml_qual(model))
    assert again.inputs == ("A",) and again.fixed == {"A": 1}
    assert_same_semantics(model, again)


def test_aeon_identity_inputs_and_isolated_inputs() -> None:
    model = LogicalModel.from_rules("m", {"B": "!B"}, inputs=["lonely"])
    for identity in (False, True):
        again = parse_aeon(to_aeon(model, identity_inputs=identity))
        assert again.inputs == ("lonely",)
        assert_same_semantics(model, again)


def test_multivalued_sbml_qual_is_refused() -> None:
    model = LogicalModel.from_rules("m", {"B": "A", "A": "!B"})
    text = re.sub(
        r'(<qual:qualitativeSpecies[^>]*qual:id="A"[^>]*)',
        lambda match: match.group(1).replace('qual:maxLevel="1"', 'qual:maxLevel="2"'),
        to_sbml_qual(model),
    )
    assert 'qual:maxLevel="2"' in text
    with pytest.raises(UnsupportedFeatureError, match="maxLevel > 1.*: A"):
        parse_sbml_qual(text)


def test_sbml_threshold_comparisons_reduce_exactly() -> None:
    mathml = """<math xmlns="http://www.w3.org/1998/Math/MathML"><apply><and/>
      <apply><geq/><ci>A</ci><cn type="integer">1</cn></apply>
      <apply><lt/><ci>B</ci><cn type="integer">1</cn></apply>
      <apply><neq/><cn type="integer">0</cn><ci>C</ci></apply></apply></math>"""
    model = LogicalModel.from_rules("m", {"D": "A", "A": "A", "B": "B", "C": "C"})
    text = to_sbml_qual(model)
    start = text.index("<math", text.index('qual:id="tr_D"'))
    end = text.index("</math>", start) + len("</math>")
    parsed = parse_sbml_qual(text[:start] + mathml + text[end:])
    assert truth_table(parsed.rule("D").expression, ("A", "B", "C")).tolist() == [
        False, False, False, False, False, True, False, False
    ]


def test_aeon_partially_specified_networks_are_refused() -> None:
    with pytest.raises(UnsupportedFeatureError, match="no update function"):
        parse_aeon("A -> B\n$A: A\n")
    with pytest.raises(UnsupportedFeatureError, match="uninterpreted parameter"):
        parse_aeon("A -> B\n$B: f(A)\n$A: A\n")
