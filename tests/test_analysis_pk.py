"""Clinical PK (her2sim.library.pk): analytic oracles and label values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from her2sim.library import pk


def test_oral_one_compartment_closed_form():
    # oracle: Bateman function C = D·ka/(V(ka − k))·(e^{−kt} − e^{−ka t}); its maximum is at
    # t = ln(ka/k)/(ka − k) (rtol 1e-9)
    model = pk.pk_model("alpelisib")
    p = model.parameters
    k, ka = p["CL_F"] / p["V_F"], p["ka"]
    t = np.linspace(0, 48, 97)
    expected = ka / (p["V_F"] * (ka - k)) * (np.exp(-k * t) - np.exp(-ka * t))
    np.testing.assert_allclose(model.unit_response(t), expected, rtol=1e-9, atol=0)
    assert math.log(ka / k) / (ka - k) == pytest.approx(3.0, rel=1e-9)  # Tmax 3 h by construction


def test_two_compartment_auc_equals_dose_over_clearance():
    # oracle: for linear PK, AUC(0-inf) of a unit dose is 1/CL (quadrature to rtol 1e-3)
    model = pk.pk_model("trastuzumab")
    t = np.linspace(0, 24 * 365 * 3, 400001)
    auc = np.trapezoid(model.unit_response(t), t)
    assert auc == pytest.approx(1.0 / model.parameters["CL"], rel=1e-3)
    assert model.terminal_half_life_h / 24 == pytest.approx(28.5, rel=1e-6)  # Bruno 2005, by construction


def test_trastuzumab_steady_state_against_label():
    # oracle: Herceptin label population PK, 8→6 mg/kg q3w MBC: Cmax,ss 179, Cmin,ss 44.2 ug/mL (K02);
    # tolerance 25 % (typical-patient parameters from an older label version, K05)
    s = pk.steady_state_summary("trastuzumab q3w")
    assert s["cmax_total_ug_per_mL"] == pytest.approx(179.0, rel=0.25)
    assert s["cmin_total_ug_per_mL"] == pytest.approx(44.2, rel=0.25)


def test_lapatinib_and_capivasertib_against_label():
    # oracle: Tyverb label Cmax,ss 2.43 ug/mL (K08; rtol 30 %, 1-compartment with the effective
    # half-life); capivasertib Cmax,ss 1371 ng/mL reproduced by construction (rtol 1e-3, K17)
    assert pk.steady_state_summary("lapatinib")["cmax_total_ug_per_mL"] == pytest.approx(2.43, rel=0.3)
    cap = pk.steady_state_summary("capivasertib")
    assert cap["cmax_total_ug_per_mL"] == pytest.approx(1.371, rel=1e-3)
    assert cap["free_fraction_known"] == 0.0


def test_intermittent_capivasertib_schedule():
    reg = pk.regimen("capivasertib")
    times, amounts = reg.doses(14 * 24.0)
    # oracle: 4 days on (bid = 8 doses) / 3 off → 16 doses in two weeks, none on days 4-6 (exact)
    assert times.size == 16
    days = (times // 24).astype(int) % 7
    assert set(days) == {0, 1, 2, 3}


def test_schedule_is_hourly_mean_free_concentration():
    sched = pk.regimen_schedule(["lapatinib 1250 mg qd"], t_end_h=48.0)
    assert len(sched) == 48 and sched[0][0] == 0.0
    # oracle: the step value is the mean of the free concentration over the hour (5-point Gauss rule vs
    # a 2001-point trapezoid, rtol 1e-6)
    t = np.linspace(10.0, 11.0, 2001)
    mean = np.trapezoid(pk.concentration("lapatinib 1250 mg qd", t), t)
    assert sched[10][1]["lapatinib_nM"] == pytest.approx(mean, rel=1e-6)


def test_regimen_drives_the_model():
    from her2sim.analysis.regimen import plot_regimen, simulate_regimen

    # the signalling block alone (in_vivo=False: no immune effector kill)
    ds = simulate_regimen(["trastuzumab q3w"], contexts=["parental", "PTEN loss"], weeks=1.0, in_vivo=False)
    assert ds["inhibition_percent"].dims == ("context", "time")
    assert bool((ds["status"] == 0).all())
    gi = ds["inhibition_percent"].isel(time=-1)
    # oracle: MECHANISMS.md §1-2 at clinical trastuzumab exposure: the parental tumour is inhibited,
    # PTEN loss much less (at least 20 pp apart after one week)
    assert float(gi.sel(context="parental")) > float(gi.sel(context="PTEN loss")) + 20.0
    # in patients (the default) trastuzumab's FcγR-dependent kill adds to both contexts (Clynes 2000
    # Nat Med 6:443), PTEN loss included: ADCC reads bound HER2, not PI3K signalling (margin 5 pp)
    vivo = simulate_regimen(["trastuzumab q3w"], contexts=["parental", "PTEN loss"], weeks=1.0)
    assert vivo.attrs["in_vivo"] == 1 and ds.attrs["in_vivo"] == 0
    gi_vivo = vivo["inhibition_percent"].isel(time=-1)
    for context in ("parental", "PTEN loss"):
        assert float(gi_vivo.sel(context=context)) > float(gi.sel(context=context)) + 5.0
    # the first hour holds the loading dose: 8 mg/kg × 68 kg / Vc 3.02 L ≈ 180 ug/mL ≈ 1220 nM (rtol 5 %)
    assert float(ds["free_nM"].isel(regimen=0, time=0)) == pytest.approx(8 * 68 / 3.02 * 6.757, rel=0.05)
    axes = plot_regimen(ds)
    # hours, as in the exported tables (issue #19: CSV and plot times in the same unit)
    assert axes[2].get_xlabel().startswith("time since the first dose [h]")
    np.testing.assert_array_equal(axes[1].lines[0].get_xdata(), ds["time"].values)
    import matplotlib.pyplot as plt

    plt.close("all")
