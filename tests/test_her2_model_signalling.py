"""Issue 13 items 1, 2 and 7 in the flagship model: receptor feedbacks, PIK3CA alleles, ER crosstalk.

Oracles are published directions (named per test) checked against the same model with the
mechanism switched off (its parameter at 0), so that each test is shown able to fail: the effect
must be present with the mechanism and absent (or smaller by a stated margin) without it.
Tolerances: the solver runs at rtol 1e-8, so changes of 1e-3 relative are far above numerical
noise; the margins below are set well inside the simulated effects (values in the comments).
"""

from __future__ import annotations

import numpy as np
import pytest

from her2sim.library.drugs import get_drug
from her2sim.library.her2_model import (
    CATALOGUE_GENOTYPES,
    GENOTYPES,
    MECHANISMS,
    build,
    genotype_settings,
    parameter_table,
)
from her2sim.library.protocols import growth_inhibition, treat

OUT = ("pHER3", "pAKT_S473", "pERK", "PIP3_fraction", "p110alpha_mutant_output", "ER_activity", "PI3K_catalytic")


@pytest.fixture(scope="module")
def model():
    return build()


def at_24h(model, drugs=None, parameters=None):
    ds = treat(drugs or {}, times=[0.0, 24.0], parameters=parameters, outputs=OUT, model=model)
    return {k: float(ds[k][-1]) for k in OUT}


def fold(model, drugs, parameters=None):
    treated, control = at_24h(model, drugs, parameters), at_24h(model, None, parameters)
    return {k: treated[k] / control[k] if control[k] else np.nan for k in OUT}


# ------------------------------------------------------------------------------------ item 1
def test_mek_inhibition_relieves_erk_feedback_on_receptors(model):
    """Turke 2012 Cancer Res 72:3228; Kawasaki 2016 Sci Rep: MEK inhibition raises pHER3 and pAKT.

    Trametinib 30 nM in a BT-474-like cell at 24 h. Simulated: pHER3 x1.07 and pAKT x1.16 with
    the ERK → T669/T677 feedback; pHER3 x0.95 and pAKT x1.09 without it. The pAKT rise that remains
    without it is the ERK ⊣ SOS relief (RAS → p110), a second feedback that is kept.
    """
    with_fb = fold(model, {"trametinib": 30})
    without = fold(model, {"trametinib": 30}, {"ERK_receptor_feedback": 0.0})
    assert with_fb["pERK"] < 0.5  # the MEK inhibitor acts
    assert with_fb["pHER3"] > 1.03
    assert with_fb["pAKT_S473"] > 1.10
    assert without["pHER3"] < 1.0  # the pHER3 rise vanishes
    assert with_fb["pAKT_S473"] - without["pAKT_S473"] > 0.04


def test_pi3k_inhibition_raises_perk_through_foxo_her3(model):
    """Serra 2011 Oncogene 30:2547; Chakrabarty 2012 PNAS 109:2718: PI3K inhibition raises pERK.

    Alpelisib 1 uM, 24 h: pERK x1.04 with FOXO-driven HER3/IGF1R transcription; x1.000 without.
    """
    with_fb = fold(model, {"alpelisib": 1000})
    without = fold(model, {"alpelisib": 1000}, {"HER3_FOXO_fold": 0.0, "IGF1R_FOXO_fold": 0.0})
    assert with_fb["pHER3"] > 1.3
    assert with_fb["pERK"] > 1.02
    assert abs(without["pERK"] - 1.0) < 0.005


def test_erk_feedback_keeps_the_untreated_state(model):
    """The feedback is normalised at the untreated pERK: switching it off leaves untreated pHER3 within 3 %."""
    on = at_24h(model)
    off = at_24h(model, parameters={"ERK_receptor_feedback": 0.0})
    assert off["pHER3"] == pytest.approx(on["pHER3"], rel=0.03)


