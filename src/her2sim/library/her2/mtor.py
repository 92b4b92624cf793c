"""AKT substrates and mTORC1: FOXO, TSC2/RHEB → mTORC1 → S6K, S6 and 4E-BP1.
"""

from __future__ import annotations


from ...model import ParameterRole
from ._base import (
    CORE_TOTAL,
    Builder,
    _assumed,
    _fitted,
)
from .readouts import OBSERVABLES

__all__ = ['add']


def add(b: Builder) -> None:
    """FOXO, TSC2, RHEB, mTORC1 and its substrates; their read-outs and species."""
    P, S, rule, R = b.P, b.S, b.rule, b.R
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

    with b.phase('observables'):
        rule("FOXO_nuclear", "FOXO/(FOXO + FOXO_p)", "1", OBSERVABLES["FOXO_nuclear"][1])

    with b.phase('species'):
        S("TSC2", CORE_TOTAL, ("TSC1", "TSC2"), "TSC1/2 complex, active GAP")
        S("TSC2_p", 0.0, ("TSC1", "TSC2"), "TSC1/2 with TSC2 phosphorylated (inactive)")
        S("RHEB_GDP", CORE_TOTAL, ("RHEB",), "RHEB-GDP")
        S("RHEB_GTP", 0.0, ("RHEB",), "RHEB-GTP")
        S("MTORC1", CORE_TOTAL, ("MTOR", "RPTOR", "MLST8"), "mTORC1 inactive")
        S("MTORC1_active", 0.0, ("MTOR", "RPTOR", "MLST8"), "mTORC1 active")
        S("RPS6KB1", CORE_TOTAL, ("RPS6KB1",), "S6K")
        S("RPS6KB1_p", 0.0, ("RPS6KB1",), "S6K pT389")
        S("RPS6", CORE_TOTAL, ("RPS6",), "ribosomal protein S6")
        S("RPS6_p", 0.0, ("RPS6",), "S6 pS235/236")
        S("EIF4EBP1", CORE_TOTAL, ("EIF4EBP1",), "4E-BP1")
        S("EIF4EBP1_p", 0.0, ("EIF4EBP1",), "4E-BP1 phosphorylated")
        S("FOXO", CORE_TOTAL, ("FOXO3", "FOXO1"), "FOXO nuclear (active)")
        S("FOXO_p", 0.0, ("FOXO3", "FOXO1"), "FOXO phosphorylated (cytoplasmic)")
