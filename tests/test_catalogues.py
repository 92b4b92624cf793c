"""Catalogue tests: drugs, genes, genotypes, cell lines.

Oracles: hand-computed unit conversions (stated tolerance), identifier formats, and the rules of
:class:`~her2sim.model.components.Provenance`.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from her2sim.errors import UnknownNameError, ValidationError
from her2sim.library.catalogue import catalogue_tables
from her2sim.library.cell_lines import all_cell_lines, cell_line, list_cell_lines
from her2sim.library.drugs import ACTIONS, all_drugs, convert_to_nM, get_drug, list_drugs
from her2sim.library.genes import SEED_FIGURE_GENES, all_genes, gene
from her2sim.library.genotypes import all_genotypes, genotype, list_genotypes
from her2sim.model.components import Provenance

# Conversions are exact arithmetic; 1e-9 relative covers float rounding only.
RTOL = 1e-9


def _check_provenance(provenance: Provenance) -> None:
    assert isinstance(provenance, Provenance)
    if provenance.kind in ("sourced", "derived"):
        assert provenance.source.strip()
    if provenance.kind in ("assumed", "fitted"):
        assert provenance.note.strip()


# --- drugs -------------------------------------------------------------------------------

REQUIRED_DRUGS = (
    "trastuzumab", "pertuzumab", "lapatinib", "neratinib", "afatinib", "pelitinib", "tucatinib",
    "alpelisib", "buparlisib", "pictilisib", "capivasertib", "MK-2206", "ipatasertib", "everolimus",
    "trametinib", "linsitinib", "seribantumab",
)


def test_required_drugs_present() -> None:
    names = set(list_drugs())
    assert set(REQUIRED_DRUGS) <= names
    assert len(names) >= 16


@pytest.mark.parametrize("drug", all_drugs(), ids=lambda d: d.name)
def test_every_drug_has_sited_potent_provenanced_targets(drug) -> None:
    assert drug.targets
    assert drug.action in ACTIONS
    assert drug.mechanism.strip()
    for target in drug.targets:
        assert target.binding_site.strip()
        assert target.binding in ("reversible", "covalent")
        assert target.potency_nM > 0
        assert target.potency_kind in ("Kd", "IC50", "Ki", "EC50")
        _check_provenance(target.provenance)
        assert target.provenance.source or target.provenance.note
    _check_provenance(drug.molecular_weight_provenance)
    if drug.exposure is not None:
        _check_provenance(drug.exposure.provenance)
        if drug.exposure.protein_binding is not None:
            _check_provenance(drug.exposure.protein_binding_provenance)


def test_pharmacology_rows_cite_row_id_and_paper() -> None:
    trastuzumab = get_drug("trastuzumab").targets[0].provenance
    assert "K01" in trastuzumab.source and "Carter" in trastuzumab.source
    afatinib = get_drug("afatinib").target_for("EGFR").provenance
    assert "K11" in afatinib.source and "Eskens" in afatinib.source


def test_pelitinib_potency_is_marked_assumed() -> None:
    for target in get_drug("EKB-569").targets:
        assert target.provenance.kind == "assumed"
        assert target.binding == "covalent"


def test_t_dm1_flags_unmodelled_payload() -> None:
    drug = get_drug("T-DM1")
    assert drug.payload_modelled is False
    assert "not modelled" in drug.note
    assert drug.action == "her2_ecd_block"


def test_antibodies_do_not_bind_p95_and_kinase_inhibitors_do() -> None:
    for name in ("trastuzumab", "pertuzumab", "T-DM1"):
        assert get_drug(name).binds_p95_her2 is False
    for name in ("lapatinib", "neratinib", "afatinib", "tucatinib", "pelitinib"):
        drug = get_drug(name)
        assert drug.binds_p95_her2 is True
        assert drug.target_for("p95-HER2").potency_nM == drug.target_for("HER2").potency_nM


@pytest.mark.parametrize(
    ("alias", "name"),
    [("Herceptin", "trastuzumab"), ("BYL719", "alpelisib"), ("AZD5363", "capivasertib"),
     ("RAD001", "everolimus"), ("T-DM1", "T-DM1"), ("tdm1", "T-DM1"), ("herceptin", "trastuzumab"),
     ("EKB-569", "pelitinib"), ("OSI-906", "linsitinib"), ("MM-121", "seribantumab"),
     ("U3-1287", "patritumab"), ("GDC-0068", "ipatasertib"), ("bkm 120", "buparlisib")],
)
def test_aliases_resolve(alias: str, name: str) -> None:
    assert get_drug(alias).name == name


def test_unknown_drug_names_closest() -> None:
    with pytest.raises(UnknownNameError, match="Herceptin"):
        get_drug("Herceptn")
    with pytest.raises(KeyError):  # dual inheritance keeps KeyError callers working
        get_drug("no-such-drug")


def test_trastuzumab_unit_conversion_by_hand() -> None:
    # 148 kDa: 1 ug/mL = 1e-3 g/L / 148000 g/mol = 6.7568e-9 M = 6.76 nM (2 decimals).
    drug = get_drug("trastuzumab")
    assert drug.to_nM(1.0, "µg/mL") == pytest.approx(1e6 / 148_000.0, rel=RTOL)
    assert drug.to_nM(1.0, "ug/mL") == pytest.approx(6.76, abs=0.005)
    assert drug.to_nM(20.0) == pytest.approx(135.1, abs=0.05)  # canonical unit ug/mL
    assert drug.to_nM(1.0, "mg/L") == drug.to_nM(1.0, "ug/mL")
    assert drug.to_nM(1000.0, "ng/mL") == pytest.approx(drug.to_nM(1.0, "ug/mL"), rel=RTOL)


def test_small_molecule_conversions_by_hand() -> None:
    lapatinib = get_drug("lapatinib")
    # 2.43 ug/mL / 581.06 g/mol = 4.182 uM (pharmacology.md K08 derives ~4.2 uM).
    assert lapatinib.to_nM(2.43, "ug/mL") == pytest.approx(2.43e6 / 581.06, rel=RTOL)
    assert lapatinib.to_nM(1.0, "uM") == pytest.approx(1000.0, rel=RTOL)
    assert lapatinib.to_nM(1.0, "μM") == lapatinib.to_nM(1.0, "µM") == lapatinib.to_nM(1.0)
    assert lapatinib.to_nM(1.0, "mM") == pytest.approx(1e6, rel=RTOL)
    capivasertib = get_drug("capivasertib")
    # 1371 ng/mL / 428.9 g/mol = 3.197 uM (pharmacology.md: ~3.2 uM).
    assert capivasertib.to_nM(1371.0, "ng/mL") == pytest.approx(1371.0e3 / 428.9, rel=RTOL)
    assert capivasertib.from_nM(capivasertib.to_nM(3.0)) == pytest.approx(3.0, rel=RTOL)


def test_bad_units_and_values_name_the_argument() -> None:
    with pytest.raises(ValidationError, match="unit='mg/dL'.*allowed"):
        get_drug("lapatinib").to_nM(1.0, "mg/dL")
    with pytest.raises(ValidationError, match="value"):
        get_drug("lapatinib").to_nM(-1.0, "nM")
    with pytest.raises(ValidationError, match="molecular_weight"):
        convert_to_nM(1.0, "ug/mL", None)


def test_free_exposure_uses_protein_binding() -> None:
    exposure = get_drug("lapatinib").exposure_nM()
    assert exposure["cmax_free_nM"] == pytest.approx(exposure["cmax_total_nM"] * 0.01, rel=1e-9)


# --- genes ---------------------------------------------------------------------------------

HGNC_FORMAT = re.compile(r"^HGNC:[1-9][0-9]*$")
UNIPROT_FORMAT = re.compile(r"^([OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9]([A-Z][A-Z0-9]{2}[0-9]){1,2})$")


def test_seed_figure_genes_exact() -> None:
    expected = {
        "ERBB2", "ERBB3", "IGF1R", "MUC4", "PIK3CA", "PIK3CB", "PIK3CD", "PIK3CG",
        *(f"PIK3R{i}" for i in range(1, 7)), "KRAS", "HRAS", "NRAS", "ARAF", "BRAF", "RAF1",
        "AKT1", "AKT2", "AKT3", "PTEN", "MTOR",
    }
    assert set(SEED_FIGURE_GENES) == expected
    for symbol in SEED_FIGURE_GENES:
        entry = gene(symbol)
        assert entry.in_seed_figure
        assert HGNC_FORMAT.match(entry.hgnc_id)
        assert UNIPROT_FORMAT.match(entry.uniprot)


def test_gene_ids_and_uris() -> None:
    assert gene("ERBB2").hgnc_uri == "https://identifiers.org/hgnc:3430"
    assert gene("ERBB2").uniprot_uri == "https://identifiers.org/uniprot:P04626"
    assert gene("PTEN").uniprot == "P60484"
    symbols = [g.symbol for g in all_genes()]
    assert len(symbols) == len(set(symbols))
    hgnc_ids = [g.hgnc_id for g in all_genes()]
    assert len(hgnc_ids) == len(set(hgnc_ids))
    for needed in ("EGFR", "NRG1", "IGF1", "IRS1", "PDPK1", "RICTOR", "RPTOR", "TSC1", "TSC2", "RHEB",
                   "RPS6KB1", "EIF4EBP1", "FOXO3", "FOXO1", "MAP2K1", "MAP2K2", "MAPK1", "MAPK3",
                   "SOS1", "GRB2", "SRC"):
        assert gene(needed).symbol == needed
    for entry in all_genes():
        _check_provenance(entry.provenance)


def test_drug_target_genes_are_catalogued() -> None:
    for drug in all_drugs():
        for symbol in drug.genes:
            assert gene(symbol).symbol == symbol


def test_unknown_gene_names_closest() -> None:
    with pytest.raises(UnknownNameError, match="PIK3CA"):
        gene("PIK3CAA")


# --- genotypes -----------------------------------------------------------------------------

@pytest.mark.parametrize("entry", all_genotypes(), ids=lambda g: g.name)
def test_genotype_provenance_and_sources(entry) -> None:
    _check_provenance(entry.provenance)
    if entry.strength is not None:
        _check_provenance(entry.strength.provenance)
        assert entry.strength.low <= entry.strength.default <= entry.strength.high
    for prevalence in entry.prevalence:
        assert all(re.match(r"^P\d\d$", i) for i in prevalence.source_ids)
    for symbol in entry.genes:
        gene(symbol)


def test_required_genotypes_present() -> None:
    for name in ("HER2 amplification", "p95-HER2", "HER3 high", "PIK3CA H1047R", "PIK3CA E545K",
                 "PTEN loss (complete)", "PTEN loss (partial)", "IGF1R high", "IGF-1", "MUC4 high",
                 "heregulin-rich medium", "KRAS G12 activating"):
        assert genotype(name).name == name
    assert genotype("PTEN loss (complete)").strength.default == 0.0


def test_unknown_genotype_names_closest() -> None:
    with pytest.raises(UnknownNameError, match="PIK3CA H1047R"):
        genotype("PIK3CA H1047")
    with pytest.raises(ValidationError, match="outside the allowed range"):
        genotype("PTEN loss (partial)").strength.check(1.5)


# --- cell lines ----------------------------------------------------------------------------

def test_cell_lines_reference_only_known_genotypes_and_drugs() -> None:
    known = set(list_genotypes())
    drugs = set(list_drugs())
    for line in all_cell_lines():
        assert line.genotypes
        for item in line.genotypes:
            assert item.genotype in known
        for call in line.sensitivities:
            assert call.drug in drugs


def test_unconfirmed_items_flagged() -> None:
    bt474 = cell_line("BT474")
    k111n = next(i for i in bt474.genotypes if i.genotype == "PIK3CA K111N")
    assert k111n.status == "unconfirmed" and not k111n.confirmed
    assert bt474.her2_receptors_per_cell == pytest.approx(499_795.0)
    h1047r = next(i for i in cell_line("HCC-1954").genotypes if i.genotype == "PIK3CA H1047R")
    assert h1047r.status == "secondary" and not h1047r.confirmed
    muc4 = next(i for i in cell_line("JIMT1").genotypes if i.genotype == "MUC4 high")
    assert muc4.confirmed and muc4.strength == pytest.approx(0.2)
    assert all(i.genotype != "PIK3CA K111N" for i in bt474.confirmed_genotypes())


@pytest.mark.parametrize(("alias", "name"), [("SKBR3", "SK-BR-3"), ("bt-474", "BT-474"), ("kpl4", "KPL-4"),
                                             ("MDA453", "MDA-MB-453")])
def test_cell_line_aliases(alias: str, name: str) -> None:
    assert cell_line(alias).name == name


def test_cell_line_sensitivity_lookup_and_errors() -> None:
    assert cell_line("HCC1954").sensitivity("Herceptin").call == "resistant"
    assert cell_line("HCC1954").sensitivity("lapatinib").call == "sensitive"
    with pytest.raises(UnknownNameError, match="SK-BR-3|SKBR3"):
        cell_line("SKBR33")
    assert len(list_cell_lines()) >= 10


# --- tables --------------------------------------------------------------------------------

def test_catalogue_tables() -> None:
    tables = catalogue_tables()
    for frame in tables:
        assert isinstance(frame, pd.DataFrame) and not frame.empty
    assert set(tables.drugs["name"]) == set(list_drugs())
    assert tables.targets["binding_site"].str.len().min() > 0
    assert set(tables.targets["provenance_kind"]) <= {"sourced", "derived", "assumed", "fitted", "imported"}
    assert len(tables.genes) == len(all_genes())
