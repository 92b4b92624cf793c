"""Scorecard regression: every literature check that reproduces today must keep reproducing.

Oracle: the published findings encoded in her2sim.library.findings (each check carries its own
tolerance). ``REPRODUCED`` is the scorecard at the time of writing; a model change that breaks
one of them fails CI and names the finding. Checks that do not reproduce today stay on the
scorecard as failures with a stated reason and are not asserted here: L03d (O'Brien 2010, in
conflict with L07/L08), L32b (IGF-I reversal of everolimus: mechanism missing), L17 and L50
(contradicting clinical findings, shown and not fitted away). Checks that stopped reproducing
with model v2 (issue #13: cell-cycle read-out, free exposures, per-drug potencies) are listed in
``NOT_REPRODUCED_SINCE_V2`` with the reason.

The scorecard is produced once per module through ``write_scorecard`` so that the files and
figures it writes are checked too. Checks true by construction (``BY_CONSTRUCTION``) are listed but not
counted; that each counted check can fail is tested in tests/test_literature_ablation.py.
"""

from __future__ import annotations

import pandas as pd
import pytest

from her2sim.library.findings import CHECKS, NOT_APPLICABLE
from her2sim.library.scorecard import parse_simulated, summary, write_scorecard

REPRODUCED = (
    "L01", "L01b", "L02a", "L02b", "L03a", "L03b", "L04", "L05a", "L06", "L07a",
    "L07b", "L08a", "L08b", "L10a", "L10b", "L14a", "L14b", "L18a", "L18b", "L18c", "L19b", "L20",
    "L22", "L26a", "L26b", "L26c", "L29", "L31", "L32a", "L44", "L55",
)
#: Reproduced before model v2 (issue #13) and not since. The fit to the findings is the calibration
#: issue's business, so none is fitted back here; each entry says what moved it. The test asserts
#: that each is shown as not reproduced: one that reproduces again must move back to REPRODUCED.
NOT_REPRODUCED_SINCE_V2: dict[str, str] = {
    "L35": "cell-cycle read-out (item 5): a rapalog now acts on proliferation only through 4E-BP1 -> cyclin D1 "
           "translation; everolimus adds 1.4 GI points to trastuzumab in PTEN loss (5.0 -> 6.4). Not restored "
           "through S6K: Dowling 2010 Science 328:1172 found mTORC1 drives proliferation through the 4E-BPs and "
           "cell size, not cell number, through S6K, and the GI read-out counts cells",
    "L03c": "free exposure (items 3-4): lapatinib 1 uM nominal is 91.7 nM free in 10 % serum against a free "
            "BT-474 potency of 12.1 nM (CCLE curve); in PTEN-null cells pAKT falls 16 % (>= 20 % asked). "
            "Also capped by PIP2 depletion: PTEN-null PIP3 is 88 % of the 300-nM PIP2 + PIP3 pool (see "
            "test_pip2_depletion_inverts_the_mutant_pip3_sensitivity)",
    "L24": "free exposure (items 3-4): MK-2206 acts at its sourced cellular AKT1 IC50 (~20 nM) as an allosteric "
           "inhibitor without the former x50 ATP-site shift: AKT is locked (nadir 0.002) and cannot reactivate",
    "L05b": "free exposure and per-isoform PI3K potencies (items 3-4): buparlisib 1 uM nominal adds 14.6 GI "
            "points to trastuzumab in PTEN loss (>= 15 asked)",
    "L19a": "free exposure (items 3-4) with the ERK/ER feedbacks (items 1, 7): lapatinib 1 uM nominal raises "
            "total HER3 1.496-fold at 24 h (>= 1.5 asked); the pAKT rebound itself holds (nadir 0.067 < 0.139 "
            "< 0.441)",
}
#: findings behind mechanisms 1-6 and 9-10 of MECHANISMS.md, except L03d (the data conflict)
MECHANISM_1_6_9_10 = (
    "L01", "L03a", "L03b", "L03c", "L04", "L05a", "L05b", "L06", "L07a", "L07b", "L08a", "L08b",
    "L10a", "L10b", "L14a", "L14b", "L18a", "L18b", "L18c", "L19a", "L20", "L26a", "L26b",
    "L26c", "L44",
)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("scorecard")
    frame = write_scorecard(out)
    return out, frame


@pytest.fixture(scope="module")
def scorecard(written):
    return written[1]


def test_scorecard_lists_every_finding(scorecard):
    ids = set(scorecard["finding"])
    assert set(NOT_APPLICABLE) <= ids
    assert {c.finding for c in CHECKS} <= ids
    assert set(scorecard["verdict"]) <= {"reproduced", "not reproduced", "not applicable"}


@pytest.mark.parametrize("check_id", REPRODUCED)
def test_check_keeps_reproducing(scorecard, check_id):
    row = scorecard.set_index("id").loc[check_id]
    assert row["verdict"] == "reproduced", f"{check_id}: {row['simulated']}"


