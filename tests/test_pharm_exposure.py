"""One exposure scale, per-drug potencies and covalent inhibition (issue #13 items 3, 4 and 9).

Oracles: the dilution relation of the unbound fraction (Kalvass & Maurer 2002; exact arithmetic),
the analytic solution of first-order covalent inactivation against receptor turnover, the
identity "same free concentration -> same effect" across the in-vitro and the patient path, the
analytic steady-state average of linear oral PK (dose / (CL/F tau)), the CCLE BT-474 curves
themselves (erlotinib's iso-effect HER2 potency), monotone exposure-response and parameter
identity (context columns that do not touch a drug's pathway leave its GI unchanged), and the
provenance rules of the project brief (every potency and exposure sourced or derived).
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import her2sim
from her2sim.library import pk
from her2sim.library.drugs import all_drugs, free_fraction_in_medium, get_drug
from her2sim.library.her2_model import build, drug_parameter, drug_settings, parameter_table
from her2sim.library.protocols import treat


def test_free_fraction_in_medium_dilution_relation():
    # exact: fu_medium = 1/(1 + s(1/fu - 1)); neat plasma gives back fu, serum-free gives 1
    assert free_fraction_in_medium(0.01, 10.0) == pytest.approx(1.0 / 10.9, rel=1e-12)
    assert free_fraction_in_medium(0.029, 100.0) == pytest.approx(0.029, rel=1e-12)
    assert free_fraction_in_medium(0.05, 0.0) == 1.0
    # inverse (the Kalvass-Maurer form used to undilute dialysis data) round-trips
    fu_d = free_fraction_in_medium(0.108, 10.0)
    dilution = 10.0
    assert (1 / dilution) / ((1 / fu_d - 1) + 1 / dilution) == pytest.approx(0.108, rel=1e-12)
    with pytest.raises(her2sim.ValidationError, match="serum_percent"):
        free_fraction_in_medium(0.1, -1.0)
    # antibodies are not serum-bound
    assert get_drug("trastuzumab").free_fraction_in_medium(50.0) == 1.0


def test_same_free_concentration_same_effect_in_vitro_and_in_patients():
    """A nominal in-vitro dose whose free concentration equals the patient's free average acts the same."""
    model = build()
    summary = pk.steady_state_summary("lapatinib 1250 mg qd")
    free_patient = summary["cavg_free_nM"]  # PK module: total x unbound fraction
    fu_medium = get_drug("lapatinib").free_fraction_in_medium(10.0)
    nominal = free_patient / fu_medium  # the dish dose that gives the same free concentration
    times = [0.0, 24.0, 72.0]
    outputs = ["cells", "pAKT_S473"]
    in_vitro = treat({"lapatinib": (nominal, "nM")}, times=times, outputs=outputs, model=model, serum_percent=10.0)
    in_patient = treat(None, times=times, outputs=outputs, model=model,
                       parameters={drug_parameter("lapatinib"): free_patient})
    for name in outputs:
        # identical parameter values -> identical trajectories (deterministic solver): rtol 1e-9
        np.testing.assert_allclose(in_vitro[name].values, in_patient[name].values, rtol=1e-9, atol=0)
    # and the nominal dose alone (read as free) would overstate the effect 10.9-fold in concentration
    as_if_free = treat(None, times=times, outputs=outputs, model=model,
                       parameters={drug_parameter("lapatinib"): nominal})
    assert float(as_if_free["cells"][-1]) < float(in_patient["cells"][-1])


