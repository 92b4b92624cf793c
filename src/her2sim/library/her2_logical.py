"""The logical twin of the flagship kinetic model: HER2/HER3/EGFR/IGF1R → PI3K/AKT/mTOR and RAS/ERK.

:func:`load` returns ``her2_pi3k_akt_logical``, a Boolean network over the same nodes,
mechanisms and feedbacks as :func:`her2sim.library.her2_model.build` (MECHANISMS.md; Dong et al.
2021, Front Pharmacol 12:628690, Fig. 3). The rules live in the package data file
``library/logical/her2_pi3k_akt.bnet``; each :class:`~her2sim.logical.Rule` carries the mechanism
and its source (MECHANISMS.md number, finding ids, primary literature) in ``mechanism`` and
``citation`` (:data:`RULE_SOURCES`).

Conventions
-----------
* **Inputs** are genotype switches (``HER2_amp``, ``p95HER2_expr``, ``MUC4``, ``PIK3CA_mut``,
  ``KRAS_mut``, ``IGF1R_high``), ligands (``HRG``, ``IGF1``, ``EGF``) and drug actions (one input
  per mechanism of the drug catalogue, e.g. ``HER_TKI`` for every HER kinase inhibitor). A drug
  is present (1) at any non-zero dose: the Boolean twin reads every dose of the kinetic checks
  as saturating.
* Genotypes and drugs are applied with the **kinetic model's names**: :func:`apply_genotype`
  takes the keys of :data:`her2sim.library.her2_model.GENOTYPES` and
  :data:`~her2sim.library.her2_model.CATALOGUE_GENOTYPES`; :func:`apply_drugs` takes any drug of
  the catalogue (``her2sim.library.drugs``), aliases included; :func:`apply_parameters` takes
  the kinetic model's ligand and expression parameter ids, thresholded (:data:`PARAMETER_THRESHOLDS`).
  A genotype is either an input set to a value (``p95HER2`` → ``p95HER2_expr = 1``) or a node
  fix (``PTEN loss`` → ``PTEN = 0``, ``HER3 knockdown`` → ``HER3_expression = 0``).
* Trastuzumab switches full-length HER2 signalling off unless MUC4 masks its epitope; it has no
  term in the rule of ``p95HER2`` (no epitope). HER kinase inhibitors switch HER2, p95HER2 and
  EGFR off. PIK3CA mutation activates PI3K independently of receptors (an OR term).
* :class:`NodeMap` pairs each logical node with a kinetic observable and an activity threshold
  (:data:`NODE_MAP`), so that kinetic steady states can be read as Boolean states.

Round 2 mechanisms (issue 13; each rule's source in :data:`RULE_SOURCES`):

* ERK ⊣ receptors: ERK phosphorylation of EGFR T669 / HER2 T677 damps them; MEK inhibition
  relieves it (``EGFR = !HER_TKI & (EGF | !ERK)``; non-amplified HER2 likewise).
* Oestrogen receptor: input ``ER_positive`` (context), ``E2`` (medium oestradiol) and the drug
  input ``Fulvestrant`` (action ``er_degrade``); HER2 → AKT ⊣ FOXO → ER expression and ERK ⊣ ER
  expression; AKT/ERK → ER (ligand-independent phosphorylation); ER → cyclin D1, ER → IGF1R,
  ER ⊣ p27.
* G1/S: cyclin D1 (ERK, AKT, ER; translation through mTORC1/4E-BP1) → CDK4/6 (``CDK46_inhibitor``,
  action ``cdk46_inhibit``: palbociclib) ⊣ Rb ⊣ E2F, with p27 (FOXO → p27; AKT, ERK, ER ⊣ p27)
  holding Rb active; ``Proliferation = E2F & S6K``.
* Apoptosis: BIM (FOXO-induced, ERK-degraded) and BAD (AKT/ERK-phosphorylated);
  ``Survival = !BIM & !BAD``.

Phenotypes: ``Proliferation`` and ``Survival``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal, final

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import UnknownNameError, ValidationError
from ..logical import LogicalModel, Rule, monotonicity, parse_bnet
from ..logical import attractors as _attractors
from ..logical import simulate_stochastic
from .her2_model import MECHANISMS as _MECHANISMS

__all__ = [
    "MODEL_ID",
    "RULE_SOURCES",
    "INPUT_DEFAULTS",
    "DRUG_ACTION_INPUTS",
    "genotype_rule",
    "GENOTYPE_RULES",
    "PARAMETER_THRESHOLDS",
    "NodeMap",
    "NODE_MAP",
    "node_map",
    "node_map_table",
    "kinetic_to_logical",
    "load",
    "baseline",
    "apply_genotype",
    "apply_drugs",
    "apply_parameters",
    "condition",
    "condition_label",
    "initial_state",
    "attractors",
    "activity",
    "simulate",
    "scan",
    "plot_network",
    "LAYERS",
]

MODEL_ID = "her2_pi3k_akt_logical"
_BNET = "her2_pi3k_akt.bnet"

# ------------------------------------------------------------------------------------------------
# sources (shared with the kinetic model where the same mechanism is encoded)
_DONG = "Dong 2021, Front Pharmacol 12:628690 (Fig. 3)"
_HATAKEYAMA = "Hatakeyama 2003, Biochem J 373:451-63"
_BRANNMARK = "Brännmark 2013, J Biol Chem 288:9867-80"
_BIRTWISTLE = "Birtwistle 2007, Mol Syst Biol 3:144"
_KINETIC = "her2sim.library.her2_model (flagship kinetic model)"
_TURKE = "Turke AB et al. 2012, Cancer Res 72:3228 (ERK → EGFR T669 / HER2 T677; MEK inhibition raises pHER3/pAKT)"
_MIRZOEVA = "Mirzoeva OK et al. 2009, Cancer Res 69:565 (MEK inhibition activates EGFR/HER3 → PI3K in basal lines)"
_XIA = "Xia W et al. 2006, PNAS 103:7795 (lapatinib → FOXO3a → ER; ER as escape, reversed by fulvestrant)"
_ARPINO = "Arpino G et al. 2007, J Natl Cancer Inst 99:694 (ER and HER2 crosstalk under HER2 therapy)"
_FINN = "Finn RS et al. 2009, Breast Cancer Res 11:R77 (palbociclib in luminal and HER2-amplified lines)"
_GOEL = "Goel S et al. 2016, Cancer Cell 29:255 (cyclin D1-CDK4/6 in HER2+ tumours and anti-HER2 resistance)"

#: Node -> (mechanism, citation). Mechanism numbers are those of MECHANISMS.md; L-numbers are
#: findings of findings.csv.
RULE_SOURCES: dict[str, tuple[str, str]] = {
    "HER2": (
        "M1/M4/M5/M10: ligand-independent signalling of amplified full-length HER2; trastuzumab "
        "(domain IV) blocks it unless MUC4 masks the epitope (L18); HER kinase inhibitors block it. "
        "ERK ⊣ HER2: ERK phosphorylates HER2 T677 and damps its activity and dimerisation; the "
        "Boolean reading keeps amplified HER2 on (the damping is graded) and lets non-amplified "
        "HER2 signal when ERK is off (MEK-inhibitor relief, Turke 2012)",
        f"{_DONG}; Nagy 2005 Cancer Res (L18); Scaltriti 2007 JNCI 99:628 (L14); {_KINETIC} HER2_LI_drive; "
        f"{_TURKE}; {_MIRZOEVA}",
    ),
    "p95HER2": (
        "M4: p95-HER2 is kinase-active without the extracellular domain, so trastuzumab has no "
        "term here; HER kinase inhibitors block it",
        "Scaltriti 2007, J Natl Cancer Inst 99:628-38, PMID 17440164 (L14)",
    ),
    "EGFR": (
        "M7 context: EGFR signals when liganded (EGF-like ligands); HER kinase inhibitors block it "
        "(lapatinib, afatinib, neratinib, pelitinib are EGFR/HER2 inhibitors). ERK ⊣ EGFR: ERK "
        "phosphorylates EGFR T669, damping its activity; MEK/ERK inhibition relieves it and EGFR "
        "(with HER3) is phosphorylated without added ligand (Turke 2012; Mirzoeva 2009)",
        f"{_KINETIC} EGFR_drive; Björkelund 2011 PLoS One 6:e16536 (EGF Kd); {_TURKE}; {_MIRZOEVA}",
    ),
    "IGF1R": (
        "M8: IGF-1/IGF1R bypass of trastuzumab needs both ligand and IGF1R expression (L01 vs L02); "
        "oestrogen-activated ER induces IGF1R expression (ER → IGF1R), so ER-positive cells count as "
        "IGF1R-expressing; IGF1R inhibitors block it",
        "Lu 2001, J Natl Cancer Inst 93:1852 (L01, L02); Nahta 2005 Cancer Res (L31); "
        "Stewart AJ 1990, J Biol Chem 265:21172 (oestradiol raises IGF1R in MCF-7)",
    ),
    "HER3_expression": (
        "M6/M7: nuclear FOXO raises HER3 transcription above its basal level (AKT ⊣ FOXO → HER3)",
        "Garrett 2011, PNAS 108:5021, PMID 21385943 (L19); Chandarlapaty 2011, Cancer Cell 19:58 (L24)",
    ),
    "HER3": (
        "M1/M6/M8/M9: HER3 phosphorylation (p85 docking) by HER2, p95-HER2, EGFR or IGF1R "
        "(IGF1R-HER2-HER3 complexes, L29); FOXO-induced HER3 phosphorylated by the residual "
        "kinase of amplified HER2 (L19, L22); heregulin-bound HER3 in HER2-HER3 dimers, which "
        "pertuzumab blocks and which amplified HER2 drives even under a TKI (L26); HER3 "
        "antibodies block it",
        "Garrett 2011 PNAS (L19); Sergina 2007 Nature 445:437 (L22); Leung 2015 Oncotarget 6:5678 "
        f"(L26); Huang 2010 Cancer Res 70:1204 (L29); {_HATAKEYAMA}",
    ),
    "IRS1": (
        "M7: S6K ⊣ IRS1 (serine phosphorylation and degradation); the node is IRS1 available "
        "for IGF1R signalling, so mTORC1 inhibition switches it on (L32)",
        f"O'Reilly 2006, Cancer Res 66:1500, PMID 16452206 (L32); {_BRANNMARK}",
    ),
    "PI3K": (
        "M1/M3/M8: class I PI3K recruited by pHER3 or IGF1R-phosphorylated IRS1, or active "
        "independently of receptors when PIK3CA is mutant (OR term; L06, L10); oncogenic RAS "
        "engages the p110 RAS-binding domain (wild-type RAS only potentiates recruited PI3K, a "
        "graded effect left out); alpha-selective and pan-PI3K inhibitors block it",
        f"{_DONG}; Berns 2007 Cancer Cell 12:395 (L06); Hanker 2013 PNAS 110:14372 (L10); {_HATAKEYAMA}",
    ),
    "PTEN": (
        "M2: PTEN phosphatase present and active in PTEN-intact cells; PTEN loss fixes it off. "
        "Trastuzumab's Src-mediated PTEN activation (L04) is graded and not encoded",
        "Nagata 2004, Cancer Cell 6:117, PMID 15324695 (L04, L05)",
    ),
    "PIP3": (
        "M2: PIP3 accumulates when PI3K is active, or when PTEN is lost (basal class I PI3K "
        "activity, still blocked by pan-PI3K inhibitors, L05)",
        "Nagata 2004 Cancer Cell (L05); Berns 2007 Cancer Cell (L06)",
    ),
    "PDK1": ("PIP3 recruits PDK1 to the membrane (lumped into the T308 step in the kinetic model)", _KINETIC),
    "mTORC2": ("PIP3-dependent mTORC2 activity (as in the kinetic model)", f"{_KINETIC}; {_BRANNMARK}"),
    "AKT_T308": (
        "PDK1 phosphorylates PIP3-bound AKT on T308; allosteric AKT inhibitors (MK-2206) prevent "
        "phosphorylation", f"{_BRANNMARK}; pharmacology.md (MK-2206 binding site)",
    ),
    "AKT_S473": (
        "mTORC2 phosphorylates AKT on S473; allosteric AKT inhibitors prevent it",
        f"{_BRANNMARK}; pharmacology.md (MK-2206 binding site)",
    ),
    "AKT": (
        "AKT activity needs T308 and S473 (T308-only AKT has ~3 % activity, Brännmark 2013); "
        "every AKT inhibitor blocks activity", _BRANNMARK,
    ),
    "FOXO": ("M6: AKT phosphorylates FOXO and excludes it from the nucleus (AKT ⊣ FOXO)",
             "Kops 1999, Nature 398:630; Garrett 2011 PNAS (L19)"),
    "TSC2": ("AKT phosphorylates and inhibits TSC2 (ERK/RSK input is weak in the kinetic model, "
             "k_TSC2_ERK 6/h against 2500/h for AKT, and is left out)", _KINETIC),
    "RHEB": ("TSC1/2 GAP activity keeps RHEB GDP-bound (TSC2 ⊣ RHEB)", _KINETIC),
    "mTORC1": ("RHEB-GTP activates mTORC1", _KINETIC),
    "S6K": ("mTORC1 phosphorylates S6K T389; rapalogs block it (M7)",
            f"O'Reilly 2006 Cancer Res (L32); {_KINETIC}"),
    "EIF4EBP1": (
        "4E-BP1 is active (hypophosphorylated, binds eIF4E) unless mTORC1 phosphorylates it; "
        "rapalogs lower 4E-BP1 phosphorylation below the NodeMap threshold in the kinetic model "
        "(rapalog_4EBP1_efficacy 0.5) and are counted as blocking it", _KINETIC,
    ),
    "SOS": ("M7: ERK phosphorylates SOS and releases it from GRB2 (ERK ⊣ SOS negative feedback)",
            _BIRTWISTLE),
    "RAS": (
        "RAS GTP loading by GRB2/SOS on HER2, p95-HER2, EGFR, pHER3 (SHC) or IGF1R/IRS1; "
        "activating KRAS mutation makes it constitutive", f"{_HATAKEYAMA}; {_BIRTWISTLE}",
    ),
    "RAF": ("RAS-GTP activates RAF", _HATAKEYAMA),
    "MEK": ("RAF phosphorylates MEK; MEK inhibitors block MEK output", _HATAKEYAMA),
    "ERK": ("MEK phosphorylates ERK", _HATAKEYAMA),
    "ER_expression": (
        "M11 (hormone-receptor crosstalk): ERα expression above its basal level in ER-positive cells. "
        "HER2 signalling represses it — through AKT (AKT ⊣ FOXO3a, and FOXO3a induces ESR1) and "
        "through hyperactive ERK — so HER2 blockade (lapatinib) raises ER (FOXO | !ERK)",
        "Guo S, Sonenshein GE 2004, Mol Cell Biol 24:8681 (FOXO3a → ESR1); Oh AS et al. 2001, "
        f"Mol Endocrinol 15:1344 (MAPK hyperactivation → ER loss); {_XIA}",
    ),
    "ER": (
        "ERα transcriptional activity: oestradiol-bound ER when its expression is raised, or "
        "ligand-independent ER phosphorylated by AKT (S167) or ERK (S118); fulvestrant degrades "
        "ER (off); ER-negative cells have none",
        f"Kato S et al. 1995, Science 270:1491 (ERK → S118); Campbell RA et al. 2001, J Biol Chem "
        f"276:9817 (AKT → S167); {_XIA}; {_ARPINO}; Wakeling AE 1991 Cancer Res 51:3867 (fulvestrant)",
    ),
    "CyclinD1": (
        "cyclin D1: CCND1 transcription by ERK (AP-1/ETS) and by oestrogen-bound ER, protein "
        "stabilised by AKT (AKT ⊣ GSK3β, which targets cyclin D1 for degradation); translation "
        "needs eIF4E released by mTORC1 phosphorylation of 4E-BP1 (!EIF4EBP1)",
        "Lavoie JN et al. 1996, J Biol Chem 271:20608 (ERK); Diehl JA et al. 1998, Genes Dev 12:3499 "
        "(GSK3β); Rosenwald IB et al. 1993, Mol Cell Biol 13:7358 (eIF4E); Prall OW et al. 1997, "
        "J Biol Chem 272:10882 (oestrogen → cyclin D1)",
    ),
    "CDK46": (
        "cyclin D1-CDK4/6 kinase; palbociclib (CDK4/6 inhibitor) blocks it",
        f"Sherr CJ, Roberts JM 1999, Genes Dev 13:1501; Fry DW et al. 2004, Mol Cancer Ther 3:1427; {_FINN}; {_GOEL}",
    ),
    "p27": (
        "nuclear p27Kip1 (CDK2 inhibitor): FOXO induces CDKN1B; AKT phosphorylates p27 T157 and "
        "keeps it cytoplasmic; ERK and oestrogen/ER lower it (Skp2-mediated degradation, nuclear export)",
        "Medema RH et al. 2000, Nature 404:782 (FOXO → p27); Liang J et al. 2002, Nat Med 8:1153 "
        "(AKT → T157); Kawada M et al. 1997, Oncogene 15:629 (Ras/MAPK → p27 degradation); "
        "Foster JS et al. 2001, Mol Cell Biol 21:794 (oestrogen and ERK → p27 down)",
    ),
    "RB1": (
        "active (hypophosphorylated) Rb: on unless cyclin D-CDK4/6 phosphorylates it; nuclear "
        "p27 keeps it on by blocking cyclin E-CDK2, which completes Rb phosphorylation",
        "Weinberg RA 1995, Cell 81:323; Sherr CJ, Roberts JM 1999, Genes Dev 13:1501; Polyak K et al. "
        "1994, Cell 78:59",
    ),
    "E2F": ("free E2F (G1/S transcription) when Rb is phosphorylated (RB1 ⊣ E2F)", "Weinberg RA 1995, Cell 81:323"),
    "BIM": (
        "BIM (pro-apoptotic BH3-only): induced by FOXO3a; ERK phosphorylates BIM-EL for "
        "proteasomal degradation",
        "Dijkers PF et al. 2000, Curr Biol 10:1201 (FOXO → BIM); Ley R et al. 2003, J Biol Chem "
        "278:18811 (ERK → BIM degradation)",
    ),
    "BAD": (
        "active (unphosphorylated) BAD: AKT phosphorylates S136 and ERK/RSK S112, both releasing "
        "BCL-xL; BAD is active only when both are off",
        "Datta SR et al. 1997, Cell 91:231 (AKT → S136); Bonni A et al. 1999, Science 286:1358 (RSK → S112)",
    ),
    "Proliferation": (
        "Proliferation is G1/S progression read from free E2F, with mTORC1 growth output "
        "(S6K on) needed for cell growth, mirroring the kinetic proliferation read-out",
        f"{_KINETIC} proliferation_signal; {_GOEL}; Fingar DC et al. 2004, Mol Cell Biol 24:200 (mTOR/S6K and G1)",
    ),
    "Survival": ("survival: neither BH3-only protein (BIM, BAD) active, mirroring the kinetic survival_signal",
                 f"{_KINETIC}; Sergina 2007 Nature (L22); Datta 1997 Cell 91:231; Dijkers 2000 Curr Biol 10:1201"),
}

_INPUT_SOURCES: dict[str, tuple[str, str]] = {
    "HER2_amp": ("genotype input: ERBB2 amplification (kinetic HER2_expression)", _DONG),
    "p95HER2_expr": ("genotype input: p95-HER2 expression (kinetic p95HER2_expression)", "Scaltriti 2007 (L14)"),
    "MUC4": ("genotype input: MUC4 high (kinetic MUC4_masking)", "Nagy 2005 (L18)"),
    "PIK3CA_mut": ("genotype input: activating PIK3CA mutation (H1047R, E545K)", "Berns 2007 (L06)"),
    "KRAS_mut": ("genotype input: activating KRAS mutation", _DONG),
    "IGF1R_high": ("genotype input: IGF1R expressed/over-expressed (kinetic IGF1R_expression ≥ 2)", "Lu 2001 (L02)"),
    "HRG": ("medium input: heregulin/NRG1", "Leung 2015 (L26)"),
    "IGF1": ("medium input: IGF-1 (or serum)", "Lu 2001 (L01, L02); O'Reilly 2006 (L32)"),
    "EGF": ("medium input: EGF-like ligand", _KINETIC),
    "ER_positive": ("context input: ERα-expressing (hormone-receptor-positive) cells (kinetic ER_expression)", _ARPINO),
    "E2": ("medium input: oestradiol (serum-containing medium carries it; kinetic E2_nM)", _XIA),
    "Fulvestrant": ("drug input: selective ER degrader (drug action 'er_degrade')",
                    "Wakeling AE et al. 1991, Cancer Res 51:3867; Robertson JF 2001 Br J Cancer 85 Suppl 2:11"),
    "CDK46_inhibitor": ("drug input: CDK4/6 inhibitor, e.g. palbociclib (drug action 'cdk46_inhibit')",
                        "Fry DW et al. 2004, Mol Cancer Ther 3:1427"),
}

#: Default value of every input: an untreated HER2-amplified cell in low-serum medium.
INPUT_DEFAULTS: dict[str, int] = {
    "HER2_amp": 1, "p95HER2_expr": 0, "MUC4": 0, "PIK3CA_mut": 0, "KRAS_mut": 0, "IGF1R_high": 0,
    "HRG": 0, "IGF1": 0, "EGF": 0,
    # ER-negative by default, as the kinetic ER_expression = 0; the medium carries oestradiol
    # (kinetic E2_nM default 0.1 nM), which acts only in ER-positive cells
    "ER_positive": 0, "E2": 1,
    "Trastuzumab": 0, "Pertuzumab": 0, "HER_TKI": 0, "HER3_antibody": 0, "IGF1R_inhibitor": 0,
    "PI3K_alpha_inhibitor": 0, "PI3K_pan_inhibitor": 0, "AKT_inhibitor": 0,
    "AKT_allosteric_inhibitor": 0, "mTORC1_inhibitor": 0, "MEK_inhibitor": 0,
    "Fulvestrant": 0, "CDK46_inhibitor": 0,
}

#: Drug-catalogue action -> drug inputs switched on, from the one mechanism table
#: (:data:`her2_model.MECHANISMS`; the allosteric AKT input is added for AKT
#: inhibitors whose binding site is allosteric, e.g. MK-2206).
#: Inputs of the twin for drug actions whose kinetic mechanism may not name them yet (the
#: kinetic branches add the actions; an entry here is used only when ``MECHANISMS`` has the action
#: and leaves its ``logical_inputs`` empty).
TWIN_ACTION_INPUTS: dict[str, tuple[str, ...]] = {
    "er_degrade": ("Fulvestrant",),
    "cdk46_inhibit": ("CDK46_inhibitor",),
}

DRUG_ACTION_INPUTS: dict[str, tuple[str, ...]] = {
    action: mechanism.logical_inputs or TWIN_ACTION_INPUTS.get(action, ())
    for action, mechanism in _MECHANISMS.items()
}

#: Kinetic genotype name -> (inputs set, nodes fixed), written only where the Boolean reading
#: differs from what the genotype's parameters give through :data:`PARAMETER_THRESHOLDS`
#: (:func:`genotype_rule` derives every other genotype's reading).
GENOTYPE_RULES: dict[str, tuple[dict[str, int], dict[str, int]]] = {
    # K111N (adaptor-binding domain) is a weak, uncertain gain: below the Boolean threshold
    "PIK3CA K111N": ({}, {}),
    "HER3 overexpression": ({}, {"HER3_expression": 1}),
    # A 90 % knockdown (kinetic HER3_expression 0.1) is read as removing the FOXO-induced HER3
    # that escapes HER2 blockade; the residual HER3 is still phosphorylated by active receptors.
    "HER3 knockdown": ({}, {"HER3_expression": 0}),
    # a 90 % IGF1R knockdown removes the node, not only its over-expression
    "IGF1R knockdown": ({}, {"IGF1R": 0}),
}


#: Kinetic parameter -> (threshold, direction, logical effect, why). ``above``: the effect applies
#: when the value is >= threshold; ``below``: when <= threshold.
PARAMETER_THRESHOLDS: dict[str, tuple[float, str, tuple[dict[str, int], dict[str, int]], str]] = {
    "IGF1_nM": (1.0, "above", ({"IGF1": 1}, {}), "Kd_IGF1 = 1 nM: at least half-occupied IGF1R"),
    "HRG_nM": (0.1, "above", ({"HRG": 1}, {}),
               "HRG-HER3 Kd ≈ 0.6 nM (Hatakeyama 2003 k_1/k1); with the 20-fold dimer gain 0.1 nM already signals"),
    "EGF_nM": (0.2, "above", ({"EGF": 1}, {}), "Kd_EGF = 0.2 nM (Björkelund 2011)"),
    "IGF1R_expression": (2.0, "above", ({"IGF1R_high": 1}, {}),
                         "IGF1R_drive with IGF-I exceeds the NodeMap threshold (2) only from ~2-fold expression"),
    "HER2_expression": (0.5, "above", ({"HER2_amp": 1}, {}), "half of an amplified line"),
    "p95HER2_expression": (0.5, "above", ({"p95HER2_expr": 1}, {}), "p95_drive above the NodeMap threshold (0.5)"),
    "PTEN_level": (0.5, "below", ({}, {"PTEN": 0}), "half of PTEN lost or more"),
    "RB1_level": (0.5, "below", ({}, {"RB1": 0}), "half of RB1 lost or more (kinetic RB1 synthesis scale)"),
    "PIK3CA_mut_activity": (1e-3, "above", ({"PIK3CA_mut": 1}, {}), "any receptor-independent mutant activity"),
    "PIK3CA_mut_gain": (1e-3, "above", ({"PIK3CA_mut": 1}, {}),
                        "any extra output of pY-recruited kinase-domain mutant p110α"),
    "PIK3CA_helical_activity": (1e-3, "above", ({"PIK3CA_mut": 1}, {}),
                                "any helical-domain mutant activity without pY binding"),
    "MUC4_masking": (0.5, "above", ({"MUC4": 1}, {}), "MUC4-high (JIMT-1-like)"),
    "KRAS_mut": (0.5, "above", ({"KRAS_mut": 1}, {}), "activating KRAS"),
    "ER_expression": (0.5, "above", ({"ER_positive": 1}, {}), "ER-positive context (kinetic ER_expression 1 = ER+)"),
    "E2_nM": (0.01, "above", ({"E2": 1}, {}),
              "oestradiol: ERα binds E2 with Kd ≈ 0.1-0.2 nM; 10 pM already occupies a few per cent and "
              "drives ER+ cell growth in oestrogen-deprived medium (threshold assumed)"),
}


def genotype_rule(name: str) -> tuple[dict[str, int], dict[str, int]]:
    """(inputs set, nodes fixed) of a kinetic model genotype in the twin.

    The explicit reading of :data:`GENOTYPE_RULES` where one is written (every genotype up to
    now; some differ from the parameter thresholds, e.g. the weak K111N allele); otherwise derived
    from the genotype's full-strength parameter settings (:data:`her2_model.GENOTYPES`) through
    :data:`PARAMETER_THRESHOLDS` as :func:`apply_parameters` reads them, so a new genotype made
    of thresholded parameters needs no entry here.

    Raises
    ------
    ValidationError
        A genotype with a parameter that has no logical counterpart (write its rule or threshold).

    Examples
    --------
    >>> genotype_rule("PTEN loss")
    ({}, {'PTEN': 0})
    """
    from .her2_model import GENOTYPES

    if name in GENOTYPE_RULES:
        return GENOTYPE_RULES[name]
    settings = GENOTYPES[name][0]
    missing = [p for p in settings if p not in PARAMETER_THRESHOLDS]
    if missing:
        raise ValidationError(
            f"genotype {name!r} has no logical reading: parameter(s) {missing} have no entry in "
            f"PARAMETER_THRESHOLDS (known: {sorted(PARAMETER_THRESHOLDS)}); add a threshold or a GENOTYPE_RULES entry")
    inputs: dict[str, int] = {}
    fixed: dict[str, int] = {}
    for parameter, value in settings.items():
        threshold, side, (on_inputs, on_fixed), _ = PARAMETER_THRESHOLDS[parameter]
        if (float(value) >= threshold) if side == "above" else (float(value) <= threshold):
            inputs.update(on_inputs)
            fixed.update(on_fixed)
        else:  # as apply_parameters: a value on the "off" side switches the input off
            inputs.update({k: 1 - v for k, v in on_inputs.items()})
    return inputs, fixed


# ------------------------------------------------------------------------------------------------
# loading


def _registered_drug_inputs() -> tuple[tuple[str, str, str], ...]:
    """(input, target node, action) of drug actions added by :func:`her2.drug_action.register_action`."""
    from .her2.drug_action import DRUG_ACTIONS

    return tuple((a.logical_inputs[0], a.logical_target, a.name) for a in DRUG_ACTIONS.values()
                 if a.logical_target is not None and a.logical_inputs)


def _with_drug_inputs(text: str, extra: tuple[tuple[str, str, str], ...]) -> str:
    """The twin's rules with each registered action's input added and AND-NOT-ed into its target's rule."""
    if not extra:
        return text
    lines = text.splitlines()
    for node, target, action in extra:
        for i, raw in enumerate(lines):
            head, sep, rest = raw.split("#", 1)[0].partition(",")
            if sep and head.strip() == target:
                lines[i] = f"{head},{' ' * max(1, 16 - len(head))}({rest.strip()}) & !{node}"
                break
        else:
            raise UnknownNameError(f"logical target of drug action {action!r}", target,
                                   [r.split(",", 1)[0].strip() for r in lines if "," in r and not r.startswith("#")])
        lines.append(f"{node}, {node}")
    return "\n".join(lines) + "\n"


