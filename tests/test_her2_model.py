"""Unit and integration tests of the flagship HER2 → PI3K/AKT model (her2sim.library.her2_model).

Oracles: structural checks (Model.check, provenance, annotations), the steady state reached by
pre-equilibration (held for 200 h), and conservation laws of the moieties that have no
synthesis or degradation in the model. Tolerances are stated next to each assert and are
looser than the solver tolerances (rtol 1e-8, atol 1e-12).
"""

from __future__ import annotations

import numpy as np
import pytest

import her2sim
from her2sim.library import her2_model
from her2sim.library.her2_model import (
    FITTED_PRIORS,
    GENOTYPES,
    build,
    cell_line_settings,
    drug_settings,
    genotype_settings,
    parameter_table,
)
from her2sim.library.protocols import growth_inhibition, gr_value, treat, untreated_parameters


@pytest.fixture(scope="module")
def model():
    return build()


def test_model_builds_and_checks(model):
    model.check()
    assert model.id == "her2_pi3k_akt"
    assert model.time_units == "hour"
    assert 30 <= len(model.species) <= 60


def test_every_parameter_has_provenance(model):
    for p in model.parameters:
        assert p.provenance is not None, p.id
        assert p.provenance.kind in {"sourced", "derived", "assumed", "fitted"}, p.id
    table = parameter_table(model)
    assert {"id", "value", "units", "kind", "source", "note"} <= set(table.columns)
    assert not table["kind"].isna().any()
    fitted = set(table.loc[table["kind"] == "fitted", "id"])
    # every fitted parameter names the finding(s) it was fitted to and has a pre-fit value
    assert fitted == set(FITTED_PRIORS)
    notes = table.set_index("id").loc[sorted(fitted), "note"]
    assert all("L" in n and "fitted" in n for n in notes), notes


def test_every_species_has_genes_or_a_reason(model):
    for s in model.species:
        if s.genes:
            assert any("hgnc:" in a for a in s.annotations), s.id
        elif s.annotations:
            assert all(a.startswith("https://identifiers.org/") for a in s.annotations), s.id
        else:
            assert s.provenance is not None and s.provenance.note, s.id


def test_untreated_steady_state_is_reached(model):
    ds = her2sim.simulate(model, np.array([0.0, 50.0, 200.0]), parameters={"cell_growth_switch": 0.0},
                          preequilibrate=untreated_parameters(model))
    for name in ("pAKT_S473", "pHER3", "HER3_total", "pERK", "p4EBP1", "IRS1_total"):
        values = ds[name].values
        # steady state: drift below 1e-6 relative over 200 h (solver rtol 1e-8)
        np.testing.assert_allclose(values, values[0], rtol=1e-6, atol=1e-12, err_msg=name)


CONSERVED = {
    "PI3K": (("PI3K", "PI3K_active"), 200.0),
    "PIP": (("PIP2", "PIP3"), 300.0),
    "AKT": (("AKT", "AKT_pT308", "AKT_pS473", "AKT_pT308_pS473"), 100.0),
    "RAS": (("RAS_GDP", "RAS_GTP"), None),
    "ERK": (("ERK", "ERK_p"), None),
    "MTORC1": (("MTORC1", "MTORC1_active"), None),
}


def test_conservation_during_treatment(model):
    outputs = sorted({s for group, _ in CONSERVED.values() for s in group})
    ds = treat({"trastuzumab": (10, "ug/mL"), "lapatinib": 1000}, times=[0, 1, 8, 24, 72],
               outputs=outputs, model=model)
    for name, (group, total) in CONSERVED.items():
        sums = sum(ds[s].values for s in group)
        expected = sums[0] if total is None else total
        # conserved moiety: relative error 1e-6 (10^2 x solver rtol, accumulated over 72 h)
        np.testing.assert_allclose(sums, expected, rtol=1e-6, err_msg=name)


