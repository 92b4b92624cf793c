"""Cell-line presets (issue 13 item 8): every catalogued line and every line of the CCLE dose-response
data resolves, simulates and states HER2 level, PIK3CA allele, PTEN and ER status with a source and
an evidence level.

Oracles: the CCLE data file itself (its line names; its README names Calu-3 and NCI-H2170 as the
HER2-amplified lung lines), the HERmark receptor counts (BT-474 499,795, MDA-MB-361 212,456 per cell,
HER2_expression = count / 5e5 exactly), and the vocabulary rules of cell_lines.py (modelled allele
names, evidence levels, assumed facts carry a reason).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from her2sim.analysis._runs import resolve_context, run_members
from her2sim.errors import UnknownNameError
from her2sim.library import her2_model
from her2sim.library.cell_lines import PIK3CA_ALLELES, all_cell_lines, ccle_lines, cell_line, preset_table
from her2sim.library.genotypes import genotype

CCLE = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "ccle-dose-response.csv"
#: HER2-amplified lines of the CCLE file (breast: Neve 2006 and the curated table; lung: the file's README)
CCLE_AMPLIFIED = {"AU565", "BT474", "SKBR3", "HCC1569", "UACC812", "ZR7530", "CALU3", "NCIH2170"}


@pytest.fixture(scope="module")
def ccle_names() -> set[str]:
    if not CCLE.exists():
        pytest.skip("shared CCLE data not available")
    return set(pd.read_csv(CCLE)["cell_line"])


def test_every_ccle_line_is_catalogued_with_its_her2_status(ccle_names):
    for name in ccle_names:
        line = cell_line(name)  # CCLE spelling resolves (case, punctuation)
        assert line.ccle_name == name
        assert line.her2_amplified == (name in CCLE_AMPLIFIED), name
    assert {line.ccle_name for line in ccle_lines(amplified=True)} == CCLE_AMPLIFIED
    assert len(ccle_lines(amplified=False)) == len(ccle_names) - len(CCLE_AMPLIFIED) == 14


@pytest.mark.parametrize("line", all_cell_lines(), ids=lambda line: line.name)
def test_every_preset_states_four_sourced_facts(line):
    facts = line.facts()
    assert all(fact is not None for fact in facts.values()), line.name
    for field, fact in facts.items():
        assert fact.source and fact.evidence in ("confirmed", "secondary", "unconfirmed", "assumed"), (line.name, field)
        if fact.evidence == "assumed":
            assert fact.note, (line.name, field)
    assert facts["er"].value in ("positive", "negative")
    assert facts["pten"].value in ("intact", "loss", "partial loss")
    allele = str(facts["pik3ca"].value)
    assert allele in PIK3CA_ALLELES + ("wild type", "PIK3CA mutation (allele unspecified)") or "not modelled" in facts["pik3ca"].note
    # the genotype items follow the facts
    pik3ca_items = [i for i in line.genotypes if genotype(i.genotype).genes == ("PIK3CA",)]
    if allele in PIK3CA_ALLELES and facts["pik3ca"].evidence != "assumed":
        assert len(pik3ca_items) == 1
    if allele == "wild type":
        assert not pik3ca_items
    pten_items = [i.genotype for i in line.genotypes if genotype(i.genotype).genes == ("PTEN",)]
    assert pten_items == {"intact": [], "loss": ["PTEN loss (complete)"], "partial loss": ["PTEN loss (partial)"]}[
        facts["pten"].value]
    # HER2 level: amplified lines at or above 1e5 per cell; non-amplified lines below, at 2.5e4 (assumed
    # level) unless a source measured theirs (T-47D: 3.2e4 by flow, K20)
    level = float(facts["her2"].value)
    if line.her2_amplified:
        assert level >= 1.0e5
    else:
        assert level < 1.0e5
        assert level == pytest.approx(2.5e4, rel=1e-12) or facts["her2"].evidence == "confirmed"


def test_measured_her2_levels_reach_the_model():
    # HERmark counts / 5e5 (BT-474 reference), exact up to the float division
    assert her2_model.cell_line_settings("BT474")["HER2_expression"] == pytest.approx(499_795 / 5e5, rel=1e-12)
    assert her2_model.cell_line_settings("MDA-MB-361")["HER2_expression"] == pytest.approx(212_456 / 5e5, rel=1e-12)
    assert her2_model.cell_line_settings("HCC70")["HER2_expression"] == pytest.approx(2.5e4 / 5e5, rel=1e-12)


def test_alleles_without_a_catalogue_genotype_use_their_domain_class():
    # EFM-19 carries the kinase-domain H1047L: the H1047R genotype stands in until the catalogue lists it
    efm19 = cell_line("EFM19")
    assert efm19.pik3ca.value == "PIK3CA H1047L"
    item = next(i for i in efm19.genotypes if genotype(i.genotype).genes == ("PIK3CA",))
    assert item.genotype in ("PIK3CA H1047L", "PIK3CA H1047R")
    if item.genotype == "PIK3CA H1047R":
        assert item.stands_for == "PIK3CA H1047L" and "H1047L" in item.note
    # the model uses the allele itself once it has a genotype of that name
    try:
        expected = her2_model.resolve_genotype("PIK3CA H1047L")[1]
    except UnknownNameError:
        expected = "PIK3CA H1047R"
    assert expected in her2_model.cell_line_genotypes("EFM-19")


def test_evidence_filter_drops_recalled_genotypes():
    assert her2_model.cell_line_settings("HCC1569")["PTEN_level"] == 0.0  # PTEN loss per recall (unconfirmed)
    assert "PTEN_level" not in her2_model.cell_line_settings("HCC1569", evidence="secondary")


def test_er_status_sets_the_model_er_context_when_the_model_has_one():
    if "ER_expression" not in {p.id for p in her2_model.build().parameters}:
        pytest.skip("the model has no ER context (ER_expression) yet: ER status stays preset data")
    assert her2_model.cell_line_settings("BT-474")["ER_expression"] == 1.0
    assert her2_model.cell_line_settings("SK-BR-3").get("ER_expression", 0.0) == 0.0
    # an unconfirmed ER status is dropped with the stricter evidence filter
    assert her2_model.cell_line_settings("UACC-812", evidence="secondary").get("ER_expression", 0.0) == 0.0


def test_preset_table_lists_every_fact():
    table = preset_table()
    assert len(table) == 4 * len(all_cell_lines())
    assert set(table["field"]) == {"her2", "pik3ca", "pten", "er"}
    assert table["source"].str.len().min() > 5


def test_every_catalogued_line_simulates():
    """All lines, CCLE lines included, through the analyses' protocol in one ensemble: every member succeeds."""
    lines = [line.name for line in all_cell_lines()]
    members = [resolve_context(name)[1] for name in lines]
    ds = run_members(members, times=[0.0, 24.0], outputs=["pAKT_S473", "cells"])
    assert ds.attrs["n_failed"] == 0, dict(zip(lines, ds["message"].values))
    assert np.all(np.isfinite(ds["pAKT_S473"].values)) and np.all(ds["cells"].values > 0)


def test_every_line_of_the_curated_table_is_catalogued():
    table = Path(__file__).resolve().parents[1] / ".." / "shared" / "cell-lines.csv"
    if not table.exists():
        pytest.skip("shared curated table not available")
    names = [n for n in pd.read_csv(table)["cell_line"] if not str(n).startswith("Panel")]
    assert len(names) == 17
    for name in names:
        assert cell_line(name).facts()["er"] is not None, name