def load() -> LogicalModel:
    """Load the logical twin (inputs free).

    Returns
    -------
    LogicalModel
        ``her2_pi3k_akt_logical`` with every input free (identity rule), phenotypes
        ``Proliferation`` and ``Survival``; every rule carries its mechanism and citation.

    Examples
    --------
    >>> model = load()
    >>> model.rule("p95HER2").citation.startswith("Scaltriti 2007")
    True
    """
    return _load(_registered_drug_inputs())


@lru_cache(maxsize=4)
def _load(extra: tuple[tuple[str, str, str], ...]) -> LogicalModel:
    text = resources.files("her2sim.library").joinpath("logical", _BNET).read_text(encoding="utf-8")
    raw = parse_bnet(_with_drug_inputs(text, extra), model_id=MODEL_ID, source=_BNET)
    rules: list[Rule] = []
    for rule in raw.rules:
        mechanism, citation = RULE_SOURCES.get(rule.target) or _INPUT_SOURCES.get(
            rule.target, (f"drug input: {rule.target.replace('_', ' ')} present", "her2sim.library.drugs (catalogue)")
        )
        rules.append(dataclasses.replace(rule, mechanism=mechanism, citation=citation))
    return LogicalModel(
        id=MODEL_ID,
        rules=tuple(rules),
        inputs=raw.inputs,
        phenotypes=("Proliferation", "Survival"),
        name="HER2 → PI3K/AKT/mTOR and RAS/ERK (logical twin of her2_pi3k_akt)",
        citation=_DONG,
        description=__doc__ or "",
    )