# ------------------------------------------------------------------------------------ item 2
def test_helical_mutant_needs_ras_binding_kinase_mutant_does_not(model):
    """Zhao & Vogt 2008 PNAS 105:2652: E545K gain needs RAS-GTP binding, H1047R does not."""
    e545k = genotype_settings(["PIK3CA E545K"])
    h1047r = genotype_settings(["PIK3CA H1047R"])
    no_ras = {"PI3K_RAS_binding": 0.0}
    e_on = at_24h(model, parameters=e545k)["p110alpha_mutant_output"]
    e_off = at_24h(model, parameters={**e545k, **no_ras})["p110alpha_mutant_output"]
    h_on = at_24h(model, parameters=h1047r)["p110alpha_mutant_output"]
    h_off = at_24h(model, parameters={**h1047r, **no_ras})["p110alpha_mutant_output"]
    assert e_on > 1.0  # nM of extra catalytic output
    assert e_off < 1e-6 * e_on
    assert h_off > 0.9 * h_on
    # an activating KRAS (more RAS-GTP) raises the helical mutant's output
    e_kras = at_24h(model, parameters={**e545k, "KRAS_mut": 1.0})["p110alpha_mutant_output"]
    assert e_kras > 1.1 * e_on


def test_kinase_domain_mutant_needs_p85_pY_recruitment(model):
    """Zhao & Vogt 2008; Burke 2012 PNAS 109:15259: H1047R gain needs p85; E545K gain does not."""
    no_py = {"PI3K_pY_recruitment": 0.0}
    for name in ("PIK3CA H1047R", "PIK3CA H1047L"):
        s = genotype_settings([name])
        on = at_24h(model, parameters=s)["p110alpha_mutant_output"]
        off = at_24h(model, parameters={**s, **no_py})["p110alpha_mutant_output"]
        assert off < 0.97 * on, name  # the pY-recruited gain is lost
    e545k = genotype_settings(["PIK3CA E545K"])
    on = at_24h(model, parameters=e545k)["p110alpha_mutant_output"]
    off = at_24h(model, parameters={**e545k, **no_py})["p110alpha_mutant_output"]
    assert off >= on  # free p110α rises when nothing recruits it


def test_allele_names_and_k111n_is_its_own_allele():
    for name in ("PIK3CA H1047R", "PIK3CA H1047L", "PIK3CA E545K", "PIK3CA E542K", "PIK3CA K111N", "ER positive"):
        assert name in GENOTYPES
    assert CATALOGUE_GENOTYPES["PIK3CA K111N"].genotype == "PIK3CA K111N"
    assert "unconfirmed" in CATALOGUE_GENOTYPES["PIK3CA K111N"].note
    k111n = genotype_settings(["PIK3CA K111N"])
    h1047r = genotype_settings(["PIK3CA H1047R"])
    assert k111n["PIK3CA_mut_activity"] == pytest.approx(0.1 * h1047r["PIK3CA_mut_activity"], rel=1e-12)
    assert "PIK3CA_mut_gain" not in k111n


def _ic50(concentrations, values):
    """Concentration at which ``values`` (relative to the untreated first entry) cross 0.5, log-linear."""
    rel = np.asarray(values) / values[0]
    for i in range(1, len(rel)):
        if rel[i] <= 0.5 < rel[i - 1]:
            x0, x1 = np.log(concentrations[i - 1]), np.log(concentrations[i])
            return float(np.exp(x0 + (0.5 - rel[i - 1]) / (rel[i] - rel[i - 1]) * (x1 - x0)))
    return float("inf")


ALPELISIB_NM = [0.1, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0]  # 0.1 stands for untreated


def _alpelisib_ic50(model, parameters, readout):
    """24-h alpelisib IC50 (nM) of ``readout``, relative to the untreated tumour."""
    values = [at_24h(model, {"alpelisib": c} if c > 0.1 else None, parameters)[readout] for c in ALPELISIB_NM]
    return _ic50(ALPELISIB_NM, values)


