"""Inputs of the flagship: genotype strengths, ligands in the medium and protocol switches.

Every quantity a user varies per tumour context is a parameter here (no genotype needs a new
model structure); their roles tell generic code what each is (:mod:`her2sim.model.roles`).
"""

from __future__ import annotations


from ...model import ParameterRole
from ._base import (
    Builder,
    _assumed,
)

__all__ = ['add']


def add(b: Builder) -> None:
    """Genotype, medium and protocol inputs (parameters only)."""
    P = b.P
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