def baseline(model: LogicalModel | None = None) -> LogicalModel:
    """The twin with every input at its default (:data:`INPUT_DEFAULTS`): untreated HER2-amplified cells."""
    model = model or load()
    defaults = {**INPUT_DEFAULTS, **{node: 0 for node, _, _ in _registered_drug_inputs()}}
    return model.with_inputs({k: v for k, v in defaults.items() if k in model.inputs})


def _items(values: Mapping[str, float] | Iterable[str], argument: str) -> list[tuple[str, float]]:
    if isinstance(values, str):
        raise ValidationError(f"{argument} must be a list of names or a mapping, not a single string {values!r}")
    if isinstance(values, Mapping):
        return [(str(k), float(v) if not isinstance(v, tuple) else float(v[0])) for k, v in values.items()]
    return [(str(name), 1.0) for name in values]


def _apply(model: LogicalModel, inputs: Mapping[str, int], fixed: Mapping[str, int]) -> LogicalModel:
    if inputs:
        model = model.with_inputs(dict(inputs))
    if fixed:
        model = model.with_fixed(dict(fixed))
    return model


def apply_genotype(model: LogicalModel, genotype: Mapping[str, float] | Iterable[str]) -> LogicalModel:
    """Apply genotypes by the kinetic model's names.

    Parameters
    ----------
    model : LogicalModel
        The twin (typically :func:`baseline`).
    genotype : list of str or mapping of str to float
        Names of :data:`~her2sim.library.her2_model.GENOTYPES` or
        :data:`~her2sim.library.her2_model.CATALOGUE_GENOTYPES`; with a mapping, the strength
        (0-1) is thresholded at 0.5 (a genotype below half strength is not applied).

    Returns
    -------
    LogicalModel

    Raises
    ------
    UnknownNameError
        For a genotype name the kinetic model does not know.

    Examples
    --------
    >>> apply_genotype(baseline(), ["PTEN loss"]).fixed["PTEN"]
    0
    """
    from .her2_model import CATALOGUE_GENOTYPES, resolve_genotype

    for name, strength in _items(genotype, "genotype"):
        kind, key = resolve_genotype(name)  # the kinetic model's lookup: case, hyphens, aliases
        if kind == "model":
            if strength >= 0.5:
                model = _apply(model, *genotype_rule(key))
            continue
        effect = CATALOGUE_GENOTYPES[key]
        if effect.genotype is not None and effect.scale * strength >= 0.5:
            model = _apply(model, *genotype_rule(effect.genotype))
        if effect.direct and strength >= 0.5:
            model = apply_parameters(model, dict(effect.direct))
    return model


