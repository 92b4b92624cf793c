"""RAS–ERK: SOS (with the ERK ⊣ SOS feedback) → RAS → RAF → MEK → ERK.
"""

from __future__ import annotations


from ._base import (
    BIRTWISTLE,
    CORE_TOTAL,
    HATAKEYAMA,
    NM_PER_COPY,
    Builder,
    _assumed,
    _derived,
)
from .readouts import OBSERVABLES

__all__ = ['add']


def add(b: Builder) -> None:
    """SOS, RAS, RAF, MEK and ERK; their read-out and species."""
    P, S, rule, R = b.P, b.S, b.rule, b.R
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

    with b.phase('observables'):
        rule("RAS_GTP_fraction", "RAS_GTP/(RAS_GDP + RAS_GTP)", "1", OBSERVABLES["RAS_GTP_fraction"][1])

    with b.phase('species'):
        S("SOS1", 3500 * NM_PER_COPY, ("SOS1", "GRB2"), "SOS (with GRB2), active")
        S("SOS1_p", 0.0, ("SOS1",), "SOS serine-phosphorylated by ERK (inactive)")
        ras = ("KRAS", "HRAS", "NRAS")
        S("RAS_GDP", CORE_TOTAL, ras, "RAS-GDP")
        S("RAS_GTP", 0.0, ras, "RAS-GTP")
        raf = ("ARAF", "BRAF", "RAF1")
        S("RAF", CORE_TOTAL, raf, "RAF inactive")
        S("RAF_active", 0.0, raf, "RAF active")
        S("MEK", CORE_TOTAL, ("MAP2K1", "MAP2K2"), "MEK")
        S("MEK_p", 0.0, ("MAP2K1", "MAP2K2"), "MEK phosphorylated")
        S("ERK", CORE_TOTAL, ("MAPK3", "MAPK1"), "ERK")
        S("ERK_p", 0.0, ("MAPK3", "MAPK1"), "ERK doubly phosphorylated")
