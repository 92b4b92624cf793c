"""Receptor layer: HER2 (with ectodomain shedding to p95-HER2), EGFR, HER3, IGF1R and IRS1.

Receptor output enters downstream as dimensionless drives (assignment rules; 1 = untreated
amplified HER2), damped by the ERK → EGFR T669 / HER2 T677 feedback.
"""

from __future__ import annotations

import math

from ...model import ParameterRole
from ._base import (
    BRANNMARK,
    CELL_VOLUME_NOTE,
    HATAKEYAMA,
    NM_PER_COPY,
    Builder,
    _assumed,
    _derived,
    _fitted,
    _sourced,
)
from .readouts import OBSERVABLES

__all__ = ['add']


def add(b: Builder) -> None:
    """HER2/EGFR/HER3/IGF1R/IRS1 turnover, drives and phosphorylation; their read-outs and species."""
    P, S, rule, R = b.P, b.S, b.rule, b.R
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

    with b.phase('observables'):
        rule("pHER2", "ERBB2*HER2_kinase_active", "nM", OBSERVABLES["pHER2"][1])
        rule("pp95HER2", "ERBB2_p95*p95_kinase_active", "nM", OBSERVABLES["pp95HER2"][1])
        rule("pHER2_total", "pHER2 + pp95HER2", "nM", OBSERVABLES["pHER2_total"][1])
        rule("pHER3", "ERBB3_pY + ERBB3_NRG1_pY", "nM", OBSERVABLES["pHER3"][1])
        rule("HER3_total", "ERBB3 + ERBB3_NRG1 + ERBB3_pY + ERBB3_NRG1_pY", "nM", OBSERVABLES["HER3_total"][1])
        rule("HER2_total", "ERBB2", "nM", OBSERVABLES["HER2_total"][1])
        rule("HER2_trastuzumab_bound", "ERBB2*trastuzumab_bound_fraction", "nM", OBSERVABLES["HER2_trastuzumab_bound"][1])
        rule("IRS1_total", "IRS1 + IRS1_pY", "nM", OBSERVABLES["IRS1_total"][1])

    with b.phase('species'):
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
