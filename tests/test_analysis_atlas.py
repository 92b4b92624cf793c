"""Resistance atlas: calls, routes and exposures against MECHANISMS.md."""

from __future__ import annotations

import numpy as np
import pytest

from her2sim.analysis.atlas import atlas_table, exposure_table, plot_atlas, resistance_atlas
from her2sim.errors import UnknownNameError, ValidationError

CONTEXTS = ("parental", "PTEN loss", "p95HER2", "PIK3CA H1047R")
THERAPIES = ("trastuzumab", "lapatinib", "trastuzumab + lapatinib", "trastuzumab + alpelisib")


@pytest.fixture(scope="module")
def atlas_in_vitro():
    return resistance_atlas(CONTEXTS, THERAPIES, basis="in_vitro")


def test_exposure_table_states_basis_and_source():
    table = exposure_table(drugs=["trastuzumab", "lapatinib", "patritumab"]).set_index("drug")
    assert table.loc["trastuzumab", "basis"] == "free_average"
    assert bool(table.loc["trastuzumab", "clinical"])
    assert "K05" in table.loc["trastuzumab", "source"]
    # oracle: trastuzumab steady-state average between its label trough and peak (K02: 44.2-179 ug/mL;
    # 1 ug/mL = 6.76 nM), so 300-1210 nM
    assert 300 < table.loc["trastuzumab", "concentration_nM"] < 1210
    assert not bool(table.loc["patritumab", "clinical"])  # no clinical exposure: flagged in vitro fallback
    with pytest.raises(UnknownNameError):
        exposure_table("mean")


def test_calls_follow_mechanisms(atlas_in_vitro):
    a = atlas_in_vitro
    call = a["call"].to_pandas()
    # MECHANISMS.md §2 and §4: PTEN loss and p95-HER2 resist trastuzumab (GI drop >= 20 pp)
    assert call.loc["PTEN loss", "trastuzumab"] == "resistant"
    assert call.loc["p95HER2", "trastuzumab"] == "resistant"
    # route beside the call: pAKT stays on under trastuzumab with PTEN loss; HER3 with p95-HER2
    route = a["route"].to_pandas()
    assert "pAKT" in route.loc["PTEN loss", "trastuzumab"]
    assert "pAKT" in route.loc["p95HER2", "trastuzumab"]
    # p95-HER2 keeps lapatinib sensitivity better than trastuzumab's (kinase inhibitor acts, L14)
    gi = a["inhibition_percent"].to_pandas()
    assert gi.loc["p95HER2", "lapatinib"] > gi.loc["p95HER2", "trastuzumab"] + 20.0
    # a PI3K inhibitor restores the trastuzumab response in PIK3CA-mutant cells (L10)
    assert gi.loc["PIK3CA H1047R", "trastuzumab + alpelisib"] > gi.loc["PIK3CA H1047R", "trastuzumab"] + 30.0
    assert a.attrs["resistant_drop_pp"] == 20.0 and a.attrs["reference"] == "parental"
    assert str(a["exposure_basis"].sel(drug="lapatinib").values) == "in_vitro"


def test_thresholds_are_arguments():
    with pytest.raises(ValidationError, match="sensitive_margin"):
        resistance_atlas(CONTEXTS[:2], THERAPIES[:1], resistant_drop=5.0, sensitive_margin=10.0)
    with pytest.raises(UnknownNameError):
        resistance_atlas(CONTEXTS[1:], THERAPIES[:1])  # reference 'parental' missing


def test_table_and_plot(atlas_in_vitro):
    table = atlas_table(atlas_in_vitro)
    assert len(table) == len(CONTEXTS) * len(THERAPIES)
    assert {"call", "route", "pAKT_residual"} <= set(table.columns)
    ax = plot_atlas(atlas_in_vitro)
    assert "growth inhibition" in ax.get_title()
    import matplotlib.pyplot as plt

    plt.close("all")
    assert np.all(atlas_in_vitro["status"].values == 0)
