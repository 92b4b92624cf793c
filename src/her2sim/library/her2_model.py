"""The flagship kinetic model: HER2/HER3/EGFR/IGF1R → PI3K/AKT/mTOR and RAS/ERK, with resistance.

``build()`` returns the model ``her2_pi3k_akt`` (time in hours, concentrations in nM, one
compartment ``cell``). It encodes the mechanisms of Dong et al. 2021 (Front Pharmacol
12:628690, Fig. 3) as listed in the project's MECHANISMS.md.

Design
------
* Everything a user varies is a **parameter** (runtime input): drug concentrations in nM
  (one ``<drug>_nM`` parameter per catalogued drug), genotype strengths (``PTEN_level``,
  ``PIK3CA_mut_activity``, ``p95HER2_expression``, ``HER3_expression``, ``IGF1R_expression``,
  ``HER2_expression``, ``MUC4_masking``, ``KRAS_mut``) and ligands (``HRG_nM``, ``EGF_nM``,
  ``IGF1_nM``). No genotype or dose needs a new model structure.
* **Drug action is occupancy from the free concentration and the potency**, both on one scale:
  ``<drug>_nM`` is the *free* concentration at the target (in vitro: nominal × unbound fraction
  in the medium's serum, :func:`drug_settings`; in patients: free plasma concentration,
  :mod:`her2sim.library.pk`), and every potency is a free cellular potency per drug (a cellular
  IC50 converted to free, an allosteric potency as measured, or for ATP-site inhibitors without
  a cellular value a stated shift). An antibody occupies its epitope with ``C/(C + Kd)``;
  reversible kinase inhibitors on the same ATP site compete, ``1/(1 + Σ C_i/IC50_i)`` left
  active. Covalent inhibitors (neratinib, afatinib, pelitinib) also build an inactivated
  receptor pool at ``k_inact·C/(K_I + C)``, recovered only by receptor turnover. Reversible
  binding is taken as fast against signalling changes over hours.
* **Receptor dimerisation is not enumerated**: HER2 kinase output enters as dimensionless
  "drives" (assignment rules) that phosphorylate HER3, recruit PI3K (through pHER3, pIRS1 and
  RAS) and load RAS (through SOS). Ligand-independent HER2 signalling (at amplified density)
  is blocked by trastuzumab; ligand (heregulin)-driven HER2–HER3 signalling by pertuzumab.
* PDK1 is lumped into the PIP3-dependent T308 step; mTORC2 is activated by PIP3.
* Negative feedbacks: S6K ⊣ IRS1 (serine phosphorylation and degradation; Brännmark 2013,
  O'Reilly 2006), AKT ⊣ FOXO → HER3 and IGF1R transcription (Garrett 2011, Chandarlapaty
  2011), ERK ⊣ SOS (Birtwistle 2007; also ERK → SOS in Kholodenko-type models), and ERK ⊣
  EGFR/HER2 through the juxtamembrane threonine (EGFR T669, HER2 T677), whose relief by MEK
  inhibitors raises pHER3 and pAKT (Turke 2012; Kawasaki 2016).
* PIK3CA alleles act by their own mechanisms (Zhao & Vogt 2008; Burke 2012): helical-domain
  mutants (E545K, E542K) are active without p85-pY binding but need RAS-GTP
  (``PIK3CA_helical_activity``); kinase-domain mutants (H1047R/L) need p85-pY recruitment but not
  RAS (``PIK3CA_mut_gain`` on pY-recruited p110α, ``PIK3CA_mut_activity`` membrane activity).
  Mutant output is p110α catalytic output that α-selective inhibitors block like wild type.
* Oestrogen receptor crosstalk (``ER_expression``, ``E2_nM``; ER-negative by default): AKT (via
  FOXO3a) and ERK lower ER expression, so HER2 blockade raises ER activity (Xia 2006); ER drives
  proliferation (``ER_proliferation_drive``), IRS1, IGF1R and amphiregulin; fulvestrant
  (``er_degrade``) blocks and degrades ER.
* The ``cells`` species is a relative cell number. Its division rate follows G1/S progression:
  cyclin D1 (ERK-driven transcription, mTORC1/eIF4E-dependent translation, AKT ⊣ GSK3β
  stabilisation) with CDK4/6 phosphorylates Rb, braked by nuclear p27Kip1 (FOXO-driven,
  AKT-excluded) through CDK2, and free E2F commits cells to S phase. Its death rate follows the
  BH3-only load (FOXO → BIM, ERK ⊣ BIM; AKT/RSK ⊣ BAD) and, only when the context switch
  ``in_vivo`` is 1, trastuzumab's FcγR-dependent immune kill (ADCC, Clynes 2000). It only
  grows when ``cell_growth_switch`` is 1, so that pre-equilibration finds a steady state.
* Trastuzumab-bound HER2 is protected from ADAM10 ectodomain shedding, the source of part of
  p95-HER2 (Molina 2001).

Every parameter carries a :class:`~her2sim.model.Provenance`; :func:`parameter_table` lists
them. Values are either taken from a peer model or pharmacology.md row (``sourced``, with the
unit conversion in the note), computed from such values (``derived``), chosen with a stated
reason (``assumed``), or calibrated to a named finding (``fitted``).
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from ..model import Model, Provenance
from .her2 import SUBMODELS, compose
from .her2._base import BIRTWISTLE, BRANNMARK, CELL_VOLUME_NOTE, FARATIAN, HATAKEYAMA, NM_PER_COPY, YIP  # noqa: F401
from .her2.context import (
    CATALOGUE_GENOTYPES,
    EVIDENCE,
    GENOTYPES,
    CatalogueGenotype,
    cell_line_genotypes,
    cell_line_settings,
    genotype_settings,
    relative_strength,
    resolve_genotype,
)
from .her2.drug_action import MECHANISMS, DrugMechanism, drug_parameter, drug_settings, modelled_drugs
from .her2.readouts import OBSERVABLES

__all__ = [
    "MODEL_ID",
    "OBSERVABLES",
    "GENOTYPES",
    "build",
    "parameter_table",
    "drug_parameter",
    "drug_settings",
    "genotype_settings",
    "cell_line_settings",
    "cell_line_genotypes",
    "resolve_genotype",
    "relative_strength",
    "CatalogueGenotype",
    "CATALOGUE_GENOTYPES",
    "DrugMechanism",
    "MECHANISMS",
    "modelled_drugs",
    "FITTED_PRIORS",
]

MODEL_ID = "her2_pi3k_akt"
# The builder is composed from submodels (her2sim.library.her2: inputs, drug action, receptors,
# PI3K-AKT, mTORC1, RAS-ERK, ER, phenotype); the vocabularies live beside them (her2.context for
# genotypes and cell lines, her2.drug_action for drugs, her2.readouts for the observables). Their
# public names are re-exported here.
__all__ += ["SUBMODELS", "EVIDENCE"]

#: Fitted parameters -> (value before fitting, why that value). The scorecard re-runs every
#: check with these values to count which reproduced findings stand without any fitting.
FITTED_PRIORS: dict[str, tuple[float, str]] = {
    "trastuzumab_signalling_block": (1.0, "naive: bound trastuzumab blocks all ligand-independent HER2 signalling"),
    "k_T308": (30.0, "first model version (assumed)"),
    "k_mTORC2_act": (6.0, "first model version (assumed)"),
    "k_FOXO_p": (60.0, "first model version (assumed)"),
    "k_TSC2_AKT": (60.0, "first model version (assumed)"),
    "k_RHEB_GEF": (30.0, "first model version (assumed)"),
}


def build() -> Model:
    """Build the flagship HER2 → PI3K/AKT/mTOR, RAS/ERK model.

    Returns
    -------
    Model
        ``her2_pi3k_akt``: time unit hour, concentrations in nM, compartment ``cell``.

    Examples
    --------
    >>> model = build()
    >>> model.time_units, len(model.species) > 30
    ('hour', True)
    """
    from .drugs import catalogue_version

    # one build per state of the drug catalogue (register_drug / register_action add to the model)
    return _build_cached(catalogue_version())


@lru_cache(maxsize=4)
def _build_cached(catalogue_version: int) -> Model:
    return compose(
        SUBMODELS,
        model_id=MODEL_ID,
        name="HER2 → PI3K/AKT/mTOR and RAS/ERK signalling with resistance mechanisms",
        time_units="hour",
        substance_units="nanomole",
        volume_units="litre",
        notes=__doc__ or "",
        citation="Dong et al. 2021, Front Pharmacol 12:628690 (Fig. 3); parameters as in parameter_table()",
        metadata={"concentration_units": "nM"},
    )


# ------------------------------------------------------------------------------------------------
#: Every gene of the seed figure (Dong 2021, Fig. 3) -> the model node that stands for it, and
#: how (lumped families are said so).
SEED_GENE_MAP: dict[str, tuple[str, str]] = {
    "ERBB2": ("ERBB2 / ERBB2_p95", "full-length HER2 and the p95 fragment are separate species"),
    "ERBB3": ("ERBB3 (+ NRG1-bound and phosphorylated forms)", "own species"),
    "IGF1R": ("IGF1R", "own species; IGF-1 as ligand input IGF1_nM"),
    "MUC4": ("parameter MUC4_masking", "not a species: MUC4 enters as masking of trastuzumab's epitope "
             "(accessible HER2 = MUC4_accessible_fraction, L18)"),
    **{g: ("PI3K / PI3K_active", "class I p110 catalytic subunits lumped into one PI3K node; the mutant "
           "p110alpha alleles are separate inputs (PIK3CA_mut_activity, PIK3CA_mut_gain, PIK3CA_helical_activity)") for g in
       ("PIK3CA", "PIK3CB", "PIK3CD", "PIK3CG")},
    **{g: ("PI3K / PI3K_active", "class I regulatory subunits (p85/p55, p101/p84) lumped into the PI3K node")
       for g in ("PIK3R1", "PIK3R2", "PIK3R3", "PIK3R5", "PIK3R6")},
    "PIK3R4": ("PI3K / PI3K_active (by the figure's lumping only)", "VPS15, the regulatory subunit of class III "
               "PI3K (VPS34), makes PI3P, not PIP3: it has no own dynamics here and is not annotated on the node"),
    **{g: ("RAS_GTP / RAS_GDP", "RAS isoforms lumped; KRAS activating mutation as input KRAS_mut")
       for g in ("KRAS", "HRAS", "NRAS")},
    **{g: ("RAF / RAF_active", "RAF isoforms lumped") for g in ("ARAF", "BRAF", "RAF1")},
    **{g: ("AKT, AKT_pT308, AKT_pS473, AKT_pT308_pS473", "AKT isoforms lumped; PDK1 lumped into the T308 step")
       for g in ("AKT1", "AKT2", "AKT3")},
    "PTEN": ("PTEN / PTEN_pY", "own species; loss via PTEN_level"),
    "MTOR": ("MTORC1 / MTORC2 (active and inactive)", "the kinase of both complexes"),
}


def gene_map(model: Model | None = None) -> pd.DataFrame:
    """The seed figure's genes, the model node each maps to, and whether species carry the gene."""
    model = model or build()
    carried = {g for sp in model.species for g in sp.genes}
    rows = [
        {"gene": g, "node": node, "note": note, "annotated_on_species": g in carried}
        for g, (node, note) in SEED_GENE_MAP.items()
    ]
    return pd.DataFrame(rows)


def parameter_table(model: Model | None = None) -> pd.DataFrame:
    """All parameters with value, units and provenance.

    Returns
    -------
    pandas.DataFrame
        Columns ``id, value, units, kind, source, note, name``; assignment-rule variables are
        left out (they are computed, not set).

    Examples
    --------
    >>> table = parameter_table()
    >>> set(table["kind"]) <= {"sourced", "derived", "assumed", "fitted", "imported"}
    True
    """
    model = model or build()
    ruled = {r.variable for r in model.assignment_rules}
    rows = []
    for p in model.parameters:
        if p.id in ruled:
            continue
        prov = p.provenance or Provenance("assumed", "", "missing")
        rows.append({"id": p.id, "value": p.value, "units": p.units, "kind": prov.kind,
                     "source": prov.source, "note": prov.note, "name": p.name})
    return pd.DataFrame(rows, columns=["id", "value", "units", "kind", "source", "note", "name"])
