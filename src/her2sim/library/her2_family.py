"""The flagship as a model family: model, vocabulary (genotypes, cell lines, drugs), read-outs, twin.

Generic code (analyses, calibration, protocols) takes a :class:`~her2sim.family.ModelFamily`;
this module says what each part is for the HER2 → PI3K/AKT model, composed from the submodels
of :mod:`.her2`. The vocabulary comes from one place per kind: genotypes and their model effects
from :data:`.her2.context.GENOTYPES` and :data:`.her2.context.CATALOGUE_GENOTYPES` (over the
catalogue :mod:`.genotypes`), cell lines from :mod:`.cell_lines`, drugs from :mod:`.drugs` with one
declaration per drug action in :data:`.her2.drug_action.DRUG_ACTIONS` (kinetic effect, twin input,
in-vitro reference dose).

Examples
--------
>>> FAMILY.resolve_context("PTEN loss")
('PTEN loss', {'PTEN_level': 0.0})
>>> FAMILY.resolve_context("parental")
('parental', {})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import UnknownNameError
from ..family import ModelFamily
from .her2 import SUBMODELS

__all__ = ["FAMILY", "PARENTAL", "resolve_context", "context_names"]

#: Name of the unperturbed context (HER2-amplified, PTEN and PIK3CA wild type: BT-474-like).
PARENTAL = "parental"
_PARENTAL_ALIASES = {"parental", "wild type", "wildtype", "wt", "reference", ""}


def context_names() -> list[str]:
    """Every context name: parental, model and catalogue genotypes, catalogued cell lines."""
    from .cell_lines import list_cell_lines
    from .her2_model import CATALOGUE_GENOTYPES, GENOTYPES

    return [PARENTAL, *GENOTYPES, *CATALOGUE_GENOTYPES, *list_cell_lines()]


def _is_genotype(name: str) -> bool:
    from .her2_model import resolve_genotype

    try:
        resolve_genotype(name)
    except UnknownNameError:
        return False
    return True


def resolve_context(context: Any) -> tuple[str, dict[str, float]]:
    """Label and parameter settings of a tumour context.

    Parameters
    ----------
    context
        ``"parental"``; a genotype name (``"PTEN loss"``; model or catalogue names and aliases,
        any case); several joined by ``" + "`` (``"PIK3CA H1047R + PTEN loss"``); a catalogued
        cell line (``"JIMT-1"``, with its genotype strengths); a list of genotype names; or a
        mapping ``{genotype: strength}``.

    Raises
    ------
    UnknownNameError
        An unknown genotype or cell line, with the closest valid name.
    """
    from .her2_model import cell_line_settings, genotype_settings

    if isinstance(context, Mapping):
        label = " + ".join(f"{k} ({v:g})" if float(v) != 1.0 else k for k, v in context.items()) or PARENTAL
        return label, genotype_settings(dict(context))
    if not isinstance(context, str):
        names = [str(n) for n in context]
        return (" + ".join(names) or PARENTAL), genotype_settings(names)
    text = context.strip()
    if text.lower() in _PARENTAL_ALIASES:
        return PARENTAL, {}
    parts = [p.strip() for p in text.split(" + ")]
    if all(_is_genotype(p) for p in parts):
        return text, genotype_settings(parts)
    try:
        return text, cell_line_settings(text)
    except UnknownNameError:
        pass
    bad = next((p for p in parts if not _is_genotype(p)), text)
    raise UnknownNameError("context", bad, context_names())


def _build() -> Any:
    from .her2_model import build

    return build()


def _drug_settings(doses: Mapping[str, Any], *, serum_percent: float = 10.0) -> dict[str, float]:
    from .her2_model import drug_settings

    return drug_settings(doses, serum_percent=serum_percent)


def _drug_names() -> tuple[str, ...]:
    from .her2_model import modelled_drugs

    return modelled_drugs()


def _in_vitro_doses() -> dict[str, tuple[float, str, str]]:
    from .her2.drug_action import DRUG_ACTIONS

    return {name: (*a.in_vitro_dose, a.in_vitro_source) for name, a in DRUG_ACTIONS.items()}


def _logical() -> Any:
    from . import her2_logical

    return her2_logical.load()


def _node_map() -> Any:
    from . import her2_logical

    return her2_logical.NODE_MAP


FAMILY = ModelFamily(
    name="her2_pi3k_akt",
    model_id="her2_pi3k_akt",
    build=_build,
    description="HER2/HER3/EGFR/IGF1R -> PI3K/AKT/mTOR and RAS/ERK with drugs, genotypes and a cell-number "
                "read-out (Dong et al. 2021, Fig. 3)",
    readouts=(
        "pHER2", "pHER2_total", "pHER3", "HER3_total", "HER3_synthesis_fold", "HER2_total",
        "HER2_trastuzumab_bound", "IRS1_total", "PIP3_fraction", "pAKT_T308", "pAKT_S473",
        "AKT_activity", "FOXO_nuclear", "pS6K", "pS6", "p4EBP1", "pERK", "growth_rate", "cells",
        "PTEN_active", "pp95HER2", "survival_signal", "proliferation_signal",
        "proliferation_rate", "death_rate",
        "CyclinD1", "p27_nuclear", "pRb", "E2F_activity", "BIM",
    ),
    growth_species="cells",
    routes={"pAKT_S473": "pAKT", "pS6": "pS6", "pERK": "pERK", "pHER3": "HER3"},
    conserved={
        "PI3K": ("PI3K", "PI3K_active"),
        "PIP": ("PIP2", "PIP3"),
        "AKT": ("AKT", "AKT_pT308", "AKT_pS473", "AKT_pT308_pS473"),
        "RAS": ("RAS_GDP", "RAS_GTP"),
        "ERK": ("ERK", "ERK_p"),
        "MTORC1": ("MTORC1", "MTORC1_active"),
    },
    default_context=PARENTAL,
    resolve_context=resolve_context,
    context_names=context_names,
    drug_settings=_drug_settings,
    drug_names=_drug_names,
    logical=_logical,
    node_map=_node_map,
    submodels=SUBMODELS,
    in_vitro_doses=_in_vitro_doses,
    default_readouts={
        "dose_response": ("pHER2_total", "pHER3", "pAKT_S473", "pS6", "pERK", "FOXO_nuclear"),
        "synergy": ("pAKT_S473", "pS6", "pERK"),
        "regimen": ("pAKT_S473", "pS6", "pERK", "pHER3"),
        "rescue": ("pHER2_total", "pHER3", "HER3_total", "pAKT_S473", "pS6", "pERK"),
    },
    readout_labels={"pHER2_total": "pHER2", "pHER3": "pHER3", "HER3_total": "HER3 protein", "pAKT_S473": "pAKT",
                    "pS6": "pS6", "pERK": "pERK"},
    in_vivo_switch="in_vivo",
    # the growth read-out (BH3 weights, death depth, division rate) and the lapatinib-insensitive IGF1R -> HER3
    # route: all "assumed" in the provenance; potencies and presets stay fixed (see calibration.ccle)
    dose_response_parameters=("weight_BIM", "weight_BAD", "death_max", "mu_max", "IGF1R_HER3_weight"),
)