MUTANTS = ("PIK3CA H1047R", "PIK3CA E545K")


def test_alpelisib_blocks_mutant_pi3k_output_more_than_wild_type(model):
    """Isoform composition: mutant cells' PI3K output is more α-dependent, so alpelisib removes more of it.

    Oracle: Fritsch 2014 Mol Cancer Ther 13:1117 (alpelisib is equipotent on wild-type and mutant
    p110α and PIK3CA-mutant lines are the more sensitive ones). In PIK3CA wild-type cells p110β/δ
    (``1 - p110alpha_share`` = 0.2 of receptor-coupled output) escape an α-selective dose; the mutant
    p110α output is all α. Simulated 24-h IC50 on ``PI3K_catalytic``: wild type 251 nM, H1047R 163,
    E545K 145 (WT/mutant 1.54 and 1.73). Control: with p110α carrying all output
    (``p110alpha_share`` = 1) the ratios shrink to 1.18 and 1.25; what is left is the feedback
    (FOXO → HER3) re-recruiting wild-type enzyme, which the receptor-independent mutant output does
    not follow. Margins (0.7 and 0.25) are far inside the effects and far above solver noise (rtol 1e-8).
    """
    shares = {"with p110beta": {}, "alpha only": {"p110alpha_share": 1.0}}
    ratio = {}
    for label, extra in shares.items():
        wild_type = _alpelisib_ic50(model, extra, "PI3K_catalytic")
        for name in MUTANTS:
            ratio[label, name] = wild_type / _alpelisib_ic50(model, {**genotype_settings([name]), **extra},
                                                             "PI3K_catalytic")
    for name in MUTANTS:
        assert ratio["with p110beta", name] > 1.0 / 0.7, name
        assert ratio["with p110beta", name] - ratio["alpha only", name] > 0.25, name


def test_pip2_depletion_inverts_the_mutant_pip3_sensitivity(model):
    """Why the mutant advantage of ``PI3K_catalytic`` is lost at PIP3 (issue 13 item 2, diagnosis).

    The model conserves PIP2 + PIP3 at Faratian's 300 nM (sourced pool), and PI3K converts 45 % of
    it to PIP3 in wild-type, 74 % (H1047R) and 79 % (E545K) in mutant cells: substrate depletion caps
    PIP3, so a fractional block of mutant PI3K removes less PIP3. Simulated 24-h alpelisib IC50 on
    ``PIP3_fraction``: 93 nM wild type, 101 (H1047R), 118 (E545K). With a 100-fold pool (PIP3 0.6-1.9 %
    of PIP2; in cells PIP3 stays a small fraction of PIP2, which PIP5K resynthesises: an order of
    magnitude, no number is taken from it) the order is the published one: 73, 54, 54 nM. Oracle:
    the direction of Fritsch 2014; the control is the same model with the depletion removed (only
    the initial PIP2 changes; the shipped model keeps Faratian's pool).
    Margins: 1.03 (measured 1.09 and 1.27) and 0.85 (measured 0.75 and 0.74).
    """
    for pool, rule in ((300.0, "inverted"), (30000.0, "published")):
        variant = model.with_initial(PIP2=pool)
        wild_type = _alpelisib_ic50(variant, {}, "PIP3_fraction")
        for name in MUTANTS:
            mutant = _alpelisib_ic50(variant, genotype_settings([name]), "PIP3_fraction")
            if rule == "inverted":
                assert mutant > 1.03 * wild_type, (pool, name)
            else:
                assert mutant < 0.85 * wild_type, (pool, name)


