"""Flat tables of the catalogues (drugs, targets, genes, genotypes, cell lines) for reports and the CLI."""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from .cell_lines import all_cell_lines
from .drugs import all_drugs
from .genes import all_genes
from .genotypes import all_genotypes

__all__ = ["CatalogueTables", "catalogue_tables"]


class CatalogueTables(NamedTuple):
    """One DataFrame per catalogue; provenance columns hold ``str(Provenance)``."""

    drugs: pd.DataFrame
    targets: pd.DataFrame
    genes: pd.DataFrame
    genotypes: pd.DataFrame
    cell_lines: pd.DataFrame
    cell_line_genotypes: pd.DataFrame
    cell_line_sensitivities: pd.DataFrame


def catalogue_tables() -> CatalogueTables:
    """Return the catalogues as pandas DataFrames.

    Returns
    -------
    CatalogueTables
        ``drugs`` (one row per drug), ``targets`` (one row per drug-target pair), ``genes``,
        ``genotypes``, ``cell_lines`` and two long tables of cell-line genotype items and
        sensitivity calls.

    Examples
    --------
    >>> tables = catalogue_tables()
    >>> "trastuzumab" in set(tables.drugs["name"])
    True
    """
    drug_rows = []
    target_rows = []
    for drug in all_drugs():
        exposure = drug.exposure_nM()
        drug_rows.append({
            "name": drug.name,
            "aliases": ", ".join(drug.aliases),
            "class": drug.drug_class,
            "modality": drug.modality,
            "action": drug.action,
            "mechanism": drug.mechanism,
            "genes": ", ".join(drug.genes),
            "binds_p95_her2": drug.binds_p95_her2,
            "payload_modelled": drug.payload_modelled,
            "molecular_weight_g_per_mol": drug.molecular_weight,
            "molecular_weight_provenance": str(drug.molecular_weight_provenance),
            "canonical_unit": drug.canonical_unit,
            "exposure_regimen": drug.exposure.regimen if drug.exposure else None,
            "exposure_provenance": str(drug.exposure.provenance) if drug.exposure else None,
            "protein_binding": drug.exposure.protein_binding if drug.exposure else None,
            **exposure,
            "note": drug.note or drug.exposure_note,
        })
        for target in drug.targets:
            target_rows.append({
                "drug": drug.name,
                "node": target.node,
                "genes": ", ".join(target.genes),
                "binding_site": target.binding_site,
                "binding": target.binding,
                "potency_nM": target.potency_nM,
                "potency_kind": target.potency_kind,
                "potency_assay": target.potency_assay,
                "provenance_kind": target.provenance.kind,
                "provenance": str(target.provenance),
                "cellular_IC50_nominal_nM": target.cellular.IC50_nominal_nM if target.cellular else None,
                "cellular_serum_percent": target.cellular.serum_percent if target.cellular else None,
                "free_potency_nM": drug.free_potency(target)[0],
                "K_I_nM": target.covalent.K_I_nM if target.covalent else None,
                "k_inact_per_h": target.covalent.k_inact_per_h if target.covalent else None,
                "covalent_provenance": str(target.covalent.provenance) if target.covalent else None,
            })
    gene_rows = [{
        "symbol": g.symbol, "hgnc_id": g.hgnc_id, "uniprot": g.uniprot, "node": g.node, "module": g.module,
        "in_seed_figure": g.in_seed_figure, "verified": g.verified, "hgnc_uri": g.hgnc_uri,
        "uniprot_uri": g.uniprot_uri, "role": g.role,
    } for g in all_genes()]
    genotype_rows = []
    for entry in all_genotypes():
        strength = entry.strength
        genotype_rows.append({
            "name": entry.name, "kind": entry.kind, "genes": ", ".join(entry.genes),
            "mechanisms": ", ".join(str(m) for m in entry.mechanisms), "findings": ", ".join(entry.findings),
            "strength_quantity": strength.quantity if strength else None,
            "strength_unit": strength.unit if strength else None,
            "strength_default": strength.default if strength else None,
            "strength_low": strength.low if strength else None,
            "strength_high": strength.high if strength else None,
            "strength_provenance": str(strength.provenance) if strength else None,
            "prevalence_sources": ", ".join(sorted({i for p in entry.prevalence for i in p.source_ids})),
            "prevalence_range": _range([p.fraction for p in entry.prevalence]),
            "provenance": str(entry.provenance),
        })
    line_rows, item_rows, call_rows = [], [], []
    for line in all_cell_lines():
        line_rows.append({
            "name": line.name, "aliases": ", ".join(line.aliases), "her2_status": line.her2_status,
            "her2_receptors_per_cell": line.her2_receptors_per_cell,
            "genotypes": ", ".join(item.genotype for item in line.genotypes),
            "confidence": line.confidence, "citation": line.citation, "features": line.features,
            "her2_amplified": line.her2_amplified, "tissue": line.tissue, "ccle_name": line.ccle_name,
            **{f"{field}{suffix}": (getattr(fact, attr) if fact is not None else None)
               for field, fact in line.facts().items()
               for suffix, attr in (("", "value"), ("_evidence", "evidence"), ("_source", "source"))},
        })
        for item in line.genotypes:
            item_rows.append({
                "cell_line": line.name, "genotype": item.genotype, "strength": item.strength,
                "status": item.status, "confirmed": item.confirmed, "source": item.source, "note": item.note,
            })
        for call in line.sensitivities:
            call_rows.append({
                "cell_line": line.name, "drug": call.drug, "call": call.call, "detail": call.detail,
                "source": call.source,
            })
    return CatalogueTables(
        drugs=pd.DataFrame(drug_rows),
        targets=pd.DataFrame(target_rows),
        genes=pd.DataFrame(gene_rows),
        genotypes=pd.DataFrame(genotype_rows),
        cell_lines=pd.DataFrame(line_rows),
        cell_line_genotypes=pd.DataFrame(item_rows),
        cell_line_sensitivities=pd.DataFrame(call_rows),
    )


def _range(values: list[float | None]) -> str:
    numbers = [v for v in values if v is not None]
    if not numbers:
        return ""
    low, high = min(numbers), max(numbers)
    return f"{low:.0%}" if low == high else f"{low:.0%}-{high:.0%}"
