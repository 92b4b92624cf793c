"""One vocabulary: every catalogued cell line and genotype simulates, names are looked up the same way
(case, hyphens, aliases) at every entry point, and genotype strengths survive every entry point."""

from __future__ import annotations

import numpy as np
import pytest

from her2sim.analysis._runs import resolve_context, run_members
from her2sim.errors import UnknownNameError
from her2sim.library import her2_logical as hl
from her2sim.library import her2_model
from her2sim.library.cell_lines import all_cell_lines, list_cell_lines
from her2sim.library.findings import Lab
from her2sim.library.genotypes import all_genotypes, list_genotypes
from her2sim.library.protocols import treat

# the old presets, before the model took its cell lines from the catalogue; every line kept its
# settings except for documented changes: HER2_expression now comes from the catalogue's receptors
# per cell (/5e5, BT-474 = 499,795 and MDA-MB-361 = 212,456 per cell, HERmark K20), BT-474 gains its
# unconfirmed PIK3CA K111N (0.1 of H1047R) unless evidence="secondary" is asked for
_OLD_PRESETS = {
    "SK-BR-3": {},
    "HCC1954": {"genotypes": ["PIK3CA H1047R"]},
    "MDA-MB-453": {"genotypes": ["PIK3CA H1047R"], "settings": {"HER2_expression": 0.4}},
    "JIMT-1": {"genotypes": ["MUC4 high"]},
    "KPL-4": {"genotypes": ["PIK3CA H1047R", "PTEN loss"]},
    "SUM190PT": {"genotypes": ["PIK3CA H1047R", "PTEN loss"]},
    "MCF-7": {"genotypes": ["PIK3CA E545K", "HER2 non-amplified"]},
    "MCF-7-p95HER2": {"genotypes": ["PIK3CA E545K", "HER2 non-amplified", "p95HER2"]},
}
# documented change (issue 13 item 8): an ER-positive preset sets the model's ER context where it has one
if "ER_expression" in {p.id for p in her2_model.build().parameters}:
    for _name in ("MCF-7", "MCF-7-p95HER2"):
        _OLD_PRESETS[_name].setdefault("settings", {})["ER_expression"] = 1.0


@pytest.mark.parametrize("name", sorted(_OLD_PRESETS))
def test_cell_lines_keep_their_former_settings(name):
    preset = _OLD_PRESETS[name]
    expected = {"HER2_expression": 1.0, **her2_model.genotype_settings(preset.get("genotypes", []))}
    expected.update(preset.get("settings", {}))
    # exact up to rounding of the unit conversions (relative 1e-12)
    assert her2_model.cell_line_settings(name) == pytest.approx(expected, rel=1e-12)


def test_documented_changes_of_cell_lines():
    assert her2_model.cell_line_settings("MDA-MB-361")["HER2_expression"] == pytest.approx(212_456 / 5e5, rel=1e-12)
    bt474 = her2_model.cell_line_settings("BT-474")
    assert bt474["HER2_expression"] == pytest.approx(499_795 / 5e5, rel=1e-12)
    # K111N is an allele of its own since issue 13 item 2 (was 0.1 of the H1047R gain, 0.3):
    # receptor-independent activity 0.1 of H1047R's, no gain on pY-recruited p110α
    assert bt474["PIK3CA_mut_activity"] == pytest.approx(0.1 * 0.075, rel=1e-12)
    assert "PIK3CA_mut_gain" not in bt474
    assert "PIK3CA_mut_activity" not in her2_model.cell_line_settings("BT-474", evidence="secondary")


def test_every_catalogued_cell_line_and_genotype_simulates():
    """All 17 lines and 15 genotypes through the analyses' protocol, in one ensemble: every member succeeds."""
    contexts = [*list_cell_lines(), *list_genotypes()]
    members = [resolve_context(c)[1] for c in contexts]
    assert len(list_cell_lines()) == len(all_cell_lines()) >= 17
    ds = run_members(members, times=[0.0, 24.0], outputs=["pAKT_S473", "cells"])
    assert ds.attrs["n_failed"] == 0, dict(zip(contexts, ds["message"].values))
    assert np.all(np.isfinite(ds["pAKT_S473"].values))


@pytest.mark.parametrize("label", ["pten loss", "PTEN-loss", "PTEN null", "k111n", "pik3ca h1047r", "her2-amplified",
                                   "HER3 over-expression", "igf-1r high"])
def test_one_lookup_everywhere(label):
    """Case, hyphens and aliases: the kinetic settings, the analysis contexts and the logical twin agree."""
    settings = her2_model.genotype_settings([label])
    assert settings
    assert resolve_context(label)[1] == settings
    hl.apply_genotype(hl.baseline(), [label])  # the logical twin takes the same names


def test_unknown_genotype_names_the_closest():
    with pytest.raises(UnknownNameError, match="PTEN loss"):
        her2_model.genotype_settings(["PTEN los"])


def test_cell_line_lookup_is_the_catalogue_lookup():
    assert her2_model.cell_line_settings("jimt1") == her2_model.cell_line_settings("JIMT-1")
    assert resolve_context("uacc893")[1] == her2_model.cell_line_settings("UACC-893")


def test_genotype_strengths_survive_every_entry_point():
    """80 % PTEN knock-down is PTEN_level 0.2, never complete loss, through each entry point."""
    strength = {"PTEN loss": 0.8}
    assert her2_model.genotype_settings(strength) == pytest.approx({"PTEN_level": 0.2}, rel=1e-12)
    assert resolve_context(strength)[1] == pytest.approx({"PTEN_level": 0.2}, rel=1e-12)
    times = [0.0, 24.0]
    partial = treat({}, times=times, genotype=strength, outputs=["PTEN_active"])
    complete = treat({}, times=times, genotype=["PTEN loss"], outputs=["PTEN_active"])
    lab = Lab()
    via_lab = lab.run({}, genotype=strength, times=times)
    # same run, same numbers (the Lab adds nothing): exact equality up to 1e-12 relative
    np.testing.assert_allclose(via_lab["PTEN_active"].values, partial["PTEN_active"].values, rtol=1e-12)
    assert float(complete["PTEN_active"][0]) < 0.5 * float(partial["PTEN_active"][0])
    # a catalogue cell line item with its own strength (JIMT-1: MUC4 accessible fraction 0.2)
    muc4 = her2_model.cell_line_genotypes("JIMT-1")["MUC4 high"]
    assert muc4 == pytest.approx(1.0, rel=1e-12)


def test_every_catalogue_genotype_has_a_model_effect():
    names = {g.name for g in all_genotypes()}
    assert names == set(her2_model.CATALOGUE_GENOTYPES)


def test_one_mechanism_table_for_both_formalisms():
    """Every catalogue drug action has one mechanism entry, from which the kinetic nodes and logical inputs derive."""
    from her2sim.library.drugs import ACTIONS, all_drugs

    assert set(her2_model.MECHANISMS) == set(ACTIONS)
    assert {d.action for d in all_drugs()} <= set(her2_model.MECHANISMS)
    # the twin's inputs come from MECHANISMS; an action whose kinetic entry names none takes the
    # twin's own input for it (TWIN_ACTION_INPUTS: fulvestrant, CDK4/6 inhibitors)
    assert hl.DRUG_ACTION_INPUTS == {a: m.logical_inputs or hl.TWIN_ACTION_INPUTS.get(a, ())
                                     for a, m in her2_model.MECHANISMS.items()}
    twin_inputs = set(hl.load().inputs)
    assert {i for m in her2_model.MECHANISMS.values() for i in m.logical_inputs} <= twin_inputs