def test_covalent_pool_follows_first_order_inactivation_and_recovers_by_turnover():
    """HER2_covalent_fraction under constant neratinib: f = k/(k + kdeg)(1 - exp(-(k + kdeg) t)); washout: exp(-kdeg t)."""
    model = build()
    values = {p.id: p.value for p in model.parameters}
    free = 0.5  # nM, below the clinical free average (0.64 nM)
    k_obs = values["kinact_neratinib_HER2"] * free / (values["KI_neratinib_HER2"] + free)
    kdeg = values["kdeg_HER2"]
    times = np.array([0.0, 2.0, 8.0, 24.0, 48.0])
    ds = treat(None, times=times, outputs=["HER2_covalent_fraction"], model=model,
               parameters={drug_parameter("neratinib"): free},
               schedule=[(48.0, {drug_parameter("neratinib"): 0.0})])
    f = ds["HER2_covalent_fraction"].values
    analytic = k_obs / (k_obs + kdeg) * (1 - np.exp(-(k_obs + kdeg) * times))
    # solver rtol 1e-8 (engine default); asserted at 1e-5 relative, 1e-9 absolute at t = 0
    np.testing.assert_allclose(f, analytic, rtol=1e-5, atol=1e-9)
    after = treat(None, times=[0.0, 48.0, 58.0, 68.0], outputs=["HER2_covalent_fraction"], model=model,
                  parameters={drug_parameter("neratinib"): free},
                  schedule=[(48.0, {drug_parameter("neratinib"): 0.0})])
    g = after["HER2_covalent_fraction"].values
    # recovered only by turnover: the pool halves every HER2 half-life (10 h) after washout
    np.testing.assert_allclose(g[2:] / g[1], np.exp(-kdeg * np.array([10.0, 20.0])), rtol=1e-5)
    # a reversible inhibitor leaves no pool behind
    assert "HER2_covalent_fraction" in {s.id for s in model.species}
    assert not any(p.id.startswith("kinact_lapatinib") for p in model.parameters)


def test_no_global_kinase_shift_and_allosteric_potencies_unshifted():
    ids = {p.id: p for p in build().parameters}
    assert "kinase_inhibitor_cellular_shift" not in ids
    assert "AKT_inhibitor_cellular_shift" not in ids
    # allosteric MEK inhibitor: the catalogue potency as is (no ATP competition)
    trametinib = get_drug("trametinib").target_for("MEK")
    assert ids["IC50_trametinib_MEK"].value == pytest.approx(trametinib.potency_nM, rel=1e-12)
    # lapatinib: BT-474 proliferation IC50 132 nM nominal (CCLE) x fu 1/10.9 in 10 % serum
    assert ids["IC50_lapatinib_HER2"].value == pytest.approx(132.0 / 10.9, rel=1e-12)
    # pan-PI3K inhibitor: p110beta potency of its own where the catalogue has one
    assert ids["IC50_buparlisib_PI3Kb"].value != ids["IC50_buparlisib_PI3K"].value


def test_tucatinib_and_everolimus_exposures():
    # tucatinib 300 mg bid: average = dose/(CL/F tau) = 300 mg/(148 L/h x 12 h) (label, K13); exact up to the
    # 15-week approach to steady state (t1/2 7.8 h): rtol 1e-3
    s = pk.steady_state_summary("tucatinib 300 mg bid")
    assert s["cavg_total_ug_per_mL"] == pytest.approx(300.0 / (148.0 * 12.0), rel=1e-3)
    assert s["cavg_free_nM"] == pytest.approx(300.0 / (148.0 * 12.0) * 0.029 / 480.5 * 1e6, rel=1e-3)
    # T-DM1 3.6 mg/kg q3w (68 kg): average = dose/(CL tau), CL 0.68 L/day (Kadcyla label); linear PK, exact
    # up to the approach to steady state (t1/2 4 days against 15 weeks): rtol 1e-3
    t = pk.steady_state_summary("T-DM1 3.6 mg/kg q3w")
    assert t["cavg_total_ug_per_mL"] == pytest.approx(3.6 * 68.0 / (0.68 * 21.0), rel=1e-3)
    # trametinib 2 mg qd: CL/F = i.v. CL 3.21 L/h / F 0.723 (Br J Clin Pharmacol 2014); average = dose/(CL/F tau)
    m = pk.steady_state_summary("trametinib 2 mg qd")
    assert m["cavg_total_ug_per_mL"] == pytest.approx(2.0 * 0.723 / (3.21 * 24.0), rel=1e-3)
    # everolimus: whole-blood troughs converted to plasma before the unbound fraction
    model = pk.pk_model("everolimus")
    assert model.plasma_per_measured == pytest.approx(0.20 / 0.60, rel=1e-12)
    trough_blood = pk.steady_state_summary("everolimus 10 mg qd")["cmin_total_ug_per_mL"]
    assert trough_blood == pytest.approx(0.0129, rel=1e-3)
    free = pk.steady_state_summary("everolimus 10 mg qd")["cmin_free_nM"]
    assert free == pytest.approx(0.0129 * 0.20 / 0.60 * 0.26 / 958.2 * 1e6, rel=1e-3)