def _drug_inputs(name: str) -> tuple[str, ...]:
    from .drugs import get_drug

    drug = get_drug(name)
    inputs = DRUG_ACTION_INPUTS.get(drug.action) or _MECHANISMS[drug.action].logical_inputs
    if drug.action == "akt_inhibit":
        site = drug.target_for("AKT").binding_site.lower()
        if "allosteric" in site:
            inputs = inputs + ("AKT_allosteric_inhibitor",)
    return inputs


def apply_drugs(model: LogicalModel, drugs: Mapping[str, Any] | Iterable[str]) -> LogicalModel:
    """Apply drugs by catalogue name (aliases accepted): each switches its action's input on.

    Parameters
    ----------
    model : LogicalModel
        The twin.
    drugs : list of str or mapping of str to dose
        Drug names; with a mapping (as the kinetic ``treat``), a dose of 0 means absent and any
        other dose present (doses of the kinetic checks are saturating).

    Returns
    -------
    LogicalModel

    Raises
    ------
    UnknownNameError
        For a drug that is not in the catalogue.

    Examples
    --------
    >>> m = apply_drugs(baseline(), ["Herceptin", "lapatinib"])
    >>> m.fixed["Trastuzumab"], m.fixed["HER_TKI"]
    (1, 1)
    """
    values: dict[str, int] = {}
    for name, dose in _items(drugs, "drugs"):
        if dose > 0:
            for node in _drug_inputs(name):
                values[node] = 1
    return model.with_inputs(values) if values else model