@pytest.mark.xfail(strict=True, reason=(
    "known gap (issue 13 item 2): alpelisib pAKT S473 IC50 at 24 h is wild type 133 nM, H1047R 192, "
    "E545K 219. Upstream the mutants are the more sensitive (PI3K_catalytic IC50 251 vs 163/145 nM, "
    "isoform composition); the order inverts at PIP3 through depletion of the 300-nM PIP2 pool "
    "(PIP3 IC50 93 vs 101/118) and stays inverted at pAKT through saturation of the fitted "
    "PIP3 → T308/mTORC2 → S473 read-out: with a 10-fold pool PIP3 is right (73 vs 54/54) but pAKT "
    "still is not (138 vs 184/206). A second amplifier favours the wild type: PTEN works near "
    "saturation (Km_PTEN 50 nM, assumed, against 136 nM PIP3), so the wild type's PIP3 falls faster "
    "than its PI3K output; with PTEN first order (Km 5000 nM, same kcat/Km) and the 100-fold pool, "
    "PIP3 IC50 is 194 vs 151/142 and pAKT 153 vs 161/165 nM, left inverted by the saturating "
    "PIP3 → T308 × mTORC2 → S473 transfer. Needs the PIP lipid cycle and the PIP3 → AKT read-out "
    "recalibrated together (k_T308 and k_mTORC2_act are fitted to L03c): the calibration issue's business"))
def test_pik3ca_mutants_at_least_as_sensitive_to_alpelisib(model):
    """Fritsch 2014 Mol Cancer Ther 13:1117: mutant cells at least as sensitive to alpelisib as wild type."""
    wild_type = _alpelisib_ic50(model, {}, "pAKT_S473")
    for name in MUTANTS:
        assert _alpelisib_ic50(model, genotype_settings([name]), "pAKT_S473") <= wild_type, name


# ------------------------------------------------------------------------------------ item 7
def test_fulvestrant_catalogue_entry_and_mechanism():
    drug = get_drug("Faslodex")
    assert drug.name == "fulvestrant" and drug.action == "er_degrade"
    assert "er_degrade" in MECHANISMS
    target = drug.target_for("ER")
    assert target.potency_nM == pytest.approx(0.29, rel=1e-12)  # Wakeling 1991, MCF-7 growth IC50
    assert target.provenance.kind == "sourced"
    free = drug.exposure_nM()
    # 16.3 ng/mL trough, 1 % unbound, MW 606.77 → 0.27 nM free
    assert free["cmin_free_nM"] == pytest.approx(16.3 / 606.77 * 1e3 * 0.01, rel=1e-9)
    table = parameter_table().set_index("id")
    assert table.loc["ER_expression", "value"] == 0.0  # ER-negative by default


def test_her2_blockade_raises_er_activity_and_fulvestrant_adds_in_er_positive_cells(model):
    """Xia 2006 PNAS 103:7795 (lapatinib raises ER signalling via FOXO3a); Arpino 2007 JNCI 99:694.

    ER-positive BT-474-like cell: lapatinib 1 uM raises ER activity (x1.7 at 24 h) and fulvestrant
    10 nM adds to lapatinib (72-h growth inhibition 52 → 67 %); in ER-negative cells fulvestrant
    changes nothing (62 % either way). ER positivity also blunts lapatinib (62 → 52 %).
    """
    er_positive = genotype_settings(["ER positive"])
    er_fold = fold(model, {"lapatinib": 1000}, er_positive)["ER_activity"]
    assert er_fold > 1.3
    lap = growth_inhibition({"lapatinib": 1000}, parameters=er_positive, model=model)["inhibition_percent"]
    both = growth_inhibition({"lapatinib": 1000, "fulvestrant": 10}, parameters=er_positive,
                             model=model)["inhibition_percent"]
    assert both > lap + 8.0
    lap_neg = growth_inhibition({"lapatinib": 1000}, model=model)["inhibition_percent"]
    both_neg = growth_inhibition({"lapatinib": 1000, "fulvestrant": 10}, model=model)["inhibition_percent"]
    assert both_neg == pytest.approx(lap_neg, abs=1e-6)
    assert lap < lap_neg - 5.0  # ER as an escape route under HER2 blockade