def test_no_silent_in_vitro_fallback_in_the_exposure_table():
    from her2sim.analysis.atlas import exposure_table

    table = exposure_table("free_average").set_index("drug")
    for name, row in table.iterrows():
        if not row["clinical"]:
            assert "no clinical exposure" in row["note"] and "free" in row["note"], name
    for name in ("tucatinib", "T-DM1", "trametinib"):
        assert bool(table.loc[name, "clinical"]), name
    # in vitro: nominal 1 uM lapatinib in 10 % serum is 91.7 nM free
    in_vitro = exposure_table("in_vitro", ["lapatinib"]).set_index("drug")
    assert in_vitro.loc["lapatinib", "concentration_nM"] == pytest.approx(1000.0 / 10.9, rel=1e-12)


#: Potencies still without a readable source (each with its reason in the parameter note), listed so that
#: no new unsourced value can enter silently. Issue #13 asks for none; see the xfail test below.
KNOWN_UNSOURCED_POTENCIES = {
    "Kd_pertuzumab_HER2", "IC50_alpelisib_PI3K", "IC50_buparlisib_PI3K", "IC50_buparlisib_PI3Kb",
    "IC50_pictilisib_PI3K", "IC50_ipatasertib_AKT", "IC50_everolimus_mTORC1", "IC50_trametinib_MEK",
    "IC50_linsitinib_IGF1R", "Kd_seribantumab_HER3", "Kd_patritumab_HER3", "kinact_neratinib_HER2",
    "kinact_neratinib_p95", "kinact_neratinib_EGFR", "KI_pelitinib_HER2", "KI_pelitinib_p95", "KI_pelitinib_EGFR",
    "kinact_pelitinib_HER2", "kinact_pelitinib_p95", "kinact_pelitinib_EGFR",
    # a cellular potency whose assay serum could not be read (fulvestrant): assumed, with the reason, on the one
    # free-exposure scale. (IC50_palbociclib_CDK46 left this list: its Rb-phosphorylation IC50 was read.)
    "IC50_fulvestrant_ER",
}


def _drug_potency_rows():
    table = parameter_table()
    keys = tuple(f"_{drug_parameter(d.name)[:-3]}_" for d in all_drugs())
    mask = table["id"].str.match(r"^(IC50|Kd|KI|kinact)_") & table["id"].apply(
        lambda i: any(k in f"{i}_" for k in keys))
    return table[mask]


def test_parameters_no_new_unsourced_drug_potency():
    rows = _drug_potency_rows()
    assumed = set(rows.loc[rows["kind"] == "assumed", "id"])
    assert assumed <= KNOWN_UNSOURCED_POTENCIES, sorted(assumed - KNOWN_UNSOURCED_POTENCIES)
    # every assumed value says why
    assert (rows.loc[rows["kind"] == "assumed", "note"].str.len() > 40).all()
    # the HER2 kinase inhibitors of the clinical table that must act are sourced or derived
    for pid in ("IC50_lapatinib_HER2", "IC50_tucatinib_HER2", "KI_neratinib_HER2", "KI_afatinib_HER2",
                "kinact_afatinib_HER2", "Kd_trastuzumab_HER2"):
        assert rows.set_index("id").loc[pid, "kind"] in ("sourced", "derived"), pid


@pytest.mark.xfail(strict=True, reason=(
    "issue #13 item 4: not yet met; the values in KNOWN_UNSOURCED_POTENCIES could not be read with the "
    "tools of this work (see each parameter's note: recalled values say so and name their citation). The "
    "PI3K, pan-PI3K and IGF1R parameters also stay assumed through the model's assumed x10 ATP-site shift "
    "even where the catalogue's biochemical IC50 is now confirmed (buparlisib, linsitinib)"))
def test_parameters_show_no_unsourced_drug_potency():
    rows = _drug_potency_rows()
    assert (rows["kind"] != "assumed").all(), sorted(rows.loc[rows["kind"] == "assumed", "id"])