def apply_parameters(model: LogicalModel, parameters: Mapping[str, float]) -> LogicalModel:
    """Translate kinetic ligand and expression parameters into inputs and fixes.

    Each parameter is compared with its threshold in :data:`PARAMETER_THRESHOLDS`; a value on
    the "off" side switches the input off (0), e.g. ``E2_nM = 0`` removes the medium's
    oestradiol (default on).

    Raises
    ------
    UnknownNameError
        For a parameter without a logical counterpart.

    Examples
    --------
    >>> apply_parameters(baseline(), {"IGF1_nM": 5.2}).fixed["IGF1"]
    1
    """
    for name, value in parameters.items():
        if name not in PARAMETER_THRESHOLDS:
            raise UnknownNameError("parameters", name, PARAMETER_THRESHOLDS)
        threshold, side, (inputs, fixed), _ = PARAMETER_THRESHOLDS[name]
        applies = float(value) >= threshold if side == "above" else float(value) <= threshold
        if applies:
            model = _apply(model, inputs, fixed)
        else:
            model = model.with_inputs({k: 1 - v for k, v in inputs.items()})
    return model


def condition(
    genotype: Mapping[str, float] | Iterable[str] = (),
    drugs: Mapping[str, Any] | Iterable[str] = (),
    *,
    parameters: Mapping[str, float] | None = None,
    model: LogicalModel | None = None,
) -> LogicalModel:
    """The twin under one genotype × treatment: defaults, then genotype, parameters and drugs.

    Examples
    --------
    >>> m = condition(["p95HER2"], ["trastuzumab"])
    >>> m.fixed["p95HER2_expr"], m.fixed["Trastuzumab"]
    (1, 1)
    """
    result = baseline(model)
    result = apply_genotype(result, genotype)
    if parameters:
        result = apply_parameters(result, parameters)
    return apply_drugs(result, drugs)


def condition_label(names: Mapping[str, Any] | Iterable[str]) -> str:
    """``"a + b"`` for a list of names, ``"none"`` if empty."""
    listed = [name for name, value in _items(names, "names") if value > 0]
    return " + ".join(listed) if listed else "none"


# ------------------------------------------------------------------------------------------------
# NodeMap


@final
@dataclass(frozen=True)
class NodeMap:
    """One logical node read from one kinetic observable.

    Parameters
    ----------
    node : str
        Logical node.
    observable : str
        Kinetic variable (assignment rule or species of :func:`her2sim.library.her2_model.build`).
    threshold : float
        Activity threshold in ``units``.
    above : bool
        True: the node is on when the observable exceeds the threshold; False: when it is below
        (e.g. active, hypophosphorylated 4E-BP1 read from ``p4EBP1``).
    units : str
        Units of the observable.
    rationale : str
        How the threshold was chosen (kinetic values it separates).
    """

    node: str
    observable: str
    threshold: float
    above: bool = True
    units: str = "1"
    rationale: str = ""

    def __post_init__(self) -> None:
        if not np.isfinite(self.threshold):
            raise ValidationError(f"NodeMap {self.node!r}: threshold must be finite, got {self.threshold!r}")
        if not self.node or not self.observable:
            raise ValidationError("NodeMap: node and observable must be non-empty")

    def state(self, value: float) -> int:
        """Boolean state of the node for a kinetic value."""
        return int(value > self.threshold) if self.above else int(value < self.threshold)


