"""The concordance panel is derived from the genotype catalogue (issue #12: the catalogue is the one
vocabulary of the kinetic settings, the logical fixes and the concordance panel).

Oracle: the hand-written panel it replaces (``concordance.GENOTYPE_PANEL`` as a literal, main before
this change), compared exactly (the IGF-I medium 40 ng/mL / 7649 Da, bit for bit); a new
declaration joins the panel with nothing else written.
"""

from __future__ import annotations

import dataclasses

import pytest

from her2sim.errors import UnknownNameError, ValidationError
from her2sim.library import concordance, genotypes
from her2sim.library.genotypes import ConcordanceRow, genotype

#: The literal panel before the derivation (copied from main, in its order).
PREVIOUS_PANEL = {
    "HER2 amplified": ((), {}),
    "PTEN loss": (("PTEN loss",), {}),
    "PIK3CA H1047R": (("PIK3CA H1047R",), {}),
    "p95HER2 (HER2 non-amplified)": (("HER2 non-amplified", "p95HER2"), {}),
    "MUC4 high": (("MUC4 high",), {}),
    "KRAS G12": (("KRAS G12",), {}),
    "IGF1R high + IGF-I": (("IGF1R overexpression",), {"IGF1_nM": 40.0 / 7.649}),
}


def test_derived_panel_equals_the_previous_literal():
    derived = concordance.genotype_panel()
    assert derived == PREVIOUS_PANEL
    assert dict(concordance.GENOTYPE_PANEL) == PREVIOUS_PANEL
    # rows follow the catalogue's order (the literal's order was hand-picked)
    declared = [g.concordance.label for g in genotypes.all_genotypes() if g.concordance is not None]
    assert list(derived) == declared


def test_a_declaration_on_a_catalogue_entry_adds_a_row(monkeypatch):
    """HER3 high, declared in the catalogue only, becomes a row read as the model's HER3 over-expression."""
    entries = tuple(dataclasses.replace(g, concordance=ConcordanceRow("HER3 high + heregulin", ("heregulin",)))
                    if g.name == "HER3 high" else g for g in genotypes.all_genotypes())
    monkeypatch.setattr(genotypes, "_GENOTYPES", entries)
    panel = concordance.genotype_panel()
    assert panel["HER3 high + heregulin"] == (("HER3 overexpression",), {"HRG_nM": 1.0})
    assert {k: v for k, v in panel.items() if k != "HER3 high + heregulin"} == PREVIOUS_PANEL


def test_bad_declarations_are_named():
    base = genotype("MUC4 high")
    typo = dataclasses.replace(base, concordance=ConcordanceRow("MUC4 + IGF", ("IGF-I medium",)))
    with pytest.raises(UnknownNameError, match="concordance background of genotype 'MUC4 high'") as caught:
        concordance.genotype_panel([typo])
    assert caught.value.suggestion is not None
    twice = [base, dataclasses.replace(genotype("KRAS G12"), concordance=ConcordanceRow("MUC4 high"))]
    with pytest.raises(ValidationError, match="declared by two genotypes"):
        concordance.genotype_panel(twice)
    with pytest.raises(ValidationError, match="label"):
        ConcordanceRow(" ")
    with pytest.raises(ValidationError, match="background"):
        ConcordanceRow("x", "IGF-1")  # a bare string, not a tuple of names