def test_drug_and_genotype_settings():
    settings = drug_settings({"Herceptin": (10, "ug/mL"), "lapatinib": (1, "uM")})
    # nominal 1 uM in 10 % serum; lapatinib fu 0.01 in plasma (label, >99 % bound) -> the dilution
    # relation fu_medium = 1/(1 + 0.1*(1/0.01 - 1)) = 1/10.9 (Kalvass & Maurer 2002); exact arithmetic
    assert settings["lapatinib_nM"] == pytest.approx(1000.0 / 10.9, rel=1e-12)
    # serum-free medium: nominal is free
    assert drug_settings({"lapatinib": (1, "uM")}, serum_percent=0)["lapatinib_nM"] == pytest.approx(1000.0, rel=1e-12)
    with pytest.raises(her2sim.ValidationError, match="serum_percent"):
        drug_settings({"lapatinib": 1.0}, serum_percent=150)
    assert settings["trastuzumab_nM"] == pytest.approx(10 / 148000 * 1e6, rel=1e-3)
    assert genotype_settings({"PTEN loss": 0.5}) == {"PTEN_level": 0.5}
    assert genotype_settings(["PIK3CA H1047R"])["PIK3CA_mut_gain"] > 0
    # JIMT-1: HER2-amplified at the catalogue default (5e5 per cell = the reference) and MUC4-high
    # with 1/5 of HER2 accessible (L18), i.e. full masking in the model's terms
    assert cell_line_settings("JIMT-1") == {"HER2_expression": 1.0, "MUC4_masking": 1.0}
    ids = {p.id for p in build().parameters}
    for values, _ in GENOTYPES.values():
        assert set(values) <= ids
    with pytest.raises(her2sim.UnknownNameError):
        genotype_settings(["PTEN gain"])


def test_gr_value_formula():
    # Hafner 2016: untreated growth gives GR 1, cytostasis 0, halving -0.5 when control doubles
    assert gr_value(2.0, 2.0) == pytest.approx(1.0, abs=1e-12)
    assert gr_value(1.0, 2.0) == pytest.approx(0.0, abs=1e-12)
    assert gr_value(0.5, 2.0) == pytest.approx(-0.5, abs=1e-12)


def test_growth_inhibition_read_out(model):
    res = growth_inhibition({"trastuzumab": (10, "ug/mL")}, model=model)
    assert 0.0 < res["inhibition_percent"] < 100.0
    assert -1.0 < res["gr"] < 1.0
    assert res["x_control"] > 1.0


def test_seed_figure_genes_map_onto_the_model_completely():
    """Issue 2: every gene of Dong 2021 Fig. 3 maps to a model node; lumped families say so."""
    from her2sim.library.genes import SEED_FIGURE_GENES

    table = her2_model.gene_map()
    assert set(SEED_FIGURE_GENES) <= set(table["gene"]), set(SEED_FIGURE_GENES) - set(table["gene"])
    carried = {g for s in her2_model.build().species for g in s.genes}
    unannotated = set(table.loc[~table["annotated_on_species"], "gene"])
    # only genes the map explains as non-species (MUC4 masking) or not class I (PIK3R4) lack a species
    assert unannotated == {"MUC4", "PIK3R4"}, unannotated
    assert all(g in carried for g in set(SEED_FIGURE_GENES) - unannotated)


def test_catalogue_genotype_names_are_accepted():
    """Every name of library.genotypes maps onto model settings.

    K111N is an allele of its own (issue 13 item 2): a receptor-independent activity of 0.1 of
    H1047R's, without H1047R's gain on pY-recruited p110α (assumed, evidence 'unconfirmed').
    """
    from her2sim.library.genotypes import list_genotypes

    for name in list_genotypes():
        assert her2_model.genotype_settings([name]), name
    h1047r = her2_model.genotype_settings(["PIK3CA H1047R"])
    k111n = her2_model.genotype_settings(["PIK3CA K111N"])
    assert k111n == pytest.approx({"PIK3CA_mut_activity": 0.1 * h1047r["PIK3CA_mut_activity"]}, rel=1e-12)
    assert her2_model.genotype_settings(["PTEN loss (partial)"]) == {"PTEN_level": 0.5}
    assert her2_model.genotype_settings(["PTEN loss (complete)"]) == her2_model.genotype_settings(["PTEN loss"])
