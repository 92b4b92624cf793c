"""A genotype and a cell line are each added in one place (issue #12 item 2, "Done when").

Oracles: a model genotype declared only in :data:`her2sim.library.her2.context.GENOTYPES`
resolves in the family (any case), interpolates linearly between the reference and full-strength
values, and has a logical reading derived from the parameter thresholds, which reproduces the
hand-written readings of the existing genotypes made of thresholded parameters; a cell line
declared only in the cell-line catalogue resolves to the settings of its facts (equal to those
of the line it copies). Tolerances: exact (settings are arithmetic on the declared values).
"""

from __future__ import annotations

import dataclasses

import pytest

from her2sim import ValidationError
from her2sim.family import default_family
from her2sim.library import cell_lines
from her2sim.library import her2_logical as hl
from her2sim.library._names import NameIndex
from her2sim.library.her2 import context

NEW_GENOTYPE = "PTEN and RB1 loss"


@pytest.fixture
def new_genotype(monkeypatch):
    monkeypatch.setitem(context.GENOTYPES, NEW_GENOTYPE, ({"PTEN_level": 0.0, "RB1_level": 0.0},
                                                          "toy double loss of the one-place test"))
    context._index.cache_clear()
    yield NEW_GENOTYPE
    monkeypatch.undo()
    context._index.cache_clear()


def test_a_genotype_is_one_declaration(new_genotype):
    family = default_family()
    assert new_genotype in family.context_names()
    assert family.resolve_context("pten-and-rb1-LOSS")[1] == {"PTEN_level": 0.0, "RB1_level": 0.0}
    # strength interpolates between the reference (1) and the full-strength value (0)
    assert family.resolve_context({new_genotype: 0.25})[1] == {"PTEN_level": 0.75, "RB1_level": 0.75}
    # the logical twin reads it through the parameter thresholds
    assert new_genotype not in hl.GENOTYPE_RULES
    twin = hl.apply_genotype(hl.baseline(), [new_genotype])
    assert twin.fixed["PTEN"] == 0 and twin.fixed["RB1"] == 0


#: The Boolean readings that were hand-written in ``her2_logical.GENOTYPE_RULES`` until they were
#: derived from the parameter thresholds (the oracle of the derivation; copied from that table).
FORMERLY_WRITTEN = {
    "PTEN loss": ({}, {"PTEN": 0}),
    "PIK3CA H1047R": ({"PIK3CA_mut": 1}, {}),
    "PIK3CA E545K": ({"PIK3CA_mut": 1}, {}),
    "PIK3CA H1047L": ({"PIK3CA_mut": 1}, {}),
    "PIK3CA E542K": ({"PIK3CA_mut": 1}, {}),
    "ER positive": ({"ER_positive": 1}, {}),
    "p95HER2": ({"p95HER2_expr": 1}, {}),
    "IGF1R overexpression": ({"IGF1R_high": 1}, {}),
    "MUC4 high": ({"MUC4": 1}, {}),
    "KRAS G12": ({"KRAS_mut": 1}, {}),
    "HER2 non-amplified": ({"HER2_amp": 0}, {}),
    "HER2 amplified": ({"HER2_amp": 1}, {}),
    "RB1 loss": ({}, {"RB1": 0}),
}


def test_derived_logical_readings_match_the_written_ones():
    """Every reading that used to be written by hand is what the thresholds give; only deliberate ones stay written."""
    for name, written in FORMERLY_WRITTEN.items():
        assert name not in hl.GENOTYPE_RULES, name
        assert hl.genotype_rule(name) == written, name
    # readings written on purpose against the thresholds: K111N is a weak allele (no Boolean effect);
    # a 90 % IGF1R knockdown removes the node, not only its over-expression; HER3 expression has no threshold
    assert set(hl.GENOTYPE_RULES) == {"PIK3CA K111N", "IGF1R knockdown", "HER3 overexpression", "HER3 knockdown"}
    for name in ("PIK3CA K111N", "IGF1R knockdown"):
        saved = hl.GENOTYPE_RULES[name]
        assert all(p in hl.PARAMETER_THRESHOLDS for p in context.GENOTYPES[name][0])
        with pytest.MonkeyPatch.context() as patch:
            patch.delitem(hl.GENOTYPE_RULES, name)
            assert hl.genotype_rule(name) != saved, name  # the written reading is a deliberate difference


