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

import dataclasses
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from ..errors import UnknownNameError, ValidationError
from ..model import (
    AssignmentRule,
    Compartment,
    Model,
    Parameter,
    ParameterRole,
    Provenance,
    Reaction,
    Species,
    parse,
)

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

# ------------------------------------------------------------------------------------------------
# sources (written once, cited by many parameters)
HATAKEYAMA = "Hatakeyama 2003 (BIOMD0000000146), Biochem J 373:451-63"
BRANNMARK = "Brännmark 2013 (BIOMD0000000448), J Biol Chem 288:9867-80"
FARATIAN = "Faratian 2009 (BIOMD0000000424), Cancer Res 69:6713-20"
BIRTWISTLE = "Birtwistle 2007 (BIOMD0000000175), Mol Syst Biol 3:144"
YIP = "Yip et al. integrated PI3K network model (peer-models/yip2024-pi3k-network; journal/year unconfirmed)"
CELL_VOLUME_NOTE = (
    "copies per cell converted with an assumed cell volume of 2 pL: 1 nM = 1204 copies per cell"
)
NM_PER_COPY = 1.0 / (6.02214076e23 * 2e-12) * 1e9  # nM per copy in 2 pL


def _sourced(source: str, note: str = "") -> Provenance:
    return Provenance("sourced", source, note)


def _derived(source: str, note: str) -> Provenance:
    return Provenance("derived", source, note)


def _assumed(note: str) -> Provenance:
    return Provenance("assumed", "", note)


def _fitted(note: str) -> Provenance:
    return Provenance("fitted", "", note)


# ------------------------------------------------------------------------------------------------
# genes and annotations
_GENE_FALLBACK = {
    # RPS6 is not in the gene catalogue (her2sim.library.genes); ids recalled, not read.
    "RPS6": ("HGNC:10429", "P62753"),
}


def _annotations(genes: tuple[str, ...]) -> tuple[str, ...]:
    from . import genes as gene_catalogue

    uris: list[str] = []
    for symbol in genes:
        try:
            record = gene_catalogue.gene(symbol)
            hgnc, uniprot = record.hgnc_id, record.uniprot
        except UnknownNameError:
            hgnc, uniprot = _GENE_FALLBACK[symbol]
        uris.append("https://identifiers.org/" + hgnc.lower().replace("hgnc:", "hgnc:"))
        if uniprot:
            uris.append(f"https://identifiers.org/uniprot:{uniprot}")
    return tuple(uris)


# ------------------------------------------------------------------------------------------------
# drugs: one concentration parameter per catalogued drug; potencies copied from the catalogue

@dataclass(frozen=True)
class DrugMechanism:
    """How a drug action of the catalogue (:data:`her2sim.library.drugs.ACTIONS`) enters both formalisms.

    ``nodes``: the catalogue target nodes whose potencies become model parameters (the occupancy
    terms of :func:`build` are grouped by ``action:node``); ``logical_inputs``: the inputs of the
    logical twin fixed on by a drug with this action (:func:`her2_logical.apply_drugs`).
    """

    nodes: tuple[str, ...]
    logical_inputs: tuple[str, ...]


#: Drug action -> its mechanism in the kinetic model and in the logical twin (one table for both).
MECHANISMS: dict[str, DrugMechanism] = {
    "her2_ecd_block": DrugMechanism(("HER2",), ("Trastuzumab",)),
    "her2_dimerisation_block": DrugMechanism(("HER2",), ("Pertuzumab",)),
    "her_kinase_inhibit": DrugMechanism(("HER2", "p95-HER2", "EGFR"), ("HER_TKI",)),
    "pi3k_alpha_inhibit": DrugMechanism(("PI3K p110alpha",), ("PI3K_alpha_inhibitor",)),
    "pi3k_pan_inhibit": DrugMechanism(("PI3K p110alpha", "PI3K p110beta"), ("PI3K_pan_inhibitor",)),
    "akt_inhibit": DrugMechanism(("AKT",), ("AKT_inhibitor",)),
    "mtorc1_inhibit": DrugMechanism(("mTORC1",), ("mTORC1_inhibitor",)),
    "mek_inhibit": DrugMechanism(("MEK",), ("MEK_inhibitor",)),
    "igf1r_inhibit": DrugMechanism(("IGF1R",), ("IGF1R_inhibitor",)),
    "her3_block": DrugMechanism(("HER3",), ("HER3_antibody",)),
    "cdk46_inhibit": DrugMechanism(("CDK4/6",), ("CDK46_inhibitor",)),
    # SERD (fulvestrant): ER occupancy and degradation
    "er_degrade": DrugMechanism(("ER",), ("Fulvestrant",)),
}
_ACTION_NODES = {action: m.nodes for action, m in MECHANISMS.items()}
_NODE_TAG = {
    "HER2": "HER2", "p95-HER2": "p95", "EGFR": "EGFR", "PI3K p110alpha": "PI3K", "PI3K p110beta": "PI3Kb",
    "AKT": "AKT", "mTORC1": "mTORC1", "MEK": "MEK", "IGF1R": "IGF1R", "HER3": "HER3", "ER": "ER",
    "CDK4/6": "CDK46",
}


def _drug_key(name: str) -> str:
    key = re.sub(r"[^0-9A-Za-z]", "", name)
    return key if key[0].isalpha() else "d" + key


def drug_parameter(name: str) -> str:
    """The id of the model parameter holding the free concentration (nM) of drug ``name``.

    Examples
    --------
    >>> drug_parameter("Herceptin")
    'trastuzumab_nM'
    """
    from .drugs import get_drug

    return f"{_drug_key(get_drug(name).name)}_nM"


@dataclass(frozen=True)
class _DrugTerm:
    drug: str
    concentration: str
    potency: str
    allosteric: bool
    k_inact: str | None = None  # covalent inhibitors: the k_inact parameter (1/h); potency is then K_I


#: Cheng-Prusoff shift kept only for ATP-site inhibitors whose cellular potency was not found:
#: action -> (fold, provenance). AKT: derived from capivasertib's biochemical vs cellular IC50s.
_ATP_SITE_SHIFT: dict[str, tuple[float, Provenance]] = {
    "akt_inhibit": (50.0, _derived(
        "pharmacology.md K17: Davies 2012 Mol Cancer Ther 11:873",
        "capivasertib biochemical IC50 <=10 nM vs cellular AKT-substrate IC50 0.3-0.8 uM: shift 30-80, "
        "midpoint 50; applied to an ATP-site AKT inhibitor without its own cellular potency")),
    "pi3k_alpha_inhibit": (10.0, _assumed(
        "cellular potency not found: biochemical IC50 x 10, a Cheng-Prusoff shift for mM cellular ATP "
        "(round value; K17 shows 30-80 for capivasertib on AKT)")),
    "pi3k_pan_inhibit": (10.0, _assumed(
        "cellular potency not found: biochemical IC50 x 10, a Cheng-Prusoff shift for mM cellular ATP "
        "(round value; K17 shows 30-80 for capivasertib on AKT)")),
    "igf1r_inhibit": (10.0, _assumed(
        "cellular potency not found: biochemical IC50 x 10, a Cheng-Prusoff shift for mM cellular ATP")),
    "her_kinase_inhibit": (12.1 / 9.8, _derived(
        "CCLE (Barretina 2012 Nature 483:603) BT-474 lapatinib viability; Rusnak 2001 Mol Cancer Ther 1:85",
        "cell-to-kinase ratio of lapatinib (free BT-474 proliferation IC50 12.1 nM / purified HER2 IC50 9.8 nM), "
        "applied to an off-target ATP-site potency of a HER kinase inhibitor without its own cellular value")),
}


def _free_cellular_potency(drug, target) -> tuple[float, Provenance, str]:
    """Free concentration (nM) that half-occupies ``target`` in cells, its provenance, and how it was got.

    One exposure scale: every potency is a *free* concentration. A cellular potency is converted
    from nominal with its assay medium's unbound fraction; a covalent inhibitor's reversible step
    is its K_I (the covalent pool is modelled separately); allosteric inhibitors and antibodies
    take their measured potency as is (no ATP competition); an ATP-site potency without a cellular
    value is shifted by :data:`_ATP_SITE_SHIFT` of its action.
    """
    if target.cellular is not None:
        value, prov = drug.free_potency(target)
        return value, prov, "cellular potency converted to free"
    allosteric = "allosteric" in target.binding_site.lower() or "frb" in target.binding_site.lower()
    if target.covalent is not None:
        return float(target.potency_nM), target.provenance, "K_I of the reversible step (covalent inhibitor)"
    if target.potency_kind == "Kd" or allosteric or drug.action not in _ATP_SITE_SHIFT:
        return float(target.potency_nM), target.provenance, "as measured (no ATP-competition shift)"
    fold, shift_prov = _ATP_SITE_SHIFT[drug.action]
    prov = target.provenance
    kind = "assumed" if "assumed" in (prov.kind, shift_prov.kind) else "derived"
    source = "; ".join(x for x in (prov.source, shift_prov.source) if x)
    note = (f"{target.potency_nM:g} nM ({target.potency_assay}) x {fold:.3g} ATP-site shift: "
            f"{shift_prov.note}. Potency: {prov.note}").strip()
    return float(target.potency_nM) * fold, Provenance(kind, source, note), "biochemical x ATP-site shift"


def _drug_parameters() -> tuple[list[Parameter], dict[str, list[_DrugTerm]]]:
    """Concentration and potency parameters for every catalogued drug, grouped by action."""
    from .drugs import all_drugs

    params: list[Parameter] = []
    terms: dict[str, list[_DrugTerm]] = {}
    for drug in all_drugs():
        key = _drug_key(drug.name)
        conc = f"{key}_nM"
        params.append(Parameter(
            conc, 0.0, units="nM", name=f"free concentration of {drug.name} at its target",
            role=ParameterRole.DRUG_CONCENTRATION,
            provenance=_assumed(
                "runtime input: free (unbound) drug concentration at the target, 0 (untreated) by default; "
                "drug_settings() converts an in-vitro nominal dose with the medium's unbound fraction, "
                "her2sim.library.pk gives free plasma concentrations"),
        ))
        nodes = _ACTION_NODES[drug.action]
        for node in nodes:
            try:
                target = drug.target_for(node)
            except UnknownNameError:
                continue
            value, prov, how = _free_cellular_potency(drug, target)
            kind_tag = "Kd" if target.potency_kind == "Kd" else ("KI" if target.covalent else "IC50")
            pid = f"{kind_tag}_{key}_{_NODE_TAG[node]}"
            note = (f"free cellular potency ({how}); catalogue: {target.potency_kind} {target.potency_nM:g} nM, "
                    f"{target.potency_assay}, {target.binding_site}. {prov.note}").strip()
            params.append(Parameter(
                pid, float(value), units="nM",
                name=f"free {'K_I' if target.covalent else target.potency_kind} of {drug.name} for {node}",
                provenance=Provenance(prov.kind, prov.source, note), role=ParameterRole.PHARMACOLOGY,
            ))
            k_inact = None
            if target.covalent is not None:
                k_inact = f"kinact_{key}_{_NODE_TAG[node]}"
                cov = target.covalent.provenance
                params.append(Parameter(
                    k_inact, float(target.covalent.k_inact_per_h), units="1/h",
                    name=f"covalent inactivation rate constant of {drug.name} on {node}",
                    provenance=Provenance(cov.kind, cov.source, cov.note), role=ParameterRole.PHARMACOLOGY,
                ))
            allosteric = "allosteric" in target.binding_site.lower()
            terms.setdefault(f"{drug.action}:{node}", []).append(
                _DrugTerm(drug.name, conc, pid, allosteric, k_inact))
    return params, terms


# ------------------------------------------------------------------------------------------------
# the model

#: Observables (assignment-rule variables) and what they mean.
OBSERVABLES: dict[str, tuple[str, str]] = {
    "pHER2": ("nM", "phosphorylated full-length HER2 (kinase-active HER2; antibodies do not "
                    "dephosphorylate HER2 itself, L44)"),
    "pp95HER2": ("nM", "phosphorylated p95-HER2"),
    "pHER2_total": ("nM", "pHER2 + p95-HER2 (what a pY1248 antibody sees)"),
    "pHER3": ("nM", "phosphorylated HER3 (liganded or not)"),
    "HER3_total": ("nM", "total HER3 protein"),
    "HER3_synthesis_fold": ("1", "HER3 transcription relative to its FOXO-free basal rate (mRNA proxy)"),
    "HER2_total": ("nM", "full-length HER2 at the cell surface"),
    "HER2_trastuzumab_bound": ("nM", "HER2 occupied by trastuzumab (or T-DM1)"),
    "IRS1_total": ("nM", "total IRS1 protein"),
    "PI3K_active_fraction": ("1", "receptor-recruited PI3K / total PI3K"),
    "PTEN_active": ("nM", "PTEN not inhibited by Src tyrosine phosphorylation"),
    "PIP3_fraction": ("1", "PIP3 / (PIP2 + PIP3)"),
    "pAKT_T308": ("1", "fraction of AKT phosphorylated on T308"),
    "pAKT_S473": ("1", "fraction of AKT phosphorylated on S473"),
    "AKT_activity": ("1", "AKT kinase activity towards substrates (fraction of maximal)"),
    "FOXO_nuclear": ("1", "fraction of FOXO unphosphorylated (nuclear, transcriptionally active)"),
    "pS6K": ("1", "fraction of S6K phosphorylated (T389)"),
    "pS6": ("1", "fraction of ribosomal S6 phosphorylated"),
    "p4EBP1": ("1", "fraction of 4E-BP1 phosphorylated"),
    "pERK": ("1", "fraction of ERK1/2 doubly phosphorylated"),
    "RAS_GTP_fraction": ("1", "fraction of RAS GTP-loaded"),
    "CyclinD1": ("1", "cyclin D1 relative to its reference level (ERK transcription, mTORC1/eIF4E "
                      "translation, AKT ⊣ GSK3β stabilisation)"),
    "CDK46_activity": ("1", "cyclin D1–CDK4/6 kinase activity towards Rb (0-1)"),
    "p27_nuclear": ("1", "nuclear p27Kip1 relative to its reference level (FOXO-driven, AKT-excluded)"),
    "pRb": ("1", "phosphorylated Rb relative to RB1_ref (parental total ≈ 1)"),
    "E2F_activity": ("1", "free E2F fraction (not bound by hypophosphorylated Rb)"),
    "BIM": ("1", "BIM relative to its reference level (FOXO-driven, ERK-degraded)"),
    "BAD_active": ("1", "fraction of BAD not phosphorylated by AKT/RSK (pro-apoptotic)"),
    "proliferation_signal": ("1", "G1/S progression from free E2F (0-1)"),
    "survival_signal": ("1", "anti-apoptotic buffer left against the BIM/BAD load (0-1)"),
    "proliferation_rate": ("1/h", "division rate of the cell population (cytostatic arm)"),
    "death_rate": ("1/h", "death rate of the cell population: apoptosis plus, in vivo, ADCC"),
    "ADCC_rate": ("1/h", "immune (FcγR-dependent) kill by trastuzumab; 0 unless in_vivo = 1"),
    "growth_rate": ("1/h", "net growth rate of the cell population"),
}

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