_W = "untreated HER2-amplified (WT) steady state"
#: The NodeMap: every internal logical node with its kinetic counterpart. Thresholds were set
#: between the kinetic 72-h values of the untreated HER2-amplified cell and of the treatment that
#: blocks the node's input (grid of 6 genotypes × 8 treatments, see the rationale of each entry).
NODE_MAP: tuple[NodeMap, ...] = (
    NodeMap("HER2", "HER2_LI_drive", 0.5, rationale=f"{_W} 1.0; trastuzumab 0.23, lapatinib 0.15, HER2 non-amplified 0.05"),
    NodeMap("p95HER2", "p95_drive", 0.5, rationale="p95-HER2 expressed 2.0 (any non-TKI treatment); lapatinib 0.17; none 0"),
    NodeMap("EGFR", "EGFR_drive", 0.5, rationale="ligand-free basal 0.1 (lapatinib 0.01); EGF-bound ~1.1"),
    NodeMap("IGF1R", "IGF1R_drive", 2.0, rationale="IGF1R 5× + IGF-I 5.6-7.6; IGF1R 1× + IGF-I 1.2-1.5; serum 0.9-1.2; no IGF-I 0.07"),
    NodeMap("HER3_expression", "HER3_synthesis_fold", 3.5,
            rationale=f"{_W} 2.9 (PTEN/PIK3CA 2.3); trastuzumab 4.3, lapatinib 4.5, alpelisib 4.7"),
    NodeMap("HER3", "pHER3", 7.0, units="nM",
            rationale=f"{_W} 11.0 (PTEN loss 8.9, p95 14.7); trastuzumab 5.8, lapatinib 3.8, T+L 1.4"),
    NodeMap("IRS1", "IRS1_total", 20.0, units="nM", rationale=f"{_W} 14.2; everolimus 28-29 (S6K brake released); lapatinib 18.5"),
    NodeMap("PI3K", "PI3K_catalytic", 15.0, units="nM",
            rationale=f"catalytically active PI3K: {_W} 23.3 (PTEN loss 21.1); trastuzumab 13.4, alpelisib 7.1 "
                      "(alpelisib removes catalysis, not recruitment, so PI3K_active_fraction would not do)"),
    NodeMap("PTEN", "PTEN_active", 5.0, units="nM", rationale="PTEN intact 21-27 nM; PTEN loss 0"),
    NodeMap("PIP3", "PIP3_fraction", 0.3, rationale=f"{_W} 0.44 (PTEN loss 0.88); trastuzumab 0.13, lapatinib 0.09, alpelisib 0.07"),
    NodeMap("PDK1", "PIP3_fraction", 0.3, rationale="PDK1 is lumped into the PIP3-dependent T308 step: read from PIP3"),
    NodeMap("mTORC2", "mTORC2_fraction", 0.08, rationale=f"{_W} 0.117; trastuzumab 0.036, lapatinib 0.027"),
    NodeMap("AKT_T308", "pAKT_T308", 0.5, rationale=f"{_W} 0.66 (PTEN loss 0.74); trastuzumab 0.48, lapatinib 0.42, alpelisib 0.35"),
    NodeMap("AKT_S473", "pAKT_S473", 0.3, rationale=f"{_W} 0.44 (PTEN loss 0.61); trastuzumab 0.14, lapatinib 0.09, MK-2206 0.18"),
    NodeMap("AKT", "AKT_activity", 0.1, rationale=f"{_W} 0.22 (PTEN loss 0.40); trastuzumab 0.04, lapatinib 0.03, MK-2206 0.02"),
    NodeMap("FOXO", "FOXO_nuclear", 0.4, rationale=f"{_W} 0.23 (PTEN loss 0.15); trastuzumab 0.62, lapatinib 0.71, MK-2206 0.79"),
    NodeMap("TSC2", "TSC2", 8.3, units="nM", rationale=f"active TSC2, 20 % of the 41.5 nM pool: {_W} 2.8; trastuzumab 11.3, lapatinib 15.0"),
    NodeMap("RHEB", "RHEB_GTP", 10.0, units="nM", rationale=f"{_W} 16.5; trastuzumab 5.8, lapatinib 4.5"),
    NodeMap("mTORC1", "mTORC1_output", 0.35, rationale=f"{_W} 0.44; trastuzumab 0.22, lapatinib 0.18"),
    NodeMap("S6K", "pS6K", 0.55, rationale=f"{_W} 0.64; trastuzumab 0.47, lapatinib 0.42, everolimus 0.14"),
    NodeMap("EIF4EBP1", "p4EBP1", 0.4, above=False,
            rationale=f"active 4E-BP1 = low phosphorylation: {_W} 0.47; trastuzumab 0.30, everolimus 0.33"),
    NodeMap("SOS", "SOS1", 1.45, units="nM", rationale=f"half of the 2.9 nM SOS pool unphosphorylated: {_W} 1.31; trametinib 2.5"),
    NodeMap("RAS", "RAS_GTP_fraction", 0.3, rationale=f"{_W} 0.44; trastuzumab 0.25, lapatinib 0.16; KRAS G12 0.69-0.78"),
    NodeMap("RAF", "RAF_active", 20.75, units="nM", rationale=f"half of the 41.5 nM pool: {_W} 25.7; trastuzumab 19.7, lapatinib 15.5"),
    NodeMap("MEK", "MEK_p", 16.0, units="nM",
            rationale=f"{_W} 18.8; trastuzumab 16.1, lapatinib 13.8 (trametinib blocks MEK output, not MEK phosphorylation)"),
    NodeMap("ERK", "pERK", 0.2, rationale=f"{_W} 0.38; trastuzumab 0.34, T+L 0.22; trametinib 0.05"),
    NodeMap("Proliferation", "proliferation_signal", 0.6,
            rationale=f"{_W} 0.68; trastuzumab 0.53, lapatinib 0.48, everolimus 0.52; PTEN loss + trastuzumab 0.70"),
    NodeMap("Survival", "survival_signal", 0.8, rationale=f"{_W} 0.96; trastuzumab 0.82, lapatinib 0.75, alpelisib 0.65"),
)


_CYCLE = "kinetic cell-cycle and apoptosis read-out (issue 13 item 5)"
_ER = "kinetic ER crosstalk (issue 13 item 7)"
#: Internal nodes without a NodeMap entry yet: node -> (kinetic observable that reads it, where it
#: comes from). Their thresholds are set like the others — between the kinetic 72-h values of the
#: untreated cell and of the treatment that blocks the node — once the kinetic model has the
#: observable; until then node concordance covers :data:`NODE_MAP` only.
UNMAPPED_NODES: dict[str, tuple[str, str]] = {
    "ER_expression": ("ESR1", _ER),
    "ER": ("ER_activity", _ER),
    "CyclinD1": ("CyclinD1", _CYCLE),
    "CDK46": ("CDK46_activity", _CYCLE),
    "p27": ("p27_nuclear", _CYCLE),
    "RB1": ("pRb (active Rb = low phosphorylation)", _CYCLE),
    "E2F": ("E2F_activity", _CYCLE),
    "BIM": ("BIM", _CYCLE),
    "BAD": ("BAD_active", _CYCLE),
}


def node_map() -> dict[str, NodeMap]:
    """:data:`NODE_MAP` keyed by logical node."""
    return {entry.node: entry for entry in NODE_MAP}


def node_map_table() -> pd.DataFrame:
    """The NodeMap as a table (node, observable, threshold, direction, units, rationale)."""
    return pd.DataFrame([
        {"node": e.node, "observable": e.observable, "threshold": e.threshold,
         "on_when": "above" if e.above else "below", "units": e.units, "rationale": e.rationale}
        for e in NODE_MAP
    ])


def kinetic_to_logical(values: Mapping[str, float]) -> dict[str, int]:
    """Threshold kinetic observables into logical node states via the NodeMap.

    Parameters
    ----------
    values : mapping of str to float
        Kinetic observable -> value; nodes whose observable is missing are left out.

    Examples
    --------
    >>> kinetic_to_logical({"pAKT_S473": 0.44, "p4EBP1": 0.2})["EIF4EBP1"]
    1
    """
    return {e.node: e.state(float(values[e.observable])) for e in NODE_MAP if e.observable in values}


# ------------------------------------------------------------------------------------------------
# analyses


def _as_condition(
    genotype: Mapping[str, float] | Iterable[str], drugs: Mapping[str, Any] | Iterable[str],
    parameters: Mapping[str, float] | None, model: LogicalModel | None,
) -> LogicalModel:
    return condition(genotype, drugs, parameters=parameters, model=model)


def initial_state(
    genotype: Mapping[str, float] | Iterable[str] = (),
    *,
    parameters: Mapping[str, float] | None = None,
    model: LogicalModel | None = None,
) -> dict[str, float]:
    """The untreated attractor of a genotype as initial probabilities (oscillating nodes 0.5).

    When the untreated condition has several attractors, their node-wise mean is used.
    """
    untreated = _as_condition(genotype, (), parameters, model)
    states = _attractors(untreated)["state"].values
    mean = np.nanmean(np.where(np.isnan(states), 0.5, states), axis=0)
    return {node: float(value) for node, value in zip(untreated.nodes, mean)}


