"""Cell-cycle and apoptosis read-out of the flagship model, palbociclib, and trastuzumab in vivo.

Oracles are published directions (named per test) and, for the in-vitro/in-vivo split, an
exact structural identity (the ADCC term is multiplied by ``in_vivo``). Margins are stated per
assertion; the model numbers they guard are far from them (see the values in the comments,
measured on this model version), so solver noise (rtol 1e-8 here) cannot flip them.
"""

from __future__ import annotations

import numpy as np
import pytest

from her2sim.library import her2_model as hm
from her2sim.library import protocols
from her2sim.library.drugs import get_drug

BT474 = hm.cell_line_settings("BT-474")
PALBO = {"palbociclib": 500.0}  # nM, ~9x its cellular CDK4 potency (11 nM x shift 5)
LAP = {"lapatinib": 1000.0}
TRAS = {"trastuzumab": (10.0, "ug/mL")}


def _gi(drugs, *, genotype=None, parameters=None, in_vivo=False) -> float:
    return protocols.growth_inhibition(drugs, genotype=genotype, parameters={**BT474, **(parameters or {})},
                                       in_vivo=in_vivo)["inhibition_percent"]


def _at(readout: str, drugs, *, time: float = 24.0, genotype=None, parameters=None) -> tuple[float, float]:
    """(untreated, treated at ``time``) value of a read-out in the BT-474-like cell."""
    ds = protocols.treat(drugs, times=[0.0, time], outputs=(readout,), genotype=genotype,
                         parameters={**BT474, **(parameters or {})})
    return float(ds[readout][0]), float(ds[readout][-1])


def test_palbociclib_lowers_pRb_and_growth():
    # oracle: Fry 2004 Mol Cancer Ther 3:1427 (G1 arrest with loss of Rb S780/S795 phosphorylation);
    # Finn 2009 Breast Cancer Res 11:R77 (HER2-amplified luminal lines are sensitive). Measured:
    # pRb 0.81 -> 0.30, GI ~50 %; margins: pRb at least halved, GI >= 25 points.
    before, after = _at("pRb", PALBO)
    assert after < 0.5 * before
    e2f_before, e2f_after = _at("E2F_activity", PALBO)
    assert e2f_after < e2f_before
    assert _gi(PALBO) >= 25.0


@pytest.mark.parametrize("her2_drug", [LAP, TRAS], ids=["lapatinib", "trastuzumab"])
def test_palbociclib_adds_to_her2_blockade(her2_drug):
    # oracle: Goel 2016 Cancer Cell 29:255 (CDK4/6 inhibition with HER2/EGFR blockade beats either
    # alone); Finn 2009 (palbociclib-trastuzumab synergy in HER2-amplified lines). Margin: the
    # combination exceeds the better single agent by >= 5 GI points (measured: 10-25).
    gi_palbo, gi_her2 = _gi(PALBO), _gi(her2_drug)
    gi_both = _gi({**PALBO, **her2_drug})
    assert gi_both >= max(gi_palbo, gi_her2) + 5.0


def test_cyclin_d1_falls_under_lapatinib_and_p27_rises():
    # oracle: Goel 2016 (HER2 blockade lowers cyclin D1 in HER2+ cells); Huang 2010 (L29: lowering
    # HER3/IGF1R signalling raises p27Kip1). Margins: cyclin D1 down >= 30 % (measured ~63 %),
    # nuclear p27 up >= 1.5-fold (measured ~3.7-fold).
    d1_before, d1_after = _at("CyclinD1", LAP)
    assert d1_after < 0.7 * d1_before
    p27_before, p27_after = _at("p27_nuclear", LAP)
    assert p27_after > 1.5 * p27_before


def test_everolimus_lowers_cyclin_d1_through_translation():
    # oracle: structure (mTORC1 -> 4E-BP1/eIF4E -> cyclin D1 translation; Goel 2016 for the mTORC1
    # arm): a rapalog lowers cyclin D1 without touching ERK-driven transcription. Margin: any fall
    # beyond 1 % (measured ~9 %).
    d1_before, d1_after = _at("CyclinD1", {"everolimus": 10.0})
    assert d1_after < 0.99 * d1_before
    tr_before, tr_after = _at("CCND1_transcription", {"everolimus": 10.0})
    assert tr_after == pytest.approx(tr_before, rel=2e-3)


def _palbociclib_effect(genotype) -> float:
    """GI of palbociclib (points) in the BT-474-like cell with ``genotype``."""
    return _gi(PALBO, genotype=genotype)


def test_rb1_loss_makes_palbociclib_inactive():
    # oracle: Rb is the CDK4/6 target pathway's only exit here (Fry 2004: activity only in
    # Rb-positive cells; Finn 2009). The same threshold that RB1 loss passes (GI < 1 point) fails
    # in the parental cell (GI ~50), so the check can fail.
    assert _palbociclib_effect(["RB1 loss"]) < 1.0
    assert not _palbociclib_effect(None) < 1.0
    # without Rb, E2F is free whatever CDK4/6 does
    before, after = _at("E2F_activity", PALBO, genotype=["RB1 loss"])
    assert before == pytest.approx(1.0, abs=1e-9) and after == pytest.approx(1.0, abs=1e-9)


