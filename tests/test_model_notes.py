"""Model-limitation notes come from the analysis level (issue #19): a cell-line preset kinetically identical to
another context, and a drug whose payload is not modelled, are warned about and recorded in attrs."""

from __future__ import annotations

import pytest

from her2sim.analysis.atlas import ModelLimitationWarning, resistance_atlas
from her2sim.analysis.dose_response import simulate_dose_response


def test_identical_preset_is_warned_and_recorded():
    with pytest.warns(ModelLimitationWarning, match="'JIMT-1' is kinetically identical to 'parental'") as caught:
        ds = simulate_dose_response("lapatinib", [0.0, 100.0, 1000.0], contexts=["parental", "JIMT-1"], readouts=())
    # the identity is exact (same inputs to the deterministic ensemble), which is what the note asserts
    assert float(abs(ds["relative_viability"].sel(context="JIMT-1")
                     - ds["relative_viability"].sel(context="parental")).max()) == 0.0
    assert "lapatinib: resistant" in str(caught[0].message)  # the catalogue's call is quoted
    assert "JIMT-1" in ds.attrs["model_notes"]


def test_atlas_notes_identity_per_therapy_only_where_it_holds():
    with pytest.warns(ModelLimitationWarning) as caught:
        atlas = resistance_atlas(["parental", "JIMT-1"], ["trastuzumab", "lapatinib"], basis="in_vitro")
    text = " ".join(str(w.message) for w in caught)
    assert "under lapatinib" in text and "trastuzumab" not in text.split("under ")[1].split(":")[0]
    # JIMT-1's MUC4 masking does change trastuzumab's effect: no identity claimed there
    gi = atlas["inhibition_percent"]
    assert float(gi.sel(context="JIMT-1", therapy="trastuzumab")) < float(gi.sel(context="parental", therapy="trastuzumab"))


def test_unmodelled_payload_is_noted():
    with pytest.warns(ModelLimitationWarning, match="T-DM1: payload not modelled"):
        ds = simulate_dose_response("T-DM1", [0.0, 10.0], contexts=["parental"], readouts=())
    assert "T-DM1" in ds.attrs["model_notes"]