def test_palbociclib_cellular_potency_is_the_read_rb_phosphorylation_ic50():
    """Oracle: the value read (63 nM Ser795-Rb IC50, Fry 2004 via the MCE page) and the exact dilution relation."""
    drug = get_drug("palbociclib")
    cell = drug.target_for("CDK4/6").cellular
    assert cell.IC50_nominal_nM == 63.0 and cell.serum_percent == 10.0
    assert cell.provenance.kind == "sourced" and "Fry" in cell.provenance.source
    rows = parameter_table().set_index("id")
    assert rows.loc["IC50_palbociclib_CDK46", "kind"] == "derived"
    # free = nominal x fu in 10 % serum, fu from the label's ~85 % plasma binding (exact arithmetic)
    assert rows.loc["IC50_palbociclib_CDK46", "value"] == pytest.approx(63.0 / (1 + 0.1 * (1 / 0.15 - 1)), rel=1e-12)


def test_afatinib_clinical_exposure_from_its_population_clearance():
    # 40 mg qd: average = dose/(CL/F tau), CL/F 42.3 L/h (Freiwald 2014 population PK); linear PK, exact up
    # to the 15-week approach to steady state (t1/2 37 h): rtol 1e-3
    s = pk.steady_state_summary("afatinib 40 mg qd")
    assert s["cavg_total_ug_per_mL"] == pytest.approx(40.0 / (42.3 * 24.0), rel=1e-3)
    assert s["cavg_free_nM"] == pytest.approx(40.0 / (42.3 * 24.0) * 0.05 / 485.94 * 1e6, rel=1e-3)
    # the 1-compartment reduction keeps the published terminal half-life (37 h): rtol 1e-9 (closed form)
    assert pk.pk_model("afatinib").terminal_half_life_h == pytest.approx(37.0, rel=1e-9)
    prov = pk.pk_model("afatinib").provenance
    assert prov["CL_F"][0] == "sourced" and "Freiwald" in prov["CL_F"][1]


#: Catalogued drugs still without a clinical exposure (each says why in its ``exposure_note``), listed so that
#: no drug can lose its exposure silently. Issue #13 asks for none; see the xfail test below.
KNOWN_MISSING_EXPOSURES = {
    "pelitinib", "buparlisib", "pictilisib", "MK-2206", "ipatasertib", "linsitinib", "seribantumab", "patritumab",
    # added this round as the "one place" example of a new mechanism (HSP90 client degradation); its label-free
    # phase I/II dose is known, its concentrations were not readable
    "ganetespib",
}


def _drugs_without_clinical_exposure() -> dict[str, str]:
    from her2sim.analysis.atlas import exposure_table
    from her2sim.library.drugs import list_drugs

    table = exposure_table("free_average", list(list_drugs()))
    return {row["drug"]: get_drug(row["drug"]).exposure_note for _, row in table.iterrows() if not row["clinical"]}


def test_no_new_drug_without_clinical_exposure():
    missing = _drugs_without_clinical_exposure()
    assert set(missing) <= KNOWN_MISSING_EXPOSURES, sorted(set(missing) - KNOWN_MISSING_EXPOSURES)
    # each says what was searched and why no exposure is derived
    for name, note in missing.items():
        assert len(note) > 40, name
    # the drugs the clinical table judges have one
    for name in ("trastuzumab", "lapatinib", "neratinib", "tucatinib", "afatinib"):
        assert name not in missing, name


@pytest.mark.xfail(strict=True, reason=(
    "issue #13 item 4: not yet met; the drugs in KNOWN_MISSING_EXPOSURES have no concentration, clearance or "
    "volume readable with the tools of this work (see each drug's exposure_note)"))
def test_every_catalogued_drug_has_a_clinical_exposure():
    assert not _drugs_without_clinical_exposure()


def test_every_catalogued_drug_reaches_the_model_on_the_free_scale():
    settings = drug_settings({d.name: (1.0, "uM") for d in all_drugs()}, serum_percent=10.0)
    for drug in all_drugs():
        expected = 1000.0 * drug.free_fraction_in_medium(10.0)
        assert settings[drug_parameter(drug.name)] == pytest.approx(expected, rel=1e-12), drug.name