def test_apoptosis_reads_bim_and_bad():
    # oracle: FOXO -> BIM (Dijkers 2000), AKT -|BAD (Datta 1997): HER2 blockade raises BIM and
    # active BAD and the death rate; MEK inhibition raises BIM (ERK -| BIM). Margins: >= 20 %.
    for readout in ("BIM", "BAD_active", "death_rate"):
        before, after = _at(readout, LAP)
        assert after > 1.2 * before, readout
    bim_before, bim_after = _at("BIM", {"trametinib": 30.0})
    assert bim_after > 1.2 * bim_before


def test_adcc_is_absent_in_vitro():
    # oracle: exact structure (ADCC_rate = in_vivo * k_ADCC * ...): with in_vivo = 0 the trastuzumab
    # response does not depend on the ADCC parameter (identical to rtol 1e-10).
    a = protocols.treat(TRAS, times=[0.0, 72.0], outputs=("cells", "death_rate"),
                        parameters={**BT474, "k_ADCC": 0.0})
    b = protocols.treat(TRAS, times=[0.0, 72.0], outputs=("cells", "death_rate"),
                        parameters={**BT474, "k_ADCC": 0.2})
    np.testing.assert_allclose(a["cells"].values, b["cells"].values, rtol=1e-10, atol=0)
    np.testing.assert_allclose(a["death_rate"].values, b["death_rate"].values, rtol=1e-10, atol=0)


def test_adcc_in_vivo_follows_bound_surface_her2():
    # oracle: Clynes 2000 Nat Med 6:443 (Fc-receptor engagement adds to trastuzumab's activity in
    # vivo); ADCC scales with antibody bound on the cell surface, so MUC4 masking (Nagy 2005, L18)
    # and low HER2 lower it. Margins: in vivo adds >= 10 GI points (measured ~30); MUC4-high and
    # HER2 non-amplified get at most half the parental ADCC rate (measured 0.2 and 0.05).
    assert _gi(TRAS, in_vivo=True) >= _gi(TRAS) + 10.0
    # the untreated tumour has no ADCC even in vivo (no antibody bound)
    ds0 = protocols.treat({}, times=[0.0, 24.0], outputs=("ADCC_rate",), parameters={**BT474, "in_vivo": 1.0})
    assert float(abs(ds0["ADCC_rate"]).max()) == 0.0

    def adcc(genotype):
        ds = protocols.treat(TRAS, times=[0.0, 24.0], outputs=("ADCC_rate",), genotype=genotype,
                             parameters={"in_vivo": 1.0})
        return float(ds["ADCC_rate"][-1])

    parental = adcc(None)
    assert parental > 0.0
    assert adcc(["MUC4 high"]) <= 0.5 * parental
    assert adcc(["HER2 non-amplified"]) <= 0.5 * parental


def test_trastuzumab_blocks_shedding_to_p95_and_pertuzumab_does_not():
    # oracle: Molina 2001 Cancer Res 61:4744 (trastuzumab inhibits basal HER2 cleavage and p95
    # generation; 2C4/pertuzumab does not). Parental cells make p95 only by shedding here.
    # Margins: trastuzumab lowers p95 by >= 30 % at 24 h (p95 half-life 10 h; measured ~70 %);
    # pertuzumab changes it by < 5 %.
    before, after = _at("pp95HER2", TRAS)
    assert before > 0.0 and after < 0.7 * before
    before, after = _at("pp95HER2", {"pertuzumab": (10.0, "ug/mL")})
    assert after == pytest.approx(before, rel=0.05)
    # no sheddase, no shed p95
    before, _ = _at("pp95HER2", {}, parameters={"ADAM10_activity": 0.0})
    assert before == pytest.approx(0.0, abs=1e-9)


def test_palbociclib_catalogue_entry():
    # oracle: Fry 2004 (CDK4 11 nM, CDK6 16 nM); label (85 % bound, 447.54 Da); arithmetic:
    # free Cmax = 116 ng/mL / 447.54 g/mol x 0.15 = 38.9 nM (rtol 1e-3).
    drug = get_drug("PD-0332991")
    assert drug.name == "palbociclib" and drug.action == "cdk46_inhibit"
    assert drug.target_for("CDK4/6").potency_nM == 11.0
    assert drug.target_for("CDK6").potency_nM == 16.0
    free = drug.to_nM(drug.exposure.cmax_total, drug.exposure.unit) * drug.exposure.free_fraction
    assert free == pytest.approx(116.0 / 447.54 * 1e3 * 0.15, rel=1e-3)
    assert hm.drug_parameter("Ibrance") == "palbociclib_nM"
    assert "cdk46_inhibit" in hm.MECHANISMS


def test_trial_adapter_is_in_vivo():
    # oracle: structure: the virtual-trial adapter runs tumours in patients (in_vivo = 1), so the
    # trastuzumab death rate carries the ADCC kill; the no-drug member has none. Margin: the
    # treated-minus-untreated death rate exceeds half of k_ADCC (bound HER2 ~0.6-0.9 of HER2_ref).
    from her2sim.trials import _flagship

    k_adcc = hm.build().get_parameter("k_ADCC").value
    rates = _flagship.signalling_rates({"her2_expression": np.array([1.0])},
                                       {"trastuzumab": np.array([300.0])}, n_threads=1)
    assert int(rates["status"][0]) == 0
    assert rates["death_treated"][0] - rates["death_untreated"][0] > 0.5 * k_adcc