def test_a_genotype_without_logical_counterpart_is_named(monkeypatch):
    monkeypatch.setitem(context.GENOTYPES, "toy HER3 half", ({"HER3_expression": 0.5}, "toy"))
    with pytest.raises(ValidationError, match="HER3_expression"):
        hl.genotype_rule("toy HER3 half")


def test_a_cell_line_is_one_declaration(monkeypatch):
    source = cell_lines.cell_line("JIMT-1")
    toy = dataclasses.replace(source, name="TOY-1", aliases=("toy one",))
    lines = (*cell_lines._LINES, toy)
    monkeypatch.setattr(cell_lines, "_LINES", lines)
    monkeypatch.setattr(cell_lines, "_INDEX", NameIndex(lines, lambda x: (x.name, *x.aliases), "cell-line"))
    family = default_family()
    assert "TOY-1" in family.context_names()
    assert family.resolve_context("toy one")[1] == family.resolve_context("JIMT-1")[1] == {
        "HER2_expression": 1.0, "MUC4_masking": 1.0}


def test_a_catalogue_genotype_named_like_a_model_genotype_is_one_entry():
    """PIK3CA E542K: added as one genotype-catalogue entry; its kinetic setting, strength scale and twin
    reading all derive (oracle: the model genotype of the same name, E545K's helical mechanism)."""
    from her2sim.library.genotypes import genotype

    entry = genotype("E542K")
    assert entry.name == "PIK3CA E542K" and entry.name not in context.CATALOGUE_READINGS
    assert context.CATALOGUE_GENOTYPES[entry.name].genotype == "PIK3CA E542K"
    family = default_family()
    assert family.resolve_context("e542k")[1] == context.genotype_settings(["PIK3CA E542K"]) == {
        "PIK3CA_helical_activity": 0.3}
    # the catalogue's strength scale (fold activity, no effect at 1) maps linearly onto the model's
    assert context.relative_strength("PIK3CA E542K", 1.5) == 0.5
    assert context.genotype_settings({"E542K": 0.5}) == {"PIK3CA_helical_activity": 0.15}
    assert hl.apply_genotype(hl.baseline(), ["E542K"]).fixed["PIK3CA_mut"] == 1
    assert "PIK3CA E542K" in cell_lines.PIK3CA_ALLELES


def test_a_real_cell_line_is_one_entry():
    """T-47D: one catalogue entry stating its four facts; the genotype items, the kinetic settings and
    the family context derive from them. Oracles: K20 (HERmark: ~3.2e4 HER2 per cell, so 0.064 of
    BT-474's 5e5) and the model genotype of its PIK3CA allele; a HER2-low line responds less to
    lapatinib than HER2-amplified BT-474 (Konecny 2006 panel: response follows HER2 expression;
    shared cell-line table), compared as a direction at the same free dose."""
    from her2sim.analysis.dose_response import simulate_dose_response

    line = cell_lines.cell_line("t47d")
    assert line.name == "T-47D" and not line.her2_amplified and line.er_positive
    assert [i.genotype for i in line.genotypes] == ["HER2 amplification", "PIK3CA H1047R"]  # the allele from its fact
    settings = default_family().resolve_context("T47D")[1]
    assert settings == {"HER2_expression": 3.2e4 / 5.0e5, **context.genotype_settings(["PIK3CA H1047R"]),
                        "ER_expression": 1.0}
    assert context.cell_line_settings("T-47D", evidence="confirmed") == {"HER2_expression": 3.2e4 / 5.0e5}
    ds = simulate_dose_response("lapatinib", [0.0, 1000.0], contexts=["BT-474", "T-47D"])
    assert int(ds.attrs["n_failed"]) == 0
    gi = ds["inhibition_percent"].isel(concentration=-1)
    assert float(gi.sel(context="T-47D")) < float(gi.sel(context="BT-474"))