@pytest.fixture(scope="module")
def clinical_table():
    from her2sim.library.scorecard import clinical_exposure_table

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", her2sim.errors.Her2simWarning)
        return clinical_exposure_table().set_index("drug")


def test_clinical_exposure_table_verdicts_follow_the_fixed_rule(clinical_table):
    from her2sim.library.scorecard import CLINICAL_VERDICT_RULE

    table = clinical_table
    assert table.attrs["rule"] == CLINICAL_VERDICT_RULE
    yard = table.loc["trastuzumab", "GI_parental"]
    assert math.isfinite(yard) and yard > 0
    for drug in ("lapatinib", "neratinib"):
        gi = table.loc[drug, "GI_parental"]
        assert table.loc[drug, "verdict"].startswith("acts" if gi >= 0.5 * yard else "too weak")
    combo = table.loc["trastuzumab + tucatinib", "GI_parental"]
    assert table.loc["trastuzumab + tucatinib", "verdict"].startswith("adds" if combo >= yard + 5 else "does not")
    # no in-vitro fallback: drugs without a clinical exposure are not simulated
    missing = table[table["verdict"].str.startswith("no clinical exposure")]
    assert missing["GI_parental"].isna().all() and missing["free_nM"].isna().all()
    # PIK3CA-mutant and PTEN-null variants blunt the HER2-directed drugs (MECHANISMS.md §2-3)
    for drug in ("trastuzumab", "lapatinib", "neratinib"):
        assert table.loc[drug, "GI_PIK3CA H1047R"] < table.loc[drug, "GI_parental"]
        assert table.loc[drug, "GI_PTEN loss"] < table.loc[drug, "GI_parental"]


CCLE = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "ccle-dose-response.csv"


def test_erlotinib_is_catalogued_with_sourced_potency_and_exposure():
    drug = get_drug("Tarceva")
    assert drug.name == "erlotinib" and drug.action == "her_kinase_inhibit"
    egfr = drug.target_for("EGFR")
    assert egfr.potency_nM == 2.0 and egfr.provenance.kind == "sourced" and "Moyer" in egfr.provenance.source
    # free base from the label's hydrochloride: 429.90 - HCl 36.46 (exact arithmetic)
    assert drug.molecular_weight == pytest.approx(429.90 - 36.46, abs=1e-9)
    # label dose 150 mg qd through the PK module: average = dose/(CL/F tau), CL/F = V/F ln2 / t1/2 with V/F
    # 232 L and t1/2 36.2 h (label); linear PK, exact up to the 15-week approach to steady state: rtol 1e-3
    s = pk.steady_state_summary("erlotinib 150 mg qd")
    cl_f = 232.0 * math.log(2) / 36.2
    assert s["cavg_total_ug_per_mL"] == pytest.approx(150.0 / (cl_f * 24.0), rel=1e-3)
    assert s["cavg_free_nM"] == pytest.approx(150.0 / (cl_f * 24.0) * 0.07 / 393.44 * 1e6, rel=1e-3)
    # every parameter of erlotinib in the model is sourced or derived
    rows = parameter_table().set_index("id")
    for pid in ("IC50_erlotinib_EGFR", "IC50_erlotinib_HER2", "IC50_erlotinib_p95"):
        assert rows.loc[pid, "kind"] in ("sourced", "derived"), pid
    # weak on HER2: the free HER2 potency is >1000-fold its EGFR potency (EGFR-selective, Moyer 1997)
    assert rows.loc["IC50_erlotinib_HER2", "value"] > 1000 * rows.loc["IC50_erlotinib_EGFR", "value"]


