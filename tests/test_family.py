"""Model families: the analyses take a family and run unchanged on a second, toy family.

The toy receptor–kinase family (:mod:`her2sim.testing.toy`) declares the flagship's parameter roles
(drug concentrations, expression, ligand, protocol switch) and its own vocabulary; dose-response,
synergy, atlas and sensitivity run on it with no flagship name involved.
"""

from __future__ import annotations

import numpy as np
import pytest

import her2sim as hs
from her2sim.analysis import atlas as atlas_mod
from her2sim.analysis import sensitivity as sa
from her2sim.analysis._runs import resolve_contexts, run_members
from her2sim.analysis.dose_response import simulate_dose_response
from her2sim.analysis.synergy import simulate_combination, synergy
from her2sim.family import default_family, family_of, get_family, list_families
from her2sim.model import roles
from her2sim.testing import TOY_FAMILY, build_toy_model


def test_registry():
    assert default_family().name == "her2_pi3k_akt"
    assert family_of(build_toy_model()) is TOY_FAMILY
    assert get_family("toy_receptor_kinase") is TOY_FAMILY
    assert "toy_receptor_kinase" in list_families()
    with pytest.raises(hs.UnknownNameError, match="toy_receptor_kinase"):
        get_family("toy_receptor_kinas")
    assert family_of(hs.Model("other")) is None


def test_roles_of_the_toy():
    model = build_toy_model()
    assert roles.drug_parameters(model) == ("lapatinib_nM", "alpelisib_nM")
    assert roles.untreated_overrides(model) == {"lapatinib_nM": 0.0, "alpelisib_nM": 0.0, "cell_growth_switch": 0.0}
    assert set(roles.context_parameters(model)) == {"R_expression", "L_nM", "cell_growth_switch"}
    assert "IC50_lapatinib" not in roles.perturbable_parameters(model)


def test_untreated_steady_state_is_the_analytic_one():
    """Pre-equilibration through the roles: K* = a/(a + k_off), a = k_on·R·(1 + L) (relative 1e-7)."""
    ctx = resolve_contexts({"high": {"R_expression": 3.0}}, family=TOY_FAMILY)
    ds = run_members([ctx["high"], {"R_expression": 3.0, "L_nM": 1.0}], times=[0.0], outputs=["K", "cells"],
                     model=build_toy_model())
    a = np.array([3.0, 6.0])
    np.testing.assert_allclose(ds["K"].values[:, 0], a / (a + 1.0), rtol=1e-7)
    np.testing.assert_allclose(ds["cells"].values[:, 0], 1.0, rtol=1e-12)  # growth frozen before t = 0


def test_dose_response_runs_on_the_toy():
    ds = simulate_dose_response("lapatinib", [0.0, 1.0, 10.0, 100.0, 1000.0], model=build_toy_model(),
                                contexts={"nominal": {}, "receptor high": {"R_expression": 3.0}}, readouts=())
    gi = ds["inhibition_percent"].sel(context="nominal").values
    assert int(ds["status"].max()) == 0
    assert gi[0] == pytest.approx(0.0, abs=1e-9) and np.all(np.diff(gi) > 0)  # monotone in dose
    # more receptor needs more drug: less inhibition at the same dose
    assert float(ds["inhibition_percent"].sel(context="receptor high")[2]) < gi[2]


def test_synergy_runs_on_the_toy():
    doses = [0.0, 3.0, 30.0, 300.0]
    ds = simulate_combination("lapatinib", "alpelisib", doses, doses, context="parental", readouts=("pK",),
                              model=build_toy_model())
    assert int(ds["status"].max()) == 0
    scores = synergy(ds, models=("bliss", "hsa"))
    assert np.all(np.isfinite(scores["bliss_excess"].values))


def test_atlas_runs_on_the_toy():
    model = build_toy_model()
    ds = atlas_mod.resistance_atlas({"nominal": {}, "receptor high": {"R_expression": 30.0}}, ["lapatinib"],
                                    reference="nominal", basis="in_vitro", model=model)
    assert "kinase_residual" in ds
    assert str(ds["call"].sel(context="nominal", therapy="lapatinib").item()) == "reference"
    assert float(ds["inhibition_percent"].sel(context="receptor high", therapy="lapatinib")) < float(
        ds["inhibition_percent"].sel(context="nominal", therapy="lapatinib"))


def test_sensitivity_runs_on_the_toy():
    model = build_toy_model()
    groups = sa.parameter_groups(model).set_index("id")["group"]
    assert groups["lapatinib_nM"] == "treatment" and groups["IC50_lapatinib"] == "pharmacology"
    assert groups["R_expression"] == "input" and groups["k_on"] == "kinetic"
    readout = sa.Readout("pK", 24.0, (("lapatinib", 10.0, "nM"),))
    ds = sa.local_sensitivities([readout], model=model, parameters=["k_on", "k_off"], contexts=["receptor high"])
    s = ds["sensitivity"].sel(context="receptor high")
    # at steady state with a = k_on·drive: d ln K*/d ln k_on = k_off/(a + k_off) = -d ln K*/d ln k_off
    drive = 3.0 / (1.0 + 10.0 / 10.0)
    expected = 1.0 / (drive + 1.0)
    np.testing.assert_allclose(s.sel(parameter="k_on").values, expected, rtol=2e-3)
    np.testing.assert_allclose(s.sel(parameter="k_off").values, -expected, rtol=2e-3)