def attractors(
    genotypes: Mapping[str, Sequence[str]] | Sequence[str] = ("HER2 amplified",),
    treatments: Mapping[str, Sequence[str]] | Sequence[str] = ("none",),
    *,
    parameters: Mapping[str, Mapping[str, float]] | None = None,
    model: LogicalModel | None = None,
    engine: Literal["aeon", "mpbn"] = "aeon",
) -> xr.Dataset:
    """Attractors of the twin for every genotype × treatment.

    Parameters
    ----------
    genotypes : sequence of str or mapping of label to genotype list
        A plain string is one genotype (``"PTEN loss"``; ``"a + b"`` combines); ``"HER2
        amplified"`` is the default context.
    treatments : sequence of str or mapping of label to drug list
        ``"none"``, ``"trastuzumab"``, ``"trastuzumab + lapatinib"`` ...
    parameters : mapping of genotype label to kinetic parameters, optional
        Extra ligand/expression settings per genotype (see :func:`apply_parameters`).
    model : LogicalModel, optional
        Default :func:`load`.
    engine : {"aeon", "mpbn"}
        ``"aeon"``: exact asynchronous attractors; ``"mpbn"``: minimal trap spaces
        (most-permissive attractors).

    Returns
    -------
    xarray.Dataset
        ``state`` (genotype × treatment × attractor × node): 1/0, NaN for oscillating (or free)
        nodes and for padding; ``n_attractors`` (genotype × treatment); ``size`` (states per
        attractor).

    Examples
    --------
    >>> ds = attractors(["PTEN loss"], ["trastuzumab"])
    >>> float(ds["state"].sel(genotype="PTEN loss", treatment="trastuzumab", node="AKT")[0])
    1.0
    """
    genotype_sets = _labelled(genotypes)
    treatment_sets = _labelled(treatments)
    base = model or load()
    results: dict[tuple[str, str], xr.Dataset] = {}
    for g_label, g_names in genotype_sets.items():
        for t_label, t_names in treatment_sets.items():
            conditioned = _as_condition(g_names, t_names, (parameters or {}).get(g_label), base)
            method = "asynchronous" if engine == "aeon" else "trap_spaces"
            results[(g_label, t_label)] = _attractors(conditioned, engine=engine, method=method)
    width = max(1, max(ds.sizes["attractor"] for ds in results.values()))
    nodes = list(base.nodes)
    state = np.full((len(genotype_sets), len(treatment_sets), width, len(nodes)), np.nan)
    size = np.full((len(genotype_sets), len(treatment_sets), width), np.nan)
    count = np.zeros((len(genotype_sets), len(treatment_sets)), dtype=int)
    for i, g_label in enumerate(genotype_sets):
        for j, t_label in enumerate(treatment_sets):
            ds = results[(g_label, t_label)]
            n = ds.sizes["attractor"]
            count[i, j] = n
            state[i, j, :n] = ds["state"].values
            size[i, j, :n] = ds["size"].values
    return xr.Dataset(
        {
            "state": (("genotype", "treatment", "attractor", "node"), state,
                      {"long_name": "node value in the attractor (1 on, 0 off, NaN oscillating/free or padding)"}),
            "n_attractors": (("genotype", "treatment"), count, {"long_name": "number of attractors"}),
            "size": (("genotype", "treatment", "attractor"), size, {"long_name": "number of states", "units": "1"}),
        },
        coords={"genotype": list(genotype_sets), "treatment": list(treatment_sets),
                "attractor": np.arange(width), "node": nodes},
        attrs={"model_id": base.id, "engine": engine,
               "method": "asynchronous attractors" if engine == "aeon" else "minimal trap spaces",
               "analysis": "her2_logical.attractors",
               "genotypes": repr(genotype_sets), "treatments": repr(treatment_sets),
               "citation": _DONG},
    )


def _labelled(items: Mapping[str, Sequence[str]] | Sequence[str]) -> dict[str, tuple[str, ...]]:
    if isinstance(items, str):
        items = [items]
    if isinstance(items, Mapping):
        return {str(k): tuple(v) for k, v in items.items()}
    out: dict[str, tuple[str, ...]] = {}
    for label in items:
        names = tuple(part.strip() for part in str(label).split("+") if part.strip())
        out[str(label)] = () if names in (("none",), ("HER2 amplified",), ("wild type",)) else names
    return out


def simulate(
    genotype: Mapping[str, float] | Iterable[str] = (),
    drugs: Mapping[str, Any] | Iterable[str] = (),
    *,
    parameters: Mapping[str, float] | None = None,
    t_max: float = 40.0,
    time_step: float = 0.5,
    n_trajectories: int = 1000,
    seed: int = 0,
    engine: Literal["numpy", "maboss"] = "numpy",
    model: LogicalModel | None = None,
) -> xr.Dataset:
    """Stochastic phenotype and node probabilities after treatment starts.

    Trajectories start in the untreated attractor of the genotype (:func:`initial_state`) and
    run under the treatment with unit flip rates (MaBoSS-style asynchronous kinetics), so the
    curves show the early response and any adaptive rebound.

    Parameters
    ----------
    genotype, drugs, parameters
        As :func:`condition`.
    t_max, time_step : float
        Time horizon and reporting step, in units of 1/rate.
    n_trajectories : int
        Number of trajectories.
    seed : int
        Random seed.
    engine : {"numpy", "maboss"}
        Simulator (see :func:`her2sim.logical.simulate_stochastic`).

    Returns
    -------
    xarray.Dataset
        ``probability`` (time × node) and ``phenotype_probability`` (time × phenotype); attrs
        name the genotype, treatment and seed.

    Examples
    --------
    >>> ds = simulate(["PTEN loss"], ["trastuzumab"], t_max=10, n_trajectories=200)
    >>> float(ds["phenotype_probability"].sel(phenotype="Survival").isel(time=-1))
    1.0
    """
    base = model or load()
    start = initial_state(genotype, parameters=parameters, model=base)
    treated = _as_condition(genotype, drugs, parameters, base)
    ds = simulate_stochastic(treated, initial=start, t_max=t_max, time_step=time_step,
                             n_trajectories=n_trajectories, seed=seed, engine=engine)
    ds.attrs.update({"genotype": condition_label(genotype), "treatment": condition_label(drugs),
                     "parameters": repr(dict(parameters or {})),
                     "initial": "untreated attractor of the genotype (oscillating nodes at 0.5)"})
    return ds


def activity(
    genotype: Mapping[str, float] | Iterable[str] = (),
    drugs: Mapping[str, Any] | Iterable[str] = (),
    *,
    parameters: Mapping[str, float] | None = None,
    t_max: float = 40.0,
    n_trajectories: int = 500,
    seed: int = 0,
    model: LogicalModel | None = None,
) -> xr.Dataset:
    """Long-run node activities: the stochastic probability of each node being on, averaged over
    the second half of ``[0, t_max]`` (the stationary activity within the reached attractor).

    Returns
    -------
    xarray.Dataset
        ``activity`` (node) in [0, 1] and the full ``probability`` time course.
    """
    ds = simulate(genotype, drugs, parameters=parameters, t_max=t_max, n_trajectories=n_trajectories,
                  seed=seed, model=model)
    late = ds["probability"].sel(time=slice(t_max / 2, None)).mean("time")
    ds["activity"] = late.assign_attrs(long_name="probability of being on, mean over the second half", units="1")
    return ds


#: Default interventions of :func:`scan`: one drug per mechanism of the catalogue.
SCAN_DRUGS: tuple[str, ...] = (
    "trastuzumab", "pertuzumab", "lapatinib", "patritumab", "linsitinib", "alpelisib", "buparlisib",
    "capivasertib", "MK-2206", "everolimus", "trametinib",
)


