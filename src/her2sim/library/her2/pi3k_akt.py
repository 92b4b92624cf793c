"""PI3K–AKT: PI3K recruitment (pY sites, RAS), PIK3CA alleles, PIP2/PIP3 with PTEN, AKT T308/S473
and PIP3-activated mTORC2.
"""

from __future__ import annotations

import math

from ...model import ParameterRole
from ._base import (
    BRANNMARK,
    CORE_TOTAL,
    FARATIAN,
    HATAKEYAMA,
    Builder,
    _assumed,
    _derived,
    _fitted,
    _sourced,
)
from .readouts import OBSERVABLES

__all__ = ['add']


def add(b: Builder) -> None:
    """PI3K, PTEN, PIP3, AKT and mTORC2; their read-outs and species."""
    P, S, rule, R = b.P, b.S, b.rule, b.R
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

    with b.phase('observables'):
        rule("PI3K_active_fraction", "PI3K_active/(PI3K + PI3K_active)", "1", OBSERVABLES["PI3K_active_fraction"][1])
        rule("PTEN_active", "PTEN", "nM", OBSERVABLES["PTEN_active"][1])
        rule("PIP3_fraction", "PIP3/(PIP2 + PIP3)", "1", OBSERVABLES["PIP3_fraction"][1])
        rule("pAKT_T308", "(AKT_pT308 + AKT_pT308_pS473)/AKT_total", "1", OBSERVABLES["pAKT_T308"][1])
        rule("pAKT_S473", "(AKT_pS473 + AKT_pT308_pS473)/AKT_total", "1", OBSERVABLES["pAKT_S473"][1])

    with b.phase('species'):
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
        S("MTORC2", CORE_TOTAL, ("MTOR", "RICTOR", "MLST8"), "mTORC2 inactive")
        S("MTORC2_active", 0.0, ("MTOR", "RICTOR", "MLST8"), "mTORC2 active")