@pytest.mark.parametrize("check_id", sorted(NOT_REPRODUCED_SINCE_V2))
def test_checks_lost_in_model_v2_are_shown(scorecard, check_id):
    row = scorecard.set_index("id").loc[check_id]
    assert row["verdict"] == "not reproduced", f"{check_id} reproduces again: move it back to REPRODUCED"


def test_required_mechanisms_are_reproduced(scorecard):
    verdicts = scorecard.set_index("id")["verdict"]
    missing = [c for c in MECHANISM_1_6_9_10 if verdicts[c] != "reproduced" and c not in NOT_REPRODUCED_SINCE_V2]
    assert not missing, missing


@pytest.mark.xfail(strict=True, reason=(
    "issue #13 (model v2): with the cell-cycle read-out, free exposures and per-drug potencies fewer than 85 % "
    "of the applicable checks reproduce (see NOT_REPRODUCED_SINCE_V2); the fit to the findings is the "
    "calibration issue's"))
def test_applicable_fraction_reproduced(scorecard):
    counts = summary(scorecard)
    # issue 2 item 1: at least 85 % of the applicable findings reproduced (exact count ratio)
    assert counts["n_reproduced"] / counts["n_applicable"] >= 0.85, counts


def test_failures_are_shown_with_a_reason(scorecard):
    failed = scorecard[scorecard["verdict"] == "not reproduced"]
    assert set(failed["id"]) >= {"L17", "L50"}
    assert (failed["reason"].str.len() > 20).all()
    conflict = scorecard.set_index("id").loc["L03d"]
    assert conflict["verdict"] in ("reproduced", "not reproduced")
    assert "L07" in conflict["reason"] or conflict["verdict"] == "reproduced"


def test_scorecard_files(written):
    out, frame = written
    table = pd.read_csv(out / "scorecard.csv")
    for column in ("id", "mechanism", "verdict", "simulated", "published", "tolerance",
                   "uses_fitted", "passes_without_fitting", "reason"):
        assert column in table.columns
    assert len(table) == len(frame)
    text = (out / "scorecard.md").read_text(encoding="utf-8")
    counts = summary(frame)
    assert f"{counts['n_reproduced']} of {counts['n_applicable']}" in text
    assert "fitted" in text
    for fid in frame.loc[frame["verdict"] != "not applicable", "id"]:
        figure = out / "figures" / f"{fid}.png"
        assert figure.is_file() and figure.stat().st_size > 1000, fid
    # the clinical-exposure table (issue #13 item 9) is written beside the scorecard, with its rule
    clinical = pd.read_csv(out / "clinical_exposure.csv")
    assert {"trastuzumab", "lapatinib", "neratinib", "tucatinib", "trastuzumab + tucatinib"} <= set(clinical["drug"])
    assert "## Clinical exposure and activity" in text and "Vogel" in text
    # sourced/assumed-only plus fitting-dependent passes add up to all passes
    assert counts["n_reproduced_without_fitting"] + counts["n_reproduced_needing_fitting"] == counts["n_reproduced"]


#: checks true by construction (issue #13 and L44; each note says what makes it so): listed, never counted
BY_CONSTRUCTION = ("L04", "L14a", "L18a", "L18c", "L44")


def test_by_construction_checks_are_listed_not_counted(written):
    # oracle: the count is exact bookkeeping over the table (issue #14 item 3: "a check that holds by
    # construction is listed but not counted"); the counted score leaves out exactly these rows
    out, scorecard = written
    rows = scorecard.set_index("id")
    for check_id in BY_CONSTRUCTION:
        row = rows.loc[check_id]
        assert row["verdict"] == "reproduced" and row["by_construction"] and not row["counted"], check_id
        assert row["reason"].startswith("by construction"), check_id
    applicable = scorecard[scorecard["verdict"] != "not applicable"]
    counts = summary(scorecard)
    # a pass counts only when an ablation shows it able to fail; failures always count
    expected = [c.id for c in CHECKS if not c.by_construction and (c.counted or rows.loc[c.id, "verdict"] != "reproduced")]
    assert counts["n_counted"] == len(expected) == len(applicable) - len(counts["not_counted_ids"])
    assert set(counts["not_counted_ids"]) == set(BY_CONSTRUCTION)
    assert counts["n_reproduced_counted"] == counts["n_reproduced"] - len(BY_CONSTRUCTION)
    text = (out / "scorecard.md").read_text(encoding="utf-8")
    assert f"Counted: {counts['n_reproduced_counted']} of {counts['n_counted']} reproduced" in text
    assert all(rows.loc[i, "ablation"] for i in applicable["id"])


def test_parse_simulated():
    assert parse_simulated("GI_T 42.4, pAKT_drop 0.034") == {"GI_T": 42.4, "pAKT_drop": 0.034}
