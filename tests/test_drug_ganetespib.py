"""Ganetespib, the first drug with an action of its own (HSP90 inhibition), added as one catalogue entry.

Oracles: the declaration carried by the entry (``Drug.declares``) is the action the model and the
twin use (nothing else in the library names it); HSP90 occupancy ``C/(C + IC50)`` is monotone in
the dose, so the declared effect (HER2 and p95-HER2 degraded: less full-length HER2) must grow
with the dose and HER2-driven growth must fall, while a context whose AKT does not need HER2
(PTEN loss, MECHANISMS.md 2) is hurt less; in the twin the input switches HER2 off. Tolerances:
strict inequalities (directions) and exact equality for strings and Booleans; the saturating HER2
level is compared with the declared turnover, ``kdeg/(kdeg + k·occupancy)``, at rtol 0.5 (other
HER2 fluxes, e.g. shedding, are not in that formula).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from her2sim.library import drugs as catalogue
from her2sim.library import her2_logical as hl
from her2sim.library.her2 import drug_action as da


def test_one_entry_declares_the_action():
    drug = catalogue.get_drug("STA-9090")
    assert drug.name == "ganetespib" and drug.declares is not None
    assert drug.action == "hsp90_inhibit" not in catalogue.BUILT_IN_ACTIONS
    assert da.DRUG_ACTIONS["hsp90_inhibit"] is drug.declares
    assert da.MECHANISMS["hsp90_inhibit"].logical_inputs == ("HSP90_inhibitor",)
    assert da.in_vitro_doses()["hsp90_inhibit"] == (100.0, "nM")
    from her2sim.library.her2_model import build

    model = build()
    assert model.get_parameter("IC50_ganetespib_HSP90").value == pytest.approx(math.sqrt(2 * 30), rel=1e-2)
    assert model.get_parameter("IC50_ganetespib_HSP90").provenance.kind == "derived"
    assert {"ERBB2_HSP90_client_degradation", "ERBB2_p95_HSP90_client_degradation"} <= {r.id for r in model.reactions}


def test_twin_input_switches_her2_off():
    twin = hl.load()
    assert "HSP90_inhibitor" in twin.inputs
    assert hl.apply_drugs(hl.baseline(twin), ["ganetespib"]).fixed["HSP90_inhibitor"] == 1
    states = np.ones((4, len(twin.nodes)), dtype=bool)
    states[:, twin.index("HER_TKI")] = False
    states[:, twin.index("Trastuzumab")] = False
    states[:, twin.index("HSP90_inhibitor")] = [False, True, False, True]
    her2 = twin.update(states)[:, twin.index("HER2")]
    assert her2.tolist() == [True, False, True, False]


@pytest.fixture(scope="module")
def dose_response():
    from her2sim.analysis.dose_response import simulate_dose_response

    return simulate_dose_response("ganetespib", [0.0, 1.0, 10.0, 100.0, 1000.0], contexts=["parental", "PTEN loss"],
                                  readouts=["HER2_total"], readout_times=(24.0,))


def test_ganetespib_dose_responds_in_the_declared_direction(dose_response):
    ds = dose_response
    assert int(ds.attrs["n_failed"]) == 0
    her2 = ds["HER2_total"].sel(context="parental").isel(time=-1).values
    assert np.all(np.diff(her2) < 0)  # more drug, more HSP90 occupied, less HER2 (degraded client)
    inhibition = ds["inhibition_percent"].sel(context="parental").values
    assert np.all(np.diff(inhibition) > 0) and inhibition[-1] > 40.0
    # PTEN loss keeps AKT on without HER2: ganetespib (HER2 clients only in this model) acts less
    assert ds["inhibition_percent"].sel(context="PTEN loss").values[-1] < 0.5 * inhibition[-1]


def test_saturating_her2_level_follows_the_declared_turnover(dose_response):
    from her2sim.library.her2_model import build

    model = build()
    kdeg = model.get_parameter("kdeg_HER2").value
    k = model.get_parameter("k_HSP90_client_degradation").value
    ic50 = model.get_parameter("IC50_ganetespib_HSP90").value
    occupancy = 1000.0 / (1000.0 + ic50)  # no plasma binding curated: nominal = free
    her2 = dose_response["HER2_total"].sel(context="parental").isel(time=-1).values
    np.testing.assert_allclose(her2[-1] / her2[0], kdeg / (kdeg + k * occupancy), rtol=0.5)