#: Genotype name -> ({parameter: value at full strength}, description).
GENOTYPES: dict[str, tuple[dict[str, float], str]] = {
    "PTEN loss": ({"PTEN_level": 0.0}, "PTEN protein level; strength 1 → 0, 0.5 → partial loss"),
    "PIK3CA H1047R": ({"PIK3CA_mut_activity": 0.075, "PIK3CA_mut_gain": 0.25},
                      "kinase-domain mutant: needs p85 (pY) recruitment, not RAS: higher output of "
                      "pY-recruited p110α plus receptor-independent membrane activity (Zhao & Vogt "
                      "2008; Burke 2012)"),
    "PIK3CA H1047L": ({"PIK3CA_mut_activity": 0.075, "PIK3CA_mut_gain": 0.25},
                      "kinase-domain mutant at the same residue; taken as H1047R (no allele-specific "
                      "difference read; assumed)"),
    "PIK3CA E545K": ({"PIK3CA_helical_activity": 0.3},
                     "helical mutant: p85 nSH2 inhibition broken, active without pY binding but "
                     "needs RAS-GTP (Zhao & Vogt 2008; Burke 2012)"),
    "PIK3CA E542K": ({"PIK3CA_helical_activity": 0.3},
                     "helical mutant; same mechanism as E545K (Zhao & Vogt 2008 studied both); "
                     "strength taken as E545K (assumed)"),
    "PIK3CA K111N": ({"PIK3CA_mut_activity": 0.0075},
                     "adaptor-binding-domain variant (BT-474): weakly activating (Gymnopoulos 2007 "
                     "PNAS 104:5569, not read; evidence 'unconfirmed'); a small receptor-independent "
                     "activity, 1/10 of H1047R's"),
    "p95HER2": ({"p95HER2_expression": 1.0}, "p95-HER2 expression relative to amplified HER2"),
    "HER3 overexpression": ({"HER3_expression": 3.0}, "HER3 synthesis scale"),
    "HER3 knockdown": ({"HER3_expression": 0.1}, "HER3 siRNA/shRNA (90 % knockdown)"),
    "IGF1R overexpression": ({"IGF1R_expression": 5.0}, "IGF1R synthesis scale"),
    "IGF1R knockdown": ({"IGF1R_expression": 0.1}, "IGF1R shRNA (90 % knockdown)"),
    "MUC4 high": ({"MUC4_masking": 1.0}, "MUC4 masks trastuzumab's epitope (accessible HER2 ≈ 1/5, L18)"),
    "KRAS G12": ({"KRAS_mut": 1.0}, "constitutive RAS GTP loading"),
    "HER2 non-amplified": ({"HER2_expression": 0.05}, "HER2 at ~2.5e4 copies per cell (no amplification)"),
    "HER2 amplified": ({"HER2_expression": 1.0}, "HER2 as in BT-474 (5e5 copies per cell)"),
    "RB1 loss": ({"RB1_level": 0.0}, "RB1 protein level; strength 1 → 0 (E2F free of Rb: CDK4/6 "
                 "inhibitors lose their target pathway; Finn 2009, Fry 2004)"),
    "ER positive": ({"ER_expression": 1.0}, "hormone-receptor context: ERα expressed as in an "
                    "ER-positive HER2-amplified line (BT-474-like); the default is ER-negative"),
}


@dataclass(frozen=True)
class CatalogueGenotype:
    """How a genotype of the catalogue (:mod:`her2sim.library.genotypes`) acts on this model.

    At relative strength ``s`` (1 = the catalogue's default strength) the settings are those of
    the model genotype ``genotype`` (a key of :data:`GENOTYPES`) at strength ``scale·s``, plus
    ``direct`` settings times ``s``. A strength in the catalogue's own unit (as cell lines give
    it) becomes ``s = (value − no_effect_at) / (default − no_effect_at)``.
    """

    genotype: str | None
    scale: float = 1.0
    direct: Mapping[str, float] = dataclasses.field(default_factory=dict)
    no_effect_at: float = 0.0
    note: str = ""

    def __iter__(self):  # (model genotype, scale, direct, note), as the former 4-tuples
        return iter((self.genotype, self.scale, dict(self.direct), self.note))


#: Names of the genotype catalogue (library/genotypes.py) -> how each acts on the model. Where
#: the catalogue is finer or coarser than the model, the note says so. ``no_effect_at`` is the
#: catalogue strength (in the catalogue's unit) at which the model effect vanishes.
CATALOGUE_GENOTYPES: dict[str, CatalogueGenotype] = {
    "HER2 amplification": CatalogueGenotype(
        None, 1.0, {"HER2_expression": 1.0}, 0.0,
        "HER2_expression = receptors per cell / 5e5 (BT-474, the model's reference line, K20)"),
    "p95-HER2": CatalogueGenotype("p95HER2", 1.0, {}, 0.0),
    "HER3 high": CatalogueGenotype("HER3 overexpression", 1.0, {}, 1.0),
    "PIK3CA H1047R": CatalogueGenotype("PIK3CA H1047R", 1.0, {}, 1.0),
    "PIK3CA E545K": CatalogueGenotype("PIK3CA E545K", 1.0, {}, 1.0),
    "PIK3CA mutation (allele unspecified)": CatalogueGenotype(
        "PIK3CA H1047R", 1.0, {}, 1.0,
        "taken as H1047R, the most frequent HER2+ allele (pharmacology.md P01: catalytic domain 13/17)"),
    "PIK3CA K111N": CatalogueGenotype(
        "PIK3CA K111N", 1.0, {}, 1.0,
        "an allele of its own (adaptor-binding domain), evidence level 'unconfirmed': weakly "
        "activating per Gymnopoulos 2007 PNAS 104:5569 (not read); receptor-independent activity "
        "1/10 of H1047R's, as the catalogue's basal-activity folds (1.2 - 1)/(3.0 - 1)"),
    "PTEN loss (complete)": CatalogueGenotype("PTEN loss", 1.0, {}, 1.0),
    "PTEN loss (partial)": CatalogueGenotype(
        "PTEN loss", 0.5, {}, 1.0, "residual PTEN 0.5 (catalogue default, assumed)"),
    "IGF1R high": CatalogueGenotype("IGF1R overexpression", 1.0, {}, 1.0),
    "IGF-1": CatalogueGenotype(None, 1.0, {"IGF1_nM": 40.0 / 7.649}, 0.0, "IGF-I 40 ng/mL (L01/L02), MW 7649 Da"),
    "MUC4 high": CatalogueGenotype("MUC4 high", 1.0, {}, 1.0),
    "heregulin-rich medium": CatalogueGenotype(
        None, 1.0, {"HRG_nM": 1.0}, 0.0, "heregulin 1 nM, as in the L26 checks (assumed)"),
    "KRAS G12 activating": CatalogueGenotype("KRAS G12", 1.0, {}, 0.0),
}


def _genotype_index() -> dict[str, tuple[str, str]]:
    """Every genotype label, normalised (case, spaces, hyphens) -> ("model" | "catalogue", name).

    Model names come first; a catalogue name or alias that normalises to a model name means the
    same genotype at the same strength (checked at import).
    """
    from ._names import normalise
    from .genotypes import genotype as catalogue_genotype

    index: dict[str, tuple[str, str]] = {normalise(name): ("model", name) for name in GENOTYPES}
    for name, effect in CATALOGUE_GENOTYPES.items():
        entry = catalogue_genotype(name)
        for label in (entry.name, *entry.aliases):
            key = normalise(label)
            if key in index:
                kind, other = index[key]
                if (kind, other) == ("catalogue", name):
                    continue  # two labels of one entry that normalise alike
                if kind == "model" and effect.scale == 1.0:
                    full = {**(GENOTYPES[effect.genotype][0] if effect.genotype else {}), **effect.direct}
                    if full == GENOTYPES[other][0]:
                        continue  # the same settings at full strength: the model name stands for both
                raise ValidationError(f"genotype label {label!r} names both {other!r} and {name!r}")
            index[key] = ("catalogue", name)
    return index


@lru_cache(maxsize=1)
def _index() -> dict[str, tuple[str, str]]:
    return _genotype_index()


def resolve_genotype(name: str) -> tuple[str, str]:
    """``("model" | "catalogue", canonical name)`` of a genotype label (any case, hyphens, aliases).

    Raises
    ------
    UnknownNameError
        With the closest valid name.

    Examples
    --------
    >>> resolve_genotype("pten-loss")
    ('model', 'PTEN loss')
    >>> resolve_genotype("K111N")
    ('catalogue', 'PIK3CA K111N')
    """
    from ._names import normalise

    found = _index().get(normalise(name)) if isinstance(name, str) else None
    if found is None:
        raise UnknownNameError("genotype", str(name), list(GENOTYPES) + list(CATALOGUE_GENOTYPES))
    return found


def relative_strength(name: str, value: float) -> float:
    """A catalogue genotype's strength in the catalogue's unit -> relative strength (1 = default).

    Examples
    --------
    >>> relative_strength("HER2 amplification", 2.5e5)
    0.5
    >>> relative_strength("MUC4 high", 0.2)
    1.0
    """
    from .genotypes import genotype as catalogue_genotype

    entry = catalogue_genotype(name)
    key = entry.name
    if key not in CATALOGUE_GENOTYPES:
        raise UnknownNameError("genotype", name, CATALOGUE_GENOTYPES)
    if entry.strength is None:
        return 1.0
    entry.strength.check(value, f"{key} strength")
    zero = CATALOGUE_GENOTYPES[key].no_effect_at
    return (float(value) - zero) / (entry.strength.default - zero)


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
    return _build_cached()


