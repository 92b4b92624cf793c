"""Each literature check is declared once (her2sim.library.literature) and read in both formalisms.

Oracles:
* the recorded scorecard and concordance (``tests/data/literature_reference.json``, written by
  ``scripts/record_literature_reference.py``). It was first recorded from the two hand-written
  copies of the checks in findings.py and concordance.py, and the one declaration reproduced it
  exactly (verdicts, values and labels); the logical half was re-recorded once when the twin
  gained the round-2 mechanisms (ERK feedback, ER, cell cycle, BIM/BAD: logical GI sizes moved,
  no verdict changed). A model change that moves a number fails here until the reference is
  re-recorded with the script and the move explained. Comparison is exact on the printed
  strings (same numbers at the printed precision, same labels);
* the reading rules of the two formalisms stated in the module docstring (sizes vs partial
  effects, folds vs activity rises), checked on hand-made values.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from her2sim.errors import UnknownNameError
from her2sim.library import literature as lit
from her2sim.library.findings import CHECKS, NOT_APPLICABLE

REFERENCE = json.loads((Path(__file__).parent / "data" / "literature_reference.json").read_text(encoding="utf-8"))


def test_every_check_is_declared_once_and_feeds_both_formalisms():
    pytest.importorskip("biodivine_aeon")
    from her2sim.library.concordance import LOGICAL_CHECKS

    ids = [c.id for c in lit.LITERATURE_CHECKS]
    assert len(ids) == len(set(ids))
    assert [c.id for c in CHECKS] == ids
    assert list(LOGICAL_CHECKS) == ids
    assert not set(ids) & set(NOT_APPLICABLE)
    for declared, check in zip(lit.LITERATURE_CHECKS, CHECKS):
        assert (check.finding, check.tolerance, check.note) == (declared.finding, declared.tolerance, declared.note)
        assert LOGICAL_CHECKS[declared.id][:2] == (declared.logical_text, declared.logical_scope)


def test_scorecard_and_concordance_equal_the_recorded_reference():
    pytest.importorskip("biodivine_aeon")
    from her2sim.library.concordance import finding_concordance
    from her2sim.library.findings import run_checks

    kinetic = run_checks()
    logical = finding_concordance(kinetic).set_index("id")
    assert set(kinetic["id"]) == set(REFERENCE)
    for _, row in kinetic.iterrows():
        expected = REFERENCE[row["id"]]
        assert (row["verdict"], row["simulated"]) == (expected["kinetic_verdict"], expected["kinetic_simulated"]), row["id"]
        if "logical_verdict" in expected:
            got = logical.loc[row["id"]]
            assert (got["logical_verdict"], got["logical_simulated"]) == (
                expected["logical_verdict"], expected["logical_simulated"]), row["id"]


def test_formalism_readings():
    # a published size: ±tolerance kinetically, a partial effect logically
    assert lit.KINETIC.size(50.0, 42.0, 15.0) and not lit.KINETIC.size(60.0, 42.0, 15.0)
    assert lit.LOGICAL.size(60.0, 42.0, 15.0) and not lit.LOGICAL.size(95.0, 42.0, 15.0)
    assert (lit.KINETIC.rise, lit.LOGICAL.rise) == (1.5, 0.3)
    assert lit.KINETIC.format({"GI_T": 42.44, "drop": 0.12345}) == "GI_T 42.4, drop 0.123"
    assert lit.LOGICAL.format({"GI_T": 42.444}) == "GI_T 42.44"


def test_not_expressible_checks_have_no_logical_criterion():
    assert {c.id for c in lit.LITERATURE_CHECKS if not c.logically_expressible} == {"L04", "L18a", "L44"}


def test_bad_names_are_clear_errors():
    with pytest.raises(UnknownNameError, match="lapatinib"):
        lit.Arm(("lapatinb",))
    with pytest.raises(UnknownNameError, match="L01"):
        lit.literature_check("L0l")


def test_measures_validate_their_readout():
    with pytest.raises(UnknownNameError, match="pAKT_S473"):
        lit.Drop("x", readout="pAKT_S437", arm=lit.Arm(("lapatinib",)))
    with pytest.raises(TypeError):
        lit.AbstractMeasure("x")  # abstract: only the final measures are built