@pytest.mark.skipif(not CCLE.is_file(), reason="shared CCLE data not present")
def test_erlotinib_her2_potency_is_the_iso_effect_estimate_from_the_ccle_curves():
    """Oracle: the CCLE BT-474 data themselves; the catalogue value is rounded to 3 digits (rtol 2e-3)."""
    data = pd.read_csv(CCLE)
    bt474 = data[data["cell_line"] == "BT474"]
    lap = bt474[bt474["drug"] == "Lapatinib"].sort_values("concentration_nM")
    erl = bt474[bt474["drug"] == "Erlotinib"].set_index("concentration_nM")["relative_viability"]
    assert erl.min() > 0.5  # 50 % viability is never reached: the IC50 is an extrapolation

    def lapatinib_iso(viability: float) -> float:
        c, v = lap["concentration_nM"].to_numpy(), lap["relative_viability"].to_numpy()
        for i in range(4):  # the monotone part of the curve (2.5-250 nM)
            if v[i] >= viability >= v[i + 1]:
                f = (v[i] - viability) / (v[i] - v[i + 1])
                return float(10 ** (np.log10(c[i]) + f * (np.log10(c[i + 1]) - np.log10(c[i]))))
        raise AssertionError(viability)

    estimates = [132.0 * c / lapatinib_iso(float(erl[c])) for c in (2530.0, 8000.0)]
    cell = get_drug("erlotinib").target_for("HER2").cellular
    assert cell.IC50_nominal_nM == pytest.approx(math.sqrt(estimates[0] * estimates[1]), rel=2e-3)
    assert cell.serum_percent == 10.0


def test_tumour_partition_is_optional_and_sourced():
    ratio, prov = pk.tumour_partition("Tykerb")
    assert ratio == 4.0 and "Spector" in prov[1] and "not verified" in prov[2]
    assert pk.tumour_partition("trastuzumab")[0] is None
    s = pk.steady_state_summary("lapatinib 1250 mg qd")
    assert s["cavg_free_tumour_nM"] == pytest.approx(4.0 * s["cavg_free_nM"], rel=1e-12)
    assert math.isnan(pk.steady_state_summary("tucatinib 300 mg bid")["cavg_free_tumour_nM"])


def test_clinical_table_tumour_and_context_columns(clinical_table):
    from her2sim.library.scorecard import CLINICAL_TUMOUR_VERDICT_RULE

    table = clinical_table
    assert table.attrs["tumour_rule"] == CLINICAL_TUMOUR_VERDICT_RULE
    lap = table.loc["lapatinib"]
    assert lap["free_tumour_nM"] == pytest.approx(lap["tumour_partition"] * lap["free_nM"], rel=1e-12)
    # monotone exposure-response (more free drug at the same target cannot inhibit less)
    assert lap["GI_tumour"] > lap["GI_parental"]
    yard = table.loc["trastuzumab", "GI_parental"]
    assert lap["verdict_tumour"].startswith("acts" if lap["GI_tumour"] >= 0.5 * yard else "too weak")
    # no ratio published: the tumour column is the plasma one
    assert math.isnan(table.loc["neratinib", "tumour_partition"])
    assert table.loc["neratinib", "GI_tumour"] == table.loc["neratinib", "GI_parental"]
    # in vivo switches on trastuzumab's ADCC only: the antibody gains, small molecules are unchanged
    # (identical parameters for them -> identical trajectories of a deterministic solver: atol 1e-6 %)
    assert table.loc["trastuzumab", "GI_in vivo (ADCC)"] > table.loc["trastuzumab", "GI_parental"] + 5
    for drug in ("lapatinib", "neratinib", "alpelisib", "erlotinib"):
        assert table.loc[drug, "GI_in vivo (ADCC)"] == pytest.approx(table.loc[drug, "GI_parental"], abs=1e-6)
    # fulvestrant acts only where ER is expressed (catalogue note; MECHANISMS.md ER crosstalk)
    assert table.loc["fulvestrant", "GI_ER positive"] > table.loc["fulvestrant", "GI_parental"] + 1


def test_clinical_table_context_column_labels_must_not_clash_with_genotypes():
    from her2sim.library.scorecard import clinical_exposure_table

    with pytest.raises(her2sim.ValidationError, match="context_columns"):
        clinical_exposure_table(context_columns={"PTEN loss": {"in_vivo": 1.0}})


def test_clinical_markdown_shows_both_declared_rules(clinical_table):
    from her2sim.library.scorecard import (
        CLINICAL_TUMOUR_VERDICT_RULE,
        CLINICAL_VERDICT_RULE,
        _clinical_markdown,
    )

    text = _clinical_markdown(clinical_table.reset_index())
    assert CLINICAL_VERDICT_RULE in text and CLINICAL_TUMOUR_VERDICT_RULE in text
    assert "| lapatinib |" in text and "verdict (tumour exposure)" in text