@lru_cache(maxsize=1)
def _build_cached() -> Model:
    params: list[Parameter] = []
    rules: list[AssignmentRule] = []
    species: list[Species] = []
    reactions: list[Reaction] = []

    def P(ident: str, value: float, units: str, prov: Provenance, name: str = "",
          role: ParameterRole = ParameterRole.KINETIC) -> None:
        params.append(Parameter(ident, float(value), units=units, name=name, provenance=prov, role=role))

    def S(ident: str, initial: float, genes: tuple[str, ...], name: str,
          annotations: tuple[str, ...] = (), units: str = "nM", note: str = "") -> None:
        species.append(Species(
            ident, "cell", initial=float(initial), name=name, units=units, genes=genes,
            annotations=annotations or _annotations(genes),
            provenance=_assumed(note) if note else None,
        ))

    def rule(variable: str, formula: str, units: str, name: str) -> None:
        params.append(Parameter(variable, 0.0, constant=False, units=units, name=name,
                                provenance=_derived("assignment rule", f"{variable} = {formula}")))
        rules.append(AssignmentRule(variable, parse(formula)))

    def R(ident: str, reactants: str, products: str, rate: str, name: str = "") -> None:
        def stoich(text: str) -> tuple[tuple[str, float], ...]:
            return tuple((s.strip(), 1.0) for s in text.split("+") if s.strip())
        reactions.append(Reaction(ident, stoich(reactants), stoich(products), parse(rate), name=name))

    # ---------------------------------------------------------------------------- inputs
    P("HER2_expression", 1.0, "1", _assumed(
        "genotype input: HER2 synthesis relative to an amplified line (BT-474); 1 = amplified"), role=ParameterRole.EXPRESSION)
    P("p95HER2_expression", 0.0, "1", _assumed(
        "genotype input: p95-HER2 synthesis relative to amplified full-length HER2; 0 = none"), role=ParameterRole.EXPRESSION)
    P("HER3_expression", 1.0, "1", _assumed("genotype input: HER3 synthesis scale (1 = parental)"), role=ParameterRole.EXPRESSION)
    P("EGFR_expression", 1.0, "1", _assumed("genotype input: EGFR synthesis scale (1 = parental)"), role=ParameterRole.EXPRESSION)
    P("IGF1R_expression", 1.0, "1", _assumed("genotype input: IGF1R synthesis scale (1 = parental)"), role=ParameterRole.EXPRESSION)
    P("PTEN_level", 1.0, "1", _assumed("genotype input: PTEN synthesis scale; 0 = complete loss"), role=ParameterRole.EXPRESSION)
    P("PIK3CA_mut_activity", 0.0, "1", _assumed(
        "genotype input: fraction of the p110α pool (p110alpha_share of all PI3K) that is active without receptor or RAS input "
        "(kinase-domain H1047R/L: enhanced membrane binding, Burke 2012 PNAS 109:15259; weak "
        "ABD K111N); 0 = wild type"), role=ParameterRole.GENOTYPE)
    P("PIK3CA_mut_gain", 0.0, "1", _assumed(
        "genotype input: extra catalytic output of p85-pY-recruited mutant p110α (fold over "
        "wild type minus 1). Kinase-domain mutants (H1047R/L) need p85 but not RAS-GTP (Zhao & "
        "Vogt 2008 PNAS 105:2652), and the nSH2 inhibitory contact they keep is released by "
        "pYXXM binding (Burke 2012), so this gain applies to the pY-recruited share only and "
        "receptor blockade lowers it (partial uncoupling, L08); 0 = wild type"), role=ParameterRole.GENOTYPE)
    P("PIK3CA_helical_activity", 0.0, "1", _assumed(
        "genotype input: fraction of the free (not pY-bound) p110α pool that is active per unit "
        "RAS-GTP fraction because a helical-domain mutation (E545K, E542K) breaks the p85 nSH2 "
        "inhibitory contact: its gain of function needs RAS-GTP binding but not p85 binding "
        "(Zhao & Vogt 2008 PNAS 105:2652; Burke 2012 PNAS 109:15259); 0 = wild type"),
      role=ParameterRole.GENOTYPE)
    P("PI3K_pY_recruitment", 1.0, "1", _assumed(
        "experimental switch: 1 = p85 SH2 domains bind pYXXM sites (pHER3, pIRS1); 0 = that "
        "binding abolished (as with SH2-dead p85 in Zhao & Vogt 2008)"), role=ParameterRole.GENOTYPE)
    P("PI3K_RAS_binding", 1.0, "1", _assumed(
        "experimental switch: 1 = p110 binds RAS-GTP through its RAS-binding domain; 0 = RBD "
        "mutant p110 that cannot (Zhao & Vogt 2008)"), role=ParameterRole.GENOTYPE)
    P("MUC4_masking", 0.0, "1", _assumed("genotype input: 0 = no MUC4, 1 = MUC4-high (JIMT-1-like)"), role=ParameterRole.EXPRESSION)
    P("KRAS_mut", 0.0, "1", _assumed("genotype input: 1 = activating KRAS mutation"), role=ParameterRole.GENOTYPE)
    P("HRG_nM", 0.0, "nM", _assumed("medium input: heregulin/NRG1 concentration; 0 in standard culture"), role=ParameterRole.LIGAND)
    P("EGF_nM", 0.0, "nM", _assumed("medium input: EGF-like ligand concentration; 0 in standard culture"), role=ParameterRole.LIGAND)
    P("IGF1_nM", 0.0, "nM", _assumed(
        "medium input: IGF-1 concentration; 0 in low serum (IGF-I 40 ng/mL = 5.2 nM, MW 7649 Da)"), role=ParameterRole.LIGAND)
    P("ER_expression", 0.0, "1", _assumed(
        "genotype/context input: oestrogen receptor α (ESR1) synthesis relative to an ER-positive "
        "HER2-amplified line (BT-474-like); 0 = ER-negative (the default, so that earlier results "
        "keep their ER-negative behaviour), 1 = ER-positive"), role=ParameterRole.EXPRESSION)
    P("E2_nM", 0.1, "nM", _assumed(
        "medium/plasma input: free oestradiol. 0.1 nM (27 pg/mL) is of the order of premenopausal "
        "plasma oestradiol and of oestrogenic activity in serum-containing medium; not read in a "
        "source"), role=ParameterRole.LIGAND)
    P("cell_growth_switch", 1.0, "1", _assumed(
        "1 lets the cell population grow; set to 0 during pre-equilibration so that a steady "
        "state exists"), role=ParameterRole.PROTOCOL_SWITCH)

    drug_params, drug_terms = _drug_parameters()
    params.extend(drug_params)

    # ---------------------------------------------------------------------------- drug action
    # One exposure scale: every <drug>_nM is the free concentration at the target and every potency
    # parameter a free cellular potency (see _free_cellular_potency); no global potency shift.
    def occupancy_of(terms: list[_DrugTerm]) -> str:
        if not terms:
            return "0"
        ratio = " + ".join(f"{t.concentration}/{t.potency}" for t in terms)
        return f"({ratio})/(1 + {ratio})"

    def occupancy(term_key: str) -> str:
        return occupancy_of(drug_terms.get(term_key, []))

    def first_per_drug(terms: list[_DrugTerm]) -> list[_DrugTerm]:
        seen: set[str] = set()
        return [t for t in terms if not (t.drug in seen or seen.add(t.drug))]

    # antibodies
    rule("trastuzumab_occupancy", occupancy("her2_ecd_block:HER2"), "1",
         "fraction of accessible HER2 epitopes bound by trastuzumab (or T-DM1)")
    P("MUC4_accessible_fraction", 0.2, "1", _sourced(
        "Nagy 2005 Cancer Res (findings L18; pharmacology.md K24)",
        "Herceptin binding sites ~1/5 of expressed HER2 in MUC4-high JIMT-1"))
    rule("trastuzumab_access", "1 - MUC4_masking*(1 - MUC4_accessible_fraction)", "1",
         "fraction of HER2 whose domain IV epitope is not masked by MUC4")
    rule("trastuzumab_bound_fraction", "trastuzumab_occupancy*trastuzumab_access", "1",
         "fraction of full-length HER2 bound by trastuzumab")
    rule("pertuzumab_occupancy", occupancy("her2_dimerisation_block:HER2"), "1",
         "fraction of HER2 bound by pertuzumab (domain II; MUC4 masks it little, L18)")
    rule("HER3_antibody_occupancy", occupancy("her3_block:HER3"), "1",
         "fraction of HER3 bound by a blocking HER3 antibody")
    rule("ER_antagonist_occupancy", occupancy("er_degrade:ER"), "1",
         "fraction of ERα bound by a selective ER degrader (fulvestrant; cellular potency)")
    # HER kinase inhibitors: reversible ATP-site occupancy (covalent drugs through their K_I step) and,
    # for covalent drugs, an inactivated receptor pool formed at k_inact*C/(K_I + C) and recovered
    # only by receptor turnover (new, unmodified receptor).
    turnover = {"HER2": "kdeg_HER2", "p95": "kdeg_HER2", "EGFR": "kdeg_EGFR"}
    for node, tag in (("HER2", "HER2"), ("p95-HER2", "p95"), ("EGFR", "EGFR")):
        terms = drug_terms.get(f"her_kinase_inhibit:{node}", [])
        rule(f"{tag}_reversible_inhibition", occupancy_of(terms), "1",
             f"fraction of {node} kinase occupied reversibly by HER kinase inhibitors (competitive, same site)")
        covalent = [t for t in terms if t.k_inact]
        gene = "EGFR" if tag == "EGFR" else "ERBB2"
        if covalent:
            k_obs = " + ".join(f"{t.k_inact}*{t.concentration}/({t.potency} + {t.concentration})" for t in covalent)
            S(f"{tag}_covalent_fraction", 0.0, (gene,),
              f"fraction of {node} covalently inactivated by irreversible inhibitors", units="1",
              note="0 before treatment; formed by covalent inhibitors, removed by receptor turnover")
            R(f"{tag}_covalent_inactivation", "", f"{tag}_covalent_fraction",
              f"({k_obs})*(1 - {tag}_covalent_fraction)",
              f"covalent inactivation of {node} kinase, k_inact*C/(K_I + C) on the unmodified pool")
            R(f"{tag}_covalent_recovery", f"{tag}_covalent_fraction", "",
              f"{turnover[tag]}*{tag}_covalent_fraction",
              f"recovery of active {node} kinase by receptor resynthesis (turnover)")
            rule(f"{tag}_kinase_inhibition",
                 f"1 - (1 - {tag}_covalent_fraction)*(1 - {tag}_reversible_inhibition)", "1",
                 f"fraction of {node} kinase blocked (covalently inactivated or reversibly occupied)")
        else:
            rule(f"{tag}_kinase_inhibition", f"{tag}_reversible_inhibition", "1",
                 f"fraction of {node} kinase blocked by HER kinase inhibitors")
    rule("IGF1R_inhibition", occupancy("igf1r_inhibit:IGF1R"), "1", "fraction of IGF1R kinase blocked")
    alpha_terms = drug_terms.get("pi3k_alpha_inhibit:PI3K p110alpha", [])
    pan_terms = drug_terms.get("pi3k_pan_inhibit:PI3K p110alpha", [])
    pan_beta = {t.drug: t for t in drug_terms.get("pi3k_pan_inhibit:PI3K p110beta", [])}
    rule("p110alpha_inhibition", occupancy_of(alpha_terms + pan_terms), "1",
         "fraction of p110α (wild type and mutant) blocked by α-selective and pan-PI3K inhibitors")
    rule("p110other_inhibition", occupancy_of([pan_beta.get(t.drug, t) for t in pan_terms]), "1",
         "fraction of the other class I p110 isoforms blocked (pan-PI3K inhibitors only), at each drug's "
         "p110β potency (the p110α potency where the catalogue has no p110β value)")
    akt_first = first_per_drug(drug_terms.get("akt_inhibit:AKT", []))
    rule("AKT_catalytic_inhibition", occupancy_of(akt_first), "1",
         "fraction of AKT activity blocked by AKT inhibitors (all; AKT1 potency)")
    rule("AKT_allosteric_inhibition", occupancy_of([t for t in akt_first if t.allosteric]), "1",
         "fraction of AKT held in the closed PH-in conformation by allosteric inhibitors (MK-2206): "
         "blocks T308/S473 phosphorylation as well as activity")
    rule("mTORC1_inhibition", occupancy("mtorc1_inhibit:mTORC1"), "1",
         "fraction of mTORC1 bound by rapalogs (cellular potency)")
    rule("MEK_inhibition", occupancy_of(first_per_drug(drug_terms.get("mek_inhibit:MEK", []))), "1",
         "fraction of MEK activity blocked (MEK1 potency; allosteric, so no ATP-competition shift)")

    rule("HER2_kinase_active", "1 - HER2_kinase_inhibition", "1", "HER2 kinase left active")
    rule("p95_kinase_active", "1 - p95_kinase_inhibition", "1", "p95-HER2 kinase left active")
    rule("EGFR_kinase_active", "1 - EGFR_kinase_inhibition", "1", "EGFR kinase left active")

    # ---------------------------------------------------------------------------- receptors
    HER2_ref = 5.0e5 * NM_PER_COPY
    P("HER2_ref", HER2_ref, "nM", _derived(
        "pharmacology.md K20: HERmark validation, Pathol Res Int 2010 (814176)",
        f"BT-474 ≈ 5.0e5 HER2 per cell; {CELL_VOLUME_NOTE} → {HER2_ref:.0f} nM"))
    P("kdeg_HER2", math.log(2) / 10.0, "1/h", _assumed(
        "HER2 surface half-life ~10 h (HER2 is internalisation-resistant and long-lived); "
        "value not read in a source"))
    P("HER2_kinase_dependent_turnover", 0.5, "1", _assumed(
        "share of HER2 turnover that needs kinase activity (ubiquitination); lapatinib prevents "
        "ubiquitination and accumulates inactive HER2 at the surface (L44); size not given"))
    P("trastuzumab_degradation_gain", 0.5, "1", _assumed(
        "trastuzumab raises HER2 degradation modestly (L44: 'increased pHER2 and degradation'); "
        "+50 % at full occupancy, size not given in the source"), role=ParameterRole.PHARMACOLOGY)
    P("trastuzumab_signalling_block", 0.65, "1", _fitted(
        "fitted to L01 (trastuzumab 10 ug/mL → −42 % proliferation of SKBR3): fraction of "
        "ligand-independent HER2 signalling that bound trastuzumab blocks"), role=ParameterRole.PHARMACOLOGY)
    R("HER2_synthesis", "", "ERBB2", "kdeg_HER2*HER2_ref*HER2_expression", "HER2 synthesis")
    R("HER2_degradation", "ERBB2", "",
      "kdeg_HER2*(1 - HER2_kinase_dependent_turnover + HER2_kinase_dependent_turnover*HER2_kinase_active)"
      "*(1 + trastuzumab_degradation_gain*trastuzumab_bound_fraction)*ERBB2",
      "HER2 internalisation and degradation (kinase- and trastuzumab-dependent)")
    R("p95HER2_synthesis", "", "ERBB2_p95", "kdeg_HER2*HER2_ref*p95HER2_expression", "p95-HER2 synthesis")
    R("p95HER2_degradation", "ERBB2_p95", "", "kdeg_HER2*ERBB2_p95", "p95-HER2 turnover (as HER2)")

    # ---- HER2 ectodomain shedding → p95 (cycle branch, issue #13 item 6) -------------------------
    # A metalloprotease (ADAM10; Feldinger 2014 Oncotarget 5:6633) cleaves the HER2 ectodomain and
    # leaves the membrane-bound, kinase-active p95 fragment. Trastuzumab bound to domain IV
    # inhibits basal and induced cleavage and so p95 formation; pertuzumab (2C4) does not
    # (Molina 2001 Cancer Res 61:4744). The p95 made here adds to the p95HER2_expression
    # (translational, 611-CTF-like) pool and signals as it does.
    P("k_HER2_shedding", 0.05 * math.log(2) / 10.0, "1/h", _assumed(
        "basal HER2 ectodomain cleavage: 5 % of the HER2 turnover rate, so that shed p95 is ~5 % of "
        "full-length HER2 at steady state in a parental amplified line. Molina 2001 reports basal "
        "cleavage in BT-474 (blocked by trastuzumab) but no rate in the abstract"))
    P("ADAM10_activity", 1.0, "1", _assumed(
        "context input: sheddase (ADAM10) activity relative to a parental HER2-amplified line; "
        "ADAM10-high tumours shed more (Feldinger 2014 Oncotarget 5:6633)"), role=ParameterRole.EXPRESSION)
    R("HER2_shedding", "ERBB2", "ERBB2_p95",
      "k_HER2_shedding*ADAM10_activity*(1 - trastuzumab_bound_fraction)*ERBB2",
      "ADAM10 sheds the HER2 ectodomain → p95-HER2; trastuzumab-bound HER2 is protected (Molina 2001)")
    # ---- end of shedding block ----------------------------------------------------------------

    EGFR_ref = 2.0e4 * NM_PER_COPY
    P("EGFR_ref", EGFR_ref, "nM", _assumed(
        f"EGFR ~2e4 copies per cell in HER2-amplified lines (low EGFR); {CELL_VOLUME_NOTE}"))
    P("kdeg_EGFR", math.log(2) / 10.0, "1/h", _assumed("EGFR turnover half-life ~10 h"))
    R("EGFR_synthesis", "", "EGFR", "kdeg_EGFR*EGFR_ref*EGFR_expression", "EGFR synthesis")
    R("EGFR_degradation", "EGFR", "", "kdeg_EGFR*EGFR", "EGFR turnover")
    P("Kd_EGF", 0.2, "nM", _sourced(
        "Björkelund 2011 PLoS One 6:e16536 (pharmacology.md K22)", "EGF–EGFR apparent KD ≈200 pM on SKBR3"))
    P("EGFR_basal_activity", 0.1, "1", _assumed("ligand-free EGFR activity in HER2 heterodimers"))
    rule("EGF_occupancy", "EGF_nM/(EGF_nM + Kd_EGF)", "1", "EGFR occupied by EGF")

    # ERK → EGFR T669 / HER2 T677: ERK phosphorylates the conserved juxtamembrane threonine of
    # EGFR and HER2 (not HER3), which dampens the kinase activity of active dimers and their
    # transphosphorylation of HER3; MEK/ERK inhibition removes it, so pHER3 and pAKT rise
    # (Turke 2012; Kawasaki 2016). Threonine phosphorylation turns over in minutes, far faster
    # than receptor turnover, so it enters as a quasi-steady fraction of pERK.
    P("ERK_receptor_feedback", 2.0, "1", _assumed(
        "inhibition of EGFR/HER2 kinase output towards dimer partners by the ERK-phosphorylated "
        "juxtamembrane threonine (EGFR T669, HER2 T677): output ∝ 1/(1 + this × phosphorylated "
        "fraction), so 2 leaves 1/3 at full phosphorylation; 0 switches the feedback off. "
        "Structure from Turke 2012 Cancer Res 72:3228 (MEK inhibition raises ERBB3 pY via loss of "
        "ERK T669/T677 phosphorylation; T669A EGFR abolishes it) and Kawasaki 2016 Sci Rep "
        "(PMC4987620: ERK phosphorylates ErbB2 T677 in BT-474; trametinib and T677A impair the "
        "feedback on ErbB2/ErbB3 pY). Size not given in either abstract: 2 chosen so that a MEK "
        "inhibitor raises pHER3 by tens of per cent"))
    P("K_ERK_receptor", 0.38, "1", _assumed(
        "pERK fraction giving half-maximal receptor threonine phosphorylation; set at the untreated "
        "BT-474-like pERK so the feedback works in its graded range"))
    pERK_reference = 0.376
    P("pERK_reference", pERK_reference, "1", _derived(
        "untreated steady state of this model (HER2-amplified, ER-negative, PIK3CA wild type)",
        "pERK at which the receptor drives are normalised (drive 1 = untreated amplified HER2)"))
    rule("receptor_threonine_phosphorylation", "pERK/(pERK + K_ERK_receptor)", "1",
         "fraction of EGFR/HER2 phosphorylated on the ERK site (EGFR T669, HER2 T677)")
    rule("ERK_receptor_damping",
         "(1 + ERK_receptor_feedback*pERK_reference/(pERK_reference + K_ERK_receptor))"
         "/(1 + ERK_receptor_feedback*receptor_threonine_phosphorylation)",
         "1", "EGFR/HER2 kinase output towards partners relative to the untreated cell "
              "(ERK T669/T677 feedback; > 1 when ERK is inhibited)")

    # drives (dimensionless; 1 = untreated amplified HER2)
    rule("HER2_LI_drive",
         "ERBB2/HER2_ref*(1 - trastuzumab_signalling_block*trastuzumab_bound_fraction)*HER2_kinase_active"
         "*ERK_receptor_damping",
         "1", "ligand-independent HER2 signalling (high-density homo/heterodimers); trastuzumab blocks it; "
              "ERK (T677) dampens it")
    P("p95_specific_activity", 2.0, "1", _assumed(
        "p95-HER2 signals more per molecule than full-length HER2 (constitutive dimers, no ECD "
        "autoinhibition); 2× chosen, size not read"))
    rule("p95_drive", "ERBB2_p95/HER2_ref*p95_specific_activity*p95_kinase_active*ERK_receptor_damping", "1",
         "p95-HER2 signalling: no antibody epitope, kinase-inhibitor sensitive (p95, residues 611-1255, "
         "keeps the juxtamembrane T677)")
    rule("EGFR_drive",
         "EGFR/EGFR_ref*(EGFR_basal_activity + EGF_occupancy + amphiregulin_occupancy)*EGFR_kinase_active"
         "*ERK_receptor_damping", "1",
         "EGFR signalling (EGF, ER-induced amphiregulin); ERK (T669) dampens it")
    P("EGFR_weight", 0.3, "1", _assumed(
        "EGFR's contribution to HER3/RAS activation relative to amplified HER2 (EGFR is low in "
        "HER2-amplified lines)"))
    P("IGF1R_HER3_weight", 0.15, "1", _assumed(
        "IGF1R in IGF1R–HER2–HER3 complexes transphosphorylates HER3 (Huang 2010, L29; Nahta 2005, "
        "L31); weight relative to amplified HER2 not given in the sources"))
    rule("HER3_LI_kinase", "HER2_LI_drive + p95_drive + EGFR_weight*EGFR_drive + IGF1R_HER3_weight*IGF1R_drive", "1",
         "kinase input phosphorylating unliganded HER3")
    P("HRG_dimer_gain", 20.0, "1", _assumed(
        "ligand-bound HER3 forms active HER2–HER3 dimers far more efficiently than unliganded "
        "HER3 (Hatakeyama 2003: HRG-receptor phosphorylation k3 = 1/s, i.e. 100× its k_3 "
        "dephosphorylation); 20× chosen so that heregulin only partly rescues lapatinib (L26)"))
    rule("HER3_LD_kinase",
         "HRG_dimer_gain*(ERBB2/HER2_ref*(1 - pertuzumab_occupancy)*HER2_kinase_active*ERK_receptor_damping + p95_drive"
         " + EGFR_weight*EGFR_drive)",
         "1", "kinase input phosphorylating heregulin-bound HER3; pertuzumab blocks the HER2 part")

    # HER3
    HER3_ref = 2.0e4 * NM_PER_COPY
    P("HER3_ref", HER3_ref, "nM", _assumed(
        f"HER3 ~2e4 copies per cell in HER2-amplified lines; {CELL_VOLUME_NOTE}. K21 gives "
        "<5500 per cell in TNBC, HER2+ lines express more"))
    P("kdeg_HER3", math.log(2) / 4.0, "1/h", _assumed(
        "HER3 half-life ~4 h (HER3 is short-lived, degraded via NRDP1); sets the timescale of "
        "the HER3 rebound (hours to a day, L19/L26)"))
    P("HER3_FOXO_fold", 4.0, "1", _assumed(
        "FOXO-driven HER3 transcription at full FOXO activity relative to FOXO-free basal "
        "(L19 reports an increase in HER3 mRNA without a fold change in the abstract)"))
    P("K_FOXO", 0.5, "1", _assumed("half-maximal nuclear FOXO fraction for target-gene transcription"))
    rule("FOXO_transcription", "FOXO/(FOXO + FOXO_p)/(FOXO/(FOXO + FOXO_p) + K_FOXO)*(1 + K_FOXO)",
         "1", "FOXO transcriptional output (0-1)")
    rule("HER3_synthesis_fold", "1 + HER3_FOXO_fold*FOXO_transcription", "1",
         "HER3 transcription relative to basal")
    P("HER3_basal_synthesis", 1.0 / 1.5, "1", _assumed(
        "scales HER3 synthesis so that untreated HER3 ≈ HER3_ref at the untreated FOXO level "
        "(nuclear FOXO ~0.1)"))
    R("HER3_synthesis", "", "ERBB3",
      "kdeg_HER3*HER3_ref*HER3_expression*HER3_basal_synthesis*HER3_synthesis_fold",
      "FOXO-driven HER3 transcription and translation (Garrett 2011 L19; Chandarlapaty 2011 L24)")
    for sid in ("ERBB3", "ERBB3_NRG1", "ERBB3_pY", "ERBB3_NRG1_pY"):
        R(f"{sid}_degradation", sid, "", f"kdeg_HER3*{sid}", f"{sid} turnover")
    P("kon_HRG", 0.0012 * 3600, "1/(nM*h)", _sourced(
        HATAKEYAMA, "k1 = 0.0012 /(nM s) (HRG + receptor) → 4.32 /(nM h)"))
    P("koff_HRG", 0.00076 * 3600, "1/h", _sourced(HATAKEYAMA, "k_1 = 0.00076 /s → 2.74 /h"))
    for free, bound in (("ERBB3", "ERBB3_NRG1"), ("ERBB3_pY", "ERBB3_NRG1_pY")):
        R(f"{free}_HRG_binding", free, bound,
          f"kon_HRG*HRG_nM*(1 - HER3_antibody_occupancy)*{free} - koff_HRG*{bound}",
          "heregulin binding to HER3 (a HER3 antibody competes)")
    P("kp_HER3", 18.0, "1/h", _assumed(
        "HER3 transphosphorylation per unit kinase drive; half of the dephosphorylation rate, so "
        "~1/3 of HER3 is phosphorylated in untreated amplified cells"))
    P("kdp_HER3", 0.01 * 3600, "1/h", _sourced(
        HATAKEYAMA, "k_3 = 0.01 /s (receptor dephosphorylation) → 36 /h"))
    R("HER3_phosphorylation", "ERBB3", "ERBB3_pY",
      "kp_HER3*HER3_LI_kinase*(1 - HER3_antibody_occupancy)*ERBB3 - kdp_HER3*ERBB3_pY",
      "HER3 transphosphorylation by HER2, p95-HER2 and EGFR (ligand-independent)")
    R("HER3_NRG1_phosphorylation", "ERBB3_NRG1", "ERBB3_NRG1_pY",
      "kp_HER3*(HER3_LI_kinase + HER3_LD_kinase)*(1 - HER3_antibody_occupancy)*ERBB3_NRG1"
      " - kdp_HER3*ERBB3_NRG1_pY",
      "heregulin-driven HER2–HER3 transphosphorylation")
    rule("pHER3_sites", "(ERBB3_pY + ERBB3_NRG1_pY)/HER3_ref", "1", "pHER3 relative to HER3_ref")

    # IGF1R / IRS1
    IGF1R_ref = 1.0e4 * NM_PER_COPY
    P("IGF1R_ref", IGF1R_ref, "nM", _assumed(
        f"IGF1R ~1e4 copies per cell (SKBR3 has few IGF-IR, L01); {CELL_VOLUME_NOTE}"))
    P("kdeg_IGF1R", math.log(2) / 10.0, "1/h", _assumed("IGF1R half-life ~10 h"))
    P("IGF1R_FOXO_fold", 1.0, "1", _assumed(
        "FOXO also induces IGF1R (Chandarlapaty 2011, L24); weaker than for HER3"))
    R("IGF1R_synthesis", "", "IGF1R",
      "kdeg_IGF1R*IGF1R_ref*IGF1R_expression*(1 + IGF1R_FOXO_fold*FOXO_transcription)/1.1"
      "*(1 + ER_IGF1R_fold*ER_activity)",
      "FOXO-responsive IGF1R synthesis")
    R("IGF1R_degradation", "IGF1R", "", "kdeg_IGF1R*IGF1R", "IGF1R turnover")
    P("Kd_IGF1", 1.0, "nM", _assumed("IGF-1–IGF1R affinity ~1 nM (high-affinity receptor); not read"))
    P("IGF1R_basal_activity", 0.05, "1", _assumed("ligand-free IGF1R activity (serum-free)"))
    rule("IGF1R_drive",
         "IGF1R/IGF1R_ref*(IGF1R_basal_activity + IGF1_nM/(IGF1_nM + Kd_IGF1))*(1 - IGF1R_inhibition)",
         "1", "IGF1R kinase output")
    IRS1_total = 5.0e4 * NM_PER_COPY
    P("IRS1_ref", IRS1_total, "nM", _derived(
        "pharmacology.md K23: Shi 2016 Sci Signal 9:rs6",
        f"signalling proteins 5-7e4 copies per cell; 5e4 with {CELL_VOLUME_NOTE}"))
    P("kdeg_IRS1", math.log(2) / 8.0, "1/h", _assumed("IRS1 half-life ~8 h without feedback"))
    P("S6K_IRS1_degradation", 3.0, "1", _assumed(
        "S6K-driven IRS1 degradation at full S6K activity (×(1+6)); sets the IRS1 rise after "
        "mTORC1 inhibition (O'Reilly 2006, L32; size not in the abstract)"))
    R("IRS1_synthesis", "", "IRS1", "kdeg_IRS1*IRS1_ref*(1 + ER_IRS1_fold*ER_activity)",
      "IRS1 synthesis (oestrogen-inducible)")
    for sid in ("IRS1", "IRS1_pY"):
        R(f"{sid}_degradation", sid, "", f"kdeg_IRS1*(1 + S6K_IRS1_degradation*pS6K)*{sid}",
          "IRS1 degradation promoted by S6K serine phosphorylation (O'Reilly 2006 L32; Brännmark 2013)")
    P("kp_IRS1", 12.0, "1/h", _assumed(
        "IRS1 tyrosine phosphorylation per unit IGF1R drive; low so that IGF-1 barely signals in "
        "IGF1R-low SKBR3 (L01) but does when IGF1R is over-expressed (L02)"))
    P("kdp_IRS1", 2.0 * 60, "1/h", _assumed("IRS1 tyrosine dephosphorylation (minutes)"))
    P("k_S6K_IRS1", 5759.0 / 280.8 * 2.0 * 60 / 10, "1/h", _derived(
        BRANNMARK,
        "k2c/k2d = 5759/280.8 ≈ 20.5 (serine-307 inhibition of IRS1-pY by mTORC1 relative to its "
        "reversal); scaled to our IRS1 dephosphorylation rate: 20.5×120/10 /h per unit S6K activity"))
    R("IRS1_phosphorylation", "IRS1", "IRS1_pY", "kp_IRS1*IGF1R_drive*IRS1", "IGF1R → IRS1 pY")
    R("IRS1_dephosphorylation", "IRS1_pY", "IRS1", "(kdp_IRS1 + k_S6K_IRS1*pS6K)*IRS1_pY",
      "IRS1 inactivation, accelerated by S6K (S6K ⊣ IRS1 feedback; Brännmark 2013 v2c)")

    # ---------------------------------------------------------------------------- PI3K / PTEN
    PI3K_total = 200.0
    P("PI3K_total_ref", PI3K_total, "nM", _sourced(FARATIAN, "initial PI3K = 200 nM"))
    P("kon_PI3K", 0.1 * 3600 / 10, "1/(nM*h)", _derived(
        HATAKEYAMA, "k23 = 0.1 /(nM s) (RP + PI3K) → 360 /(nM h); divided by 10 because pHER3 "
                    "here counts receptors, of which ~1/10 are in signalling dimers (assumed)"))
    P("koff_PI3K", 2.0 * 3600, "1/h", _sourced(HATAKEYAMA, "k_23 = 2 /s → 7200 /h"))
    P("IRS1_PI3K_weight", 1.0, "1", _assumed("pIRS1 recruits p85 as well as pHER3 does (YXXM motifs)"))
    P("RAS_PI3K_weight", 0.05, "1/nM", _assumed(
        "RAS-GTP activation of p110 relative to pHER3 recruitment (per nM RAS-GTP)"))
    rule("PI3K_recruiters", "ERBB3_pY + ERBB3_NRG1_pY + IRS1_PI3K_weight*IRS1_pY", "nM",
         "p85-binding phosphotyrosine sites (pHER3, pIRS1)")
    rule("PI3K_pY_input", "PI3K_pY_recruitment*PI3K_recruiters", "nM",
         "pY sites available to p85 SH2 domains")
    rule("PI3K_RAS_input", "PI3K_RAS_binding*RAS_PI3K_weight*RAS_GTP*HER3_ref", "nM",
         "RAS-GTP recruitment of p110 (in pY-site equivalents)")
    R("PI3K_activation", "PI3K", "PI3K_active",
      "kon_PI3K*(PI3K_pY_input + PI3K_RAS_input)*PI3K - koff_PI3K*PI3K_active",
      "PI3K recruitment to pHER3/pIRS1 and activation by RAS")
    rule("PI3K_pY_share", "PI3K_pY_input/(PI3K_pY_input + PI3K_RAS_input + 1e-9)", "1",
         "share of recruited PI3K held by pY sites (the two recruitments have the same off-rate)")
    PIP_total = 300.0
    P("PIP_total_ref", PIP_total, "nM", _sourced(FARATIAN, "initial PI(4,5)P2 (PI2) = 300 nM"))
    P("kcat_PI3K", 16.9 * 3600, "1/h", _sourced(HATAKEYAMA, "k27 = 16.9 /s (PI3K* + PI) → 60840 /h"))
    P("Km_PI3K", 39.1, "nM", _sourced(HATAKEYAMA, "K27 = 39.1 nM"))
    P("p110alpha_share", 0.8, "1", _assumed(
        "share of receptor-coupled PI3K activity carried by p110α in HER2-amplified cells "
        "(they depend on PIK3CA); p110β/δ carry the rest"))
    rule("p110alpha_mutant_output",
         "PIK3CA_mut_gain*p110alpha_share*PI3K_pY_share*PI3K_active"
         " + PIK3CA_mut_activity*p110alpha_share*(PI3K + PI3K_active)"
         " + PIK3CA_helical_activity*PI3K_RAS_binding*RAS_GTP/(RAS_GDP + RAS_GTP)*p110alpha_share*PI3K",
         "nM", "extra catalytic output of mutant p110α: kinase-domain gain on pY-recruited enzyme, "
               "receptor-independent membrane activity, and RAS-GTP-dependent activity of helical "
               "mutants released from p85 (Zhao & Vogt 2008; Burke 2012)")
    rule("PI3K_catalytic",
         "PI3K_active*(p110alpha_share*(1 - p110alpha_inhibition) + (1 - p110alpha_share)"
         "*(1 - p110other_inhibition)) + p110alpha_mutant_output*(1 - p110alpha_inhibition)",
         "nM", "catalytically active PI3K (recruited wild type, plus mutant p110α output); "
               "α-selective inhibitors bind the ATP site of mutant and wild-type p110α alike "
               "(Fritsch 2014 Mol Cancer Ther 13:1117)")
    R("PIP3_synthesis", "PIP2", "PIP3", "kcat_PI3K*PI3K_catalytic*PIP2/(Km_PI3K + PIP2)",
      "PI3K: PIP2 → PIP3")
    PTEN_total = 42.7798
    P("PTEN_ref", PTEN_total, "nM", _sourced(FARATIAN, "initial PTEN = 42.78 nM"))
    P("kdeg_PTEN", math.log(2) / 8.0, "1/h", _assumed("PTEN protein half-life ~8 h"))
    R("PTEN_synthesis", "", "PTEN", "kdeg_PTEN*PTEN_ref*PTEN_level", "PTEN synthesis")
    for sid in ("PTEN", "PTEN_pY"):
        R(f"{sid}_degradation", sid, "", f"kdeg_PTEN*{sid}", "PTEN turnover")
    P("k_Src_PTEN", 60.0, "1/h", _assumed(
        "Src phosphorylation of PTEN (inactivating) at full Src activity; with kdp_PTEN it keeps "
        "half of PTEN inactive in untreated HER2-amplified cells"))
    P("kdp_PTEN", 60.0, "1/h", _assumed("PTEN tyrosine dephosphorylation"))
    P("trastuzumab_Src_inhibition", 0.4, "1", _assumed(
        "fraction of HER2-associated Src activity removed by bound trastuzumab (Nagata 2004, "
        "L04: trastuzumab raises PTEN activity via Src inhibition; size not given)"), role=ParameterRole.PHARMACOLOGY)
    rule("Src_activity", "1 - trastuzumab_Src_inhibition*trastuzumab_bound_fraction", "1",
         "HER2-associated Src activity")
    R("PTEN_Src_phosphorylation", "PTEN", "PTEN_pY",
      "k_Src_PTEN*Src_activity*PTEN - kdp_PTEN*PTEN_pY", "Src phosphorylates and inactivates PTEN (L04)")
    P("kcat_PTEN", 15.0 * 3600, "1/h", _sourced(FARATIAN, "k33 = 15 /s (PTEN–PIP3 → PTEN + PI2) → 54000 /h"))
    P("Km_PTEN", 50.0, "nM", _assumed("PTEN Km for PIP3 (Faratian's binding constants imply a very low Km; "
                                      "50 nM keeps PTEN first-order at physiological PIP3)"))
    P("k_PIP3_other", 0.1 * 15.0 * 3600 * PTEN_total / 50.0 / 2, "1/h", _assumed(
        "PTEN-independent PIP3 removal (SHIP1/2, INPP4B lumped): ~10 % of untreated PTEN capacity, "
        "so that PI3K inhibitors still lower PIP3 in PTEN-null cells (L05)"))
    R("PIP3_dephosphorylation", "PIP3", "PIP2",
      "(kcat_PTEN*PTEN/(Km_PTEN + PIP3) + k_PIP3_other)*PIP3", "PTEN and other phosphatases: PIP3 → PIP2")

    # ---------------------------------------------------------------------------- AKT / mTORC2
    AKT_total = 100.0
    P("AKT_total_ref", AKT_total, "nM", _sourced(FARATIAN, "initial Akt = 100 nM"))
    P("k_T308", 60.0, "1/(nM*h)", _fitted(
        "fitted to L03c together with k_mTORC2_act (was 30, assumed): PDK1 (lumped) "
        "phosphorylation of PIP3-bound AKT on T308 per nM PIP3"))
    P("kdp_T308", 34.8 * 60, "1/h", _sourced(BRANNMARK, "k4b = 34.8 /min (PKB308p → PKB) → 2088 /h"))
    P("kdp_T308_from_pp", 143.6 * 60, "1/h", _sourced(
        BRANNMARK, "k4f = 143.6 /min (PKB308p473p → PKB473p) → 8616 /h"))
    P("kdp_S473", 0.5361 * 60, "1/h", _sourced(BRANNMARK, "k4h = 0.5361 /min (PKB473p → PKB) → 32.2 /h"))
    P("k_S473", 4.456 * 60, "1/h", _derived(
        BRANNMARK, "k4c = 4.456 /min (PKB308p → PKB308p473p per unit active mTORC2) → 267 /h "
                   "per unit active-mTORC2 fraction (Brännmark's mTORC2a unit taken as our fraction)"))
    rule("AKT_phos_allowed", "1 - AKT_allosteric_inhibition", "1", "AKT not locked by allosteric inhibitors")
    R("AKT_T308_phosphorylation", "AKT", "AKT_pT308",
      "k_T308*PIP3*AKT_phos_allowed*AKT - kdp_T308*AKT_pT308", "PDK1 → AKT T308 (PIP3-dependent)")
    R("AKT_S473_phosphorylation", "AKT_pT308", "AKT_pT308_pS473",
      "k_S473*mTORC2_fraction*AKT_phos_allowed*AKT_pT308", "mTORC2 → AKT S473")
    R("AKT_pp_T308_dephosphorylation", "AKT_pT308_pS473", "AKT_pS473",
      "kdp_T308_from_pp*AKT_pT308_pS473", "T308 dephosphorylation (PP2A)")
    R("AKT_S473_T308_phosphorylation", "AKT_pS473", "AKT_pT308_pS473",
      "k_T308*PIP3*AKT_phos_allowed*AKT_pS473", "PDK1 → T308 of S473-phosphorylated AKT")
    R("AKT_S473_dephosphorylation", "AKT_pS473", "AKT", "kdp_S473*AKT_pS473", "S473 dephosphorylation (PHLPP)")
    R("AKT_pp_S473_dephosphorylation", "AKT_pT308_pS473", "AKT_pT308", "kdp_S473*AKT_pT308_pS473",
      "S473 dephosphorylation of doubly phosphorylated AKT")
    P("T308_only_activity", 0.055 / 1.842, "1", _derived(
        BRANNMARK, "k5a2/k5a1 = 0.05506/1.842: activity of T308-only AKT relative to doubly "
                   "phosphorylated AKT towards mTORC1"))
    rule("AKT_total", "AKT + AKT_pT308 + AKT_pS473 + AKT_pT308_pS473", "nM", "total AKT")
    rule("AKT_activity",
         "(AKT_pT308_pS473 + T308_only_activity*AKT_pT308)/AKT_total*(1 - AKT_catalytic_inhibition)",
         "1", "AKT activity towards substrates")
    P("k_mTORC2_act", 0.6, "1/(nM*h)", _fitted(
        "fitted to L03c (was 6, assumed): mTORC2 activation per nM PIP3 (PI3K-dependent mTORC2). "
        "At 6 mTORC2 was half-active at ~100 nM PIP3, so AKT S473 sat near saturation wherever "
        "PIP3 stayed above that (PIK3CA-mutant and PTEN-null cells) and lapatinib lowered it by "
        "only ~7 %, against O'Brien 2010 (L03: lapatinib retained AKT dephosphorylation in "
        "trastuzumab-resistant PI3K-altered lines). With 0.6, mTORC2 works below saturation "
        "(half-active at ~1000 nM PIP3), so S473 tracks PI3K output"))
    P("k_mTORC2_inact", 600.0, "1/h", _assumed("mTORC2 inactivation"))
    R("mTORC2_activation", "MTORC2", "MTORC2_active",
      "k_mTORC2_act*PIP3*MTORC2 - k_mTORC2_inact*MTORC2_active", "PIP3 → mTORC2")
    rule("mTORC2_fraction", "MTORC2_active/(MTORC2 + MTORC2_active)", "1", "active mTORC2")

    # ---------------------------------------------------------------------------- AKT substrates
    P("k_FOXO_p", 44.0, "1/h", _fitted(
        "fitted jointly with the phenotype parameters to L01, L19b, L20, L22 (was 60, assumed): "
        "AKT phosphorylation of FOXO (nuclear exclusion) per unit AKT activity"))
    P("kdp_FOXO", 3.0, "1/h", _assumed("FOXO dephosphorylation and nuclear re-entry"))
    R("FOXO_phosphorylation", "FOXO", "FOXO_p", "k_FOXO_p*AKT_activity*FOXO - kdp_FOXO*FOXO_p",
      "AKT ⊣ FOXO")
    P("k_TSC2_AKT", 2500.0, "1/h", _fitted(
        "fitted to L19b/L22 with k_RHEB_GEF (was 60, assumed): AKT phosphorylation of TSC2 per "
        "unit AKT activity. At 60 mTORC1 output barely moved when AKT was abolished (pS6K "
        "0.35 → 0.30 under lapatinib), so HER2 blockade could not be cytostatic; now most TSC2 "
        "is AKT-phosphorylated in untreated HER2-amplified cells and lapatinib lowers pS6K and "
        "p4E-BP1 by about a third to a half"))
    P("k_TSC2_ERK", 6.0, "1/h", _assumed("ERK/RSK phosphorylation of TSC2 per unit pERK fraction"))
    P("kdp_TSC2", 40.0, "1/h", _assumed("TSC2 dephosphorylation"))
    R("TSC2_phosphorylation", "TSC2", "TSC2_p",
      "(k_TSC2_AKT*AKT_activity + k_TSC2_ERK*pERK)*TSC2 - kdp_TSC2*TSC2_p", "AKT and ERK ⊣ TSC2")
    P("k_RHEB_GEF", 22.0, "1/h", _fitted("fitted with k_TSC2_AKT to L19b/L22 (was 30, assumed): basal RHEB GTP loading"))
    P("k_TSC_GAP", 600.0, "1/(nM*h)", _assumed("TSC2 GAP activity on RHEB per nM active TSC2 / 50"))
    R("RHEB_activation", "RHEB_GDP", "RHEB_GTP",
      "k_RHEB_GEF*RHEB_GDP - k_TSC_GAP*TSC2/50*RHEB_GTP", "TSC2 GAP ⊣ RHEB")
    P("k_mTORC1_act", 60.0, "1/h", _assumed("mTORC1 activation per unit RHEB-GTP fraction"))
    P("k_mTORC1_inact", 30.0, "1/h", _assumed("mTORC1 inactivation"))
    R("mTORC1_activation", "MTORC1", "MTORC1_active",
      "k_mTORC1_act*RHEB_GTP/(RHEB_GDP + RHEB_GTP)*MTORC1 - k_mTORC1_inact*MTORC1_active",
      "RHEB-GTP → mTORC1")
    rule("mTORC1_output", "MTORC1_active/(MTORC1 + MTORC1_active)", "1", "active mTORC1 fraction")
    P("k_S6K_p", 60.0, "1/h", _assumed("mTORC1 phosphorylation of S6K T389 per unit mTORC1 activity"))
    P("kdp_S6K", 15.0, "1/h", _assumed("S6K dephosphorylation"))
    R("S6K_phosphorylation", "RPS6KB1", "RPS6KB1_p",
      "k_S6K_p*mTORC1_output*(1 - mTORC1_inhibition)*RPS6KB1 - kdp_S6K*RPS6KB1_p", "mTORC1 → S6K")
    rule("pS6K", "RPS6KB1_p/(RPS6KB1 + RPS6KB1_p)", "1", "S6K T389 phosphorylated fraction")
    P("k_S6_p", 30.0, "1/h", _assumed("S6K phosphorylation of ribosomal S6"))
    P("k_S6_RSK", 3.0, "1/h", _assumed("RSK (ERK) phosphorylation of S6 S235/236"))
    P("kdp_S6", 10.0, "1/h", _assumed("S6 dephosphorylation"))
    R("S6_phosphorylation", "RPS6", "RPS6_p",
      "(k_S6_p*pS6K + k_S6_RSK*pERK)*RPS6 - kdp_S6*RPS6_p", "S6K and RSK → S6")
    P("k_4EBP1_p", 60.0, "1/h", _assumed("mTORC1 phosphorylation of 4E-BP1 per unit mTORC1 activity"))
    P("kdp_4EBP1", 30.0, "1/h", _assumed("4E-BP1 dephosphorylation"))
    P("rapalog_4EBP1_efficacy", 0.5, "1", _assumed(
        "rapalogs block mTORC1 phosphorylation of 4E-BP1 only partly (rapamycin-resistant 4E-BP1 "
        "sites); half chosen"), role=ParameterRole.PHARMACOLOGY)
    R("EIF4EBP1_phosphorylation", "EIF4EBP1", "EIF4EBP1_p",
      "k_4EBP1_p*mTORC1_output*(1 - rapalog_4EBP1_efficacy*mTORC1_inhibition)*EIF4EBP1 - kdp_4EBP1*EIF4EBP1_p",
      "mTORC1 → 4E-BP1")

    # ---------------------------------------------------------------------------- RAS/ERK
    P("k_SOS_fb", 0.0538 * 3600 / 10, "1/h", _derived(
        BIRTWISTLE, "kf54 = 0.0538 /s (ERK* phosphorylation of SOS) → 194 /h; divided by 10 "
                    "because pERK enters as a fraction here (scale assumed)"))
    P("kdp_SOS", 6.0, "1/h", _assumed("SOS serine dephosphorylation (recovers in ~10 min)"))
    R("SOS_feedback_phosphorylation", "SOS1", "SOS1_p", "k_SOS_fb*pERK*SOS1 - kdp_SOS*SOS1_p",
      "ERK ⊣ SOS (negative feedback; Birtwistle 2007)")
    P("k_RAS_GEF", 60.0, "1/h", _assumed("SOS-driven RAS GTP loading per unit receptor drive"))
    P("k_RAS_GAP", 60.0, "1/h", _assumed("RAS GTP hydrolysis (GAP-assisted)"))
    P("KRAS_mut_GEF", 2.0, "1", _assumed("constitutive RAS-GTP loading of mutant KRAS, in units of the untreated receptor drive"))
    P("HER3_RAS_weight", 1.0, "1", _assumed(
        "GRB2/SHC docking on pHER3 (and HER3-containing dimers) loading RAS, per unit pHER3 "
        "relative to HER3_ref. PI3K inhibition raises HER3 expression through FOXO and with it "
        "HER2–HER3 dimers and ERK activity (Serra 2011 Oncogene 30:2547, abstract read: 'induction of "
        "HER receptors dimerization and phosphorylation, increased expression of HER3 and binding "
        "of adaptor molecules to HER2 and HER3'; Chakrabarty 2012 PNAS 109:2718); weight not given"))
    rule("RAS_drive",
         "HER2_LI_drive + p95_drive + EGFR_drive + HER3_RAS_weight*pHER3_sites + IRS1_pY/IRS1_ref", "1",
         "receptor input to GRB2/SOS (HER2, p95, EGFR, pHER3-SHC, pIRS1)")
    R("RAS_activation", "RAS_GDP", "RAS_GTP",
      "(k_RAS_GEF*RAS_drive*SOS1/(SOS1 + SOS1_p) + k_RAS_GEF*KRAS_mut_GEF*KRAS_mut)*RAS_GDP - k_RAS_GAP*RAS_GTP",
      "SOS → RAS")
    P("k_RAF_act", 1.53 * 3600 / 50, "1/h", _derived(
        HATAKEYAMA, "k13 = 1.53 /s (RAS-GTP activation of RAF) per RAS-GTP fraction; 1/50 "
                    "scaling to per-fraction units (assumed)"))
    P("k_RAF_inact", 300.0, "1/h", _assumed(
        "RAF inactivation; with k_MEK_p and k_ERK_p chosen so that RAF (~14 % active) and MEK "
        "(~20 %) work in their graded range and pERK follows RAS-GTP (it was 30 /h, which "
        "saturated RAF and MEK: RAS-GTP fell to a third under lapatinib while pERK fell by only "
        "a fifth, against near-complete loss of pERK under lapatinib in BT-474, Xia 2002 Oncogene "
        "21:6255, recalled). Untreated pERK is kept at 0.38"))
    R("RAF_activation", "RAF", "RAF_active",
      "k_RAF_act*RAS_GTP/(RAS_GDP + RAS_GTP)*RAF - k_RAF_inact*RAF_active", "RAS → RAF")
    P("k_MEK_p", 55.0, "1/h", _assumed("RAF phosphorylation of MEK per unit active RAF fraction (see k_RAF_inact)"))
    P("kdp_MEK", 30.0, "1/h", _assumed("MEK dephosphorylation (PP2A)"))
    R("MEK_phosphorylation", "MEK", "MEK_p",
      "k_MEK_p*RAF_active/(RAF + RAF_active)*MEK - kdp_MEK*MEK_p", "RAF → MEK")
    P("k_ERK_p", 90.0, "1/h", _assumed("MEK phosphorylation of ERK per unit pMEK fraction (see k_RAF_inact)"))
    P("kdp_ERK", 30.0, "1/h", _assumed("ERK dephosphorylation (MKP3/DUSP)"))
    R("ERK_phosphorylation", "ERK", "ERK_p",
      "k_ERK_p*MEK_p/(MEK + MEK_p)*(1 - MEK_inhibition)*ERK - kdp_ERK*ERK_p", "MEK → ERK")

    # ---------------------------------------------------------------------------- ER (ESR1)
    # Hormone-receptor crosstalk: ER drives proliferation (cyclin D1) and growth-factor
    # signalling genes; HER2 → AKT and ERK lower ER expression, so HER2 blockade raises ER
    # signalling through FOXO3a (Xia 2006 PNAS 103:7795), an escape route in HR-positive tumours
    # (Arpino 2007 J Natl Cancer Inst 99:694; Giuliano 2015 Clin Cancer Res 21:3995: lapatinib
    # raised ER in patients' tumours and fulvestrant blocked anti-HER2-resistant growth).
    ER_ref = 5.0e4 * NM_PER_COPY
    P("ER_ref", ER_ref, "nM", _assumed(
        f"ERα ~5e4 copies per cell in an ER-positive breast cancer line (recalled order for MCF-7, "
        f"not read); {CELL_VOLUME_NOTE}"))
    P("kdeg_ER", math.log(2) / 4.0, "1/h", _assumed("ERα protein half-life ~4 h (recalled order, not read)"))
    P("ER_FOXO_fold", 2.0, "1", _assumed(
        "FOXO3a-driven ESR1 transcription at full FOXO output relative to FOXO-free (Xia 2006 PNAS "
        "103:7795: lapatinib raises ER signalling via FOXO3a in ER+/HER2+ cells, via the "
        "Clin Cancer Res 2008;14:6730 review abstract; fold not read)"))
    P("ER_ERK_repression", 1.0, "1", _assumed(
        "ERK-driven repression of ER expression at untreated pERK (hyperactive HER2/MAPK signalling "
        "lowers ER; Oh 2001 Mol Endocrinol 15:1344, recalled, not read); size chosen"))
    P("ER_basal_synthesis", 1.033, "1", _derived(
        "untreated steady state of this model (ER positive, HER2-amplified)",
        "normalises ER synthesis so that untreated ESR1 ≈ ER_ref (at 1.0 it settled at 0.968 ER_ref)"))
    R("ER_synthesis", "", "ESR1",
      "kdeg_ER*ER_ref*ER_expression*ER_basal_synthesis*(1 + ER_FOXO_fold*FOXO_transcription)"
      "/(1 + ER_ERK_repression*pERK/pERK_reference)",
      "ESR1 transcription: induced by FOXO3a, repressed by ERK (HER2 signalling lowers ER)")
    P("fulvestrant_ER_degradation", 5.0, "1", _assumed(
        "extra ERα degradation at full SERD occupancy (×(1+5)): fulvestrant binding destabilises "
        "and degrades the receptor (Wakeling 1991 Cancer Res 51:3867; label); the residual "
        "receptor level is not read, 1/6 chosen"), role=ParameterRole.PHARMACOLOGY)
    R("ER_degradation", "ESR1", "",
      "kdeg_ER*(1 + fulvestrant_ER_degradation*ER_antagonist_occupancy)*ESR1",
      "ERα turnover, accelerated by fulvestrant (SERD)")
    P("Kd_E2", 0.1, "nM", _assumed("oestradiol–ERα dissociation constant ~0.1 nM (recalled order, not read)"))
    rule("ER_E2_occupancy", "E2_nM/(E2_nM + Kd_E2)", "1", "ERα liganded by oestradiol")
    rule("ER_activity", "ESR1/ER_ref*ER_E2_occupancy*(1 - ER_antagonist_occupancy)", "1",
         "transcriptional ER activity relative to ER_ref at saturating oestradiol (fulvestrant-bound "
         "receptor is inactive)")
    P("K_ER_drive", 0.25, "1", _assumed(
        "ER activity giving half of the maximal ER proliferation drive; chosen so that ER in an "
        "untreated ER-positive cell (activity ~0.5 at 0.1 nM oestradiol) is two-thirds active"))
    rule("ER_proliferation_drive", "ER_activity/(ER_activity + K_ER_drive)", "1",
         "dimensionless ER → cyclin D1/proliferation drive (0-1); to be routed to cyclin D1")
    P("ER_IRS1_fold", 1.0, "1", _assumed(
        "oestrogen induction of IRS1 at ER activity 1 (+100 %): E2 induces IRS-1 in MCF-7 (Lee 1999 "
        "Mol Endocrinol 13:787, recalled, not read)"))
    P("ER_IGF1R_fold", 1.0, "1", _assumed(
        "oestrogen induction of IGF1R at ER activity 1 (+100 %): ER → IGF1R transcription "
        "(recalled, not read)"))
    P("ER_amphiregulin_gain", 0.1, "1", _assumed(
        "EGFR occupancy by ER-induced autocrine amphiregulin at ER activity 1 (amphiregulin is an "
        "essential mediator of ERα function, Ciarloni 2007 PNAS 104:5455, recalled); small because "
        "amphiregulin binds EGFR weakly and EGFR is low in HER2-amplified lines"))
    rule("amphiregulin_occupancy", "ER_amphiregulin_gain*ER_activity", "1",
         "EGFR occupancy equivalent of ER-induced amphiregulin")

    # ---------------------------------------------------------------------------- phenotype
    # Net growth = division (cytostatic arm) - apoptosis (cytotoxic arm) - immune kill (in vivo
    # only), as in the GR decomposition of drug response (Hafner 2016): a drug can slow division,
    # kill, or both. Division follows G1/S commitment (cyclin D1–CDK4/6 → Rb → E2F, braked by
    # p27Kip1); apoptosis follows the BH3-only load (BIM, BAD) against the anti-apoptotic buffer.
    rule("p4EBP1", "EIF4EBP1_p/(EIF4EBP1 + EIF4EBP1_p)", "1", "4E-BP1 phosphorylated fraction")
    rule("pS6", "RPS6_p/(RPS6 + RPS6_p)", "1", "S6 phosphorylated fraction")
    rule("pERK", "ERK_p/(ERK + ERK_p)", "1", "ERK phosphorylated fraction")

    # GSK3β: AKT phosphorylates GSK3β on S9 and inhibits it (Cross 1995 Nature 378:785)
    P("K_AKT_GSK3", 0.05, "1", _assumed(
        "AKT activity giving half-maximal GSK3β inhibition; a quarter of the untreated AKT "
        "activity of a HER2-amplified cell (~0.2), so that HER2 or PI3K blockade (AKT activity "
        "0.01-0.04) frees most GSK3β"))
    rule("GSK3_activity", "1/(1 + AKT_activity/K_AKT_GSK3)", "1",
         "GSK3β not inhibited by AKT (S9 phosphorylation)")

    # cyclin D1: ERK-driven transcription, eIF4E (4E-BP1)-dependent translation, GSK3β-driven
    # T286 phosphorylation, nuclear export and proteasomal degradation
    CCND1_ref = 5.0e4 * NM_PER_COPY
    P("CCND1_ref", CCND1_ref, "nM", _assumed(
        f"cyclin D1 at unit transcription and translation with GSK3-independent turnover only; "
        f"5e4 copies per cell as the other signalling proteins (pharmacology.md K23), {CELL_VOLUME_NOTE}. "
        "Only relative cyclin D1 (CyclinD1 observable) enters the read-out"))
    P("kdeg_CCND1", math.log(2) / 2.0, "1/h", _assumed(
        "GSK3β-independent cyclin D1 turnover (half-life 2 h); the T286A mutant that GSK3β cannot "
        "phosphorylate is highly stable (Diehl 1998 Genes Dev 12:3499), size not read"))
    P("GSK3_CCND1_degradation", 3.0, "1", _derived(
        "Diehl 1998 Genes Dev 12:3499",
        "GSK3β phosphorylates cyclin D1 on T286, triggering rapid turnover; with the 2 h basal half-life, "
        "a 3-fold extra degradation at full GSK3β activity gives the ~30 min half-life of cyclin D1 in "
        "mitogen-deprived cells (half-life recalled, not read in the abstract)"))
    P("CCND1_basal_transcription", 0.5, "1", _assumed(
        "ERK-independent cyclin D1 transcription relative to full ERK drive (other CCND1 promoter "
        "inputs lumped: β-catenin/TCF, NF-κB, STAT3); half, so that MEK inhibition alone lowers "
        "cyclin D1 by at most about a third (HER2-amplified lines respond little to MEK inhibitors)"))
    P("K_ERK_CCND1", 0.3, "1", _assumed(
        "pERK fraction for half-maximal ERK/AP-1-driven CCND1 transcription; near the untreated pERK "
        "(0.3-0.4) so that MEK inhibition lowers cyclin D1 transcription by about a third"))
    P("CCND1_basal_translation", 0.2, "1", _assumed(
        "cap-independent share of cyclin D1 translation: cyclin D1 mRNA is eIF4E-sensitive, so "
        "hypophosphorylated 4E-BP1 (mTORC1 inhibition) lowers its translation (rapamycin lowers "
        "cyclin D1; Goel 2016 Cancer Cell 29:255 for the mTORC1 arm in HER2+ cells)"))
    P("K_4EBP1_CCND1", 0.3, "1", _assumed(
        "p4E-BP1 fraction for half-maximal release of eIF4E to cyclin D1 translation; near the "
        "untreated p4E-BP1 (~0.45)"))
    # Transcription is a SUM of transcriptional inputs (1 = full drive of one input): one more
    # promoter input is one more additive term here, with its weight parameter.
    P("weight_ER", 1.0, "1", _assumed(
        "ER → CCND1 transcription at full ER activity relative to the full ERK/AP-1 input (oestradiol "
        "induces cyclin D1 through the CCND1 promoter; an ER-positive cell's ER input is taken equal to "
        "its ERK input, not fitted; 0 contribution in ER-negative cells)"))
    rule("CCND1_transcription",
         "CCND1_basal_transcription + pERK/(pERK + K_ERK_CCND1) + weight_ER*ER_proliferation_drive",
         "1", "CCND1 transcription: basal + ERK/AP-1 + ER (additive promoter inputs)")
    rule("CCND1_translation",
         "CCND1_basal_translation + (1 - CCND1_basal_translation)*p4EBP1/(p4EBP1 + K_4EBP1_CCND1)",
         "1", "cyclin D1 translation: eIF4E released by mTORC1 phosphorylation of 4E-BP1")
    R("CCND1_synthesis", "", "CCND1", "kdeg_CCND1*CCND1_ref*CCND1_transcription*CCND1_translation",
      "cyclin D1 synthesis (ERK transcription × mTORC1/eIF4E translation)")
    R("CCND1_degradation", "CCND1", "", "kdeg_CCND1*(1 + GSK3_CCND1_degradation*GSK3_activity)*CCND1",
      "cyclin D1 degradation, accelerated by GSK3β T286 phosphorylation (AKT ⊣ GSK3β stabilises it)")
    S("CCND1", 0.0, ("CCND1", "CDK4", "CDK6"), "cyclin D1 (with CDK4/6, which are in excess)")
    rule("CyclinD1", "CCND1/CCND1_ref", "1", "cyclin D1 relative to CCND1_ref")

    # CDK4/6 inhibitors (palbociclib): ATP-site occupancy at the catalogue's free cellular potency
    cdk_terms = drug_terms.get("cdk46_inhibit:CDK4/6", [])
    cdk_ratio = " + ".join(f"{t.concentration}/{t.potency}" for t in cdk_terms)
    rule("CDK46_inhibition", f"({cdk_ratio})/(1 + {cdk_ratio})" if cdk_terms else "0", "1",
         "fraction of CDK4/6 kinase blocked by CDK4/6 inhibitors (competitive, ATP site)")
    P("K_CCND1_CDK46", 0.2, "1", _assumed(
        "relative cyclin D1 giving half-maximal CDK4/6 activity; below the untreated level (~0.3) so "
        "that CDK4/6 is mostly cyclin-loaded in untreated HER2-amplified cells (cyclin D1 limits CDK4/6 in "
        "HER2-driven cells: Goel 2016 Cancer Cell 29:255)"))
    rule("CDK46_activity", "CyclinD1/(CyclinD1 + K_CCND1_CDK46)*(1 - CDK46_inhibition)", "1",
         "cyclin D1–CDK4/6 kinase activity towards Rb")

    # p27Kip1: FOXO-driven transcription (Medema 2000 Nature 404:782); AKT phosphorylates T157
    # and retains p27 in the cytoplasm (Shin 2002, Liang 2002, Viglietto 2002; Nat Med 8:1136-1153)
    p27_ref = 5.0e4 * NM_PER_COPY
    P("p27_ref", p27_ref, "nM", _assumed(
        f"p27Kip1 scale: synthesis at unit drive over turnover; {CELL_VOLUME_NOTE}"))
    P("kdeg_p27", math.log(2) / 4.0, "1/h", _assumed("p27Kip1 half-life ~4 h in cycling cells (SKP2-driven)"))
    P("p27_basal_synthesis", 0.5, "1", _assumed("FOXO-independent p27 transcription relative to full FOXO drive"))
    P("k_p27_AKT", 20.0, "1/h", _assumed(
        "AKT phosphorylation of p27 T157 (cytoplasmic retention) per unit AKT activity; with "
        "kdp_p27 it keeps ~70 % of p27 cytoplasmic in untreated HER2-amplified cells"))
    P("kdp_p27", 2.0, "1/h", _assumed("p27 T157 dephosphorylation and nuclear re-import"))
    R("p27_synthesis", "", "CDKN1B", "kdeg_p27*p27_ref*(p27_basal_synthesis + FOXO_transcription)",
      "p27Kip1 synthesis, FOXO-driven (AKT ⊣ FOXO → p27)")
    R("p27_AKT_phosphorylation", "CDKN1B", "CDKN1B_pT157",
      "k_p27_AKT*AKT_activity*CDKN1B - kdp_p27*CDKN1B_pT157",
      "AKT ⊣ p27: T157 phosphorylation and cytoplasmic retention")
    for sid in ("CDKN1B", "CDKN1B_pT157"):
        R(f"{sid}_degradation", sid, "", f"kdeg_p27*{sid}", "p27Kip1 turnover")
    S("CDKN1B", 0.0, ("CDKN1B",), "p27Kip1, nuclear (CDK2 inhibitor)")
    S("CDKN1B_pT157", 0.0, ("CDKN1B",), "p27Kip1 pT157, cytoplasmic")
    rule("p27_nuclear", "CDKN1B/p27_ref", "1", "nuclear p27Kip1 relative to p27_ref")
    P("Ki_p27_CDK2", 0.5, "1", _assumed("nuclear p27 (relative) giving half inhibition of cyclin E–CDK2"))
    rule("CDK2_activity", "1/(1 + p27_nuclear/Ki_p27_CDK2)", "1",
         "cyclin E–CDK2 activity left by nuclear p27Kip1")

    # Rb: CDK4/6 primes (mono-phosphorylation) and CDK2 completes (hyper-phosphorylation) the
    # release of E2F; CDK4/6 activity is required (no priming, no release), CDK2 scales it
    RB1_ref = 5.0e4 * NM_PER_COPY
    P("RB1_ref", RB1_ref, "nM", _assumed(f"Rb at 5e4 copies per cell; {CELL_VOLUME_NOTE}"))
    P("RB1_level", 1.0, "1", _assumed("genotype input: RB1 synthesis scale; 0 = RB1 loss"),
      role=ParameterRole.EXPRESSION)
    P("kdeg_RB1", math.log(2) / 10.0, "1/h", _assumed("Rb protein half-life ~10 h (a stable protein)"))
    P("k_Rb_p", 10.0 * 6.0, "1/h", _assumed(
        "Rb phosphorylation at full CDK4/6 and CDK2 activity: 10 × kdp_Rb, so that untreated "
        "HER2-amplified (cycling) cells keep ~80 % of Rb phosphorylated"))
    P("kdp_Rb", 6.0, "1/h", _assumed("Rb dephosphorylation (PP1), tens of minutes"))
    P("Rb_CDK2_independent", 0.3, "1", _assumed(
        "share of Rb phosphorylation by cyclin D1–CDK4/6 alone (priming), without CDK2"))
    R("RB1_synthesis", "", "RB1", "kdeg_RB1*RB1_ref*RB1_level", "Rb synthesis")
    for sid in ("RB1", "RB1_p"):
        R(f"{sid}_degradation", sid, "", f"kdeg_RB1*{sid}", "Rb turnover")
    R("RB1_phosphorylation", "RB1", "RB1_p",
      "k_Rb_p*CDK46_activity*(Rb_CDK2_independent + (1 - Rb_CDK2_independent)*CDK2_activity)*RB1"
      " - kdp_Rb*RB1_p",
      "cyclin D1–CDK4/6 (and CDK2) phosphorylate Rb")
    S("RB1", RB1_ref, ("RB1",), "Rb, hypophosphorylated (binds E2F)")
    S("RB1_p", 0.0, ("RB1",), "Rb, phosphorylated (releases E2F)")
    rule("pRb", "RB1_p/RB1_ref", "1", "phosphorylated Rb relative to RB1_ref (parental total ≈ 1)")
    P("K_Rb_E2F", 0.1, "1", _assumed(
        "hypophosphorylated Rb (relative to RB1_ref) sequestering half of E2F; Rb in excess over E2F"))
    rule("E2F_activity", "1/(1 + RB1/RB1_ref/K_Rb_E2F)", "1",
         "free E2F (fraction not bound by hypophosphorylated Rb); 1 without Rb")
    P("K_G1S", 0.25, "1", _assumed("free E2F fraction for half-maximal G1/S commitment"))
    P("n_G1S", 2.0, "1", _assumed("Hill coefficient of G1/S commitment (restriction-point switch)"))
    rule("proliferation_signal", "E2F_activity^n_G1S/(E2F_activity^n_G1S + K_G1S^n_G1S)*(1 + K_G1S^n_G1S)",
         "1", "G1/S progression (0-1): E2F-driven commitment to S phase")
    P("mu_max", math.log(2) / 20.0, "1/h", _assumed(
        "division rate at full G1/S commitment (doubling 20 h, a fast breast cancer line); the value "
        "of the first model version"))
    rule("proliferation_rate", "mu_max*proliferation_signal", "1/h",
         "division rate from G1/S progression (cytostatic drugs lower it)")

    # apoptosis: BIM (FOXO-driven transcription, ERK-driven degradation) and BAD (inactivated by
    # AKT S136 and ERK/RSK S112 phosphorylation)
    BIM_ref = 1.0e4 * NM_PER_COPY
    P("BIM_ref", BIM_ref, "nM", _assumed(f"BIM scale: synthesis at unit drive over basal turnover; {CELL_VOLUME_NOTE}"))
    P("kdeg_BIM", math.log(2) / 3.0, "1/h", _assumed("BIM-EL half-life ~3 h without ERK phosphorylation"))
    P("BIM_basal_synthesis", 0.5, "1", _assumed("FOXO-independent BIM transcription relative to full FOXO drive"))
    P("ERK_BIM_degradation", 2.0, "1", _assumed(
        "extra BIM turnover at full ERK activity: ERK phosphorylates BIM-EL (S69) and targets it to the "
        "proteasome (Ley 2003 J Biol Chem 278:18811, recalled); size not read"))
    R("BIM_synthesis", "", "BCL2L11", "kdeg_BIM*BIM_ref*(BIM_basal_synthesis + FOXO_transcription)",
      "FOXO → BIM transcription (Dijkers 2000 Curr Biol 10:1201)")
    R("BIM_degradation", "BCL2L11", "", "kdeg_BIM*(1 + ERK_BIM_degradation*pERK)*BCL2L11",
      "BIM turnover, accelerated by ERK (ERK ⊣ BIM)")
    S("BCL2L11", 0.0, ("BCL2L11",), "BIM (BH3-only)")
    rule("BIM", "BCL2L11/BIM_ref", "1", "BIM relative to BIM_ref")
    P("K_AKT_BAD", 0.05, "1", _assumed(
        "AKT activity giving half-maximal BAD S136 phosphorylation (14-3-3 sequestration; Datta 1997 "
        "Cell 91:231); as K_AKT_GSK3"))
    P("K_ERK_BAD", 1.0, "1", _assumed(
        "pERK fraction for half-maximal BAD S112 phosphorylation by RSK (Bonni 1999 Science 286:1358, "
        "recalled); ERK is the minor BAD kinase here"))
    rule("BAD_active", "1/(1 + AKT_activity/K_AKT_BAD + pERK/K_ERK_BAD)", "1",
         "BAD not phosphorylated by AKT or RSK (pro-apoptotic, free to bind BCL-XL/BCL-2)")
    P("weight_BIM", 0.5, "1", _assumed("share of BIM in the BH3-only load"), role=ParameterRole.READOUT_WEIGHT)
    P("weight_BAD", 0.5, "1", _assumed("share of BAD in the BH3-only load"), role=ParameterRole.READOUT_WEIGHT)
    rule("apoptotic_load", "weight_BIM*BIM + weight_BAD*BAD_active", "1",
         "BH3-only load (BIM, active BAD) against the anti-apoptotic buffer")
    P("K_apoptosis", 0.9, "1", _assumed(
        "BH3-only load at which half of the anti-apoptotic buffer (BCL-2/BCL-XL/MCL-1) is "
        "overcome; above the untreated load (~0.4) so that untreated cells rarely die"))
    P("n_apoptosis", 4.0, "1", _assumed("steepness of the mitochondrial apoptosis threshold"))
    rule("survival_signal", "K_apoptosis^n_apoptosis/(apoptotic_load^n_apoptosis + K_apoptosis^n_apoptosis)",
         "1", "anti-apoptotic buffer left (0-1; 1 = no apoptotic priming)")
    P("death_basal", 0.002, "1/h", _assumed("basal death rate (~5 % per day)"))
    P("death_max", 0.03, "1/h", _assumed(
        "extra death rate when the anti-apoptotic buffer is overcome (~50 % per day); the first "
        "model version had 0.02"))
    rule("apoptosis_rate", "death_basal + death_max*(1 - survival_signal)", "1/h",
         "intrinsic apoptosis rate (BIM/BAD)")

    # in vivo: trastuzumab ADCC (FcγRIII on NK cells/macrophages/neutrophils)
    P("in_vivo", 0.0, "1", _assumed(
        "context switch: 1 in patients and xenografts (immune effector cells present), 0 in a dish "
        "(default), so that in-vitro results are those of the signalling block"),
      role=ParameterRole.PROTOCOL_SWITCH)
    P("k_ADCC", 0.02, "1/h", _assumed(
        "immune kill rate per unit trastuzumab-bound HER2 relative to amplified HER2 (HER2_ref). "
        "Clynes 2000 Nat Med 6:443: Fc-receptor engagement is a dominant component of trastuzumab's "
        "activity in vivo; mice lacking activating FcγR (or an Fc-binding-deficient antibody) do not "
        "arrest BT-474 growth. 0.02 /h about cancels the untreated net growth of a BT-474-like tumour "
        "at full occupancy; the size is not given in the abstract"), role=ParameterRole.PHARMACOLOGY)
    rule("ADCC_rate", "in_vivo*k_ADCC*HER2_trastuzumab_bound/HER2_ref", "1/h",
         "antibody-dependent cellular cytotoxicity: proportional to trastuzumab-bound surface HER2 "
         "(MUC4 masking, HER2 level and down-regulation matter); 0 in vitro")
    rule("death_rate", "apoptosis_rate + ADCC_rate", "1/h",
         "death rate: intrinsic apoptosis plus immune kill (in vivo only)")
    rule("growth_rate", "proliferation_rate - death_rate", "1/h",
         "net growth rate of the population")
    R("cell_growth", "", "cells", "cell_growth_switch*growth_rate*cells",
      "net cell population growth (proliferation − death)")

    # ---------------------------------------------------------------------------- observables
    rule("pHER2", "ERBB2*HER2_kinase_active", "nM", OBSERVABLES["pHER2"][1])
    rule("pp95HER2", "ERBB2_p95*p95_kinase_active", "nM", OBSERVABLES["pp95HER2"][1])
    rule("pHER2_total", "pHER2 + pp95HER2", "nM", OBSERVABLES["pHER2_total"][1])
    rule("pHER3", "ERBB3_pY + ERBB3_NRG1_pY", "nM", OBSERVABLES["pHER3"][1])
    rule("HER3_total", "ERBB3 + ERBB3_NRG1 + ERBB3_pY + ERBB3_NRG1_pY", "nM", OBSERVABLES["HER3_total"][1])
    rule("HER2_total", "ERBB2", "nM", OBSERVABLES["HER2_total"][1])
    rule("HER2_trastuzumab_bound", "ERBB2*trastuzumab_bound_fraction", "nM", OBSERVABLES["HER2_trastuzumab_bound"][1])
    rule("IRS1_total", "IRS1 + IRS1_pY", "nM", OBSERVABLES["IRS1_total"][1])
    rule("PI3K_active_fraction", "PI3K_active/(PI3K + PI3K_active)", "1", OBSERVABLES["PI3K_active_fraction"][1])
    rule("PTEN_active", "PTEN", "nM", OBSERVABLES["PTEN_active"][1])
    rule("PIP3_fraction", "PIP3/(PIP2 + PIP3)", "1", OBSERVABLES["PIP3_fraction"][1])
    rule("pAKT_T308", "(AKT_pT308 + AKT_pT308_pS473)/AKT_total", "1", OBSERVABLES["pAKT_T308"][1])
    rule("pAKT_S473", "(AKT_pS473 + AKT_pT308_pS473)/AKT_total", "1", OBSERVABLES["pAKT_S473"][1])
    rule("FOXO_nuclear", "FOXO/(FOXO + FOXO_p)", "1", OBSERVABLES["FOXO_nuclear"][1])
    rule("RAS_GTP_fraction", "RAS_GTP/(RAS_GDP + RAS_GTP)", "1", OBSERVABLES["RAS_GTP_fraction"][1])

    # ---------------------------------------------------------------------------- species
    core = 5.0e4 * NM_PER_COPY  # 5e4 copies per cell (K23)
    core_note = "total from pharmacology.md K23 (Shi 2016: 5-7e4 copies per cell), 2 pL cell"
    S("ERBB2", HER2_ref, ("ERBB2",), "HER2 full length (surface)")
    S("ERBB2_p95", 0.0, ("ERBB2",), "p95-HER2 (carboxy-terminal fragment)")
    S("EGFR", EGFR_ref, ("EGFR",), "EGFR")
    S("ERBB3", HER3_ref, ("ERBB3",), "HER3, unliganded")
    S("ERBB3_NRG1", 0.0, ("ERBB3", "NRG1"), "HER3–heregulin")
    S("ERBB3_pY", 0.0, ("ERBB3",), "HER3 tyrosine-phosphorylated, unliganded")
    S("ERBB3_NRG1_pY", 0.0, ("ERBB3", "NRG1"), "HER3–heregulin, tyrosine-phosphorylated")
    S("IGF1R", IGF1R_ref, ("IGF1R",), "IGF1R")
    S("IRS1", IRS1_total, ("IRS1",), "IRS1")
    S("IRS1_pY", 0.0, ("IRS1",), "IRS1 tyrosine-phosphorylated")
    # class IA (p110 alpha/beta/delta with p85/p55 PIK3R1-3) and class IB (p110 gamma with
    # p101/p84, PIK3R5/6) lumped into one class I PI3K node; see SEED_GENE_MAP
    pi3k_genes = ("PIK3CA", "PIK3CB", "PIK3CD", "PIK3CG", "PIK3R1", "PIK3R2", "PIK3R3", "PIK3R5", "PIK3R6")
    S("PI3K", PI3K_total, pi3k_genes, "class I PI3K (p110/p85), free")
    S("PI3K_active", 0.0, pi3k_genes, "class I PI3K, recruited and active")
    S("PIP2", PIP_total, (), "PI(4,5)P2", annotations=("https://identifiers.org/CHEBI:18348",))
    S("PIP3", 0.0, (), "PI(3,4,5)P3", annotations=("https://identifiers.org/CHEBI:16618",))
    S("PTEN", PTEN_total, ("PTEN",), "PTEN, active")
    S("PTEN_pY", 0.0, ("PTEN", "SRC"), "PTEN, Src-phosphorylated (inactive)")
    akt = ("AKT1", "AKT2", "AKT3", "PDPK1")
    S("AKT", AKT_total, akt, "AKT unphosphorylated")
    S("AKT_pT308", 0.0, akt, "AKT pT308")
    S("AKT_pS473", 0.0, akt, "AKT pS473")
    S("AKT_pT308_pS473", 0.0, akt, "AKT pT308/pS473")
    S("MTORC2", core, ("MTOR", "RICTOR", "MLST8"), "mTORC2 inactive")
    S("MTORC2_active", 0.0, ("MTOR", "RICTOR", "MLST8"), "mTORC2 active")
    S("TSC2", core, ("TSC1", "TSC2"), "TSC1/2 complex, active GAP")
    S("TSC2_p", 0.0, ("TSC1", "TSC2"), "TSC1/2 with TSC2 phosphorylated (inactive)")
    S("RHEB_GDP", core, ("RHEB",), "RHEB-GDP")
    S("RHEB_GTP", 0.0, ("RHEB",), "RHEB-GTP")
    S("MTORC1", core, ("MTOR", "RPTOR", "MLST8"), "mTORC1 inactive")
    S("MTORC1_active", 0.0, ("MTOR", "RPTOR", "MLST8"), "mTORC1 active")
    S("RPS6KB1", core, ("RPS6KB1",), "S6K")
    S("RPS6KB1_p", 0.0, ("RPS6KB1",), "S6K pT389")
    S("RPS6", core, ("RPS6",), "ribosomal protein S6")
    S("RPS6_p", 0.0, ("RPS6",), "S6 pS235/236")
    S("EIF4EBP1", core, ("EIF4EBP1",), "4E-BP1")
    S("EIF4EBP1_p", 0.0, ("EIF4EBP1",), "4E-BP1 phosphorylated")
    S("FOXO", core, ("FOXO3", "FOXO1"), "FOXO nuclear (active)")
    S("FOXO_p", 0.0, ("FOXO3", "FOXO1"), "FOXO phosphorylated (cytoplasmic)")
    S("SOS1", 3500 * NM_PER_COPY, ("SOS1", "GRB2"), "SOS (with GRB2), active")
    S("SOS1_p", 0.0, ("SOS1",), "SOS serine-phosphorylated by ERK (inactive)")
    ras = ("KRAS", "HRAS", "NRAS")
    S("RAS_GDP", core, ras, "RAS-GDP")
    S("RAS_GTP", 0.0, ras, "RAS-GTP")
    raf = ("ARAF", "BRAF", "RAF1")
    S("RAF", core, raf, "RAF inactive")
    S("RAF_active", 0.0, raf, "RAF active")
    S("MEK", core, ("MAP2K1", "MAP2K2"), "MEK")
    S("MEK_p", 0.0, ("MAP2K1", "MAP2K2"), "MEK phosphorylated")
    S("ERK", core, ("MAPK3", "MAPK1"), "ERK")
    S("ERK_p", 0.0, ("MAPK3", "MAPK1"), "ERK doubly phosphorylated")
    S("ESR1", 0.0, ("ESR1",), "oestrogen receptor α (total; 0 in ER-negative cells)")
    species.append(Species(
        "cells", "cell", initial=1.0, name="relative cell number", units="1",
        provenance=_assumed("phenotype read-out, not a molecule: relative cell number (1 at "
                            "treatment start); no gene or identifiers.org annotation applies"),
    ))
    del core_note

    # rate laws read species (e.g. RHEB-GTP in mTORC1 activation) that are neither consumed nor
    # produced; SBML requires them listed as modifiers (no change of semantics)
    species_ids = {sp.id for sp in species}
    with_modifiers = []
    for reaction in reactions:
        used = {str(sym) for sym in reaction.rate.free_symbols} & species_ids
        have = {sid for sid, _ in reaction.reactants + reaction.products}
        extra = tuple(sorted(used - have))
        with_modifiers.append(dataclasses.replace(reaction, modifiers=extra) if extra else reaction)
    reactions = with_modifiers

    notes = __doc__ or ""
    return Model(
        MODEL_ID,
        compartments=(Compartment("cell", 1.0, units="litre", name="cell (well-mixed)"),),
        species=tuple(species),
        parameters=tuple(params),
        reactions=tuple(reactions),
        assignment_rules=tuple(rules),
        name="HER2 → PI3K/AKT/mTOR and RAS/ERK signalling with resistance mechanisms",
        time_units="hour",
        substance_units="nanomole",
        volume_units="litre",
        notes=notes,
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


def modelled_drugs() -> tuple[str, ...]:
    """Catalogued drugs that have a concentration parameter in the model."""
    from .drugs import all_drugs

    return tuple(d.name for d in all_drugs())


def drug_settings(doses: Mapping[str, float | tuple[float, str]], *,
                  serum_percent: float = 10.0) -> dict[str, float]:
    """Parameter settings for in-vitro drug doses: ``{"trastuzumab": (10, "ug/mL"), "lapatinib": 1000}``.

    A dose is the **nominal** concentration in the culture medium: a bare number is read in nM,
    a ``(value, unit)`` pair is converted with the drug's molecular weight
    (:meth:`her2sim.library.drugs.Drug.to_nM`). The model parameter is the **free** concentration
    at the target: nominal × the drug's unbound fraction in medium with ``serum_percent`` % serum
    (:meth:`her2sim.library.drugs.Drug.free_fraction_in_medium`; antibodies are not bound). Free
    plasma concentrations of patients come from :mod:`her2sim.library.pk` and are set directly.

    Parameters
    ----------
    doses
        ``{drug name or alias: nominal dose}``.
    serum_percent
        Serum in the medium, % (default 10 % fetal bovine serum; 0 = serum-free).

    Raises
    ------
    ValidationError
        A negative dose or a serum percentage outside [0, 100].
    UnknownNameError
        An unknown drug, with the closest name.

    Examples
    --------
    >>> round(drug_settings({"Herceptin": (10, "ug/mL")})["trastuzumab_nM"], 1)
    67.6
    >>> round(drug_settings({"lapatinib": (1, "uM")})["lapatinib_nM"], 1)
    91.7
    >>> drug_settings({"lapatinib": (1, "uM")}, serum_percent=0)["lapatinib_nM"]
    1000.0
    """
    from .drugs import get_drug

    if isinstance(serum_percent, bool) or not isinstance(serum_percent, (int, float)) \
            or not 0.0 <= float(serum_percent) <= 100.0:
        raise ValidationError(f"serum_percent={serum_percent!r} must be a number in [0, 100] "
                              "(% serum in the culture medium; 10 is standard)")
    out: dict[str, float] = {}
    for name, dose in doses.items():
        drug = get_drug(name)
        if isinstance(dose, tuple):
            value, unit = dose
            nM = drug.to_nM(float(value), unit)
        else:
            nM = float(dose)
        if not nM >= 0:
            raise ValidationError(f"dose of {name!r} must be >= 0, got {dose!r}")
        out[drug_parameter(drug.name)] = nM * drug.free_fraction_in_medium(float(serum_percent))
    return out


def genotype_settings(genotypes: Mapping[str, float] | tuple[str, ...] | list[str]) -> dict[str, float]:
    """Parameter settings for genotypes, each with a relative strength (1 = full).

    Names are the model's (:data:`GENOTYPES`) or the catalogue's (:data:`CATALOGUE_GENOTYPES`,
    any alias), looked up ignoring case, spaces and hyphens. For a model genotype the strength
    interpolates between the reference value and the full-strength value, e.g.
    ``{"PTEN loss": 0.5}`` sets ``PTEN_level`` to 0.5; for a catalogue genotype 1 means the
    catalogue's default strength (:func:`relative_strength` converts the catalogue's unit).

    Examples
    --------
    >>> genotype_settings(["PTEN loss"])
    {'PTEN_level': 0.0}
    >>> genotype_settings({"pten-loss": 0.8})
    {'PTEN_level': 0.19999999999999996}
    """
    if isinstance(genotypes, str):
        genotypes = [genotypes]
    items = genotypes.items() if isinstance(genotypes, Mapping) else ((g, 1.0) for g in genotypes)
    reference = {p.id: p.value for p in build().parameters}
    out: dict[str, float] = {}
    expanded: list[tuple[str, float]] = []
    for name, strength in items:
        kind, key = resolve_genotype(name)
        if kind == "catalogue":
            # a catalogue name: a model genotype at a scaled strength and/or direct inputs
            effect = CATALOGUE_GENOTYPES[key]
            if not float(strength) >= 0.0:
                raise ValidationError(f"strength of {name!r} must be >= 0, got {strength!r}")
            if effect.genotype is not None:
                expanded.append((effect.genotype, effect.scale * float(strength)))
            out.update({k: v * float(strength) for k, v in effect.direct.items()})
        else:
            expanded.append((key, strength))
    for name, strength in expanded:
        if not 0.0 <= float(strength) <= 1.0 and not name.endswith(("overexpression", "p95HER2")):
            raise ValidationError(f"strength of {name!r} must be in [0, 1], got {strength!r}")
        full_values, _ = GENOTYPES[name]
        for parameter, full in full_values.items():
            ref = reference[parameter]
            out[parameter] = ref + float(strength) * (full - ref)
    return out


#: Evidence levels of cell-line genotype items, weakest last (see :mod:`her2sim.library.cell_lines`).
EVIDENCE = ("confirmed", "secondary", "unconfirmed")


def cell_line_genotypes(name: str, *, evidence: str = "unconfirmed") -> dict[str, float]:
    """``{catalogue genotype: relative strength}`` of a catalogued cell line.

    Parameters
    ----------
    name
        A cell line of :mod:`her2sim.library.cell_lines` (any case, hyphens, aliases).
    evidence
        Weakest evidence level of the genotype items to include: ``"confirmed"``,
        ``"secondary"`` or ``"unconfirmed"`` (default: every item, as the presets always did).

    Examples
    --------
    >>> cell_line_genotypes("JIMT-1")
    {'HER2 amplification': 1.0, 'MUC4 high': 1.0}
    """
    from .cell_lines import cell_line
    from .genotypes import genotype as catalogue_genotype

    if evidence not in EVIDENCE:
        raise UnknownNameError("evidence", evidence, EVIDENCE)
    allowed = EVIDENCE[: EVIDENCE.index(evidence) + 1]
    line = cell_line(name)
    out: dict[str, float] = {}
    for item in line.genotypes:
        if item.status not in allowed:
            continue
        if item.stands_for:
            try:  # the allele itself where the model knows it; else the catalogue stand-in below
                out[resolve_genotype(item.stands_for)[1]] = 1.0
                continue
            except UnknownNameError:
                pass
        entry = catalogue_genotype(item.genotype)
        value = item.strength if item.strength is not None else (
            entry.strength.default if entry.strength is not None else None)
        out[item.genotype] = 1.0 if value is None else relative_strength(item.genotype, value)
    er_context = _er_context()
    if er_context is not None and line.er_positive and line.er is not None and line.er.evidence in allowed:
        out[er_context] = 1.0
    return out


def _er_context() -> str | None:
    """The model's ER-positive context genotype, if the model has one (else the ER status stays data)."""
    try:
        return resolve_genotype("ER positive")[1]
    except UnknownNameError:
        return None


def cell_line_settings(name: str, *, evidence: str = "unconfirmed") -> dict[str, float]:
    """Parameter settings of a catalogued cell line, composed from its genotypes and strengths.

    Examples
    --------
    >>> cell_line_settings("JIMT-1")
    {'HER2_expression': 1.0, 'MUC4_masking': 1.0}

    The ER status of the preset sets the model's ER context (``ER_expression`` = 1) where the model
    has one, through the ``"ER positive"`` genotype or, without it, the parameter directly.
    """
    from .cell_lines import cell_line

    settings = genotype_settings(cell_line_genotypes(name, evidence=evidence))
    line = cell_line(name)
    allowed = EVIDENCE[: EVIDENCE.index(evidence) + 1]
    if (_er_context() is None and line.er_positive and line.er is not None and line.er.evidence in allowed
            and "ER_expression" in {p.id for p in build().parameters}):
        settings["ER_expression"] = 1.0
    return settings
