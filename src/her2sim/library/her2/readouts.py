"""Read-outs of the flagship: observable (assignment-rule variable) -> (units, meaning)."""

from __future__ import annotations

__all__ = ["OBSERVABLES"]


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
