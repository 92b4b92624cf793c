"""Phenotype: G1/S progression (cyclin D1–CDK4/6, p27Kip1, Rb/E2F), apoptosis (BIM, BAD), ADCC
in vivo, and the relative cell number ``cells``.
"""

from __future__ import annotations

import math

from ...model import ParameterRole
from ._base import (
    CELL_VOLUME_NOTE,
    NM_PER_COPY,
    Builder,
    _assumed,
    _derived,
)
from ...model import Species
from .drug_action import write_effects

__all__ = ['add']


def add(b: Builder) -> None:
    """Cell cycle, apoptosis and growth read-outs; the ``cells`` species."""
    P, S, rule, R = b.P, b.S, b.rule, b.R
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

    # drug actions acting on the cell cycle (CDK4/6 inhibitors: CDK46_inhibition), declared in drug_action
    write_effects(b, "cell_cycle")
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

    with b.phase('species'):
        b.species.append(Species(
            "cells", "cell", initial=1.0, name="relative cell number", units="1",
            provenance=_assumed("phenotype read-out, not a molecule: relative cell number (1 at "
                                "treatment start); no gene or identifiers.org annotation applies"),
        ))
