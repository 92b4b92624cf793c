"""Oestrogen receptor α (ESR1): HER2 → AKT/ERK ⊣ ER expression, ER → proliferation and growth-factor genes.
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

__all__ = ['add']


def add(b: Builder) -> None:
    """ERα turnover, oestradiol occupancy, ER activity and its outputs; its species."""
    P, S, rule, R = b.P, b.S, b.rule, b.R
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

    with b.phase('species'):
        S("ESR1", 0.0, ("ESR1",), "oestrogen receptor α (total; 0 in ER-negative cells)")
