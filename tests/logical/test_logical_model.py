"""LogicalModel: explicit inputs and transformations (oracle: hand-written toy models)."""

from __future__ import annotations

import numpy as np
import pytest

from her2sim.errors import ModelError, UnknownNameError, ValidationError
from her2sim.logical import FALSE, TRUE, LogicalModel, Rule, Var, count_fixed_points, parse_rule


@pytest.fixture
def toy() -> LogicalModel:
    return LogicalModel.from_rules(
        "toy", {"HER2": "HER2 & !trastuzumab", "AKT": "HER2 & !PTEN", "PTEN": "PTEN"}, phenotypes=["AKT"]
    )


def test_right_hand_side_only_variables_become_inputs(toy: LogicalModel) -> None:
    assert toy.nodes == ("HER2", "AKT", "PTEN", "trastuzumab")
    # PTEN has an identity rule and trastuzumab no rule at all: both are inputs, in node order.
    assert toy.inputs == ("PTEN", "trastuzumab")
    assert toy.rule("trastuzumab").expression == Var("trastuzumab")
    assert toy.internal_nodes == ("HER2", "AKT")


def test_with_fixed_and_with_inputs_return_new_models(toy: LogicalModel) -> None:
    treated = toy.with_inputs({"trastuzumab": 1})
    assert treated.rule("trastuzumab").expression == TRUE
    assert toy.rule("trastuzumab").expression == Var("trastuzumab")  # unchanged
    assert treated.inputs == toy.inputs and treated.free_inputs == ("PTEN",)
    mutant = toy.with_fixed({"PTEN": 0, "HER2": True})
    assert mutant.fixed == {"HER2": 1, "PTEN": 0}
    assert mutant.rule("PTEN").expression == FALSE
    # HER2 on, PTEN off: AKT is on in every fixed point (trastuzumab free: 2 fixed points).
    assert count_fixed_points(mutant) == 2


def test_transform_validation(toy: LogicalModel) -> None:
    with pytest.raises(UnknownNameError, match="Did you mean 'HER2'"):
        toy.with_fixed({"HER3": 0})
    with pytest.raises(UnknownNameError, match="inputs='AKT'"):
        toy.with_inputs({"AKT": 1})
    with pytest.raises(ValidationError, match=r"fixed\['PTEN'\] must be 0, 1"):
        toy.with_fixed({"PTEN": 2})


def test_invariants_are_checked() -> None:
    with pytest.raises(ModelError, match="reads \\['B'\\], which have no rule"):
        LogicalModel("m", (Rule("A", parse_rule("B")),))
    with pytest.raises(ModelError, match="two rules"):
        LogicalModel("m", (Rule("A", TRUE), Rule("A", FALSE)))
    with pytest.raises(ModelError, match="identity or constant"):
        LogicalModel.from_rules("m", {"A": "!A"}, inputs=["A"])
    with pytest.raises(UnknownNameError):
        LogicalModel.from_rules("m", {"A": "A"}, phenotypes=["B"])


def test_synchronous_update_is_vectorised(toy: LogicalModel) -> None:
    states = np.array([[1, 0, 0, 0], [1, 0, 1, 0], [1, 1, 0, 1]], dtype=bool)
    expected = np.array([[1, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1]], dtype=bool)
    np.testing.assert_array_equal(toy.update(states), expected)