def scan(
    genotype: Mapping[str, float] | Iterable[str] = (),
    *,
    interventions: Sequence[str] = SCAN_DRUGS,
    order: int = 2,
    phenotype: str = "Proliferation",
    parameters: Mapping[str, float] | None = None,
    stochastic: bool = False,
    n_trajectories: int = 300,
    seed: int = 0,
    model: LogicalModel | None = None,
) -> xr.Dataset:
    """Rank single and double drug interventions by their effect on a phenotype under a genotype.

    Parameters
    ----------
    genotype : list of str or mapping
        Kinetic genotype names (as :func:`apply_genotype`).
    interventions : sequence of str
        Drugs (catalogue names), or logical nodes written ``"NODE=0"``/``"NODE=1"`` (fixes).
    order : {1, 2}
        Singles only, or singles and pairs.
    phenotype : str
        Read-out node (``"Proliferation"`` or ``"Survival"``).
    stochastic : bool
        Also compute the stationary activity of the phenotype (slower).

    Returns
    -------
    xarray.Dataset
        Dimension ``intervention`` ranked by ``effect`` (attractor-based fraction on minus the
        untreated value; most negative first): ``fraction_on``, ``fraction_oscillating``,
        ``n_attractors``, ``effect``, ``rank``, ``order`` and, if ``stochastic``, ``activity``.

    Examples
    --------
    >>> ds = scan(["PTEN loss"], interventions=["trastuzumab", "buparlisib"], order=1)
    >>> str(ds["intervention"].values[0])
    'buparlisib'
    """
    import itertools

    base = model or load()
    base.index(phenotype)
    if order not in (1, 2):
        raise ValidationError(f"order must be 1 or 2, got {order!r}")
    combos: list[tuple[str, ...]] = [(x,) for x in interventions]
    if order == 2:
        combos += list(itertools.combinations(interventions, 2))

    def build(items: tuple[str, ...]) -> LogicalModel:
        drugs = [x for x in items if "=" not in x]
        fixes = {x.split("=")[0].strip(): int(x.split("=")[1]) for x in items if "=" in x}
        conditioned = _as_condition(genotype, drugs, parameters, base)
        return conditioned.with_fixed(fixes) if fixes else conditioned

    def summary(conditioned: LogicalModel) -> tuple[float, float, float]:
        values = _attractors(conditioned)["state"].sel(node=phenotype).values
        return float(np.mean(values == 1.0)), float(np.mean(np.isnan(values))), float(values.size)

    baseline_on, baseline_osc, _ = summary(build(()))
    rows = [(" + ".join(c), len(c), *summary(build(c))) for c in combos]
    labels = [r[0] for r in rows]
    on = np.array([r[2] for r in rows])
    osc = np.array([r[3] for r in rows])
    # An oscillating phenotype counts as half on in the ranking (partial effect).
    score = on + 0.5 * osc - (baseline_on + 0.5 * baseline_osc)
    variables: dict[str, Any] = {
        "fraction_on": (("intervention",), on, {"long_name": f"fraction of attractors with {phenotype} on"}),
        "fraction_oscillating": (("intervention",), osc, {"long_name": f"fraction of attractors with {phenotype} oscillating"}),
        "n_attractors": (("intervention",), np.array([r[4] for r in rows]), {"long_name": "number of attractors"}),
        "effect": (("intervention",), score,
                   {"long_name": f"change of {phenotype} (on + ½ oscillating) against untreated", "units": "1"}),
        "order": (("intervention",), np.array([r[1] for r in rows]), {"long_name": "number of interventions combined"}),
    }
    if stochastic:
        values = [float(activity(genotype, [x for x in c if "=" not in x], parameters=parameters,
                                 n_trajectories=n_trajectories, seed=seed, model=base)["activity"].sel(node=phenotype))
                  if not any("=" in x for x in c) else np.nan for c in combos]
        variables["activity"] = (("intervention",), np.array(values),
                                 {"long_name": f"stationary probability of {phenotype}", "units": "1"})
        score = np.where(np.isnan(values), score, np.array(values) - 1.0)
    ranking = np.lexsort((np.array([r[1] for r in rows]), score))
    ranks = np.empty(len(rows), dtype=int)
    ranks[ranking] = np.arange(1, len(rows) + 1)
    variables["rank"] = (("intervention",), ranks, {"long_name": "rank (1 = strongest decrease)"})
    ds = xr.Dataset(variables, coords={"intervention": labels},
                    attrs={"model_id": base.id, "analysis": "her2_logical.scan", "phenotype": phenotype,
                           "genotype": condition_label(genotype), "baseline_fraction_on": baseline_on,
                           "baseline_fraction_oscillating": baseline_osc, "engine": "aeon",
                           "method": "asynchronous attractors", "seed": int(seed)})
    return ds.isel(intervention=ranking)


# ------------------------------------------------------------------------------------------------
# network picture

#: Layer of each node in :func:`plot_network` (receptors → PI3K/RAS → AKT/ERK → mTOR → phenotypes).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("Trastuzumab", "Pertuzumab", "HER_TKI", "HER3_antibody", "IGF1R_inhibitor", "HRG", "IGF1", "EGF",
     "HER2_amp", "p95HER2_expr", "MUC4", "IGF1R_high"),
    ("HER2", "p95HER2", "EGFR", "HER3", "IGF1R", "HER3_expression", "IRS1"),
    ("PI3K_alpha_inhibitor", "PI3K_pan_inhibitor", "PIK3CA_mut", "PI3K", "PTEN", "KRAS_mut", "SOS", "RAS"),
    ("PIP3", "PDK1", "mTORC2", "RAF", "MEK_inhibitor"),
    ("AKT_allosteric_inhibitor", "AKT_T308", "AKT_S473", "AKT_inhibitor", "AKT", "MEK"),
    ("FOXO", "TSC2", "RHEB", "ERK"),
    ("mTORC1_inhibitor", "mTORC1", "S6K", "EIF4EBP1", "ER_positive", "E2", "Fulvestrant", "ER_expression", "ER"),
    ("CyclinD1", "CDK46_inhibitor", "CDK46", "p27", "RB1", "E2F", "BIM", "BAD"),
    ("Proliferation", "Survival"),
)


def plot_network(model: LogicalModel, state: Mapping[str, float] | xr.DataArray | None = None, ax: Any = None) -> Any:
    """Draw the twin in layers (receptors → PI3K/RAS → AKT/ERK → mTOR → phenotypes), coloured by state.

    Parameters
    ----------
    model : LogicalModel
        The twin (any condition; edges are taken from its rules, so fixed nodes lose their
        incoming edges).
    state : mapping of node to value, or DataArray over ``node``, optional
        1 on, 0 off, NaN oscillating; values strictly between 0 and 1 (stochastic activities)
        are drawn on a grey-to-red scale. Missing nodes are drawn white.
    ax : matplotlib Axes, optional
        Axes to draw in (a new figure otherwise).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import LinearSegmentedColormap
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if ax is None:
        _, ax = plt.subplots(figsize=(13, 8))
    if isinstance(state, xr.DataArray):
        state = {str(n): float(v) for n, v in zip(state["node"].values, state.values)}
    values = dict(state or {})
    placed = {n for layer in LAYERS for n in layer}
    layers = [tuple(n for n in layer if n in model.nodes) for layer in LAYERS]
    extra = tuple(n for n in model.nodes if n not in placed)
    if extra:
        layers.append(extra)
    position: dict[str, tuple[float, float]] = {}
    for depth, layer in enumerate(layers):
        for k, node in enumerate(layer):
            position[node] = ((k + 1) / (len(layer) + 1), -float(depth))
    cmap = LinearSegmentedColormap.from_list("activity", ["#d9d9d9", "#d7301f"])
    for target in model.nodes:
        signs = monotonicity(model.rule(target).expression)
        for regulator in model.regulators(target):
            if regulator == target or regulator not in position:
                continue
            sign = signs[regulator][0]
            (x0, y0), (x1, y1) = position[regulator], position[target]
            colour = {"+": "#2b8cbe", "-": "#e34a33"}.get(sign or "", "#969696")
            ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                        arrowprops={"arrowstyle": "-|>" if sign != "-" else "-[", "color": colour, "lw": 0.9,
                                    "alpha": 0.7, "shrinkA": 11, "shrinkB": 11,
                                    "connectionstyle": "arc3,rad=0.08"})
    for node, (x, y) in position.items():
        value = values.get(node)
        if value is None:
            face = "white"
        elif np.isnan(value):
            face = "#fdae61"
        else:
            face = cmap(float(value))
        style = "round,pad=0.3"
        ax.text(x, y, node, ha="center", va="center", fontsize=7,
                bbox={"boxstyle": style, "facecolor": face, "edgecolor": "black" if node not in model.inputs else "#636363",
                      "linestyle": "-" if node not in model.inputs else "--", "lw": 0.8})
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(-len(layers) + 0.5, 0.5)
    ax.axis("off")
    ax.legend(handles=[
        Patch(facecolor=cmap(1.0), edgecolor="black", label="on (1)"),
        Patch(facecolor=cmap(0.0), edgecolor="black", label="off (0)"),
        Patch(facecolor="#fdae61", edgecolor="black", label="oscillating"),
        Line2D([0], [0], color="#2b8cbe", label="activation"),
        Line2D([0], [0], color="#e34a33", label="inhibition"),
    ], loc="lower right", fontsize=7, frameon=False)
    ax.set_title(model.id, fontsize=9)
    return ax
